"""Every registered audit section renders on a tiny real run of its method, and the HTML report and the
Audit page show the same method sections (one registry, two renderers)."""

from __future__ import annotations

import copy
import re

import pytest

from tests.conftest import TINY_SCENARIO
from tests.dashboard.test_audit import audit_page

RUNS = {
    "tmu": {"forget": {"kind": "class_subset", "column": "Eyeglasses", "value": 1, "fraction": 0.3},
            "method": {"name": "tmu", "params": {"epochs": 1, "twin_epochs": 1, "af_steps": 2, "cf_epochs": 1,
                                                 "mlp_epochs": 20}}},
    "detachment": {"forget": {"kind": "attribute", "column": "Smiling", "value": 1},
                   "method": {"name": "detachment", "params": {"epochs": 1, "decoder_epochs": 1, "sweep_grid": [2.0]}}},
    "pattern_unlearning": {"task": "Bald", "forget": {"kind": "pattern", "column": "Smiling", "value": 1},
                           "method": {"name": "pattern_unlearning", "params": {"region": "Smiling", "epochs": 1,
                                                                                "identifier_epochs": 1, "examples": 2}}},
}


@pytest.fixture(scope="module")
def real_runs(tmp_path_factory):
    """One tiny real run per method that registers a section, through the worker, in one store."""
    from core.runs import RunStore
    from core.runs.worker import execute

    home = tmp_path_factory.mktemp("home")
    store = RunStore(home / "runs.db")
    ids = {}
    for method, change in RUNS.items():
        sc = {**copy.deepcopy(TINY_SCENARIO), **change}
        ids[method] = store.create(sc, method)
        assert execute(store, ids[method]) == "succeeded", store.get(ids[method]).error
    return home, store, ids


def test_every_registered_section_has_a_real_run_and_renders_on_it(real_runs):
    from core.artifacts import RunArtifacts
    from core.methods.audit_sections import AUDIT_SECTIONS, run_sections
    from core.report.sections import item_html

    _, store, ids = real_runs
    assert {AUDIT_SECTIONS.get(n).method for n in AUDIT_SECTIONS.names()} <= set(ids)
    for name in AUDIT_SECTIONS.names():
        section = AUDIT_SECTIONS.get(name)
        art = RunArtifacts.from_store(store, ids[section.method])
        items = dict(run_sections(art, section.method)).get(section)
        assert items, f"{name} has nothing for a real {section.method} run"
        html = "".join(item_html(i, art.folder, set()) for i in items)
        assert html and "<script" not in html
        other = next(m for m in ids if m != section.method)  # another method's run: no such section
        assert section not in dict(run_sections(RunArtifacts.from_store(store, ids[other])))


def test_report_and_audit_page_show_the_same_method_sections(real_runs, monkeypatch):
    from core.methods.audit_sections import AUDIT_SECTIONS
    from core.report.document import write_report

    home, store, ids = real_runs
    monkeypatch.setenv("UNLEARN_HOME", str(home))
    titles = {AUDIT_SECTIONS.get(n).title for n in AUDIT_SECTIONS.names()}
    for run_id in ids.values():
        html = write_report(store, run_id).read_text()
        in_report = [t for t in re.findall(r"<h2>([^<]*)</h2>", html) if t in titles]
        at = audit_page(run_id)
        assert not at.exception, at.exception
        on_page = [h.value for h in at.subheader if h.value in titles]
        assert in_report and in_report == on_page
