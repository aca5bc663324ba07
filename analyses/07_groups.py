"""07: group comparisons of the scale scores (Welch tests, effect sizes), regressions on the
context variables with SEs clustered by school, random school intercepts, and crosstabs of
participation and teacher types by location and language.

Outputs (analyses/output/07_groups/): groups.html and groups.md (the report's sections), and
comparisons_<group>.csv, regressions.csv, crosstabs.md.

Run:  python analyses/07_groups.py [DATA]
"""

from __future__ import annotations

import pandas as pd
from _study import done, model, setup

from psychometrics.reporting.report import build_report
from psychometrics.responses.io import write_table


def main() -> None:
    args, battery, raw, _, out = setup(__file__, __doc__.splitlines()[0])
    cluster = "school" if "school" in raw.columns else None
    rep = build_report(raw, battery, on_invalid="missing", source=args.data, model=model("vpc_triangle.lav"),
                       cluster=cluster, groups=["loc", "response_language"], sections=["groups", "participation"])
    doc = rep.document(sections=["groups", "participation"])
    (out / "groups.html").write_text(doc.to_html(), encoding="utf-8")
    (out / "groups.md").write_text(doc.to_markdown(), encoding="utf-8")
    for g, res in rep.analyses.get("comparisons", {}).items():
        write_table(res.tests, out / f"comparisons_{g}.csv")
    regs = [r.coefficients.assign(outcome=r.outcome) for r in rep.analyses.get("regressions", [])]
    if regs:
        write_table(pd.concat(regs, ignore_index=True), out / "regressions.csv")
    (out / "crosstabs.md").write_text("\n\n".join(t.summary().as_markdown() for t in rep.analyses.get("crosstabs", [])),
                                      encoding="utf-8")
    done(out)


if __name__ == "__main__":
    main()
