"""APA formatting (reporting/apa.py): p-values, bounded statistics without a leading zero, yes/no,
dashes, fixed parameters marked, words for headers; the report's tables use it (issue 15)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from psychometrics.reporting import apa


@pytest.mark.parametrize("p, text", [(0.0, "< .001"), (0.00099, "< .001"), (0.001, ".001"), (0.0234, ".023"),
                                     (0.5, ".500"), (0.9996, "> .999"), (math.nan, "—"), (None, "—")])
def test_p_values(p, text):
    assert apa.p_value(p) == text


def test_bounded_and_other_numbers():
    assert [apa.bounded(x) for x in (0.873, -0.12, 1.0, -1.0, math.nan)] == [".87", "-.12", "1.00", "-1.00", "—"]
    assert [apa.number(x) for x in (12.345, 3, np.int64(4), True, math.nan)] == ["12.35", "3", "4", "yes", "—"]


def test_parameter_table_marks_fixed_rows_and_joins_the_parameter():
    df = pd.DataFrame({"lhs": ["f", "f", "ab"], "op": ["=~", "=~", ":="], "rhs": ["x1", "x2", "a*b"], "group": 1,
                       "label": "", "free": [0, 1, 0], "est": [1.0, 0.8, 0.2], "se": [0.0, 0.1, 0.05],
                       "z": [math.nan, 8.0, 4.0], "pvalue": [math.nan, 1e-9, 0.00006], "ci_lower": [1.0, 0.6, 0.1],
                       "ci_upper": [1.0, 1.0, 0.3], "std_all": [0.7, 0.64, 0.2]})
    t = apa.table(df)
    assert list(t.columns) == ["parameter", "estimate", "SE", "z", "p", "95% CI lower", "95% CI upper", "std. (all)"]
    assert t.iloc[0].tolist() == ["f =~ x1", "1.00", "fixed", "—", "—", "—", "—", ".70"]
    assert t.iloc[1].tolist() == ["f =~ x2", "0.80", "0.10", "8.00", "< .001", "0.60", "1.00", ".64"]
    assert t.iloc[2]["SE"] == "0.05" and t.iloc[2]["p"] == "< .001"      # := rows are never 'fixed'


def test_flags_and_headers():
    t = apa.table(pd.DataFrame({"holds_chen2007": [True, False], "CFI": [0.951, 0.9], "pct_missing": [1.234, 0.0]}))
    assert t["holds chen2007"].tolist() == ["yes", "no"]
    assert t["CFI"].tolist() == [".95", ".90"] and t["% missing"].tolist() == ["1.23", "0.00"]


def test_report_tables_are_apa(tmp_path):
    import subprocess
    import sys

    from ..conftest import ROOT

    out = tmp_path / "r.md"
    r = subprocess.run([sys.executable, "-m", "psychometrics", "report", str(ROOT / "data" / "vpc_teachers_example.csv"),
                        "--instrument", "vpc_teachers", "--model", str(ROOT / "analyses" / "models" / "vpc_triangle.lav"),
                        "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "< .001" in text and "| fixed " in text
    assert " True " not in text and " False " not in text and "0.000 " not in text


def test_negative_zero_rounding_and_p_in_text():
    # a small negative number rounded to zero loses its sign; real negatives keep it
    assert [apa.number(x) for x in (-0.001, -0.004999, -0.005, 0.0, -12.345)] == ["0.00", "0.00", "-0.01", "0.00", "-12.35"]
    assert [apa.bounded(x) for x in (-0.001, -0.0051, 0.999)] == [".00", "-.01", "1.00"]
    assert [apa.p_text(p) for p in (0.0004, 0.04999, 0.9995, math.nan)] == ["p < .001", "p = .050", "p > .999", "p = —"]


def test_changes_in_fit_get_three_decimals_and_no_leading_zero():
    t = apa.table(pd.DataFrame({"Delta CFI": [-0.0042, 0.0], "Delta RMSEA": [0.0011, np.nan], "F_p": [0.0123, 0.5]}))
    assert t["Delta CFI"].tolist() == ["-.004", ".000"]
    assert t["Delta RMSEA"].tolist() == [".001", "—"]
    assert t.iloc[:, 2].tolist() == [".012", ".500"]           # a column ending in _p is a p-value
