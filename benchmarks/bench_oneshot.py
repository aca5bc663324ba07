"""One-shot commands side by side with R: ``import psychometrics`` and ``psychometrics reliability``
on one scale against ``Rscript`` + ``psych::alpha`` on the same file (wall time of the whole
process, the median of ``--runs`` runs).

    python benchmarks/bench_oneshot.py [--runs 5] [--with-r]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BFI = ROOT / "tests" / "reference" / "data" / "bfi.csv"


def wall(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--with-r", action="store_true", help="also time Rscript + psych::alpha")
    args = ap.parse_args()
    t_import = wall([sys.executable, "-c", "import psychometrics"], args.runs)
    t_rel = wall([sys.executable, "-m", "psychometrics", "reliability", str(BFI), "--scale", "A=-A1,A2,A3,A4,A5",
                  "--range", "1,6"], args.runs)
    print(f"import psychometrics:                 {t_import:6.2f} s")
    print(f"psychometrics reliability (1 scale):  {t_rel:6.2f} s")
    if args.with_r:
        script = (f'suppressPackageStartupMessages(library(psych)); d <- read.csv("{BFI}"); '
                  'a <- alpha(d[, c("A1","A2","A3","A4","A5")], keys = c("A1")); cat(a$total$raw_alpha)')
        t_r = wall(["Rscript", "-e", script], args.runs)
        print(f"Rscript + psych::alpha (1 scale):     {t_r:6.2f} s   (ours / R: {t_rel / t_r:.1f}x)")


if __name__ == "__main__":
    main()
