# Reference values for two-level CFA/SEM (lavaan's level: 1 / level: 2 syntax with cluster =, ML as
# lavaan 0.6.14 fits it: observed information, chi-square against the saturated two-level model,
# SRMR within and between), on lavaan's Demo.twolevel (unbalanced clusters of 5-20), a balanced
# subset of it, and the example data (teachers in schools).
#   Rscript tests/reference/generate_twolevel.R      (from the repository root)
# Writes tests/reference/twolevel_*.json and tests/reference/data/demo_twolevel_balanced.csv.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

keys <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "baseline.pvalue", "cfi", "tli",
          "nfi", "rfi", "ifi", "rni", "logl", "unrestricted.logl", "aic", "bic", "bic2", "ntotal", "rmsea",
          "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr", "srmr_within", "srmr_between")
twolevel_ref <- function(name, model, data, cluster, group = NULL, std.lv = FALSE, fixed.x = TRUE,
                         missing = "listwise") {
  fit <- lavaan::sem(model, data = data, cluster = cluster, group = group, std.lv = std.lv, fixed.x = fixed.x,
                     missing = missing)
  pe <- parameterEstimates(fit, standardized = TRUE)
  pt <- parTable(fit)
  if (is.null(pe$group)) pe$group <- 1L
  if (is.null(pe$level)) pe$level <- 1L
  if (is.null(pe$label)) pe$label <- ""
  pe$block <- pt$block[match(paste(pe$lhs, pe$op, pe$rhs, pe$block), paste(pt$lhs, pt$op, pt$rhs, pt$block))]
  pe$group_label <- if (is.null(group)) "1" else lavInspect(fit, "group.label")[pmax(pe$group, 1L)]
  fm <- as.list(fitMeasures(fit, keys))
  names(fm) <- gsub(".", "_", names(fm), fixed = TRUE)
  # lavaan 0.6.14 fits the saturated two-level model (h1) by an EM stopped at tol = 1e-4 (hard-coded in
  # lav_h1_implied_logl), which leaves unrestricted.logl, so chi-square and SRMR, from ~1e-4 (Demo.twolevel)
  # to 0.14 (the example data, whose between covariance is near singular) below the saturated optimum.
  # The saturated model fitted as a lavaan model (nlminb, see saturated_fit) reaches that optimum: the
  # 'exact' values below shift lavaan's chi-squares by the difference and recompute SRMR, CFI, TLI and
  # RMSEA (lavaan's formulas) from it.
  sat <- saturated_fit(fit, data, cluster, group, missing)
  lx <- if (fixed.x && length(unlist(fit@Data@Lp[[1]]$ov.x.idx)) > 0)
    sum(sapply(fit@SampleStats@YLp, function(y) y[[2]]$loglik.x)) else 0
  h1 <- as.numeric(logLik(sat)) - lx
  shift <- 2 * (h1 - fitMeasures(fit, "unrestricted.logl"))
  exact <- list(unrestricted_logl = h1, chisq = unname(fitMeasures(fit, "chisq") + shift),
                baseline_chisq = unname(fitMeasures(fit, "baseline.chisq") + shift),
                srmr_within = srmr_level(fit, sat, 1), srmr_between = srmr_level(fit, sat, 2))
  df <- fitMeasures(fit, "df"); bdf <- fitMeasures(fit, "baseline.df"); N <- fitMeasures(fit, "ntotal")
  x <- exact$chisq; bx <- exact$baseline_chisq; G <- lavInspect(fit, "ngroups")
  exact$cfi <- unname(if (df == 0) 1 else 1 - max(x - df, 0) / max(x - df, bx - bdf, 0))
  exact$tli <- unname(if (df == 0) 1 else (bx / bdf - x / df) / (bx / bdf - 1))
  exact$rmsea <- unname(if (df == 0) 0 else sqrt(G) * sqrt(max(x - df, 0) / (df * N)))
  out <- list(call = sprintf("sem(model, data, cluster = '%s', group = %s, std.lv = %s, fixed.x = %s, missing = '%s')",
                             cluster, if (is.null(group)) "NULL" else paste0("'", group, "'"), std.lv, fixed.x, missing),
              missing = missing,
              lavaan = as.character(packageVersion("lavaan")), model = model, cluster = cluster, group = group,
              std_lv = std.lv, fixed_x = fixed.x, converged = lavInspect(fit, "converged"),
              information = lavInspect(fit, "options")$information[1],
              nobs = as.list(lavInspect(fit, "nobs")), nclusters = as.list(unlist(lavInspect(fit, "nclusters"))),
              group_labels = if (is.null(group)) list("1") else lavInspect(fit, "group.label"),
              parameters = pe[, c("lhs", "op", "rhs", "block", "level", "group_label", "label", "est", "se", "std.lv",
                                  "std.all")], fit = fm, exact = exact)
  path <- sprintf("tests/reference/twolevel_%s.json", name)
  write_json(out, path, digits = NA, auto_unbox = TRUE, na = "null")
  cat("wrote", path, "\n")
}
saturated_fit <- function(fit, data, cluster, group, missing = "listwise") {
  # Sigma_W free; Sigma_B = L L' through unit-variance orthogonal factors (a Cholesky factor, so Sigma_B
  # stays positive semi-definite as in lavaan's EM; with small between variances the likelihood over
  # indefinite Sigma_B grows without bound and nlminb wanders off)
  ov <- fit@Data@ov.names.l[[1]]
  w <- ov[[1]]; b <- ov[[2]]
  within <- paste(sapply(seq_along(w), function(i) paste(w[i], "~~", paste(w[i:length(w)], collapse = " + "))),
                  collapse = "\n")
  chol <- paste(sapply(seq_along(b), function(i) paste0("h1chol", i, " =~ NA*", paste(b[i:length(b)], collapse = " + "),
                                                        "\nh1chol", i, " ~~ 1*h1chol", i)), collapse = "\n")
  resid <- paste(paste0(b, " ~~ 0*", b), collapse = "\n")
  one <- paste0("level: 1\n", within, "\nlevel: 2\n", chol, "\n", resid, "\n")
  text <- if (is.null(group)) one else paste0(paste0("group: ", lavInspect(fit, "group.label"), "\n", one), collapse = "")
  lavaan::sem(text, data = data, cluster = cluster, group = group, fixed.x = FALSE, orthogonal = TRUE,
              missing = missing, control = list(iter.max = 10000L, eval.max = 20000L))
}
srmr_level <- function(fit, sat, level) {   # lav_fit_srmr_twolevel, N-weighted over groups
  S <- lavInspect(sat, "implied"); M <- lavInspect(fit, "implied")
  if (!is.null(S$cov)) { S <- list(S); M <- list(M) }
  nb <- length(S); n <- unlist(lavInspect(fit, "nobs")); out <- 0
  for (b in seq(level, nb, by = 2)) {
    r <- cov2cor(S[[b]]$cov) - cov2cor(M[[b]]$cov)
    out <- out + n[(b + 1) %/% 2] / sum(n) * sqrt(mean(r[lower.tri(r, diag = TRUE)]^2))
  }
  out
}
d <- Demo.twolevel
twolevel_ref("demo_sem_covariates", "
level: 1
  fw =~ y1 + y2 + y3
  fw ~ x1 + x2 + x3
level: 2
  fb =~ y1 + y2 + y3
  fb ~ w1 + w2
", d, "cluster")
twolevel_ref("demo_cfa_two_factor", "
level: 1
  fw1 =~ y1 + y2 + y3
  fw2 =~ y4 + y5 + y6
level: 2
  fb =~ y1 + y2 + y3 + y4 + y5 + y6
", d, "cluster")
twolevel_ref("demo_cfa_std_lv", "
level: 1
  fw =~ y1 + y2 + y3 + y4
level: 2
  fb =~ y1 + y2 + y3 + y4
", d, "cluster", std.lv = TRUE)
twolevel_ref("demo_cfa_equal_loadings", "
level: 1
  fw =~ 1*y1 + a*y2 + b*y3 + c*y4
  fw ~~ vw*fw
level: 2
  fb =~ 1*y1 + a*y2 + b*y3 + c*y4
  fb ~~ vb*fb
  icc := vb / (vb + vw)
", d, "cluster")
twolevel_ref("demo_within_between_only", "
level: 1
  fw =~ y1 + y2 + y3
  fw ~ x1
  y4 ~ fw
level: 2
  fb =~ y1 + y2 + y3
  w1 ~ fb
  fb ~ w2
", d, "cluster")
twolevel_ref("demo_both_level_covariate", "
level: 1
  fw =~ y1 + y2 + y3
  fw ~ y4
level: 2
  fb =~ y1 + y2 + y3
  fb ~ y4
", d, "cluster")
# FIML (missing = "ml"): Demo.twolevel with 300 answers to y2 and 200 to y3 missing (generate_cluster.R)
dm <- read.csv("tests/reference/data/demo_twolevel_missing.csv")
twolevel_ref("demo_cfa_fiml", "
level: 1
  fw =~ y1 + y2 + y3 + y4
level: 2
  fb =~ y1 + y2 + y3 + y4
", dm, "cluster", missing = "ml")
twolevel_ref("demo_within_only_fiml", "
level: 1
  fw =~ y1 + y2 + y3
  y5 ~ fw
level: 2
  fb =~ y1 + y2 + y3
", dm, "cluster", missing = "ml")
# FIML with covariates: within-level x1, x2 and the cluster-level w1, fixed.x (lavaan's default: the
# covariates' moments fixed at their h1 values, logl less loglik.x) and modelled (fixed.x = FALSE); then
# w1 missing in three clusters (fixed.x = FALSE: those clusters keep their answers)
covariates_fiml <- "
level: 1
  fw =~ y1 + y2 + y3
  fw ~ x1 + x2
level: 2
  fb =~ y1 + y2 + y3
  fb ~ w1
"
twolevel_ref("demo_sem_covariates_fiml", covariates_fiml, dm, "cluster", missing = "ml")
twolevel_ref("demo_sem_covariates_fiml_free_x", covariates_fiml, dm, "cluster", fixed.x = FALSE, missing = "ml")
dw <- dm
dw$w1[dw$cluster %in% c(3, 9, 11)] <- NA
write.csv(dw, "tests/reference/data/demo_twolevel_missing_w1.csv", row.names = FALSE)
twolevel_ref("demo_between_missing_fiml", covariates_fiml, dw, "cluster", fixed.x = FALSE, missing = "ml")
# a covariance between a within factor and a within-only observed variable (std.all from both sides)
twolevel_ref("demo_latent_observed_cov_fiml", "
level: 1
  fw =~ y1 + y2 + y3
  fw ~~ y5
level: 2
  fb =~ y1 + y2 + y3
", dm, "cluster", missing = "ml")
bal <- do.call(rbind, lapply(split(d, d$cluster), function(x) x[1:5, ]))
write.csv(bal, "tests/reference/data/demo_twolevel_balanced.csv", row.names = FALSE)
twolevel_ref("demo_cfa_balanced", "
level: 1
  fw =~ y1 + y2 + y3 + y4
level: 2
  fb =~ y1 + y2 + y3 + y4
", bal, "cluster")
d$half <- ifelse(d$cluster %% 2 == 0, "even", "odd")
# lavaan 0.6.14 wants the model of each group in a 'group:' block (the same model here; our group =
# fits the one model in each group)
two_groups <- "
  fw =~ y1 + y2 + y3
level: 2
  fb =~ y1 + y2 + y3
"
twolevel_ref("demo_cfa_two_groups", paste0("group: odd\nlevel: 1\n", two_groups, "group: even\nlevel: 1\n",
                                           two_groups), d, "cluster", group = "half")

# ---- the example data: teachers in schools (data/make_vpc_teachers_example.py plants a school climate
# in support and challenge; confidence has no between-school variance in the population) ----
vpc <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
vpc[vpc == -99 | vpc == -98] <- NA
items <- c("con01", "con02", "con03", "con04", "chl01", "chl02", "chl03", "chl04", "sup01", "sup02", "sup03", "sup04")
vpc <- na.omit(vpc[, c(items, "school")])
# item-level between variances are small (ICC .06-.09 over ~90 schools of ~6 answering teachers): with free
# between residual variances lavaan does not converge (Heywood cases), so they are fixed at 0, a common
# specification of a between-level "climate" factor
twolevel_ref("vpc_triangle_school", "
level: 1
  confidence =~ con01 + con02 + con03 + con04
  challenge =~ chl01 + chl02 + chl03 + chl04
  support =~ sup01 + sup02 + sup03 + sup04
  confidence ~ challenge + support
level: 2
  climate =~ sup01 + sup02 + sup03 + sup04 + chl01 + chl02 + chl03 + chl04
  sup01 ~~ 0*sup01
  sup02 ~~ 0*sup02
  sup03 ~~ 0*sup03
  sup04 ~~ 0*sup04
  chl01 ~~ 0*chl01
  chl02 ~~ 0*chl02
  chl03 ~~ 0*chl03
  chl04 ~~ 0*chl04
", vpc, "school")

# ---- ICCs from the saturated model (lavInspect "icc") and multilevel composite reliability
# (semTools::compRelSEM: per level; configural omega_W / omega_2L; shared omega_B / IRR) ----
suppressPackageStartupMessages(library(semTools))
m_sep <- "
level: 1
  fw =~ y1 + y2 + y3 + y4
level: 2
  fb =~ y1 + y2 + y3 + y4
"
m_config <- "
level: 1
  f =~ a*y1 + b*y2 + c*y3
level: 2
  f =~ a*y1 + b*y2 + c*y3
"
fit_sep <- lavaan::sem(m_sep, data = d, cluster = "cluster")
fit_config <- lavaan::sem(m_config, data = d, cluster = "cluster")
per_level <- compRelSEM(fit_sep)
shared <- compRelSEM(fit_sep, shared = "fb")
config <- compRelSEM(fit_config, config = "f")
out <- list(call = "compRelSEM(fit); compRelSEM(fit, shared = 'fb'); compRelSEM(fit_config, config = 'f')",
            lavaan = as.character(packageVersion("lavaan")), semTools = as.character(packageVersion("semTools")),
            model_separate = m_sep, model_config = m_config, icc = as.list(lavInspect(fit_sep, "icc")),
            omega_within = unname(per_level$within["fw"]), omega_between = unname(per_level$cluster["fb"]),
            omega_B = unname(shared$shared$fb["omega_B"]), IRR = unname(shared$shared$fb["IRR"]),
            omega_W = unname(config$config$f["omega_W"]), omega_2L = unname(config$config$f["omega_2L"]))
write_json(out, "tests/reference/twolevel_omega_demo.json", digits = NA, auto_unbox = TRUE)
cat("wrote tests/reference/twolevel_omega_demo.json\n")
