"""Filter groups of a conv layer: similarity, the grouping loss, the eigengap choice of K, clustering.

Feature unlearning without annotations (Xu et al., after Shen et al.'s icCNN) makes the filters of
one high conv layer fall into groups that fire on the same image part. Filter similarity is
``s_ij = rho_ij + 1`` (Pearson correlation of the two filters' activations over a batch, shifted to
be non-negative); the grouping loss is ``-sum_k S_k^within / S_k^all``; the number of groups K comes
from the eigengap of the similarity graph's normalised Laplacian, and the filters are partitioned
by scikit-learn's spectral clustering on the precomputed affinity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


def filter_similarity(activations: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """``s_ij = rho_ij + 1`` for the filters of ``activations [n, d, h, w]`` (differentiable).

    Each filter's response over the batch and all positions is one variable; a filter that never
    varies (a dead ReLU) correlates 0 with everything rather than producing NaN.
    """
    if activations.ndim != 4:
        raise ValueError(f"filter_similarity: expected activations [n, d, h, w], got {tuple(activations.shape)}")
    d = activations.shape[1]
    x = activations.transpose(0, 1).reshape(d, -1)
    x = x - x.mean(1, keepdim=True)
    x = x / (x.norm(dim=1, keepdim=True) + eps)
    return (x @ x.T).clamp(-1.0, 1.0) + 1.0


def grouping_loss(similarity: torch.Tensor, groups: torch.Tensor) -> torch.Tensor:
    """``-sum_k (sum_{i,j in A_k} s_ij) / (sum_{i in A_k, j} s_ij)`` for the partition ``groups [d]``."""
    k = int(groups.max()) + 1
    onehot = torch.nn.functional.one_hot(groups.long(), k).to(similarity.dtype)  # [d, k]
    within = torch.einsum("ik,ij,jk->k", onehot, similarity, onehot)
    to_all = onehot.T @ similarity.sum(1)
    return -(within / to_all.clamp_min(1e-12)).sum()


@dataclass
class Eigengap:
    """The sorted Laplacian spectrum, its gaps (``gaps[k-1] = lambda_{k+1} - lambda_k``), the K
    values of the largest gaps (best first) and the chosen K."""

    eigenvalues: np.ndarray
    gaps: np.ndarray
    top_k: list[int]
    k: int

    def to_dict(self) -> dict:
        return {"eigenvalues": self.eigenvalues.tolist(), "gaps": self.gaps.tolist(),
                "top_k": list(self.top_k), "k": int(self.k)}


def laplacian_spectrum(similarity: np.ndarray) -> np.ndarray:
    """Eigenvalues, sorted ascending, of the normalised Laplacian of the similarity graph."""
    from scipy.sparse.csgraph import laplacian

    s = np.array(similarity, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] != s.shape[1]:
        raise ValueError(f"eigengap: the similarity must be a square matrix, got shape {s.shape}")
    s = (s + s.T) / 2
    np.fill_diagonal(s, 0.0)
    return np.sort(np.linalg.eigvalsh(laplacian(s, normed=True)))


def eigengap(similarity: np.ndarray, top: int = 5, min_groups: int = 2, max_groups: int | None = None,
             min_ratio: float = 0.5) -> Eigengap:
    """Choose K from the gaps between consecutive sorted Laplacian eigenvalues.

    The paper keeps the K of the ``top`` largest gaps and takes the largest of them (more groups
    means more patterns to choose from). The largest of five is often a tiny gap in the noisy tail
    of the spectrum, so here a candidate only counts when its gap is at least ``min_ratio`` of the
    largest gap in ``[min_groups, max_groups]`` (K = 1, one group for all filters, is excluded by
    default: s = rho + 1 makes every graph connected, so the first gap is always large).
    """
    values = laplacian_spectrum(similarity)
    n = len(values)
    if n < max(3, min_groups + 1):
        raise ValueError(f"eigengap: {n} filters are too few to group; use a layer with more filters")
    gaps = np.diff(values)
    hi = min(max_groups or n - 1, n - 1)
    allowed = np.arange(min_groups, hi + 1)  # candidate K values
    order = allowed[np.argsort(-gaps[allowed - 1], kind="stable")][:top]
    best = gaps[order[0] - 1]
    strong = [int(k) for k in order if gaps[k - 1] >= min_ratio * best]
    return Eigengap(values, gaps, [int(k) for k in order], max(strong))


def spectral_groups(similarity: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Partition the filters into ``k`` groups (sklearn spectral clustering, precomputed affinity).

    Groups are renumbered by their lowest filter index, so the same partition always gets the same
    labels whatever the clustering's internal order.
    """
    from sklearn.cluster import SpectralClustering

    s = np.array(similarity, dtype=np.float64)
    s = np.clip((s + s.T) / 2, 0.0, None)
    labels = SpectralClustering(n_clusters=k, affinity="precomputed", random_state=seed,
                                assign_labels="cluster_qr").fit_predict(s)
    first = {}
    for i, g in enumerate(labels):
        first.setdefault(int(g), len(first))
    return np.array([first[int(g)] for g in labels], dtype=np.int64)


def group_order(groups: np.ndarray) -> np.ndarray:
    """Filter indices sorted by group (stable), to draw the similarity matrix block by block."""
    return np.argsort(groups, kind="stable")
