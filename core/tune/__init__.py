"""Auto-tune an unlearning method toward the gold model (``unlearn tune``), with Optuna.

One idea per file: :mod:`space` turns the ranges methods declare beside their parameters
(``param(..., search=...)``) into Optuna suggestions; :mod:`objective` scores one setting on a
validation part of the data (never the test split a final table reports); :mod:`study` runs the
TPE search with pruning in a resumable SQLite study under ``UNLEARN_HOME``; :mod:`command` is the CLI;
:mod:`detached` starts a tune in its own process for the dashboard.
"""

from core.tune.objective import Target, TuneObjective, objective_value
from core.tune.space import search_space, space_problems, suggest
from core.tune.study import TuneError, study_name, tune

__all__ = ["Target", "TuneError", "TuneObjective", "objective_value", "search_space", "space_problems", "study_name",
           "suggest", "tune"]
