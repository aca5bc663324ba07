"""Validate and score the bundled example data with the vpc_teachers battery.

Inputs:  data/vpc_teachers_example.csv, instruments/
Outputs: analyses/output/score_example/{scores.csv, problems.csv, summary.md, summary.txt}

Run:  python analyses/score_example.py
"""

from __future__ import annotations

from pathlib import Path

from psychometrics import InstrumentRegistry
from psychometrics.responses.io import read_responses, write_table
from psychometrics.scoring.score import score

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "analyses" / "output" / Path(__file__).stem


def main() -> None:
    battery = InstrumentRegistry([ROOT / "instruments"]).get("vpc_teachers")
    result = score(read_responses(ROOT / "data" / "vpc_teachers_example.csv"), battery)
    OUT.mkdir(parents=True, exist_ok=True)
    write_table(result.scores, OUT / "scores.csv")
    write_table(result.problems, OUT / "problems.csv")
    (OUT / "summary.md").write_text(result.summary().as_markdown(), encoding="utf-8")
    (OUT / "summary.txt").write_text(result.summary().as_text(), encoding="utf-8")
    print(result.summary())
    print(f"\nwritten to {OUT}")


if __name__ == "__main__":
    main()
