"""Lesson 03 (finding a good lr): its widgets driven from Python, its figures, its exercise checks."""
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("ipympl")
from lrlab import diagnostics, theory  # noqa: E402
from lrlab.lessons import finding_a_good_lr as lesson  # noqa: E402
from lesson_helpers import changed, snapped, snapshot  # noqa: E402


pytestmark = pytest.mark.usefixtures("no_warnings")


def test_known_answer_problem_matches_theory():
    p = lesson.known_answer_problem()
    assert p.critical_lr == pytest.approx(2 / p.L)
    assert p.optimal_lr == pytest.approx(2 / (p.mu + p.L))
    np.testing.assert_allclose(p.loss.eigenvalues, p.data_loss.eigenvalues, rtol=1e-12)
    w = np.random.default_rng(0).standard_normal((50, 2))
    np.testing.assert_allclose(p.loss.grad(w), p.data_loss.grad(w), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(p.loss.value(w), p.data_loss.value(w) - p.data_loss.min_value, rtol=1e-9, atol=1e-12)


def test_range_test_explorer_controls_rules_and_slider():
    ex = lesson.range_test_explorer()
    p = lesson.known_answer_problem()
    assert ex.box.children[0].children[0] is ex.slider
    assert all("lrlab-preset" in b._dom_classes for b in ex.button_rows["try a rule:"])
    seen = set()
    for n in ex.controls["num_iter"].options:
        before = snapshot([ex.artists["range"]["smoothed"]])
        ex.controls["num_iter"].value = n
        res = ex.scene.result
        assert len(res.lrs) <= n
        if n != 100:
            assert changed(before, snapshot([ex.artists["range"]["smoothed"]]))
        seen.add(round(res.suggestion, 12))
    assert len(seen) > 4                               # the steepest rule moves with num_iter
    mins = []
    for beta in (0.0, 0.3, 0.6, 0.9, 0.95, 0.99):
        ex.controls["num_iter"].value = 100
        ex.controls["smooth"].value = beta
        mins.append(ex.scene.result.min_lr)
        marks = ex.artists["range"]["marks"]
        assert marks["min"].get_xdata()[0] == pytest.approx(ex.scene.result.min_lr)
    assert all(np.diff(mins) >= 0)                     # more smoothing, later minimum
    ex.controls["smooth"].value = 0.98
    for button in ex.button_rows["try a rule:"]:
        rule = button.description.removeprefix("use ")
        before = snapshot([ex.artists["loss"], ex.artists["range"]["vline"]])
        ex.set_lr(ex.lr_range[0])
        button.click()
        assert ex.lr == pytest.approx(snapped(ex.slider, lesson.rule_values(ex.scene.result)[rule]))
        assert ex.artists["range"]["vline"].get_xdata()[0] == pytest.approx(ex.lr)
        assert "rules:" in ex.stats.value
    ex.apply_preset(ex.preset_rows["try a rule:"]["use min"])
    assert ex.lr > p.critical_lr                       # min is past 2/L


def test_rules_table_claims():
    p = lesson.known_answer_problem()
    table = lesson.rules_table(p, (30, 100, 300, 1000), (0.0, 0.5, 0.9, 0.98))
    assert np.all(np.diff(table["steepest"][-1]) < 0)
    assert np.all(table["min"] > 1)
    assert np.all((table["min/10"] > 0.1) & (table["min/10"] < 1))


def test_figures_build():
    import lrlab
    p = lesson.known_answer_problem()
    run = lrlab.run(loss=p.loss, x0=p.x0, lr=list(lesson.GRID), num_steps=p.num_steps)
    lesson.grid_figure(run, p, lesson.GRID)
    lrs = np.geomspace(1e-3, 1, 50)
    sweep = lrlab.run(loss=p.loss, x0=p.x0, lr=lrs, num_steps=p.num_steps)
    lesson.sweep_figure(lrs, sweep.loss[-1], p, best=0.2)
    lesson.range_test_figure(lesson.range_test(p), p)
    lrs = np.geomspace(1e-4, 10, 30)
    fake = SimpleNamespace(lrs=lrs, losses=np.r_[np.linspace(3, 1, 29), np.nan], smoothed=np.r_[np.linspace(3, 1.5, 29), np.nan],
                           suggestion=1e-2, min_lr=1.0, min_lr_over_10=0.1)
    lesson.finder_figure(fake)
    rec = SimpleNamespace(loss=np.linspace(2, 0.1, 30), steps=np.arange(30), lr=np.full(30, 0.1))
    lesson.training_figure({"steepest": rec, "min": rec, "min/10": rec}, {"steepest": 0.9, "min": 0.5, "min/10": 0.9})


def test_exercise_checks():
    right = lesson.exercise_answers()
    q = lesson.exercise_problem()
    assert right["boundary_lr"] == pytest.approx(theory.critical_lr(q.loss))
    assert right["boundary_lr"] < lesson.known_answer_problem().critical_lr       # scale 4: a steeper valley
    assert lesson.check_boundary_lr(right["boundary_lr"]) and lesson.check_boundary_lr(0.99 * right["boundary_lr"])
    assert lesson.check_boundary_lr(float(f"{right['boundary_lr']:.4g}"))          # rounded down: 0.1337
    assert not lesson.check_boundary_lr(0.985 * right["boundary_lr"])              # more than 1% below
    for factor in (1.005, 1.001, 1 + 1e-9):                                       # just past the limit: refused
        past = lesson.check_boundary_lr(factor * right["boundary_lr"])
        assert not past and "past the limit" in past.message
    for wrong in (None, "abc", 0.2232, q.optimal_lr * 0.9, 2 * right["boundary_lr"], float("nan")):
        fb = lesson.check_boundary_lr(wrong)
        assert not fb and fb.message
    assert right["kappa"] == pytest.approx(99)                                    # kappa / (kappa + 1) = 0.99
    assert lesson.check_best_fraction(99) and lesson.check_best_fraction("99")
    assert "1 − 1/κ" in lesson.check_best_fraction(100).message                   # the approximation: refused
    for wrong in (None, 0.99, q.optimal_lr / q.critical_lr, q.L / q.mu, 9):
        assert not lesson.check_best_fraction(wrong)
    assert right["closest_rule"] == "min"                     # a factor 2.2 above the best lr; min/10 is 4.5 below
    rules = lesson.rule_values(lesson.range_test(lesson.known_answer_problem(), **lesson.EX_RANGE))
    factor = rules["min"] / lesson.known_answer_problem().optimal_lr
    assert 1 < factor < 0.75 * np.sqrt(10)                    # min is closest with a clear margin (min/10: 10/factor)
    fb = lesson.check_closest_rule("min")
    assert fb and "diverges" in fb.message
    assert lesson.check_closest_rule(" MIN ")
    assert not lesson.check_closest_rule("min/10") and not lesson.check_closest_rule("steepest")
    assert not lesson.check_closest_rule(None) and not lesson.check_closest_rule("max")


def test_regime_and_paths_figure():
    import lrlab
    p = lesson.known_answer_problem()
    lrs = [0.5 / p.L, 1.5 / p.L, 2 / p.L, 2.5 / p.L]
    assert list(theory.regime(p.loss, lrs)) == ["monotone convergence", "oscillating convergence", "no convergence",
                                           "divergence"]
    run = lrlab.run(loss=p.loss, x0=p.x0, lr=lrs, num_steps=p.num_steps)
    closed = lrlab.diagnostics.progress(run)
    assert 0 < closed[0] < 1 and np.isfinite(closed[:3]).all() and not closed[3] > 0
    fig = lesson.paths_figure(run, p, lrs)
    assert fig.get_size_inches()[0] <= 9.0
    for ax in fig.axes[:len(lrs)]:
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        assert x0 < p.x0[0] < x1 and y0 < p.x0[1] < y1                    # the start point is in view


def test_one_axes_figures_draw_into_a_callers_axes():
    """A lesson figure of one axes takes ax=None: given an axes of a caller's grid, it draws there."""
    import lrlab
    from lrlab import plotting
    p = lesson.known_answer_problem()
    fig, axes = plotting.figure(1, 2, width=10, height=4)
    run = lrlab.run(loss=p.loss, x0=p.x0, lr=list(lesson.GRID), num_steps=p.num_steps)
    assert lesson.grid_figure(run, p, lesson.GRID, ax=axes[0]) is fig
    assert lesson.range_test_figure(lesson.range_test(p), p, ax=axes[1]) is fig
    assert len(fig.axes) == 2 and len(axes[0].get_lines()) >= len(lesson.GRID) and axes[1].get_xscale() == "log"


def test_valley_rule_is_the_middle_of_the_toy_range_tests_descent():
    p = lesson.known_answer_problem()
    rt = lesson.range_test(p)
    rules = lesson.rule_values(rt)
    assert set(rules) == set(lesson.RULES) == {"steepest", "valley", "min", "min/10"}
    start, end = diagnostics.longest_descent(rt.smoothed)
    assert rules["valley"] == rt.lrs[(start + end) // 2]
    assert 0.01 < rules["valley"] / p.critical_lr < 0.1      # low, as the lesson says


# ----------------------------------------------------------------------------- issue 9: lag, generalization, code exercises

def _loop_range_test(loss, x0, lrs, *, before=False, one_lr=False, sign=-1.0):
    x, out = np.array(x0, dtype=float), []
    for lr in lrs:
        if before:
            out.append(loss.value(x))
        x = x + sign * (lrs[0] if one_lr else lr) * loss.grad(x)
        if not before:
            out.append(loss.value(x))
    return out


def test_smoothing_lag_on_the_toy():
    p = lesson.known_answer_problem()
    lag = lesson.smoothing_lag(lesson.range_test(p))
    assert lag["raw"] > 2 * p.critical_lr
    assert 1.5 * lag["raw"] < lag["moving average"] and lag["centred"] <= lag["raw"]
    assert 1.3 * lag["raw"] < lag["average of log"] < lag["moving average"]


@pytest.mark.parametrize("seed", range(5))
def test_smoothing_lag_carries_over_to_the_net_on_five_seeds(seed):
    """The notebook's words: the moving average's min is at least 2x the raw min on each of five seeds."""
    import torch
    from lrlab import data, pytorch
    X_train, _, y_train, _ = data.train_test_split_digits(test_fraction=0.25, seed=0, standardize=True)
    model = pytorch.small_mlp(64, hidden=(64,), out_features=10, seed=seed)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        f = pytorch.find_lr(model, torch.nn.CrossEntropyLoss(), (X_train, y_train),
                            lambda ps: torch.optim.SGD(ps, lr=1.0, momentum=0.9), start_lr=1e-4, end_lr=10.0,
                            num_iter=100, batch_size=64, seed=seed)
    lag = lesson.smoothing_lag(f)
    assert lag["moving average"] > 2 * lag["raw"] and lag["centred"] <= lag["raw"]


def test_range_test_function_check_accepts_a_loop_and_explains_slips():
    fb = lesson.check_range_test_function(_loop_range_test)
    assert fb and "2/L" in fb.message
    fb = lesson.check_range_test_function(lambda loss, x0, lrs: _loop_range_test(loss, x0, lrs, before=True))
    assert not fb and "before" in fb.message
    fb = lesson.check_range_test_function(lambda loss, x0, lrs: _loop_range_test(loss, x0, lrs, one_lr=True))
    assert not fb and "same lr" in fb.message
    fb = lesson.check_range_test_function(lambda loss, x0, lrs: _loop_range_test(loss, x0, lrs, sign=1.0))
    assert not fb and "At step 0" in fb.message
    assert "None" in lesson.check_range_test_function(lambda *a: None).message
    assert "1 losses for 100" in lesson.check_range_test_function(lambda *a: [1.0]).message
    assert "raised ZeroDivisionError" in lesson.check_range_test_function(lambda *a: 1 / 0).message
    assert not lesson.check_range_test_function(3) and not lesson.check_range_test_function(lambda *a: "abc")


def test_budget_check_passes_the_solution_and_explains_failures():
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)              # as the notebook runs it
    try:
        assert lesson.check_budget_schedule(lambda t: 0.1)
        fb = lesson.check_budget_schedule(lambda t: 0.001)
        assert not fb and "Raise the lr" in fb.message
        fb = lesson.check_budget_schedule(lambda t: 3.0)
        assert not fb and "diverged" in fb.message
        fb = lesson.check_budget_schedule(lambda t: 0.6)
        assert not fb and "decay it" in fb.message
    finally:
        torch.set_num_threads(threads)
    assert "None" in lesson.check_budget_schedule(lambda t: None).message
    assert ">= 0" in lesson.check_budget_schedule(lambda t: -0.1).message
    assert "raised" in lesson.check_budget_schedule(lambda t: [][t]).message
    assert not lesson.check_budget_schedule(0.1)


def test_budget_schedule_and_generalization_figure():
    assert lesson.budget_schedule("constant", 0.2)(57) == 0.2
    assert lesson.budget_schedule("cosine", 0.2)(0) == pytest.approx(0.2)
    assert lesson.budget_schedule("cosine", 0.2)(lesson.BUDGET) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="name"):
        lesson.budget_schedule("linear", 0.1)
    table = {"constant": np.array([[0.8, 0.81], [0.95, np.nan]]), "cosine": np.array([[0.7, 0.72], [0.96, 0.97]])}
    fig = lesson.generalization_figure(table, lrs=(0.01, 0.1))
    assert fig.axes[0].get_legend() is not None
