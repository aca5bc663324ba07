"""The result of a Monte Carlo power study: power and recovery per sample size and parameter, the
smallest n reaching a target power, and a plot of power against n."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..reporting.result import ResultBase
from ..reporting.summary import Summary, jsonable

SHOWN = ["n", "lhs", "op", "rhs", "group", "label", "population", "power", "power_se", "coverage", "bias", "rel_bias",
         "se_bias", "converged", "admissible"]


@dataclass(frozen=True, repr=False)
class PowerResult(ResultBase):
    """Monte Carlo power (:func:`psychometrics.simulate.power.power`).

    Attributes
    ----------
    table : DataFrame
        One row per sample size and parameter (free parameters and ``:=`` effects): ``n`` (the
        total over the groups),
        ``lhs``, ``op``, ``rhs``, ``group``, ``label``, ``population``, ``power``, ``power_se``
        (Monte Carlo SE), ``coverage``, ``mean_est``, ``bias``, ``rel_bias``, ``sd_est``,
        ``mean_se``, ``se_bias``, ``converged``, ``admissible``, ``reps`` (replications used).
    smallest_n : DataFrame or None
        With a target: per parameter the smallest n reaching it (``n``, ``n_se``, ``reached``).
    reps : int
        Replications per sample size.
    meta : dict
        Provenance: seed, estimator, models, engine.
    """

    table: pd.DataFrame
    smallest_n: pd.DataFrame | None
    reps: int
    meta: dict = field(default_factory=dict)

    @property
    def nobs(self) -> list:
        return list(self.meta.get("n", []))

    def _repr_fields(self) -> dict:
        return {"reps": self.reps, "parameters": int(self.table.groupby("n").size().iloc[0])}

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def summary(self) -> Summary:
        m = self.meta
        header = [f"Monte Carlo power: {self.reps} replications per sample size; alpha {m.get('alpha')}; estimator "
                  f"{m.get('estimator')}; seed {m.get('seed')}; {m.get('engine')}",
                  "power: share of replications with p < alpha; coverage of the Wald interval; bias against the "
                  "analysis model's population values (Muthen & Muthen, 2002)", *self.provenance.header(),
                  *[f"note: {n}" for n in m.get("notes", [])]]
        tables = [("Power and parameter recovery", self.table[SHOWN])]
        if self.smallest_n is not None:
            tables.append((f"Smallest n for power {m.get('target')}", self.smallest_n))
        return Summary("Power analysis", header, tables)

    def to_dict(self) -> dict:
        return jsonable({"results": self.table.to_dict(orient="records"),
                         "smallest_n": None if self.smallest_n is None else self.smallest_n.to_dict(orient="records"),
                         "reps": self.reps, "meta": self.meta})

    def plot(self, path: str, parameters: list[str] | None = None) -> None:
        """Power against n per parameter (PNG, SVG or PDF by the extension), with Monte Carlo
        intervals and the target line; ``parameters`` as ``"lhs op rhs"`` (default: the paths and
        ``:=`` effects, else every parameter)."""
        from ..reporting.plots import _pyplot

        plt = _pyplot()
        t = self.table.assign(name=self.table["lhs"] + " " + self.table["op"] + " " + self.table["rhs"].astype(str))
        if parameters is None:
            keep = t["op"].isin(["~", ":="])
            parameters = list(dict.fromkeys(t.loc[keep if keep.any() else t.index == t.index, "name"]))
        fig, ax = plt.subplots(figsize=(6.5, 4.2))
        for name in parameters:
            s = t[t["name"] == name].groupby("n", as_index=False).first().sort_values("n")
            half = 1.96 * s["power_se"]
            yerr = [np.minimum(half, s["power"]), np.minimum(half, 1 - s["power"])]     # inside [0, 1]
            ax.errorbar(s["n"], s["power"], yerr=yerr, marker="o", capsize=3, label=name)
        if self.meta.get("target"):
            ax.axhline(self.meta["target"], color="grey", lw=.8, ls="--")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("sample size (n)")
        ax.set_ylabel(f"power (alpha = {self.meta.get('alpha')})")
        ax.set_title(f"Monte Carlo power, {self.reps} replications per n")
        ax.legend(frameon=False, fontsize=8)
        ax.grid(alpha=.3)
        fig.tight_layout()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=150)
        plt.close(fig)
