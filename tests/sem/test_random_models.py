"""Property test of model construction: 300 random models drawn from a grammar of the supported
constructs (tests/reference/random_models.py, seeded), with lavaan's free parameters and degrees
of freedom precomputed by tests/reference/generate_corpus.R. Our parameter table must free exactly
lavaan's parameters and give lavaan's df, for every model."""

from __future__ import annotations

import json

import pytest

from psychometrics.sem.partable import build

from ._corpus import REF, dataset, key, options

SPEC = json.loads((REF / "random_models.json").read_text())
LAVAAN = json.loads((REF / "random_models_lavaan.json").read_text())["models"]
assert len(SPEC["models"]) == len(LAVAAN) == 300


def _table(entry: dict):
    opts = options(entry["options"])
    data = dataset(SPEC["data"])
    groups = 2 if opts.get("group") else 1
    columns = [c for c in data.columns if c != opts.get("group")]
    return build(entry["model"], columns, std_lv=opts.get("std_lv", False),
                 meanstructure=opts.get("meanstructure", False), n_groups=groups,
                 group_equal=opts.get("group_equal", ()), fixed_x=opts.get("fixed_x", True),
                 orthogonal=opts.get("orthogonal", False))


@pytest.mark.parametrize("i", range(300))
def test_random_model_frees_lavaans_parameters(i):
    entry, ref = SPEC["models"][i], LAVAAN[i]
    assert entry["model"] == ref["model"]
    pt = _table(entry)
    ours = sorted(key(r.lhs, r.op, r.rhs, r.group) for r in pt.rows if r.free)
    free = [ref["free"]] if isinstance(ref["free"], str) else ref["free"]     # one row: unboxed by jsonlite
    theirs = sorted(key(*f.split(" ")[:3], int(f.split(" ")[3])) for f in free)
    assert ours == theirs, entry["model"]
    assert pt.n_free == ref["npar"]
    assert pt.ndat() - pt.n_free == ref["df"], entry["model"]
