"""Unlearning methods: one file each, registered in ``METHODS``."""

from core.methods.base import METHODS, Context, Method, TrainSettings
import core.methods.finetune  # noqa: F401,E402
import core.methods.retrain  # noqa: F401,E402
import core.methods.detachment  # noqa: F401,E402
import core.methods.gradcam_erase  # noqa: F401,E402
import core.methods.drop_attribute  # noqa: F401,E402

__all__ = ["METHODS", "Context", "Method", "TrainSettings"]
