"""Plots (matplotlib, non-interactive backend); the only module that imports matplotlib."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def scree(res, path: str) -> None:
    """Observed eigenvalues (components and factors) with the parallel-analysis thresholds."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    k = np.arange(1, len(res.items) + 1)
    if res.parallel is not None:
        pa = res.parallel
        q = f"{int(pa.quantile * 100)}th percentile" if pa.quantile else "mean"
        ax.plot(k, pa.observed_components, "o-", color="#1f4e79", label="components (observed)")
        ax.plot(k, pa.thresholds("components"), "--", color="#1f4e79", alpha=.6, label=f"components (simulated, {q})")
        ax.plot(k, pa.observed_factors, "^-", color="#c0504d", label="factors (observed)")
        ax.plot(k, pa.thresholds("factors"), "--", color="#c0504d", alpha=.6, label=f"factors (simulated, {q})")
        ax.set_title(f"Parallel analysis: {pa.suggested_factors} factor(s), {pa.suggested_components} component(s)")
    else:
        ax.plot(k, np.linalg.eigvalsh(res.correlation.to_numpy())[::-1], "o-", color="#1f4e79", label="components")
        ax.set_title("Scree plot")
    ax.axhline(1.0, color="grey", lw=.8, ls=":")
    ax.set_xlabel("factor / component number")
    ax.set_ylabel("eigenvalue")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)


def loadings_heatmap(res, path: str) -> None:
    """Items x factors heatmap of the loadings, values printed in the cells."""
    plt = _pyplot()
    L = res.sorted_loadings(cutoff=0).iloc[:, :res.n_factors]
    fig, ax = plt.subplots(figsize=(1.2 + 1.1 * res.n_factors, 0.8 + 0.28 * len(L)))
    im = ax.imshow(L.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(L.shape[1]), L.columns)
    ax.set_yticks(range(len(L)), L.index)
    for i in range(L.shape[0]):
        for j in range(L.shape[1]):
            v = L.iat[i, j]
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="white" if abs(v) > .6 else "black")
    fig.colorbar(im, ax=ax, fraction=.05)
    ax.set_title(f"{res.method}, {res.rotation}")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)
