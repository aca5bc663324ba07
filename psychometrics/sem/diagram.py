"""Path diagrams of fitted models as Graphviz DOT (and SVG/PNG/PDF when Graphviz is installed).

Latent variables are ovals, observed variables boxes; loadings and regressions are arrows,
covariances dashed two-headed arrows, labelled with the standardized (std_all) or raw estimates;
parameters significant at 5% are drawn black, others grey. Residual variances are left out to keep
the picture readable. SVG/PNG/PDF come from Graphviz when its ``dot`` program is installed, else
from a layered layout drawn with matplotlib (latent variables in columns by their regression
depth, each with its indicators to the left).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..exceptions import PsychometricsError


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '\\"') + '"'


def to_dot(params, latent: list[str], observed: list[str], standardized: bool = True, title: str = "") -> str:
    col = "std_all" if standardized else "est"
    lines = ["digraph sem {", "  rankdir=LR;", '  node [fontname="Helvetica"]; edge [fontname="Helvetica", fontsize=10];']
    if title:
        lines.append(f"  label={_q(title)}; labelloc=t;")
    for v in latent:
        lines.append(f"  {_q(v)} [shape=ellipse];")
    for v in observed:
        lines.append(f"  {_q(v)} [shape=box];")
    for r in params.itertuples():
        if r.op not in ("=~", "~", "~~") or (r.op == "~~" and r.lhs == r.rhs):
            continue
        value = getattr(r, col)
        sig = (r.se > 0 and r.pvalue < 0.05) if r.free else True
        style = [f"label={_q(f'{value:.2f}')}"]
        if not sig:
            style.append('color="grey60", fontcolor="grey40"')
        if r.op == "=~":
            lines.append(f"  {_q(r.lhs)} -> {_q(r.rhs)} [{', '.join(style)}];")
        elif r.op == "~":
            lines.append(f"  {_q(r.rhs)} -> {_q(r.lhs)} [{', '.join(style)}];")
        else:
            lines.append(f"  {_q(r.lhs)} -> {_q(r.rhs)} [dir=both, style=dashed, constraint=false, {', '.join(style)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def path_diagram(result, path: str | None = None, standardized: bool = True) -> str:
    params = result.parameters
    if len(result.groups) > 1:
        params = params[params["group"] == result.groups[0]]
    observed = list(result.implied.index)
    latent = [v for v in dict.fromkeys(params.loc[params.op == "=~", "lhs"])]
    dot = to_dot(params, latent, observed, standardized,
                 title=("standardized (std_all)" if standardized else "unstandardized")
                 + (f", group {result.groups[0]}" if len(result.groups) > 1 else ""))
    if path:
        out = Path(path)
        ext = out.suffix.lower().lstrip(".")
        if ext in ("dot", "gv", ""):
            out.write_text(dot, encoding="utf-8")
        elif ext not in ("svg", "png", "pdf"):
            raise PsychometricsError(f"{out.name}: a path diagram is written as .dot, .svg, .png or .pdf")
        elif (dot_exe := shutil.which("dot")):
            run = subprocess.run([dot_exe, f"-T{ext}", "-o", str(out)], input=dot.encode(),
                                 capture_output=True)
            if run.returncode != 0:
                raise PsychometricsError(f"Graphviz failed on {out.name}: {run.stderr.decode(errors='replace')[:300]}")
        else:   # no Graphviz: our own layered layout drawn with matplotlib
            _draw_matplotlib(params, latent, observed, standardized, out)
    return dot


def _levels(params, latent: list[str]) -> dict[str, int]:
    """Column of each latent variable: the longest chain of regressions leading to it."""
    preds = {f: [r.rhs for r in params.itertuples() if r.op == "~" and r.lhs == f and r.rhs in latent] for f in latent}
    level: dict[str, int] = {}

    def depth(f, seen=()):
        if f in level:
            return level[f]
        if f in seen:   # a feedback loop: cut it
            return 0
        level[f] = 0 if not preds[f] else 1 + max(depth(q, seen + (f,)) for q in preds[f])
        return level[f]

    for f in latent:
        depth(f)
    return level


def _draw_matplotlib(params, latent, observed, standardized, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

    col = "std_all" if standardized else "est"
    level = _levels(params, latent)
    loads = {f: [r for r in params.itertuples() if r.op == "=~" and r.lhs == f] for f in latent}
    pos, box = {}, {}
    columns: dict[int, list[str]] = {}
    for f in latent:
        columns.setdefault(level[f], []).append(f)
    height = max(sum(max(len(loads[f]), 1) * 0.7 + 0.8 for f in fs) for fs in columns.values())
    for lv, fs in columns.items():
        y = height
        for f in fs:
            span = max(len(loads[f]), 1) * 0.7
            pos[f] = (lv * 5.0, y - span / 2)
            for k, r in enumerate(loads[f]):
                box[r.rhs] = (lv * 5.0 - 2.2, y - 0.35 - k * 0.7)
            y -= span + 0.8
    fig, ax = plt.subplots(figsize=(3 + 3.2 * len(columns), 1 + 0.55 * height))

    def arrow(a, b, value, sig, style="-|>", rad=0.0, dashed=False):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle=style, mutation_scale=10, shrinkA=14, shrinkB=14,
                                     connectionstyle=f"arc3,rad={rad}", color="black" if sig else "grey",
                                     linestyle="--" if dashed else "-", lw=1))
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + rad * 0.8
        ax.text(mx, my, f"{value:.2f}", fontsize=7, ha="center", va="center", color="black" if sig else "grey",
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none"})

    for f, (x, y) in pos.items():
        ax.add_patch(Ellipse((x, y), 1.6, 0.8, fc="#dbe9f6", ec="black"))
        ax.text(x, y, f, ha="center", va="center", fontsize=8)
    for v, (x, y) in box.items():
        ax.add_patch(FancyBboxPatch((x - 0.45, y - 0.2), 0.9, 0.4, boxstyle="square,pad=0", fc="white", ec="black"))
        ax.text(x, y, v, ha="center", va="center", fontsize=7)
    for r in params.itertuples():
        sig = (r.se > 0 and r.pvalue < 0.05) if r.free else True
        v = getattr(r, col)
        if r.op == "=~" and r.rhs in box:
            arrow(pos[r.lhs], box[r.rhs], v, sig)
        elif r.op == "~" and r.lhs in pos and r.rhs in pos:
            skip = abs(level[r.lhs] - level[r.rhs]) > 1 or level[r.lhs] == level[r.rhs]
            arrow(pos[r.rhs], pos[r.lhs], v, sig, rad=-0.25 if skip else 0.0)
        elif r.op == "~~" and r.lhs != r.rhs and r.lhs in pos and r.rhs in pos:
            arrow(pos[r.lhs], pos[r.rhs], v, sig, style="<|-|>", rad=0.3, dashed=True)
    xs = [p[0] for p in list(pos.values()) + list(box.values())]
    ys = [p[1] for p in list(pos.values()) + list(box.values())]
    ax.set_xlim(min(xs) - 1, max(xs) + 1.2)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("standardized estimates (std_all)" if standardized else "estimates", fontsize=9)
    fig.savefig(out, bbox_inches="tight")
    plt.close(fig)
