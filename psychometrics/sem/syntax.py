"""lavaan model syntax: a small tokenizer and parser into formula statements.

Supported: ``=~ ~ ~~`` (with ``+``-separated right-hand sides), ``y ~ 1`` intercepts,
modifiers ``a*x`` (label), ``0.5*x`` (fixed value), ``NA*x`` (free), ``start(0.3)*x``,
``c(a, b)*x`` (group-specific labels or values), ``:=`` defined parameters, ``==``/``<``/``>``
constraints, ``#``/``!`` comments, statements over several lines (a line ending in an operator
or ``+`` continues) and ``;`` separators. Errors give the line, the column and a caret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..exceptions import PsychometricsError

OPERATORS = ("=~", "~~", ":=", "==", "<", ">", "~")
NAME = re.compile(r"[A-Za-z_.][A-Za-z0-9_.]*")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class ModelSyntaxError(PsychometricsError):
    """The model syntax cannot be parsed; the message shows line, column and a caret."""


@dataclass(frozen=True)
class Term:
    """One right-hand-side term with its modifier: ``label``, fixed ``value``, ``free`` (NA*),
    ``start``; group-specific lists when written as ``c(...)``."""

    name: str
    label: str | tuple | None = None
    value: float | tuple | None = None
    free: bool = False
    start: float | None = None


@dataclass(frozen=True)
class Statement:
    lhs: str
    op: str
    rhs: tuple[Term, ...] = ()
    expression: str | None = None       # for := == < >
    line: int = 0


def _error(text: str, line: int, col: int, msg: str) -> ModelSyntaxError:
    src = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    return ModelSyntaxError(f"model syntax, line {line}, column {col}: {msg}\n  {src}\n  {' ' * (col - 1)}^")


def _logical_lines(text: str) -> list[tuple[int, int, str]]:
    """(line number, column offset, text) of each statement; comments removed, continuations joined."""
    out: list[tuple[int, int, str]] = []
    pending: tuple[int, int, str] | None = None
    for n, raw in enumerate(text.splitlines(), start=1):
        line = re.split(r"[#!]", raw, maxsplit=1)[0]
        start = 0
        for part in line.split(";"):
            stripped = part.strip()
            col = start + (len(part) - len(part.lstrip())) + 1
            start += len(part) + 1
            if not stripped:
                continue
            pending = (pending[0], pending[1], pending[2] + " " + stripped) if pending else (n, col, stripped)
            if re.search(r"(=~|~~|~|\+|\*|:=|==|<|>|,|\()\s*$", pending[2]):
                continue  # the statement goes on on the next line
            out.append(pending)
            pending = None
    if pending is not None:
        out.append(pending)
    return out


def _parse_modifier(mod: str, text: str, line: int, col: int) -> dict:
    mod = mod.strip()
    if mod == "NA":
        return {"free": True}
    if NUMBER.fullmatch(mod):
        return {"value": float(mod)}
    m = re.fullmatch(r"start\(\s*(" + NUMBER.pattern + r")\s*\)", mod)
    if m:
        return {"start": float(m.group(1))}
    m = re.fullmatch(r"c\((.*)\)", mod)
    if m:
        parts = [p.strip() for p in m.group(1).split(",")]
        if all(NUMBER.fullmatch(p) or p == "NA" for p in parts):
            return {"value": tuple(None if p == "NA" else float(p) for p in parts)}
        if all(NAME.fullmatch(p) for p in parts):
            return {"label": tuple(parts)}
        raise _error(text, line, col, f"c(...) must hold only labels or only numbers: {mod}")
    if NAME.fullmatch(mod):
        return {"label": mod}
    raise _error(text, line, col, f"cannot read the modifier '{mod}' (a label, a number, NA, start(x) or c(...))")


def parse(text: str) -> list[Statement]:
    """Parse lavaan model syntax.

    >>> [(s.lhs, s.op, [t.name for t in s.rhs]) for s in parse("f =~ x1 + a*x2\\nf ~~ f")]
    [('f', '=~', ['x1', 'x2']), ('f', '~~', ['f'])]
    """
    statements: list[Statement] = []
    for line, col, stmt in _logical_lines(text):
        op = next((o for o in OPERATORS if o in stmt), None)
        if op is None:
            raise _error(text, line, col, "no operator (=~, ~, ~~, :=, ==, <, >) in this statement")
        pos = stmt.index(op)
        lhs, rhs = stmt[:pos].strip(), stmt[pos + len(op):].strip()
        if op in (":=", "==", "<", ">"):
            if not rhs:
                raise _error(text, line, col + pos + len(op), f"nothing after '{op}'")
            if op == ":=" and not NAME.fullmatch(lhs):
                raise _error(text, line, col, f"'{lhs}' is not a valid name for a defined parameter")
            statements.append(Statement(lhs, op, (), rhs, line))
            continue
        if not NAME.fullmatch(lhs):
            raise _error(text, line, col, f"'{lhs}' is not a variable name")
        if not rhs:
            raise _error(text, line, col + pos + len(op), f"nothing after '{op}'")
        terms = []
        offset = stmt.index(rhs, pos)
        for raw in _split_plus(rhs):
            tcol = col + offset + rhs.index(raw) + (len(raw) - len(raw.lstrip()))
            raw_s = raw.strip()
            if op == "~" and raw_s == "1" or raw_s.endswith("*1") and op == "~":
                mod = raw_s[:-2] if raw_s.endswith("*1") else None
                terms.append(Term("1", **(_parse_modifier(mod, text, line, tcol) if mod else {})))
                continue
            if "*" in raw_s:
                *mods, name = [x.strip() for x in _split_star(raw_s)]
                kw: dict = {}
                for mod in mods:
                    kw.update(_parse_modifier(mod, text, line, tcol))
            else:
                name, kw = raw_s, {}
            if not NAME.fullmatch(name):
                raise _error(text, line, tcol, f"'{name}' is not a variable name")
            terms.append(Term(name, **kw))
        statements.append(Statement(lhs, "~1" if op == "~" and all(t.name == "1" for t in terms) else op,
                                    tuple(terms), None, line))
    if not statements:
        raise ModelSyntaxError("model syntax is empty")
    return statements


def _split_plus(rhs: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in rhs:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "+" and depth == 0 and cur.strip() and not re.search(r"(\d[eE]|[*(])$", cur.strip()):
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p for p in parts if p.strip()]


def _split_star(term: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in term:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "*" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts
