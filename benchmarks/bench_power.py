"""Monte Carlo power for the triangle SEM (6 factors, 26 indicators, N = 300): replications per
second of ``psychometrics.power`` on 1 and 2 local processes and on a local Dask cluster (a
scheduler and two one-thread workers on 127.0.0.1), side by side with a lavaan loop
(``simulateData`` + ``sem`` per replication, as simsem does) in the same run.

    python benchmarks/bench_power.py [--reps 200] [--r-reps 50] [--no-r] [--no-dask]

Target (issue 16): at least 10x lavaan's replications per second per core.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import run_r

import psychometrics as pm

FACTORS = {"npc": 5, "ksse": 5, "support": 4, "challenge": 4, "sharing": 4, "receiving": 4}
LOAD = 0.7
POP = "\n".join([f"{f} =~ " + " + ".join(f"{LOAD}*{f}{i}" for i in range(1, k + 1)) for f, k in FACTORS.items()] + [
    "ksse ~ 0.35*support + 0.25*challenge + 0.10*npc", "sharing ~ 0.45*ksse + 0.20*npc + 0.15*support",
    "receiving ~ 0.50*npc + 0.15*sharing + 0.20*support", "npc ~~ 0.2*support + 0.3*challenge",
    "support ~~ 0.4*challenge"])
N = 300


def ours(reps: int, **kw) -> float:
    t = time.perf_counter()
    pm.power(POP, n=[N], reps=reps, seed=1, progress=False, **kw)
    return reps / (time.perf_counter() - t)


def dask_rate(reps: int) -> float:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dask = str(Path(sys.executable).with_name("dask"))
    addr = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    procs += [subprocess.Popen([dask, "worker", addr, "--nthreads", "1", "--no-nanny", "--no-dashboard"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        from dask.distributed import Client

        with Client(addr, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            ours(10, scheduler=client)                           # workers import the package once
            return ours(reps, scheduler=client)
    finally:
        for p in procs:
            p.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--r-reps", type=int, default=50)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    one = ours(args.reps, workers=1)
    two = ours(args.reps, workers=2)
    print(f"psychometrics.power, triangle (26 indicators, N = {N}): {one:.1f} replications/s on 1 process, "
          f"{two:.1f} on 2")
    if not args.no_dask:
        print(f"  on a local Dask cluster (2 one-thread workers): {dask_rate(args.reps):.1f} replications/s")
    if args.no_r:
        return
    with tempfile.TemporaryDirectory() as tmp:
        pop = Path(tmp) / "pop.lav"
        pop.write_text(POP)
        fit = Path(tmp) / "fit.lav"
        fit.write_text(pm.simulate.analysis_syntax(POP))
        script = (f"suppressMessages(library(lavaan)); pop <- readLines('{pop}'); m <- readLines('{fit}'); set.seed(1); "
                  f"t <- system.time(for (r in 1:{args.r_reps}) {{ d <- simulateData(pop, sample.nobs = {N}); "
                  "fit <- sem(m, d); pe <- parameterEstimates(fit) })[['elapsed']]; "
                  f"cat({args.r_reps} / t)")
        lav = float(run_r(script)[-1])
    print(f"lavaan loop (simulateData + sem): {lav:.1f} replications/s on 1 process")
    print(f"per core: {one / lav:.1f}x (target 10x)")


if __name__ == "__main__":
    main()
