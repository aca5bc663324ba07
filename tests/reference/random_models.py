"""Writes random_models.json: random lavaan models drawn from a grammar of the constructs the SEM
engine supports (factors with 1-4 indicators and cross-loadings, second-order factors, regressions
among latent and observed variables without cycles, indicators and outcomes regressed on
covariates, several left-hand sides, residual covariances, intercepts and latent means, fixed
values, NA*, shared labels; options std.lv, orthogonal, fixed.x, meanstructure, two groups with
group.equal). generate_corpus.R adds lavaan's free parameters and df for each
(random_models_lavaan.json); tests/sem/test_random_models.py compares ours.

Run from the repository root: ``python tests/reference/random_models.py``.
"""

import json
import random
from pathlib import Path

INDICATORS = [f"x{i}" for i in range(1, 10)]
COVARIATES = ["sex", "ageyr", "agemo"]
EQUAL_KINDS = ["loadings", "intercepts", "means", "residuals", "residual.covariances", "lv.variances",
               "lv.covariances", "regressions"]


def draw(rng: random.Random) -> dict:
    lines = []
    pool = INDICATORS[:]
    rng.shuffle(pool)
    n_f = rng.choice([0, 1, 1, 2, 2, 3, 3])
    factors, used = [], []
    labels = [f"l{i}" for i in range(3)]
    for k in range(n_f):
        n_ind = rng.choice([1, 2, 3, 3, 3, 4])
        if len(pool) < n_ind:
            break
        inds = [pool.pop() for _ in range(n_ind)]
        if used and rng.random() < 0.15:
            inds.append(rng.choice(used))                  # a cross-loading
        terms = []
        for j, v in enumerate(inds):
            r = rng.random()
            if j == 0 and r < 0.1:
                terms.append(f"NA*{v}")
                lines.append(f"f{k} ~~ 1*f{k}")
            elif r < 0.1:
                terms.append(f"0.5*{v}")
            elif r < 0.2:
                terms.append(f"{rng.choice(labels)}*{v}")
            else:
                terms.append(v)
        lines.insert(0, f"f{k} =~ " + " + ".join(terms))
        factors.append(f"f{k}")
        used += inds
    if len(factors) >= 3 and rng.random() < 0.3:
        lines.append("g =~ " + " + ".join(factors))
        factors_top = ["g"]
    else:
        factors_top = factors[:]
    observed_free = pool[:]                                 # indicators not used by a factor
    # regressions without cycles: an order over latent and observed; regress later on earlier
    nodes = factors_top + rng.sample(observed_free, k=min(len(observed_free), rng.choice([0, 1, 2])))
    rng.shuffle(nodes)
    for i, y in enumerate(nodes[1:], start=1):
        if rng.random() < 0.6:
            preds = rng.sample(nodes[:i], k=rng.randint(1, i))
            lines.append(f"{y} ~ " + " + ".join(preds))
    if rng.random() < 0.5 and nodes:                        # covariates, sometimes several lhs at once
        ys = rng.sample(nodes, k=rng.randint(1, min(2, len(nodes))))
        xs = rng.sample(COVARIATES, k=rng.randint(1, 2))
        lines.append(" + ".join(ys) + " ~ " + " + ".join(xs))
    if used and rng.random() < 0.2:                         # an indicator on a covariate (MIMIC direct)
        lines.append(f"{rng.choice(used)} ~ {rng.choice(COVARIATES)}")
    if len(used) >= 2 and rng.random() < 0.3:               # a residual covariance
        a, b = rng.sample(used, 2)
        lines.append(f"{a} ~~ {b}")
    if not lines:
        a, b = rng.sample(INDICATORS, 2)
        lines.append(rng.choice([f"{a} ~ {b}", f"{a} ~~ {b}"]))
    if used and rng.random() < 0.15:
        lines.append(f"{used[0]} ~ 1")
    options: dict = {}
    if factors and rng.random() < 0.25:
        options["std.lv"] = True
    if rng.random() < 0.15:
        options["orthogonal"] = True
    if rng.random() < 0.2:
        options["fixed.x"] = False
    if rng.random() < 0.2:
        options["meanstructure"] = True
    if rng.random() < 0.3:
        options["group"] = "school"
        if rng.random() < 0.7:
            options["group.equal"] = rng.sample(EQUAL_KINDS, k=rng.randint(1, 4))
    return {"model": "\n".join(lines), "options": options}


if __name__ == "__main__":
    rng = random.Random(20261201)
    models = [draw(rng) for _ in range(300)]
    out = Path(__file__).with_name("random_models.json")
    out.write_text(json.dumps({"data": "hs", "seed": 20261201, "models": models}, indent=1) + "\n")
    print(f"wrote {out}: {len(models)} models")
