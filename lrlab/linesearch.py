r"""Step sizes that read the loss: backtracking (Armijo) line search and Polyak's step size.

A fixed lr is chosen once, before the run. The two classical rules here choose it again at every
step, from the loss itself:

* **Armijo backtracking**: try ``lr0``; while the step does not lower the loss by at least a
  fraction ``c`` of what the slope promises, multiply the lr by ``shrink`` and try again
  (:func:`armijo`, :func:`armijo_condition`);
* **Polyak's step size**: the lr that would land on the minimum value if the loss were linear,
  :math:`(f(x) - f^*) / \lVert\nabla f(x)\rVert^2`; it needs the minimum value :math:`f^*`
  (:func:`polyak_lr`).

:func:`run_line_search` and :func:`run_polyak` run gradient descent with each rule on a batch of
starting points at once (one vectorized ``lrlab.run``) and record the lr each step took in
``traj.lr``, as a schedule's run does. torch has no line search (its ``LBFGS`` has a strong-Wolfe
one inside the optimizer), so these are tested against closed forms on quadratics
(``lrlab.theory.exact_line_search_lr``) and against the Armijo condition itself.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ._validation import as_real_array, check_loss, check_number, check_points
from .loop import Trajectory, run
from .types import Loss, Stepper

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["armijo", "armijo_condition", "polyak_lr", "run_line_search", "run_polyak", "StepRuleState"]


class StepRuleState(NamedTuple):
    """The state of the line-search and Polyak runs: what the rule chose at the last step."""

    step: int                          # number of updates done so far
    lr: np.ndarray | None              # (*batch,) the lr the last step took; None before step 1
    n_evals: np.ndarray | None         # (*batch,) int, loss evaluations it took (0 for Polyak)


# --------------------------------------------------------------------------- argument checks

def _check_armijo_args(lr0, shrink, c, max_iter):
    return (check_number("lr0", lr0, low=0.0, low_inclusive=False),
            check_number("shrink", shrink, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False),
            check_number("c", c, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False),
            check_number("max_iter", max_iter, low=1, integer=True))


def _direction(loss, x: np.ndarray, direction, g: np.ndarray) -> np.ndarray:
    if direction is None:
        return -g
    p = check_points("direction", direction, x.shape[-1])
    try:
        return np.array(np.broadcast_to(p, np.broadcast_shapes(p.shape, x.shape)))
    except ValueError:
        raise ValueError(f"direction of shape {p.shape} does not broadcast against x of shape {x.shape}") from None


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """sum_i a[..., i] * b[..., i], added in a fixed order (the same bits for any batch)."""
    prod = a * b
    acc = prod[..., 0].copy()
    for i in range(1, prod.shape[-1]):
        acc += prod[..., i]
    return acc


def _is_stochastic(loss) -> bool:
    return callable(getattr(loss, "sample_grad", None)) and getattr(loss, "batch_size", None) is not None


# --------------------------------------------------------------------------- Armijo

def armijo_condition(loss: Loss, x: ArrayLike, lr: ArrayLike, direction: ArrayLike | None = None,
                     c: float = 1e-4) -> bool | np.ndarray:
    r"""Whether the step ``lr`` along ``direction`` lowers the loss enough (sufficient decrease).

    .. math:: f(x + \eta\, p) \le f(x) + c\, \eta\, \nabla f(x)^\top p

    with :math:`p` = ``direction`` (default :math:`-\nabla f(x)`, so the right-hand side is
    :math:`f(x) - c\,\eta\,\lVert\nabla f(x)\rVert^2`). A NaN or infinite trial loss fails.

    Args:
        loss: an object with ``value(x)`` and ``grad(x)``, vectorized over leading axes.
        x: ``(..., d)`` the point(s).
        lr: a float or an array broadcasting against ``x.shape[:-1]``.
        direction: ``(..., d)`` or None.
        c: the fraction of the promised decrease asked for, in (0, 1).

    Returns:
        a bool for one point and one lr, else a bool array of the broadcast batch shape.
    """
    check_loss("loss", loss)
    x = check_points("x", x, getattr(loss, "dim", None))
    c = check_number("c", c, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    lrs = as_real_array("lr", lr, what="a non-negative float or an array of them")
    if lrs.size == 0:
        raise ValueError("lr must not be empty: give an lr or an array of lrs")
    if not np.all(np.isfinite(lrs)) or np.any(lrs < 0):
        raise ValueError(f"lr must be finite and >= 0, got lr={lr!r}")
    with np.errstate(all="ignore"):
        g = np.asarray(loss.grad(x), dtype=float)
    p = _direction(loss, x, direction, g)
    with np.errstate(all="ignore"):
        f0 = np.asarray(loss.value(x), dtype=float)
        slope = _dot(g, p)
        ft = np.asarray(loss.value(x + lrs[..., None] * p), dtype=float)
        ok = ft <= f0 + c * lrs * slope
    return bool(ok) if np.ndim(ok) == 0 else ok


def armijo(loss: Loss, x: ArrayLike, direction: ArrayLike | None = None, lr0: float = 1.0, shrink: float = 0.5,
           c: float = 1e-4, max_iter: int = 50) -> tuple[float, int] | tuple[np.ndarray, np.ndarray]:
    r"""Backtracking line search: the first lr of ``lr0, lr0·shrink, lr0·shrink², …`` that passes Armijo's test.

    .. math:: \eta_k = \eta_0\,\rho^k, \qquad
              k = \min\{k \ge 0 : f(x + \eta_k p) \le f(x) + c\,\eta_k\,\nabla f(x)^\top p\}

    with :math:`p` = ``direction`` (default the steepest descent, :math:`-\nabla f(x)`),
    :math:`\rho` = ``shrink`` and :math:`c` = ``c`` (:func:`armijo_condition`). Along a descent
    direction of a smooth loss a small enough lr always passes, so the search ends. On a quadratic
    with :math:`p = -g` the test passes exactly for :math:`\eta \le 2(1-c)\,\eta^*`, where
    :math:`\eta^* = g^\top g / g^\top H g` is the exact line search's lr
    (``lrlab.theory.exact_line_search_lr``): backtracking returns an lr between
    :math:`\rho \cdot 2(1-c)\,\eta^*` and :math:`2(1-c)\,\eta^*` (or ``lr0`` if that passes).

    Vectorized over the leading axes of ``x``: each point backtracks on its own (every trial
    evaluates the loss on the whole batch, so a batch gives, bit for bit, what each point gives
    alone). There is no ``torch`` equivalent to test against: the tests check the condition and
    the closed form above.

    Args:
        loss: an object with ``value(x)`` and ``grad(x)``, vectorized over leading axes.
        x: ``(..., d)`` the point(s).
        direction: ``(..., d)`` a descent direction at each point, or None for :math:`-\nabla f(x)`.
        lr0: the first lr tried, > 0.
        shrink: the factor :math:`\rho` in (0, 1) applied after each rejection.
        c: Armijo's constant in (0, 1); the usual 1e-4 asks for very little.
        max_iter: the largest number of trials (>= 1).

    Returns:
        ``(lr, n_evals)``: the accepted lr and the number of trial points at which the loss was
        evaluated (:math:`k + 1`; the value and gradient at ``x`` itself are not counted). A point
        whose ``max_iter`` trials all fail gets ``lr = 0`` (no step) and ``n_evals = max_iter``.
        Floats for one point, else arrays of shape ``x.shape[:-1]``.

    Raises:
        ValueError: ``direction`` points uphill somewhere (:math:`\nabla f(x)^\top p > 0`), or an
            argument is out of range (the message names it).
    """
    check_loss("loss", loss)
    lr0, shrink, c, max_iter = _check_armijo_args(lr0, shrink, c, max_iter)
    x = check_points("x", x, getattr(loss, "dim", None))
    with np.errstate(all="ignore"):
        g = np.asarray(loss.grad(x), dtype=float)
        f0 = np.asarray(loss.value(x), dtype=float)
    p = _direction(loss, x, direction, g)
    lr, n = _backtrack(loss, x, f0, g, p, lr0, shrink, c, max_iter)
    if lr.ndim == 0:
        return float(lr), int(n)
    return lr, n


def _backtrack(loss, x, f0, g, p, lr0, shrink, c, max_iter):
    """The search itself on a batch: ``(lr, n_evals)`` arrays of shape ``x.shape[:-1]``."""
    with np.errstate(all="ignore"):
        slope = _dot(g, p)
        if np.any(slope > 0):
            raise ValueError("direction must point downhill at every x (grad(x) · direction <= 0); "
                             "it points uphill at some point")
        batch = np.broadcast_shapes(x.shape[:-1], p.shape[:-1])
        lr = np.full(batch, lr0)
        done = np.zeros(batch, dtype=bool)
        n = np.zeros(batch, dtype=np.int64)
        for _ in range(max_iter):
            n += ~done
            ft = np.asarray(loss.value(x + lr[..., None] * p), dtype=float)
            done |= ft <= f0 + c * lr * slope             # NaN and inf fail
            if done.all():
                break
            lr = np.where(done, lr, lr * shrink)
    return np.where(done, lr, 0.0), n


# --------------------------------------------------------------------------- Polyak

def _f_star(loss, f_star) -> float:
    if f_star is None:
        f_star = getattr(loss, "min_value", None)
        if f_star is None:
            raise ValueError(f"f_star is needed: the minimum value of this {type(loss).__name__} is not known "
                             "to it (no min_value); pass f_star, the loss's minimum (or a lower bound)")
    return check_number("f_star", f_star)


def _polyak(f, g, f_star, max_lr):
    """The Polyak lr from the loss values ``f`` and gradients ``g`` (arrays)."""
    with np.errstate(all="ignore"):
        gg = _dot(g, g)
        gap = np.maximum(f - f_star, 0.0)
        lr = np.where(gg > 0, gap / np.where(gg > 0, gg, 1.0), 0.0)
        if max_lr is not None:
            lr = np.minimum(lr, max_lr)
    return lr


def polyak_lr(loss: Loss, x: ArrayLike, f_star: float | None = None,
              max_lr: float | None = None) -> float | np.ndarray:
    r"""Polyak's step size: the lr at which the loss's tangent plane reaches the minimum value.

    .. math:: \eta = \frac{f(x) - f^*}{\lVert \nabla f(x) \rVert^2}, \qquad
              \text{capped: } \min(\eta, \eta_{max})

    On a 1-D quadratic :math:`f(w) = \tfrac{\lambda}{2} w^2` it is :math:`1/(2\lambda)`, half the
    Newton lr: the step goes from :math:`w` to :math:`w/2`. On a convex loss every Polyak step
    brings the iterate closer to the minimizer, by
    :math:`\lVert x_{t+1} - x^*\rVert^2 \le \lVert x_t - x^*\rVert^2 - (f(x_t) - f^*)^2 / \lVert\nabla f(x_t)\rVert^2`,
    whatever the curvature: no lr to tune, but :math:`f^*` must be known.

    Args:
        loss: an object with ``value(x)`` and ``grad(x)``, vectorized over leading axes.
        x: ``(..., d)`` the point(s).
        f_star: the minimum value :math:`f^*` (default: ``loss.min_value``, which lrlab's losses know).
        max_lr: an optional cap :math:`\eta_{max} > 0` (the "SPS_max" variant).

    Returns:
        a float for one point, else an array of shape ``x.shape[:-1]``. 0 where the gradient is 0
        (nothing to do) or where :math:`f(x) < f^*` (``f_star`` was too high).
    """
    check_loss("loss", loss)
    x = check_points("x", x, getattr(loss, "dim", None))
    f_star = _f_star(loss, f_star)
    if max_lr is not None:
        max_lr = check_number("max_lr", max_lr, low=0.0, low_inclusive=False)
    with np.errstate(all="ignore"):
        f, g = np.asarray(loss.value(x), dtype=float), np.asarray(loss.grad(x), dtype=float)
    lr = _polyak(f, g, f_star, max_lr)
    return float(lr) if lr.ndim == 0 else lr


# --------------------------------------------------------------------------- runs

def _rule_stepper(name: str, rule) -> Stepper:
    """A stepper ``x <- x - lr_t g`` whose lr comes from ``rule(x, g) -> (lr, n_evals)``; ``run``'s lr is ignored."""

    def init(params) -> StepRuleState:
        return StepRuleState(step=0, lr=None, n_evals=None)

    def update(grad, state: StepRuleState, params, lr):
        rate, n = rule(params, grad)
        return params - rate[..., None] * grad, StepRuleState(state.step + 1, rate, n)

    return Stepper(init, update, name, {})


def _with_rule_lrs(traj: Trajectory) -> Trajectory:
    """``traj`` with ``lr`` holding the lr each step took (NaN from a trajectory's divergence on, and for steps
    never taken)."""
    T, batch = traj.num_steps, traj.batch_shape
    lrs = np.full((T,) + batch, np.nan)
    for t, s in enumerate(traj.state or ()):
        lrs[t] = np.reshape(s.lr, batch)
    steps = np.arange(T).reshape((T,) + (1,) * len(batch))
    dead = traj.diverged & (steps >= traj.diverged_at)
    lrs = np.where(dead, np.nan, lrs)
    return dataclasses.replace(traj, lr=lrs)


def _check_run_args(loss, x0, num_steps):
    check_loss("loss", loss)
    if _is_stochastic(loss):
        raise TypeError("loss must be deterministic: this one draws minibatch gradients (sample_grad with a "
                        "batch_size), and the rule compares full-loss values with them; build it with "
                        "batch_size=None")
    check_number("num_steps", num_steps, low=0, integer=True)
    return check_points("x0", x0, getattr(loss, "dim", None))


def run_line_search(loss: Loss, x0: ArrayLike, num_steps: int = 100, *, lr0: float = 1.0, shrink: float = 0.5,
                    c: float = 1e-4, max_iter: int = 50, divergence_threshold: float = 1e10) -> Trajectory:
    r"""Gradient descent whose lr comes from a fresh backtracking search (:func:`armijo`) at every step.

    .. math:: x_{t+1} = x_t - \eta_t \nabla f(x_t), \qquad \eta_t = \text{armijo}(f, x_t, \eta_0, \rho, c)

    Every search starts again from ``lr0``. One vectorized ``lrlab.run`` over a batch of starting
    points ``x0`` of shape ``(..., d)``, each with its own searches.

    Returns:
        a :class:`lrlab.Trajectory`; ``traj.lr[t]`` is the lr step ``t`` took (NaN once a trajectory
        has diverged, which a search along a descent direction prevents), and ``traj.state[t]`` a
        :class:`StepRuleState` whose ``n_evals`` counts the loss evaluations of that step's search.
    """
    x0 = _check_run_args(loss, x0, num_steps)
    lr0, shrink, c, max_iter = _check_armijo_args(lr0, shrink, c, max_iter)

    def rule(x, g):
        return _backtrack(loss, x, np.asarray(loss.value(x), dtype=float), g, -g, lr0, shrink, c, max_iter)

    stepper = _rule_stepper(f"armijo(lr0={lr0:g}, shrink={shrink:g}, c={c:g})", rule)
    traj = run(loss=loss, stepper=stepper, x0=x0, lr=lr0, num_steps=num_steps,
               divergence_threshold=divergence_threshold, record_state=True)
    return _with_rule_lrs(traj)


def run_polyak(loss: Loss, x0: ArrayLike, num_steps: int = 100, *, f_star: float | None = None,
               max_lr: float | None = None, divergence_threshold: float = 1e10) -> Trajectory:
    r"""Gradient descent with Polyak's step size (:func:`polyak_lr`) at every step.

    .. math:: x_{t+1} = x_t - \eta_t \nabla f(x_t), \qquad
              \eta_t = \min\Big(\frac{f(x_t) - f^*}{\lVert\nabla f(x_t)\rVert^2},\ \eta_{max}\Big)

    One vectorized ``lrlab.run`` over a batch of starting points ``x0`` of shape ``(..., d)``.

    Returns:
        a :class:`lrlab.Trajectory` whose ``traj.lr[t]`` is the lr step ``t`` took (NaN once a
        trajectory has diverged).
    """
    x0 = _check_run_args(loss, x0, num_steps)
    f_star = _f_star(loss, f_star)
    if max_lr is not None:
        max_lr = check_number("max_lr", max_lr, low=0.0, low_inclusive=False)

    def rule(x, g):
        lr = _polyak(np.asarray(loss.value(x), dtype=float), g, f_star, max_lr)
        return lr, np.zeros(lr.shape, dtype=np.int64)

    name = "polyak" if max_lr is None else f"polyak(max_lr={max_lr:g})"
    traj = run(loss=loss, stepper=_rule_stepper(name, rule), x0=x0, lr=1.0, num_steps=num_steps,
               divergence_threshold=divergence_threshold, record_state=True)
    return _with_rule_lrs(traj)
