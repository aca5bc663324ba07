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
    from ..measurement.multilevel import ClusteringResult
    from ..sem.result import SEMResult


@dataclass(frozen=True, repr=False)
class Report(ResultBase):
    scores: ScoreResult
    reliability: ReliabilityResult
    meta: dict = field(default_factory=dict)
    model: SEMResult | None = None      # when a model was given
    clustering: ClusteringResult | None = None   # with a cluster column: ICCs of the scale scores

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
        cluster_tables = []
        if self.clustering is not None:
            header.append(f"clusters: {self.meta.get('cluster')} ({int(self.clustering.table['clusters'].max())}); "
                          "ICC(1), ICC(2) and design effects of the scale scores as psych::statsBy")
            cluster_tables = [("Clustering of the scale scores", self.clustering.table)]
        return Summary("Report: " + self.meta["instrument"]["id"], header,
                       [*problems, *rel.tables, *cluster_tables, *model_tables, *sc.tables], apa=True)

    def to_dict(self) -> dict:
        out = {"meta": self.meta, "scores": self.scores.to_dict(rows=False), "reliability": self.reliability.to_dict()}
        if self.model is not None:
            out["model"] = self.model.to_dict()
        if self.clustering is not None:
            out["clustering"] = self.clustering.to_dict()
        return out

    def to_frame(self) -> pd.DataFrame:
        return self.reliability.table()



def build_report(data: pd.DataFrame, instrument: Instrument, on_invalid: OnInvalid = "error", id: str | None = None,
                 source: str | None = None, model: str | None = None,
                 model_missing: Literal["listwise", "fiml"] = "fiml", cluster: str | None = None) -> Report:
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
    cluster : str, optional
        Column of the clusters (schools): ICC(1), ICC(2) and design effects of every scale score
        (:func:`psychometrics.measurement.multilevel.icc`), and the model fitted with ``cluster=``
        (cluster-robust MLR, or a two-level model when its syntax has ``level:`` blocks).

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
    clustering = None
    model_data = vr.data
    if cluster is not None:
        from ..exceptions import PsychometricsError
        from ..measurement.multilevel import icc

        if cluster not in data.columns:
            raise PsychometricsError(f"cluster column {cluster!r} is not in the data {src}; give the column of the "
                                     "clusters (e.g. --cluster school)")
        scales = [c for c in res.scores.columns if f"{c}_n_valid" in res.scores.columns]
        frame = res.scores[scales].reset_index(drop=True).assign(**{cluster: data[cluster].to_numpy()})
        clustering = icc(frame, cluster, scales)
        model_data = vr.data.assign(**{cluster: data[cluster].to_numpy()})
    fitted = None
    if model is not None:
        from ..sem import sem

        fitted = sem(model, model_data, missing=model_missing, cluster=cluster)
    meta = {"package_version": __version__, "instrument": res.meta["instrument"], "data": res.meta["data"],
            "n_rows": res.meta["n_rows"], "seed": None, "estimator": "ML", "cluster": cluster}
    return Report(scores=res, reliability=rel, meta=meta, model=fitted, clustering=clustering)


from .._callable import make_callable as _make_callable  # noqa: E402

_make_callable(__name__, "build_report")   # psychometrics.report(...) calls it; the module stays a module
