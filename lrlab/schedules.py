r"""Learning-rate schedules: ``torch.optim.lr_scheduler`` in closed form.

Each factory is the snake_case name of a torch scheduler class and takes that
class's keyword arguments with the same defaults, with ``optimizer`` replaced by
``base_lr`` (the lr torch would read from the optimizer). It returns a
stateless :class:`Schedule`: ``schedule(t)`` is the lr that torch's
``scheduler.get_last_lr()[0]`` reports after ``t`` calls of ``scheduler.step()``
(each preceded by ``optimizer.step()``), so ``schedule(0)`` is the lr of the
first optimizer step. Torch computes most schedules recursively, multiplying the
previous lr by a ratio; lrlab evaluates the equivalent closed form, vectorized
over ``t``, and agrees with torch to a few ulps per step.

Arguments are checked at once, as torch's constructors do, and more strictly
where torch would silently misbehave or fail later (a negative or non-finite
lr, ``gamma <= 0``, ``total_iters < 1``, a one-cycle warm-up shorter than a
step, unsorted milestones, ...).

The exception is :func:`reduce_lr_on_plateau` (torch's ``ReduceLROnPlateau``): its lr
depends on the metrics it is fed, not on the step count, so it has no closed form and is
a small state machine instead (:class:`PlateauSchedule`: ``init``, ``update(state, metric)``,
and ``lrs(metrics)`` to replay a recorded sequence).

Momentum cycling (``cycle_momentum``, ``base_momentum``, ``max_momentum`` of
``CyclicLR`` and ``OneCycleLR``) is out of scope: a schedule here is a learning
rate only, so those arguments are not accepted.
"""
from __future__ import annotations

import math
import numbers
import types
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ._validation import check_choice, check_flag, check_number

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = [
    "Schedule",
    "step_lr",
    "multistep_lr",
    "exponential_lr",
    "cosine_annealing_lr",
    "cosine_annealing_warm_restarts",
    "cyclic_lr",
    "one_cycle_lr",
    "linear_lr",
    "polynomial_lr",
    "constant_lr",
    "sequential_lr",
    "PlateauState",
    "PlateauSchedule",
    "reduce_lr_on_plateau",
]

_INT64_MAX = np.iinfo(np.int64).max


def _as_steps(t) -> tuple[np.ndarray, bool]:
    """Return ``t`` as an int64 array and whether it was a scalar; refuse anything else."""
    if isinstance(t, (bool, np.bool_)):
        raise ValueError(f"t must be a non-negative integer or an integer array, got t={t!r}")
    if isinstance(t, numbers.Integral):
        value = int(t)
        if value < 0:
            raise ValueError(f"t must be a non-negative integer (a step count), got t={t!r}")
        if value > _INT64_MAX:
            raise ValueError(f"t must be at most {_INT64_MAX}, got t={t!r}")
        return np.asarray(value, dtype=np.int64), True
    if isinstance(t, numbers.Number):
        raise ValueError(f"t must be a non-negative integer or an integer array, got t={t!r}")
    try:
        arr = np.asarray(t)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"t must be a non-negative integer or an integer array, got t={t!r}") from None
    if arr.dtype.kind not in "iu":
        raise ValueError(f"t must be a non-negative integer or an integer array, got an array "
                         f"of dtype {arr.dtype} (t={t!r})")
    if arr.size:
        if arr.min() < 0:
            raise ValueError(f"t must be >= 0 (a step count), got min(t)={arr.min()}")
        if arr.dtype.kind == "u" and arr.max() > _INT64_MAX:
            raise ValueError(f"t must be at most {_INT64_MAX}, got max(t)={arr.max()}")
    return arr.astype(np.int64), False


class Schedule:
    """A learning rate as a pure function of the step index ``t``.

    ``schedule(t)`` takes a Python/numpy integer (returns a Python float) or an
    integer array (returns a float64 array of the same shape); ``t`` must be
    ``>= 0``. A schedule holds no state: calling it never changes it.

    Attributes:
        name: the factory that made it, e.g. ``"cosine_annealing_lr"``.
        kwargs: the (checked) arguments it was made with, read-only.
    """

    __slots__ = ("name", "kwargs", "_fn")

    def __init__(self, name: str, kwargs: dict, fn: Callable[[np.ndarray], np.ndarray]):
        # fn maps an int64 array of valid steps to lrs (anything broadcastable to its shape).
        self.name = name
        self.kwargs = types.MappingProxyType(dict(kwargs))
        self._fn = fn

    def _eval(self, steps: np.ndarray) -> np.ndarray:
        # Always evaluate on a flat contiguous array, so that a scalar t goes through the
        # same numpy loops (e.g. SIMD pow/cos) as an array and gets bit-identical results.
        flat = np.ascontiguousarray(steps, dtype=np.int64).reshape(-1)
        with np.errstate(over="ignore"):  # a growing schedule (gamma > 1) may reach inf, as torch's does
            out = np.asarray(self._fn(flat), dtype=np.float64)
        return np.broadcast_to(out, flat.shape).reshape(steps.shape).copy()

    def __call__(self, t: int | ArrayLike) -> float | np.ndarray:
        steps, scalar = _as_steps(t)
        out = self._eval(steps)
        return float(out) if scalar else out

    def values(self, num_steps: int) -> np.ndarray:
        """Return the lrs for ``t = 0, ..., num_steps - 1`` as a float64 array of shape ``(num_steps,)``."""
        n = check_number("num_steps", num_steps, low=0, integer=True)
        return self._eval(np.arange(n, dtype=np.int64))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"{self.name}({args})"

    def __reduce__(self):
        return (_rebuild, (self.name, dict(self.kwargs)))


def _rebuild(name: str, kwargs: dict) -> Schedule:
    """Unpickle a schedule by calling its factory again."""
    return globals()[name](**kwargs)


def _resumable(name: str, kwargs: dict, fn, last_epoch) -> Schedule:
    """A Schedule of ``fn``, resumed as torch's ``last_epoch`` argument resumes a scheduler.

    torch's scheduler built with ``last_epoch=k`` (on an optimizer whose param groups hold
    ``initial_lr``, as one loaded from a checkpoint does) sets its step counter to ``k + 1``
    in its constructor; here ``schedule(t)`` is the fresh schedule at ``t + k + 1``, torch's
    closed form (``_get_closed_form_lr``) at that counter. (torch 2.13's recursive schedulers,
    e.g. ``ExponentialLR``, keep the optimizer's lr on that first step and recurse from it, so
    their resumed sequence is no shift of the fresh one; lrlab follows the counter.) ``-1``,
    the default, is a fresh start and leaves ``kwargs`` (and the repr) as they were.
    """
    last_epoch = check_number("last_epoch", last_epoch, low=-1, integer=True)
    if last_epoch == -1:
        return Schedule(name, kwargs, fn)
    shift = last_epoch + 1

    def resumed(t):
        if t.size and int(t.max()) > _INT64_MAX - shift:
            raise ValueError(f"t must be at most {_INT64_MAX - shift} for a schedule resumed at "
                             f"last_epoch={last_epoch}, got max(t)={int(t.max())}")
        return fn(t + shift)

    return Schedule(name, dict(kwargs, last_epoch=last_epoch), resumed)


# ---------------------------------------------------------------------------
# argument checks


def _times(base_lr: float, factor: np.ndarray) -> np.ndarray:
    """``base_lr * factor``, but 0 when ``base_lr`` is 0 even if the factor overflowed (as torch's 0 * gamma)."""
    return base_lr * factor if base_lr != 0 else np.zeros(np.shape(factor))


def _check_lr(name: str, value) -> float:
    return check_number(name, value, low=0.0)


def _check_gamma(value) -> float:
    return check_number("gamma", value, low=0.0, low_inclusive=False)


def _check_increasing_ints(name: str, values, *, low: int = 0) -> tuple[int, ...]:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of integers, got {name}={values!r}")
    out = tuple(check_number(f"{name}[{i}]", v, low=low, integer=True) for i, v in enumerate(values))
    for i in range(1, len(out)):
        if out[i] <= out[i - 1]:
            raise ValueError(f"{name} must be strictly increasing, got {name}={list(out)!r} "
                             f"({name}[{i}]={out[i]} <= {name}[{i - 1}]={out[i - 1]})")
    return out


# ---------------------------------------------------------------------------
# the schedules


def step_lr(base_lr: float, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> Schedule:
    r"""Multiply the lr by ``gamma`` every ``step_size`` steps.

    .. math:: \eta_t = \eta_0 \, \gamma^{\lfloor t / s \rfloor}

    Args:
        base_lr: :math:`\eta_0`, the initial lr (float, ``>= 0``).
        step_size: :math:`s`, the period of the decay (integer, ``>= 1``).
        gamma: :math:`\gamma`, the decay factor (float, ``> 0``).
        last_epoch: torch's resume point (integer, ``>= -1``): ``-1`` starts afresh; ``k >= 0``
            resumes as torch's constructor does (its step counter jumps to ``k + 1``), so
            ``schedule(t)`` is the fresh schedule's value at ``t + k + 1``.

    Returns:
        A :class:`Schedule` matching ``torch.optim.lr_scheduler.StepLR``.
    """
    base_lr = _check_lr("base_lr", base_lr)
    step_size = check_number("step_size", step_size, low=1, integer=True)
    gamma = _check_gamma(gamma)

    def fn(t):
        return _times(base_lr, gamma ** (t // step_size))

    return _resumable("step_lr", dict(base_lr=base_lr, step_size=step_size, gamma=gamma), fn, last_epoch)


def multistep_lr(base_lr: float, milestones: Sequence[int], gamma: float = 0.1, last_epoch: int = -1) -> Schedule:
    r"""Multiply the lr by ``gamma`` at each milestone.

    .. math:: \eta_t = \eta_0 \, \gamma^{\#\{i \,:\, m_i \le t\}}

    A milestone at 0 already decays ``schedule(0)``, as in torch.

    Args:
        base_lr: :math:`\eta_0`, the initial lr (float, ``>= 0``).
        milestones: :math:`m_i`, strictly increasing integers ``>= 0`` (torch
            also accepts repeated or unsorted milestones; lrlab refuses them).
        gamma: :math:`\gamma`, the decay factor (float, ``> 0``).
        last_epoch: torch's resume point (integer, ``>= -1``): ``-1`` starts afresh; ``k >= 0``
            resumes as torch's constructor does (its step counter jumps to ``k + 1``), so
            ``schedule(t)`` is the fresh schedule's value at ``t + k + 1``.

    Returns:
        A :class:`Schedule` matching ``torch.optim.lr_scheduler.MultiStepLR``.
    """
    base_lr = _check_lr("base_lr", base_lr)
    milestones = _check_increasing_ints("milestones", milestones)
    gamma = _check_gamma(gamma)
    ms = np.array(milestones, dtype=np.int64)

    def fn(t):
        return _times(base_lr, gamma ** np.searchsorted(ms, t, side="right"))

    return _resumable("multistep_lr", dict(base_lr=base_lr, milestones=list(milestones), gamma=gamma), fn, last_epoch)


def exponential_lr(base_lr: float, gamma: float, last_epoch: int = -1) -> Schedule:
    r"""Multiply the lr by ``gamma`` every step.

    .. math:: \eta_t = \eta_0 \, \gamma^{t}

    Args:
        base_lr: :math:`\eta_0`, the initial lr (float, ``>= 0``).
        gamma: :math:`\gamma`, the decay factor per step (float, ``> 0``).
        last_epoch: torch's resume point (integer, ``>= -1``): ``-1`` starts afresh; ``k >= 0``
            resumes as torch's constructor does (its step counter jumps to ``k + 1``), so
            ``schedule(t)`` is the fresh schedule's value at ``t + k + 1``.

    Returns:
        A :class:`Schedule` matching ``torch.optim.lr_scheduler.ExponentialLR``.
    """
    base_lr = _check_lr("base_lr", base_lr)
    gamma = _check_gamma(gamma)

    def fn(t):
        return _times(base_lr, gamma ** t)

    return _resumable("exponential_lr", dict(base_lr=base_lr, gamma=gamma), fn, last_epoch)


def cosine_annealing_lr(base_lr: float, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> Schedule:
    r"""Cosine annealing from ``base_lr`` down to ``eta_min`` over ``T_max`` steps.

    .. math:: \eta_t = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})
              \bigl(1 + \cos(\pi t / T_{\max})\bigr)

    Past ``T_max`` the formula simply continues: the lr climbs back to
    ``base_lr`` at ``2 T_max`` and repeats with period ``2 T_max``. That is what
    torch's recursive form does (it special-cases the step after each minimum so
    as not to divide by zero); it is not a restart.

    Args:
        base_lr: :math:`\eta_0`, the initial lr (float, ``>= 0``).
        T_max: :math:`T_{\max}`, the number of steps from maximum to minimum
            (integer, ``>= 1``).
        eta_min: :math:`\eta_{\min}`, the minimum lr (float, ``>= 0``).
        last_epoch: torch's resume point (integer, ``>= -1``): ``-1`` starts afresh; ``k >= 0``
            resumes as torch's constructor does (its step counter jumps to ``k + 1``), so
            ``schedule(t)`` is the fresh schedule's value at ``t + k + 1``.

    Returns:
        A :class:`Schedule` matching ``torch.optim.lr_scheduler.CosineAnnealingLR``.
    """
    base_lr = _check_lr("base_lr", base_lr)
    T_max = check_number("T_max", T_max, low=1, integer=True)
    eta_min = _check_lr("eta_min", eta_min)

    def fn(t):
        return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * t / T_max)) / 2

    return _resumable("cosine_annealing_lr", dict(base_lr=base_lr, T_max=T_max, eta_min=eta_min), fn, last_epoch)


def _restart_position(t: np.ndarray, T_0: int, T_mult: int) -> tuple[np.ndarray, np.ndarray]:
    """Steps since the last restart (int64) and the current period (float64) for each t."""
    if T_mult == 1:
        return t % T_0, np.full(t.shape, float(T_0))
    # Period i starts at T_0 (T_mult^i - 1) / (T_mult - 1) and lasts T_0 T_mult^i;
    # list the starts up to max(t) with exact Python integers.
    t_last = int(t.max()) if t.size else 0
    starts, lengths = [0], [T_0]
    while starts[-1] + lengths[-1] <= t_last:
        starts.append(starts[-1] + lengths[-1])
        lengths.append(lengths[-1] * T_mult)
    i = np.searchsorted(np.array(starts, dtype=np.int64), t, side="right") - 1
    return t - np.array(starts, dtype=np.int64)[i], np.array([float(n) for n in lengths])[i]


def cosine_annealing_warm_restarts(base_lr: float, T_0: int, T_mult: int = 1,
                                   eta_min: float = 0.0, last_epoch: int = -1) -> Schedule:
    r"""Cosine annealing restarted (jumping back to ``base_lr``) at the end of each period (SGDR).

    .. math:: \eta_t = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})
              \bigl(1 + \cos(\pi T_{cur} / T_i)\bigr)

    where period :math:`i = 0, 1, \dots` lasts :math:`T_i = T_0 T_{mult}^i`
    steps and :math:`T_{cur}` counts the steps since it began; the restarts are
    at :math:`t = T_0 (T_{mult}^i - 1) / (T_{mult} - 1)` (every :math:`T_0`
    steps when :math:`T_{mult} = 1`). The lr never reaches ``eta_min`` exactly.

    Args:
        base_lr: :math:`\eta_0`, the lr at each restart (float, ``>= 0``).
        T_0: length of the first period (integer, ``>= 1``).
        T_mult: factor by which each period is longer than the previous one
            (integer, ``>= 1``).
        eta_min: :math:`\eta_{\min}`, the minimum lr (float, ``>= 0``).
        last_epoch: torch's resume point (integer, ``>= -1``): ``-1`` starts afresh; ``k >= 0``
            resumes as torch's constructor does (its step counter jumps to ``k + 1``), so
            ``schedule(t)`` is the fresh schedule's value at ``t + k + 1``.

    Returns:
        A :class:`Schedule` matching
        ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`` stepped
        without an ``epoch`` argument.
    """
    base_lr = _check_lr("base_lr", base_lr)
    T_0 = check_number("T_0", T_0, low=1, integer=True)
    T_mult = check_number("T_mult", T_mult, low=1, integer=True)
    eta_min = _check_lr("eta_min", eta_min)

    def fn(t):
        t_cur, t_i = _restart_position(t, T_0, T_mult)
        return eta_min + (base_lr - eta_min) * (1 + np.cos(np.pi * t_cur / t_i)) / 2

    return _resumable("cosine_annealing_warm_restarts",
                    dict(base_lr=base_lr, T_0=T_0, T_mult=T_mult, eta_min=eta_min), fn, last_epoch)


_CYCLIC_MODES = ("triangular", "triangular2", "exp_range")
_SCALE_MODES = ("cycle", "iterations")


def cyclic_lr(base_lr: float, max_lr: float, step_size_up: int = 2000, step_size_down: int | None = None,
              mode: str = "triangular", gamma: float = 1.0, scale_fn: Callable[[int], float] | None = None,
              scale_mode: str = "cycle", last_epoch: int = -1) -> Schedule:
    r"""Cyclical learning rate (CLR): triangles between ``base_lr`` and ``max_lr``.

    .. math::
        c = \lfloor 1 + t / (u + d) \rfloor,\quad
        x = 1 + t / (u + d) - c,\quad
        h = \begin{cases} x / r & x \le r \\ (x - 1) / (r - 1) & x > r \end{cases},\quad
        \eta_t = \eta_{lo} + (\eta_{hi} - \eta_{lo})\, h\, f(\cdot)

    with :math:`r = u / (u + d)`. The amplitude scale :math:`f` is 1
    (``'triangular'``), :math:`2^{-(c - 1)}` (``'triangular2'``, halved each
    cycle), :math:`\gamma^{t}` (``'exp_range'``), or ``scale_fn`` evaluated at
    the cycle number :math:`c` (``scale_mode='cycle'``) or at :math:`t`
    (``scale_mode='iterations'``).

    Args:
        base_lr: :math:`\eta_{lo}`, the lr at the start of each cycle (float, ``>= 0``).
        max_lr: :math:`\eta_{hi}`, the peak lr before scaling (float, ``>= 0``).
        step_size_up: :math:`u`, steps from ``base_lr`` up to the peak (integer, ``>= 1``).
        step_size_down: :math:`d`, steps back down (integer, ``>= 0``); ``None``
            means ``step_size_up``.
        mode: ``'triangular'``, ``'triangular2'`` or ``'exp_range'``; ignored
            (but still checked) when ``scale_fn`` is given.
        gamma: :math:`\gamma` of ``'exp_range'`` (in (0, 1]; torch also takes
            :math:`\gamma > 1`, which lets the lr grow past ``max_lr`` without bound).
        scale_fn: a custom amplitude scale, a function of one Python int
            returning a float in [0, 1]; it replaces ``mode``.
        scale_mode: ``'cycle'`` or ``'iterations'``, the argument of
            ``scale_fn`` (used only with ``scale_fn``; each mode fixes its own).
        last_epoch: torch's resume point (integer, ``>= -1``): ``-1`` starts afresh; ``k >= 0``
            resumes as torch's constructor does (its step counter jumps to ``k + 1``), so
            ``schedule(t)`` is the fresh schedule's value at ``t + k + 1``.

    Returns:
        A :class:`Schedule` matching ``torch.optim.lr_scheduler.CyclicLR`` with
        ``cycle_momentum=False`` (momentum cycling is not part of lrlab
        schedules, so ``cycle_momentum``, ``base_momentum`` and ``max_momentum``
        are not accepted).
    """
    base_lr = _check_lr("base_lr", base_lr)
    max_lr = _check_lr("max_lr", max_lr)
    step_size_up = check_number("step_size_up", step_size_up, low=1, integer=True)
    if step_size_down is not None:
        step_size_down = check_number("step_size_down", step_size_down, low=0, integer=True)
    mode = check_choice("mode", mode, _CYCLIC_MODES)
    gamma = check_number("gamma", gamma, low=0.0, high=1.0, low_inclusive=False)
    if scale_fn is not None and not callable(scale_fn):
        raise TypeError(f"scale_fn must be None or a function of one int, got scale_fn={scale_fn!r}")
    scale_mode = check_choice("scale_mode", scale_mode, _SCALE_MODES)

    up = float(step_size_up)
    down = up if step_size_down is None else float(step_size_down)
    total = up + down
    ratio = up / total
    amplitude = max_lr - base_lr
    if scale_fn is None:
        # torch fixes scale_mode for the built-in modes.
        effective_scale_mode = "iterations" if mode == "exp_range" else "cycle"
    else:
        effective_scale_mode = scale_mode

    def scale(arg: np.ndarray) -> np.ndarray:
        if scale_fn is None:
            if mode == "triangular":
                return np.ones(arg.shape)
            if mode == "triangular2":
                return 1 / (2.0 ** (arg - 1))
            return gamma ** arg
        keys, inverse = np.unique(arg, return_inverse=True)
        table = np.array([float(scale_fn(int(k))) for k in keys], dtype=np.float64)
        return table[inverse].reshape(arg.shape)

    def fn(t):
        cycle = np.floor(1 + t / total)
        x = 1.0 + t / total - cycle
        rising = x <= ratio
        height = np.empty(t.shape)
        height[rising] = x[rising] / ratio
        height[~rising] = (x[~rising] - 1) / (ratio - 1)  # empty when step_size_down == 0
        arg = cycle.astype(np.int64) if effective_scale_mode == "cycle" else t
        return base_lr + amplitude * height * scale(arg)

    kwargs = dict(base_lr=base_lr, max_lr=max_lr, step_size_up=step_size_up, step_size_down=step_size_down,
                  mode=mode, gamma=gamma, scale_fn=scale_fn, scale_mode=scale_mode)
    return _resumable("cyclic_lr", kwargs, fn, last_epoch)


def one_cycle_lr(max_lr: float, total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3, anneal_strategy: str = "cos",
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1) -> Schedule:
    r"""The 1cycle policy: warm up to ``max_lr``, then anneal far below the start.

    With :math:`\eta_{init} = \eta_{max} / \text{div\_factor}` and
    :math:`\eta_{min} = \eta_{init} / \text{final\_div\_factor}`, the lr
    anneals between the phase values below over the phases ending at steps
    :math:`e_k` (:math:`T` = ``total_steps``, :math:`p` = ``pct_start``):

    - two phases: :math:`\eta_{init} \to \eta_{max}` until :math:`e_1 = pT - 1`,
      then :math:`\eta_{max} \to \eta_{min}` until :math:`e_2 = T - 1`;
    - three phases: :math:`\eta_{init} \to \eta_{max}` until :math:`pT - 1`,
      :math:`\eta_{max} \to \eta_{init}` until :math:`2pT - 2`, then
      :math:`\eta_{init} \to \eta_{min}` until :math:`T - 1`.

    Within a phase from :math:`a` to :math:`b` between steps :math:`e_{k-1}`
    and :math:`e_k` (:math:`e_0 = 0`), with :math:`q = (t - e_{k-1}) / (e_k - e_{k-1})`:

    .. math:: \eta_t = b + \tfrac12 (a - b)\bigl(1 + \cos(\pi q)\bigr)
              \quad\text{('cos')},\qquad \eta_t = a + (b - a)\, q \quad\text{('linear')}

    ``schedule(t)`` is defined for ``0 <= t <= total_steps``: torch accepts
    ``total_steps`` scheduler steps and raises on the next one, so lrlab raises
    ``ValueError`` for ``t > total_steps``. The value at ``t = total_steps`` is
    torch's extrapolation of the last phase (:math:`q > 1`): slightly above
    :math:`\eta_{min}` for ``'cos'``, *below* it for ``'linear'`` (it can be
    negative). It is never used by the optimizer in a run of ``total_steps``
    steps, which uses ``t = 0 .. total_steps - 1``.

    Args:
        max_lr: :math:`\eta_{max}`, the peak lr (float, ``>= 0``).
        total_steps: :math:`T`, steps in the cycle (integer, ``>= 1``); takes
            precedence over ``epochs * steps_per_epoch``.
        epochs: number of epochs (integer, ``>= 1``), used with ``steps_per_epoch``
            when ``total_steps`` is ``None``.
        steps_per_epoch: steps per epoch (integer, ``>= 1``).
        pct_start: :math:`p`, the fraction of the cycle spent warming up (in
            (0, 1)). lrlab requires :math:`pT > 1` (and :math:`2pT < T + 1`
            with three phases) so that every phase lasts more than zero steps;
            torch divides by zero at :math:`pT = 1` and silently skips the
            warm-up below it.
        anneal_strategy: ``'cos'`` or ``'linear'``.
        div_factor: :math:`\eta_{max} / \eta_{init}` (float, ``> 0``).
        final_div_factor: :math:`\eta_{init} / \eta_{min}` (float, ``> 0``).
        three_phase: use the three-phase schedule of the original paper.
        last_epoch: torch's resume point (integer, ``>= -1``): ``-1`` starts afresh; ``k >= 0``
            resumes as torch's constructor does (its step counter jumps to ``k + 1``), so
            ``schedule(t)`` is the fresh schedule's value at ``t + k + 1``.

    Returns:
        A :class:`Schedule` matching ``torch.optim.lr_scheduler.OneCycleLR`` with
        ``cycle_momentum=False`` (momentum cycling is not part of lrlab
        schedules, so ``cycle_momentum``, ``base_momentum`` and ``max_momentum``
        are not accepted).
    """
    max_lr = _check_lr("max_lr", max_lr)
    # epochs and steps_per_epoch are checked even when total_steps makes them unused (as in torch,
    # which then ignores them), so that a typo is not silently carried along
    if epochs is not None:
        epochs = check_number("epochs", epochs, low=1, integer=True)
    if steps_per_epoch is not None:
        steps_per_epoch = check_number("steps_per_epoch", steps_per_epoch, low=1, integer=True)
    if total_steps is not None:
        total_steps = check_number("total_steps", total_steps, low=1, integer=True)
        n_steps = total_steps
    elif epochs is not None and steps_per_epoch is not None:
        n_steps = epochs * steps_per_epoch
    else:
        raise ValueError("one_cycle_lr needs total_steps, or both epochs and steps_per_epoch; "
                         f"got total_steps={total_steps!r}, epochs={epochs!r}, steps_per_epoch={steps_per_epoch!r}")
    pct_start = check_number("pct_start", pct_start, low=0.0, high=1.0, low_inclusive=False,
                             high_inclusive=False)
    anneal_strategy = check_choice("anneal_strategy", anneal_strategy, ("cos", "linear"))
    div_factor = check_number("div_factor", div_factor, low=0.0, low_inclusive=False)
    final_div_factor = check_number("final_div_factor", final_div_factor, low=0.0, low_inclusive=False)
    three_phase = check_flag("three_phase", three_phase)

    initial_lr = max_lr / div_factor
    min_lr = initial_lr / final_div_factor
    warmup_end = float(pct_start * n_steps) - 1
    if three_phase:
        ends = [warmup_end, float(2 * pct_start * n_steps) - 2, n_steps - 1]
        levels = [(initial_lr, max_lr), (max_lr, initial_lr), (initial_lr, min_lr)]
    else:
        ends = [warmup_end, n_steps - 1]
        levels = [(initial_lr, max_lr), (max_lr, min_lr)]
    starts = [0.0] + ends[:-1]
    if not warmup_end > 0:
        raise ValueError(f"pct_start * total_steps must be > 1 so that the warm-up lasts at least one step, "
                         f"got pct_start={pct_start!r} with total_steps={n_steps}")
    if not all(e > s for s, e in zip(starts, ends)):
        raise ValueError(f"with three_phase=True, pct_start must satisfy 2 * pct_start * total_steps "
                         f"< total_steps + 1 so that the last phase lasts at least one step, "
                         f"got pct_start={pct_start!r} with total_steps={n_steps}")
    ends_a = np.array(ends, dtype=np.float64)
    starts_a = np.array(starts, dtype=np.float64)
    lo_a = np.array([a for a, _ in levels])
    hi_a = np.array([b for _, b in levels])

    def fn(t):
        if t.size and t.max() > n_steps:
            raise ValueError(f"t must be <= total_steps={n_steps} for one_cycle_lr (torch raises when "
                             f"stepped more than total_steps times), got t={int(t.max())}")
        k = np.minimum(np.searchsorted(ends_a, t, side="left"), len(ends) - 1)
        pct = (t - starts_a[k]) / (ends_a[k] - starts_a[k])
        start, end = lo_a[k], hi_a[k]
        if anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (np.cos(np.pi * pct) + 1)
        return (end - start) * pct + start

    kwargs = dict(max_lr=max_lr, total_steps=total_steps, epochs=epochs, steps_per_epoch=steps_per_epoch,
                  pct_start=pct_start, anneal_strategy=anneal_strategy, div_factor=div_factor,
                  final_div_factor=final_div_factor, three_phase=three_phase)
    return _resumable("one_cycle_lr", kwargs, fn, last_epoch)


def linear_lr(base_lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
              total_iters: int = 5, last_epoch: int = -1) -> Schedule:
    r"""Scale the lr by a factor going linearly from ``start_factor`` to ``end_factor``.

    .. math:: \eta_t = \eta_0 \Bigl(f_0 + (f_1 - f_0) \frac{\min(t, N)}{N}\Bigr)

    Args:
        base_lr: :math:`\eta_0` (float, ``>= 0``).
        start_factor: :math:`f_0`, the factor at ``t = 0`` (in (0, 1]).
        end_factor: :math:`f_1`, the factor from ``t = total_iters`` on (in [0, 1]).
        total_iters: :math:`N`, the number of steps of the ramp (integer,
            ``>= 1``; with 0 torch would keep ``start_factor`` for ever).
        last_epoch: torch's resume point (integer, ``>= -1``): ``-1`` starts afresh; ``k >= 0``
            resumes as torch's constructor does (its step counter jumps to ``k + 1``), so
            ``schedule(t)`` is the fresh schedule's value at ``t + k + 1``.

    Returns:
        A :class:`Schedule` matching ``torch.optim.lr_scheduler.LinearLR``.
    """
    base_lr = _check_lr("base_lr", base_lr)
    start_factor = check_number("start_factor", start_factor, low=0.0, high=1.0, low_inclusive=False)
    end_factor = check_number("end_factor", end_factor, low=0.0, high=1.0)
    total_iters = check_number("total_iters", total_iters, low=1, integer=True)

    def fn(t):
        return base_lr * (start_factor + (end_factor - start_factor) * np.minimum(total_iters, t) / total_iters)

    return _resumable("linear_lr", dict(base_lr=base_lr, start_factor=start_factor, end_factor=end_factor,
                                      total_iters=total_iters), fn, last_epoch)


def polynomial_lr(base_lr: float, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1) -> Schedule:
    r"""Polynomial decay to zero over ``total_iters`` steps, then zero.

    .. math:: \eta_t = \eta_0 \Bigl(1 - \frac{\min(t, N)}{N}\Bigr)^{p}

    Args:
        base_lr: :math:`\eta_0` (float, ``>= 0``).
        total_iters: :math:`N`, the number of steps of the decay (integer, ``>= 1``).
        power: :math:`p` (float, ``>= 0``; torch divides by zero at ``t = N``
            for a negative power).
        last_epoch: torch's resume point (integer, ``>= -1``): ``-1`` starts afresh; ``k >= 0``
            resumes as torch's constructor does (its step counter jumps to ``k + 1``), so
            ``schedule(t)`` is the fresh schedule's value at ``t + k + 1``.

    Returns:
        A :class:`Schedule` matching ``torch.optim.lr_scheduler.PolynomialLR``.
    """
    base_lr = _check_lr("base_lr", base_lr)
    total_iters = check_number("total_iters", total_iters, low=1, integer=True)
    power = check_number("power", power, low=0.0)

    def fn(t):
        return base_lr * (1.0 - np.minimum(total_iters, t) / total_iters) ** power

    return _resumable("polynomial_lr", dict(base_lr=base_lr, total_iters=total_iters, power=power), fn, last_epoch)


def constant_lr(base_lr: float, factor: float = 1.0 / 3, total_iters: int = 5, last_epoch: int = -1) -> Schedule:
    r"""Scale the lr by ``factor`` for the first ``total_iters`` steps, then use ``base_lr``.

    .. math:: \eta_t = \eta_0 \cdot \begin{cases} f & t < N \\ 1 & t \ge N \end{cases}

    Args:
        base_lr: :math:`\eta_0` (float, ``>= 0``).
        factor: :math:`f` (in (0, 1]; torch accepts 0 and then divides by zero at ``t = N``).
        total_iters: :math:`N` (integer, ``>= 1``; with 0 torch would keep
            ``factor`` for ever).
        last_epoch: torch's resume point (integer, ``>= -1``): ``-1`` starts afresh; ``k >= 0``
            resumes as torch's constructor does (its step counter jumps to ``k + 1``), so
            ``schedule(t)`` is the fresh schedule's value at ``t + k + 1``.

    Returns:
        A :class:`Schedule` matching ``torch.optim.lr_scheduler.ConstantLR``.
    """
    base_lr = _check_lr("base_lr", base_lr)
    factor = check_number("factor", factor, low=0.0, high=1.0, low_inclusive=False)
    total_iters = check_number("total_iters", total_iters, low=1, integer=True)

    def fn(t):
        return base_lr * (factor + (t >= total_iters) * (1 - factor))

    return _resumable("constant_lr", dict(base_lr=base_lr, factor=factor, total_iters=total_iters), fn, last_epoch)


def sequential_lr(schedulers: Sequence[Schedule], milestones: Sequence[int], last_epoch: int = -1) -> Schedule:
    r"""Run ``schedules[0]`` until ``milestones[0]``, then ``schedules[1]`` from its own step 0, and so on.

    .. math:: \eta_t = S_k(t - m_k),\quad k = \#\{i : m_i \le t\},\quad m_0 = 0

    As in torch, each schedule restarts from its own ``t = 0`` at its milestone
    (torch resets it with ``_update_lr(0)``, the old ``step(0)``): the lr jumps to
    that schedule's initial value, whatever the previous schedule had reached,
    and the previous schedule is never consulted again. A milestone at 0 means
    ``schedules[0]`` is never used. A schedule ending before its milestone keeps
    its own value past the end (e.g. a finished ``linear_lr`` stays at
    ``end_factor * base_lr``); a ``one_cycle_lr`` inside raises past its own
    ``total_steps``, as torch does.

    Differences from torch, which all come from torch's schedulers sharing one
    optimizer: each lrlab schedule carries its own ``base_lr``, whereas torch's
    schedulers read the optimizer's ``initial_lr``, which ``OneCycleLR`` (and a
    first-built ``CyclicLR``) overwrite; and torch mishandles a nested
    ``SequentialLR`` (as the first scheduler its milestones fire one step early;
    after a milestone it raises ``NotImplementedError``), while lrlab nests
    sequential schedules as the formula above says.

    Args:
        schedulers: the lrlab :class:`Schedule` objects :math:`S_0, S_1, \dots`
            (at least one); torch's argument name, so ``SequentialLR(opt, schedulers=[...],
            milestones=[...])`` pastes in with only the first argument changed.
        milestones: :math:`m_1 < m_2 < \dots`, one fewer than ``schedules``
            (strictly increasing integers ``>= 0``).
        last_epoch: torch's resume point (integer, ``>= -1``): ``-1`` starts afresh; ``k >= 0``
            resumes as torch's constructor does (its step counter jumps to ``k + 1``), so
            ``schedule(t)`` is the fresh schedule's value at ``t + k + 1`` (the milestones count from the fresh start).
            torch's ``SequentialLR`` shifts only its milestones and restarts its first
            scheduler at 0; lrlab resumes the whole sequence.

    Returns:
        A :class:`Schedule` matching ``torch.optim.lr_scheduler.SequentialLR``.
    """
    if isinstance(schedulers, Schedule) or not isinstance(schedulers, Sequence):
        raise TypeError(f"schedulers must be a list of lrlab schedules, got schedulers={schedulers!r}")
    schedules = tuple(schedulers)
    if not schedules:
        raise ValueError("schedulers must contain at least one schedule, got schedulers=[]")
    for i, s in enumerate(schedules):
        if not isinstance(s, Schedule):
            raise TypeError(f"schedulers[{i}] must be an lrlab Schedule (made by lrlab.schedules), "
                            f"got {s!r}")
    milestones = _check_increasing_ints("milestones", milestones)
    if len(milestones) != len(schedules) - 1:
        raise ValueError(f"milestones must have one entry fewer than schedulers, got "
                         f"{len(milestones)} milestones for {len(schedules)} schedulers")
    ms = np.array(milestones, dtype=np.int64)
    offsets = (0,) + milestones

    def fn(t):
        k = np.searchsorted(ms, t, side="right")
        out = np.empty(t.shape)
        for i, s in enumerate(schedules):
            mask = k == i
            if mask.any():
                out[mask] = s._eval(t[mask] - offsets[i])
        return out

    return _resumable("sequential_lr", dict(schedulers=list(schedules), milestones=list(milestones)), fn, last_epoch)


# ---------------------------------------------------------------------------
# ReduceLROnPlateau: the one scheduler with no closed form


class PlateauState(NamedTuple):
    """What ``ReduceLROnPlateau`` remembers between two ``step(metric)`` calls."""

    lr: float               # the lr the next optimizer steps use
    best: float             # the best metric seen so far (inf for mode 'min', -inf for 'max' before any)
    num_bad_epochs: int     # readings in a row that were not better than ``best``
    cooldown_counter: int   # readings left during which bad epochs are not counted
    last_epoch: int         # how many metrics have been read


class PlateauSchedule:
    r"""torch's ``ReduceLROnPlateau`` as a pure state machine (``init``/``update``).

    Unlike every other schedule in this module it is **not** a function of the step
    count: the lr after ``k`` readings depends on the metric values read so far, which in
    turn depend on the lrs used before, so there is no ``schedule(t)``. One reading
    (``update``) is, with ``better`` the mode's comparison with ``threshold``,

    .. math:: \text{bad} \leftarrow 0 \text{ if better(metric, best) else bad} + 1;\quad
              \text{if bad} > \text{patience}:\ \eta \leftarrow \max(\eta\cdot\text{factor}, \text{min\_lr})
              \text{ (kept if the change is} \le \text{eps)}

    and during ``cooldown`` readings after a cut the bad count is held at 0. ``better`` is
    ``m < best (1 - threshold)`` (min, rel), ``m < best - threshold`` (min, abs),
    ``m > best (1 + threshold)`` (max, rel), ``m > best + threshold`` (max, abs).

    Matches ``torch.optim.lr_scheduler.ReduceLROnPlateau`` on one param group, reading by reading.
    """

    __slots__ = ("base_lr", "kwargs")

    def __init__(self, base_lr: float, kwargs: dict):
        self.base_lr = base_lr
        self.kwargs = types.MappingProxyType(dict(kwargs))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"reduce_lr_on_plateau({self.base_lr!r}, {args})"

    def init(self) -> PlateauState:
        """The state before any reading: lr = base_lr, nothing seen yet."""
        worse = math.inf if self.kwargs["mode"] == "min" else -math.inf
        return PlateauState(lr=self.base_lr, best=worse, num_bad_epochs=0, cooldown_counter=0, last_epoch=0)

    def is_better(self, metric: float, best: float) -> bool:
        """Whether ``metric`` counts as an improvement on ``best`` (mode and threshold applied)."""
        k = self.kwargs
        th = k["threshold"]
        if k["mode"] == "min":
            return metric < (best * (1.0 - th) if k["threshold_mode"] == "rel" else best - th)
        return metric > (best * (th + 1.0) if k["threshold_mode"] == "rel" else best + th)

    def update(self, state: PlateauState, metric: float | np.ndarray) -> PlateauState:
        """Read one metric (torch's ``scheduler.step(metric)``); return the new state (``state`` is unchanged)."""
        if not isinstance(state, PlateauState):
            raise TypeError(f"state must be a PlateauState (from init() or update()), got {type(state).__name__}")
        if isinstance(metric, (bool, np.bool_)) or not isinstance(metric, (numbers.Real, np.ndarray)):
            raise TypeError(f"metric must be a real number, got metric={metric!r}")
        if isinstance(metric, np.ndarray) and metric.size != 1:
            raise TypeError(f"metric must be one real number, got an array of shape {metric.shape}")
        current = float(metric)
        k = self.kwargs
        lr, best, bad, cool = state.lr, state.best, state.num_bad_epochs, state.cooldown_counter
        if self.is_better(current, best):
            best, bad = current, 0
        else:
            bad += 1
        if cool > 0:                                  # in cooldown: bad readings are not counted
            cool -= 1
            bad = 0
        if bad > k["patience"]:
            new_lr = max(lr * k["factor"], k["min_lr"])
            if lr - new_lr > k["eps"]:
                lr = new_lr
            cool, bad = k["cooldown"], 0
        return PlateauState(lr=lr, best=best, num_bad_epochs=bad, cooldown_counter=cool,
                            last_epoch=state.last_epoch + 1)

    def lrs(self, metrics: ArrayLike) -> np.ndarray:
        """The lr before each reading and after the last: shape ``(len(metrics) + 1,)``.

        ``out[0]`` is ``base_lr`` and ``out[k]`` the lr after ``k`` calls of ``step(metrics[i])``,
        i.e. torch's ``get_last_lr()[0]`` then.
        """
        values = np.asarray(metrics, dtype=float) if not isinstance(metrics, np.ndarray) else metrics
        if values.ndim != 1:
            raise ValueError(f"metrics must be a 1-D sequence of real numbers, got shape {np.shape(metrics)}")
        state = self.init()
        out = [state.lr]
        for m in values:
            state = self.update(state, float(m))
            out.append(state.lr)
        return np.array(out)


def reduce_lr_on_plateau(base_lr: float, mode: str = "min", factor: float = 0.1, patience: int = 10,
                         threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                         min_lr: float = 0.0, eps: float = 1e-8) -> PlateauSchedule:
    """torch's ``ReduceLROnPlateau``: cut the lr by ``factor`` once the metric stops improving.

    Same keywords and defaults as torch (``optimizer`` replaced by ``base_lr``; ``min_lr``
    is one number, for the one param group). Checked more strictly than torch:
    ``0 < factor < 1``, ``patience`` and ``cooldown`` non-negative integers, ``threshold``,
    ``min_lr`` and ``eps`` finite and >= 0. Returns a :class:`PlateauSchedule`: there is no
    ``schedule(t)``, because the lr depends on the metrics read, not on the step count.
    """
    base_lr = _check_lr("base_lr", base_lr)
    mode = check_choice("mode", mode, ("min", "max"))
    factor = check_number("factor", factor, low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    patience = check_number("patience", patience, low=0, integer=True)
    threshold = check_number("threshold", threshold, low=0.0)
    threshold_mode = check_choice("threshold_mode", threshold_mode, ("rel", "abs"))
    cooldown = check_number("cooldown", cooldown, low=0, integer=True)
    min_lr = check_number("min_lr", min_lr, low=0.0)
    eps = check_number("eps", eps, low=0.0)
    return PlateauSchedule(base_lr, dict(mode=mode, factor=factor, patience=patience, threshold=threshold,
                                         threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr, eps=eps))
