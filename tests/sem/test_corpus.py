"""The lavaan corpus (tests/reference/sem_corpus_models.py -> generate_corpus.R -> sem_corpus.json):
72 models over 9 public data sets (lavaan's HolzingerSwineford1939, PoliticalDemocracy,
Demo.growth and FacialBurns; psych's sat.act and bfi; R's mtcars, attitude and swiss): CFA,
higher-order and bifactor models, MIMIC models with direct effects, growth curves with time-
invariant and time-varying covariates, pure path and covariance models, several left-hand sides,
single indicators, latent means, labels/equal()/start() modifiers, several groups with every
group.equal kind, ML, MLR, FIML, GLS and ULS, std.lv, fixed.x TRUE and FALSE, orthogonal,
meanstructure. lavaan 0.6.14 is the reference."""

from __future__ import annotations

import math

import numpy as np
import pytest

from psychometrics.exceptions import PsychometricsError

from ._corpus import corpus, dataset, fit, free_set_lavaan, free_set_ours, lavaan_rows, our_rows

MODELS = corpus()["models"]
NAMES = [m["name"] for m in MODELS]

FIT_MEASURES = ["npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea",
                "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr", "logl", "unrestricted.logl", "aic",
                "bic", "chisq.scaled", "chisq.scaling.factor", "baseline.chisq.scaled", "cfi.scaled", "tli.scaled",
                "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust",
                "nnfi", "rfi", "nfi", "pnfi", "ifi", "rni", "bic2", "rmsea.notclose.pvalue", "rmr", "rmr_nomean",
                "srmr_bentler", "srmr_bentler_nomean", "crmr", "crmr_nomean", "srmr_mplus", "srmr_mplus_nomean",
                "cn_05", "cn_01", "gfi", "agfi", "pgfi", "mfi", "ecvi"]
RESIDUAL = {"srmr", "rmr", "rmr_nomean", "srmr_bentler", "srmr_bentler_nomean", "crmr", "crmr_nomean", "srmr_mplus",
            "srmr_mplus_nomean"}
# lavaan 0.6.14 reports Zhang & Savalei's (2023) FIML-corrected robust indices; not computed yet
FIML_ROBUST = {"cfi.robust", "tli.robust", "rmsea.robust"}


@pytest.fixture(scope="module")
def fits():
    cache = {}

    def get(name):
        if name not in cache:
            entry = next(m for m in MODELS if m["name"] == name)
            cache[name] = fit(entry)
        return cache[name]
    return get


@pytest.mark.parametrize("name", NAMES)
def test_free_parameters_and_df_equal_lavaans(name, fits):
    ref = corpus()["lavaan"][name]
    res, _ = fits(name)
    assert free_set_ours(res) == free_set_lavaan(ref)
    assert res.fit["npar"] == ref["npar"]
    assert res.fit["df"] == ref["df"]
    assert res.converged and ref["converged"]


@pytest.mark.parametrize("name", NAMES)
def test_estimates_ses_and_standardized_solution_match_lavaan(name, fits):
    ref = corpus()["lavaan"][name]
    res, _ = fits(name)
    ours, theirs = our_rows(res), lavaan_rows(ref)
    assert set(theirs) <= set(ours)
    std_se = lavaan_rows(ref, "std_se")
    for k, r in theirs.items():
        o = ours[k]
        se = r["se"] if r["se"] is not None else 0.0
        # relative 1e-4; for an estimate near zero relative to its SE (lavaan's nlminb stops at an
        # objective tolerance of 1e-10, so an estimate of 0.001 +- 0.1 is not pinned to 1e-7)
        assert abs(o["est"] - r["est"]) <= 1e-4 * max(abs(r["est"]), se, 1e-6), (k, o["est"], r["est"])
        if se > 0:
            assert abs(o["se"] - se) <= 1e-4 * se, (k, o["se"], se)
        if r["std_all"] is not None:
            assert abs(o["std_all"] - r["std_all"]) <= 1e-4 * max(abs(r["std_all"]), se, 1e-6), k
        s = std_se.get(k, {}).get("se")
        if s and (k[1] == ":=" or o["free"]):
            # delta-method SEs of std_all: lavaan differentiates numerically (1e-3 as before)
            assert abs(o["std_all_se"] - s) <= 1e-3 * s, (k, o["std_all_se"], s)


@pytest.mark.parametrize("name", NAMES)
def test_fit_measures_match_lavaan(name, fits):
    ref = corpus()["lavaan"][name]["fit"]
    res, _ = fits(name)
    checked = 0
    for k in FIT_MEASURES:
        if ref.get(k) is None:
            continue
        ours = res.fit.get(k.replace(".", "_"), math.nan)
        if ref["df"] == 0 and k in RESIDUAL:
            # a saturated model: residuals are zero up to the optimizer's precision (lavaan's leaves
            # 1e-8 .. 2e-4 in raw units on sat.act); ours must be at least as close to zero
            assert abs(ours) <= abs(ref[k]) + 1e-12, (k, ours, ref[k])
            continue
        if ref["df"] == 0 and k in ("cn_05", "cn_01"):
            # Hoelter's N at df = 0 is 1 if chi-square is above sqrt(machine eps), else NA (lavaan's
            # rule); our saturated chi-square is 0 to rounding, lavaan's up to 1e-9
            assert math.isnan(ours) if res.fit["chisq"] < 1.5e-8 else ours == pytest.approx(ref[k])
            continue
        # relative 1e-4 (absolute 1e-7 for measures at zero: RMSEA of a close fit, p-values near 0;
        # under FIML with missing values GFI/AGFI differ by up to 6e-5, lavaan's EM tolerance)
        assert abs(ours - ref[k]) <= 1e-4 * max(abs(ref[k]), 1e-3), (k, ours, ref[k])
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("name", NAMES)
def test_our_optimum_is_not_worse_than_lavaans(name, fits):
    ref = corpus()["lavaan"][name]["fit"]
    res, _ = fits(name)
    stat = res.fit["chisq"]
    assert stat <= ref["chisq"] + 1e-6 * max(1.0, ref["chisq"])


def test_warnings_lavaan_gives_we_give(fits):
    ref = corpus()["lavaan"]
    for name in NAMES:
        theirs = ref[name]["warnings"]
        theirs = [theirs] if isinstance(theirs, str) else theirs
        _, ours = fits(name)
        if any("missing values in" in w and "exogenous" in w for w in theirs):
            assert any("missing exogenous covariate" in w for w in ours), name
        if any("variances are negative" in w for w in theirs):
            assert any("negative variance" in w for w in ours), name


def test_rows_dropped_for_missing_covariates_are_counted(fits):
    res, _ = fits("sat_fiml_missing_x")
    assert res.nobs == corpus()["lavaan"]["sat_fiml_missing_x"]["nobs"] == 687
    assert any("13 of 700 rows with a missing exogenous covariate (SATQ)" in n for n in res.meta["notes"])


@pytest.mark.parametrize("entry", corpus()["refused"], ids=lambda e: e["name"])
def test_models_lavaan_refuses_are_refused_with_a_message(entry):
    from psychometrics.sem import sem

    lav = corpus()["lavaan"][entry["name"]]
    assert "error" in lav
    expected = {"refused_latent_named_like_column": "also columns of the data",
                "refused_unknown_variable": "xx3, which are not latent"}[entry["name"]]
    with pytest.raises(PsychometricsError, match=expected):
        sem(entry["model"], dataset(entry["data"]))


@pytest.mark.parametrize("model,message", [
    ("f <~ x1 + x2", "composites"),
    ("level: 1\nf =~ x1 + x2 + x3", "two-level"),
    ("group: 1\nf =~ x1 + x2 + x3", "'group:' blocks"),
    ('f =~ efa("b")*x1 + x2 + x3', "efa"),
    ("x1 | t1 + t2", "thresholds"),
    ("f =~ x1 + x2 + x3\nf ~*~ f", "scaling factors"),
    ("x1 ~ x2:x3", "interaction"),
    ("f =~ x1 + x2 + lower(0)*x3", "inequality"),
    ("f =~ x1 + x2 +", "ends in the middle"),
])
def test_unsupported_lavaan_syntax_is_named(model, message):
    from psychometrics.sem import sem
    from psychometrics.sem.syntax import ModelSyntaxError

    with pytest.raises(ModelSyntaxError, match=message):
        sem(model, dataset("hs"))


def test_badly_scaled_variables_converge_to_lavaans_solution(fits):
    """psych's sat.act: SAT scores (SD ~110) next to ACT (SD ~5) and age (the optimizer used to stop
    after two iterations here, with the SAT loadings held near their clipped start values)."""
    res, _ = fits("sat_mimic")
    ref = lavaan_rows(corpus()["lavaan"]["sat_mimic"])
    ours = our_rows(res)
    k = ("SATQ", "~~", "SATQ", 1)
    assert ours[k]["est"] == pytest.approx(ref[k]["est"], rel=1e-5)
    assert res.meta["optimizer"].startswith("Fisher scoring converged")
    assert np.isfinite(res.fit["cfi"])


def test_variances_a_thousand_times_apart_warn_and_name_the_variable():
    from psychometrics.sem import SEMWarning, sem

    d = dataset("sat").assign(SATQ10=lambda x: x["SATQ"] * 10)
    with pytest.warns(SEMWarning, match="factor of 5.*SATQ10.*dividing SATQ10 by 100"):
        res = sem("ability =~ ACT + SATV + SATQ10", d, progress=False)
    assert res.converged


@pytest.mark.parametrize("name", [m["name"] for m in MODELS if m["options"].get("estimator", "ML") in ("ML", "MLR")
                                  and corpus()["lavaan"][m["name"]]["modindices"]])   # (saturated: none)
def test_modification_indices_and_standardized_epcs_match_lavaan(name):
    from ._corpus import key

    entry = next(m for m in MODELS if m["name"] == name)
    ref = corpus()["lavaan"][name]["modindices"]
    res, _ = fit(entry, modindices=True)
    labels = list(res.groups)
    ours = {key(r.lhs, r.op, r.rhs, labels.index(r.group) + 1 if len(labels) > 1 else 1): r
            for r in res.modindices.itertuples()}
    theirs = {key(ref["lhs"][i], ref["op"][i], ref["rhs"][i], ref["group"][i]): i for i in range(len(ref["lhs"]))}
    # our candidates (omitted loadings, residual covariances of observed variables) are a subset of
    # lavaan's list, which also has latent regressions and covariances
    assert set(ours) <= set(theirs), sorted(set(ours) - set(theirs))
    # lavaan's omitted loadings and residual covariances among observed variables (not covariates)
    # are all ours; lavaan also lists fixed parameters already in the model (markers)
    from psychometrics.sem.partable import build

    exo = set(build(entry["model"], list(dataset(entry["data"]).columns),
                    n_groups=2 if entry["options"].get("group") else 1).exo_x)
    in_model = set(our_rows(res))
    observed = set(res.implied.index)
    core = {k for k, i in theirs.items() if k not in in_model and ref["mi"][i] is not None and not {k[0], k[2]} & exo
            and (k[1] == "=~" or (k[1] == "~~" and k[0] in observed and k[2] in observed and k[0] != k[2]))}
    assert core <= set(ours), (sorted(core - set(ours)), sorted(set(ours) - set(theirs)))
    for k, o in ours.items():
        i = theirs[k]
        # chi-square scale: 1e-3 (lavaan's estimates sit ~1e-5 from the optimum)
        assert o.mi == pytest.approx(ref["mi"][i], rel=1e-3, abs=1e-3), k
        # EPC = -g / (2c): its sensitivity to the estimates is 1/(2c), with c = MI / (N EPC^2) the
        # candidate's information given the model; lavaan's gradient at its estimates is ~1e-6
        # off, which matters for near-equivalent candidates (c ~ 1e-4, MI ~ 0.05)
        c = o.mi / (res.nobs * o.epc ** 2) if o.mi > 0 and o.epc != 0 else np.inf
        tol = max(1e-4, 1e-6 / (2 * c))
        assert o.epc == pytest.approx(ref["epc"][i], rel=1e-3, abs=tol), k
        ratio_lv = abs(o.sepc_lv / o.epc) if o.epc else 1.0
        assert o.sepc_lv == pytest.approx(ref["sepc_lv"][i], rel=1e-3, abs=tol * ratio_lv), k
        if ref["sepc_all"][i] is None:          # lavaan: NA when a residual variance is fixed at 0
            assert np.isnan(o.sepc_all), k
        else:
            ratio = abs(o.sepc_all / o.epc) if o.epc else 1.0       # the same tolerance, standardized
            assert o.sepc_all == pytest.approx(ref["sepc_all"][i], rel=1e-3, abs=tol * ratio), k


PREDICTED = [m["name"] for m in MODELS if m.get("predict")]


def _names(block) -> list[str]:
    return [block["names"]] if isinstance(block["names"], str) else block["names"]   # jsonlite unboxes one


@pytest.mark.parametrize("name", PREDICTED)
@pytest.mark.parametrize("method", ["regression", "bartlett"])
def test_factor_scores_match_lavpredict(name, method, fits):
    ref = corpus()["lavaan"][name]
    res, _ = fits(name)
    refused = {"hs_second_order": "higher-order factor", "hs_ov_on_lv": "observed outcomes of factors"}
    if name in refused and method == "bartlett":
        # lavaan's Bartlett scores of a factor without observed indicators (total loadings in a
        # separate step) and with observed outcomes of factors are not reproduced: refused
        with pytest.raises(PsychometricsError, match=refused[name]):
            res.predict(method=method)
        return
    scores = res.predict(method=method)
    assert len(scores) == len(dataset(next(m for m in MODELS if m["name"] == name)["data"]))   # every row
    for g, block in enumerate(ref[f"predict_{method}"]):
        rows = np.array(corpus()["lavaan"][name]["case_idx"][g]) - 1
        ours = scores[_names(block)].to_numpy()[rows]
        theirs = np.array(block["values"], float).reshape(ours.shape)
        if name == "hs_ov_on_lv":
            # observed outcomes regressed on factors without a mean structure: lavaan shifts each
            # factor's scores by a constant (its E(eta) from the outcomes' sample means); ours keep
            # the model's latent means (0). The scores agree up to that shift.
            ours, theirs = ours - ours.mean(axis=0), theirs - theirs.mean(axis=0)
        # scores are linear in the estimates: lavaan's sit ~1e-5 from the optimum
        assert np.abs(ours - theirs).max() <= 1e-4 * max(1.0, np.abs(theirs).max()), (g, np.abs(ours - theirs).max())
    n_scored = int(scores.notna().all(axis=1).sum())
    assert n_scored == sum(len(i) for i in corpus()["lavaan"][name]["case_idx"])


@pytest.mark.parametrize("name", PREDICTED)
def test_residuals_match_lavresiduals(name, fits):
    entry = next(m for m in MODELS if m["name"] == name)
    ref = corpus()["lavaan"][name]
    res, _ = fits(name)
    ours = res.residuals()
    for g, r in enumerate(ref["residuals"]):
        names = r["names"]
        o = ours[g]
        scale = np.abs(np.array(r["cov"], float)).max() + np.abs(o["cov"].to_numpy()).max()
        assert np.abs(o["cov"].loc[names, names].to_numpy() - np.array(r["cov"], float)).max() <= 1e-4 * scale
        if isinstance(r["mean"], list):
            assert np.abs(o["mean"][names].to_numpy() - np.array(r["mean"], float)).max() <= 1e-4 * max(1.0, scale)
        if entry["options"].get("estimator") == "MLR" or entry["options"].get("missing") == "ml":
            assert o["cov_z"].isna().all().all() and "ML with complete data" in ours[g]["note"]
            continue
        if entry["options"].get("group.equal"):
            # parameters shared across groups: our ACOV has the cross-group terms (as lavaan 0.7-1);
            # lavaan 0.6.14 left them out, so its z are not the reference here (hs_group is)
            continue
        Z, Zo = np.array(r["cov_z"], float), o["cov_z"].loc[names, names].to_numpy()
        # lavaan divides a residual of ~1e-5 (its optimizer's) by an SE of ~1e-9 where the model
        # reproduces an element exactly (sat.act's variances): ours are 0 there
        wild = np.abs(Z) > 1e3
        assert (Zo[wild] == 0).all()
        assert np.abs(Zo[~wild] - Z[~wild]).max() <= 2e-3 * max(1.0, np.abs(Z[~wild]).max())


def test_summary_statistics_and_predict_refuse_bad_input_with_a_message():
    from psychometrics.sem import sem

    hs = dataset("hs")
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
    C = hs[[f"x{i}" for i in range(1, 7)]].cov()
    cases = [
        (dict(sample_cov=C.where(C > 0.5), sample_nobs=301), "missing or infinite value"),
        (dict(sample_cov=C.to_numpy(), sample_nobs=301), "pandas DataFrame"),
        (dict(sample_cov=C), "needs sample_nobs"),
        (dict(sample_cov=C, sample_nobs=301, estimator="MLR"), "need the raw data"),
        (dict(sample_cov={"a": C, "b": C}, sample_nobs={"a": 150, "b": 151}), "give sample_mean"),
        (dict(sample_cov={"a": C, "b": C}, sample_nobs={"a": 150}), "no entry for group"),
    ]
    for kw, message in cases:
        with pytest.raises(PsychometricsError, match=message):
            sem(model, None, progress=False, **kw)
    res = sem(model, hs, group="school", progress=False)
    with pytest.raises(PsychometricsError, match="not fitted for: 'Other'"):
        res.predict(hs.assign(school=hs["school"].replace({"Pasteur": "Other"})))
    with pytest.raises(PsychometricsError, match="lack the group column 'school'"):
        res.predict(hs.drop(columns="school"))
    with pytest.raises(PsychometricsError, match="choose 'regression' or 'bartlett'"):
        res.predict(method="ebm")
