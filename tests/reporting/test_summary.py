"""LaTeX output is escaped so that it compiles: in cells, headers and captions every LaTeX special
character (%, _, &, #, $, {, }, ~, ^, backslash) is escaped, so lavaan's '=~' survives as
=\\textasciitilde and names like ss_loadings do not start subscripts (issue 15)."""

from __future__ import annotations

import re

import pandas as pd

from psychometrics.reporting.summary import Summary

SPECIAL = re.compile(r"(?<!\\)[%_&#$^~]")


def test_latex_cells_headers_and_captions_are_escaped():
    df = pd.DataFrame({"lhs": ["f", "f"], "op": ["=~", "~~"], "rhs": ["x_1", "a&b"], "pct_missing": [0.5, 0.25],
                       "note": ["50%", "#1 {x} ^2 $"]})
    tex = Summary("Fit", ["model: f =~ x_1\nsecond line"], [("Loadings & 95% CI", df)]).as_latex()
    rows = [ln for ln in tex.splitlines() if ln.rstrip().endswith("\\\\")]      # tabular rows: cells & cells \\
    assert len(rows) == 3
    for line in rows:
        for cell in line.rstrip()[:-2].split(" & "):
            cleaned = re.sub(r"\\(textasciitilde|textasciicircum|textbackslash)(\{\})? ?", "", cell)
            assert not SPECIAL.search(cleaned), cell
    assert r"=\textasciitilde" in tex and r"x\_1" in tex and r"pct\_missing" in tex and r"a\&b" in tex
    assert r"\caption{Loadings \& 95\% CI}" in tex
    assert all(ln.startswith("%") for ln in tex.splitlines()[:3])      # a header with a newline stays a comment
    assert r"\toprule" in tex and r"\bottomrule" in tex                # booktabs rules
