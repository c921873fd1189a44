"""95% bootstrap intervals of the final metrics, resampled over the forget set's *units*.

A unit is what a request forgets: a person for an identity request (every image of a person is drawn
or left out together, so 3 people forgotten give 3 units however many images they have), an image
otherwise. Per-image data is computed once (:func:`unit_sample`: correctness, attack losses, output
distances, from the logits the evaluation already cached); each of ``B`` resamples only re-weights
it, so 200 resamples cost a few matrix products, not 200 evaluations.

What is resampled:

- forget-set metrics (``forget_acc``, ``gold_gap``, ``activation_distance``): the forget units; the gold
  model's forget accuracy is read on the same resample, so ``gold_gap`` is a paired difference;
- the attack (``mia_acc``, ``forgetting_score``, ``mia_gold_gap``, ``nomus``): the forget units and the
  matched non-members' units (people for identity requests, images otherwise) together, each side drawn
  with replacement in the same resample;
- ``test_acc``/``top2_acc``/``fidelity``/``retain_acc``: their own images (they do not depend on the
  forget set; drawn exactly, as a multinomial over the few distinct per-image values);
- ``efficacy`` (attribute requests): the attacked test images' correctness, drawn exactly as
  Binomial(n, efficacy) / n (the attacker keeps no per-image predictions; resampling n 0/1 outcomes of
  which a share p is 1 is exactly that binomial); ``aum`` from the efficacy and fidelity resamples.

**The attack's approximation**: refitting the cross-validated logistic regression 200 times per model
would take longer than the run. On a one-dimensional loss a logistic regression is a threshold, so each
resample scores the best threshold's balanced accuracy (0.5 + Youden's J/2, either direction) and the
interval is that statistic's spread *shifted* onto the reported ``mia_acc``: ``mia_acc + (θ* − θ̂)``,
θ̂ the statistic on the full sample. The centre is the real attack, the width is the threshold's.

Derived distances (``|a − b|``) get the interval of the absolute value of the resampled signed
difference: ``[0, max]`` when the signed interval holds 0, so "no detectable gap" reads as a 0 low end.
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np
import torch

from core.data.forget import FORGET_KINDS
from core.metrics.base import NONMEMBER, Evaluation

B_DEFAULT = 200
LEVEL = 0.95
MAX_DISTINCT = 64  # per-image values with at most this many distinct levels are resampled as a multinomial


@dataclass
class UnitSample:
    """Per-image data of one evaluated model (numpy), computed once from the evaluation's cached logits."""

    forget_units: np.ndarray  # unit code 0..k-1 of each forget image
    forget_correct: np.ndarray
    gold_forget_correct: np.ndarray | None = None
    act_dist: np.ndarray | None = None  # per forget image, |softmax(model) - softmax(gold)|
    nonmember_units: np.ndarray | None = None
    member_loss: np.ndarray | None = None
    nonmember_loss: np.ndarray | None = None
    gold_member_loss: np.ndarray | None = None
    gold_nonmember_loss: np.ndarray | None = None
    test_correct: np.ndarray | None = None
    top2_correct: np.ndarray | None = None
    retain_correct: np.ndarray | None = None
    efficacy_n: int = 0  # attacked test images of an attribute request (0: not an attribute request)

    @property
    def n_units(self) -> int:
        return int(self.forget_units.max()) + 1 if len(self.forget_units) else 0


def unit_codes(ids: np.ndarray) -> np.ndarray:
    """Dense codes 0..k-1 of arbitrary unit ids (a person's number, or one per image)."""
    return np.unique(ids, return_inverse=True)[1].reshape(-1) if len(ids) else np.zeros(0, dtype=int)


def per_person(splits) -> bool:
    """Whether the units are people: the request's kind declares its unit a person (``ForgetKind.unit``)
    and the table knows whose each image is."""
    return FORGET_KINDS.get(splits.request.kind).unit == "person" and splits.table.identity is not None


def units_of(ev: Evaluation, index: torch.Tensor) -> np.ndarray:
    """Unit codes of the table rows ``index``: people for identity requests, else one unit per image."""
    if per_person(ev.splits):
        return unit_codes(ev.splits.table.identity[index].numpy())
    return np.arange(len(index))


def forget_units(splits) -> dict[str, object]:
    """What the verdict reads: the unit name and how many units the forget set has."""
    people = per_person(splits)
    count = len(torch.unique(splits.table.identity[splits.forget])) if people else len(splits.forget)
    return {"unit": "person" if people else "image", "count": int(count)}


def _loss(ev: Evaluation, split: str, model) -> np.ndarray:
    return ev.splits.task.loss(ev.logits(split, model), ev.targets(split), reduction="none").numpy()


def _correct(ev: Evaluation, split: str, model=None) -> np.ndarray:
    return ev.splits.task.correct(ev.logits(split, model), ev.targets(split)).numpy()


def unit_sample(ev: Evaluation) -> UnitSample:
    """The per-image data of ``ev``'s model (and its gold model), after :func:`core.metrics.evaluate`."""
    r, task, gold = ev.results, ev.splits.task, ev.gold
    s = UnitSample(units_of(ev, ev.index("forget")), _correct(ev, "forget"))
    if gold is not None:
        s.gold_forget_correct = _correct(ev, "forget", gold)
        if "activation_distance" in r:
            s.act_dist = (task.probs(ev.logits("forget")) - task.probs(ev.logits("forget", gold))).norm(dim=1).numpy()
    if "mia_acc" in r and np.isfinite(r["mia_acc"]):
        s.nonmember_units = units_of(ev, ev.index(NONMEMBER))
        s.member_loss, s.nonmember_loss = _loss(ev, "forget", ev.model), _loss(ev, NONMEMBER, ev.model)
        if gold is not None and "mia_gold_gap" in r:
            s.gold_member_loss, s.gold_nonmember_loss = _loss(ev, "forget", gold), _loss(ev, NONMEMBER, gold)
    if "test_acc" in r:
        s.test_correct = _correct(ev, "test")
    if "top2_acc" in r:
        s.top2_correct = task.topk_correct(ev.logits("test"), ev.targets("test"), 2).numpy()
    if "retain_acc" in r and len(ev.index("retain")):
        s.retain_correct = _correct(ev, "retain")
    if "efficacy" in r:
        limit = 4000 if ev.settings.get("attacker", "resnet") == "resnet" else ev.live_limit  # as attribute._attack
        s.efficacy_n = min(len(ev.index("test")), limit)
    return s


def unit_weights(units: np.ndarray, b: int, rng: np.random.Generator) -> np.ndarray:
    """``[b, n_images]`` weights: how often each image's unit was drawn in each of ``b`` resamples of the
    units with replacement (two images of one person always get the same weight)."""
    k = int(units.max()) + 1 if len(units) else 0
    draws = rng.integers(0, k, size=(b, k))
    counts = np.zeros((b, k))
    np.add.at(counts, (np.repeat(np.arange(b), k), draws.ravel()), 1.0)
    return counts[:, units]


def weighted_mean(w: np.ndarray, values: np.ndarray) -> np.ndarray:
    total = w.sum(1)
    return np.divide(w @ values, total, out=np.full(len(w), np.nan), where=total > 0)


def mean_replicates(values: np.ndarray, b: int, rng: np.random.Generator) -> np.ndarray:
    """``b`` bootstrap means of per-image ``values`` (images drawn with replacement), exactly: values with
    few distinct levels (0/1 correctness) are drawn as a multinomial over the levels."""
    n = len(values)
    levels, counts = np.unique(values, return_counts=True)
    if len(levels) <= MAX_DISTINCT:
        return rng.multinomial(n, counts / n, size=b) @ levels / n
    return weighted_mean(rng.multinomial(n, np.full(n, 1 / n), size=b).astype(float), values)


def threshold_accuracy(wm: np.ndarray, member: np.ndarray, wn: np.ndarray, nonmember: np.ndarray) -> np.ndarray:
    """Per resample row, the balanced accuracy of the best loss threshold (either direction), members
    weighted ``wm`` and non-members ``wn``: 0.5 + max |TPR − FPR| / 2 over cuts between distinct losses."""
    values = np.concatenate([member, nonmember])
    order = np.argsort(values, kind="stable")
    w = np.concatenate([wm / wm.sum(1, keepdims=True), -wn / wn.sum(1, keepdims=True)], axis=1)[:, order]
    diff = np.cumsum(w, axis=1)
    cut = np.append(values[order][1:] != values[order][:-1], True)  # only between distinct loss values
    return 0.5 + 0.5 * np.abs(diff[:, cut]).max(1)


def attack_replicates(s: UnitSample, w_forget: np.ndarray, w_non: np.ndarray, mia_acc: float,
                      gold: bool = False) -> np.ndarray:
    """Resampled ``mia_acc``: the threshold statistic's resamples shifted onto the reported accuracy."""
    member, nonmember = (s.gold_member_loss, s.gold_nonmember_loss) if gold else (s.member_loss, s.nonmember_loss)
    ones_m, ones_n = np.ones((1, len(member))), np.ones((1, len(nonmember)))
    full = threshold_accuracy(ones_m, member, ones_n, nonmember)[0]
    return mia_acc + threshold_accuracy(w_forget, member, w_non, nonmember) - full


def abs_interval(signed: np.ndarray, level: float = LEVEL) -> list[float]:
    """Interval of |x| from resamples of a signed x: [0, max] when the signed interval holds 0."""
    lo, hi = percentile_interval(signed, level)
    if lo <= 0 <= hi:
        return [0.0, float(max(abs(lo), abs(hi)))]
    return sorted([abs(lo), abs(hi)])


def percentile_interval(reps: np.ndarray, level: float = LEVEL) -> list[float]:
    reps = reps[np.isfinite(reps)]
    if not len(reps):
        return [float("nan"), float("nan")]
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(reps, [tail, 100 - tail])
    return [float(lo), float(hi)]


def bootstrap_intervals(s: UnitSample, metrics: dict[str, float], b: int = B_DEFAULT, seed: int = 0,
                        level: float = LEVEL, gold_mia_acc: float | None = None,
                        nomus_lambda: float = 0.5) -> dict[str, list[float]]:
    """``{metric: [lo, hi]}``, a ``level`` percentile interval over ``b`` seeded resamples, for each of
    ``metrics`` (the row's point values) that can be re-aggregated from ``s``; see the module docstring.
    ``gold_mia_acc`` is the gold model's reported attack accuracy (for ``mia_gold_gap``), ``nomus_lambda``
    the run's λ (for ``nomus``)."""
    rng = np.random.default_rng(seed)
    reps: dict[str, np.ndarray] = {}
    signed: dict[str, np.ndarray] = {}
    if len(s.forget_units):
        wf = unit_weights(s.forget_units, b, rng)
        reps["forget_acc"] = weighted_mean(wf, s.forget_correct)
        if s.gold_forget_correct is not None and "gold_gap" in metrics:
            signed["gold_gap"] = reps["forget_acc"] - weighted_mean(wf, s.gold_forget_correct)
        if s.act_dist is not None:
            reps["activation_distance"] = weighted_mean(wf, s.act_dist)
        if s.member_loss is not None and len(s.nonmember_loss):
            wn = unit_weights(s.nonmember_units, b, rng)
            mia = attack_replicates(s, wf, wn, metrics["mia_acc"])
            reps["mia_acc"] = mia
            signed["forgetting_score"] = mia - 0.5
            if s.gold_member_loss is not None and gold_mia_acc is not None and np.isfinite(gold_mia_acc):
                signed["mia_gold_gap"] = mia - attack_replicates(s, wf, wn, gold_mia_acc, gold=True)
    for name, values in (("test_acc", s.test_correct), ("top2_acc", s.top2_correct), ("retain_acc", s.retain_correct)):
        if values is not None and len(values):
            reps[name] = mean_replicates(values, b, rng)
    _derived(reps, metrics, b, rng, s.efficacy_n, nomus_lambda)
    out = {k: percentile_interval(np.clip(v, 0.0, 1.0) if k != "activation_distance" else v, level)
           for k, v in reps.items() if k in metrics}
    out.update({k: abs_interval(v, level) for k, v in signed.items() if k in metrics})
    return out


def _derived(reps: dict[str, np.ndarray], metrics: dict[str, float], b: int, rng: np.random.Generator,
             efficacy_n: int, lam: float) -> None:
    """NoMUS from the attack and test resamples; efficacy (binomial), fidelity and AUM for attribute rows."""
    if "nomus" in metrics and "mia_acc" in reps and "test_acc" in reps:
        reps["nomus"] = lam * reps["test_acc"] + (1 - lam) * (1 - 2 * np.abs(np.clip(reps["mia_acc"], 0, 1) - 0.5))
    if efficacy_n and np.isfinite(metrics.get("efficacy", np.nan)):
        reps["efficacy"] = rng.binomial(efficacy_n, min(max(metrics["efficacy"], 0.0), 1.0), size=b) / efficacy_n
        if "test_acc" in reps:
            reps["fidelity"] = reps["test_acc"]
            eff, fid = 1 - reps["efficacy"], reps["test_acc"]
            reps["aum"] = np.divide(2 * eff * fid, eff + fid, out=np.zeros(b), where=eff + fid > 0)


def evaluation_intervals(ev: Evaluation, metrics: dict[str, float], b: int = B_DEFAULT, seed: int = 0,
                         gold_mia_acc: float | None = None) -> dict[str, list[float]]:
    """The intervals of an evaluated model's final metrics (what the pipeline stores as ``metric_ci``).

    ``gold_mia_acc``: the gold row's ``mia_acc`` when already known (the pipeline scores gold first);
    otherwise the gold model's attack is rerun here, as ``mia_gold_gap`` ran it (about a second)."""
    from core.metrics.mia import attack

    s = unit_sample(ev)
    gold_mia = None
    if s.gold_member_loss is not None:  # the gold model's attack, as mia_gold_gap computed it
        gold_mia = (metrics["mia_acc"] if ev.gold is ev.model else gold_mia_acc if gold_mia_acc is not None
                    else attack(s.gold_member_loss, s.gold_nonmember_loss).accuracy)
    lam = float(ev.settings.get("nomus_lambda", 0.5))
    return bootstrap_intervals(s, metrics, b, seed, gold_mia_acc=gold_mia, nomus_lambda=lam)
