"""Bad option values fail before any work, naming the argument (``_options.validate_option``), and
the command line shows its flags in place of the library's argument names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import psychometrics as pm
from psychometrics._options import as_flags
from psychometrics.exceptions import OptionError

rng = np.random.default_rng(0)
DF = pd.DataFrame(np.clip(np.round(3 + rng.normal(size=(60, 4))), 1, 5), columns=list("abcd"))
KEYS = {"A": ["a", "b", "c", "d"]}


@pytest.mark.parametrize("call, argument", [
    (lambda: pm.efa(DF, factors=1, method="nope"), "method"),
    (lambda: pm.efa(DF, factors=1, rotation="spin"), "rotation"),
    (lambda: pm.efa(DF, factors=1, missing="fiml"), "missing"),
    (lambda: pm.efa(DF, factors=0), "factors"),
    (lambda: pm.polychoric(DF, missing="fiml"), "missing"),
    (lambda: pm.reliability(DF, scales=KEYS, range=(1, 5), missing="fiml"), "missing"),
    (lambda: pm.reliability(DF, scales=KEYS, range=(1, 5), ci="exact"), "ci"),
    (lambda: pm.score(DF, scales=KEYS, range=(1, 5), on_invalid="drop"), "on_invalid"),
    (lambda: pm.score(DF, scales=KEYS, range=(1, 5), careless={"zigzag": {}}), "careless"),
    (lambda: pm.sem("F =~ a + b + c", DF, estimator="WLSMVX"), "estimator"),
    (lambda: pm.sem("F =~ a + b + c", DF, missing="pairwise"), "missing"),
])
def test_bad_option_names_its_argument(call, argument):
    with pytest.raises(OptionError) as e:
        call()
    assert e.value.argument == argument and argument in str(e.value)
    assert isinstance(e.value, ValueError) and isinstance(e.value, pm.PsychometricsError)


def test_as_flags_leaves_other_text_alone():
    assert as_flags("the model y ~ x has df=0 and n=5") == "the model y ~ x has df=0 and n=5"
    assert as_flags('missing="pairwise" is not an option here') == "--missing pairwise is not an option here"
