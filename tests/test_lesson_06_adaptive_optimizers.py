"""Tests of lrlab.lessons.adaptive_optimizers (notebook 06, adaptive optimizers): the optimizer explorer's
scenes, the effective-step recorder, Adam + L2 against AdamW, the race and the exercise checks."""
from __future__ import annotations

import numpy as np
import pytest

import lrlab
from lrlab import steppers, theory
from lrlab.lessons import adaptive_optimizers as lesson


def test_the_bowl_is_lesson_05s():
    from lrlab.lessons import momentum
    assert np.array_equal(lesson.BOWL.matrix, momentum.BOWL.matrix) and lesson.X0 == momentum.X0


def test_optimizer_problem():
    for name in lesson.OPTIMIZERS:
        for bowl in lesson.BOWLS:
            p = lesson.optimizer_problem(name, bowl)
            assert np.allclose(np.linalg.eigvalsh(p.loss.matrix), [1.0, 81.0])
            assert p.stepper.name.startswith({"GD": "sgd"}.get(name, name.lower()))
    aligned = lesson.optimizer_problem("Adam", "aligned").loss.matrix
    assert np.array_equal(aligned, np.diag([1.0, 81.0]))
    # Adam at 20 times GD's wall 2/L still converges, on both bowls (the explorer's opening question)
    for bowl in lesson.BOWLS:
        tr = lesson.optimizer_problem("Adam", bowl).run(0.5)
        assert 0.5 > 20 * theory.critical_lr(lesson.BOWL) and not tr.diverged
        g = lrlab.plotting.gap(tr)
        assert g[-1] < 1e-2 * g[0]


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


def test_weight_decay_figures_and_claims():
    import matplotlib
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




def test_figures_build():
    fig, axes = lesson.plot_effective_steps([lesson.record_effective_steps(lesson.BOWL, steppers.adam(), lesson.X0, 0.05, 20)],
                                         lesson.BOWL)
    assert axes.shape == (2, 1)


def test_exercise_checks():
    assert lesson.check_adam_second_step(0.05 / 19) and not lesson.check_adam_second_step(0.05)
    assert lesson.check_turned_bowl("Fast") and not lesson.check_turned_bowl("slow")
    assert not lesson.check_turned_bowl("neither")


def test_a_quarter_turn_keeps_adagrad_fast():
    """Exercise 2's answer: the bowl turned by 90° has its axes on the coordinate axes again."""
    turned = lesson.race("turned 90°", lesson.rotated_bowl(90.0), lesson.X0)
    rot30 = lesson.race("rotated bowl", lesson.rotated_bowl(30.0), lesson.X0)
    assert 0 < turned.best_steps["Adagrad"] <= 10 and turned.winner == "Adagrad"
    assert rot30.best_steps["Adagrad"] > 0.9 * rot30.best_steps["GD"] > 20


def test_race_figure_keeps_windows_off_the_data():
    res = lesson.race("aligned bowl", lesson.BOWL, lesson.X0, lrs=lesson.RACE_LRS[::8])
    fig, axes = lesson.plot_race([res], titles=["aligned"])
    steps_ax, windows_ax, runs_ax = axes[0]
    assert windows_ax is not steps_ax and "fastest" not in runs_ax.get_title()
    assert fig.get_size_inches()[0] <= 9.5
    # one bar per optimizer with a window, spanning exactly its window's lrs
    bars = [ln for ln in windows_ax.lines]
    assert len(bars) == sum(res.window[n] is not None for n in res.best_lr)
    for ln in bars:
        lo, hi = ln.get_xdata()
        assert lo in res.lrs and hi in res.lrs
