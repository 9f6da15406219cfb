"""Lesson 02 (too high, too low): what is particular to its three widgets (the rest: tests/test_explorers.py),
its figures, its exercise checks."""

import numpy as np
import pytest

pytest.importorskip("ipympl")
import lrlab  # noqa: E402
from lrlab import diagnostics, losses, plotting, steppers, theory  # noqa: E402
from lrlab.lessons import too_high_too_low as lesson  # noqa: E402


pytestmark = pytest.mark.usefixtures("no_warnings")


def near_boundary(lr, curvatures, rel=0.03):
    """Whether lr is within rel of 1/lambda or 2/lambda for some curvature (where classify may tip either way)."""
    edges = np.concatenate([1 / np.asarray(curvatures), 2 / np.asarray(curvatures)])
    return bool(np.any(np.abs(lr / edges - 1) < rel))


# --------------------------------------------------------------------------- theory helper

@pytest.mark.parametrize("lr", np.geomspace(1e-3, 1.0, 37))
def test_expected_regime_agrees_with_classify_on_the_bowl(lr):
    loss = lesson.bowl()
    if near_boundary(lr, [lesson.LAM]):
        pytest.skip("at a regime boundary")
    traj = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=lr, num_steps=lesson.NUM_STEPS)
    assert diagnostics.classify(traj) == lesson.expected_regime(loss, lesson.X0, lr, lesson.NUM_STEPS)


# --------------------------------------------------------------------------- main explorer

def test_main_explorer_maps_5000_lrs_with_the_theory_lines():
    ex = lesson.explorer()
    assert tuple(ex.panels) == ("path", "loss", "map") and ex.panels["map"].points == 5000
    assert ex.panels["map"].lrs.shape == (5000,) and ex.panels["map"].final.shape == (5000,)
    assert "1/L = 0.25" in ex.theory.value and "2/L = 0.5" in ex.theory.value
    assert set(ex.presets) == {"too small", "good", "oscillating", "diverging"}
    ax = ex.axes["map"]
    xs = sorted(float(line.get_xdata()[0]) for line in ax.get_lines() if line.get_linestyle() == ":")
    assert xs == pytest.approx([0.25, 0.5])                  # 1/L and 2/L drawn on the map


# --------------------------------------------------------------------------- condition-number explorer

def test_kappa_explorer_sets_the_curvatures_and_the_narrow_valley_stalls():
    ex = lesson.kappa_explorer()
    kappa = ex.controls["kappa"]
    assert type(kappa).__name__ == "FloatLogSlider" and kappa.min == 0 and kappa.max == 3
    for k in [1.0, 3.0, 20.0, 100.0, 1000.0]:
        title_before = ex.axes["path"].get_title()
        kappa.value = k
        assert ex.problem.loss.eigenvalues == pytest.approx([1 / k, 1.0])
        assert ex.axes["path"].get_title() != title_before or k == 20.0
    # the narrow valley stalls: the loss dropped (steep direction) but is far from the 1e-6 target
    ex.apply_preset("narrow valley (κ = 200)")
    assert "&gt; 60" in ex.stats.value or "> 60" in ex.stats.value


# --------------------------------------------------------------------------- two wells explorer

def test_wells_presets_stay_in_the_trap_or_escape():
    ex = lesson.wells_explorer()
    trap, good = ex.problem.loss.local_minima[1], ex.problem.loss.local_minima[0]
    ex.set_lr(lesson.WELLS_PRESETS["too small (stuck)"])
    assert abs(ex.traj.params[-1, 0] - trap) < 1e-6
    ex.set_lr(lesson.WELLS_PRESETS["good (escapes)"])
    assert abs(ex.traj.params[-1, 0] - good) < 1e-4
    for lr in (5.5, 7.9):                              # past 2/curvature of the wide basin (5)
        ex.set_lr(lr)
        assert ex.regime == "diverging"


# --------------------------------------------------------------------------- figures and helpers

def test_figures_build_without_warnings():
    loss = lesson.bowl()
    fig, axes = lesson.error_factor_figure()
    assert len(axes) == 3 and all(ax.get_xlabel() for ax in axes)
    lrs = np.geomspace(*lesson.LR_RANGE, 400)
    sweep = lrlab.run(loss=loss, x0=lesson.X0, lr=lrs, num_steps=lesson.NUM_STEPS)
    fig2, ax = lesson.lr_map_figure(lrs, sweep, loss, marks=lesson.PRESETS)
    assert ax.get_xscale() == "log" and ax.get_ylabel()
    lrs2 = np.geomspace(1e-2, 3.0, 200)
    maps = {k: lrlab.run(loss=lesson.ill_conditioned(k), x0=lesson.X0_2D, lr=lrs2, num_steps=20) for k in (1, 10)}
    fig3, _ = lesson.kappa_map_figure(lrs2, maps)
    tw = losses.two_wells()
    lrs3 = np.geomspace(1e-3, 8.0, 300)
    fig4, _ = lesson.landing_figure(tw, lrs3, lrlab.run(loss=tw, x0=lesson.WELLS_X0, lr=lrs3, num_steps=100), last=10)
    pl = losses.plateau()
    fig5, _ = lesson.plateau_figure(pl, [1.0, 3.0], lrlab.run(loss=pl, x0=lesson.PLATEAU_X0, lr=[1.0, 3.0], num_steps=200))
    for f in (fig, fig2, fig3, fig4, fig5):
        assert plotting.png_bytes(f)[:4] == b"\x89PNG"


def test_lr_map_helpers():
    loss = lesson.bowl()
    lrs = np.geomspace(*lesson.LR_RANGE, 2000)
    sweep = lrlab.run(loss=loss, x0=lesson.X0, lr=lrs, num_steps=lesson.NUM_STEPS)
    largest = lesson.largest_converging_lr(lrs, sweep)
    assert largest < 2 / lesson.LAM <= largest * lrs[1] / lrs[0]
    lo, hi = lesson.good_window(lrs, sweep, target=1e-6)
    assert lo < 1 / lesson.LAM < hi
    assert lesson.good_window(lrs, lrlab.run(loss=loss, x0=lesson.X0, lr=lrs, num_steps=1), target=1e-6) == (
        pytest.approx(1 / lesson.LAM, rel=0.01), pytest.approx(1 / lesson.LAM, rel=0.01))


def test_exit_step():
    pl = losses.plateau()
    traj = lrlab.run(loss=pl, x0=lesson.PLATEAU_X0, lr=[0.001, 1.0], num_steps=300)
    exits = lesson.exit_step(traj)
    assert exits[0] == -1 and 140 < exits[1] < 160
    assert traj.loss[exits[1], 1] < 0 <= traj.loss[exits[1] - 1, 1]


@pytest.mark.parametrize("check, right, wrong", [
    (lesson.check_largest_lr, 0.25, 0.125),
    (lesson.check_regime, "oscillating", "converging"),
    (lesson.check_flat_steps, 342, 100),
])
def test_exercise_checks(check, right, wrong):
    ok = check(right)
    assert ok and ok.message
    bad = check(wrong)
    assert not bad and bad.message
    assert not check(None)


def test_exercise_answers_are_true():
    q = losses.quadratic([1.0, 8.0])
    assert lesson.check_largest_lr(theory.critical_lr(q))
    traj = lrlab.run(loss=losses.quadratic([5.0]), x0=[1.0], lr=0.3, num_steps=30)
    assert lesson.check_regime(diagnostics.classify(traj))
    flat = lrlab.run(loss=lesson.ill_conditioned(50.0), x0=[1.0, 1.0], lr=1.0, num_steps=400)
    steps = int(np.argmax(np.abs(flat.params[:, 0]) <= 1e-3))
    assert lesson.check_flat_steps(steps) and steps == 342


def test_the_largest_lr_check_rejects_an_lr_that_diverges():
    assert lesson.check_largest_lr(0.249) and lesson.check_largest_lr(0.25)
    for lr in (0.252, 0.255):                          # within the 2% tolerance, but past 2/L = 0.25
        fb = lesson.check_largest_lr(lr)
        assert not fb and "past the limit" in fb.message
        traj = lrlab.run(loss=losses.quadratic([1.0, 8.0]), x0=[1.0, 1.0], lr=lr, num_steps=2000)
        assert diagnostics.classify(traj) == "diverging"
