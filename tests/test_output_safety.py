"""Nothing is written over an input or an unnamed file, generated columns cannot be overwritten by
a scale's name, and formulas and HTML in texts and ids never become live (issue "Trustworthy under
bad input"), through the command line and the library."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import psychometrics as pm
from psychometrics.deploy import export
from psychometrics.exceptions import InstrumentError, ScoringError
from psychometrics.instruments import adhoc_instrument
from psychometrics.responses import read_responses, write_table

from .conftest import ROOT

HOSTILE_ID = "=cmd|' /C calc'!A0"


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "psychometrics", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def data(tmp_path):
    p = tmp_path / "answers.csv"
    p.write_text("id,a1,a2\nT1,4,5\nT2,3,4\nT3,2,2\n")
    return p


@pytest.mark.parametrize("flags", [
    ["--out", "{data}"], ["--problems", "{data}"], ["--out", "{tmp}/s.csv", "--problems", "{tmp}/s.csv"],
])
def test_score_refuses_to_write_over_its_input_or_twice_to_one_file(data, tmp_path, flags):
    before = data.read_bytes()
    args = [f.format(data=data, tmp=tmp_path) for f in flags]
    r = run("score", str(data), "--scale", "A=a1,a2", *args)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert "would replace it" in r.stderr or "one would overwrite the other" in r.stderr, r.stderr
    assert data.read_bytes() == before


def test_report_refuses_scores_equal_to_out(tmp_path):
    out = tmp_path / "r.md"
    r = run("report", str(ROOT / "data" / "vpc_teachers_example.csv"), "--instrument", "kss_efficacy",
            "--out", str(out), "--scores", str(out))
    assert r.returncode == 2 and "--scores" in r.stderr and not out.exists(), r.stderr


def test_unwritable_out_is_a_message_not_a_traceback(data, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = run("score", str(data), "--scale", "A=a1,a2", "--out", str(blocker / "scores.csv"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and str(blocker) in r.stderr, r.stderr


def test_export_never_overwrites_companions_it_was_not_named(tmp_path):
    inst = adhoc_instrument({"A": ["a1", "-a2"]}, range=(1, 5))
    out = tmp_path / "study.md"
    mine = tmp_path / "study.sav"
    mine.write_bytes(b"the user's own SPSS file")
    with pytest.raises(InstrumentError, match="study.sav already exist"):
        export(inst, "codebook", ["en"], out)
    assert mine.read_bytes() == b"the user's own SPSS file" and not out.exists()
    written = export(inst, "codebook", ["en"], out, force=True)
    assert mine in written and mine.read_bytes() != b"the user's own SPSS file"
    r = run("instruments", "export", "kss_efficacy", "--to", "codebook", "--out", str(tmp_path / "k.md"))
    assert r.returncode == 0, r.stderr
    r = run("instruments", "export", "kss_efficacy", "--to", "codebook", "--out", str(tmp_path / "k2.md"))
    (tmp_path / "k3.sav").write_bytes(b"x")
    r = run("instruments", "export", "kss_efficacy", "--to", "codebook", "--out", str(tmp_path / "k3.md"))
    assert r.returncode == 2 and "--force" in r.stderr and "force=True" not in r.stderr, r.stderr


@pytest.mark.parametrize("scales, column", [
    ({"id": ["a1", "a2"]}, "id"), ({"A": ["a1"], "A_n_valid": ["a2"]}, "A_n_valid"),
    ({"careless_irv": ["a1", "a2"]}, "careless_irv"),
])
def test_a_scale_named_like_a_generated_column_is_refused(scales, column):
    df = pd.DataFrame({"id": ["T1", "T2"], "a1": [1, 2], "a2": [2, 3]})
    with pytest.raises(ScoringError, match=f"column '{column}'"):
        pm.score(df, scales=scales, range=(1, 5), careless=False)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
def test_formula_like_ids_round_trip_as_text_and_never_as_formulas(tmp_path, suffix):
    df = pd.DataFrame({"id": [HOSTILE_ID, "+SUM(A1)", "@x", "-1", "T5"], "A": [1.5, 2.0, 3.0, 4.0, None]})
    path = tmp_path / f"scores{suffix}"
    write_table(df, path)
    if suffix == ".xlsx":
        from openpyxl import load_workbook
        ws = load_workbook(path).active
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)   # no cell is a formula
    else:
        text = path.read_text()
        assert "\n'=cmd" in text and "\n=cmd" not in text and "\n'-1" not in text
    back = read_responses(path)
    assert back["id"].tolist() == df["id"].tolist()


def test_xlsform_and_csv_exports_neutralise_formula_item_texts(tmp_path):
    from openpyxl import load_workbook

    from psychometrics.instruments import Item
    inst = adhoc_instrument({"A": ["a1", "a2"]}, range=(1, 5))
    evil = Item(id="a1", instrument="adhoc", text={"en": "=HYPERLINK(\"http://x\",\"click\")"}, intent="",
                scale=inst.items[0].scale)
    inst = type(inst)(**{**inst.__dict__, "items": (evil, inst.items[1])})
    inst.__dict__.pop("item_map", None)
    export(inst, "xlsform", ["en"], tmp_path / "f.xlsx")
    ws = load_workbook(tmp_path / "f.xlsx")["survey"]
    labels = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert labels and all(c.data_type == "s" for c in labels)
    export(inst, "redcap", ["en"], tmp_path / "d.csv")
    assert "'=HYPERLINK" in (tmp_path / "d.csv").read_text()
    export(inst, "limesurvey", ["en"], tmp_path / "l.txt")
    assert "'=HYPERLINK" in (tmp_path / "l.txt").read_text(encoding="utf-8-sig")


def test_markdown_output_keeps_html_as_text():
    df = pd.DataFrame({"id": ["<script>alert(1)</script>", "T2"], "a1": [1, 2], "a2": [2, 3]})
    res = pm.score(df, scales={"A": ["a1", "a2"]}, range=(1, 5), careless=False)
    md = pm.reporting.Summary("t", ["<img src=x onerror=alert(1)>"], [("ids", res.scores[["id"]])]).as_markdown()
    assert "<script>" not in md and "<img" not in md and "&lt;script>" in md
