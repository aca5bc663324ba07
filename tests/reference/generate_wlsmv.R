# Reference values for ordinal (WLSMV) sample statistics with lavaan: thresholds, polychoric
# correlations and their asymptotic covariance (NACOV, Muthen 1984), listwise.
#   Rscript tests/reference/generate_wlsmv.R      (from the repository root)
# Writes tests/reference/wlsmv_*.json; tests read the JSON and never need R.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

nacov_ref <- function(name, data, items, note) {
  d <- na.omit(data[, items])
  model <- paste0("f =~ ", paste(items, collapse = " + "))    # any model: NACOV is a sample statistic
  fit <- lavaan::cfa(model, data = d, ordered = items, estimator = "WLSMV")
  ss <- fit@SampleStats
  out <- list(call = "cfa(model, data, ordered = items, estimator = 'WLSMV')@SampleStats@NACOV[[1]]",
              r_version = R.version.string, lavaan = as.character(packageVersion("lavaan")), note = note,
              items = items, nobs = nrow(d), thresholds = as.numeric(ss@th[[1]]),
              cor = unclass(ss@cov[[1]]), nacov = unclass(ss@NACOV[[1]]), wls_v_diag = as.numeric(diag(lavInspect(fit, "wls.v"))))
  path <- sprintf("tests/reference/wlsmv_nacov_%s.json", name)
  write_json(out, path, digits = NA, auto_unbox = TRUE)
  cat("wrote", path, "\n")
}

bfi <- read.csv("tests/reference/data/bfi.csv")
nacov_ref("bfi_ac", bfi, c(paste0("A", 1:5), paste0("C", 1:5)), "psych's bfi, agreeableness and conscientiousness, 6 categories")
vpc <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
vpc[vpc == -99 | vpc == -98] <- NA
nacov_ref("vpc_eraut", vpc, c("con01", "con02", "con03", "con04", "chl01", "chl02", "sup01", "sup02"),
          "the example data, declared missing codes as NA, listwise")

# ---- a WLSMV CFA (delta parameterization): estimates, robust SEs and the scaled-shifted test ----
cfa_ref <- function(name, model, data, items, estimator = "WLSMV", missing = "listwise") {
  d <- if (missing == "listwise") na.omit(data[, items]) else data[, items]
  fit <- lavaan::sem(model, data = d, ordered = items, estimator = estimator, missing = missing)
  pe <- parameterEstimates(fit)
  keys <- c("npar", "fmin", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
            "chisq.scaling.factor", "chisq.shift.parameters", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr",
            "cfi", "tli", "rmsea", "cfi.robust", "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust",
            "rmsea.ci.upper.robust", "rmsea.pvalue.robust")
  fm <- as.list(fitMeasures(fit, keys))
  names(fm) <- gsub(".", "_", names(fm), fixed = TRUE)
  out <- list(call = sprintf("sem(model, data, ordered = items, estimator = '%s', missing = '%s')", estimator, missing),
              lavaan = as.character(packageVersion("lavaan")), estimator = estimator, missing = missing,
              model = model, items = items, nobs = nrow(d),
              parameters = pe[, c("lhs", "op", "rhs", "est", "se")], fit = fm)
  path <- sprintf("tests/reference/wlsmv_cfa_%s.json", name)
  write_json(out, path, digits = NA, auto_unbox = TRUE, na = "null")
  cat("wrote", path, "\n")
}
cfa_ref("bfi_ac", "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", bfi,
        c(paste0("A", 1:5), paste0("C", 1:5)))
cfa_ref("bfi_ac_ulsmv", "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5", bfi,
        c(paste0("A", 1:5), paste0("C", 1:5)), estimator = "ULSMV")
vpc_sem <- paste("confidence =~ con01 + con02 + con03 + con04", "challenge =~ chl01 + chl02 + chl03 + chl04",
                 "support =~ sup01 + sup02 + sup03 + sup04", "confidence ~ challenge + support", sep = "\n")
cfa_ref("vpc_triangle_sem", vpc_sem, vpc, c("con01", "con02", "con03", "con04", "chl01", "chl02", "chl03", "chl04",
                                             "sup01", "sup02", "sup03", "sup04"))
bfi25 <- paste("agree =~ A1 + A2 + A3 + A4 + A5", "consc =~ C1 + C2 + C3 + C4 + C5", "extra =~ E1 + E2 + E3 + E4 + E5",
               "neuro =~ N1 + N2 + N3 + N4 + N5", "open =~ O1 + O2 + O3 + O4 + O5", sep = "\n")
cfa_ref("bfi_25", bfi25, bfi, unlist(lapply(c("A", "C", "E", "N", "O"), function(t) paste0(t, 1:5))))
vpc_med <- paste("confidence =~ con01 + con02 + con03 + con04", "challenge =~ chl01 + chl02 + chl03 + chl04",
                 "support =~ sup01 + sup02 + sup03 + sup04", "confidence ~ a*challenge + c*support",
                 "challenge ~ b*support", "indirect := a*b", "total := c + a*b", sep = "\n")
cfa_ref("vpc_triangle_mediation", vpc_med, vpc, c("con01", "con02", "con03", "con04", "chl01", "chl02", "chl03", "chl04",
                                                   "sup01", "sup02", "sup03", "sup04"))
cfa_ref("vpc_pairwise", paste("confidence =~ con01 + con02 + con03 + con04",
                               "challenge =~ chl01 + chl02 + chl03 + chl04", sep = "\n"), vpc,
        c("con01", "con02", "con03", "con04", "chl01", "chl02", "chl03", "chl04"), missing = "pairwise")

# ---- the other categorical estimators: DWLS and ULS (standard SEs and test), WLSM and ULSM
# (robust SEs, mean-adjusted Satorra-Bentler test), WLS (the full inverse of NACOV as weight) ----
variant_ref <- function(name, model, data, items, estimator, group = NULL) {
  d <- na.omit(data[, c(items, group)])
  fit <- lavaan::cfa(model, data = d, ordered = items, estimator = estimator, group = group)
  pe <- parameterEstimates(fit)
  if (is.null(pe$group)) pe$group <- 1L
  pe$group_label <- if (is.null(group)) "1" else lavInspect(fit, "group.label")[pe$group]
  all <- fitMeasures(fit)
  keys <- intersect(c("npar", "fmin", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
                      "chisq.scaling.factor", "cfi", "tli", "rmsea", "cfi.scaled", "tli.scaled", "rmsea.scaled",
                      "srmr", "baseline.chisq", "baseline.df", "baseline.chisq.scaled", "cfi.robust", "tli.robust",
                      "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "rmsea.pvalue.robust"), names(all))
  fm <- as.list(all[keys])
  names(fm) <- gsub(".", "_", names(fm), fixed = TRUE)
  out <- list(call = sprintf("cfa(model, data, ordered = items, estimator = '%s', group = %s)", estimator,
                             if (is.null(group)) "NULL" else paste0("'", group, "'")),
              lavaan = as.character(packageVersion("lavaan")), estimator = estimator, model = model, items = items,
              group = group, se = lavInspect(fit, "options")$se, test = lavInspect(fit, "options")$test,
              nobs = as.list(lavInspect(fit, "nobs")),
              group_labels = if (is.null(group)) list("1") else lavInspect(fit, "group.label"),
              parameters = pe[, c("lhs", "op", "rhs", "group_label", "est", "se")], fit = fm)
  path <- sprintf("tests/reference/wlsmv_variant_%s.json", name)
  write_json(out, path, digits = NA, auto_unbox = TRUE, na = "null")
  cat("wrote", path, "\n")
}
ac_items <- c(paste0("A", 1:5), paste0("C", 1:5))
ac_model <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
for (e in c("DWLS", "WLSM", "WLS", "ULS", "ULSM")) variant_ref(paste0("bfi_ac_", tolower(e)), ac_model, bfi, ac_items, e)
bfi_g <- read.csv("tests/reference/data/bfi_full.csv")
bfi_g$gender <- ifelse(bfi_g$gender == 1, "male", "female")
variant_ref("bfi_gender_wlsm", ac_model, bfi_g, ac_items, "WLSM", "gender")
variant_ref("bfi_gender_wls", ac_model, bfi_g, ac_items, "WLS", "gender")

# ---- modification indices under WLSMV (modindices(): mi, epc, sepc.lv, sepc.all) ----
mi_ref <- function(name, model, data, items, group = NULL) {
  d <- na.omit(data[, c(items, group)])
  fit <- lavaan::cfa(model, data = d, ordered = items, estimator = "WLSMV", group = group)
  mi <- modindices(fit)
  if (is.null(mi$group)) mi$group <- 1L
  mi$group_label <- if (is.null(group)) "1" else lavInspect(fit, "group.label")[mi$group]
  out <- list(call = "modindices(cfa(model, data, ordered = items, estimator = 'WLSMV', group = group))",
              lavaan = as.character(packageVersion("lavaan")), model = model, items = items, group = group,
              modindices = mi[, c("lhs", "op", "rhs", "group_label", "mi", "epc", "sepc.lv", "sepc.all")])
  path <- sprintf("tests/reference/wlsmv_modindices_%s.json", name)
  write_json(out, path, digits = NA, auto_unbox = TRUE, na = "null")
  cat("wrote", path, "\n")
}
mi_ref("bfi_ac", ac_model, bfi, ac_items)
vpc_mi <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
vpc_mi[vpc_mi == -99 | vpc_mi == -98] <- NA
vpc_mi$loc <- ifelse(vpc_mi$loc == 1, "rural", "urban")
mi_ref("vpc_loc", "confidence =~ con01 + con02 + con03 + con04\nchallenge =~ chl01 + chl02 + chl03 + chl04", vpc_mi,
       c("con01", "con02", "con03", "con04", "chl01", "chl02", "chl03", "chl04"), "loc")
