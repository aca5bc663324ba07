# Reference values for Monte Carlo intervals of indirect effects (psychometrics.sem.montecarlo):
# semTools::monteCarloCI on the triangle SEM of the example data, fitted by FIML.
#   Rscript tests/reference/generate_montecarlo.R      (from the repository root)
# Writes tests/reference/montecarlo_vpc_triangle.json; random draws differ from ours, so the test
# compares within Monte Carlo error (1e5 draws on both sides).
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})
d <- read.csv("data/vpc_teachers_example.csv")
items <- grep("^(npc|kse|sup|chl|shr|rcv)[0-9]", names(d), value = TRUE)
for (v in items) d[[v]][d[[v]] < 0] <- NA
model <- paste(readLines("analyses/models/vpc_triangle.lav"), collapse = "\n")
fit <- sem(model, data = d, missing = "fiml")
set.seed(20261202)
mc <- monteCarloCI(fit, nRep = 1e5)
pe <- parameterEstimates(fit)
pe <- pe[pe$op == ":=", ]
out <- list(lhs = rownames(mc), est = mc$est, ci_lower = mc$ci.lower, ci_upper = mc$ci.upper,
            se_delta = pe$se[match(rownames(mc), pe$lhs)], n_rep = 1e5,
            semTools = as.character(packageVersion("semTools")), lavaan = as.character(packageVersion("lavaan")))
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/montecarlo_vpc_triangle.json")

# CR and AVE from the standardized solution (Fornell & Larcker, 1981: (sum l)^2 / ((sum l)^2 +
# sum(1 - l^2)) and mean(l^2)) and HTMT2 of the triangle's measurement model (FIML CFA).
# semTools' compRelSEM/AVE(obs.var = FALSE) differ from this by up to 6e-3 under FIML (kept as
# cr_semtools / ave_semtools for the record); the test checks the textbook definition.
meas <- paste(grep("=~", strsplit(model, "\n")[[1]], value = TRUE), collapse = "\n")
cf <- cfa(meas, data = d, missing = "fiml")
cr_st <- compRelSEM(cf, obs.var = FALSE)
av_st <- AVE(cf, obs.var = FALSE)
ss <- standardizedSolution(cf); ll <- ss[ss$op == "=~", ]
cr <- sapply(names(cr_st), function(f) { l <- ll$est.std[ll$lhs == f]; sum(l)^2 / (sum(l)^2 + sum(1 - l^2)) })
av <- sapply(names(cr_st), function(f) mean(ll$est.std[ll$lhs == f]^2))
ht <- htmt(meas, data = d)
std <- standardizedSolution(cf)
phi <- lavInspect(cf, "cor.lv")
val <- list(factors = names(cr), cr = unname(cr), ave = unname(av[names(cr)]),
            cr_semtools = unname(cr_st), ave_semtools = unname(av_st[names(cr_st)]),
            htmt = unname(as.matrix(ht[names(cr), names(cr)])), phi = unname(phi[names(cr), names(cr)]),
            chisq = fitMeasures(cf, "chisq")[[1]], df = fitMeasures(cf, "df")[[1]], cfi = fitMeasures(cf, "cfi")[[1]])
write(toJSON(val, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/cfa_validity_vpc_triangle.json")
