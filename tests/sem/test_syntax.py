"""lavaan syntax parser and parameter-table defaults."""

from __future__ import annotations

import pytest

from psychometrics.sem.partable import build
from psychometrics.sem.syntax import ModelSyntaxError, parse


def test_modifiers_comments_and_continuation():
    stmts = parse("""
    # a comment
    f =~ x1 + a*x2 + 0.5*x3 + NA*x4 + start(0.2)*x5 +   ! another comment
         x6
    y ~ f; z ~ c(b1, b2)*f
    ab := a*b1
    a == b1
    """)
    f = stmts[0]
    assert [t.name for t in f.rhs] == ["x1", "x2", "x3", "x4", "x5", "x6"]
    assert f.rhs[1].label == "a" and f.rhs[2].value == 0.5 and f.rhs[3].free and f.rhs[4].start == 0.2
    assert stmts[2].rhs[0].label == ("b1", "b2")
    assert (stmts[3].op, stmts[3].expression) == (":=", "a*b1") and stmts[4].op == "=="


@pytest.mark.parametrize("text,where", [
    ("f =~ x1 + 2x", "line 1, column 11"),
    ("f x1 + x2", "no operator"),
    ("f =~ ", "nothing after"),
    ("f =~ x1\n\ng ~~ a*b*", "line 3"),
])
def test_syntax_errors_show_line_column_and_caret(text, where):
    with pytest.raises(ModelSyntaxError) as err:
        parse(text)
    assert where in str(err.value) and "^" in str(err.value)


def test_lavaan_defaults_in_the_parameter_table():
    pt = build("f =~ a + b + c\ng =~ d + e + h\ny1 ~ f + x\ny2 ~ f", ["a", "b", "c", "d", "e", "h", "x", "y1", "y2"])
    rows = {(r.lhs, r.op, r.rhs): r for r in pt.rows}
    assert rows[("f", "=~", "a")].free == 0 and rows[("f", "=~", "a")].value == 1.0   # first loading fixed
    assert rows[("f", "~~", "g")].free > 0                                              # exogenous latents covary
    assert rows[("y1", "~~", "y2")].free > 0                                            # auto.cov.y
    assert rows[("x", "~~", "x")].fixed_x                                               # fixed.x
    std = build("f =~ a + b + c", ["a", "b", "c"], std_lv=True)
    r = {(x.lhs, x.op, x.rhs): x for x in std.rows}
    assert r[("f", "=~", "a")].free > 0 and r[("f", "~~", "f")].value == 1.0


def test_shared_labels_and_equalities_share_one_parameter():
    pt = build("f =~ a + l*b + l*c\ng =~ d + m*e + n*h\nm == n", list("abcdeh"))
    free = {(r.lhs, r.rhs): r.free for r in pt.rows if r.op == "=~"}
    assert free[("f", "b")] == free[("f", "c")] and free[("g", "e")] == free[("g", "h")]


def test_unknown_variable_and_duplicates_are_named():
    with pytest.raises(ModelSyntaxError, match="zz, which are not latent"):
        build("f =~ a + b + zz", ["a", "b"])
    with pytest.raises(ModelSyntaxError, match="specified twice"):
        build("f =~ a + b + c\nf =~ a", ["a", "b", "c"])
