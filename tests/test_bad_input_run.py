"""Bad input to lrlab.run: every case raises TypeError/ValueError naming the argument or the loss method."""
from __future__ import annotations

import re

import numpy as np
import pytest

import lrlab
from lrlab import diagnostics, losses, schedules

Q = losses.quadratic([1.0, 2.0])


@pytest.mark.parametrize("kwargs, exc, name", [
    (dict(x0=["1", "2"]), TypeError, "x0"),
    (dict(x0=[True, False]), TypeError, "x0"),
    (dict(x0=[1 + 1j, 2.0]), TypeError, "x0"),
    (dict(x0=[[1.0, 2.0], [3.0]]), TypeError, "x0"),
    (dict(x0=[np.nan, 1.0]), ValueError, "x0"),
    (dict(x0=[]), ValueError, "x0"),
    (dict(lr="0.1"), TypeError, "lr"),
    (dict(lr=True), TypeError, "lr"),
    (dict(lr=0.1 + 0j), TypeError, "lr"),
    (dict(lr=-0.1), ValueError, "lr"),
    (dict(lr=[]), ValueError, "lr"),
    (dict(lr=lambda t: "fast"), TypeError, "lr"),
    (dict(lr=lambda t, u: 0.1), TypeError, "lr"),
    (dict(num_steps=2.5), TypeError, "num_steps"),
    (dict(num_steps=True), TypeError, "num_steps"),
    (dict(num_steps=10 ** 30), ValueError, "num_steps"),
    (dict(divergence_threshold=0.0), ValueError, "divergence_threshold"),
    (dict(record_state=1), TypeError, "record_state"),
])
def test_bad_arguments(kwargs, exc, name):
    args = dict(loss=Q, x0=[1.0, 1.0], lr=0.1, num_steps=5)
    args.update(kwargs)
    with pytest.raises(exc, match=re.escape(name)):
        lrlab.run(**args)


class UserLoss:
    """A user's 2-D quadratic; from call ``after`` on, ``method`` returns ``bad(x)``."""

    def __init__(self, method, bad, after=0, with_vg=False):
        self.method, self.bad, self.after, self.calls = method, bad, after, 0
        if with_vg:
            self.value_and_grad = self._vg

    def _out(self, name, x, good):
        if name != self.method:
            return good
        self.calls += 1
        return self.bad(x) if self.calls > self.after else good

    def value(self, x):
        return self._out("value", x, 0.5 * np.sum(x * x, axis=-1))

    def grad(self, x):
        return self._out("grad", x, np.array(x))

    def _vg(self, x):
        return self._out("value_and_grad", x, (0.5 * np.sum(x * x, axis=-1), np.array(x)))


BAD_OUTPUTS = [
    ("grad", lambda x: np.zeros(3), ValueError, r"loss.grad(x) returned shape (3,) for x of shape (1, 2)"),
    ("grad", lambda x: [[1.0], [1.0, 2.0]], TypeError, "loss.grad(x)"),
    ("grad", lambda x: np.zeros(x.shape, complex), TypeError, "loss.grad(x)"),
    ("grad", lambda x: None, TypeError, "loss.grad(x)"),
    ("value", lambda x: np.zeros(x.shape[:-1] + (1,)), ValueError, "loss.value(x) returned shape (1, 1)"),
    ("value", lambda x: "abc", TypeError, "loss.value(x)"),
    ("value", lambda x: np.zeros(x.shape[:-1], bool), TypeError, "loss.value(x)"),
    ("value_and_grad", lambda x: np.zeros(1), TypeError, "loss.value_and_grad(x)"),
    ("value_and_grad", lambda x: (np.zeros(1), np.zeros((1, 3))), ValueError, "loss.value_and_grad(x)[1]"),
]


@pytest.mark.parametrize("after", [0, 3], ids=["first call", "later call"])
@pytest.mark.parametrize("method, bad, exc, message", BAD_OUTPUTS,
                         ids=[f"{m}-{i}" for i, (m, *_rest) in enumerate(BAD_OUTPUTS)])
def test_bad_loss_outputs_are_caught_at_every_step(method, bad, exc, message, after):
    loss = UserLoss(method, bad, after=after, with_vg=method == "value_and_grad")
    with pytest.raises(exc, match=re.escape(message)):
        lrlab.run(loss, x0=[1.0, 1.0], lr=0.1, num_steps=6)


def test_value_must_be_vectorized():
    loss = UserLoss("value", lambda x: 0.0)          # a scalar for 3 points
    with pytest.raises(ValueError, match=re.escape("loss.value(x) returned shape () for x of shape (3, 2)")):
        lrlab.run(loss, x0=np.ones((3, 2)), lr=0.1, num_steps=3)


def test_valid_outputs_in_other_forms_give_the_same_run():
    ref = lrlab.run(UserLoss(None, None), x0=[1.0, 1.0], lr=0.1, num_steps=6)
    as_list = lrlab.run(UserLoss("grad", lambda x: [list(r) for r in x]), x0=[1.0, 1.0], lr=0.1, num_steps=6)
    np.testing.assert_array_equal(as_list.params, ref.params)


class Constant:
    def __init__(self, v):
        self.v = v

    def value(self, x):
        return np.full(x.shape[:-1], self.v)

    def grad(self, x):
        return np.array(x)


@pytest.mark.parametrize("v", [np.inf, np.nan])
def test_non_finite_start_is_divergence_at_0(v):
    traj = lrlab.run(Constant(v), x0=[1.0], lr=0.1, num_steps=5)
    assert bool(traj.diverged) and int(traj.diverged_at) == 0
    assert diagnostics.path_shape(traj) == "diverging"


def test_inf_loss_flagged_at_its_first_step():
    traj = lrlab.run(losses.quadratic([1e300]), x0=[1.0], lr=1.0, num_steps=5)
    assert np.isfinite(traj.loss[0]) and int(traj.diverged_at) == 1


def test_scalar_only_schedule_is_called_per_step():
    traj = lrlab.run(Q, x0=[1.0, 1.0], lr=lambda t: 0.1 if t < 5 else 0.01, num_steps=8)
    np.testing.assert_array_equal(traj.lr, [0.1] * 5 + [0.01] * 3)


def test_zero_steps_with_a_schedule_and_its_regime():
    traj = lrlab.run(Q, x0=[1.0, 1.0], lr=schedules.cosine_annealing_lr(0.1, 10), num_steps=0)
    assert traj.lr.shape == (0,) and traj.params.shape == (1, 2)
    assert diagnostics.path_shape(traj) == "monotone" and diagnostics.progress(traj) == 0.0     # nothing moved
