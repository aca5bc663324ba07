# Reference values for cluster-robust inference in single-level models (lavaan's cluster = with
# MLR): sandwich SEs from cluster-summed scores and the Yuan-Bentler (Mplus) scaled test with the
# clustered Gamma, on lavaan's Demo.twolevel and the example data (teachers clustered by region).
#   Rscript tests/reference/generate_cluster.R      (from the repository root)
# Writes tests/reference/cluster_*.json and tests/reference/data/demo_twolevel.csv.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

write.csv(Demo.twolevel, "tests/reference/data/demo_twolevel.csv", row.names = FALSE)
keys <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor",
          "baseline.chisq", "baseline.chisq.scaled", "baseline.chisq.scaling.factor", "cfi", "tli", "rmsea",
          "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust",
          "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "srmr")
cluster_ref <- function(name, model, data, cluster, group = NULL, fixed.x = TRUE, missing = "listwise") {
  fit <- lavaan::sem(model, data = data, estimator = "MLR", cluster = cluster, group = group, fixed.x = fixed.x,
                     missing = missing)
  pe <- parameterEstimates(fit)
  if (is.null(pe$group)) pe$group <- 1L
  pe$group_label <- if (is.null(group)) "1" else lavInspect(fit, "group.label")[pe$group]
  fm <- as.list(fitMeasures(fit, keys))
  names(fm) <- gsub(".", "_", names(fm), fixed = TRUE)
  out <- list(call = sprintf("sem(model, data, estimator = 'MLR', cluster = %s, group = %s, fixed.x = %s)",
                             if (is.null(cluster)) "NULL" else paste0("'", cluster, "'"),
                             if (is.null(group)) "NULL" else paste0("'", group, "'"), fixed.x),
              lavaan = as.character(packageVersion("lavaan")), model = model, cluster = cluster, group = group,
              fixed_x = fixed.x, missing = missing,
              se = lavInspect(fit, "options")$se, nobs = as.list(lavInspect(fit, "nobs")),
              group_labels = if (is.null(group)) list("1") else lavInspect(fit, "group.label"),
              parameters = pe[, c("lhs", "op", "rhs", "group_label", "est", "se")], fit = fm)
  path <- sprintf("tests/reference/cluster_%s.json", name)
  write_json(out, path, digits = NA, auto_unbox = TRUE, na = "null")
  cat("wrote", path, "\n")
}
d <- Demo.twolevel
cluster_ref("demo_cfa", "f =~ y1 + y2 + y3 + y4", d, "cluster")
cluster_ref("demo_sem_covariates", "f =~ y1 + y2 + y3\nf ~ x1 + x2", d, "cluster")
cluster_ref("demo_sem_free_x", "f =~ y1 + y2 + y3\nf ~ x1 + x2", d, "cluster", fixed.x = FALSE)
cluster_ref("demo_sem_free_x_unclustered", "f =~ y1 + y2 + y3\nf ~ x1 + x2", d, NULL, fixed.x = FALSE)
dm <- d
set.seed(3)
dm$y2[sample(nrow(dm), 300)] <- NA
dm$y3[sample(nrow(dm), 200)] <- NA
write.csv(dm, "tests/reference/data/demo_twolevel_missing.csv", row.names = FALSE)
cluster_ref("demo_cfa_fiml", "f =~ y1 + y2 + y3 + y4", dm, "cluster", missing = "ml")
cluster_ref("demo_sem_fiml", "f =~ y1 + y2 + y3\nf ~ x1 + x2", dm, "cluster", missing = "ml")
dm$half <- ifelse(dm$cluster %% 2 == 0, "even", "odd")
cluster_ref("demo_fiml_two_groups", "f =~ y1 + y2 + y3 + y4", dm, "cluster", "half", missing = "ml")
d$half <- ifelse(d$cluster %% 2 == 0, "even", "odd")
cluster_ref("demo_two_groups", "f =~ y1 + y2 + y3 + y4", d, "cluster", "half")
vpc <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
vpc[vpc == -99 | vpc == -98] <- NA
items <- c("con01", "con02", "con03", "con04", "chl01", "chl02", "chl03", "chl04", "sup01", "sup02", "sup03", "sup04")
vpc <- na.omit(vpc[, c(items, "region")])
cluster_ref("vpc_triangle_region", paste("confidence =~ con01 + con02 + con03 + con04",
                                         "challenge =~ chl01 + chl02 + chl03 + chl04",
                                         "support =~ sup01 + sup02 + sup03 + sup04",
                                         "confidence ~ challenge + support", sep = "\n"), vpc, "region")

# ---- ICC(1), ICC(2), within and between correlations (psych::statsBy) ----
suppressPackageStartupMessages(library(psych))
statsby_ref <- function(name, data, items, cluster) {
  sb <- statsBy(data[, c(items, cluster)], group = cluster, cors = TRUE)
  out <- list(call = sprintf("psych::statsBy(data[, c(items, '%s')], group = '%s')", cluster, cluster),
              psych = as.character(packageVersion("psych")), items = items, cluster = cluster,
              icc1 = as.list(sb$ICC1[items]), icc2 = as.list(sb$ICC2[items]),
              rwg = unname(unclass(sb$rwg)), rbg = unname(unclass(sb$rbg)))
  path <- sprintf("tests/reference/icc_%s.json", name)
  write_json(out, path, digits = NA, auto_unbox = TRUE)
  cat("wrote", path, "\n")
}
statsby_ref("demo_twolevel", Demo.twolevel, c("y1", "y2", "y3", "y4", "y5", "y6"), "cluster")
vpc_sb <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
vpc_sb[vpc_sb == -99 | vpc_sb == -98] <- NA
statsby_ref("vpc_region", vpc_sb, c("con01", "con02", "chl01", "sup01", "yrs"), "region")
