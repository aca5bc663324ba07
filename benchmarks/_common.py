"""Shared pieces of the side-by-side benchmarks: timing and running R."""

from __future__ import annotations

import argparse
import subprocess
import time

import numpy as np


def median_time(fn, reps: int) -> tuple[float, object]:
    """Median wall time of ``fn()`` over ``reps`` runs (after one warm-up run) and its last result."""
    result = fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), result


def run_r(script: str) -> list[str]:
    """Run an R script with Rscript; returns the words it printed on standard output."""
    return subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True).stdout.split()


def reps_and_r(reps: int) -> argparse.Namespace:
    """The common command line: ``--reps N`` (timed runs) and ``--no-r`` (skip the R side)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=reps)
    ap.add_argument("--no-r", action="store_true")
    return ap.parse_args()
