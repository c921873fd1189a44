"""AUM and normalised AUM against hand-computed values (and the paper's own Table 1 rows)."""

from __future__ import annotations

import pytest

from core.metrics.attribute import aum, aum_normalized, attribute_scores, harmonic_mean, normalized_efficacy
from core.metrics.attacker import AttackResult


@pytest.mark.parametrize("efficacy, fidelity, expected", [
    (0.1352, 0.7950, 0.8284),  # Fairface ResNet-18, attribute unlearning
    (0.3107, 0.8330, 0.7544),  # Fairface ResNet-18, Baseline 1
    (0.1095, 0.9351, 0.9123),  # CIFAR-10 ResNet-18, attribute unlearning
])
def test_aum_reproduces_the_papers_table(efficacy, fidelity, expected):
    assert aum(efficacy, fidelity) == pytest.approx(expected, abs=5e-5)


def test_aum_by_hand():
    # 1 - 0.4 = 0.6; HM(0.6, 0.9) = 2 * 0.54 / 1.5 = 0.72
    assert aum(0.4, 0.9) == pytest.approx(0.72)
    assert harmonic_mean(0.0, 0.0) == 0.0
    assert aum(1.0, 0.9) == 0.0


def test_normalized_aum_by_hand():
    # efficacy 0.75 with chance 0.5: half of the above-chance range is left -> score 0.5; HM(0.5, 0.9) = 0.9 / 1.4
    assert normalized_efficacy(0.75, 0.5) == pytest.approx(0.5)
    assert aum_normalized(0.75, 0.5, 0.9) == pytest.approx(0.9 / 1.4)
    # at chance the removal counts as complete: HM(1, 0.8) = 1.6 / 1.8
    assert aum_normalized(0.7, 0.7, 0.8) == pytest.approx(1.6 / 1.8)
    # below chance is clipped to complete removal, a perfect attacker to none
    assert aum_normalized(0.6, 0.7, 0.8) == pytest.approx(1.6 / 1.8)
    assert aum_normalized(1.0, 0.7, 0.8) == 0.0
    # plain AUM caps a perfect removal of a balanced binary attribute at HM(0.5, f)
    assert aum(0.5, 0.8) == pytest.approx(0.8 / 1.3)


def test_scores_bundle_all_five_names():
    s = attribute_scores(AttackResult(efficacy=0.75, chance=0.5), fidelity=0.9)
    assert set(s) == {"efficacy", "efficacy_chance", "fidelity", "aum", "aum_normalized"}
    assert s["aum"] == pytest.approx(aum(0.75, 0.9)) and s["aum_normalized"] == pytest.approx(0.9 / 1.4)
