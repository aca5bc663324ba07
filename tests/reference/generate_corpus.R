# The lavaan corpus of the SEM engine: fits every model of sem_corpus_models.json with lavaan::sem()
# and writes sem_corpus.json (parameter tables, standardized solutions, fit measures, warnings and
# errors), and the random models of random_models.json with their free parameters and df.
# Run from the repository root:   Rscript tests/reference/generate_corpus.R
# Data: written once into tests/reference/data/ from the R packages that ship them.
suppressPackageStartupMessages({library(lavaan); library(psych); library(jsonlite)})

dir <- "tests/reference/data"
write_once <- function(d, file) {
  path <- file.path(dir, file)
  if (!file.exists(path)) { write.csv(d, path, row.names = FALSE); cat("wrote", path, "\n") }
}
write_once(lavaan::Demo.growth, "demo_growth.csv")
write_once(psych::sat.act, "sat_act.csv")
write_once(psych::bfi[, c(1:25, 26:28)], "bfi_full.csv")
write_once(datasets::mtcars, "mtcars.csv")
write_once(datasets::attitude, "attitude.csv")
write_once(datasets::swiss, "swiss.csv")
write_once(lavaan::FacialBurns, "facial_burns.csv")

files <- c(hs = "holzinger_swineford_full.csv", pd = "political_democracy.csv", growth = "demo_growth.csv",
           sat = "sat_act.csv", bfi = "bfi_full.csv", mtcars = "mtcars.csv", attitude = "attitude.csv",
           swiss = "swiss.csv", burns = "facial_burns.csv")
datasets <- lapply(files, function(f) read.csv(file.path(dir, f), stringsAsFactors = FALSE))

summary_args <- function(m) {
  # sample.cov (divisor N - 1), sample.nobs and sample.mean of the listed variables; groups in the
  # order of first appearance
  d <- datasets[[m$data]]
  vars <- unlist(m$summary$vars)
  if (!is.null(m$summary$group)) {
    g <- d[[m$summary$group]]
    lev <- unique(g)
    sub <- lapply(lev, function(l) na.omit(d[g == l, vars]))
    names(sub) <- lev
    return(list(sample.cov = lapply(sub, cov), sample.nobs = sapply(sub, nrow),
                sample.mean = lapply(sub, colMeans)))
  }
  x <- na.omit(d[, vars])
  out <- list(sample.cov = cov(x), sample.nobs = nrow(x))
  if (isTRUE(m$summary$means)) out$sample.mean <- colMeans(x)
  out
}

fit_one <- function(m) {
  input <- if (is.null(m$summary)) list(data = datasets[[m$data]]) else summary_args(m)
  args <- c(list(model = m$model), input, lapply(m$options, function(v) if (is.list(v)) unlist(v) else v))
  warns <- character(0)
  fit <- withCallingHandlers(
    tryCatch(do.call("sem", args), error = function(e) e),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  out <- list(name = m$name, warnings = warns)
  if (inherits(fit, "error")) return(c(out, list(error = conditionMessage(fit))))
  pt <- parTable(fit)
  pe <- parameterEstimates(fit, standardized = TRUE, remove.nonfree = FALSE)
  ss <- standardizedSolution(fit, type = "std.all")
  group <- if (is.null(pe$group)) rep(1L, nrow(pe)) else pe$group
  fm <- fitMeasures(fit)
  est <- if (is.null(m$options$estimator)) "ML" else m$options$estimator
  mi <- if (est %in% c("ML", "MLR")) tryCatch(modindices(fit), error = function(e) NULL) else NULL
  if (!is.null(mi) && nrow(mi) > 0) {
    mi <- list(lhs = mi$lhs, op = mi$op, rhs = mi$rhs, group = if (is.null(mi$group)) rep(1L, nrow(mi)) else mi$group,
               mi = mi$mi, epc = mi$epc, sepc_lv = mi$sepc.lv, sepc_all = mi$sepc.all)
  }
  extra <- list()
  if (isTRUE(m$predict)) {
    # factor scores (regression; Bartlett where lavaan defines it) and residuals
    idx <- lavInspect(fit, "case.idx")
    fs <- function(method) {
      r <- tryCatch(lavPredict(fit, method = method), error = function(e) NULL)
      if (is.null(r)) return(NULL)
      if (!is.list(r)) r <- list(r)
      unname(lapply(r, function(x) list(names = colnames(x), values = unname(as.matrix(x)))))
    }
    res <- lavResiduals(fit, type = "raw")
    if (lavInspect(fit, "ngroups") == 1) res <- list(res)
    extra <- list(case_idx = if (is.list(idx)) unname(idx) else list(idx), predict_regression = fs("regression"),
                  predict_bartlett = fs("Bartlett"),
                  residuals = unname(lapply(res, function(r) list(names = colnames(r$cov), cov = unname(r$cov),
                                                           cov_z = unname(r$cov.z),
                                                           mean = if (is.null(r$mean)) NULL else unname(r$mean),
                                                           mean_z = if (is.null(r$mean.z)) NULL else unname(r$mean.z)))))
  }
  c(out, extra, list(
    modindices = mi,
    converged = lavInspect(fit, "converged"),
    groups = if (lavInspect(fit, "ngroups") > 1) lavInspect(fit, "group.label") else "all",
    nobs = lavInspect(fit, "nobs"),
    npar = as.integer(fm[["npar"]]), df = as.numeric(fm[["df"]]),
    partable = list(lhs = pt$lhs, op = pt$op, rhs = pt$rhs, group = pt$group, free = pt$free, exo = pt$exo,
                    label = pt$label, plabel = pt$plabel, user = pt$user),
    estimates = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = group, est = pe$est, se = pe$se,
                     std_all = pe$std.all),
    std_se = list(lhs = ss$lhs, op = ss$op, rhs = ss$rhs, group = if (is.null(ss$group)) rep(1L, nrow(ss)) else ss$group,
                  se = ss$se),
    fit = as.list(fm)))
}

spec <- fromJSON("tests/reference/sem_corpus_models.json", simplifyVector = FALSE)
results <- lapply(c(spec$models, spec$refused), function(m) { cat(m$name, "\n"); fit_one(m) })
out <- list(call = "lavaan::sem(model, data, <options>); parTable, parameterEstimates(standardized = TRUE), standardizedSolution, fitMeasures",
            r_version = R.version.string, lavaan = as.character(packageVersion("lavaan")), models = results)
write_json(out, "tests/reference/sem_corpus.json", digits = NA, auto_unbox = TRUE, na = "null")
cat("wrote tests/reference/sem_corpus.json\n")

# ---- random models (property test): lavaan's number of free parameters and df ----
if (file.exists("tests/reference/random_models.json")) {
  rnd <- fromJSON("tests/reference/random_models.json", simplifyVector = FALSE)
  d <- datasets[[rnd$data]]
  ans <- lapply(rnd$models, function(m) {
    opts <- lapply(m$options, function(v) if (is.list(v)) unlist(v) else v)
    fit <- tryCatch(suppressWarnings(do.call("sem", c(list(model = m$model, data = d, do.fit = FALSE), opts))),
                    error = function(e) e)
    if (inherits(fit, "error")) return(list(model = m$model, error = conditionMessage(fit)))
    pt <- parTable(fit)
    # without fitting, equality constraints (== rows: shared labels, group.equal) are not yet
    # subtracted from the free parameters; fitMeasures() of a fitted model does subtract them
    neq <- sum(pt$op == "==")
    list(model = m$model, npar = as.integer(lavInspect(fit, "npar")) - neq,
         df = as.numeric(lavaan:::lav_partable_ndat(pt)) - (as.integer(lavInspect(fit, "npar")) - neq),
         free = paste(pt$lhs[pt$free > 0], pt$op[pt$free > 0], pt$rhs[pt$free > 0], pt$group[pt$free > 0]))
  })
  write_json(list(lavaan = as.character(packageVersion("lavaan")), data = rnd$data, models = ans),
             "tests/reference/random_models_lavaan.json", digits = NA, auto_unbox = TRUE, na = "null")
  cat("wrote tests/reference/random_models_lavaan.json\n")
}
