"""The dashboard in a real browser: open a stored run from the Runs page, and launch the default scenario
and watch it train to the end (the chart gains points, the status reaches succeeded)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from core.runs import RunStore
from tests.dashboard.seed import seed_run
from tests.e2e.conftest import READY

pytestmark = pytest.mark.e2e
RUN_SECONDS = 420  # the default scenario trains two small CNNs on CPU (1-2 min on 2 busy cores)
POINTS = ".js-plotly-plot .scatterlayer .trace .point"


def ready(page: Page, timeout: float = 90_000) -> None:
    page.wait_for_selector(READY, timeout=timeout)


def status_text(page: Page) -> str:
    box = page.locator(".st-key-run-status")
    return box.inner_text() if box.count() else ""


def test_runs_page_opens_a_stored_run(page: Page, dashboard, unlearn_home, artifacts):
    store = RunStore(unlearn_home / "runs.db")
    run_id = seed_run(store, "succeeded")
    page.goto(f"{dashboard}/runs")
    ready(page)
    grid = page.locator("[data-testid='stDataFrame']")
    expect(grid).to_be_visible()
    expect(grid).to_contain_text("succeeded", timeout=15_000)
    page.screenshot(path=str(artifacts / "runs-page.png"), full_page=True)
    # Choose the row: the row-selection checkbox column sits left of the id column.
    box = grid.locator("canvas").first.bounding_box() or grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)
    page.wait_for_url(re.compile(rf"\?run={run_id}"), timeout=20_000)
    ready(page)
    expect(page.locator(".st-key-run-status")).to_contain_text("succeeded")
    expect(page.locator(POINTS)).to_have_count(9, timeout=20_000)  # 3 metrics x 3 epochs
    expect(page.get_by_text("Results")).to_be_visible()


def test_launch_default_scenario_and_watch_it_succeed(page: Page, dashboard, artifacts):
    page.goto(dashboard)
    ready(page)
    expect(page.get_by_text("No run selected yet")).to_be_visible()
    page.screenshot(path=str(artifacts / "run-page-empty.png"), full_page=True)
    page.get_by_role("button", name="Launch").click()
    page.wait_for_url(re.compile(r"\?run="), timeout=30_000)
    seen: list[int] = []
    deadline = time.time() + RUN_SECONDS
    while time.time() < deadline:
        n = page.locator(POINTS).count()
        if not seen or n != seen[-1]:
            seen.append(n)
        status = status_text(page)
        if any(s in status for s in ("succeeded", "failed", "cancelled", "lost")):
            break
        page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "run-page-finished.png"), full_page=True)
    assert "succeeded" in status_text(page), page.locator("[data-testid='stAlert']").all_inner_texts()
    ready(page)
    final = page.locator(POINTS).count()
    epochs = int(re.search(r"(\d+) unlearning epochs? received", page.locator(".st-key-epochs-received").inner_text()).group(1))
    assert final == 3 * epochs > 0  # test_acc, mia_acc and nomus for every unlearning epoch
    assert seen[0] == 0 and seen == sorted(seen) and len(seen) >= 2, seen  # the chart gained points while we watched
    expect(page.get_by_text("Results")).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']")).to_be_visible()
