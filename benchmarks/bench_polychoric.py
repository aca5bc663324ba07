"""Polychoric matrix of 26 five-point items, N = 5000: psychometrics vs lavaan::lavCor side by side.

    python benchmarks/bench_polychoric.py [--reps 5] [--no-r]

Target (issue 12): at least 10x faster than lavCor(ordered = ) measured in the same run.
Needs Rscript with lavaan for the comparison; the agreement of the two matrices is printed too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _common import median_time, reps_and_r, run_r

from psychometrics.measurement.correlations import polychoric


def make_data(n: int = 5000, k: int = 26, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    F = rng.multivariate_normal(np.zeros(4), 0.3 + 0.7 * np.eye(4), size=n)
    cols = {}
    for j in range(k):
        y = 0.7 * F[:, j % 4] + np.sqrt(1 - 0.49) * rng.normal(size=n)
        cols[f"i{j + 1:02d}"] = np.searchsorted([-1.6, -0.6, 0.3, 1.2], y) + 1
    return pd.DataFrame(cols)


def main() -> None:
    args = reps_and_r(5)
    df = make_data()
    ours, res = median_time(lambda: polychoric(df), args.reps)
    print(f"psychometrics.polychoric, 26 items x N = 5000: median {ours * 1000:.0f} ms over {args.reps} runs")
    if args.no_r:
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv, out = Path(tmp) / "d.csv", Path(tmp) / "rho.csv"
        df.to_csv(csv, index=False)
        script = (f"suppressMessages(library(lavaan)); d <- read.csv('{csv}'); r <- lavCor(d, ordered = names(d)); "
                  f"t <- replicate({args.reps}, system.time(r <- lavCor(d, ordered = names(d)))[['elapsed']]); "
                  f"write.csv(unclass(r), '{out}', row.names = FALSE); cat(median(t))")
        lav = float(run_r(script)[-1])
        diff = np.abs(pd.read_csv(out).to_numpy() - res.rho.to_numpy()).max()
    print(f"lavaan::lavCor(ordered = ):                 median {lav * 1000:.0f} ms")
    print(f"speed-up: {lav / ours:.1f}x   (max |difference| of the matrices: {diff:.1e})")


if __name__ == "__main__":
    main()
