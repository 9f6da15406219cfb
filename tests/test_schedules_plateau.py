"""lrlab.schedules.reduce_lr_on_plateau against torch.optim.lr_scheduler.ReduceLROnPlateau on recorded metrics."""
from __future__ import annotations

import math

import numpy as np
import pytest

from lrlab import schedules

torch = pytest.importorskip("torch")


def torch_plateau_lrs(metrics, base_lr, **kw):
    """get_last_lr()[0] before the first reading and after each ``scheduler.step(metric)``."""
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([param], lr=base_lr, foreach=False)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    out = [sched.get_last_lr()[0]]
    for m in metrics:
        param.grad = torch.zeros_like(param)
        opt.step()
        sched.step(m)
        out.append(sched.get_last_lr()[0])
    return np.array([float(v) for v in out])


def recorded(kind: str, n: int = 120, seed: int = 0) -> np.ndarray:
    """Loss-like sequences: a noisy decay to a floor, stairs, a rising accuracy, one crossing zero."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    if kind == "noisy decay":
        return 0.5 + np.exp(-t / 15) + 0.02 * rng.standard_normal(n)
    if kind == "stairs":
        return np.repeat([1.0, 0.8, 0.8 - 1e-5, 0.5, 0.5, 0.49999], -(-n // 6))[:n]
    if kind == "accuracy":
        return np.minimum(0.97, 0.5 + 0.4 * (1 - np.exp(-t / 20)) + 0.01 * rng.standard_normal(n))
    if kind == "negative":
        return 1.0 - t / 30 + 0.05 * rng.standard_normal(n)     # crosses 0: the rel threshold's sign matters
    raise ValueError(kind)


CASES = [
    ("noisy decay", dict()),
    ("noisy decay", dict(factor=0.5, patience=3)),
    ("noisy decay", dict(factor=0.5, patience=2, cooldown=4)),
    ("noisy decay", dict(factor=0.3, patience=1, min_lr=0.01)),
    ("noisy decay", dict(factor=0.5, patience=0, threshold=0.05, threshold_mode="abs")),
    ("noisy decay", dict(factor=0.5, patience=2, threshold=0.01, threshold_mode="rel", cooldown=2, min_lr=1e-3)),
    ("stairs", dict(factor=0.5, patience=2)),
    ("stairs", dict(factor=0.5, patience=2, threshold=0.0)),
    ("stairs", dict(factor=0.5, patience=2, threshold=1e-3, threshold_mode="abs", cooldown=1)),
    ("stairs", dict(factor=0.9, patience=0, min_lr=0.05, eps=1e-3)),
    ("accuracy", dict(mode="max", factor=0.5, patience=3)),
    ("accuracy", dict(mode="max", factor=0.5, patience=2, threshold=0.005, threshold_mode="abs", cooldown=3)),
    ("accuracy", dict(mode="max", factor=0.2, patience=1, min_lr=0.004)),
    ("negative", dict(factor=0.5, patience=2)),
    ("negative", dict(mode="max", factor=0.5, patience=2, threshold=0.1)),
    ("negative", dict(factor=0.5, patience=1, threshold=0.1, threshold_mode="abs", cooldown=2, min_lr=0.02)),
]


@pytest.mark.parametrize("kind, kw", CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(CASES)])
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_torch(kind, kw, seed):
    metrics = recorded(kind, seed=seed)
    gold = torch_plateau_lrs(metrics, 0.4, **kw)
    mine = schedules.reduce_lr_on_plateau(0.4, **kw).lrs(metrics)
    np.testing.assert_array_equal(mine, gold)
    assert gold[-1] < gold[0] or kind == "accuracy"     # the cases do cut the lr


def test_cases_exercise_every_branch():
    """The parameter sets above really reach cooldown, min_lr and eps (not just pass through)."""
    m = recorded("noisy decay")
    floor = schedules.reduce_lr_on_plateau(0.4, factor=0.3, patience=1, min_lr=0.01).lrs(m)
    assert floor[-1] == 0.01 and np.sum(np.diff(floor) < 0) >= 3
    plain = schedules.reduce_lr_on_plateau(0.4, factor=0.5, patience=2).lrs(m)
    cool = schedules.reduce_lr_on_plateau(0.4, factor=0.5, patience=2, cooldown=4).lrs(m)
    assert np.sum(np.diff(cool) < 0) < np.sum(np.diff(plain) < 0)
    held = schedules.reduce_lr_on_plateau(0.4, factor=0.9, patience=0, min_lr=0.05, eps=1e-3).lrs(recorded("stairs"))
    assert held.min() >= 0.05 and held[-1] > 0.05 - 1e-12


def test_update_is_pure_and_states_match_torch():
    s = schedules.reduce_lr_on_plateau(1.0, factor=0.5, patience=1, cooldown=2)
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([param], lr=1.0)
    gold = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=2)
    state = s.init()
    for m in [3.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0]:
        before = state
        state = s.update(state, m)
        assert before.last_epoch == state.last_epoch - 1            # a new state, the old one untouched
        gold.step(m)
        assert (state.lr, state.best, state.num_bad_epochs, state.cooldown_counter, state.last_epoch) == (
            gold.get_last_lr()[0], gold.best, gold.num_bad_epochs, gold.cooldown_counter, gold.last_epoch)


def test_nan_and_inf_metrics_count_as_bad_like_torch():
    metrics = [1.0, math.nan, math.nan, math.inf, 0.5, math.nan]
    kw = dict(factor=0.5, patience=1)
    np.testing.assert_array_equal(schedules.reduce_lr_on_plateau(0.4, **kw).lrs(metrics),
                                  torch_plateau_lrs(metrics, 0.4, **kw))


def test_no_closed_form_and_defaults():
    s = schedules.reduce_lr_on_plateau(0.1)
    assert not callable(s)                                          # no schedule(t): the lr depends on the metrics
    assert dict(s.kwargs) == dict(mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                                  cooldown=0, min_lr=0.0, eps=1e-8)
    assert repr(s).startswith("reduce_lr_on_plateau(0.1, mode='min'")
    assert s.lrs([]).tolist() == [0.1]


@pytest.mark.parametrize("kw, match", [
    (dict(factor=1.0), "factor"), (dict(factor=0.0), "factor"), (dict(patience=-1), "patience"),
    (dict(patience=1.5), "patience"), (dict(mode="lowest"), "mode"), (dict(threshold_mode="relative"), "threshold_mode"),
    (dict(threshold=-1e-3), "threshold"), (dict(cooldown=-2), "cooldown"), (dict(min_lr=-0.1), "min_lr"),
    (dict(eps=math.nan), "eps"), (dict(base_lr=-1.0), "base_lr"),
])
def test_bad_arguments_name_themselves(kw, match):
    kw = {"base_lr": 0.1, **kw}
    with pytest.raises((TypeError, ValueError), match=match):
        schedules.reduce_lr_on_plateau(**kw)


def test_bad_metric_and_state():
    s = schedules.reduce_lr_on_plateau(0.1)
    with pytest.raises(TypeError, match="metric"):
        s.update(s.init(), "low")
    with pytest.raises(TypeError, match="metric"):
        s.update(s.init(), np.ones(3))
    with pytest.raises(TypeError, match="state"):
        s.update((0.1, 1.0, 0, 0, 0), 1.0)
    with pytest.raises(ValueError, match="metrics"):
        s.lrs(np.ones((2, 2)))
