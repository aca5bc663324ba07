"""04: confirmatory factor analysis of the triangle study's measurement model
(models/vpc_triangle_measurement.lav; ML with FIML), with CR, AVE, Fornell-Larcker and HTMT2.

Outputs (analyses/output/04_cfa/): cfa.json (lavaan-style estimates and fit), cfa.md, validity.md.

Run:  python analyses/04_cfa.py [DATA]
"""

from __future__ import annotations

import json

import pandas as pd
from _study import done, model, setup

import psychometrics as pm
from psychometrics.measurement.validity import cfa_validity
from psychometrics.reporting.summary import Summary


def main() -> None:
    args, battery, _, data, out = setup(__file__, __doc__.splitlines()[0])
    fit = pm.cfa(model("vpc_triangle_measurement.lav"), data, missing="fiml", progress=False)
    val = cfa_validity(fit, data)
    (out / "cfa.json").write_text(json.dumps(fit.to_dict(), indent=1, default=str), encoding="utf-8")
    (out / "cfa.md").write_text(fit.summary().as_markdown(digits=3), encoding="utf-8")
    table = pd.DataFrame({"factor": list(val.cr), "cr": list(val.cr.values()), "ave": list(val.ave.values())})
    tables = [("CR and AVE", table),
              ("Fornell-Larcker (sqrt AVE on the diagonal)", val.fornell_larcker.reset_index(names="factor"))]
    if val.htmt is not None:
        tables.append(("HTMT2", val.htmt.reset_index(names="factor")))
    s = Summary("Discriminant validity", val.notes, tables, apa=True)
    (out / "validity.md").write_text(s.as_markdown(), encoding="utf-8")
    print(fit.summary().header[1])
    print(s.as_text())
    done(out)


if __name__ == "__main__":
    main()
