"""Tests of lrlab.lessons.momentum (notebook 05, momentum): what is particular to the heavy-ball explorer
(the contract: tests/test_explorers.py), the eigendirection runs, the phase diagram, the (lr, β) maps and
the exercise checks."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import lrlab
from lrlab import steppers, theory
from lrlab.lessons import momentum as lesson


@pytest.fixture
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield lesson.momentum_explorer(lr=0.01, momentum=0.0)


def test_the_theory_line_names_heavy_balls_limit(explorer):
    assert "2(1+β)/L" not in explorer.theory.value                       # β = 0: GD's 2/L
    explorer.controls["momentum"].value = 0.5
    assert "2(1+β)/L" in explorer.theory.value and f"{theory.critical_lr(lesson.BOWL, 0.5):.3g}" in explorer.theory.value
    # the saved-by-momentum preset really is past gradient descent's wall, and momentum saves it
    explorer.apply_preset("past 2/L, saved by β")
    assert explorer.lr > theory.critical_lr(lesson.BOWL) and explorer.regime == "oscillating convergence"
    x, y = explorer.artists["rate map"]["marker"].get_data()
    assert (x[0], y[0]) == pytest.approx((explorer.lr, lesson.MOMENTUM_PRESETS["past 2/L, saved by β"]["momentum"]))


def test_critical_lr_on_the_bowl():
    x0 = np.array(lesson.X0)
    for beta in (0.0, 0.5, 0.9):
        crit = theory.critical_lr(lesson.BOWL, beta)
        traj = lrlab.run(loss=lesson.BOWL, stepper=steppers.sgd(momentum=beta), x0=x0, lr=[0.99 * crit, 1.01 * crit],
                         num_steps=400)
        below, above = lrlab.diagnostics.path_shape(traj)
        assert below != "diverging" and above == "diverging"


def test_polyak_is_round():
    assert theory.optimal_momentum(lesson.BOWL) == pytest.approx((0.04, 0.64))


def test_eigendirections_and_phase_diagram():
    runs = lesson.eigendirection_runs(num_steps=150)
    for name, tr in runs.items():
        kw = lesson.EIGEN_SETTINGS[name]
        e = tr.params - lesson.EIGEN_BOWL.minimizer
        rho = theory.direction_rates(lesson.EIGEN_BOWL, kw["lr"], kw["momentum"])
        assert np.allclose(lesson.envelope_rate(e, 40, 140, window=30), rho, rtol=0.02)
    fig, axes = lesson.plot_eigendirections(runs)
    assert len(axes) == 2 and all(ax.get_legend() is not None for ax in axes)
    fig, (ax, bx) = lesson.plot_phase_diagram(num=60)
    assert ax.get_xscale() == "function" and "critical" in fig.legends[0].get_texts()[0].get_text()
    # envelope_rate reads a swinging error's decay, not its phase
    t = np.arange(300)
    assert lesson.envelope_rate(0.9 ** t * np.cos(0.7 * t), 100, 280, window=20) == pytest.approx(0.9, rel=1e-3)


def test_nesterov_map():
    import matplotlib
    fig, axes = lesson.plot_momentum_maps(lesson.BOWL, num=40)
    assert len(axes) == 2 and "Nesterov" in axes[1].get_title()
    # the Nesterov map's wall is its own: at β = 0.9, 2(1+β)/((1+2β)L), left of GD's 2/L
    x, y = axes[1].lines[0].get_data()
    assert np.all(x[1:] < theory.critical_lr(lesson.BOWL))
    assert lesson.rate_map(lesson.BOWL, [0.01], [0.0], nesterov=True) == pytest.approx(
        lesson.rate_map(lesson.BOWL, [0.01], [0.0]))                        # β = 0: both are GD


def test_figures_build():
    import matplotlib
    fig, ax = lesson.plot_distance({"a": lrlab.run(loss=lesson.BOWL, x0=lesson.X0, lr=0.02, num_steps=20)}, lesson.BOWL.minimizer)
    assert ax.get_xlabel() == "step"
    art = lesson.plot_rate_map(lesson.BOWL)
    assert isinstance(art["mesh"], matplotlib.collections.QuadMesh)


def test_exercise_checks():
    assert lesson.check_heavy_ball_limit(0.06)
    assert not lesson.check_heavy_ball_limit(0.04) and not lesson.check_heavy_ball_limit(0.0606)
    assert not lesson.check_heavy_ball_limit(None)
    assert lesson.check_polyak_momentum(4 / 9) and not lesson.check_polyak_momentum(0.5)
    fb = lesson.check_heavy_ball_limit(0.03)
    assert "too small" in fb.message and "wall" in fb.message
    assert lesson.check_direction_factor(0.6) and not lesson.check_direction_factor(np.sqrt(0.3))
    assert not lesson.check_direction_factor(np.sqrt(0.6)) and not lesson.check_direction_factor(0.945)
    assert lesson.check_critical_momentum(0.25) and not lesson.check_critical_momentum(0.5)
    assert not lesson.check_critical_momentum(None)


def test_regime_uses_the_theorys_words():
    lrs = [0.002, 0.012, 0.03, 0.05]
    assert theory.regime(lesson.BOWL, lrs).tolist() == ["monotone convergence"] * 2 + ["divergence"] * 2
    assert theory.regime(lesson.BOWL, lrs, 0.9).tolist() == ["oscillating convergence"] * 3 + ["divergence"]
    assert theory.regime(lesson.BOWL, 2 / 81) == "no convergence"
    assert theory.regime(lesson.BOWL, 0.005) == "monotone convergence"        # 81·0.005 < 1
    assert theory.regime(lesson.BOWL, 0.02) == "oscillating convergence"      # 81·0.02 > 1: the steep one flips
    nw = theory.nesterov_critical_lr(lesson.BOWL, 0.9)
    assert theory.regime(lesson.BOWL, [0.99 * nw, 1.01 * nw], 0.9, nesterov=True).tolist() == [
        "oscillating convergence", "divergence"]


def test_explorer_theory_line_with_momentum_drops_gds_1_over_L():
    explorer = lesson.momentum_explorer(lr=0.04, momentum=0.64)
    assert "1/L" not in explorer.theory.value and "Polyak" in explorer.theory.value
