# Reference values for measurement invariance (configural, metric, scalar, strict) with lavaan:
# cfa(group =, group.equal =) per step and lavTestLRT between consecutive steps, ML and MLR.
#   Rscript tests/reference/generate_invariance.R      (from the repository root)
# Writes tests/reference/invariance_*.json; tests read the JSON and never need R.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

equal <- list(configural = "none", metric = "loadings", scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))
keys <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")
robust_keys <- c("chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor", "cfi.robust", "rmsea.robust")

sequence_ref <- function(name, model, data, group, estimator, cluster = NULL) {
  fits <- lapply(equal, function(e) lavaan::cfa(model, data = data, group = group, group.equal = e,
                                                estimator = estimator, cluster = cluster))
  steps <- lapply(names(fits), function(lv) {
    f <- fits[[lv]]
    k <- if (estimator == "MLR") c(keys, robust_keys) else keys
    fm <- as.list(fitMeasures(f, k))
    names(fm) <- gsub(".", "_", names(fm), fixed = TRUE)
    list(level = lv, fit = fm, converged = lavInspect(f, "converged"))
  })
  lrts <- lapply(2:length(fits), function(i) {
    t <- lavTestLRT(fits[[i - 1]], fits[[i]])
    out <- list(level = names(fits)[i], chisq_diff = t[2, "Chisq diff"], df_diff = t[2, "Df diff"],
                pvalue = t[2, "Pr(>Chisq)"])
    if ("RMSEA" %in% names(t)) out$rmsea <- t[2, "RMSEA"]
    out
  })
  out <- list(call = paste0("cfa(model, data, group = '", group, "', group.equal = ..., estimator = '", estimator,
                            "'", if (is.null(cluster)) "" else paste0(", cluster = '", cluster, "'"),
                            "); lavTestLRT(previous, this)"), cluster = cluster,
              r_version = R.version.string, lavaan = as.character(packageVersion("lavaan")),
              model = model, group = group, estimator = estimator,
              groups = lavInspect(fits[[1]], "group.label"), nobs = lavInspect(fits[[1]], "nobs"),
              steps = steps, lrt = lrts)
  path <- sprintf("tests/reference/invariance_%s_%s.json", name, tolower(estimator))
  write_json(out, path, digits = NA, auto_unbox = TRUE, na = "null")
  cat("wrote", path, "\n")
}

hs <- read.csv("tests/reference/data/holzinger_swineford_full.csv")
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
bfi <- read.csv("tests/reference/data/bfi_full.csv")
bfi <- na.omit(bfi[, c("A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4", "C5", "gender")])
bfi_model <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
vpc <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
vpc[vpc == -99 | vpc == -98] <- NA
vpc_items <- c("con01", "con02", "con03", "con04", "chl01", "chl02", "chl03", "chl04", "sup01", "sup02", "sup03",
               "sup04")
vpc <- na.omit(vpc[, c(vpc_items, "mode")])
vpc_model <- paste("confidence =~ con01 + con02 + con03 + con04", "challenge =~ chl01 + chl02 + chl03 + chl04",
                   "support =~ sup01 + sup02 + sup03 + sup04", sep = "\n")
for (est in c("ML", "MLR")) {
  sequence_ref("holzinger_swineford_school", hs_model, hs, "school", est)
  sequence_ref("bfi_gender", bfi_model, bfi, "gender", est)
  sequence_ref("vpc_mode", vpc_model, vpc, "mode", est)
}
# teachers in schools, schools nested in location (rural/urban): cluster-robust MLR at every step
vpc_school <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
vpc_school[vpc_school == -99 | vpc_school == -98] <- NA
vpc_school <- na.omit(vpc_school[, c(vpc_items, "loc", "school")])
sequence_ref("vpc_loc_cluster", vpc_model, vpc_school, "loc", "MLR", cluster = "school")

# ---- score tests (lavTestScore) and partial invariance: Holzinger-Swineford by school ----------
f_metric <- lavaan::cfa(hs_model, data = hs, group = "school", group.equal = "loadings")
s_metric <- lavTestScore(f_metric, cumulative = TRUE)
f_scalar <- lavaan::cfa(hs_model, data = hs, group = "school", group.equal = c("loadings", "intercepts"))
s_scalar <- lavTestScore(f_scalar)
pt <- parTable(f_scalar)
describe <- function(uni) {
  # the released member of each constraint (its plabel on the right) as lhs/op/rhs/group
  rows <- match(uni$rhs, pt$plabel)
  data.frame(lhs = pt$lhs[rows], op = pt$op[rows], rhs = pt$rhs[rows], group = pt$group[rows],
             x2 = uni$X2, df = uni$df, p = uni$p.value)
}
f_partial <- lavaan::cfa(hs_model, data = hs, group = "school", group.equal = c("loadings", "intercepts"),
                         group.partial = c("x3~1", "x7~1"))
pe <- parameterEstimates(f_partial)
means <- pe[pe$op == "~1" & pe$lhs %in% c("visual", "textual", "speed") & pe$group == 2, ]
fm <- as.list(fitMeasures(f_partial, c("chisq", "df", "cfi", "rmsea", "srmr")))
out <- list(call = "lavTestScore(cfa(..., group.equal = ...), cumulative = TRUE); cfa(..., group.partial = c('x3~1', 'x7~1'))",
            lavaan = as.character(packageVersion("lavaan")), model = hs_model,
            metric = list(uni = describe(s_metric$uni), total = as.list(s_metric$test[1, c("X2", "df", "p.value")]),
                          cumulative = data.frame(x2 = s_metric$cumulative$X2, df = s_metric$cumulative$df)),
            scalar = list(uni = describe(s_scalar$uni)),
            partial = list(released = c("x3~1", "x7~1"), fit = fm,
                           means = data.frame(lhs = means$lhs, est = means$est, se = means$se, pvalue = means$pvalue)))
write_json(out, "tests/reference/invariance_score_tests_holzinger_swineford.json", digits = NA, auto_unbox = TRUE)
cat("wrote tests/reference/invariance_score_tests_holzinger_swineford.json\n")

# ---- ordinal items (WLSMV): the Wu and Estabrook (2016) sequence, as semTools::measEq.syntax ----
# (ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", delta parameterization): configural, thresholds,
# thresholds + loadings, thresholds + loadings + intercepts; lavTestLRT's default difference test
# for WLSMV (method = "satorra.2000", scaled-shifted).
suppressPackageStartupMessages(library(semTools))
ord_equal <- list(configural = "", thresholds = "thresholds", metric = c("thresholds", "loadings"),
                  scalar = c("thresholds", "loadings", "intercepts"))
ord_keys <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
              "chisq.shift.parameters", "cfi", "tli", "rmsea", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr")
ordinal_ref <- function(name, model, data, items, group) {
  fits <- lapply(ord_equal, function(e) {
    syn <- measEq.syntax(model, data = data, ordered = items, group = group, parameterization = "delta",
                         ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal = e, return.fit = FALSE)
    lavaan::cfa(as.character(syn), data = data, ordered = items, group = group, estimator = "WLSMV")
  })
  steps <- lapply(names(fits), function(lv) {
    fm <- as.list(fitMeasures(fits[[lv]], ord_keys))
    names(fm) <- gsub(".", "_", names(fm), fixed = TRUE)
    list(level = lv, fit = fm, converged = lavInspect(fits[[lv]], "converged"))
  })
  lrts <- lapply(2:length(fits), function(i) {
    t <- lavTestLRT(fits[[i - 1]], fits[[i]])
    list(level = names(fits)[i], chisq_diff = t[2, "Chisq diff"], df_diff = t[2, "Df diff"],
         pvalue = t[2, "Pr(>Chisq)"], method = attr(t, "heading"))
  })
  out <- list(call = paste0("cfa(as.character(measEq.syntax(model, data, ordered = items, group = '", group,
                            "', ID.fac = 'std.lv', ID.cat = 'Wu.Estabrook.2016', group.equal = ...)), ordered = items,",
                            " estimator = 'WLSMV'); lavTestLRT(previous, this)"),
              r_version = R.version.string, lavaan = as.character(packageVersion("lavaan")),
              semtools = as.character(packageVersion("semTools")), model = model, items = items, group = group,
              estimator = "WLSMV", groups = lavInspect(fits[[1]], "group.label"), nobs = lavInspect(fits[[1]], "nobs"),
              steps = steps, lrt = lrts)
  path <- sprintf("tests/reference/invariance_%s_wlsmv.json", name)
  write_json(out, path, digits = NA, auto_unbox = TRUE, na = "null")
  cat("wrote", path, "\n")
}
bfi_items <- c("A1", "A2", "A3", "A4", "A5", "C1", "C2", "C3", "C4", "C5")
ordinal_ref("bfi_gender", bfi_model, bfi, bfi_items, "gender")
vpc_o <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
vpc_o[vpc_o == -99 | vpc_o == -98] <- NA
vpc_o <- na.omit(vpc_o[, c(vpc_items, "loc")])
vpc_o$loc <- ifelse(vpc_o$loc == 1, "rural", "urban")
ordinal_ref("vpc_loc", vpc_model, vpc_o, vpc_items, "loc")
bfi_age <- read.csv("tests/reference/data/bfi_full.csv")
bfi_age <- na.omit(bfi_age[, c("A1", "A2", "A3", "A4", "A5", "age")])
bfi_age$age3 <- cut(bfi_age$age, c(0, 22, 32, 100), labels = c("to22", "23to32", "33plus"))
bfi_age$age3 <- as.character(bfi_age$age3)
bfi_age$age <- NULL
ordinal_ref("bfi_age3", "agree =~ A1 + A2 + A3 + A4 + A5", bfi_age, c("A1", "A2", "A3", "A4", "A5"), "age3")

# ---- score tests under WLSMV: lavTestScore of the Wu-Estabrook metric model (bfi by gender), and
# modification indices of the later group's item intercepts in the scalar model (fixed to 0) ----
we_fit <- function(e) {
  syn <- measEq.syntax(bfi_model, data = bfi, ordered = bfi_items, group = "gender", parameterization = "delta",
                       ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal = e, return.fit = FALSE)
  lavaan::cfa(as.character(syn), data = bfi, ordered = bfi_items, group = "gender", estimator = "WLSMV")
}
f_m <- we_fit(c("thresholds", "loadings"))
s_m <- lavTestScore(f_m, cumulative = TRUE, warn = FALSE)
pt_m <- parTable(f_m)
rows_m <- match(s_m$uni$rhs, pt_m$plabel)
f_s <- we_fit(c("thresholds", "loadings", "intercepts"))
mi_s <- modindices(f_s, op = "~1")
mi_s <- mi_s[mi_s$lhs %in% bfi_items & mi_s$group == 2, ]
out <- list(call = paste("lavTestScore(cfa(measEq.syntax(..., group.equal = c('thresholds', 'loadings'))), cumulative = TRUE);",
                         "modindices(cfa(measEq.syntax(..., group.equal = c('thresholds', 'loadings', 'intercepts'))), op = '~1')"),
            lavaan = as.character(packageVersion("lavaan")), model = bfi_model, items = bfi_items, group = "gender",
            metric = list(uni = data.frame(lhs = pt_m$lhs[rows_m], op = pt_m$op[rows_m], rhs = pt_m$rhs[rows_m],
                                           group = pt_m$group[rows_m], x2 = s_m$uni$X2),
                          total = as.list(s_m$test[1, c("X2", "df", "p.value")]),
                          cumulative = data.frame(x2 = s_m$cumulative$X2, df = s_m$cumulative$df)),
            scalar_intercepts = data.frame(lhs = mi_s$lhs, mi = mi_s$mi))
write_json(out, "tests/reference/invariance_score_tests_bfi_gender_wlsmv.json", digits = NA, auto_unbox = TRUE)
cat("wrote tests/reference/invariance_score_tests_bfi_gender_wlsmv.json\n")

# ---- latent variance differences in the partial scalar model (Holzinger-Swineford by school) ----
hs_var <- paste(hs_model, "visual ~~ c(v1, v2)*visual", "textual ~~ c(t1, t2)*textual", "speed ~~ c(s1, s2)*speed",
                "dv := v2 - v1", "dt := t2 - t1", "ds := s2 - s1", sep = "\n")
f_var <- lavaan::cfa(hs_var, data = hs, group = "school", group.equal = c("loadings", "intercepts"),
                     group.partial = c("x3~1", "x7~1"))
pe_var <- parameterEstimates(f_var)
pe_var <- pe_var[pe_var$op == ":=", c("lhs", "est", "se", "pvalue")]
write_json(list(call = "cfa(model + ':= v2 - v1, ...', group = 'school', group.equal = c('loadings', 'intercepts'), group.partial = c('x3~1', 'x7~1'))",
                lavaan = as.character(packageVersion("lavaan")), factors = c("visual", "textual", "speed"),
                differences = pe_var),
           "tests/reference/invariance_latent_variances_holzinger_swineford.json", digits = NA, auto_unbox = TRUE)
cat("wrote tests/reference/invariance_latent_variances_holzinger_swineford.json\n")

# ---- a just-identified configural model (3 ordered items, df 0): lavaan's saturated conventions ----
hs_ord <- read.csv("tests/reference/data/holzinger_swineford_full.csv")
for (v in paste0("x", 1:3)) hs_ord[[v]] <- as.integer(cut(hs_ord[[v]], quantile(hs_ord[[v]], c(0, .25, .5, .75, 1)),
                                                           include.lowest = TRUE))
write.csv(hs_ord[, c("x1", "x2", "x3", "school")], "tests/reference/data/holzinger_swineford_ordinal.csv", row.names = FALSE)
ordinal_ref("hs_ordinal_school", "visual =~ x1 + x2 + x3", hs_ord[, c("x1", "x2", "x3", "school")],
            c("x1", "x2", "x3"), "school")
