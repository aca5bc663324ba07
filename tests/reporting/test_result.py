"""Every result kind has the one interface of ``reporting.result.ResultBase`` (issue "One package
shape"): summary in four formats, to_frame, JSON-safe to_dict, _repr_html_, to_docx, a one-line
repr, nobs, and a provenance whose data fingerprint is the same for results from one file."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from psychometrics import __version__
from psychometrics.reporting import Provenance, ResultBase, Summary
from psychometrics.responses import file_sha256

from ..conftest import DATA
from ._results import results

KINDS = ["validation", "score", "reliability", "scale_reliability", "polychoric", "efa", "parallel", "sem", "report",
         "invariance"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_result_has_the_common_interface(kind, tmp_path):
    res = results()[kind]
    assert isinstance(res, ResultBase)
    s = res.summary()
    assert isinstance(s, Summary)
    for fmt in ("text", "md", "latex", "html"):
        assert len(s.render(fmt)) > 50, fmt
    assert res._repr_html_().startswith("<h1>")
    assert str(res) == s.as_text()
    assert isinstance(res.to_frame(), pd.DataFrame) and len(res.to_frame())
    json.dumps(res.to_dict())  # JSON-safe
    r = repr(res)
    assert "\n" not in r and r.startswith(f"<{type(res).__name__} nobs=") and len(r) < 200, r
    assert isinstance(res.nobs, int) and res.nobs > 0
    out = tmp_path / "r.docx"
    res.to_docx(str(out))
    assert out.stat().st_size > 5000
    prov = res.provenance
    assert isinstance(prov, Provenance) and prov.package_version == __version__


@pytest.mark.parametrize("kind", ["validation", "score", "reliability", "polychoric", "efa", "sem", "report", "invariance"])
def test_one_data_fingerprint_per_input_file(kind):
    """Whatever columns a result used and however they were validated, it records the file's
    SHA-256 (before, EFA, polychoric and SEM hashed a column subset, so results from one file
    could not be linked)."""
    sha = file_sha256(DATA / "vpc_teachers_example.csv")
    prov = results()[kind].provenance
    assert prov.data["sha256"] == sha
    assert prov.data["source"].endswith("vpc_teachers_example.csv")
    assert prov.data["rows"] == 640


def test_provenance_records_instrument_seed_and_estimator():
    r = results()
    assert r["score"].provenance.instrument["id"] == "kss_efficacy"
    assert r["efa"].provenance.seed == 1 and r["efa"].provenance.estimator == "minres"
    assert r["sem"].provenance.estimator == "ML"
    assert r["sem"].provenance.options["missing"] == "listwise"


def test_one_naming_scheme_nobs_and_pvalue():
    r = results()
    assert r["efa"].nobs == r["efa"].n_obs  # the old name still answers
    assert r["polychoric"].nobs == r["polychoric"].n
    assert r["efa"].to_dict()["bartlett"]["pvalue"] == r["efa"].to_dict()["bartlett"]["p"]
    assert "pvalue" in r["sem"].to_dict()["fit"]
    table = r["reliability"].to_frame()
    # the table's columns are the fields' names; the APA headers (M, SD, CR, AVE) only when rendered
    assert {"mean", "sd", "omega_total", "composite_reliability", "ave"} <= set(table.columns)
    shown = r["reliability"].summary().tables[0][1]
    assert {"M", "SD", "omega", "CR", "AVE"} <= set(shown.columns)
