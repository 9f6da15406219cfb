"""Bad input to the stepper and schedule factories and to the losses/theory: errors name the argument."""
from __future__ import annotations

import re

import numpy as np
import pytest

from lrlab import losses, schedules, steppers, theory

X = np.random.default_rng(0).standard_normal((20, 2))
Y = X @ np.array([1.0, -2.0])


@pytest.mark.parametrize("call, exc, name", [
    (lambda: steppers.sgd(foreach="yes"), TypeError, "foreach"),
    (lambda: steppers.adam(fused=1), TypeError, "fused"),
    (lambda: steppers.adamw(capturable=None), TypeError, "capturable"),
    (lambda: steppers.rmsprop(differentiable=0), TypeError, "differentiable"),
    (lambda: steppers.adam(decoupled_weight_decay="yes"), TypeError, "decoupled_weight_decay"),
    (lambda: steppers.rmsprop(alpha=1.5), ValueError, "alpha"),
    (lambda: schedules.step_lr(0.1, 2, last_epoch=-2), ValueError, "last_epoch"),
    (lambda: schedules.cosine_annealing_lr(0.1, 10, last_epoch=2.5), TypeError, "last_epoch"),
    (lambda: schedules.linear_lr(0.1, total_iters=10 ** 30), ValueError, "total_iters"),
    (lambda: schedules.one_cycle_lr(0.1, total_steps=10, epochs="3"), TypeError, "epochs"),
    (lambda: schedules.sequential_lr(schedulers="linear", milestones=[]), TypeError, "schedulers"),
    (lambda: losses.quadratic(["a", "b"]), TypeError, "A"),
    (lambda: losses.quadratic([1.0, 2.0], center=[1j, 0]), TypeError, "center"),
    (lambda: losses.quadratic([1.0, 2.0]).value("ab"), TypeError, "x"),
    (lambda: losses.rosenbrock(a=1e300), ValueError, "a"),
    (lambda: losses.Curve1D(k=0.0, c=0.0), ValueError, "minimum"),
    (lambda: losses.Curve1D(k=1.0, c=0.0, wells=-1), TypeError, "wells"),
    (lambda: losses.Curve1D(k=1.0, c=0.0, wells=[(1.0, 0.0, 0.0)]), ValueError, "wells"),
    (lambda: losses.Curve1D(k=1.0, c=0.0, bounds=-1), ValueError, "bounds"),
    (lambda: losses.least_squares(X, ["a"] * 20), TypeError, "y"),
    (lambda: theory.eigenvalues("0.1"), TypeError, "loss"),
    (lambda: theory.expected_regime(losses.quadratic([1.0, 2.0]), x0="ab", lr=0.1, num_steps=5), TypeError, "x0"),
    (lambda: theory.expected_regime(losses.quadratic([1.0, 2.0]), x0=[1, 1], lr=-1, num_steps=5), ValueError, "lr"),
    (lambda: theory.MinibatchSGD(X, Y).variance_factor(0), ValueError, "B"),
    (lambda: theory.MinibatchSGD(X, Y).critical_lr(4, replacement="no"), TypeError, "replacement"),
    (lambda: theory.MinibatchSGD(X, Y).floor(0.1, 4, multiplicative=None), TypeError, "multiplicative"),
    (lambda: theory.MinibatchSGD(X, Y).stable(np.nan, 4), ValueError, "lr"),
])
def test_bad_arguments(call, exc, name):
    with pytest.raises(exc, match=rf"(?<![A-Za-z_]){re.escape(name)}"):
        call()


def test_huge_lr_rate_is_inf_without_a_warning():
    assert theory.convergence_rate(losses.quadratic([1e100]), 1e300) == np.inf


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_torch_lr_and_params_say_where_they_go(name):
    """Pasted torch code: lr and params get a message naming lrlab.run's lr / x0, not Python's bare error."""
    factory = getattr(steppers, name)
    with pytest.raises(TypeError, match=r"takes no lr: .*lrlab\.run\(\.\.\., lr=\.\.\.\)"):
        factory(lr=1e-3)
    with pytest.raises(TypeError, match=r"takes no params: .*x0="):
        factory(params=[])
    with pytest.raises(TypeError, match=r"keyword arguments only; .*params"):
        factory([1.0])
