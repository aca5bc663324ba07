"""The triangle SEM (6 factors, 26 indicators, N = 500): psychometrics vs lavaan::sem side by side.

    python benchmarks/bench_sem.py [--reps 10] [--no-r]

Target (issue 5): at least 5x faster than lavaan per fit (measured there: 60-65 ms on 2 cores).
Prints the median time per fit of each and the largest difference of the estimates.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from psychometrics.sem import sem
from psychometrics.simulate import ordinal_items, simulate_latent

from _common import median_time, run_r

FACTORS = {"npc": 5, "ksse": 5, "support": 4, "challenge": 4, "sharing": 4, "receiving": 4}   # 26 indicators
MODEL = "\n".join([f"{f} =~ " + " + ".join(f"{f}{i}" for i in range(1, k + 1)) for f, k in FACTORS.items()] + [
    "ksse ~ support + challenge + npc", "sharing ~ ksse + npc + support", "receiving ~ npc + sharing + support"])


def make_data(n: int = 500, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    eta = simulate_latent(n, {"ksse": {"support": .35, "challenge": .25, "npc": .10},
                              "sharing": {"ksse": .45, "npc": .20, "support": .15},
                              "receiving": {"npc": .50, "sharing": .15, "support": .20}},
                          {("npc", "support"): .2, ("npc", "challenge"): .3, ("support", "challenge"): .4},
                          {"ksse": .75, "sharing": .65, "receiving": .6}, rng=rng)
    cols = {}
    for f, k in FACTORS.items():
        y = ordinal_items(eta[f], [0.7] * k, [-1.5, -0.5, 0.5, 1.5], rng)
        for i in range(k):
            cols[f"{f}{i + 1}"] = y[:, i]
    return pd.DataFrame(cols)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args()
    df = make_data()
    ours, res = median_time(lambda: sem(MODEL, df), args.reps)
    print(f"psychometrics.sem, triangle (26 indicators, N = 500): median {ours * 1000:.1f} ms per fit; "
          f"chi2 = {res.fit['chisq']:.4f}, df = {res.fit['df']}")
    if args.no_r:
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv, model, est = Path(tmp) / "d.csv", Path(tmp) / "m.lav", Path(tmp) / "est.csv"
        df.to_csv(csv, index=False)
        model.write_text(MODEL)
        script = (f"suppressMessages(library(lavaan)); d <- read.csv('{csv}'); m <- readLines('{model}'); "
                  "fit <- sem(m, d); t <- numeric(); "
                  f"for (i in 1:{args.reps}) t[i] <- system.time(fit <- sem(m, d))[['elapsed']]; "
                  f"write.csv(parameterEstimates(fit)[, c('lhs', 'op', 'rhs', 'est')], '{est}', row.names = FALSE); "
                  "cat(median(t), fitMeasures(fit, 'chisq'))")
        out = run_r(script)
        lav, chisq = float(out[-2]), float(out[-1])
        theirs = pd.read_csv(est)
    key = lambda r: (min(r.lhs, r.rhs), r.op, max(r.lhs, r.rhs)) if r.op == "~~" else (r.lhs, r.op, r.rhs)  # noqa: E731
    ours_est = {key(r): r.est for r in res.parameters.itertuples()}
    diff = max(abs(ours_est[key(r)] - r.est) for r in theirs.itertuples())
    print(f"lavaan::sem:                                          median {lav * 1000:.1f} ms per fit; chi2 = {chisq:.4f}")
    print(f"speed-up: {lav / ours:.2f}x (target 5x); largest |estimate difference|: {diff:.1e}")


if __name__ == "__main__":
    main()
