"""Path diagrams of fitted models as Graphviz DOT (and SVG/PNG/PDF when Graphviz is installed).

Latent variables are ovals, observed variables boxes; loadings and regressions are arrows,
covariances dashed two-headed arrows, labelled with the standardized (std_all) or raw estimates;
parameters significant at 5% are drawn solid, others grey. Residual variances are left out to keep
the picture readable.
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
        else:
            exe = shutil.which("dot")
            if exe is None:
                raise PsychometricsError(f"writing {out.name} needs Graphviz's 'dot' program (apt install graphviz, "
                                         "brew install graphviz, or conda install graphviz); or write a .dot file")
            run = subprocess.run([exe, f"-T{ext}", "-o", str(out)], input=dot.encode(), capture_output=True)
            if run.returncode != 0:
                raise PsychometricsError(f"Graphviz failed on {out.name}: {run.stderr.decode(errors='replace')[:300]}")
    return dot
