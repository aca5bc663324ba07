"""The report with a cluster column: ICCs of the scale scores (as psychometrics.icc, which is
checked against psych::statsBy) and the model fitted with the clusters."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import psychometrics as pm
from psychometrics.exceptions import PsychometricsError
from psychometrics.instruments import InstrumentRegistry
from psychometrics.reporting.report import build_report

from ..conftest import DATA, ROOT


@pytest.fixture(scope="module")
def inst():
    return InstrumentRegistry([ROOT / "instruments"]).resolve("eraut_factors")


@pytest.fixture(scope="module")
def data():
    return pm.read_responses(DATA / "vpc_teachers_example.csv")


def test_clustering_section_holds_the_scale_scores_iccs(inst, data):
    rep = build_report(data, inst, cluster="school")
    scores = rep.scores.scores
    scales = [c for c in scores.columns if f"{c}_n_valid" in scores.columns]
    direct = pm.icc(scores[scales].assign(school=data["school"].to_numpy()), "school", scales).table
    pd.testing.assert_frame_equal(rep.clustering.table, direct)
    support = direct.set_index("variable").loc["support"]
    assert 0.10 < support["icc1"] < 0.18           # the example data's planted school climate (about .14)
    text = rep.summary().as_text()
    assert "Clustering of the scale scores" in text and "clusters: school (95)" in text
    assert rep.to_dict()["clustering"]["cluster"] == "school"


def test_model_is_fitted_with_the_clusters(inst, data):
    model = "confidence =~ con01 + con02 + con03 + con04\nsupport =~ sup01 + sup02 + sup03 + sup04"
    rep = build_report(data, inst, cluster="school", model=model)
    assert rep.model.meta["cluster"] == "school" and rep.model.meta["se"] == "robust.cluster"


def test_unknown_cluster_column(inst, data):
    with pytest.raises(PsychometricsError, match="cluster column 'schol'"):
        build_report(data, inst, cluster="schol")


def test_cli_report_with_cluster(tmp_path):
    out = tmp_path / "r.md"
    r = subprocess.run([sys.executable, "-m", "psychometrics", "report", str(DATA / "vpc_teachers_example.csv"),
                        "--instrument", "eraut_factors", "--cluster", "school", "--out", str(out)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "Clustering of the scale scores" in text and "design effect" in text      # APA headers in words
    section = text.split("Clustering of the scale scores")[1]
    icc1 = float(section.split("| support")[1].split("|")[7])       # the icc1 column of that table
    assert 0.10 < icc1 < 0.18
