"""Snapshot tests of rendered summaries: every result kind in text, Markdown, LaTeX and HTML.

A change in what a summary shows (a column renamed, a header line lost, rounding, escaping) shows
up here as a diff. When the change is intended, review the diff and rewrite the snapshots:

    PSYCHOMETRICS_UPDATE_SNAPSHOTS=1 python -m pytest tests/reporting/test_snapshots.py

The package version and the checkout's path are masked, so a release or another machine does not
change them.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from psychometrics import __version__

from ..conftest import ROOT
from ._results import results

SNAPSHOTS = Path(__file__).with_name("snapshots")
KINDS = ["validation", "score", "reliability", "scale_reliability", "polychoric", "efa", "parallel", "sem", "report",
         "invariance"]
FORMATS = {"text": "txt", "md": "md", "latex": "tex", "html": "html"}


def _normalise(text: str) -> str:
    return text.replace(str(ROOT), "<root>").replace(f"psychometrics {__version__}", "psychometrics <version>")


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("kind", KINDS)
def test_rendered_summary_matches_snapshot(kind, fmt):
    rendered = _normalise(results()[kind].summary().render(fmt))
    path = SNAPSHOTS / f"{kind}.{FORMATS[fmt]}"
    if os.environ.get("PSYCHOMETRICS_UPDATE_SNAPSHOTS"):
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with PSYCHOMETRICS_UPDATE_SNAPSHOTS=1 and review it"
    expected = path.read_text(encoding="utf-8")
    if rendered != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), rendered.splitlines(True),
                                            f"{path.name} (snapshot)", f"{path.name} (now)", n=1))
        pytest.fail(f"{kind} {fmt} summary changed:\n{diff[:4000]}")
