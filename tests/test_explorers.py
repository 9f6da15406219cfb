"""The explorer contract, checked on every live widget of the collection (``lrlab.lessons.EXPLORERS``).

Each explorer: builds without a warning; shows the lr slider first, in a box the browser tests
find; every declared control (and every parameter of a picked option) moves across its whole
range and gives a frame with a regime and numbers; every preset gives the regime its name
promises; different presets give different frames, and a frame depends only on the controls
(headless, no front end), so a static export can precompute them.
"""
import io
import math

import ipywidgets as W
import numpy as np
import pytest

pytest.importorskip("ipympl")
from PIL import Image  # noqa: E402

from lrlab import diagnostics  # noqa: E402
from lrlab.explorer import Explorer  # noqa: E402
from lrlab.lessons import EXPLORERS, build_explorer  # noqa: E402

pytestmark = pytest.mark.usefixtures("no_warnings", "single_thread_torch")

#: what each preset must show (its name promises it to the student)
EXPECTED = {
    "00 demo": {"too small": "slow", "good": "converging", "oscillating": "oscillating", "diverging": "diverging"},
    "01 update rule": {"too small": "slow", "good": "converging", "oscillating": "oscillating",
                       "diverging": "diverging"},
    "02 one curvature": {"too small": "slow", "good": "converging", "oscillating": "oscillating",
                         "diverging": "diverging"},
    "02 condition number": {"too small": "slow", "good": "converging", "oscillating": "oscillating",
                            "diverging": "diverging", "round bowl (κ = 1)": "converging",
                            "narrow valley (κ = 200)": "converging"},
    "02 two wells": {"too small (stuck)": "slow", "bouncing in the trap": "oscillating",
                     "good (escapes)": "converging", "diverging": "diverging"},
    "03 known answer": {"0.001 (grid)": "slow", "0.01 (grid)": "converging", "0.1 (grid)": "converging",
                        "best: 2/(μ+L)": "oscillating", "at the edge": "oscillating", "diverging": "diverging"},
    "03 range test": {"use steepest": "converging", "use valley": "converging", "use min": "diverging", "use min/10": "converging"},
    "04 schedule picker": {"too small": "slow", "constant (floor)": "converging", "cosine (good)": "converging",
                           "step decay": "converging", "oscillating": "oscillating", "diverging": "diverging"},
    "05 heavy ball": {"too small": "slow", "GD, best lr": "oscillating", "GD diverging": "diverging",
                      "Polyak": "oscillating", "past 2/L, saved by β": "oscillating", "diverging": "diverging"},
    "06 optimizers": {"GD, best lr": "oscillating", "GD past 2/L": "diverging", "Adagrad, aligned": "converging",
                      "Adagrad, rotated": "converging", "Adam": "converging", "Adam, lr too small": "slow"},
    "07 batch size": {"too small": "slow", "good": "converging", "noisy (B = 1)": "converging",
                      "oscillating": "oscillating", "B = 1 blows up below 2/L": "diverging", "diverging": "diverging"},
    "08 gradient norm": {"too small": "slow", "good": "converging", "oscillating": "oscillating",
                         "diverging": "diverging"},
    "09 features": {"raw: too small": "slow", "raw: good": "converging", "raw: diverging": "diverging",
                    "standardized: same lr": "slow", "standardized: good": "converging",
                    "standardized: oscillating": "oscillating", "standardized: diverging": "diverging"},
    "10 capstone": {"too low": "slow", "good": "converging", "one-cycle": "converging", "too high": "diverging",
                    "blows up": "diverging"},
}

NAMES = list(EXPLORERS)


@pytest.fixture(scope="module")
def explorers():
    return {}


def get(explorers, name) -> Explorer:
    """The module's explorer ``name``, every control back at its default (so no test depends on another's moves)."""
    if name not in explorers:
        explorers[name] = build_explorer(name)
    explorers[name].apply_preset({})
    return explorers[name]


def label_regime(ex) -> str:
    assert 'class="lrlab-regime"' in ex.label.value
    return ex.label.value.split('data-regime="')[1].split('"')[0]


def check_frame(ex, where):
    assert label_regime(ex) == ex.regime in diagnostics.REGIMES, where
    assert ex.stats.value.startswith('<span class="lrlab-stats"'), where
    assert "nan" not in ex.stats.value.lower(), (where, ex.stats.value)


def test_every_notebook_has_its_explorers_registered():
    from pathlib import Path
    src = Path(__file__).resolve().parents[1] / "tools" / "notebook_src"
    for nb, module, factory in EXPLORERS.values():
        text = (src / f"{nb}.py").read_text(encoding="utf-8")
        assert f"from lrlab.lessons import {module} as lesson" in text, (nb, module)
        assert f"lesson.{factory}(" in text, (nb, factory)
    assert set(EXPECTED) == set(EXPLORERS)
    with pytest.raises(ValueError, match="name must be one of"):
        build_explorer("nope")


@pytest.mark.parametrize("name", NAMES)
def test_structure(explorers, name):
    ex = get(explorers, name)
    assert isinstance(ex, Explorer)
    assert "lrlab-explorer" in ex.box._dom_classes
    header = ex.box.children[0]
    assert header.children[0] is ex.slider and isinstance(ex.slider, W.FloatLogSlider)
    assert ex.buttons and all("lrlab-preset" in b._dom_classes for b in ex.buttons)
    assert ex.box.children[-1] is ex.canvas and ex.stats in ex.box.children and ex.theory in ex.box.children
    for w in ex.controls.values():
        assert any(w in row.children for row in ex.box.children if isinstance(row, W.Box)), w.description
    check_frame(ex, "initial")


@pytest.mark.parametrize("name", NAMES)
def test_the_lr_slider_across_its_range(explorers, name):
    ex = get(explorers, name)
    lo, hi = ex.lr_range
    seen = set()
    for lr in [lo, *np.geomspace(lo, hi, 9)[1:-1], hi]:
        frames = ex.frames
        ex.set_lr(lr)
        assert ex.frames == frames + 1 or ex.lr == pytest.approx(lr, rel=1e-9)
        assert math.isclose(ex.lr, lr, rel_tol=0.05), (lr, ex.lr)
        check_frame(ex, lr)
        seen.add(ex.regime)
    assert len(seen) >= 2, seen                        # the slider spans more than one behaviour


def _positions(w):
    if isinstance(w, (W.Dropdown, W.ToggleButtons, W.SelectionSlider)):
        return list(w.options)
    if isinstance(w, W.FloatLogSlider):
        return [w.base ** w.min, w.base ** ((w.min + w.max) / 2), w.base ** w.max]
    return [w.min, type(w.value)((w.min + w.max) / 2) if isinstance(w, W.IntSlider) else (w.min + w.max) / 2, w.max]


#: the explorers with controls besides the lr
CONTROLLED = ("02 condition number", "03 range test", "04 schedule picker", "05 heavy ball", "06 optimizers",
              "07 batch size",
              "09 features", "10 capstone")


def test_the_controlled_list_is_complete(explorers):
    assert {n for n in NAMES if get(explorers, n).controls} == set(CONTROLLED)


@pytest.mark.parametrize("name", CONTROLLED)
def test_every_control_across_its_range(explorers, name):
    ex = get(explorers, name)
    for cname, w in ex.controls.items():
        for v in _positions(w):
            w.value = v
            check_frame(ex, (cname, v))
            for pname, pw in ex.params.get(cname, {}).get(w.value, {}).items():
                for pv in _positions(pw):
                    pw.value = pv
                    check_frame(ex, (cname, v, pname, pv))


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_preset_gives_its_regime_and_its_own_frame(explorers, name):
    ex = get(explorers, name)
    expected = EXPECTED[name]
    ex.apply_preset({})                                # every control back to its default (a rule reads them)
    pngs = {}
    for row in ex.preset_rows.values():
        assert set(row) <= set(expected), set(row) - set(expected)
    for b in ex.buttons:
        frames = ex.frames
        b.click()
        assert ex.frames <= frames + 1                  # one computation per click, however many controls move
        assert ex.regime == expected[b.description], (b.description, ex.regime)
        check_frame(ex, b.description)
        pngs[b.description] = ex.frame().png
    assert len(set(pngs.values())) == len(pngs)         # every preset shows something different


@pytest.mark.parametrize("name", NAMES)
def test_a_frame_depends_only_on_the_controls(explorers, name):
    ex = get(explorers, name)
    first, last = ex.buttons[0], ex.buttons[-1]
    ex.apply_preset({})
    first.click()
    a = ex.frame()
    last.click()
    b = ex.frame()
    first.click()
    c = ex.frame()
    assert a.png == c.png and a.stats.split(">", 1)[1] == c.stats.split(">", 1)[1] and a.regime == c.regime
    assert a.png != b.png
    w, h = ex.fig.get_size_inches() * ex.fig.dpi
    assert Image.open(io.BytesIO(a.png)).size == (round(w), round(h))


#: explorers whose lr move still redraws the whole figure (a panel rescales its axes or changes text
#: outside the moving artists), measured: every move is a full draw, not a blit. Empty since issue 11
#: (03 and 07: a legend drawn over a moving line left the figure stale; 04: its lr(t) limits took a new
#: value on every move); the test fails if this set changes either way, so a regression is seen.
FULL_DRAW_ON_LR: set = set()


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_with_a_front_end_connected_every_lr_move_draws_a_frame(name):
    """With a view connected the canvas really draws: every preset, then a sweep of the lr slider, no
    warning (the no_warnings fixture), one frame per move; blitted unless listed in FULL_DRAW_ON_LR."""
    ex = build_explorer(name)
    if not hasattr(ex.canvas, "syncing_data_url"):
        pytest.fail("the explorer's canvas is not lrlab's LiveCanvas")
    ex.canvas.syncing_data_url = False                # what ipympl sets once a browser view connects
    for value in ex.presets.values():
        ex.apply_preset(value)
    blits, full = ex.canvas.blits, ex.canvas.full_draws
    lrs = np.geomspace(*ex.lr_range, 12)
    for lr in lrs:
        ex.set_lr(lr)
    blits, full = ex.canvas.blits - blits, ex.canvas.full_draws - full
    assert blits + full >= len(lrs) - 1, (name, blits, full)       # the first may repeat the last preset's lr
    if name in FULL_DRAW_ON_LR:
        assert blits == 0, (name, "now blits: remove it from FULL_DRAW_ON_LR", blits)
    else:
        assert blits >= len(lrs) - 2, (name, blits, full)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_a_blitted_lr_move_shows_what_a_full_draw_shows(name):
    """After a sweep of blitted lr moves the canvas holds the figure a full draw makes (same artists,
    same stacking): only antialiasing and compositing round-off may differ, on a few pixels."""
    ex = build_explorer(name)
    ex.canvas.syncing_data_url = False
    ex.canvas.draw()
    lo, hi = ex.lr_range
    for lr in np.geomspace(lo, hi, 9)[1:-1]:
        ex.set_lr(lr)
    assert ex.canvas.blits >= 4, (name, ex.canvas.blits)
    shown = np.asarray(ex.canvas.get_renderer().buffer_rgba()).astype(int)
    # the same state drawn whole on the same canvas, with the layout held where the last full draw put
    # it (constrained layout still moves texts by fractions of a pixel from one draw to the next)
    engine = ex.fig.get_layout_engine()
    ex.fig.set_layout_engine("none")
    try:
        ex.canvas.draw()
    finally:
        ex.fig.set_layout_engine(engine)
    drawn = np.asarray(ex.canvas.get_renderer().buffer_rgba()).astype(int)
    assert shown.shape == drawn.shape
    off = np.abs(shown - drawn).max(axis=-1)
    assert (off > 40).mean() < 1e-3, f"{name}: {(off > 40).mean():.3%} of the pixels differ from a full draw"


def test_divergent_paths_end_at_the_views_edge_with_an_arrowhead():
    """Issue 9: a step off the plot is cut at its edge (1-D arrows, 2-D path + head), not drawn as a block."""
    import lrlab
    from lrlab import losses, plotting
    q = losses.quadratic([2.0])
    fig, ax = plotting.figure()
    ax.set_xlim(-2, 2)
    ax.set_ylim(-0.5, 5)
    far = lrlab.run(loss=q, x0=[1.5], lr=1.3, num_steps=6)          # factor |1 - 2.6| = 1.6 per step
    art = plotting.path_1d(q, far, ax, max_arrows=6)
    starts = np.asarray(art["arrows"].get_offsets())
    ends = starts + np.c_[art["arrows"].U, art["arrows"].V]
    inside = (np.abs(starts[:, 0]) <= 2) & (starts[:, 1] <= 5)
    assert inside[0] and not inside[1:].any()
    assert np.isclose(ends[0, 1], 5 - 0.015 * 5.5) and abs(ends[0, 0]) < 2   # the escaping step ends at the edge
    assert ends[0, 1] < far.loss[1]
    near = lrlab.run(loss=q, x0=[1.5], lr=0.1, num_steps=6)
    plotting.update_path_1d(art, near)
    np.testing.assert_allclose(art["arrows"].U[:6], np.diff(near.params[:, 0]))   # inside: untouched
    valley = losses.quadratic([1.0, 20.0])
    fig, ax = plotting.figure()
    plotting.contour(valley, ax, bounds=[[-1.6, 1.6], [-1.6, 1.6]])
    blow = lrlab.run(loss=valley, x0=[-1.5, 1.0], lr=0.105, num_steps=60)
    line = plotting.path_2d(blow, ax)
    x, y = line.get_data()
    assert len(x) < 60 and np.all(np.abs(np.r_[x, y]) <= 1.6)
    head = plotting._EXIT_HEADS[line]
    assert head.get_visible() and np.allclose(head.xy, (x[-1], y[-1]))
    calm = lrlab.run(loss=valley, x0=[-1.5, 1.0], lr=0.05, num_steps=60)
    plotting.update_path_2d(line, calm)
    assert len(line.get_xdata()) == 61 and not head.get_visible()


def test_a_diverging_path_that_starts_outside_the_view_is_cut_to_the_part_inside():
    import lrlab
    from lrlab import losses, plotting
    valley = losses.quadratic([1.0, 20.0])
    fig, ax = plotting.figure()
    plotting.contour(valley, ax, bounds=[[-1.6, 1.6], [-1.6, 1.6]])
    blow = lrlab.run(loss=valley, x0=[-1.0, -2.0], lr=0.105, num_steps=60)      # starts below the view
    line = plotting.path_2d(blow, ax)
    x, y = line.get_data()
    assert len(x) == 2 and np.all(np.abs(np.r_[x, y]) <= 1.6)                    # entry and exit of step 1
    assert plotting._EXIT_HEADS[line].get_visible()
