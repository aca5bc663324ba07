"""The ordinal invariance sequence (Wu and Estabrook, 2016: configural, thresholds, metric,
scalar) of the triangle measurement model (6 factors, 26 five-point items as ordered) in two
groups (N = 1000) under WLSMV: psychometrics.invariance(ordered=True) vs lavaan's four cfa() fits
of semTools::measEq.syntax plus lavTestLRT, side by side in one run.

    python benchmarks/bench_invariance_ordinal.py [--reps 3] [--no-r]

No target in the issue for this one (its 5x is for the continuous sequence, bench_invariance.py);
kept to watch the ordinal path. N = 1000 so that every group uses every category of every item.
"""

from __future__ import annotations

import warnings

import numpy as np
from _common import median_time, reps_and_r, run_r_on
from bench_invariance import MODEL
from bench_sem import make_data

from psychometrics.sem.invariance import invariance


def main() -> None:
    args = reps_and_r(3)
    df = make_data(n=1000)
    df["loc"] = np.where(np.arange(len(df)) % 2 == 0, "rural", "urban")
    warnings.simplefilter("ignore")
    ours, res = median_time(lambda: invariance(MODEL, df, group="loc", ordered=True), args.reps)
    diffs = [res.comparisons[lv]["lrt"]["chisq_diff"] for lv in ("thresholds", "metric", "scalar")]
    print(f"psychometrics.invariance WLSMV (4 steps, 26 items, 2 groups, N = 1000): median {ours * 1000:.0f} ms; "
          f"chi2 differences {', '.join(f'{x:.4f}' for x in diffs)}")
    if args.no_r:
        return
    script = ("suppressMessages({library(lavaan); library(semTools)}); d <- read.csv('@CSV@'); "
              "m <- paste(readLines('@MODEL@'), collapse = '\\n'); items <- setdiff(names(d), 'loc'); "
              "eq <- list('', 'thresholds', c('thresholds', 'loadings'), c('thresholds', 'loadings', 'intercepts')); "
              "run <- function() { f <- lapply(eq, function(e) cfa(as.character(measEq.syntax(m, data = d, "
              "ordered = items, group = 'loc', ID.fac = 'std.lv', ID.cat = 'Wu.Estabrook.2016', group.equal = e)), "
              "data = d, ordered = items, group = 'loc', estimator = 'WLSMV')); "
              "lavTestLRT(f[[1]], f[[2]], f[[3]], f[[4]]) }; t <- run(); s <- numeric(); "
              f"for (i in 1:{args.reps}) s[i] <- system.time(t <- run())[['elapsed']]; "
              "cat(median(s), t[2, 'Chisq diff'], t[3, 'Chisq diff'], t[4, 'Chisq diff'])")
    out = run_r_on(df, MODEL, script)
    lav = float(out[-4])
    print(f"lavaan (4 x cfa(measEq.syntax) + lavTestLRT):                              median {lav * 1000:.0f} ms; "
          f"chi2 differences {', '.join(f'{float(x):.4f}' for x in out[-3:])}")
    print(f"speed-up: {lav / ours:.1f}x")


if __name__ == "__main__":
    main()
