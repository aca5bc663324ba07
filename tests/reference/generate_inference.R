# Reference values for the group comparisons, regressions and crosstabs of the report
# (psychometrics.inference): t.test (Welch), oneway.test (Welch ANOVA), aov (classic ANOVA),
# lm + sandwich::vcovCL (SEs clustered by school, HC1 with G/(G-1): the CR1 of Stata and
# statsmodels), clubSandwich::vcovCR (CR2), MASS::polr (ordinal logit), lme4::lmer (random school
# intercepts, REML) and chisq.test (with Yates' correction on 2 x 2 tables, as R's default).
#   Rscript tests/reference/generate_inference.R      (from the repository root)
# Writes tests/reference/inference.json; the tests read the JSON and never need R.
#
# Data: the bundled example (the scale scores are item means of complete answers, built the same
# way in the test, so the engines are compared on the same numbers) and R's own data sets
# (ToothGrowth, PlantGrowth, sandwich::PetersenCL, lme4::sleepstudy, mtcars).
suppressPackageStartupMessages({
  library(jsonlite); library(sandwich); library(clubSandwich); library(MASS); library(lme4)
})

d <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
items <- function(prefix, k) sprintf("%s%02d", prefix, seq_len(k))
score <- function(cols) {
  x <- as.matrix(d[cols]); x[x < 0] <- NA
  rowMeans(x)                       # NA unless every item is answered
}
d$support <- score(items("sup", 4))
d$challenge <- score(items("chl", 4))
d$ksse <- score(items("kse", 7))
d$f2f[d$f2f < 0] <- NA
d$rural <- factor(ifelse(d$loc == 2, "rural", "urban"), levels = c("urban", "rural"))
d$langi <- factor(d$langi)

out <- list()
tt <- function(name, x, y) {
  r <- t.test(x, y)                 # Welch
  out$ttest[[name]] <<- list(t = unname(r$statistic), df = unname(r$parameter), p = r$p.value,
                             ci = unname(r$conf.int[1:2]), mean_x = mean(x), mean_y = mean(y),
                             n_x = length(x), n_y = length(y))
}
ok <- !is.na(d$support)
tt("vpc_support_urban_rural", d$support[ok & d$rural == "urban"], d$support[ok & d$rural == "rural"])
tt("toothgrowth_len_supp", ToothGrowth$len[ToothGrowth$supp == "OJ"], ToothGrowth$len[ToothGrowth$supp == "VC"])

av <- function(name, formula, data) {
  w <- oneway.test(formula, data = data)            # Welch
  a <- summary(aov(formula, data = data))[[1]]
  out$anova[[name]] <<- list(welch_F = unname(w$statistic), welch_df1 = unname(w$parameter[1]),
                             welch_df2 = unname(w$parameter[2]), welch_p = w$p.value,
                             F = a[["F value"]][1], df1 = a$Df[1], df2 = a$Df[2], p = a[["Pr(>F)"]][1],
                             ss_between = a[["Sum Sq"]][1], ss_within = a[["Sum Sq"]][2])
}
av("vpc_challenge_langi", challenge ~ langi, d[!is.na(d$challenge), ])
av("plantgrowth_weight_group", weight ~ group, PlantGrowth)

coefs <- function(b, V) {
  se <- sqrt(diag(V))
  list(term = names(b), estimate = unname(b), se = unname(se))
}
cl <- function(name, formula, data, cluster) {
  m <- lm(formula, data = data)
  g <- data[[cluster]]
  V1 <- vcovCL(m, cluster = g, type = "HC1")                         # cadjust: G/(G-1)
  V2 <- as.matrix(vcovCR(m, cluster = g, type = "CR2"))
  out$cluster_ols[[name]] <<- c(coefs(coef(m), V1), list(se_cr2 = unname(sqrt(diag(V2))),
                                                          se_ols = unname(sqrt(diag(vcov(m)))),
                                                          n = nobs(m), clusters = length(unique(g)),
                                                          r2 = summary(m)$r.squared))
}
dd <- d[complete.cases(d[c("support", "rural", "yrs", "school")]), ]
cl("vpc_support_rural_yrs_school", support ~ rural + yrs, dd, "school")
data(PetersenCL, package = "sandwich")
cl("petersen_y_x_firm", y ~ x, PetersenCL, "firm")

po <- d[complete.cases(d[c("f2f", "support", "yrs")]), ]
m <- polr(factor(f2f, ordered = TRUE) ~ support + yrs, data = po, Hess = TRUE)
V <- vcov(m)
out$polr$vpc_f2f_support_yrs <- list(term = names(coef(m)), estimate = unname(coef(m)),
                                     se = unname(sqrt(diag(V))[names(coef(m))]),
                                     zeta = unname(m$zeta), zeta_se = unname(sqrt(diag(V))[names(m$zeta)]),
                                     loglik = as.numeric(logLik(m)), n = nrow(po))

mixed <- function(name, formula, data) {
  m <- lmer(formula, data = data, REML = TRUE)
  vc <- as.data.frame(VarCorr(m))
  out$lmer[[name]] <<- list(term = names(fixef(m)), estimate = unname(fixef(m)),
                            se = unname(sqrt(diag(as.matrix(vcov(m))))),
                            var_intercept = vc$vcov[1], var_residual = vc$vcov[2],
                            reml = as.numeric(logLik(m)), n = nobs(m))
}
mixed("vpc_support_yrs_school", support ~ yrs + (1 | school), dd)
mixed("sleepstudy_reaction_days", Reaction ~ Days + (1 | Subject), sleepstudy)

ct <- function(name, x, y) {
  tab <- table(x, y)
  r <- suppressWarnings(chisq.test(tab))              # Yates on 2 x 2, R's default
  k <- min(dim(tab)) - 1
  out$chisq[[name]] <<- list(observed = matrix(as.vector(tab), nrow(tab)), statistic = unname(r$statistic),
                             df = unname(r$parameter), p = r$p.value,
                             cramers_v = sqrt(unname(chisq.test(tab, correct = FALSE)$statistic) / (sum(tab) * k)),
                             expected = matrix(as.vector(r$expected), nrow(tab)), rows = rownames(tab), cols = colnames(tab))
}
ct("vpc_langi_rural", d$langi, d$rural)
ct("vpc_mode_rural", d$mode, d$rural)
ct("mtcars_am_vs", mtcars$am, mtcars$vs)

out$r_version <- R.version.string
out$packages <- sapply(c("sandwich", "clubSandwich", "MASS", "lme4"), function(p) as.character(packageVersion(p)))
write(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/inference.json")

# R's data sets the test reads (written next to the other reference data)
dir.create("tests/reference/data", showWarnings = FALSE)
write.csv(ToothGrowth, "tests/reference/data/ToothGrowth.csv", row.names = FALSE)
write.csv(PlantGrowth, "tests/reference/data/PlantGrowth.csv", row.names = FALSE)
write.csv(PetersenCL, "tests/reference/data/PetersenCL.csv", row.names = FALSE)
write.csv(sleepstudy, "tests/reference/data/sleepstudy.csv", row.names = FALSE)
write.csv(mtcars[c("am", "vs")], "tests/reference/data/mtcars_am_vs.csv", row.names = FALSE)
