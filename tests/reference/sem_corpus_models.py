"""Writes sem_corpus_models.json: the lavaan corpus of the SEM engine (issue "SEM engine that fits
what lavaan fits"). Each entry names a data set in tests/reference/data/, lavaan syntax and the
options of ``lavaan::sem()`` in lavaan's spelling; generate_corpus.R fits every entry with lavaan
and writes sem_corpus.json, which tests/sem/test_corpus.py compares with our fits.

Run from the repository root: ``python tests/reference/sem_corpus_models.py``.
"""

import json
from pathlib import Path

HS3 = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
PD = """ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a*y2 + b*y3 + c*y4
dem65 =~ y5 + a*y6 + b*y7 + c*y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8"""
GROWTH = ("i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4\ns =~ 0*t1 + 1*t2 + 2*t3 + 3*t4\n"
          "t1 + t2 + t3 + t4 ~ 0*1\ni + s ~ 1")
AGREE_CONSC = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
BFI5 = (AGREE_CONSC + "\nextra =~ E1 + E2 + E3 + E4 + E5\nneuro =~ N1 + N2 + N3 + N4 + N5\n"
        "open =~ O1 + O2 + O3 + O4 + O5")


def m(name, data, model, summary=None, **options):
    """``summary``: fit from summary statistics of these variables (sample.cov, sample.nobs and,
    with ``"means": True`` or groups, sample.mean) instead of the raw data."""
    entry = {"name": name, "data": data, "model": model, "options": options}
    if summary:
        entry["summary"] = summary
    return entry


MODELS = [
    # ---- Holzinger-Swineford: CFA variants, higher order, MIMIC, covariates, groups ----
    m("hs_cfa", "hs", HS3),
    m("hs_cfa_stdlv", "hs", HS3, **{"std.lv": True}),
    m("hs_cfa_orthogonal", "hs", HS3, orthogonal=True),
    m("hs_cfa_meanstructure", "hs", HS3, meanstructure=True),
    m("hs_cfa_mlr", "hs", HS3, estimator="MLR"),
    m("hs_cfa_gls", "hs", HS3, estimator="GLS"),
    m("hs_cfa_uls_stdlv", "hs", HS3, estimator="ULS", **{"std.lv": True}),
    m("hs_resid_cov", "hs", HS3 + "\nx1 ~~ x9\nx4 ~~ x7"),
    m("hs_second_order", "hs", HS3 + "\ng =~ visual + textual + speed"),
    m("hs_second_order_stdlv", "hs", HS3 + "\ng =~ visual + textual + speed", **{"std.lv": True}),
    m("hs_bifactor", "hs", "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9\n" + HS3,
      orthogonal=True, **{"std.lv": True}),
    m("hs_mimic", "hs", HS3 + "\nvisual + textual + speed ~ sex + ageyr"),
    m("hs_mimic_direct", "hs", HS3 + "\nvisual + textual + speed ~ sex + ageyr\nx1 ~ sex"),
    m("hs_mimic_fixedx_false", "hs", HS3 + "\nvisual + textual + speed ~ sex + ageyr", **{"fixed.x": False}),
    m("hs_mimic_mlr", "hs", HS3 + "\nvisual + textual + speed ~ sex + ageyr", estimator="MLR"),
    m("hs_mimic_gls", "hs", HS3 + "\nvisual + textual ~ ageyr", estimator="GLS"),
    m("hs_mimic_meanstructure", "hs", HS3 + "\nspeed ~ ageyr + sex", meanstructure=True),
    m("hs_lv_on_one_covariate", "hs", HS3 + "\nvisual ~ ageyr"),
    m("hs_ov_on_lv", "hs", "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nx7 ~ visual + textual\nx8 ~ visual"),
    m("hs_single_indicator", "hs", "visual =~ x1 + x2 + x3\nsp =~ x7\nsp ~ visual"),
    m("hs_labels_equal_start", "hs", "visual =~ x1 + label(\"a\")*x2 + equal(\"a\")*x3\n"
      "textual =~ x4 + start(1.2)*x5 + x6\nspeed =~ NA*x7 + x8 + x9\nspeed ~~ 1*speed"),
    m("hs_latent_means", "hs", HS3 + "\nx1 + x4 + x7 ~ 0*1\nvisual + textual + speed ~ 1"),
    m("hs_fixed_loading_value", "hs", "visual =~ x1 + 0.5*x2 + x3\ntextual =~ x4 + x5 + x6"),
    m("hs_path_regression", "hs", "x9 ~ x1 + x4 + x7"),
    m("hs_path_chain", "hs", "x2 ~ x1\nx3 ~ x2\nx4 ~ x3"),
    m("hs_path_mediation", "hs", "x4 ~ a*x1\nx9 ~ b*x4 + c*x1\nab := a*b\ntotal := c + a*b"),
    m("hs_saturated_covariance", "hs", "x1 ~~ x2"),
    m("hs_path_random_x", "hs", "x9 ~ x1 + x4\nx1 ~~ x4"),
    m("hs_group", "hs", HS3, group="school"),
    m("hs_group_metric", "hs", HS3, group="school", **{"group.equal": ["loadings"]}),
    m("hs_group_scalar", "hs", HS3, group="school", **{"group.equal": ["loadings", "intercepts"]}),
    m("hs_group_strict", "hs", HS3, group="school", **{"group.equal": ["loadings", "intercepts", "residuals"]}),
    m("hs_group_means", "hs", HS3, group="school", **{"group.equal": ["loadings", "intercepts", "means"]}),
    m("hs_group_metric_stdlv", "hs", HS3, group="school", **{"group.equal": ["loadings"], "std.lv": True}),
    m("hs_group_partial", "hs", HS3, group="school",
      **{"group.equal": ["loadings", "intercepts"], "group.partial": ["x3~1", "visual=~x2"]}),
    m("hs_group_mimic", "hs", HS3 + "\nvisual + speed ~ ageyr", group="school", **{"group.equal": ["loadings"]}),
    m("hs_group_mlr", "hs", HS3, group="school", estimator="MLR", **{"group.equal": ["loadings"]}),
    m("hs_group_labels", "hs", "visual =~ x1 + c(a1, a2)*x2 + c(b, b)*x3\ntextual =~ x4 + x5 + x6", group="school"),
    m("hs_group_path", "hs", "x9 ~ x1 + x4", group="school"),
    m("hs_group_gls", "hs", HS3, group="school", estimator="GLS"),
    m("hs_group_uls_metric", "hs", HS3, group="school", estimator="ULS", **{"group.equal": ["loadings"]}),
    m("hs_group_gls_scalar", "hs", HS3, group="school", estimator="GLS", **{"group.equal": ["loadings", "intercepts"]}),
    # ---- Political democracy ----
    m("pd_classic", "pd", PD),
    m("pd_mlr", "pd", PD, estimator="MLR"),
    m("pd_fiml", "pd", PD, missing="ml"),
    m("pd_stdlv", "pd", PD, **{"std.lv": True}),
    m("pd_uls", "pd", "ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem60 ~ ind60", estimator="ULS"),
    m("pd_path_chain", "pd", "y1 ~ x1 + x2\ny5 ~ y1 + x1"),
    m("pd_indirect", "pd", "ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem65 =~ y5 + y6 + y7 + y8\n"
      "dem60 ~ a*ind60\ndem65 ~ b*dem60 + c*ind60\nind := a*b\ntot := c + a*b"),
    # ---- growth curves (Demo.growth) ----
    m("growth_linear", "growth", GROWTH),
    m("growth_covariates", "growth", GROWTH + "\ni + s ~ x1 + x2"),
    m("growth_tvc", "growth", GROWTH + "\ni + s ~ x1 + x2\nt1 ~ c1\nt2 ~ c2\nt3 ~ c3\nt4 ~ c4"),
    m("growth_covariates_fixedx_false", "growth", GROWTH + "\ni + s ~ x1 + x2", **{"fixed.x": False}),
    m("growth_covariates_mlr", "growth", GROWTH + "\ni + s ~ x1 + x2", estimator="MLR"),
    m("growth_covariates_fiml", "growth", GROWTH + "\ni + s ~ x1 + x2", missing="ml"),
    # ---- sat.act: badly scaled (SAT in hundreds, ACT in tens), missing SATQ ----
    m("sat_cfa", "sat", "ability =~ ACT + SATV + SATQ"),
    m("sat_mimic", "sat", "ability =~ ACT + SATV + SATQ\nability ~ age + education + gender"),
    m("sat_mimic_fiml", "sat", "ability =~ ACT + SATV + SATQ\nability ~ age + education + gender", missing="ml"),
    m("sat_mimic_fiml_mlr", "sat", "ability =~ ACT + SATV + SATQ\nability ~ age + education", missing="ml",
      estimator="MLR"),
    m("sat_fiml_missing_x", "sat", "ACT ~ SATQ + age\nSATV ~ ACT", missing="ml"),
    m("sat_path_two_outcomes", "sat", "SATV ~ ACT + education\nSATQ ~ ACT + education"),
    m("sat_group_metric", "sat", "ability =~ ACT + SATV + SATQ", group="gender", **{"group.equal": ["loadings"]}),
    # ---- bfi: real Likert items ----
    m("bfi_cfa5", "bfi", BFI5),
    m("bfi_cfa5_mlr", "bfi", BFI5, estimator="MLR"),
    m("bfi_cfa2_fiml", "bfi", AGREE_CONSC, missing="ml"),
    m("bfi_mimic", "bfi", AGREE_CONSC + "\nagree + consc ~ age + gender"),
    m("bfi_group_scalar", "bfi", AGREE_CONSC, group="gender", **{"group.equal": ["loadings", "intercepts"]}),
    # ---- small classic data sets: path models ----
    m("mtcars_regression", "mtcars", "mpg ~ wt + hp + cyl"),
    m("mtcars_mediation", "mtcars", "hp ~ a*cyl\nmpg ~ b*hp + c*cyl\nind := a*b"),
    m("mtcars_two_outcomes", "mtcars", "mpg + qsec ~ wt + hp"),
    m("attitude_chain", "attitude", "rating ~ complaints + learning\ncomplaints ~ privileges"),
    m("attitude_cfa", "attitude", "f =~ complaints + privileges + learning + raises"),
    m("swiss_path", "swiss", "Fertility ~ Agriculture + Education + Catholic\nInfant.Mortality ~ Fertility"),
    m("burns_mediation", "burns", "Selfesteem ~ a*TBSA + Sex\nHADS ~ b*Selfesteem + c*TBSA + Sex\nind := a*b"),
    m("burns_latent_outcome", "burns", "distress =~ HADS + RUM + Selfesteem\ndistress ~ TBSA + Age"),
    # ---- from summary statistics (sample.cov, sample.nobs, sample.mean) ----
    m("hs_cfa_from_cov", "hs", HS3, summary={"vars": [f"x{i}" for i in range(1, 10)]}),
    m("hs_cfa_gls_from_cov", "hs", HS3, summary={"vars": [f"x{i}" for i in range(1, 10)]}, estimator="GLS"),
    m("hs_mimic_from_cov", "hs", HS3 + "\nvisual + textual + speed ~ sex + ageyr",
      summary={"vars": [f"x{i}" for i in range(1, 10)] + ["sex", "ageyr"]}),
    m("hs_latent_means_from_cov", "hs", HS3 + "\nx1 + x4 + x7 ~ 0*1\nvisual + textual + speed ~ 1",
      summary={"vars": [f"x{i}" for i in range(1, 10)], "means": True}),
    m("pd_classic_from_cov", "pd", PD, summary={"vars": ["y1", "y2", "y3", "y4", "y5", "y6", "y7", "y8", "x1", "x2",
                                                         "x3"]}),
    m("hs_group_scalar_from_cov", "hs", HS3, summary={"vars": [f"x{i}" for i in range(1, 10)], "group": "school"},
      **{"group.equal": ["loadings", "intercepts"]}),
]

# models lavaan itself refuses (the R script records lavaan's error; we refuse with our message)
REFUSED = [
    m("refused_latent_named_like_column", "hs", "x1 =~ x2 + x3 + x4"),
    m("refused_unknown_variable", "hs", "visual =~ x1 + x2 + xx3"),
]

# models whose factor scores (lavPredict) and residuals (lavResiduals) are compared too
PREDICT = {"hs_cfa", "hs_cfa_stdlv", "pd_classic", "hs_second_order", "hs_mimic", "hs_group_scalar", "hs_group",
           "growth_linear",
           "bfi_cfa2_fiml", "hs_ov_on_lv", "hs_cfa_mlr", "sat_mimic"}
for _m in MODELS:
    if _m["name"] in PREDICT:
        _m["predict"] = True

if __name__ == "__main__":
    out = Path(__file__).with_name("sem_corpus_models.json")
    out.write_text(json.dumps({"models": MODELS, "refused": REFUSED}, indent=1) + "\n")
    print(f"wrote {out}: {len(MODELS)} models, {len(REFUSED)} refused")
