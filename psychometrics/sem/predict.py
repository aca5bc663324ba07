"""Factor scores of a fitted model (lavaan's ``lavPredict``) and residuals (``lavResiduals``).

Regression scores (Thurstone; lavaan's default) are the conditional means of the latent variables
given a row's observed values,

.. math:: \\hat\\eta_i = E(\\eta) + \\operatorname{Cov}(\\eta, y_o)\\,\\Sigma_{oo}^{-1}(y_{io} - E(y_o)),

Bartlett scores use :math:`(\\Lambda'\\Sigma^{-1}\\Lambda)^{-1}\\Lambda'\\Sigma^{-1}` instead, with
:math:`\\Lambda` the loadings plus an identity column for every observed variable in a regression
(lavaan's dummy latent variables) and :math:`\\Sigma` the model-implied covariance; they are refused
for higher-order factors and for observed outcomes of factors (not yet matched to lavaan). Without a mean
structure E(y) is the sample mean and E(eta) the covariates' effects at their sample means, as in
lavaan. With FIML every row uses its observed variables (``o``); after listwise deletion rows with
a missing model variable get no score (as lavaan, which leaves them out). Every input row is kept.
R: ``lavaan::lavPredict(fit, method = "regression" | "Bartlett")``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..exceptions import OptionError, PsychometricsError


def _expected(state, g: int) -> tuple[np.ndarray, np.ndarray]:
    """E(all variables) in group g: with a mean structure the model's; without, the covariates'
    sample means pushed through the model (observed E(y): the sample means)."""
    mdl, theta, pt = state["model"], state["theta"], state["pt"]
    A, S, m = mdl.matrices(theta, g)
    M = np.linalg.inv(np.eye(mdl.nv) - A)
    if pt.meanstructure:
        E = M @ m
        return E, E[: mdl.n_obs]
    m = np.zeros(mdl.nv)
    for v in pt.exo_x:
        k = pt.observed.index(v)
        m[k] = state["means"][g][k]
    return M @ m, np.asarray(state["means"][g], float)


def factor_scores(state, data: pd.DataFrame, method: Literal["regression", "bartlett"] = "regression"
                  ) -> pd.DataFrame:
    from .samplestats import numeric

    how = str(method).lower()
    if how not in ("regression", "bartlett"):
        raise OptionError(f"method={method!r}: choose 'regression' or 'bartlett'", argument="method")
    pt, mdl, theta = state["pt"], state["model"], state["theta"]
    if not pt.latent:
        raise PsychometricsError("the model has no latent variables, so there are no factor scores")
    missing_cols = [v for v in pt.observed if v not in data.columns]
    if missing_cols:
        raise PsychometricsError(f"the data lack the model's variable(s) {', '.join(missing_cols)}")
    p, lat = mdl.n_obs, np.arange(mdl.n_obs, mdl.nv)
    X = numeric(data[pt.observed])
    group = state["group"]
    if group:
        if group not in data.columns:
            raise PsychometricsError(f"the data lack the group column '{group}' the model was fitted with")
        values = data[group].astype(str)
        unknown = sorted(set(values) - set(state["labels"]))
        if unknown:
            raise PsychometricsError(f"group column '{group}' holds value(s) the model was not fitted for: "
                                     f"{', '.join(map(repr, unknown[:5]))} (fitted: "
                                     f"{', '.join(map(repr, state['labels']))})")
        codes = pd.Categorical(values, categories=list(state["labels"])).codes
    else:
        codes = np.zeros(len(data), dtype=int)
    out = np.full((len(data), len(pt.latent)), np.nan)
    in_regression = {r.lhs for r in pt.rows if r.op == "~"} | {r.rhs for r in pt.rows if r.op == "~"}
    dummies = [pt.observed.index(v) for v in pt.observed if v in in_regression]
    indicators = {r.rhs for r in pt.rows if r.op == "=~"}
    for g in range(mdl.n_groups):
        A, _, _ = mdl.matrices(theta, g)
        V = mdl.total_cov(theta, g)
        E_all, E_y = _expected(state, g)
        Sigma = V[:p, :p]
        if how == "bartlett":
            Lam = A[:p][:, lat]
            empty = [pt.latent[k] for k in range(len(lat)) if not np.any(Lam[:, k])]
            if empty:
                raise PsychometricsError("Bartlett scores need observed indicators for every latent variable; "
                                         f"{', '.join(empty)} has none (a higher-order factor); use "
                                         "method='regression'")
            outcomes = sorted({r.lhs for r in pt.rows if r.op == "~" and r.lhs not in pt.latent
                               and r.lhs not in indicators and r.rhs in pt.latent})
            if outcomes:
                raise PsychometricsError("Bartlett scores for a model with observed outcomes of factors ("
                                         + ", ".join(outcomes) + ") are not computed yet (lavaan's differ from the "
                                         "indicator-based ones); use method='regression'")
            # observed variables in regressions are lavaan's dummy latent variables (identity columns)
            Lam = np.hstack([Lam, np.eye(p)[:, dummies]])
        rows = np.flatnonzero(codes == g)
        Xg = X[rows]
        obs = ~np.isnan(Xg)
        if not state["fiml"]:
            obs[~obs.all(axis=1)] = False             # listwise: no score for incomplete rows
        pats, inv = np.unique(obs, axis=0, return_inverse=True)
        for k, pat in enumerate(pats):
            if not pat.any():
                continue
            o = np.flatnonzero(pat)
            Si = np.linalg.inv(Sigma[np.ix_(o, o)])
            if how == "regression":
                C = V[np.ix_(lat, o)] @ Si
            else:
                Lo = Lam[o]
                C = (np.linalg.pinv(Lo.T @ Si @ Lo) @ Lo.T @ Si)[: len(lat)]
            sel = rows[inv.ravel() == k]
            out[sel] = E_all[lat] + (X[np.ix_(sel, o)] - E_y[o]) @ C.T
    return pd.DataFrame(out, index=data.index, columns=pt.latent)


def residuals(state) -> list[dict]:
    """Per group: the residual covariances S - Sigma and means xbar - mu (as ``lavResiduals(fit,
    type = "raw")``), the residual correlations (``"cor.bollen"``: R_S - R_Sigma), and the
    standardized residuals z = e / SE(e) with lavaan's ACOV of the residuals,

    .. math:: \\operatorname{acov}(e) = Q\\,\\Gamma_{NT}/n_g\\,Q',\\quad Q = I - \\Delta A_0^{-1}\\Delta' W

    where :math:`\\Gamma_{NT}` is the normal-theory covariance of the sample moments at S (``h1.acov
    = "unstructured"``), W the unit information of the saturated model at the model-implied moments
    (weighted by n_g/N), :math:`A_0` the model's expected information and :math:`\\Delta` the
    Jacobian of the moments; with fixed covariates Gamma is conditional on them and their own
    moments are masked, and elements with no sampling variance get z = 0, as lavaan (ML with
    complete data; with MLR or FIML z is left missing for now, with a note). With several groups
    each group's moments have ACOV Gamma/n_g (lavaan 0.7-1's correction; 0.6 divided by the total
    N)."""
    pt, mdl, theta = state["pt"], state["model"], state["theta"]
    p = mdl.n_obs
    ms = pt.meanstructure
    a, b = np.tril_indices(p)
    c = np.where(a == b, 1.0, 2.0)
    N = state["N"]
    deltas, W_all, G_all, e_all = [], [], [], []
    out = []
    for g in range(mdl.n_groups):
        mom = mdl.moments(theta, g)
        Sigma, mu = mom["Sigma"], mom["mu"]
        S, xbar = state["S"][g], state["means"][g]
        n = state["group_n"][g]
        D = mdl.delta(theta, g)                      # rows: vech (lower, by column of tril), then means
        deltas.append(D)
        Si = np.linalg.inv(Sigma)
        Wv = 0.25 * c[:, None] * c[None, :] * (Si[a][:, a] * Si[b][:, b] + Si[a][:, b] * Si[b][:, a])
        nt = lambda C: C[a][:, a] * C[b][:, b] + C[a][:, b] * C[b][:, a]   # noqa: E731  Gamma_NT of vech
        x = np.zeros(p, dtype=bool)
        if pt.exo_x and pt.fixed_x:
            x[[pt.observed.index(v) for v in pt.exo_x]] = True
        if x.any():
            # fixed covariates (lavaan): Gamma_NT(S) - Gamma_NT(R), R the part of S explained by x;
            # the means' block is the residual covariance of y given x (0 for x)
            y = ~x
            B, C = S[np.ix_(y, x)], S[np.ix_(x, x)]
            resid = np.zeros((p, p))
            resid[np.ix_(y, y)] = S[np.ix_(y, y)] - B @ np.linalg.solve(C, B.T)
            Gv = nt(S) - nt(S - resid)
            mean_block = resid
        else:
            Gv, mean_block = nt(S), S
        if ms:
            Wv, Gv = _bdiag(Wv, Si), _bdiag(Gv, mean_block)
        if x.any():                          # the covariates' own moments are masked in W too
            mask = np.concatenate([x[a] & x[b], x]) if ms else x[a] & x[b]
            Wv[mask], Wv[:, mask] = 0.0, 0.0
        W_all.append(n / N * Wv)
        G_all.append(Gv / n)
        E = S - Sigma
        e_all.append(np.concatenate([E[a, b], xbar - mu]) if ms else E[a, b])
        sd, sd_h = np.sqrt(np.diag(S)), np.sqrt(np.diag(Sigma))
        out.append({"cov": E, "mean": xbar - mu if ms else None,
                    "cor": S / np.outer(sd, sd) - Sigma / np.outer(sd_h, sd_h)})
    if state["est"] != "ML" or state["fiml"]:
        # lavaan's ACOV of the residuals with MLR (observed h1 information, sandwich Gamma) and
        # with FIML (incomplete-data h1) is not reproduced yet: no z rather than a different one
        for block in out:
            block["cov_z"] = np.full((p, p), np.nan)
            block["mean_z"] = np.full(p, np.nan) if ms else None
            block["note"] = "standardized residuals are computed for ML with complete data so far"
        return out
    Delta = np.vstack(deltas)
    A0 = state["model"].expected_information(theta, state["blocks"])
    Q = np.eye(len(Delta)) - Delta @ np.linalg.pinv(A0) @ Delta.T @ _bdiag(*W_all)
    acov = Q @ _bdiag(*G_all) @ Q.T
    se = np.sqrt(np.clip(np.diag(acov), 0, None))
    start = 0
    for g, block in enumerate(out):
        k = len(e_all[g])
        e, s = e_all[g], se[start:start + k]
        start += k
        small = s < 1e-8 * max(1.0, float(np.abs(e).max()))
        z = np.where(small, 0.0, e / np.where(small, 1.0, s))
        Z = np.zeros((p, p))
        Z[a, b] = Z[b, a] = z[: len(a)]
        block["cov_z"] = Z
        block["mean_z"] = z[len(a):] if ms else None
    return out


def _bdiag(*mats):
    n = sum(m.shape[0] for m in mats)
    out = np.zeros((n, n))
    i = 0
    for m in mats:
        k = m.shape[0]
        out[i:i + k, i:i + k] = m
        i += k
    return out
