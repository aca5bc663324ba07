"""Every supported file format reads to the same validated values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from psychometrics.exceptions import DataReadError, DataWarning
from psychometrics.responses.io import read_responses, write_table
from psychometrics.responses.validation import validate_responses

FRAME = pd.DataFrame({"id": ["T1", "T2", "T3"], "kse01": [1, 5, np.nan], "kse02": [2, -99, 4],
                      "kse03": [3, 2, 3], "kse04": [4, 4, 5], "kse05": [5, 1, 2], "kse06": [1, 2, 3],
                      "kse07": [2, 1, 2]})


@pytest.mark.parametrize("ext", [".csv", ".tsv", ".xlsx", ".parquet", ".sav", ".dta"])
def test_formats_round_trip_to_identical_values(tmp_path, registry, ext):
    path = tmp_path / f"r{ext}"
    write_table(FRAME, path)
    df = read_responses(path)
    assert df.attrs["source"]["format"] in ext and len(df.attrs["source"]["sha256"]) == 64
    vr = validate_responses(df, registry.get("kss_efficacy"))
    got = vr.data[[c for c in FRAME.columns if c != "id"]].to_numpy(float)
    want = FRAME.drop(columns="id").replace(-99, np.nan).to_numpy(float)
    np.testing.assert_array_equal(got, want)
    assert list(vr.ids.astype(str)) == ["T1", "T2", "T3"]
    assert vr.missing_codes == {"kse02": 1}


def test_semicolon_csv_in_windows_1251_with_cyrillic_labels(tmp_path, registry):
    path = tmp_path / "ru.csv"
    text = "id;kse01;kse02;kse03;kse04;kse05;kse06;kse07\nT1;Очень уверен(а);2;3;4;5;1;2\n"
    path.write_bytes(text.encode("cp1251"))
    with pytest.warns(DataWarning, match="Windows-1251"):
        df = read_responses(path)
    vr = validate_responses(df, registry.get("kss_efficacy"))
    assert vr.data.loc[0, "kse01"] == 4  # the Russian label "Очень уверен(а)" is code 4


def test_text_is_kept_as_text_for_validation(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id,kse01\n007,4\n008,four\n")
    df = read_responses(path)
    assert df["id"].tolist() == ["007", "008"]  # leading zeros of ids survive
    assert df["kse01"].tolist() == ["4", "four"]


def test_read_errors_name_the_file(tmp_path):
    with pytest.raises(DataReadError, match="nothere.csv: no such file"):
        read_responses(tmp_path / "nothere.csv")
    (tmp_path / "x.foo").write_text("a")
    with pytest.raises(DataReadError, match=r"x.foo: unknown file type '.foo'"):
        read_responses(tmp_path / "x.foo")
    (tmp_path / "bad.xlsx").write_text("not a workbook")
    with pytest.raises(DataReadError, match="bad.xlsx: cannot be read as xlsx"):
        read_responses(tmp_path / "bad.xlsx")
    (tmp_path / "dup.csv").write_text("id,a,a\n1,2,3\n")
    with pytest.raises(DataReadError, match="duplicate column"):
        read_responses(tmp_path / "dup.csv")
