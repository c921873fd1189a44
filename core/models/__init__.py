"""Model architectures with a named split point; each registers itself in ``MODELS``."""

from core.models.base import MODELS, ModelSpec, SplitModel, build_model
import core.models.resnet18  # noqa: F401,E402
import core.models.smallcnn  # noqa: F401,E402

__all__ = ["MODELS", "ModelSpec", "SplitModel", "build_model"]
