"""Tiny planted data for the feature-unlearning tests: 16 px 'faces' whose parts sit at known places.

The task ``top`` is a bright patch in the top rows; the feature ``mouth`` is a wide bright bar
(open) versus a short dim one (closed) in the bottom rows; ``eyes`` are two dots or none. Each
part's ground-truth mask is drawn, so filter groups and saliency can be checked against it.
"""

from __future__ import annotations

import pytest
import torch

from core.data.table import ImageTable

torch.set_num_threads(1)


def toy_faces(n_id: int = 40, per: int = 12, size: int = 16, seed: int = 0) -> ImageTable:
    g = torch.Generator().manual_seed(seed)
    n = n_id * per
    ident = torch.arange(n_id).repeat_interleave(per)
    top = torch.randint(0, 2, (n_id,), generator=g).repeat_interleave(per)
    mouth = torch.randint(0, 2, (n,), generator=g)
    eyes = torch.randint(0, 2, (n,), generator=g)
    imgs = torch.randint(0, 50, (n, 3, size, size), generator=g).to(torch.int16)
    s = size // 16
    top_mask = torch.zeros(n, size, size, dtype=torch.bool)
    top_mask[:, 1 * s : 4 * s, 4 * s : 12 * s] = True
    mouth_mask = torch.zeros(n, size, size, dtype=torch.bool)
    mouth_mask[:, 11 * s : 14 * s, 4 * s : 12 * s] = True
    eye_mask = torch.zeros(n, size, size, dtype=torch.bool)
    eye_mask[:, 6 * s : 8 * s, 4 * s : 6 * s] = True
    eye_mask[:, 6 * s : 8 * s, 10 * s : 12 * s] = True
    imgs[:, 1] += 60  # a greenish face everywhere
    imgs[top == 1, 0] += (top_mask[top == 1] * 160).to(torch.int16)
    open_bar = mouth_mask.clone()
    closed_bar = torch.zeros_like(mouth_mask)
    closed_bar[:, 12 * s : 13 * s, 6 * s : 10 * s] = True
    bar = torch.where(mouth.view(-1, 1, 1) == 1, open_bar, closed_bar)
    imgs[:, 2] += (bar * 170).to(torch.int16)
    imgs[:, 0] += (bar * 80).to(torch.int16)
    imgs[eyes == 1, 2] += (eye_mask[eyes == 1] * 150).to(torch.int16)
    images = imgs.clamp(0, 255).to(torch.uint8)
    no_yes = ["no", "yes"]
    return ImageTable("toyfaces", images, {"top": top, "mouth": mouth, "eyes": eyes},
                      {"top": no_yes, "mouth": no_yes, "eyes": no_yes}, identity=ident,
                      masks={"top": top_mask, "mouth": mouth_mask, "eyes": eye_mask})


@pytest.fixture(scope="session")
def faces() -> ImageTable:
    return toy_faces()
