"""02: reliability and item analysis of every scale (alpha with Feldt CI, omega, CR, AVE, item-rest r).

Outputs (analyses/output/02_reliability/): reliability.csv, items.csv, reliability.md.

Run:  python analyses/02_reliability.py [DATA]
"""

from __future__ import annotations

from _study import done, setup

import psychometrics as pm
from psychometrics.responses.io import write_table


def main() -> None:
    args, battery, raw, _, out = setup(__file__, __doc__.splitlines()[0])
    rel = pm.reliability(raw, instrument=battery, progress=False)
    write_table(rel.table(), out / "reliability.csv")
    write_table(rel.item_table(), out / "items.csv")
    (out / "reliability.md").write_text(rel.summary().as_markdown(digits=2), encoding="utf-8")
    print(rel.summary().as_text(digits=2).split("\n\nItem analysis")[0])
    done(out)


if __name__ == "__main__":
    main()
