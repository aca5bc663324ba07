r"""The Hessian of the FIML discrepancy with respect to the moments (vech Sigma, mu), in closed form.

Per missing-data pattern b (observed variables o, weight :math:`w_b = n_b/N`, pattern moments
:math:`S_b, \bar x_b`) the discrepancy is :math:`f_b = \log|\Sigma_{oo}| + \operatorname{tr}(P T)`
with :math:`P = \Sigma_{oo}^{-1}`, :math:`d = \bar x_b - \mu_o`, :math:`T = S_b + d d'`. Its second
derivatives, with :math:`B = P T P` and :math:`g_{X,Y}(\Sigma_1, \Sigma_2) = \operatorname{tr}(X \Sigma_1 Y \Sigma_2)`:

.. math:: \partial^2 f/\partial\Sigma_1\partial\Sigma_2 = -g_{P,P} + 2 g_{P,B},\quad
          \partial^2 f/\partial\mu\,\partial\Sigma = 2\,(Pd)'\Sigma P,\quad
          \partial^2 f/\partial\mu\partial\mu' = 2P.

When the moments are linear in the parameters (the saturated model, whose parameters are the
means and covariances themselves) the unit observed information is exactly
:math:`\tfrac12 \sum_b w_b \Delta' H_b \Delta`; the Zhang-Savalei corrected fit measures need it
for the saturated model, where central differences of the gradient cost 2k FIML gradients
(k = 377 for 26 variables: 24 s of the report's 33 s). R: ``lavaan:::lav_mvnorm_missing_information_observed_data``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:     # model.py calls into this module; no import back at run time
    from .model import Block, Model

#: above this many variables the closed form's p^4 sums (50: 50 MB) give way to central differences
MAX_CLOSED_FORM = 50


def moment_hessian(Sigma: np.ndarray, mu: np.ndarray, blocks: list[Block], meanstructure: bool,
                   expected: bool = False, gradient: bool = False):
    r"""sum_b w_b d^2 f_b / dm dm' for the moments m = (vech Sigma [, mu]) of one group (p variables).

    Every pattern at once: its P and B padded with zeros to p x p, the sums over patterns
    :math:`M_{XY}[i,j,k,l] = \sum_b w_b X_b[i,j] Y_b[k,l]` are one matrix product each, and
    :math:`g_{X,Y}` for the symmetric unit matrices of vech elements x = (a, b), y = (k, l) is
    :math:`M[l,a,b,k] + M[k,a,b,l] + M[l,b,a,k] + M[k,b,a,l]` (halved for each diagonal element).
    ``gradient``: also return the gradient :math:`\sum_b w_b\, \partial f_b/\partial m`
    (:math:`P - B` for Sigma, counted twice off the diagonal in vech; :math:`-2Pd` for mu).
    ``expected``: its expectation (T replaced by Sigma_oo, so B = P and the cross term vanishes),
    whence the expected information of any model, :math:`\tfrac12 \Delta' H \Delta`.

    >>> from psychometrics.sem.model import Block
    >>> rng = np.random.default_rng(1)
    >>> X = rng.normal(size=(50, 2))
    >>> S = np.cov(X, rowvar=False, ddof=0); xbar = X.mean(axis=0)
    >>> H = moment_hessian(S, xbar, [Block(0, np.arange(2), 50, 1.0, S, xbar)], True)
    >>> bool(np.allclose(H[3:, 3:], 2 * np.linalg.inv(S)))   # d2f/dmu2 = 2 Sigma^-1
    True
    """
    p = len(Sigma)
    nb = len(blocks)
    mask = np.zeros((nb, p), dtype=bool)
    Sp = np.zeros((nb, p, p))
    d = np.zeros((nb, p))
    for t, bl in enumerate(blocks):
        mask[t, bl.obs] = True
        Sp[t][bl.ix] = bl.S
        if meanstructure:
            d[t, bl.obs] = bl.mean - mu[bl.obs]
    w = np.array([bl.w for bl in blocks])
    M2 = mask[:, :, None] & mask[:, None, :]
    Sig = np.where(M2, Sigma[None], 0.0)
    idx = np.arange(p)
    Sig[:, idx, idx] += np.where(mask, 0.0, 1.0)           # identity on the missing variables
    P = np.where(M2, np.linalg.inv(Sig), 0.0)               # Sigma_oo^-1 on oo, 0 elsewhere
    B = None if expected else P @ (Sp + d[:, :, None] * d[:, None, :]) @ P
    vP = P.reshape(nb, -1)
    MPP = ((w[:, None] * vP).T @ vP).reshape(p, p, p, p)
    MPB = MPP if B is None else ((w[:, None] * vP).T @ B.reshape(nb, -1)).reshape(p, p, p, p)
    a, b = np.tril_indices(p)
    c = np.where(a == b, 0.5, 1.0)
    A_, B_ = a[:, None], b[:, None]
    K_, L_ = a[None, :], b[None, :]

    def g(M):
        return (M[L_, A_, B_, K_] + M[K_, A_, B_, L_] + M[L_, B_, A_, K_] + M[K_, B_, A_, L_]) * (c[:, None] * c[None, :])

    nv = len(a)
    H = np.zeros((nv + (p if meanstructure else 0),) * 2)
    H[:nv, :nv] = g(MPP) if expected else -g(MPP) + 2 * g(MPB)
    if meanstructure and expected:
        H[nv:, nv:] = 2 * np.einsum("b,bij->ij", w, P)
    elif meanstructure:
        Pd = np.einsum("bij,bj->bi", P, d)
        Q = np.einsum("b,bam,bn->amn", w, P, Pd)           # Q[a, m, n] = sum_b w P[a, m] (P d)[n]
        cross = 2 * (Q[:, b, a] + Q[:, a, b]) * c[None, :]     # y = (k, l) = (a_y, b_y)
        H[nv:, :nv] = cross
        H[:nv, nv:] = cross.T
        H[nv:, nv:] = 2 * np.einsum("b,bij->ij", w, P)
    if not gradient:
        return H
    Gs = np.einsum("b,bij->ij", w, P - B) if B is not None else np.zeros((p, p))
    gm = np.where(a == b, 1.0, 2.0) * Gs[a, b]
    if meanstructure:
        gm = np.concatenate([gm, -2 * np.einsum("b,bij,bj->i", w, P, d)])
    return H, gm


def saturated_observed_information(model: Model, theta: np.ndarray, blocks: list[Block]) -> np.ndarray:
    """Unit observed information of a model whose moments are linear in theta (the saturated
    model), from :func:`moment_hessian`: equal to ``model.observed_information`` (central
    differences) to its rounding, at a fraction of the cost. Memoized on the model object, theta
    and the data (the saturated model of an invariance sequence is the same at every step)."""
    from .blockkey import blocks_key

    key = (id(model), np.asarray(theta).tobytes(), blocks_key(blocks, 0, 0.0))
    hit = _SATURATED_INFO.get(key)
    if hit is not None and hit[0] is model:
        return hit[1].copy()
    info = _saturated_observed_information(model, theta, blocks)
    if len(_SATURATED_INFO) >= 8:
        _SATURATED_INFO.pop(next(iter(_SATURATED_INFO)))
    _SATURATED_INFO[key] = (model, info.copy())
    return info


_SATURATED_INFO: dict[tuple, tuple] = {}


def _saturated_observed_information(model: Model, theta: np.ndarray, blocks: list[Block]) -> np.ndarray:
    if model.n_obs > MAX_CLOSED_FORM:     # the sums over patterns hold p^4 numbers
        return model.observed_information_numeric(theta, blocks)
    info = np.zeros((model.n_free, model.n_free))
    for g in range(model.n_groups):
        mom = model.moments(theta, g)
        D = model.delta(theta, g)
        mine = [bl for bl in blocks if bl.group == g]
        H = moment_hessian(mom["Sigma"], mom["mu"], mine, model.meanstructure)
        info += 0.5 * D.T @ H @ D
    return info


def expected_information(model: Model, theta: np.ndarray, blocks: list[Block]) -> np.ndarray:
    """Unit expected information of any model from the expected moment Hessian: one pass over
    the patterns for all of them (the per-pattern loop of ``Model.expected_information`` costs a
    p x p inverse and products per pattern, 0.2 s for 350 patterns)."""
    info = np.zeros((model.n_free, model.n_free))
    for g in range(model.n_groups):
        mom = model.moments(theta, g)
        mine = [bl for bl in blocks if bl.group == g]
        H = moment_hessian(mom["Sigma"], mom["mu"], mine, model.meanstructure, expected=True)
        D = model.delta(theta, g)
        info += 0.5 * D.T @ H @ D
    return info


def observed_information(model: Model, theta: np.ndarray, blocks: list[Block]) -> np.ndarray:
    """Unit observed information of any model (half the Hessian of the discrepancy):

    .. math:: \tfrac12\\Big[\\Delta' H \\Delta + \\sum_j \frac{\\partial F}{\\partial m_j}
              \frac{\\partial^2 m_j}{\\partial\theta\\,\\partial\theta'}\\Big]

    with H and the moment gradient in closed form (one pass over the patterns) and the second
    term as central differences of :math:`g_m' \\Delta(\theta)`, which involve the model's moments
    only, not the data: 2k evaluations of Delta instead of 2k FIML gradients."""
    if model.n_obs > MAX_CLOSED_FORM:
        return model.observed_information_numeric(theta, blocks)
    info = np.zeros((model.n_free, model.n_free))
    gms = []
    for g in range(model.n_groups):
        mom = model.moments(theta, g)
        mine = [bl for bl in blocks if bl.group == g]
        H, gm = moment_hessian(mom["Sigma"], mom["mu"], mine, model.meanstructure, gradient=True)
        D = model.delta(theta, g)
        info += D.T @ H @ D
        gms.append(gm)

    def h(th):
        return sum(gm @ model.delta(th, g) for g, gm in enumerate(gms))

    second = np.empty_like(info)
    for k in range(model.n_free):
        step = 1e-5 * max(1.0, abs(theta[k]))
        tp, tm = theta.copy(), theta.copy()
        tp[k] += step
        tm[k] -= step
        second[:, k] = (h(tp) - h(tm)) / (2 * step)
    out = 0.5 * (info + 0.5 * (second + second.T))
    return 0.5 * (out + out.T)
