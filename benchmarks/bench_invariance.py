"""The configural-metric-scalar sequence of the triangle measurement model (6 factors, 26
indicators) in two groups (N = 500): psychometrics.invariance vs lavaan's three cfa() fits plus
lavTestLRT, side by side in one run.

    python benchmarks/bench_invariance.py [--reps 5] [--no-r]

Target (issue 13): at least 5x faster than lavaan (about 0.6 s there on 2 cores).
"""

from __future__ import annotations

import warnings

import numpy as np
from _common import median_time, reps_and_r, run_r_on
from bench_sem import FACTORS, make_data

from psychometrics.sem.invariance import invariance

MODEL = "\n".join(f"{f} =~ " + " + ".join(f"{f}{i}" for i in range(1, k + 1)) for f, k in FACTORS.items())


def main() -> None:
    args = reps_and_r(5)
    df = make_data()
    df["loc"] = np.where(np.arange(len(df)) % 2 == 0, "rural", "urban")
    warnings.simplefilter("ignore")
    levels = "configural,metric,scalar"
    ours, res = median_time(lambda: invariance(MODEL, df, group="loc", levels=levels), args.reps)
    diffs = [res.comparisons[lv]["lrt"]["chisq_diff"] for lv in ("metric", "scalar")]
    print(f"psychometrics.invariance (3 steps, 26 indicators, 2 groups, N = 500): median {ours * 1000:.0f} ms; "
          f"chi2 differences {diffs[0]:.4f}, {diffs[1]:.4f}")
    if args.no_r:
        return
    script = (f"suppressMessages(library(lavaan)); d <- read.csv('@CSV@'); m <- readLines('@MODEL@'); "
              "run <- function() { f1 <- cfa(m, d, group = 'loc'); f2 <- cfa(m, d, group = 'loc', "
              "group.equal = 'loadings'); f3 <- cfa(m, d, group = 'loc', group.equal = c('loadings', "
              "'intercepts')); lavTestLRT(f1, f2, f3) }; t <- run(); s <- numeric(); "
              f"for (i in 1:{args.reps}) s[i] <- system.time(t <- run())[['elapsed']]; "
              "cat(median(s), t[2, 'Chisq diff'], t[3, 'Chisq diff'])")
    out = run_r_on(df, MODEL, script)
    lav = float(out[-3])
    print(f"lavaan (3 x cfa + lavTestLRT):                                       median {lav * 1000:.0f} ms; "
          f"chi2 differences {float(out[-2]):.4f}, {float(out[-1]):.4f}")
    print(f"speed-up: {lav / ours:.1f}x (target 5x)")


if __name__ == "__main__":
    main()
