"""Bring your own weights: a user's state dict checked against the architecture built for the scenario.

Two uses, one reader:

- ``original: {checkpoint: PATH}`` / ``gold: {checkpoint: PATH}``: the whole model, every key and shape
  exactly as :func:`core.models.build_model` builds it for the dataset's channels, image size and the
  task's classes (:func:`load_checkpoint_into`);
- ``train.init: PATH``: starting weights for training (e.g. torchvision's ImageNet ``resnet18-f37072fd.pth``,
  a local file since nothing is downloaded at run time). torchvision's names are mapped onto our
  split layout; the first convolution and the final ``fc`` are skipped when their shapes differ (a 7x7
  ImageNet stem on 32-pixel images, 1000 ImageNet classes), and the skipped keys are returned so the
  run can say so; every other shape must match (:func:`load_init`).

Files: ``.pt``/``.pth`` read with ``torch.load(weights_only=True)`` (never unpickling arbitrary objects)
and ``.safetensors``. Every problem is a :class:`CheckpointError` naming the file, the first bad key
and what to change.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import torch
from torch import nn

SUFFIXES = (".pt", ".pth", ".safetensors")
WRAPPERS = ("state_dict", "model_state_dict", "model")  # {"state_dict": {...}} as training loops often save
PREFIXES = ("module.",)  # torch.nn.DataParallel / DistributedDataParallel
# torchvision resnet names -> ours (core/models/resnet18.py: bottom = conv1, bn1, relu, layer1, layer2;
# top = layer3, layer4, avgpool, flatten)
TORCHVISION_RESNET = {"conv1.": "bottom.0.", "bn1.": "bottom.1.", "layer1.": "bottom.3.", "layer2.": "bottom.4.",
                      "layer3.": "top.0.", "layer4.": "top.1.", "fc.": "fc."}
SKIPPABLE = ("bottom.0.weight", "fc.weight", "fc.bias")  # stem and classifier: input- and task-specific


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message names the file, the problem and what to do."""


@dataclass(frozen=True)
class Imported:
    """A model filled from a file, with the file's sha256 and the keys skipped (``train.init`` only)."""

    model: nn.Module
    path: str
    sha256: str
    skipped: tuple[str, ...] = ()

    def provenance(self) -> dict[str, object]:
        out: dict[str, object] = {"path": self.path, "sha256": self.sha256}
        if self.skipped:
            out["skipped"] = list(self.skipped)
        return out


def check_path(path: str | Path, where: str) -> Path:
    """The path, refused when it does not exist or has a suffix no reader handles."""
    p = Path(path).expanduser()
    if p.suffix.lower() not in SUFFIXES:
        raise CheckpointError(f"{where}: {path} is not a checkpoint file; give a {', '.join(SUFFIXES)} state dict")
    if not p.is_file():
        raise CheckpointError(f"{where}: {path}: no such file")
    return p


def read_state_dict(path: str | Path, where: str = "checkpoint") -> dict[str, torch.Tensor]:
    """The tensors of a state dict file (``module.`` prefixes dropped, a ``{"state_dict": ...}`` unwrapped)."""
    p = check_path(path, where)
    if p.suffix.lower() == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            return _strip(load_file(str(p)))
        except (SafetensorError, OSError, ValueError) as exc:
            raise CheckpointError(f"{where}: {path} is not a readable safetensors file ({exc})") from None
    try:
        obj = torch.load(p, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        first = str(exc).strip().splitlines()[0][:200]
        raise CheckpointError(
            f"{where}: {path} is not a plain state dict: torch.load(weights_only=True) refused an object in it "
            f"({first}). Save the weights alone: torch.save(model.state_dict(), PATH), or safetensors") from None
    except (RuntimeError, OSError, EOFError) as exc:
        raise CheckpointError(f"{where}: {path} is not a readable torch file ({type(exc).__name__}: {exc})") from None
    return _strip(_unwrap(obj, where, path))


def _unwrap(obj: object, where: str, path: str | Path) -> Mapping[str, torch.Tensor]:
    if isinstance(obj, Mapping):
        for key in WRAPPERS:
            if isinstance(obj.get(key), Mapping) and len(obj) <= 8:
                obj = obj[key]
                break
    if not isinstance(obj, Mapping) or not obj or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        found = type(obj).__name__ if not isinstance(obj, Mapping) else "a mapping whose values are not all tensors"
        raise CheckpointError(f"{where}: {path} holds {found}, not a state dict (names -> tensors); save "
                              "torch.save(model.state_dict(), PATH)")
    return obj


def _strip(state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out = {}
    for k, v in state.items():
        for prefix in PREFIXES:
            if k.startswith(prefix):
                k = k[len(prefix):]
        out[k] = v
    return out


def shape_advice(key: str, expected: tuple, found: tuple) -> str:
    """What to change for a mismatched key: the classifier's classes, the stem's channels, or the model."""
    if key.startswith("fc.") and expected[1:] == found[1:]:
        return (f"the checkpoint predicts {found[0]} classes, the scenario's task has {expected[0]}: pick the task the "
                "model was trained for, or export a model trained for this one")
    if key == "bottom.0.weight" and len(expected) == 4 and expected[0] == found[0] and len(found) == 4:
        return (f"the checkpoint takes {found[1]}-channel images, the dataset has {expected[1]}: use the dataset "
                "(or its grayscale/colour option) the model was trained on")
    return ("the checkpoint was trained for another image size or architecture variant: set model: and the dataset's "
            "size option to what it was trained with")


def check_compatible(model: nn.Module, state: Mapping[str, torch.Tensor], where: str, model_name: str = "") -> None:
    """Refuse a state dict whose keys or shapes differ from ``model``'s, naming the first difference."""
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    arch = f"model: {model_name}" if model_name else "the scenario's model"
    if missing or unexpected:
        parts = ([f"missing {len(missing)} key(s), first {missing[0]!r}"] if missing else []) + (
            [f"{len(unexpected)} unexpected key(s), first {unexpected[0]!r}"] if unexpected else [])
        raise CheckpointError(f"{where}: not a state dict of {arch} ({'; '.join(parts)}); set model: to the "
                              "architecture the checkpoint was saved from (`unlearn list` names them)")
    for k, v in own.items():
        if tuple(state[k].shape) != tuple(v.shape):
            exp, got = tuple(v.shape), tuple(state[k].shape)
            raise CheckpointError(f"{where}: key {k!r} has shape {list(got)}, {arch} built for this dataset expects "
                                  f"{list(exp)}; {shape_advice(k, exp, got)}")


def load_checkpoint_into(model: nn.Module, path: str | Path, where: str = "checkpoint",
                         model_name: str = "") -> Imported:
    """Fill ``model`` with a whole-model state dict, after checking every key and shape."""
    from core.training import file_sha256

    state = read_state_dict(path, where)
    check_compatible(model, state, where, model_name)
    own = model.state_dict()
    model.load_state_dict({k: v.to(own[k].dtype) for k, v in state.items()})
    return Imported(model, str(path), file_sha256(Path(path).expanduser()))


def torchvision_names(state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """torchvision resnet keys (``conv1.``, ``layer3.``, ...) renamed to our split layout."""
    out = {}
    for k, v in state.items():
        new = next((ours + k[len(tv):] for tv, ours in TORCHVISION_RESNET.items() if k.startswith(tv)), k)
        out[new] = v
    return out


def load_init(model: nn.Module, path: str | Path, where: str = "train.init", model_name: str = "") -> Imported:
    """Starting weights for training: our own keys or torchvision's resnet names; stem and classifier are
    skipped (and listed) when their shapes differ, every other key and shape must match."""
    from core.training import file_sha256

    state = read_state_dict(path, where)
    own = model.state_dict()
    if sum(k in own for k in state) < len(state) / 2:  # not our names (fc.* alone is shared): torchvision's
        state = torchvision_names(state)
    skipped = tuple(k for k in SKIPPABLE if k in own and k in state and state[k].shape != own[k].shape)
    skipped += tuple(k for k in SKIPPABLE if k in own and k not in state)
    kept = {k: v for k, v in state.items() if k not in skipped}
    filled = {**{k: own[k] for k in skipped}, **kept}
    check_compatible(model, filled, where, model_name)
    model.load_state_dict({k: v.to(own[k].dtype) for k, v in filled.items()})
    return Imported(model, str(path), file_sha256(Path(path).expanduser()), skipped)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def inspect_checkpoint(path: str | Path, table, task: str | list[str], model_name: str, seed: int = 0,
                       test_fraction: float = 0.15, unseen_fraction: float = 0.15,
                       calibration_limit: int = 4000) -> dict[str, object]:
    """What the Data & model page shows before any run: the file's sha256, the model's parameter count and
    its accuracy on the train, test and unseen splits of ``table`` for ``task``.

    The model is scored as a run would score it: shapes checked against the model built for this data,
    BatchNorm statistics re-estimated on (up to ``calibration_limit`` images of) the train split."""
    from core.data.forget import ForgetRequest
    from core.data.splits import Splits, make_task, split_partition
    from core.data.table import TEST, TRAIN, UNSEEN
    from core.models.base import ModelSpec, build_model
    from core.training import predict_logits, recalibrate_batchnorm

    t = make_task(table, task)
    part = split_partition(table, seed, test_fraction, unseen_fraction)
    train, test, unseen = ((part == p).nonzero().squeeze(1) for p in (TRAIN, TEST, UNSEEN))
    splits = Splits(table, t, ForgetRequest(), train, train[:0], train, test, unseen)
    c, h, _ = table.image_shape
    imported = load_checkpoint_into(build_model(model_name, ModelSpec(c, h, t.out_dim)), path, "checkpoint", model_name)
    device = torch.device("cpu")
    recalibrate_batchnorm(imported.model, splits.loader(train[:calibration_limit]), device)
    accuracy = {}
    for name, idx in (("train", train), ("test", test), ("unseen", unseen)):
        if len(idx):
            x, y = splits.tensors(idx)
            accuracy[name] = float(t.correct(predict_logits(imported.model, x, device), y).mean())
    return {"path": str(path), "sha256": imported.sha256, "model": model_name, "task": task,
            "parameters": parameter_count(imported.model), "accuracy": accuracy,
            "images": {name: int(len(idx)) for name, idx in (("train", train), ("test", test), ("unseen", unseen))}}


def save_upload(name: str, data: bytes, folder: Path | None = None) -> Path:
    """Keep an uploaded checkpoint under ``UNLEARN_HOME/uploads/`` as ``<sha256 prefix>-<name>``, so a run
    can name it by path (the same file uploaded twice is stored once). The name keeps only safe characters."""
    import hashlib
    import re

    from core import paths

    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise CheckpointError(f"upload: {name} is not a checkpoint file; give a {', '.join(SUFFIXES)} state dict")
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(name).stem)[:80] or "checkpoint"
    folder = folder or paths.home() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()[:16]}-{stem}{suffix}"
    if not path.exists():
        paths.atomic_write(path, lambda tmp: tmp.write_bytes(data))
    return path
