"""The triangle SEM (6 factors, 26 indicators, N = 500): psychometrics vs lavaan::sem side by side.

    python benchmarks/bench_sem.py [--reps 20] [--rounds 8] [--boot 1000] [--jobs -1] [--no-r]

Targets (issue 12): one fit at least 10x faster than lavaan's, and the 1000-draw bootstrap at
least 15x faster than lavaan's serial se = "bootstrap" on one process (and on every available
core by default). One R session stays open; --rounds rounds alternate --reps fits of ours with
--reps of lavaan's, each after one untimed warm-up fit (a slow spell of a shared machine lasts
seconds, so short alternating rounds put both programs through it alike). Prints the median time
per fit of each, the median of the rounds' ratios with their range, the largest difference of
the estimates, and the bootstrap times: ours on one process and on --jobs processes, lavaan's
with its default (serial) and with parallel = "multicore" on all cores. The first fits after the
other program has run are slower (cold caches), which weighs more on a 5 ms fit than on a 60 ms
one: with ``--reps 5`` the ratio comes out about a tenth lower than with 20."""

from __future__ import annotations

import argparse
import tempfile
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pandas as pd
from _common import RSession, repeat_times, run_r

from psychometrics.sem import sem
from psychometrics.simulate.latent import ordinal_items, simulate_latent

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
    ap.add_argument("--reps", type=int, default=20, help="fits per round and program")
    ap.add_argument("--rounds", type=int, default=8, help="rounds alternating ours and lavaan in one R session "
                                                           "(drift on a shared machine then hits both alike)")
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--boot", type=int, default=1000, help="bootstrap draws (0: skip the bootstrap part)")
    ap.add_argument("--jobs", type=int, default=-1, help="our worker processes for the bootstrap (-1: all cores)")
    args = ap.parse_args()
    df = make_data()
    ours_t: list[float] = []
    lav_t: list[float] = []
    ratios: list[float] = []
    theirs, chisq = None, float("nan")
    with tempfile.TemporaryDirectory() as tmp, (RSession() if not args.no_r else nullcontext()) as R:
        csv, model, est = Path(tmp) / "d.csv", Path(tmp) / "m.lav", Path(tmp) / "est.csv"
        df.to_csv(csv, index=False)
        model.write_text(MODEL)
        if R is not None:
            R.eval(f"suppressMessages(library(lavaan)); d <- read.csv('{csv}'); m <- readLines('{model}'); "
                   "fit <- sem(m, d); 0")
        for _ in range(max(args.rounds, 1)):
            times, res = repeat_times(lambda: sem(MODEL, df), args.reps)
            ours_t += times
            if R is not None:
                lav = [float(x) for x in R.eval(f"fit <- sem(m, d); sapply(1:{args.reps}, function(i) "
                                                "system.time(fit <- sem(m, d))[['elapsed']])")]
                lav_t += lav
                ratios.append(float(np.median(lav) / np.median(times)))
        if R is not None:
            chisq = float(R.eval("fitMeasures(fit, 'chisq')")[0])
            R.eval(f"write.csv(parameterEstimates(fit)[, c('lhs', 'op', 'rhs', 'est')], '{est}', row.names = FALSE); 0")
            theirs = pd.read_csv(est)
    ours = float(np.median(ours_t))
    print(f"psychometrics.sem, triangle (26 indicators, N = 500): median {ours * 1000:.1f} ms per fit "
          f"({len(ours_t)} fits); chi2 = {res.fit['chisq']:.4f}, df = {res.fit['df']}")
    if theirs is None or not ratios:
        return
    lav = float(np.median(lav_t))
    key = lambda r: (min(r.lhs, r.rhs), r.op, max(r.lhs, r.rhs)) if r.op == "~~" else (r.lhs, r.op, r.rhs)  # noqa: E731
    ours_est = {key(r): r.est for r in res.parameters.itertuples()}
    diff = max(abs(ours_est[key(r)] - r.est) for r in theirs.itertuples())
    print(f"lavaan::sem:                                          median {lav * 1000:.1f} ms per fit "
          f"({len(lav_t)} fits); chi2 = {chisq:.4f}")
    print(f"speed-up: {lav / ours:.2f}x (target 10x); median of the {len(ratios)} rounds' ratios "
          f"{np.median(ratios):.2f}x (range {min(ratios):.1f}-{max(ratios):.1f}); largest |estimate difference|: "
          f"{diff:.1e}")
    if args.boot:
        bootstrap(df, args.boot, args.jobs)


def bootstrap(df: pd.DataFrame, draws: int, jobs: int) -> None:
    import os
    import time

    cores = os.cpu_count() or 1
    t = time.perf_counter()
    sem(MODEL, df, bootstrap=draws, seed=1, progress=False, n_jobs=1)
    one = time.perf_counter() - t
    t = time.perf_counter()
    sem(MODEL, df, bootstrap=draws, seed=1, progress=False, n_jobs=jobs)
    many = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        csv, model = Path(tmp) / "d.csv", Path(tmp) / "m.lav"
        df.to_csv(csv, index=False)
        model.write_text(MODEL + "\n")
        script = (f"suppressMessages(library(lavaan)); d <- read.csv('{csv}'); m <- readLines('{model}'); set.seed(1); "
                  f"a <- system.time(sem(m, d, se = 'bootstrap', bootstrap = {draws}))[['elapsed']]; "
                  f"b <- system.time(sem(m, d, se = 'bootstrap', bootstrap = {draws}, parallel = 'multicore', "
                  f"ncpus = {cores}))[['elapsed']]; cat(a, b)")
        out = run_r(script)
    serial, par = float(out[-2]), float(out[-1])
    print(f"bootstrap, {draws} draws: psychometrics {one:.1f} s on 1 process, {many:.1f} s on "
          f"{cores if jobs == -1 else jobs}; lavaan se='bootstrap' {serial:.1f} s (default, serial), {par:.1f} s "
          f"(parallel='multicore', {cores} cores)")
    print(f"speed-up vs lavaan's default: {serial / many:.1f}x; process for process (target 15x on one): "
          f"{serial / one:.1f}x (1 vs 1), {par / many:.1f}x ({cores} vs {cores})")


if __name__ == "__main__":
    main()
