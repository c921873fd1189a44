"""Twin Machine Unlearning: twin problem, NF/AF/CF features, easy/hard predictor, hard-only push-down."""

from core.methods.tmu.method import TMU, TMUParams

__all__ = ["TMU", "TMUParams"]
import core.methods.tmu.audit  # noqa: F401,E402  (registers its audit section)
