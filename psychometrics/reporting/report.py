"""The analysis report: validation, scale scores, classifications, careless-responding flags,
reliability and item analysis of an instrument's scales, in one document (Markdown, HTML,
docx, text). CFA and the structural model join it as those analyses land.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pandas as pd

from .._version import __version__
from ..instruments import Instrument
from ..measurement.reliability import ReliabilityResult
from ..responses.validation import OnInvalid
from ..scoring.score import ScoreResult
from .result import ResultBase
from .summary import Summary

if TYPE_CHECKING:
    from ..sem.result import SEMResult


@dataclass(frozen=True, repr=False)
class Report(ResultBase):
    scores: ScoreResult
    reliability: ReliabilityResult
    meta: dict = field(default_factory=dict)
    model: SEMResult | None = None      # when a model was given

    @property
    def nobs(self) -> int:
        return self.scores.nobs

    def _repr_fields(self) -> dict:
        return {"instrument": self.meta["instrument"]["id"], "model": self.model is not None}

    def summary(self) -> Summary:
        sc, rel = self.scores.summary(), self.reliability.summary()
        header = [f"data: {self.meta['data']['source']} (sha256 {self.meta['data']['sha256']})",
                  f"instrument: {self.meta['instrument']['id']} {self.meta['instrument']['version']} "
                  f"({self.meta['instrument']['content_hash']})",
                  f"psychometrics {__version__}",
                  f"respondents: {self.meta['n_rows']}; invalid values: {len(self.scores.problems)}; "
                  f"reliability: listwise per scale, Feldt 95% CI, omega total from a one-factor ML fit"]
        header += [f"note: {n}" for n in self.scores.meta["notes"] + self.reliability.meta["notes"]]
        problems = [("Invalid values set missing", self.scores.problems)] if len(self.scores.problems) else []
        model_tables = []
        if self.model is not None:
            m = self.model.summary()
            header += [f"model: {line}" for line in m.header[:3]] + [f"note (model): {n}" for n in
                                                                    self.model.meta.get("notes", [])]
            model_tables = [(f"Model: {n}", t) for n, t in m.tables]
        return Summary("Report: " + self.meta["instrument"]["id"], header,
                       [*problems, *rel.tables, *model_tables, *sc.tables])

    def to_dict(self) -> dict:
        out = {"meta": self.meta, "scores": self.scores.to_dict(rows=False), "reliability": self.reliability.to_dict()}
        if self.model is not None:
            out["model"] = self.model.to_dict()
        return out

    def to_frame(self) -> pd.DataFrame:
        return self.reliability.table()



def build_report(data: pd.DataFrame, instrument: Instrument, on_invalid: OnInvalid = "error", id: str | None = None,
                 source: str | None = None, model: str | None = None,
                 model_missing: Literal["listwise", "fiml"] = "fiml") -> Report:
    """Validate and score ``data``, then run reliability and item analysis for every scale
    (``psychometrics.report``; the command line's ``psychometrics report``). With ``model`` (lavaan
    syntax) the validated item responses are also fitted as a CFA/SEM (ML; FIML by default, so every
    respondent counts; ``model_missing="listwise"`` for complete cases only).

    Parameters
    ----------
    data : DataFrame
        Raw responses (as :func:`psychometrics.read_responses` reads them).
    instrument : Instrument
        The instrument or battery the data answer.
    on_invalid : {"error", "missing"}
        Refuse invalid values, or set them missing and list each.
    id : str, optional
        Respondent id column (default: found among common names).
    source : str, optional
        Name of the data recorded in the report (default: the file it was read from).
    model : str, optional
        lavaan syntax of a CFA/SEM fitted to the validated items.
    model_missing : {"fiml", "listwise"}
        Missing-data rule of the model.

    Returns
    -------
    Report
        Scores, reliability and (with ``model``) the fitted model, rendered by ``summary()`` and
        ``to_docx()``.

    Examples
    --------
    >>> import numpy as np
    >>> from psychometrics.instruments import adhoc_instrument
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=200)
    >>> df = pd.DataFrame({f"a{j}": np.clip(np.round(3 + f + rng.normal(size=200)), 1, 5) for j in (1, 2, 3)})
    >>> rep = build_report(df, adhoc_instrument({"A": ["a1", "a2", "a3"]}, range=(1, 5)))
    >>> rep.nobs, bool(0.6 < rep.reliability["A"].alpha < 0.9)
    (200, True)
    """
    from ..measurement.reliability import reliability_validated
    from ..responses.validation import validate_responses
    from ..scoring.score import score_validated

    src = source or data.attrs.get("source", {}).get("path", "<DataFrame>")
    # validated once; scores, reliability and the model all read these values
    vr = validate_responses(data, instrument, id_column=id, on_invalid=on_invalid, source=src)
    res = score_validated(vr, instrument, on_invalid=on_invalid)
    rel = reliability_validated(vr.data, instrument, vr.meta["data"], progress=False)
    fitted = None
    if model is not None:
        from ..sem import sem

        fitted = sem(model, vr.data, missing=model_missing)
    meta = {"package_version": __version__, "instrument": res.meta["instrument"], "data": res.meta["data"],
            "n_rows": res.meta["n_rows"], "seed": None, "estimator": "ML"}
    return Report(scores=res, reliability=rel, meta=meta, model=fitted)


from .._callable import make_callable as _make_callable  # noqa: E402

_make_callable(__name__, "build_report")   # psychometrics.report(...) calls it; the module stays a module
