"""The ``synthfaces`` dataset: procedurally drawn faces with identities, CelebA-style attributes,
ground-truth attribute masks and controllable attribute bias. Needs no download."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from core.data.budget import check_budget
from core.data.source import DATASETS, DatasetSource
from core.data.synthfaces.attributes import ATTRIBUTES
from core.data.synthfaces.controls import parse_controls
from core.data.synthfaces.render import render
from core.data.synthfaces.sample import sample_faces
from core.data.table import ImageTable
from core.params import ParamError, param

SIZES = (32, 64, 128)


JOINT_HELP = (
    "joint counts of attribute pairs, e.g. 'Mouth_Slightly_Open,Male:2000,16000,16000,2000' (cells (0,0),(0,1),"
    "(1,0),(1,1); counts summing to the dataset size, or proportions summing to 1; pairs separated by ';')"
)
BALANCE_HELP = "class rates, e.g. 'Eyeglasses:0.5; skin_tone:1/1/1/1' (the rate of 'yes', or class weights)"


@DATASETS.register("synthfaces", "procedurally drawn faces: identities, CelebA attributes, pixel masks, bias control")
class SynthFaces(DatasetSource):
    """Synthetic faces, deterministic from the seed (what is drawn: the package docstring; what each
    attribute's mask marks, including for absent attributes: ``core.data.synthfaces.parts``)."""

    @dataclass
    class Options:
        n_identities: int = param(60, "number of people (fixed sex, skin, age, nose, face, hair)", min=1, max=100_000)
        images_per_identity: int = param(30, "photos per person (expression, glasses, hat, pose, light vary)",
                                         min=1, max=10_000)
        size: int = param(32, "image side in pixels: 32, 64 or 128", choices=list(SIZES))
        seed: int = param(0, "random seed; the same options give the same images", min=0)
        joint: str = param("", JOINT_HELP)
        balance: str = param("", BALANCE_HELP)
        masks: bool = param(True, "keep each attribute's ground-truth pixel mask (1 byte per pixel per attribute)")

        def __post_init__(self) -> None:
            if self.size not in SIZES:
                raise ParamError(f"size: {self.size} is not supported; allowed: {', '.join(map(str, SIZES))}")
            n = self.n_identities * self.images_per_identity
            check_budget("dataset.options", n, 3, self.size, len(ATTRIBUTES) if self.masks else 0)  # before drawing
            parse_controls(self.joint, self.balance, max(1, n))

    cacheable = True

    def load(self, options: "SynthFaces.Options", cache_dir: Path | None = None) -> ImageTable:
        o = options
        controls = parse_controls(o.joint, o.balance, o.n_identities * o.images_per_identity)
        faces = sample_faces(o.n_identities, o.images_per_identity, o.size, o.seed, controls)
        images, masks = render(faces, o.size, o.seed, with_masks=o.masks)
        per = o.images_per_identity
        return ImageTable(
            name="synthfaces",
            images=torch.from_numpy(images),
            columns={k: torch.from_numpy(faces[k]) for k in ATTRIBUTES},
            classes={k: list(a.classes) for k, a in ATTRIBUTES.items()},
            identity=torch.from_numpy(faces["identity"].astype("int64")),
            masks={k: torch.from_numpy(m) for k, m in masks.items()},
            ids=[f"id{i // per:04d}_img{i % per:03d}" for i in range(len(images))],
        )
