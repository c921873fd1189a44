"""Feature unlearning without annotations (Xu et al., Algorithm 2): erase a filter group's pattern.

1. Get an identifier (Algorithm 3, :mod:`core.methods.pattern.identifier`): either the one a previous
   pattern_unlearning run saved (``identifier_run``: its weights and partition are reused, so group N
   is exactly the group the user inspected on the Filter groups page; that run's folder comes from the
   run store the caller hands in as ``Context.run_folder``), or a new one — a copy of the
   original model, already trained on the task (so phase 1 is done), trained further with the
   filter-grouping loss; K by the eigengap, filters grouped spectrally. Either way the identifier is
   saved into this run's folder (``identifier.pt`` + ``identifier.json``) for later runs, with a
   fingerprint of what it was trained on (dataset and a digest of its data, task, model, seed,
   training rows); a reuse whose scenario differs is refused, naming what differs.
2. Pick a group: ``group`` by number (from the Filter groups page); or, with ``choose_by=ranking``,
   the explorer's top-ranked group on training images, read from the maps alone (no annotation:
   :func:`core.methods.pattern.explorer.rank_groups`); or (``choose_by=mask``) the group whose maps
   fall most inside the ground-truth mask of ``region`` on training images (synthetic data; an
   oracle that reads the masks), or of the request's column when the request names one.
   Where the mask exists, ``pattern_check`` measures the chosen group's overlap against the other
   groups' on held-out (unseen) images, not on the images that chose it.
3. Erase, in every training image, the pixels where the group's upsampled map exceeds
   ``threshold`` times the group's 99th-percentile response over the training sample (the paper
   removes every pixel where it is non-zero; after bilinear upsampling almost every pixel is,
   hence a threshold), and fine-tune the model on the erased images.

The explorer data (spectrum, ordered similarity, group maps, mask overlaps) goes to
``<run>/filter_groups/`` and the erased examples to ``<run>/pattern_examples.png``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from core.data.forget import ForgetKind, label_title, register_kind
from core.data.source import DataError
from core.methods.pattern.explorer import choose_group, explore, held_out_overlap, rank_groups, selection_rows
from core.methods.pattern.identifier import (Identifier, IdentifierNotFound, IdentifierParams, check_fingerprint, group_maps,
                                     layer_activations, load_identifier, read_identifier_meta, save_identifier,
                                     target_layer, train_identifier)
from core.methods.base import METHODS, Context, Method
from core.params import param
from core.training import copy_model, train_epochs


@dataclass
class PatternUnlearningParams:
    group: int = param(-1, "filter group to erase (-1: chosen by `choose_by`)", min=-1, max=255)
    choose_by: Literal["mask", "ranking"] = param(
        "mask", "with group=-1: 'mask' = the group matching `region`'s ground-truth mask (synthetic data; an oracle), "
        "'ranking' = the explorer's top-ranked group, from the maps alone (no annotation)", choices=["mask", "ranking"])
    region: str = param("", "attribute whose ground-truth mask names the group (synthetic data only)")
    threshold: float = param(0.5, "erase pixels where the group's map exceeds this share of its 99th percentile",
                             min=0.0, max=10.0)
    epochs: int = param(3, "fine-tuning epochs on the erased images", min=1, max=200)
    lr: float = param(1e-3, "Adam learning rate of the fine-tuning (the paper's 0.001)", min=1e-7, max=1.0)
    identifier_epochs: int = param(3, "identifier epochs with the grouping loss", min=1, max=500)
    identifier_lr: float = param(1e-3, "Adam learning rate of the identifier", min=1e-7, max=1.0)
    gamma: float = param(1.0, "weight of the filter-grouping loss", min=0.0, max=100.0)
    layer: str = param("", "identifier target layer (empty = the architecture's default high conv)")
    max_groups: int = param(16, "largest K the eigengap may choose", min=2, max=256)
    examples: int = param(8, "test images shown erased in the example grid", min=0, max=64)
    identifier_run: str = param("", "id of a previous pattern_unlearning run whose saved identifier and groups "
                                "are reused (empty = train a new identifier)")


def _raw_map(identifier: nn.Module, layer: str, groups, group: int, x: torch.Tensor,
             device: torch.device) -> torch.Tensor:
    acts = layer_activations(identifier, layer, x, device)
    return group_maps(acts, groups, tuple(x.shape[-2:]), normalise=False)[:, group]


def firing_scale(identifier: nn.Module, layer: str, groups, group: int, x: torch.Tensor,
                 device: torch.device, quantile: float = 0.99) -> float:
    """What "fires fully" means for a group: a high quantile of its map over the images ``x``.

    Thresholds are taken relative to this one scale, not to each image's own peak, so an image in
    which the group hardly fires loses (almost) nothing instead of its least quiet background."""
    values = _raw_map(identifier, layer, groups, group, x, device).flatten()
    if len(values) > 1_000_000:
        values = values[torch.randperm(len(values), generator=torch.Generator().manual_seed(0))[:1_000_000]]
    return max(float(torch.quantile(values, quantile)), 1e-12)


def erase(identifier: nn.Module, layer: str, groups, group: int, x: torch.Tensor, threshold: float,
          scale: float, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Images with the pixels where the group fires above ``threshold * scale`` set to 0, and the
    erased-pixel masks ``[n, H, W]`` (Algorithm 2, lines 3-10)."""
    out, erased = [], []
    for i in range(0, len(x), 256):
        batch = x[i : i + 256]
        hit = _raw_map(identifier, layer, groups, group, batch, device) > threshold * scale
        out.append(batch * (~hit).unsqueeze(1))
        erased.append(hit)
    return torch.cat(out), torch.cat(erased)


@METHODS.register("pattern_unlearning", "Feature unlearning (no annotations): identifier filter groups, "
                  "erase the chosen group's pixels, fine-tune")
class PatternUnlearning(Method):
    calibration_split = None  # the model is fine-tuned on masked/erased images, not raw retain ones
    kinds = ("pattern",)  # the forget kind this file registers: an unannotated pattern
    Params = PatternUnlearningParams
    departures = ("erases pixels where the group's map exceeds threshold x its 99th percentile (the paper: every non-zero pixel, nearly all after upsampling)", "K is chosen by the eigengap after phase 1 (from the trained model), not before training")

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        target_layer(ctx.model, ctx.model_name, self.params.layer)
        by_mask = self.params.group < 0 and self.params.choose_by == "mask"
        if by_mask and not self._region(ctx):
            raise ValueError("pattern_unlearning: choose the filter group to erase (group=N, see the Filter "
                             "groups page), choose_by=ranking, or a region attribute whose ground-truth mask names it")
        region = self._region(ctx)
        if by_mask and region not in ctx.splits.table.masks:
            have = ", ".join(sorted(ctx.splits.table.masks)) or "none in this dataset"
            raise ValueError(f"pattern_unlearning.region: no ground-truth mask for {region!r} "
                             f"(masks: {have}); choose the group by number instead")
        if self.params.identifier_run:
            meta = read_identifier_meta(identifier_folder(ctx, self.params.identifier_run), self._where())
            check_fingerprint(meta, identifier_fingerprint(ctx), self._where())
            if self.params.group >= meta["k"]:
                raise ValueError(f"pattern_unlearning.group: {self.params.group} does not exist; the identifier "
                                 f"of run {self.params.identifier_run} has K = {meta['k']} groups (0..{meta['k'] - 1})")

    def _where(self) -> str:
        return f"pattern_unlearning.identifier_run: run {self.params.identifier_run!r}"

    def _region(self, ctx: Context) -> str:
        return self.params.region or ctx.splits.request.column

    def unlearn(self, ctx: Context) -> nn.Module:
        p = self.params
        ident, sample = self._identifier(ctx)
        explorer = explore(ident, ctx.splits, ctx.device)
        region = self._region(ctx)
        group = p.group if p.group >= 0 else self._choose(ctx, ident, region)
        if group >= ident.k:
            raise ValueError(f"pattern_unlearning.group: {group} does not exist; the eigengap chose "
                             f"K = {ident.k} groups (0..{ident.k - 1})")
        x, y = ctx.splits.tensors("train")
        scale = firing_scale(ident.model, ident.layer, ident.groups, group, sample, ctx.device)
        x_hat, hit = erase(ident.model, ident.layer, ident.groups, group, x, p.threshold, scale, ctx.device)
        self._store(ctx, explorer, ident, group, hit, scale)
        if region in ctx.splits.table.masks:
            ctx.artifacts["pattern_check"] = held_out_overlap(ident, ctx.splits, region, group, ctx.device)
        gen = torch.Generator().manual_seed(ctx.seed)
        loader = DataLoader(TensorDataset(x_hat, y), batch_size=ctx.train.batch_size, shuffle=True, generator=gen)
        model = ctx.model
        return train_epochs(model, loader, ctx.splits.task, p.epochs, p.lr, ctx.device, stage="fine-tuning",
                            on_epoch=lambda e: ctx.report(e + 1, p.epochs, model))

    def _choose(self, ctx: Context, ident: Identifier, region: str) -> int:
        """The group to erase when none is named: the mask-free top rank, or the region's mask (oracle)."""
        rows = selection_rows(ctx.splits, seed=ctx.seed)
        if self.params.choose_by == "ranking":
            ranking = rank_groups(ident, ctx.splits, rows, ctx.device)
            ctx.artifacts["pattern_ranking"] = ranking
            return ranking[0]["group"]
        return choose_group(ident, ctx.splits, region, ctx.device, rows)

    def _sample(self, ctx: Context) -> torch.Tensor:
        """The training images whose activations decide K, the partition and the firing scale."""
        train_idx = ctx.splits.index("train")
        gen = torch.Generator().manual_seed(ctx.seed)
        pick = torch.randperm(len(train_idx), generator=gen)[: IdentifierParams().sample]
        return ctx.splits.tensors(train_idx[pick])[0]

    def _identifier(self, ctx: Context) -> tuple[Identifier, torch.Tensor]:
        """The saved identifier of ``identifier_run`` when named, else a newly trained one."""
        p = self.params
        sample = self._sample(ctx)
        if p.identifier_run:
            folder = identifier_folder(ctx, p.identifier_run)
            check_fingerprint(read_identifier_meta(folder, self._where()), identifier_fingerprint(ctx), self._where())
            ident = load_identifier(copy_model(ctx.model).to(ctx.device), ctx.model_name, folder, self._where())
            if p.layer and p.layer != ident.layer:
                raise IdentifierNotFound(f"{self._where()}: its identifier groups layer {ident.layer!r}, not "
                                         f"pattern_unlearning.layer {p.layer!r}; clear layer or train a new identifier")
            return ident, sample
        ip = IdentifierParams(layer=p.layer, gamma=p.gamma, pre_epochs=0, epochs=p.identifier_epochs,
                              lr=p.identifier_lr, max_groups=p.max_groups)
        torch.manual_seed(ctx.seed)
        report = lambda step, total, losses: ctx.progress(step, total, stage="identifier", **losses)  # noqa: E731
        ident = train_identifier(copy_model(ctx.model), ctx.model_name, ctx.loader("train"), sample,
                                 ctx.splits.task, ctx.device, ip, ctx.seed, on_epoch=report)
        return ident, sample

    def _store(self, ctx: Context, explorer, ident, group: int, hit: torch.Tensor, scale: float) -> None:
        ctx.artifacts.update({"pattern_group": group, "pattern_k": ident.k, "pattern_scale": scale,
                              "pattern_name": explorer.doc["names"].get(str(group), ""),
                              "erased_share": float(hit.float().mean()), "filter_groups": explorer.doc,
                              "identifier_model": ident.model, "identifier_groups": ident.groups})
        if self.params.identifier_run:
            ctx.artifacts["identifier_from"] = self.params.identifier_run
        ctx.artifacts["pattern_chosen_by"] = ("number" if self.params.group >= 0 else
                                              "ranking" if self.params.choose_by == "ranking" else "mask")
        if ctx.workdir is not None:
            ctx.artifacts["filter_groups_files"] = explorer.save(ctx.workdir / "filter_groups")
            ctx.artifacts["identifier_files"] = save_identifier(ident, ctx.model_name, ctx.workdir,
                                                                identifier_fingerprint(ctx))
        n = self.params.examples
        if n and ctx.workdir is not None:
            from torchvision.utils import save_image

            x, _ = ctx.splits.tensors(ctx.splits.index("test")[:n])
            x_hat, _ = erase(ident.model, ident.layer, ident.groups, group, x, self.params.threshold, scale, ctx.device)
            path = ctx.workdir / "pattern_examples.png"
            save_image(F.interpolate(torch.cat([x, x_hat]), scale_factor=4, mode="nearest"), path, nrow=len(x))
            ctx.artifacts["pattern_examples"] = str(path)


def _digest(rows: torch.Tensor) -> str:
    return hashlib.sha256(rows.contiguous().numpy().tobytes()).hexdigest()[:16]


def identifier_fingerprint(ctx: Context) -> dict:
    """What an identifier trained in this context was trained on: dataset name, the table's data
    fingerprint (pixels, labels, masks: dataset options change them), task columns, model, seed and
    the training rows. A reused identifier must match."""
    sp, table = ctx.splits, ctx.splits.table
    return {"dataset": table.name, "data": table.fingerprint, "task": list(sp.task.columns), "model": ctx.model_name,
            "seed": int(ctx.seed), "train_rows": _digest(sp.train)}


def identifier_folder(ctx: Context, run_id: str) -> Path:
    """The run folder holding ``run_id``'s saved identifier, found through ``ctx.run_folder`` (the run store
    the caller hands in, so ``$UNLEARN_HOME`` decides where); IdentifierNotFound (a ValueError) naming the run
    when the store has no such run, or when the caller handed no store to look in."""
    fix = "or leave identifier_run empty to train a new identifier"
    if ctx.run_folder is None:
        raise IdentifierNotFound(f"pattern_unlearning.identifier_run: run {run_id!r} cannot be looked up here (this "
                                 f"method was run without a run store); run the scenario as a run, {fix}")
    try:
        return ctx.run_folder(run_id)
    except KeyError as exc:
        reason = exc.args[0] if exc.args else f"no run {run_id!r}"
        raise IdentifierNotFound(f"pattern_unlearning.identifier_run: {reason}; `unlearn runs` lists them, "
                                 f"{fix}") from None


def _pattern(table, train, req, gen):
    """Forget set of a pattern request, for the sample-level audit only (the method erases the
    pattern in every training image): the images whose ``column`` equals ``value`` when a column is
    named, else a random ``fraction`` (default 0.5) of train."""
    if req.column:
        col = table.column(req.column, "forget.column")
        return col[train] == req.value
    fraction = req.fraction or 0.5
    if not 0 < fraction < 1:
        raise DataError(f"forget.fraction: {fraction} must lie strictly between 0 and 1 for a pattern request")
    mask = torch.zeros(len(train), dtype=torch.bool)
    mask[torch.randperm(len(train), generator=gen)[: max(1, int(round(fraction * len(train))))]] = True
    return mask


register_kind(ForgetKind(
    name="pattern", label="A visual pattern (found without labels)", unit="image", fields=("column", "value"),
    help="Forget a visual pattern found without labels (a filter group, e.g. glasses): it is erased from every "
         "image; the column and value below only pick the images the audit checks.",
    description="an unannotated pattern (a filter group the method finds); the pattern is erased in every image, "
                "the forget set (column == value, or a random fraction) serves the audit",
    select=_pattern, title=label_title))
