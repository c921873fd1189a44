"""Metrics: each file registers its functions in ``METRICS``; import order is evaluation order."""

from core.metrics.base import METRICS, Evaluation, evaluate, metric
from core.metric_keys import Key, declared, key_of
import core.metrics.accuracy  # noqa: F401,E402
import core.metrics.mia  # noqa: F401,E402
import core.metrics.nomus  # noqa: F401,E402
import core.metrics.alignment  # noqa: F401,E402
import core.metrics.mia_roc  # noqa: F401,E402
import core.metrics.lira  # noqa: F401,E402
import core.metrics.attack_suite  # noqa: F401,E402
import core.metrics.rmia  # noqa: F401,E402
import core.metrics.lira_online  # noqa: F401,E402
import core.metrics.fairness  # noqa: F401,E402
import core.metrics.attribute  # noqa: F401,E402
import core.metrics.run_keys  # noqa: F401,E402  (the pipeline's own keys, declared last)

__all__ = ["METRICS", "Evaluation", "Key", "declared", "evaluate", "key_of", "metric"]
