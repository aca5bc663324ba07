"""The hierarchical solution: Schmid-Leiman transformation (Schmid & Leiman, 1957) and omega
hierarchical. R: ``psych::schmid``, ``psych::omega``."""

from __future__ import annotations

import warnings

import numpy as np

from ...exceptions import PsychometricsWarning
from .extraction import minres
from .rotation import gpa_oblique, varimax


def schmid_leiman(R: np.ndarray, n_factors: int) -> dict:
    """Schmid-Leiman transformation of an oblimin minres solution, as ``psych::schmid``.

    Returns general loadings ``g``, group loadings, communalities ``h2`` and uniquenesses ``u2``.
    With two group factors the general factor is not identified; like psych's ``option =
    "equal"`` both factors load :math:`\\sqrt{|\\phi_{12}|}` on it.
    """
    L0, _, ok = minres(R, n_factors)
    if not ok:
        warnings.warn("minres extraction for omega did not converge", PsychometricsWarning, stacklevel=3)
    Lv, _ = varimax(L0)
    h2 = (L0 ** 2).sum(axis=1)
    if n_factors == 1:
        return {"g": L0[:, 0], "group": np.zeros((len(R), 1)), "h2": h2, "u2": np.diag(R) - h2, "phi": np.eye(1)}
    F, Phi, _, conv = gpa_oblique(Lv)
    if not conv:
        warnings.warn("oblimin rotation for omega did not converge", PsychometricsWarning, stacklevel=3)
    if n_factors == 2:
        r = Phi[0, 1]
        gl = np.array([np.sqrt(abs(r)), np.sign(r) * np.sqrt(abs(r))])
    else:
        G, _, _ = minres(Phi, 1)
        gl = G[:, 0]
    g = F @ gl
    group = F * np.sqrt(np.maximum(1 - gl ** 2, 0))
    return {"g": g, "group": group, "h2": h2, "u2": np.diag(R) - h2, "phi": Phi, "oblique": F, "g_of_factors": gl}


def omega_hierarchical(R: np.ndarray, n_factors: int) -> dict:
    """McDonald's omega hierarchical and omega total from a Schmid-Leiman solution (psych ``omega``):

    .. math:: \\omega_h = \\frac{(\\sum_i |g_i|)^2}{\\mathbf 1' K R K \\mathbf 1}, \\qquad
              \\omega_t = 1 - \\frac{\\sum_i u^2_i}{\\mathbf 1' K R K \\mathbf 1}

    with :math:`K` flipping items whose general loading is negative.
    """
    sl = schmid_leiman(R, n_factors)
    key = np.where(sl["g"] < 0, -1.0, 1.0)
    Vt = (R * np.outer(key, key)).sum()
    return {"omega_h": float(np.abs(sl["g"]).sum() ** 2 / Vt), "omega_t": float((Vt - sl["u2"].sum()) / Vt),
            "schmid": sl}
