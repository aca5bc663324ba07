"""Make data/vpc_teachers_example.csv: simulated answers to the vpc_teachers questionnaire.

Run from anywhere:  python data/make_vpc_teachers_example.py
The output is byte-for-byte reproducible (fixed seed). The population model is
written out below and in data/vpc_teachers_example.md.

Population model (latent variables with variance about 1):
    exogenous:  NPC (need for connectedness), SUP (support), CHL (challenge);
                cor(NPC, SUP) = .20, cor(NPC, CHL) = .30, cor(SUP, CHL) = .40
    KSSE  = .35 SUP + .25 CHL + .10 NPC + e          (confidence / self-efficacy)
    SHR   = .45 KSSE + .20 NPC + .15 SUP + e         (knowledge sharing)
    RCV   = .50 NPC + .15 SHR + .20 SUP + e          (knowledge receiving)
    CON = .60 KSSE + e;  FBK = .50 SUP + .30 SHR + e;  VAL = .40 SUP + .30 CHL + e;
    COM = .40 NPC + .30 KSSE + e;  COST = -.30 KSSE + e;  REW = .50 RCV + e;
    CI  = .40 SHR + .30 NPC + e;   INT = .30 NPC + .20 KSSE + e
Group effects (mean shifts in SD units): rural: NPC +.40, SUP -.20, COST +.30;
novice (0-3 years): KSSE -.40, NPC +.20, CON -.30.
Items: loadings .60-.80 (reverse-worded items negative), thresholds
[-1.6, -0.7, 0.2, 1.1] for 5-point items and [-1.2, -0.5, 0.2, 0.8, 1.4] for the
6-point frequency items.
Missing data: 2% of Likert answers left blank (MCAR), 0.5% coded -99 (prefer not
to answer); teachers in no group have -98 (not applicable) for participation.
Careless responders: 8 straight-liners and 8 uniformly random responders.
Schools: `school` ids within region (rural 3-8 teachers, urban 8-20), teachers placed by a noisy
school climate (support + 0.6 challenge): a planted ICC(1) of about .14 (support) and .11
(challenge) for those scale scores.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from psychometrics.deploy.codebook import codebook_markdown
from psychometrics.instruments import InstrumentRegistry
from psychometrics.responses.io import file_sha256
from psychometrics.simulate.latent import ordinal_items, simulate_latent

SEED = 20261122
N = 640
HERE = Path(__file__).resolve().parent
T5 = [-1.6, -0.7, 0.2, 1.1]
T6 = [-1.2, -0.5, 0.2, 0.8, 1.4]
LATENTS = ["NPC", "SUP", "CHL", "KSSE", "SHR", "RCV", "CON", "FBK", "VAL", "COM", "COST", "REW", "CI", "INT"]
PATHS = {
    "KSSE": {"SUP": .35, "CHL": .25, "NPC": .10},
    "SHR": {"KSSE": .45, "NPC": .20, "SUP": .15},
    "RCV": {"NPC": .50, "SHR": .15, "SUP": .20},
    "CON": {"KSSE": .60}, "FBK": {"SUP": .50, "SHR": .30}, "VAL": {"SUP": .40, "CHL": .30},
    "COM": {"NPC": .40, "KSSE": .30}, "COST": {"KSSE": -.30}, "REW": {"RCV": .50},
    "CI": {"SHR": .40, "NPC": .30}, "INT": {"NPC": .30, "KSSE": .20},
}
RESID = {"KSSE": .75, "SHR": .65, "RCV": .60, "CON": .64, "FBK": .60, "VAL": .65, "COM": .70, "COST": .91,
         "REW": .75, "CI": .70, "INT": .85}
# (item, latent, loading, scale): scale 5 = 5-point agreement/confidence, 6 = frequency
ITEMS = (
    [(f"npc0{i}", "NPC", l, 5) for i, l in zip(range(1, 9), [.65, .70, -.60, .60, .75, .75, .70, -.65])]
    + [(f"kse0{i}", "KSSE", l, 5) for i, l in zip(range(1, 8), [.78, .74, .76, .72, .66, .70, .64])]
    + [(f"shr0{i}", "SHR", l, 6) for i, l in zip(range(1, 7), [.78, .72, .76, .70, .68, .74])]
    + [(f"rcv0{i}", "RCV", l, 6) for i, l in zip(range(1, 6), [.72, .76, .70, .62, .64])]
    + [(f"con0{i}", "CON", l, 5) for i, l in zip(range(1, 5), [.72, .68, .66, .70])]
    + [(f"chl0{i}", "CHL", l, 5) for i, l in zip(range(1, 5), [.74, .72, .70, .66])]
    + [(f"sup0{i}", "SUP", l, 5) for i, l in zip(range(1, 5), [.76, .66, .72, .74])]
    + [(f"fbk0{i}", "FBK", l, 5) for i, l in zip(range(1, 4), [.72, .70, .68])]
    + [(f"val0{i}", "VAL", l, 5) for i, l in zip(range(1, 4), [.74, .70, .68])]
    + [(f"com0{i}", "COM", l, 5) for i, l in zip(range(1, 4), [.72, .66, .70])]
    + [(n, "COST", l, 5) for n, l in zip(["ctm01", "ctm02", "ctc01", "ctc02", "cse01", "cse02"],
                                         [.66, .64, .60, .60, .62, .62])]
    + [(n, "REW", l, 5) for n, l in zip(["rwc01", "rwc02", "rwp01", "rwp02"], [.72, .66, .70, .68])]
    + [(n, "CI", l, 5) for n, l in zip(["cij01", "cij02", "cis01", "cis02", "cim01", "cim02"],
                                       [.72, .70, .66, .64, .68, .66])]
    + [("int01", "INT", .80, 5)]
)
BATTERY_ORDER = ["npc", "kse", "shr", "rcv", "con", "chl", "sup", "fbk", "val", "com", "ct", "cs", "rw", "ci", "int"]


def main() -> None:
    rng = np.random.default_rng(SEED)
    rural = rng.random(N) < 0.60
    novice = rng.random(N) < 0.22
    yrs = np.where(novice, rng.integers(0, 4, N), np.clip(rng.gamma(3.0, 5.0, N).astype(int) + 4, 4, 45))
    shifts = np.zeros((N, len(LATENTS)))
    for name, grp, d in [("NPC", rural, .40), ("SUP", rural, -.20), ("COST", rural, .30),
                         ("KSSE", novice, -.40), ("NPC", novice, .20), ("CON", novice, -.30)]:
        shifts[:, LATENTS.index(name)] += np.where(grp, d, 0.0)
    eta = simulate_latent(N, PATHS, {("NPC", "SUP"): .20, ("NPC", "CHL"): .30, ("SUP", "CHL"): .40}, RESID,
                          shifts=shifts, names=LATENTS, rng=rng)
    cols: dict[str, np.ndarray] = {}
    for item, lat, lam, k in ITEMS:
        cols[item] = ordinal_items(eta[lat], [lam], T5 if k == 5 else T6, rng)[:, 0]

    # context
    ctx: dict[str, np.ndarray] = {}
    ctx["loc"] = np.where(rural, 2, 1).astype(float)
    ctx["region"] = rng.integers(1, 21, N).astype(float)
    ctx["langi"] = rng.choice([1, 2, 3, 4], N, p=[.55, .35, .08, .02]).astype(float)
    ctx["yrs"] = yrs.astype(float)
    subjects = ["kazakh", "russian", "foreign", "math", "physics", "chemistry", "biology", "geography", "history",
                "informatics", "primary", "arts_pe", "other"]
    main_subj = rng.integers(0, len(subjects), N)
    second = rng.random(N) < 0.25
    for j, s in enumerate(subjects):
        ctx[f"subj_{s}"] = ((main_subj == j) | (second & (rng.integers(0, len(subjects), N) == j))).astype(float)
    ctx["qual"] = np.clip(1 + (yrs // 6) + rng.integers(-1, 2, N), 1, 6).astype(float)
    ngrp = rng.poisson(np.exp(1.2 + 0.3 * eta["NPC"]))
    ngrp[rng.random(N) < 0.05] = 0
    none = ngrp == 0
    for s, p in zip(["whatsapp", "telegram", "mailru", "vkontakte", "facebook", "instagram", "other"],
                    [.95, .55, .10, .08, .30, .45, .05]):
        ctx[f"plat_{s}"] = np.where(none, np.nan, (rng.random(N) < p)).astype(float)
    ctx["ngrp"] = ngrp.astype(float)
    wide = 1 / (1 + np.exp(-(eta["SHR"] + 0.3 * eta["NPC"])))  # sharers join wider groups
    for s, base in zip(["school", "district", "regional", "national", "subject"], [.7, .6, .2, .1, .2]):
        p = base if s in ("school", "district") else np.clip(base + 0.5 * wide, 0, 1)
        ctx[f"glev_{s}"] = np.where(none, np.nan, (rng.random(N) < p)).astype(float)
    ctx["f2f"] = np.where(none, -98, np.clip(np.round(3.2 - 0.6 * eta["SHR"] + rng.normal(0, 0.9, N)), 1, 5))
    ctx["role"] = np.where(none, -98, rng.choice([1, 2, 3], N, p=[.85, .10, .05])).astype(float)
    ctx["hasmnt"] = np.where(rng.random(N) < np.where(novice, .55, .10), 1, 2).astype(float)
    ctx["ismnt"] = np.where(rng.random(N) < np.where(novice, .02, .25), 1, 2).astype(float)
    ctx["curtr"] = rng.choice([1, 2, 3], N, p=[.70, .15, .15]).astype(float)

    # respondents in no group: participation not applicable
    for c in [c for c in cols if c.startswith(("shr", "rcv"))]:
        cols[c] = np.where(none, -98, cols[c])

    # careless responders: straight-liners and random responders
    careless = rng.choice(N, 16, replace=False)
    likert = [c for c in cols]
    for n, r in enumerate(careless):
        for c in likert:
            if none[r] and c.startswith(("shr", "rcv")):
                continue
            k = 6 if c.startswith(("shr", "rcv")) else 5
            cols[c][r] = (4 if n % 2 == 0 else 2) if n < 8 else rng.integers(1, k + 1)

    # missing answers: blanks (MCAR) and "prefer not to answer" (-99)
    for c in likert:
        u = rng.random(N)
        valid = cols[c] > 0
        cols[c] = np.where(valid & (u < 0.02), np.nan, cols[c])
        cols[c] = np.where(valid & (u >= 0.02) & (u < 0.025), -99, cols[c])

    order = (["loc", "region", "langi", "yrs"] + [f"subj_{s}" for s in subjects] + ["qual"]
             + [c for c in ctx if c.startswith("plat_")] + ["ngrp"] + [c for c in ctx if c.startswith("glev_")]
             + ["f2f", "role", "hasmnt", "ismnt", "curtr"])
    df = pd.DataFrame({"id": [f"T{i:04d}" for i in range(1, N + 1)]})
    for c in order:
        df[c] = ctx[c]
    for c in [i for i, *_ in ITEMS]:
        df[c] = cols[c]
    df["response_language"] = rng.choice(["ru", "kk-Cyrl"], N, p=[.45, .55])
    df["mode"] = rng.choice(["paper", "web"], N, p=[.7, .3])
    df["school"] = schools(ctx["region"], rural, eta["SUP"] + 0.6 * eta["CHL"])
    for c in df.columns:
        if df[c].dtype == float:
            df[c] = df[c].astype("Int64")
    out = HERE / "vpc_teachers_example.csv"
    df.to_csv(out, index=False)
    write_codebook(df, sorted(careless))
    write_manifest(out, df)
    print(f"wrote {HERE / 'vpc_teachers_example.csv'}: {len(df)} rows x {df.shape[1]} columns; "
          f"careless rows: {', '.join(df['id'].iloc[sorted(careless)])}")


def schools(region: np.ndarray, rural: np.ndarray, climate: np.ndarray) -> np.ndarray:
    """School ids (S001...): within each region, rural teachers in schools of 3-8 and urban ones in
    schools of 8-20. Teachers are placed by a noisy "school climate" (support + 0.6 challenge + N(0,
    1.5^2)), so schools differ in support and challenge: a planted ICC(1) of about .14 (support)
    and .11 (challenge) for those scale scores (.06-.09 per item), near 0 for scales unrelated to
    the climate. Drawn from its own generator (seed + 1) after every other column, which therefore
    stay as they were."""
    rng = np.random.default_rng(SEED + 1)
    key = climate + rng.normal(0, 1.5, len(climate))
    out = np.empty(len(region), dtype=object)
    number = 0
    for r in np.unique(region):
        for is_rural, (lo, hi) in ((True, (3, 8)), (False, (8, 20))):
            members = np.flatnonzero((region == r) & (rural == is_rural))
            members = members[np.argsort(key[members], kind="stable")]
            start = 0
            while start < len(members):
                size = int(rng.integers(lo, hi + 1))
                if len(members) - start - size < lo:       # no school smaller than the minimum at the end
                    size = len(members) - start
                number += 1
                out[members[start:start + size]] = f"S{number:03d}"
                start += size
    return out


def write_codebook(df: pd.DataFrame, careless_rows: list[int]) -> None:
    inst = InstrumentRegistry([HERE.parent / "instruments"]).get("vpc_teachers")
    header = (__doc__ or "").split("Population model", 1)[1]
    text = [
        "# Codebook: vpc_teachers_example.csv", "",
        "Simulated answers of {} teachers to the `vpc_teachers` questionnaire (all scales, context,".format(len(df)),
        "participation and motives). **Not real data**: made by `data/make_vpc_teachers_example.py`",
        f"(seed {SEED}) to exercise scoring, reliability, factor analysis and SEM. Regenerate with",
        "`python data/make_vpc_teachers_example.py`; the file is reproducible byte for byte.", "",
        "One row per respondent; `id` is the respondent id (T0001...). Empty cells are unanswered items;",
        "-99 = prefer not to answer, -98 = not applicable (participation items of teachers in no group,",
        "`f2f` and `role` of teachers in no group). Select-multiple questions are 0/1 columns `item_choice`.",
        "`response_language` (ru or kk-Cyrl) and `mode` (paper or web) are survey metadata.",
        "`school` (S001...) is the teacher's school within the region: rural schools of 3-8 teachers, urban",
        "schools of 8-20; teachers are placed by a noisy school climate (support + 0.6 challenge), which",
        "plants an ICC(1) of about .14 and .11 for the support and challenge scale scores (see `schools()`).", "",
        "## Population model", "", "```", "Population model" + header.rstrip(), "```", "",
        "Careless responders planted (ids): " + ", ".join(df["id"].iloc[careless_rows]) + ".", "",
        codebook_markdown(inst),
    ]
    (HERE / "vpc_teachers_example.md").write_text("\n".join(text), encoding="utf-8")


def write_manifest(path: Path, df: pd.DataFrame) -> None:
    manifest = HERE / "manifest.csv"
    row = {"dataset": "vpc_teachers_example", "file": path.name, "codebook": "vpc_teachers_example.md",
           "instrument": "vpc_teachers@1.0.0", "n_rows": len(df), "n_columns": df.shape[1],
           "description": "Simulated answers to the vpc_teachers questionnaire (triangle population model, "
                          "rural/urban and novice/experienced groups, missing answers, 16 careless responders)",
           "source": f"simulated by data/make_vpc_teachers_example.py (seed {SEED})", "license": "CC0-1.0",
           "sha256": file_sha256(path)}
    old = pd.read_csv(manifest) if manifest.exists() else pd.DataFrame(columns=list(row))
    old = old[old["dataset"] != row["dataset"]]
    pd.concat([old, pd.DataFrame([row])], ignore_index=True).to_csv(manifest, index=False)


if __name__ == "__main__":
    main()
