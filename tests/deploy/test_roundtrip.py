"""Answers written as the platforms export them (Kobo label export with group prefixes, REDCap raw
export, LimeSurvey answer codes) come back onto item ids and score exactly like the original."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from psychometrics.deploy import export
from psychometrics.exceptions import DataWarning
from psychometrics.responses.harmonize import from_limesurvey, from_redcap, read_limesurvey_codes
from psychometrics.scoring.score import score


@pytest.fixture(scope="module")
def original(battery, example_df):
    res = score(example_df, battery, careless=False)
    return example_df, res.scores


def _label(sc, v, lang):
    if pd.isna(v):
        return np.nan
    v = int(v)
    if v in sc.missing_codes:
        return sc.missing_labels[v][lang]
    return sc.labels[lang][list(sc.values).index(v)]


def _assert_same_scores(ours, theirs):
    cols = [c for c in theirs.columns if c in ours.columns]
    assert len(cols) > 20
    pd.testing.assert_frame_equal(ours[cols].reset_index(drop=True), theirs[cols].reset_index(drop=True),
                                  check_dtype=False)


def test_kobo_label_export_with_group_prefixes(battery, original):
    df, scores = original
    kobo = pd.DataFrame({"_id": df["id"], "_uuid": [f"uuid-{i}" for i in range(len(df))]})
    for sec in battery.sections:
        for it in sec.items:
            col = f"grp_{sec.id}/{it.id}"
            sc = it.scale
            if sc.type == "select_multiple":     # Kobo's split columns: grp/item/option holding 0/1
                for name in sc.names:
                    kobo[f"{col}/{name}"] = df[f"{it.id}_{name}"]
            elif sc.type in ("likert", "frequency", "select_one"):
                kobo[col] = df[it.id].map(lambda v, sc=sc: _label(sc, v, "ru"))
            else:
                kobo[col] = df[it.id]
    res = score(kobo, battery, id="_id", careless=False)
    _assert_same_scores(res.scores.drop(columns="_id").assign(id=res.scores["_id"].to_numpy()), scores)


def _redcap_export(df, battery) -> pd.DataFrame:
    """The answers as REDCap's raw export writes them: record_id, checkbox columns item___code,
    one <form>_complete column per instrument."""
    red = pd.DataFrame({"record_id": df["id"]})
    for sec in battery.sections:
        for it in sec.items:
            if it.scale.type == "select_multiple":
                for code, name in zip(it.scale.values, it.scale.names):
                    red[f"{it.id}___{code}"] = df[f"{it.id}_{name}"]
            else:
                red[it.id] = df[it.id]
        red[f"{sec.id}_complete"] = 2
    return red


def test_redcap_raw_export(battery, original, tmp_path):
    df, scores = original
    export(battery, "redcap", ["en"], tmp_path / "dd.csv")
    red = _redcap_export(df, battery)
    red.insert(1, "redcap_survey_identifier", "")
    back, notes = from_redcap(red, battery)
    assert "redcap_survey_identifier" in notes[0] and "context_complete" in notes[0]
    res = score(back, battery, id="record_id", careless=False)
    _assert_same_scores(res.scores.rename(columns={"record_id": "id"}), scores)


def test_limesurvey_response_export(battery, original, tmp_path):
    df, scores = original
    _, codes_path = export(battery, "limesurvey", ["en"], tmp_path / "ls.txt")
    codes = read_limesurvey_codes(codes_path, battery)
    pd.testing.assert_frame_equal(codes, pd.read_csv(codes_path, dtype=str).fillna("").astype(object))  # as a plain read
    lime = pd.DataFrame({"id": df["id"], "submitdate": "2026-11-01 10:00:00"})
    items = battery.item_map
    for r in codes.itertuples():
        if r.option:
            v = pd.to_numeric(df[f"{r.item_id}_{r.option}"])   # exported with "NULL values as: N/A"
            lime[r.limesurvey_column] = np.where(v.isna(), "N/A", np.where(v == 1, "Y", ""))
            continue
        sc = items[r.item_id].scale
        if sc.type in ("likert", "frequency", "select_one"):
            codes_ = pd.to_numeric(df[r.item_id])         # the example file is read as text
            lime[r.limesurvey_column] = codes_.map(
                lambda v: np.nan if pd.isna(v) else (f"AN{-int(v)}" if v < 0 else f"A{int(v)}"))
        else:
            lime[r.limesurvey_column] = df[r.item_id]
    back = from_limesurvey(lime, codes, battery)
    with pytest.warns(DataWarning, match="submitdate"):     # LimeSurvey's own columns are kept and named
        res = score(back, battery, id="id", careless=False)
    _assert_same_scores(res.scores, scores)
    glev = [c for c in back.columns if c.startswith("glev_")]
    pd.testing.assert_frame_equal(back[glev].reset_index(drop=True),
                                  df[glev].apply(pd.to_numeric).astype(float).reset_index(drop=True))
    # without "N/A" marks an empty row cannot be told from "none ticked": it comes back missing
    blank = lime.replace("N/A", "")
    again = from_limesurvey(blank, codes, battery)
    none = (df[glev].apply(pd.to_numeric) == 0).all(axis=1)
    assert none.any() and again.loc[none, glev].isna().all().all()


def test_cli_export_then_score_a_redcap_export(battery, original, tmp_path):
    import subprocess
    import sys

    df, scores = original
    run = lambda *a: subprocess.run([sys.executable, "-m", "psychometrics", *a], capture_output=True,  # noqa: E731
                                    text=True)
    r = run("instruments", "export", "vpc_teachers", "--to", "redcap", "--lang", "en,ru", "--out",
            str(tmp_path / "dd.csv"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [str(tmp_path / "dd.csv"), str(tmp_path / "dd.languages.json")]
    _redcap_export(df, battery).to_csv(tmp_path / "export.csv", index=False)
    r = run("score", str(tmp_path / "export.csv"), "--instrument", "vpc_teachers", "--from", "redcap",
            "--no-careless", "--format", "json", "--out", str(tmp_path / "s.csv"), "--quiet")
    assert r.returncode == 0, r.stderr
    got = pd.read_csv(tmp_path / "s.csv")
    rules = [r.id for r in battery.scoring]
    assert len(rules) > 10 and set(rules) <= set(got.columns)
    for rid in rules:
        np.testing.assert_allclose(got[rid].to_numpy(float), scores[rid].to_numpy(float), rtol=1e-12, err_msg=rid)
    r = run("instruments", "export", "kss_efficacy", "--to", "paper", "--lang", "kk-Latn", "--out",
            str(tmp_path / "p.pdf"))
    assert r.returncode == 2 and "item kse01 has no 'kk-Latn' translation" in r.stderr and "Traceback" not in r.stderr
