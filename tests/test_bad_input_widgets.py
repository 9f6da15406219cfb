"""Bad input to the widgets layer (Problem, Slider, Choice, the Explorer and its public methods, the widget
helpers, the exercises' checks, the lesson explorer factories): a clear TypeError/ValueError naming the
argument, raised before anything changes."""
from __future__ import annotations

import re

import numpy as np
import pytest

from lrlab import exercises, losses, steppers, widgets
from lrlab.explorer import Choice, Explorer, Problem, Slider
from lrlab.lessons import adaptive_optimizers, batch_size, beyond_the_lr, finding_a_good_lr, momentum, schedules
from lrlab.lessons import too_high_too_low

pytestmark = pytest.mark.usefixtures("no_warnings")

Q = losses.quadratic([1.0, 10.0])


def problem(**kw):
    return Problem(**{"loss": Q, "x0": [1.0, 1.0], "num_steps": 20, **kw})


def rule(view):
    return 2 * view.lr


def bad_rule(view):
    return "fast"


def far_rule(view):
    return 50.0


@pytest.fixture(scope="module")
def ex():
    """One explorer for the whole module: a slider, a choice with per-option parameters, presets of every kind."""
    return Explorer(problem(), lr=0.1, panels=("path", "loss"),
                    controls={"k": Slider(2.0, 1.0, 5.0),
                              "c": Choice(("a", "b"), params={"b": {"w": Slider(0.5, 0.0, 1.0)}}),
                              "n": Slider(3, 1, 10, integer=True)},
                    presets={"good": 0.1, "both": {"lr": 0.2, "c": "b"}, "double": rule, "text": bad_rule,
                             "far": far_rule})


def raises(exc, name):
    return pytest.raises(exc, match=rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])")


class NoGrad:
    def value(self, x):
        return np.sum(x * x, axis=-1)


class ListGrad(NoGrad):
    def grad(self, x):
        return [1.0]


@pytest.mark.parametrize("call, exc, name", [
    # Problem: checked at construction, naming the argument
    (lambda: problem(x0=["a", "b"]), TypeError, "x0"),
    (lambda: problem(x0=[1.0]), ValueError, "x0"),
    (lambda: problem(x0=[1.0, np.nan]), ValueError, "x0"),
    (lambda: problem(x0=[]), ValueError, "x0"),
    (lambda: problem(x0=[1 + 1j, 0]), TypeError, "x0"),
    (lambda: problem(num_steps=-1), ValueError, "num_steps"),
    (lambda: problem(num_steps=0), ValueError, "num_steps"),
    (lambda: problem(num_steps=2.5), TypeError, "num_steps"),
    (lambda: problem(loss=NoGrad()), TypeError, "loss"),
    (lambda: problem(loss=ListGrad()), ValueError, "loss.grad"),
    (lambda: problem(stepper="sgd"), TypeError, "stepper"),
    (lambda: problem(stepper=steppers.sgd), TypeError, "stepper"),
    (lambda: problem(tol=0.0), ValueError, "tol"),
    (lambda: problem(tol=2.0), ValueError, "tol"),
    (lambda: problem(title=3), TypeError, "title"),
    # control specs
    (lambda: Slider(2.0, 5.0, 1.0), ValueError, "max"),
    (lambda: Slider(2.0, 1.0, 1.0), ValueError, "max"),
    (lambda: Slider(9.0, 1.0, 5.0), ValueError, "value"),
    (lambda: Slider(2.0, 0.0, 5.0, log=True), ValueError, "min"),
    (lambda: Slider(2.0, "1", 5.0), TypeError, "min"),
    (lambda: Slider(2.0, 1.0, np.inf), ValueError, "max"),
    (lambda: Slider(2.0, 1.0, 5.0, step=0.0), ValueError, "step"),
    (lambda: Slider(2.0, 1.0, 5.0, step=10.0), ValueError, "step"),
    (lambda: Slider(2.0, 1.0, 100.0, log=True, step=3.0), ValueError, "step"),
    (lambda: Slider(2.5, 1, 5, integer=True), TypeError, "value"),
    (lambda: Slider(2.0, 1.0, 5.0, log=True, integer=True), ValueError, "integer"),
    (lambda: Slider(2.0, 1.0, 5.0, log="yes"), TypeError, "log"),
    (lambda: Slider(2.0, 1.0, 5.0, live=1), TypeError, "live"),
    (lambda: Slider(2.0, 1.0, 5.0, width="420px"), TypeError, "width"),
    (lambda: Slider(2.0, 1.0, 5.0, width=0), ValueError, "width"),
    (lambda: Slider(2.0, 1.0, 5.0, width=300.5), TypeError, "width"),
    (lambda: Slider(2.0, 1.0, 5.0, readout_format="three digits"), ValueError, "readout_format"),
    # d3's '~' (trim zeros): our old pattern let it through, ipywidgets' slider refuses it (a TraitError later)
    (lambda: Slider(2.0, 1.0, 5.0, readout_format=".2~f"), ValueError, "readout_format"),
    (lambda: Slider(2.0, 1.0, 5.0, description=1), TypeError, "description"),
    (lambda: Choice("abc"), TypeError, "options"),
    (lambda: Choice(5), TypeError, "options"),
    (lambda: Choice(()), ValueError, "options"),
    (lambda: Choice((1, 1, 2)), ValueError, "options"),
    (lambda: Choice(([1], [2])), TypeError, "options"),
    (lambda: Choice((1, 2), value=3), ValueError, "value"),
    (lambda: Choice((1, 2), value=True), ValueError, "value"),
    (lambda: Choice((1, 2), style="radio"), ValueError, "style"),
    (lambda: Choice((1, 2), style=np.ones(3)), ValueError, "style"),
    (lambda: Choice((1, 2), params={3: {}}), ValueError, "params"),
    (lambda: Choice((1, 2), params={1: {"w": 0.5}}), TypeError, "params"),
    (lambda: Choice((1, 2), params=[1]), TypeError, "params"),
    (lambda: Slider(2.0, 1.0, 5.0).with_value("kappa", 9.0), ValueError, "kappa"),
    (lambda: Choice((1, 4)).with_value("batch_size", 3), ValueError, "batch_size"),
    (lambda: Choice((1, 4)).with_value(None, 4), TypeError, "name"),
    # the widget helpers
    (lambda: widgets.build_control("k", 0.5), TypeError, "spec"),
    (lambda: widgets.build_control(3, Slider(2.0, 1.0, 5.0)), TypeError, "name"),
    (lambda: widgets.lr_slider(5.0, 1e-3, 1.0), ValueError, "value"),
    (lambda: widgets.lr_slider(0.1, 1.0, 1e-3), ValueError, "lr_max"),
    (lambda: widgets.lr_slider(0.1, 0.0, 1.0), ValueError, "lr_min"),
    (lambda: widgets.lr_slider(0.1, 1e-3, 1.0, steps=0), ValueError, "steps"),
    (lambda: widgets.lr_slider(0.1, 1e-3, 1.0, width="big"), TypeError, "width"),
    (lambda: widgets.snap_to_slider(widgets.lr_slider(0.1, 1e-3, 1.0), "abc"), TypeError, "value"),
    (lambda: widgets.snap_to_slider(widgets.lr_slider(0.1, 1e-3, 1.0), -1.0), ValueError, "value"),
    (lambda: widgets.snap_to_slider(0.5, 0.1), TypeError, "slider"),
    (lambda: widgets.preset_buttons([0.1], print), TypeError, "presets"),
    (lambda: widgets.preset_buttons({"a": 0.1}, None), TypeError, "on_click"),
    (lambda: widgets.theory_text("q"), TypeError, "loss"),
    (lambda: widgets.theory_text(Q, momentum=1.0), ValueError, "momentum"),
    # the Explorer's constructor
    (lambda: Explorer(problem(), lr=5.0), ValueError, "lr"),
    (lambda: Explorer(problem(), lr=1e-6), ValueError, "lr"),
    (lambda: Explorer(problem(), lr="x"), TypeError, "lr"),
    (lambda: Explorer(problem(), lr=0.1, lr_range=(1.0, 1e-3)), ValueError, "lr_range"),
    (lambda: Explorer(problem(), lr=0.1, lr_range=("a", "b")), TypeError, "lr_range[0]"),
    (lambda: Explorer(problem(), lr=0.1, lr_range=0.5), ValueError, "lr_range"),
    (lambda: Explorer(None, lr=0.1), TypeError, "setup"),
    (lambda: Explorer(Q, lr=0.1), TypeError, "setup"),
    (lambda: Explorer(problem(), lr=0.1, panels="path"), TypeError, "panels"),
    (lambda: Explorer(problem(), lr=0.1, panels=("path", "histogram")), ValueError, "panels"),
    (lambda: Explorer(problem(), lr=0.1, panels=()), ValueError, "panels"),
    (lambda: Explorer(problem(), lr=0.1, controls=[Slider(2.0, 1.0, 5.0)]), TypeError, "controls"),
    (lambda: Explorer(problem(), lr=0.1, controls={"lr": Slider(2.0, 1.0, 5.0)}), ValueError, "control names"),
    (lambda: Explorer(problem(), lr=0.1, controls={"k": 2.0}), TypeError, "controls['k']"),
    (lambda: Explorer(problem(), lr=0.1, presets=[0.1]), TypeError, "presets"),
    (lambda: Explorer(problem(), lr=0.1, presets={"far": 50.0}), ValueError, "preset 'far'"),
    (lambda: Explorer(problem(), lr=0.1, presets={"far": {"lr": 50.0}}), ValueError, "preset 'far'"),
    (lambda: Explorer(problem(), lr=0.1, presets={"x": {"kappa": 2.0}}), ValueError, "preset 'x'"),
    (lambda: Explorer(problem(), lr=0.1, controls={"k": Slider(2.0, 1.0, 5.0)}, presets={"x": {"k": 9.0}}),
     ValueError, "preset 'x': k"),
    (lambda: Explorer(problem(), lr=0.1, preset_rows={"row": 0.1}), TypeError, "preset_rows['row']"),
    (lambda: Explorer(problem(), lr=0.1, runs="main"), TypeError, "runs"),
    (lambda: Explorer(problem(), lr=0.1, regime=3), TypeError, "regime"),
    (lambda: Explorer(problem(), lr=0.1, decorate="legend"), TypeError, "decorate"),
    (lambda: Explorer(problem(), lr=0.1, width=0.0), ValueError, "width"),
    (lambda: Explorer(problem(), lr=0.1, height="4"), TypeError, "height"),
    (lambda: Explorer(problem(), lr=0.1, title=5), TypeError, "title"),
    (lambda: Explorer(problem(), lr=0.1, lr_description=None), TypeError, "lr_description"),
    # the exercises' checks (the instructor's arguments; a student's answer always gets feedback)
    (lambda: exercises.check_number_answer(1.0, "1.0"), TypeError, "expected"),
    (lambda: exercises.check_number_answer(1.0, 1.0, rtol=-0.1), ValueError, "rtol"),
    (lambda: exercises.check_number_answer(1.0, 1.0, digits=0), ValueError, "digits"),
    (lambda: exercises.check_number_answer(1.0, 1.0, at_most=np.nan), ValueError, "at_most"),
    (lambda: exercises.check_number_answer(1.0, 1.0, hint=None), TypeError, "hint"),
    (lambda: exercises.check_choice("a", "c", choices=["a", "b"]), ValueError, "expected"),
    (lambda: exercises.check_choice("a", "a", choices="ab"), TypeError, "choices"),
    (lambda: exercises.check_choice("a", "a", choices=[]), TypeError, "choices"),
    # the lesson explorer factories name their own arguments
    (lambda: too_high_too_low.kappa_explorer(kappa=0.5), ValueError, "kappa"),
    (lambda: too_high_too_low.kappa_explorer(kappa="20"), TypeError, "kappa"),
    (lambda: too_high_too_low.explorer(lr=100.0), ValueError, "lr"),
    (lambda: finding_a_good_lr.range_test_explorer(num_iter=7), ValueError, "num_iter"),
    (lambda: finding_a_good_lr.range_test_explorer(smooth=1.0), ValueError, "smooth"),
    (lambda: schedules.schedule_picker(schedule="cosin"), ValueError, "schedule"),
    (lambda: schedules.schedule_picker(problem=problem()), TypeError, "problem"),
    (lambda: momentum.momentum_explorer(momentum=0.99), ValueError, "momentum"),
    (lambda: adaptive_optimizers.optimizer_explorer(optimizer="SGD"), ValueError, "optimizer"),
    (lambda: adaptive_optimizers.optimizer_explorer(lr=10.0), ValueError, "lr"),
    (lambda: batch_size.batch_size_explorer(batch_size=3), ValueError, "batch_size"),
    (lambda: batch_size.batch_size_explorer(batch_size="abc"), ValueError, "batch_size"),
    (lambda: beyond_the_lr.explorer(features="scaled"), ValueError, "features"),
])
def test_bad_arguments(call, exc, name):
    with raises(exc, name):
        call()


@pytest.mark.parametrize("call, exc, name", [
    (lambda ex: ex.set_lr(1e6), ValueError, "lr"),
    (lambda ex: ex.set_lr(1e-6), ValueError, "lr"),
    (lambda ex: ex.set_lr(0.0), ValueError, "lr"),
    (lambda ex: ex.set_lr("abc"), TypeError, "lr"),
    (lambda ex: ex.set_lr(np.nan), ValueError, "lr"),
    (lambda ex: ex.set_lr(True), TypeError, "lr"),
    (lambda ex: ex.set(lr=5.0, k=3.0), ValueError, "lr"),
    (lambda ex: ex.set(k=10.0), ValueError, "k"),
    (lambda ex: ex.set(k="3"), TypeError, "k"),
    (lambda ex: ex.set(n=2.5), TypeError, "n"),
    (lambda ex: ex.set(c="z"), ValueError, "c"),
    (lambda ex: ex.set(c=True, k=3.0), ValueError, "c"),
    (lambda ex: ex.set(c=np.ones(2)), ValueError, "c"),
    (lambda ex: ex.set(kappa=2.0), ValueError, "kappa"),
    (lambda ex: ex.set(c="b", c_params=0.5), TypeError, "c_params"),
    (lambda ex: ex.set(c="b", c_params={"v": 0.5}), ValueError, "c_params"),
    (lambda ex: ex.set(c="b", c_params={"w": 2.0}), ValueError, "w"),
    (lambda ex: ex.apply_preset("nonexistent"), ValueError, "preset"),
    (lambda ex: ex.apply_preset(None), TypeError, "preset"),
    (lambda ex: ex.apply_preset(5.0), ValueError, "preset"),
    (lambda ex: ex.apply_preset(-1.0), ValueError, "preset"),
    (lambda ex: ex.apply_preset({"kappa": 3.0}), ValueError, "kappa"),
    (lambda ex: ex.apply_preset({"c": "z"}), ValueError, "c"),
    (lambda ex: ex.apply_preset({"c": "b", "c_params": [0.1]}), TypeError, "c_params"),
    (lambda ex: ex.apply_preset("text"), TypeError, "bad_rule"),
    (lambda ex: ex.apply_preset("far"), ValueError, "far_rule"),
    (lambda ex: ex.frame(lr=5.0), ValueError, "lr"),
    (lambda ex: ex.frame(k=0.0), ValueError, "k"),
])
def test_bad_method_calls_change_nothing(ex, call, exc, name):
    ex.set(lr=0.1, k=2.0, c="a", n=3)
    before, frames = (ex.lr, ex.values()), ex.frames
    with raises(exc, name):
        call(ex)
    assert (ex.lr, ex.values()) == before
    assert ex.frames == frames


def test_the_unknown_preset_message_lists_what_a_preset_may_be(ex):
    with pytest.raises(ValueError) as err:
        ex.apply_preset("nonexistent")
    text = str(err.value)
    assert "an lr (a number)" in text and "dict of control values" in text and "view -> lr" in text
    assert all(repr(name) in text for name in ("good", "both", "double"))


def test_valid_calls_at_the_edges(ex):
    lo, hi = ex.lr_range
    ex.set_lr(hi)
    assert ex.lr == pytest.approx(hi)
    ex.set_lr(lo)
    assert ex.lr == pytest.approx(lo)
    ex.apply_preset("both")                            # a preset by name
    assert ex.values()["c"] == "b" and ex.lr == pytest.approx(0.2, rel=0.02)
    ex.apply_preset("double")
    assert ex.lr == pytest.approx(0.4, rel=0.02)
    ex.set(n=np.int64(4), c="a")                       # numpy integers are integers
    assert ex.values()["n"] == 4
    assert Choice((1, 4, 16)).with_value("batch_size", 16.0).value == 16
    assert Problem(Q, np.ones((3, 2)), 5).run(0.1).params.shape == (6, 3, 2)    # a batch of starts


@pytest.mark.parametrize("answer", [True, None, "abc", 1 + 2j, [1.0, 2.0], np.nan])
def test_a_students_bad_answer_gets_feedback_not_an_error(answer):
    fb = exercises.check_number_answer(answer, 1.0)
    assert isinstance(fb, exercises.Feedback) and not fb.correct
    fb = exercises.check_choice(answer, "a", choices=["a", "b"])
    assert isinstance(fb, exercises.Feedback) and not fb.correct
