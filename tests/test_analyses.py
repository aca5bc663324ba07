"""Every numbered script in analyses/ runs from the repository (issue 15), here on a small sample
of the example data given as its argument, and writes its outputs to the folder it is given."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "analyses").glob("0*.py"))
OUTPUTS = {"01_validation_and_sample": {"scores.csv", "problems.csv", "sample.html", "sample.md"},
           "02_reliability": {"reliability.csv", "items.csv", "reliability.md"},
           "03_efa": {"loadings.csv", "efa.md", "scree.png", "loadings.png"},
           "04_cfa": {"cfa.json", "cfa.md", "validity.md"},
           "05_triangle_sem": {"sem.json", "sem.md", "indirect.csv", "path_diagram.svg"},
           "06_invariance": {"invariance_loc.json", "invariance_loc.md", "invariance_response_language.json",
                             "invariance_response_language.md"},
           "07_groups": {"groups.html", "groups.md", "comparisons_loc.csv", "comparisons_response_language.csv",
                         "regressions.csv", "crosstabs.md"}}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "sample.csv"
    pd.read_csv(ROOT / "data" / "vpc_teachers_example.csv").iloc[:320].to_csv(path, index=False)
    return path


def test_every_numbered_script_is_listed():
    assert [p.stem for p in SCRIPTS] == sorted(OUTPUTS)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_script_runs_on_a_sample(script, sample, tmp_path):
    out = tmp_path / script.stem
    r = subprocess.run([sys.executable, str(script), str(sample), "--out", str(out)], capture_output=True, text=True,
                       cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert {p.name for p in out.iterdir()} == OUTPUTS[script.stem]
    assert all(p.stat().st_size > 0 for p in out.iterdir())
    assert "written to" in r.stdout


def test_scores_keep_every_row_of_the_sample(sample, tmp_path):
    script = ROOT / "analyses" / "01_validation_and_sample.py"
    subprocess.run([sys.executable, str(script), str(sample), "--out", str(tmp_path)], check=True, capture_output=True,
                   cwd=ROOT, timeout=600)
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert scores["id"].tolist() == pd.read_csv(sample)["id"].tolist()


def test_models_paste_into_lavaan_unchanged():
    """The measurement model is the =~ part of the structural one (the files R users paste)."""
    from psychometrics.reporting.analyses import measurement_part

    full = (ROOT / "analyses" / "models" / "vpc_triangle.lav").read_text()
    meas = (ROOT / "analyses" / "models" / "vpc_triangle_measurement.lav").read_text()
    assert measurement_part(full) == measurement_part(meas)
