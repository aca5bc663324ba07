"""Arithmetic on parameter labels: ``:=`` defined parameters and ``==``/``<``/``>`` constraints.

Only labels, earlier defined names, numbers and ``+ - * / ^`` (and parentheses) are accepted; the
syntax tree is checked before it is compiled, so nothing else can run.
"""

from __future__ import annotations

import ast

import numpy as np

from .syntax import ModelSyntaxError

_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load, ast.Add, ast.Sub, ast.Mult,
            ast.Div, ast.Pow, ast.USub, ast.UAdd)


def compile_expression(text: str, known: set[str], where: str):
    """Compile arithmetic over labels: numbers are floats (so ``9^9^9`` overflows at once instead of
    computing a number with 370 million digits), and the expression is tried once with every label
    1.0 so that syntax errors, division by a zero constant and overflow are named with their line."""
    if len(text) > 2000:
        raise ModelSyntaxError(f"{where}: the expression is {len(text)} characters long; at most 2000")
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        raise ModelSyntaxError(f"{where}: '{text}' is not an arithmetic expression ({exc.msg})") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED) or (isinstance(node, ast.Constant)
                                              and not isinstance(node.value, (int, float))):
            raise ModelSyntaxError(f"{where}: '{text}' may only use labels, numbers and + - * / ^")
        if isinstance(node, ast.Name) and node.id not in known:
            raise ModelSyntaxError(f"{where}: '{node.id}' is not a parameter label or defined parameter")
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            node.value = float(node.value)
    code = compile(tree, "<model>", "eval")
    try:
        eval(code, {"__builtins__": {}}, {name: 1.0 for name in known})  # noqa: S307 - validated arithmetic only
    except ZeroDivisionError:
        if any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div) and isinstance(n.right, ast.Constant)
               and n.right.value == 0 for n in ast.walk(tree)):
            raise ModelSyntaxError(f"{where}: '{text}' divides by zero") from None
    except OverflowError:
        raise ModelSyntaxError(f"{where}: '{text}' overflows (a number too large for floating point)") from None
    return code


def _environment(pt, theta: np.ndarray, defined) -> dict:
    env = {lab: theta[..., k - 1] for lab, k in pt.labels().items()}
    for name, code in defined:
        env[name] = eval(code, {"__builtins__": {}}, env)  # noqa: S307 - validated arithmetic only
    return env


def _compiled_defined(pt) -> list:
    known = set(pt.labels())
    out = []
    for d in pt.defined:
        out.append((d.lhs, compile_expression(d.expression, known, f"':=' line {d.line}")))
        known.add(d.lhs)
    return out


def defined_function(pt):
    """theta (..., k) -> values of the ``:=`` parameters (..., d)."""
    defined = _compiled_defined(pt)

    def values(theta: np.ndarray) -> np.ndarray:
        env = _environment(pt, theta, defined)
        out = [env[name] for name, _ in defined]
        return np.stack(out, axis=-1) if out else np.zeros(theta.shape[:-1] + (0,))
    return values


def constraint_function(pt):
    """theta (k,) -> h (m,), with h = lhs - rhs for ``==`` (must be 0) and the slack of ``<``/``>``
    (must be >= 0); the kind of each ("eq"/"ineq"); and each as written, with its line (for messages)."""
    defined = _compiled_defined(pt)
    known = set(pt.labels()) | {d.lhs for d in pt.defined}
    parts = []
    for c in pt.constraints:
        lhs = compile_expression(c.lhs, known, f"constraint, line {c.line}")
        rhs = compile_expression(c.expression, known, f"constraint, line {c.line}")
        parts.append((c.op, lhs, rhs))

    def values(theta: np.ndarray) -> np.ndarray:
        env = _environment(pt, theta, defined)
        out = []
        for op, lhs, rhs in parts:
            a = eval(lhs, {"__builtins__": {}}, env)  # noqa: S307
            b = eval(rhs, {"__builtins__": {}}, env)  # noqa: S307
            out.append(a - b if op in ("==", ">") else b - a)
        return np.array(out, dtype=float)
    texts = [f"'{c.lhs} {c.op} {c.expression}' (line {c.line})" for c in pt.constraints]
    return values, ["eq" if op == "==" else "ineq" for op, _, _ in parts], texts
