"""The analyses behind the report's sections, run once by :func:`~.report.build_report` through the
library's own functions (no statistic is computed here): the SEM and its measurement part, the
intervals of its indirect effects, EFA, invariance per grouping, group comparisons, regressions and
crosstabs. Each step that fails leaves a note and the rest of the report goes on.
"""

from __future__ import annotations

import re
import warnings

import pandas as pd

from ..exceptions import PsychometricsError

#: ordered categories of the participation classification, least to most active (ordinal logit)
PARTICIPATION_ORDER = ("inactive", "lurker", "occasional", "contributor")


def measurement_part(model: str) -> str:
    """The ``=~`` lines of a model (its measurement model, for the CFA and the invariance steps).

    >>> measurement_part("f =~ a + b + c\\ng =~ d + e + h\\ng ~ f\\nx := 1")
    'f =~ a + b + c\\ng =~ d + e + h'
    """
    return "\n".join(line for line in model.splitlines() if "=~" in line.split("#")[0])


def latent_names(model: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^\s*([A-Za-z_][\w.]*)\s*=~", model, re.M)]


def has_structure(model: str) -> bool:
    return any(re.search(r"(?<![=<])~(?![~=])", line.split("#")[0]) and "=~" not in line for line in model.splitlines())


def compared_scales(scores, instrument, model: str | None) -> list[str]:
    """The scale scores compared across groups: the model's latent variables that are scales of the
    instrument, or else every scale whose items are not all in another."""
    from ..instruments.keys import leaf_scales

    ids = [r.id for r in instrument.scoring]
    if model:
        named = [f for f in latent_names(model) if f in ids]
        if named:
            return named
    return [r.id for r in leaf_scales(instrument.scoring) if r.id in scores.columns][:12]


def run_analyses(data: pd.DataFrame, res, instrument, model: str | None, model_missing: str, cluster: str | None,
                 groups: list[str], efa: list[str] | None, bootstrap: int, seed: int | None, progress: bool,
                 sections: list[str] | None, lang: str = "en") -> dict:
    from tqdm.auto import tqdm

    from ..sem.parallel import run

    def want(name):
        return (sections is None or name in sections)
    out: dict = {"notes": []}
    # the model fits are independent: one process each on the available cores (fork; one BLAS thread)
    heavy: list[tuple] = []
    if model and (want("structural") or want("method")):
        heavy.append(("structural", None))
    if model:
        if want("cfa") or want("invariance"):
            heavy.append(("cfa", None))
        if want("invariance"):
            heavy += [("invariance", g) for g in groups]
    if heavy:
        shared = (data, model, model_missing, cluster, bootstrap, seed)
        for part in run(_heavy, heavy, progress=progress, desc="report: models", shared=shared, argument="workers"):
            notes = part.pop("notes", [])
            inv = part.pop("invariance", {})
            out.update(part)
            out["notes"] += notes
            out.setdefault("invariance", {}).update(inv)
    steps = []
    if efa and want("efa"):
        steps.append(("EFA", lambda: _efa(out, data, instrument, efa, seed)))
    scales = compared_scales(res.scores, instrument, model)
    frame = pd.concat([res.scores.reset_index(drop=True),
                       data[[c for c in data.columns if c not in res.scores.columns]].reset_index(drop=True)], axis=1)
    if groups and want("groups"):
        steps.append(("group comparisons", lambda: _groups(out, frame, groups, scales, labels_in(instrument, lang), cluster)))
    if want("participation"):
        steps.append(("crosstabs", lambda: _crosstabs(out, frame, groups, instrument, labels_in(instrument, lang))))
    bar = tqdm(steps, desc="report", unit="step", disable=not progress, leave=False)
    for name, step in bar:
        bar.set_postfix_str(name)
        try:
            step()
        except PsychometricsError as e:        # one failing analysis does not sink the report
            out["notes"].append(f"{name}: not reported ({e})")
    return out


def _heavy(spec: tuple, shared: tuple) -> dict:
    """One model step (in a worker process): its results, or a note saying why it failed."""
    kind, group = spec
    data, model, missing, cluster, bootstrap, seed = shared
    out: dict = {"notes": []}
    try:
        if kind == "structural":
            _structural(out, model, data, missing, cluster, bootstrap, seed)
        elif kind == "cfa":
            _cfa(out, model, data, missing, cluster)
        else:
            _invariance(out, model, data, group, missing, cluster)
    except PsychometricsError as e:        # one failing analysis does not sink the report
        out["notes"].append(f"{kind}{' by ' + group if group else ''}: not reported ({e})")
    return out


def _model_cluster(out, what: str, model: str, data, cluster, n_groups: int = 1):
    """The cluster column for a model fit, or None (with a note) when there are no more clusters
    than free parameters: the cluster-robust covariance would be singular (lavaan warns the same),
    so the model's SEs are ML ones and the clusters serve the ICCs and regressions."""
    if cluster is None or "level:" in model:
        return cluster
    from ..sem.partable import build

    n_free = build(model, list(data.columns), meanstructure=True, n_groups=n_groups).n_free
    n_clusters = int(data[cluster].nunique())
    if n_clusters > n_free:
        return cluster
    out["notes"].append(f"{what}: {n_clusters} clusters ({cluster}) for {n_free} free parameters, too few for "
                        "cluster-robust SEs (their covariance would be singular); fitted without clustering. ICCs, "
                        "design effects and regressions use the clusters; a two-level model needs level: blocks")
    return None


def _structural(out, model, data, missing, cluster, bootstrap, seed):
    from ..sem import sem

    cluster = _model_cluster(out, "structural model", model, data, cluster)
    boot = bootstrap if missing == "listwise" and bootstrap and cluster is None else 0
    fit = sem(model, data, missing=missing, cluster=cluster, bootstrap=boot, seed=seed, progress=False, n_jobs=1)
    out["sem"] = fit
    if (fit.parameters["op"] == ":=").any():
        if boot:
            d = fit.parameters[fit.parameters["op"] == ":="]
            out["indirect"] = d[["lhs", "est", "se", "ci_lower", "ci_upper"]].assign(method=f"percentile bootstrap, {boot} draws")
        else:
            from ..sem.montecarlo import monte_carlo_ci

            mc = monte_carlo_ci(fit, draws=20 * max(bootstrap, 1000), seed=seed)     # semTools' 20000 at least
            out["indirect"] = mc.drop(columns="draws").assign(method=f"Monte Carlo, {int(mc['draws'].iloc[0])} draws")


def _cfa(out, model, data, missing, cluster):
    from ..measurement.validity import cfa_validity
    from ..sem import cfa

    cluster = _model_cluster(out, "measurement model", measurement_part(model), data, cluster)
    out["cfa"] = cfa(measurement_part(model), data, missing=missing, cluster=cluster, progress=False)
    out["cfa_validity"] = cfa_validity(out["cfa"], data)


def _invariance(out, model, data, group, missing, cluster):
    from ..sem.invariance import invariance

    levels = data[group].dropna().unique()
    if len(levels) < 2 or len(levels) > 6:
        out["notes"].append(f"invariance by {group}: {len(levels)} groups; needs 2 to 6")
        return
    cluster = _model_cluster(out, f"invariance by {group}", measurement_part(model), data, cluster, len(levels))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # the steps' own warnings are kept in their notes
        out.setdefault("invariance", {})[group] = invariance(measurement_part(model), data.dropna(subset=[group]),
                                                             group=group, missing=missing, cluster=cluster)


def _efa(out, data, instrument, efa, seed):
    from ..measurement.efa import efa as run_efa

    rules = {r.id: r for r in instrument.scoring}
    items = list(dict.fromkeys(i for name in efa for i in (rules[name].items if name in rules else [name])))
    missing = [i for i in items if i not in data.columns]
    if missing:
        raise PsychometricsError(f"--efa: {', '.join(missing)} are neither scales nor items of the data")
    out["efa"] = run_efa(data, items, factors="parallel", seed=seed, progress=False)


def _groups(out, frame, groups, scales, labels, cluster):
    from ..inference import compare_groups, regress

    out["comparisons"] = {g: compare_groups(frame, g, scales, labels=labels.get(g)) for g in groups}
    predictors = [*groups, *(["yrs"] if "yrs" in frame.columns and "yrs" not in groups else [])]
    categorical = [g for g in groups]
    out["regressions"] = [regress(frame, s, predictors, cluster=cluster, categorical=categorical, labels=labels)
                          for s in scales]
    if cluster:
        out["mixed"] = [regress(frame, s, predictors, kind="mixed", cluster=cluster, categorical=categorical,
                                labels=labels) for s in scales]
    if "participation_type" in frame.columns:
        codes = {c: k for k, c in enumerate(PARTICIPATION_ORDER, start=1)}
        ordinal = frame.assign(participation_level=frame["participation_type"].map(codes))
        out["ordinal"] = regress(ordinal, "participation_level", predictors, kind="ordinal", categorical=categorical,
                                 labels=labels)


def _crosstabs(out, frame, groups, instrument, labels):
    from ..inference import crosstab

    classes = [c.id for c in instrument.classifications if c.id in frame.columns and c.id != "experience_band"]
    tabs = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for c in classes:
            for g in groups:
                tabs.append(crosstab(frame, c, g, labels=labels))
        if len(classes) >= 2 and not groups:
            tabs.append(crosstab(frame, classes[0], classes[1], labels=labels))
    out["notes"] += [str(w.message) for w in caught]
    out["crosstabs"] = tabs


def labels_in(instrument, lang: str) -> dict:
    """``{variable: {code: label}}`` in ``lang`` (English where a label is not translated)."""
    out: dict = {}
    for it in instrument.items:
        if it.scale.type == "select_one" and it.scale.values:
            out[it.id] = dict(zip(it.scale.values, it.scale.labels.get(lang) or it.scale.labels.get("en") or it.scale.values))
    for c in instrument.classifications:
        out[c.id] = {cat["name"]: (cat.get("label") or {}).get(lang) or (cat.get("label") or {}).get("en") or cat["name"]
                     for cat in c.categories}
    out.setdefault("response_language", LANGUAGE_NAMES)
    return out


#: names of the forms' language codes
LANGUAGE_NAMES = {"en": "English", "ru": "Russian", "kk-Cyrl": "Kazakh (Cyrillic)", "kk-Latn": "Kazakh (Latin)",
                  "kk": "Kazakh"}
