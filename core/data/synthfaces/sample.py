"""Sample the rows of a synthetic faces dataset: attributes, looks and identity per image.

Separate random streams (spawned from the seed) for person attributes, photo attributes, person
looks and photo looks, so changing a bias control re-deals the controlled attributes without
changing who the people look like or how the photos are posed and lit.
"""

from __future__ import annotations

import numpy as np

from core.data.synthfaces.attributes import ATTRIBUTES
from core.data.synthfaces.controls import Controls
from core.data.synthfaces.looks import identity_looks, image_looks
from core.data.synthfaces.render import Faces
from core.data.synthfaces.traits import identity_attributes, image_attributes


def sample_faces(n_identities: int, per_identity: int, size: int, seed: int, controls: Controls) -> Faces:
    """One row per image, identity-major (person i owns rows i*per_identity ... ), plus ``identity``."""
    streams = np.random.SeedSequence(seed).spawn(4)
    rng_people, rng_photos, rng_looks, rng_poses = (np.random.default_rng(s) for s in streams)
    people = identity_attributes(n_identities, controls, rng_people)
    people.update(identity_looks(people["Male"], people["skin_tone"], rng_looks))
    faces = {k: np.repeat(v, per_identity, axis=0) for k, v in people.items()}
    image_attributes(faces, controls, rng_photos)
    faces.update(image_looks(len(faces["Male"]), size, rng_poses))
    faces["identity"] = np.repeat(np.arange(n_identities), per_identity)
    for name in ATTRIBUTES:
        faces[name] = faces[name].astype(np.int64)
    return faces
