"""The package's shape (issue "One package shape"): the folders follow the pipeline, no module
imports back up the pipeline in a cycle, no module is over 500 lines without a reason at its top,
and the old flat import paths still work."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "psychometrics"
STAGES = ["instruments", "responses", "scoring", "measurement", "sem", "inference", "reporting", "deploy", "simulate"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports, at module level or inside functions."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    tree = ast.parse(path.read_text())
    type_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                 and getattr(block.test, "id", None) == "TYPE_CHECKING" for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in type_only:  # annotations only, never imported at run time
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.startswith("psychometrics"):
                out.add(mod)
                out.update(f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("psychometrics"))
    return out


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PKG.rglob("*.py")}
    graph = {}
    for mod, path in files.items():
        graph[mod] = {m for m in _imports(path) if m in files and m != mod}
    return graph


def test_top_level_is_the_pipeline_not_a_flat_list():
    top = sorted(p.name for p in PKG.iterdir() if p.suffix == ".py")
    assert top == ["__init__.py", "__main__.py", "_callable.py", "_compat.py", "_frames.py", "_options.py", "_safety.py",
                   "_version.py", "cli.py", "exceptions.py"]
    assert all((PKG / s / "__init__.py").is_file() for s in STAGES)


def test_no_import_cycle_between_modules():
    """Imports inside functions count too: a lazy import that closes a cycle is still a cycle.
    A package's ``__init__`` re-exporting its own modules is not a cycle of modules."""
    graph = _graph()
    for mod in graph:  # a module importing its own package's __init__ only reaches siblings
        graph[mod] = {m for m in graph[mod] if not mod.startswith(m + ".")}
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        seen[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if seen.get(n) == 1:
                cycle = stack[stack.index(n):] + [n]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if n not in seen:
                visit(n)
        stack.pop()
        seen[m] = 2

    for m in sorted(graph):
        if m not in seen:
            visit(m)


def test_stages_import_only_earlier_stages():
    """Each stage imports earlier stages only, plus ``reporting`` for the result interface and
    measurement -> sem (CR and AVE are fitted as a CFA); sem -> measurement only for WLSMV's sample
    statistics (polychoric correlations and their asymptotic covariance); simulate -> sem (population
    models are parameter tables, power fits the analysis model); inference takes frames and knows no
    instrument. Definitions know nothing
    of data; deploy reads only instruments; the CLI may use anything."""
    allowed = {
        "instruments": set(),
        "responses": {"instruments", "reporting"},
        "scoring": {"instruments", "responses", "reporting"},
        "measurement": {"instruments", "responses", "scoring", "reporting", "sem"},
        "sem": {"responses", "reporting", "measurement"},
        "inference": {"reporting"},     # scale scores and context columns in, results out
        "reporting": {"instruments", "responses", "scoring", "measurement", "sem", "inference"},
        "deploy": {"instruments"},
        "simulate": {"sem", "responses", "reporting"},   # population models are parameter tables; power fits them
    }
    bad = []
    for mod, deps in _graph().items():
        parts = mod.split(".")
        if len(parts) < 2 or parts[1] not in allowed:
            continue
        for d in deps:
            stage = d.split(".")[1] if d.count(".") else None
            if stage in STAGES and stage != parts[1] and stage not in allowed[parts[1]]:
                bad.append(f"{mod} imports {d}")
            if parts[1] == "sem" and stage == "measurement" and mod != "psychometrics.sem.ordinal":
                bad.append(f"{mod} imports {d} (only sem.ordinal reads measurement's sample statistics)")
    assert not bad, "\n".join(sorted(bad))


def test_no_module_over_500_lines_without_a_reason():
    long = []
    for p in PKG.rglob("*.py"):
        text = p.read_text()
        if text.count("\n") > 500 and "Why this module is long:" not in text[:3000]:
            long.append(f"{p.relative_to(PKG)} ({text.count(chr(10))} lines)")
    assert not long, long


@pytest.mark.parametrize("old, new", [
    ("psychometrics.io", "psychometrics.responses.io"),
    ("psychometrics.validation", "psychometrics.responses.validation"),
    ("psychometrics.correlations", "psychometrics.measurement.correlations"),
    ("psychometrics.reliability", "psychometrics.measurement.reliability"),
    ("psychometrics.efa", "psychometrics.measurement.efa"),
    ("psychometrics.results", "psychometrics.reporting.summary"),
    ("psychometrics.export", "psychometrics.deploy"),
    ("psychometrics.export.xlsform", "psychometrics.deploy.xlsform"),
    ("psychometrics.export.imports", "psychometrics.responses.harmonize"),
    ("psychometrics.codebook", "psychometrics.deploy.codebook"),
    ("psychometrics.careless", "psychometrics.scoring.careless"),
])
def test_old_flat_import_paths_are_the_new_modules(old, new):
    assert importlib.import_module(old) is importlib.import_module(new)
    assert importlib.import_module(new).__spec__.name == new  # the alias did not rename the module


def test_old_from_imports_work():
    import psychometrics as pm
    from psychometrics.efa import efa
    from psychometrics.export import export
    from psychometrics.io import read_responses
    from psychometrics.reliability import reliability
    from psychometrics.scoring import score
    assert pm.efa.efa is efa and pm.read_responses is read_responses and pm.score is score
    assert callable(export) and callable(reliability)


def test_version_string_equals_pyproject_and_the_installed_metadata():
    import re
    from importlib.metadata import version

    from psychometrics._version import __version__

    text = (PKG.parent / "pyproject.toml").read_text()
    assert re.search(r'^version = "([^"]+)"', text, re.M).group(1) == __version__
    assert version("psychometrics") == __version__
