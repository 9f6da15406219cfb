r"""Closed forms for gradient descent on a quadratic (Hessian eigenvalues known).

On :math:`f(x) = \tfrac12 x^\top A x` with eigenvalues :math:`\mu = \lambda_{min}`,
:math:`L = \lambda_{max}`, plain gradient descent multiplies the error along each
eigenvector by :math:`1 - \eta\lambda` per step, so it converges iff
:math:`|1-\eta\lambda| < 1` for every :math:`\lambda`, i.e. :math:`\eta < 2/L`.
Heavy-ball momentum :math:`\beta` (torch's SGD momentum) has per-eigenvalue
characteristic polynomial :math:`z^2 - (1 + \beta - \eta\lambda) z + \beta`.
"""
from __future__ import annotations

import numpy as np

from ._validation import check_lr_array, check_number

__all__ = ["eigenvalues", "critical_lr", "optimal_lr", "convergence_rate", "optimal_momentum",
           "steps_to_tolerance"]


def eigenvalues(loss) -> np.ndarray:
    """The Hessian eigenvalues of ``loss`` (a lrlab quadratic or least-squares loss, or an array)."""
    ev = getattr(loss, "eigenvalues", loss)
    try:
        ev = np.asarray(ev, dtype=float).ravel()
    except (TypeError, ValueError):
        raise TypeError("loss must be a loss with known Hessian eigenvalues (quadratic, least_squares) "
                        f"or an array of eigenvalues, got {type(loss).__name__}") from None
    if ev.size == 0 or not np.all(np.isfinite(ev)) or np.any(ev < 0) or ev.max() <= 0:
        raise ValueError(f"loss eigenvalues must be finite, >= 0 and not all 0, got {ev.tolist()}")
    return np.sort(ev)


def critical_lr(loss, momentum: float = 0.0) -> float:
    r"""The largest stable constant lr: :math:`2(1+\beta)/L` (``2/L`` without momentum)."""
    beta = check_number("momentum", momentum, low=0.0, high=1.0, high_inclusive=False)
    return 2.0 * (1.0 + beta) / eigenvalues(loss)[-1]


def optimal_lr(loss) -> float:
    r"""The lr that minimizes the GD rate :math:`\max|1-\eta\lambda|`: :math:`2/(\mu + L)`."""
    ev = eigenvalues(loss)
    return 2.0 / (ev[0] + ev[-1])


def convergence_rate(loss, lr, momentum: float = 0.0):
    r"""Spectral radius of the iteration: the per-step factor by which the error shrinks.

    Without momentum :math:`\rho = \max_\lambda |1 - \eta\lambda|`; with heavy-ball
    momentum the largest root modulus of :math:`z^2 - (1+\beta-\eta\lambda)z + \beta`
    over all eigenvalues. ``rho < 1`` converges, ``rho > 1`` diverges.
    Vectorized over ``lr`` (returns a float for a float).
    """
    lrs = check_lr_array("lr", lr)
    beta = check_number("momentum", momentum, low=0.0, high=1.0, high_inclusive=False)
    ev = eigenvalues(loss)
    b = 1.0 + beta - lrs[..., None] * ev          # (..., k)
    disc = b * b - 4.0 * beta
    sq = np.sqrt(np.abs(disc))
    real_roots = np.maximum(np.abs(b + sq), np.abs(b - sq)) / 2.0
    complex_mod = np.full_like(b, np.sqrt(beta))
    rho = np.where(disc >= 0, real_roots, complex_mod).max(axis=-1)
    return float(rho) if rho.ndim == 0 else rho


def optimal_momentum(loss) -> tuple[float, float]:
    r"""Polyak's optimal heavy-ball parameters on a quadratic.

    .. math:: \eta^* = \frac{4}{(\sqrt L + \sqrt\mu)^2},\qquad
              \beta^* = \Big(\frac{\sqrt L - \sqrt\mu}{\sqrt L + \sqrt\mu}\Big)^2

    with rate :math:`\sqrt{\beta^*} = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)`.
    Returns ``(lr, momentum)``.
    """
    ev = eigenvalues(loss)
    mu, L = ev[0], ev[-1]
    sL, smu = np.sqrt(L), np.sqrt(mu)
    return float(4.0 / (sL + smu) ** 2), float(((sL - smu) / (sL + smu)) ** 2)


def steps_to_tolerance(loss, lr, tol: float, momentum: float = 0.0):
    r"""Steps until the rate bound :math:`\rho^t` falls below ``tol``: :math:`\lceil \log tol / \log\rho \rceil`.

    That is the number of steps after which the distance to the minimizer has
    shrunk by the factor ``tol`` along the slowest direction (``inf`` if the
    iteration does not converge). Vectorized over ``lr``.
    """
    tol = check_number("tol", tol, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    rho = np.asarray(convergence_rate(loss, lr, momentum))
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = np.where(rho >= 1.0, np.inf,
                         np.where(rho <= 0.0, 1.0, np.ceil(np.log(tol) / np.log(np.clip(rho, 1e-300, None)))))
    return float(steps) if steps.ndim == 0 else steps
