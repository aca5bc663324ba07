# Reference values from R for the test suite. Run from the repository root:
#   Rscript tests/reference/generate.R
# Writes tests/reference/*.json (full precision). Tests read the JSON; they never need R.
suppressPackageStartupMessages({library(psych); library(jsonlite)})

meta <- function(call) list(call = call, r_version = R.version.string,
                            packages = lapply(c(psych = "psych", lavaan = "lavaan", semTools = "semTools",
                                                boot = "boot"), function(p) as.character(packageVersion(p))))

# ---- scale scores: psych::scoreItems(keys, impute = "none") on the example data -------------------
d <- read.csv("data/vpc_teachers_example.csv", stringsAsFactors = FALSE)
d[d == -99 | d == -98] <- NA          # declared missing codes, as psychometrics does
spec <- fromJSON("tests/reference/vpc_keys.json", simplifyVector = FALSE)
scores <- list()
for (scale in names(spec$keys)) {
  keys <- unlist(spec$keys[[scale]])
  rng <- unlist(spec$range[[scale]])
  items <- sub("^-", "", keys)
  kl <- list(keys); names(kl) <- scale
  s <- scoreItems(kl, d[, items, drop = FALSE], impute = "none", min = rng[1], max = rng[2])
  scores[[scale]] <- as.numeric(s$scores[, 1])
}
out <- c(meta("psych::scoreItems(keys, x, impute = 'none', min = , max = ) per scale"),
         list(input = "data/vpc_teachers_example.csv (-99, -98 set to NA)", ids = d$id, scores = scores))
write_json(out, "tests/reference/score_items_vpc_example.json", digits = NA, auto_unbox = TRUE, na = "null")
cat("wrote tests/reference/score_items_vpc_example.json\n")

# ---- reliability: psych::alpha, Feldt CI, describe, compRelSEM omega, ordinal alpha/omega, HTMT ----
suppressPackageStartupMessages({library(lavaan); library(semTools); library(boot)})
reverse <- function(x, keys, lo, hi) {
  for (k in keys) if (startsWith(k, "-")) { v <- sub("^-", "", k); x[[v]] <- lo + hi - x[[v]] }
  x[, sub("^-", "", keys), drop = FALSE]
}
scale_ref <- function(x, name, ordinal) {
  xc <- na.omit(x)                                    # listwise, as psychometrics' default
  a <- psych::alpha(xc, warnings = FALSE)
  d <- psych::describe(xc)
  model <- paste0("f =~ ", paste(names(xc), collapse = " + "))
  fit <- lavaan::cfa(model, data = xc, std.lv = TRUE)
  out <- list(
    n = nrow(xc), k = ncol(xc), alpha = a$total$raw_alpha, alpha_std = a$total$std.alpha,
    lambda6 = a$total[["G6(smc)"]], average_r = a$total$average_r, median_r = a$total$median_r,
    signal_noise = a$total[["S/N"]], alpha_se = a$total$ase, mean = a$total$mean, sd = a$total$sd,
    feldt = as.numeric(c(a$feldt$lower.ci, a$feldt$upper.ci)),
    items = list(item = names(xc), r_drop = a$item.stats$r.drop, alpha_if_deleted = a$alpha.drop$raw_alpha,
                 mean = d$mean, sd = d$sd, skew = d$skew, kurtosis = d$kurtosis),
    omega_total = as.numeric(semTools::compRelSEM(fit)),
    pairwise = list(alpha = psych::alpha(x, warnings = FALSE)$total$raw_alpha,
                    alpha_std = psych::alpha(x, warnings = FALSE)$total$std.alpha,
                    r_drop = psych::alpha(x, warnings = FALSE)$item.stats$r.drop))
  if (ordinal) {
    rho <- unclass(lavaan::lavCor(xc, ordered = names(xc)))
    f1 <- psych::fa(rho, nfactors = 1, fm = "ml", n.obs = nrow(xc))
    out$polychoric <- rho
    out$alpha_ordinal <- psych::alpha(psych::polychoric(xc)$rho, warnings = FALSE)$total$raw_alpha
    out$omega_ordinal <- sum(f1$loadings)^2 / sum(rho)
  }
  out
}
reliability_ref <- function(file, keys, lo, hi, ordinal, boot_scale, omega_h = list(), composites = character()) {
  dat <- read.csv(file)
  dat[dat == -99 | dat == -98] <- NA   # declared missing codes of the example data
  res <- list()
  for (s in names(keys)) res[[s]] <- scale_ref(reverse(dat, keys[[s]], lo, hi), s, ordinal && !(s %in% composites))
  for (s in names(omega_h)) {              # omega hierarchical: psych::omega, Schmid-Leiman of minres + oblimin
    om <- suppressMessages(psych::omega(na.omit(reverse(dat, keys[[s]], lo, hi)), nfactors = omega_h[[s]],
                                        plot = FALSE))
    res[[s]]$omega_h <- om$omega_h
    res[[s]]$omega_h_factors <- omega_h[[s]]
  }
  # bootstrap percentile and BCa intervals of raw alpha for one scale
  xb <- na.omit(reverse(dat, keys[[boot_scale]], lo, hi))
  set.seed(20261122)
  raw_alpha <- function(d, i) {               # psych's raw_alpha formula: k/(k-1) (1 - tr C / sum C)
    C <- cov(d[i, , drop = FALSE]); k <- ncol(C); k / (k - 1) * (1 - sum(diag(C)) / sum(C))
  }
  stopifnot(abs(raw_alpha(xb, seq_len(nrow(xb))) - res[[boot_scale]]$alpha) < 1e-12)
  b <- boot::boot(xb, raw_alpha, R = 2000)
  bc <- boot::boot.ci(b, type = c("perc", "bca"), L = boot::empinf(b, type = "jack"))
  res[[boot_scale]]$bootstrap <- list(R = 2000, perc = bc$percent[4:5], bca = bc$bca[4:5])
  hkeys <- keys[setdiff(names(keys), composites)]   # HTMT among the non-overlapping scales
  allkeys <- unlist(hkeys)
  model <- paste(sapply(names(hkeys), function(s) paste0(s, " =~ ", paste(sub("^-", "", hkeys[[s]]), collapse = " + "))),
                 collapse = "\n")
  ht <- semTools::htmt(model, data = dat[, sub("^-", "", allkeys)], missing = "listwise")  # htmt2 = TRUE by default
  # measurement model of the same scales (reverse-keyed items recoded): CR, AVE, factor correlations
  mm <- lavaan::cfa(model, data = na.omit(reverse(dat, allkeys, lo, hi)), std.lv = TRUE)
  measurement <- list(scales = names(hkeys), cr = as.numeric(semTools::compRelSEM(mm)),
                      ave = as.numeric(semTools::AVE(mm)), phi = unclass(lavaan::lavInspect(mm, "cor.lv")),
                      chisq = as.numeric(lavaan::fitMeasures(mm, "chisq")))
  c(meta(paste("psych::alpha, psych::describe, semTools::compRelSEM(cfa(std.lv = TRUE)),",
               "psych::alpha(psych::polychoric(x)$rho), lavaan::lavCor(ordered), psych::fa(fm = 'ml'),",
               "boot::boot.ci(perc, bca), semTools::htmt; listwise unless 'pairwise'")),
    list(input = file, range = c(lo, hi), keys = keys, scales = res,
         htmt = list(scales = names(hkeys), matrix = unclass(ht)), measurement = measurement))
}
bfi_keys <- list(A = c("-A1", "A2", "A3", "A4", "A5"), C = c("C1", "C2", "C3", "-C4", "-C5"),
                 E = c("-E1", "-E2", "E3", "E4", "E5"), N = c("N1", "N2", "N3", "N4", "N5"),
                 O = c("O1", "-O2", "O3", "O4", "-O5"))
bfi_keys$bfi <- unlist(bfi_keys, use.names = FALSE)
write_json(reliability_ref("tests/reference/data/bfi.csv", bfi_keys, 1, 6, TRUE, "A", list(bfi = 5), "bfi"),
           "tests/reference/reliability_bfi.json", digits = NA, auto_unbox = TRUE, na = "null")
vpc_keys <- list(npc = c("npc01", "npc02", "-npc03", "npc04", "npc05", "npc06", "npc07", "-npc08"),
                 ksse = paste0("kse0", 1:7), support = paste0("sup0", 1:4))
write_json(reliability_ref("data/vpc_teachers_example.csv", vpc_keys, 1, 5, TRUE, "npc", list(npc = 2)),
           "tests/reference/reliability_vpc_example.json", digits = NA, auto_unbox = TRUE, na = "null")
hs_keys <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))
hs_keys$hs <- unlist(hs_keys, use.names = FALSE)
write_json(reliability_ref("tests/reference/data/holzinger_swineford.csv", hs_keys, 0, 10, FALSE, "visual",
                           list(hs = 3), "hs"),
           "tests/reference/reliability_holzinger_swineford.json", digits = NA, auto_unbox = TRUE, na = "null")
cat("wrote tests/reference/reliability_*.json\n")

# ---- mixed polychoric / polyserial / Pearson matrix: lavaan::lavCor with some variables ordered ----
d <- read.csv("data/vpc_teachers_example.csv")
d[d == -99 | d == -98] <- NA
mixed <- na.omit(d[, c("yrs", "ngrp", "kse01", "kse02", "kse03", "npc03")])
rho <- lavaan::lavCor(mixed, ordered = c("kse01", "kse02", "kse03", "npc03"))
write_json(c(meta("lavaan::lavCor(x, ordered = c('kse01', 'kse02', 'kse03', 'npc03')): yrs, ngrp continuous"),
             list(input = "data/vpc_teachers_example.csv (-99, -98 set to NA; listwise)", items = names(mixed),
                  n = nrow(mixed), rho = unclass(rho))),
           "tests/reference/polychoric_mixed_vpc_example.json", digits = NA, auto_unbox = TRUE, na = "null")
cat("wrote tests/reference/polychoric_mixed_vpc_example.json\n")

# ---- exploratory factor analysis: psych::fa, KMO, cortest.bartlett, fa.parallel, VSS (MAP), scores ----
suppressPackageStartupMessages(library(GPArotation))
efa_ref <- function(file, cols, nfactors) {
  x <- read.csv(file)[, cols]
  r <- cor(x, use = "pairwise")
  fits <- list()
  for (fm in c("minres", "ml", "pa")) for (rot in c("oblimin", "promax", "varimax", "geominQ")) {
    f <- psych::fa(x, nfactors = nfactors, fm = fm, rotate = rot, warnings = FALSE)
    fits[[paste(fm, rot, sep = "_")]] <- list(
      loadings = unclass(f$loadings), phi = if (is.null(f$Phi)) diag(nfactors) else unclass(f$Phi),
      communalities = as.numeric(f$communality), values = as.numeric(f$values))
  }
  f <- psych::fa(x, nfactors = nfactors, fm = "minres", rotate = "oblimin", warnings = FALSE)
  complete <- head(na.omit(x), 200)      # scores of the first 200 complete rows keep the file small
  # weights from the analysed (pairwise) correlation matrix, as fa(scores = ) does for the full data
  sc <- list(regression = unclass(psych::factor.scores(complete, f, method = "Thurstone", rho = r)$scores),
             bartlett = unclass(psych::factor.scores(complete, f, method = "Bartlett", rho = r)$scores))
  k <- psych::KMO(r)
  b <- psych::cortest.bartlett(r, n = nrow(x))
  set.seed(20261122)
  pa <- psych::fa.parallel(x, n.iter = 20, plot = FALSE)
  map <- psych::VSS(r, n = 8, plot = FALSE, n.obs = nrow(x))$map
  fp <- if (file == "tests/reference/data/bfi.csv")    # ordinal items only
    psych::fa(x, nfactors = nfactors, fm = "minres", rotate = "oblimin", cor = "poly", warnings = FALSE) else NULL
  poly <- if (is.null(fp)) NULL else
    list(loadings = unclass(fp$loadings), phi = unclass(fp$Phi), communalities = as.numeric(fp$communality))
  c(meta(paste("psych::fa(x, nfactors, fm, rotate) (pairwise correlations; and cor = 'poly'), psych::KMO, psych::cortest.bartlett,",
               "psych::fa.parallel(n.iter = 20), psych::VSS()$map, psych::factor.scores (complete rows)")),
    list(input = file, items = cols, n = nrow(x), nfactors = nfactors, fits = fits,
         polychoric_minres_oblimin = if (file == "tests/reference/data/bfi.csv") poly else NULL,
         kmo = list(overall = k$MSA, items = as.numeric(k$MSAi)),
         bartlett = list(chisq = b$chisq, df = b$df, p = b$p.value),
         parallel = list(nfact = pa$nfact, ncomp = pa$ncomp, fa_values = pa$fa.values, pc_values = pa$pc.values),
         map = as.numeric(map), map_suggested = which.min(map),
         scores = sc, complete_rows = as.integer(rownames(complete))))
}
write_json(efa_ref("tests/reference/data/bfi.csv", names(read.csv("tests/reference/data/bfi.csv")), 5),
           "tests/reference/efa_bfi.json", digits = NA, auto_unbox = TRUE, na = "null")
write_json(efa_ref("tests/reference/data/holzinger_swineford.csv", paste0("x", 1:9), 3),
           "tests/reference/efa_holzinger_swineford.json", digits = NA, auto_unbox = TRUE, na = "null")
cat("wrote tests/reference/efa_*.json\n")

# ---- target rotation: GPArotation::targetQ on psych's unrotated minres loadings (partially specified target) ----
hs <- read.csv("tests/reference/data/holzinger_swineford.csv")[, paste0("x", 1:9)]
L0 <- unclass(psych::fa(hs, nfactors = 3, fm = "minres", rotate = "none", warnings = FALSE)$loadings)
target <- matrix(NA, 9, 3); target[4:9, 1] <- 0; target[c(1:3, 7:9), 2] <- 0; target[1:6, 3] <- 0
tq <- GPArotation::targetQ(L0, Target = target)
write_json(c(meta("GPArotation::targetQ(psych::fa(x, 3, fm = 'minres', rotate = 'none')$loadings, Target)"),
             list(input = "tests/reference/data/holzinger_swineford.csv", target = target,
                  loadings = unclass(tq$loadings), phi = unclass(tq$Phi))),
           "tests/reference/target_holzinger_swineford.json", digits = NA, auto_unbox = TRUE, na = "null")
cat("wrote tests/reference/target_holzinger_swineford.json\n")

# ---- SEM: lavaan cfa()/sem(), ML, parameterEstimates(standardized), fitMeasures --------------------
sem_ref <- function(name, model, data, fun = lavaan::sem, ...) {
  fit <- fun(model, data = data, ...)
  pe <- lavaan::parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)
  if (!"label" %in% names(pe)) pe$label <- ""
  if (!"group" %in% names(pe)) pe$group <- 1L
  fm <- lavaan::fitMeasures(fit)
  mi <- tryCatch(lavaan::modindices(fit), error = function(e) NULL)
  if (!is.null(mi)) {
    if (!"group" %in% names(mi)) mi$group <- 1L
    mi <- mi[, c("lhs", "op", "rhs", "group", "mi", "epc")]
  }
  opts <- lavaan::lavInspect(fit, "options")
  ss <- lavaan::standardizedSolution(fit, type = "std.all")
  if (!"group" %in% names(ss)) ss$group <- 1L
  out <- c(meta(paste0("lavaan::", deparse(substitute(fun))[1], "(model, data, ...); parameterEstimates(",
                       "standardized = TRUE, rsquare = TRUE); fitMeasures")),
           list(model = model, args = list(...), nobs = lavaan::lavInspect(fit, "nobs"),
                group_labels = lavaan::lavInspect(fit, "group.label"),
                options = opts[c("estimator", "information", "se", "test", "missing", "meanstructure")],
                fit = setNames(as.list(as.numeric(fm)), gsub("\\.", "_", names(fm))),
                parameters = pe[, c("lhs", "op", "rhs", "group", "label", "est", "se", "std.lv", "std.all")],
                modindices = mi,
                std_all = ss[, c("lhs", "op", "rhs", "group", "est.std", "se")]))
  write_json(out, paste0("tests/reference/sem_", name, ".json"), digits = NA, auto_unbox = TRUE, na = "null")
}
hs <- read.csv("tests/reference/data/holzinger_swineford.csv")
sem_ref("holzinger_swineford_cfa", "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
        hs, lavaan::cfa)
sem_ref("holzinger_swineford_cfa_stdlv", "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
        hs, lavaan::cfa, std.lv = TRUE)
pd <- read.csv("tests/reference/data/political_democracy.csv")
sem_ref("political_democracy", paste(
  "ind60 =~ x1 + x2 + x3",
  "dem60 =~ y1 + a*y2 + b*y3 + c*y4",
  "dem65 =~ y5 + a*y6 + b*y7 + c*y8",
  "dem60 ~ d1*ind60",
  "dem65 ~ d2*ind60 + d3*dem60",
  "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7", "y4 ~~ y8", "y6 ~~ y8",
  "indirect := d1*d3", "total := d2 + d1*d3", sep = "\n"), pd)
vpc <- read.csv("data/vpc_teachers_example.csv")
vpc[vpc == -99 | vpc == -98] <- NA
triangle <- paste(
  "npc =~ npc01 + npc02 + npc03 + npc04 + npc05 + npc06 + npc07 + npc08",
  "ksse =~ kse01 + kse02 + kse03 + kse04 + kse05 + kse06 + kse07",
  "support =~ sup01 + sup02 + sup03 + sup04",
  "challenge =~ chl01 + chl02 + chl03 + chl04",
  "sharing =~ shr01 + shr02 + shr03 + shr04 + shr05 + shr06",
  "receiving =~ rcv01 + rcv02 + rcv03 + rcv04 + rcv05",
  "ksse ~ a1*support + a2*challenge + npc",
  "sharing ~ b1*ksse + npc + support",
  "receiving ~ npc + sharing + support",
  "ind_support := a1*b1", sep = "\n")
sem_ref("triangle_vpc_example", triangle, vpc)
cat("wrote tests/reference/sem_*.json\n")
# auto.cov.y: with receiving no longer predicted by sharing, both are pure outcomes and lavaan frees
# the covariance of their residuals
sem_ref("triangle_pure_outcomes_vpc_example", sub("receiving ~ npc + sharing + support", "receiving ~ npc + support",
                                                 triangle, fixed = TRUE), vpc)
cat("wrote tests/reference/sem_triangle_pure_outcomes_vpc_example.json\n")

# ---- bootstrap: lavaan se = "bootstrap" (1000 draws), percentile and bias-corrected (bca.simple) ----
pdm <- paste("ind60 =~ x1 + x2 + x3", "dem60 =~ y1 + a*y2 + b*y3 + c*y4", "dem65 =~ y5 + a*y6 + b*y7 + c*y8",
             "dem60 ~ d1*ind60", "dem65 ~ d2*ind60 + d3*dem60",
             "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7", "y4 ~~ y8", "y6 ~~ y8",
             "indirect := d1*d3", "total := d2 + d1*d3", sep = "\n")
set.seed(20261122)
fb <- lavaan::sem(pdm, data = pd, se = "bootstrap", bootstrap = 1000)
perc <- lavaan::parameterEstimates(fb, boot.ci.type = "perc")
bc <- lavaan::parameterEstimates(fb, boot.ci.type = "bca.simple")
write_json(c(meta("lavaan::sem(model, data, se = 'bootstrap', bootstrap = 1000); parameterEstimates(boot.ci.type = 'perc' / 'bca.simple')"),
             list(model = pdm, R = 1000,
                  perc = perc[, c("lhs", "op", "rhs", "est", "se", "ci.lower", "ci.upper")],
                  bc = bc[, c("lhs", "op", "rhs", "ci.lower", "ci.upper")])),
           "tests/reference/sem_bootstrap_political_democracy.json", digits = NA, auto_unbox = TRUE, na = "null")
cat("wrote tests/reference/sem_bootstrap_political_democracy.json\n")

# ---- issue 5, second part: MLR, FIML, two groups, GLS, ULS, Bollen-Stine ---------------------------
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
sem_ref("holzinger_swineford_cfa_mlr", hs_model, hs, lavaan::cfa, estimator = "MLR")
sem_ref("political_democracy_mlr", pdm, pd, estimator = "MLR")
sem_ref("holzinger_swineford_cfa_gls", hs_model, hs, lavaan::cfa, estimator = "GLS")
sem_ref("holzinger_swineford_cfa_uls", hs_model, hs, lavaan::cfa, estimator = "ULS")
hsm <- read.csv("tests/reference/data/holzinger_swineford_missing.csv")   # made by tests/reference/make_hs_data.R
sem_ref("holzinger_swineford_fiml", hs_model, hsm, lavaan::cfa, missing = "fiml")
sem_ref("political_democracy_fiml_complete", pdm, pd, missing = "fiml")
sem_ref("holzinger_swineford_fiml_mlr", hs_model, hsm, lavaan::cfa, missing = "fiml", estimator = "MLR")
sem_ref("holzinger_swineford_fiml_mlr_two_group", hs_model, hsm, lavaan::cfa, missing = "fiml", estimator = "MLR",
        group = "school", group.equal = "loadings")
hsf <- read.csv("tests/reference/data/holzinger_swineford_full.csv")
sem_ref("holzinger_swineford_two_group", hs_model, hsf, lavaan::cfa, group = "school")
sem_ref("holzinger_swineford_two_group_metric", hs_model, hsf, lavaan::cfa, group = "school",
        group.equal = "loadings")
sem_ref("holzinger_swineford_two_group_scalar_partial", paste(hs_model, "x1 ~~ x4", sep = "\n"), hsf, lavaan::cfa,
        group = "school", group.equal = c("loadings", "intercepts", "residuals"), group.partial = c("x3~1", "x7~~x7"))
sem_ref("holzinger_swineford_two_group_labels", paste(
  "visual =~ x1 + c(v2, v2)*x2 + c(v3a, v3b)*x3", "textual =~ x4 + x5 + x6", "speed =~ x7 + x8 + x9",
  "diff := v3a - v3b", sep = "\n"), hsf, lavaan::cfa, group = "school", estimator = "MLR")
cat("wrote tests/reference/sem_* (MLR, GLS, ULS, FIML, groups)\n")

# Bollen-Stine: the bootstrapped chi-squares and the p-value (share of draws above the observed one)
bollen_stine_ref <- function(name, label, model, fit) {
  bs <- lavaan::bootstrapLavaan(fit, R = 1000, type = "bollen.stine", FUN = lavaan::fitMeasures, fit.measures = "chisq")
  chisq <- as.numeric(lavaan::fitMeasures(fit, "chisq"))
  write_json(c(meta(paste0("lavaan::bootstrapLavaan(", label, ", R = 1000, type = 'bollen.stine', FUN = fitMeasures, 'chisq')")),
               list(model = model, R = 1000, chisq = chisq, pvalue = mean(bs[, 1] > chisq), draws = as.numeric(bs[, 1]))),
             paste0("tests/reference/sem_bollen_stine_", name, ".json"), digits = NA, auto_unbox = TRUE, na = "null")
  cat(paste0("wrote tests/reference/sem_bollen_stine_", name, ".json\n"))
}
set.seed(20261122)
fit <- lavaan::cfa(hs_model, data = hs)
bollen_stine_ref("holzinger_swineford", "cfa(HS)", hs_model, fit)
set.seed(20261123)
fit <- lavaan::sem(pdm, data = pd)
bollen_stine_ref("political_democracy", "sem(PoliticalDemocracy)", pdm, fit)

# ---- constraints beyond shared labels: linear and nonlinear equalities, active and inactive bounds ----
sem_ref("holzinger_swineford_constraint_linear", paste(
  "visual =~ x1 + x2 + x3", "textual =~ x4 + l5*x5 + l6*x6", "speed =~ x7 + x8 + x9", "l5 + l6 == 2.2",
  sep = "\n"), hs, lavaan::cfa)
sem_ref("holzinger_swineford_constraint_linear_mlr", paste(
  "visual =~ x1 + x2 + x3", "textual =~ x4 + l5*x5 + l6*x6", "speed =~ x7 + x8 + x9", "l5 + l6 == 2.2",
  sep = "\n"), hs, lavaan::cfa, estimator = "MLR")
sem_ref("holzinger_swineford_constraint_nonlinear", paste(
  "visual =~ x1 + a*x2 + b*x3", "textual =~ x4 + x5 + x6", "speed =~ x7 + x8 + x9", "b == a^2 + 0.2",
  sep = "\n"), hs, lavaan::cfa)
sem_ref("holzinger_swineford_inequality_active", paste(
  "visual =~ x1 + x2 + x3", "textual =~ x4 + x5 + x6", "speed =~ x7 + x8 + x9", "x2 ~~ v2*x2", "v2 > 1.3",
  sep = "\n"), hs, lavaan::cfa)
sem_ref("holzinger_swineford_inequality_inactive", paste(
  "visual =~ x1 + x2 + x3", "textual =~ x4 + x5 + x6", "speed =~ x7 + x8 + x9", "x2 ~~ v2*x2", "v2 > 0",
  sep = "\n"), hs, lavaan::cfa)
# one restriction written twice (the second a multiple of the first): lavaan counts the rank of the
# constraints' Jacobian in df, so the second adds nothing
sem_ref("holzinger_swineford_constraint_redundant", paste(
  "visual =~ x1 + a*x2 + b*x3", "textual =~ x4 + x5 + x6", "speed =~ x7 + x8 + x9", "a + b == 1.6",
  "2*a + 2*b == 3.2", sep = "\n"), hs, lavaan::cfa)
cat("wrote tests/reference/sem_holzinger_swineford_constraint_* / inequality_*\n")

# ---- two groups, every group.equal kind at once (structural model with a residual covariance) ----
sem_ref("holzinger_swineford_two_group_all_equal", paste(
  "visual =~ x1 + x2 + x3", "textual =~ x4 + x5 + x6", "speed =~ x7 + x8 + x9", "speed ~ visual + textual",
  "x1 ~~ x4", sep = "\n"), hsf, lavaan::sem, group = "school",
  group.equal = c("loadings", "intercepts", "means", "residuals", "residual.covariances", "lv.variances",
                  "lv.covariances", "regressions"))
cat("wrote tests/reference/sem_holzinger_swineford_two_group_all_equal.json\n")
