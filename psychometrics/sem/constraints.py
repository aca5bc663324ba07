"""Estimation under general equality and inequality constraints (lavaan's ``==``, ``<``, ``>``
beyond two shared labels).

Sequential quadratic programming with the Fisher matrix as Hessian and an active set: each step
solves the KKT system

.. math:: \\begin{pmatrix} 2I(\\theta) & J_A' \\\\ J_A & 0 \\end{pmatrix}
          \\begin{pmatrix} d \\\\ \\lambda \\end{pmatrix} = -\\begin{pmatrix} g \\\\ h_A \\end{pmatrix}

for the equalities and the active inequalities A (J their Jacobian by central differences), with
step halving on the merit function :math:`F + \\mu\\lVert h_A\\rVert_1`. An inequality joins A when it
is violated and leaves it when its multiplier says the optimum lies inside. Covariances of the
estimates come from the bordered information matrix (Silvey, 1959; Bollen, 1989, p. 401):

.. math:: \\begin{pmatrix} I & J_A' \\\\ J_A & 0 \\end{pmatrix}^{-1} =
          \\begin{pmatrix} C & \\cdot \\\\ \\cdot & \\cdot \\end{pmatrix},\\qquad
          \\widehat{\\operatorname{Cov}}(\\hat\\theta) = C / N \\;\\text{(or } C B C / N \\text{ for MLR)}

lavaan counts equality constraints (not inequalities) in the degrees of freedom and gives no SE
for a parameter held at an active inequality bound; so do we. R: ``lavaan::sem(model)`` with
``a + b == 1`` or ``v > 0`` lines.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import EstimationError
from .model import Block, Model


class Constraints:
    def __init__(self, fun, kinds: list[str], texts: list[str] | None = None):
        self.fun = fun
        self.kinds = np.array(kinds)
        self.eq = self.kinds == "eq"
        self.n_eq = int(self.eq.sum())
        self.texts = list(texts) if texts is not None else [f"constraint {i + 1}" for i in range(len(kinds))]
        self.rank = self.n_eq     # non-redundant equalities; set by rank_eq() (lavaan's rank of con.jac)

    def check_feasible(self, theta: np.ndarray) -> None:
        """Refuse equality constraints that cannot all hold at once (``a == 2`` with ``a == 3``,
        or ``a == b``, ``a - b == 1``): Gauss-Newton on the constraints alone from ``theta``
        (exact in one step for linear ones) leaves a violation. Without this check the SQP stalls
        and the singular bordered matrix is reported as "not identified"."""
        if not self.n_eq:
            return
        idx = np.flatnonzero(self.eq)
        th = theta.copy()
        for _ in range(50):
            h = self.fun(th)[idx]
            if np.abs(h).max() < 1e-10:
                return
            step = np.linalg.lstsq(self.jacobian(th)[idx], h, rcond=None)[0]
            th = th - step
            if np.abs(step).max() < 1e-12:
                break
        h = self.fun(th)[idx]
        if np.abs(h).max() < 1e-7 * (1 + np.abs(th).max()):
            return
        broken = [self.texts[i] for i, v in zip(idx, h) if abs(v) > 1e-7]
        others = [self.texts[i] for i in idx if self.texts[i] not in broken]
        raise EstimationError("the equality constraints cannot all hold at once: the closest the parameters come "
                              "still violates " + ", ".join(broken[:6])
                              + (f"; it conflicts with {', '.join(others[:6])}: remove or correct the conflicting ones"
                                 if others else ("; they conflict with each other: remove or correct one"
                                                 if len(broken) > 1 else "; no parameter values satisfy it: correct it")))

    def rank_eq(self, theta: np.ndarray) -> int:
        """The number of non-redundant equality constraints at ``theta`` (lavaan's rank of con.jac)."""
        if not self.n_eq:
            return 0
        J = self.jacobian(theta)[self.eq]
        self.rank = int(np.linalg.matrix_rank(J, tol=1e-7 * max(1.0, np.abs(J).max())))
        return self.rank

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        k = len(theta)
        h = 1e-6 * np.maximum(1.0, np.abs(theta))
        J = np.empty((len(self.kinds), k))
        for j in range(k):
            tp, tm = theta.copy(), theta.copy()
            tp[j] += h[j]
            tm[j] -= h[j]
            J[:, j] = (self.fun(tp) - self.fun(tm)) / (2 * h[j])
        return J

    def independent(self, theta: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """The active constraints whose Jacobian rows are independent (a mask), and those that
        follow from the others (e.g. ``a + b == 1`` and ``2*a + 2*b == 2``), as written."""
        A = np.flatnonzero(active)
        J = self.jacobian(theta)
        keep = np.zeros(len(self.kinds), dtype=bool)
        out: list[str] = []
        kept = np.zeros((0, J.shape[1]))
        tol = 1e-7 * max(1.0, np.abs(J).max(initial=0.0))
        for i in A:
            trial = np.vstack([kept, J[i]])
            if np.linalg.matrix_rank(trial, tol=tol) > len(kept):
                kept, keep[i] = trial, True
            else:
                out.append(self.texts[i])
        return keep, out


def fit_constrained(model: Model, blocks: list[Block], theta0: np.ndarray, cons: Constraints, c0: float = 0.0,
                    tol: float = 1e-8, max_iter: int = 300) -> tuple[np.ndarray, float, bool, str, np.ndarray]:
    """Returns (theta, F, converged, message, active) with ``active`` marking the constraints held
    as equalities at the solution (all equalities, the binding inequalities)."""
    cons.check_feasible(theta0)
    theta = theta0.copy()
    F, g = model.objective(theta, blocks, c0)
    if not np.isfinite(F):
        raise EstimationError("estimation failed: the model-implied covariance matrix is not positive definite "
                              "at the starting values; check the model or give start values")
    active = cons.eq | (cons.fun(theta) < 0)
    mu = 10.0
    kkt, feasible = np.inf, False
    for it in range(1, max_iter + 1):
        h = cons.fun(theta)
        J = cons.jacobian(theta)
        H = 2 * model.expected_information(theta, blocks)
        A = np.flatnonzero(active)
        k = len(theta)
        K = np.zeros((k + len(A), k + len(A)))
        K[:k, :k] = H
        K[k:, :k] = J[A]
        K[:k, k:] = J[A].T
        rhs = -np.concatenate([g, h[A]])
        try:
            sol = np.linalg.solve(K, rhs)
        except np.linalg.LinAlgError:
            sol = np.linalg.lstsq(K, rhs, rcond=None)[0]
        d, lam = sol[:k], sol[k:]
        mu = max(mu, 2 * np.abs(lam).max(initial=0.0))
        merit = F + mu * np.abs(h[A]).sum()
        alpha, moved = 1.0, False
        for _ in range(30):
            cand = theta + alpha * d
            Fc, gc = model.objective(cand, blocks, c0)
            hc = cons.fun(cand)
            if np.isfinite(Fc) and Fc + mu * np.abs(hc[A]).sum() <= merit + 1e-12 * (1 + abs(merit)):
                moved = True
                break
            alpha /= 2
        if moved:
            theta, F, g = cand, Fc, gc
        h = cons.fun(theta)
        # KKT: g + J_A' lambda = 0; an inequality's multiplier must be <= 0 (min F s.t. c >= 0 means
        # g = -J' lambda with -lambda >= 0), else the optimum lies inside that bound
        kkt = np.abs(g + J[A].T @ lam).max() if len(A) else np.abs(g).max()
        feasible = np.abs(h[cons.eq]).max(initial=0.0) < 1e-9 and bool((h[~cons.eq] > -1e-9).all())
        violated = np.flatnonzero(~cons.eq & ~active & (h < -1e-12))
        if len(violated):
            active[violated] = True
            continue
        if kkt < tol and feasible:
            inside = [i for i, a in zip(A, lam) if not cons.eq[i] and a > 1e-10]
            if inside:
                active[inside[0]] = False
                continue
            return theta, float(F), True, f"SQP converged in {it} iterations", active.copy()
        if not moved:
            break
    ok = bool(kkt < 1e-6 and feasible)
    return theta, float(F), ok, f"SQP stopped after {it} iterations (KKT residual {kkt:.2g})", active.copy()


def bordered_inverse(info: np.ndarray, J: np.ndarray) -> np.ndarray:
    """Top-left block of [[I, J'], [J, 0]]^-1 (unit covariance under the constraints J d = 0; the
    rows of J independent, see :meth:`Constraints.independent`)."""
    k = len(info)
    K = np.zeros((k + len(J), k + len(J)))
    K[:k, :k] = info
    K[k:, :k] = J
    K[:k, k:] = J.T
    try:
        Kinv = np.linalg.inv(K)
    except np.linalg.LinAlgError as e:
        raise EstimationError("the model is not identified under its constraints (the bordered information "
                              "matrix is singular); check the constraints") from e
    return Kinv[:k, :k]
