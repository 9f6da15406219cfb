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
    """Whether lr is within rel of 1/lambda or 2/lambda for some curvature (where a run may read either way)."""
    edges = np.concatenate([1 / np.asarray(curvatures), 2 / np.asarray(curvatures)])
    return bool(np.any(np.abs(lr / edges - 1) < rel))


# --------------------------------------------------------------------------- theory helper

@pytest.mark.parametrize("lr", np.geomspace(1e-3, 1.0, 37))
def test_expected_regime_is_what_the_run_on_the_bowl_does(lr):
    """expected_regime's word, read on the run: its path_shape, and for a monotone path whether progress
    reached 90%; and what theory.regime says of the lr."""
    loss = lesson.bowl()
    if near_boundary(lr, [lesson.LAM]):
        pytest.skip("at a regime boundary")
    traj = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=lr, num_steps=lesson.NUM_STEPS)
    word = lesson.expected_regime(loss, lesson.X0, lr, lesson.NUM_STEPS)
    assert word in ("slow", "converging", "oscillating", "diverging")
    shape = {"slow": "monotone", "converging": "monotone"}.get(word, word)
    assert diagnostics.path_shape(traj) == shape
    if shape == "monotone":
        assert (diagnostics.progress(traj) >= 0.9) == (word == "converging")
    assert theory.regime(loss, lr) == {"monotone": "monotone convergence", "oscillating": "oscillating convergence",
                                       "diverging": "divergence"}[shape]


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
    fig2, (ax, below) = lesson.lr_map_figure(lrs, sweep, loss, marks=lesson.PRESETS)
    assert ax.get_xscale() == "log" and ax.get_ylabel() and below.get_ylabel()
    factor = lesson.step_factor(sweep)
    assert abs(lrs[np.nanargmin(factor)] * lesson.LAM - 1) < 0.02          # the lower panel's V: its tip at 1/L
    fig6, axes6 = lesson.regimes_figure(loss, lrlab.run(loss=loss, x0=lesson.X0, lr=list(lesson.PRESETS.values()),
                                                        num_steps=lesson.NUM_STEPS), titles=list(lesson.PRESETS))
    regimes = [a.get_title().split("\n")[-1] for a in axes6.flat]
    assert regimes == ["monotone convergence", "monotone convergence", "oscillating convergence", "divergence"]
    assert not any(t.get_bbox_patch() is not None for a in axes6.flat for t in a.texts)   # no badge under a path
    for f in (fig2, fig6):
        assert f.get_size_inches()[0] <= 9.0
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
    (lesson.check_largest_lr, 2 / 9, 0.25),
    (lesson.check_regime, "oscillating convergence", "monotone convergence"),
    (lesson.check_flat_steps, 181, 342),
    (lesson.check_polyak_lr, 1 / 12, 1 / 6),
])
def test_exercise_checks(check, right, wrong):
    ok = check(right)
    assert ok and ok.message
    bad = check(wrong)
    assert not bad and bad.message
    assert not check(None)


def test_exercise_answers_are_true():
    q = losses.quadratic(lesson.EXERCISE_H)
    assert lesson.check_largest_lr(2 / max(lesson.EXERCISE_EIGENVALUES))
    assert np.allclose(theory.eigenvalues(q), lesson.EXERCISE_EIGENVALUES)
    assert lesson.check_regime(theory.regime(losses.quadratic([1.0, 5.0]), 0.3))
    flat = lrlab.run(loss=lesson.ill_conditioned(40.0), x0=[1.0, 1.0], lr=1.5, num_steps=400)
    steps = int(np.argmax(np.all(np.abs(flat.params) <= 1e-3, axis=-1)))
    assert lesson.check_flat_steps(steps) and steps == 181


def test_the_largest_lr_check_refuses_any_lr_past_the_boundary():
    assert lesson.check_largest_lr(0.222) and lesson.check_largest_lr(2 / 9) and lesson.check_largest_lr(0.22)
    for lr in (2 / 9 + 1e-9, 0.2223, 0.224, 0.226):       # within the 2% tolerance, but past 2/L = 2/9
        fb = lesson.check_largest_lr(lr)
        assert not fb and "past the limit" in fb.message and f"{lr!r} is past" in fb.message
    traj = lrlab.run(loss=losses.quadratic(lesson.EXERCISE_H), x0=[1.0, 0.5], lr=0.2235, num_steps=2000)
    assert traj.diverged or traj.loss[-1] > traj.loss[0]


def test_theory_regime_on_the_bowl():
    bowl = lesson.bowl()
    assert [theory.regime(bowl, lr) for lr in (0.1, 0.25, 0.3, 0.5, 0.6)] == [
        "monotone convergence", "monotone convergence", "oscillating convergence", "no convergence", "divergence"]


def test_eigen_section():
    lams, vecs = lesson.eigen_axes(lesson.ROTATED_H)
    assert np.allclose(lams, [0.5, 2.0]) and np.allclose(vecs, np.array([[1, 1], [-1, 1]]) / np.sqrt(2))
    lams2, vecs2 = lesson.eigen_axes(-lesson.ROTATED_H)            # signs fixed whatever eigh returns
    assert np.all(vecs2[0] > 0)
    rot = losses.quadratic(lesson.ROTATED_H)
    traj = lrlab.run(loss=rot, x0=lesson.EIGEN_X0, lr=lesson.EIGEN_LR, num_steps=12)
    fig, axes = lesson.eigen_figure(rot, traj.params, lesson.EIGEN_LR)
    assert len(axes) == 2 and plotting.png_bytes(fig)[:4] == b"\x89PNG"


def test_polyak_exercise_answer_is_the_library_rule():
    from lrlab import linesearch
    q = losses.quadratic([lesson.EXERCISE_POLYAK["curvature"]])
    lr = linesearch.polyak_lr(q, [lesson.EXERCISE_POLYAK["w0"]])
    assert np.isclose(lr, 1 / 12, rtol=1e-12) and lesson.check_polyak_lr(lr)


def test_step_rules_section():
    """Section 6: Newton lands in one step, the rules beat the fixed lrs, Armijo's every step lowers the loss,
    and the figure fits a column."""
    rules = lesson.step_rules()
    counts = [lesson.steps_to_gap(t) for t in rules.values()]
    assert counts[0] == 113 and counts[1] == 70 and counts[2] == 46 and 25 <= counts[3] < 35 and counts[4] == 1
    armijo = rules["Armijo (from 10, halving)"]
    assert np.all(np.diff(armijo.loss) < 0) and np.nanmax(armijo.lr) <= lesson.ARMIJO_LR0
    from lrlab import linesearch
    x = armijo.params[:-1]
    assert np.all(linesearch.armijo_condition(lesson.ill_conditioned(lesson.RULES_KAPPA), x, armijo.lr))
    fig, _ = lesson.step_rules_figure(rules)
    assert fig.get_size_inches()[0] <= 9.0
