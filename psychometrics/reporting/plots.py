"""Plots (matplotlib, non-interactive backend): the command line's scree and loadings PNGs, and the
report's figures as SVG text + PNG bytes (Likert bars, scree, structural diagram). The only module
of the reporting stage that imports matplotlib."""

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


# --------------------------------------------------------------------------- report figures
#: diverging palette for answer categories (ColorBrewer RdBu, colour-blind safe), disagree -> agree
_LIKERT = {2: ["#ca0020", "#0571b0"], 3: ["#ca0020", "#d9d9d9", "#0571b0"],
           4: ["#ca0020", "#f4a582", "#92c5de", "#0571b0"], 5: ["#ca0020", "#f4a582", "#d9d9d9", "#92c5de", "#0571b0"],
           6: ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"],
           7: ["#b2182b", "#ef8a62", "#fddbc7", "#d9d9d9", "#d1e5f0", "#67a9cf", "#2166ac"]}


def rendered(fig):
    """A matplotlib figure as SVG text (text kept as text, no timestamp, ids fixed) and a function
    giving its PNG bytes on first call (Word and Markdown need them; HTML does not)."""
    import io

    plt = _pyplot()
    plt.rcParams["svg.fonttype"] = "none"
    plt.rcParams["svg.hashsalt"] = "psychometrics"
    s = io.StringIO()
    fig.savefig(s, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    memo: list[bytes] = []

    def png() -> bytes:
        if not memo:
            p = io.BytesIO()
            fig.savefig(p, format="png", dpi=110, metadata={"Software": None}, bbox_inches="tight")
            memo.append(p.getvalue())
        return memo[0]
    return s.getvalue(), png


def likert_bars(shares, labels: list[str], texts: list[str], title: str = ""):
    """Diverging stacked bars of the answer categories per item (the usual Likert plot): the
    middle category straddles zero, lower categories go left, higher right; percentages of the
    item's valid answers. ``shares``: items x categories array of proportions (rows sum to 1)."""
    plt = _pyplot()
    shares = np.asarray(shares, float) * 100
    k = shares.shape[1]
    colors = _LIKERT.get(k) or [plt.get_cmap("RdBu")(x) for x in np.linspace(0.1, 0.9, k)]
    mid = k // 2
    left = shares[:, :mid].sum(axis=1) + (shares[:, mid] / 2 if k % 2 else 0)
    fig, ax = plt.subplots(figsize=(8.6, 0.9 + 0.36 * len(texts)))
    y = np.arange(len(texts))[::-1]
    start = -left
    for j in range(k):
        ax.barh(y, shares[:, j], left=start, color=colors[j], edgecolor="white", linewidth=.5, label=labels[j], height=.72)
        for yi, s0, w in zip(y, start, shares[:, j]):
            if w >= 7:
                ax.text(s0 + w / 2, yi, f"{w:.0f}", ha="center", va="center", fontsize=7,
                        color="white" if j in (0, k - 1) else "black")
        start = start + shares[:, j]
    ax.axvline(0, color="#444", lw=.8)
    ax.set_yticks(y, texts, fontsize=8)
    lim = max(float(left.max()), float((shares.sum(axis=1) - left).max())) + 5
    ax.set_xlim(-lim, lim)
    ticks = np.arange(-100, 101, 25)
    ticks = ticks[np.abs(ticks) <= lim]
    ax.set_xticks(ticks, [f"{abs(t)}%" for t in ticks], fontsize=8)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.legend(ncol=min(k, 5), fontsize=7.5, frameon=False, loc="lower center", bbox_to_anchor=(0.4, 1.0))
    if title:
        ax.set_title(title, fontsize=10, pad=26, loc="left")
    return rendered(fig)


def scree_figure(res):
    """The scree / parallel-analysis plot of an EFA result, for the report."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.0))
    k = np.arange(1, len(res.items) + 1)
    pa = res.parallel
    if pa is not None:
        ax.plot(k, pa.observed_factors, "o-", color="#1f4e79", label="observed (factors)")
        ax.plot(k, pa.thresholds("factors"), "--", color="#c0504d", label="simulated (parallel analysis)")
        ax.set_title(f"Parallel analysis suggests {pa.suggested_factors} factor(s)", fontsize=10)
    else:
        ax.plot(k, np.linalg.eigvalsh(res.correlation.to_numpy())[::-1], "o-", color="#1f4e79", label="eigenvalues")
    ax.axhline(1.0 if pa is None else 0.0, color="grey", lw=.8, ls=":")
    ax.set_xlabel("factor number")
    ax.set_ylabel("eigenvalue")
    ax.set_xticks(k)
    ax.legend(frameon=False, fontsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return rendered(fig)


def structural_diagram(nodes: dict[str, tuple[float, float]], paths: list[tuple[str, str, str, bool]],
                       covariances: list[tuple[str, str, str]], r2: dict[str, float]):
    """The structural part of a model: latent variables as ovals at ``nodes`` (x, y), regressions
    as arrows labelled with their standardized estimates and significance stars (black when
    p < .05, grey otherwise), covariances of the exogenous variables as dashed curves, and R² under
    each endogenous variable. ``paths``: (from, to, label, significant)."""
    plt = _pyplot()
    from matplotlib.patches import Ellipse, FancyArrowPatch

    xs = [p[0] for p in nodes.values()]
    ys = [p[1] for p in nodes.values()]
    fig, ax = plt.subplots(figsize=(2.2 + 2.0 * (max(xs) - min(xs) + 1), 1.4 + 1.15 * (max(ys) - min(ys) + 1)))
    w, h = 1.5, 0.62
    for name, (x, y) in nodes.items():
        ax.add_patch(Ellipse((x, y), w, h, fc="#dbe9f6", ec="#1d1d1f", lw=1))
        ax.text(x, y, name, ha="center", va="center", fontsize=9)
        if name in r2:
            ax.text(x, y - h / 2 - 0.14, f"R² = {r2[name]:.2f}".replace("0.", ".", 1), ha="center", va="top",
                    fontsize=7.5, color="#333")
    for a, b, label in covariances:
        (x1, y1), (x2, y2) = nodes[a], nodes[b]
        ax.add_patch(FancyArrowPatch((x1 - w / 2, y1), (x2 - w / 2, y2), arrowstyle="<|-|>", mutation_scale=9,
                                     connectionstyle="arc3,rad=0.45", ls="--", lw=.8, color="#555"))
        ax.text(min(x1, x2) - w / 2 - 0.45, (y1 + y2) / 2, label, fontsize=7.5, ha="center", va="center", color="#555",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})
    # paths that skip a column curve around the variables between (alternately above and below)
    bend = 0
    for a, b, label, sig in paths:
        (x1, y1), (x2, y2) = nodes[a], nodes[b]
        color = "#1d1d1f" if sig else "#9a9a9a"
        between = [n for n, (x, y) in nodes.items() if n not in (a, b) and min(x1, x2) < x < max(x1, x2)
                   and abs((y - y1) - (y2 - y1) * (x - x1) / ((x2 - x1) or 1e-9)) < h]
        rad = 0.0
        if between:
            bend += 1
            rad = (0.28 + 0.06 * (bend // 2)) * (1 if bend % 2 else -1)
        ax.add_patch(FancyArrowPatch((x1, y1), (x2, y2), arrowstyle="-|>", mutation_scale=12, lw=1.1 if sig else .9,
                                     shrinkA=30, shrinkB=30, color=color, ls="-" if sig else (0, (4, 2)),
                                     connectionstyle=f"arc3,rad={rad}"))
        # label: on the straight line at 40%, or at the curve's apex
        if rad:
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            dx, dy = x2 - x1, y2 - y1
            lx, ly = mx + rad * dy / 2, my - rad * dx / 2      # a quadratic Bezier's apex: half-way to its control point
        else:
            lx, ly = x1 + 0.4 * (x2 - x1), y1 + 0.4 * (y2 - y1)
        ax.text(lx, ly, label, fontsize=8, ha="center", va="center", color=color,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"})
    ax.set_xlim(min(xs) - 1.6, max(xs) + 1.0)
    ax.set_ylim(min(ys) - 1.3, max(ys) + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    return rendered(fig)
