"""Exploratory factor analysis: factorability (KMO, Bartlett), how many factors (parallel
analysis, Velicer's MAP), extraction (minres, principal axis, ML), rotation (varimax, promax,
oblimin, geomin, target) and the hierarchical solution (Schmid-Leiman, omega hierarchical).

``psychometrics.efa(data, factors=...)`` calls :func:`efa`; the module stays importable.
"""

from .analysis import (
    OBLIQUE,
    EFAResult,
    Method,
    ParallelAnalysis,
    Rotation,
    bartlett,
    correlation_matrix,
    efa,
    kmo,
    parallel_analysis,
    velicer_map,
)

__all__ = ["efa", "EFAResult", "ParallelAnalysis", "parallel_analysis", "velicer_map", "kmo", "bartlett",
           "correlation_matrix", "Method", "Rotation", "OBLIQUE"]


from ..._callable import make_callable as _make_callable  # noqa: E402

_make_callable(__name__, "efa")   # psychometrics.efa(...) calls it; the module stays a module
