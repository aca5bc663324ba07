# Reference values for cluster-robust WLSMV (single-level, ordered items, cluster =): robust SEs and
# the scaled-shifted test from the cluster-aggregated Gamma (the casewise scores of the thresholds
# and polychoric correlations summed within clusters, times C/(C-1)); the DWLS weight, and so the
# estimates, stay those of the unclustered fit.
#
# Needs lavaan >= 0.7-2 (GitHub issue yrosseel/lavaan#254). Debian's lavaan 0.6.14 accepts cluster=
# with WLSMV but clusters nothing (its SEs and test equal the unclustered fit's), so it cannot make
# these values. lavaan is pure R; install a newer one next to Debian's without touching it:
#   git clone https://github.com/yrosseel/lavaan && R CMD INSTALL --no-docs -l /tmp/lav07lib lavaan
#   LAVAAN_LIB=/tmp/lav07lib Rscript tests/reference/generate_cluster_wlsmv.R   (from the repository root)
# The committed JSON was made with lavaan 0.7-2.3170 (GitHub commit 828e6ec, 2026-08-14).
# Writes tests/reference/cluster_wlsmv_*.json; tests read the JSON and never need R.
lib <- Sys.getenv("LAVAAN_LIB", "")
suppressPackageStartupMessages({
  if (nzchar(lib)) library(lavaan, lib.loc = lib) else library(lavaan)
  library(jsonlite)
})
if (packageVersion("lavaan", lib.loc = if (nzchar(lib)) lib else NULL) < "0.7.2")
  stop("lavaan >= 0.7-2 is needed (0.6.14 ignores cluster= with WLSMV); set LAVAAN_LIB, see the header")

keys <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
          "baseline.chisq", "baseline.df", "baseline.chisq.scaled", "cfi", "tli",
          "rmsea", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr", "cfi.robust", "tli.robust", "rmsea.robust")

# missing = "pairwise" with clusters: lavaan 0.7-2 sums the casewise scores within clusters with
# rowsum(), which turns a cluster's sum into NA as soon as one of its rows misses that statistic,
# and lav_mat_crossprod() then leaves those clusters out of the meat: every cluster with a missing
# answer drops out of Gamma (checked below: lavaan's Gamma equals that NA-propagated meat to 1e-15).
# The unclustered meat counts a missing score as 0; so does ours. The corrected fit feeds lavaan
# the zero-filled clustered Gamma (NACOV =) with the unclustered DWLS weight (WLS.V =), a route
# that reproduces lavaan's own clustered fit exactly where nothing is missing (asserted here).
pairwise_corrected <- function(model, d, items, cluster, plain) {
  fit <- lavaan::cfa(model, data = d, ordered = items, estimator = "WLSMV", cluster = cluster, missing = "pairwise")
  cl <- fit@Data@Lp[[1]]$cluster.idx[[2]]
  X <- fit@Data@X[[1]]
  parts <- lavaan:::muthen1984(data_1 = X, ov_names = items, ov_types = rep("ordered", length(items)),
                               ov_levels = sapply(seq_along(items), function(k) length(unique(na.omit(X[, k])))),
                               wls_w = TRUE, cluster_idx = cl)
  a22 <- if (is.matrix(parts$A22)) parts$A22 else diag(parts$A22)
  b_inv <- solve(rbind(cbind(parts$A11, matrix(0, nrow(parts$A11), ncol(a22))), cbind(parts$A21, a22)))
  n <- nrow(X); nc <- max(cl)
  gamma_of <- function(scores) b_inv %*% crossprod(rowsum(scores, cl, reorder = FALSE)) %*% t(b_inv) * n * nc / (nc - 1)
  sc0 <- parts$SC; sc0[is.na(sc0)] <- 0
  sc_na <- lavaan:::lav_mat_crossprod(rowsum(parts$SC, cl, reorder = FALSE))
  stopifnot(max(abs(lavInspect(fit, "gamma") - b_inv %*% sc_na %*% t(b_inv) * n * nc / (nc - 1))) < 1e-10)
  w <- list(diag(1 / diag(lavInspect(plain, "gamma"))))
  dl <- na.omit(d)
  own <- lavaan::cfa(model, data = dl, ordered = items, estimator = "WLSMV", cluster = cluster)
  route <- lavaan::cfa(model, data = dl, ordered = items, estimator = "WLSMV", NACOV = list(lavInspect(own, "gamma")),
                       WLS.V = list(diag(1 / diag(lavInspect(lavaan::cfa(model, data = dl, ordered = items,
                                                                        estimator = "WLSMV"), "gamma")))))
  stopifnot(max(abs(sqrt(diag(vcov(route))) / sqrt(diag(vcov(own))) - 1)) < 1e-10,
            abs(fitMeasures(route, "chisq.scaled") - fitMeasures(own, "chisq.scaled")) < 1e-10)
  lavaan::cfa(model, data = d, ordered = items, estimator = "WLSMV", missing = "pairwise", NACOV = list(gamma_of(sc0)),
              WLS.V = w)
}

ref <- function(name, model, data, items, cluster, group = NULL, missing = "listwise") {
  d <- if (missing == "listwise") na.omit(data[, c(items, cluster, group)]) else data[, c(items, cluster, group)]
  fit <- lavaan::cfa(model, data = d, ordered = items, estimator = "WLSMV", cluster = cluster, group = group,
                     missing = missing)
  plain <- lavaan::cfa(model, data = d, ordered = items, estimator = "WLSMV", group = group, missing = missing)
  grab <- function(f) {
    pe <- parameterEstimates(f, standardized = TRUE)
    if (is.null(pe$group)) pe$group <- 1L
    pe$group_label <- if (is.null(group)) "1" else lavInspect(f, "group.label")[pe$group]
    fm <- as.list(fitMeasures(f, keys))
    names(fm) <- gsub(".", "_", names(fm), fixed = TRUE)
    list(parameters = pe[, c("lhs", "op", "rhs", "group_label", "est", "se", "std.all")], fit = fm)
  }
  g <- lavInspect(fit, "gamma")
  corrected <- NULL
  if (missing == "pairwise") corrected <- grab(pairwise_corrected(model, d, items, cluster, plain))
  out <- list(call = sprintf("cfa(model, data, ordered = items, estimator = 'WLSMV', cluster = '%s', group = %s, missing = '%s')",
                             cluster, if (is.null(group)) "NULL" else paste0("'", group, "'"), missing),
              lavaan = as.character(packageVersion("lavaan", lib.loc = if (nzchar(lib)) lib else NULL)),
              model = model, items = items, cluster = cluster, group = group, missing = missing,
              se = lavInspect(fit, "options")$se, test = lavInspect(fit, "options")$test,
              nobs = as.list(lavInspect(fit, "nobs")),
              nclusters = as.list(sapply(seq_len(lavInspect(fit, "ngroups")), function(k) fit@Data@Lp[[k]]$nclusters[[2]])),
              group_labels = if (is.null(group)) list("1") else lavInspect(fit, "group.label"),
              gamma = if (is.list(g)) lapply(g, unname) else list(unname(g)),
              clustered = grab(fit), unclustered = grab(plain), clustered_corrected = corrected)
  path <- sprintf("tests/reference/cluster_wlsmv_%s.json", name)
  write_json(out, path, digits = NA, auto_unbox = TRUE, na = "null", matrix = "rowmajor")
  cat("wrote", path, "\n")
}

vpc <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
vpc[vpc == -99 | vpc == -98] <- NA
vpc$loc <- ifelse(vpc$loc == 1, "rural", "urban")
eraut <- c("con01", "con02", "con03", "con04", "chl01", "chl02", "chl03", "chl04", "sup01", "sup02", "sup03", "sup04")
eraut_model <- paste("confidence =~ con01 + con02 + con03 + con04", "challenge =~ chl01 + chl02 + chl03 + chl04",
                     "support =~ sup01 + sup02 + sup03 + sup04", sep = "\n")
ref("vpc_eraut_school", eraut_model, vpc, eraut, "school")
ref("vpc_eraut_school_loc", eraut_model, vpc, eraut, "school", group = "loc")
ref("vpc_eraut_school_pairwise", eraut_model, vpc, eraut, "school", missing = "pairwise")

# a public data set: lavaan's Demo.twolevel (200 clusters), y1-y6 cut into 4 ordered categories
dt <- Demo.twolevel
ys <- paste0("y", 1:6)
for (v in ys) dt[[v]] <- cut(dt[[v]], quantile(dt[[v]], c(0, .2, .5, .8, 1)), include.lowest = TRUE, labels = FALSE)
write.csv(dt[, c("cluster", ys)], "tests/reference/data/demo_twolevel_ordinal.csv", row.names = FALSE)
ref("demo_ordinal", "f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6", dt, ys, "cluster")

# the Wu and Estabrook (2016) invariance sequence by location, teachers clustered in schools, as
# semTools::measEq.syntax (ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016"); lavTestLRT's default
# difference test (satorra.2000) between consecutive steps
suppressPackageStartupMessages(library(semTools))
ord_equal <- list(configural = "", thresholds = "thresholds", metric = c("thresholds", "loadings"),
                  scalar = c("thresholds", "loadings", "intercepts"))
vo <- na.omit(vpc[, c(eraut, "loc", "school")])
fits <- lapply(ord_equal, function(e) {
  syn <- measEq.syntax(eraut_model, data = vo, ordered = eraut, group = "loc", parameterization = "delta",
                       ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal = e, return.fit = FALSE)
  lavaan::cfa(as.character(syn), data = vo, ordered = eraut, group = "loc", estimator = "WLSMV", cluster = "school")
})
steps <- lapply(names(fits), function(lv) {
  fm <- as.list(fitMeasures(fits[[lv]], keys))
  names(fm) <- gsub(".", "_", names(fm), fixed = TRUE)
  list(level = lv, fit = fm)
})
lrts <- lapply(2:length(fits), function(i) {
  t <- lavTestLRT(fits[[i - 1]], fits[[i]])
  list(level = names(fits)[i], chisq_diff = t[2, "Chisq diff"], df_diff = t[2, "Df diff"], pvalue = t[2, "Pr(>Chisq)"])
})
out <- list(call = paste("cfa(as.character(measEq.syntax(model, data, ordered = items, group = 'loc', ID.fac = 'std.lv',",
                         "ID.cat = 'Wu.Estabrook.2016', group.equal = ...)), ordered = items, estimator = 'WLSMV',",
                         "cluster = 'school'); lavTestLRT(previous, this)"),
            lavaan = as.character(packageVersion("lavaan", lib.loc = if (nzchar(lib)) lib else NULL)),
            semtools = as.character(packageVersion("semTools")), model = eraut_model, items = eraut, group = "loc",
            cluster = "school", nobs = lavInspect(fits[[1]], "nobs"), steps = steps, lrt = lrts)
write_json(out, "tests/reference/cluster_wlsmv_invariance_vpc_loc_school.json", digits = NA, auto_unbox = TRUE, na = "null")
cat("wrote tests/reference/cluster_wlsmv_invariance_vpc_loc_school.json\n")
