"""Rule tables as data: classify respondents (participation type, teacher type, ...).

Rules are checked in order; the first rule that *holds* gives the category. Each
condition is true, false or unknown (its input is missing), combined as in
three-valued logic: a rule with a false condition does not hold; a rule with no
false but an unknown condition *may* hold, so the category stays missing rather
than guessed from a later rule; ``otherwise: true`` always holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import ScoringError
from ..instruments import Classification, Instrument

TRUE, FALSE, UNKNOWN = 1, 0, -1


def _condition(values: pd.Series | None, dummies: pd.DataFrame | None, cond: dict, name: str,
               names_to_codes: dict[str, int]) -> np.ndarray:
    """Truth of one condition, as an int8 array of TRUE/FALSE/UNKNOWN."""
    if dummies is not None:  # select_multiple item
        D = dummies.to_numpy(dtype=float)
        answered = ~np.isnan(D).all(axis=1)
        cols = {c.split("_", 1)[1]: i for i, c in enumerate(dummies.columns)}
        res = np.full(len(D), TRUE, dtype=np.int8)
        with np.errstate(invalid="ignore"):
            if "any_of" in cond:
                hit = np.nansum(D[:, [cols[c] for c in cond["any_of"]]], axis=1) > 0
                res = np.where(hit, res, FALSE).astype(np.int8)
            if "none_of" in cond:
                hit = np.nansum(D[:, [cols[c] for c in cond["none_of"]]], axis=1) > 0
                res = np.where(hit, FALSE, res).astype(np.int8)
        if "is_missing" in cond:  # unanswered decides it; answered: the other operators (false if none)
            if cond["is_missing"]:
                return np.where(~answered, TRUE, FALSE).astype(np.int8)
            return np.where(~answered, FALSE, res).astype(np.int8)
        return np.where(answered, res, UNKNOWN).astype(np.int8)

    assert values is not None   # not a select_multiple item: its values are given
    missing = values.isna().to_numpy()
    if "is_missing" in cond and len(cond) == 1:
        return np.where(missing == cond["is_missing"], TRUE, FALSE).astype(np.int8)
    is_text = not pd.api.types.is_numeric_dtype(values)
    v = values.astype(object).to_numpy() if is_text else values.to_numpy(dtype=float)

    def lit(x):
        if isinstance(x, str) and not is_text:
            if x not in names_to_codes:
                raise ScoringError(f"condition on '{name}' compares with '{x}', which is not one of its "
                                   f"choice names {sorted(names_to_codes)}")
            return names_to_codes[x]
        return x

    ok = np.ones(len(v), dtype=bool)
    with np.errstate(invalid="ignore"):
        for op, arg in cond.items():
            if op == "is_missing":
                continue
            if op == "in":
                ok &= np.isin(v, [lit(a) for a in arg])
            elif op == "eq":
                ok &= v == lit(arg)
            elif op == "ne":
                ok &= v != lit(arg)
            elif op in ("lt", "le", "gt", "ge"):
                if is_text:
                    raise ScoringError(f"'{name}' is a category; '{op}' needs a number")
                ok &= {"lt": v < arg, "le": v <= arg, "gt": v > arg, "ge": v >= arg}[op]
    res = np.where(ok, TRUE, FALSE).astype(np.int8)
    if "is_missing" in cond:  # combined with other operators: missing decides it
        return np.where(missing, TRUE if cond["is_missing"] else FALSE, res).astype(np.int8)
    return np.where(missing, UNKNOWN, res).astype(np.int8)


def classify(table: pd.DataFrame, classification: Classification, instrument: Instrument) -> pd.Series:
    """Apply one rule table to a table holding item, score and earlier classification columns.

    Returns a categorical Series (categories in the declared order), missing where
    no rule decides.
    """
    n = len(table)
    result = np.full(n, None, dtype=object)
    decided = np.zeros(n, dtype=bool)
    items = instrument.item_map
    for rule in classification.rules:
        if rule.get("otherwise"):
            truth = np.full(n, TRUE, dtype=np.int8)
        else:
            truth = np.full(n, TRUE, dtype=np.int8)
            for name, cond in rule["when"].items():
                item = items.get(name)
                if item is not None and item.scale.type == "select_multiple":
                    cols = [f"{name}_{c}" for c in item.scale.names]
                    dummies = table[cols] if all(c in table for c in cols) else None
                    if dummies is None:
                        raise ScoringError(f"classification '{classification.id}' needs the answers to '{name}'")
                    t = _condition(None, dummies, cond, name, {})
                else:
                    if name not in table:
                        raise ScoringError(f"classification '{classification.id}' needs '{name}', which was not "
                                           "scored; score the instrument that defines it too")
                    codes = dict(zip(item.scale.names, item.scale.values)) if item is not None else {}
                    t = _condition(table[name], None, cond, name, codes)
                truth = np.where((truth == FALSE) | (t == FALSE), FALSE,
                                 np.where((truth == UNKNOWN) | (t == UNKNOWN), UNKNOWN, TRUE)).astype(np.int8)
        now = ~decided & (truth == TRUE)
        result[now] = rule["then"]
        decided |= ~decided & (truth != FALSE)  # UNKNOWN decides too: the category stays missing
    cats = [c["name"] for c in classification.categories]
    return pd.Series(pd.Categorical(result, categories=cats), index=table.index, name=classification.id)
