"""The widget layer without a browser: moving a control updates artists and the regime label."""

import ipywidgets as W
import numpy as np
import pytest

from lrlab import diagnostics, losses, plotting, theory, widgets
from lrlab.explorer import Choice, Explorer, Panel, Problem, Slider


pytestmark = pytest.mark.usefixtures("no_warnings")


def snapshot(ex):
    out = {}
    for name, art in ex.artists.items():
        if isinstance(art, dict) and "points" in art:
            out[name] = np.asarray(art["points"].get_xydata()).copy()
        elif isinstance(art, dict):
            out[name] = np.asarray(art["marker"].get_xydata()).copy()
        else:
            out[name] = np.asarray(art.get_xydata() if hasattr(art, "get_xydata") else art.get_xdata()).copy()
    return out


def label_text(ex) -> str:
    import re
    return re.sub("<[^>]+>", "", ex.label.value)


def changed(a, b):
    return {k for k in a if a[k].shape != b[k].shape or not np.array_equal(a[k], b[k], equal_nan=True)}


def test_explorer_follows_the_slider_and_labels_by_theory():
    q = losses.quadratic([1.0, 10.0])
    ex = Explorer(Problem(q, [1.0, 1.0], 60), lr=0.05, lr_range=(1e-3, 1.0),
                  presets={"too small": 2e-3, "good": 0.1, "oscillating": 0.19, "diverging": 0.3})
    assert isinstance(ex.slider, W.FloatLogSlider)
    assert "2/L = 0.2" in ex.theory.value
    expected = {2e-3: "monotone convergence", 0.1: "monotone convergence", 0.19: "oscillating convergence",
                0.3: "divergence", 1.0: "divergence"}
    for lr, regime in expected.items():
        before, frames = snapshot(ex), ex.frames
        ex.set_lr(lr)
        assert ex.frames == frames + 1
        assert changed(before, snapshot(ex)) == {"path", "loss", "map"}
        assert ex.regime == regime == theory.regime(q, ex.lr)
        assert f'data-regime="{regime}"' in ex.label.value
        progress = diagnostics.progress(ex.traj)
        assert ex.view.progress == pytest.approx(progress, nan_ok=True)
        assert diagnostics.progress_text(progress) in ex.label.value
    # an lr beyond the slider's range is refused, not clipped (the figure would show another lr)
    with pytest.raises(ValueError, match=r"lr must be within the lr slider's range lr_range=\[0.001, 1\]"):
        ex.set_lr(50.0)
    assert ex.lr == pytest.approx(1.0)
    ex.set_lr(0.1)
    assert label_text(ex) == "monotone convergence · over 99% of the loss gap closed"


def test_the_default_label_names_theory_where_it_applies_else_the_path():
    """theory.regime for plain GD, heavy ball and Nesterov on a quadratic; path_shape elsewhere (another loss,
    Adam, weight decay); a progress hook may replace the default."""
    from lrlab import steppers
    from lrlab.explorer import quadratic_theory
    q = losses.quadratic([1.0, 10.0])
    for stepper, known in [(None, {"momentum": 0.0, "nesterov": False}),
                           (steppers.sgd(momentum=0.5), {"momentum": 0.5, "nesterov": False}),
                           (steppers.sgd(momentum=0.5, nesterov=True), {"momentum": 0.5, "nesterov": True}),
                           (steppers.sgd(weight_decay=0.1), None), (steppers.adam(), None)]:
        p = Problem(q, [1.0, 1.0], 60, stepper=stepper)
        assert quadratic_theory(p) == known
        ex = Explorer(p, lr=0.15, lr_range=(1e-3, 1.0), panels=("loss",), presets={"a": 0.15})
        words = theory.REGIMES if known else diagnostics.PATH_SHAPES
        assert ex.regime in words and ex.regime == (theory.regime(q, ex.lr, **known) if known
                                                     else diagnostics.path_shape(ex.traj))
    assert quadratic_theory(Problem(losses.two_wells(), [-1.6], 10)) is None
    wells = Explorer(Problem(losses.two_wells(), [-1.6], 150), lr=0.12, lr_range=(1e-3, 8.0), panels=("path", "loss"),
                     presets={"a": 0.12}, progress=lambda view: 0.25)
    assert wells.regime == "oscillating" and "oscillating · 25% of the loss gap closed" in label_text(wells)
    none = Explorer(Problem(q, [1.0, 1.0], 60), lr=0.1, lr_range=(1e-3, 1.0), panels=("loss",), presets={"a": 0.1},
                    progress=lambda view: None)
    assert "loss gap" not in none.label.value and none.view.progress is None


def test_regime_badge_says_the_word_and_the_progress():
    b = plotting.regime_badge("oscillating convergence", 0.7)
    assert 'data-regime="oscillating convergence"' in b and "oscillating convergence" in b
    assert "· 70% of the loss gap closed" in b and plotting.REGIME_COLORS["oscillating convergence"] in b
    assert "loss gap" not in plotting.regime_badge("divergence", float("nan"))
    assert "loss gap" not in plotting.regime_badge("divergence")
    assert "#d9d9d9" in plotting.regime_badge("stuck")                      # an unknown word: neutral grey
    for word in (*theory.REGIMES, *diagnostics.PATH_SHAPES):
        assert word in plotting.REGIME_COLORS


def test_presets_drive_the_slider():
    q = losses.quadratic([2.0])
    ex = Explorer(Problem(q, [1.0], 40), lr=0.01, lr_range=(1e-4, 3.0),
                  presets={"too small": 1e-3, "diverging": 1.2}, panels=("path", "loss", "ruler"))
    assert [b.description for b in ex.buttons] == ["too small", "diverging"]
    ex.buttons[1].click()
    assert ex.lr == pytest.approx(1.2, rel=0.03) and ex.regime == "divergence"
    ex.buttons[0].click()
    assert ex.regime == "monotone convergence"


def _kappa_explorer(**kw):
    def setup(kappa):
        return Problem(losses.quadratic([1.0, kappa]), [1.0, 1.0], 50)
    return Explorer(setup, lr=0.05, lr_range=(1e-4, 2.0),
                    controls={"kappa": Slider(10.0, 1.0, 1000.0, log=True, description="κ")}, **kw)


def test_controls_rebuild_the_problem_and_move_the_theory():
    ex = _kappa_explorer(presets={"wide": {"kappa": 10.0, "lr": 0.1}})
    kappa = ex.controls["kappa"]
    assert isinstance(kappa, W.FloatLogSlider) and kappa.description == "κ"
    assert "2/L = 0.2" in ex.theory.value
    before = snapshot(ex)
    kappa.value = 100.0
    assert "2/L = 0.02" in ex.theory.value
    assert ex.regime == "divergence"                    # 0.05 > 2/100
    assert "path" in changed(before, snapshot(ex))
    frames = ex.frames
    ex.apply_preset(ex.presets["wide"])
    assert ex.frames == frames + 1                      # a preset moving two controls computes once
    assert ex.regime in ("monotone convergence", "oscillating convergence") and ex.problem.loss.L == pytest.approx(10.0)


def test_a_preset_is_a_whole_setting():
    ex = _kappa_explorer(presets={"fast": 0.15, "narrow": {"kappa": 100.0}})
    ex.controls["kappa"].value = 300.0
    ex.apply_preset(ex.presets["fast"])                 # an lr preset moves the lr only
    assert ex.controls["kappa"].value == 300.0 and ex.lr == pytest.approx(0.15, rel=0.03)
    ex.apply_preset({"lr": 0.02})                       # a dict preset: unnamed controls back to their defaults
    assert ex.controls["kappa"].value == 10.0
    ex.apply_preset(ex.presets["narrow"])
    assert ex.controls["kappa"].value == 100.0 and ex.lr == pytest.approx(0.02, rel=0.03)


def test_a_rule_preset_reads_the_current_frame():
    ex = _kappa_explorer(presets={"1/L": lambda view: 1.0 / view.scene.loss.L})
    ex.controls["kappa"].value = 40.0
    ex.buttons[0].click()
    assert ex.lr == pytest.approx(1 / 40.0, rel=0.03)


def test_reference_runs_custom_hooks_and_a_live_control():
    """One explorer holds several runs; a live control re-runs without redrawing the static part."""
    class Gap(Panel):
        name = "gap"
        draws = 0

        def draw(self, ax, view):
            Gap.draws += 1
            (self.artists,) = ax.plot([], [])

        def update(self, view):
            d = view.runs["main"].loss - view.runs["reference"].loss
            self.artists.set_data(np.arange(d.size), d)

    def runs(scene, lr, factor):
        return {"main": scene.run(lr), "reference": scene.run(lr * factor)}
    ex = Explorer(Problem(losses.quadratic([1.0, 4.0]), [1.0, 1.0], 30), lr=0.1, lr_range=(1e-3, 1.0), runs=runs,
                  controls={"factor": Slider(0.5, 0.1, 1.0, live=True)}, panels=("loss", Gap()),
                  regime=lambda view: "slow" if view.runs["reference"].loss[-1] > view.runs["main"].loss[-1]
                  else "converging",
                  stats=lambda view: [f"reference lr = {view.lr * view.controls['factor']:.3g}"])
    assert set(ex.runs) == {"main", "reference"} and ex.regime == "slow"
    assert "reference lr = 0.05" in ex.stats.value and 'class="lrlab-stats"' in ex.stats.value
    draws = Gap.draws
    ex.controls["factor"].value = 1.0
    assert Gap.draws == draws                             # live: no redraw of the static part
    np.testing.assert_array_equal(ex.artists["gap"].get_ydata(), 0.0)
    assert ex.regime == "converging"


def test_a_choice_with_per_option_parameters():
    """A schedule picker: each option has its own sliders, shown only while it is chosen."""
    from lrlab import schedules

    def runs(scene, lr, schedule, schedule_params):
        sched = (schedules.step_lr(lr, **schedule_params) if schedule == "step"
                 else schedules.constant_lr(lr, factor=1.0, total_iters=1))
        return {"main": Problem(scene.loss, scene.x0, scene.num_steps, stepper=None).run(sched)}
    pick = Choice(("constant", "step"), "constant", live=True,
                  params={"step": {"step_size": Slider(10, 1, 50, step=1, integer=True, live=True),
                                   "gamma": Slider(0.5, 0.1, 0.9, step=0.1, live=True)}})
    ex = Explorer(Problem(losses.quadratic([1.0]), [1.0], 40), lr=0.5, controls={"schedule": pick}, runs=runs,
                  panels=("loss",), presets={"step": {"schedule": "step", "lr": 0.5}})
    boxes = ex.param_boxes["schedule"]
    assert boxes["step"].layout.display == "none" and boxes["constant"].layout.display is None
    ex.controls["schedule"].value = "step"
    assert boxes["step"].layout.display is None
    assert ex.values() == {"schedule": "step", "schedule_params": {"step_size": 10, "gamma": 0.5}}
    np.testing.assert_allclose(ex.traj.lr[:12], [0.5] * 10 + [0.25] * 2)
    ex.params["schedule"]["step"]["step_size"].value = 5
    np.testing.assert_allclose(ex.traj.lr[:6], [0.5] * 5 + [0.25])
    ex.apply_preset(ex.presets["step"])                  # a preset puts the parameters back to their defaults
    assert ex.values()["schedule_params"] == {"step_size": 10, "gamma": 0.5}


def test_frames_without_a_front_end():
    from PIL import Image
    import io
    ex = _kappa_explorer()
    a = ex.frame(lr=0.001, kappa=10.0)
    b = ex.frame(lr=0.3)
    c = ex.frame(lr=0.001, kappa=10.0)
    assert (a.regime, b.regime) == ("monotone convergence", "divergence")
    assert a.controls == {"kappa": 10.0} and a.lr == pytest.approx(0.001, rel=0.03)
    assert 0 < a.progress < 1
    assert 'data-regime="monotone convergence"' in a.label and "of the loss gap closed" in a.label
    assert "steps to" in a.stats and "2/L = 0.2" in a.theory
    assert a.png != b.png and a.png == c.png            # a frame depends only on the controls
    im = Image.open(io.BytesIO(a.png))
    w, h = ex.fig.get_size_inches() * ex.fig.dpi
    assert im.size == (round(w), round(h))


def test_bad_panels_controls_presets_and_ranges():
    q = Problem(losses.quadratic([1.0]), [1.0])
    with pytest.raises(ValueError, match="panels"):
        Explorer(q, lr=0.1, panels=("nope",))
    with pytest.raises(ValueError, match="panels"):
        Explorer(q, lr=0.1, panels=(("grad", None, None),))
    with pytest.raises(ValueError, match="lr_max"):
        widgets.lr_slider(0.1, 1.0, 0.5)
    with pytest.raises(ValueError, match="lr_range"):
        Explorer(q, lr=0.1, lr_range=(0.1,))
    with pytest.raises(TypeError, match=r"lr_range\[0\]"):
        Explorer(q, lr=0.1, lr_range=("a", "b"))
    with pytest.raises(ValueError, match="unknown control"):
        Explorer(q, lr=0.1, presets={"p": {"kappa": 3.0}})
    with pytest.raises(TypeError, match="controls"):
        Explorer(q, lr=0.1, controls={"k": W.FloatSlider()})
    with pytest.raises(ValueError, match="value"):
        Slider(5.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="options"):
        Choice(("a", "b"), "c")
    ex = _kappa_explorer()
    with pytest.raises(TypeError, match="lr"):
        ex.set_lr("abc")
    with pytest.raises(ValueError, match="unknown control"):
        ex.set(beta=0.5)
    with pytest.raises(ValueError, match="kappa"):
        ex.set(kappa=5000.0)


def test_static_small_multiples_colour_by_regime():
    q = losses.quadratic([1.0, 10.0])
    import lrlab
    from matplotlib.colors import to_rgba
    lrs = [0.001, 0.1, 0.19, 0.21]
    traj = lrlab.run(loss=q, x0=[1.0, 1.0], lr=lrs, num_steps=30)
    badge = lambda ax: [t.get_text() for t in ax.texts if t.get_bbox_patch() is not None]   # noqa: E731
    fig, axes = plotting.small_multiples(traj, q)           # default: each path's shape
    want = ["monotone", "monotone", "oscillating", "diverging"]
    assert list(diagnostics.path_shape(traj)) == want
    for ax, shape, lr in zip(np.ravel(axes), want, lrs):
        path = max(ax.get_lines(), key=lambda line: len(line.get_xdata()))
        assert to_rgba(path.get_color()) == to_rgba(plotting.REGIME_COLORS[shape]), (lr, shape)
        assert f"{lr:g}" in ax.get_title() and badge(ax) == [shape]
    words = list(theory.regime(q, lrs))                     # the caller's words: the theory's regimes
    fig, axes = plotting.small_multiples(traj, q, badges=words)
    for ax, word in zip(np.ravel(axes), words):
        path = max(ax.get_lines(), key=lambda line: len(line.get_xdata()))
        assert to_rgba(path.get_color()) == to_rgba(plotting.REGIME_COLORS[word]) and badge(ax) == [word]
    fig, axes = plotting.small_multiples(traj, q, badges=False)
    assert not any(badge(ax) for ax in np.ravel(axes))
    with pytest.raises(ValueError, match="badges must have 4 entries"):
        plotting.small_multiples(traj, q, badges=["monotone"])
    assert theory.critical_lr(q) == pytest.approx(0.2)


def test_a_frame_carries_its_tag_in_its_png():
    import io

    from PIL import Image

    from lrlab import live_canvas
    rgba = np.zeros((3, 4, 4), np.uint8)
    rgba[1, 2] = (10, 20, 30, 255)
    png = live_canvas._png(rgba, "abc-7")
    im = Image.open(io.BytesIO(png))
    assert im.size == (4, 3) and im.text == {"lrlab-frame": "abc-7"}
    assert np.array_equal(np.asarray(im.convert("RGBA")), rgba)
    assert png[37:41] == b"tEXt"                      # where the page's hook looks for it
    assert "lrlab-frame" not in Image.open(io.BytesIO(live_canvas._png(rgba))).text


def test_show_frame_stamps_the_stats_line_with_the_frame_and_its_lr():
    import ipywidgets as W

    from lrlab.live_canvas import show_frame

    class Canvas:
        model_id = "0123456789abcdef"
        frame_count = 0
        sent = []

        def frame(self):
            self.sent.append(self.frame_tag)
    c, stats = Canvas(), W.HTML()
    t1 = show_frame(c, stats, '<span class="lrlab-stats">lr = 0.1</span>', 0.1)
    t2 = show_frame(c, stats, "no span here", 0.25)
    assert t1 != t2 and c.sent == [t1, t2]
    assert f'data-frame="{t2}"' in stats.value and 'data-lr="0.25"' in stats.value


def test_snap_to_slider_lands_on_the_grid_within_half_a_step():
    import math

    from lrlab.widgets import lr_slider, snap_to_slider
    s = lr_slider(0.1, 1e-3, 1.0, steps=240)
    for v in np.geomspace(1e-3, 1.0, 97):
        got = snap_to_slider(s, v)
        k = (math.log10(got) - s.min) / s.step
        assert abs(k - round(k)) < 1e-9 and abs(math.log10(got) - math.log10(v)) <= s.step / 2 + 1e-12
    assert snap_to_slider(s, 1e-9) == pytest.approx(1e-3) and snap_to_slider(s, 50.0) == pytest.approx(1.0)


def test_the_loop_module_is_not_shadowed_by_the_function():
    import lrlab.loop
    assert lrlab.run is lrlab.loop.run and lrlab.Trajectory is lrlab.loop.Trajectory
