"""Factorability of a correlation matrix: Kaiser-Meyer-Olkin (KMO) measure of sampling adequacy
and Bartlett's test of sphericity. R: ``psych::KMO``, ``psych::cortest.bartlett``."""

from __future__ import annotations

import numpy as np

from ...exceptions import EstimationError


def kmo(R: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item.

    .. math:: MSA_j = \frac{\\sum_{i\ne j} r_{ij}^2}{\\sum_{i\ne j} r_{ij}^2 + \\sum_{i\ne j} q_{ij}^2}

    with :math:`q` the partial correlations (from :math:`R^{-1}`); the overall value sums over all
    pairs. Works on any correlation matrix, polychoric included.

    Parameters
    ----------
    R : ndarray
        A correlation matrix.

    Returns
    -------
    overall : float
        The overall MSA.
    items : ndarray
        The MSA of each item.

    Raises
    ------
    EstimationError
        The matrix is singular (an item duplicates others).

    Notes
    -----
    R: ``psych::KMO(R)`` (``MSA``, ``MSAi``).

    References
    ----------
    Kaiser, H. F. (1974). An index of factorial simplicity. *Psychometrika*, 39, 31-36.

    Examples
    --------
    >>> R = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> round(kmo(R)[0], 4)   # R: psych::KMO(R)$MSA
    0.6279
    """
    try:
        Q = np.linalg.inv(R)
    except np.linalg.LinAlgError:
        raise EstimationError("KMO: the correlation matrix is singular (an item is a linear combination "
                              "of others); leave out duplicated or constant items") from None
    d = 1 / np.sqrt(np.diag(Q))
    P = Q * np.outer(d, d)
    np.fill_diagonal(P, 0)
    r = R.copy()
    np.fill_diagonal(r, 0)
    r2, q2 = (r * r).sum(axis=0), (P * P).sum(axis=0)
    return float(r2.sum() / (r2.sum() + q2.sum())), r2 / (r2 + q2)


def bartlett(R: np.ndarray, n: int) -> tuple[float, int, float]:
    r"""Bartlett's test that a correlation matrix is an identity matrix.

    .. math:: \\chi^2 = -\\Bigl(n - 1 - \frac{2p + 5}{6}\\Bigr)\\log|R|, \\qquad df = \frac{p(p-1)}{2}

    Parameters
    ----------
    R : ndarray
        A p x p correlation matrix.
    n : int
        The number of respondents it was computed from.

    Returns
    -------
    chisq : float
    df : int
    pvalue : float

    Raises
    ------
    EstimationError
        R is not positive definite.

    Notes
    -----
    R: ``psych::cortest.bartlett(R, n)``.

    References
    ----------
    Bartlett, M. S. (1951). The effect of standardization on a chi-square approximation in factor
    analysis. *Biometrika*, 38, 337-344.

    Examples
    --------
    >>> R = np.array([[1, .5, .4], [.5, 1, .3], [.4, .3, 1]])
    >>> chisq, df, p = bartlett(R, 100)   # R: psych::cortest.bartlett(R, 100)$chisq = 46.449
    >>> round(chisq, 3), df, p < 0.001
    (46.449, 3, True)
    """
    from scipy import special

    p = R.shape[0]
    sign, logdet = np.linalg.slogdet(R)
    if sign <= 0:
        raise EstimationError("Bartlett's test: the correlation matrix is not positive definite")
    chisq = -(n - 1 - (2 * p + 5) / 6) * logdet
    df = p * (p - 1) // 2
    return float(chisq), df, float(special.chdtrc(df, chisq))


