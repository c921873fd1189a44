"""The identifier model (Algorithm 3): a classifier whose target-layer filters fire in groups.

Training is the task loss alone (phase 1, ``pre_epochs``), then the task loss plus
``gamma`` times the filter-grouping loss on the target layer (phase 2, ``epochs``). K is chosen by
the eigengap once phase 2 starts (the paper computes it before training; on an untrained network
the spectrum says nothing, so it is taken after phase 1 or from the trained model we start from)
and kept; the partition itself is recomputed every ``recluster_every`` epochs, as in icCNN, and
once more at the end so the groups describe the final weights.

A trained identifier is saved into its run folder (:func:`save_identifier`) and can be loaded back
(:func:`load_identifier`), so a later run erases the very groups a user inspected instead of the
groups of a freshly trained (and possibly differently numbered) identifier.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from core.methods.pattern.filter_groups import Eigengap, eigengap, filter_similarity, grouping_loss, spectral_groups
from core.params import param
from core.task import Task
from core.training import check_finite, map_batches

DEFAULT_LAYERS = {
    "smallcnn": "top.0",  # first conv block after the split: 4w filters at 1/4 of the image size
    "resnet18": "top.1.0.bn1",  # the first conv of layer4 (the first conv after layer3), after its BN
}
"""Target layer per architecture; the hooked output always passes through a ReLU."""


@dataclass
class IdentifierParams:
    layer: str = param("", "target conv layer (module name); empty = the architecture's default high conv")
    gamma: float = param(1.0, "weight of the filter-grouping loss (the paper's lambda = 1)", min=0.0, max=100.0)
    pre_epochs: int = param(0, "task-loss-only epochs first (0 when starting from a trained model)", min=0, max=200)
    epochs: int = param(3, "epochs of task loss + gamma x grouping loss", min=1, max=500)
    lr: float = param(1e-3, "Adam learning rate of the identifier", min=1e-7, max=1.0)
    recluster_every: int = param(1, "recompute the spectral partition every this many epochs", min=1, max=100)
    max_groups: int = param(16, "largest K the eigengap may choose", min=2, max=256)
    sample: int = param(256, "training images used to measure filter similarity for clustering", min=16, max=10000)


@dataclass
class Identifier:
    """A trained identifier: the model, its target layer, the filter partition, the eigengap that
    chose K (``gap``, at the start of phase 2) and the spectrum of the trained layer (``final_gap``)."""

    model: nn.Module
    layer: str
    groups: np.ndarray
    gap: Eigengap
    final_gap: Eigengap
    history: list[dict] = field(default_factory=list)

    @property
    def k(self) -> int:
        return int(self.groups.max()) + 1


def target_layer(model: nn.Module, model_name: str, layer: str = "") -> str:
    """The module name to hook: ``layer`` if given, else the architecture's default, checked to exist."""
    name = layer or DEFAULT_LAYERS.get(model_name, "")
    if not name:
        raise ValueError(f"identifier.layer: no default target layer for model {model_name!r}; "
                         f"name one of its modules (defaults exist for {', '.join(DEFAULT_LAYERS)})")
    try:
        model.get_submodule(name)
    except AttributeError:
        convs = [n for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.BatchNorm2d))]
        raise ValueError(f"identifier.layer: model {model_name!r} has no module {name!r}; "
                         f"conv/BN modules: {', '.join(convs[-12:])}") from None
    return name


@contextmanager
def capture(model: nn.Module, layer: str) -> Iterator[list[torch.Tensor]]:
    """While active, each forward pass appends ReLU(output of ``layer``) to the yielded list."""
    store: list[torch.Tensor] = []
    handle = model.get_submodule(layer).register_forward_hook(lambda m, i, o: store.append(F.relu(o)))
    try:
        yield store
    finally:
        handle.remove()


def layer_activations(model: nn.Module, layer: str, x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Target-layer activations ``[n, d, h, w]`` for images ``x`` (eval mode, no grad, on CPU)."""
    model.eval()
    with capture(model, layer) as store:
        def fn(batch: torch.Tensor) -> torch.Tensor:
            store.clear()
            model(batch)
            return store[-1]
        return map_batches(fn, x, device, batch_size=128)


def partition(model: nn.Module, layer: str, x: torch.Tensor, device: torch.device, k: int | None,
              max_groups: int, seed: int) -> tuple[np.ndarray, Eigengap]:
    """Spectral partition of the layer's filters on images ``x``; K from the eigengap unless given."""
    sim = filter_similarity(layer_activations(model, layer, x, device)).numpy()
    gap = eigengap(sim, max_groups=min(max_groups, sim.shape[0] - 1))
    return spectral_groups(sim, k or gap.k, seed), gap


def group_maps(activations: torch.Tensor, groups: np.ndarray, size: tuple[int, int],
               normalise: bool = True) -> torch.Tensor:
    """Each group's mean activation upsampled to the image ``size``, ``[n, K, H, W]``; scaled to
    [0, 1] per map when ``normalise`` (for display), raw otherwise (for thresholds across images)."""
    g = torch.as_tensor(groups, dtype=torch.long)
    onehot = F.one_hot(g, int(g.max()) + 1).float()  # [d, K]
    maps = torch.einsum("ndhw,dk->nkhw", activations, onehot / onehot.sum(0).clamp_min(1))
    maps = F.interpolate(maps, size=size, mode="bilinear", align_corners=False).clamp_min(0)
    if not normalise:
        return maps
    peak = maps.flatten(2).amax(2).clamp_min(1e-12)
    return maps / peak[:, :, None, None]


def _task_epoch(model: nn.Module, loader: DataLoader, task: Task, opt: torch.optim.Optimizer,
                device: torch.device, layer: str, groups: torch.Tensor | None, gamma: float,
                where: str) -> dict[str, float]:
    """One epoch of task loss (+ gamma x grouping loss when ``groups`` is given); mean losses."""
    model.train()
    sums = {"task_loss": 0.0, "group_loss": 0.0}
    count = 0
    with capture(model, layer) as store:
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            store.clear()
            task_loss = task.loss(model(x), y)
            loss, g_loss = task_loss, torch.zeros((), device=device)
            if groups is not None:
                g_loss = grouping_loss(filter_similarity(store[-1]), groups)
                loss = task_loss + gamma * g_loss
            check_finite(loss, where)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sums["task_loss"] += task_loss.item() * len(x)
            sums["group_loss"] += g_loss.item() * len(x)
            count += len(x)
    return {k: v / max(count, 1) for k, v in sums.items()}


def train_identifier(model: nn.Module, model_name: str, loader: DataLoader, sample: torch.Tensor, task: Task,
                     device: torch.device, params: IdentifierParams, seed: int = 0,
                     on_epoch: Callable[[int, int, dict], None] | None = None) -> Identifier:
    """Algorithm 3 on ``model`` (trained in place): task loss, then task + grouping loss.

    ``sample`` holds the images whose target-layer activations decide K and the partition;
    ``on_epoch(step, total, losses)`` is called after every epoch (it may raise Cancelled).
    """
    layer = target_layer(model, model_name, params.layer)
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=params.lr)
    total = params.pre_epochs + params.epochs
    history: list[dict] = []
    for e in range(params.pre_epochs):
        losses = _task_epoch(model, loader, task, opt, device, layer, None, params.gamma, f"identifier epoch {e + 1}")
        history.append({"epoch": e + 1, "phase": 1, **losses})
        if on_epoch:
            on_epoch(e + 1, total, losses)
    groups, gap = partition(model, layer, sample, device, None, params.max_groups, seed)
    k = gap.k
    for e in range(params.epochs):
        if e and e % params.recluster_every == 0:
            groups, _ = partition(model, layer, sample, device, k, params.max_groups, seed)
        g = torch.as_tensor(groups, device=device)
        step = params.pre_epochs + e + 1
        losses = _task_epoch(model, loader, task, opt, device, layer, g, params.gamma, f"identifier epoch {step}")
        history.append({"epoch": step, "phase": 2, "k": k, **losses})
        if on_epoch:
            on_epoch(step, total, losses)
    groups, final_gap = partition(model, layer, sample, device, k, params.max_groups, seed)
    model.eval()
    return Identifier(model, layer, groups, gap, final_gap, history)


IDENTIFIER_WEIGHTS = "identifier.pt"
IDENTIFIER_GROUPS = "identifier.json"
"""File names, inside a run folder, of a saved identifier's state dict and of its partition."""


class IdentifierNotFound(ValueError):
    """A saved identifier is missing or does not fit the model it should be loaded into."""


def save_identifier(ident: Identifier, model_name: str, folder: Path,
                    fingerprint: dict | None = None) -> dict[str, str]:
    """Write the identifier's weights (state dict, ``torch.save``) and its partition, layer and
    eigengaps (JSON) into ``folder``, so a later run can erase exactly the groups a user looked at.
    ``fingerprint`` (what it was trained on, :func:`check_fingerprint`) is stored beside them."""
    from core.training import save_checkpoint

    folder.mkdir(parents=True, exist_ok=True)
    weights = folder / IDENTIFIER_WEIGHTS
    sha = save_checkpoint(ident.model, weights)
    meta = {"model_name": model_name, "layer": ident.layer, "groups": ident.groups.tolist(),
            "k": ident.k, "gap": ident.gap.to_dict(), "final_gap": ident.final_gap.to_dict(),
            "history": ident.history, "sha256": sha, "fingerprint": fingerprint}
    (folder / IDENTIFIER_GROUPS).write_text(json.dumps(meta, indent=1))
    return {"weights": str(weights), "groups": str(folder / IDENTIFIER_GROUPS)}


def read_identifier_meta(folder: Path, where: str) -> dict:
    """The saved partition document of ``folder``; ``where`` names the run in the error."""
    meta_path, weights = folder / IDENTIFIER_GROUPS, folder / IDENTIFIER_WEIGHTS
    if not meta_path.exists() or not weights.exists():
        raise IdentifierNotFound(
            f"{where} has no saved identifier ({IDENTIFIER_WEIGHTS} and {IDENTIFIER_GROUPS} in {folder}): only "
            f"pattern_unlearning runs save one. Pick a pattern_unlearning run on the Filter groups page, "
            f"or leave identifier_run empty to train a new identifier")
    return json.loads(meta_path.read_text())


FINGERPRINT_FIELDS = {"dataset": "dataset", "data": "data (dataset options: the table's fingerprint of its "
                      "images and labels)", "task": "task", "model": "model", "seed": "seed",
                      "train_rows": "training split"}
"""What a reused identifier must share with the run reusing it, and how an error names each."""


def check_fingerprint(meta: dict, current: dict, where: str) -> None:
    """Raise :class:`IdentifierNotFound` naming every field where the saved identifier's fingerprint
    differs from ``current`` (this run's): its groups describe a model trained on other data."""
    fix = "reuse a run made with the same scenario (dataset and options, task, model, seed), or leave " \
          "identifier_run empty to train a new identifier"
    saved = meta.get("fingerprint")
    if not saved:
        raise IdentifierNotFound(f"{where}'s identifier was saved without a record of what it was trained on, so "
                                 f"it cannot be checked against this scenario; {fix}")
    diff = [f"{label}: {saved.get(k)!r} there, {current.get(k)!r} here" if k not in ("data", "train_rows")
            else f"{label} differs" for k, label in FINGERPRINT_FIELDS.items() if saved.get(k) != current.get(k)]
    if diff:
        raise IdentifierNotFound(f"{where}'s identifier was trained on another scenario ({'; '.join(diff)}); {fix}")


def _gap_from(d: dict) -> Eigengap:
    return Eigengap(np.asarray(d["eigenvalues"], dtype=np.float64), np.asarray(d["gaps"], dtype=np.float64),
                    [int(k) for k in d["top_k"]], int(d["k"]))


def load_identifier(model: nn.Module, model_name: str, folder: Path, where: str) -> Identifier:
    """The identifier saved by :func:`save_identifier` in ``folder``, its weights loaded into
    ``model`` (a copy of this scenario's model; ``torch.load(weights_only=True)``, nothing unpickled).

    Raises :class:`IdentifierNotFound` naming ``where`` when the files are missing or were saved for
    another architecture, so the user knows to pick a matching run or train a new identifier."""
    meta = read_identifier_meta(folder, where)
    fix = "use a run made with the same dataset, model and task, or leave identifier_run empty to train one"
    if meta["model_name"] != model_name:
        raise IdentifierNotFound(f"{where}'s identifier is a {meta['model_name']!r} model, this scenario uses "
                                 f"{model_name!r}; {fix}")
    state = torch.load(folder / IDENTIFIER_WEIGHTS, map_location="cpu", weights_only=True)
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[:3]
        raise IdentifierNotFound(f"{where}'s identifier does not fit this scenario's model "
                                 f"({' '.join(first)}); {fix}") from None
    layer = target_layer(model, model_name, meta["layer"])
    groups = np.asarray(meta["groups"], dtype=np.int64)
    width = layer_width(model, layer)
    if width is not None and width != len(groups):
        raise IdentifierNotFound(f"{where}'s partition has {len(groups)} filters but layer {layer!r} "
                                 f"has {width}; {fix}")
    model.eval()
    return Identifier(model, layer, groups, _gap_from(meta["gap"]), _gap_from(meta["final_gap"]),
                      list(meta.get("history", [])))


def layer_width(model: nn.Module, layer: str) -> int | None:
    """Number of filters (output channels) of a conv / BN module, or None for other modules."""
    m = model.get_submodule(layer)
    if isinstance(m, nn.Conv2d):
        return m.out_channels
    if isinstance(m, nn.BatchNorm2d):
        return m.num_features
    return None
