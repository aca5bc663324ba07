"""03: exploratory factor analysis of the item pool of Eraut's triangle (confidence, challenge,
support) with parallel analysis, minres and oblimin, as psych::fa.

Outputs (analyses/output/03_efa/): loadings.csv, efa.md, scree.png, loadings.png.

Run:  python analyses/03_efa.py [DATA]
"""

from __future__ import annotations

from _study import done, setup

import psychometrics as pm
from psychometrics.reporting import plots
from psychometrics.responses.io import write_table


def main() -> None:
    args, battery, _, data, out = setup(__file__, __doc__.splitlines()[0])
    rules = {r.id: r for r in battery.scoring}
    items = [i for s in ("confidence", "challenge", "support") for i in rules[s].items]
    res = pm.efa(data, items, factors="parallel", seed=args.seed, progress=False)
    write_table(res.sorted_loadings(cutoff=0).reset_index(names="item"), out / "loadings.csv")
    (out / "efa.md").write_text(res.summary().as_markdown(digits=2), encoding="utf-8")
    plots.scree(res, str(out / "scree.png"))
    plots.loadings_heatmap(res, str(out / "loadings.png"))
    print(res.summary().as_text(digits=2))
    done(out)


if __name__ == "__main__":
    main()
