"""EOD / DPD / APS on a hand-made prediction table: the numbers fairlearn defines."""

import numpy as np
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from core.metrics.fairness import fairness_scores

# group a: 6 samples, group b: 6 samples
Y_TRUE = np.array([1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0])
Y_PRED = np.array([1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0])
GROUP = np.array(["a"] * 6 + ["b"] * 6)


def test_hand_computed_values_match_fairlearn():
    f = fairness_scores(Y_TRUE, Y_PRED, GROUP)
    # selection rate a = 4/6, b = 1/6 -> DPD = 0.5
    assert f.dpd == pytest.approx(0.5)
    # TPR a = 3/3, b = 1/3 -> 2/3; FPR a = 1/3, b = 0 -> 1/3; EOD = max = 2/3
    assert f.eod == pytest.approx(2 / 3)
    assert f.dpd == pytest.approx(demographic_parity_difference(Y_TRUE, Y_PRED, sensitive_features=GROUP))
    assert f.eod == pytest.approx(equalized_odds_difference(Y_TRUE, Y_PRED, sensitive_features=GROUP))
    assert np.isnan(f.aps)


def test_average_precision_and_fair_predictions():
    fair = fairness_scores(Y_TRUE, Y_TRUE, GROUP, y_score=Y_TRUE.astype(float))
    assert fair.eod == 0 and fair.dpd == 0 and fair.aps == pytest.approx(1.0)


def test_bad_input_says_what_is_wrong():
    with pytest.raises(ValueError, match="one value per sample"):
        fairness_scores(Y_TRUE, Y_PRED[:-1], GROUP)
    with pytest.raises(ValueError, match="single value"):
        fairness_scores(Y_TRUE, Y_PRED, np.zeros(12))


def test_label_correlation_by_hand():
    import torch

    from core.bench.feature_audit import label_correlation
    from core.data.forget import ForgetRequest
    from core.data.splits import make_splits
    from core.data.table import ImageTable

    n = 40
    a = torch.tensor([0, 1] * (n // 2))
    table = ImageTable("t", torch.zeros((n, 3, 4, 4), dtype=torch.uint8), {"a": a, "same": a.clone(), "flip": 1 - a,
                       "y": torch.tensor([0, 0, 1, 1] * (n // 4))}, {k: ["no", "yes"] for k in ("a", "same", "flip", "y")})
    sp = make_splits(table, "y", ForgetRequest(kind="attribute", column="a", value=1), seed=0)
    assert label_correlation(sp, "a", "same") == pytest.approx(1.0)
    assert label_correlation(sp, "a", "flip") == pytest.approx(-1.0)
