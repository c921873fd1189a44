"""``unlearn tune SCENARIO.yaml --method M --trials N [--budget 0.1] [--json PATH] [--launch] [--parallel N]``.

Draws a tqdm bar over trials (the best value so far in its postfix), prints the best setting and the
scenario YAML that runs it, writes the results document with ``--json``, and with ``--launch`` runs
that scenario as a normal run (stored, with the test-split table).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml


def add_tune_parser(sub) -> None:
    """Register ``tune`` on the ``unlearn`` sub-command parser."""
    t = sub.add_parser("tune", help="auto-tune a method's settings toward the gold model (Optuna; resumable)")
    t.add_argument("config", help="scenario file (YAML or JSON)")
    t.add_argument("--method", help="method to tune (default: the scenario's)")
    t.add_argument("--trials", type=int, default=20, help="trials in total (a resumed study counts those it has)")
    t.add_argument("--budget", type=float, default=0.1, help="time budget as a share of retraining's time")
    t.add_argument("--val-seeds", type=int, default=None,
                   help="score each trial as the mean over this many validation seeds (the scenario's seed and the "
                        "next ones, each with its own original and gold model; default 2, 1 with a checkpoint)")
    t.add_argument("--param", action="append", default=[], help="fix a parameter, key=value (repeatable)")
    t.add_argument("--json", help="write the results document here")
    t.add_argument("--parallel", type=int, default=1,
                   help="run the trials in N Ray tasks sharing the study (Ray local, or the cluster of --address)")
    t.add_argument("--address", help="join this Ray cluster for --parallel (auto, HOST:PORT; else RAY_ADDRESS)")
    t.add_argument("--storage", help="Optuna storage URL every worker can reach (default: sqlite under "
                                     "UNLEARN_HOME; on a cluster use a shared path or a database URL)")
    t.add_argument("--launch", action="store_true", help="then run the best setting as a normal run")
    t.set_defaults(fn=cmd_tune)


def cmd_tune(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from core.config import load_scenario
    from core.tune.storage import finished_trials
    from core.tune.study import tune
    from core.tune.validation import default_val_seeds
    from core.tune.typed import typed_params

    sc = load_scenario(args.config)
    method = args.method or sc.method.name
    fixed = dict(kv.split("=", 1) for kv in args.param)
    bar = tqdm(total=args.trials, desc=f"tune {method}", unit="trial")

    def on_trial(study, trial) -> None:
        bar.n = len(finished_trials(study))
        done = [t.value for t in finished_trials(study) if t.value is not None]
        bar.set_postfix(best=f"{min(done):.3f}" if done else "-", last=trial.state.name.lower())
        bar.refresh()

    try:
        doc = tune(sc, method, args.trials, args.budget, fixed=typed_params(method, fixed), on_trial=on_trial,
                   parallel=args.parallel, address=args.address, storage=args.storage,
                   val_seeds=args.val_seeds if args.val_seeds is not None else default_val_seeds(sc))
    finally:
        bar.close()
    _print(doc)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(doc, indent=2))
        print(f"wrote {args.json}")
    if args.launch and doc["best"]:
        from core.cli.execute import execute_and_print

        return execute_and_print(doc["scenario"], doc["scenario"]["name"], None)
    return 0


def _print(doc: dict) -> None:
    gold = doc["gold"]
    print(f"study {doc['study']} ({len(doc['trials'])} trials) in {doc['storage']}")
    seeds = doc.get("val_seeds", [])
    print(f"validation seeds {seeds}: every value is the mean over them" if len(seeds) > 1 else
          f"validation seed {seeds}")
    print(f"gold on the validation part{' (seed mean)' if len(seeds) > 1 else ''}: forget_acc {gold['forget_acc']:.3f}  mia_acc {gold['mia_acc']:.3f}  "
          f"test_acc {gold['test_acc']:.3f}  (retraining {doc['retrain_seconds']:.1f}s)")
    best = doc["best"]
    if not best:
        print("no trial completed (all pruned or failed); run more trials or raise --budget")
        return
    m = best["metrics"]
    print(f"best value {best['value']:.3f}: forget_acc {m['forget_acc']:.3f}  mia_acc {m['mia_acc']:.3f}  "
          f"test_acc {m['test_acc']:.3f}  {m['seconds']:.1f}s ({m['time_share']:.0%} of retraining)")
    print("scenario with the best setting (unlearn run FILE):")
    print(yaml.safe_dump(doc["scenario"], sort_keys=False).rstrip())
