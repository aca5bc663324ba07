"""A two-level CFA (6 indicators, one factor within and one between, 200 clusters of 10-30
teachers, about 4,000 rows): psychometrics.sem vs lavaan's sem(..., cluster =), side by side in
one run (each fit includes the saturated and baseline models and the SEs, as lavaan's does).

    python benchmarks/bench_twolevel.py [--reps 5] [--no-r]

Target (issue 14): at least 3x faster than lavaan.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from _common import median_time, reps_and_r, run_r_on

import psychometrics as pm

ITEMS = [f"y{i}" for i in range(1, 7)]
MODEL = f"level: 1\n fw =~ {' + '.join(ITEMS)}\nlevel: 2\n fb =~ {' + '.join(ITEMS)}"


def make_data(seed: int = 14) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(10, 31, size=200)
    codes = np.repeat(np.arange(200), sizes)
    lw = np.array([1.0, 0.8, 0.7, 0.9, 0.6, 0.75])
    lb = np.array([1.0, 0.9, 0.6, 0.8, 0.7, 0.5])
    fw = rng.normal(size=len(codes))
    fb = rng.normal(size=200)[codes] * np.sqrt(0.3)
    X = (fw[:, None] * lw + fb[:, None] * lb + rng.normal(size=(len(codes), 6)) * 0.7
         + rng.normal(size=(200, 6))[codes] * 0.15)
    return pd.DataFrame(X, columns=ITEMS).assign(school=codes + 1)


def main() -> None:
    args = reps_and_r(5)
    df = make_data()
    warnings.simplefilter("ignore")
    ours, res = median_time(lambda: pm.sem(MODEL, df, cluster="school"), args.reps)
    print(f"psychometrics.sem (two-level CFA, 6 indicators, 200 clusters, N = {len(df)}): median {ours * 1000:.0f} ms; "
          f"chi2 {res.fit['chisq']:.4f}, logl {res.fit['logl']:.4f}")
    if args.no_r:
        return
    script = ("suppressMessages(library(lavaan)); options(digits = 12); d <- read.csv('@CSV@'); m <- paste(readLines('@MODEL@'), "
              "collapse = '\\n'); run <- function() sem(m, d, cluster = 'school'); f <- run(); s <- numeric(); "
              f"for (i in 1:{args.reps}) s[i] <- system.time(f <- run())[['elapsed']]; "
              "cat(median(s), fitMeasures(f, 'chisq'), fitMeasures(f, 'logl'))")
    out = run_r_on(df, MODEL, script)
    lav = float(out[-3])
    print(f"lavaan sem(cluster = 'school'):                                     median {lav * 1000:.0f} ms; "
          f"chi2 {float(out[-2]):.4f}, logl {float(out[-1]):.4f}")
    print(f"speed-up: {lav / ours:.1f}x (target 3x)")


if __name__ == "__main__":
    main()
