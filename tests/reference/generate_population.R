# Population moments of lavaan's simulateData (the model it simulates from): lavInspect(fit, "implied")
# of simulateData(..., return.fit = TRUE), unstandardized and standardized, one and two groups.
#   Rscript tests/reference/generate_population.R      (from the repository root)
# Writes tests/reference/population_moments.json.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
moments <- function(model, standardized = FALSE, nobs = 100L) {
  d <- simulateData(model, sample.nobs = nobs, standardized = standardized, return.fit = TRUE, seed = 1)
  imp <- lavInspect(attr(d, "fit"), "implied")
  if (!is.null(imp$cov)) imp <- list(imp)
  list(model = model, standardized = standardized, groups = length(nobs),
       cov = lapply(imp, function(x) unclass(x$cov)), names = rownames(imp[[1]]$cov))
}
cases <- list(
  mediation = moments("x =~ 0.8*x1 + 0.7*x2 + 0.6*x3\nm =~ 0.8*m1 + 0.7*m2 + 0.6*m3\ny =~ 0.8*y1 + 0.7*y2 + 0.6*y3\nm ~ 0.3*x\ny ~ 0.25*m + 0.1*x"),
  defaults = suppressWarnings(moments("f =~ y1 + 0.5*y2 + y3\nf ~ 0.3*z + w\ny1 ~~ 0.4*y3")),
  standardized = moments("f =~ 0.7*y1 + 0.6*y2 + 0.5*y3\ny4 ~ 0.25*f + 0.2*z", standardized = TRUE),
  two_groups = moments("f =~ c(0.8, 0.6)*y1 + 0.7*y2 + 0.6*y3\ny4 ~ c(0.2, 0.4)*f", nobs = c(100L, 100L)))
write_json(cases, "tests/reference/population_moments.json", digits = NA, auto_unbox = TRUE, matrix = "rowmajor")
cat("wrote tests/reference/population_moments.json\n")
