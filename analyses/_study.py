"""What the numbered analyses share: the command line (a data file, default the bundled example),
the battery, the validated responses and the output folder analyses/output/NN_name/. No
statistics here: every number comes from the psychometrics library.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd

import psychometrics as pm
from psychometrics.responses.validation import validate_responses

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "analyses" / "models"
EXAMPLE = ROOT / "data" / "vpc_teachers_example.csv"


def setup(script: str, description: str):
    """Parse the command line; return (args, battery, raw data, validated data with context columns, output dir)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("data", nargs="?", default=str(EXAMPLE), help="responses (CSV, XLSX, SAV, DTA, parquet); "
                                                                  "default: the bundled example data")
    p.add_argument("--instrument", default="vpc_teachers", help="instrument or battery id (default vpc_teachers)")
    p.add_argument("--out", default=str(ROOT / "analyses" / "output" / Path(script).stem),
                   help="output folder (default analyses/output/<script name>)")
    p.add_argument("--seed", type=int, default=20261202)
    args = p.parse_args()
    battery = pm.InstrumentRegistry([ROOT / "instruments"]).get(args.instrument)
    raw = pm.read_responses(args.data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pm.InstrumentWarning)
        valid = validate_responses(raw, battery, on_invalid="missing", source=args.data)
    extra = [c for c in raw.columns if c not in valid.data.columns]
    data = pd.concat([valid.data.reset_index(drop=True), raw[extra].reset_index(drop=True)], axis=1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    return args, battery, raw, data, out


def model(name: str) -> str:
    return (MODELS / name).read_text(encoding="utf-8")


def done(out: Path) -> None:
    print(f"written to {out}: " + ", ".join(sorted(p.name for p in out.iterdir())))
