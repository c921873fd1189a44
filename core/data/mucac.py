"""MUCAC (Machine Unlearning for Celebrity Attribute Classifier): CelebA-HQ's 30,000 faces with
identities and the tasks Male, Smiling and Young (Choi & Na, the MUFAC/MUCAC benchmark paper).

The paper does not name its files. This follows the release's code (github.com/ndb796/MachineUnlearning,
which points to ndb796/CelebA-HQ-Face-Identity-and-Attributes-Recognition-PyTorch), where ``root`` holds::

    CelebA-HQ-identity.txt             "0.jpg 4" per image (identity numbers), no header
    CelebA-HQ-attribute.txt            CelebA's attribute table: count line, 40 names, "0.jpg -1 1 ..."
    CelebAMask-HQ/CelebA-HQ-img/0.jpg  the images

Assumed (not stated in the paper): CelebAMask-HQ's own ``CelebAMask-HQ/CelebAMask-HQ-attribute-anno.txt``
(same format) is accepted when ``CelebA-HQ-attribute.txt`` is absent, and ``CelebA-HQ-img/`` directly
under ``root`` when the ``CelebAMask-HQ/`` level is missing. The partition is the release's split by
identity number: below 190 -> TEST, from 4855 up -> UNSEEN, the rest TRAIN (the release's code then
forgets identities 190-1249 of TRAIN; that is the scenario's choice, not the dataset's). Copies of the
release code differ on the unseen threshold (4855 and 1627 both occur), so both bounds are options.

Columns: the ``attributes`` option (default Male, Smiling, Young; any of the 40 CelebA names),
classes ``["no", "yes"]``. Identity: the release's identity numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from core.data.celeba_text import BINARY_CLASSES, lookup, read_attr_table, read_pairs
from core.data.filetable import Annotations, ImageFilesOptions, table_from_files
from core.data.paths import first_existing, require_dir, require_file
from core.data.source import DATASETS, DataError, DatasetSource
from core.data.table import ImageTable, TEST, TRAIN, UNSEEN
from core.params import param

EXPECTED = "CelebA-HQ-identity.txt, CelebA-HQ-attribute.txt and CelebAMask-HQ/CelebA-HQ-img/"


@DATASETS.register("mucac")
class MUCAC(DatasetSource):
    """MUCAC: CelebA-HQ faces with identities; tasks Male, Smiling, Young; identity-disjoint splits."""

    @dataclass
    class Options(ImageFilesOptions):
        root: str = param("", f"folder holding {EXPECTED}")
        attributes: list[str] = param(["Male", "Smiling", "Young"], "CelebA attribute names to load as columns")
        test_identities_below: int = param(190, "identities numbered below this form the test partition", min=0)
        unseen_identities_from: int = param(4855, "identities numbered from this up form the unseen partition", min=0)

    cacheable = True

    def load(self, options: Options, cache_dir: Path | None = None) -> ImageTable:
        if options.unseen_identities_from < options.test_identities_below:
            raise DataError(
                f"mucac: unseen_identities_from ({options.unseen_identities_from}) must not be below "
                f"test_identities_below ({options.test_identities_below})"
            )
        if not options.attributes:
            raise DataError("mucac: option 'attributes' is empty; name at least one CelebA attribute, e.g. Male")
        root = require_dir(options.root, "mucac", EXPECTED)
        id_path = require_file(root / "CelebA-HQ-identity.txt", "mucac", "identity file")
        attr_path = first_existing(
            [root / "CelebA-HQ-attribute.txt", root / "CelebAMask-HQ" / "CelebAMask-HQ-attribute-anno.txt"],
            "mucac", "attribute file",
        )
        images = first_existing(
            [root / "CelebAMask-HQ" / "CelebA-HQ-img", root / "CelebA-HQ-img"], "mucac", "image folder", directory=True
        )
        files, names, matrix = read_attr_table(attr_path, "mucac")
        missing = [a for a in options.attributes if a not in names]
        if missing:
            raise DataError(f"mucac: {attr_path} has no attribute {missing[0]!r}; attributes present: {', '.join(names)}")
        identity = lookup(read_pairs(id_path, "mucac"), files, id_path, "mucac")
        partition = torch.full_like(identity, TRAIN)
        partition[identity < options.test_identities_below] = TEST
        partition[identity >= options.unseen_identities_from] = UNSEEN
        annotations = Annotations(
            files=[images / f for f in files],
            ids=files,
            columns={a: matrix[:, names.index(a)].clone() for a in options.attributes},
            classes={a: list(BINARY_CLASSES) for a in options.attributes},
            identity=identity,
            partition=partition,
        )
        return table_from_files("mucac", annotations, options, root, str(attr_path))
