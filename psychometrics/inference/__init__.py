"""Stage 6: inference on scale scores and context variables, for the results section: group
comparisons (Welch t, Welch and classic ANOVA, effect sizes), regressions (OLS with SEs clustered
by school, proportional-odds logit, random school intercepts) and crosstabs (chi-square, Cramer's V).

pingouin and statsmodels do the fitting, behind :mod:`._backends` (the only module that imports
them); every number is checked against R (``t.test``, ``oneway.test``, ``aov``,
``sandwich::vcovCL``, ``MASS::polr``, ``lme4::lmer``, ``chisq.test``) in
``tests/inference/`` from ``tests/reference/generate_inference.R``.
"""

from .crosstab import CrosstabResult, crosstab
from .groups import GroupComparison, compare_groups
from .regression import RegressionResult, regress

__all__ = ["compare_groups", "GroupComparison", "regress", "RegressionResult", "crosstab", "CrosstabResult"]
