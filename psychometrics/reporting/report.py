"""The analysis report: the results section of a paper on an instrument's data. :func:`build_report`
runs every analysis asked for (validation, scores, classifications, careless-responding flags,
reliability, EFA, the CFA and structural model, invariance, group comparisons, regressions and
crosstabs); :meth:`Report.document` renders them in a results section's order (:mod:`.sections_data`,
:mod:`.sections_models`, :mod:`.sections_groups`, :mod:`.methods`) as HTML, Word, Markdown or LaTeX.
``summary()`` stays the full log of tables (text and the snapshots).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

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
    instrument: Any = field(default=None, repr=False, compare=False)
    data: pd.DataFrame | None = field(default=None, repr=False, compare=False)   # validated items + context columns
    options: dict = field(default_factory=dict)          # groups, lang, sections, bootstrap, efa, ...
    analyses: dict = field(default_factory=dict, repr=False, compare=False)   # cfa, efa, indirect, invariance, ...

    def document(self, lang: str | None = None, sections: list[str] | None = None):
        """The results section as a :class:`~.document.Document` (``.to_html()``, ``.to_markdown()``,
        ``.to_latex()``; Word through ``to_docx``), item texts and headings in ``lang``."""
        from .sections import build_document

        return build_document(self, lang or self.options.get("lang") or "en", sections or self.options.get("sections"))

    def to_docx(self, path: str, digits: int = 2) -> None:
        """The results section as Word: APA tables (rules above and below, under the header), figures."""
        from .docx import write_document

        write_document(path, self.document())

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
        out: dict[str, Any] = {"meta": self.meta, "scores": self.scores.to_dict(rows=False),
                               "reliability": self.reliability.to_dict(), "options": self.options}
        for key, value in self.analyses.items():
            if hasattr(value, "to_dict"):
                out[key] = value.to_dict()
            elif isinstance(value, dict):
                out[key] = {k: v.to_dict() if hasattr(v, "to_dict") else v for k, v in value.items()}
            elif isinstance(value, list):
                out[key] = [v.to_dict() if hasattr(v, "to_dict") else v for v in value]
            elif isinstance(value, pd.DataFrame):
                out[key] = value.to_dict("records")
        if self.model is not None:
            out["model"] = self.model.to_dict()
        if self.clustering is not None:
            out["clustering"] = self.clustering.to_dict()
        return out

    def to_frame(self) -> pd.DataFrame:
        return self.reliability.table()



def build_report(data: pd.DataFrame, instrument: Instrument, on_invalid: OnInvalid = "error", id: str | None = None,
                 source: str | None = None, model: str | None = None,
                 model_missing: Literal["listwise", "fiml"] = "fiml", cluster: str | None = None,
                 groups: list[str] | None = None, lang: str = "en", sections: list[str] | None = None,
                 efa: list[str] | None = None, bootstrap: int = 1000, seed: int | None = 20261202,
                 progress: bool = False) -> Report:
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
        (cluster-robust MLR, or a two-level model when its syntax has ``level:`` blocks); regressions
        get SEs clustered by it and a random-intercept model.
    groups : list of str, optional
        Context columns to compare (``["loc", "response_language"]``): measurement invariance of the
        model's measurement part, group comparisons of the scale scores, crosstabs of the
        classifications, Table 1 rows.
    lang : {"en", "ru", "kk-Cyrl"}
        Language of item texts, category labels and (where translated) headings of ``document()``.
    sections : list of str, optional
        Sections of the document (default all that apply): sample, items, reliability, efa, cfa,
        structural, invariance, groups, participation, method, appendix.
    efa : list of str, optional
        Scales or items whose items go into an exploratory factor analysis (parallel analysis,
        oblimin); none by default.
    bootstrap : int
        Draws for the intervals of the ``:=`` effects: a percentile bootstrap with complete data
        (``model_missing="listwise"``), Monte Carlo intervals (semTools' ``monteCarloCI``) under FIML.
    seed : int, optional
        Seed of the bootstrap / Monte Carlo draws and of parallel analysis.
    progress : bool
        Show the analyses' progress on standard error.

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

    _check_choices(instrument, sections, efa)
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
    groups = list(groups or [])
    extra = [c for c in dict.fromkeys([*groups, "response_language", "mode", *( [cluster] if cluster else [])])
             if c in data.columns and c not in model_data.columns]
    model_data = model_data.assign(**{c: data[c].to_numpy() for c in extra})
    for g in groups:
        if g not in model_data.columns and g not in res.scores.columns:
            from ..exceptions import PsychometricsError

            raise PsychometricsError(f"--groups: column {g!r} is neither in the data {src} nor a classification; "
                                     f"columns: {', '.join(map(str, data.columns[:12]))}, ...")
    from .analyses import run_analyses

    steps = run_analyses(model_data, res, instrument, model=model, model_missing=model_missing, cluster=cluster,
                         groups=groups, efa=efa, bootstrap=bootstrap, seed=seed, progress=progress,
                         sections=sections, lang=lang)
    meta = {"package_version": __version__, "instrument": res.meta["instrument"], "data": res.meta["data"],
            "n_rows": res.meta["n_rows"], "seed": seed, "estimator": "ML", "cluster": cluster,
            "model_missing": model_missing if model else None}
    options = {"groups": groups, "lang": lang, "sections": sections, "bootstrap": bootstrap, "efa": efa,
               "model": model}
    return Report(scores=res, reliability=rel, meta=meta, model=steps.pop("sem", None), clustering=clustering,
                  instrument=instrument, data=model_data, options=options, analyses=steps)


def _check_choices(instrument: Instrument, sections: list[str] | None, efa: list[str] | None) -> None:
    """Refuse unknown section names and EFA scales/items before any analysis runs."""
    from ..exceptions import OptionError
    from .sections import SECTIONS

    unknown = [x for x in (sections or []) if x not in SECTIONS]
    if unknown:
        raise OptionError(f"--sections: unknown {', '.join(unknown)}; choose from {', '.join(SECTIONS)}", "sections")
    known = {r.id for r in instrument.scoring} | set(instrument.item_ids)
    bad = [x for x in (efa or []) if x not in known]
    if bad:
        scales = ", ".join(r.id for r in instrument.scoring)
        raise OptionError(f"--efa: {', '.join(bad)} are neither scales nor items of {instrument.id}; scales: {scales}",
                          "efa")


from .._callable import make_callable as _make_callable  # noqa: E402

_make_callable(__name__, "build_report")   # psychometrics.report(...) calls it; the module stays a module
