"""Bad input never loses data: every problem is refused or reported, row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from psychometrics.exceptions import DataWarning, ResponseValidationError
from psychometrics.responses.validation import validate_responses

KSE = [f"kse0{i}" for i in range(1, 8)]


def kse_frame(**overrides):
    base = {"id": ["a", "b", "c", "d"]}
    for c in KSE:
        base[c] = ["3", "4", "5", "2"]
    base.update(overrides)
    return pd.DataFrame(base)


@pytest.fixture
def kse(registry):
    return registry.get("kss_efficacy")


def test_invalid_values_are_refused_with_row_column_value(kse):
    df = kse_frame(kse02=["3", "6", "four", "2.5"], kse05=["0", "4", "5", "2"])
    with pytest.raises(ResponseValidationError) as err:
        validate_responses(df, kse, source="teachers.csv")
    msg = str(err.value)
    assert msg.startswith("teachers.csv: 4 invalid value(s):")
    assert "row 2 (id b), column kse02: '6': outside the response scale" in msg
    assert "row 3 (id c), column kse02: 'four': text where a number is expected" in msg
    assert "row 4 (id d), column kse02: '2.5': not a whole number" in msg
    assert "row 1 (id a), column kse05: '0': outside the response scale" in msg
    assert "conf5 (codes 1-5; missing codes -99)" in msg
    assert "on_invalid='missing'" in msg  # says how to fix it (the CLI says --on-invalid missing)
    assert len(err.value.problems) == 4


def test_on_invalid_missing_sets_missing_and_reports_each(kse):
    df = kse_frame(kse02=["3", "6", "four", "2.5"])
    with pytest.warns(DataWarning) as rec:
        vr = validate_responses(df, kse, on_invalid="missing")
    messages = [str(w.message) for w in rec]
    assert any("3 value(s) set missing" in m for m in messages)
    assert any("constant item(s) (everyone gave the same answer): kse02" in m for m in messages)
    assert vr.data["kse02"].tolist()[0] == 3 and np.isnan(vr.data["kse02"].tolist()[1:]).all()
    assert vr.problems[["row", "id", "column", "value", "action"]].values.tolist() == [
        [2, "b", "kse02", "6", "set missing"], [3, "c", "kse02", "four", "set missing"],
        [4, "d", "kse02", "2.5", "set missing"]]
    assert len(vr.data) == 4  # no row dropped


def test_message_lists_first_20_and_the_count(kse):
    df = pd.DataFrame({"id": [f"r{i}" for i in range(30)], **{c: ["9"] * 30 for c in KSE}})
    with pytest.raises(ResponseValidationError) as err:
        validate_responses(df, kse)
    msg = str(err.value)
    assert "210 invalid value(s)" in msg and "first 20 shown" in msg and "... and 190 more" in msg
    assert msg.count("outside the response scale") == 20


def test_declared_missing_codes_become_missing_and_are_counted(kse):
    df = kse_frame(kse01=["-99", "4", "-99", "2"])
    vr = validate_responses(df, kse)
    assert np.isnan(vr.data["kse01"][[0, 2]]).all()
    assert vr.missing_codes == {"kse01": 2} and vr.problems.empty


@pytest.mark.parametrize("ids,problem", [(["a", "b", "a", "d"], "duplicate respondent id"),
                                         (["a", None, "c", "d"], "missing respondent id")])
def test_id_problems_are_always_refused(kse, ids, problem):
    with pytest.raises(ResponseValidationError, match=problem):
        validate_responses(kse_frame(id=ids), kse, on_invalid="missing")


def test_id_column_choice_and_row_numbers(kse):
    df = kse_frame().rename(columns={"id": "teacher"})
    with pytest.warns(DataWarning, match="not in kss_efficacy kept as they are and not scored: teacher"):
        vr = validate_responses(df, kse)
    assert vr.id_column == "row" and vr.ids.tolist() == [1, 2, 3, 4]
    assert validate_responses(df, kse, id_column="teacher").ids.tolist() == ["a", "b", "c", "d"]
    with pytest.raises(ResponseValidationError, match="id column 'nope' is not in the data"):
        validate_responses(df, kse, id_column="nope")


def test_missing_and_unknown_columns(kse):
    df = kse_frame().drop(columns=["kse07"]).assign(note=["x", "y", "z", "w"])
    with pytest.raises(ResponseValidationError, match=r"1 item column\(s\) missing from the data: kse07"), \
            pytest.warns(DataWarning, match="note"):
        validate_responses(df, kse)
    with pytest.warns(DataWarning):
        vr = validate_responses(df, kse, on_invalid="missing")
    assert vr.data["kse07"].isna().all() and vr.data["note"].tolist() == ["x", "y", "z", "w"]
    assert any("not in kss_efficacy" in n and "note" in n for n in vr.notes)


def test_empty_and_constant_items_are_warned(kse):
    df = kse_frame(kse03=[None] * 4, kse04=["2"] * 4)
    with pytest.warns(DataWarning) as rec:
        validate_responses(df, kse)
    text = " ".join(str(w.message) for w in rec)
    assert "no valid answer: kse03" in text and "constant item(s)" in text and "kse04" in text


def test_labels_in_any_language_become_codes(kse):
    df = kse_frame(kse01=["Very confident", "Мүлдем сенімді емеспін", "Полностью уверен(а)", "prefer not to answer"])
    vr = validate_responses(df, kse)
    assert vr.data["kse01"].tolist()[:3] == [4, 1, 5] and np.isnan(vr.data["kse01"][3])


def test_kobo_export_with_group_prefixes_and_select_multiple(registry):
    ctx = registry.get("context")
    row = {"_uuid": ["u1", "u2"], "grp_ctx/loc": ["rural", "urban"], "grp_ctx/region": ["astana", "abai"],
           "grp_ctx/langi": ["kazakh", "russian"], "grp_ctx/yrs": ["3", "12"],
           "grp_ctx/subj": ["math physics", "kazakh"], "grp_ctx/qual": ["expert", "none"],
           "grp_ctx/plat": ["whatsapp telegram", "whatsapp"], "grp_ctx/ngrp": ["2", "0"],
           "grp_ctx/glev": ["school regional", ""], "grp_ctx/f2f": ["few", "-98"], "grp_ctx/role": ["member", "-98"],
           "grp_ctx/hasmnt": ["yes", "no"], "grp_ctx/ismnt": ["no", "no"], "grp_ctx/curtr": ["completed", "no"],
           "_submission_time": ["2026-01-01", "2026-01-02"]}
    vr = validate_responses(pd.DataFrame(row), ctx)
    d = vr.data
    assert vr.id_column == "_uuid"
    assert d["loc"].tolist() == [2, 1] and d["region"].tolist() == [18, 1] and d["qual"].tolist() == [4, 1]
    assert d["subj_math"].tolist() == [1, 0] and d["subj_physics"].tolist() == [1, 0] and d["subj_kazakh"].tolist() == [0, 1]
    assert d["plat_telegram"].tolist() == [1, 0] and d["glev_regional"][0] == 1 and np.isnan(d["glev_regional"][1])
    assert np.isnan(d["f2f"][1]) and vr.missing_codes["f2f"] == 1
    assert any("renamed" in n for n in vr.notes)


def test_kobo_label_export_headers_are_item_texts(registry):
    kse = registry.get("kss_efficacy")
    headers = {kse.item_map[c].text["ru"]: ["Очень уверен(а)", "Немного уверен(а)"] for c in KSE}
    vr = validate_responses(pd.DataFrame({"id": ["a", "b"], **headers}), kse)
    assert vr.data[KSE].to_numpy().tolist() == [[4] * 7, [2] * 7]


def test_kobo_option_columns_and_bad_choice(registry):
    ctx = registry.get("context")
    df = pd.DataFrame({"id": ["a"], "grp/plat/whatsapp": ["1"], "grp/plat/telegram": ["maybe"]})
    with pytest.raises(ResponseValidationError, match="column plat_telegram: 'maybe'"):
        validate_responses(df, ctx)


def _outlying_by_column(X, names):
    """The rule of outlying_codes written out one column at a time (the vectorised version must agree)."""
    from psychometrics.responses.validation import CONVENTIONAL_CODES

    out = []
    for j, name in enumerate(names):
        x = X[:, j][np.isfinite(X[:, j])]
        if len(x) < 10:
            continue
        codes = np.isin(x, CONVENTIONAL_CODES)
        rest, found = x[~codes], {}
        if len(rest) >= 5:
            w = max(rest.max() - rest.min(), 1.0)
            found.update({float(v): int((x == v).sum()) for v in np.unique(x[codes])
                          if v < rest.min() - 3 * w or v > rest.max() + 3 * w})
        if len(rest) >= 10:
            lo, hi = np.percentile(rest, [1, 99])
            if hi > lo:
                far = (rest < lo - 3 * (hi - lo)) | (rest > hi + 3 * (hi - lo))
                found.update({float(v): int((x == v).sum()) for v in np.unique(rest[far])})
        out += [(name, v, n) for v, n in sorted(found.items())]
    return out


@settings(max_examples=80, deadline=None)
@given(X=arrays(np.float64, st.tuples(st.integers(1, 60), st.integers(1, 5)),
                elements=st.one_of(st.integers(1, 5).map(float), st.just(np.nan),
                                   st.sampled_from([-99.0, -98.0, 99.0, 999.0, 40.0, -7.0]))))
def test_outlying_codes_vectorised_equals_the_rule_column_by_column(X):
    from psychometrics.responses.validation import outlying_codes, outlying_in_matrix

    names = [f"c{j}" for j in range(X.shape[1])]
    want = _outlying_by_column(X, names)
    assert outlying_in_matrix(X, names) == want
    assert outlying_codes(pd.DataFrame(X, columns=names)) == want


@pytest.mark.parametrize("missing", [0.0, 0.2])
def test_column_percentiles_equal_numpy(missing):
    """The partition (complete columns) and the sort (with NaN) give np.nanpercentile's values."""
    from psychometrics.responses.validation import _column_percentiles

    rng = np.random.default_rng(5)
    for n in (1, 2, 3, 10, 57, 500):
        X = rng.normal(size=(n, 4)).round(1)
        X[rng.random(X.shape) < missing] = np.nan
        X[:, 0] = np.where(np.isnan(X[:, 0]), 0.0, X[:, 0])       # one column always complete
        want = np.nanpercentile(X, (1, 25, 99), axis=0) if (~np.isnan(X)).any(axis=0).all() else None
        if want is not None:
            assert np.allclose(_column_percentiles(X, (1, 25, 99)), want, rtol=1e-12, atol=1e-12), n


def test_outlying_fast_path_equals_the_percentile_rule():
    """Without conventional codes only the 1%/99% percentile rule can flag; the sort-once shortcut
    must flag exactly what the rule written out with np.nanpercentile flags."""
    from psychometrics.responses.validation import outlying_in_matrix

    rng = np.random.default_rng(11)
    for trial in range(200):
        n, p = int(rng.integers(5, 60)), int(rng.integers(1, 6))
        X = rng.integers(1, 6, size=(n, p)).astype(float)
        if trial % 2:     # odd trials with missing values (a sort), even ones complete (a partition)
            X[rng.random((n, p)) < 0.1] = np.nan
        for _ in range(int(rng.integers(0, 3))):
            X[rng.integers(n), rng.integers(p)] = float(rng.choice([40.0, -30.0, 7.0, 1e6]))
        want = []
        for j in range(p):
            col = X[:, j]
            v = col[~np.isnan(col)]
            if len(v) < 10:
                continue
            lo, hi = np.percentile(v, [1, 99])
            w = hi - lo
            if w > 0:
                far = v[(v < lo - 3 * w) | (v > hi + 3 * w)]
                want += [(str(j), float(x), int((col == x).sum())) for x in np.unique(far)]
        assert outlying_in_matrix(X, [str(j) for j in range(p)]) == want, trial
