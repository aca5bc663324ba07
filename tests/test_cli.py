"""The command line: contract names, exit codes, messages without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from .conftest import DATA, INSTRUMENTS, ROOT


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "psychometrics", *args], capture_output=True, text=True, cwd=cwd)


def test_score_example_writes_every_row(tmp_path):
    out = tmp_path / "scores.csv"
    r = run("score", str(DATA / "vpc_teachers_example.csv"), "--instrument", "vpc_teachers", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "Scale scores" in r.stdout and "Traceback" not in r.stderr
    scores = pd.read_csv(out)
    assert len(scores) == 640 and scores["id"].iloc[0] == "T0001"


def test_score_json_contract(tmp_path):
    r = run("score", str(DATA / "vpc_teachers_example.csv"), "--instrument", "kss_efficacy,participation",
            "--format", "json", "--no-careless", "--on-invalid", "missing")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert {"meta", "scales", "scores", "problems"} <= set(d)
    assert d["meta"]["instrument"]["sections"][0]["id"] == "kss_efficacy"
    assert {"scale", "n_scored", "mean"} <= set(d["scales"][0])


def test_bad_input_exit_2_with_row_column_value_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    df = pd.read_csv(DATA / "vpc_teachers_example.csv", dtype=str)
    df.loc[4, "kse02"] = "7"
    df.loc[9, "npc03"] = "often"
    df.to_csv(bad, index=False)
    r = run("score", str(bad), "--instrument", "vpc_teachers")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "row 5 (id T0005), column npc03" not in r.stderr
    assert "row 5 (id T0005), column kse02: '7': outside the response scale" in r.stderr
    assert "row 10 (id T0010), column npc03: 'often': text where a number is expected" in r.stderr
    assert str(bad) in r.stderr
    ok = run("score", str(bad), "--instrument", "vpc_teachers", "--on-invalid", "missing",
             "--problems", str(tmp_path / "p.csv"), "--out", str(tmp_path / "s.csv"))
    assert ok.returncode == 0 and "set missing" in ok.stderr
    assert len(pd.read_csv(tmp_path / "p.csv")) == 2 and len(pd.read_csv(tmp_path / "s.csv")) == 640


@pytest.mark.parametrize("args,fragment", [
    (["score", "nothere.csv", "--instrument", "vpc_teachers"], "nothere.csv: no such file"),
    (["score", "data/vpc_teachers_example.csv", "--instrument", "nope"], "no instrument 'nope'"),
    (["score", "data/vpc_teachers_example.csv"], "give --instrument ID or one or more --scale"),
    (["score", "data/vpc_teachers_example.csv", "--scale", "A=-kse01,kse02"], "needs the response range"),
    (["score", "data/vpc_teachers_example.csv", "--scale", "A"], "write NAME=item1,-item2"),
    (["score", "data/vpc_teachers_example.csv", "--scale", "A=kse01", "--range", "x"], "write MIN,MAX"),
    (["score", "data/vpc_teachers_example.csv", "--instrument", "vpc_teachers", "--id", "teacher"],
     "id column 'teacher' is not in the data"),
])
def test_usage_errors_exit_2(args, fragment):
    r = run(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert fragment in r.stderr and "Traceback" not in r.stderr


def test_adhoc_scales_from_the_command_line(tmp_path):
    r = run("score", str(DATA / "vpc_teachers_example.csv"), "--scale", "iso=npc01,npc02,-npc03,npc04",
            "--range", "1,5", "--format", "csv", "--no-careless", "--on-invalid", "missing")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "id,iso,iso_n_valid" and len(lines) == 641


def test_instruments_list_show_validate():
    r = run("instruments", "list", "--format", "json")
    ids = {i["id"] for i in json.loads(r.stdout)["instruments"]}
    assert {"vpc_teachers", "kss_efficacy"} <= ids
    r = run("instruments", "show", "participation", "--lang", "ru")
    assert r.returncode == 0 and "Передача знаний" in r.stdout and "sharing =~ shr01" in r.stdout
    r = run("instruments", "validate")
    assert r.returncode == 0 and "7 file(s) checked: all valid" in r.stdout


def test_validate_broken_file_exit_2_naming_file_and_field(tmp_path):
    bad = tmp_path / "kss_efficacy.yaml"
    bad.write_text((INSTRUMENTS / "kss_efficacy.yaml").read_text(encoding="utf-8").replace(
        "response_scale: conf5", "response_scale: conf9", 1), encoding="utf-8")
    r = run("--instruments", str(INSTRUMENTS), "instruments", "validate", str(bad))
    assert r.returncode == 2
    assert f"{bad}: items.kse01.response_scale: 'conf9' is not under response_scales" in r.stderr


BFI = ROOT / "tests" / "reference" / "data" / "bfi.csv"


def test_reliability_json_contract_and_formats(tmp_path):
    r = run("reliability", str(BFI), "--scale", "A=-A1,A2,A3,A4,A5", "--scale", "C=C1,C2,C3,-C4,-C5",
            "--range", "1,6", "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    s = d["scales"][0]
    assert s["scale"] == "A" and s["n"] == 2709 and s["k"] == 5 and len(s["alpha_ci"]) == 2
    assert s["items"][0]["item"] == "A1" and s["items"][0]["reversed"] is True
    assert d["meta"]["missing"] == "listwise" and len(d["meta"]["data"]["sha256"]) == 64
    for fmt, needle in [("md", "| scale"), ("latex", "\\begin{tabular}"), ("html", "<table"), ("csv", "scale,k,n")]:
        out = run("reliability", str(BFI), "--scale", "A=-A1,A2,A3,A4,A5", "--range", "1,6", "--format", fmt)
        assert out.returncode == 0 and needle in out.stdout, fmt
    docx = tmp_path / "rel.docx"
    assert run("reliability", str(BFI), "--scale", "A=-A1,A2,A3,A4,A5", "--range", "1,6", "--format", "docx",
               "--out", str(docx)).returncode == 0 and docx.stat().st_size > 0


def test_reliability_with_instrument_and_bootstrap():
    r = run("reliability", str(DATA / "vpc_teachers_example.csv"), "--instrument", "kss_efficacy",
            "--ci", "bootstrap", "--n-boot", "200", "--seed", "3", "--quiet", "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["scales"][0]["ci_method"] == "bootstrap bca" and d["meta"]["seed"] == 3


def test_polychoric_command():
    r = run("polychoric", str(BFI), "--items", "A1,A2,A3", "--format", "json")
    d = json.loads(r.stdout)
    assert d["items"] == ["A1", "A2", "A3"] and len(d["rho"]) == 3 and d["rho"][0][0] == 1.0
    bad = run("polychoric", str(DATA / "vpc_teachers_example.csv"), "--items", "kse01,nope")
    assert bad.returncode == 2 and "nope" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("suffix", [".md", ".html", ".docx"])
def test_report_main_job(tmp_path, suffix):
    out, scores = tmp_path / f"report{suffix}", tmp_path / "scores.csv"
    r = run("report", str(DATA / "vpc_teachers_example.csv"), "--instrument", "vpc_teachers", "--out", str(out),
            "--scores", str(scores))
    assert r.returncode == 0, r.stderr
    assert "community_interest" in r.stdout and out.stat().st_size > 1000
    if suffix == ".md":
        text = out.read_text(encoding="utf-8")
        assert "## Data and sample" in text and "## Reliability" in text and "*Item statistics*" in text
        assert "Careless-responding flags" in text and "| instrument content hash | sha256:" in text
    assert len(pd.read_csv(scores)) == 640
    if suffix == ".md":
        with_model = run("report", str(DATA / "vpc_teachers_example.csv"), "--instrument", "vpc_teachers", "--out",
                         str(tmp_path / "m.md"), "--model", str(ROOT / "analyses" / "models" / "vpc_triangle.lav"))
        assert with_model.returncode == 0, with_model.stderr
        text = (tmp_path / "m.md").read_text(encoding="utf-8")
        assert "## Structural model" in text and "support_via_ksse" in text and "χ²(515)" in text


def test_efa_command(tmp_path):
    r = run("efa", str(BFI), "--factors", "parallel", "--seed", "1", "--format", "json", "--quiet",
            "--scree", str(tmp_path / "s.svg"), "--heatmap", str(tmp_path / "h.png"))
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["n_factors"] == d["parallel"]["suggested_factors"] == 6
    assert len(d["loadings"]) == 25 and len(d["phi"]) == 6 and 0.8 < d["kmo"]["overall"] < 0.9
    assert (tmp_path / "s.svg").read_text().startswith("<?xml") and (tmp_path / "h.png").stat().st_size > 1000
    text = run("efa", str(BFI), "--factors", "5", "--method", "pa", "--rotation", "promax", "--quiet")
    assert text.returncode == 0 and "Factor correlations" in text.stdout and "PA1" in text.stdout
    bad = run("efa", str(BFI), "--items", "A1,A2", "--factors", "1")
    assert bad.returncode == 2 and "at least three items" in bad.stderr


HS = ROOT / "tests" / "reference" / "data" / "holzinger_swineford.csv"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def test_cfa_json_contract(tmp_path):
    model = tmp_path / "hs.lav"
    model.write_text(HS_MODEL)
    r = run("cfa", str(HS), "--model", str(model), "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["converged"] is True and d["estimator"] == "ML" and d["nobs"] == [301] and d["groups"] == ["all"]
    assert {"npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "aic",
            "bic", "logl"} <= set(d["fit"])
    assert d["fit"]["df"] == 24 and abs(d["fit"]["chisq"] - 85.3055) < 1e-3
    p = d["parameters"][1]
    assert {"lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"} <= set(p)


@pytest.mark.parametrize("model,code,fragment", [
    ("visual =~ x1 + x2 + nope", 2, "nope, which are not latent"),
    ("visual =~ x1 + + x2", 2, "line 1, column"),
    ("f =~ x1 + x2", 3, "not identified"),
])
def test_sem_errors_exit_codes(model, code, fragment):
    r = run("sem", str(HS), "--model", model)
    assert r.returncode == code, (r.returncode, r.stderr)
    assert fragment in r.stderr and "Traceback" not in r.stderr


def test_modindices_in_json():
    r = run("cfa", str(HS), "--model", HS_MODEL, "--modindices", "--format", "json")
    assert r.returncode == 0, r.stderr
    top = json.loads(r.stdout)["modindices"][0]
    assert (top["lhs"], top["op"], top["rhs"]) == ("visual", "=~", "x9") and abs(top["mi"] - 36.411) < 1e-2
    assert {"lhs", "op", "rhs", "group", "mi", "epc"} <= set(top)


def test_sem_bootstrap_command():
    r = run("sem", str(HS), "--model", HS_MODEL, "--bootstrap", "50", "--seed", "2", "--quiet", "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["meta"]["se"] == "bootstrap" and d["meta"]["bootstrap"] == 50 and d["meta"]["seed"] == 2


def test_sem_cli_groups_mlr_fiml_and_diagram(tmp_path):
    full = ROOT / "tests" / "reference" / "data" / "holzinger_swineford_full.csv"
    r = run("cfa", str(full), "--model", HS_MODEL, "--group", "school", "--group-equal", "loadings",
            "--estimator", "MLR", "--format", "json", "--quiet")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["groups"] == ["Pasteur", "Grant-White"] and d["nobs"] == [156, 145] and d["estimator"] == "MLR"
    assert {"chisq_scaled", "chisq_scaling_factor", "cfi_robust", "rmsea_robust"} <= set(d["fit"])
    # the contract (shared/design/CLI.md): group numbers as lavaan's, labels in "groups"
    assert {p["group"] for p in d["parameters"] if p["op"] != ":="} == {1, 2}
    miss = ROOT / "tests" / "reference" / "data" / "holzinger_swineford_missing.csv"
    svg = tmp_path / "m.svg"
    r = run("cfa", str(miss), "--model", HS_MODEL, "--missing", "fiml", "--diagram", str(svg), "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["nobs"] == [301] and d["meta"]["information"] == "observed" and "<svg" in svg.read_text()
    r = run("cfa", str(HS), "--model", HS_MODEL, "--group-equal", "loadings")
    assert r.returncode == 2 and "need --group" in r.stderr


def test_sem_cli_group_specific_labels_path_models_and_refusals():
    full = ROOT / "tests" / "reference" / "data" / "holzinger_swineford_full.csv"
    r = run("sem", str(full), "--model", "visual =~ x1 + c(a, b)*x2 + x3\ntextual =~ x4 + x5 + x6", "--group",
            "school", "--format", "json", "--quiet")
    assert r.returncode == 0, r.stderr
    labels = {(p["label"], p["group"]) for p in json.loads(r.stdout)["parameters"] if p["label"]}
    assert labels == {("a", 1), ("b", 2)}
    r = run("sem", str(full), "--model", "x4 ~ a*x1 + ageyr\nx9 ~ b*x4\nab := a*b", "--format", "json", "--quiet")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["fit"]["df"] == 2 and d["fit"]["npar"] == 5           # lavaan: fixed.x moments not counted
    assert [p["group"] for p in d["parameters"] if p["op"] == ":="] == [0]
    r = run("sem", str(full), "--model", "x4 ~ x1 + ageyr", "--no-fixed-x", "--format", "json", "--quiet")
    assert r.returncode == 0 and json.loads(r.stdout)["fit"]["npar"] == 6, r.stderr
    for model, fragment in [("f <~ x1 + x2", "composites"), ("level: 1\nf =~ x1 + x2", "two-level")]:
        r = run("sem", str(full), "--model", model)
        assert r.returncode == 2 and fragment in r.stderr and "Traceback" not in r.stderr


def test_declared_missing_codes_are_not_taken_as_answers_by_cfa():
    """Issue: cfa/sem on the example data took -98/-99 as answers (sharing-receiving r = .999).
    Without --instrument a warning names the codes; with it they are missing and FIML uses all rows."""
    model = ("sharing =~ shr01 + shr02 + shr03 + shr04 + shr05 + shr06\n"
             "receiving =~ rcv01 + rcv02 + rcv03 + rcv04 + rcv05")
    data = str(DATA / "vpc_teachers_example.csv")
    r = run("--instruments", str(INSTRUMENTS), "cfa", data, "--model", model, "--format", "json", "--quiet")
    assert r.returncode == 0 and "perhaps missing-data codes taken as answers: shr01: -98" in r.stderr
    r = run("--instruments", str(INSTRUMENTS), "cfa", data, "--model", model, "--instrument", "vpc_teachers",
            "--missing", "fiml", "--format", "json", "--quiet")
    assert r.returncode == 0, r.stderr
    assert "taken as answers" not in r.stderr
    d = json.loads(r.stdout)
    cor = [p["std_all"] for p in d["parameters"] if p["op"] == "~~" and p["lhs"] != p["rhs"]]
    assert d["nobs"] == [592] and 0.3 < cor[0] < 0.7
    r = run("--instruments", str(INSTRUMENTS), "efa", data, "--items", "shr01,shr02,shr03,rcv01,rcv02,rcv03",
            "--factors", "2", "--format", "json", "--quiet")
    assert r.returncode == 0 and "taken as answers" in r.stderr


def test_library_messages_name_arguments_and_the_cli_names_flags(tmp_path):
    """The library says on_invalid="missing" / range=(MIN, MAX); the command line says its flags."""
    bad = tmp_path / "bad.csv"
    bad.write_text("id,kse01,kse02,kse03,kse04,kse05,kse06,kse07\nT1,9,1,1,1,1,1,1\n")
    r = run("score", str(bad), "--instrument", "kss_efficacy")
    assert r.returncode == 2 and "--on-invalid missing" in r.stderr and "on_invalid=" not in r.stderr, r.stderr
    r = run("score", str(bad), "--scale", "A=-kse01,kse02")
    assert r.returncode == 2 and "--range MIN,MAX" in r.stderr and "range=" not in r.stderr, r.stderr
    r = run("efa", str(bad), "--items", "kse01,kse02,kse03", "--method", "nope")
    assert r.returncode == 2 and "Traceback" not in r.stderr
