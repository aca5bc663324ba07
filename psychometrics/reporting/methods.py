"""The report's method paragraph, written from what was run (software and versions, estimators,
missing-data handling, intervals, cut-offs), and the reference list of what it cites.
"""

from __future__ import annotations

from importlib import metadata

from .document import Paragraph, Section

REFERENCES = {
    "chen2007": "Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance. "
                "Structural Equation Modeling, 14(3), 464-504. https://doi.org/10.1080/10705510701301834",
    "enders2001": "Enders, C. K., & Bandalos, D. L. (2001). The relative performance of full information maximum "
                  "likelihood estimation for missing data in structural equation models. Structural Equation Modeling, "
                  "8(3), 430-457. https://doi.org/10.1207/S15328007SEM0803_5",
    "feldt1987": "Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient alpha. "
                 "Applied Psychological Measurement, 11(1), 93-103. https://doi.org/10.1177/014662168701100107",
    "fornell1981": "Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with unobservable "
                   "variables and measurement error. Journal of Marketing Research, 18(1), 39-50. "
                   "https://doi.org/10.1177/002224378101800104",
    "henseler2015": "Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing discriminant "
                    "validity in variance-based structural equation modeling. Journal of the Academy of Marketing "
                    "Science, 43(1), 115-135. https://doi.org/10.1007/s11747-014-0403-8",
    "horn1965": "Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis. "
                "Psychometrika, 30(2), 179-185. https://doi.org/10.1007/BF02289447",
    "hu1999": "Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure analysis: "
              "Conventional criteria versus new alternatives. Structural Equation Modeling, 6(1), 1-55. "
              "https://doi.org/10.1080/10705519909540118",
    "mcdonald1999": "McDonald, R. P. (1999). Test theory: A unified treatment. Lawrence Erlbaum.",
    "meade2012": "Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data. Psychological "
                 "Methods, 17(3), 437-455. https://doi.org/10.1037/a0028085",
    "preacher2012": "Preacher, K. J., & Selig, J. P. (2012). Advantages of Monte Carlo confidence intervals for "
                    "indirect effects. Communication Methods and Measures, 6(2), 77-98. "
                    "https://doi.org/10.1080/19312458.2012.679848",
    "roemer2021": "Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2: An improved criterion for assessing "
                  "discriminant validity in structural equation modeling. Industrial Management & Data Systems, "
                  "121(12), 2637-2650. https://doi.org/10.1108/IMDS-02-2021-0082",
    "rosseel2012": "Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of Statistical "
                   "Software, 48(2), 1-36. https://doi.org/10.18637/jss.v048.i02",
    "welch1947": "Welch, B. L. (1947). The generalization of \"Student's\" problem when several different population "
                 "variances are involved. Biometrika, 34(1-2), 28-35. https://doi.org/10.1093/biomet/34.1-2.28",
    "cameron2015": "Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference. "
                   "Journal of Human Resources, 50(2), 317-372. https://doi.org/10.3368/jhr.50.2.317",
    "efron1993": "Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. Chapman & Hall.",
}


def _version(lib: str) -> str:
    try:
        return metadata.version(lib)
    except metadata.PackageNotFoundError:      # pragma: no cover
        return "?"


def method_section(s, shown: set[str]) -> tuple[Section, list[str]]:
    """The method paragraphs and the keys of the references they cite."""
    rep, an = s.report, s.report.analyses
    cites = ["feldt1987", "mcdonald1999", "meade2012"]
    m = rep.meta
    text = [f"Analyses were run with psychometrics {m['package_version']} (Python; numbers checked against R's lavaan, "
            f"psych and semTools, Rosseel, 2012), statsmodels {_version('statsmodels')} and pingouin "
            f"{_version('pingouin')}. Answers were validated against the {m['instrument']['id']} instrument "
            f"(version {m['instrument']['version']}); declared missing codes were set missing and reverse-keyed items "
            "recoded before scoring. Careless responding was screened with long-string, intra-individual variability, "
            "Mahalanobis distance, even-odd and psychometric-synonym indices (Meade & Craig, 2012); flagged respondents "
            "were kept. Internal consistency is Cronbach's alpha with Feldt's confidence interval (Feldt et al., 1987) "
            "and omega total from a one-factor model (McDonald, 1999), each on the respondents who answered every item "
            "of the scale."]
    cites.append("rosseel2012")
    if "efa" in shown and "efa" in an:
        e = an["efa"]
        text.append(f"An exploratory factor analysis ({e.method}, {e.rotation} rotation) kept the number of factors "
                    "suggested by parallel analysis (Horn, 1965).")
        cites.append("horn1965")
    if rep.model is not None and ("cfa" in shown or "structural" in shown):
        missing = m.get("model_missing")
        text.append(f"The measurement and structural models were fitted by maximum likelihood ({rep.model.estimator})"
                    + (" with full-information ML for missing answers (Enders & Bandalos, 2001), so every respondent "
                       "with any answer counts" if missing == "fiml" else " on complete cases")
                    + (f", with SEs robust to the clustering of teachers in {rep.model.meta['cluster']}"
                       if rep.model.meta.get("cluster") else "")
                    + ". Fit was judged by CFI and TLI (≥ .95), RMSEA (≤ .06) and SRMR (≤ .08) after Hu and Bentler (1999); "
                      "discriminant validity by the Fornell-Larcker criterion (Fornell & Larcker, 1981) and HTMT2 "
                      "(Henseler et al., 2015; Roemer et al., 2021).")
        cites += ["hu1999", "fornell1981", "henseler2015", "roemer2021"] + (["enders2001"] if missing == "fiml" else [])
        ind = an.get("indirect")
        if ind is not None and len(ind):
            method = str(ind["method"].iloc[0])
            if method.startswith("percentile"):
                text.append(f"Indirect effects were tested with {method} percentile intervals (Efron & Tibshirani, 1993).")
                cites.append("efron1993")
            else:
                text.append(f"Indirect effects were tested with Monte Carlo confidence intervals ({method.split(', ')[1]}; "
                            "Preacher & Selig, 2012).")
                cites.append("preacher2012")
    if "invariance" in shown and an.get("invariance"):
        text.append("Measurement invariance across " + ", ".join(s.word_for(g).lower() for g in an["invariance"])
                    + " was tested by configural, metric, scalar and strict models, a step holding when CFI fell by at most "
                      ".010 and RMSEA rose by at most .015 (Chen, 2007).")
        cites.append("chen2007")
    if "groups" in shown and an.get("comparisons"):
        text.append("Scale scores were compared across groups with Welch's tests (Welch, 1947), with Cohen's d or omega "
                    "squared as effect sizes, and regressed on the context variables"
                    + (f" with standard errors clustered by {m.get('cluster')} (Cameron & Miller, 2015)"
                       if m.get("cluster") else "")
                    + ".")
        cites += ["welch1947"] + (["cameron2015"] if m.get("cluster") else [])
    if "participation" in shown and an.get("crosstabs"):
        text.append("Participation and teacher types were cross-tabulated with the groups (Pearson's chi-square, "
                    "Cramer's V).")
    return Section("method", s.w("Method"), [Paragraph(t) for t in text]), cites


def references_section(s, cites: list[str]) -> Section:
    keys = sorted(dict.fromkeys(cites), key=lambda k: REFERENCES[k])
    return Section("references", s.w("References"), [Paragraph(REFERENCES[k]) for k in keys])
