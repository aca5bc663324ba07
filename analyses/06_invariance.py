"""06: measurement invariance of the triangle study's measurement model across school location
(urban, rural) and the language of the form (Kazakh, Russian): configural, metric, scalar, strict
(ML with FIML; 95 schools are too few for cluster-robust SEs of the 234 parameters of two groups).

Outputs (analyses/output/06_invariance/): invariance_<group>.json and .md.

Run:  python analyses/06_invariance.py [DATA]
"""

from __future__ import annotations

import json

from _study import done, model, setup

import psychometrics as pm


def main() -> None:
    args, battery, _, data, out = setup(__file__, __doc__.splitlines()[0])
    for group in ("loc", "response_language"):
        res = pm.invariance(model("vpc_triangle_measurement.lav"), data.dropna(subset=[group]), group=group,
                            missing="fiml")
        (out / f"invariance_{group}.json").write_text(json.dumps(res.to_dict(), indent=1, default=str), encoding="utf-8")
        (out / f"invariance_{group}.md").write_text(res.summary().as_markdown(digits=3), encoding="utf-8")
        print(f"{group}: invariance holds up to {res.holds_up_to}")
    done(out)


if __name__ == "__main__":
    main()
