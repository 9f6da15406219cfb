"""Bad input to lrlab.diagnostics: a clear TypeError/ValueError naming the argument."""
from __future__ import annotations

import re

import numpy as np
import pytest

from lrlab import diagnostics as D
from lrlab import losses

LRS = np.geomspace(1e-4, 1.0, 10)
CURVE = 1.0 / (1.0 + np.arange(10.0))


@pytest.mark.parametrize("call, exc, name", [
    (lambda: D.suggest_lr([], []), ValueError, "lrs"),
    (lambda: D.suggest_lr([1e-3, 1e-2], [1.0]), ValueError, "smoothed"),
    (lambda: D.suggest_lr([0.0, 1e-2, 1e-1], [3.0, 2.0, 1.0]), ValueError, "lrs"),
    (lambda: D.suggest_lr(LRS[::-1], CURVE), ValueError, "lrs"),
    (lambda: D.suggest_lr(LRS, CURVE, skip=10), ValueError, "skip"),
    (lambda: D.suggest_lr(LRS, ["a"] * 10), TypeError, "smoothed"),
    (lambda: D.analyze_lr_range(LRS, CURVE[:5]), ValueError, "lrs"),
    (lambda: D.analyze_lr_range(LRS, CURVE, smooth=1.0), ValueError, "smooth"),
    (lambda: D.jump_share([]), ValueError, "loss"),
    (lambda: D.jump_share(CURVE, jump=1.0), ValueError, "jump"),
    (lambda: D.read_loss_curve("abc"), TypeError, "loss"),
    (lambda: D.read_loss_curve([1.0]), ValueError, "loss"),
    (lambda: D.read_loss_curve(CURVE, spiky=2.0), ValueError, "spiky"),
    (lambda: D.first_step_below([], 1.0), ValueError, "values"),
    (lambda: D.first_step_below(CURVE, "0.5"), TypeError, "level"),
    (lambda: D.first_step_below(CURVE, 0.5, stay=1), TypeError, "stay"),
    (lambda: D.moving_average([1.0, "a"]), TypeError, "values"),
    (lambda: D.moving_average(CURVE, beta=1.0), ValueError, "beta"),
    (lambda: D.trailing_mean(CURVE, 0), ValueError, "k"),
    (lambda: D.trailing_mean(1 + 1j * CURVE, 2), TypeError, "values"),
    (lambda: D.MovingAverage().update("1"), TypeError, "value"),
    (lambda: D.sharpness(losses.rosenbrock(), x=["a", "b"]), TypeError, "x"),
    (lambda: D.sharpness(losses.rosenbrock(), x=[np.nan, 1.0]), ValueError, "x"),
    (lambda: D.sharpness(losses.quadratic([1.0]), iters=0), ValueError, "iters"),
    (lambda: D.path_shape("run"), TypeError, "traj"),
    (lambda: D.progress("run"), TypeError, "traj"),
    (lambda: D.suggest_lr(LRS, CURVE, method=np.zeros(0)), ValueError, "method"),
    (lambda: D.suggest_lr(LRS, CURVE, method=np.array(["valley", "steepest"])), ValueError, "method"),
])
def test_bad_arguments(call, exc, name):
    with pytest.raises(exc, match=rf"(?<![A-Za-z_]){re.escape(name)}"):
        call()


def test_sharpness_checks_what_grad_returns():
    class Bad:
        def grad(self, x):
            return np.zeros(3)
    with pytest.raises(ValueError, match=re.escape("loss.grad(x) returned shape (3,)")):
        D.sharpness(Bad(), x=[0.1, 0.2])
