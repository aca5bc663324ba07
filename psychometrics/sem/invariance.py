r"""Measurement invariance across groups: the configural, metric, scalar and strict models fitted in
sequence, each compared with the one before by the chi-square difference test and by the changes
in CFI, RMSEA and SRMR, judged by the usual cut-offs.

Steps (lavaan's ``group.equal``): configural (same model, nothing equal), metric (``loadings``),
scalar (``loadings``, ``intercepts``; latent means free from the second group on), strict (also
``residuals``). The difference test is :func:`~psychometrics.sem.compare.lrt` (Satorra-Bentler
2001 scaled for MLR). A step is judged to hold when

* Chen (2007): :math:`\Delta CFI \ge -.010` together with :math:`\Delta RMSEA \le .015` or
  :math:`\Delta SRMR \le .030` (metric) / :math:`\le .010` (scalar, strict);
* Cheung & Rensvold (2002): :math:`\Delta CFI \ge -.01`.

Both verdicts and the difference test are reported; the sequence is not stopped at a failing
step (a reader sees every step), but latent mean differences are reported only from a scalar
model that holds.

References
----------
Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance.
*Structural Equation Modeling*, 14, 464-504.
Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing
measurement invariance. *Structural Equation Modeling*, 9, 233-255.
"""

from __future__ import annotations

from typing import Literal, Sequence

import pandas as pd

from .._options import validate_option
from .._version import __version__
from ..exceptions import OptionError, PsychometricsError
from .compare import lrt
from .invariance_result import CHEN, CHEUNG_RENSVOLD, CITATIONS, FIT_KEYS, ORDINAL_CITATIONS, InvarianceResult
from .result import SEMResult

__all__ = ["CHEN", "CHEUNG_RENSVOLD", "CITATIONS", "FIT_KEYS", "ORDINAL_CITATIONS", "InvarianceResult", "invariance"]

Level = Literal["configural", "thresholds", "metric", "scalar", "strict"]
LEVELS: tuple[str, ...] = ("configural", "metric", "scalar", "strict")
#: ordered items: Wu and Estabrook (2016) -- thresholds, then loadings, then intercepts
ORDINAL_LEVELS: tuple[str, ...] = ("configural", "thresholds", "metric", "scalar")
ORDINAL_EQUAL = {"configural": (), "thresholds": ("thresholds",), "metric": ("thresholds", "loadings"),
                 "scalar": ("thresholds", "loadings", "intercepts")}
EQUAL = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts"),
         "strict": ("loadings", "intercepts", "residuals")}
def invariance(model: str, data: pd.DataFrame, group: str, levels: Sequence[str] | str | None = None,
               estimator: Literal["ML", "MLR", "WLSMV", "ULSMV"] | None = None,
               missing: Literal["listwise", "fiml", "pairwise"] = "listwise",
               std_lv: bool = False, release: int | Literal["auto"] | None = None,
               progress: bool = False, ordered: bool | list[str] | None = None,
               cluster: str | None = None) -> InvarianceResult:
    """Fit the invariance sequence of ``model`` across the groups in column ``group``.

    Parameters
    ----------
    model : str
        The measurement model (lavaan syntax), the same in every group.
    data : DataFrame
        Responses with the group column.
    group : str
        Column defining the groups (rural school / district centre / regional centre, language
        of the form, experience band, ...).
    levels : sequence of str or str, optional
        Steps in order, from ``configural``, ``metric``, ``scalar``, ``strict`` (a comma-separated
        string is accepted; default all four); each is compared with the one before it. With
        ``ordered``: ``configural``, ``thresholds``, ``metric``, ``scalar`` (Wu & Estabrook, 2016;
        default all four; ``metric`` holds the thresholds equal too).
    estimator : {"ML", "MLR", "WLSMV", "ULSMV"}, optional
        MLR gives robust fit measures and the Satorra-Bentler (2001) scaled difference tests;
        WLSMV (the default with ``ordered``) the scaled-shifted difference test of Satorra (2000).
    missing : {"listwise", "fiml", "pairwise"}
        As in :func:`~psychometrics.sem.sem` (``pairwise`` with ``ordered``).
    cluster : str, optional
        Column of the clusters the respondents are nested in (schools, nested in the groups):
        every step fitted with cluster-robust MLR as lavaan's ``cluster =`` (the difference tests
        then use the clustered scaling factors); with ``ordered``, cluster-robust WLSMV (the
        difference tests use the clustered Gamma, as lavaan >= 0.7-2).
    ordered : True or list of str, optional
        Ordered-categorical items: WLSMV on polychoric correlations, the Wu and Estabrook (2016)
        identification (latent variances 1 and means 0 in every group in the configural model;
        thresholds held equal, with the later groups' item intercepts and scaling factors free;
        then the loadings, with the later groups' latent variances free; then the intercepts,
        fixed to 0 everywhere, with the later groups' latent means free), as
        ``semTools::measEq.syntax(ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016")``. Changes in fit
        are judged on the scaled CFI and RMSEA.
    release : "auto", int or None
        Partial invariance for the first step that fails: its constraints are score-tested (always);
        with ``release`` the one with the largest statistic is freed (``group_partial``) and the
        step refitted, repeatedly, until it holds by Chen's (2007) criteria (``"auto"``) or after at
        most that many releases.

    Returns
    -------
    InvarianceResult
        Each step's fit, the chi-square difference test and the changes in CFI, RMSEA and SRMR
        against the previous step with Chen's (2007) and Cheung and Rensvold's (2002) verdicts,
        and the latent mean differences once scalar invariance holds.

    Notes
    -----
    R: ``fits <- lapply(list(c(), "loadings", c("loadings", "intercepts"), c("loadings", "intercepts",
    "residuals")), function(e) cfa(model, data, group = group, group.equal = e))`` and
    ``lavTestLRT(fits[[1]], fits[[2]], ...)``; the formulas are in the module docstring.
    Partial invariance: ``lavTestScore(fit)`` on the first failing step's model and refits with
    ``group.partial``. Ordered items: ``cfa(as.character(measEq.syntax(model, data, ordered = items,
    group = group, ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal = ...)), data,
    ordered = items, group = group)`` per step and ``lavTestLRT`` (``method = "satorra.2000"``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=400)
    >>> d = pd.DataFrame({f"y{j}": 0.7 * f + rng.normal(scale=0.6, size=400) for j in range(1, 5)})
    >>> d["lang"] = np.repeat(["kk", "ru"], 200)
    >>> res = invariance("F =~ y1 + y2 + y3 + y4", d, group="lang", levels="configural,metric,scalar")
    >>> res.steps, res.comparisons["metric"]["lrt"]["df_diff"], res.holds_up_to
    (('configural', 'metric', 'scalar'), 3, 'scalar')
    """
    from .api import sem

    is_ordinal = ordered is not None and ordered is not False
    allowed_levels = ORDINAL_LEVELS if is_ordinal else LEVELS
    if levels is None:
        levels = allowed_levels
    if isinstance(levels, str):
        levels = [s.strip() for s in levels.split(",") if s.strip()]
    levels = list(levels)
    if is_ordinal and "strict" in levels:
        raise OptionError("levels: 'strict' with ordered items (equal residual variances of the latent responses) "
                          "needs the theta parameterization, not available in the invariance sequence yet; stop at "
                          "scalar", argument="levels")
    if not is_ordinal and "thresholds" in levels:
        raise OptionError("levels: 'thresholds' is a step for ordered items; give ordered=True (--ordered all)",
                          argument="levels")
    for lv in levels:
        validate_option("levels", lv, allowed_levels)
    if len(levels) < 2:
        raise OptionError(f"levels={levels!r}: give at least two steps to compare (e.g. configural,metric,scalar)",
                          argument="levels")
    order = [allowed_levels.index(lv) for lv in levels]
    if order != sorted(order) or len(set(levels)) < len(levels):
        raise OptionError(f"levels={levels!r}: give the steps in the order {', '.join(allowed_levels)}",
                          argument="levels")
    if is_ordinal:
        est_ord = validate_option("estimator", str(estimator or "WLSMV").upper(), ("WLSMV", "ULSMV"))
        return _ordinal_sequence(model, data, group, levels, est_ord, missing, ordered, release, progress, cluster)
    est: Literal["ML", "MLR"] = validate_option("estimator", str(estimator or "ML").upper(), ("ML", "MLR"))
    _group_labels(data, group)
    _check_release(release)
    fits = _fit_steps(levels, lambda lv: sem(model, data, estimator=est, group=group, group_equal=EQUAL[lv],
                                             missing=missing, std_lv=std_lv, progress=progress, cluster=cluster))
    comparisons, failing = _comparisons(levels, fits)
    partial = None
    if failing is not None and failing != "configural":
        partial = _partial(model, data, group, levels, failing, fits, est, missing, std_lv, release, progress, cluster)
    return _result(levels, fits, comparisons, partial, model, group, missing,
                   [n for f in fits.values() for n in f.meta.get("notes", [])])


def _group_labels(data: pd.DataFrame, group: str) -> list[str]:
    if group not in data.columns:
        raise PsychometricsError(f"group column {group!r} is not in the data")
    labels = [str(v) for v in pd.unique(data[group].dropna().astype(str))]
    if len(labels) < 2:
        raise PsychometricsError(f"group column {group!r} has {len(labels)} value(s); invariance needs two groups or "
                                 "more")
    return labels


def _check_release(release) -> None:
    if release is not None and release != "auto" and (isinstance(release, bool) or not isinstance(release, int)
                                                       or release < 1):
        raise OptionError(f"release={release!r}: give \"auto\" or a number of constraints (1 or more)",
                          argument="release")


def _fit_steps(levels: list[str], fit) -> dict[str, SEMResult]:
    """Each step's fit, an error naming the step that failed."""
    fits: dict[str, SEMResult] = {}
    for lv in levels:
        try:
            fits[lv] = fit(lv)
        except PsychometricsError as exc:
            raise type(exc)(f"invariance, {lv} model: {exc}") from None
    return fits


def _comparisons(levels: list[str], fits: dict) -> tuple[dict, str | None]:
    """Each step against the one before, and the first that fails by Chen (2007)."""
    comparisons = {lv: _compare(fits[prev], fits[lv], lv) for prev, lv in zip(levels, levels[1:])}
    return comparisons, next((lv for lv in levels[1:] if not comparisons[lv]["holds"]["chen2007"]), None)


def _result(levels, fits, comparisons, partial, model, group, missing, notes, **meta_extra) -> InvarianceResult:
    first = fits[levels[0]]
    meta = {"package_version": __version__, "data": first.meta.get("data"), "data_sha256": first.meta.get("data_sha256"),
            "estimator": first.estimator, "missing": missing, "group": group, "levels": ",".join(levels),
            "model": model, **meta_extra, "notes": notes}
    return InvarianceResult(steps=tuple(levels), fits=fits, comparisons=comparisons, groups=tuple(first.groups),
                            nobs=first.nobs, group_nobs=tuple(first.group_nobs), partial=partial, meta=meta)


#: the constraints a step adds: (op, is the lhs observed) of its equal rows
_ADDED = {"metric": ("=~",), "scalar": ("~1",), "strict": ("~~",)}


def _compare(prev: SEMResult, this: SEMResult, level: str) -> dict:
    a, b = prev.fit, this.fit
    scaled = (this.state or {}).get("ordinal", False)      # WLSMV: the scaled CFI and RMSEA
    delta = {k: float(b[f"{k}_scaled" if scaled and k != "srmr" else k] - a[f"{k}_scaled" if scaled and k != "srmr"
                                                                           else k]) for k in ("cfi", "rmsea", "srmr")}
    srmr_cut = CHEN["srmr_metric"] if level in ("metric", "thresholds") else CHEN["srmr"]
    test = lrt(this, prev)
    holds = {"chen2007": bool(delta["cfi"] >= CHEN["cfi"] and (delta["rmsea"] <= CHEN["rmsea"]
                                                                 or delta["srmr"] <= srmr_cut)),
             "cheung_rensvold2002": bool(delta["cfi"] >= CHEUNG_RENSVOLD),
             "lrt_p_above_05": bool(test["pvalue"] > 0.05) if test["pvalue"] == test["pvalue"] else None}
    return {"lrt": test, "delta": delta, "holds": holds}


def _partial(model, data, group, levels, failing, fits, est, missing, std_lv, release, progress,
             cluster=None) -> dict:
    """Score tests of the failing step's added constraints; with ``release``, free the largest and
    refit until the step holds (or the releases run out)."""
    from .api import sem
    from .scoretest import constraints

    prev = fits[levels[levels.index(failing) - 1]]
    observed = set((fits[failing].state or {})["pt"].observed)

    def added(res: SEMResult) -> list[int]:
        """The constraints the failing step adds (loadings; observed intercepts; residual variances)."""
        t = constraints(res)
        mask = t["op"].isin(_ADDED[failing]) & (t["op"] != "~~" if failing != "strict" else
                                                (t["lhs"] == t["rhs"]) & t["lhs"].isin(observed))
        if failing == "scalar":
            mask &= t["lhs"].isin(observed)
        return t.loc[mask, "constraint"].tolist()

    def refit(released: list[str]) -> SEMResult:
        return sem(model, data, estimator=est, group=group, group_equal=EQUAL[failing], group_partial=tuple(released),
                   missing=missing, std_lv=std_lv, progress=progress, cluster=cluster)

    return _partial_search(prev, fits[failing], failing, release, lambda res: (added(res), []), refit)


def _we_model(model: str, level: str, n_groups: int, items: list[str], latent: list[str],
              free_intercepts: Sequence[str] = ()) -> str:
    """The model of one Wu and Estabrook (2016) step (std.lv identification), as lines appended to
    the user's model: at the thresholds and metric steps the later groups' item intercepts are
    free and every latent mean is fixed to 0 (build() frees the later groups' scaling factors with
    equal thresholds, and their latent variances with equal loadings); at the scalar step the
    intercepts of ``free_intercepts`` (partial invariance) stay free in the later groups."""
    free = "c(0" + ", NA" * (n_groups - 1) + ")"
    if level == "scalar":
        return "\n".join([model] + [f"{v} ~ {free}*1" for v in free_intercepts])
    if level not in ("thresholds", "metric"):
        return model
    zero = "c(0" + ", 0" * (n_groups - 1) + ")"
    return "\n".join([model] + [f"{v} ~ {free}*1" for v in items] + [f"{f} ~ {zero}*1" for f in latent])


def _ordinal_sequence(model, data, group, levels, est, missing, ordered, release, progress,
                      cluster=None) -> InvarianceResult:
    """Ordered items: the Wu and Estabrook (2016) sequence under WLSMV/ULSMV (see invariance())."""
    from .api import sem
    from .partable import observed_variables
    from .syntax import parse

    if missing not in ("listwise", "pairwise"):
        raise OptionError(f"missing={missing!r} with ordered items: choose listwise or pairwise", argument="missing")
    labels = _group_labels(data, group)
    _check_release(release)
    items = observed_variables(model, [str(c) for c in data.columns if c not in (group, cluster)])
    if ordered is not True and set(items) - set(ordered):
        raise PsychometricsError(f"invariance with continuous indicators ({', '.join(sorted(set(items) - set(ordered)))}) "
                                 "next to ordered ones is not available yet; give ordered=True or fit the steps with "
                                 "sem(..., group_equal=...)")
    latent = list(dict.fromkeys(st.lhs for st in parse(model) if st.op == "=~"))
    fits = _fit_steps(levels, lambda lv: sem(_we_model(model, lv, len(labels), items, latent), data, estimator=est,
                                             group=group, group_equal=ORDINAL_EQUAL[lv], missing=missing, std_lv=True,
                                             ordered=ordered, cluster=cluster))
    comparisons, failing = _comparisons(levels, fits)
    notes = list(dict.fromkeys(n for f in fits.values() for n in f.meta.get("notes", [])))
    partial = None
    if failing is not None:
        def refit(released: list[str]) -> SEMResult:
            intercepts = [r.split("~")[0] for r in released if r.endswith("~1")]
            others = tuple(r for r in released if not r.endswith("~1"))
            return sem(_we_model(model, failing, len(labels), items, latent, intercepts), data, estimator=est,
                       group=group, group_equal=ORDINAL_EQUAL[failing], group_partial=others, missing=missing,
                       std_lv=True, ordered=ordered, cluster=cluster)

        partial = _partial_search(fits[levels[levels.index(failing) - 1]], fits[failing], failing, release,
                                  lambda res: _ordinal_added(res, failing, items), refit)
    return _result(levels, fits, comparisons, partial, model, group, missing, notes,
                   ordered=fits[levels[0]].meta.get("ordered"), identification="Wu.Estabrook.2016, std.lv")


_ORDINAL_ADDED = {"thresholds": "|", "metric": "=~", "scalar": "~1"}


def _ordinal_added(res: SEMResult, level: str, items: list[str]) -> tuple[list[int], list[int]]:
    """The constraints an ordinal step adds: equal thresholds (thresholds), equal loadings
    (metric), or the later groups' item intercepts fixed to 0 (scalar, tested for release as
    fixed parameters); returns (constraint indices, fixed parameter-table rows)."""
    from .scoretest import constraints

    pt = (res.state or {})["pt"]
    fixed = [k for k, r in enumerate(pt.rows) if level == "scalar" and r.op == "~1" and r.lhs in items
             and r.group > 1 and not r.free]
    t = constraints(res, fixed)
    return t.loc[t["op"] == _ORDINAL_ADDED[level], "constraint"].tolist(), fixed


def _partial_search(prev: SEMResult, failing_fit: SEMResult, failing: str, release, added, refit) -> dict:
    """Score tests of the failing step's added constraints (``added(fit)`` gives their indices
    and the fixed rows tested with them); with ``release``, free the largest (``refit(released)``)
    until the step holds by Chen's (2007) criteria or the releases run out."""
    from .scoretest import score_tests

    idx, fixed = added(failing_fit)
    tests = score_tests(failing_fit, only=idx, fixed_rows=fixed)
    ranked = tests["constraints"].sort_values("x2", ascending=False, kind="stable").reset_index(drop=True)
    out: dict = {"level": failing, "tests": ranked, "cumulative": tests["cumulative"], "released": None}
    if release is None:
        return out
    limit = len(idx) if release == "auto" else int(release)
    # releasing every added constraint would give the step before back (nothing left to test)
    limit = min(limit, int(round(failing_fit.fit["df"] - prev.fit["df"])) - 1)
    released: list[str] = []
    fit, comparison = failing_fit, None
    for _ in range(limit):
        idx, fixed = added(fit)
        if not idx:
            break
        t = score_tests(fit, only=idx, fixed_rows=fixed)["constraints"].sort_values("x2", ascending=False, kind="stable")
        top = t.iloc[0]
        released.append(f"{top.lhs}{top.op}{top.rhs}" if top.op != "~1" else f"{top.lhs}~1")
        fit = refit(released)
        comparison = _compare(prev, fit, failing)
        if comparison["holds"]["chen2007"]:
            break
    out.update({"released": released, "fit": fit, "comparison": comparison,
                "holds": bool(comparison and comparison["holds"]["chen2007"])})
    return out
