"""Time the README's main job (the report on the example data) end to end, as a user runs it.

Issue 15's target: under 30 s on 2 cores, progress shown. Run from the repository root:

    .venv/bin/python benchmarks/bench_report.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    exe = Path(sys.executable).with_name("psychometrics")
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(exe), "report", "data/vpc_teachers_example.csv", "--instrument", "vpc_teachers", "--model",
               "analyses/models/vpc_triangle.lav", "--cluster", "school", "--groups", "loc,response_language", "--efa",
               "confidence,challenge,support", "--out", f"{tmp}/report.html", "--quiet"]
        for _ in range(args.rounds):
            t = time.perf_counter()
            subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
            times.append(time.perf_counter() - t)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"report on the example data ({cores} cores): " + ", ".join(f"{x:.1f}" for x in times)
          + f" s; best {min(times):.1f} s (target < 30 s)")


if __name__ == "__main__":
    main()
