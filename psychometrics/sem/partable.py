"""The parameter table (lavaan's ``partable``): one row per model parameter, with lavaan's
``cfa()``/``sem()`` defaults added to what the user wrote.

Defaults (single group, no mean structure): the first loading of each latent variable is fixed
to 1 (or latent variances to 1 with ``std_lv``); residual variances of observed variables and
(residual) variances of latent variables are free; covariances among exogenous latent variables
are free; covariances among the residuals of pure outcome variables (dependent variables that
predict nothing) are free (lavaan's ``auto.cov.y``); variances and covariances of observed
exogenous predictors are fixed at their sample values (``fixed.x``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .syntax import ModelSyntaxError, Statement, parse


@dataclass
class Row:
    lhs: str
    op: str
    rhs: str
    label: str = ""
    free: int = 0           # 1-based index of the free parameter, 0 if fixed
    value: float | None = None   # fixed value (or start value when free)
    user: bool = True
    fixed_x: bool = False   # fixed at the sample value (exogenous observed covariate)


@dataclass
class ParTable:
    rows: list[Row]
    observed: list[str]          # in the order of the data's covariance matrix
    latent: list[str]
    defined: list[Statement] = field(default_factory=list)
    n_free: int = 0

    def labels(self) -> dict[str, int]:
        return {r.label: r.free for r in self.rows if r.label and r.free}


def _pairs(items: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for i, a in enumerate(items) for b in items[i + 1:]]


def build(model: str, data_columns: list[str], std_lv: bool = False) -> ParTable:
    """Parse ``model`` and complete it with lavaan's defaults."""
    stmts = parse(model)
    latent: list[str] = []
    for s in stmts:
        if s.op == "=~" and s.lhs not in latent:
            latent.append(s.lhs)
    rows: list[Row] = []
    seen: set[tuple[str, str, str]] = set()

    def add(lhs, op, rhs, term=None, user=True):
        key = (lhs, op, rhs) if op != "~~" else (min(lhs, rhs), op, max(lhs, rhs))
        if key in seen:
            if user:
                raise ModelSyntaxError(f"model syntax: '{lhs} {op} {rhs}' is specified twice")
            return None
        seen.add(key)
        r = Row(lhs, op, rhs, user=user)
        if term is not None:
            if isinstance(term.label, tuple) or isinstance(term.value, tuple):
                raise ModelSyntaxError(f"model syntax: c(...) modifiers need a multiple-group model ('{lhs} {op} {rhs}')")
            r.label = term.label or ""
            if term.value is not None:
                r.value = term.value
                r.free = -1          # fixed by the user
            if term.free:
                r.free = 1           # explicitly free (NA*)
            if term.start is not None:
                r.value = term.start
        rows.append(r)
        return r

    defined, constraints = [], []
    for s in stmts:
        if s.op in (":=",):
            defined.append(s)
            continue
        if s.op in ("==", "<", ">"):
            constraints.append(s)
            continue
        if s.op == "~1":
            raise ModelSyntaxError(f"model syntax, line {s.line}: intercepts ('{s.lhs} ~ 1') need a mean structure, "
                                   "which comes with FIML and multiple groups (not available yet)")
        for t in s.rhs:
            add(s.lhs, s.op, t.name, t)

    # first loadings fixed to 1 (unless the user fixed or freed it, or std_lv)
    for f in latent:
        loads = [r for r in rows if r.op == "=~" and r.lhs == f]
        first = loads[0]
        if not std_lv and first.free == 0:
            first.free, first.value = -1, 1.0
    regressions = [r for r in rows if r.op == "~"]
    indicators = {r.rhs for r in rows if r.op == "=~"}
    dependent = {r.lhs for r in regressions}
    predictors = {r.rhs for r in regressions}
    observed_model = []
    for r in rows:
        for v in (r.lhs, r.rhs):
            if v not in latent and v not in observed_model:
                observed_model.append(v)
    missing = [v for v in observed_model if v not in data_columns]
    if missing:
        raise ModelSyntaxError(f"the model names variable(s) {', '.join(missing)}, which are not latent (no '=~') "
                               "and not columns of the data; check the spelling")
    observed = [c for c in data_columns if c in observed_model]
    exo_x = [v for v in observed if v in predictors and v not in dependent and v not in indicators]

    # variances
    for v in observed + latent:
        if v in exo_x:
            r = add(v, "~~", v, user=False)
            if r:
                r.free, r.fixed_x = -1, True
            continue
        r = add(v, "~~", v, user=False)
        if r and std_lv and v in latent:
            r.free, r.value = -1, 1.0
    # covariances among exogenous latent variables
    exo_lv = [f for f in latent if f not in dependent]
    for a, b in _pairs(exo_lv):
        add(a, "~~", b, user=False)
    # covariances among observed exogenous predictors: fixed.x
    for a, b in _pairs(exo_x):
        r = add(a, "~~", b, user=False)
        if r:
            r.free, r.fixed_x = -1, True
    # auto.cov.y: residual covariances among pure outcomes
    pure = [v for v in observed + latent if v in dependent and v not in predictors]
    for a, b in _pairs(pure):
        add(a, "~~", b, user=False)

    # number the free parameters; shared labels share an index (equality constraints)
    by_label: dict[str, int] = {}
    n = 0
    for r in rows:
        if r.free == -1:
            r.free = 0
            continue
        if r.label and r.label in by_label:
            r.free = by_label[r.label]
            continue
        n += 1
        r.free = n
        if r.label:
            by_label[r.label] = n
    # simple equality constraints between labels: a == b
    for c in constraints:
        if c.op != "==" or c.lhs not in by_label or c.expression.strip() not in by_label:
            raise ModelSyntaxError(f"model syntax, line {c.line}: only equalities between two labels "
                                   f"('a == b') are supported so far, not '{c.lhs} {c.op} {c.expression}'")
        keep, drop = by_label[c.lhs], by_label[c.expression.strip()]
        for r in rows:
            if r.free == drop:
                r.free = keep
    # renumber consecutively
    order = sorted({r.free for r in rows if r.free})
    remap = {old: i + 1 for i, old in enumerate(order)}
    for r in rows:
        if r.free:
            r.free = remap[r.free]
    for d in defined:
        if d.lhs in by_label:
            raise ModelSyntaxError(f"model syntax, line {d.line}: '{d.lhs}' is already a parameter label")
    return ParTable(rows=rows, observed=observed, latent=latent, defined=defined, n_free=len(order))
