"""Two-level parameter tables: lavaan's ``level: 1`` (within clusters) and ``level: 2`` (between
clusters) blocks merged into one table whose blocks are (group, level) pairs, block
``2 (g - 1) + level`` as lavaan numbers them.

lavaan's defaults for two-level models (``lavaanify`` with ``nlevels = 2``), kept here:

- each level is completed with the single-level defaults of ``sem()`` (residual variances, latent
  covariances of exogenous factors, ``fixed.x`` covariates), always with a mean structure;
- an observed variable named at both levels ("both") has its level-1 intercept fixed to 0 (its mean
  is a between-cluster parameter); a variable named only at level 1 ("within") keeps a level-1
  intercept and has no between part; one named only at level 2 ("between") is a cluster-level
  variable;
- latent means are 0 at both levels;
- a label used at both levels is one parameter (cross-level equality, e.g. equal loadings within
  and between); ``:=`` and ``==`` may use labels of either level.
"""

from __future__ import annotations

import dataclasses

from .partable import ParTable, Row, build
from .syntax import ModelSyntaxError, Statement, parse, split_levels

__all__ = ["build_two_level", "is_two_level"]

_GLOBAL = (":=", "==", "<", ">")


def is_two_level(model) -> bool:
    """True when the model syntax has ``level:`` blocks.

    >>> is_two_level("level: 1\\n fw =~ a + b + c\\nlevel: 2\\n fb =~ a + b + c"), is_two_level("f =~ a + b + c")
    (True, False)
    """
    return split_levels(model) is not None


def _level_texts(model: str) -> tuple[list[str], list[Statement]]:
    """Each level's text without its ``:=``/constraint lines, and those statements (global)."""
    texts = split_levels(model)
    assert texts is not None
    out, extra_all = [], []
    for level, text in enumerate(texts, start=1):
        if not any(ln.strip() and not ln.strip().startswith(("#", "!")) for ln in text.splitlines()):
            raise ModelSyntaxError(f"model syntax: 'level: {level}' has no statement; write the model of the "
                                   f"{'within' if level == 1 else 'between'}-cluster level (at least the variables' "
                                   "covariances, e.g. 'y1 ~~ y2')")
        stmts = parse(text)
        extra = [s for s in stmts if s.op in _GLOBAL]
        lines = text.splitlines()
        for s in extra:
            if any(o.line == s.line and o.op not in _GLOBAL for o in stmts):
                raise ModelSyntaxError(f"model syntax, line {s.line}: in a two-level model write '{s.lhs} {s.op} ...' "
                                       "on a line of its own")
            lines[s.line - 1] = ""
        if len(extra) == len(stmts):
            raise ModelSyntaxError(f"model syntax: 'level: {level}' has only ':=' or constraint statements; write the "
                                   "model of that level too")
        extra_all += extra
        out.append("\n".join(lines))
    return out, extra_all


def build_two_level(model: str, data_columns: list[str], n_groups: int = 1, std_lv: bool = False,
                    group_equal: tuple[str, ...] = (), group_partial: tuple[str, ...] = (), fixed_x: bool = True,
                    orthogonal: bool = False) -> ParTable:
    """The parameter table of a two-level model (lavaan's ``lavaanify`` for ``level:`` blocks).

    Parameters
    ----------
    model : str
        lavaan syntax with a ``level: 1`` and a ``level: 2`` block.
    data_columns : list of str
        The data's columns (the observed variables are taken in this order).
    n_groups, std_lv, group_equal, group_partial, fixed_x, orthogonal
        As :func:`psychometrics.sem.partable.build`, per level.

    Returns
    -------
    ParTable
        Blocks ``2 (g - 1) + level`` in ``Row.group``, ``Row.level``, ``n_levels = 2``, each level's
        observed variables in ``level_observed``; free parameters numbered across levels, a label
        shared by both levels one parameter.

    Notes
    -----
    R: ``lavaan::lavaanify(model)`` on a model with ``level:`` blocks, as in ``parTable(sem(model,
    data, cluster = ...))``.

    Examples
    --------
    >>> m = "level: 1\\n fw =~ y1 + y2 + y3\\nlevel: 2\\n fb =~ y1 + y2 + y3"
    >>> pt = build_two_level(m, ["y1", "y2", "y3"])
    >>> pt.n_free, pt.ndat(), [r.free for r in pt.rows if r.op == "~1" and r.level == 1]
    (15, 15, [0, 0, 0, 0])
    """
    texts, extra = _level_texts(model)
    tables = [build(t, data_columns, std_lv=std_lv, meanstructure=True, n_groups=n_groups, group_equal=group_equal,
                    group_partial=group_partial, fixed_x=fixed_x, orthogonal=orthogonal) for t in texts]
    obs = [set(t.observed) for t in tables]
    observed = [c for c in data_columns if c in obs[0] or c in obs[1]]
    latent = list(dict.fromkeys(tables[0].latent + tables[1].latent))
    clash = [v for v in obs[1] if v in set(tables[0].latent)] + [v for v in obs[0] if v in set(tables[1].latent)]
    if clash:
        raise ModelSyntaxError(f"model syntax: {clash[0]} is a latent variable at one level and an observed variable "
                               "at the other; use another name for the latent variable")
    rows: list[Row] = []
    offset = [0, tables[0].n_free]
    for level, t in enumerate(tables, start=1):
        for r in t.rows:
            new = dataclasses.replace(r, group=2 * (r.group - 1) + level, level=level,
                                      free=r.free + offset[level - 1] if r.free else 0)
            if level == 1 and new.op == "~1" and not new.user and new.lhs in obs[1] and not new.fixed_x:
                new.free, new.value = 0, 0.0          # a "both" variable's mean is a between-cluster parameter
            rows.append(new)
    # a label at both levels (or 'a == b' of two labels) is one parameter
    join: dict[int, int] = {}
    first: dict[str, int] = {}
    for r in rows:
        if r.label and r.free:
            first.setdefault(r.label, r.free)
            if first[r.label] != r.free:
                join[r.free] = first[r.label]
    general = []
    for c in extra:
        if c.op == "==" and c.lhs in first and c.expression is not None and c.expression.strip() in first:
            a, b = first[c.lhs], first[c.expression.strip()]
            join[max(a, b)] = min(a, b)
        elif c.op != ":=":
            general.append(c)

    def root(k: int) -> int:
        while k in join:
            k = join[k]
        return k
    kept = sorted({root(r.free) for r in rows if r.free})
    number = {k: i + 1 for i, k in enumerate(kept)}
    for r in rows:
        if r.free:
            r.free = number[root(r.free)]
    defined = [s for s in extra if s.op == ":="]
    for d in defined:
        if d.lhs in first:
            raise ModelSyntaxError(f"model syntax, line {d.line}: '{d.lhs}' is already a parameter label")
    return ParTable(rows=rows, observed=observed, latent=latent, defined=defined, n_free=len(kept),
                    n_groups=2 * n_groups, meanstructure=True, exo_x=[v for v in observed if v in
                                                                      set(tables[0].exo_x) | set(tables[1].exo_x)],
                    constraints=general, fixed_x=fixed_x, notes=list(dict.fromkeys(tables[0].notes + tables[1].notes)),
                    n_levels=2, level_observed=[[c for c in data_columns if c in o] for o in obs],
                    level_exo=[t.exo_x for t in tables])
