"""Shared fixtures. Paths come from this file's location, never the working directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from psychometrics.instruments import InstrumentRegistry

ROOT = Path(__file__).resolve().parents[1]
INSTRUMENTS = ROOT / "instruments"
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def registry() -> InstrumentRegistry:
    return InstrumentRegistry([INSTRUMENTS])


@pytest.fixture(scope="session")
def battery(registry):
    return registry.get("vpc_teachers")


@pytest.fixture
def instruments_copy(tmp_path) -> Path:
    """A writable copy of the shipped instruments directory."""
    dest = tmp_path / "instruments"
    shutil.copytree(INSTRUMENTS, dest)
    return dest


@pytest.fixture(scope="session")
def example_df() -> pd.DataFrame:
    from psychometrics.responses.io import read_responses

    return read_responses(DATA / "vpc_teachers_example.csv")
