"""The two-level FIML likelihood (sem/twolevel_missing.py) against the complete-data one on
complete data, and its analytic derivatives against central differences with missing answers;
a check independent of lavaan (tests/sem/test_twolevel.py compares whole FIML fits with it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from psychometrics.exceptions import EstimationError, SEMWarning
from psychometrics.sem.twolevel import minus2loglik
from psychometrics.sem.twolevel_missing import minus2loglik_missing, missing_cluster_stats
from psychometrics.sem.twolevel_stats import cluster_stats

from ..conftest import ROOT

NAMES = ["y1", "y2", "y3", "y4"]
LEVELS = [NAMES, NAMES[:3]]          # y4 within-only


def _demo(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    d = pd.read_csv(ROOT / "tests" / "reference" / "data" / "demo_twolevel.csv")
    return d[names].to_numpy(), d["cluster"].to_numpy() - 1


@pytest.fixture(scope="module")
def data():
    return _demo(NAMES)


def _point(seed=0):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    Sb = B @ B.T / 8
    Sb[3, :] = Sb[:, 3] = 0
    return A @ A.T / 4 + np.eye(4), np.array([0, 0, 0, 0.1]), Sb, np.array([0.1, -0.1, 0.05, 0])


def test_equals_the_complete_data_likelihood_on_complete_data(data):
    X, codes = data
    full = minus2loglik(cluster_stats(X, codes, NAMES, LEVELS, [[], []]), *_point())
    fiml = minus2loglik_missing(missing_cluster_stats(X, codes, NAMES, LEVELS), *_point())
    assert fiml[0] == pytest.approx(full[0], rel=1e-13)
    for a, b in zip(full[1:], fiml[1:]):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-9)


def test_derivatives_match_central_differences(data):
    X, codes = data
    Xm = X.copy()
    Xm[np.random.default_rng(3).random(X.shape) < 0.15] = np.nan
    st = missing_cluster_stats(Xm, codes, NAMES, LEVELS)
    Sw, mw, Sb, mb = _point(1)
    F, Ww, Wb, bw, bb = minus2loglik_missing(st, Sw, mw, Sb, mb)
    h = 1e-5      # F is about 2e4: rounding of the differences about 2e-7, truncation O(h^2)
    f = lambda *a: minus2loglik_missing(st, *a, grad=False)  # noqa: E731
    for i, j in [(0, 0), (0, 1), (2, 3), (3, 3)]:
        E = np.zeros((4, 4))
        E[i, j] = E[j, i] = h
        k = 1 if i == j else 2
        assert (f(Sw + E, mw, Sb, mb) - f(Sw - E, mw, Sb, mb)) / (2 * h) == pytest.approx(k * Ww[i, j], rel=1e-6, abs=1e-5)
        if i < 3 and j < 3:
            assert (f(Sw, mw, Sb + E, mb) - f(Sw, mw, Sb - E, mb)) / (2 * h) == pytest.approx(k * Wb[i, j], rel=1e-6, abs=1e-5)
    e = np.zeros(4)
    e[1] = h
    assert (f(Sw, mw, Sb, mb + e) - f(Sw, mw, Sb, mb - e)) / (2 * h) == pytest.approx(bb[1], rel=1e-6, abs=1e-5)


def test_not_positive_definite_is_refused(data):
    X, codes = data
    st = missing_cluster_stats(X, codes, NAMES, LEVELS)
    Sw, mw, Sb, mb = _point()
    Sb = Sb.copy()
    Sb[0, 0] = Sb[1, 1] = -5.0          # two negative directions: det(I + A Sigma_B) can stay positive
    assert minus2loglik_missing(st, Sw, mw, Sb, mb) is None


ZNAMES = ["y1", "y2", "y3", "w1", "w2"]
ZLEVELS = [["y1", "y2", "y3"], ["y1", "y2", "w1", "w2"]]     # y3 within-only, w1 and w2 cluster-level


@pytest.fixture(scope="module")
def zdata():
    return _demo(ZNAMES)


def _zpoint(seed=0):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    Sw = A @ A.T / 4 + np.eye(5)
    Sw[3:, :] = Sw[:, 3:] = 0
    Sb = B @ B.T / 8 + 0.2 * np.eye(5)
    Sb[2, :] = Sb[:, 2] = 0
    return Sw, np.array([0, 0, 0.1, 0, 0]), Sb, np.array([0.1, -0.1, 0, 0.2, -0.3])


def test_cluster_level_variables_equal_the_complete_data_likelihood(zdata):
    X, codes = zdata
    full = minus2loglik(cluster_stats(X, codes, ZNAMES, ZLEVELS, [[], []]), *_zpoint())
    st = missing_cluster_stats(X, codes, ZNAMES, ZLEVELS)
    fiml = minus2loglik_missing(st, *_zpoint())
    assert fiml[0] == pytest.approx(full[0], rel=1e-13)
    for a, b in zip(full[1:], fiml[1:]):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-8)
    assert st.P == cluster_stats(X, codes, ZNAMES, ZLEVELS, [[], []]).P


def test_cluster_level_derivatives_match_central_differences(zdata):
    X, codes = zdata
    Xm = X.copy()
    rng = np.random.default_rng(5)
    Xm[:, :3][rng.random((len(X), 3)) < 0.15] = np.nan
    gone = np.isin(codes, rng.choice(codes.max() + 1, 25, replace=False))    # some clusters miss w1, some w2
    Xm[gone & (codes % 2 == 0), 3] = np.nan
    Xm[gone & (codes % 3 == 0), 4] = np.nan
    st = missing_cluster_stats(Xm, codes, ZNAMES, ZLEVELS)
    assert len(st.zpatterns) >= 3
    Sw, mw, Sb, mb = _zpoint(2)
    F, Ww, Wb, bw, bb = minus2loglik_missing(st, Sw, mw, Sb, mb)
    h = 1e-5
    f = lambda *a: minus2loglik_missing(st, *a, grad=False)  # noqa: E731
    assert f(Sw, mw, Sb, mb) == pytest.approx(F, rel=1e-14)
    for i, j in [(0, 0), (0, 1), (1, 2), (2, 2)]:
        E = np.zeros((5, 5))
        E[i, j] = E[j, i] = h
        k = 1 if i == j else 2
        assert (f(Sw + E, mw, Sb, mb) - f(Sw - E, mw, Sb, mb)) / (2 * h) == pytest.approx(k * Ww[i, j], rel=1e-6, abs=1e-5)
    for i, j in [(0, 0), (0, 1), (0, 3), (1, 4), (3, 3), (3, 4), (4, 4)]:
        E = np.zeros((5, 5))
        E[i, j] = E[j, i] = h
        k = 1 if i == j else 2
        assert (f(Sw, mw, Sb + E, mb) - f(Sw, mw, Sb - E, mb)) / (2 * h) == pytest.approx(k * Wb[i, j], rel=1e-6, abs=1e-5)
    for i in (0, 3, 4):
        e = np.zeros(5)
        e[i] = h
        assert (f(Sw, mw, Sb, mb + e) - f(Sw, mw, Sb, mb - e)) / (2 * h) == pytest.approx(bb[i], rel=1e-6, abs=1e-5)


def test_checks_of_the_complete_data_path_hold_with_missing_answers(zdata):
    X, codes = zdata
    Xm = X.copy()
    Xm[::7, 0] = np.nan
    bad = Xm.copy()
    bad[:, 3] += np.arange(len(X)) * 1e-3            # w1 varies within clusters: its cluster means are used
    with pytest.warns(SEMWarning, match="w1 named only at level 2 but not constant"):
        missing_cluster_stats(bad, codes, ZNAMES, ZLEVELS)
    flat = Xm.copy()
    flat[:, 1] = X[:, 3]                            # y2 constant within clusters, declared at level 1
    with pytest.raises(EstimationError, match="y2: no variance within clusters"):
        missing_cluster_stats(flat, codes, ZNAMES, ZLEVELS)
    few = codes % 3
    with pytest.raises(EstimationError, match="3 clusters for 4 level-2 variables"):
        missing_cluster_stats(Xm, few, ZNAMES, ZLEVELS)
