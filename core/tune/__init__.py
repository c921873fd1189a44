"""Auto-tune an unlearning method toward the gold model (``unlearn tune``), with Optuna.

One idea per file: :mod:`core.tune.space` turns the ranges methods declare beside their parameters
(``param(..., search=...)``) into Optuna suggestions; :mod:`core.tune.objective` scores one setting on a
validation part of the data (never the test split a final table reports); :mod:`core.tune.study` runs
the TPE search with pruning in a resumable study that :mod:`core.tune.storage` keeps (SQLite under
``UNLEARN_HOME``), on the views of :mod:`core.tune.validation`; :mod:`core.tune.parallel` spreads it over
Ray tasks; :mod:`core.tune.command` is the CLI (:mod:`core.tune.typed` types its ``--param`` values);
:mod:`core.tune.detached` starts a tune in its own process for the dashboard.

Nothing is imported here, so registering the ``tune`` sub-command costs the CLI no torch or optuna import.
"""
