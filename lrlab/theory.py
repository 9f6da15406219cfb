r"""Closed forms for gradient descent on a quadratic (Hessian eigenvalues known).

On :math:`f(x) = \tfrac12 x^\top A x` with eigenvalues :math:`\mu = \lambda_{min}`,
:math:`L = \lambda_{max}`, plain gradient descent multiplies the error along each
eigenvector by :math:`1 - \eta\lambda` per step, so it converges iff
:math:`|1-\eta\lambda| < 1` for every :math:`\lambda`, i.e. :math:`\eta < 2/L`.
Heavy-ball momentum :math:`\beta` (torch's SGD momentum) has per-eigenvalue
characteristic polynomial :math:`z^2 - (1 + \beta - \eta\lambda) z + \beta`.

:class:`MinibatchSGD` is the same kind of closed form for minibatch SGD on least
squares: the exact mean and covariance of the iterate, hence its noise floor and
its own (batch-dependent) stability limit.
"""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import as_real_array, check_lr_array, check_number, check_points

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .types import HasEigenvalues, HasHessian

    # lrlab.losses is in theory's own layer (docs/architecture.md), so its classes are not named here:
    DiagonalQuadratic = Any     # a lrlab.losses.Quadratic made from curvatures (curvatures and center are read)
    QuadraticLoss = Any         # a lrlab.losses.Quadratic or LeastSquares (eigenvalues, grad and hessian are read)
    LeastSquaresLoss = Any      # a lrlab.losses.LeastSquares (X and y are read; noise_floor: batch_size too)

__all__ = ["eigenvalues", "critical_lr", "optimal_lr", "convergence_rate", "optimal_momentum",
           "curvature", "newton_lr", "exact_line_search_lr",
           "steps_to_tolerance", "expected_regime", "MinibatchSGD", "noise_floor",
           "MOMENTUM_REGIMES", "momentum_roots", "direction_rates", "nesterov_critical_lr", "critical_damping",
           "momentum_regime", "REGIMES", "regime"]


def eigenvalues(loss: HasEigenvalues | ArrayLike) -> np.ndarray:
    """The Hessian eigenvalues of ``loss`` (a lrlab quadratic or least-squares loss, or an array)."""
    ev = getattr(loss, "eigenvalues", loss)
    ev = as_real_array("loss", ev, what="a loss with known Hessian eigenvalues (quadratic, least_squares) "
                       "or an array of eigenvalues").ravel()
    if ev.size == 0 or not np.all(np.isfinite(ev)) or np.any(ev < 0) or ev.max() <= 0 or ev.max() > 1e150:
        raise ValueError(f"loss eigenvalues must be finite, >= 0, not all 0 and at most 1e150, got {ev.tolist()}")
    return np.sort(ev)


def critical_lr(loss: HasEigenvalues | ArrayLike, momentum: float = 0.0) -> float:
    r"""The largest stable constant lr: :math:`2(1+\beta)/L` (``2/L`` without momentum)."""
    beta = check_number("momentum", momentum, low=0.0, high=1.0, high_inclusive=False)
    return 2.0 * (1.0 + beta) / eigenvalues(loss)[-1]


def optimal_lr(loss: HasEigenvalues | ArrayLike) -> float:
    r"""The lr that minimizes the GD rate :math:`\max|1-\eta\lambda|`: :math:`2/(\mu + L)`."""
    ev = eigenvalues(loss)
    return 2.0 / (ev[0] + ev[-1])


def convergence_rate(loss: HasEigenvalues | ArrayLike, lr: ArrayLike, momentum: float = 0.0) -> float | np.ndarray:
    r"""Spectral radius of the iteration: the per-step factor by which the error shrinks.

    Without momentum :math:`\rho = \max_\lambda |1 - \eta\lambda|`; with heavy-ball
    momentum the largest root modulus of :math:`z^2 - (1+\beta-\eta\lambda)z + \beta`
    over all eigenvalues. ``rho < 1`` converges, ``rho > 1`` diverges.
    Vectorized over ``lr`` (returns a float for a float).
    """
    lrs = check_lr_array("lr", lr)
    beta = check_number("momentum", momentum, low=0.0, high=1.0, high_inclusive=False)
    ev = eigenvalues(loss)
    with np.errstate(over="ignore", invalid="ignore"):   # a huge lr*L: rho = inf, which is the answer
        b = 1.0 + beta - lrs[..., None] * ev          # (..., k)
        disc = b * b - 4.0 * beta
        sq = np.sqrt(np.abs(disc))
        real_roots = np.maximum(np.abs(b + sq), np.abs(b - sq)) / 2.0
    complex_mod = np.full_like(b, np.sqrt(beta))
    rho = np.where(disc >= 0, real_roots, complex_mod).max(axis=-1)
    rho = np.where(np.isnan(rho), np.inf, rho)      # NaN only from inf - inf: lr * L overflowed
    return float(rho) if rho.ndim == 0 else rho


def optimal_momentum(loss: HasEigenvalues | ArrayLike) -> tuple[float, float]:
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


def steps_to_tolerance(loss: HasEigenvalues | ArrayLike, lr: ArrayLike, tol: float,
                       momentum: float = 0.0) -> float | np.ndarray:
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



# --------------------------------------------------------------------------- the Newton step

def _hessian_at(loss, x):
    """``loss``'s Hessian at ``x`` (``(d, d)`` or ``(..., d, d)``); at ``x=None`` only a constant one."""
    hess = getattr(loss, "hessian", None)
    if not callable(hess):
        raise TypeError(f"loss must know its Hessian (a hessian(x) method, as lrlab's quadratic, least_squares, "
                        f"rosenbrock, quartic and 1-D curves have), got {type(loss).__name__}")
    if x is None:
        if getattr(loss, "eigenvalues", None) is None:
            raise ValueError(f"x is needed: the Hessian of this {type(loss).__name__} changes from point to point; "
                             "pass the point x at which to measure the curvature")
        return np.asarray(loss.hessian(), dtype=float)
    return np.asarray(hess(x), dtype=float)


def curvature(loss: HasEigenvalues | HasHessian | ArrayLike, direction: ArrayLike | None = None,
              x: ArrayLike | None = None) -> float | np.ndarray:
    r"""The loss's curvature along ``direction``: the Rayleigh quotient of its Hessian.

    .. math:: \lambda_u = \frac{u^\top H u}{u^\top u}

    With ``direction=None``, the largest curvature of all: :math:`L`, the top eigenvalue of
    :math:`H` (the steepest direction). On a quadratic :math:`H` is the same everywhere; on
    another loss with a ``hessian(x)`` method (Rosenbrock, the quartic, the 1-D curves) give the
    point ``x`` at which to measure it.

    Args:
        loss: a loss with known Hessian eigenvalues or a ``hessian(x)`` method, or (with
            ``direction=None`` and ``x=None``) an array of eigenvalues.
        direction: ``(..., d)``, any non-zero vectors (their length does not matter).
        x: ``(..., d)``, the point(s); required where the Hessian changes from point to point.

    Returns:
        a float, or an array of shape ``np.broadcast_shapes(direction.shape[:-1], x.shape[:-1])``.
    """
    dim = getattr(loss, "dim", None)
    if direction is None and x is None:
        if getattr(loss, "eigenvalues", None) is None and callable(getattr(loss, "hessian", None)):
            _hessian_at(loss, None)                      # raises: this Hessian needs a point
        return float(eigenvalues(loss)[-1])
    xs = None if x is None else check_points("x", x, dim)
    H = _hessian_at(loss, xs)
    if H.ndim < 2 or H.shape[-1] != H.shape[-2]:
        raise TypeError(f"loss.hessian returned shape {H.shape}; expected (..., d, d)")
    with np.errstate(all="ignore"):
        if direction is None:
            lam = np.linalg.eigvalsh(0.5 * (H + np.swapaxes(H, -1, -2)))[..., -1]
        else:
            u = check_points("direction", direction, H.shape[-1])
            uu = np.sum(u * u, axis=-1)
            if np.any(uu == 0):
                raise ValueError("direction must be non-zero: a zero vector has no curvature along it")
            lam = np.einsum("...i,...ij,...j->...", u, H, u) / uu
    lam = np.asarray(lam, dtype=float)
    return float(lam) if lam.ndim == 0 else lam


def newton_lr(loss: HasEigenvalues | HasHessian | ArrayLike, direction: ArrayLike | None = None,
              x: ArrayLike | None = None) -> float | np.ndarray:
    r"""The lr of Newton's step along a direction: one over the curvature there.

    On a 1-D quadratic :math:`f(w) = \tfrac{\lambda}{2} w^2`, Newton's step
    :math:`w - f'(w)/f''(w)` is a gradient step with :math:`\eta = 1/\lambda`, and it lands on the
    minimum in one step, from anywhere. In :math:`d` dimensions gradient descent has one lr for
    every direction; along an eigenvector of curvature :math:`\lambda_i` the error is multiplied by
    :math:`1 - \eta\lambda_i`, which is 0 at :math:`\eta = 1/\lambda_i`: Newton's lr *for that
    direction*. With ``direction=None`` this is the steepest direction's, :math:`1/L`: the largest
    lr at which no direction overshoots (every factor :math:`1 - \eta\lambda_i \ge 0`), and half
    the stability limit :math:`2/L` (:func:`critical_lr`). Measured in units of :math:`1/L`, the lr
    is the dimensionless :math:`\eta L`: 1 is Newton along the steepest direction, 2 the cliff.

    .. math:: \eta_{\text{Newton}}(u) = \frac{1}{\lambda_u} = \frac{u^\top u}{u^\top H u}

    Along the negative gradient, :math:`u = g`, it is the exact line search's lr on a quadratic
    (:func:`exact_line_search_lr`). ``inf`` where the curvature is 0 or negative (no minimum along
    ``u``). Arguments as for :func:`curvature`; the full Newton step :math:`x - H^{-1} g` is
    ``lrlab.steppers.newton(loss)`` with lr 1.
    """
    lam = np.asarray(curvature(loss, direction, x), dtype=float)
    with np.errstate(divide="ignore"):
        out = np.where(lam > 0, 1.0 / np.where(lam > 0, lam, 1.0), np.inf)
    return float(out) if out.ndim == 0 else out


def exact_line_search_lr(loss: QuadraticLoss, x: ArrayLike) -> float | np.ndarray:
    r"""The lr that minimizes a quadratic along the negative gradient from ``x``.

    On :math:`f(x) = f^* + \tfrac12 (x - x^*)^\top H (x - x^*)`, with :math:`g = \nabla f(x)`,
    :math:`f(x - \eta g) = f(x) - \eta\, g^\top g + \tfrac{\eta^2}{2} g^\top H g` is smallest at

    .. math:: \eta^* = \frac{g^\top g}{g^\top H g}

    (:func:`newton_lr` along :math:`g`). An Armijo backtracking search
    (``lrlab.linesearch.armijo``) accepts exactly the lrs :math:`\eta \le 2(1 - c)\,\eta^*`.
    Only for losses whose Hessian is constant (lrlab's quadratic and least squares). Vectorized
    over the leading axes of ``x``.

    Raises:
        ValueError: ``x`` is a minimizer (zero gradient: there is no direction to search).
    """
    if getattr(loss, "eigenvalues", None) is None:
        raise TypeError(f"loss must be a quadratic (lrlab.losses.quadratic or least_squares: a constant Hessian), "
                        f"got {type(loss).__name__}")
    xs = check_points("x", x, getattr(loss, "dim", None))
    g = np.asarray(loss.grad(xs), dtype=float)
    if np.any(np.sum(g * g, axis=-1) == 0):
        raise ValueError("x is a minimizer of the loss (its gradient is zero): there is no direction to search")
    return newton_lr(loss, g, None)

# --------------------------------------------------------------------------- one eigendirection at a time

MOMENTUM_REGIMES = ("monotone", "ringing", "flipping", "diverging")


def momentum_roots(h: ArrayLike, momentum: float = 0.0, *, nesterov: bool = False) -> np.ndarray:
    r"""The two roots of one eigendirection's characteristic polynomial, for :math:`h = \eta\lambda`.

    The error along an eigenvector of curvature :math:`\lambda` obeys :math:`e_t = c_1 z_1^t + c_2 z_2^t`
    (or :math:`(c_1 + c_2 t) z^t` at a double root), where :math:`z_{1,2}` solve

    .. math:: z^2 - (1 + \beta - h)\,z + \beta = 0 \quad\text{(heavy ball)}, \qquad
              z^2 - (1 + \beta)(1 - h)\,z + \beta(1 - h) = 0 \quad\text{(Nesterov, torch's form)}.

    With :math:`\beta = 0` both are gradient descent: roots :math:`1 - h` and 0. Vectorized over ``h``;
    returns a complex array of shape ``(*np.shape(h), 2)``, the root of larger modulus first.
    """
    h = np.asarray(h, dtype=float)
    if not np.all(np.isfinite(h)) or np.any(h < 0):
        raise ValueError(f"h = lr * curvature must be finite and >= 0, got {h.ravel()[:5].tolist()}")
    beta = check_number("momentum", momentum, low=0.0, high=1.0, high_inclusive=False)
    if nesterov:
        b, c = (1.0 + beta) * (1.0 - h), beta * (1.0 - h)
    else:
        b, c = 1.0 + beta - h, np.full_like(h, beta)
    with np.errstate(over="ignore", invalid="ignore"):   # a huge h: roots of modulus inf or nan
        sq = np.sqrt((b * b - 4.0 * c).astype(complex))
        z1, z2 = (b + sq) / 2.0, (b - sq) / 2.0
        swap = np.abs(z2) > np.abs(z1)
    return np.stack([np.where(swap, z2, z1), np.where(swap, z1, z2)], axis=-1)


def _lr_curvature(loss, lr, momentum, nesterov):
    """Checked ``(lrs, beta, h, ev)``: ``h = lr * eigenvalue`` of shape ``(*np.shape(lr), k)`` (inf on overflow)."""
    lrs = check_lr_array("lr", lr)
    beta = check_number("momentum", momentum, low=0.0, high=1.0, high_inclusive=False)
    if not isinstance(nesterov, (bool, np.bool_)):
        raise TypeError(f"nesterov must be True or False, got nesterov={nesterov!r}")
    ev = eigenvalues(loss)
    with np.errstate(over="ignore", invalid="ignore"):
        h = lrs[..., None] * ev
    return lrs, beta, h, ev


def _dominant_roots(h, beta, nesterov) -> np.ndarray:
    """Each direction's root of larger modulus (:func:`momentum_roots`); NaN where ``h`` is not finite."""
    ok = np.isfinite(h)
    z = momentum_roots(np.where(ok, h, 0.0), beta, nesterov=bool(nesterov))[..., 0]
    return np.where(ok, z, np.nan)


def direction_rates(loss: HasEigenvalues | ArrayLike, lr: ArrayLike, momentum: float = 0.0, *,
                    nesterov: bool = False) -> np.ndarray:
    r"""Each eigendirection's own per-step factor: the larger root modulus of its polynomial.

    Gradient descent: :math:`|1 - \eta\lambda_i|`; heavy ball or Nesterov: see :func:`momentum_roots`.
    Shape ``(*np.shape(lr), k)``, in the order of :func:`eigenvalues` (ascending). The slowest
    direction sets the pace: the maximum over ``i`` is :func:`convergence_rate`.
    """
    _, beta, h, _ = _lr_curvature(loss, lr, momentum, nesterov)
    rho = np.abs(_dominant_roots(h, beta, nesterov))
    return np.where(np.isfinite(h) & ~np.isnan(rho), rho, np.inf)


#: the four regimes of :func:`regime`, from the best to the worst
REGIMES = ("monotone convergence", "oscillating convergence", "no convergence", "divergence")

#: ``lr * L`` within this relative distance of the critical value counts as on the edge ("no convergence"):
#: a few rounding errors, so that ``lr = 2 / L`` computed in floating point lands there, and nothing more
EDGE_RTOL = 1e-12
#: a root whose argument is below this (radians) counts as positive real: a period of more than six million
#: steps, which is what a double root computed with rounding error looks like
_ANGLE_TOL = 1e-6


def regime(loss: HasEigenvalues | ArrayLike, lr: ArrayLike, momentum: float = 0.0,
           nesterov: bool = False) -> str | np.ndarray:
    r"""What constant-lr gradient descent (or heavy ball, or Nesterov) does on a quadratic, from theory.

    Along the eigenvector of each Hessian eigenvalue :math:`\lambda_i > 0` the error obeys a linear
    recurrence with characteristic roots :math:`z` (:func:`momentum_roots`, :math:`h_i = \eta\lambda_i`):

    .. math:: z = 1 - h_i \quad\text{(GD)}, \qquad z^2 - (1 + \beta - h_i)\,z + \beta = 0
              \quad\text{(heavy ball)}, \qquad z^2 - (1+\beta)(1-h_i)\,z + \beta(1-h_i) = 0
              \quad\text{(Nesterov)} .

    Every root has modulus below 1 exactly when :math:`0 < h_i < h_c` with :math:`h_c = 2` (GD),
    :math:`2(1+\beta)` (heavy ball), :math:`2(1+\beta)/(1+2\beta)` (Nesterov); at :math:`h_i = h_c` a root is
    :math:`-1`. With :math:`L = \max_i\lambda_i` and :math:`z_i` each direction's root of larger modulus:

    * ``"divergence"``: :math:`\eta L > h_c` (some :math:`|z_i| > 1`): the error grows;
    * ``"no convergence"``: the largest :math:`|z_i|` is 1: :math:`\eta L = h_c` within a relative
      :data:`EDGE_RTOL` (e.g. ``lr = 2 / L`` for GD: the error flips sign and keeps its size), or
      :math:`\eta\lambda_{min} \le` ``EDGE_RTOL`` :math:`\cdot h_c` (``lr = 0``: nothing moves);
    * ``"oscillating convergence"``: every :math:`|z_i| < 1` and some :math:`z_i` is negative real or complex:
      along that direction the error changes sign (GD: :math:`\eta\lambda_i > 1`, it overshoots);
    * ``"monotone convergence"``: every :math:`z_i` is real and in :math:`[0, 1)`: the error shrinks
      along every direction without changing sign (GD: :math:`\eta L \le 1`).

    Directions of curvature 0 are left out (the loss does not change along them, and the iterate
    does not move along them). The regime is a property of the iteration, whatever the start: a start
    with no error along the steepest direction does not show a divergence the theory predicts.

    Args:
        loss: a loss with known Hessian eigenvalues (``lrlab.losses.quadratic``, ``least_squares``, or an
            array of eigenvalues).
        lr: a constant learning rate, or an array of them.
        momentum: :math:`\beta` in [0, 1) (torch's SGD ``momentum``; 0 is plain gradient descent).
        nesterov: Nesterov momentum (torch's ``nesterov=True``) instead of heavy ball.

    Returns:
        one of :data:`REGIMES`: a ``str`` for a float ``lr``, else an array of ``str`` of shape ``np.shape(lr)``.

    Raises:
        TypeError: ``loss`` has no known Hessian eigenvalues (a non-quadratic loss: use
            ``lrlab.diagnostics.path_shape`` of a run instead).
    """
    if getattr(loss, "eigenvalues", None) is None and not isinstance(loss, (list, tuple, np.ndarray)):
        raise TypeError(f"loss must have known Hessian eigenvalues (lrlab.losses.quadratic, least_squares, or an "
                        f"array of eigenvalues); {type(loss).__name__} has none, so no theory names its regime: "
                        f"lrlab.diagnostics.path_shape(traj) and progress(traj) read a run instead")
    lrs, beta, h, ev = _lr_curvature(loss, lr, momentum, nesterov)
    live = ev > 0
    h = h[..., live]
    h_c = 2.0 * (1.0 + beta) / ((1.0 + 2.0 * beta) if nesterov else 1.0)
    top = h[..., -1]
    with np.errstate(invalid="ignore"):
        # the largest modulus is 1 at the upper edge (a root -1) and at h = 0 (a root 1: lr = 0 does not move)
        edge = (np.abs(top - h_c) <= EDGE_RTOL * h_c) | (h[..., 0] <= EDGE_RTOL * h_c)
    grows = (top > h_c) & ~edge
    z = _dominant_roots(np.where(grows[..., None], 0.0, h), beta, nesterov)
    overshoots = (np.abs(np.angle(z)) > _ANGLE_TOL).any(axis=-1)
    out = np.where(grows, REGIMES[3], np.where(edge, REGIMES[2], np.where(overshoots, REGIMES[1], REGIMES[0])))
    return str(out) if np.ndim(lr) == 0 else out


def nesterov_critical_lr(loss: HasEigenvalues | ArrayLike, momentum: float) -> float:
    r"""The largest stable constant lr of Nesterov momentum (torch's form): :math:`2(1+\beta)/((1+2\beta)L)`.

    Where the root of Nesterov's polynomial crosses :math:`z = -1`: :math:`(1 - h)(1 + 2\beta) = -1`.
    Below gradient descent's :math:`2/L` for every :math:`\beta > 0`.
    """
    beta = check_number("momentum", momentum, low=0.0, high=1.0, high_inclusive=False)
    return 2.0 * (1.0 + beta) / ((1.0 + 2.0 * beta) * eigenvalues(loss)[-1])


def critical_damping(h: ArrayLike) -> np.ndarray:
    r"""The momentum at which heavy ball's two roots merge for :math:`h = \eta\lambda`: :math:`(1 - \sqrt h)^2`.

    For :math:`0 < h < 1` the double root is :math:`1 - \sqrt h` (the fastest any :math:`\beta` makes this
    direction); for :math:`1 < h < 4` it is :math:`1 - \sqrt h < 0`. Above this :math:`\beta` the roots are
    complex, of modulus :math:`\sqrt\beta`.
    """
    h = np.asarray(h, dtype=float)
    if not np.all(np.isfinite(h)) or np.any(h < 0):
        raise ValueError(f"h = lr * curvature must be finite and >= 0, got {h.ravel()[:5].tolist()}")
    return (1.0 - np.sqrt(h)) ** 2


def momentum_regime(h: ArrayLike, momentum: ArrayLike) -> np.ndarray:
    r"""Heavy ball's regime on one eigendirection, for arrays ``h`` (:math:`\eta\lambda`) and ``momentum``.

    An index into :data:`MOMENTUM_REGIMES`: 0 *monotone* (real roots, both >= 0: the error decays without
    changing sign), 1 *ringing* (complex roots: it spirals, modulus :math:`\sqrt\beta`), 2 *flipping*
    (real negative root: it flips sign every step), 3 *diverging* (:math:`h \ge 2(1+\beta)`).
    Broadcasts ``h`` against ``momentum``.
    """
    h = np.asarray(h, dtype=float)
    beta = np.asarray(momentum, dtype=float)
    if np.any(beta < 0) or np.any(beta >= 1) or not np.all(np.isfinite(beta)):
        raise ValueError("momentum must be in [0, 1)")
    b = 1.0 + beta - h
    disc = b * b - 4.0 * beta
    out = np.where(disc < 0, 1, np.where(b >= 0, 0, 2))
    return np.where(h >= 2.0 * (1.0 + beta), 3, out)


def expected_regime(loss: DiagonalQuadratic, x0: ArrayLike, lr: float, num_steps: int, progress: float = 0.9) -> str:
    r"""The regime the theory predicts for constant-lr GD on a diagonal quadratic.

    Along curvature :math:`\lambda_i` the error is multiplied by :math:`r_i = 1 - \eta\lambda_i` per
    step, so after :math:`T` steps the loss gap is :math:`\sum_i \lambda_i r_i^{2T} e_i^2 / 2`.
    'diverging' if some :math:`|r_i| > 1`; 'oscillating' if some :math:`r_i < 0` (the steps along
    that direction alternate in sign); else 'converging' when the gap closed by ``progress``, 'slow'
    otherwise. Only directions the start actually has an error along count. It reads the lr and the
    start, not a run: :func:`lrlab.diagnostics.path_shape` and :func:`lrlab.diagnostics.progress` say
    what a run did.

    Args:
        loss: a diagonal ``lrlab.losses.quadratic`` (it needs ``curvatures`` and ``center``).
        x0: the start, shape ``(d,)``.
        lr: the constant learning rate.
        num_steps: the length of the run.
        progress: the fraction of the gap a 'converging' run closes.
    """
    lam = getattr(loss, "curvatures", None)
    if lam is None:
        raise TypeError("loss must be a diagonal quadratic (lrlab.losses.quadratic of curvatures), "
                        f"got {type(loss).__name__}")
    lam = np.asarray(lam, dtype=float)
    lr = check_number("lr", lr, low=0.0)
    num_steps = check_number("num_steps", num_steps, low=0, integer=True)
    progress = check_number("progress", progress, low=0.0, high=1.0)
    x0 = as_real_array("x0", x0, what="a start of real numbers, shape (d,)")
    if x0.shape != lam.shape or not np.all(np.isfinite(x0)):
        raise ValueError(f"x0 must be a finite point of shape {lam.shape} for this loss, got {x0!r}")
    e = x0 - loss.center
    live = (e != 0) & (lam > 0)
    r = 1.0 - lr * lam[live]
    if np.any(np.abs(r) > 1):
        return "diverging"
    if np.any(r < 0):
        return "oscillating"
    gap0 = np.sum(lam[live] * e[live] ** 2)
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        gapT = np.sum(lam[live] * r ** (2 * num_steps) * e[live] ** 2)
    return "converging" if gapT <= (1 - progress) * gap0 else "slow"


class MinibatchSGD:
    r"""Exact first and second moments of minibatch SGD on least squares.

    On :math:`f(w) = \tfrac{1}{2n}\lVert Xw - y\rVert^2` (``lrlab.losses.least_squares``), with
    :math:`e = w - w^*`, :math:`H_B` the batch Hessian and :math:`\xi_B` the batch gradient at
    :math:`w^*`, one step of SGD with batches of ``B`` rows is

    .. math:: e_{t+1} = (I - \eta H_B)\, e_t - \eta\, \xi_B ,

    which is linear, so the mean and the second moment :math:`P = E[e e^\top]` obey closed
    recursions. The mean follows full-batch GD (stable iff :math:`\eta < 2/L`); :math:`P` settles,
    if :math:`\eta` is below SGD's own (smaller, batch-dependent) limit, at the solution of

    .. math:: P = E_B[(I-\eta H_B) P (I-\eta H_B)] + \eta^2 c_B\, \Sigma ,

    and the **noise floor** is :math:`E[f - f^*] = \tfrac12 \operatorname{tr}(HP)`. Here
    :math:`\Sigma = \tfrac1n\sum_i g_i g_i^\top` is the covariance of the per-example gradients
    :math:`g_i` at :math:`w^*` and :math:`c_B` the variance factor of a mean over ``B`` rows:
    :math:`(n-B)/(B(n-1))` drawn without replacement (what ``LeastSquares.sample_grad`` does),
    :math:`1/B` with replacement. For small :math:`\eta` the floor is
    :math:`\approx \eta\, c_B \operatorname{tr}\Sigma / 4`: proportional to lr/B.

    Args:
        X: the data, shape ``(n, d)``.
        y: the targets, shape ``(n,)``.

    Build it from a loss with ``MinibatchSGD.of(least_squares_loss)``.
    """

    def __init__(self, X: ArrayLike, y: ArrayLike):
        X = as_real_array("X", X, what="a real (n, d) data matrix")
        y = as_real_array("y", y, what="real targets, shape (n,)")
        if X.ndim != 2 or y.shape != X.shape[:1]:
            raise ValueError(f"X must have shape (n, d) and y shape (n,), got {X.shape} and {y.shape}")
        self.X, self.y = X, y
        self.n, self.d = X.shape
        self.H = X.T @ X / self.n
        self.L = float(np.linalg.eigvalsh(self.H)[-1])
        self.minimizer = np.linalg.lstsq(X, y, rcond=None)[0]
        r = X @ self.minimizer - y                                       # residuals at the minimum
        self._r = r
        self._z = X * r[:, None]                                         # per-example gradients at w* (sum 0)
        self.sigma = np.einsum("n,ni,nj->ij", r * r, X, X) / self.n      # their covariance, (d, d)
        self._I = np.eye(self.d)

    @classmethod
    def of(cls, loss: LeastSquaresLoss) -> "MinibatchSGD":
        """The theory of a ``lrlab.losses.least_squares`` loss (its ``X`` and ``y``)."""
        return cls(loss.X, loss.y)

    def __repr__(self):
        return f"MinibatchSGD(n={self.n}, d={self.d}, L={self.L:.4g})"

    @cached_property
    def _A(self):
        return np.einsum("ni,nj->nij", self.X, self.X)                   # per-example Hessians x_i x_iᵀ

    @cached_property
    def _kAA(self):
        d = self.d
        return np.einsum("nij,nkl->ikjl", self._A, self._A).reshape(d * d, d * d) / self.n   # E[A ⊗ A]

    @cached_property
    def _kHH(self):
        return np.kron(self.H, self.H)

    def _check_B(self, B, replacement) -> tuple[int, bool]:
        B = check_number("B", B, low=1, integer=True)
        if not isinstance(replacement, (bool, np.bool_)):
            raise TypeError(f"replacement must be True or False, got replacement={replacement!r}")
        if not replacement and B > self.n:
            raise ValueError(f"B must be at most n={self.n} (batches drawn without replacement), got B={B}")
        return B, bool(replacement)

    def variance_factor(self, B: int, replacement: bool = False) -> float:
        """:math:`c_B`: the variance of a mean over ``B`` of the ``n`` rows, relative to one row's."""
        B, replacement = self._check_B(B, replacement)
        if not replacement and self.n == 1:
            return 0.0
        return 1.0 / B if replacement else (self.n - B) / (B * (self.n - 1))

    def second_moment_operator(self, lr: float, B: int, *, replacement: bool = False,
                               multiplicative: bool = True) -> np.ndarray:
        r"""The matrix of :math:`P \mapsto E_B[(I-\eta H_B)P(I-\eta H_B)]` acting on row-major vec(P).

        With ``multiplicative=False`` the batch Hessian is replaced by :math:`H` (only the additive
        noise :math:`\xi_B` is kept): :math:`P \mapsto (I-\eta H)P(I-\eta H)`.
        """
        lr = check_number("lr", lr, low=0.0, high=1e100)
        if not isinstance(multiplicative, (bool, np.bool_)):
            raise TypeError(f"multiplicative must be True or False, got multiplicative={multiplicative!r}")
        self._check_B(B, replacement)
        M = self._I - lr * self.H
        op = np.kron(M, M)
        if multiplicative:
            op = op + lr * lr * self.variance_factor(B, replacement) * (self._kAA - self._kHH)
        return op

    def stable(self, lr: float, B: int, *, replacement: bool = False) -> bool:
        """Whether E[e eᵀ] stays bounded: spectral radius of the second-moment operator below 1."""
        op = self.second_moment_operator(lr, B, replacement=replacement)
        return bool(np.abs(np.linalg.eigvals(op)).max() < 1.0)

    def critical_lr(self, B: int, *, replacement: bool = False) -> float:
        """SGD's own stability limit for batch size ``B`` (bisection); ``2/L`` for the full batch."""
        lo, hi = 0.0, 2.0 / self.L
        if self.stable(hi * (1 - 1e-12), B, replacement=replacement):
            return hi
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if self.stable(mid, B, replacement=replacement) else (lo, mid)
        return lo

    def floor(self, lr: ArrayLike, B: int, *, replacement: bool = False,
              multiplicative: bool = True) -> float | np.ndarray:
        r"""The stationary mean loss gap :math:`\tfrac12\operatorname{tr}(HP)`; vectorized over ``lr``.

        ``inf`` where the second moment does not settle, 0 for ``lr <= 0``. With
        ``multiplicative=False``, the additive-noise approximation: :math:`P` solves
        :math:`P = (I-\eta H)P(I-\eta H) + \eta^2 c_B\Sigma`, stable iff :math:`\eta < 2/L`; it
        ignores the part of the noise that grows with :math:`e`, so it slightly underestimates
        the floor at large lr.
        """
        lrs = np.atleast_1d(check_lr_array("lr", lr))
        if not isinstance(multiplicative, (bool, np.bool_)):
            raise TypeError(f"multiplicative must be True or False, got multiplicative={multiplicative!r}")
        out = np.empty(lrs.shape)
        eye = np.eye(self.d * self.d)
        c = self.variance_factor(B, replacement)
        for i, eta in enumerate(lrs.flat):
            if eta <= 0:
                out.flat[i] = 0.0
                continue
            if not (self.stable(eta, B, replacement=replacement) if multiplicative else eta < 2.0 / self.L):
                out.flat[i] = np.inf
                continue
            rhs = eta * eta * c * self.sigma.reshape(-1)
            op = self.second_moment_operator(eta, B, replacement=replacement, multiplicative=multiplicative)
            P = np.linalg.solve(eye - op, rhs).reshape(self.d, self.d)
            out.flat[i] = 0.5 * np.trace(self.H @ P)
        return float(out[0]) if np.ndim(lr) == 0 else out

    def floor_small_lr(self, lr: ArrayLike, B: int, *, replacement: bool = False) -> float | np.ndarray:
        r"""The small-lr law :math:`\eta\, c_B\, \operatorname{tr}\Sigma / 4` (:math:`c_B \approx 1/B`): proportional to lr/B."""
        return check_lr_array("lr", lr) * self.variance_factor(B, replacement) * np.trace(self.sigma) / 4.0

    @property
    def noise_constant(self) -> float:
        """tr(Σ)/4: the floor per unit of lr/B (for B much smaller than n)."""
        return float(np.trace(self.sigma) / 4.0)

    def expected_gap(self, e0: ArrayLike, lr: float, B: int, num_steps: int, *,
                     replacement: bool = False) -> np.ndarray:
        r"""The exact expected loss gap :math:`E[f(w_t)] - f^*` of minibatch SGD from ``w* + e0``, t = 0..num_steps.

        Iterates the mean :math:`m' = (I-\eta H)m` and the second moment
        :math:`P' = E_B[(I-\eta H_B)P(I-\eta H_B)] + \eta^2 c_B\,(G + G^\top + \Sigma)`,
        :math:`G = \tfrac1n\sum_i A_i m z_i^\top` (the batch Hessian and the batch noise come from the
        same rows). Returns ``inf`` from the step it overflows; shape ``(num_steps + 1,)``.
        """
        m = np.array(as_real_array("e0", e0, what=f"a real error vector of shape ({self.d},)"))
        if m.shape != (self.d,) or not np.all(np.isfinite(m)):
            raise ValueError(f"e0 must be a finite vector of shape ({self.d},), got shape {m.shape}")
        num_steps = check_number("num_steps", num_steps, low=0, integer=True)
        P = np.outer(m, m)
        T = self.second_moment_operator(lr, B, replacement=replacement)
        c = self.variance_factor(B, replacement)
        M = self._I - lr * self.H
        out = np.empty(num_steps + 1)
        with np.errstate(all="ignore"):
            for t in range(num_steps + 1):
                out[t] = 0.5 * np.sum(self.H * P)
                if t == num_steps:
                    break
                G = np.einsum("nij,j,nk->ik", self._A, m, self._z) / self.n
                P = (T @ P.reshape(-1)).reshape(self.d, self.d) + lr * lr * c * (G + G.T + self.sigma)
                m = M @ m
        out[~np.isfinite(out)] = np.inf
        return out


def noise_floor(loss: LeastSquaresLoss, lr: ArrayLike, *, multiplicative: bool = False) -> float | np.ndarray:
    r"""The noise floor of constant-lr minibatch SGD on a least-squares loss: the expected loss gap
    :math:`E[f - f^*]` once the run has settled, for the loss's own ``batch_size``.

    A minibatch gradient is the true one plus noise :math:`\xi_t`, so near the minimum the error follows

    .. math:: e_{t+1} = (I - \eta H)\, e_t - \eta\, \xi_t ,

    and its second moment :math:`P` settles where the pull towards the minimum balances the kicks:
    :math:`P = (I - \eta H) P (I - \eta H) + \eta^2 c_B \Sigma`; the floor is :math:`\tfrac12 \operatorname{tr}(HP)
    \approx \eta\, c_B \operatorname{tr}\Sigma / 4` for small :math:`\eta` (proportional to lr/B), and ``inf``
    from :math:`\eta = 2/L` on. This is :meth:`MinibatchSGD.floor` with ``B = loss.batch_size``; with
    ``multiplicative=True`` it also counts the noise of the batch Hessian (exact, and a little higher at
    large lr).

    Args:
        loss: a ``lrlab.losses.least_squares`` loss with a ``batch_size``.
        lr: a learning rate, or an array of them.
        multiplicative: include the part of the noise that grows with the error.

    Returns:
        float for a scalar ``lr``, else an array of the shape of ``lr``.
    """
    B = getattr(loss, "batch_size", None)
    if B is None or not hasattr(loss, "X"):
        raise ValueError(f"loss must be a least_squares loss with a batch_size (minibatch noise), got {loss!r}")
    out = np.asarray(MinibatchSGD.of(loss).floor(lr, B, multiplicative=multiplicative), dtype=float)
    return float(out.reshape(-1)[0]) if np.ndim(lr) == 0 else out.reshape(np.shape(lr))
