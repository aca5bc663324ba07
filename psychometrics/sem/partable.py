"""The parameter table (lavaan's ``partable``): one row per model parameter and group, with
lavaan's ``cfa()``/``sem()`` defaults added to what the user wrote.

Defaults: the first loading of each latent variable is fixed to 1 (or latent variances to 1 with
``std_lv``); residual variances of observed variables and (residual) variances of latent variables
are free; covariances among exogenous latent variables are free; covariances among the residuals of
pure outcome variables (dependent variables that predict nothing) are free (lavaan's
``auto.cov.y``); variances, covariances and means of observed exogenous predictors are fixed at
their sample values (``fixed.x``). With a mean structure (FIML, several groups, or intercepts in
the syntax) intercepts of observed variables are free and latent means fixed to 0, except that
with ``group_equal`` containing ``"intercepts"`` the latent means of the second and later groups
are free (lavaan's rule).

Equality constraints: rows sharing a label share one free parameter (a plain label holds in every
group; ``c(a1, a2)*x`` gives each group its own); ``group_equal`` makes every free parameter of
the named kinds equal across groups, except those listed in ``group_partial`` (``"f=~x2"``,
``"x3~1"``); ``a == b`` joins two labels; other constraints (``a + b == 1``, ``b == a^2``,
``v > 0``) are kept for constrained estimation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .syntax import ModelSyntaxError, Statement, parse

GROUP_EQUAL = ("loadings", "intercepts", "means", "residuals", "residual.covariances", "lv.variances",
               "lv.covariances", "regressions")


@dataclass
class Row:
    lhs: str
    op: str
    rhs: str
    group: int = 1
    label: str = ""
    free: int = 0           # 1-based index of the free parameter, 0 if fixed
    value: float | None = None   # fixed value (or start value when free)
    user: bool = True
    fixed_x: bool = False   # fixed at the sample value (exogenous observed covariate)
    start: float | None = None


@dataclass
class ParTable:
    rows: list[Row]
    observed: list[str]          # in the order of the data's covariance matrix
    latent: list[str]
    defined: list[Statement] = field(default_factory=list)
    n_free: int = 0
    n_groups: int = 1
    meanstructure: bool = False
    exo_x: list[str] = field(default_factory=list)
    constraints: list[Statement] = field(default_factory=list)   # general ==, <, > (not label == label)

    def labels(self) -> dict[str, int]:
        return {r.label: r.free for r in self.rows if r.label and r.free}


def _pairs(items: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for i, a in enumerate(items) for b in items[i + 1:]]


def _kind(r: Row, latent: set[str]) -> str:
    if r.op == "=~":
        return "loadings"
    if r.op == "~":
        return "regressions"
    if r.op == "~1":
        return "means" if r.lhs in latent else "intercepts"
    lv = r.lhs in latent
    if r.lhs == r.rhs:
        return "lv.variances" if lv else "residuals"
    return "lv.covariances" if lv else "residual.covariances"


def _pick(value, g: int, n_groups: int, what: str, line: int):
    if not isinstance(value, tuple):
        return value
    if len(value) != n_groups:
        raise ModelSyntaxError(f"model syntax, line {line}: c(...) for {what} has {len(value)} element(s) for "
                               f"{n_groups} group(s); give one per group")
    return value[g - 1]


def build(model: str, data_columns: list[str], std_lv: bool = False, meanstructure: bool = False,
          n_groups: int = 1, group_equal: tuple[str, ...] = (), group_partial: tuple[str, ...] = ()) -> ParTable:
    """Parse ``model`` and complete it with lavaan's defaults."""
    stmts = parse(model)
    unknown = [e for e in group_equal if e not in GROUP_EQUAL]
    if unknown:
        raise ModelSyntaxError(f"group_equal: unknown kind(s) {', '.join(unknown)}; choose from {', '.join(GROUP_EQUAL)}")
    partial = {p.replace(" ", "") for p in group_partial}
    latent: list[str] = []
    for s in stmts:
        if s.op == "=~" and s.lhs not in latent:
            latent.append(s.lhs)
    if any(s.op == "~1" for s in stmts):
        meanstructure = True
    if n_groups > 1:
        meanstructure = True
    defined, constraints, structural = [], [], []
    for s in stmts:
        (defined if s.op == ":=" else constraints if s.op in ("==", "<", ">") else structural).append(s)

    # variables of the model, checked against the data
    regressions = [(s.lhs, t.name) for s in structural if s.op == "~" for t in s.rhs]
    indicators = {t.name for s in structural if s.op == "=~" for t in s.rhs}
    dependent = {a for a, _ in regressions}
    predictors = {b for _, b in regressions}
    observed_model: list[str] = []
    for s in structural:
        for v in [s.lhs] + [t.name for t in s.rhs if t.name != "1"]:
            if v not in latent and v not in observed_model:
                observed_model.append(v)
    missing = [v for v in observed_model if v not in data_columns]
    if missing:
        raise ModelSyntaxError(f"the model names variable(s) {', '.join(missing)}, which are not latent (no '=~') "
                               "and not columns of the data; check the spelling")
    observed = [c for c in data_columns if c in observed_model]
    exo_x = [v for v in observed if v in predictors and v not in dependent and v not in indicators]
    exo_lv = [f for f in latent if f not in dependent]
    pure = [v for v in observed + latent if v in dependent and v not in predictors]

    rows: list[Row] = []
    for g in range(1, n_groups + 1):
        seen: set[tuple[str, str, str]] = set()

        def add(lhs, op, rhs, term=None, user=True, line=0):
            key = (lhs, op, rhs) if op != "~~" else (min(lhs, rhs), op, max(lhs, rhs))
            if key in seen:
                if user:
                    raise ModelSyntaxError(f"model syntax: '{lhs} {op} {rhs}' is specified twice")
                return None
            seen.add(key)
            r = Row(lhs, op, rhs, group=g, user=user)
            if term is not None:
                what = f"'{lhs} {op} {rhs or '1'}'"
                label = _pick(term.label, g, n_groups, what, line)
                value = _pick(term.value, g, n_groups, what, line)
                r.label = label or ""
                if value is not None:
                    r.value, r.free = value, -1          # fixed by the user
                if isinstance(term.value, tuple) and value is None:
                    r.free = 1                           # NA in c(...): free in this group
                if term.free:
                    r.free = 1                           # explicitly free (NA*)
                if term.start is not None:
                    r.start = term.start
            rows.append(r)
            return r

        for s in structural:
            if s.op == "~1":
                for t in s.rhs:
                    add(s.lhs, "~1", "", t, line=s.line)
                continue
            for t in s.rhs:
                add(s.lhs, s.op, t.name, t, line=s.line)
        group_rows = [r for r in rows if r.group == g]
        # first loadings fixed to 1 (unless the user fixed or freed it, or std_lv)
        for f in latent:
            first = next(r for r in group_rows if r.op == "=~" and r.lhs == f)
            if not std_lv and first.free == 0:
                first.free, first.value = -1, 1.0
        for v in observed + latent:
            r = add(v, "~~", v, user=False)
            if r and v in exo_x:
                r.free, r.fixed_x = -1, True
            elif r and std_lv and v in latent:
                r.free, r.value = -1, 1.0
        for a, b in _pairs(exo_lv):
            add(a, "~~", b, user=False)
        for a, b in _pairs(exo_x):
            r = add(a, "~~", b, user=False)
            if r:
                r.free, r.fixed_x = -1, True
        for a, b in _pairs(pure):       # auto.cov.y
            add(a, "~~", b, user=False)
        if meanstructure:
            for v in observed:
                r = add(v, "~1", "", user=False)
                if r and v in exo_x:
                    r.free, r.fixed_x = -1, True
            for f in latent:
                r = add(f, "~1", "", user=False)
                if r:
                    free_mean = g > 1 and "intercepts" in group_equal and "means" not in group_equal
                    if not free_mean:
                        r.free, r.value = -1, 0.0

    # number the free parameters; shared labels (and group_equal kinds) share an index
    latent_set = set(latent)
    by_key: dict = {}
    by_label: dict[str, int] = {}
    n = 0
    for pos, r in enumerate(rows):
        if r.free == -1:
            r.free = 0
            continue
        kind = _kind(r, latent_set)
        tag = f"{r.lhs}{r.op}{r.rhs}"
        if r.label:
            key = ("label", r.label)
        elif n_groups > 1 and kind in group_equal and tag not in partial and not r.fixed_x:
            key = ("equal", r.lhs, r.op, r.rhs)
        else:
            key = ("row", pos)
        if key in by_key:
            r.free = by_key[key]
            continue
        n += 1
        r.free = by_key[key] = n
        if r.label:
            by_label[r.label] = n
    general = []
    for c in constraints:
        if c.op == "==" and c.lhs in by_label and c.expression.strip() in by_label:
            keep, drop = by_label[c.lhs], by_label[c.expression.strip()]   # a == b: one parameter
            for r in rows:
                if r.free == drop:
                    r.free = keep
            by_label = {lab: (keep if k == drop else k) for lab, k in by_label.items()}
        else:
            general.append(c)       # any other (in)equality: estimated under the constraint
    order = sorted({r.free for r in rows if r.free})
    remap = {old: i + 1 for i, old in enumerate(order)}
    for r in rows:
        if r.free:
            r.free = remap[r.free]
    for d in defined:
        if d.lhs in by_label:
            raise ModelSyntaxError(f"model syntax, line {d.line}: '{d.lhs}' is already a parameter label")
    return ParTable(rows=rows, observed=observed, latent=latent, defined=defined, n_free=len(order),
                    n_groups=n_groups, meanstructure=meanstructure, exo_x=exo_x, constraints=general)
