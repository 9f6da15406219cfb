r"""The one optimization loop of lrlab: ``run(...) -> Trajectory``.

The module is ``lrlab.loop``; its function is ``lrlab.run`` (a module of that
name would be shadowed by the function, so ``lrlab.run.Trajectory`` could never
work: use ``lrlab.Trajectory`` or ``lrlab.loop.Trajectory``).

.. math:: x_{t+1} = \mathrm{update}(\nabla f(x_t), \mathrm{state}_t, x_t, \eta_t)

One call runs a whole batch of trajectories (one per learning rate and/or per
starting point) as a single vectorized numpy computation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array, check_lr_array, check_number
from .types import Loss, Stepper

__all__ = ["Trajectory", "run"]

_CHECK_EVERY = 8


@dataclass(frozen=True, eq=False)
class Trajectory:
    """What ``run`` records. ``T = num_steps``; ``batch`` is the broadcast batch shape.

    Attributes:
        params: ``(T + 1, *batch, d)`` iterates, ``params[0]`` is ``x0``.
        loss: ``(T + 1, *batch)`` loss at each iterate; ``+inf`` from the step a
            trajectory diverged.
        grad_norm: ``(T + 1, *batch)`` Euclidean norm of the gradient used at
            each iterate (the minibatch gradient for stochastic losses);
            ``+inf`` after divergence.
        lr: ``(T, *batch)`` the learning rate used for step ``t -> t + 1``.
        diverged: ``(*batch)`` bool, True if the trajectory blew up.
        diverged_at: ``(*batch)`` int, the first index ``t`` whose loss was
            non-finite or above the divergence threshold; -1 if never.
        loss_min: the loss's known minimum value, or None.
        stepper: name of the stepper, for labels.
        state: with ``run(..., record_state=True)``, a tuple with the stepper's
            state after each step ``t -> t + 1`` (one per step taken; the run stops
            early once every trajectory has diverged): the stepper's NamedTuple
            (e.g. ``AdamState``) with each per-trajectory array of shape
            ``(*batch, d)``. ``None`` otherwise.
    """

    params: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    diverged: np.ndarray
    diverged_at: np.ndarray
    loss_min: float | None = None
    stepper: str = ""
    state: tuple | None = None

    @property
    def num_steps(self) -> int:
        return self.loss.shape[0] - 1

    @property
    def batch_shape(self) -> tuple:
        return self.loss.shape[1:]

    @property
    def final_loss(self) -> np.ndarray:
        return self.loss[-1]

    def __getitem__(self, index) -> "Trajectory":
        """Select trajectories by a batch index: ``traj[2]``, ``traj[:, 0]``."""
        if not isinstance(index, tuple):
            index = (index,)
        full = (slice(None),) + index
        state = None if self.state is None else tuple(_index_state(s, index, self.batch_shape) for s in self.state)
        return Trajectory(self.params[full], self.loss[full], self.grad_norm[full], self.lr[full],
                          np.asarray(self.diverged[index]), np.asarray(self.diverged_at[index]),
                          self.loss_min, self.stepper, state)

    def __len__(self):
        if not self.batch_shape:
            raise TypeError("a single trajectory has no len(); its steps are traj.num_steps")
        return self.batch_shape[0]

    def __repr__(self):
        return (f"Trajectory(stepper={self.stepper!r}, num_steps={self.num_steps}, "
                f"batch_shape={self.batch_shape}, dim={self.params.shape[-1]}, "
                f"diverged={int(np.sum(self.diverged))}/{self.diverged.size})")


def check_trajectory(name: str, value, *, dim: int | None = None, single: bool = False) -> "Trajectory":
    """Check a Trajectory (what :func:`run` returns); of points of ``dim`` coordinates; unbatched when ``single``."""
    if not isinstance(value, Trajectory):
        raise TypeError(f"{name} must be an lrlab Trajectory (what lrlab.run returns), "
                        f"got {name}={value!r} of type {type(value).__name__}")
    if dim is not None and value.params.shape[-1] != dim:
        raise ValueError(f"{name} must be a run in {dim} dimension{'s' if dim > 1 else ''}, "
                         f"got one with points of {value.params.shape[-1]} coordinates")
    if single and value.batch_shape:
        raise ValueError(f"{name} must be a single run, got a batch of shape {value.batch_shape} "
                         f"(pick one: {name}[i])")
    return value


def _batched_state(state, n: int, batch: tuple):
    """A copy of a stepper state with each (n, ...) array reshaped to (*batch, ...)."""
    def one(a):
        if isinstance(a, np.ndarray) and a.ndim >= 1 and a.shape[0] == n:
            return np.array(a).reshape(batch + a.shape[1:])
        return np.array(a) if isinstance(a, np.ndarray) else a
    return type(state)(*map(one, state)) if hasattr(state, "_fields") else tuple(map(one, state))


def _index_state(state, index: tuple, batch: tuple):
    """A recorded state restricted to the trajectories ``index`` selects."""
    def one(a):
        if isinstance(a, np.ndarray) and a.shape[:len(batch)] == batch and a.ndim > len(batch):
            return a[index]
        return a
    return type(state)(*map(one, state)) if hasattr(state, "_fields") else tuple(map(one, state))


def _sum_of_squares(g: np.ndarray) -> np.ndarray:
    """sum_i g[..., i]**2, added coordinate by coordinate in a fixed order.

    Elementwise over the batch, so a trajectory gets the same bits whatever the
    batch size or memory layout (a reduction along a short axis would also be slow).
    """
    d = g.shape[-1]
    if d > 64:
        return np.add.reduce(np.ascontiguousarray(g) ** 2, axis=-1)
    sq = g * g
    acc = sq[..., 0].copy() if d == 1 else sq[..., 0] + sq[..., 1]
    for i in range(2, d):
        acc += sq[..., i]
    return acc


def _schedule_values(lr, num_steps: int) -> np.ndarray:
    """The lrs of a schedule callable for t = 0..num_steps-1, shape (num_steps, *lr_batch).

    The schedule is first called once with the int array ``np.arange(num_steps)``
    (lrlab's schedules are vectorized). A callable written for one step at a time
    (``lambda t: 0.1 if t < 5 else 0.01``) fails on an array or returns a single
    value; it is then called with each int ``t`` in turn.
    """
    steps = np.arange(num_steps)
    try:
        values = lr(steps)
    except (TypeError, ValueError, IndexError):
        values = None
    if values is not None:
        arr = as_real_array("lr (the schedule's values)", values,
                            what="non-negative real numbers, one per step t")
        if arr.shape[:1] == (num_steps,):
            return arr
    try:
        per_step = [lr(int(t)) for t in steps]
    except Exception as err:
        raise TypeError(f"lr is a schedule: it is called with an int array of step indices "
                        f"t = np.arange({num_steps}) (or, if that fails, with each int t); "
                        f"calling lr({'0' if num_steps == 1 else 't'}) raised "
                        f"{type(err).__name__}: {err}") from err
    arrs = [as_real_array(f"lr({t}) (the schedule's value at step {t})", v,
                          what="a non-negative real number (or an array of them)") for t, v in enumerate(per_step)]
    if len({a.shape for a in arrs}) > 1:
        raise ValueError("lr as a schedule must return values of one shape at every step; got shapes "
                         f"{sorted({a.shape for a in arrs})}")
    return np.stack(arrs)


def _grad_norm(g: np.ndarray, out: np.ndarray, sq: np.ndarray) -> None:
    """``out = sqrt(sum_i g[:, i]**2)`` for an (n, d) gradient, with the bits of ``_sum_of_squares``.

    Written into ``out`` through the scratch row ``sq``: no temporaries for small d.
    """
    d = g.shape[-1]
    if d > 64:
        np.sqrt(_sum_of_squares(g), out=out)
        return
    np.multiply(g[:, 0], g[:, 0], out=out)
    for i in range(1, d):
        np.multiply(g[:, i], g[:, i], out=sq)
        out += sq
    np.sqrt(out, out=out)


def _lr_of(lr, num_steps):
    """Return (per-step lr array of shape (T, *lr_batch), lr_batch_shape)."""
    if callable(lr):
        # with no steps, step 0 is still evaluated: it gives the lr batch shape
        values = _schedule_values(lr, max(num_steps, 1))
        values = check_lr_array("lr (the schedule's values)", values)[:num_steps]
        return values, values.shape[1:]
    arr = check_lr_array("lr", lr)
    return np.broadcast_to(arr, (num_steps,) + arr.shape), arr.shape


def _check_x0(x0) -> np.ndarray:
    """x0 as a float64 array of shape (..., d), d >= 1, finite."""
    x0 = np.array(as_real_array("x0", x0, what="an array of real numbers, shape (..., d)"), dtype=float)
    if x0.ndim == 0 or x0.shape[-1] == 0:
        raise ValueError(f"x0 must have shape (..., d) with d >= 1, got shape {x0.shape}")
    if not np.all(np.isfinite(x0)):
        raise ValueError("x0 must be finite (no NaN or inf)")
    return x0


def _output(out, shape: tuple, call: str, x: np.ndarray) -> np.ndarray:
    """A loss method's output as a float64 array of ``shape``; a clear error otherwise.

    The fast path (a float64 array of the right shape) costs two comparisons per step.
    """
    if type(out) is np.ndarray and out.dtype == np.float64 and out.shape == shape:
        return out
    return _slow_output(out, shape, call, x)


def _slow_output(out, shape: tuple, call: str, x: np.ndarray) -> np.ndarray:
    try:
        arr = np.asarray(out)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.dtype.kind not in "iuf":
        kind = type(out).__name__ if arr is None or arr.dtype.kind == "O" else f"an array of dtype {arr.dtype}"
        raise TypeError(f"{call} returned {kind} for x of shape {x.shape}; it must return real numbers "
                        f"(a float array of shape {shape})")
    if arr.shape != shape and not (shape == (1,) and arr.shape == ()):
        raise ValueError(f"{call} returned shape {arr.shape} for x of shape {x.shape}; expected shape "
                         f"{shape} (one {'value' if len(shape) == 1 else 'gradient'} per row of x: "
                         f"the loss must be vectorized over the leading axes of x)")
    return np.asarray(arr, dtype=float).reshape(shape)


def _evaluator(loss, n: int, d: int):
    """``evaluate(x, t) -> (f, g)`` with f of shape (n,), g of shape (n, d), both checked at every call."""
    value_and_grad = getattr(loss, "value_and_grad", None)
    sample_grad = getattr(loss, "sample_grad", None)
    stochastic = callable(sample_grad) and getattr(loss, "batch_size", 1) is not None
    fs, gs = (n,), (n, d)

    if stochastic:
        def evaluate(x, t):
            return (_output(loss.value(x), fs, "loss.value(x)", x),
                    _output(sample_grad(x, t), gs, "loss.sample_grad(x, t)", x))
    elif callable(value_and_grad):
        def evaluate(x, t):
            out = value_and_grad(x)
            if not (isinstance(out, tuple) and len(out) == 2):
                raise TypeError(f"loss.value_and_grad(x) must return a pair (value, grad), "
                                f"got {type(out).__name__} for x of shape {x.shape}")
            return (_output(out[0], fs, "loss.value_and_grad(x)[0] (the value)", x),
                    _output(out[1], gs, "loss.value_and_grad(x)[1] (the gradient)", x))
    else:
        def evaluate(x, t):
            return (_output(loss.value(x), fs, "loss.value(x)", x),
                    _output(loss.grad(x), gs, "loss.grad(x)", x))
    return evaluate


def _divergence_limit(divergence_threshold: float, f0: np.ndarray) -> np.ndarray:
    """The loss above which a trajectory has diverged: finite, so a loss of inf always exceeds it.

    A non-finite f(x0) makes the limit NaN or the largest float: the start itself is flagged.
    """
    limit = divergence_threshold * (1.0 + np.abs(f0))
    return np.minimum(limit, np.finfo(float).max)


def run(loss: Loss, stepper: Stepper | None = None, x0: ArrayLike | None = None,
        lr: float | ArrayLike | Callable | None = None, num_steps: int = 100, *,
        divergence_threshold: float = 1e10, record_state: bool = False) -> Trajectory:
    r"""Run an optimizer on a loss for ``num_steps`` steps, for a batch of lrs at once.

    Args:
        loss: an object with ``value(x)`` and ``grad(x)`` vectorized over
            leading axes (``value_and_grad`` is used when present; a
            ``sample_grad(x, t)`` method makes the run stochastic).
        stepper: from ``lrlab.steppers`` (default: plain ``sgd()``).
        x0: starting point(s), shape ``(..., d)``.
        lr: a float, an array of lrs (one trajectory each), or a schedule
            (a callable ``t -> lr`` such as ``lrlab.schedules.cosine_annealing_lr``).
        num_steps: number of optimizer steps.
        divergence_threshold: a trajectory has diverged when its loss is
            non-finite or exceeds ``divergence_threshold * (1 + |f(x0)|)``.
        record_state: also keep the stepper's state after every step in
            ``traj.state`` (a copy per step: memory grows with ``num_steps``).

    Returns:
        A ``Trajectory`` with batch shape
        ``np.broadcast_shapes(lr_batch_shape, np.shape(x0)[:-1])``.

    A batched run equals the runs of its members one by one, bit for bit.
    Divergence is an outcome: the trajectory is frozen from the step it blew
    up, flagged in ``diverged``/``diverged_at``, and no warning is emitted.
    """
    if not (callable(getattr(loss, "value", None)) and callable(getattr(loss, "grad", None))):
        raise TypeError(f"loss must have value(x) and grad(x) methods, got {type(loss).__name__}")
    if stepper is None:
        from .steppers import sgd
        stepper = sgd()
    if not isinstance(stepper, Stepper):
        raise TypeError(f"stepper must be a lrlab Stepper (e.g. lrlab.steppers.sgd()), got {type(stepper).__name__}")
    if x0 is None:
        raise TypeError("run() needs x0, the starting point(s), shape (..., d)")
    if lr is None:
        raise TypeError("run() needs lr: a float, an array of lrs or a schedule")
    num_steps = check_number("num_steps", num_steps, low=0, integer=True)
    if not isinstance(record_state, (bool, np.bool_)):
        raise TypeError(f"record_state must be True or False, got {record_state!r}")
    check_number("divergence_threshold", divergence_threshold, low=0.0, low_inclusive=False)
    x0 = _check_x0(x0)
    dim = getattr(loss, "dim", None)
    if dim is not None and x0.shape[-1] != dim:
        raise ValueError(f"x0 must have shape (..., {dim}) for this loss, got shape {x0.shape}")
    lr_steps, lr_batch = _lr_of(lr, num_steps)
    d = x0.shape[-1]
    try:
        batch = np.broadcast_shapes(lr_batch, x0.shape[:-1])
    except ValueError:
        raise ValueError(f"lr of shape {lr_batch} and x0 of batch shape {x0.shape[:-1]} do not broadcast") from None
    n = math.prod(batch)

    # Internally the iterate is (n, d) in Fortran order: each coordinate is a contiguous run
    # over the batch, so every elementwise op (and the lr of shape (n, 1)) streams over n.
    x = np.broadcast_to(x0, batch + (d,)).reshape(n, d)
    lr_steps = lr_steps.reshape((num_steps,) + (1,) * (len(batch) - len(lr_batch)) + lr_batch)
    lr_record = np.broadcast_to(lr_steps, (num_steps,) + batch)     # a read-only view, no copy
    const_lr = not callable(lr)

    def lr_at(t):
        """The lr of step t, shaped to broadcast against the (n, d) iterate."""
        if not lr_batch:
            return float(lr_steps.flat[t])
        return np.ascontiguousarray(np.broadcast_to(lr_steps[t], batch).reshape(n, 1))

    evaluate = _evaluator(loss, n, d)

    P = np.empty((num_steps + 1, d, n))          # stored coordinate-major, returned as a (T+1, n, d) view
    F = np.empty((num_steps + 1, n))
    G = np.empty((num_steps + 1, n))
    diverged_at = np.full(n, -1, dtype=np.int64)

    alive = np.ones(n, dtype=bool)
    dead_idx = np.empty(0, dtype=np.intp)        # the frozen trajectories, sorted
    dead_vals = np.empty((d, 0))                 # their frozen iterates, coordinate-major
    states = [] if record_state else None
    sq = np.empty(n)                             # scratch for the grad norm
    update_into = getattr(stepper, "update_into", None)
    with np.errstate(all="ignore"):
        # The iterate of record t lives in the record itself: x = P[t].T is an (n, d) view in
        # Fortran order (each coordinate a contiguous run over the batch), so recording it
        # costs nothing and every elementwise op (and the lr of shape (n, 1)) streams over n.
        np.copyto(P[0].T, x)
        x = P[0].T
        f, g = evaluate(x, 0)
        limit = _divergence_limit(divergence_threshold, f)
        state = stepper.init(x)
        lr_col = lr_at(0) if num_steps else 0.0
        t0 = 0                  # first record not yet checked for divergence
        for t in range(num_steps + 1):
            F[t] = f
            _grad_norm(g, G[t], sq)
            if dead_idx.size:
                F[t, dead_idx] = np.inf
                G[t, dead_idx] = np.inf
            # Divergence is checked once per block of _CHECK_EVERY records (one comparison for
            # the block); a trajectory found to have blown up inside the block is then frozen
            # retroactively from its first bad record, exactly as if checked at every step.
            if t - t0 == _CHECK_EVERY - 1 or t == num_steps:
                ok = F[t0:t + 1] <= limit
                if not ok.all():
                    newly = alive & ~ok.all(axis=0)
                    if newly.any():
                        idx = np.nonzero(newly)[0]
                        first = t0 + np.argmin(ok[:, idx], axis=0)
                        diverged_at[idx] = first
                        frozen = P[first, :, idx]                   # (k, d)
                        for row in range(t0, t + 1):
                            sel = first <= row
                            if sel.any():
                                cols = idx[sel]
                                F[row, cols] = np.inf
                                G[row, cols] = np.inf
                                P[row, :, cols] = frozen[sel]       # row t is x itself
                        alive[idx] = False
                        dead_idx = np.nonzero(~alive)[0]
                        dead_vals = P[t][:, dead_idx]
                    if not alive.any():
                        F[t + 1:] = np.inf
                        G[t + 1:] = np.inf
                        P[t + 1:] = P[t]
                        break
                t0 = t + 1
            if t == num_steps:
                break
            if t > 0 and not const_lr:
                lr_col = lr_at(t)
            if update_into is not None:
                state = update_into(g, state, x, lr_col, P[t + 1].T)
            else:
                new_x, state = stepper.update(g, state, x, lr_col)
                np.copyto(P[t + 1].T, new_x)
            if states is not None:
                states.append(_batched_state(state, n, batch))
            # A frozen trajectory keeps computing a step from its frozen iterate (cheaper than
            # masking the whole batch); only its k entries of the record are put back.
            if dead_idx.size:
                P[t + 1][:, dead_idx] = dead_vals
            x = P[t + 1].T
            f, g = evaluate(x, t + 1)

    shape = batch
    return Trajectory(params=P.transpose(0, 2, 1).reshape((num_steps + 1,) + shape + (d,)),
                      loss=F.reshape((num_steps + 1,) + shape),
                      grad_norm=G.reshape((num_steps + 1,) + shape),
                      lr=lr_record,
                      diverged=(diverged_at >= 0).reshape(shape),
                      diverged_at=diverged_at.reshape(shape),
                      loss_min=getattr(loss, "min_value", None),
                      stepper=stepper.name,
                      state=None if states is None else tuple(states))
