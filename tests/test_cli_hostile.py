"""Command lines that used to end in a traceback, a hang or a misleading exit: each now ends in a
message (exit 2 for bad input, 3 for estimation) or a result, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .conftest import ROOT

FILES = {
    "neg.csv": "id,a1,a2,a3\nT1,1,5,3\nT2,2,4,3\nT3,3,3,3\nT4,4,2,3\nT5,5,1,3\n",
    "zero.csv": "id,a1,a2,a3,a4\nT1,1,1,1,2\nT2,2,1,2,1\nT3,1,2,2,2\nT4,2,2,1,1\nT5,1,1,2,1\nT6,2,2,2,2\n",
    "constant_answered.csv": "id,a1,a2,a3\nT1,1,2,3\nT2,2,,2\nT3,3,2,\nT4,4,2,1\nT5,2,2,3\nT6,1,2,2\n",
    "header_only.csv": "id,a1,a2,a3\n",
    "xy.csv": "id,x,y\nT1,1,2\nT2,2,1\nT3,3,5\nT4,4,3\nT5,5,4\nT6,2,2\n",
    "bigcell.csv": "id,a1,a2,a3\nT1,1,2,3\nT2,2,3,1000000000\nT3,3,1,2\nT4,1,2,3\nT5,2,2,1\n",
    "x3.csv": "id,x1,x2,x3\nT1,1,2,3\nT2,2,3,1\nT3,3,1,2\nT4,1,2,3\nT5,2,2,1\n",
    "not_codes.csv": "a,b,c\n1,2,3\n",
    "unclosed.codes.csv": 'limesurvey_column,item_id,option\n"kse01,kse01,\n',
    "ls.csv": "id,kse01\nT1,A2\n",
    "f300.lav": "\n".join(f"F{i} =~ x1 + x2 + x3" for i in range(300)),
}

CASES = [
    # (name, args, exit codes allowed, text expected in stdout+stderr)
    ("constant item among those who answered", ["score", "{constant_answered.csv}", "--scale", "A=a1,a2,a3", "--range", "1,5"],
     (0,), "Scale scores"),
    ("min-valid nan", ["score", "{neg.csv}", "--scale", "A=a1,a2", "--range", "1,5", "--min-valid", "nan"], (2,), "--min-valid"),
    ("a range of a billion codes", ["score", "{neg.csv}", "--scale", "A=a1,a2", "--range", "1,1000000000"], (2,), "at most 1001"),
    ("non-UTF-8 model file", ["sem", "{xy.csv}", "--model", "{model16.lav}"], (2,), "not UTF-8"),
    ("1/0 in a defined parameter", ["sem", "{xy.csv}", "--model", "y ~ a*x\nd := a/0"], (0, 2, 3), ""),
    ("unbalanced parenthesis", ["sem", "{xy.csv}", "--model", "y ~ a*x\nd := (a"], (2,), "line"),
    ("negative bootstrap", ["sem", "{xy.csv}", "--model", "y ~ x", "--bootstrap", "-5"], (2,), "--bootstrap"),
    ("items that do not correlate", ["reliability", "{zero.csv}", "--scale", "A=a1,a2", "--scale", "B=a3,a4",
                                     "--range", "1,5"], (0,), "HTMT"),
    ("perfectly negatively correlated items", ["reliability", "{neg.csv}", "--scale", "A=a1,a2", "--range", "1,5"],
     (0, 2), ""),
    ("validate a folder", ["instruments", "validate", str(ROOT / "instruments")], (0,), ""),
    ("stamp a data file", ["instruments", "stamp", "{neg.csv}", "--lang", "ru"], (2,), "neg.csv"),
    ("header-only file: score", ["score", "{header_only.csv}", "--scale", "A=a1,a2"], (2,), "no data rows"),
    ("header-only file: reliability", ["reliability", "{header_only.csv}", "--scale", "A=a1,a2,a3"], (2,), "no data rows"),
    ("header-only file: polychoric", ["polychoric", "{header_only.csv}", "--items", "a1,a2"], (2,), "no data rows"),
    ("header-only file: efa", ["efa", "{header_only.csv}", "--items", "a1,a2,a3"], (2,), "no data rows"),
    ("one cell of 10^9 in polychoric", ["polychoric", "{bigcell.csv}", "--items", "a1,a2,a3"], (0, 2), ""),
    ("a 300-factor model on 3 items", ["cfa", "{x3.csv}", "--model", "{f300.lav}"], (3,), "45753 free parameters"),
    ("zero bootstrap replicates", ["reliability", "{neg.csv}", "--scale", "A=a1,a2,a3", "--range", "1,5", "--ci",
                                   "bootstrap", "--n-boot", "0"], (2,), "--n-boot 0"),
    ("negative seed: reliability", ["reliability", "{neg.csv}", "--scale", "A=a1,a2,a3", "--range", "1,5", "--ci",
                                    "bootstrap", "--n-boot", "5", "--seed", "-1"], (2,), "--seed -1"),
    ("negative seed: sem", ["sem", "{xy.csv}", "--model", "y ~ x", "--bootstrap", "5", "--seed", "-1"], (2,), "--seed -1"),
    ("zero workers", ["sem", "{xy.csv}", "--model", "y ~ x", "--bootstrap", "5", "--jobs", "0"], (2,), "--jobs 0"),
    ("negative seed: efa", ["efa", "{zero.csv}", "--items", "a1,a2,a3,a4", "--factors", "parallel", "--seed", "-2"],
     (2,), "--seed -2"),
    ("zero parallel-analysis sets", ["efa", "{zero.csv}", "--items", "a1,a2,a3,a4", "--factors", "parallel",
                                     "--n-iter", "0"], (2,), "--n-iter 0"),
    ("a LimeSurvey --codes file that is not one",
     ["score", "{ls.csv}", "--instrument", "kss_efficacy", "--from", "limesurvey", "--codes", "{not_codes.csv}"],
     (2,), "no column limesurvey_column"),
    ("a LimeSurvey --codes file with an open quote",
     ["score", "{ls.csv}", "--instrument", "kss_efficacy", "--from", "limesurvey", "--codes", "{unclosed.codes.csv}"],
     (2,), "unclosed.codes.csv"),
    ("--out under a file", ["score", "{neg.csv}", "--scale", "A=a1,a2", "--range", "1,5", "--out", "{neg.csv}/s.csv"],
     (2,), "is a file, not a folder"),
    ("a full disk", ["score", "{neg.csv}", "--scale", "A=a1,a2", "--range", "1,5", "--out", "/dev/full"], (2,),
     "--out /dev/full: no space left"),
    ("header-only file: cfa", ["cfa", "{header_only.csv}", "--model", "F =~ a1 + a2 + a3"], (2,), "no data rows"),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_hostile")
    for name, text in FILES.items():
        (d / name).write_text(text)
    (d / "model16.lav").write_bytes("y ~ x\n".encode("utf-16"))
    return d


@pytest.mark.parametrize("name, args, codes, says", CASES, ids=[c[0] for c in CASES])
def test_hostile_command_ends_in_a_message(folder, name, args, codes, says):
    argv = [re.sub(r"\{([^}]+)\}", lambda m: str(folder / m.group(1)), a) for a in args]
    def limit_memory():   # a resource bomb must fail, not take the machine (2 GB of address space)
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    r = subprocess.run([sys.executable, "-m", "psychometrics", *argv], capture_output=True, text=True, cwd=ROOT,
                       timeout=120, preexec_fn=limit_memory)
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    assert r.returncode in codes, (r.returncode, r.stderr[-2000:])
    assert says in r.stdout + r.stderr, (r.stdout[-1000:], r.stderr[-1000:])


def test_continuous_values_with_range_get_a_fix_that_does_not_blank_them(folder):
    """Before: 'not a whole number: allowed are adhoc (codes -10-10)', with a fix that would set every
    cell missing; now the message names --range and says to leave it out for continuous scores."""
    (folder / "cont.csv").write_text("id,a1,a2\nT1,1.5,2.25\nT2,3.1,4\n")
    r = subprocess.run([sys.executable, "-m", "psychometrics", "score", str(folder / "cont.csv"), "--scale", "A=a1,a2",
                        "--range", "1,5"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "adhoc" not in r.stderr and "leave out --range" in r.stderr, r.stderr
    r = subprocess.run([sys.executable, "-m", "psychometrics", "score", str(folder / "cont.csv"), "--scale", "A=a1,a2"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and "2.712" in r.stdout, r.stderr


def test_fiml_with_fewer_respondents_than_variables_is_refused():
    """It used to report a converged fit (or end in a LinAlgError); the saturated model needs more
    respondents than variables."""
    import numpy as np
    import pandas as pd

    import psychometrics as pm
    from psychometrics.exceptions import EstimationError

    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 8))
    X[rng.random((5, 8)) < 0.2] = np.nan
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)])
    with pytest.raises(EstimationError, match="FIML with 5 respondent"):
        pm.cfa("F =~ " + " + ".join(df.columns), df, missing="fiml")
