"""The code is lint-clean (ruff, configured in pyproject.toml), so CI checks it with the tests."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_ruff_finds_nothing():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "psychometrics", "tests", "benchmarks", "analyses",
                        "data"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
