"""The widget layer without a browser: moving a control updates artists and the regime label."""
import warnings

import ipywidgets as W
import numpy as np
import pytest

from lrlab import losses, plotting, theory, widgets


@pytest.fixture(autouse=True)
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def snapshot(ex):
    out = {}
    for name, art in ex._artists.items():
        if isinstance(art, dict) and "points" in art:
            out[name] = np.asarray(art["points"].get_xydata()).copy()
        elif isinstance(art, dict):
            out[name] = np.asarray(art["marker"].get_xydata()).copy()
        else:
            out[name] = np.asarray(art.get_xydata() if hasattr(art, "get_xydata") else art.get_xdata()).copy()
    return out


def changed(a, b):
    return {k for k in a if a[k].shape != b[k].shape or not np.array_equal(a[k], b[k], equal_nan=True)}


def test_explorer_follows_the_slider_and_labels_by_theory():
    q = losses.quadratic([1.0, 10.0])
    ex = widgets.LRExplorer(widgets.Problem(q, [1.0, 1.0], 60), lr=0.05, lr_range=(1e-3, 1.0),
                            presets={"too small": 2e-3, "good": 0.1, "oscillating": 0.19, "diverging": 0.3})
    assert isinstance(ex.slider, W.FloatLogSlider)
    assert "2/L = 0.2" in ex.theory.value
    expected = {2e-3: "slow", 0.1: "converging", 0.19: "oscillating", 0.3: "diverging", 1.0: "diverging"}
    for lr, regime in expected.items():
        before, frames = snapshot(ex), ex.frames
        ex.set_lr(lr)
        assert ex.frames == frames + 1
        assert changed(before, snapshot(ex)) == {"path", "loss", "map"}
        assert ex.regime == regime
        assert f'data-regime="{regime}"' in ex.label.value
    # the slider ends clip to its range
    ex.set_lr(50.0)
    assert ex.lr == pytest.approx(1.0)


def test_presets_drive_the_slider():
    q = losses.quadratic([2.0])
    ex = widgets.LRExplorer(widgets.Problem(q, [1.0], 40), lr=0.01, lr_range=(1e-4, 3.0),
                            presets={"too small": 1e-3, "diverging": 1.2}, panels=("path", "loss", "ruler"))
    assert [b.description for b in ex.buttons] == ["too small", "diverging"]
    ex.buttons[1].click()
    assert ex.lr == pytest.approx(1.2, rel=0.03) and ex.regime == "diverging"
    ex.buttons[0].click()
    assert ex.regime == "slow"


def test_controls_rebuild_the_problem_and_move_the_theory():
    kappa = W.FloatLogSlider(value=10, base=10, min=0, max=3, description="κ")

    def setup(kappa):
        return widgets.Problem(losses.quadratic([1.0, kappa]), [1.0, 1.0], 50)
    ex = widgets.LRExplorer(setup, lr=0.05, lr_range=(1e-4, 2.0), controls={"kappa": kappa})
    assert "2/L = 0.2" in ex.theory.value
    before = snapshot(ex)
    kappa.value = 100.0
    assert "2/L = 0.02" in ex.theory.value
    assert ex.regime == "diverging"                     # 0.05 > 2/100
    assert "path" in changed(before, snapshot(ex))
    ex.apply_preset({"kappa": 10.0, "lr": 0.1})
    assert ex.regime == "converging" and ex.problem.loss.L == pytest.approx(10.0)


def test_custom_panel_and_hook():
    calls = []

    def init(ax, ex):
        (line,) = ax.plot([], [])
        return line

    def update(line, ex, traj):
        line.set_data(np.arange(traj.num_steps + 1), traj.grad_norm)
        calls.append(ex.lr)
    ex = widgets.LRExplorer(widgets.Problem(losses.rosenbrock(), [-1.0, 1.5], 100), lr=1e-3, lr_range=(1e-5, 1e-2),
                            panels=("path", ("grad", init, update)), on_update=lambda ex, traj: calls.append("hook"))
    ex.set_lr(5e-3)
    assert calls[-2:] == [pytest.approx(5e-3, rel=0.03), "hook"]
    assert "theory" not in ex.theory.value or "explore" in ex.theory.value   # no closed form on Rosenbrock


def test_bad_panels_and_ranges():
    q = losses.quadratic([1.0])
    with pytest.raises(ValueError, match="panels"):
        widgets.LRExplorer(widgets.Problem(q, [1.0]), lr=0.1, panels=("nope",))
    with pytest.raises(ValueError, match="lr_max"):
        widgets.lr_slider(0.1, 1.0, 0.5)


def test_static_small_multiples_colour_by_regime():
    q = losses.quadratic([1.0, 10.0])
    import lrlab
    traj = lrlab.run(loss=q, x0=[1.0, 1.0], lr=[0.01, 0.1, 0.19, 0.21], num_steps=30)
    fig, axes = plotting.small_multiples(traj, q)
    assert len(fig.axes) == 4
    assert plotting.png_bytes(fig)[:4] == b"\x89PNG"
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
