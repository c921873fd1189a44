"""Unlearning methods: one file each, registered in ``METHODS``."""

from core.methods.base import METHODS, Context, Method, TrainSettings
import core.methods.finetune  # noqa: F401,E402
import core.methods.retrain  # noqa: F401,E402
import core.methods.cfk  # noqa: F401,E402
import core.methods.neggrad  # noqa: F401,E402
import core.methods.advanced_neggrad  # noqa: F401,E402
import core.methods.unsir  # noqa: F401,E402
import core.methods.scrub  # noqa: F401,E402
import core.methods.bad_teacher  # noqa: F401,E402
import core.methods.random_labels  # noqa: F401,E402
import core.methods.aligned_relabel  # noqa: F401,E402
import core.methods.tmu  # noqa: F401,E402
import core.methods.adversarial_remover  # noqa: F401,E402
import core.methods.pattern.method  # noqa: F401,E402
import core.methods.detachment  # noqa: F401,E402
import core.methods.gradcam_erase  # noqa: F401,E402
import core.methods.drop_attribute  # noqa: F401,E402

__all__ = ["METHODS", "Context", "Method", "TrainSettings"]
