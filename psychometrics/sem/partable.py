"""The parameter table (lavaan's ``partable``): one row per model parameter and group, with
lavaan's ``cfa()``/``sem()`` defaults added to what the user wrote.

The variables are typed as lavaan's ``lav_partable_vnames`` types them: latent variables (left of
``=~``); indicators (right of ``=~``); *exogenous observed covariates* ``ov.x`` (predictors in a
``~`` that are not latent, not indicators, not themselves regressed on anything and not named in a
user's ``~~`` or ``~1``); *exogenous latent variables* ``lv.x`` (neither indicators of another
latent variable nor regressed on anything); *pure outcomes* ``ov.y``/``lv.y`` (regressed on
something, but neither indicators nor predictors).

Defaults added (lavaan's ``cfa()``/``sem()``: ``auto.fix.first``, ``auto.fix.single``, ``auto.var``,
``auto.cov.lv.x``, ``auto.cov.y``, ``fixed.x``, ``int.ov.free``): the first loading of each latent
variable is fixed to 1 (or, with ``std_lv``, every latent variance to 1); residual variances of
every observed variable but ``ov.x`` and (residual) variances of every latent variable are free,
except the residual variance of the only indicator of a latent variable (fixed to 0); covariances
among ``lv.x`` are free; covariances among the residuals of ``lv.y`` and ``ov.y`` are free (with
``orthogonal`` every default covariance of two latent variables is fixed to 0); variances,
covariances and means of ``ov.x`` are fixed at their sample values (``fixed_x=True``; free with
``fixed_x=False``), and are then not counted among the sample moments for the degrees of freedom.
With a mean structure (FIML, several groups, ``meanstructure=True``, or intercepts in the syntax)
intercepts of observed variables are free and latent means fixed to 0, except that with
``group_equal`` containing ``"intercepts"`` the latent means of the second and later groups are free
(and with ``std_lv`` and equal loadings, the latent variances of the later groups). The user's
modifiers are applied last: a fixed value fixes, ``NA`` frees, ``start()`` on a fixed parameter sets
its value (as lavaan).

Equality constraints: rows sharing a label share one free parameter (a plain label holds in every
group; ``c(a1, a2)*x`` gives each group its own); ``group_equal`` makes every free parameter of
the named kinds equal across groups, except those listed in ``group_partial`` (``"f=~x2"``,
``"x3~1"``); ``a == b`` joins two labels; other constraints (``a + b == 1``, ``b == a^2``,
``v > 0``) are kept for constrained estimation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .syntax import ModelSyntaxError, Statement, Term, parse, split_levels

GROUP_EQUAL = ("loadings", "thresholds", "intercepts", "means", "residuals", "residual.covariances", "lv.variances",
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
    fixed_x: bool = False   # fixed at the sample value (exogenous observed covariate; lavaan's exo)
    start: float | None = None
    equal: str = ""         # equal("...") modifier: the label or "lhs op rhs" of another parameter
    line: int = 0           # the syntax line (0 for defaults)
    level: int = 1          # 1 within clusters, 2 between (two-level models; group is then the block)


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
    fixed_x: bool = True
    notes: list[str] = field(default_factory=list)
    ordered: list[str] = field(default_factory=list)          # ordered-categorical indicators
    n_thresholds: dict[str, int] = field(default_factory=dict)
    parameterization: str = "delta"
    n_levels: int = 1                                          # 2: blocks are (group, level) pairs
    level_observed: list[list[str]] = field(default_factory=list)   # two-level: each level's observed variables
    level_exo: list[list[str]] = field(default_factory=list)        # two-level: each level's fixed.x covariates

    def labels(self) -> dict[str, int]:
        return {r.label: r.free for r in self.rows if r.label and r.free}

    def ndat(self) -> int:
        """Sample moments per lavaan (``lav_partable_ndat``): per group p(p+1)/2 covariances (+ p
        means with a mean structure), less those of ``ov.x`` when they are fixed (``fixed.x``); an
        ordered indicator has its thresholds instead of a mean and no variance (a correlation
        matrix's unit diagonal)."""
        if self.n_levels == 2:
            return self.n_groups // 2 * self._ndat_two_level()
        p, nx = len(self.observed), len(self.exo_x) if self.fixed_x else 0
        per = p * (p + 1) // 2 + (p if self.meanstructure else 0)
        if self.ordered:
            per += sum(self.n_thresholds[v] - 2 for v in self.ordered)     # thresholds for mean and variance
        per -= nx * (nx + 1) // 2 + (nx if self.meanstructure else 0)
        return self.n_groups * per

    def _ndat_two_level(self) -> int:
        """Per group, lavaan's two-level count: level 1 p1(p1+1)/2 covariances and the means of the
        within-only variables; level 2 p2(p2+1)/2 covariances and p2 means; less those of the
        fixed.x covariates at each level."""
        w, b = self.level_observed
        within_only = [v for v in w if v not in b]
        n = len(w) * (len(w) + 1) // 2 + len(within_only) + len(b) * (len(b) + 3) // 2
        if self.fixed_x:
            x1, x2 = self.level_exo
            n -= len(x1) * (len(x1) + 1) // 2 + sum(v in within_only for v in x1) + len(x2) * (len(x2) + 3) // 2
        return n

    def to_frame(self):
        """lavaan's parameter-table columns (``lavaan::parTable``): id, lhs, op, rhs, user, block,
        group, level, free, ustart, exo, label, plabel."""
        import pandas as pd

        return pd.DataFrame({
            "id": range(1, len(self.rows) + 1), "lhs": [r.lhs for r in self.rows], "op": [r.op for r in self.rows],
            "rhs": [r.rhs for r in self.rows], "user": [int(r.user) for r in self.rows],
            "block": [r.group for r in self.rows],
            "group": [(r.group - 1) // self.n_levels + 1 for r in self.rows], "level": [r.level for r in self.rows],
            "free": [r.free for r in self.rows],
            "ustart": [r.value if not r.free else r.start for r in self.rows],
            "exo": [int(r.fixed_x) for r in self.rows], "label": [r.label for r in self.rows],
            "plabel": [f".p{i}." for i in range(1, len(self.rows) + 1)]})


def _pairs(items: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for i, a in enumerate(items) for b in items[i + 1:]]


def _kind(r: Row, latent: set[str]) -> str:
    if r.op == "=~":
        return "loadings"
    if r.op == "~":
        return "regressions"
    if r.op == "~1":
        return "means" if r.lhs in latent else "intercepts"
    if r.op == "|":
        return "thresholds"
    if r.op == "~*~":
        return "scales"
    lv = r.lhs in latent
    if r.lhs == r.rhs:
        return "lv.variances" if lv else "residuals"
    return "lv.covariances" if lv else "residual.covariances"


def _ordered(names) -> list[str]:
    return list(dict.fromkeys(names))


def _pick(value, g: int, n_groups: int, what: str, line: int):
    if not isinstance(value, tuple):
        return value
    if len(value) != n_groups:
        raise ModelSyntaxError(f"model syntax, line {line}: c(...) for {what} has {len(value)} element(s) for "
                               f"{n_groups} group(s); give one per group")
    return value[g - 1]


def observed_variables(model: str, data_columns: list[str]) -> list[str]:
    """The data columns a model uses (in the data's order), from the syntax alone: the names that
    are not latent. Names not in the data are left for :func:`build` to report.

    >>> observed_variables("f =~ a + c(l1, l2)*b + c\\ny ~ f", ["y", "a", "b", "c", "z"])
    ['y', 'a', 'b', 'c']
    """
    stmts = [s for s in parse(model) if s.op in ("=~", "~", "~~", "~1")]
    latent = {s.lhs for s in stmts if s.op == "=~"}
    names = {v for s in stmts for v in [s.lhs] + [t.name for t in s.rhs if t.name != "1"] if v not in latent}
    return [c for c in data_columns if c in names]


def build(model: str, data_columns: list[str], std_lv: bool = False, meanstructure: bool = False,
          n_groups: int = 1, group_equal: tuple[str, ...] = (), group_partial: tuple[str, ...] = (),
          fixed_x: bool = True, orthogonal: bool = False, ordered: Sequence[str] = (),
          n_thresholds: dict[str, int] | None = None, parameterization: str = "delta") -> ParTable:
    """Parse ``model`` and complete it with lavaan's ``sem()`` defaults (see the module docstring).

    Parameters
    ----------
    model : str
        lavaan model syntax.
    data_columns : list of str
        Columns of the data: a name in the syntax that is not among them must be a latent variable.
    std_lv : bool
        Fix latent variances to 1 instead of the first loadings.
    meanstructure : bool
        Add intercepts and latent means.
    n_groups : int
        Groups: one block of parameters each.
    group_equal, group_partial : tuple of str
        Kinds of parameters equal across groups, and single parameters exempted.
    fixed_x : bool
        Exogenous observed covariates fixed at their sample moments (lavaan's ``fixed.x``).
    orthogonal : bool
        Exogenous latent variables uncorrelated.
    ordered, n_thresholds, parameterization : optional
        Ordered-categorical indicators, their numbers of thresholds, and ``"delta"`` or
        ``"theta"``: lavaan's defaults for categorical data are added (thresholds ``|`` ``t1``,
        ``t2``, ... free; intercepts of the latent responses fixed to 0; their residual variances
        fixed (delta: computed, reported as 1 - R^2; theta: 1); scaling factors ``~*~`` fixed to
        1; with ``"thresholds"`` in ``group_equal`` the later groups' scaling factors (delta) or
        residual variances (theta) and latent means are free).

    Returns
    -------
    ParTable
        One row per parameter with lavaan's columns (``to_frame()``), free-parameter numbering,
        labels, equality constraints and defined parameters.

    Raises
    ------
    ModelSyntaxError
        Unreadable syntax, an unknown variable, or a latent variable named like a data column.

    Notes
    -----
    R: ``lavaan::lavaanify(model, auto = TRUE)`` with the ``sem()`` options, as in
    ``parTable(sem(model, data))``.

    Examples
    --------
    >>> pt = build("y ~ x1 + x2", ["y", "x1", "x2"])
    >>> pt.exo_x, pt.n_free, pt.ndat()
    (['x1', 'x2'], 3, 3)
    """
    if split_levels(model) is not None:
        raise ModelSyntaxError("the model has 'level:' blocks: a two-level model is fitted with cluster= (the column "
                               "of the clusters, e.g. cluster='school' or --cluster school)")
    stmts = parse(model)
    unknown = [e for e in group_equal if e not in GROUP_EQUAL]
    if unknown:
        raise ModelSyntaxError(f"group_equal: unknown kind(s) {', '.join(unknown)}; choose from {', '.join(GROUP_EQUAL)}")
    partial = {p.replace(" ", "") for p in group_partial}
    defined: list[Statement] = []
    constraints: list[Statement] = []
    structural: list[Statement] = []
    categorical: list[Statement] = []
    for s in stmts:
        (defined if s.op == ":=" else constraints if s.op in ("==", "<", ">") else
         categorical if s.op in ("|", "~*~") else structural).append(s)
    ordered = list(ordered)
    n_th = dict(n_thresholds or {})
    for s in categorical:
        if s.lhs not in ordered:
            what = "thresholds" if s.op == "|" else "scaling factors"
            raise ModelSyntaxError(f"model syntax, line {s.line}: {what} ('{s.lhs} {s.op} ...') are for ordered indicators; "
                                   f"declare {s.lhs} ordered (ordered=[...] or --ordered) or remove the line")
        for t in s.rhs:
            if s.op == "|" and int(t.name[1:]) > n_th.get(s.lhs, 0):
                raise ModelSyntaxError(f"model syntax, line {s.line}: {s.lhs} has {n_th.get(s.lhs, 0)} threshold(s) in the "
                                       f"data, so '{s.lhs} | {t.name}' does not exist")
    if not structural:
        raise ModelSyntaxError("the model has no =~, ~, ~~ or ~1 statement")

    # ---- variable types (lav_partable_vnames) ----
    latent = _ordered(s.lhs for s in structural if s.op == "=~")
    lv = set(latent)
    clash = [f for f in latent if f in data_columns]
    if clash:
        line = next(s.line for s in structural if s.op == "=~" and s.lhs == clash[0])
        raise ModelSyntaxError(f"model syntax, line {line}: latent variable name(s) {', '.join(clash)} are also columns "
                               "of the data; rename the latent variable (as lavaan requires)")
    eqs_y = _ordered(s.lhs for s in structural if s.op == "~")
    eqs_x = _ordered(t.name for s in structural if s.op == "~" for t in s.rhs)
    v_ind = _ordered(t.name for s in structural if s.op == "=~" for t in s.rhs)
    ov_ind = [v for v in v_ind if v not in lv]
    ov_y_all = [v for v in eqs_y if v not in lv and v not in ov_ind]
    ov_x = [v for v in eqs_x if v not in lv and v not in ov_ind and v not in ov_y_all]
    user_named = {s.lhs for s in structural if s.op in ("~~", "~1")} | {t.name for s in structural if s.op == "~~"
                                                                      for t in s.rhs}
    random_x = [v for v in ov_x if v in user_named]
    notes: list[str] = []
    if random_x:
        notes.append("variance/covariance/intercept statements name the exogenous covariate(s) "
                     f"{', '.join(random_x)}: they are treated as random (free parameters), as lavaan does")
        ov_x = [v for v in ov_x if v not in random_x]
    observed_model = _ordered(v for s in structural for v in [s.lhs] + [t.name for t in s.rhs if t.name != "1"]
                              if v not in lv)
    missing = [v for v in observed_model if v not in data_columns]
    if missing:
        line = next(s.line for s in structural if missing[0] in [s.lhs] + [t.name for t in s.rhs])
        raise ModelSyntaxError(f"model syntax, line {line}: the model names variable(s) {', '.join(missing)}, which are "
                               "not latent (no '=~') and not columns of the data; check the spelling")
    observed = [c for c in data_columns if c in observed_model]
    exo_x = [v for v in observed if v in ov_x]
    ov_nox = [v for v in observed if v not in exo_x]
    lv_x = [f for f in latent if f not in v_ind and f not in eqs_y]
    ov_y = [v for v in observed if v in eqs_y and v not in v_ind and v not in eqs_x]
    lv_y = [f for f in latent if f in eqs_y and f not in v_ind and f not in eqs_x]
    if any(s.op == "~1" for s in structural) or n_groups > 1 or ordered:
        meanstructure = True
    unknown_ord = [v for v in ordered if v not in observed]
    if unknown_ord:
        raise ModelSyntaxError(f"ordered: {', '.join(unknown_ord)} not observed variable(s) of the model")
    ordered = [v for v in observed if v in ordered]           # the data's order
    missing_th = [v for v in ordered if n_th.get(v, 0) < 1]
    if missing_th:
        raise ModelSyntaxError(f"ordered: the number of thresholds of {', '.join(missing_th)} is not known")
    n_ind: dict[str, int] = dict.fromkeys(latent, 0)
    ind_count: dict[str, int] = dict.fromkeys(v_ind, 0)
    for s in structural:
        if s.op == "=~":
            n_ind[s.lhs] += len(s.rhs)
            for t in s.rhs:
                ind_count[t.name] += 1
    single = {t.name for s in structural if s.op == "=~" and n_ind[s.lhs] == 1 for t in s.rhs
              if ind_count[t.name] == 1 and t.name != s.lhs}

    if n_groups > 1 and not group_equal and any(isinstance(t.label, str) for s in structural for t in s.rhs):
        notes.append("a single label in a multiple-group model holds the parameter equal across the groups; use "
                     "c(a1, a2)*x for one label per group (as lavaan warns)")
    rows: list[Row] = []
    for g in range(1, n_groups + 1):
        seen: dict[tuple[str, str, str], Row] = {}

        def key(lhs, op, rhs):
            return (min(lhs, rhs), op, max(lhs, rhs)) if op == "~~" else (lhs, op, rhs)

        user_rows: list[tuple[Row, Term]] = []
        for s in structural + categorical:
            for t in s.rhs:
                rhs = "" if s.op == "~1" else t.name
                k = key(s.lhs, s.op, rhs)
                if k in seen:
                    raise ModelSyntaxError(f"model syntax, line {s.line}: '{s.lhs} {s.op} {rhs or '1'}' is specified "
                                           f"twice (also on line {seen[k].line})")
                r = Row(s.lhs, s.op, rhs, group=g, user=True, free=1, line=s.line)
                seen[k] = r
                rows.append(r)
                user_rows.append((r, t))

        def default(lhs, op, rhs, free=1, value=None, fixed=False):
            k = key(lhs, op, rhs)
            if k in seen:
                return None
            r = Row(lhs, op, rhs, group=g, user=False, free=free, value=value, fixed_x=fixed)
            seen[k] = r
            rows.append(r)
            return r

        for v in ov_nox + latent:                               # auto.var
            if v in single:                                     # auto.fix.single
                default(v, "~~", v, free=0, value=0.0)
            elif std_lv and v in lv:
                default(v, "~~", v, free=0, value=1.0)
            else:
                default(v, "~~", v)
        for a, b in _pairs(lv_x):                               # auto.cov.lv.x
            default(a, "~~", b, free=0 if orthogonal else 1, value=0.0 if orthogonal else None)
        for a, b in _pairs(lv_y + ov_y):                        # auto.cov.y
            both_lv = orthogonal and a in lv and b in lv          # orthogonal: every latent pair
            default(a, "~~", b, free=0 if both_lv else 1, value=0.0 if both_lv else None)
        for i, a in enumerate(exo_x):                           # fixed.x
            for b in exo_x[i:]:
                default(a, "~~", b, free=0 if fixed_x else 1, fixed=fixed_x)
        later_th = g > 1 and "thresholds" in group_equal
        for v in ordered:                                       # lavaan's categorical defaults
            for k_th in range(1, n_th[v] + 1):
                default(v, "|", f"t{k_th}")
        free_res = later_th and parameterization == "theta"
        for r in rows:            # residual variances: fixed (theta: free in later groups with equal thresholds)
            if r.group == g and not r.user and r.op == "~~" and r.lhs == r.rhs and r.lhs in ordered:
                r.free, r.value = (1, None) if free_res else (0, 1.0)
        free_scale = later_th and parameterization == "delta"
        for v in ordered:
            default(v, "~*~", v, free=1 if free_scale else 0, value=None if free_scale else 1.0)
        for v in ordered:
            default(v, "~1", "", free=0, value=0.0)
        if meanstructure:
            for v in observed:
                default(v, "~1", "", free=0 if (fixed_x and v in exo_x) else 1, fixed=fixed_x and v in exo_x)
            for f in latent:
                free_mean = (g > 1 and ("intercepts" in group_equal or (bool(ordered) and "thresholds" in group_equal))
                             and "means" not in group_equal)
                default(f, "~1", "", free=1 if free_mean else 0, value=None if free_mean else 0.0)
        if g > 1 and std_lv and "loadings" in group_equal and "lv.variances" not in group_equal:
            for r in rows:
                if r.group == g and not r.user and r.op == "~~" and r.lhs == r.rhs and r.lhs in lv:
                    r.free, r.value = 1, None
        if std_lv:       # lavaan fixes every latent variance, the user's own f ~~ f too (unless modified)
            for r, _ in user_rows:
                if r.op == "~~" and r.lhs == r.rhs and r.lhs in lv:
                    r.free, r.value = 0, 1.0
        else:                                                   # auto.fix.first
            for f in latent:
                first = next(r for r, _ in user_rows if r.op == "=~" and r.lhs == f)
                first.free, first.value = 0, 1.0
        for r, t in user_rows:                                  # the user's modifiers, last
            what = f"'{r.lhs} {r.op} {r.rhs or '1'}'"
            label = _pick(t.label, g, n_groups, what, r.line)
            value = _pick(t.value, g, n_groups, what, r.line)
            start = _pick(t.start, g, n_groups, what, r.line)
            r.label = label or ""
            r.equal = t.equal or ""
            if t.value is not None:
                if value is None:
                    r.free, r.value = 1, None                   # NA in c(...): free in this group
                else:
                    r.free, r.value = 0, value
            if t.free:
                r.free, r.value = 1, None
            if start is not None:
                if r.free:
                    r.start = start
                else:
                    r.value = start                             # lavaan: start() on a fixed parameter sets it
        for r in rows:
            if r.free == 0:
                r.free = -1

    pt = _number(rows, latent, observed, defined, constraints, n_groups, meanstructure, exo_x, group_equal,
                 partial, fixed_x, notes, ordered)
    pt.ordered, pt.n_thresholds, pt.parameterization = ordered, {v: n_th[v] for v in ordered}, parameterization
    return pt


def _number(rows, latent, observed, defined, constraints, n_groups, meanstructure, exo_x, group_equal, partial,
            fixed_x, notes, ordered=()) -> ParTable:
    """Number the free parameters; shared labels, equal() and group_equal kinds share an index;
    ``a == b`` of two labels joins them; other constraints are kept for constrained estimation."""
    latent_set = set(latent)
    exo = set(exo_x)
    # a label shared with a fixed parameter fixes its mates at that value (as lavaan)
    fixed_labels: dict[str, float] = {}
    for r in rows:
        if r.label and r.free == -1:
            fixed_labels.setdefault(r.label, r.value if r.value is not None else 0.0)
    for r in rows:
        if r.label in fixed_labels and r.free != -1:
            r.free, r.value = -1, fixed_labels[r.label]
    by_key: dict = {}
    by_label: dict[str, int] = {}
    n = 0
    for pos, r in enumerate(rows):
        if r.free == -1:
            r.free = 0
            continue
        # group_equal: intercepts, residuals and residual covariances of the covariates are not
        # among the kinds (lavaan's ov.nox rule); an exogenous covariate's moments stay per group
        kind = None if r.lhs in exo and r.op in ("~1", "~~") else _kind(r, latent_set)
        if ordered and kind == "intercepts" and r.lhs not in ordered and "thresholds" in group_equal:
            kind = "thresholds"     # lavaan: a continuous indicator's intercept is equal with the thresholds
        tag = f"{r.lhs}{r.op}{r.rhs}"
        if r.label:
            key: tuple = ("label", r.label)
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
    # equal("label") or equal("lhs op rhs"): one parameter with the one named
    tags: dict[tuple[int, str], int] = {}
    for r in rows:
        if r.free:
            tags.setdefault((r.group, f"{r.lhs}{r.op}{r.rhs}"), r.free)
    for r in rows:
        if not r.equal or not r.free:
            continue
        target = by_label.get(r.equal) or tags.get((r.group, r.equal))
        if target is None:
            raise ModelSyntaxError(f"model syntax, line {r.line}: equal(\"{r.equal}\") names no free parameter (a label, "
                                   "or lhs op rhs such as \"f=~x2\")")
        drop = r.free
        for x in rows:
            if x.free == drop:
                x.free = target
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
                    n_groups=n_groups, meanstructure=meanstructure, exo_x=exo_x, constraints=general,
                    fixed_x=fixed_x, notes=notes)
