"""Parallel analysis with 100 simulated data sets, 26 five-point items, N = 500:
psychometrics vs psych::fa.parallel(n.iter = 100) side by side.

    python benchmarks/bench_parallel.py [--reps 3] [--no-r]

Target (issue 4): at least 5x faster than psych in the same run. Both compute component and
factor (one-factor minres) eigenvalues of the observed and of each simulated data set.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _common import median_time, reps_and_r, run_r

from psychometrics.measurement.efa import parallel_analysis


def make_data(n: int = 500, k: int = 26, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    F = rng.normal(size=(n, 4))
    X = np.column_stack([0.7 * F[:, j % 4] + 0.7 * rng.normal(size=n) for j in range(k)])
    return pd.DataFrame(np.searchsorted([-1.5, -0.5, 0.5, 1.5], X) + 1, columns=[f"i{j + 1:02d}" for j in range(k)])


def main() -> None:
    args = reps_and_r(3)
    df = make_data()
    R = df.corr().to_numpy()
    ours, pa = median_time(lambda: parallel_analysis(R, len(df), 100, progress=False, seed=1), args.reps)
    print(f"psychometrics parallel analysis, 100 simulations: median {ours * 1000:.0f} ms; suggests "
          f"{pa.suggested_factors} factors, {pa.suggested_components} components")
    if args.no_r:
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        df.to_csv(csv, index=False)
        script = (f"suppressMessages(library(psych)); d <- read.csv('{csv}'); set.seed(1); "
                  f"t <- numeric(); for (i in 1:{args.reps}) t[i] <- system.time(p <- fa.parallel(d, n.iter = 100, "
                  "plot = FALSE))[['elapsed']]; cat(median(t), p$nfact, p$ncomp)")
        out = run_r(script)
    r_time, nf, nc = float(out[-3]), out[-2], out[-1]
    print(f"psych::fa.parallel(n.iter = 100):               median {r_time * 1000:.0f} ms; suggests {nf} factors, "
          f"{nc} components")
    print(f"speed-up: {r_time / ours:.1f}x")


if __name__ == "__main__":
    main()
