"""The README's Python section runs as written (from the repository root)."""

from __future__ import annotations

import os
import re
import warnings

from .conftest import ROOT


def test_readme_python_blocks_run_as_written(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has no Python section"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        namespace: dict = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for code in blocks:
                exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    finally:
        os.chdir(cwd)
    assert namespace["fit"].converged and len(namespace["fit"].predict()) == 640
