"""Tests of lrlab.lessons.momentum_and_adaptive (notebook 05, momentum and adaptive optimizers): what is
particular to the heavy-ball explorer (the contract: tests/test_explorers.py), the effective-step
recorder, the race and the exercise checks."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import lrlab
from lrlab import steppers, theory
from lrlab.lessons import momentum_and_adaptive as lesson


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
        below, above = lrlab.diagnostics.classify(traj)
        assert below != "diverging" and above == "diverging"


def test_polyak_is_round():
    assert theory.optimal_momentum(lesson.BOWL) == pytest.approx((0.04, 0.64))


def test_effective_steps_match_run_and_state():
    x0 = np.array(lesson.X0)
    for stepper, lr in ((steppers.adagrad(), 0.5), (steppers.rmsprop(), 0.02), (steppers.adam(), 0.05),
                        (steppers.sgd(momentum=0.9), 0.01)):
        rec = lesson.record_effective_steps(lesson.BOWL, stepper, x0, lr, 30)
        traj = lrlab.run(loss=lesson.BOWL, stepper=stepper, x0=x0, lr=lr, num_steps=30)
        assert np.array_equal(rec.params, traj.params)
        assert rec.effective.shape == (30, 2) and np.all(rec.effective > 0)
    # Adam at step 1: the effective step times |g| is lr (the first step is lr * sign(g))
    rec = lesson.record_effective_steps(lesson.BOWL, steppers.adam(), x0, 0.05, 1)
    assert np.allclose(rec.effective[0] * np.abs(lesson.BOWL.grad(x0)), 0.05, rtol=1e-6)
    # Adagrad's effective step never grows
    rec = lesson.record_effective_steps(lesson.BOWL, steppers.adagrad(), x0, 0.5, 50)
    assert np.all(np.diff(rec.effective, axis=0) <= 0)


def test_record_effective_steps_equals_the_hand_loop_it_replaced():
    """The lesson used to step the stepper by hand; on top of lrlab.run it gives the same numbers."""
    x0 = np.array([0.3, -0.7])
    for stepper, lr in ((steppers.adagrad(), 0.5), (steppers.rmsprop(), 0.02), (steppers.adam(), 0.05),
                        (steppers.sgd(), 0.01), (steppers.sgd(momentum=0.9), 0.01)):
        x, state = x0, stepper.init(x0)
        xs, eff = [x], []
        for _ in range(200):
            x, state = stepper.update(lesson.BOWL.grad(x), state, x, lr)
            xs.append(x)
            eff.append(lesson.effective_step(stepper, state, lr))
        rec = lesson.record_effective_steps(lesson.BOWL, stepper, x0, lr, 200)
        assert np.array_equal(rec.params, np.array(xs)), stepper.name
        assert np.array_equal(rec.effective, np.array(eff)), stepper.name


def test_effective_step_rejects_unknown_state():
    with pytest.raises(TypeError):
        lesson.effective_step(steppers.sgd(), object(), 0.1)


def test_steps_to_stay_below():
    gap = np.array([1.0, 1e-9, 1.0, 1e-9, 1e-10])[:, None]
    assert lesson.steps_to_stay_below(gap, 1e-8).tolist() == [3]
    assert lesson.steps_to_stay_below(np.array([1.0, 0.5, np.inf])[:, None], 1e-8).tolist() == [-1]


def test_longest_run_and_window_ignore_isolated_hits():
    assert lesson.longest_run([False, True, False, True, True, True, False, True]) == (3, 5)
    assert lesson.longest_run([True, True, False, True, True]) == (0, 1)       # ties: the first
    assert lesson.longest_run([False, False]) is None
    # an isolated lr that finishes fast (luck) is not the tuned lr: the fastest inside the window is
    steps = np.array([-1, 50, 40, 30, -1, 5, -1])
    final = np.array([1.0, 1e-9, 1e-9, 1e-9, 1.0, 1e-12, np.inf])
    i, win = lesson._tune(final, steps)
    assert (i, win) == (3, (1, 3))
    assert lesson._tune(np.array([1.0, 0.5, np.inf]), np.array([-1, -1, -1])) == (1, None)


def test_rosenbrock_race_speed_and_robustness():
    res = lesson.race("Rosenbrock", lrlab.losses.rosenbrock(), [-1.2, 1.0])
    hb = "heavy ball β=0.9"
    assert res.winner == hb and res.best_steps[hb] < 0.8 * res.best_steps["Adam"]
    assert lesson.first_diverging_lr(res, hb) / res.best_lr[hb] < 1.1
    assert lesson.first_diverging_lr(res, "Adam") is None
    assert lesson.window_decades(res, "Adam") > 1.5 * lesson.window_decades(res, hb) > 0
    assert lesson.window_decades(res, "GD") == 0.0 and lesson.good_lr_window(res, "GD") is None
    table = lesson.race_table(res)
    assert "decades" in table and "diverges from" in table


def test_race_is_fair_and_reproducible():
    res = lesson.race("aligned bowl", lesson.BOWL, lesson.X0)
    assert set(res.best_lr) == set(lesson.RACE_STEPPERS)
    assert all(res.best_lr[n] in res.lrs for n in res.best_lr)
    assert all(res.final[n].shape == (len(lesson.RACE_LRS),) for n in res.final)
    # the tuned lr lies in its good window, every lr of which finishes within the budget
    for n in res.best_lr:
        lo, hi = lesson.good_lr_window(res, n)
        i, j = res.window[n]
        assert lo <= res.best_lr[n] <= hi and np.all(res.steps[n][i:j + 1] >= 0)
        assert res.best_steps[n] == res.steps[n][i:j + 1].min()
    assert res.winner == "Adagrad"
    again = lesson.race("aligned bowl", lesson.BOWL, lesson.X0)
    assert again.best_steps == res.best_steps
    rot = lesson.race("rotated bowl", lesson.rotated_bowl(30.0), lesson.X0)
    hb = next(n for n in rot.best_steps if n.startswith("heavy ball"))
    assert rot.winner in ("Adam", hb)           # a tie within 2%: which one is ahead is not a claim
    assert abs(rot.best_steps[hb] - rot.best_steps["Adam"]) <= 0.02 * rot.best_steps["Adam"]
    assert np.allclose(np.linalg.eigvalsh(lesson.rotated_bowl(30.0).matrix), [1.0, 81.0])
    assert "winner: Adagrad" in lesson.race_table(res)


def test_figures_build():
    import matplotlib
    fig, ax = lesson.plot_distance({"a": lrlab.run(loss=lesson.BOWL, x0=lesson.X0, lr=0.02, num_steps=20)}, lesson.BOWL.minimizer)
    assert ax.get_xlabel() == "step"
    fig, axes = lesson.plot_effective_steps([lesson.record_effective_steps(lesson.BOWL, steppers.adam(), lesson.X0, 0.05, 20)],
                                         lesson.BOWL)
    assert axes.shape == (2, 1)
    art = lesson.plot_rate_map(lesson.BOWL)
    assert isinstance(art["mesh"], matplotlib.collections.QuadMesh)


def test_exercise_checks():
    assert lesson.check_heavy_ball_limit(0.06)
    assert not lesson.check_heavy_ball_limit(0.04)
    assert not lesson.check_heavy_ball_limit(None)
    assert lesson.check_polyak_momentum(4 / 9) and not lesson.check_polyak_momentum(0.5)
    assert lesson.check_adam_first_step(0.05) and not lesson.check_adam_first_step(0.005)
    assert lesson.check_race_question("Aligned") and not lesson.check_race_question("rotated")
    assert not lesson.check_race_question("neither")
    fb = lesson.check_heavy_ball_limit(0.03)
    assert "too small" in fb.message and "(1 + β)" in fb.message


def test_nesterov_and_adamw_figures_and_claims():
    import matplotlib
    fig, axes = lesson.plot_momentum_maps(lesson.BOWL, num=40)
    assert len(axes) == 2 and "Nesterov" in axes[1].get_title()
    # the Nesterov map's wall is its own: at β = 0.9, 2(1+β)/((1+2β)L), left of GD's 2/L
    x, y = axes[1].lines[0].get_data()
    assert np.all(x[1:] < theory.critical_lr(lesson.BOWL))
    assert lesson.rate_map(lesson.BOWL, [0.01], [0.0], nesterov=True) == pytest.approx(
        lesson.rate_map(lesson.BOWL, [0.01], [0.0]))                        # β = 0: both are GD
    runs = {(wd, d): lesson.weight_decay_run(wd, d, num_steps=300) for wd in (0.01, 0.1) for d in (False, True)}
    fig, axes = lesson.plot_weight_decay(runs)
    assert len(axes) == 3 and all(isinstance(ax.get_legend(), matplotlib.legend.Legend) for ax in axes)
    frac = lesson.decay_per_step(runs[(0.1, False)], lesson.DECAY_LR, 0.1, False)
    assert frac.shape == (300, 3) and np.all(frac[:, 0] < frac[:, 1]) and np.all(frac[:, 1] < frac[:, 2])
    assert np.all(lesson.decay_per_step(runs[(0.1, True)], lesson.DECAY_LR, 0.1, True) == lesson.DECAY_LR * 0.1)
    # torch's AdamW is the oracle of the decoupled run
    torch = pytest.importorskip("torch")
    w = torch.tensor(lesson.DECAY_X0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([w], lr=lesson.DECAY_LR, weight_decay=0.1, foreach=False)
    A = torch.tensor(np.diag([100.0, 1.0, 0.0]))
    c = torch.tensor([1.0, 1.0, 0.0], dtype=torch.float64)
    for _ in range(300):
        opt.zero_grad()
        (0.5 * (w - c) @ A @ (w - c)).backward()
        opt.step()
    assert np.allclose(w.detach().numpy(), runs[(0.1, True)].params[-1], rtol=1e-12, atol=1e-14)


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
    assert ax.get_xscale() == "function" and "critical" in ax.get_legend().get_texts()[0].get_text()
    # envelope_rate reads a swinging error's decay, not its phase
    t = np.arange(300)
    assert lesson.envelope_rate(0.9 ** t * np.cos(0.7 * t), 100, 280, window=20) == pytest.approx(0.9, rel=1e-3)


def test_new_exercise_checks():
    assert lesson.check_direction_factor(np.sqrt(0.6)) and lesson.check_direction_factor(0.77)
    assert not lesson.check_direction_factor(0.945) and not lesson.check_direction_factor(0.8)
    assert lesson.check_critical_momentum(0.25) and not lesson.check_critical_momentum(0.5)
    assert not lesson.check_critical_momentum(None)
