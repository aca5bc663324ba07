"""Reliability and item analysis that match R's psych and semTools.

For a scale of :math:`k` items (reverse-keyed items recoded as ``min + max - x``) with
covariance matrix :math:`C` (divisor n - 1) and correlation matrix :math:`R`:

.. math::

    \\alpha = \\frac{k}{k-1}\\Bigl(1 - \\frac{\\operatorname{tr} C}{\\mathbf 1' C \\mathbf 1}\\Bigr), \\quad
    \\alpha_{std} = \\frac{k}{k-1}\\Bigl(1 - \\frac{k}{\\mathbf 1' R \\mathbf 1}\\Bigr), \\quad
    \\lambda_6 = 1 - \\frac{k - \\sum_j \\mathrm{smc}_j}{\\mathbf 1' R \\mathbf 1}, \\quad
    \\bar r = \\frac{\\mathbf 1' R \\mathbf 1 - k}{k(k-1)}

with :math:`\\mathrm{smc}_j = 1 - 1/(R^{-1})_{jj}`. Feldt's interval is
:math:`1 - (1-\\alpha) F_{1-\\gamma/2}` to :math:`1 - (1-\\alpha) F_{\\gamma/2}` with
:math:`F` the F quantiles on :math:`n-1` and :math:`(n-1)(k-1)` df. The corrected item-total
correlation ``r_drop`` correlates an item with the sum of the others. Omega total is
semTools' ``compRelSEM`` for a one-factor CFA: :math:`(\\sum\\lambda)^2 / \\mathbf 1' S \\mathbf 1`
with ML loadings and the observed covariance matrix :math:`S` (divisor n). Ordinal alpha and
omega apply the same formulas to the polychoric correlation matrix.

R: ``psych::alpha(x)`` (``raw_alpha``, ``std.alpha``, ``G6(smc)``, ``average_r``, ``r.drop``,
``alpha.drop``, ``feldt``), ``semTools::compRelSEM(cfa(model, std.lv = TRUE))``,
``psych::alpha(psych::polychoric(x)$rho)``, ``semTools::htmt``.

References
----------
Cronbach (1951); Feldt, Woodruff & Salih (1987), *Applied Psychological Measurement* 11, 93-103;
Guttman (1945); McDonald (1999), *Test theory*; Zumbo, Gadermann & Zeisser (2007) on ordinal
alpha; Henseler, Ringle & Sarstedt (2015) on HTMT; Efron (1987) on BCa intervals.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from .._options import validate_count, validate_option, validate_seed
from .._version import __version__
from ..exceptions import ReverseKeyWarning, ScoringError
from ..instruments import Instrument, adhoc_instrument
from ..instruments.keys import facets
from ..reporting.result import ResultBase
from ..reporting.summary import Summary, jsonable
from ..responses.validation import OnInvalid, validate_responses
from .coefficients import _alpha_stats, alpha_from_cov, bootstrap_alpha, feldt_ci, omega_total  # noqa: F401
from .efa.extraction import smc  # noqa: F401  (re-exported)
from .validity import discriminant_validity, htmt, measurement_model  # noqa: F401  (htmt, measurement_model: re-exported)

CI = Literal["feldt", "bootstrap"]
BootCI = Literal["bca", "perc"]
Missing = Literal["listwise", "pairwise"]
#: the table's field names as an APA table shows them
APA_HEADERS = {"mean": "M", "sd": "SD", "omega_total": "omega", "omega_hierarchical": "omega_h",
               "composite_reliability": "CR", "ave": "AVE"}


# --------------------------------------------------------------------------- results
@dataclass(frozen=True, repr=False)
class ScaleReliability(ResultBase):
    """Reliability of one scale. Item table columns: item, reversed, n, pct_missing, mean, sd, skew,
    kurtosis, pct_floor, pct_ceiling, r_drop, alpha_if_deleted."""

    scale: str
    n: int
    k: int
    alpha: float
    alpha_ci: tuple[float, float]
    ci_method: str
    alpha_std: float
    alpha_se: float
    lambda6: float
    average_r: float
    median_r: float
    signal_noise: float
    mean: float
    sd: float
    omega_total: float | None
    composite_reliability: float | None
    ave: float | None
    omega_hierarchical: float | None
    omega_h_factors: int | None
    alpha_ordinal: float | None
    omega_ordinal: float | None
    items: pd.DataFrame
    loadings: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    @property
    def nobs(self) -> int:
        """Respondents used for this scale (complete cases under listwise deletion)."""
        return self.n

    def _repr_fields(self) -> dict:
        return {"scale": self.scale, "k": self.k, "alpha": self.alpha, "omega_total": self.omega_total}

    def to_frame(self) -> pd.DataFrame:
        """The item analysis of this scale."""
        return self.items

    def summary(self) -> Summary:
        ci = f"[{self.alpha_ci[0]:.2f}, {self.alpha_ci[1]:.2f}]"
        header = [f"n = {self.n}, k = {self.k}; alpha {self.alpha:.3f} {ci} ({self.ci_method})",
                  *self.provenance.header()]
        return Summary(f"Reliability of {self.scale}", header, [("Item analysis", self.items)])

    def to_dict(self) -> dict:
        return jsonable({
            "scale": self.scale, "n": self.n, "k": self.k, "alpha": self.alpha, "alpha_ci": list(self.alpha_ci),
            "ci_method": self.ci_method, "alpha_std": self.alpha_std, "alpha_se": self.alpha_se,
            "lambda6": self.lambda6, "average_r": self.average_r, "median_r": self.median_r,
            "signal_noise": self.signal_noise, "mean": self.mean, "sd": self.sd, "omega_total": self.omega_total,
            "omega_hierarchical": self.omega_hierarchical, "omega_h_factors": self.omega_h_factors,
            "composite_reliability": self.composite_reliability, "ave": self.ave,
            "alpha_ordinal": self.alpha_ordinal, "omega_ordinal": self.omega_ordinal,
            "items": self.items.to_dict(orient="records")})


@dataclass(frozen=True, repr=False)
class ReliabilityResult(ResultBase):
    """Per-scale reliability, HTMT between the most specific scales, and the measurement model's
    discriminant validity (``fornell_larcker``: square roots of AVE on the diagonal, factor
    correlations off it)."""

    scales: tuple[ScaleReliability, ...]
    htmt: pd.DataFrame | None
    fornell_larcker: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)

    @property
    def nobs(self) -> int:
        """Rows of the data (each scale's own n is in its row of :meth:`table`)."""
        return int((self.meta.get("data") or {}).get("rows") or max((s.n for s in self.scales), default=0))

    def _repr_fields(self) -> dict:
        return {"scales": [s.scale for s in self.scales]}

    def __getitem__(self, name: str) -> ScaleReliability:
        for s in self.scales:
            if s.scale == name:
                return s
        raise KeyError(name)

    def table(self) -> pd.DataFrame:
        """APA-style reliability table: one row per scale."""
        rows = []
        for s in self.scales:
            rows.append({"scale": s.scale, "k": s.k, "n": s.n, "mean": s.mean, "sd": s.sd, "alpha": s.alpha,
                         "alpha_ci_lower": s.alpha_ci[0], "alpha_ci_upper": s.alpha_ci[1],
                         "omega_total": s.omega_total, "omega_hierarchical": s.omega_hierarchical,
                         "composite_reliability": s.composite_reliability, "ave": s.ave,
                         **({"alpha_ordinal": s.alpha_ordinal, "omega_ordinal": s.omega_ordinal}
                            if s.alpha_ordinal is not None else {})})
        return pd.DataFrame(rows)

    def item_table(self) -> pd.DataFrame:
        """Item-analysis table (as sjPlot's ``tab_itemscale``), all scales stacked."""
        return pd.concat([s.items.assign(scale=s.scale) for s in self.scales], ignore_index=True)[
            ["scale"] + list(self.scales[0].items.columns)]

    def to_frame(self) -> pd.DataFrame:
        return self.table()

    def to_dict(self) -> dict:
        out = {"scales": [s.to_dict() for s in self.scales], "meta": jsonable(self.meta)}
        if self.fornell_larcker is not None:
            out["fornell_larcker"] = {"scales": list(self.fornell_larcker.columns),
                                      "matrix": jsonable(self.fornell_larcker.to_numpy())}
        if self.htmt is not None:
            out["htmt"] = {"kind": "htmt2", "scales": list(self.htmt.columns), "matrix": jsonable(self.htmt.to_numpy())}
        return out

    def summary(self) -> Summary:
        m = self.meta
        header = [f"data: {m['data']['source']} (sha256 {m['data']['sha256'][:12]}...)",
                  f"instrument: {m['instrument']['id']} {m['instrument']['version']}",
                  f"missing data: {m['missing']}; CI: {m['ci']}"
                  + (f" ({m['n_boot']} replicates, seed {m['seed']})" if m["ci"] != "feldt" else ""),
                  f"psychometrics {m['package_version']}"] + [f"note: {x}" for x in m["notes"]]
        table = self.table().rename(columns=APA_HEADERS)
        table.insert(6, "alpha 95% CI", [f"[{a:.2f}, {b:.2f}]" for a, b in zip(table.pop("alpha_ci_lower"),
                                                                                table.pop("alpha_ci_upper"))])
        tables = [("Reliability", table), ("Item analysis", self.item_table())]
        if self.fornell_larcker is not None:
            tables.append(("Fornell-Larcker: square root of AVE (diagonal) and factor correlations",
                           self.fornell_larcker.reset_index(names="scale")))
        if self.htmt is not None:
            tables.append(("HTMT2 (heterotrait-monotrait ratio, geometric means)", self.htmt.reset_index(names="scale")))
        return Summary("Reliability", header, tables)



# --------------------------------------------------------------------------- main entry
def _moments(x: np.ndarray) -> tuple[float, float]:
    """psych's skew and kurtosi, type 3: b1 = m3 / s^3, b2 = m4 / s^4 - 3 (s with divisor n - 1)."""
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 3:
        return np.nan, np.nan
    d = x - x.mean()
    s = x.std(ddof=1)
    if s == 0:
        return np.nan, np.nan
    return float((d ** 3).sum() / (n * s ** 3)), float((d ** 4).sum() / (n * s ** 4) - 3)


def reliability(data: pd.DataFrame, scales: dict[str, list[str]] | None = None, instrument: Instrument | None = None,
                range: tuple[int, int] | None = None, missing: Missing = "listwise", ci: CI = "feldt",
                boot_ci: BootCI = "bca", n_boot: int = 1000, seed: int | None = None, ordinal: bool = False,
                omega: bool = True, level: float = 0.95, on_invalid: OnInvalid = "error", id: str | None = None,
                missing_codes: tuple[int, ...] = (), omega_h: dict[str, int] | None = None,
                progress: bool = True, source: str | None = None) -> ReliabilityResult:
    """Cronbach's alpha (raw, standardised, CI), lambda 6, average r, omega total, item analysis,
    optional ordinal alpha/omega, and HTMT between scales.

    Parameters
    ----------
    data
        Responses, one row per respondent (validated against the instrument or the ad-hoc keys).
    scales, range, missing_codes
        Ad-hoc keys ``{"A": ["-A1", "A2"]}`` (``-`` = reverse-keyed), the response range, needed
        to reverse items as ``min + max - x``, and codes meaning "no answer" (e.g. ``(-98, -99)``).
    instrument
        Use the instrument's scoring rules instead of ad-hoc keys.
    missing
        ``"listwise"`` (default): each scale uses the respondents who answered all its items; its
        ``n`` says how many. ``"pairwise"``: covariances from pairwise-complete rows (psych's
        default); ``n`` is then the number with at least one answer, as psych counts.
    ci
        ``"feldt"`` (closed form) or ``"bootstrap"`` (``n_boot`` replicates, ``boot_ci`` ``"bca"`` or
        ``"perc"``, seedable, with a progress bar).
    ordinal
        Also compute ordinal alpha and omega from polychoric correlations.
    omega_h
        Number of group factors for omega hierarchical (Schmid-Leiman, as ``psych::omega``), per
        scale. Default: a scale that contains other scales (e.g. a total over its facets) gets one
        group factor per contained scale; other scales get none.

    Returns
    -------
    ReliabilityResult
        One :class:`ScaleReliability` per scale (alpha with its interval, standardized alpha,
        lambda 6, average r, omega total, omega hierarchical, CR and AVE of the leaf scales, item
        analysis), HTMT and the Fornell-Larcker matrix; the formulas are in the module docstring.

    Notes
    -----
    R: ``psych::alpha(x, keys)``, ``psych::alpha.ci``, ``semTools::compRelSEM(cfa(model, std.lv = TRUE))``,
    ``psych::omega(x, nfactors)``, ``semTools::AVE``, ``semTools::htmt``.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> f = rng.normal(size=300)
    >>> df = pd.DataFrame({f"x{j}": np.clip(np.round(3 + f + rng.normal(size=300)), 1, 5) for j in range(4)})
    >>> res = reliability(df, scales={"X": ["x0", "x1", "x2", "x3"]}, range=(1, 5))
    >>> bool(0.7 < res["X"].alpha < 0.9)
    True
    """
    if (instrument is None) == (scales is None):
        raise ScoringError("give either an instrument or ad-hoc scales (not both, not neither)")
    validate_option("missing", missing, Missing)
    validate_option("ci", ci, CI)
    validate_option("boot_ci", boot_ci, BootCI)
    validate_count("n_boot", n_boot, 1)
    validate_seed("seed", seed)
    if instrument is not None:
        inst = instrument
    else:
        assert scales is not None
        inst = adhoc_instrument(scales, range, 1, missing_codes)
    src = source or data.attrs.get("source", {}).get("path", "<DataFrame>")
    vr = validate_responses(data, inst, id_column=id, on_invalid=on_invalid, source=src, warn_unknown=False)
    return reliability_validated(vr.data, inst, vr.meta["data"], missing=missing, ci=ci, boot_ci=boot_ci, n_boot=n_boot,
                                 seed=seed, ordinal=ordinal, omega=omega, level=level, omega_h=omega_h,
                                 progress=progress)


def reliability_validated(d: pd.DataFrame, inst: Instrument, data_info: dict, missing: Missing = "listwise",
                          ci: CI = "feldt", boot_ci: BootCI = "bca", n_boot: int = 1000, seed: int | None = None,
                          ordinal: bool = False, omega: bool = True, level: float = 0.95,
                          omega_h: dict[str, int] | None = None, progress: bool = True) -> ReliabilityResult:
    """:func:`reliability` on responses already validated against ``inst`` (``ValidatedResponses.data``);
    ``data_info`` (source, sha256) is recorded in the result."""
    validate_count("n_boot", n_boot, 1)
    validate_seed("seed", seed)
    notes: list[str] = []
    if omega_h is None:
        omega_h = {scale: len(parts) for scale, parts in facets(inst.scoring).items() if len(parts) >= 2}
    unknown = set(omega_h) - {r.id for r in inst.scoring}
    if unknown:
        raise ScoringError(f"omega_h names unknown scale(s) {sorted(unknown)}")
    results = []
    for rule in inst.scoring:
        results.append(_scale(rule, inst, d, missing, ci, boot_ci, n_boot, seed, ordinal, omega, level,
                              progress, notes, omega_h.get(rule.id)))
    validity = discriminant_validity(inst, d, omega)
    notes += validity.notes
    results = [replace(r, composite_reliability=validity.cr[r.scale], ave=validity.ave[r.scale])
               if r.scale in validity.cr else r for r in results]
    ht, fl = validity.htmt, validity.fornell_larcker
    short = [r for r in results if r.k < 3]
    if omega and short:   # one note for all of them (a one-factor model needs 3 items)
        what = " and ".join(sorted({f"{r.k} items" for r in short}))
        notes.append(f"omega not computed for {', '.join(r.scale for r in short)}: a one-factor model of {what} "
                     "is not identified")
    if missing == "listwise":
        notes.insert(0, "listwise: each scale uses the respondents who answered all its items (column n)")
    meta = {"package_version": __version__, "instrument": inst.provenance,
            "data": dict(data_info), "data_sha256": data_info.get("sha256"), "missing": missing,
            "ci": ci if ci == "feldt" else f"bootstrap {boot_ci}",
            "n_boot": n_boot if ci == "bootstrap" else None, "seed": seed, "estimator": "ML (omega)",
            "level": level, "notes": notes}
    scale_meta = {k: v for k, v in meta.items() if k != "notes"}
    return ReliabilityResult(scales=tuple(replace(r, meta=scale_meta) for r in results), htmt=ht, fornell_larcker=fl,
                             meta=meta)


def _scale(rule, inst, d, missing, ci, boot_ci, n_boot, seed, ordinal, omega, level, progress, notes, n_group):
    items = list(rule.items)
    signs = np.array(inst.signs(rule))
    k = len(items)
    if k < 2:
        raise ScoringError(f"scale '{rule.id}' has one item ({items[0]}): reliability needs at least two")
    X = inst.keyed(rule, d)
    lo, hi = inst.bounds(items)
    n_total = len(X)
    pct_missing = np.isnan(X).mean(axis=0) * 100
    empty = [i for i, p in zip(items, pct_missing) if p == 100]
    if empty:
        raise ScoringError(f"scale '{rule.id}': item(s) {empty} have no answers; leave them out of the scale")
    if missing == "listwise":
        complete = ~np.isnan(X).any(axis=1)
        Xs = X[complete]
        n = int(complete.sum())
    else:
        Xs = X
        n = int((~np.isnan(X)).any(axis=1).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanmax(Xs, axis=0) - np.nanmin(Xs, axis=0) if len(Xs) else np.zeros(k)
    const = [i for i, v in zip(items, spread) if not v > 0]
    if const:
        raise ScoringError(f"scale '{rule.id}': item(s) {const} are constant (no variance) in the data used; "
                           "leave them out or check the data")
    if n < k + 2:
        raise ScoringError(f"scale '{rule.id}': only {n} respondents answered all {k} items; reliability needs "
                           f"at least {k + 2}" + ("; try missing='pairwise'" if missing == "listwise" else ""))
    C = np.cov(Xs, rowvar=False) if missing == "listwise" else pd.DataFrame(X).cov().to_numpy()
    st = _alpha_stats(C)
    # item statistics
    rows = []
    total = C.sum()
    for j, item in enumerate(items):
        c_drop = C[:, j].sum() - C[j, j]
        v_drop = total - 2 * C[:, j].sum() + C[j, j]
        keep = [i for i in range(k) if i != j]
        x = Xs[:, j]
        sk, ku = _moments(x)
        valid = x[~np.isnan(x)]
        rows.append({"item": item, "reversed": bool(signs[j] < 0), "n": int(len(valid)),
                     "pct_missing": pct_missing[j], "mean": valid.mean(), "sd": valid.std(ddof=1),
                     "skew": sk, "kurtosis": ku,
                     "pct_floor": np.mean(valid == lo[j]) * 100 if not np.isnan(lo[j]) else np.nan,
                     "pct_ceiling": np.mean(valid == hi[j]) * 100 if not np.isnan(hi[j]) else np.nan,
                     "r_drop": c_drop / math.sqrt(C[j, j] * v_drop),
                     "alpha_if_deleted": alpha_from_cov(C[np.ix_(keep, keep)]) if k > 2 else C[0, 1] / C[1 - j, 1 - j]})
    items_df = pd.DataFrame(rows)
    neg = items_df.loc[(items_df["r_drop"] < 0) & ~items_df["reversed"], "item"].tolist()
    if neg:
        msg = (f"scale '{rule.id}': item(s) {', '.join(neg)} correlate negatively with the rest of the scale "
               "but are not marked reverse-keyed; check their keying ('-item') or wording")
        notes.append(msg)
        warnings.warn(msg, ReverseKeyWarning, stacklevel=3)
    with np.errstate(invalid="ignore"):
        total_score = np.nanmean(Xs, axis=1)
    if ci == "feldt":
        interval = feldt_ci(st["alpha"], n if missing == "listwise" else n_total, k, level)
        ci_method = "feldt"
    else:
        if missing != "listwise":
            raise ScoringError("bootstrap intervals use listwise data; use missing='listwise' with ci='bootstrap'")
        boot = bootstrap_alpha(Xs, n_boot, seed, level, progress)
        interval = boot[boot_ci]
        ci_method = f"bootstrap {boot_ci}"
    om = lam = None
    if omega and k >= 3:
        S_n = np.cov(Xs[~np.isnan(Xs).any(axis=1)], rowvar=False, ddof=0)
        om, lam = omega_total(S_n)
    om_h = None
    if n_group:
        from .efa.hierarchical import omega_hierarchical

        if k < 2 * n_group + 1:
            notes.append(f"omega hierarchical not computed for {rule.id}: {n_group} group factors need more than "
                         f"{2 * n_group} items")
        else:
            Xc = Xs[~np.isnan(Xs).any(axis=1)]
            om_h = omega_hierarchical(np.corrcoef(Xc, rowvar=False), n_group)["omega_h"]
            if n_group == 2:
                notes.append(f"{rule.id}: omega hierarchical with 2 group factors assumes equal general-factor "
                             "loadings of both (psych's option 'equal'); three or more are identified")
    a_ord = o_ord = None
    if ordinal:
        from .correlations import polychoric

        pr = polychoric(pd.DataFrame(Xs, columns=items), missing=missing)
        Rp = pr.rho.to_numpy()
        a_ord = alpha_from_cov(Rp)
        o_ord = omega_total(Rp)[0] if k >= 3 else None
    return ScaleReliability(
        scale=rule.id, n=n, k=k, alpha=st["alpha"], alpha_ci=(float(interval[0]), float(interval[1])),
        ci_method=ci_method, alpha_std=st["alpha_std"], alpha_se=math.sqrt(st["Q"] / (n if missing == "listwise" else n_total)),
        lambda6=st["lambda6"], average_r=st["average_r"], median_r=st["median_r"], signal_noise=st["signal_noise"],
        mean=float(np.nanmean(total_score)), sd=float(np.nanstd(total_score, ddof=1)), omega_total=om,
        composite_reliability=None, ave=None, omega_hierarchical=om_h, omega_h_factors=n_group,
        alpha_ordinal=a_ord, omega_ordinal=o_ord, items=items_df, loadings=lam)


from .._callable import make_callable as _make_callable  # noqa: E402

_make_callable(__name__, "reliability")   # psychometrics.reliability(...) calls it; the module stays a module
