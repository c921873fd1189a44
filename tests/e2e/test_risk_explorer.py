"""The Audit page's per-sample risk explorer in a real browser, on a run the tiny pipeline really computed
(loss and RMIA with one reference model; the risk table written by the worker's code into the run folder)."""

from __future__ import annotations

import copy
import os

import pytest
from playwright.sync_api import Page, expect

from core.config import scenario_from_dict
from core.pipeline import run_scenario
from core.runs import RunStore
from tests.conftest import TINY_SCENARIO
from tests.e2e.conftest import READY

pytestmark = pytest.mark.e2e
UI_MS = 90_000


def computed_run(store: RunStore) -> str:
    raw = copy.deepcopy(TINY_SCENARIO)
    raw["evaluation"].update(attacks=["loss", "rmia"], reference_models=1)
    run_id = store.create(raw, "risk explorer run")
    store.mark_running(run_id, os.getpid(), "cpu")
    doc = run_scenario(scenario_from_dict(raw), workdir=store.run_dir(run_id))
    store.finish(run_id, "succeeded", results=doc)
    return run_id


def test_audit_page_shows_the_risk_explorer(page: Page, dashboard, unlearn_home, artifacts):
    store = RunStore(unlearn_home / "runs.db")
    run_id = computed_run(store)
    page.goto(f"{dashboard}/audit?run={run_id}")
    page.wait_for_selector(READY, timeout=UI_MS)
    expect(page.get_by_text("Per-sample risk explorer")).to_be_visible(timeout=UI_MS)
    expect(page.get_by_text("ranked by rmia under finetune")).to_be_visible(timeout=UI_MS)
    grid = page.locator("[data-testid='stDataFrame']").filter(has_text="rank finetune")
    expect(grid).to_be_visible(timeout=UI_MS)
    expect(grid).to_contain_text("loss gold", timeout=UI_MS)
    expect(page.get_by_text("GradCAM finetune")).to_be_visible(timeout=UI_MS)  # the audited image's maps
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    page.get_by_role("radio", name="gold", exact=True).click()  # rank by the gold model instead
    expect(page.get_by_text("ranked by rmia under gold")).to_be_visible(timeout=UI_MS)
    page.screenshot(path=str(artifacts / "audit-risk-explorer.png"), full_page=True)
