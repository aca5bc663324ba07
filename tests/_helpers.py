"""Test helpers: aligning factor solutions before comparing them with R."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment


def align_factors(ours: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column permutation and signs that map our factors onto the reference ones.

    Factors are matched by the largest total agreement of absolute loadings (Hungarian
    assignment on the absolute column correlations), then each matched column takes the sign
    that makes its loadings agree with the reference. Returns (permutation, signs): compare
    ``ours[:, perm] * signs`` with ``ref``; Phi with ``phi[perm][:, perm] * outer(signs, signs)``.
    """
    m = ref.shape[1]
    C = np.abs(np.corrcoef(ours.T, ref.T)[:m, m:])
    row, col = linear_sum_assignment(-C)
    perm = np.empty(m, dtype=int)
    perm[col] = row
    signs = np.sign((ours[:, perm] * ref).sum(axis=0))
    signs[signs == 0] = 1
    return perm, signs
