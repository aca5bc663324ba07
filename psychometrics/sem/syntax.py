"""lavaan model syntax: a small tokenizer and parser into formula statements.

Supported: ``=~ ~ ~~`` with ``+``-separated left- and right-hand sides (``y1 + y2 ~ x1 + x2``
is four regressions, as lavaan), ``y ~ 1`` intercepts (also of latent variables), modifiers
``a*x`` or ``label("a")*x`` (label), ``equal("a")*x`` (equal to the parameter labelled ``a``),
``0.5*x`` (fixed value), ``NA*x`` (free), ``start(0.3)*x``, ``c(a, b)*x`` (group-specific labels
or values), chained modifiers (``NA*a*x``), ``:=`` defined parameters, ``==``/``<``/``>``
constraints, thresholds ``item | t1 + t2`` and scaling factors ``item ~*~ item`` of ordered
indicators, ``#``/``!`` comments, statements over several lines (a line ending in an operator
or ``+`` continues), ``;`` separators, and ``level: 1`` / ``level: 2`` blocks of two-level models
(:func:`split_levels`). Errors give the line, the column and a caret.

lavaan syntax that is not supported is refused with the construct named: ``<~`` composites,
``group:``/``block:`` blocks, ``efa("...")*`` blocks, ``|~`` and ``%~~``, interaction
terms ``x1:x2``, and the modifiers ``lower()``, ``upper()``, ``prior()`` and ``rv()``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..exceptions import ModelSyntaxError

OPERATORS = ("=~", "~~", ":=", "==", "<", ">", "~", "|", "~*~")
THRESHOLD = re.compile(r"t[1-9][0-9]*")
# lavaan operators we do not support, longest first (so that "<~" is not read as "<", "~*~" not as "~")
UNSUPPORTED_OPERATORS = {
    "<~": "'<~' (composites / formative indicators) is not supported",
    "|~": "'|~' (random slopes/instruments) is not supported",
    "%~~": "'%~~' is not supported",
}
BLOCK = re.compile(r"^\s*(level|group|block|class)\s*:\s*(.*)$")
UNSUPPORTED_MODIFIERS = {"efa": "efa(\"...\") blocks (exploratory SEM) are not supported",
                         "lower": "the lower() bound modifier is not supported; write an inequality such as 'v > 0'",
                         "upper": "the upper() bound modifier is not supported; write an inequality such as 'v < 1'",
                         "prior": "prior() (Bayesian priors) is not supported",
                         "rv": "rv() (random slopes) is not supported"}
NAME = re.compile(r"[A-Za-z_.][A-Za-z0-9_.]*")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class Term:
    """One right-hand-side term with its modifier: ``label``, fixed ``value``, ``free`` (NA*),
    ``start``, ``equal`` (the label or ``lhs op rhs`` of a parameter it equals); group-specific
    lists when written as ``c(...)``."""

    name: str
    label: str | tuple | None = None
    value: float | tuple | None = None
    free: bool = False
    start: float | tuple | None = None
    equal: str | None = None


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


CONTINUES = re.compile(r"(=~|~~|~|\+|\*|:=|==|<|>|,|\()\s*$")


def _logical_lines(text: str) -> list[tuple[int, int, str]]:
    """(line number, column offset, text) of each statement; comments removed, continuations joined."""
    out: list[tuple[int, int, str]] = []
    pending: tuple[int, int, str] | None = None
    for n, raw in enumerate(text.splitlines(), start=1):
        line = re.split(r"[#!]", raw, maxsplit=1)[0]
        block = BLOCK.match(line)
        if block and "~" not in line and "=" not in line:
            kind = block.group(1)
            if kind == "level":      # a level separator (see split_levels); the statements are the levels'
                if pending is not None:
                    ln, col, stmt = pending
                    raise _error(text, ln, col + len(stmt) - 1, f"the statement '{stmt}' is not finished before "
                                                                 "the 'level:' line")
                continue
            what = {"group": "'group:' blocks are not supported; use group= and group-specific c(...) modifiers",
                    }.get(kind, f"'{kind}:' blocks are not supported")
            raise _error(text, n, len(line) - len(line.lstrip()) + 1, what)
        start = 0
        for part in line.split(";"):
            stripped = part.strip()
            col = start + (len(part) - len(part.lstrip())) + 1
            start += len(part) + 1
            if not stripped:
                continue
            pending = (pending[0], pending[1], pending[2] + " " + stripped) if pending else (n, col, stripped)
            if CONTINUES.search(pending[2]):
                continue  # the statement goes on on the next line
            out.append(pending)
            pending = None
    if pending is not None:
        if re.search(r"(\+|\*|,|\()\s*$", pending[2]):
            ln, col, stmt = pending
            raise _error(text, ln, col + len(stmt) - 1, f"the model ends in the middle of a statement ('{stmt}')")
        out.append(pending)
    return out


def _quoted(arg: str) -> str | None:
    m = re.fullmatch(r"""\s*(["'])(.*)\1\s*""", arg)
    return m.group(2) if m else None


def _parse_modifier(mod: str, text: str, line: int, col: int) -> dict:
    mod = mod.strip()
    if mod == "NA":
        return {"free": True}
    if NUMBER.fullmatch(mod):
        return {"value": float(mod)}
    call = re.fullmatch(r"([A-Za-z_.][A-Za-z0-9_.]*)\s*\((.*)\)", mod)
    if call:
        fn, arg = call.group(1), call.group(2)
        if fn in UNSUPPORTED_MODIFIERS:
            raise _error(text, line, col, UNSUPPORTED_MODIFIERS[fn])
        if fn == "start":
            if NUMBER.fullmatch(arg.strip()):
                return {"start": float(arg)}
            inner = re.fullmatch(r"\s*c\((.*)\)\s*", arg)
            if inner and all(NUMBER.fullmatch(p.strip()) for p in inner.group(1).split(",")):
                return {"start": tuple(float(p) for p in inner.group(1).split(","))}
            raise _error(text, line, col, f"start() takes a number or c(numbers): {mod}")
        if fn in ("label", "equal"):
            value = _quoted(arg)
            inner = re.fullmatch(r"\s*c\((.*)\)\s*", arg)
            if value is None and inner and fn == "label":
                parts = [_quoted(p) for p in inner.group(1).split(",")]
                if all(p is not None and NAME.fullmatch(p) for p in parts):
                    return {"label": tuple(parts)}
            if value is None:
                raise _error(text, line, col, f"{fn}() takes a quoted name, as {fn}(\"a\"): {mod}")
            if fn == "label":
                if not NAME.fullmatch(value):
                    raise _error(text, line, col, f"'{value}' is not a valid label")
                return {"label": value}
            return {"equal": value.replace(" ", "")}
        if fn == "c":
            items = [q.strip() for q in arg.split(",")]
            if all(NUMBER.fullmatch(q) or q == "NA" for q in items):
                return {"value": tuple(None if q == "NA" else float(q) for q in items)}
            if all(NAME.fullmatch(q) for q in items):
                return {"label": tuple(items)}
            raise _error(text, line, col, f"c(...) must hold only labels or only numbers: {mod}")
        raise _error(text, line, col, f"unknown modifier {fn}(); lavaan's label(), equal(), start() and c() are "
                                      "supported")
    q = _quoted(mod)
    if q is not None and NAME.fullmatch(q):
        return {"label": q}
    if NAME.fullmatch(mod):
        return {"label": mod}
    raise _error(text, line, col, f"cannot read the modifier '{mod}' (a label, a number, NA, start(x) or c(...))")


_OPERATOR = re.compile(r"<~|~\*~|\|~|%~~|=~|~~|:=|==|<|>|~|\|")


def _find_operator(stmt: str) -> tuple[str | None, int]:
    """The statement's operator and its position (the leftmost outside parentheses and quotes; of
    equal position the longest)."""
    if "(" not in stmt and '"' not in stmt and "'" not in stmt:      # the common case: one regex
        m = _OPERATOR.search(stmt)
        return (m.group(0), m.start()) if m else (None, len(stmt) + 1)
    best: tuple[str | None, int] = (None, len(stmt) + 1)
    depth = 0
    quote = None
    for i, ch in enumerate(stmt):
        if quote:
            quote = None if ch == quote else quote
            continue
        if ch in "\"'":
            quote = ch
            continue
        depth += ch == "("
        depth -= ch == ")"
        if depth:
            continue
        for op in ("<~", "~*~", "|~", "%~~", "=~", "~~", ":=", "==", "<", ">", "~", "|"):
            if stmt.startswith(op, i):
                return op, i
    return best


def parse(text: str) -> list[Statement]:
    """Parse lavaan model syntax into statements (several left-hand sides give one statement each).

    >>> [(s.lhs, s.op, [t.name for t in s.rhs]) for s in parse("f =~ x1 + a*x2\\nf ~~ f")]
    [('f', '=~', ['x1', 'x2']), ('f', '~~', ['f'])]
    >>> [(s.lhs, [t.name for t in s.rhs]) for s in parse("y1 + y2 ~ x1 + x2")]
    [('y1', ['x1', 'x2']), ('y2', ['x1', 'x2'])]
    """
    if not isinstance(text, str):
        raise ModelSyntaxError(f"the model must be lavaan syntax as a string, not {type(text).__name__}")
    return list(_parse(text))


@functools.lru_cache(maxsize=128)
def _parse(text: str) -> tuple[Statement, ...]:
    """:func:`parse`, kept for the texts seen last (statements and terms are frozen; a model is
    parsed once however often it is fitted, e.g. in loops and invariance sequences)."""
    statements: list[Statement] = []
    for line, col, stmt in _logical_lines(text):
        op, pos = _find_operator(stmt)
        if op is None:
            raise _error(text, line, col, "no operator (=~, ~, ~~, :=, ==, <, >) in this statement")
        if op in UNSUPPORTED_OPERATORS:
            raise _error(text, line, col + pos, UNSUPPORTED_OPERATORS[op])
        lhs, rhs = stmt[:pos].strip(), stmt[pos + len(op):].strip()
        if op in (":=", "==", "<", ">"):
            if not rhs:
                raise _error(text, line, col + pos + len(op), f"nothing after '{op}'")
            if not lhs:
                raise _error(text, line, col, f"nothing before '{op}'")
            if op == ":=" and not NAME.fullmatch(lhs):
                raise _error(text, line, col, f"'{lhs}' is not a valid name for a defined parameter")
            statements.append(Statement(lhs, op, (), rhs, line))
            continue
        lhs_names = [x.strip() for x in lhs.split("+")]
        for name in lhs_names:
            if not NAME.fullmatch(name):
                shown = name or lhs
                if "*" in name:
                    raise _error(text, line, col, f"a modifier on the left-hand side ('{shown}') is not lavaan syntax")
                raise _error(text, line, col, f"'{shown}' is not a variable name")
        if not rhs:
            raise _error(text, line, col + pos + len(op), f"nothing after '{op}'")
        terms = []
        offset = pos + len(op) + (len(stmt[pos + len(op):]) - len(stmt[pos + len(op):].lstrip()))
        for raw in _split_plus(rhs):
            tcol = col + offset + rhs.index(raw) + (len(raw) - len(raw.lstrip()))
            raw_s = raw.strip()
            parts = [x.strip() for x in _split_star(raw_s)]
            *mods, name = parts
            kw: dict = {}
            for mod in mods:
                if not mod:
                    raise _error(text, line, tcol, f"an empty modifier in '{raw_s}'")
                kw.update(_parse_modifier(mod, text, line, tcol))
            if op == "~" and name == "1":
                terms.append(Term("1", **kw))
                continue
            if ":" in name and all(NAME.fullmatch(x) for x in name.split(":")):
                raise _error(text, line, tcol, f"interaction terms ('{name}') are not supported; compute the product "
                                               "as a data column")
            if op == "|" and not THRESHOLD.fullmatch(name):
                raise _error(text, line, tcol, f"'{name}' is not a threshold name: thresholds are t1, t2, ... as in "
                                               f"'{lhs_names[0]} | t1 + t2'")
            if op == "~*~" and name not in lhs_names:
                raise _error(text, line, tcol, f"a scaling factor is written '{lhs_names[0]} ~*~ {lhs_names[0]}' "
                                               "(the same item on both sides)")
            if not NAME.fullmatch(name):
                raise _error(text, line, tcol, f"'{name}' is not a variable name")
            terms.append(Term(name, **kw))
        if op == "~" and any(t.name == "1" for t in terms) and not all(t.name == "1" for t in terms):
            ones = [t for t in terms if t.name == "1"]
            rest = tuple(t for t in terms if t.name != "1")
            for name in lhs_names:
                statements.append(Statement(name, "~", rest, None, line))
                statements.append(Statement(name, "~1", tuple(ones), None, line))
            continue
        for name in lhs_names:
            statements.append(Statement(name, "~1" if op == "~" and all(t.name == "1" for t in terms) else op,
                                        tuple(terms), None, line))
    if not statements:
        raise ModelSyntaxError("model syntax is empty (no statement outside comments)")
    return tuple(statements)


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


LEVEL_NAMES = {"1": 1, "within": 1, "2": 2, "between": 2}


def split_levels(text: str) -> list[str] | None:
    r"""The text of each level of a two-level model (``level: 1`` / ``level: 2``, or ``within`` /
    ``between``, as lavaan), or None when the model has no ``level:`` line. Each level's text keeps
    the line numbers of the whole (other lines blank), so messages point into the user's model.

    >>> [t.split() for t in split_levels("level: 1\n fw =~ y1 + y2 + y3\nlevel: 2\n fb =~ y1 + y2 + y3")]
    [['fw', '=~', 'y1', '+', 'y2', '+', 'y3'], ['fb', '=~', 'y1', '+', 'y2', '+', 'y3']]
    """
    if not isinstance(text, str):
        return None
    lines = text.splitlines()
    marks: list[tuple[int, int]] = []
    for n, raw in enumerate(lines):
        line = re.split(r"[#!]", raw, maxsplit=1)[0]
        block = BLOCK.match(line)
        if block and block.group(1) == "level" and "~" not in line and "=" not in line:
            name = block.group(2).strip().strip("'\"").lower()
            if name not in LEVEL_NAMES:
                raise _error(text, n + 1, line.index(":") + 2,
                             f"'level: {block.group(2).strip()}' is not a level: write 'level: 1' (within clusters) "
                             "or 'level: 2' (between clusters)")
            marks.append((n, LEVEL_NAMES[name]))
    if not marks:
        return None
    before = [ln for ln in lines[:marks[0][0]] if re.split(r"[#!]", ln, maxsplit=1)[0].strip()]
    if before:
        raise _error(text, lines.index(before[0]) + 1, 1, "a statement before the first 'level:' line: in a two-level "
                                                           "model every statement belongs to 'level: 1' or 'level: 2'")
    levels = [m[1] for m in marks]
    if sorted(levels) != [1, 2]:
        raise _error(text, marks[-1][0] + 1, 1, "a two-level model has exactly one 'level: 1' and one 'level: 2' "
                                                 f"block (found level(s) {', '.join(map(str, levels))})")
    out = ["", ""]
    bounds = [m[0] for m in marks] + [len(lines)]
    for k, (start, level) in enumerate(marks):
        out[level - 1] = "\n".join(lines[i] if start < i < bounds[k + 1] else "" for i in range(len(lines)))
    return out

