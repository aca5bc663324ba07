"""Careless-responding indices against direct computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import mahalanobis as scipy_mahalanobis

from psychometrics.scoring.careless import even_odd, irv, longstring, mahalanobis, psychsyn, rowwise_corr


def test_longstring_hand_values():
    X = np.array([[1, 1, 2, 2, 2, 2, 3], [5, 5, 5, 5, 5, 5, 5], [1, np.nan, 1, 1, np.nan, np.nan, np.nan],
                  [np.nan] * 7])
    out = longstring(X)
    assert out[:3].tolist() == [4, 7, 2] and np.isnan(out[3])


def test_irv_is_row_sd_with_n_minus_1():
    rng = np.random.default_rng(3)
    X = rng.integers(1, 6, (50, 9)).astype(float)
    X[rng.random(X.shape) < 0.2] = np.nan
    want = [np.std(r[~np.isnan(r)], ddof=1) if (~np.isnan(r)).sum() > 1 else np.nan for r in X]
    np.testing.assert_allclose(irv(X), want, rtol=1e-12)


def test_mahalanobis_matches_scipy_on_complete_data():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 5)) @ rng.normal(size=(5, 5))
    d2, p = mahalanobis(X)
    VI = np.linalg.inv(np.cov(X, rowvar=False))
    mu = X.mean(axis=0)
    want = [scipy_mahalanobis(x, mu, VI) ** 2 for x in X]
    np.testing.assert_allclose(d2, want, rtol=1e-9)
    assert ((p > 0) & (p < 1)).all()


def test_mahalanobis_uses_answered_items_for_incomplete_rows():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 4))
    X[0, 1] = np.nan
    d2, _ = mahalanobis(X)
    complete = ~np.isnan(X).any(axis=1)
    S = np.cov(X[complete], rowvar=False)
    mu = X[complete].mean(axis=0)
    obs = [0, 2, 3]
    diff = X[0, obs] - mu[obs]
    assert d2[0] == pytest.approx(diff @ np.linalg.inv(S[np.ix_(obs, obs)]) @ diff, rel=1e-10)


def test_rowwise_corr_matches_numpy():
    rng = np.random.default_rng(6)
    A, B = rng.normal(size=(20, 6)), rng.normal(size=(20, 6))
    want = [np.corrcoef(a, b)[0, 1] for a, b in zip(A, B)]
    np.testing.assert_allclose(rowwise_corr(A, B), want, rtol=1e-10)


def test_even_odd_and_psychsyn_separate_random_from_consistent_responders():
    rng = np.random.default_rng(7)
    n, scales = 400, 5
    f = rng.normal(size=(n, scales))
    X = np.repeat(f, 4, axis=1) + 0.4 * rng.normal(size=(n, scales * 4))
    X[:20] = rng.normal(size=(20, scales * 4)) * X.std()
    idx = [np.arange(s * 4, s * 4 + 4) for s in range(scales)]
    eo = even_odd(X, idx)
    assert np.nanmean(eo[20:]) > 0.8 and np.nanmean(eo[:20]) < 0.3
    ps, npairs = psychsyn(X, 0.6)
    assert npairs == scales * 6
    # consistent responders: population r = 1 / (1 + 0.4^2) = .86 per person; with only five distinct
    # factor values per person the sample r is biased down (about .77 here). Random responders: about 0.
    assert np.nanmean(ps[20:]) > 0.7 and np.nanmean(ps[:20]) < 0.3
    assert np.isnan(even_odd(X, idx[:2])).all()  # fewer than three scales: not computed


def test_mahalanobis_schur_complement_equals_submatrix_inverse_on_messy_missingness():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(400, 7)) @ rng.normal(size=(7, 7))
    X[rng.random(X.shape) < 0.15] = np.nan
    X[0] = np.nan  # a respondent with no answers gets no distance
    d2, p = mahalanobis(X)
    c = ~np.isnan(X).any(axis=1)
    mu, S = X[c].mean(axis=0), np.cov(X[c], rowvar=False)
    for i in range(1, len(X)):
        o = ~np.isnan(X[i])
        d = X[i, o] - mu[o]
        assert d2[i] == pytest.approx(d @ np.linalg.inv(S[np.ix_(o, o)]) @ d, rel=1e-9)
    assert np.isnan(d2[0]) and np.isnan(p[0])


def test_pairwise_corr_matches_pandas():
    import pandas as pd

    from psychometrics.scoring.careless import pairwise_corr

    rng = np.random.default_rng(8)
    X = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6)) + 3
    X[rng.random(X.shape) < 0.2] = np.nan
    np.testing.assert_allclose(pairwise_corr(X), pd.DataFrame(X).corr().to_numpy(), rtol=1e-10, atol=1e-12)


def test_pair_corr_equals_gathered_rowwise_corr_with_missing():
    from psychometrics.scoring.careless import pair_corr

    rng = np.random.default_rng(9)
    R = rng.integers(1, 6, (500, 10)).astype(float)
    R[rng.random(R.shape) < 0.15] = np.nan
    pairs = [(0, 1), (2, 5), (3, 4), (6, 9), (7, 8), (1, 2)]
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    np.testing.assert_allclose(pair_corr(R, pairs), rowwise_corr(R[:, a], R[:, b]), rtol=1e-9, atol=1e-12)
