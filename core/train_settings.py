"""How a scenario's models are trained (epochs, learning rate, batch size, starting weights).

Its own engine module, below the methods and the metrics: the scenario (:mod:`core.config`), every
method's :class:`core.methods.base.Context` and the shadow-model attacks (:mod:`core.metrics.lira`) all
read it, and the metrics must not import the methods (whose live reports import the metrics).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.params import param


@dataclass
class TrainSettings:
    """How the original and gold models are trained (also the default for retraining methods)."""

    epochs: int = param(8, "passes over the training set", min=1, max=1000)
    # Adam's step is about lr per weight whatever the gradient: above 10 every weight jumps by more than
    # its scale each step and the model diverges (lr 1e6 ends with test accuracy 0), so it is refused.
    lr: float = param(1e-3, "Adam learning rate", min=1e-8, max=10.0)
    batch_size: int = param(128, "images per step", min=1, max=65536)
    # Starting weights for the original and gold models (e.g. torchvision's ImageNet resnet18 file): a local
    # state dict loaded by core/models/checkpoint_import.py; '' = random initialisation.
    init: str = param("", "starting weights: path of a local .pt/.pth/.safetensors state dict ('' = random)")
