"""The saliency audit: GradCAM, guided backprop and guided GradCAM of every model on the same images.

Run by the worker after evaluation (never on a model shared between dashboard sessions). For a
fixed, seeded choice of forget and retain images it explains, per model (original, gold, unlearned):

- the **task**: each image's true class of the first task head, through the model itself;
- the **forgotten attribute** (attribute requests only): the forgotten value, through an attacker
  head trained on that model's features h (``attribute_probe``), i.e. where h still carries it.

Guided GradCAM is guided backprop times the GradCAM map. That is exactly what captum's
``GuidedGradCam`` computes (its GradCAM part is ReLU'd and upsampled to the input), with bilinear
instead of nearest upsampling and a per-image positive scale that :func:`saliency` removes; doing
it from the two maps already computed saves a third pair of passes and a second set of ReLU hooks
(tests/audit checks the equality against captum's class).

When the table has a ground-truth mask for the forgotten attribute (synthetic faces), the share of
each map's mass inside the mask (``region_share``) is reported before and after unlearning, with the
mask's area as the share a uniform map would get. Outputs under ``<workdir>/audit/``: one PNG grid
per target and explanation, and ``saliency.pt`` (tensors only) with the raw maps for the dashboard.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from core.error_text import error_text
from core.explain.attribute_probe import ProbedModel, fit_probe
from core.explain.gradcam import gradcam, last_conv
from core.explain.grids import saliency_grid
from core.explain.guided_backprop import guided_backprop, region_share, saliency

AUDIT_DIR = "audit"
MAPS_FILE = "saliency.pt"
KINDS = ("gradcam", "guided_backprop", "guided_gradcam")
PROBE_LIMIT = 512  # images per split for the attribute head: plenty for a linear model, keeps the audit seconds


@dataclass
class AuditImages:
    """The fixed images every model is explained on."""

    rows: torch.Tensor  # rows of the table
    forget: torch.Tensor  # bool: from the forget split (else retain)
    x: torch.Tensor  # float [n, C, H, W] in [0, 1]
    labels: torch.Tensor  # task labels [n, heads]
    masks: torch.Tensor | None  # bool [n, H, W]: the forgotten attribute's ground truth


@dataclass
class Target:
    """What one explanation differentiates: a network, its GradCAM layer and the logit per image."""

    net: nn.Module
    layer: nn.Module
    logit: torch.Tensor


def choose_images(splits, per_split: int = 4, seed: int = 0) -> AuditImages:
    """``per_split`` forget and retain images, picked by a seeded permutation (same every run)."""
    gen = torch.Generator().manual_seed(seed)
    parts = [splits.forget[torch.randperm(len(splits.forget), generator=gen)[:per_split]],
             splits.retain[torch.randperm(len(splits.retain), generator=gen)[:per_split]]]
    rows = torch.cat(parts)
    x, labels = splits.tensors(rows)
    forget = torch.cat([torch.ones(len(parts[0]), dtype=torch.bool), torch.zeros(len(parts[1]), dtype=torch.bool)])
    return AuditImages(rows, forget, x, labels, attribute_masks(splits, rows))


def attribute_masks(splits, rows: torch.Tensor) -> torch.Tensor | None:
    """The forgotten attribute's ground-truth masks at ``rows``, or None (not an attribute, or none drawn)."""
    req = splits.request
    masks = splits.table.masks.get(req.column) if req.kind == "attribute" else None
    return None if masks is None else masks[rows].bool()


def explain(target: Target, x: torch.Tensor, device: torch.device) -> dict[str, torch.Tensor]:
    """The three maps ``[n, H, W]`` in [0, 1] for one network and target."""
    cam = gradcam(target.net, x, target.logit, target.layer, device=device)
    gbp = guided_backprop(target.net, x, target.logit, device=device)
    return {"gradcam": cam, "guided_backprop": saliency(gbp), "guided_gradcam": saliency(gbp * cam[:, None])}


def mask_shares(maps: torch.Tensor, masks: torch.Tensor) -> tuple[torch.Tensor, float]:
    """Per-image share of saliency inside the mask (NaN where the mask is empty) and their mean."""
    shares = region_share(maps, masks)
    shares[~masks.flatten(1).any(1)] = float("nan")
    valid = shares[~shares.isnan()]
    return shares, float(valid.mean()) if len(valid) else float("nan")


def _layer_name(net: nn.Module, layer: nn.Module) -> str:
    return next(name for name, m in net.named_modules() if m is layer)


def _targets(prep, model: nn.Module, images: AuditImages, notes: list[str]) -> tuple[dict[str, Target], dict]:
    """The task target and, for attribute requests, the attribute target of one model, with their facts."""
    sc, splits = prep.scenario, prep.splits
    out = {"task": Target(model, last_conv(model), images.labels[:, 0])}
    facts: dict[str, Any] = {}
    req = splits.request
    if req.kind != "attribute":
        return out, facts
    try:
        fitted = fit_probe(model, splits, req.column, prep.device, limit=PROBE_LIMIT, seed=sc.seed)
    except ValueError as exc:
        notes.append(str(exc))
        return out, facts
    value = (req.values or [req.value])[0]
    net = ProbedModel(model, fitted.probe.to(prep.device))
    out["attribute"] = Target(net, last_conv(model.bottom), torch.full((len(images.rows),), value))
    facts = {"probe_test_acc": fitted.test_acc, "probe_chance": fitted.chance}  # chance: same test rows for all
    return out, facts


def _describe_targets(prep, models: dict[str, nn.Module], maps: dict) -> dict:
    splits, req = prep.splits, prep.splits.request
    first = next(iter(models.values()))
    task = {"column": splits.task.columns[0], "explains": "each image's true class of this task column",
            "layer": _layer_name(first, last_conv(first))}
    out = {"task": task}
    if "attribute" in maps:
        value = (req.values or [req.value])[0]
        out["attribute"] = {"column": req.column, "value": value,
                            "value_name": splits.table.classes[req.column][value],
                            "explains": "an attacker head (logistic regression on pooled h) trained per model",
                            "layer": _layer_name(first, last_conv(first.bottom))}
    return out


def run_saliency_audit(prep, models: dict[str, nn.Module], workdir: Path, per_split: int = 4,
                       before: str = "original", after: str | None = None) -> dict:
    """Explain every model on the same images, write grids and raw maps, return a JSON-able summary.

    ``models`` maps a display name to a model, in column order; ``before`` and ``after`` (default:
    the last model) are the pair whose difference is drawn and whose region shares are compared.
    """
    start = time.perf_counter()
    after = after or list(models)[-1]
    for name in (before, after):
        if name not in models:
            raise ValueError(f"saliency audit: no model named {name!r}; have {', '.join(models)}")
    images = choose_images(prep.splits, per_split, prep.scenario.seed)
    notes: list[str] = []
    maps: dict[str, dict[str, dict[str, torch.Tensor]]] = {}
    probes: dict[str, dict] = {}
    for name, model in models.items():
        targets, facts = _targets(prep, model, images, notes)
        if facts:
            probes[name] = facts
        for tname, target in targets.items():
            for kind, m in explain(target, images.x, prep.device).items():
                maps.setdefault(tname, {}).setdefault(kind, {})[name] = m
    if "attribute" in maps and len(probes) < len(models):  # a probe failed for some model: drop the target
        maps.pop("attribute")
    region, shares = _region(images, maps, prep.splits.request, notes)
    out_dir = Path(workdir) / AUDIT_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    grids = _write_grids(out_dir, images, maps, shares, before, after, prep)
    torch.save(_maps_state(images, maps, shares), out_dir / MAPS_FILE)
    targets = _describe_targets(prep, models, maps)
    if "attribute" in targets:
        targets["attribute"]["probe_test_acc"] = {name: f["probe_test_acc"] for name, f in probes.items()}
        targets["attribute"]["probe_chance"] = next(iter(probes.values()))["probe_chance"]
    return {"images": [{"row": int(r), "split": "forget" if f else "retain"} for r, f in zip(images.rows, images.forget)],
            "models": list(models), "before": before, "after": after, "kinds": list(KINDS), "targets": targets,
            "region": region, "files": {"grids": grids, "maps": f"{AUDIT_DIR}/{MAPS_FILE}"},
            "seconds": time.perf_counter() - start, "notes": notes}


def _region(images: AuditImages, maps: dict, request, notes: list[str]) -> tuple[dict | None, dict]:
    """Mean share of each map inside the forgotten attribute's mask, per target/kind/model."""
    if images.masks is None or not images.masks.flatten(1).any(1).any():
        notes.append(f"No mask shares: what was forgotten ({request.title()}) has no ground-truth mask drawn in "
                     "these images; masks exist only for the synthetic faces' attributes (glasses, hat, ...).")
        return None, {}
    has = images.masks.flatten(1).any(1)
    per_image: dict = {}
    means: dict = {}
    for tname, kinds in maps.items():
        for kind, by_model in kinds.items():
            for name, m in by_model.items():
                per, mean = mask_shares(m, images.masks)
                per_image.setdefault(tname, {}).setdefault(kind, {})[name] = per
                means.setdefault(tname, {}).setdefault(kind, {})[name] = mean
    area = images.masks.flatten(1).float().mean(1)[has].mean()
    return {"mask": request.column, "n_images": int(has.sum()), "mask_area": float(area), "share": means}, per_image


def _write_grids(out_dir: Path, images: AuditImages, maps: dict, shares: dict, before: str, after: str,
                 prep) -> dict[str, str]:
    """One PNG per target and explanation kind; returns ``"target/kind" -> path relative to the run folder``."""
    table = prep.splits.table
    labels = [f"{'forget' if f else 'retain'} #{int(r)}" for r, f in zip(images.rows, images.forget)]
    files = {}
    for tname, kinds in maps.items():
        for kind, by_model in kinds.items():
            per = shares.get(tname, {}).get(kind)
            notes = None if per is None else {
                name: ["" if v != v else f"in mask {v:.2f}" for v in per[name].tolist()] for name in by_model}
            title = f"{kind} for the {tname} ({_target_text(prep, tname)}) on {table.name}"
            img = saliency_grid(images.x, by_model, before, after, labels, title, images.masks, notes)
            path = out_dir / f"saliency-{tname}-{kind}.png"
            img.save(path)
            files[f"{tname}/{kind}"] = f"{AUDIT_DIR}/{path.name}"
    return files


def _target_text(prep, tname: str) -> str:
    req = prep.splits.request
    return f"{req.column}={(req.values or [req.value])[0]}" if tname == "attribute" else prep.splits.task.columns[0]


def _maps_state(images: AuditImages, maps: dict, shares: dict) -> dict:
    """Everything the dashboard needs to redraw the grids; only tensors, str keys (``weights_only`` loads it).

    Maps are stored as float16 (ample for [0, 1] maps on screen; the shares were computed in float32),
    which halves the file: 2 targets x 3 kinds x 3 models x 8 maps at 128 px is about 5 MB."""
    half = {t: {k: {m: v.half() for m, v in by.items()} for k, by in kinds.items()} for t, kinds in maps.items()}
    state = {"rows": images.rows, "forget": images.forget, "images": images.x.mul(255).round().byte(),
             "maps": half, "shares": shares}
    if images.masks is not None:
        state["masks"] = images.masks
    return state


def safe_saliency_audit(prep, models: dict[str, nn.Module], workdir: Path) -> dict:
    """:func:`run_saliency_audit`, but a failure becomes ``{"error": text}`` so the run keeps its results."""
    try:
        return run_saliency_audit(prep, models, workdir)
    except Exception as exc:  # the audit is an extra; losing the run over it would be worse
        return {"error": error_text(exc)}
