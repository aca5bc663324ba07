"""Shared pieces of the side-by-side benchmarks: timing and running R."""

from __future__ import annotations

import argparse
import subprocess
import time

import numpy as np


def repeat_times(fn, reps: int) -> tuple[list[float], object]:
    """Wall times of ``reps`` runs of ``fn()`` (after one warm-up run) and its last result."""
    result = fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return times, result


def median_time(fn, reps: int) -> tuple[float, object]:
    """Median wall time of ``fn()`` over ``reps`` runs (after one warm-up run) and its last result."""
    times, result = repeat_times(fn, reps)
    return float(np.median(times)), result


def run_r(script: str) -> list[str]:
    """Run an R script with Rscript; returns the words it printed on standard output."""
    return subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True).stdout.split()


def run_r_on(df, model: str, script: str) -> list[str]:
    """Run ``script`` with the data written to a CSV file and the model to a file, their paths in
    place of ``@CSV@`` and ``@MODEL@``; returns the words R printed."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        csv, path = Path(tmp) / "d.csv", Path(tmp) / "m.lav"
        df.to_csv(csv, index=False)
        path.write_text(model + "\n")
        return run_r(script.replace("@CSV@", str(csv)).replace("@MODEL@", str(path)))


def reps_and_r(reps: int) -> argparse.Namespace:
    """The common command line: ``--reps N`` (timed runs) and ``--no-r`` (skip the R side)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=reps)
    ap.add_argument("--no-r", action="store_true")
    return ap.parse_args()


class RSession:
    """One R process kept open: ``eval(code)`` runs one line of R and returns the words it printed.
    Benchmarks alternate short rounds of ours and R's in one session each, so a slow spell of a
    shared machine (they last seconds) hits both alike, without R's start-up in every round."""

    _LOOP = ('con <- file("stdin", open = "r"); '
             'while (length(line <- readLines(con, n = 1)) > 0) { '
             'out <- tryCatch(eval(parse(text = line), envir = globalenv()), '
             'error = function(e) paste("R-ERROR:", conditionMessage(e))); '
             'cat(out, "\\n"); cat("<<END>>\\n"); flush(stdout()) }')

    def __init__(self):
        self.proc = subprocess.Popen(["Rscript", "-e", self._LOOP], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)

    def eval(self, code: str) -> list[str]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(code.replace("\n", " ") + "\n")
        self.proc.stdin.flush()
        words: list[str] = []
        for line in self.proc.stdout:
            if line.strip() == "<<END>>":
                break
            words += line.split()
        else:
            raise RuntimeError("R ended before answering")
        if words and words[0] == "R-ERROR:":
            raise RuntimeError("R: " + " ".join(words[1:]))
        return words

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
