"""Report sections about the data: sample and missing data, item distributions, reliability,
and the appendix (item wording per language, item statistics, notes, provenance).

Every function takes the analysis state (:class:`~.report_state.Inputs`) and returns a
:class:`~.document.Section`; none computes a statistic of its own beyond counting and percentages.
"""

from __future__ import annotations

import pandas as pd

from . import apa
from .document import Figure, Paragraph, Section, Table
from .words import words

#: Table 1's variables when the instrument has them (location, language of the form, experience
#: band, platforms, group levels); the --groups columns are added
TABLE1 = ("loc", "response_language", "mode", "experience_band", "langi", "plat", "glev")


def item_text(item, lang: str, width: int = 0) -> str:
    text = item.text.get(lang) or item.text.get("en") or next(iter(item.text.values()), item.id)
    return text if not width or len(text) <= width else text[: width - 1].rstrip() + "…"


def category_labels(scale, lang: str) -> dict:
    labels = scale.labels.get(lang) or scale.labels.get("en") or ()
    return dict(zip(scale.values, labels))


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}" if total else apa.DASH


def sample_section(s) -> Section:
    w = words(s.lang)
    n = s.n_rows
    sc = s.report.scores
    flags = sc.scores.get("careless_flags")
    blocks: list = []
    invalid = len(sc.problems)
    missing_codes = sum(sc.meta.get("missing_codes", {}).values())
    text = (f"The data file holds {n} questionnaires. Validation against the {s.instrument.id} instrument "
            f"(version {s.instrument.version}) found {invalid} invalid value(s)"
            + (" (set missing and listed in the appendix)" if invalid else "")
            + f"; {missing_codes} answer(s) carried declared missing codes (such as 'prefer not to answer') and were "
            "set missing.")
    if flags is not None:
        any_flag = int((flags.fillna(0) >= 1).sum())
        two = int((flags.fillna(0) >= 2).sum())
        text += (f" Careless-responding indices flagged {any_flag} respondent(s) ({_pct(any_flag, n)}%) on at least one "
                 f"index and {two} ({_pct(two, n)}%) on two or more; flagged respondents were kept in every analysis.")
    blocks.append(Paragraph(text))
    table1 = _table1(s)
    if table1 is not None:
        blocks.append(Table(w("Sample characteristics"), table1,
                            note="Percentages of the respondents who answered the question; for questions with several "
                                 "answers (platforms, group levels) each option's share of those who answered."))
    if flags is not None:
        ct = sc.careless_table()
        ct = ct.assign(pct=[_pct(int(f), n) for f in ct["flagged"]])
        blocks.append(Table(w("Careless-responding flags"),
                            apa.table(ct.rename(columns={"index": "index", "flagged": "n flagged", "pct": "% flagged",
                                                         "not_computed": "not computed"})),
                            note="Flags only: no respondent was removed."))
    if s.report.clustering is not None:
        cl = s.report.clustering
        blocks.append(Table(f"{w('Clustering of the scale scores')} ({s.report.meta.get('cluster')})", apa.table(cl.table),
                            note="ICC(1): share of a score's variance between clusters; ICC(2): reliability of the cluster "
                                 "means; design effect 1 + (mean size - 1) ICC(1) (as psych::statsBy)."))
    blocks.append(Table(w("Missing data by scale"), _missing_by_scale(s),
                        note="Item-level missing data (% per item) are in the appendix."))
    patterns = _patterns(s)
    blocks.append(Paragraph(f"Across the scales used in the models, {patterns['n_patterns']} pattern(s) of missing "
                            f"scales occur; {patterns['complete']} respondent(s) ({_pct(patterns['complete'], n)}%) "
                            "answered every item. The most frequent patterns are shown below."))
    blocks.append(Table(w("Missing-data patterns"), patterns["table"],
                        note="A scale counts as missing in a pattern when any of its items is unanswered."))
    return Section("sample", w("Data and sample"), blocks)


def _table1(s) -> pd.DataFrame | None:
    inst, data, lang = s.instrument, s.data, s.lang
    rows = []
    wanted = [v for v in TABLE1 if v in inst.item_map or v in data.columns or v in s.report.scores.scores.columns]
    wanted += [g for g in s.groups if g not in wanted]
    for var in wanted:
        item = inst.item_map.get(var)
        if item is not None and item.scale.type == "select_multiple":
            opts = item.scale.names or tuple(str(v) for v in item.scale.values)
            labels = item.scale.labels.get(lang) or item.scale.labels.get("en") or opts
            cols = [(f"{var}_{o}", lab) for o, lab in zip(opts, labels) if f"{var}_{o}" in data.columns]
            if not cols:
                continue
            answered = int(data[[c for c, _ in cols]].notna().any(axis=1).sum())
            for k, (c, lab) in enumerate(cols):
                m = int((data[c] == 1).sum())
                rows.append({"Characteristic": s.word_for(var) if k == 0 else "", "Category": lab, "n": m,
                             "%": _pct(m, answered)})
            continue
        col = s.context_column(var)
        if col is None:
            continue
        labels = s.labels.get(var, {})
        counts = col.value_counts(sort=False)
        counts = counts.reindex(s.order(var, counts.index))
        total = int(counts.sum())
        name = s.word_for(var)
        for k, (code, m) in enumerate(counts.items()):
            rows.append({"Characteristic": name if k == 0 else "", "Category": str(labels.get(code, code)), "n": int(m),
                         "%": _pct(int(m), total)})
        if col.isna().any():
            rows.append({"Characteristic": "", "Category": "(no answer)", "n": int(col.isna().sum()), "%": apa.DASH})
    return pd.DataFrame(rows) if rows else None


def _missing_by_scale(s) -> pd.DataFrame:
    rows = []
    for rule in s.scales_shown:
        x = s.data[list(rule.items)]
        pct = x.isna().mean() * 100
        complete = int(x.notna().all(axis=1).sum())
        rows.append({"Scale": rule.id, "Items": len(rule.items), "% missing (range over items)":
                     f"{pct.min():.1f}–{pct.max():.1f}", "Complete n": complete, "Complete %": _pct(complete, len(x))})
    return pd.DataFrame(rows)


def _patterns(s) -> dict:
    miss = pd.DataFrame({r.id: s.data[list(r.items)].isna().any(axis=1) for r in s.scales_shown})
    keys = miss.apply(lambda row: ", ".join(c for c, v in row.items() if v) or "(none missing)", axis=1)
    counts = keys.value_counts()
    table = pd.DataFrame({"Scales missing": counts.index[:6], "n": counts.to_numpy()[:6],
                          "%": [_pct(int(m), len(keys)) for m in counts.to_numpy()[:6]]})
    return {"n_patterns": len(counts), "complete": int((~miss.any(axis=1)).sum()), "table": table}


def items_section(s) -> Section:
    w = words(s.lang)
    blocks: list = [Paragraph("Figures show the distribution of the answers to every item of the scales, as percentages "
                              "of the valid answers: disagreement (or low frequency) to the left of zero, agreement to the "
                              "right, the middle category split at zero.")]
    for title, items, scale in s.item_groups():
        shares, keep = [], []
        for it in items:
            v = s.data[it.id].dropna()
            if len(v):
                shares.append([(v == c).mean() for c in scale.values])
                keep.append(it)
        if not keep:
            continue
        labels = list(category_labels(scale, s.lang).values()) or [str(v) for v in scale.values]
        svg, png = s.plots.likert_bars(shares, labels, [f"{it.id}  {item_text(it, s.lang, 62)}" for it in keep])
        blocks.append(Figure(f"{w('Answers to the items of')} {title}", svg, png,
                             note=f"n = {min(int(s.data[it.id].notna().sum()) for it in keep)}–"
                                  f"{max(int(s.data[it.id].notna().sum()) for it in keep)} valid answers per item."))
    return Section("items", w("Item distributions"), blocks)


def reliability_section(s) -> Section:
    w = words(s.lang)
    t = s.report.reliability.table()
    t = t[t["scale"].isin([r.id for r in s.scales_shown])]
    rows = pd.DataFrame({
        "Scale": t["scale"], "k": t["k"].astype(int), "n": t["n"].astype(int), "M": [apa.number(x) for x in t["mean"]],
        "SD": [apa.number(x) for x in t["sd"]],
        "α [95% CI]": [f"{apa.bounded(a)} [{apa.bounded(lo)}, {apa.bounded(hi)}]"
                        for a, lo, hi in zip(t["alpha"], t["alpha_ci_lower"], t["alpha_ci_upper"])],
        "ω": [apa.bounded(x) for x in t["omega_total"]], "CR": [apa.bounded(x) for x in t["composite_reliability"]],
        "AVE": [apa.bounded(x) for x in t["ave"]]})
    low = [r for r, a in zip(t["scale"], t["alpha"]) if a == a and a < 0.7]
    text = (f"The table below gives the internal consistency of the {len(rows)} scales. "
            + (f"Cronbach's alpha was below .70 for {', '.join(low)}." if low
               else "Cronbach's alpha was at least .70 for every scale."))
    return Section("reliability", w("Reliability"), [
        Paragraph(text),
        Table(w("Internal consistency of the scales"), rows,
              note="α = Cronbach's alpha with Feldt's 95% confidence interval; ω = omega total of a one-factor model; "
                   "CR = composite reliability and AVE = average variance extracted of the measurement model; each scale "
                   "uses the respondents who answered all its items (n). A dash: not computed (two-item scales have no "
                   "one-factor omega; see the notes in the appendix). Item statistics are in the appendix.")])


def appendix_section(s) -> Section:
    w = words(s.lang)
    langs = list(s.instrument.languages.available)
    rows = []
    for rule in s.scales_shown:
        for i in rule.items:
            it = s.instrument.item_map[i]
            rows.append({"Scale": rule.id, "Item": i + (" (R)" if it.reverse else ""),
                         **{lg: item_text(it, lg) for lg in langs}})
    items = s.report.reliability.item_table()
    items = items[items["scale"].isin([r.id for r in s.scales_shown])]
    notes = list(dict.fromkeys(s.notes))
    prov = s.provenance_rows()
    blocks = [Table(w("Item wording"), pd.DataFrame(rows).drop_duplicates("Item"),
                    note="(R) marks reverse-keyed items, scored as min + max - answer. Translations are drafts unless the "
                         "instrument says otherwise."),
              Table(w("Item statistics"), apa.table(items),
                    note="r (item-rest) is the corrected item-total correlation; floor and ceiling are the shares of the "
                         "lowest and highest category.")]
    if len(s.report.scores.problems):
        blocks.append(Table(w("Invalid values set missing"), apa.table(s.report.scores.problems.head(200))))
    if notes:
        blocks.append(Table(w("Analysis notes"), pd.DataFrame({"#": range(1, len(notes) + 1), "Note": notes})))
    blocks.append(Table(w("Provenance"), prov, note="Hashes identify the exact data file and instrument version."))
    return Section("appendix", w("Appendix"), blocks)

