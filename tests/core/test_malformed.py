"""Malformed scenarios, as a careless or hostile user writes them: each is refused with its named
error before anything is stored or computed, as one ``error:`` line and no traceback, from the
command line (in-process and as a real subprocess) and from ``scenario_from_dict`` (the dashboard's way in).

The files are in ``tests/core/malformed/``; every file there must be listed here.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from core.cli.main import main
from core.config import ConfigError, load_scenario, scenario_from_dict
from core.runs import RunStore

HERE = Path(__file__).resolve().parent / "malformed"
ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    "empty.yaml": "the scenario file is empty",
    "only_comment.yaml": "the scenario file is empty",
    "anchor_bomb.yaml": "more than 64 YAML aliases",
    "wide_bomb.yaml": "more than 200,000 values",
    "recursive_alias.yaml": "more than 200,000 values",
    "nan_lr.yaml": "train.lr: nan is not a finite number",
    "inf_lr.yaml": "train.lr: inf is not a finite number",
    "huge_lr.yaml": "train.lr: 1000000.0 is above the maximum 10",
    "method_nan_lr.json": "method.params.lr: nan is not a finite number",
    "too_many_images.yaml": "1,000,000,000 images is above the cap of 1,000,000",
    "too_much_memory.yaml": "800,000 images of 128×128 would need about",
    "seed_text.yaml": "seed: 'x' is not a whole number",
    "seed_negative.yaml": "seed: -1 is not a whole number from 0",
    "device_number.yaml": "device: 3 is not text",
    "device_unknown.yaml": "device: 'tpu' is not allowed; allowed: auto, cpu, cuda",
    "name_list.yaml": "name: [1] is not text",
    "task_number.yaml": "task: 5 is not a column name",
    "model_list.yaml": "model: ['smallcnn'] is not text",
    "section_scalar.yaml": "forget: 3 is not a section",
    "top_level_list.yaml": "scenario: list given; expected a mapping",
    "negative_count.yaml": "forget.count: -5 is negative",
    "fraction_above_one.yaml": "forget.fraction: 1.5 is outside (0, 1]",
    "fraction_negative.yaml": "forget.fraction: -0.2 is outside (0, 1]",
    "negative_identity.yaml": "forget.identities: -3 is negative",
    "identities_not_list.yaml": "forget.identities: {'a': 1} is not a list",
    "identity_bool.yaml": "forget.identities: True is neither an identity code",
    "negative_value.yaml": "forget.value(s): [-1] are not class codes",
    "count_text.yaml": "forget.count: 'many' is not a valid int",
    "epochs_text.yaml": "train.epochs: 'many' is not a valid int",
    "batch_fraction.yaml": "train.batch_size: 0.5 is not a whole number",
    "not_utf8.yaml": "not valid YAML",
    "bad_yaml.yaml": "not valid YAML",
}


def test_every_fixture_is_listed():
    assert sorted(p.name for p in HERE.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_refuses_with_one_named_line_and_stores_nothing(name, capsys):
    before = len(RunStore().list())
    assert main(["run", str(HERE / name)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert EXPECTED[name] in err
    assert "Traceback" not in err
    assert len(RunStore().list()) == before == 0


@pytest.mark.parametrize("name", ["huge_lr.yaml", "negative_count.yaml", "seed_text.yaml", "name_list.yaml",
                                  "too_many_images.yaml"])
def test_the_dashboard_way_in_gives_the_same_error(name):
    raw = yaml.safe_load((HERE / name).read_text())
    with pytest.raises(ConfigError) as err:
        scenario_from_dict(raw)
    assert EXPECTED[name] in str(err.value)


def test_an_anchor_bomb_is_refused_in_under_a_second():
    """The issue's 622-byte bomb expanded to a MemoryError after 82 s; both bombs are refused at once."""
    for name in ("anchor_bomb.yaml", "wide_bomb.yaml"):
        start = time.perf_counter()
        with pytest.raises(ConfigError):
            load_scenario(HERE / name)
        assert time.perf_counter() - start < 1.0


def test_a_real_subprocess_prints_no_traceback(tmp_path):
    """``python -m core.cli.main run FILE`` as a user runs it: exit 2, one line on stderr, nothing stored."""
    env = {"UNLEARN_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"}
    for name in ("anchor_bomb.yaml",):  # one start: each imports torch
        proc = subprocess.run([sys.executable, "-m", "core.cli.main", "run", str(HERE / name)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.strip().splitlines() == [f"error: {proc.stderr.strip()[7:]}"]
        assert EXPECTED[name] in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "home" / "runs.db").exists() or RunStore(tmp_path / "home" / "runs.db").list() == []


def test_a_failed_run_prints_its_named_reason_not_its_traceback(tmp_path, tiny_scenario, capsys):
    """An error only the data can reveal (no such person) fails the run: one line, the traceback stays in the store."""
    tiny_scenario["forget"] = {"kind": "identities", "identities": [999]}
    cfg = tmp_path / "s.yaml"
    cfg.write_text(yaml.safe_dump(tiny_scenario))
    assert main(["run", str(cfg)]) == 1
    err = capsys.readouterr().err  # the progress bars, then one line
    assert err.splitlines()[-1].startswith("error: DataError: forget.identities: [999] are not identities of "
                                           "'synthfaces'; give a code or a name, e.g. 0, 1, 2")
    assert "Traceback" not in err
    (run,) = RunStore().list()
    assert run.status == "failed" and "File \"" in run.error  # the traceback's tail, kept for whoever debugs it
