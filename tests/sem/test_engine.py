"""Engine internals: analytic derivatives against numerical ones, the batched bootstrap fitter
against the one-sample fitter, EM against complete-data moments, parallel draws, failures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import psychometrics.sem as S
from psychometrics.exceptions import PsychometricsError
from psychometrics.sem import model as M
from psychometrics.sem.batch import fit_batch
from psychometrics.sem.missing import em_saturated
from psychometrics.sem.partable import build
from psychometrics.sem.standardize import Standardizer, batched_jacobian

from ..conftest import ROOT

REF = ROOT / "tests" / "reference" / "data"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def _setup(model, data, group=None, **kw):
    res = S.sem(model, data, group=group, **kw)
    cols = [c for c in data.columns if c != group]
    labels = list(pd.unique(data[group].astype(str))) if group else ["all"]
    ge = kw.get("group_equal", ())
    pt = build(model, cols, meanstructure=bool(group), n_groups=len(labels),
               group_equal=tuple(ge.split(",")) if isinstance(ge, str) else ge)
    Xg = ([data.loc[data[group].astype(str) == g, pt.observed].to_numpy(float) for g in labels] if group
          else [data[pt.observed].to_numpy(float)])
    blocks = M.complete_blocks(Xg)
    mdl = M.Model(pt, [b.S for b in blocks], [b.mean for b in blocks])
    free = res.parameters[res.parameters.free > 0].drop_duplicates("free").sort_values("free")
    return res, pt, mdl, blocks, free.est.to_numpy(), Xg


@pytest.fixture(scope="module")
def two_group():
    data = pd.read_csv(REF / "holzinger_swineford_full.csv")[["school"] + [f"x{i}" for i in range(1, 10)]]
    return _setup(HS_MODEL + "\nx1 ~~ x4\nvisual ~~ 0.5*speed", data, "school", group_equal="loadings")


def test_gradient_and_expected_information_are_the_derivatives(two_group):
    _, pt, mdl, blocks, theta, _ = two_group
    rng = np.random.default_rng(1)
    th = theta + rng.normal(scale=0.02, size=len(theta))    # away from the optimum: gradient not zero
    F, g = mdl.objective(th, blocks)
    num = np.array([(mdl.objective(th + h, blocks)[0] - mdl.objective(th - h, blocks)[0]) / 2e-6
                    for h in np.eye(len(th)) * 1e-6])
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-8)
    # expected information = 1/2 Delta' W Delta with the normal-theory weight (from the Jacobian)
    info = mdl.expected_information(th, blocks)
    ref = np.zeros_like(info)
    for gi, b in enumerate(blocks):
        D = mdl.delta(th, gi)
        Sig = mdl.implied(th, gi)
        Si = np.linalg.inv(Sig)
        p = len(Sig)
        a, c = np.tril_indices(p)
        gw = np.where(a == c, 0.5, 1.0)
        Wc = (Si[np.ix_(a, a)] * Si[np.ix_(c, c)] + Si[np.ix_(a, c)] * Si[np.ix_(c, a)]) * np.outer(gw, gw)
        nc = len(a)
        ref += b.w * (D[:nc].T @ Wc @ D[:nc] + D[nc:].T @ Si @ D[nc:])
    np.testing.assert_allclose(info, ref, rtol=1e-9, atol=1e-12)


def test_observed_information_is_the_hessian(two_group):
    _, _, mdl, blocks, theta, _ = two_group
    H = mdl.observed_information(theta, blocks)
    k = 3
    e = np.zeros(len(theta))
    e[k] = 1e-4
    second = (mdl.objective(theta + e, blocks)[0] - 2 * mdl.objective(theta, blocks)[0]
              + mdl.objective(theta - e, blocks)[0]) / 1e-8
    assert H[k, k] == pytest.approx(second / 2, rel=1e-4)


def test_standardized_jacobian_analytic_equals_numerical(two_group):
    res, pt, mdl, _, theta, _ = two_group
    est = res.parameters.est.to_numpy()[: len(pt.rows)]
    st = Standardizer(pt, mdl, est)
    num = batched_jacobian(lambda th: st.batch(th)[1], theta)
    np.testing.assert_allclose(st.jacobian(theta), num, rtol=1e-5, atol=1e-8)


def test_batched_fits_equal_single_fits(two_group):
    _, _, mdl, _, theta, Xg = two_group
    rng = np.random.default_rng(11)
    Ss, xb, singles = [], [], []
    for _ in range(4):
        Xs = [X[rng.integers(0, len(X), len(X))] for X in Xg]
        bl = M.complete_blocks(Xs)
        Ss.append([b.S for b in bl])
        xb.append([b.mean for b in bl])
        singles.append(M.fit_ml(mdl, bl, theta, warm=True)[0])
    n = np.array([len(X) for X in Xg], float)
    th, _, ok = fit_batch(mdl, np.array(Ss), np.array(xb), n / n.sum(), theta, tol=1e-9)
    assert ok.all()
    np.testing.assert_allclose(th, np.array(singles), rtol=1e-6, atol=1e-8)


def test_em_without_missing_values_gives_the_sample_moments():
    X = pd.read_csv(REF / "holzinger_swineford.csv")[[f"x{i}" for i in range(1, 10)]].to_numpy(float)
    mu, Sig, ll = em_saturated(M.pattern_blocks([X]), 9)
    np.testing.assert_allclose(mu, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(Sig, np.cov(X, rowvar=False, ddof=0), rtol=1e-10)


def test_parallel_bootstrap_gives_the_same_draws():
    df = pd.read_csv(REF / "political_democracy.csv")
    model = "ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem60 ~ ind60"
    a = S.sem(model, df, bootstrap=120, seed=4, progress=False, n_jobs=1).bootstrap_draws
    b = S.sem(model, df, bootstrap=120, seed=4, progress=False, n_jobs=2).bootstrap_draws
    np.testing.assert_array_equal(a, b)


def test_bollen_stine_data_fit_the_model_exactly():
    from psychometrics.sem.bootstrap import _sqrtm

    df = pd.read_csv(REF / "holzinger_swineford.csv")
    res, pt, mdl, blocks, theta, Xg = _setup(HS_MODEL, df)
    X = Xg[0]
    Sig = mdl.implied(theta)
    Z = (X - X.mean(axis=0)) @ np.linalg.inv(_sqrtm(blocks[0].S)) @ _sqrtm(Sig) + X.mean(axis=0)
    np.testing.assert_allclose(np.cov(Z, rowvar=False, ddof=0), Sig, atol=1e-10)
    refit = S.sem(HS_MODEL, pd.DataFrame(Z, columns=pt.observed))
    assert refit.fit["chisq"] == pytest.approx(0, abs=1e-8)


@pytest.mark.parametrize("kw,fragment", [
    ({"missing": "fiml", "estimator": "GLS"}, "not available; use ML or MLR"),
    ({"group": "nope"}, "group column 'nope'"),
    ({"estimator": "WLSMV"}, "not available"),
    # (GLS/ULS with several groups, refused here before, is now fitted: tests/sem/test_corpus.py)
    ({"group": "school", "estimator": "GLS", "bootstrap": 10}, "bootstrap is available for ML/MLR"),
    ({"group": "school", "group_equal": "loading"}, "unknown kind"),
])
def test_unsupported_or_wrong_options_are_refused(kw, fragment):
    df = pd.read_csv(REF / "holzinger_swineford_full.csv")
    with pytest.raises(PsychometricsError, match=fragment):
        S.sem(HS_MODEL, df, **kw)


def test_text_in_a_model_column_is_an_error_naming_row_and_value():
    df = pd.read_csv(REF / "holzinger_swineford.csv")
    df["x5"] = df["x5"].astype(object)
    df.loc[7, "x5"] = "n/a"
    with pytest.raises(PsychometricsError, match=r"column 'x5'.*row 8, 'n/a'"):
        S.sem(HS_MODEL, df)


def test_group_with_empty_cells_is_refused_not_dropped():
    df = pd.read_csv(REF / "holzinger_swineford_full.csv")
    df.loc[3, "school"] = np.nan
    with pytest.raises(PsychometricsError, match=r"empty in 1 row\(s\) \(first: row 4\)"):
        S.sem(HS_MODEL, df, group="school")


def test_fiml_reports_patterns_and_keeps_every_row():
    df = pd.read_csv(REF / "holzinger_swineford_missing.csv")
    res = S.sem(HS_MODEL, df, missing="fiml")
    assert res.nobs == 301 and any("missing-data patterns" in n for n in res.meta["notes"])
    lw = S.sem(HS_MODEL, df)
    assert lw.nobs == int(df[[f"x{i}" for i in range(1, 10)]].notna().all(axis=1).sum()) < 301


def test_path_diagram_dot_and_svg(tmp_path):
    df = pd.read_csv(REF / "political_democracy.csv")
    res = S.sem("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem60 ~ ind60\ny1 ~~ y2", df)
    dot = res.path_diagram(str(tmp_path / "m.dot"))
    std = res.parameters.set_index(["lhs", "op", "rhs"])["std_all"]
    assert '"ind60" -> "x2"' in dot and f'label="{std[("ind60", "=~", "x2")]:.2f}"' in dot
    assert '"ind60" -> "dem60"' in dot and "dir=both" in dot and (tmp_path / "m.dot").read_text() == dot
    res.path_diagram(str(tmp_path / "m.svg"))
    svg = (tmp_path / "m.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "dem60" in svg


def test_bootstrap_draws_respect_the_constraints():
    df = pd.read_csv(REF / "holzinger_swineford.csv")
    model = HS_MODEL.replace("x4 + x5 + x6", "x4 + l5*x5 + l6*x6") + "\nl5 + l6 == 2.2\nx2 ~~ v2*x2\nv2 > 1.3"
    res = S.sem(model, df, bootstrap=30, seed=2, progress=False)
    p = res.parameters
    col = {lab: p.index[p.label == lab][0] for lab in ("l5", "l6", "v2")}
    draws = res.bootstrap_draws
    assert len(draws) >= 28
    np.testing.assert_allclose(draws[:, col["l5"]] + draws[:, col["l6"]], 2.2, atol=1e-7)
    assert (draws[:, col["v2"]] >= 1.3 - 1e-8).all()


@pytest.mark.parametrize("extra,kw,fragment", [
    ("\nx2 ~~ v2*x2\nv2 > nope", {}, "'nope' is not a parameter label"),
    ("\nx2 ~~ v2*x2\nv2 > 0", {"estimator": "GLS"}, "constraints other than"),
    ("\nx2 ~~ v2*x2\nv2 > exp(1)", {}, "may only use labels"),
])
def test_bad_constraints_are_refused(extra, kw, fragment):
    df = pd.read_csv(REF / "holzinger_swineford.csv")
    with pytest.raises(PsychometricsError, match=fragment):
        S.sem(HS_MODEL + extra, df, **kw)


@pytest.mark.parametrize("model,fragment", [
    # contradicting equalities used to be reported as "not identified under its constraints"
    (HS_MODEL.replace("x1 + x2", "x1 + a*x2") + "\na == 2\na == 3",
     r"cannot all hold at once.*'a == 2' \(line 4\), 'a == 3' \(line 5\); they conflict with each other"),
    (HS_MODEL.replace("x1 + x2 + x3", "x1 + a*x2 + b*x3") + "\na + b == 1\na - b == 1\nb == 0.5",
     r"cannot all hold at once.*conflicts with|cannot all hold at once.*conflict with each other"),
    (HS_MODEL + "\nx2 ~~ v2*x2\nv2^2 == -1", "no parameter values satisfy it"),
])
def test_contradicting_constraints_are_named(model, fragment):
    df = pd.read_csv(REF / "holzinger_swineford.csv")
    with pytest.raises(PsychometricsError, match=fragment):
        S.sem(model, df)


def test_a_variable_in_large_units_is_not_called_singular():
    """x1 times 10^8: the covariance matrix is badly scaled, not singular (it used to be refused as
    "not positive definite"); the fit is that of the unscaled data, with lavaan's rescaling warning."""
    df = pd.read_csv(REF / "holzinger_swineford.csv")
    big = df.assign(x1=df["x1"] * 1e8)
    with pytest.warns(S.SEMWarning, match="dividing x1 by"):
        res = S.sem(HS_MODEL, big)
    ref = S.sem(HS_MODEL, df)
    assert res.fit["chisq"] == pytest.approx(ref.fit["chisq"], rel=1e-6)   # chi-square is scale-invariant


@pytest.mark.parametrize("change,fragment", [
    (lambda d: d.assign(x6=d["x4"] + d["x5"]), "x6, x4, x5 are linearly dependent|x4, x5, x6 are linearly dependent|"
                                                 "x6, x5, x4|x5, x4, x6|x4, x6, x5|x5, x6, x4"),
    (lambda d: d.assign(x6=2.0), "x6 is constant"),
])
def test_a_singular_covariance_matrix_names_the_variables(change, fragment):
    df = change(pd.read_csv(REF / "holzinger_swineford.csv"))
    with pytest.raises(PsychometricsError, match=fragment):
        S.sem(HS_MODEL, df)


def test_a_factor_correlation_beyond_one_is_named():
    rng = np.random.default_rng(0)
    f = rng.normal(size=60)
    d = pd.DataFrame({f"x{i}": f * .6 + rng.normal(size=60) * .8 for i in range(1, 7)})
    with pytest.warns(S.SEMWarning, match=r"f2 with f1 r = 1\.15 \(a correlation beyond 1"):
        S.sem("f1 =~ x1 + x2 + x3\nf2 =~ x4 + x5 + x6", d, std_lv=True)


@pytest.mark.parametrize("group", [None, "school"])
def test_closed_form_fiml_information_of_the_saturated_model_equals_central_differences(group):
    from psychometrics.sem import robust
    from psychometrics.sem.fiml_hessian import saturated_observed_information

    df = pd.read_csv(REF / "holzinger_swineford_missing.csv")
    if group:
        full = pd.read_csv(REF / "holzinger_swineford_full.csv")
        df = df.assign(school=full["school"].to_numpy()[: len(df)])
    pt = build(HS_MODEL, [f"x{i}" for i in range(1, 10)], meanstructure=True, n_groups=2 if group else 1)
    from psychometrics.sem.samplestats import from_data, split_groups

    labels, gcode = split_groups(df, group)
    st = from_data(df, pt, group, gcode, labels, True)
    mdl = M.Model(pt, [b.S for b in st.blocks[:1]] * len(labels), [b.mean for b in st.blocks[:1]] * len(labels))
    sat, th = robust.saturated_fiml(mdl, st.blocks, 0.0)
    numeric = sat.observed_information_numeric(th, st.blocks)
    closed = saturated_observed_information(sat, th, st.blocks)
    # central differences of the analytic gradient carry ~1e-9 error; the closed form is exact
    np.testing.assert_allclose(closed, numeric, rtol=0, atol=1e-7 * np.abs(numeric).max())


def test_closed_form_fiml_information_of_a_structured_model_equals_central_differences():
    """Observed (with the second-derivative term of the moments) and expected information under
    FIML with 24 missing-data patterns: the one-pass closed forms against the per-pattern ones."""
    from psychometrics.sem import fiml_hessian

    df = pd.read_csv(REF / "holzinger_swineford_missing.csv")
    model = HS_MODEL + "\nspeed ~ visual"
    pt = build(model, [f"x{i}" for i in range(1, 10)], meanstructure=True)
    from psychometrics.sem.samplestats import from_data, split_groups

    labels, gcode = split_groups(df, None)
    st = from_data(df, pt, None, gcode, labels, True)
    assert len(st.blocks) > 8
    res = S.sem(model, df, missing="fiml")
    mdl = M.Model(pt, [st.blocks[0].S], [st.blocks[0].mean])
    free = res.parameters[res.parameters.free > 0].drop_duplicates("free").sort_values("free")
    theta = free.est.to_numpy()
    numeric = mdl.observed_information_numeric(theta, st.blocks)
    closed = fiml_hessian.observed_information(mdl, theta, st.blocks)
    np.testing.assert_allclose(closed, numeric, rtol=0, atol=1e-7 * np.abs(numeric).max())
    per_pattern = mdl.expected_information(theta, st.blocks[:8])     # the per-pattern loop (8 blocks or fewer)
    one_pass = fiml_hessian.expected_information(mdl, theta, st.blocks[:8])
    np.testing.assert_allclose(one_pass, per_pattern, rtol=0, atol=1e-12)


def test_std_lv_of_a_latent_with_an_observed_covariance_scales_the_latent_side():
    # lavaan 0.6.14 on Demo.twolevel, sem("f =~ y1 + y2 + y3; f ~~ y5; y5 ~ x1"):
    # est 0.3643026602, std.lv 0.2595029625 (divided by f's SD only), std.all 0.1848088993
    d = pd.read_csv(REF / "demo_twolevel.csv")
    p = S.sem("f =~ y1 + y2 + y3\nf ~~ y5\ny5 ~ x1", d).parameters.set_index(["lhs", "op", "rhs"])
    row = p.loc[("f", "~~", "y5")]
    # lavaan's nlminb stops about 1e-6 relative from the optimum here (ours: 1.1e-6 apart): 1e-5
    assert row["est"] == pytest.approx(0.3643026602, rel=1e-5)
    assert row["std_lv"] == pytest.approx(0.2595029625, rel=1e-5)
    assert row["std_all"] == pytest.approx(0.1848088993, rel=1e-5)
