"""Keying: reverse-keyed codes and which scales are the most specific ones.

A reverse-keyed item on a scale of consecutive codes ``min..max`` is recoded as
:math:`x' = \\min + \\max - x` (psych's ``reverse.code`` with ``mini``/``maxi``), so 1 <-> 5 and
2 <-> 4 on a 1-5 scale. Every place that reverses codes calls :func:`reverse_key`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from .model import ScoringRule


def reverse_key(x, lo, hi, signs=None):
    """Reverse-keyed codes: ``lo + hi - x`` where ``signs`` is negative (everywhere if ``signs`` is None).

    Parameters
    ----------
    x : array_like
        Codes, one column per item (or a single value).
    lo, hi : array_like
        Lowest and highest code of each item's response scale.
    signs : array_like of {+1, -1}, optional
        Keying per item; only items with a negative sign are reversed.

    Returns
    -------
    numpy.ndarray
        The codes with reverse-keyed items recoded (missing stays missing).

    Notes
    -----
    R: ``psych::reverse.code(keys = c(-1, 1), items = x, mini = lo, maxi = hi)``.

    Examples
    --------
    >>> reverse_key([[1, 2], [5, 4]], lo=[1, 1], hi=[5, 5], signs=[-1, 1]).tolist()
    [[5.0, 2.0], [1.0, 4.0]]
    >>> float(reverse_key(2, 1, 4))
    3.0
    """
    x = np.asarray(x, dtype=float)
    flipped = np.asarray(lo, dtype=float) + np.asarray(hi, dtype=float) - x
    if signs is None:
        return flipped
    return np.where(np.asarray(signs) < 0, flipped, x)


def leaf_scales(scoring: Sequence["ScoringRule"]) -> list["ScoringRule"]:
    """The most specific scales: those whose items do not include all items of another scale.

    A total over facets (``costs`` = ``cost_time`` + ``cost_tech`` + ``cost_selfeff``) is not a
    leaf; HTMT, the measurement model for CR/AVE and Fornell-Larcker use the leaves, as one
    would write the CFA by hand.

    Parameters
    ----------
    scoring : sequence of ScoringRule
        The scales, in questionnaire order.

    Returns
    -------
    list of ScoringRule
        The leaves, in the same order.

    Examples
    --------
    >>> from psychometrics.instruments import ScoringRule
    >>> rule = lambda i, items: ScoringRule(i, {}, "mean", items, {"count": 1}, "x")
    >>> [r.id for r in leaf_scales([rule("all", ("a", "b", "c", "d")), rule("ab", ("a", "b")), rule("cd", ("c", "d"))])]
    ['ab', 'cd']
    """
    sets = {r.id: set(r.items) for r in scoring}
    return [r for r in scoring if not any(o != r.id and sets[o] < sets[r.id] for o in sets)]


def facets(scoring: Sequence["ScoringRule"]) -> dict[str, list[str]]:
    """Per scale that contains others, its largest contained scales (its facets), e.g. for
    omega hierarchical: ``{"costs": ["cost_time", "cost_tech", "cost_selfeff"]}``.

    >>> from psychometrics.instruments import ScoringRule
    >>> rule = lambda i, items: ScoringRule(i, {}, "mean", items, {"count": 1}, "x")
    >>> facets([rule("all", ("a", "b", "c", "d")), rule("ab", ("a", "b")), rule("cd", ("c", "d"))])
    {'all': ['ab', 'cd']}
    """
    sets = {r.id: set(r.items) for r in scoring}
    out: dict[str, list[str]] = {}
    for r in scoring:
        inner = [o for o in sets if o != r.id and sets[o] < sets[r.id]]
        top = [o for o in inner if not any(o2 != o and sets[o] < sets[o2] for o2 in inner)]
        if top:
            out[r.id] = top
    return out
