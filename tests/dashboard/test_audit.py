"""The Audit page and its pure builders: saliency grids, mask shares, ROC, other figures, the report."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.artifacts import RunArtifacts
from core.report.document import write_report
from dashboard.figures.audit import audit_grids, other_figures, roc_chart, roc_curves, share_table
from dashboard.figures.palette import MODEL_COLORS
from tests.dashboard.seed import seed_audited_run, seed_run
from tests.dashboard.test_pages import APP, TIMEOUT, texts


def audit_page(run_id: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if run_id:
        at.query_params["run"] = run_id
    at.switch_page("views/audit.py")
    return at.run()


def test_builders_read_the_stored_audit(store):
    run_id = seed_audited_run(store)
    run = store.get(run_id)
    run_dir = store.runs_root / run_id
    art = RunArtifacts(run_dir, run.results)
    grids = audit_grids(art)
    assert [g.key for g in grids] == ["task/gradcam", "task/guided_backprop", "attribute/gradcam", "attribute/guided_backprop"]
    assert all(g.exists for g in grids) and grids[0].title == "GradCAM for the task"
    shares = share_table(run.results["audit"])
    attr = shares[shares["target"] == "the forgotten attribute"].iloc[0]
    assert attr["original"] == 0.62 and attr["finetune"] == 0.35 and abs(attr["change"] - (0.35 - 0.62)) < 1e-9
    assert attr["uniform"] == 0.12
    assert share_table({"region": None}).empty and share_table(None).empty
    assert [p.name for p in other_figures(art)] == ["reconstruction.png"]
    curves = roc_curves(run.results)
    assert list(curves) == ["original", "gold", "finetune"]
    fig = roc_chart(curves)
    assert [t.meta for t in fig.data[1:]] == ["original", "gold", "finetune"]
    assert fig.data[3].line.color == MODEL_COLORS["unlearned"] and list(fig.data[1].y) == [0.0, 0.6, 1.0]
    assert roc_curves({"results": [{"model": "gold", "metrics": {}}]}) == {}


def test_audit_page_empty_state(store):
    at = audit_page()
    assert not at.exception
    assert "No finished run yet" in texts(at, "info")


def test_audit_page_shows_metrics_grids_shares_roc_and_report(store):
    run_id = seed_audited_run(store)
    at = audit_page(run_id)
    assert not at.exception, at.exception
    metrics = at.dataframe[0].value
    assert list(metrics["model"]) == ["original", "gold", "finetune"] and list(metrics["nomus"]) == [0.55, 0.83, 0.76]
    shares = at.dataframe[1].value
    assert set(shares["explanation"]) == {"GradCAM"} and "change" in shares
    images = at.get("image")
    assert len(images) == 5  # four grids and the reconstruction figure
    assert [e for e in at.get("plotly_chart") if "audit.roc" in e.key]
    assert at.get("download_button")
    assert at.query_params["run"] == run_id


def test_audit_page_without_roc_or_audit_says_so(store):
    first = seed_run(store, "succeeded")
    at = audit_page(first)
    assert not at.exception
    assert "did not keep the attack's ROC points" in texts(at, "caption")
    assert "no saliency maps" in texts(at, "info")


def test_audit_page_on_a_failed_run_explains_and_offers_finished_ones(store):
    ok = seed_run(store, "succeeded")
    bad = seed_run(store, "failed", epochs=1, error="boom")
    at = audit_page(bad)
    assert f"Run {bad} is failed" in texts(at, "warning")
    assert at.selectbox(key="audit.run").value == ok


def test_report_of_an_audited_run_contains_the_metrics(store):
    run_id = seed_audited_run(store)
    html = Path(write_report(store, run_id)).read_text()
    assert "0.83" in html and "saliency" in html.lower()


def test_teaching_mode_explains_each_metric_and_the_grids(store):
    run_id = seed_audited_run(store)
    at = audit_page(run_id)
    assert "Share of never-trained-on test images" not in texts(at, "caption")
    at.toggle(key="teaching").set_value(True).run()
    captions = texts(at, "caption")
    assert "Share of never-trained-on test images" in captions and "coin toss" in captions
    assert "Each column is one model" in captions


def test_audit_page_opens_with_the_verdict_and_the_numbers_that_carry_it(store):
    """An attribute run leads with its verdict, then efficacy and AUM (not the membership attack) as cards,
    and its metrics table puts those columns first, after the pinned model column."""
    import copy

    from core.config import DEFAULT_SCENARIO

    config = copy.deepcopy(DEFAULT_SCENARIO)
    config["forget"] = {"kind": "attribute", "column": "Eyeglasses", "value": 1}
    run_id = seed_run(store, "succeeded", config=config)
    run = store.get(run_id)
    for row, (eff, aum) in zip(run.results["results"], ((0.9, 0.2), (0.52, 0.8), (0.55, 0.75))):
        row["metrics"].update(efficacy=eff, aum=aum)
    run.results["verdict"] = {"label": "forgotten like the gold model", "reason": "efficacy: unlearned [0.5, 0.6]"}
    store.finish(run_id, "succeeded", results=run.results)
    at = audit_page(run_id)
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("**Verdict: forgotten like the gold model.**")
    from dashboard.components.glossary import metric_label

    assert [(m.label, m.value) for m in at.metric] == [(metric_label("efficacy"), "0.550"), (metric_label("aum"), "0.750")]
    columns = list(at.dataframe[0].value.columns)
    assert columns[:2] == ["model", "role"] and columns[2] == "efficacy" and "aum" in columns[3:5]


def test_report_leads_with_verdict_and_glossary_names_metrics_in_words_and_draws_the_roc(store):
    run_id = seed_audited_run(store)
    run = store.get(run_id)
    run.results["verdict"] = {"label": "partly forgotten", "reason": "mia_acc: between"}
    store.finish(run_id, "succeeded", results=run.results)
    html = Path(write_report(store, run_id)).read_text()
    order = [html.index(f'id="{a}"') for a in ("verdict", "glossary", "scenario", "metrics", "roc")]
    assert order == sorted(order)  # the verdict and the glossary come before the record
    assert "<b>partly forgotten</b>" in html and "Membership attack (mia_acc)" in html
    assert "Share of never-trained-on test images" in html  # the glossary's sentence for test accuracy
    assert html[html.index('id="roc"'):].count("<svg") >= 1
    plain = seed_run(store, "succeeded")  # no audit, no ROC, no figures: those sections are left out
    html = Path(write_report(store, plain)).read_text()
    assert 'id="roc"' not in html and 'id="saliency"' not in html and 'id="figures"' not in html
    assert "<h2></h2>" not in html and 'id="metrics"' in html
