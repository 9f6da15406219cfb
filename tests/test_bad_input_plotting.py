"""Bad input to lrlab.plotting: a clear TypeError/ValueError naming the argument, raised before anything is drawn."""
from __future__ import annotations

import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import lrlab  # noqa: E402
from lrlab import losses, plotting, schedules  # noqa: E402

Q = losses.quadratic([1.0, 10.0])
W = losses.two_wells()
LRS = np.geomspace(1e-3, 1.0, 5)
FINAL = np.array([1.0, 0.5, 0.1, np.inf, np.nan])


def run2(lr=0.05):
    return lrlab.run(Q, x0=[1.0, 1.0], lr=lr, num_steps=10)


def run1():
    return lrlab.run(W, x0=[0.3], lr=0.05, num_steps=10)


def axes():
    return plotting.figure()[1]


COS = schedules.cosine_annealing_lr(0.1, 10)

CASES = [
    # the axes, the figure, the style
    ("ax a string", lambda: plotting.loss_curve(run2(), "abc"), TypeError, "ax"),
    ("ax a figure", lambda: plotting.curve_1d(W, plotting.figure()[0]), TypeError, "ax"),
    ("theory_lines needs ax", lambda: plotting.theory_lines(None, Q), TypeError, "ax"),
    ("lr_ruler needs ax", lambda: plotting.lr_ruler(None, 1e-3, 1.0), TypeError, "ax"),
    ("fig not a figure", lambda: plotting.png_bytes(axes()), TypeError, "fig"),
    ("dpi zero", lambda: plotting.png_bytes(plotting.figure()[0], dpi=0), ValueError, "dpi"),
    ("dpi a string", lambda: plotting.show(plotting.figure()[0], dpi="100"), TypeError, "dpi"),
    ("nrows zero", lambda: plotting.figure(0, 1), ValueError, "nrows"),
    ("ncols a float", lambda: plotting.figure(1, 2.5), TypeError, "ncols"),
    ("ncols huge", lambda: plotting.figure(1, 10 ** 6), ValueError, "ncols"),
    ("width negative", lambda: plotting.figure(width=-3.0), ValueError, "width"),
    ("height nan", lambda: plotting.figure(height=np.nan), ValueError, "height"),
    ("squeeze not a flag", lambda: plotting.figure(squeeze=1), TypeError, "squeeze"),
    ("use_style(None)", lambda: plotting.use_style(None), TypeError, "presenter"),
    ("style('yes')", lambda: plotting.style("yes"), TypeError, "presenter"),
    # trajectories
    ("gap of a list", lambda: plotting.gap([1.0, 2.0]), TypeError, "traj"),
    ("loss_curve of an array", lambda: plotting.loss_curve(np.ones(5)), TypeError, "traj"),
    ("path_2d of a 1-D run", lambda: plotting.path_2d(run1()), ValueError, "traj"),
    ("path_1d of a 2-D run", lambda: plotting.path_1d(W, run2()), ValueError, "traj"),
    ("path_1d of a batch", lambda: plotting.path_1d(W, lrlab.run(W, x0=[0.3], lr=[0.05, 0.1], num_steps=5)),
     ValueError, "traj"),
    ("small_multiples of a 3-D run", lambda: plotting.small_multiples(
        lrlab.run(losses.quadratic([1.0, 2.0, 3.0]), x0=[1.0, 1.0, 1.0], lr=0.1, num_steps=5), Q),
     ValueError, "traj"),
    # losses
    ("curve_1d of a string", lambda: plotting.curve_1d("abc"), TypeError, "loss"),
    ("curve_1d of a 2-D loss", lambda: plotting.curve_1d(Q), ValueError, "loss"),
    ("contour of a 1-D loss", lambda: plotting.contour(W), ValueError, "loss"),
    ("contour of None", lambda: plotting.contour(None), TypeError, "loss"),
    ("small_multiples, loss of the wrong dim", lambda: plotting.small_multiples(run2(), W), ValueError, "loss"),
    ("theory_lines, loss without eigenvalues", lambda: plotting.theory_lines(axes(), "abc"), TypeError, "loss"),
    ("lr_map, loss a number < 0", lambda: plotting.lr_map(LRS, FINAL, loss=-1.0), ValueError, "loss"),
    ("lr_ruler, loss a string", lambda: plotting.lr_ruler(axes(), 1e-3, 1.0, "abc"), TypeError, "loss"),
    ("schedule_curves, loss a string", lambda: plotting.schedule_curves({"c": COS}, 10, loss="abc"),
     TypeError, "loss"),
    # counts
    ("num 1", lambda: plotting.curve_1d(W, num=1), ValueError, "num"),
    ("num a float", lambda: plotting.curve_1d(W, num=100.5), TypeError, "num"),
    ("contour num huge", lambda: plotting.contour(Q, num=10 ** 30), ValueError, "num"),
    ("levels 1", lambda: plotting.contour(Q, levels=1), ValueError, "levels"),
    ("levels a string", lambda: plotting.contour(Q, levels="18"), TypeError, "levels"),
    ("max_arrows zero", lambda: plotting.path_1d(W, run1(), max_arrows=0), ValueError, "max_arrows"),
    ("max_arrows nan", lambda: plotting.path_1d(W, run1(), max_arrows=np.nan), TypeError, "max_arrows"),
    ("ncols negative", lambda: plotting.small_multiples(run2([0.05, 0.1]), Q, ncols=-1), ValueError, "ncols"),
    ("num_arrows a bool", lambda: plotting.small_multiples(run2([0.05, 0.1]), Q, num_arrows=True),
     TypeError, "num_arrows"),
    ("num_steps zero", lambda: plotting.schedule_curves({"c": COS}, 0), ValueError, "num_steps"),
    ("num_steps a string", lambda: plotting.schedule_curves({"c": COS}, "10"), TypeError, "num_steps"),
    # lr bounds and momentum
    ("lr_min zero", lambda: plotting.lr_ruler(axes(), 0.0, 1.0), ValueError, "lr_min"),
    ("lr_max inf", lambda: plotting.lr_ruler(axes(), 1e-3, np.inf), ValueError, "lr_max"),
    ("lr_min above lr_max", lambda: plotting.lr_ruler(axes(), 1.0, 1e-3), ValueError, "lr_min"),
    ("lr_min a bool", lambda: plotting.lr_ruler(axes(), True, 1.0), TypeError, "lr_min"),
    ("lr complex", lambda: plotting.lr_ruler(axes(), 1e-3, 1.0, lr=1 + 2j), TypeError, "lr"),
    ("lr negative", lambda: plotting.lr_ruler(axes(), 1e-3, 1.0, lr=-0.1), ValueError, "lr"),
    ("momentum 1", lambda: plotting.lr_ruler(axes(), 1e-3, 1.0, Q, momentum=1.0), ValueError, "momentum"),
    ("momentum without a loss", lambda: plotting.lr_map(LRS, FINAL, momentum="0.9"), TypeError, "momentum"),
    ("lrs with a zero", lambda: plotting.lr_map([0.0, 0.1], [1.0, 2.0]), ValueError, "lrs"),
    ("lrs empty", lambda: plotting.lr_map([], []), ValueError, "lrs"),
    ("lrs strings", lambda: plotting.lr_map(["a", "b"], [1.0, 2.0]), TypeError, "lrs"),
    ("final of another length", lambda: plotting.lr_map(LRS, FINAL[:3]), ValueError, "final"),
    ("final complex", lambda: plotting.lr_map(LRS, FINAL + 1j), TypeError, "final"),
    # ranges, flags, text, colours, lists
    ("ylim reversed", lambda: plotting.loss_curve(run2(), ylim=(1.0, 1e-3)), ValueError, "ylim"),
    ("ylim <= 0 on a log axis", lambda: plotting.loss_curve(run2(), ylim=(0.0, 1.0)), ValueError, "ylim"),
    ("ylim a scalar", lambda: plotting.lr_map(LRS, FINAL, ylim=1.0), ValueError, "ylim"),
    ("bounds of one number", lambda: plotting.curve_1d(W, bounds=1.0), ValueError, "bounds"),
    ("bounds reversed", lambda: plotting.curve_1d(W, bounds=(2.0, -2.0)), ValueError, "bounds"),
    ("contour bounds of the wrong shape", lambda: plotting.contour(Q, bounds=[0.0, 1.0]), ValueError, "bounds"),
    ("log 'yes'", lambda: plotting.loss_curve(run2(), log="yes"), TypeError, "log"),
    ("gap_to_min None", lambda: plotting.loss_curve(run2(), gap_to_min=None), TypeError, "gap_to_min"),
    ("log_levels 0", lambda: plotting.contour(Q, log_levels=0), TypeError, "log_levels"),
    ("labels flag a string", lambda: plotting.theory_lines(axes(), Q, labels="yes"), TypeError, "labels"),
    ("axis 'z'", lambda: plotting.theory_lines(axes(), Q, axis="z"), ValueError, "axis"),
    ("labels one string", lambda: plotting.loss_curve(run2([0.05, 0.1]), labels="ab"), TypeError, "labels"),
    ("labels too few", lambda: plotting.loss_curve(run2([0.05, 0.1]), labels=["a"]), ValueError, "labels"),
    ("labels not strings", lambda: plotting.loss_curve(run2(), labels=[1.0]), TypeError, "labels"),
    ("colors too many", lambda: plotting.loss_curve(run2(), colors=["red", "blue"]), ValueError, "colors"),
    ("colors not colours", lambda: plotting.loss_curve(run2(), colors=["nocolour"]), ValueError, "colors"),
    ("color not a colour", lambda: plotting.path_2d(run2(), color="abc"), ValueError, "color"),
    ("color a bool", lambda: plotting.path_1d(W, run1(), color=True), ValueError, "color"),
    ("titles too few", lambda: plotting.small_multiples(run2([0.05, 0.1]), Q, titles=["a"]), ValueError, "titles"),
    ("titles not strings", lambda: plotting.small_multiples(run2([0.05, 0.1]), Q, titles=[1, 2]),
     TypeError, "titles"),
    ("suptitle a number", lambda: plotting.small_multiples(run2([0.05, 0.1]), Q, suptitle=3), TypeError, "suptitle"),
    ("label None", lambda: plotting.lr_map(LRS, FINAL, label=None), TypeError, "label"),
    ("regime empty", lambda: plotting.regime_badge("  "), TypeError, "regime"),
    ("regime a list", lambda: plotting.regime_badge([]), TypeError, "regime"),
    ("schedules a list", lambda: plotting.schedule_curves([COS], 10), TypeError, "schedules"),
    ("schedules empty", lambda: plotting.schedule_curves({}, 10), TypeError, "schedules"),
    ("schedules of numbers", lambda: plotting.schedule_curves({"c": 0.1}, 10), TypeError, "schedules"),
]


@pytest.mark.parametrize("call, exc, name", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_arguments(call, exc, name):
    with pytest.raises(exc, match=rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_])"):
        call()


def test_a_failed_call_draws_nothing():
    fig, ax = plotting.figure()
    with pytest.raises(ValueError, match="labels"):
        plotting.loss_curve(run2([0.05, 0.1]), ax, labels=["only one"])
    assert not ax.lines


def test_valid_calls_still_draw():
    fig, axs = plotting.figure(1, 3, squeeze=False)
    assert len(plotting.loss_curve(run2([0.05, 0.1]), axs[0, 0], labels=["a", "b"], colors=["red", "0.5"])) == 2
    assert plotting.lr_ruler(axs[0, 1], 1e-3, 1.0, Q, lr=0.1) is not None
    assert len(plotting.schedule_curves({"cosine": COS}, 10, axs[0, 2], loss=Q)) == 2
    assert plotting.regime_badge("slow").startswith("<span")
    assert plotting.png_bytes(fig)[:4] == b"\x89PNG"
