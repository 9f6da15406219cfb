"""Lesson 04 (schedules): the schedule picker driven from Python, the lesson's helpers, exercise checks."""

import numpy as np
import pytest

pytest.importorskip("ipympl")
import ipywidgets as W  # noqa: E402

from lesson_helpers import changed, regime_of  # noqa: E402
from lrlab import theory  # noqa: E402
from lrlab.lessons import schedules as lesson  # noqa: E402


pytestmark = pytest.mark.usefixtures("no_warnings")


@pytest.fixture(scope="module")
def problem():
    return lesson.noisy_problem()


def data_of(picker):
    a = picker.artists
    return [np.array(line.get_ydata(), dtype=float, copy=True)
            for line in (a["schedule"]["lr"], a["loss"]["raw"], a["loss"]["noisy"], a["loss"]["clean"])]


def current_schedule(pk):
    v = pk.values()
    return lesson.make_schedule(v["schedule"], pk.lr, pk.problem.num_steps, **v["schedule_params"])


def test_lr_slider_whole_range_constant_schedule(problem):
    pk = lesson.schedule_picker(schedule="constant", problem=problem)
    lo, hi = pk.lr_range
    values = [lo, *(v["lr"] for v in lesson.PRESETS.values()), *np.geomspace(lo, hi, 20), hi]
    for lr in values:
        before, frames = data_of(pk), pk.frames
        pk.set_lr(lr)
        if pk.frames > frames:
            assert changed(before, data_of(pk)), lr
        np.testing.assert_allclose(pk.artists["schedule"]["lr"].get_ydata(), pk.lr)
        # constant lr on a quadratic: diverging exactly beyond 2/L
        if pk.lr > 1.02 * problem.critical_lr:
            assert regime_of(pk) == "diverging", pk.lr
            assert "diverged" in pk.stats.value
        elif pk.lr < 0.98 * problem.critical_lr:
            assert regime_of(pk) != "diverging", pk.lr
        if pk.lr < 0.98 / problem.L:                  # no overshoot: no step turns back
            assert regime_of(pk) == "monotone", pk.lr
        # past 1/L the steepest direction overshoots, but its share of the error here is small: the steps
        # turn back (what path_shape reads) only from lr·L = 1.7 (1.67 measured) on
        if 1.7 / problem.L < pk.lr < 0.98 * problem.critical_lr:
            assert regime_of(pk) == "oscillating", pk.lr
    pk.set_lr(1.0)
    assert "steps above 2/L: <b>0</b>" in pk.stats.value


@pytest.mark.parametrize("name", lesson.SCHEDULES)
def test_every_schedule_and_every_parameter(problem, name):
    pk = lesson.schedule_picker(schedule="constant", problem=problem)
    before = data_of(pk)
    pk.controls["schedule"].value = name
    assert list(pk.controls["schedule"].options) == list(lesson.SCHEDULES)
    assert pk.param_boxes["schedule"][name].layout.display is None
    assert all(b.layout.display == "none" for n, b in pk.param_boxes["schedule"].items() if n != name)
    if name != "constant":
        assert changed(before, data_of(pk))
    assert lesson.TORCH_NAMES[name].split("(")[0] in pk.stats.value
    for pname, w in pk.params["schedule"][name].items():
        options = list(w.options) if isinstance(w, W.Dropdown) else [w.min, w.max, (w.min + w.max) / 2, w.value]
        if isinstance(w, W.FloatLogSlider):
            options = [10 ** w.min, 10 ** w.max, 10 ** ((w.min + w.max) / 2), w.value]
        for v in options:
            before, frames = data_of(pk), pk.frames
            w.value = v
            if pk.frames > frames:
                assert changed(before, data_of(pk)), (name, pname, v)
            sched = current_schedule(pk)
            np.testing.assert_allclose(pk.artists["schedule"]["lr"].get_ydata(), sched(np.arange(problem.num_steps)))
    pk.set_lr(pk.lr_range[1])                       # 5.0 is far beyond 2/L for any schedule here
    assert regime_of(pk) == "diverging"


def test_decay_beats_constant_floor(problem):
    runs = lesson.run_schedules(problem, {"constant": lesson.PEAK, "cosine": lesson.make_schedule("cosine", lesson.PEAK)})
    tail = lesson.last_mean(runs)
    assert tail[1] < tail[0] / 10


def test_noise_floor():
    p = lesson.noisy_problem()
    small = [theory.noise_floor(p.loss, lr) for lr in (0.004, 0.002)]
    assert small[0] / small[1] == pytest.approx(2, rel=0.01)     # proportional for small lr
    assert theory.noise_floor(p.loss, p.critical_lr) == float("inf")


def test_make_schedule_matches_torch_for_other_parameters():
    torch = pytest.importorskip("torch")
    S = torch.optim.lr_scheduler
    cases = [("step", dict(step_size=30, gamma=0.3), lambda o: S.StepLR(o, step_size=30, gamma=0.3)),
             ("warm restarts", dict(T_0=75, T_mult=3), lambda o: S.CosineAnnealingWarmRestarts(o, T_0=75, T_mult=3)),
             ("cyclic", dict(step_size_up=40, base_fraction=0.05, mode="triangular2"),
              lambda o: S.CyclicLR(o, base_lr=0.02, max_lr=0.4, step_size_up=40, mode="triangular2",
                                   cycle_momentum=False)),
             ("one-cycle", dict(pct_start=0.5, div_factor=10.0, final_div_factor=100.0),
              lambda o: S.OneCycleLR(o, max_lr=0.4, total_steps=500, pct_start=0.5, div_factor=10.0,
                                     final_div_factor=100.0, cycle_momentum=False))]
    for name, params, build in cases:
        opt = lesson.dummy_optimizer(0.4)
        gold = lesson.torch_lrs(build(opt), opt, 500)
        np.testing.assert_allclose(lesson.make_schedule(name, 0.4, **params)(np.arange(500)), gold, rtol=1e-10, atol=1e-14)
    with pytest.raises(TypeError):
        lesson.make_schedule("cosine", 0.4, gamma=0.5)
    with pytest.raises(ValueError):
        lesson.make_schedule("linear", 0.4)


def test_exercise_checks():
    right = lesson.exercise_answers()
    assert right["steps_above"] == 196 == int(np.floor(500 * np.arccos(1 / 3) / np.pi)) + 1   # the closed form
    assert "steps_above" not in lesson.check_steps_above(3).message            # the hint names no function
    assert right["restart_effect"] == "up"
    assert lesson.check_floor_prediction(right["floor"])
    assert lesson.check_floor_prediction(right["floor_b10"] / 4)                  # the lr/B rule, rounded
    assert "batches of 10" in lesson.check_floor_prediction(right["floor_b10"]).message   # forgot the batch size
    for wrong in (None, "x", right["floor_b10"], right["floor_b10"] / 16, 4 * right["floor_b10"], 0.0):
        fb = lesson.check_floor_prediction(wrong)
        assert not fb and fb.message
    assert lesson.check_steps_above(right["steps_above"]) and lesson.check_steps_above(right["steps_above"] + 1)
    for wrong in (None, "many", 250, right["steps_above"] + 5, 0):
        assert not lesson.check_steps_above(wrong)
    assert lesson.check_restart_effect("up") and lesson.check_restart_effect(" Up ")
    assert not lesson.check_restart_effect("down") and not lesson.check_restart_effect(None)


@pytest.mark.parametrize("seed", range(4))
def test_plateau_claims_hold_for_every_seed(problem, seed):
    """The notebook's claims about ReduceLROnPlateau hold on other minibatch draws, not only seed 0."""
    r = lesson.plateau_run(problem, seed=seed)
    E = r.steps_per_epoch
    assert r.cuts.size >= 2
    for k in r.cuts:                          # a cut comes when the loss has reached the floor of the lr in use
        ratio = (r.metrics[k - 4:k] - problem.loss.min_value).mean() / theory.noise_floor(problem.loss, r.epoch_lrs[k - 1])
        assert 0.5 < ratio < 2
    assert r.gap[-4 * E:].mean() < theory.noise_floor(problem.loss, lesson.PEAK) / 3
    assert np.all(np.diff(r.cuts) >= lesson.PLATEAU["patience"] + 1)
    assert np.array_equal(r.lr[::E], r.epoch_lrs[:-1])        # each epoch ran at the lr the scheduler chose


def test_plateau_figure(problem):
    r = lesson.plateau_run(problem, epochs=12)
    fig, (ax, bx) = lesson.plateau_figure(r, problem)
    assert all(t.get_fontsize() >= 12 for a in (ax, bx) for t in a.get_legend().get_texts())
    assert "ReduceLROnPlateau" in fig._suptitle.get_text()


def test_averaging_exercise_and_figure():
    r = lesson.average_without_noise()
    assert r["answer"] == "above" and r["average"] > 100 * r["last"]          # not a close call
    assert lesson.check_average_without_noise("above") and lesson.check_average_without_noise(" Above ")
    for wrong in ("below", None, 1):
        fb = lesson.check_average_without_noise(wrong)
        assert not fb and fb.message
    gaps = {f"line {i}": np.geomspace(1, 1e-3, 501) for i in range(5)}
    fig = lesson.averaging_figure(gaps)
    ax = fig.axes[0]
    legend = ax.get_legend() or fig.legends[0]             # the legend sits below the axes, on the figure
    assert ax.get_yscale() == "log" and len(legend.get_texts()) == 5
    assert fig.get_size_inches()[0] <= 9


def test_restarts_rescue_no_start_on_two_wells():
    """The lesson's claim: warm restarts and one cosine end in the two wells' trap from the same starts."""
    counts = lesson.wells_trap_counts(peaks=(0.1, 0.5), num_starts=30)
    for restarts, cosine in counts.values():
        assert np.array_equal(restarts, cosine)
    assert counts[0.1][0].any() and not counts[0.5][0].any()
