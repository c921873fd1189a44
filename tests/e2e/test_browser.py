"""The dashboard in a real browser: open a stored run from the Runs page, and launch the default scenario
and watch it train to the end (the chart gains points, the status reaches succeeded).

Timeouts are generous: on a busy 2-core machine the first page load imports torch and plotly's
JavaScript takes seconds to draw.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from core.runs import RunStore
from tests.dashboard.seed import seed_run
from tests.e2e.conftest import READY

pytestmark = pytest.mark.e2e
UI_MS = 90_000  # for any element to appear after a (re)run
RUN_SECONDS = 600  # data, two small CNNs and the unlearning on CPU (1-2 min on 2 free cores, more when busy)
TRAIN_EPOCHS, METHOD_EPOCHS = 1, 2  # typed into the form, as a laptop user would, to keep CI short
LIVE_CHART = ".st-key-run-live_chart .js-plotly-plot"
FINAL = ("succeeded", "failed", "cancelled", "lost")


def ready(page: Page) -> None:
    page.wait_for_selector(READY, timeout=UI_MS)


def fill_number(page: Page, label: str, value: int) -> None:
    """Type into a number input and commit it (Enter), then wait for the rerun."""
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    expect(box).to_have_value(str(value), timeout=UI_MS)
    ready(page)


EPOCH_POINTS_JS = ("g.data.filter(t => !String(t.meta || '').startsWith('final:'))"
                   ".reduce((n, t) => n + (t.x ? t.x.length : 0), 0)")


def chart_points(page: Page) -> int:
    """Epoch points drawn in the live chart (all traces but the final-value markers), read from plotly's own
    data on the element."""
    return page.evaluate(f"sel => {{ const g = document.querySelector(sel); return g && g.data ? {EPOCH_POINTS_JS} : 0; }}",
                         LIVE_CHART)


def final_markers(page: Page) -> int:
    """The finished run's final-value markers on the live chart."""
    return page.evaluate("""sel => { const g = document.querySelector(sel);
        return g && g.data ? g.data.filter(t => String(t.meta || '').startsWith('final:')).length : 0; }""", LIVE_CHART)


def epochs_received(page: Page) -> int:
    box = page.locator(".st-key-epochs-received")
    match = re.search(r"(\d+) unlearning epochs? received", box.inner_text()) if box.count() else None
    return int(match.group(1)) if match else 0


def status_text(page: Page) -> str:
    box = page.locator(".st-key-run-status")
    return box.inner_text() if box.count() else ""


def test_runs_page_opens_a_stored_run(page: Page, dashboard, unlearn_home, artifacts):
    store = RunStore(unlearn_home / "runs.db")
    run_id = seed_run(store, "succeeded")
    page.goto(f"{dashboard}/runs")
    ready(page)
    grid = page.locator("[data-testid='stDataFrame']")
    expect(grid).to_contain_text("succeeded", timeout=UI_MS)
    page.screenshot(path=str(artifacts / "runs-page.png"), full_page=True)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)  # the first row's selection box (left of the id)
    page.wait_for_url(re.compile(rf"\?run={run_id}"), timeout=UI_MS)
    expect(page.locator(".st-key-run-status")).to_contain_text("succeeded", timeout=UI_MS)
    expect(page.locator(".st-key-epochs-received")).to_contain_text("3 unlearning epochs received", timeout=UI_MS)
    expect(page.locator(LIVE_CHART)).to_be_visible(timeout=UI_MS)
    page.wait_for_function("sel => { const g = document.querySelector(sel); return g && g.data && g.data.length === 6; }",
                           arg=LIVE_CHART, timeout=UI_MS)
    assert chart_points(page) == 9  # test_acc, mia_acc and nomus for 3 epochs
    assert final_markers(page) == 3  # and each one's final value as its own marker
    expect(page.get_by_text("Results", exact=True)).to_be_visible(timeout=UI_MS)


def test_launch_default_scenario_and_watch_it_succeed(page: Page, dashboard, unlearn_home, artifacts):
    page.goto(dashboard)  # Home, the default page
    ready(page)
    expect(page.get_by_role("button", name="Run the default scenario")).to_be_visible(timeout=UI_MS)
    page.screenshot(path=str(artifacts / "home-page.png"), full_page=True)
    page.goto(f"{dashboard}/run")
    ready(page)
    expect(page.get_by_text("No run selected yet")).to_be_visible(timeout=UI_MS)
    page.screenshot(path=str(artifacts / "run-page-empty.png"), full_page=True)
    fill_number(page, "Original/gold training epochs", TRAIN_EPOCHS)
    fill_number(page, "Epochs", METHOD_EPOCHS)  # the method's setting, labelled in words
    page.get_by_role("button", name="Launch", exact=True).click()
    page.wait_for_url(re.compile(r"\?run="), timeout=UI_MS)
    epochs_seen, points_seen = [], []
    deadline = time.time() + RUN_SECONDS
    while time.time() < deadline and not any(s in status_text(page) for s in FINAL):
        for seen, value in ((epochs_seen, epochs_received(page)), (points_seen, chart_points(page))):
            if not seen or value != seen[-1]:
                seen.append(value)
        if epochs_seen[-1] == 1 and not (artifacts / "run-page-live.png").exists():
            page.screenshot(path=str(artifacts / "run-page-live.png"), full_page=True)
        page.wait_for_timeout(500)
    assert "succeeded" in status_text(page), page.locator("[data-testid='stAlert']").all_inner_texts()
    # When the run is final the page reruns once, drawing the results without polling.
    expect(page.locator("[data-testid='stDataFrame']")).to_be_visible(timeout=UI_MS)
    expect(page.get_by_role("button", name="Cancel")).to_have_count(0, timeout=UI_MS)
    assert epochs_received(page) == METHOD_EPOCHS
    page.wait_for_function(f"sel => {{ const g = document.querySelector(sel); return g && g.data && "
                           f"{EPOCH_POINTS_JS} === {3 * METHOD_EPOCHS}; }}", arg=LIVE_CHART, timeout=UI_MS)
    # The chart gained points as epochs arrived: from none, through each epoch, never going back.
    assert epochs_seen[0] == 0 and epochs_seen == sorted(epochs_seen) and len(epochs_seen) >= 2, epochs_seen
    assert points_seen[0] == 0 and points_seen == sorted(points_seen) and len(points_seen) >= 2, points_seen
    expect(page.locator(".st-key-run-verdict")).to_contain_text("Verdict:", timeout=UI_MS)  # the verdict first
    page.wait_for_timeout(2000)  # let plotly finish drawing the results chart
    page.screenshot(path=str(artifacts / "run-page-finished.png"), full_page=True)
    page.get_by_role("link", name="Runs", exact=True).click()
    expect(page.locator("[data-testid='stDataFrame']").first).to_contain_text("succeeded", timeout=UI_MS)
    page.screenshot(path=str(artifacts / "runs-page-after-launch.png"), full_page=True)
    check_audit(page, dashboard, RunStore(unlearn_home / "runs.db"), artifacts)


def check_audit(page: Page, dashboard: str, store: RunStore, artifacts) -> None:
    """The Audit page of the finished run: metric table, a saliency grid, and a report holding the metrics."""
    run = store.list(status="succeeded")[0]
    page.goto(f"{dashboard}/audit?run={run.id}")
    ready(page)
    expect(page.get_by_text("Metrics", exact=True)).to_be_visible(timeout=UI_MS)
    expect(page.locator(".st-key-audit-verdict")).to_contain_text("Verdict:", timeout=UI_MS)
    expect(page.locator("[data-testid='stDataFrame']").first).to_contain_text("gold", timeout=UI_MS)
    expect(page.locator("[data-testid='stImage'] img").first).to_be_visible(timeout=UI_MS)
    page.screenshot(path=str(artifacts / "audit-page.png"), full_page=True)
    with page.expect_download(timeout=UI_MS) as info:
        page.get_by_role("button", name="Download audit report").click()
    html = open(info.value.path(), encoding="utf-8").read()
    nomus = next(r for r in run.results["results"] if r["model"] == "gold")["metrics"]["nomus"]
    assert "Audit report" in html and "nomus" in html and f"{nomus:.4f}" in html
