# Reference values for multiple-group and theta-parameterized WLSMV with lavaan: estimates, robust
# SEs, std.all, the scaled-shifted test and the fit measures, per group.equal step.
#   Rscript tests/reference/generate_wlsmv_groups.R      (from the repository root)
# Writes tests/reference/wlsmv_mg_*.json; tests read the JSON and never need R.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

keys <- c("npar", "fmin", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
          "chisq.scaling.factor", "chisq.shift.parameters", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr",
          "cfi", "tli", "rmsea", "baseline.chisq", "baseline.df", "baseline.chisq.scaled", "cfi.robust", "tli.robust",
          "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "rmsea.pvalue.robust")

mg_ref <- function(name, model, data, items, group = NULL, group.equal = "", parameterization = "delta",
                   std.lv = FALSE) {
  d <- na.omit(data[, c(items, group)])
  fit <- lavaan::cfa(model, data = d, ordered = items, estimator = "WLSMV", group = group,
                     group.equal = group.equal, parameterization = parameterization, std.lv = std.lv)
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$group)) pe$group <- 1L
  pe$group_label <- if (is.null(group)) "1" else lavInspect(fit, "group.label")[pe$group]
  fm <- as.list(fitMeasures(fit, keys))
  names(fm) <- gsub(".", "_", names(fm), fixed = TRUE)
  out <- list(call = sprintf("cfa(model, data, ordered = items, estimator = 'WLSMV', group = %s, group.equal = c(%s), parameterization = '%s', std.lv = %s)",
                             if (is.null(group)) "NULL" else paste0("'", group, "'"),
                             paste0("'", group.equal, "'", collapse = ", "), parameterization, std.lv),
              lavaan = as.character(packageVersion("lavaan")), model = model, items = items, group = group,
              group_equal = group.equal[group.equal != ""], parameterization = parameterization, std_lv = std.lv,
              nobs = as.list(lavInspect(fit, "nobs")), group_labels = if (is.null(group)) list("1") else lavInspect(fit, "group.label"),
              parameters = pe[pe$op != ":=" | TRUE, c("lhs", "op", "rhs", "group_label", "est", "se", "std.all")],
              fit = fm)
  path <- sprintf("tests/reference/wlsmv_mg_%s.json", name)
  write_json(out, path, digits = NA, auto_unbox = TRUE, na = "null")
  cat("wrote", path, "\n")
}

bfi <- read.csv("tests/reference/data/bfi_full.csv")
bfi$gender <- ifelse(bfi$gender == 1, "male", "female")
ac <- c(paste0("A", 1:5), paste0("C", 1:5))
ac_model <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
mg_ref("bfi_gender_configural", ac_model, bfi, ac, "gender")
mg_ref("bfi_gender_thresholds", ac_model, bfi, ac, "gender", "thresholds")
mg_ref("bfi_gender_metric", ac_model, bfi, ac, "gender", c("thresholds", "loadings"))
mg_ref("bfi_gender_scalar", ac_model, bfi, ac, "gender", c("thresholds", "loadings", "intercepts"))
mg_ref("bfi_gender_thresholds_theta", ac_model, bfi, ac, "gender", "thresholds", parameterization = "theta")
mg_ref("bfi_ac_theta", ac_model, bfi, ac, parameterization = "theta")

vpc <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
vpc[vpc == -99 | vpc == -98] <- NA
vpc$loc <- ifelse(vpc$loc == 1, "rural", "urban")
eraut <- c("con01", "con02", "con03", "con04", "chl01", "chl02", "chl03", "chl04", "sup01", "sup02", "sup03", "sup04")
eraut_model <- paste("confidence =~ con01 + con02 + con03 + con04", "challenge =~ chl01 + chl02 + chl03 + chl04",
                     "support =~ sup01 + sup02 + sup03 + sup04", sep = "\n")
mg_ref("vpc_loc_configural", eraut_model, vpc, eraut, "loc")
mg_ref("vpc_loc_metric_stdlv", eraut_model, vpc, eraut, "loc", c("thresholds", "loadings"), std.lv = TRUE)

# ---- mixed ordinal and continuous indicators (lavaan's muthen1984 with numeric variables) ----
# bfi: agreeableness items ordered, conscientiousness items treated as continuous; and age as a
# continuous indicator next to the example data's ordered confidence items, in two groups.
mixed_ref <- function(name, model, data, items, ordered, group = NULL, group.equal = "") {
  d <- na.omit(data[, c(items, group)])
  fit <- lavaan::cfa(model, data = d, ordered = ordered, estimator = "WLSMV", group = group,
                     group.equal = group.equal)
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (is.null(pe$group)) pe$group <- 1L
  pe$group_label <- if (is.null(group)) "1" else lavInspect(fit, "group.label")[pe$group]
  fm <- as.list(fitMeasures(fit, keys))
  names(fm) <- gsub(".", "_", names(fm), fixed = TRUE)
  ss <- fit@SampleStats
  out <- list(call = sprintf("cfa(model, data, ordered = c(%s), estimator = 'WLSMV', group = %s, group.equal = c(%s))",
                             paste0("'", ordered, "'", collapse = ", "),
                             if (is.null(group)) "NULL" else paste0("'", group, "'"),
                             paste0("'", group.equal, "'", collapse = ", ")),
              lavaan = as.character(packageVersion("lavaan")), model = model, items = items, ordered = ordered,
              group = group, group_equal = group.equal[group.equal != ""], parameterization = "delta", std_lv = FALSE,
              nobs = as.list(lavInspect(fit, "nobs")),
              group_labels = if (is.null(group)) list("1") else lavInspect(fit, "group.label"),
              wls_obs = as.numeric(ss@WLS.obs[[1]]), nacov = unclass(ss@NACOV[[1]]),
              parameters = pe[, c("lhs", "op", "rhs", "group_label", "est", "se", "std.all")], fit = fm)
  path <- sprintf("tests/reference/wlsmv_mg_%s.json", name)
  write_json(out, path, digits = NA, auto_unbox = TRUE, na = "null")
  cat("wrote", path, "\n")
}
mixed_ref("bfi_mixed", ac_model, bfi, ac, paste0("A", 1:5))
vpc_age <- vpc
vpc_age$yrs10 <- vpc_age$yrs / 10
mixed_ref("vpc_mixed_loc", "confidence =~ con01 + con02 + con03 + con04 + yrs10", vpc_age,
          c("con01", "con02", "con03", "con04", "yrs10"), c("con01", "con02", "con03", "con04"), "loc",
          c("thresholds", "loadings"))

# ---- standardized solution with delta-method SEs under WLSMV (standardizedSolution()) ----
stdse_ref <- function(name, model, data, items, group = NULL, group.equal = "") {
  d <- na.omit(data[, c(items, group)])
  fit <- lavaan::sem(model, data = d, ordered = items, estimator = "WLSMV", group = group, group.equal = group.equal)
  ss <- standardizedSolution(fit, type = "std.all")
  if (is.null(ss$group)) ss$group <- 1L
  ss$group_label <- if (is.null(group)) "1" else lavInspect(fit, "group.label")[ss$group]
  ss$group_label[ss$op == ":="] <- "0"
  out <- list(call = "standardizedSolution(sem(model, data, ordered = items, estimator = 'WLSMV', group =, group.equal =))",
              lavaan = as.character(packageVersion("lavaan")), model = model, items = items, group = group,
              group_equal = group.equal[group.equal != ""],
              std = ss[, c("lhs", "op", "rhs", "group_label", "est.std", "se")])
  path <- sprintf("tests/reference/wlsmv_stdse_%s.json", name)
  write_json(out, path, digits = NA, auto_unbox = TRUE, na = "null")
  cat("wrote", path, "\n")
}
stdse_ref("bfi_gender_thresholds", ac_model, bfi, ac, "gender", "thresholds")
vpc_med <- paste("confidence =~ con01 + con02 + con03 + con04", "challenge =~ chl01 + chl02 + chl03 + chl04",
                 "support =~ sup01 + sup02 + sup03 + sup04", "confidence ~ a*challenge + c*support",
                 "challenge ~ b*support", "indirect := a*b", sep = "\n")
stdse_ref("vpc_mediation", vpc_med, vpc, eraut)
