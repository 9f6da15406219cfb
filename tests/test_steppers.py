"""Tests of lrlab.steppers: torch.optim (float64, foreach=False) as the oracle,
batched == single runs bit for bit, purity, and argument checks."""
from __future__ import annotations

import inspect
import itertools
import math
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlab import steppers
from lrlab.types import Stepper

TORCH = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}
LR = {"sgd": 0.05, "adam": 0.05, "adamw": 0.05, "rmsprop": 0.01, "adagrad": 0.1}

IMPLEMENTATION = {   # torch 2.13's implementation-selecting keywords, per optimizer
    "sgd": ["foreach", "differentiable", "fused"],
    "adam": ["foreach", "capturable", "differentiable", "fused"],
    "adamw": ["foreach", "capturable", "differentiable", "fused"],
    "rmsprop": ["capturable", "foreach", "differentiable"],
    "adagrad": ["foreach", "differentiable", "fused"],
}

NUM_STEPS = 50
D = 6
_rng = np.random.default_rng(20240601)
X0 = _rng.standard_normal((3, D))                      # a few trajectories in one tensor
NOISE = 0.3 * _rng.standard_normal((NUM_STEPS, 3, D))   # fixed "minibatch noise"
CURV = np.linspace(0.5, 3.0, D)                          # diagonal quadratic, L = 3


def grad_at(x, t, maximize=False):
    """Gradient at ``x`` (shape ``X0.shape``) of 0.5 * sum(CURV * (x - 1)**2), plus seeded noise.

    When maximizing, the gradient of the negated (concave) quadratic, so both runs stay bounded.
    """
    g = CURV * (x - 1.0)
    if maximize:
        g = -g
    return g + NOISE[t]


def row_grad(x, t):
    """The same for one trajectory ``(d,)`` or a batch ``(N, d)``: every row gets the same noise.

    Elementwise, so a row of a batch gets the same bits as a single run.
    """
    return CURV * (x - 1.0) + NOISE[t, 0]


def run_against_torch(name, kwargs, lrs):
    """Run lrlab and torch side by side on their own iterates; compare params at every step."""
    maximize = kwargs.get("maximize", False)
    stepper = getattr(steppers, name)(**kwargs)
    x = X0.copy()
    state = stepper.init(x)
    p = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    opt = TORCH[name]([p], lr=lrs[0], foreach=False, **kwargs)
    for t, lr in enumerate(lrs):
        x, state = stepper.update(grad_at(x, t, maximize), state, x, lr)
        for group in opt.param_groups:
            group["lr"] = lr
        p.grad = torch.from_numpy(grad_at(p.detach().numpy(), t, maximize))
        opt.step()
        np.testing.assert_allclose(x, p.detach().numpy(), rtol=1e-12, atol=1e-14,
                                   err_msg=f"{stepper.name}, step {t + 1}")
    # the state agrees too: lrlab's field names are torch's state keys
    torch_state = opt.state[p]
    assert state.step == len(lrs)
    for field, value in state._asdict().items():
        if field == "step":
            if "step" in torch_state:
                assert int(torch_state["step"]) == state.step
        elif value is None:
            assert torch_state.get(field) is None
        else:
            np.testing.assert_allclose(value, torch_state[field].numpy(), rtol=1e-12, atol=1e-14,
                                       err_msg=f"{stepper.name}, state {field}")


def _grid(**axes):
    keys = list(axes)
    return [dict(zip(keys, values)) for values in itertools.product(*axes.values())]


def _id(kwargs):
    return ",".join(f"{k}={v}" for k, v in kwargs.items())


SGD_CASES = [kw for kw in _grid(momentum=[0.0, 0.9], dampening=[0.0, 0.3], nesterov=[False, True],
                                weight_decay=[0.0, 0.1], maximize=[False, True])
             if not kw["nesterov"] or (kw["momentum"] > 0 and kw["dampening"] == 0)]
ADAM_CASES = _grid(amsgrad=[False, True], weight_decay=[0.0, 0.1], betas=[(0.9, 0.999), (0.3, 0.6)],
                   eps=[1e-8, 1e-3], maximize=[False, True])
RMSPROP_CASES = _grid(centered=[False, True], momentum=[0.0, 0.9], weight_decay=[0.0, 0.1],
                      alpha=[0.99, 0.3], eps=[1e-8, 1e-2], maximize=[False, True])
ADAGRAD_CASES = _grid(lr_decay=[0.0, 0.1], weight_decay=[0.0, 0.1], initial_accumulator_value=[0.0, 0.5],
                      eps=[1e-10, 1e-3], maximize=[False, True])

ORACLE_CASES = ([("sgd", kw) for kw in SGD_CASES] + [("adam", kw) for kw in ADAM_CASES]
                + [("adamw", kw) for kw in ADAM_CASES] + [("rmsprop", kw) for kw in RMSPROP_CASES]
                + [("adagrad", kw) for kw in ADAGRAD_CASES])


# ----------------------------------------------------------------------------- torch oracle

@pytest.mark.parametrize("name,kwargs", ORACLE_CASES,
                         ids=[f"{n}({_id(kw)})" for n, kw in ORACLE_CASES])
def test_matches_torch(name, kwargs):
    run_against_torch(name, kwargs, [LR[name]] * NUM_STEPS)


@pytest.mark.parametrize("name", list(TORCH))
def test_defaults_match_torch(name):
    run_against_torch(name, {}, [LR[name]] * NUM_STEPS)


HEAVY = {
    "sgd": dict(momentum=0.9, nesterov=True, weight_decay=0.1),
    "adam": dict(amsgrad=True, weight_decay=0.1),
    "adamw": dict(amsgrad=True, weight_decay=0.1),
    "rmsprop": dict(centered=True, momentum=0.9, weight_decay=0.1),
    "adagrad": dict(lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.5),
}


@pytest.mark.parametrize("name", list(TORCH))
def test_lr_changing_every_step_matches_torch(name):
    """As under a scheduler: torch's param_group['lr'] is changed before every step."""
    t = np.arange(NUM_STEPS)
    lrs = [float(v) for v in LR[name] * (0.55 + 0.45 * np.cos(np.pi * t / 17))]
    run_against_torch(name, HEAVY[name], lrs)


@pytest.mark.parametrize("name", list(TORCH))
def test_hyperparams_are_torch_keywords_with_torch_defaults(name):
    stepper = getattr(steppers, name)()
    assert isinstance(stepper, Stepper)
    assert stepper.name == f"{name}()"
    torch_sig = inspect.signature(TORCH[name]).parameters
    our_sig = inspect.signature(getattr(steppers, name)).parameters
    assert list(stepper.hyperparams) == list(our_sig)
    for key, value in stepper.hyperparams.items():
        assert torch_sig[key].default == our_sig[key].default == value, key
    # one kwargs dict drives both libraries
    TORCH[name]([torch.zeros(2, dtype=torch.float64)], lr=0.1, **stepper.hyperparams)


DECOUPLED_CASES = _grid(decoupled_weight_decay=[True], weight_decay=[0.0, 0.1, 0.5], amsgrad=[False, True],
                        maximize=[False, True])


@pytest.mark.parametrize("kwargs", DECOUPLED_CASES, ids=[_id(kw) for kw in DECOUPLED_CASES])
def test_adam_decoupled_weight_decay_matches_torch(kwargs):
    run_against_torch("adam", kwargs, [LR["adam"]] * NUM_STEPS)


def test_adam_decoupled_weight_decay_is_adamw():
    kw = dict(weight_decay=0.1, betas=(0.8, 0.99))
    a, w = steppers.adam(decoupled_weight_decay=True, **kw), steppers.adamw(**kw)
    assert a.name == "adam(betas=(0.8, 0.99), weight_decay=0.1, decoupled_weight_decay=True)"
    xa = xw = X0.copy()
    sa, sw = a.init(xa), w.init(xw)
    for t in range(NUM_STEPS):
        xa, sa = a.update(grad_at(xa, t), sa, xa, 0.05)
        xw, sw = w.update(grad_at(xw, t), sw, xw, 0.05)
    np.testing.assert_array_equal(xa, xw)
    # and coupled (the default) is not the same thing
    xc, sc = X0.copy(), steppers.adam(**kw).init(X0)
    xc, _ = steppers.adam(**kw).update(grad_at(xc, 0), sc, xc, 0.05)
    assert not np.array_equal(xc, a.update(grad_at(X0, 0), a.init(X0), X0, 0.05)[0])


def _flag_values(flag):
    return [None, True, False] if flag in ("foreach", "fused") else [True, False]


IMPL_CASES = [(n, flag, v) for n in TORCH for flag in IMPLEMENTATION[n] for v in _flag_values(flag)]


@pytest.mark.parametrize("name,flag,value", IMPL_CASES, ids=[f"{n}-{f}={v}" for n, f, v in IMPL_CASES])
def test_implementation_flags_change_nothing(name, flag, value):
    """torch's foreach/fused/capturable/differentiable are accepted and give the same bits."""
    plain = getattr(steppers, name)(**HEAVY[name])
    flagged = getattr(steppers, name)(**HEAVY[name], **{flag: value})
    assert flagged.name == plain.name
    assert flagged.hyperparams[flag] == value
    x1 = x2 = X0.copy()
    s1, s2 = plain.init(x1), flagged.init(x2)
    for t in range(10):
        x1, s1 = plain.update(grad_at(x1, t), s1, x1, LR[name])
        x2, s2 = flagged.update(grad_at(x2, t), s2, x2, LR[name])
    np.testing.assert_array_equal(x1, x2)


def test_torch_code_pastes_in():
    """The issue's examples: torch's keywords, only the first argument changed."""
    a = steppers.adam(betas=(0.9, 0.99), decoupled_weight_decay=True)
    assert a.hyperparams["decoupled_weight_decay"] is True
    s = steppers.sgd(momentum=0.9, nesterov=True, maximize=False, foreach=True, differentiable=False, fused=None)
    assert s.name == "sgd(momentum=0.9, nesterov=True)"


def test_name_lists_changed_arguments():
    assert steppers.sgd(momentum=0.9, nesterov=True).name == "sgd(momentum=0.9, nesterov=True)"
    assert steppers.adamw(weight_decay=0).name == "adamw(weight_decay=0.0)"


# ----------------------------------------------------------------------------- batched == single

LRS = [0.003, 0.02, 0.05, 0.11, 0.3]
BATCH_CASES = [(name, {}) for name in TORCH] + [(name, kw) for name, kw in HEAVY.items()] + [
    ("sgd", dict(momentum=0.9)),
    ("sgd", dict(momentum=0.8, dampening=0.3, maximize=True)),
    ("adam", dict(betas=(0.3, 0.6), eps=1e-3)),
    ("rmsprop", dict(alpha=0.3, momentum=0.5)),
]


def _run_single_and_batched(stepper, lrs, num_steps=30, x0_batched=None):
    """Return per-step params of each single run, and of the batched run."""
    x0 = X0[0]
    singles = []
    for lr in lrs:
        x, state = x0.copy(), stepper.init(x0)
        xs = []
        for t in range(num_steps):
            x, state = stepper.update(row_grad(x, t), state, x, float(lr))
            xs.append(x)
        singles.append((np.stack(xs), state))
    xb = np.tile(x0, (len(lrs), 1)) if x0_batched is None else x0_batched
    lr_col = np.asarray(lrs, dtype=float)[:, None]
    state = stepper.init(xb)
    xbs = []
    for t in range(num_steps):
        xb, state = stepper.update(row_grad(xb, t), state, xb, lr_col)
        xbs.append(xb)
    return singles, np.stack(xbs), state


@pytest.mark.parametrize("name,kwargs", BATCH_CASES, ids=[f"{n}({_id(kw)})" for n, kw in BATCH_CASES])
def test_batched_equals_single_bit_for_bit(name, kwargs):
    stepper = getattr(steppers, name)(**kwargs)
    singles, batched, state = _run_single_and_batched(stepper, LRS)
    for i, (xs, single_state) in enumerate(singles):
        assert np.array_equal(batched[:, i], xs), f"trajectory {i} (lr={LRS[i]})"
        for field, value in single_state._asdict().items():
            other = getattr(state, field)
            if field == "step" or value is None:
                assert other == value
            else:
                assert np.array_equal(other[i], value), field


@pytest.mark.parametrize("name", list(TORCH))
def test_lr_column_broadcasts_single_params(name):
    """params of shape (d,) with lr of shape (N, 1): the first step fans out into N trajectories."""
    stepper = getattr(steppers, name)(**HEAVY[name])
    singles, batched, state = _run_single_and_batched(stepper, LRS, num_steps=10, x0_batched=X0[0])
    assert batched.shape == (10, len(LRS), D)
    for i, (xs, _) in enumerate(singles):
        assert np.array_equal(batched[:, i], xs)
    for value in state[1:]:
        assert value is None or value.shape == (len(LRS), D)


@settings(max_examples=25, deadline=None, database=None, derandomize=True)
@given(case=st.sampled_from(ORACLE_CASES),
       lrs=st.lists(st.floats(1e-4, 0.3), min_size=2, max_size=4))
def test_batched_equals_single_property(case, lrs):
    name, kwargs = case
    singles, batched, _ = _run_single_and_batched(getattr(steppers, name)(**kwargs), lrs, num_steps=8)
    for i, (xs, _) in enumerate(singles):
        assert np.array_equal(batched[:, i], xs)


@settings(max_examples=30, deadline=None, database=None, derandomize=True)
@given(curvature=st.floats(0.1, 100.0),
       ratio=st.one_of(st.floats(0.05, 1.95), st.floats(2.05, 3.0)))
def test_gd_on_quadratic_converges_iff_lr_below_2_over_L(curvature, ratio):
    stepper = steppers.sgd()
    lr = ratio / curvature
    x = np.array([1.0])
    state = stepper.init(x)
    for _ in range(200):
        x, state = stepper.update(curvature * x, state, x, lr)
    if ratio < 2:
        assert abs(x[0]) < 1e-3
    else:
        assert abs(x[0]) > 1e3


def test_plain_sgd_is_params_minus_lr_grad():
    x, g = X0.copy(), NOISE[0]
    new_x, _ = steppers.sgd().update(g, steppers.sgd().init(x), x, 0.1)
    assert np.array_equal(new_x, x - 0.1 * g)
    new_x, _ = steppers.sgd(maximize=True).update(g, steppers.sgd().init(x), x, 0.1)
    assert np.array_equal(new_x, x + 0.1 * g)


# ----------------------------------------------------------------------------- purity

def _arrays(obj):
    return [a for a in (obj if isinstance(obj, tuple) else (obj,)) if isinstance(a, np.ndarray)]


@pytest.mark.parametrize("name,kwargs", BATCH_CASES, ids=[f"{n}({_id(kw)})" for n, kw in BATCH_CASES])
def test_update_does_not_mutate_or_alias_its_inputs(name, kwargs):
    stepper = getattr(steppers, name)(**kwargs)
    x = X0.copy()
    state = stepper.init(x)
    lr = np.array([[0.01], [0.05], [0.1]])
    for t in range(4):
        g = grad_at(x, t)
        inputs = [g, x, lr] + _arrays(state)
        copies = [a.copy() for a in inputs]
        new_x, new_state = stepper.update(g, state, x, lr)
        for before, after in zip(copies, inputs):
            assert np.array_equal(before, after), "an input array was modified"
        for out in [new_x] + _arrays(new_state):
            for inp in inputs:
                assert not np.shares_memory(out, inp), "an output shares memory with an input"
        assert new_state.step == state.step + 1
        x, state = new_x, new_state


@pytest.mark.parametrize("name", list(TORCH))
def test_init_state_shapes(name):
    state = getattr(steppers, name)(**HEAVY[name]).init(X0)
    assert state.step == 0 and isinstance(state.step, int)
    for value in state[1:]:
        assert value is None or (value.shape == X0.shape and value.dtype == np.float64)
    # integer params still get a float state
    state = getattr(steppers, name)(**HEAVY[name]).init(np.array([1, 2]))
    for value in state[1:]:
        assert value is None or value.dtype == np.float64


# ----------------------------------------------------------------------------- bad input

NUMERIC = {
    "sgd": ["momentum", "dampening", "weight_decay"],
    "adam": ["eps", "weight_decay"],
    "adamw": ["eps", "weight_decay"],
    "rmsprop": ["alpha", "eps", "weight_decay", "momentum"],
    "adagrad": ["lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
}
FLAGS = {
    "sgd": ["nesterov", "maximize"],
    "adam": ["amsgrad", "maximize"],
    "adamw": ["amsgrad", "maximize"],
    "rmsprop": ["centered", "maximize"],
    "adagrad": ["maximize"],
}

BAD_NUMBERS = [(-0.1, ValueError), (math.nan, ValueError), (math.inf, ValueError),
               (-math.inf, ValueError), ("0.1", TypeError), (True, TypeError), (None, TypeError),
               (np.float64("nan"), ValueError), ([0.1], TypeError)]
BAD_CASES = (
    [(n, {arg: bad}, exc, re.escape(arg)) for n, args in NUMERIC.items() for arg in args
     for bad, exc in BAD_NUMBERS]
    + [(n, {"betas": betas}, exc, re.escape("betas"))
       for n in ("adam", "adamw")
       for betas, exc in [((-0.1, 0.999), ValueError), ((0.9, 1.0), ValueError), ((1.0, 0.999), ValueError),
                          ((math.nan, 0.999), ValueError), ((0.9, math.inf), ValueError),
                          ((True, 0.999), TypeError), (("0.9", 0.999), TypeError),
                          (0.9, TypeError), ((0.9,), TypeError), ((0.9, 0.99, 0.999), TypeError)]]
    + [(n, {flag: bad}, TypeError, re.escape(flag)) for n, flags in FLAGS.items() for flag in flags
       for bad in (1, 0, "yes", None, 1.0)]
    + [(n, {"lr": 0.1}, TypeError, "lr") for n in TORCH]
    + [(n, {"params": []}, TypeError, "params") for n in TORCH]
    + [(n, {flag: bad}, TypeError, flag) for n in TORCH for flag in IMPLEMENTATION[n]
       for bad in (1, 0, "yes", 1.0)]
    + [(n, {flag: None}, TypeError, flag) for n in TORCH for flag in IMPLEMENTATION[n]
       if flag in ("capturable", "differentiable")]
    + [("adam", {"decoupled_weight_decay": bad}, TypeError, "decoupled_weight_decay") for bad in (1, None, "yes")]
    + [("adamw", {"decoupled_weight_decay": True}, TypeError, "decoupled_weight_decay")]
    + [("adam", {"momentum": 0.9}, TypeError, "momentum"),
       ("sgd", {"betas": (0.9, 0.999)}, TypeError, "betas"),
       ("sgd", {"dampening": 1.5}, ValueError, "dampening"),
       ("sgd", {"nesterov": True}, ValueError, "nesterov"),
       ("sgd", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, ValueError, "nesterov"),
       ("sgd", {"nesterov": True, "momentum": 0.0}, ValueError, "nesterov")]
)


@pytest.mark.parametrize("name,kwargs,exc,match", BAD_CASES,
                         ids=[f"{n}({_id(kw)})" for n, kw, _, _ in BAD_CASES])
def test_bad_hyperparameters_are_rejected(name, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        getattr(steppers, name)(**kwargs)


@pytest.mark.parametrize("name,arg", [(n, a) for n, args in NUMERIC.items() for a in args])
def test_range_error_names_argument_and_range(name, arg):
    with pytest.raises(ValueError, match=re.escape(f"{arg} must be in [0.0, ")):
        getattr(steppers, name)(**{arg: -1.0})


@pytest.mark.parametrize("name", list(TORCH))
def test_arguments_are_keyword_only(name):
    with pytest.raises(TypeError):
        getattr(steppers, name)(0.9)


def test_boundary_values_are_accepted():
    steppers.sgd(momentum=0, dampening=1, weight_decay=0)
    steppers.sgd(momentum=0.9, nesterov=True, dampening=0)
    steppers.adam(betas=(0, 0), eps=0, weight_decay=0, amsgrad=np.bool_(True))
    steppers.rmsprop(alpha=0, eps=0, momentum=0, weight_decay=0)
    steppers.adagrad(lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=0)
    assert steppers.sgd(momentum=1).hyperparams["momentum"] == 1.0


def test_all_is_exported():
    for name in steppers.__all__:
        assert hasattr(steppers, name)
    assert {"sgd", "adam", "adamw", "rmsprop", "adagrad"} <= set(steppers.__all__)


@pytest.mark.parametrize("kwargs", [{}, dict(maximize=True), dict(weight_decay=0.1),
                                    dict(momentum=0.9, dampening=0.3), dict(momentum=0.9, nesterov=True)],
                         ids=str)
@pytest.mark.parametrize("lr", [0.05, "array"])
def test_sgd_update_into_writes_the_bits_of_update(kwargs, lr):
    rng = np.random.default_rng(3)
    stepper = steppers.sgd(**kwargs)
    params = np.asfortranarray(rng.standard_normal((7, 3)))
    lr = rng.uniform(0.01, 0.2, (7, 1)) if lr == "array" else lr
    state_a = state_b = stepper.init(params)
    for _ in range(3):
        grad = rng.standard_normal((7, 3))          # C order, as a user's np.stack gives
        new_a, state_a = stepper.update(grad, state_a, params, lr)
        out = np.empty_like(params)
        state_b = stepper.update_into(grad, state_b, params, lr, out)
        assert np.array_equal(out, new_a)
        assert state_a.step == state_b.step
        assert (state_a.momentum_buffer is None) == (state_b.momentum_buffer is None)
        if state_a.momentum_buffer is not None:
            assert np.array_equal(state_a.momentum_buffer, state_b.momentum_buffer)
        params = new_a


# --------------------------------------------------------------------------- Newton (no torch class)

def test_newton_lands_on_a_quadratics_minimum_in_one_step():
    import lrlab
    from lrlab import losses
    rng = np.random.default_rng(5)
    Q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    A = (Q * np.geomspace(0.01, 100.0, 4)) @ Q.T                      # κ = 10^4: GD would crawl
    q = losses.quadratic(A, center=rng.standard_normal(4))
    x0 = rng.standard_normal((5, 4)) * 10
    traj = lrlab.run(loss=q, stepper=steppers.newton(q), x0=x0, lr=1.0, num_steps=2)
    np.testing.assert_allclose(traj.params[1], np.broadcast_to(q.center, (5, 4)), rtol=0, atol=1e-9)
    half = lrlab.run(loss=q, stepper=steppers.newton(q), x0=x0, lr=0.5, num_steps=1)   # damped: halfway
    np.testing.assert_allclose(half.params[1], (x0 + q.center) / 2, rtol=1e-9, atol=1e-9)
    one = lrlab.run(loss=q, stepper=steppers.newton(q), x0=x0[3], lr=1.0, num_steps=2)
    np.testing.assert_array_equal(one.params, traj.params[:, 3])


def test_newton_on_1d_is_gradient_descent_with_the_newton_lr():
    import lrlab
    from lrlab import losses, theory
    quartic = losses.quartic()
    traj = lrlab.run(loss=quartic, stepper=steppers.newton(quartic), x0=[2.0], lr=1.0, num_steps=6)
    for t in range(6):
        x = traj.params[t]
        np.testing.assert_allclose(traj.params[t + 1], x - theory.newton_lr(quartic, x=x) * quartic.grad(x),
                                   rtol=1e-14, atol=1e-300)
    assert traj.loss[-1] < 1e-20                                        # quadratic convergence near 0
    with pytest.raises(TypeError, match="hessian"):
        steppers.newton(object())
