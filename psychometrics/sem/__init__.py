"""Structural equation models in lavaan syntax: ``cfa()`` and ``sem()`` with lavaan's defaults.

Estimators: ML (expected information; observed with FIML), MLR (Huber-White SEs, Yuan-Bentler
scaled chi-square, robust CFI/TLI/RMSEA), GLS and ULS; FIML for incomplete data
(``missing="fiml"``, case-wise likelihood by missing-data pattern, EM saturated model); several
groups (``group=``) with ``group_equal``/``group_partial``; labels, fixed and free values,
equality and inequality constraints (shared labels, ``a == b``, ``l5 + l6 == 2.2``, ``v > 0``),
``:=`` defined parameters (delta-method SEs), lavaan's fit measures,
``std_lv``/``std_all`` standardized solutions, modification indices, and the nonparametric and
Bollen-Stine bootstrap. R: ``lavaan::cfa()``, ``lavaan::sem()``, ``parameterEstimates()``,
``fitMeasures()``, ``standardizedSolution()``.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> f = rng.normal(size=(400, 1))
>>> df = pd.DataFrame(f @ [[1.0, 0.8, 0.6]] + rng.normal(size=(400, 3)) * 0.6, columns=["a", "b", "c"])
>>> res = cfa("F =~ a + b + c", df)
>>> res.fit["df"], round(res.fit["chisq"], 6)
(0, 0.0)
"""


from .._callable import make_callable as _make_callable
from ..exceptions import SEMWarning
from .api import cfa, sem
from .options import ESTIMATORS, Estimator
from .partable import ParTable, build
from .result import SEMResult
from .syntax import ModelSyntaxError

__all__ = ["sem", "cfa", "SEMResult", "ParTable", "build", "ModelSyntaxError", "SEMWarning", "ESTIMATORS", "Estimator"]

_make_callable(__name__, "sem")      # psychometrics.sem(model, data) and psychometrics.sem.partable
