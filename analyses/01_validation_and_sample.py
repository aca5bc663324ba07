"""01: validate the answers, score every scale, flag careless responding, describe the sample.

Outputs (analyses/output/01_validation_and_sample/): scores.csv (every respondent, keyed by id),
problems.csv (invalid values set missing), sample.html and sample.md (Table 1, flags, missing data).

Run:  python analyses/01_validation_and_sample.py [DATA]
"""

from __future__ import annotations

from _study import done, setup

from psychometrics.reporting.report import build_report
from psychometrics.responses.io import write_table


def main() -> None:
    args, battery, raw, _, out = setup(__file__, __doc__.splitlines()[0])
    rep = build_report(raw, battery, on_invalid="missing", source=args.data, groups=["loc", "response_language"],
                       sections=["sample", "items"])
    write_table(rep.scores.scores, out / "scores.csv")
    write_table(rep.scores.problems, out / "problems.csv")
    doc = rep.document(sections=["sample", "items", "appendix"])
    (out / "sample.html").write_text(doc.to_html(), encoding="utf-8")
    (out / "sample.md").write_text(doc.to_markdown(), encoding="utf-8")
    print(rep.scores.summary().as_text(digits=2))
    done(out)


if __name__ == "__main__":
    main()
