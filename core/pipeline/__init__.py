"""The pipeline: a Scenario run end to end, one module a step.

:mod:`~core.pipeline.prepared` loads the data and gets the original and gold models
(:mod:`~core.pipeline.reference_models`, cached by :mod:`~core.pipeline.model_cache`);
:mod:`~core.pipeline.method_run` unlearns; :mod:`~core.pipeline.model_scores` scores each model; the
attacks' reference models (:mod:`~core.pipeline.references`) and the ε-score's model set
(:mod:`~core.pipeline.epsilon_models`) come last; :mod:`~core.pipeline.run` chains them. The steps never
import this package's ``__init__`` (only each other, by module), so the names re-exported here for
callers close no circle.
"""

from core.pipeline.method_run import run_method
from core.pipeline.model_scores import evaluate_model
from core.pipeline.prepared import Prepared, prepare
from core.pipeline.run import STAGES, _attack_references, run_scenario

__all__ = ["STAGES", "Prepared", "evaluate_model", "prepare", "run_method", "run_scenario", "_attack_references"]
