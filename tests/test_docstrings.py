"""Every public function of the curated API documents itself as pingouin does (issue "One package
shape"): numpydoc ``Parameters``, ``Returns`` and ``Examples`` sections (the examples run as
doctests), and the R call it matches or replaces; and it has explicit keyword parameters, not
``**kwargs`` hiding its signature."""

from __future__ import annotations

import inspect

import pytest

import psychometrics as pm
from psychometrics import deploy, instruments, responses
from psychometrics.measurement import efa as efa_module
from psychometrics.sem import partable

PUBLIC = {
    "score": pm.score, "reliability": pm.reliability.reliability, "polychoric": pm.polychoric,
    "efa": efa_module.efa, "cfa": pm.cfa, "sem": pm.sem.sem, "report": pm.report.build_report,
    "read_responses": pm.read_responses, "validate_responses": pm.validate_responses,
    "load_instrument": pm.load_instrument, "compose": instruments.compose,
    "adhoc_instrument": instruments.adhoc_instrument, "reverse_key": instruments.reverse_key,
    "leaf_scales": instruments.leaf_scales, "export": deploy.export, "data_fingerprint": responses.data_fingerprint,
    "parallel_analysis": efa_module.parallel_analysis, "velicer_map": efa_module.velicer_map,
    "kmo": efa_module.kmo, "bartlett": efa_module.bartlett, "partable.build": partable.build,
    "invariance": pm.invariance,
}
# functions that are not a statistic have no R counterpart to name
NO_R = {"read_responses", "validate_responses", "load_instrument", "compose", "export", "data_fingerprint", "leaf_scales",
        "report"}


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_function_has_numpydoc_sections_and_r_equivalent(name):
    doc = inspect.getdoc(PUBLIC[name]) or ""
    for section in ("Parameters\n----------", "Returns\n-------", "Examples\n--------"):
        assert section in doc, f"{name}: no {section.splitlines()[0]} section"
    assert ">>> " in doc.split("Examples\n--------")[1], f"{name}: the Examples section has no doctest"
    if name not in NO_R:
        assert "R:" in doc or "R equivalent" in doc, f"{name}: no R equivalent named"


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_function_has_no_hidden_keyword_arguments(name):
    params = inspect.signature(PUBLIC[name]).parameters.values()
    assert not [p for p in params if p.kind is inspect.Parameter.VAR_KEYWORD], f"{name} takes **kwargs"


def test_every_documented_parameter_exists():
    """A Parameters section names only parameters the function has (stale docs are caught)."""
    bad = []
    for name, fn in PUBLIC.items():
        doc = inspect.getdoc(fn) or ""
        if "Parameters\n----------" not in doc:
            continue
        block = doc.split("Parameters\n----------")[1].split("\n\n")[0:]
        text = "\n".join(block)
        text = text.split("Returns\n-------")[0].split("Raises\n------")[0].split("Notes\n-----")[0]
        sig = set(inspect.signature(fn).parameters)
        for line in text.splitlines():
            if line and not line.startswith(" ") and not line.startswith("-"):
                for part in line.split(":")[0].split(","):
                    p = part.strip().lstrip("*")
                    if p and p.isidentifier() and p not in sig:
                        bad.append(f"{name}: documents '{p}'")
    assert not bad, bad
