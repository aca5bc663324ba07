"""APA-style numbers and headers for the tables a paper takes (APA Publication Manual, 7th ed.,
section 6.36): two decimals; no leading zero for statistics that cannot exceed 1 (correlations,
alpha, omega, CFI, p); p to three decimals, below .001 as "< .001"; yes/no for flags; a dash for
what is not there; fixed parameters marked "fixed" instead of an SE of 0 and an interval [1, 1];
headers in words (p, SE, M, SD) instead of the JSON's snake_case.

>>> p_value(0.0004), p_value(0.0234), p_value(0.9999)
('< .001', '.023', '> .999')
>>> bounded(0.8734), bounded(-0.1), number(12.3456), number(-0.001), bounded(-0.004)
('.87', '-.10', '12.35', '0.00', '.00')
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

DASH = "—"

#: columns holding p-values
P_COLUMNS = re.compile(r"^(p|pvalue|p_value|pvalue_[a-z_]+|[a-z_]*_pvalue|[a-z_]+_p)$", re.I)
#: columns holding statistics bounded by 1 in absolute value (no leading zero)
BOUNDED = re.compile(r"(^|[_ ])(alpha|omega|omega_h|cr|ave|r|rho|cfi|tli|nfi|rmsea|srmr|icc1|icc2|std_all|power|coverage"
                     r"|converged|admissible|r_drop|alpha_if_deleted|proportion|cumulative|h2|loading|kmo|msa"
                     r"|delta_cfi|delta_rmsea|delta_srmr|eta2|omega2|cramers_v|r2|icc|v)($|[_ ])", re.I)
#: changes in fit indexes: three decimals (a change of .004 would show as .00)
DELTA = re.compile(r"(^|[_ ])delta[_ ](cfi|tli|rmsea|srmr)$", re.I)

HEADERS = {"pvalue": "p", "p_value": "p", "se": "SE", "z": "z", "est": "estimate", "ci_lower": "95% CI lower",
           "ci_upper": "95% CI upper", "std_lv": "std. (lv)", "std_all": "std. (all)", "std_all_se": "SE (std.)",
           "mean": "M", "sd": "SD", "n": "n", "k": "k", "label": "label",
           "omega_h": "omega h", "cr": "CR", "ave": "AVE", "icc1": "ICC(1)", "icc2": "ICC(2)", "cfi": "CFI",
           "tli": "TLI", "rmsea": "RMSEA", "srmr": "SRMR", "chisq": "chi2", "df": "df", "npar": "parameters",
           "pct_missing": "% missing", "r_drop": "r (item-rest)"}


def p_value(p) -> str:
    """p to three decimals without a leading zero; below .001 as "< .001" (APA 6.36)."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return DASH
    p = float(p)
    if p < 0.001:
        return "< .001"
    if p > 0.999:
        return "> .999"
    return f"{p:.3f}".replace("0.", ".", 1)


def p_text(p) -> str:
    """p in running text: "p = .023", "p < .001", "p > .999".

    >>> p_text(0.0234), p_text(1e-9)
    ('p = .023', 'p < .001')
    """
    shown = p_value(p)
    return f"p {shown}" if shown[0] in "<>" else f"p = {shown}"


def _no_negative_zero(text: str) -> str:
    """"-0.00" and "-.00" (a small negative number rounded away) shown without the sign."""
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def bounded(x, digits: int = 2) -> str:
    """A statistic that cannot exceed 1 in absolute value: no leading zero (.87, -.12)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return DASH
    text = _no_negative_zero(f"{float(x):.{digits}f}")
    return re.sub(r"^(-?)0\.", r"\1.", text)


def number(x, digits: int = 2) -> str:
    """Any other number: ``digits`` decimals (whole numbers as they are)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return DASH
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return _no_negative_zero(f"{float(x):.{digits}f}")


def header(name: str) -> str:
    """A column's header in words (``pvalue`` -> ``p``, ``pct_floor`` -> ``pct floor``)."""
    name = str(name)
    return HEADERS.get(name, name.replace("_", " "))


def table(df: pd.DataFrame, digits: int = 2) -> pd.DataFrame:
    """``df`` as APA text, column by column (see the module docstring). A parameter table's
    ``lhs``, ``op``, ``rhs`` become one ``parameter`` column (``f =~ x1``), an empty ``label``
    column and a single-group ``group`` column are left out, and its fixed rows (``free`` 0, or an
    SE of 0 without a ``free`` column; not ``:=``) show "fixed" as their SE and dashes for z, p and
    the interval."""
    out = pd.DataFrame(index=df.index)
    fixed = None
    if {"se", "op"} <= set(df.columns):       # without a free column: an SE of exactly 0 marks a fixed value
        free = df["free"].to_numpy() != 0 if "free" in df.columns else df["se"].to_numpy(float) != 0
        fixed = ~free & (df["op"].to_numpy() != ":=")
    skip = set()
    if {"lhs", "op", "rhs"} <= set(df.columns):
        out["parameter"] = (df["lhs"].astype(str) + " " + df["op"].astype(str) + " " + df["rhs"].astype(str)).str.strip()
        skip |= {"lhs", "op", "rhs"}
        if "label" in df.columns and not df["label"].astype(str).str.strip().any():
            skip.add("label")
        if "group" in df.columns and df["group"].nunique() == 1:
            skip.add("group")
    for col in df.columns:
        if col in skip:
            continue
        v = df[col]
        name = str(col)
        if name == "free" and fixed is not None:
            continue
        if P_COLUMNS.match(name):
            cells = [p_value(x) for x in v]
        elif pd.api.types.is_bool_dtype(v) or v.map(lambda x: isinstance(x, (bool, np.bool_))).all():
            cells = ["yes" if x is True or x is np.True_ else "no" if x is False or x is np.False_ else DASH
                     for x in v]
        elif pd.api.types.is_numeric_dtype(v):
            fmt = bounded if BOUNDED.search(name) else number
            places = max(digits, 3) if DELTA.search(name) else digits
            cells = [fmt(x, places) if not isinstance(x, (int, np.integer)) or fmt is bounded else str(int(x))
                     for x in v]
        else:
            cells = [DASH if x is None or (isinstance(x, float) and math.isnan(x)) else str(x) for x in v]
        if fixed is not None and name in ("se", "z", "pvalue", "ci_lower", "ci_upper", "std_all_se"):
            cells = [("fixed" if name == "se" else DASH) if f else c for c, f in zip(cells, fixed)]
        out[header(name) if header(name) not in out.columns else name] = cells
    return out
