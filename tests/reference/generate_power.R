# Reference values for Monte Carlo power: lavaan's simulateData + sem in a loop (a direct count, as
# simsem's sim() does it), for a mediation model with a := indirect effect at two sample sizes.
#   Rscript tests/reference/generate_power.R      (from the repository root)
# Writes tests/reference/power_mediation.json; tests read the JSON and never need R. lavaan's random
# numbers differ from ours, so the tests compare within Monte Carlo error.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

pop <- "
x =~ 0.8*x1 + 0.7*x2 + 0.6*x3
m =~ 0.8*m1 + 0.7*m2 + 0.6*m3
y =~ 0.8*y1 + 0.7*y2 + 0.6*y3
m ~ 0.3*x
y ~ 0.25*m + 0.1*x
"
fit_model <- "
x =~ x1 + x2 + x3
m =~ m1 + m2 + m3
y =~ y1 + y2 + y3
m ~ a*x
y ~ b*m + c*x
ab := a*b
"
reps <- 1000L
ns <- c(150L, 300L)
set.seed(20261202)
rows <- list()
for (n in ns) {
  hits <- NULL; conv <- 0L; cover <- NULL
  for (r in seq_len(reps)) {
    d <- simulateData(pop, sample.nobs = n)
    fit <- tryCatch(sem(fit_model, data = d), error = function(e) NULL, warning = function(w) NULL)
    if (is.null(fit) || !lavInspect(fit, "converged")) next
    pe <- parameterEstimates(fit)
    pe <- pe[pe$op %in% c("~", ":="), ]
    conv <- conv + 1L
    hits <- rbind(hits, pe$pvalue < 0.05)
    key <- paste(pe$lhs, pe$op, pe$rhs)
  }
  for (k in seq_along(key)) {
    rows[[length(rows) + 1]] <- list(n = n, parameter = key[k], power = mean(hits[, k]), converged = conv / reps)
  }
}
out <- list(call = "for (r in 1:reps) { d <- simulateData(pop, sample.nobs = n); fit <- sem(fit_model, d); mean(pvalue < .05) }",
            lavaan = as.character(packageVersion("lavaan")), population = pop, fit_model = fit_model, reps = reps,
            seed = 20261202, results = rows)
write_json(out, "tests/reference/power_mediation.json", digits = NA, auto_unbox = TRUE)
cat("wrote tests/reference/power_mediation.json\n")
