"""The cancel path outside any worker: a signal only sets a flag; polls deep in scoring loops act on it."""

from __future__ import annotations

import os
import signal

import pytest
import torch

from core.progress import Cancelled, cancellable
from core.runs.progress import StoreProgress
from core.runs.signals import cancel_on_signals
from core.runs.store import RunStore
from core.training import map_batches


def test_signal_sets_only_a_flag_and_a_poll_in_a_scoring_loop_stops_the_run(tmp_path):
    store = RunStore(tmp_path / "runs.db")
    rid = store.create({}, "r")
    seen = []

    def score(x):
        seen.append(len(x))
        if len(seen) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C in the middle of scoring a split
        return x

    before = signal.getsignal(signal.SIGINT)  # Python's default, or SIG_IGN when started in the background with `&`
    with cancel_on_signals() as flag, cancellable(StoreProgress(store, rid, flag).poll):
        with pytest.raises(Cancelled, match="SIGINT"):
            map_batches(score, torch.zeros(10, 1), torch.device("cpu"), batch_size=2)
    assert len(seen) == 2  # stopped at the next batch, not after all five
    assert store.cancel_requested(rid)  # the reporter, not the handler, wrote the cancel
    assert signal.getsignal(signal.SIGINT) is before  # handlers restored


def test_a_cancel_from_elsewhere_reaches_a_poll(tmp_path, monkeypatch):
    monkeypatch.setattr("core.runs.progress.POLL_SECONDS", 0.0)  # read the store at every poll
    store = RunStore(tmp_path / "runs.db")
    rid = store.create({}, "r")
    progress = StoreProgress(store, rid)
    progress.poll()
    store.request_cancel(rid)  # as `unlearn cancel` or the dashboard does
    with pytest.raises(Cancelled):
        progress.poll()
