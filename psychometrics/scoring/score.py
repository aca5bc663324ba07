"""Scale scores, classifications and careless-responding flags.

Scoring rules come from the instrument (or psych-style ad-hoc keys). For each
scale and respondent:

.. math::

    x^*_{ij} = \\begin{cases} \\min + \\max - x_{ij} & \\text{item } j \\text{ reverse-keyed} \\\\
                              x_{ij} & \\text{otherwise} \\end{cases}
    \\qquad
    \\text{mean}_i = \\frac{1}{v_i} \\sum_{j \\text{ answered}} x^*_{ij}

with :math:`v_i` the number of valid (answered) items, reported as ``n_valid``.
The score is missing when :math:`v_i` is below the rule's minimum (a count, or a
proportion of the :math:`k` items rounded as declared: SPSS ``MEAN.n`` semantics).
``sum`` adds the valid items; ``prorated_sum`` is :math:`k \\cdot \\text{mean}_i`.
Nothing is imputed. R: ``psych::scoreItems(keys, x, impute = "none", min = , max = )``
gives the same means when every respondent meets the minimum.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._version import __version__
from ..exceptions import CarelessWarning, OptionError, ScoringError
from ..instruments import Instrument, adhoc_instrument, reverse_key
from ..reporting.result import ResultBase
from ..reporting.summary import Summary, jsonable
from ..responses.validation import OnInvalid, ValidatedResponses, validate_responses
from .careless import even_odd, irv, longstring, mahalanobis, psychsyn
from .classify import classify

CARELESS_DEFAULTS = {"longstring": {}, "irv": {"min_sd": 0.25}, "mahalanobis": {"alpha": 0.001},
                     "even_odd": {"min_r": 0.0}, "psychsyn": {"r_crit": 0.6, "min_r": 0.0}}


@dataclass(frozen=True, repr=False)
class ScoreResult(ResultBase):
    """Scores of every input row, in input order, keyed by respondent id.

    Attributes
    ----------
    scores
        Id column; per scale the score and ``<scale>_n_valid``; classifications;
        careless-responding indices (``careless_*``) and flags (``flag_*``,
        ``careless_flags`` = number of flags raised).
    problems
        Invalid values and structural problems found by validation (empty if none).
    meta
        Provenance: package version, instrument id/version/content hash, data
        SHA-256, options, notes.
    """

    scores: pd.DataFrame
    problems: pd.DataFrame
    meta: dict = field(default_factory=dict)

    @property
    def nobs(self) -> int:
        """Rows scored (every input row)."""
        return len(self.scores)

    def _repr_fields(self) -> dict:
        return {"scales": len(self.meta.get("scales", [])), "problems": len(self.problems)}

    def to_frame(self) -> pd.DataFrame:
        return self.scores

    def scale_table(self) -> pd.DataFrame:
        rows = []
        for s in self.meta["scales"]:
            col = self.scores[s["scale"]]
            rows.append({"scale": s["scale"], "k": s["k"], "min_valid": s["min_valid"], "method": s["method"],
                         "n_scored": int(col.notna().sum()), "n_missing": int(col.isna().sum()),
                         "mean": col.mean(), "sd": col.std(), "min": col.min(), "max": col.max()})
        return pd.DataFrame(rows)

    def classification_table(self) -> pd.DataFrame:
        rows = []
        for c in self.meta["classifications"]:
            counts = self.scores[c].value_counts(dropna=False, sort=False)
            for cat, n in counts.items():
                rows.append({"classification": c, "category": "(missing)" if pd.isna(cat) else cat, "n": int(n)})
        return pd.DataFrame(rows, columns=["classification", "category", "n"])

    def careless_table(self) -> pd.DataFrame:
        rows = []
        for name in ("longstring", "irv", "mahalanobis", "evenodd", "psychsyn"):
            col = f"flag_{name}"
            if col in self.scores:
                f = self.scores[col]
                rows.append({"index": name, "flagged": int(f.fillna(False).sum()), "not_computed": int(f.isna().sum()),
                             "rule": self.meta["careless"]["rules"].get(name, "")})
        return pd.DataFrame(rows, columns=["index", "flagged", "not_computed", "rule"])

    def summary(self) -> Summary:
        m = self.meta
        header = [f"data: {m['data']['source']} (sha256 {m['data']['sha256'][:12]}...), {m['n_rows']} rows, "
                  f"id column '{m['id_column']}'",
                  f"instrument: {m['instrument']['id']} {m['instrument']['version']} ({m['instrument']['content_hash'][:19]}...)",
                  f"invalid values: {len(self.problems)} ({m['on_invalid']}); declared missing codes set missing: "
                  f"{sum(m['missing_codes'].values())}",
                  f"psychometrics {m['package_version']}"] + [f"note: {n}" for n in m["notes"]]
        tables = [("Scale scores", self.scale_table())]
        if m["classifications"]:
            tables.append(("Classifications", self.classification_table()))
        if "careless" in m and m["careless"].get("computed"):
            tables.append(("Careless-responding flags (flags only; no respondent removed)", self.careless_table()))
        return Summary("Scoring", header, tables)

    def to_dict(self, rows: bool = True) -> dict:
        out = {"meta": jsonable(self.meta), "scales": jsonable(self.scale_table()),
               "classifications": jsonable(self.classification_table()),
               "problems": jsonable(self.problems)}
        if rows:
            out["scores"] = jsonable(self.scores.astype(object).where(self.scores.notna(), None))
        return out



def score_matrix(X: np.ndarray, signs: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                 method: str, need: int) -> tuple[np.ndarray, np.ndarray]:
    """Score one scale from a respondents x items array (NaN = missing).

    Returns (score, n_valid). ``signs`` is +1/-1 per item; reversal is ``lo + hi - x``.

    >>> X = np.array([[1, 5, np.nan], [np.nan, np.nan, 2.]])
    >>> score_matrix(X, np.array([1, -1, 1]), np.full(3, 1.), np.full(3, 5.), "mean", 2)
    (array([ 1., nan]), array([2, 1]))
    """
    R = reverse_key(X, lo, hi, signs)
    valid = ~np.isnan(R)
    nv = valid.sum(axis=1)
    total = np.where(valid, R, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / nv
    if method == "mean":
        s = mean
    elif method == "sum":
        s = total
    elif method == "prorated_sum":
        s = mean * X.shape[1]
    else:
        raise ScoringError(f"unknown scoring method '{method}' (mean, sum, prorated_sum)")
    s = np.where(nv >= need, s, np.nan)
    return s, nv


def score(data: pd.DataFrame, instrument: Instrument | None = None, scales: dict[str, list[str]] | None = None,
          range: tuple[int, int] | None = None, id: str | None = None, on_invalid: OnInvalid = "error",
          careless: bool | dict = True, min_valid: int | float = 1, missing_codes: tuple[int, ...] = (),
          source: str | None = None) -> ScoreResult:
    """Validate and score responses.

    Parameters
    ----------
    data
        Raw responses, one row per respondent (see :func:`psychometrics.io.read_responses`).
    instrument
        An instrument or battery (scores, classifications and careless checks from it).
    scales
        Ad-hoc keys instead of an instrument: ``{"A": ["-A1", "A2"]}``; ``-`` marks reverse keying.
    range
        ``(min, max)`` of the response scale for ad-hoc keys (needed to reverse items).
    id
        Respondent id column (default: found among common names, else row numbers).
    on_invalid
        ``"error"`` (default) refuses invalid values; ``"missing"`` sets them missing and reports each.
    careless
        Compute careless-responding indices and flags; a dict overrides the instrument's
        ``quality_checks``, e.g. ``{"psychsyn": {"r_crit": 0.5}, "longstring": {"max_run": 12}}``.
    min_valid
        Ad-hoc scales only: minimum answered items (count, or proportion when a float).
    missing_codes
        Ad-hoc scales only: codes meaning "no answer" (e.g. ``(-98, -99)``), read as missing.

    Returns
    -------
    ScoreResult
        One row per input row, in input order.

    Notes
    -----
    A scale score is the mean (or sum, or prorated sum) of its items after reverse keying
    (:func:`~psychometrics.instruments.reverse_key`), :math:`\bar x_v = \frac{1}{k_v}\\sum_{j} x_j`
    over the :math:`k_v` answered items, when :math:`k_v` reaches the rule's minimum; otherwise missing.

    R: ``psych::scoreItems(keys, items, totals = FALSE, missing = TRUE, impute = "none")$scores``;
    careless-responding indices as ``careless::longstring``, ``careless::irv``, ``careless::mahad``,
    ``careless::evenodd`` and ``careless::psychsyn``.

    References
    ----------
    Curran, P. G. (2016). Methods for the detection of carelessly invalid responses in survey data.
    *Journal of Experimental Social Psychology*, 66, 4-19.

    Examples
    --------
    >>> df = pd.DataFrame({"id": ["a", "b", "c"], "A1": [1, 5, 2], "A2": [5, 1, None], "A3": [4, 2, 3]})
    >>> res = score(df, scales={"A": ["-A1", "A2", "A3"]}, range=(1, 5), careless=False)
    >>> res.scores[["id", "A", "A_n_valid"]]
      id         A  A_n_valid
    0  a  4.666667          3
    1  b  1.333333          3
    2  c  3.500000          2
    """
    if (instrument is None) == (scales is None):
        raise ScoringError("give either an instrument or ad-hoc scales (not both, not neither)")
    if instrument is not None:
        inst = instrument
    else:
        assert scales is not None
        inst = adhoc_instrument(scales, range, min_valid, missing_codes)
    if scales is None and range is not None:
        raise ScoringError("range=(MIN, MAX) is for ad-hoc scales; an instrument declares its own ranges")
    src = source or data.attrs.get("source", {}).get("path", "<DataFrame>")
    vr = validate_responses(data, inst, id_column=id, on_invalid=on_invalid, source=src,
                            warn_unknown=instrument is not None)
    return score_validated(vr, inst, careless=careless, on_invalid=on_invalid)


def score_validated(vr: ValidatedResponses, inst: Instrument, careless: bool | dict = True,
                    on_invalid: str = "error") -> ScoreResult:
    """Score already validated responses (see :func:`score`); the data fingerprint is the one
    validation recorded (``vr.meta["data"]``)."""
    d = vr.data
    n = len(d)
    _check_output_names(inst, vr.id_column)
    cols: dict[str, object] = {vr.id_column: vr.ids.to_numpy()}
    scale_meta = []
    for rule in inst.scoring:
        X = d[list(rule.items)].to_numpy(dtype=float)
        lo, hi = inst.bounds(rule.items)
        need = rule.min_valid_count
        s, nv = score_matrix(X, np.array(inst.signs(rule)), lo, hi, rule.method, need)
        cols[rule.id] = s
        cols[f"{rule.id}_n_valid"] = nv
        scale_meta.append({"scale": rule.id, "k": len(rule.items), "min_valid": need, "method": rule.method,
                           "items": inst.psych_keys()[rule.id]})
    out = pd.DataFrame(cols)

    # classifications, in order: may use items, scores and earlier classifications
    table = pd.concat([d, out.drop(columns=[vr.id_column])], axis=1)
    notes = list(vr.notes)
    for c in inst.classifications:
        cls = classify(table, c, inst)
        table[c.id] = cls
        out[c.id] = cls
        nmiss = int(cls.isna().sum())
        if nmiss:
            notes.append(f"{c.id}: {nmiss} respondent(s) not classified because an input they needed is missing")

    careless_meta: dict = {"computed": False}
    if careless is not False:
        careless_cols, careless_meta = _careless(d, inst, notes, careless if isinstance(careless, dict) else {})
        out = pd.concat([out, careless_cols], axis=1)

    assert len(out) == n  # every input row is returned, in input order
    meta = {
        "package_version": __version__,
        "instrument": inst.provenance,
        "data": dict(vr.meta.get("data") or {"source": "<DataFrame>", "sha256": "", "rows": n}),
        "data_sha256": (vr.meta.get("data") or {}).get("sha256", ""),
        "seed": None,
        "estimator": None,
        "n_rows": n,
        "id_column": vr.id_column,
        "on_invalid": on_invalid,
        "missing_codes": vr.missing_codes,
        "scales": scale_meta,
        "classifications": [c.id for c in inst.classifications],
        "careless": careless_meta,
        "notes": notes,
    }
    return ScoreResult(scores=out, problems=vr.problems, meta=meta)


def _check_output_names(inst: Instrument, id_column: str) -> None:
    """Refuse scale or classification names that would overwrite another output column (the id,
    another scale's ``<scale>_n_valid``, a careless-responding column)."""
    owners: dict[str, str] = {id_column: f"the id column '{id_column}'"}
    generated = [(r.id, f"scale '{r.id}'") for r in inst.scoring]
    generated += [(f"{r.id}_n_valid", f"the valid-item count of scale '{r.id}'") for r in inst.scoring]
    generated += [(c.id, f"classification '{c.id}'") for c in inst.classifications]
    for name, what in generated:
        if name in owners or name.startswith(("careless_", "flag_")):
            other = owners.get(name, "a careless-responding column")
            raise ScoringError(f"{what} would be written to column '{name}', which is {other}; rename the scale "
                               "or classification in the instrument (or the ad-hoc key)")
        owners[name] = what


def _careless(d: pd.DataFrame, inst: Instrument, notes: list[str], overrides: dict) -> tuple[pd.DataFrame, dict]:
    ids = inst.scale_item_ids
    raw = d[ids].to_numpy(dtype=float)
    k = len(ids)
    signs = np.ones(k)
    for rule in inst.scoring:  # reverse an item if it is reverse-keyed in the first scale it belongs to
        for i, sgn in zip(rule.items, inst.signs(rule)):
            j = ids.index(i)
            if signs[j] == 1 and sgn < 0:
                signs[j] = -1
    lo, hi = inst.bounds(ids)
    rec = reverse_key(raw, lo, hi, signs)
    unknown = set(overrides) - set(CARELESS_DEFAULTS)
    if unknown:
        raise OptionError(f"careless: unknown careless-responding index {sorted(unknown)}; known: {sorted(CARELESS_DEFAULTS)}",
                          argument="careless")
    cfg = {name: {**CARELESS_DEFAULTS[name], **inst.quality_checks.get(name, {}), **overrides.get(name, {})}
           for name in CARELESS_DEFAULTS}
    max_run = cfg["longstring"].get("max_run", max(6, math.ceil(k / 2)))
    rules = {"longstring": f"longest run of identical answers > {max_run}",
             "irv": f"SD of own answers < {cfg['irv']['min_sd']}",
             "mahalanobis": f"chi-square p of Mahalanobis D2 < {cfg['mahalanobis']['alpha']}",
             "evenodd": f"even-odd consistency < {cfg['even_odd']['min_r']}",
             "psychsyn": f"psychometric-synonym r < {cfg['psychsyn']['min_r']} (pairs with r > {cfg['psychsyn']['r_crit']})"}
    out = {}
    ls = longstring(raw)
    out["careless_longstring"] = ls
    out["careless_irv"] = sd = irv(raw)
    d2, p = mahalanobis(rec) if k >= 2 and len(d) > k else (np.full(len(d), np.nan),) * 2
    out["careless_mahalanobis_d2"] = d2
    out["careless_mahalanobis_p"] = p
    # even-odd on the smallest scales (a scale that contains another scale is left out)
    sets = {r.id: set(r.items) for r in inst.scoring}
    leaves = [r for r in inst.scoring if not any(o != r.id and sets[o] < sets[r.id] for o in sets)]
    eo = even_odd(rec, [np.array([ids.index(i) for i in r.items]) for r in leaves])
    out["careless_evenodd"] = eo
    ps, npairs = psychsyn(rec, cfg["psychsyn"]["r_crit"]) if k >= 2 else (np.full(len(d), np.nan), 0)
    out["careless_psychsyn"] = ps

    def flag(values, bad):
        f = pd.array(bad, dtype="boolean")
        f[np.isnan(values)] = pd.NA
        return f

    with np.errstate(invalid="ignore"):
        out["flag_longstring"] = flag(ls, ls > max_run)
        out["flag_irv"] = flag(sd, sd < cfg["irv"]["min_sd"])
        out["flag_mahalanobis"] = flag(p, p < cfg["mahalanobis"]["alpha"])
        out["flag_evenodd"] = flag(eo, eo < cfg["even_odd"]["min_r"])
        out["flag_psychsyn"] = flag(ps, ps < cfg["psychsyn"]["min_r"])
    frame = pd.DataFrame(out)
    flags = frame[[c for c in frame if c.startswith("flag_")]]
    frame["careless_flags"] = flags.fillna(False).astype(int).sum(axis=1)
    not_computed = []
    if np.isnan(eo).all():
        not_computed.append(f"even-odd consistency (needs 3 or more scales with 2+ items; {len(leaves)} available)")
    if np.isnan(ps).all():
        not_computed.append(f"psychometric synonyms (needs 3 or more item pairs with r > "
                            f"{cfg['psychsyn']['r_crit']}; found {npairs})")
    if np.isnan(d2).all():
        not_computed.append("Mahalanobis distance (needs more respondents than items)")
    for msg in not_computed:
        notes.append(f"not computed: {msg}")
        warnings.warn(f"careless responding: not computed: {msg}", CarelessWarning, stacklevel=4)
    meta = {"computed": True, "items": ids, "rules": rules, "psychsyn_pairs": npairs,
            "evenodd_scales": [r.id for r in leaves], "config": cfg | {"longstring": {"max_run": max_run}}}
    return frame, meta
