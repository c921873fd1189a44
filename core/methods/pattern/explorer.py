"""Explorer data for a trained identifier: what each filter group looks at, in numbers and maps.

The dashboard's "Filter groups" page and the benchmark read one :class:`GroupExplorer`: the
Laplacian spectrum with its gaps and chosen K, the similarity matrix ordered by group, every
group's activation map on a few sample images, and — where the dataset draws ground-truth masks
(the synthetic faces) — the share of each group's activation mass inside each attribute's mask, so
a group can be named from data ("the Mouth_Slightly_Open group") rather than by eye.

Without masks (real data, or an honest no-annotation benchmark) groups are ranked by
:func:`rank_groups`: what a user looks for on the maps — a group that fires on a compact spot in
some images and stays quiet in others is a pattern that comes and goes (an open mouth, glasses),
while a group that fires everywhere, or on every face alike, is background or the face itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from core.data.splits import Splits
from core.methods.pattern.filter_groups import filter_similarity, group_order
from core.explain.guided_backprop import region_share
from core.methods.pattern.identifier import Identifier, group_maps, layer_activations

NAME_LIFT = 1.5
"""A group is named after the attribute whose mask holds the most of its mass relative to the
mask's area, when that lift is at least this much (a uniform map has lift 1)."""


@dataclass
class GroupExplorer:
    """``doc`` is JSON-able; ``arrays`` are numpy arrays saved beside it."""

    doc: dict
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def save(self, folder: Path) -> dict[str, str]:
        """Write ``explorer.json`` and one ``.npy`` per array into ``folder``; returns the paths."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"doc": str(folder / "explorer.json")}
        for name, arr in self.arrays.items():
            np.save(folder / f"{name}.npy", arr)
            paths[name] = str(folder / f"{name}.npy")
        (folder / "explorer.json").write_text(json.dumps({**self.doc, "files": paths}, indent=1))
        return paths

    @classmethod
    def load(cls, folder: Path) -> "GroupExplorer":
        doc = json.loads((folder / "explorer.json").read_text())
        arrays = {k: np.load(v) for k, v in doc.pop("files").items() if k != "doc"}
        return cls(doc, arrays)


def mask_overlap(maps: torch.Tensor, masks: dict[str, torch.Tensor]) -> tuple[dict, dict]:
    """Per group and attribute: mean share of the group map's mass inside the attribute's mask,
    over the images where that mask is not empty; plus each mask's mean area share."""
    overlap: dict[str, dict[str, float]] = {str(g): {} for g in range(maps.shape[1])}
    area: dict[str, float] = {}
    for attr, mask in masks.items():
        present = mask.flatten(1).any(1)
        if not present.any():
            continue
        mk = mask[present]
        area[attr] = float(mk.float().mean())
        for g in range(maps.shape[1]):
            overlap[str(g)][attr] = float(region_share(maps[present, g], mk).mean())
    return overlap, area


def name_groups(overlap: dict, area: dict, lift: float = NAME_LIFT) -> dict[str, str]:
    """Each group's best attribute by lift (share / area), or '' when no mask stands out."""
    names = {}
    for g, shares in overlap.items():
        lifts = {a: s / area[a] for a, s in shares.items() if area.get(a, 0) > 0}
        best = max(lifts, key=lifts.get) if lifts else ""
        names[g] = best if best and lifts[best] >= lift else ""
    return names


def best_group(doc: dict, attribute: str) -> int:
    """The group whose maps put the largest share of their mass inside ``attribute``'s mask, by the
    explorer document's numbers (its test images: for display; the method chooses with
    :func:`choose_group` on training images, so :func:`held_out_overlap` can check on others)."""
    shares = {int(g): s[attribute] for g, s in doc["overlap"].items() if attribute in s}
    if not shares:
        have = sorted(doc["area"])
        raise ValueError(f"no ground-truth mask for {attribute!r} to name a filter group by; "
                         f"masks available: {', '.join(have) or '(none: pick the group by number)'}")
    return max(shares, key=shares.get)


TOP_SHARE = 0.1
"""Concentration = share of a map's mass in its brightest ``TOP_SHARE`` of pixels (uniform = 0.1)."""


def rank_groups(ident: Identifier, splits: Splits, rows: torch.Tensor, device: torch.device,
                batch: int = 128) -> list[dict]:
    """Groups ranked without any annotation, best first, on images ``rows``.

    Per group, from its raw (unnormalised) maps: ``selectivity`` = coefficient of variation of the
    map's total mass across images (fires in some, not in others), ``concentration`` = mean share of
    the mass in the map's brightest 10 % of pixels (a spot, not the whole image); ``score`` is their
    product. No mask, label or test image is read."""
    masses, conc = [], []
    for i in range(0, len(rows), batch):
        x, _ = splits.tensors(rows[i : i + batch])
        maps = group_maps(layer_activations(ident.model, ident.layer, x, device), ident.groups, tuple(x.shape[-2:]),
                          normalise=False).flatten(2)  # [n, K, HW]
        total = maps.sum(2)
        top = maps.topk(max(1, int(TOP_SHARE * maps.shape[2])), dim=2).values.sum(2)
        masses.append(total), conc.append(top / total.clamp_min(1e-12))
    mass, share = torch.cat(masses).double(), torch.cat(conc).double()
    out = []
    for g in range(ident.k):
        m = mass[:, g]
        sel = float(m.std() / m.mean()) if len(m) > 1 and m.mean() > 0 else 0.0
        con = float(share[:, g].mean())
        out.append({"group": g, "selectivity": sel, "concentration": con, "score": sel * con})
    return sorted(out, key=lambda r: -r["score"])


def explore(ident: Identifier, splits: Splits, device: torch.device, split: str = "test",
            n_images: int = 8, limit: int = 512) -> GroupExplorer:
    """Explorer data for ``ident`` on up to ``limit`` images of ``split`` (maps kept for ``n_images``)."""
    idx = splits.index(split)[:limit]
    x, _ = splits.tensors(idx)
    acts = layer_activations(ident.model, ident.layer, x, device)
    sim = filter_similarity(acts).numpy()
    order = group_order(ident.groups)
    maps = group_maps(acts, ident.groups, tuple(x.shape[-2:]))
    masks = {a: m[idx] for a, m in splits.table.masks.items()}
    overlap, area = mask_overlap(maps, masks) if masks else ({str(g): {} for g in range(ident.k)}, {})
    sizes = np.bincount(ident.groups, minlength=ident.k)
    doc = {
        "layer": ident.layer, "k": ident.k, "filters": int(len(ident.groups)),
        "group_sizes": sizes.tolist(), "groups": ident.groups.tolist(), "order": order.tolist(),
        "eigengap": ident.gap.to_dict(), "final_eigengap": ident.final_gap.to_dict(),
        "overlap": overlap, "area": area, "names": name_groups(overlap, area),
        "ranking": rank_groups(ident, splits, idx, device),  # mask-free, best first (display; see rank_groups)
        "sample_rows": idx[:n_images].tolist(), "history": ident.history,
    }
    arrays = {
        "similarity_ordered": sim[np.ix_(order, order)].astype(np.float32),
        "group_maps": maps[:n_images].numpy().astype(np.float32),
        "images": splits.table.images[idx[:n_images]].numpy(),
        "eigenvalues": ident.final_gap.eigenvalues.astype(np.float32),
    }
    return GroupExplorer(doc, arrays)


def region_shares(ident: Identifier, splits: Splits, rows: torch.Tensor, attribute: str,
                  device: torch.device, batch: int = 128) -> dict[int, float]:
    """Per group: mean share of its map's mass inside ``attribute``'s ground-truth mask, over the
    images ``rows`` whose mask is not empty (batched, so large images stay within memory)."""
    mask_all = splits.table.masks[attribute]
    sums, count = np.zeros(ident.k), 0
    for i in range(0, len(rows), batch):
        r = rows[i : i + batch]
        mk = mask_all[r]
        present = mk.flatten(1).any(1)
        if not present.any():
            continue
        x, _ = splits.tensors(r[present])
        maps = group_maps(layer_activations(ident.model, ident.layer, x, device), ident.groups, tuple(x.shape[-2:]))
        for g in range(ident.k):
            sums[g] += float(region_share(maps[:, g], mk[present]).sum())
        count += int(present.sum())
    if not count:
        raise ValueError(f"no image among the {len(rows)} given shows the {attribute!r} mask")
    return {g: float(sums[g] / count) for g in range(ident.k)}


def selection_rows(splits: Splits, limit: int = 512, seed: int = 0) -> torch.Tensor:
    """The images a group is chosen on: a seeded sample of training images (never test or unseen)."""
    train = splits.index("train")
    return train[torch.randperm(len(train), generator=torch.Generator().manual_seed(seed))[:limit]]


def choose_group(ident: Identifier, splits: Splits, attribute: str, device: torch.device,
                 rows: torch.Tensor) -> int:
    """The group whose maps put the largest share of their mass inside ``attribute``'s mask on ``rows``."""
    shares = region_shares(ident, splits, rows, attribute, device)
    return max(shares, key=shares.get)


def held_out_overlap(ident: Identifier, splits: Splits, attribute: str, group: int, device: torch.device,
                     split: str = "unseen", limit: int = 512) -> dict:
    """The no-annotation quality check, measured on held-out images.

    The group is chosen on training images (:func:`selection_rows`) or by the user on the explorer's
    test images; here its overlap with ``attribute``'s mask is measured on ``split`` (default the
    identity-disjoint ``unseen`` images, used for neither), against the mean overlap of the other
    groups — the expected overlap of a group drawn at random among them. ``ratio`` = chosen / others
    (the issue's target: at least 2). Measuring on the images that picked the group would favour it
    by selection alone."""
    rows = splits.index(split)[:limit]
    shares = region_shares(ident, splits, rows, attribute, device)
    others = [v for g, v in shares.items() if g != group]
    other = float(np.mean(others)) if others else float("nan")
    chosen = shares[group]
    return {"attribute": attribute, "group": group, "measured_on": split, "n_images": int(len(rows)),
            "chosen": chosen, "other_mean": other, "ratio": chosen / other if other > 0 else float("nan"),
            "shares": {str(g): v for g, v in shares.items()}}
