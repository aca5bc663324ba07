"""The saturated FIML moments, model and information are memoized by the data's content (the
steps of an invariance sequence share them): a hit gives the same numbers and repeats the
warnings of the first computation; different data miss."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from psychometrics.exceptions import PsychometricsWarning
from psychometrics.sem import missing
from psychometrics.sem.model import Block


def _blocks(seed: int) -> list[Block]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(200, 3)) @ np.array([[1, .5, .2], [0, 1, .4], [0, 0, 1]])
    X[:50, 2] = np.nan
    out = []
    for rows, obs in ((slice(0, 50), np.array([0, 1])), (slice(50, 200), np.array([0, 1, 2]))):
        x = X[rows][:, obs]
        out.append(Block(0, obs, len(x), len(x) / 200, np.cov(x, rowvar=False, ddof=0), x.mean(axis=0)))
    return out


def test_hit_returns_the_same_estimates_and_copies():
    missing._EM_CACHE.clear()
    mu1, S1, ll1 = missing.em_saturated(_blocks(1), 3)
    mu1[0] = 99.0                                          # the caller's copy, not the cache
    mu2, S2, ll2 = missing.em_saturated(_blocks(1), 3)
    assert ll1 == ll2 and mu2[0] != 99.0 and np.array_equal(S1, S2)
    assert len(missing._EM_CACHE) == 1
    missing.em_saturated(_blocks(2), 3)                    # other data: computed
    assert len(missing._EM_CACHE) == 2


def test_warnings_are_repeated_on_a_hit():
    missing._EM_CACHE.clear()
    for _ in range(2):
        with pytest.warns(PsychometricsWarning, match="did not converge"):
            missing.em_saturated(_blocks(3), 3, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        missing.em_saturated(_blocks(3), 3)                # another max_iter is another key
