"""Instance-level baselines for an attribute request: drop the images that have the attribute.

The attribute request's forget set is the training images with the attribute, so its retain set
is the images without it. ``drop_attribute_finetune`` fine-tunes the original model on those,
``drop_attribute_retrain`` trains a fresh model on them: sample-level unlearning applied to an
attribute, which the paper argues loses the images' other information along with the attribute.
"""

from __future__ import annotations

from core.methods.attribute_request import AttributeMethod
from core.methods.base import METHODS
from core.methods.finetune import Finetune
from core.methods.retrain import Retrain


@METHODS.register("drop_attribute_finetune", "Fine-tune on the training images without the attribute")
class DropAttributeFinetune(AttributeMethod, Finetune):
    Params = Finetune.Params


@METHODS.register("drop_attribute_retrain", "Retrain from scratch on the training images without the attribute")
class DropAttributeRetrain(AttributeMethod, Retrain):
    Params = Retrain.Params
