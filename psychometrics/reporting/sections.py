"""The report's sections in a results section's order, put together as one
:class:`~.document.Document`. Each section is left out, with a line in the appendix's notes,
when what it needs was not run (no model, no --groups, no --efa).
"""

from __future__ import annotations

from .document import Document
from .methods import method_section, references_section
from .report_state import View
from .sections_data import appendix_section, items_section, reliability_section, sample_section
from .sections_groups import groups_section, participation_section
from .sections_models import cfa_section, efa_section, invariance_section, structural_section

#: every section, in order; the names --sections takes
SECTIONS = ("sample", "items", "reliability", "efa", "cfa", "structural", "invariance", "groups", "participation",
            "method", "appendix")


def _needs(report) -> dict:
    an = report.analyses
    return {"efa": ("efa" in an, "no EFA asked for (give --efa with scales or items)"),
            "cfa": ("cfa" in an, "no model given (--model)"),
            "structural": (report.model is not None and any(report.model.parameters["op"] == "~"),
                           "no structural model (--model with regressions)"),
            "invariance": (bool(an.get("invariance")), "no invariance: needs --model and --groups"),
            "groups": (bool(an.get("comparisons")), "no group comparisons: give --groups"),
            "participation": (bool(an.get("crosstabs")), "no crosstabs: give --groups")}


def build_document(report, lang: str = "en", sections: list[str] | None = None) -> Document:
    unknown = [x for x in (sections or []) if x not in SECTIONS]
    if unknown:
        from ..exceptions import OptionError

        raise OptionError(f"--sections: unknown {', '.join(unknown)}; choose from {', '.join(SECTIONS)}", "sections")
    asked = list(sections or SECTIONS)
    view = View(report, lang)
    view.notes += report.scores.meta.get("notes", []) + report.reliability.meta.get("notes", [])
    view.notes += report.analyses.get("notes", [])
    if report.model is not None:
        view.notes += [f"structural model: {n}" for n in report.model.meta.get("notes", [])]
    needs = _needs(report)
    shown = []
    for name in asked:
        ok, why = needs.get(name, (True, ""))
        if ok:
            shown.append(name)
        elif sections is not None or name not in ("efa",):
            view.notes.append(f"section '{name}' left out: {why}")
    build = {"sample": sample_section, "items": items_section, "reliability": reliability_section, "efa": efa_section,
             "cfa": cfa_section, "structural": structural_section, "invariance": invariance_section,
             "groups": groups_section, "participation": participation_section}
    out = [build[name](view) for name in shown if name in build]
    cites: list[str] = []
    if "method" in shown:
        sec, cites = method_section(view, set(shown))
        out.append(sec)
        out.append(references_section(view, cites))
    if "appendix" in shown:
        out.append(appendix_section(view))
    m = report.meta
    title = f"Results: {report.instrument.text(lang if lang in report.instrument.title else None)}"
    subtitle = (f"{m['data']['source']} · N = {m['n_rows']} · psychometrics {m['package_version']} · "
                f"instrument {m['instrument']['id']} {m['instrument']['version']}")
    return Document(title, out, subtitle)
