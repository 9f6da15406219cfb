"""Tests for lrlab.schedules: torch.optim.lr_scheduler as the oracle, then properties and bad input."""
from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlab import schedules

RTOL, ATOL = 1e-10, 1e-15


# ---------------------------------------------------------------------------
# torch oracle


def torch_lrs(make, opt_lr, num_steps):
    """get_last_lr()[0] after 0..num_steps scheduler steps, each after an optimizer step."""
    torch = pytest.importorskip("torch")
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([param], lr=opt_lr, foreach=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. deprecation notes on schedulers
        sched = make(opt, torch.optim.lr_scheduler)
        gold = [sched.get_last_lr()[0]]
        for _ in range(num_steps):
            param.grad = torch.zeros_like(param)
            opt.step()
            sched.step()
            gold.append(sched.get_last_lr()[0])
    return np.array([float(lr) for lr in gold])


def assert_matches(mine: schedules.Schedule, gold: np.ndarray):
    t = np.arange(len(gold))
    scalar = np.array([mine(int(i)) for i in t])
    assert all(isinstance(mine(int(i)), float) for i in t[:3])
    np.testing.assert_allclose(scalar, gold, rtol=RTOL, atol=ATOL)
    # vectorized calls agree with the scalar ones, in any shape
    np.testing.assert_array_equal(mine(t), scalar)
    np.testing.assert_array_equal(mine.values(len(gold)), scalar)
    if len(t) % 2 == 0:
        np.testing.assert_array_equal(mine(t.reshape(2, -1)), scalar.reshape(2, -1))
    rev = t[::-1].astype(np.int32)
    np.testing.assert_array_equal(mine(rev), scalar[::-1])


def sched_inv_sq(x):
    return 1 / (1 + x) ** 0.5


# (lrlab factory, torch class, optimizer lr (becomes base_lr unless None), shared kwargs, scheduler steps)
ORACLE_CASES = [
    ("step_lr", "StepLR", 0.1, dict(step_size=3), 20),
    ("step_lr", "StepLR", 0.5, dict(step_size=1, gamma=0.7), 30),
    ("step_lr", "StepLR", 1.0, dict(step_size=4, gamma=1.5), 25),
    ("multistep_lr", "MultiStepLR", 0.1, dict(milestones=[2, 5, 9]), 20),
    ("multistep_lr", "MultiStepLR", 0.3, dict(milestones=[0, 4], gamma=0.5), 12),
    ("multistep_lr", "MultiStepLR", 0.3, dict(milestones=[]), 5),
    ("exponential_lr", "ExponentialLR", 0.1, dict(gamma=0.9), 60),
    ("exponential_lr", "ExponentialLR", 1.0, dict(gamma=1.01), 60),
    ("cosine_annealing_lr", "CosineAnnealingLR", 0.1, dict(T_max=10), 3 * 10 + 5),
    ("cosine_annealing_lr", "CosineAnnealingLR", 0.1, dict(T_max=7, eta_min=0.01), 3 * 7 + 5),
    ("cosine_annealing_lr", "CosineAnnealingLR", 0.05, dict(T_max=1, eta_min=0.001), 8),
    ("cosine_annealing_lr", "CosineAnnealingLR", 0.01, dict(T_max=4, eta_min=0.05), 3 * 4 + 5),
    ("cosine_annealing_lr", "CosineAnnealingLR", 0.3, dict(T_max=50, eta_min=1e-4), 3 * 50 + 5),
    ("cosine_annealing_warm_restarts", "CosineAnnealingWarmRestarts", 0.1, dict(T_0=5), 3 * 5 + 3),
    ("cosine_annealing_warm_restarts", "CosineAnnealingWarmRestarts", 0.1,
     dict(T_0=4, eta_min=0.02), 4 * 4 + 2),
    ("cosine_annealing_warm_restarts", "CosineAnnealingWarmRestarts", 0.1,
     dict(T_0=3, T_mult=2, eta_min=0.01), 3 + 6 + 12 + 24 + 5),
    ("cosine_annealing_warm_restarts", "CosineAnnealingWarmRestarts", 0.2,
     dict(T_0=1, T_mult=3), 1 + 3 + 9 + 27 + 10),
    ("cyclic_lr", "CyclicLR", None, dict(base_lr=0.01, max_lr=0.1, step_size_up=4), 3 * 8 + 3),
    ("cyclic_lr", "CyclicLR", None,
     dict(base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5, mode="triangular2"), 5 * 8),
    ("cyclic_lr", "CyclicLR", None,
     dict(base_lr=0.001, max_lr=0.1, step_size_up=5, mode="exp_range", gamma=0.97), 5 * 10),
    ("cyclic_lr", "CyclicLR", None, dict(base_lr=0.2, max_lr=0.05, step_size_up=3, step_size_down=0), 12),
    ("cyclic_lr", "CyclicLR", None,
     dict(base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=3, scale_fn=sched_inv_sq), 25),
    ("cyclic_lr", "CyclicLR", None,
     dict(base_lr=0.01, max_lr=0.1, step_size_up=2, scale_fn=sched_inv_sq, scale_mode="iterations",
          mode="exp_range"), 25),
    # one-cycle through t = total_steps, the last step torch allows
    ("one_cycle_lr", "OneCycleLR", None, dict(max_lr=0.1, total_steps=100), 100),
    ("one_cycle_lr", "OneCycleLR", None, dict(max_lr=1.0, total_steps=50, anneal_strategy="linear"), 50),
    ("one_cycle_lr", "OneCycleLR", None, dict(max_lr=0.5, total_steps=60, three_phase=True), 60),
    ("one_cycle_lr", "OneCycleLR", None,
     dict(max_lr=0.5, epochs=4, steps_per_epoch=7, pct_start=0.25, div_factor=10.0, final_div_factor=100.0,
          anneal_strategy="linear", three_phase=True), 28),
    ("one_cycle_lr", "OneCycleLR", None, dict(max_lr=0.2, total_steps=10, pct_start=0.15), 10),
    ("linear_lr", "LinearLR", 0.1, dict(), 10),
    ("linear_lr", "LinearLR", 0.1, dict(start_factor=0.5, end_factor=0.1, total_iters=8), 20),
    ("linear_lr", "LinearLR", 1.0, dict(start_factor=1.0, end_factor=0.0, total_iters=4), 10),
    ("linear_lr", "LinearLR", 0.05, dict(start_factor=0.01, total_iters=100), 110),
    ("polynomial_lr", "PolynomialLR", 0.1, dict(total_iters=10), 20),
    ("polynomial_lr", "PolynomialLR", 0.1, dict(total_iters=10, power=2.0), 20),
    ("polynomial_lr", "PolynomialLR", 0.3, dict(total_iters=7, power=0.5), 15),
    ("constant_lr", "ConstantLR", 0.1, dict(), 10),
    ("constant_lr", "ConstantLR", 0.1, dict(factor=0.5, total_iters=3), 10),
    ("constant_lr", "ConstantLR", 0.7, dict(factor=1.0, total_iters=1), 5),
]


def _case_id(case):
    name, _, _, kw, _ = case
    return name + "-" + ",".join(f"{k}={getattr(v, '__name__', v)}" for k, v in kw.items())


TORCH_ONLY = {"CyclicLR": dict(cycle_momentum=False), "OneCycleLR": dict(cycle_momentum=False)}


@pytest.mark.parametrize("case", ORACLE_CASES, ids=[_case_id(c) for c in ORACLE_CASES])
def test_matches_torch(case):
    name, cls, opt_lr, kw, num_steps = case
    mine = getattr(schedules, name)(**({} if opt_lr is None else {"base_lr": opt_lr}), **kw)
    gold = torch_lrs(lambda opt, L: getattr(L, cls)(opt, **kw, **TORCH_ONLY.get(cls, {})),
                     1.0 if opt_lr is None else opt_lr, num_steps)
    assert_matches(mine, gold)


@settings(max_examples=25, deadline=None)
@given(base_lr=st.floats(1e-4, 1.0), eta_frac=st.floats(0.0, 0.5), T_0=st.integers(1, 6),
       T_mult=st.integers(1, 3))
def test_warm_restarts_matches_torch_random(base_lr, eta_frac, T_0, T_mult):
    kw = dict(T_0=T_0, T_mult=T_mult, eta_min=base_lr * eta_frac)
    gold = torch_lrs(lambda opt, L: L.CosineAnnealingWarmRestarts(opt, **kw), base_lr, 60)
    assert_matches(schedules.cosine_annealing_warm_restarts(base_lr, **kw), gold)


@settings(max_examples=25, deadline=None)
@given(base_lr=st.floats(1e-4, 1.0), eta_frac=st.floats(0.0, 2.0), T_max=st.integers(1, 12))
def test_cosine_matches_torch_random(base_lr, eta_frac, T_max):
    kw = dict(T_max=T_max, eta_min=base_lr * eta_frac)
    gold = torch_lrs(lambda opt, L: L.CosineAnnealingLR(opt, **kw), base_lr, 5 * T_max + 3)
    assert_matches(schedules.cosine_annealing_lr(base_lr, **kw), gold)


@settings(max_examples=25, deadline=None)
@given(lo=st.floats(0.0, 0.1), hi=st.floats(0.0, 1.0), up=st.integers(1, 6), down=st.integers(0, 6),
       mode=st.sampled_from(["triangular", "triangular2", "exp_range"]), gamma=st.floats(0.8, 1.0))
def test_cyclic_matches_torch_random(lo, hi, up, down, mode, gamma):
    kw = dict(base_lr=lo, max_lr=hi, step_size_up=up, step_size_down=down, mode=mode, gamma=gamma)
    gold = torch_lrs(lambda opt, L: L.CyclicLR(opt, **kw, cycle_momentum=False), 1.0, 4 * (up + down) + 3)
    assert_matches(schedules.cyclic_lr(**kw), gold)


# ---------------------------------------------------------------------------
# sequential_lr against torch's SequentialLR: each spec is (lrlab name, torch class, kwargs)


SEQUENTIAL_CASES = [
    ("warmup-cosine", 0.1,
     [("linear_lr", "LinearLR", dict(start_factor=0.01, total_iters=5)),
      ("cosine_annealing_lr", "CosineAnnealingLR", dict(T_max=20, eta_min=1e-4))],
     [5], 5 + 3 * 20 + 5),
    ("constant-exponential-restarts", 0.2,
     [("constant_lr", "ConstantLR", dict(factor=0.5, total_iters=3)),
      ("exponential_lr", "ExponentialLR", dict(gamma=0.9)),
      ("cosine_annealing_warm_restarts", "CosineAnnealingWarmRestarts", dict(T_0=4, T_mult=2, eta_min=0.01))],
     [4, 12], 12 + 4 + 8 + 16 + 5),
    # linear finishes (t=3) before its milestone (t=6) and stays at end_factor
    ("linear-step-polynomial", 0.3,
     [("linear_lr", "LinearLR", dict(start_factor=0.2, end_factor=0.8, total_iters=3)),
      ("step_lr", "StepLR", dict(step_size=2, gamma=0.5)),
      ("polynomial_lr", "PolynomialLR", dict(total_iters=6, power=2.0))],
     [6, 10], 25),
    # a milestone at 0: the first schedule is never used
    ("milestone-0", 0.1,
     [("constant_lr", "ConstantLR", dict(factor=0.5, total_iters=3)),
      ("linear_lr", "LinearLR", dict(start_factor=0.1, total_iters=4))],
     [0], 10),
    # the next schedule restarts from its own t = 0, here a decay at its own step 0
    ("multistep-at-0", 0.1,
     [("exponential_lr", "ExponentialLR", dict(gamma=0.8)),
      ("multistep_lr", "MultiStepLR", dict(milestones=[0, 3], gamma=0.5)),
      ("constant_lr", "ConstantLR", dict(factor=0.25, total_iters=2))],
     [4, 9], 16),
    ("warmup-cyclic", 0.1,
     [("linear_lr", "LinearLR", dict(start_factor=0.1, total_iters=3)),
      ("cyclic_lr", "CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3))],
     [3], 3 + 3 * 6 + 2),
    ("single", 0.1, [("cosine_annealing_lr", "CosineAnnealingLR", dict(T_max=6))], [], 20),
]


def _mine(name, kw, base_lr):
    if name == "cyclic_lr":
        return schedules.cyclic_lr(**kw)
    return getattr(schedules, name)(base_lr, **kw)


def _theirs(L, opt, cls, kw):
    return getattr(L, cls)(opt, **kw, **TORCH_ONLY.get(cls, {}))


@pytest.mark.parametrize("case", SEQUENTIAL_CASES, ids=[c[0] for c in SEQUENTIAL_CASES])
def test_sequential_matches_torch(case):
    _, base_lr, specs, milestones, num_steps = case
    mine = schedules.sequential_lr([_mine(n, kw, base_lr) for n, _, kw in specs], milestones)

    def make(opt, L):
        return L.SequentialLR(opt, [_theirs(L, opt, cls, kw) for _, cls, kw in specs], milestones=milestones)

    assert_matches(mine, torch_lrs(make, base_lr, num_steps))


def test_sequential_is_piecewise_restart():
    warm = schedules.linear_lr(1.0, start_factor=0.1, total_iters=10)
    decay = schedules.exponential_lr(1.0, gamma=0.5)
    seq = schedules.sequential_lr([warm, decay], milestones=[4])
    t = np.arange(12)
    expected = np.where(t < 4, warm(t), decay(np.maximum(t - 4, 0)))
    np.testing.assert_array_equal(seq(t), expected)
    assert seq(3) < seq(4) == 1.0  # jumps to the next schedule's initial lr, not where warm-up stopped


def test_sequential_onecycle_overwrites_initial_lr_in_torch():
    """torch quirk: OneCycleLR sets the optimizer's initial_lr to max_lr/div_factor, and SequentialLR
    restarts the first scheduler from that lr, not from the optimizer's lr. lrlab schedules carry
    their own base_lr, so the torch result is reproduced by giving the warm-up that base_lr."""
    oc = dict(max_lr=0.5, total_steps=20, div_factor=25.0)
    warm = dict(start_factor=0.5, total_iters=4)
    mine = schedules.sequential_lr([schedules.linear_lr(oc["max_lr"] / oc["div_factor"], **warm),
                                    schedules.one_cycle_lr(**oc)], milestones=[3])

    def make(opt, L):
        return L.SequentialLR(opt, [L.LinearLR(opt, **warm), L.OneCycleLR(opt, **oc, cycle_momentum=False)],
                              milestones=[3])

    gold = torch_lrs(make, 1.0, 3 + oc["total_steps"])
    assert_matches(mine, gold)
    with pytest.raises(ValueError, match=r"\bt\b"):
        mine(3 + oc["total_steps"] + 1)


# ---------------------------------------------------------------------------
# behaviour of the Schedule object


def test_cosine_is_periodic_past_T_max():
    s = schedules.cosine_annealing_lr(0.1, T_max=8, eta_min=0.01)
    t = np.arange(40)
    np.testing.assert_allclose(s(t + 16), s(t), rtol=1e-12)
    assert s(8) == pytest.approx(0.01) and s(16) == pytest.approx(0.1)


def test_warm_restarts_restart_points():
    s = schedules.cosine_annealing_warm_restarts(0.1, T_0=3, T_mult=2)
    assert [s(t) for t in (0, 3, 9, 21, 45)] == [0.1] * 5
    assert all(s(t) < 0.1 for t in (1, 2, 4, 8, 10, 20, 22, 44))


def test_one_cycle_end_and_past_end():
    s = schedules.one_cycle_lr(max_lr=1.0, total_steps=10, anneal_strategy="linear")
    assert s(2) == 1.0
    assert s(9) == pytest.approx(1.0 / 25 / 1e4)
    assert s(10) < 0  # torch's extrapolation at t = total_steps
    with pytest.raises(ValueError, match=r"\bt\b"):
        s(11)
    with pytest.raises(ValueError, match=r"\bt\b"):
        s(np.arange(12))
    with pytest.raises(ValueError, match=r"\bt\b"):
        s.values(12)


def test_schedule_object():
    s = schedules.cosine_annealing_lr(0.1, T_max=10)
    assert s.name == "cosine_annealing_lr"
    assert dict(s.kwargs) == dict(base_lr=0.1, T_max=10, eta_min=0.0)
    assert repr(s) == "cosine_annealing_lr(base_lr=0.1, T_max=10, eta_min=0.0)"
    with pytest.raises(TypeError):
        s.kwargs["T_max"] = 3
    assert isinstance(s(np.int64(3)), float)
    assert s(np.array(3)).shape == ()
    assert s(np.zeros((0, 2), dtype=int)).shape == (0, 2)
    assert s(np.arange(6, dtype=np.uint8).reshape(3, 2)).dtype == np.float64
    assert s([1, 2]).shape == (2,)
    assert s.values(0).shape == (0,)
    t = np.arange(5)
    before = t.copy()
    first = s(t)
    np.testing.assert_array_equal(s(t), first)  # stateless
    np.testing.assert_array_equal(t, before)  # input untouched
    clone = pickle.loads(pickle.dumps(s))
    np.testing.assert_array_equal(clone.values(30), s.values(30))
    seq = schedules.sequential_lr([s, schedules.constant_lr(0.1)], [4])
    assert repr(seq).startswith("sequential_lr(schedulers=[cosine_annealing_lr(")


def test_all_exported():
    assert set(schedules.__all__) == {
        "Schedule", "step_lr", "multistep_lr", "exponential_lr", "cosine_annealing_lr",
        "cosine_annealing_warm_restarts", "cyclic_lr", "one_cycle_lr", "linear_lr", "polynomial_lr",
        "constant_lr", "sequential_lr", "PlateauState", "PlateauSchedule", "reduce_lr_on_plateau"}
    for name in schedules.__all__:
        assert getattr(schedules, name).__doc__


ALL_SCHEDULES = [
    schedules.step_lr(0.1, 3),
    schedules.multistep_lr(0.1, [2, 7]),
    schedules.exponential_lr(0.1, 0.95),
    schedules.cosine_annealing_lr(0.1, 9, 0.001),
    schedules.cosine_annealing_warm_restarts(0.1, 2, 2, 0.001),
    schedules.cyclic_lr(0.01, 0.1, 4, 2, mode="triangular2"),
    schedules.one_cycle_lr(0.1, total_steps=500),
    schedules.linear_lr(0.1),
    schedules.polynomial_lr(0.1, 20, 2.0),
    schedules.constant_lr(0.1),
    schedules.sequential_lr([schedules.linear_lr(0.1), schedules.cosine_annealing_lr(0.1, 30)], [5]),
]


@settings(max_examples=40, deadline=None)
@given(which=st.integers(0, len(ALL_SCHEDULES) - 1),
       ts=st.lists(st.integers(0, 500), min_size=1, max_size=20))
def test_vectorized_equals_scalar(which, ts):
    s = ALL_SCHEDULES[which]
    out = s(np.array(ts))
    assert out.dtype == np.float64 and out.shape == (len(ts),)
    np.testing.assert_array_equal(out, [s(t) for t in ts])
    assert np.all(np.isfinite(out)) and np.all(out >= 0)


# ---------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("t", [-1, 1.5, 2.0, True, "3", None, np.array([0.0, 1.0]), np.array([3, -1]),
                               [1, -2], np.float64(1.0)])
def test_bad_t(t):
    s = schedules.step_lr(0.1, 3)
    with pytest.raises(ValueError, match=r"\bt\b"):
        s(t)


def test_bad_num_steps():
    s = schedules.step_lr(0.1, 3)
    with pytest.raises(ValueError, match="num_steps"):
        s.values(-1)
    with pytest.raises(TypeError, match="num_steps"):
        s.values(2.5)


S = schedules
_one = S.constant_lr(0.1)
BAD = [
    # (factory, args, kwargs, exception, argument named in the message)
    (S.step_lr, (-0.1, 3), {}, ValueError, "base_lr"),
    (S.step_lr, (math.nan, 3), {}, ValueError, "base_lr"),
    (S.step_lr, (math.inf, 3), {}, ValueError, "base_lr"),
    (S.step_lr, ("0.1", 3), {}, TypeError, "base_lr"),
    (S.step_lr, (np.array([0.1, 0.2]), 3), {}, TypeError, "base_lr"),
    (S.step_lr, (0.1, 0), {}, ValueError, "step_size"),
    (S.step_lr, (0.1, 1.5), {}, TypeError, "step_size"),
    (S.step_lr, (0.1, 3), dict(gamma=0.0), ValueError, "gamma"),
    (S.step_lr, (0.1, 3), dict(gamma=-0.5), ValueError, "gamma"),
    (S.multistep_lr, (-1.0, [2]), {}, ValueError, "base_lr"),
    (S.multistep_lr, (0.1, [3, 2]), {}, ValueError, "milestones"),
    (S.multistep_lr, (0.1, [2, 2]), {}, ValueError, "milestones"),
    (S.multistep_lr, (0.1, [-1, 3]), {}, ValueError, "milestones"),
    (S.multistep_lr, (0.1, [1.5]), {}, TypeError, "milestones"),
    (S.multistep_lr, (0.1, 3), {}, TypeError, "milestones"),
    (S.multistep_lr, (0.1, [2]), dict(gamma=math.nan), ValueError, "gamma"),
    (S.exponential_lr, (-0.1, 0.9), {}, ValueError, "base_lr"),
    (S.exponential_lr, (0.1, 0.0), {}, ValueError, "gamma"),
    (S.exponential_lr, (0.1, math.inf), {}, ValueError, "gamma"),
    (S.exponential_lr, (0.1, 0.9), dict(last_epoch=-2), ValueError, "last_epoch"),
    (S.exponential_lr, (0.1, 0.9), dict(last_epoch=1.5), TypeError, "last_epoch"),
    (S.step_lr, (0.1, 2), dict(last_epoch=True), TypeError, "last_epoch"),
    (S.sequential_lr, ([S.constant_lr(0.1)], []), dict(schedules=[S.constant_lr(0.1)]), TypeError, "schedules"),
    (S.cosine_annealing_lr, (-0.1, 10), {}, ValueError, "base_lr"),
    (S.cosine_annealing_lr, (0.1, 0), {}, ValueError, "T_max"),
    (S.cosine_annealing_lr, (0.1, -5), {}, ValueError, "T_max"),
    (S.cosine_annealing_lr, (0.1, 2.5), {}, TypeError, "T_max"),
    (S.cosine_annealing_lr, (0.1, 10), dict(eta_min=-1e-3), ValueError, "eta_min"),
    (S.cosine_annealing_lr, (0.1, 10), dict(eta_min=math.inf), ValueError, "eta_min"),
    (S.cosine_annealing_warm_restarts, (math.nan, 5), {}, ValueError, "base_lr"),
    (S.cosine_annealing_warm_restarts, (0.1, 0), {}, ValueError, "T_0"),
    (S.cosine_annealing_warm_restarts, (0.1, 2.5), {}, TypeError, "T_0"),
    (S.cosine_annealing_warm_restarts, (0.1, 5), dict(T_mult=0), ValueError, "T_mult"),
    (S.cosine_annealing_warm_restarts, (0.1, 5), dict(T_mult=1.5), TypeError, "T_mult"),
    (S.cosine_annealing_warm_restarts, (0.1, 5), dict(eta_min=-0.1), ValueError, "eta_min"),
    (S.cyclic_lr, (-0.01, 0.1), {}, ValueError, "base_lr"),
    (S.cyclic_lr, (0.01, math.nan), {}, ValueError, "max_lr"),
    (S.cyclic_lr, (0.01, 0.1), dict(step_size_up=0), ValueError, "step_size_up"),
    (S.cyclic_lr, (0.01, 0.1), dict(step_size_down=-1), ValueError, "step_size_down"),
    (S.cyclic_lr, (0.01, 0.1), dict(mode="triangle"), ValueError, "mode"),
    (S.cyclic_lr, (0.01, 0.1), dict(mode="exp_range", gamma=0.0), ValueError, "gamma"),
    (S.cyclic_lr, (0.01, 0.1), dict(scale_mode="epochs"), ValueError, "scale_mode"),
    (S.cyclic_lr, (0.01, 0.1), dict(mode="exp_range", gamma=1.1), ValueError, "gamma"),
    (S.cyclic_lr, (0.01, 0.1), dict(scale_fn=3), TypeError, "scale_fn"),
    (S.cyclic_lr, (0.01, 0.1), dict(cycle_momentum=False), TypeError, "cycle_momentum"),
    (S.one_cycle_lr, (-0.1,), dict(total_steps=100), ValueError, "max_lr"),
    (S.one_cycle_lr, (0.1,), dict(total_steps=0), ValueError, "total_steps"),
    (S.one_cycle_lr, (0.1,), dict(total_steps=10.5), TypeError, "total_steps"),
    (S.one_cycle_lr, (0.1,), {}, ValueError, "total_steps"),
    (S.one_cycle_lr, (0.1,), dict(epochs=5), ValueError, "steps_per_epoch"),
    (S.one_cycle_lr, (0.1,), dict(epochs=0, steps_per_epoch=10), ValueError, "epochs"),
    (S.one_cycle_lr, (0.1,), dict(epochs=3, steps_per_epoch=-1), ValueError, "steps_per_epoch"),
    (S.one_cycle_lr, (0.1,), dict(total_steps=100, pct_start=0.0), ValueError, "pct_start"),
    (S.one_cycle_lr, (0.1,), dict(total_steps=100, pct_start=1.0), ValueError, "pct_start"),
    (S.one_cycle_lr, (0.1,), dict(total_steps=100, pct_start=1.2), ValueError, "pct_start"),
    (S.one_cycle_lr, (0.1,), dict(total_steps=3), ValueError, "pct_start"),  # 0.3 * 3 <= 1
    (S.one_cycle_lr, (0.1,), dict(total_steps=10, pct_start=0.1), ValueError, "pct_start"),  # torch: 0/0
    (S.one_cycle_lr, (0.1,), dict(total_steps=100, pct_start=0.6, three_phase=True), ValueError, "pct_start"),
    (S.one_cycle_lr, (0.1,), dict(total_steps=100, anneal_strategy="cosine"), ValueError, "anneal_strategy"),
    (S.one_cycle_lr, (0.1,), dict(total_steps=100, div_factor=0.0), ValueError, "div_factor"),
    (S.one_cycle_lr, (0.1,), dict(total_steps=100, final_div_factor=-1.0), ValueError, "final_div_factor"),
    (S.one_cycle_lr, (0.1,), dict(total_steps=100, three_phase="yes"), TypeError, "three_phase"),
    (S.linear_lr, (-0.1,), {}, ValueError, "base_lr"),
    (S.linear_lr, (0.1,), dict(start_factor=0.0), ValueError, "start_factor"),
    (S.linear_lr, (0.1,), dict(start_factor=1.5), ValueError, "start_factor"),
    (S.linear_lr, (0.1,), dict(end_factor=-0.1), ValueError, "end_factor"),
    (S.linear_lr, (0.1,), dict(end_factor=1.1), ValueError, "end_factor"),
    (S.linear_lr, (0.1,), dict(total_iters=0), ValueError, "total_iters"),
    (S.polynomial_lr, (math.inf,), {}, ValueError, "base_lr"),
    (S.polynomial_lr, (0.1,), dict(total_iters=0), ValueError, "total_iters"),
    (S.polynomial_lr, (0.1,), dict(power=-1.0), ValueError, "power"),
    (S.polynomial_lr, (0.1,), dict(power=math.nan), ValueError, "power"),
    (S.constant_lr, (-0.1,), {}, ValueError, "base_lr"),
    (S.constant_lr, (0.1,), dict(factor=0.0), ValueError, "factor"),
    (S.constant_lr, (0.1,), dict(factor=1.5), ValueError, "factor"),
    (S.constant_lr, (0.1,), dict(total_iters=0), ValueError, "total_iters"),
    (S.sequential_lr, ([], []), {}, ValueError, "schedulers"),
    (S.sequential_lr, (_one, []), {}, TypeError, "schedulers"),
    (S.sequential_lr, ([_one, lambda t: 0.1], [3]), {}, TypeError, "schedulers"),
    (S.sequential_lr, ([_one, _one], []), {}, ValueError, "milestones"),
    (S.sequential_lr, ([_one, _one], [2, 4]), {}, ValueError, "milestones"),
    (S.sequential_lr, ([_one, _one, _one], [5, 3]), {}, ValueError, "milestones"),
    (S.sequential_lr, ([_one, _one], [-1]), {}, ValueError, "milestones"),
    (S.sequential_lr, ([_one, _one], [2.5]), {}, TypeError, "milestones"),
]


@pytest.mark.parametrize("factory, args, kwargs, exc, name", BAD,
                         ids=[f"{b[0].__name__}-{b[4]}-{i}" for i, b in enumerate(BAD)])
def test_bad_arguments(factory, args, kwargs, exc, name):
    with pytest.raises(exc, match=name):
        factory(*args, **kwargs)


def test_growth_overflows_quietly():
    """gamma > 1 may overflow to inf (as torch's repeated multiplication does) without a RuntimeWarning;
    a zero base_lr stays zero."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert schedules.exponential_lr(0.1, 1.5)(10**6) == math.inf
        assert schedules.exponential_lr(0.0, 1.5)(10**6) == 0.0
        assert schedules.step_lr(0.0, 1, gamma=2.0)(np.array([5000]))[0] == 0.0


def test_sequential_nests():
    inner = schedules.sequential_lr([schedules.linear_lr(0.1), schedules.exponential_lr(0.1, 0.9)], [2])
    outer = schedules.sequential_lr([schedules.step_lr(0.1, 2), inner], [4])
    t = np.arange(12)
    np.testing.assert_array_equal(outer(t), np.where(t < 4, outer.kwargs["schedulers"][0](t),
                                                     inner(np.maximum(t - 4, 0))))


# ---------------------------------------------------------------------------
# torch's last_epoch: a scheduler resumed from a checkpoint


def torch_resumed_lrs(cls, kw, opt_lr, k, num_steps):
    """torch's scheduler resumed with ``last_epoch=k``, then ``num_steps`` steps: its lr at each step.

    The resumed optimizer is the fresh one after k optimizer+scheduler steps, as loaded from a
    checkpoint (its param groups hold 'initial_lr' and the lr reached at step k). Returns
    ``(last, closed)``: ``get_last_lr()[0]`` and torch's closed form at its own step counter
    (``_get_closed_form_lr()[0]``, None for a scheduler without one).
    """
    torch = pytest.importorskip("torch")
    L = torch.optim.lr_scheduler
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([param], lr=opt_lr, foreach=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fresh = getattr(L, cls)(opt, **kw, **TORCH_ONLY.get(cls, {}))
        for _ in range(k):
            param.grad = torch.zeros_like(param)
            opt.step()
            fresh.step()
        param2 = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
        opt2 = torch.optim.SGD([param2], lr=opt_lr, foreach=False)
        opt2.load_state_dict(opt.state_dict())
        resumed = getattr(L, cls)(opt2, **kw, **TORCH_ONLY.get(cls, {}), last_epoch=k)
        closed_form = getattr(resumed, "_get_closed_form_lr", None)
        last, closed = [], []
        for step in range(num_steps + 1):
            if step:
                param2.grad = torch.zeros_like(param2)
                opt2.step()
                resumed.step()
            last.append(float(resumed.get_last_lr()[0]))
            closed.append(None if closed_form is None else float(closed_form()[0]))
    return np.array(last), (None if closed_form is None else np.array(closed))


# torch 2.13 resumes two ways at once: its step counter jumps to k + 1, while the recursive
# schedulers (Exponential, CosineAnnealing, Linear, Polynomial) keep the optimizer's lr on the
# resuming step and then recurse from it with the counter's ratios, a sequence that is no shift
# of the fresh schedule. lrlab follows the counter: its lr is torch's closed form at that counter,
# which is what the schedulers that read the counter directly (Step, MultiStep, Constant,
# CosineAnnealingWarmRestarts with T_mult=1) report as their lr.
READS_COUNTER = {"StepLR", "MultiStepLR", "ConstantLR"}
RESUME_CASES = [c for c in ORACLE_CASES if c[1] not in ("CyclicLR", "OneCycleLR")
                and not (c[1] == "CosineAnnealingWarmRestarts" and c[3].get("T_mult", 1) != 1)]


@pytest.mark.parametrize("k", [0, 3, 8])
@pytest.mark.parametrize("case", RESUME_CASES, ids=[_case_id(c) for c in RESUME_CASES])
def test_last_epoch_matches_torch(case, k):
    name, cls, opt_lr, kw, num_steps = case
    mine = getattr(schedules, name)(**({} if opt_lr is None else {"base_lr": opt_lr}), **kw, last_epoch=k)
    last, closed = torch_resumed_lrs(cls, kw, 1.0 if opt_lr is None else opt_lr, k, num_steps)
    if closed is not None:
        assert_matches(mine, closed)
    if closed is None or cls in READS_COUNTER:
        assert_matches(mine, last)
    fresh = getattr(schedules, name)(**({} if opt_lr is None else {"base_lr": opt_lr}), **kw)
    np.testing.assert_array_equal(mine.values(num_steps), fresh(np.arange(num_steps) + k + 1))


def test_last_epoch_default_and_pickle():
    s = schedules.cosine_annealing_lr(0.1, T_max=10, last_epoch=4)
    assert s.kwargs["last_epoch"] == 4 and "last_epoch=4" in repr(s)
    assert "last_epoch" not in schedules.cosine_annealing_lr(0.1, T_max=10).kwargs
    back = pickle.loads(pickle.dumps(s))
    np.testing.assert_array_equal(back.values(12), s.values(12))
    assert s(0) == schedules.cosine_annealing_lr(0.1, T_max=10)(5)


def test_sequential_lr_takes_torchs_argument_name():
    warm = schedules.linear_lr(0.1, start_factor=0.1, total_iters=3)
    decay = schedules.cosine_annealing_lr(0.1, T_max=10)
    by_name = schedules.sequential_lr(schedulers=[warm, decay], milestones=[3])
    positional = schedules.sequential_lr([warm, decay], [3])
    np.testing.assert_array_equal(by_name.values(15), positional.values(15))
    resumed = schedules.sequential_lr(schedulers=[warm, decay], milestones=[3], last_epoch=1)
    np.testing.assert_array_equal(resumed.values(10), positional(np.arange(10) + 2))
