r"""Diagnose a run: its regime, a learning-rate range test, update ratios, sharpness, steps to a tolerance."""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._validation import as_real_array, check_number
from .loop import Trajectory, check_trajectory, run

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .types import HasEigenvalues, Loss, Stepper

__all__ = ["PATH_SHAPES", "path_shape", "progress", "progress_text", "LRRangeResult", "analyze_lr_range", "SUGGEST_METHODS", "longest_descent",
           "suggest_lr", "lr_range_test",
           "update_to_weight_ratio", "sharpness", "MovingAverage", "moving_average", "centred_moving_average",
           "trailing_mean", "first_step_below",
           "read_loss_curve", "LOSS_CURVE_WORDS", "jump_share", "minibatch_regime", "average_iterates", "ema_iterates"]

#: the words of :func:`path_shape`, from the calmest to the worst
PATH_SHAPES = ("monotone", "oscillating", "diverging")


def _curve(name: str, values, *, min_len: int = 1, one_d: bool = False) -> np.ndarray:
    """``values`` as a float64 curve (step along axis 0); NaN/inf allowed (a curve may blow up)."""
    v = as_real_array(name, values, what="a curve of real numbers (one per step)")
    if v.ndim == 0:
        raise ValueError(f"{name} must be a curve (one value per step), got a scalar {name}={values!r}")
    if one_d and v.ndim != 1:
        raise ValueError(f"{name} must be a 1-D curve, got shape {v.shape}")
    if v.shape[0] < min_len:
        raise ValueError(f"{name} must have at least {min_len} value{'s' * (min_len > 1)} along axis 0, "
                         f"got shape {v.shape}")
    return v


def _flat(traj):
    """``(loss, params)`` with the batch flattened: ``(T + 1, n)`` and ``(T + 1, n, d)``."""
    T = traj.num_steps
    return traj.loss.reshape(T + 1, -1), traj.params.reshape(T + 1, -1, traj.params.shape[-1])


def _blew_up_or_grew(traj) -> np.ndarray:
    """Per trajectory (flattened): flagged as diverged, a non-finite loss, or a final loss gap above the
    initial one (the final loss above the first when the minimum is unknown)."""
    loss, _ = _flat(traj)
    with np.errstate(all="ignore"):
        if traj.loss_min is not None:
            gap0, gapT = loss[0] - traj.loss_min, loss[-1] - traj.loss_min
            grew = gapT > gap0 * (1 + 1e-12) + 1e-300
        else:
            grew = loss[-1] > loss[0] + 1e-12 * np.abs(loss[0])
    diverged = np.asarray(traj.diverged).reshape(-1)
    return diverged | ~np.isfinite(loss).all(axis=0) | grew


def _steps(traj) -> np.ndarray:
    """The steps ``x_{t+1} - x_t`` of every trajectory, ``(T, n, d)``."""
    _, params = _flat(traj)
    with np.errstate(all="ignore"):
        return np.diff(params, axis=0)


def _significant(size: np.ndarray) -> np.ndarray:
    """Which consecutive pairs of steps (sizes along axis 0) both count: larger than 1e-12 of the largest."""
    biggest = size.max(axis=0, keepdims=True) if size.shape[0] else np.zeros((1,) + size.shape[1:])
    active = size > 1e-12 * biggest
    return active[1:] & active[:-1] & (biggest > 0)


def _reversals(traj) -> np.ndarray:
    """``(n,)``: how many times a non-negligible step points back, at more than 90 degrees from the one before."""
    steps = _steps(traj)
    with np.errstate(all="ignore"):
        pair = _significant(np.sqrt(np.einsum("tnd,tnd->tn", steps, steps)))
        back = pair & (np.einsum("tnd,tnd->tn", steps[1:], steps[:-1]) < 0)
    return back.sum(axis=0)


def _per_trajectory(traj, out: np.ndarray):
    return out[0].item() if traj.batch_shape == () else out.reshape(traj.batch_shape)


def progress(traj: Trajectory, *, min_value: float | None = None) -> float | np.ndarray:
    r"""The fraction of the loss gap closed by the end of the run, per trajectory.

    .. math:: p = 1 - \frac{f(x_T) - f^*}{f(x_0) - f^*}

    1 means the run reached the minimum, 0.7 that 70% of the initial gap :math:`f(x_0) - f^*` is gone,
    a negative number that the gap grew (-2: it is three times its start). NaN when a recorded loss is
    not finite (the run blew up: :func:`lrlab.run` sets the loss to inf from that step on). A start at
    the minimum gives 1 if the run stays there and ``-inf`` if it leaves; a final loss below the known
    minimum (rounding) counts as 1. No warning is emitted.

    Args:
        traj: a run (any batch shape).
        min_value: :math:`f^*`; default ``traj.loss_min``, the loss's known minimum.

    Returns:
        a ``float`` for a single trajectory, else an array of shape ``traj.batch_shape``.

    Raises:
        ValueError: the minimum is unknown (no ``min_value`` and no ``traj.loss_min``).
    """
    check_trajectory("traj", traj)
    f_star = traj.loss_min if min_value is None else check_number("min_value", min_value)
    if f_star is None:
        raise ValueError("min_value is required: the loss's minimum is not known to the run (traj.loss_min is "
                         "None), so the gap f(x0) - f* is not defined")
    loss, _ = _flat(traj)
    with np.errstate(all="ignore"):
        gap0, gapT = loss[0] - f_star, np.maximum(loss[-1] - f_star, 0.0)
        frac = np.where(gap0 > 0, 1.0 - gapT / np.where(gap0 > 0, gap0, 1.0), np.where(gapT > 0, -np.inf, 1.0))
        frac = np.minimum(frac, 1.0)
    frac = np.where(np.isfinite(loss).all(axis=0), frac, np.nan)
    return _per_trajectory(traj, frac)


def progress_text(p: float) -> str:
    """:func:`progress` in words for a label: '70% of the loss gap closed', 'the loss gap grew 3.1×'.

    Percentages are whole from 1% to 99% ('over 99%' up to, and '100%' only at, the minimum; one
    significant digit under 1%); '' for NaN (a run that blew up: say where instead).
    """
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real):
        raise TypeError(f"p must be a real number (a progress from lrlab.diagnostics.progress), got {p!r}")
    p = float(p)
    if math.isnan(p):
        return ""
    if p < 0:
        return f"the loss gap grew {1.0 - p:.2g}×" if math.isfinite(p) else "the loss gap grew from 0"
    pct = 100.0 * p
    if pct >= 100.0:
        words = "100%"
    elif pct > 99.0:
        words = "over 99%"
    elif pct >= 1.0:
        words = f"{min(round(pct), 99)}%"
    else:
        words = f"{pct:.1g}%" if pct > 0 else "0%"
    return f"{words} of the loss gap closed"


def path_shape(traj: Trajectory, *, min_flips: int = 2) -> str | np.ndarray:
    r"""What a run's path looked like: ``'diverging'``, ``'oscillating'`` or ``'monotone'``, per trajectory.

    It reads the iterates only, with no theory, so it applies to any loss and any stepper (for gradient
    descent or heavy ball on a quadratic, :func:`lrlab.theory.regime` names the regime exactly). The rules,
    in this order:

    1. **diverging**: the run blew up (``traj.diverged``, or a recorded loss is NaN or inf), or its final
       loss gap :math:`f_T - f^*` is above the initial gap (final loss above the first when :math:`f^*`
       is unknown);
    2. **oscillating**: the step turned back, :math:`s_{t+1}\cdot s_t < 0` (more than 90 degrees from the
       step before, :math:`s_t = x_{t+1} - x_t`), at least ``min_flips`` times (two by default: back, then
       back again), counting only steps longer than 1e-12 of the longest;
    3. **monotone**: otherwise.

    It says nothing about how far the run got: :func:`progress` does.

    Why this rule. On a quadratic, a gradient-descent step is :math:`s_{t+1} = (\eta_{t+1}/\eta_t)(I - \eta_t A)
    s_t`, so :math:`s_{t+1}\cdot s_t \ge 0` whenever :math:`\eta_t L \le 1`: a run that overshoots along no
    direction never turns back, in any dimension and with any schedule. Past :math:`1/L` the steep
    component flips sign every step and turns the step back for as long as it dominates. A count, not a
    share of the steps: heavy ball's slow spiral (complex roots of small argument :math:`\theta`) turns
    back only every :math:`\pi/\theta` steps, 3% of them at lr 0.01, β = 0.9 on a curvature of 1, yet it
    overshoots again and again (a rule asking for 30% of sign flips along a coordinate would miss it).
    Two, not one: heavy ball's overdamped roots can turn a step back once per direction without any
    overshoot of the minimum. A run that overshoots only early (a warm-up, a high first lr) reads
    'oscillating'.

    Returns:
        a ``str`` for a single trajectory, else an array of ``str`` of shape ``traj.batch_shape``.
    """
    check_trajectory("traj", traj)
    min_flips = check_number("min_flips", min_flips, low=1, integer=True)
    osc = _reversals(traj) >= min_flips
    out = np.where(_blew_up_or_grew(traj), "diverging", np.where(osc, "oscillating", "monotone"))
    return _per_trajectory(traj, out.astype("<U11"))


def minibatch_regime(sgd_traj: Trajectory, gd_traj: Trajectory, min_value: float | None = None) -> str:
    """The regime of one minibatch run, read against the full-batch run at the same lr.

    'diverging' if the minibatch run blew up or its loss gap over the last quarter of the run is
    on average above where it started; otherwise ``path_shape(gd_traj)``, the shape of the
    full-batch path the noise rides on (monotone or oscillating). ``min_value`` is the full-batch minimum (default: the
    run's ``loss_min``).
    """
    if not isinstance(sgd_traj, Trajectory) or not isinstance(gd_traj, Trajectory):
        raise TypeError("sgd_traj and gd_traj must be lrlab Trajectories (from lrlab.run())")
    min_value = sgd_traj.loss_min if min_value is None else min_value
    if min_value is None:
        raise ValueError("min_value is required: the loss's minimum is not known to the run")
    min_value = check_number("min_value", min_value)
    if sgd_traj.batch_shape != () or gd_traj.batch_shape != ():
        raise ValueError("sgd_traj and gd_traj must be single trajectories (index a batch: traj[i]), got "
                         f"batch shapes {sgd_traj.batch_shape} and {gd_traj.batch_shape}")
    gap = sgd_traj.loss - min_value
    tail = gap[-max(1, (gap.shape[0] - 1) // 4):]
    if bool(sgd_traj.diverged) or not np.all(np.isfinite(tail)) or tail.mean() > gap[0]:
        return "diverging"
    return str(path_shape(gd_traj))


def jump_share(loss: ArrayLike, jump: float = 10.0) -> float:
    """The fraction of steps in the second half of a loss curve that change the loss by a factor
    ``jump`` or more, up or down (rule 2 of :func:`read_loss_curve`)."""
    jump = check_number("jump", jump, low=1.0, low_inclusive=False)
    v = _curve("loss", loss, one_d=True)
    half = v[len(v) // 2:]
    if half.size < 2:                  # no step in the second half: nothing can jump
        return 0.0
    with np.errstate(invalid="ignore"):
        logs = np.log10(np.maximum(half, 1e-30))
        return float(np.mean(np.abs(np.diff(logs)) >= math.log10(jump)))


LOSS_CURVE_WORDS = ("blew up", "rising", "spiky", "barely falling", "falling")


def read_loss_curve(loss: ArrayLike, *, jump: float = 10.0, spiky: float = 0.1, halved: float = 0.5) -> str:
    """Describe the shape of a (minibatch) loss curve in one of five words, by four rules in order.

    1. 'blew up' if a value is NaN or infinite;
    2. 'rising' if the smoothed loss (:func:`moving_average`, beta 0.9) ends above where it started
       (a too-high lr, but also a too-low one whose noise outweighs its progress);
    3. 'spiky' if, in the second half, at least ``spiky`` (10%) of the steps change the loss by a
       factor ``jump`` (10x) or more, up or down (:func:`jump_share`);
    4. 'barely falling' if the smoothed loss did not fall to ``halved`` (half) of its start;
    5. 'falling' otherwise.

    The words say what the curve did, not why: the cause (lr too high, too low, a bug) is for the
    reader to find. Unlike :func:`path_shape` it needs only the loss values (no iterates, no known
    minimum), so it reads a torch training run as well as a lrlab one.
    """
    jump = check_number("jump", jump, low=1.0, low_inclusive=False)
    spiky = check_number("spiky", spiky, low=0.0, high=1.0)
    halved = check_number("halved", halved, low=0.0, high=1.0, low_inclusive=False)
    v = _curve("loss", loss, min_len=2, one_d=True)
    if not np.all(np.isfinite(v)):
        return "blew up"
    s = moving_average(v, 0.9)
    if s[-1] > s[0]:
        return "rising"
    if jump_share(v, jump) >= spiky:
        return "spiky"
    if s[-1] > halved * s[0]:
        return "barely falling"
    return "falling"


def first_step_below(values: ArrayLike, level: float, *, stay: bool = False, relative_to_start: bool = False,
                     strict: bool = False) -> int | np.ndarray:
    r"""The first step ``t`` at which a curve is at or below ``level`` (-1 if never).

    Args:
        values: a curve ``(T + 1,)`` or a batch of curves ``(T + 1, *batch)`` (step along axis 0):
            a loss gap, a distance to the minimizer, a loss.
        level: the tolerance; with ``relative_to_start`` it is a fraction of the start,
            the threshold being ``level * values[0]``.
        stay: count only a step from which the curve stays below to the end (a run that dips
            below and bounces back up has not arrived).
        strict: ``values < threshold`` instead of ``<=``.

    Returns:
        an ``int`` for one curve, else an int array of shape ``batch``. NaN is never below.
    """
    level = check_number("level", level)
    for flag, val in (("stay", stay), ("relative_to_start", relative_to_start), ("strict", strict)):
        if not isinstance(val, (bool, np.bool_)):
            raise TypeError(f"{flag} must be True or False, got {flag}={val!r}")
    v = _curve("values", values)
    with np.errstate(invalid="ignore", over="ignore"):
        threshold = level * v[0] if relative_to_start else level
        ok = v < threshold if strict else v <= threshold
    if stay:
        ok = np.flip(np.logical_and.accumulate(np.flip(ok, axis=0), axis=0), axis=0)
        reached = ok[-1]
    else:
        reached = ok.any(axis=0)
    first = np.where(reached, ok.argmax(axis=0), -1)
    return int(first) if first.ndim == 0 else first


@dataclass(frozen=True, repr=False)
class LRRangeResult:
    """Everything an LR range test measured, ready to plot.

    Attributes:
        lrs: the lr used at each iteration (exponential ramp), up to the stop.
        losses: the raw loss after each iteration.
        smoothed: bias-corrected exponential moving average of ``losses``.
        suggestion: lr at the steepest descent of ``smoothed`` against log(lr).
        min_lr: lr at the minimum of ``smoothed``.
        min_lr_over_10: ``min_lr / 10``, the other common rule of thumb.
        stopped_at: iteration at which the smoothed loss exceeded
            ``diverge_factor`` times its best (or ``len(lrs)`` if never).
        rule: how ``suggestion`` was chosen, in words.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float
    min_lr: float
    min_lr_over_10: float
    stopped_at: int
    rule: str

    def __repr__(self):
        return (f"LRRangeResult({len(self.lrs)} lrs from {self.lrs[0]:.3g} to {self.lrs[-1]:.3g}, "
                f"suggestion={self.suggestion:.3g}, min_lr={self.min_lr:.3g}, stopped_at={self.stopped_at})")


class MovingAverage:
    r"""Bias-corrected exponential moving average, fed one value at a time.

    .. math:: m_t = \beta m_{t-1} + (1-\beta) v_t,\quad m_0 = 0,\quad s_t = \frac{m_t}{1-\beta^t}

    The smoothing of loss curves used everywhere in lrlab (the LR range test,
    ``pytorch.find_lr``, the lessons' curves); fastai's and TensorBoard's
    smoothing are the same recurrence. ``update(v)`` returns :math:`s_t`.
    """

    def __init__(self, beta: float = 0.9):
        self.beta = check_number("beta", beta, low=0.0, high=1.0, high_inclusive=False)
        self.m = 0.0
        self.t = 0

    def update(self, value: float) -> float:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"value must be a real number, got {value!r} of type {type(value).__name__}")
        self.m = self.beta * self.m + (1 - self.beta) * value
        self.t += 1
        return self.m / (1 - self.beta ** self.t)


def moving_average(values: ArrayLike, beta: float = 0.9) -> np.ndarray:
    """:class:`MovingAverage` over a whole curve: float64 of the same length, NaN from the first
    non-finite value on (a curve that blew up has no average after that)."""
    avg = MovingAverage(beta)
    v = _curve("values", values, min_len=0, one_d=True)
    out = np.full(v.shape, np.nan)
    for t, x in enumerate(v):
        if not np.isfinite(x):
            break
        out[t] = avg.update(x)
    return out


def centred_moving_average(values: ArrayLike, beta: float = 0.9) -> np.ndarray:
    r"""The zero-lag twin of :func:`moving_average`: the mean of the forward and the backward average.

    .. math:: c_t = \tfrac12\,\big(s^{\rightarrow}_t + s^{\leftarrow}_t\big)

    with :math:`s^{\rightarrow}` the bias-corrected average run from the first value on and
    :math:`s^{\leftarrow}` the same run from the last value back. The kernel is symmetric, so a
    symmetric dip keeps its place (an online average lags it by about ``beta / (1 - beta)`` steps);
    it needs the whole curve, so a range test cannot use it while it runs. A curve with a
    non-finite value is refused (its backward average would be undefined everywhere).
    """
    v = _curve("values", values, min_len=1, one_d=True)
    if not np.all(np.isfinite(v)):
        raise ValueError("values must be finite: drop the points after a blow-up first")
    return (moving_average(v, beta) + moving_average(v[::-1], beta)[::-1]) / 2


def trailing_mean(values: ArrayLike, k: int) -> np.ndarray:
    r"""Box mean of the last ``k`` values along axis 0 (of the first ``t + 1`` while ``t < k``).

    .. math:: s_t = \frac{1}{\min(k, t+1)} \sum_{i=\max(0, t-k+1)}^{t} v_i

    Computed from one cumulative sum, so a NaN makes every later mean NaN. Unlike
    :func:`moving_average` (an exponential average) it forgets a value exactly ``k`` steps later.
    Returns float64 of the shape of ``values``.
    """
    k = check_number("k", k, low=1, integer=True)
    y = _curve("values", values, min_len=0)
    c = np.cumsum(y, axis=0)
    out = np.empty_like(c)
    out[:k] = c[:k] / np.arange(1, min(k, len(y)) + 1).reshape((-1,) + (1,) * (y.ndim - 1))
    out[k:] = (c[k:] - c[:-k]) / k
    return out


def analyze_lr_range(lrs: ArrayLike, losses: ArrayLike, smooth: float = 0.98,
                     diverge_factor: float = 4.0) -> LRRangeResult:
    r"""Turn (lr, loss) pairs of a range test into a smoothed curve and suggestions.

    The smoothed loss is :math:`s_i = \frac{m_i}{1-\alpha^{i+1}}`,
    :math:`m_i = \alpha m_{i-1} + (1-\alpha)\ell_i` with :math:`\alpha` = ``smooth``.
    The test stops at the first :math:`i` where :math:`s_i` is non-finite or
    exceeds ``diverge_factor`` times the best :math:`s` so far.
    """
    smooth = check_number("smooth", smooth, low=0.0, high=1.0, high_inclusive=False)
    diverge_factor = check_number("diverge_factor", diverge_factor, low=1.0, low_inclusive=False)
    lrs = _check_lrs(lrs)
    losses = _curve("losses", losses, one_d=True)
    if lrs.shape != losses.shape or lrs.size < 2:
        raise ValueError(f"lrs and losses must be 1-D arrays of the same length >= 2, got {lrs.shape} and {losses.shape}")
    sm = np.empty_like(losses)
    avg, best, stop = MovingAverage(smooth), np.inf, len(losses)
    with np.errstate(all="ignore"):
        for i, value in enumerate(losses):
            sm[i] = avg.update(value)
            if not np.isfinite(sm[i]) or (i > 0 and sm[i] > diverge_factor * best):
                stop = i + 1
                break
            best = min(best, sm[i])
    lrs, losses, sm = lrs[:stop], losses[:stop], sm[:stop]
    suggestion, min_lr, rule = suggest_lr(lrs, sm, skip=len(lrs) // 10)
    return LRRangeResult(lrs=lrs, losses=losses, smoothed=sm, suggestion=suggestion, min_lr=min_lr,
                         min_lr_over_10=min_lr / 10, stopped_at=stop, rule=rule)


def _check_lrs(lrs) -> np.ndarray:
    """The lrs of a range test: a non-empty 1-D array, positive, finite, increasing (a log-lr axis)."""
    lrs = _curve("lrs", lrs, one_d=True)
    if not np.all(np.isfinite(lrs)) or np.any(lrs <= 0):
        raise ValueError(f"lrs must be positive and finite (they are read on a log axis), got lrs={lrs!r}")
    if np.any(np.diff(lrs) <= 0):
        raise ValueError("lrs must be strictly increasing (a range test ramps the lr up)")
    return lrs


#: the suggestion rules of :func:`suggest_lr`
SUGGEST_METHODS = ("steepest", "valley")


def longest_descent(smoothed: ArrayLike) -> tuple[int, int]:
    """``(start, end)`` of the longest strictly falling subsequence of ``smoothed``.

    The points need not be adjacent: a run of values each below the one before it, skipping any
    points in between (a bump, a plateau). Of equally long runs the first to end is taken, and
    each point links to the *latest* earlier point above it, so a plateau before the descent
    contributes only its last point. Non-finite values belong to no run. O(n²) comparisons,
    vectorized per point.
    """
    s = _curve("smoothed", smoothed, one_d=True)
    s = np.where(np.isfinite(s), s, np.nan)              # NaN compares False: never in a run
    n = len(s)
    length = np.where(np.isfinite(s), 1, 0)
    prev = np.full(n, -1)
    for i in range(1, n):
        if not np.isfinite(s[i]):
            continue
        with np.errstate(invalid="ignore"):
            cand = np.where(s[:i] > s[i], length[:i], 0)
        if cand.max() > 0:
            j = i - 1 - int(np.argmax(cand[::-1]))        # the latest of the longest predecessors
            length[i], prev[i] = cand[j] + 1, j
    end = int(np.argmax(length))
    start = end
    while prev[start] >= 0:
        start = int(prev[start])
    return start, end


def suggest_lr(lrs: ArrayLike, smoothed: ArrayLike, skip: int = 0,
               method: str = "steepest") -> tuple[float, float, str]:
    """The range test's rules: ``(suggestion, min_lr, rule)`` from a smoothed loss curve.

    ``method="steepest"``: the lr where the smoothed loss falls fastest per decade of lr,
    searched between iteration ``skip`` (the first averages are noisy) and the minimum; if it
    does not fall there, ``min_lr / 10``.

    ``method="valley"`` (fastai's default suggestion, ``SuggestionMethod.Valley``, since 2021): the lr halfway,
    in iterations (so, for an exponential ramp, the geometric middle), along the longest falling
    stretch of the smoothed curve (:func:`longest_descent`); ``skip`` is not used. If the curve
    never falls, ``min_lr / 10``.

    ``rule`` says in words which rule gave the suggestion.
    """
    if not isinstance(method, str) or method not in SUGGEST_METHODS:
        raise ValueError(f"method must be one of {SUGGEST_METHODS}, got {method=}")
    lrs = _check_lrs(lrs)
    s = _curve("smoothed", smoothed, one_d=True)
    if s.shape != lrs.shape:
        raise ValueError(f"lrs and smoothed must have the same length, got {lrs.shape} and {s.shape}")
    skip = check_number("skip", skip, low=0, high=len(lrs) - 1, integer=True)
    finite = np.isfinite(s)
    if not finite.any():
        return float(lrs[0]), float(lrs[0]), "no finite loss was recorded; suggestion = the first lr"
    s = np.where(finite, s, np.inf)
    i_min = int(np.argmin(s))
    min_lr = float(lrs[i_min])
    if method == "valley":
        start, end = longest_descent(np.where(finite, s, np.nan))
        if end > start:
            mid = (start + end) // 2
            return (float(lrs[mid]), min_lr,
                    f"valley: the lr halfway along the longest falling stretch of the smoothed loss "
                    f"(iterations {start} to {end})")
        return (max(min_lr / 10.0, float(lrs[0])), min_lr,
                "fallback: min_lr / 10, since the smoothed loss never falls")
    if i_min - skip >= 2:
        slope = np.gradient(s[:i_min + 1], np.log10(lrs[:i_min + 1]))
        i = skip + int(np.argmin(slope[skip:]))
        if slope[i] < 0:
            return (float(lrs[i]), min_lr,
                    f"steepest descent: the lr where the smoothed loss falls fastest per decade of lr, "
                    f"between iteration {skip} and its minimum (iteration {i_min})")
    return (max(min_lr / 10.0, float(lrs[0])), min_lr,
            f"fallback: min_lr / 10, since the smoothed loss does not fall over at least 3 points "
            f"between iteration {skip} and its minimum (iteration {i_min})")


def lr_range_test(loss: Loss, x0: ArrayLike, stepper: Stepper | None = None, start_lr: float = 1e-6,
                  end_lr: float = 10.0, num_iter: int = 100, smooth: float = 0.98,
                  diverge_factor: float = 4.0) -> LRRangeResult:
    r"""The LR range test on a lrlab loss: one run whose lr grows exponentially each step.

    .. math:: \eta_i = \eta_{start}\,(\eta_{end}/\eta_{start})^{i/(N-1)}

    The loss recorded for :math:`\eta_i` is the loss after the step taken with it.
    """
    start_lr = check_number("start_lr", start_lr, low=0.0, low_inclusive=False)
    end_lr = check_number("end_lr", end_lr, low=0.0, low_inclusive=False)
    if end_lr <= start_lr:
        raise ValueError(f"end_lr must be larger than start_lr, got {start_lr=} and {end_lr=}")
    num_iter = check_number("num_iter", num_iter, low=2, integer=True)
    ramp = start_lr * (end_lr / start_lr) ** (np.arange(num_iter) / (num_iter - 1))
    traj = run(loss=loss, stepper=stepper, x0=x0, lr=lambda t: ramp[np.asarray(t)], num_steps=num_iter)
    if traj.batch_shape != ():
        raise ValueError(f"x0 must be a single starting point of shape (d,), got batch shape {traj.batch_shape}")
    return analyze_lr_range(ramp, traj.loss[1:], smooth=smooth, diverge_factor=diverge_factor)


def update_to_weight_ratio(traj: Trajectory) -> np.ndarray:
    r"""Per step :math:`\lVert x_{t+1}-x_t\rVert / \lVert x_t\rVert`, shape ``(T, *batch)``.

    A healthy value in neural-network training is around 1e-3: much smaller
    and the lr is too low, near 1 and it is far too high.
    """
    if not isinstance(traj, Trajectory):
        raise TypeError(f"traj must be a lrlab Trajectory, got {type(traj).__name__}")
    with np.errstate(all="ignore"):
        step = np.sqrt(np.add.reduce(np.diff(traj.params, axis=0) ** 2, axis=-1))
        size = np.sqrt(np.add.reduce(traj.params[:-1] ** 2, axis=-1))
        return step / size



def _iterates(traj) -> np.ndarray:
    """A Trajectory's ``params``, or an array of iterates ``(T + 1, *batch, d)`` checked to be one."""
    if isinstance(traj, Trajectory):
        return traj.params
    p = as_real_array("traj", traj, what="a lrlab Trajectory or an array of iterates, shape (T + 1, *batch, d)")
    if p.ndim < 2 or p.shape[0] == 0 or p.shape[-1] == 0:
        raise ValueError(f"traj as an array must have shape (T + 1, *batch, d), got shape {p.shape}")
    return p


def average_iterates(traj: Trajectory | ArrayLike, start: int = 0) -> np.ndarray:
    r"""Polyak(–Ruppert) averaging: the running mean of the iterates from step ``start`` on.

    .. math:: \bar x_t = x_t \ (t < s), \qquad
              \bar x_t = \frac{1}{t - s + 1}\sum_{k=s}^{t} x_k
              = \bar x_{t-1} + \frac{x_t - \bar x_{t-1}}{t - s + 1} \ (t \ge s)

    with :math:`s` = ``start``. Minibatch SGD with a constant lr does not settle at the minimum:
    it hovers around it, at a noise floor proportional to the lr. The hovering iterates scatter
    around the minimum, so their mean lands much closer to it than any one of them: averaging is
    the other way (beside decaying the lr) to get below the floor. Stochastic weight averaging
    (SWA) is the same mean taken over a network's weights late in training.

    Computed with the incremental form above, as ``torch.optim.swa_utils.AveragedModel`` does with
    its default average: ``AveragedModel(model)`` given ``update_parameters`` with the weights of steps
    ``start, ..., t`` holds :math:`\bar x_t`.

    Args:
        traj: a :class:`lrlab.Trajectory`, or an array of iterates ``(T + 1, *batch, d)``.
        start: the first step averaged, in ``[0, T]``.

    Returns:
        float64 array of the shape of ``traj.params``: :math:`\bar x_t` for every ``t``.
    """
    p = _iterates(traj)
    start = check_number("start", start, low=0, high=p.shape[0] - 1, integer=True)
    out = np.array(p, dtype=float)
    with np.errstate(all="ignore"):
        for t in range(start + 1, p.shape[0]):
            out[t] = out[t - 1] + (p[t] - out[t - 1]) / (t - start + 1)
    return out


def ema_iterates(traj: Trajectory | ArrayLike, decay: float, start: int = 0) -> np.ndarray:
    r"""An exponential moving average of the iterates from step ``start`` on (no bias correction).

    .. math:: \tilde x_t = x_t \ (t \le s), \qquad
              \tilde x_t = \tilde x_{t-1} + (1 - \beta)\,(x_t - \tilde x_{t-1}) \ (t > s)

    with :math:`\beta` = ``decay`` and :math:`s` = ``start``. It forgets old iterates (weight
    :math:`\beta^k` on the iterate :math:`k` steps back, about :math:`1/(1-\beta)` steps' worth),
    so it follows a run that still moves, where :func:`average_iterates` would drag its start
    along. Matches ``torch.optim.swa_utils.AveragedModel(model,
    multi_avg_fn=get_ema_multi_avg_fn(decay))`` given the weights of steps ``start, ..., t``: its first
    update copies the weights, each later one is the ``lerp`` above.

    Args:
        traj: a :class:`lrlab.Trajectory`, or an array of iterates ``(T + 1, *batch, d)``.
        decay: :math:`\beta` in [0, 1].
        start: the first step averaged, in ``[0, T]``.

    Returns:
        float64 array of the shape of ``traj.params``.
    """
    p = _iterates(traj)
    decay = check_number("decay", decay, low=0.0, high=1.0)
    start = check_number("start", start, low=0, high=p.shape[0] - 1, integer=True)
    w = 1.0 - decay
    out = np.array(p, dtype=float)
    with np.errstate(all="ignore"):
        for t in range(start + 1, p.shape[0]):
            out[t] = out[t - 1] + w * (p[t] - out[t - 1])
    return out

def sharpness(loss: Loss | HasEigenvalues, x: ArrayLike | None = None, *, iters: int = 100, eps: float = 1e-4,
              seed: int = 0) -> float:
    r"""The top Hessian eigenvalue of ``loss`` at ``x``.

    Exact for losses that know their eigenvalues (quadratic, least squares) or
    their Hessian; otherwise power iteration on finite-difference
    Hessian-vector products :math:`Hv \approx (\nabla f(x+\epsilon v) - \nabla f(x-\epsilon v))/2\epsilon`.
    """
    iters = check_number("iters", iters, low=1, integer=True)
    eps = check_number("eps", eps, low=0.0, low_inclusive=False)
    seed = check_number("seed", seed, low=0, integer=True)
    ev = getattr(loss, "eigenvalues", None)
    if ev is not None:
        return float(np.max(ev))
    if not callable(getattr(loss, "grad", None)):
        raise TypeError(f"loss must have a grad(x) method (or eigenvalues / hessian), got {type(loss).__name__}")
    if x is None:
        raise ValueError("x is required: the point at which to measure the sharpness")
    x = as_real_array("x", x, what="a point of real numbers, shape (d,)")
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x must be a single point of shape (d,), d >= 1, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite (no NaN or inf)")
    hess = getattr(loss, "hessian", None)
    if callable(hess):
        h = as_real_array("loss.hessian(x)", hess(x), what="a real (d, d) matrix")
        if h.size != x.size ** 2:
            raise ValueError(f"loss.hessian(x) returned shape {h.shape} for x of shape {x.shape}; "
                             f"expected ({x.size}, {x.size})")
        h = h.reshape(x.size, x.size)
        if not np.all(np.isfinite(h)):
            raise ValueError("loss.hessian(x) returned NaN or inf")
        return float(np.linalg.eigvalsh(h)[-1])
    v = np.random.default_rng(seed).standard_normal(x.shape)
    v /= np.linalg.norm(v)
    lam = 0.0
    for _ in range(iters):
        hv = (_grad_at(loss, x + eps * v) - _grad_at(loss, x - eps * v)) / (2 * eps)
        if not np.all(np.isfinite(hv)):
            return float("nan")
        lam = float(v @ hv)
        norm = np.linalg.norm(hv)
        if norm == 0:
            return 0.0
        v = hv / norm
    return lam


def _grad_at(loss, x: np.ndarray) -> np.ndarray:
    """loss.grad at one point, checked to be a real array of x's shape."""
    g = as_real_array("loss.grad(x)", loss.grad(x), what="real numbers, the shape of x")
    if g.shape != x.shape:
        raise ValueError(f"loss.grad(x) returned shape {g.shape} for x of shape {x.shape}; expected {x.shape}")
    return g
