"""RMIA and online LiRA against hand-made probabilities, and the TPR-at-low-FPR availability note."""

from __future__ import annotations

import math

import numpy as np

from core.metrics.lira_online import lira_online_scores
from core.metrics.mia_roc import attack_summary
from core.metrics.rmia import marginal, rmia_scores
from core.pipeline.references import keep_matrix


def _planted(n_refs: int, seed: int = 0):
    """Members: the target model gives their true label far more probability than references do."""
    rng = np.random.default_rng(seed)
    n_mem, n_non = 40, 200
    base = rng.uniform(0.2, 0.8, n_mem + n_non)  # how easy each example is, for any model
    p_refs = np.clip(base[None, :] + rng.normal(0, 0.03, (n_refs, len(base))), 1e-3, 1)
    p = np.clip(base + rng.normal(0, 0.03, len(base)), 1e-3, 1)
    p[:n_mem] = np.clip(p[:n_mem] + 0.3, 0, 1)  # memorised
    return p, p_refs, n_mem


def _scores(p, p_refs, n_mem):
    same = np.zeros((len(p), len(p) - n_mem), bool)
    same[np.arange(n_mem, len(p)), np.arange(len(p) - n_mem)] = True
    return rmia_scores(p, p_refs, p[n_mem:], p_refs[:, n_mem:], same=same)


def test_rmia_finds_a_planted_separation_with_one_reference_model():
    p, p_refs, n_mem = _planted(n_refs=1)
    s = _scores(p, p_refs, n_mem)
    numbers, _, _ = attack_summary(s[:n_mem], s[n_mem:], "rmia")
    assert numbers["rmia_auc"] > 0.95
    assert numbers["rmia_tpr_at_1fpr"] > 0.5


def test_rmia_is_at_chance_when_the_model_is_like_its_references():
    p, p_refs, n_mem = _planted(n_refs=4)
    p[:n_mem] = p_refs[:, :n_mem].mean(0)  # nothing memorised
    s = _scores(p, p_refs, n_mem)
    assert abs(attack_summary(s[:n_mem], s[n_mem:], "rmia")[0]["rmia_auc"] - 0.5) < 0.15


def test_rmia_offline_marginal_is_the_papers_linear_approximation():
    assert marginal(np.array([[0.4], [0.6]]), a=0.3)[0] == 0.5 * (1.3 * 0.5 + 0.7)
    # the score is the share of z beaten: x with the highest ratio beats every z
    s = rmia_scores(np.array([0.9, 0.1]), np.array([[0.5, 0.5]]), np.array([0.5, 0.4, 0.3]),
                    np.array([[0.5, 0.5, 0.5]]))
    assert s[0] == 1.0 and s[1] == 0.0


def test_lira_online_separates_in_from_out():
    rng = np.random.default_rng(3)
    n_refs, n = 8, 60
    keep = keep_matrix(n_refs, n, seed=0)
    assert (keep.sum(0) == n_refs // 2).all()
    phi_refs = rng.normal(0, 0.3, (n_refs, n)) + np.where(keep, 2.0, 0.0)
    member = np.arange(n) < 20
    phi = rng.normal(0, 0.3, n) + np.where(member, 2.0, 0.0)
    s = lira_online_scores(phi, phi_refs, keep)
    assert attack_summary(s[member], s[~member], "lira_online")[0]["lira_online_auc"] > 0.95


def test_tpr_at_low_fpr_is_nan_with_a_note_when_too_few_nonmembers():
    numbers, _, notes = attack_summary(np.array([0.9, 0.8, 0.7]), np.linspace(0, 0.6, 150), "rmia")
    assert numbers["rmia_tpr_at_1fpr"] == 1.0  # 150 >= 100 non-members: 1% is readable
    assert math.isnan(numbers["rmia_tpr_at_0_1fpr"]) and math.isnan(numbers["rmia_tpr_at_0_01fpr"])
    assert any("needs ≥1,000 non-members (150 here)" in n for n in notes)
    assert any("needs ≥10,000 non-members" in n for n in notes)


def test_a_tiny_scenario_with_rmia_and_epsilon_produces_every_number_and_the_risk_table(tiny_scenario, tmp_path):
    import json

    from core.config import scenario_from_dict
    from core.metrics.risk_table import RISK_FILE
    from core.pipeline import run_scenario

    tiny_scenario["evaluation"].update(attacks=["loss", "rmia", "epsilon"], reference_models=1, epsilon_models=2,
                                       epsilon_runner="serial")
    doc = run_scenario(scenario_from_dict(tiny_scenario), workdir=tmp_path, cache=tmp_path / "cache")
    for row in doc["results"]:
        m = row["metrics"]
        for attack in ("loss", "rmia"):
            assert 0 <= m[f"{attack}_auc"] <= 1
            assert f"{attack}_tpr_at_0_01fpr" in m and math.isnan(m[f"{attack}_tpr_at_0_01fpr"])  # few non-members
        assert len(row["extras"]["attack_scores"]["rmia"]) == doc["sizes"]["forget"]
        assert any("needs ≥" in n for n in row["extras"]["attack_notes"])
    unlearned = doc["results"][-1]["metrics"]
    assert unlearned["eps_forget_quality"] == 0.0  # 2 models per side resolve no ε: the note says so
    from core.metric_words import key_of

    assert all(key_of(k) for r in doc["results"] for k in r["metrics"])  # every key the run wrote is declared
    eps = doc["epsilon"]
    assert eps["n_models"] == 2 and len(eps["epsilons"]) == doc["sizes"]["forget"] and "no ε is estimable" in eps["note"]
    assert doc["attack_costs"]["rmia"]["models"] == 1 and doc["attack_costs"]["epsilon"]["models"] == 4
    table = json.loads((tmp_path / RISK_FILE).read_text())
    assert table["attack"] == "rmia" and table["n"] == doc["sizes"]["forget"]
    first = table["rows"][0]
    assert first["rank"]["finetune"] == 1 and set(first["loss"]) == {"original", "gold", "finetune"}
    assert first["thumb"]  # a PNG thumbnail of the most exposed image
    # the dashboard's explorer ranks by the chosen model; the report carries the top risks and the ε histogram
    from core.report.risk import epsilon_section, risk_section
    from dashboard.components.risk_explorer import load_risk_table, risk_frame

    assert load_risk_table(doc, tmp_path) == table
    by_gold = risk_frame(table, "gold")
    assert list(by_gold["rank gold"]) == sorted(by_gold["rank gold"]) and by_gold["image"].iloc[:1].notna().all()
    assert set(by_gold.columns) >= {"score original", "score finetune", "loss gold", "saliency"}
    html = risk_section(doc, tmp_path)
    assert "data:image/png;base64," in html and "rank finetune" in html and "Attack compute" in html
    assert "<svg" in epsilon_section(doc) and "no ε is estimable" in epsilon_section(doc)
    # a second run of the same scenario trains no reference or model-set model again
    again = run_scenario(scenario_from_dict(tiny_scenario), workdir=tmp_path / "2", cache=tmp_path / "cache")
    assert again["attack_costs"]["rmia"]["cached"] == 1 and again["attack_costs"]["epsilon"]["cached"] == 4


def test_evaluation_attacks_are_validated_with_the_allowed_names(tiny_scenario):
    import pytest

    from core.config import ConfigError, scenario_from_dict

    tiny_scenario["evaluation"]["attacks"] = ["loss", "rmai"]
    with pytest.raises(ConfigError, match=r"evaluation.attacks: 'rmai' not allowed; allowed: .*rmia.*epsilon"):
        scenario_from_dict(tiny_scenario)
    tiny_scenario["evaluation"]["attacks"] = ["loss", "loss"]
    with pytest.raises(ConfigError, match="listed twice"):
        scenario_from_dict(tiny_scenario)
    tiny_scenario["evaluation"].pop("attacks")
    assert scenario_from_dict(tiny_scenario).evaluation.attacks == ["loss"]
