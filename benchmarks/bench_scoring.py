"""Scoring speed: 1,000,000 respondents x 40 items (4 scales of 10, 5-point, 2 reverse-keyed
items per scale, 2% missing), with validation and all careless-responding indices.

    python benchmarks/bench_scoring.py [--n 1000000] [--with-r]

--with-r also times psych::scoreItems(impute = "none") on the same data side by side (needs
Rscript with psych). Target (issue 2): seconds, not minutes.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import psychometrics
from psychometrics.scoring.score import score


def make_data(n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    f = rng.normal(size=(n, 4))
    cols, scales = {}, {}
    for s in range(4):
        keys = []
        for j in range(10):
            name = f"s{s}i{j}"
            rev = j in (3, 7)
            y = (-1 if rev else 1) * 0.7 * f[:, s] + 0.7 * rng.normal(size=n)
            x = np.searchsorted([-1.5, -0.5, 0.5, 1.5], y) + 1.0
            x[rng.random(n) < 0.02] = np.nan
            cols[name] = x
            keys.append(("-" if rev else "") + name)
        scales[f"scale{s}"] = keys
    df = pd.DataFrame({"id": np.arange(1, n + 1), **cols})
    return df, scales


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--with-r", action="store_true")
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    df, scales = make_data(args.n, rng)
    print(f"psychometrics {psychometrics.__version__}: {args.n:,} respondents x {df.shape[1] - 1} items")

    t = time.perf_counter()
    res = score(df, scales=scales, range=(1, 5), careless=False)
    t_plain = time.perf_counter() - t
    t = time.perf_counter()
    # r_crit .45: these items correlate about .5, so psychometric synonyms are computed too
    res = score(df, scales=scales, range=(1, 5), careless={"psychsyn": {"r_crit": 0.45}})
    t_all = time.perf_counter() - t
    assert len(res.scores) == args.n
    print(f"validate + score:                     {t_plain:6.2f} s")
    print(f"validate + score + careless indices:  {t_all:6.2f} s   ({res.meta['careless']['psychsyn_pairs']} synonym pairs)")

    if args.with_r:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.csv"
            df.to_csv(path, index=False)
            keys = ", ".join(f"{k} = c({', '.join(repr(x) for x in v)})" for k, v in scales.items())
            script = (f"suppressPackageStartupMessages(library(psych)); d <- read.csv('{path}'); "
                      f"keys <- list({keys}); items <- d[, -1]; "
                      "t <- system.time(s <- scoreItems(keys, items, impute = 'none', min = 1, max = 5))[['elapsed']]; "
                      "cat(t)")
            out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True)
            t_r = float(out.stdout.strip().split()[-1])
        print(f"psych::scoreItems(impute='none'):    {t_r:6.2f} s   (ratio R / ours, scores only: "
              f"{t_r / t_plain:.1f}x)")


if __name__ == "__main__":
    main()
