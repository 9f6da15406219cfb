r"""Optimizers as pairs of pure numpy functions, with the mathematics of ``torch.optim``.

Each factory (``sgd``, ``adam``, ``adamw``, ``rmsprop``, ``adagrad``) takes the
keyword arguments of the torch class of the same name, with the same defaults,
except ``params`` and ``lr``: the learning rate is passed to every call of
``update``, because it is what this course varies. A factory checks its
arguments at once and returns a :class:`lrlab.types.Stepper`::

    stepper = sgd(momentum=0.9)
    state = stepper.init(params)                       # params: (*batch, d)
    params, state = stepper.update(grad, state, params, lr)

``lr`` is a float or an array that broadcasts against ``params``, typically of
shape ``(*batch, 1)`` (one learning rate per trajectory). Every operation is
elementwise, so a batch of learning rates gives, bit for bit, the trajectories
that each learning rate gives alone. Nothing passed in is modified.

The updates follow torch's single-tensor code path (``foreach=False``) operation
by operation. In float64 they agree with torch to an ulp or two per step (the
tests ask for ``rtol=1e-12`` over 50 steps), not bit for bit: torch's CPU kernels
fuse the multiply-adds of ``add(..., alpha=)``, ``lerp`` and ``addcmul`` into FMA
instructions, which round once where numpy rounds twice.

``stepper.hyperparams`` holds the checked keyword arguments under torch's names,
so ``torch.optim.SGD(model.parameters(), lr=lr, **stepper.hyperparams)`` builds
the matching torch optimizer.
"""
from __future__ import annotations

import functools

from typing import NamedTuple

import numpy as np

from ._validation import check_betas, check_flag, check_number
from .types import HasHessian, Stepper

__all__ = [
    "sgd", "adam", "adamw", "rmsprop", "adagrad", "newton",
    "SGDState", "NewtonState", "AdamState", "RMSpropState", "AdagradState",
]


# --------------------------------------------------------------------------- states
# Field names are the keys of torch's ``optimizer.state[p]``.

class SGDState(NamedTuple):
    """State of :func:`sgd`."""

    step: int                              # number of updates done so far
    momentum_buffer: np.ndarray | None     # (*batch, d); None without momentum or before step 1


class AdamState(NamedTuple):
    """State of :func:`adam` and :func:`adamw`."""

    step: int                              # number of updates done so far
    exp_avg: np.ndarray                    # (*batch, d) first moment m
    exp_avg_sq: np.ndarray                 # (*batch, d) second moment v
    max_exp_avg_sq: np.ndarray | None      # (*batch, d) running max of v; None unless amsgrad


class RMSpropState(NamedTuple):
    """State of :func:`rmsprop`."""

    step: int                              # number of updates done so far
    square_avg: np.ndarray                 # (*batch, d) running mean of g**2
    grad_avg: np.ndarray | None            # (*batch, d) running mean of g; None unless centered
    momentum_buffer: np.ndarray | None     # (*batch, d); None unless momentum > 0


class AdagradState(NamedTuple):
    """State of :func:`adagrad`."""

    step: int                              # number of updates done so far
    sum: np.ndarray                        # (*batch, d) sum of g**2 (plus the initial value)


# --------------------------------------------------------------------------- helpers

def _float_zeros(params, fill: float = 0.0) -> np.ndarray:
    """A fresh array shaped like ``params``, of its float dtype (float64 for integer input)."""
    params = np.asarray(params)
    dtype = params.dtype if np.issubdtype(params.dtype, np.floating) else np.float64
    return np.full(params.shape, fill, dtype=dtype)


def _make_lerp(weight: float):
    """``lerp(start, end)`` = start + weight * (end - start), evaluated as torch's lerp kernel does.

    torch uses ``start + w*(end-start)`` when ``|w| < 0.5`` and
    ``end - (end-start)*(1-w)`` otherwise; both round differently, so we pick the
    same branch (the weight is a scalar fixed by the factory). Returns a new array.
    """
    if abs(weight) < 0.5:
        def lerp(start, end):
            t = end - start
            t *= weight
            t += start
            return t
    else:
        one_minus_w = 1 - weight

        def lerp(start, end):
            t = end - start
            t *= one_minus_w
            return np.subtract(end, t, out=t)
    return lerp


def _fit(shape, *arrays):
    """Give every state array ``shape`` (the new params' shape).

    Needed only when an array ``lr`` adds batch axes to ``params`` (say ``(N, 1)``
    against ``(d,)``): each trajectory then gets its own copy of the state.
    """
    return tuple(a if a is None or a.shape == shape else np.broadcast_to(a, shape).copy()
                 for a in arrays)


_IMPLEMENTATION = ("foreach", "fused", "capturable", "differentiable")


def _check_implementation(**flags) -> dict:
    """torch's implementation-selecting flags, checked: ``foreach``/``fused`` None or a bool, the rest bools.

    They pick one of torch's kernels for the same mathematics (a loop over tensors, one fused
    kernel, CUDA-graph capture, autograd through the step), so here they change nothing.
    """
    out = {}
    for key, value in flags.items():
        if key in ("foreach", "fused") and value is None:
            out[key] = None
        elif isinstance(value, (bool, np.bool_)):
            out[key] = bool(value)
        else:
            accepted = "None, True or False" if key in ("foreach", "fused") else "True or False"
            raise TypeError(f"{key} must be {accepted} (it selects a torch implementation and changes "
                            f"nothing in lrlab), got {key}={value!r}")
    return out


def _name(base: str, hyperparams: dict, defaults: dict) -> str:
    """``'sgd(momentum=0.9)'``: the factory name and the arguments that differ from torch's defaults.

    The implementation-selecting flags (``foreach``, ...) never appear: they change nothing.
    """
    changed = [f"{k}={v!r}" for k, v in hyperparams.items()
               if k not in _IMPLEMENTATION and v != defaults[k]]
    return f"{base}({', '.join(changed)})"


# --------------------------------------------------------------------------- SGD

def _torch_paste(factory):
    """Let torch code paste in: ``params`` and ``lr`` get a message saying where they go in lrlab."""
    @functools.wraps(factory)
    def wrapper(*args, **kwargs):
        name = factory.__name__
        if args:
            raise TypeError(f"{name}() takes keyword arguments only; torch's first argument, params, has no place "
                            f"here: the starting point goes to lrlab.run(..., x0=...), got {len(args)} positional "
                            f"argument(s)")
        if "params" in kwargs:
            raise TypeError(f"{name}() takes no params: the starting point goes to lrlab.run(..., x0=...)")
        if "lr" in kwargs:
            raise TypeError(f"{name}() takes no lr: in lrlab the lr goes to lrlab.run(..., lr=...), where it may be "
                            f"one number, an array of many lrs (one run each) or a schedule; "
                            f"got lr={kwargs['lr']!r} here")
        return factory(**kwargs)
    return wrapper


_SGD_DEFAULTS = dict(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False)


@_torch_paste
def sgd(*, momentum: float = 0.0, dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
        maximize: bool = False, foreach: bool | None = None, differentiable: bool = False,
        fused: bool | None = None) -> Stepper:
    r"""Stochastic gradient descent, optionally with heavy-ball or Nesterov momentum.

    With :math:`s = -1` if ``maximize`` else :math:`1`, at step :math:`t \ge 1`:

    .. math::

        g_t &= s\,\nabla f(x_{t-1}) + \lambda x_{t-1} \\
        b_t &= g_t \ (t = 1), \qquad b_t = \mu b_{t-1} + (1 - \tau) g_t \ (t > 1) \\
        d_t &= g_t + \mu b_t \ \text{(nesterov)}, \qquad d_t = b_t \ \text{(otherwise)} \\
        x_t &= x_{t-1} - \eta_t d_t

    Without momentum (:math:`\mu = 0`) :math:`d_t = g_t`, and with
    :math:`\lambda = 0` the update is just ``params - lr * grad``.

    Matches ``torch.optim.SGD(..., foreach=False)``: the momentum buffer starts at
    the first (weight-decayed) gradient, and dampening applies only from step 2.
    torch does not check ``dampening``; lrlab requires it in [0, 1].

    Args:
        momentum: :math:`\mu \ge 0`.
        dampening: :math:`\tau \in [0, 1]`, the share of the gradient dropped from the buffer.
        weight_decay: :math:`\lambda \ge 0`, L2 penalty added to the gradient.
        nesterov: use Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``.
        maximize: ascend the objective instead of descending it.
        foreach, differentiable, fused: accepted so that torch code pastes in
            unchanged (``None`` or a bool for ``foreach``/``fused``, a bool otherwise); they
            choose among torch's implementations of the same update and change nothing here.

    Returns:
        A :class:`~lrlab.types.Stepper` whose state is an :class:`SGDState`.

    Raises:
        TypeError: an argument has the wrong type (bools are not numbers here).
        ValueError: an argument is NaN, infinite or out of range, or ``nesterov``
            is asked for without momentum or with dampening.
    """
    momentum = check_number("momentum", momentum, low=0.0)
    dampening = check_number("dampening", dampening, low=0.0, high=1.0)
    weight_decay = check_number("weight_decay", weight_decay, low=0.0)
    nesterov = check_flag("nesterov", nesterov)
    maximize = check_flag("maximize", maximize)
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("nesterov=True requires momentum > 0 and dampening == 0, "
                         f"got {momentum=}, {dampening=}")
    hyperparams = dict(momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                       nesterov=nesterov, maximize=maximize,
                       **_check_implementation(foreach=foreach, differentiable=differentiable, fused=fused))
    one_minus_damp = 1 - dampening

    def init(params) -> SGDState:
        """No buffer exists before the first step (torch creates it from the first gradient)."""
        return SGDState(step=0, momentum_buffer=None)

    def direction(grad, state: SGDState, params):
        """``(d_t, b_t)``: the step direction and the new momentum buffer (None without momentum)."""
        g = -grad if maximize else grad
        if weight_decay != 0:
            t = params * weight_decay
            t += g
            g = t
        buf = None
        if momentum != 0:
            if state.momentum_buffer is None:
                buf = np.array(g, copy=True) if g is grad else g
            elif dampening == 0:
                buf = state.momentum_buffer * momentum
                buf += g
            else:
                buf = state.momentum_buffer * momentum
                buf += one_minus_damp * g
            if nesterov:
                d = buf * momentum
                d += g
                g = d
            else:
                g = buf
        return g, buf

    def update(grad, state: SGDState, params, lr):
        """One SGD step: ``(grad, state, params, lr) -> (new_params, new_state)``."""
        if momentum == 0 and weight_decay == 0:
            new_params = params + lr * grad if maximize else params - lr * grad
            return new_params, SGDState(state.step + 1, None)
        g, buf = direction(grad, state, params)
        new_params = params - lr * g
        if buf is not None and buf.shape != new_params.shape:
            (buf,) = _fit(new_params.shape, buf)
        return new_params, SGDState(state.step + 1, buf)

    def update_into(grad, state: SGDState, params, lr, out):
        """``update`` with the new params written into ``out``; returns the new state."""
        lr_arr = np.asarray(lr)
        if not (params.ndim == 2 and out.shape == params.shape == np.shape(grad)
                and (lr_arr.ndim == 0 or lr_arr.shape == (params.shape[0], 1))):
            new_params, new_state = update(grad, state, params, lr)
            np.copyto(out, new_params)
            return new_state
        if momentum == 0 and weight_decay == 0:
            g, buf, sub = grad, None, not maximize
        else:
            (g, buf), sub = direction(grad, state, params), True
        # two whole-array ufunc calls (the same arithmetic per element as ``update``); measured ~15%
        # faster than a loop over coordinates on (10000, 2) Fortran-order arrays (issue 11)
        np.multiply(lr_arr, g, out=out)
        (np.subtract if sub else np.add)(params, out, out=out)
        return SGDState(state.step + 1, buf)

    return Stepper(init, update, _name("sgd", hyperparams, _SGD_DEFAULTS), hyperparams, update_into)


# --------------------------------------------------------------------------- Newton

class NewtonState(NamedTuple):
    """State of :func:`newton`."""

    step: int                              # number of updates done so far


def newton(loss: HasHessian) -> Stepper:
    r"""Newton's method: the gradient multiplied by the inverse Hessian, then by the lr.

    .. math:: x_t = x_{t-1} - \eta_t\, H(x_{t-1})^{-1} \nabla f(x_{t-1})

    With :math:`\eta = 1` it is Newton's step, which lands on the minimum of a quadratic in one
    step from anywhere; smaller lrs give the damped Newton method. On a 1-D loss it is gradient
    descent with the lr :math:`\eta / f''(x)` (``lrlab.theory.newton_lr``). Not a ``torch.optim``
    class: torch has no Newton optimizer (its ``LBFGS`` builds a quasi-Newton estimate instead).
    Unlike the other factories it takes the loss, whose ``hessian(x)`` it calls at every step
    (lrlab's quadratic, least squares, Rosenbrock, quartic and 1-D curves have one). A singular
    Hessian is inverted in the least-squares sense (``np.linalg.pinv``); where the curvature is
    negative the step goes uphill, as Newton's does.

    Raises:
        TypeError: ``loss`` has no ``hessian`` method.
    """
    hess = getattr(loss, "hessian", None)
    if not callable(hess):
        raise TypeError(f"loss must have a hessian(x) method (lrlab's quadratic, least_squares, rosenbrock, quartic "
                        f"and 1-D curves have one), got {type(loss).__name__}")

    def init(params) -> NewtonState:
        return NewtonState(step=0)

    def update(grad, state: NewtonState, params, lr):
        d = params.shape[-1]
        H = np.broadcast_to(np.asarray(hess(params), dtype=float), params.shape[:-1] + (d, d))
        with np.errstate(all="ignore"):
            if d == 1:
                step = grad / H[..., 0]
            else:
                try:
                    step = np.linalg.solve(H, grad[..., None])[..., 0]
                except np.linalg.LinAlgError:
                    step = np.einsum("...ij,...j->...i", np.linalg.pinv(H), grad)
            return params - lr * step, NewtonState(state.step + 1)

    return Stepper(init, update, "newton", {})


# --------------------------------------------------------------------------- Adam / AdamW

_ADAM_DEFAULTS = dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False)
_ADAMW_DEFAULTS = dict(_ADAM_DEFAULTS, weight_decay=1e-2)
_ADAM_DEFAULTS = dict(_ADAM_DEFAULTS, decoupled_weight_decay=False)


def _adam_like(base, defaults, betas, eps, weight_decay, amsgrad, maximize, decoupled, extra) -> Stepper:
    beta1, beta2 = check_betas("betas", betas)
    eps = check_number("eps", eps, low=0.0)
    weight_decay = check_number("weight_decay", weight_decay, low=0.0)
    amsgrad = check_flag("amsgrad", amsgrad)
    maximize = check_flag("maximize", maximize)
    hyperparams = dict(betas=(beta1, beta2), eps=eps, weight_decay=weight_decay,
                       amsgrad=amsgrad, maximize=maximize, **extra)
    lerp_m = _make_lerp(1 - beta1)
    one_minus_beta2 = 1 - beta2

    def init(params) -> AdamState:
        """Zero moments shaped like ``params``; step 0."""
        return AdamState(step=0, exp_avg=_float_zeros(params), exp_avg_sq=_float_zeros(params),
                         max_exp_avg_sq=_float_zeros(params) if amsgrad else None)

    def update(grad, state: AdamState, params, lr):
        """One step: ``(grad, state, params, lr) -> (new_params, new_state)``."""
        step = state.step + 1
        g = -grad if maximize else grad
        if weight_decay != 0:
            if decoupled:
                params = params * (1 - lr * weight_decay)
            else:
                t = params * weight_decay
                t += g
                g = t
        m = lerp_m(state.exp_avg, g)
        v = state.exp_avg_sq * beta2
        t = one_minus_beta2 * g
        t *= g
        v += t
        if amsgrad:
            v_max = np.maximum(state.max_exp_avg_sq, v)
            denom = np.sqrt(v_max)
        else:
            v_max = None
            denom = np.sqrt(v)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        denom /= bias_correction2 ** 0.5
        denom += eps
        u = step_size * m
        u /= denom
        new_params = np.subtract(params, u, out=u) if u.shape == np.shape(params) else params - u
        if m.shape != new_params.shape:
            m, v, v_max = _fit(new_params.shape, m, v, v_max)
        return new_params, AdamState(step, m, v, v_max)

    return Stepper(init, update, _name(base, hyperparams, defaults), hyperparams)


@_torch_paste
def adam(*, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
         amsgrad: bool = False, maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
         differentiable: bool = False, fused: bool | None = None,
         decoupled_weight_decay: bool = False) -> Stepper:
    r"""Adam: a momentum average of the gradient, divided by a running root mean square.

    With :math:`s = -1` if ``maximize`` else :math:`1` and :math:`m_0 = v_0 = \hat v_0 = 0`,
    at step :math:`t \ge 1`:

    .. math::

        g_t &= s\,\nabla f(x_{t-1}) + \lambda x_{t-1} \\
        m_t &= m_{t-1} + (1 - \beta_1)(g_t - m_{t-1}) \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \ \text{(amsgrad)}, \qquad \hat v_t = v_t \ \text{(otherwise)} \\
        x_t &= x_{t-1} - \frac{\eta_t}{1 - \beta_1^t} \cdot
               \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    Matches ``torch.optim.Adam(..., foreach=False)``: the step count is incremented
    before the bias corrections, :math:`m_t` is evaluated as torch's ``lerp`` is
    (as written above when :math:`\beta_1 > 0.5`, as
    :math:`g_t - (g_t - m_{t-1})\beta_1` otherwise), and :math:`\epsilon` is added after dividing
    :math:`\sqrt{\hat v_t}` by :math:`\sqrt{1-\beta_2^t}`. Weight decay is the
    coupled L2 penalty unless ``decoupled_weight_decay=True``, which makes this
    :func:`adamw` exactly (as in torch): :math:`x' = (1 - \eta_t\lambda) x_{t-1}` first,
    and no :math:`\lambda x_{t-1}` in :math:`g_t`.

    Args:
        betas: :math:`(\beta_1, \beta_2)`, each in [0, 1).
        eps: :math:`\epsilon \ge 0`.
        weight_decay: :math:`\lambda \ge 0`, L2 penalty added to the gradient (or, with
            ``decoupled_weight_decay``, the factor of the weights' shrinking).
        amsgrad: normalize by the running maximum of :math:`v_t` (AMSGrad).
        maximize: ascend the objective instead of descending it.
        decoupled_weight_decay: AdamW's decoupled weight decay (torch's keyword).
        foreach, fused, capturable, differentiable: accepted so that torch code pastes in
            unchanged (``None`` or a bool for ``foreach``/``fused``, a bool otherwise); they
            choose among torch's implementations of the same update and change nothing here.

    Returns:
        A :class:`~lrlab.types.Stepper` whose state is an :class:`AdamState`.

    Raises:
        TypeError: an argument has the wrong type (bools are not numbers here).
        ValueError: an argument is NaN, infinite or out of range.
    """
    decoupled = check_flag("decoupled_weight_decay", decoupled_weight_decay)
    extra = dict(_check_implementation(foreach=foreach, capturable=capturable, differentiable=differentiable,
                                       fused=fused), decoupled_weight_decay=decoupled)
    return _adam_like("adam", _ADAM_DEFAULTS, betas, eps, weight_decay, amsgrad, maximize,
                      decoupled=decoupled, extra=extra)


@_torch_paste
def adamw(*, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
          amsgrad: bool = False, maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
          differentiable: bool = False, fused: bool | None = None) -> Stepper:
    r"""AdamW: Adam with the weight decay applied to the weights, not through the gradient.

    With :math:`s = -1` if ``maximize`` else :math:`1` and :math:`m_0 = v_0 = \hat v_0 = 0`,
    at step :math:`t \ge 1`:

    .. math::

        x' &= (1 - \eta_t \lambda)\, x_{t-1}, \qquad g_t = s\,\nabla f(x_{t-1}) \\
        m_t &= m_{t-1} + (1 - \beta_1)(g_t - m_{t-1}) \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \ \text{(amsgrad)}, \qquad \hat v_t = v_t \ \text{(otherwise)} \\
        x_t &= x' - \frac{\eta_t}{1 - \beta_1^t} \cdot
               \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    Matches ``torch.optim.AdamW(..., foreach=False)``, which is torch's ``Adam``
    with ``decoupled_weight_decay=True``: the weights are shrunk first, then the
    step of :func:`adam` is taken. The default ``weight_decay`` is torch's 1e-2.

    Args:
        betas: :math:`(\beta_1, \beta_2)`, each in [0, 1).
        eps: :math:`\epsilon \ge 0`.
        weight_decay: :math:`\lambda \ge 0`; each step multiplies the weights by
            ``1 - lr * weight_decay``.
        amsgrad: normalize by the running maximum of :math:`v_t` (AMSGrad).
        maximize: ascend the objective instead of descending it.
        foreach, fused, capturable, differentiable: accepted so that torch code pastes in
            unchanged (``None`` or a bool for ``foreach``/``fused``, a bool otherwise); they
            choose among torch's implementations of the same update and change nothing here.

    Returns:
        A :class:`~lrlab.types.Stepper` whose state is an :class:`AdamState`.

    Raises:
        TypeError: an argument has the wrong type (bools are not numbers here).
        ValueError: an argument is NaN, infinite or out of range.
    """
    extra = _check_implementation(foreach=foreach, capturable=capturable, differentiable=differentiable,
                                  fused=fused)
    return _adam_like("adamw", _ADAMW_DEFAULTS, betas, eps, weight_decay, amsgrad, maximize,
                      decoupled=True, extra=extra)


# --------------------------------------------------------------------------- RMSprop

_RMSPROP_DEFAULTS = dict(alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False)


@_torch_paste
def rmsprop(*, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
            centered: bool = False, maximize: bool = False, capturable: bool = False,
            foreach: bool | None = None, differentiable: bool = False) -> Stepper:
    r"""RMSprop: the gradient divided by a running root mean square of past gradients.

    With :math:`s = -1` if ``maximize`` else :math:`1` and :math:`v_0 = \bar g_0 = b_0 = 0`,
    at step :math:`t \ge 1`:

    .. math::

        g_t &= s\,\nabla f(x_{t-1}) + \lambda x_{t-1} \\
        v_t &= \alpha v_{t-1} + (1 - \alpha)\, g_t^2 \\
        \bar g_t &= \bar g_{t-1} + (1 - \alpha)(g_t - \bar g_{t-1}) \ \text{(centered only)} \\
        r_t &= \sqrt{v_t - \bar g_t^2} + \epsilon \ \text{(centered)}, \qquad
        r_t = \sqrt{v_t} + \epsilon \ \text{(otherwise)} \\
        b_t &= \mu b_{t-1} + g_t / r_t, \qquad x_t = x_{t-1} - \eta_t b_t \ \text{(momentum > 0)} \\
        x_t &= x_{t-1} - \eta_t g_t / r_t \ \text{(momentum = 0)}

    Matches ``torch.optim.RMSprop(..., foreach=False)``: :math:`\epsilon` is added
    outside the square root, and the momentum buffer holds the normalized step.

    Args:
        alpha: :math:`\alpha \in [0, 1]`, the smoothing constant (torch checks only the lower bound;
            above 1 the running average of squares turns negative, so lrlab refuses it).
        eps: :math:`\epsilon \ge 0`.
        weight_decay: :math:`\lambda \ge 0`, L2 penalty added to the gradient.
        momentum: :math:`\mu \ge 0`.
        centered: divide by an estimate of the gradient's standard deviation
            instead of its root mean square.
        maximize: ascend the objective instead of descending it.
        capturable, foreach, differentiable: accepted so that torch code pastes in
            unchanged (``None`` or a bool for ``foreach``, a bool otherwise); they
            choose among torch's implementations of the same update and change nothing here.

    Returns:
        A :class:`~lrlab.types.Stepper` whose state is an :class:`RMSpropState`.

    Raises:
        TypeError: an argument has the wrong type (bools are not numbers here).
        ValueError: an argument is NaN, infinite or out of range.
    """
    alpha = check_number("alpha", alpha, low=0.0, high=1.0)   # torch has no upper bound; alpha > 1 makes the average negative
    eps = check_number("eps", eps, low=0.0)
    weight_decay = check_number("weight_decay", weight_decay, low=0.0)
    momentum = check_number("momentum", momentum, low=0.0)
    centered = check_flag("centered", centered)
    maximize = check_flag("maximize", maximize)
    hyperparams = dict(alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                       centered=centered, maximize=maximize,
                       **_check_implementation(capturable=capturable, foreach=foreach,
                                               differentiable=differentiable))
    one_minus_alpha = 1 - alpha
    lerp_avg = _make_lerp(1 - alpha)

    def init(params) -> RMSpropState:
        """Zero averages (and buffer) shaped like ``params``; step 0."""
        return RMSpropState(step=0, square_avg=_float_zeros(params),
                            grad_avg=_float_zeros(params) if centered else None,
                            momentum_buffer=_float_zeros(params) if momentum > 0 else None)

    def update(grad, state: RMSpropState, params, lr):
        """One step: ``(grad, state, params, lr) -> (new_params, new_state)``."""
        g = -grad if maximize else grad
        if weight_decay != 0:
            t = params * weight_decay
            t += g
            g = t
        v = state.square_avg * alpha
        t = one_minus_alpha * g
        t *= g
        v += t
        if centered:
            g_avg = lerp_avg(state.grad_avg, g)
            r = g_avg * g_avg
            np.subtract(v, r, out=r)
            np.sqrt(r, out=r)
        else:
            g_avg = None
            r = np.sqrt(v)
        r += eps
        if momentum > 0:
            buf = state.momentum_buffer * momentum
            buf += g / r
            new_params = params - lr * buf
        else:
            buf = None
            u = lr * g
            u /= r
            new_params = np.subtract(params, u, out=u) if u.shape == np.shape(params) else params - u
        if v.shape != new_params.shape:
            v, g_avg, buf = _fit(new_params.shape, v, g_avg, buf)
        return new_params, RMSpropState(state.step + 1, v, g_avg, buf)

    return Stepper(init, update, _name("rmsprop", hyperparams, _RMSPROP_DEFAULTS), hyperparams)


# --------------------------------------------------------------------------- Adagrad

_ADAGRAD_DEFAULTS = dict(lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                         maximize=False)


@_torch_paste
def adagrad(*, lr_decay: float = 0.0, weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
            eps: float = 1e-10, maximize: bool = False, foreach: bool | None = None,
            differentiable: bool = False, fused: bool | None = None) -> Stepper:
    r"""Adagrad: each coordinate's step divided by the root of its summed squared gradients.

    With :math:`s = -1` if ``maximize`` else :math:`1` and :math:`S_0` = ``initial_accumulator_value``,
    at step :math:`t \ge 1`:

    .. math::

        g_t &= s\,\nabla f(x_{t-1}) + \lambda x_{t-1} \\
        \tilde\eta_t &= \eta_t / (1 + (t - 1)\,\delta) \\
        S_t &= S_{t-1} + g_t^2 \\
        x_t &= x_{t-1} - \tilde\eta_t\, g_t / (\sqrt{S_t} + \epsilon)

    Matches ``torch.optim.Adagrad(..., foreach=False)`` for dense gradients.

    Args:
        lr_decay: :math:`\delta \ge 0`, hyperbolic decay of the learning rate with the step count.
        weight_decay: :math:`\lambda \ge 0`, L2 penalty added to the gradient.
        initial_accumulator_value: :math:`S_0 \ge 0`, the starting value of the sum.
        eps: :math:`\epsilon \ge 0`, added to :math:`\sqrt{S_t}`.
        maximize: ascend the objective instead of descending it.
        foreach, differentiable, fused: accepted so that torch code pastes in
            unchanged (``None`` or a bool for ``foreach``/``fused``, a bool otherwise); they
            choose among torch's implementations of the same update and change nothing here.

    Returns:
        A :class:`~lrlab.types.Stepper` whose state is an :class:`AdagradState`.

    Raises:
        TypeError: an argument has the wrong type (bools are not numbers here).
        ValueError: an argument is NaN, infinite or out of range.
    """
    lr_decay = check_number("lr_decay", lr_decay, low=0.0)
    weight_decay = check_number("weight_decay", weight_decay, low=0.0)
    initial_accumulator_value = check_number("initial_accumulator_value", initial_accumulator_value,
                                             low=0.0)
    eps = check_number("eps", eps, low=0.0)
    maximize = check_flag("maximize", maximize)
    hyperparams = dict(lr_decay=lr_decay, weight_decay=weight_decay,
                       initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize,
                       **_check_implementation(foreach=foreach, differentiable=differentiable, fused=fused))

    def init(params) -> AdagradState:
        """The sum starts at ``initial_accumulator_value`` everywhere; step 0."""
        return AdagradState(step=0, sum=_float_zeros(params, initial_accumulator_value))

    def update(grad, state: AdagradState, params, lr):
        """One step: ``(grad, state, params, lr) -> (new_params, new_state)``."""
        step = state.step + 1
        g = -grad if maximize else grad
        if weight_decay != 0:
            t = params * weight_decay
            t += g
            g = t
        if lr_decay != 0:
            lr = lr / (1 + (step - 1) * lr_decay)
        s = g * g
        s += state.sum
        std = np.sqrt(s)
        std += eps
        u = lr * g
        u /= std
        new_params = np.subtract(params, u, out=u) if u.shape == np.shape(params) else params - u
        if s.shape != new_params.shape:
            (s,) = _fit(new_params.shape, s)
        return new_params, AdagradState(step, s)

    return Stepper(init, update, _name("adagrad", hyperparams, _ADAGRAD_DEFAULTS), hyperparams)
