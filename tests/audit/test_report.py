"""The HTML audit report of a real finished run: self-contained, every stored number, the CLI, errors."""

from __future__ import annotations

import re
import shutil

import pytest

import core
from core.cli.main import main
from core.report.document import ReportError, write_report
from core.report.html import fmt
from core.runs.store import UnknownRun

EXTERNAL = re.compile(r"""(?:\b(?:src|href|srcset|action|poster)\s*=\s*["']?\s*(?:https?:)?//)|url\(\s*["']?\s*(?:https?:)?//|@import""",
                      re.I)


@pytest.fixture(scope="module")
def report_html(finished_run, tmp_path_factory):
    path = write_report(finished_run.store, finished_run.run_id, tmp_path_factory.mktemp("report") / "r.html")
    return path, path.read_text(encoding="utf-8")


def test_report_is_one_file_without_external_references(report_html):
    path, html = report_html
    assert [p.name for p in path.parent.iterdir()] == ["r.html"]
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)
    assert "<script" not in html and "<link" not in html
    assert "data:image/png;base64," in html and "<svg" in html  # saliency grids and per-epoch charts
    assert path.stat().st_size < 3_000_000


def test_report_holds_the_stored_metrics_hashes_sizes_and_code_version(finished_run, report_html):
    _, html = report_html
    results = finished_run.store.get(finished_run.run_id).results
    for row in results["results"]:
        assert f"<th>{row['model']}</th>" in html  # the models are the metric table's columns
        for v in row["metrics"].values():
            assert fmt(v) in html
    for sha in results["checkpoints"].values():
        assert len(sha) == 64 and sha in html
    for n in results["sizes"].values():
        assert f'<td class="num">{n}</td>' in html
    assert core.__version__ in html and results["code"]["version"] == core.__version__
    for share in results["audit"]["region"]["share"]["attribute"]["gradcam"].values():
        assert fmt(share) in html
    assert "Eyeglasses" in html and "Smiling" in html


def test_other_pngs_in_the_run_folder_appear_with_their_file_name(finished_run, tmp_path):
    extra = finished_run.run_dir / "reconstruction-grid.png"
    shutil.copy(finished_run.run_dir / "audit" / "saliency-task-gradcam.png", extra)
    try:
        html = write_report(finished_run.store, finished_run.run_id, tmp_path / "r.html").read_text()
    finally:
        extra.unlink()
    assert "<figcaption>reconstruction-grid.png</figcaption>" in html
    assert html.count("<figcaption>") == 7  # 6 saliency grids, the extra once (not twice)


def test_unlearn_report_writes_the_default_path(finished_run, monkeypatch, capsys):
    monkeypatch.setenv("UNLEARN_HOME", str(finished_run.home))
    assert main(["report", finished_run.run_id]) == 0
    path = finished_run.run_dir / "report.html"
    assert path.exists() and str(path) in capsys.readouterr().out


def test_unknown_run_is_a_clear_error(capsys):
    assert main(["report", "nope"]) == 2
    assert "no run 'nope'" in capsys.readouterr().err
    from core.runs import RunStore

    with pytest.raises(UnknownRun, match="no run 'nope'"):
        write_report(RunStore(), "nope")


def test_unfinished_or_failed_run_is_a_clear_error(tiny_scenario, capsys):
    from core.runs import RunStore

    store = RunStore()
    queued = store.create(tiny_scenario)
    with pytest.raises(ReportError, match=f"run {queued} is queued.*wait for it"):
        write_report(store, queued)
    failed = store.create(tiny_scenario)
    store.finish(failed, "failed", error="boom")
    assert main(["report", failed]) == 2
    assert f"run {failed} is failed" in capsys.readouterr().err


def test_report_shows_the_verdict_intervals_and_where_the_models_came_from(finished_run, report_html):
    _, html = report_html
    results = finished_run.store.get(finished_run.run_id).results
    assert f"<b>{results['verdict']['label']}</b>" in html
    unlearned = results["results"][-1]
    lo, hi = unlearned["metric_ci"]["efficacy"]  # an attribute request: the attacker's interval
    assert f"[{lo:.3f}, {hi:.3f}]" in html
    assert "Where the models came from" in html and results["sources"]["original"]["sha256"] in html
