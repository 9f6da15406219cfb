"""The explorer contract, checked on every live widget of the collection (``lrlab.lessons.EXPLORERS``).

Each explorer: builds without a warning; shows the lr slider first, in a box the browser tests
find; every move of the lr slider gives one new frame whose figure moved and whose label tells the
truth (theory's regime where theory names it, consistent with the run itself; the run's progress;
the lr and a divergence in the numbers line); every declared control (and every parameter of a
picked option) moves across its whole range, moves the figure and gives a frame with a regime and
numbers, and the label stays true along the lr slider at every position of a control; every preset
lands on its lr and control values (the others back at their defaults) and gives the regime its name
promises; different presets give different frames, and a frame depends only on the controls
(headless, no front end), so a static export can precompute them. The lessons' own tests
(``tests/test_lesson_*.py``) check only what is particular to one explorer.
"""
import io
import math

import ipywidgets as W
import numpy as np
import pytest

pytest.importorskip("ipympl")
from PIL import Image  # noqa: E402

from lrlab import diagnostics, theory  # noqa: E402
from lrlab.explorer import Explorer, Problem, problem_stats, quadratic_theory  # noqa: E402
from lrlab.lessons import EXPLORERS, build_explorer  # noqa: E402
from lrlab.lessons.capstone import LOSS_SHAPES  # noqa: E402
from lrlab.widgets import Choice, snap_to_slider  # noqa: E402

pytestmark = pytest.mark.usefixtures("no_warnings", "single_thread_torch")

#: every word a label may show: theory's regimes (quadratics) and the path's shapes (elsewhere)
WORDS = set(theory.REGIMES) | set(diagnostics.PATH_SHAPES) | set(LOSS_SHAPES)
MC, OC, DV = "monotone convergence", "oscillating convergence", "divergence"

#: what each preset must show (its name promises it to the student)
EXPECTED = {
    "00 demo": {"too small": MC, "good": MC, "oscillating": OC, "diverging": DV},
    "00 exercise": {"too small": MC, "blows up": DV},
    "01 update rule": {"too small": MC, "good": MC, "oscillating": OC, "diverging": DV},
    "02 one curvature": {"too small": MC, "good": MC, "oscillating": OC, "diverging": DV},
    "02 condition number": {"too small": MC, "cautious": MC, "near-optimal, zig-zags": OC, "diverging": DV,
                            "round bowl (κ = 1)": MC, "narrow valley (κ = 200)": MC},
    "02 two wells": {"too small (stuck)": "monotone", "bouncing in the trap": "oscillating",
                     "good (escapes)": "monotone", "diverging": "diverging"},
    "03 known answer": {"0.001 (grid)": MC, "0.01 (grid)": MC, "0.1 (grid)": MC,
                        "best: 2/(μ+L)": OC, "at the edge": OC, "diverging": DV},
    "03 range test": {"use steepest": MC, "use valley": MC, "use min": DV, "use min/10": OC},
    "04 schedule picker": {"too small": "monotone", "constant (floor)": "monotone", "cosine (good)": "monotone",
                           "step decay": "monotone", "oscillating": "oscillating", "diverging": "diverging"},
    "05 heavy ball": {"too small": MC, "GD, best lr": OC, "GD diverging": DV,
                      "Polyak": OC, "past 2/L, saved by β": OC, "diverging": DV},
    "06 optimizers": {"GD, best lr": OC, "GD past 2/L": DV, "Adagrad, aligned": "monotone",
                      "Adagrad, rotated": "monotone", "Adam": "monotone", "Adam, lr too small": "monotone"},
    "07 batch size": {"too small": MC, "good": MC, "noisy (B = 1)": MC,
                      "oscillating": OC, "B = 1 blows up below 2/L": DV, "diverging": DV},
    "08 gradient norm": {"too small": MC, "good": MC, "oscillating": OC, "diverging": DV},
    "09 features": {"raw: too small": MC, "raw: good": OC, "raw: diverging": DV,
                    "standardized: same lr": MC, "standardized: good": MC,
                    "standardized: oscillating": OC, "standardized: diverging": DV},
    "10 capstone": {"too low": "kept falling", "good": "kept falling", "one-cycle": "climbed back over 1.5× its low",
                    "too high": "ended above its start", "blows up": "blew up"},
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
    assert label_regime(ex) == ex.regime in WORDS, where
    assert ex.stats.value.startswith('<span class="lrlab-stats"'), where
    assert "nan" not in ex.stats.value.lower(), (where, ex.stats.value)
    p = ex.view.progress
    if p is not None and not math.isnan(p):                     # the progress is said, beside the regime
        assert diagnostics.progress_text(p) in ex.label.value, (where, ex.label.value)


def check_truth(ex, where):
    """The label says what theory says where it applies, and the run agrees; the numbers line says the lr
    and a divergence (the default numbers of a Problem)."""
    check_frame(ex, where)
    scene, traj = ex.scene, ex.traj
    known = quadratic_theory(scene) if set(ex.runs) == {"main"} else None
    if known is not None:
        assert ex.regime == theory.regime(scene.loss, ex.lr, **known), where
        rates = theory.direction_rates(scene.loss, ex.lr, known["momentum"], nesterov=known["nesterov"])
        with np.errstate(over="ignore"):                       # a rate above 1 to the 200th power
            growth = rates.max() ** traj.num_steps
        shape = diagnostics.path_shape(traj)
        if ex.regime == DV and growth > 1e3:
            assert shape == "diverging", (where, shape)
        if ex.regime in (MC, OC):
            assert shape != "diverging", (where, shape)
        if ex.regime == MC and known["momentum"] == 0:
            assert shape == "monotone", (where, shape)          # no step turns back (path_shape's theorem)
        if ex.regime in (MC, OC) and growth < 1e-3:
            assert ex.view.progress > 0.99, (where, ex.view.progress)
    if ex._stats_fn is problem_stats:
        assert f"lr = <b>{ex.lr:.3g}</b>" in ex.stats.value, where
        assert ("diverged at step" in ex.stats.value) == bool(traj.diverged), where
    if isinstance(scene, Problem) and getattr(scene.loss, "eigenvalues", None) is not None \
            and ex._theory_fn.__name__ == "_default_theory":
        assert f"{theory.critical_lr(scene.loss, scene.momentum):.3g}" in ex.theory.value, where


def picture(ex) -> list:
    """The data of every line, collection and text of the figure, to compare before and after a move."""
    out = []
    for ax in ex.fig.axes:
        out += [np.asarray(line.get_xydata(), dtype=float).copy() for line in ax.get_lines()]
        out += [np.asarray(c.get_offsets(), dtype=float).copy() for c in ax.collections]
        out += [np.atleast_1d(np.asarray(getattr(c, "U", []), dtype=float)).copy() for c in ax.collections]
        out += [t.get_text() for t in ax.texts] + [ax.get_title()]
    return out


def moved(before, after) -> bool:
    if len(before) != len(after):
        return True
    for b, a in zip(before, after):
        if isinstance(b, str) or isinstance(a, str):
            if b != a:
                return True
        elif b.shape != a.shape or not np.array_equal(b, a, equal_nan=True):
            return True
    return False


def sweep_lr(ex, where, num=9):
    """The lr slider from end to end: one frame per move, the figure moves, the label tells the truth."""
    lo, hi = ex.lr_range
    seen = set()
    for lr in [lo, *np.geomspace(lo, hi, num)[1:-1], hi]:
        frames, before = ex.frames, picture(ex)
        ex.set_lr(lr)
        assert ex.frames == frames + 1 or ex.lr == pytest.approx(lr, rel=1e-9)
        assert math.isclose(ex.lr, lr, rel_tol=0.05), (lr, ex.lr)
        if ex.frames > frames:
            assert moved(before, picture(ex)), (where, lr)
        check_truth(ex, (where, lr))
        seen.add(ex.regime)
    return seen


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
    seen = sweep_lr(ex, "default controls", num=13)
    assert len(seen) >= 2, seen                        # the slider spans more than one behaviour
    if name not in CANNOT_DIVERGE:
        assert seen & {DV, "diverging", "blew up"}     # and the slider's end diverges


#: explorers whose default optimizer cannot blow up across the slider, with the reason (the lesson's point)
CANNOT_DIVERGE = {
    "06 optimizers": "Adam (the default) steps about lr per coordinate whatever the gradient: it hovers, never blows up",
}


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
        first = None
        for v in _positions(w):
            w.value = v
            check_frame(ex, (cname, v))
            first = picture(ex) if first is None else first
            for pname, pw in ex.params.get(cname, {}).get(w.value, {}).items():
                for pv in _positions(pw):
                    pw.value = pv
                    check_frame(ex, (cname, v, pname, pv))
        assert moved(first, picture(ex)), cname         # the control changes what the figure shows
        ex.apply_preset({})


@pytest.mark.parametrize("name", CONTROLLED)
def test_the_label_tells_the_truth_at_every_position_of_every_control(explorers, name):
    ex = get(explorers, name)
    for cname, w in ex.controls.items():
        for v in _positions(w):
            ex.apply_preset({cname: v})
            sweep_lr(ex, (cname, v), num=5)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_preset_gives_its_regime_and_its_own_frame(explorers, name):
    ex = get(explorers, name)
    expected = EXPECTED[name]
    ex.apply_preset({})                                # every control back to its default (a rule reads them)
    pngs = {}
    for row in ex.preset_rows.values():
        assert set(row) <= set(expected), set(row) - set(expected)
    presets = {n: v for row in ex.preset_rows.values() for n, v in row.items()}
    for b in ex.buttons:
        frames = ex.frames
        b.click()
        assert ex.frames <= frames + 1                  # one computation per click, however many controls move
        assert ex.regime == expected[b.description], (b.description, ex.regime)
        check_truth(ex, b.description)
        value = presets[b.description]
        lr = value.get("lr") if isinstance(value, dict) else (None if callable(value) else value)
        if lr is not None:                              # lands on the preset's lr (on the slider's grid)
            assert ex.lr == pytest.approx(snap_to_slider(ex.slider, lr)), b.description
        if isinstance(value, dict):                     # and its controls; the others back at their defaults
            for cname, spec in ex.specs.items():
                want = value.get(cname, spec.value)
                got = ex.values()[cname]
                assert got == (want if isinstance(want, str) else pytest.approx(want)), (b.description, cname)
                if isinstance(spec, Choice) and spec.params:
                    want = {**spec.defaults[ex.values()[cname]], **value.get(f"{cname}_params", {})}
                    assert ex.values()[f"{cname}_params"] == want, b.description
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


def test_the_browser_harness_knows_every_label_word():
    from lrlab.present import browser
    assert set(browser.REGIMES) == WORDS and len(browser.REGIMES) == len(WORDS)


# -- the figure fits its column -------------------------------------------------------------------------

#: the columns the browser tests measure (tests/browser/test_fit.py), as the page reports them:
#: (box width, window height, controls' height, figure's top)
PAGES = {"JupyterLab 1280x800, file browser open": "848 656 160 700", "Voilà 1024": "994 768 165 900",
         "phone 390": "360 844 330 1500", "no page (static frames)": None}


def _outside(ex) -> list:
    """What of the figure is drawn outside it: every axes with its titles, ticks and labels, every legend."""
    fig = ex.fig
    r = fig.canvas.get_renderer()
    box = fig.bbox
    out = []
    for ax in fig.axes:
        tb = ax.get_tightbbox(r)
        if tb.x0 < box.x0 - 1 or tb.x1 > box.x1 + 1 or tb.y0 < box.y0 - 1 or tb.y1 > box.y1 + 1:
            out.append((ax.get_title() or ax.get_label(), tuple(np.round(tb.extents)), tuple(box.extents)))
    for leg in fig.legends:
        e = leg.get_window_extent(r)
        if e.x0 < box.x0 - 1 or e.x1 > box.x1 + 1:
            out.append(("figure legend", tuple(np.round(e.extents)), tuple(box.extents)))
    return out


@pytest.mark.slow                   # a layout and a frame per page width: seconds per explorer
@pytest.mark.parametrize("name", NAMES)
def test_the_figure_fits_every_column_whole(explorers, name):
    """Laid out for each page the browser tests measure, the figure is no wider than the column, its
    panels are at least MIN_PANEL px wide (or one column), nothing of it is drawn outside it, and no
    text is smaller than 10 px."""
    from lrlab import explorer as E
    ex = get(explorers, name)
    for page, report in PAGES.items():
        if report is None:
            ex.fit(E.DEFAULT_WIDTH)
        else:
            ex.page.value = report
            assert f'data-fit="{report}"' in ex.stats.value, page
        col = float(report.split()[0]) - E.FIT_MARGIN if report else E.DEFAULT_WIDTH
        png = Image.open(io.BytesIO(ex.frame().png))
        lay = ex.layout
        assert png.size == (lay.width, lay.height) and lay.width <= col, (page, png.size, col)
        assert lay.cols == 1 or lay.width / lay.cols >= E.MIN_PANEL - 1, (page, lay)
        assert lay.cols <= 2 or lay.rows == 1, (page, lay)
        assert not _outside(ex), (page, lay, _outside(ex))
        sizes = [t.get_fontsize() * 100 / 72 for t in ex.fig.findobj(lambda a: hasattr(a, "get_fontsize"))
                 if t.get_visible() and getattr(t, "get_text", lambda: "")()]
        assert min(sizes) >= 10, (page, min(sizes))
    ex.page.value = ""
    ex.fit(E.DEFAULT_WIDTH)


def test_fit_layout():
    from lrlab.explorer import Layout, fit_layout
    kw = dict(panel_width=450, row_height=400)
    assert fit_layout(3, 1400, **kw) == Layout(1, 3, 1350, 400)          # no wider than the lesson asked
    assert fit_layout(3, 982, **kw) == Layout(1, 3, 982, 400)
    assert fit_layout(3, 836, **kw) == Layout(2, 2, 836, 800)            # 278 px a panel is cramped: 2 + 1
    assert fit_layout(4, 982, **kw) == Layout(2, 2, 900, 800)            # 2 x 2, not 3 + 1
    assert fit_layout(3, 348, **kw) == Layout(3, 1, 348, 1200)           # a phone: one column
    assert fit_layout(3, 836, 600, **kw) == Layout(2, 2, 836, 600)       # rows shortened to the screen
    assert fit_layout(3, 836, 300, **kw) == Layout(2, 2, 836, 520)       # ... down to MIN_ROW
    assert fit_layout(3, 348, 500, **kw) == Layout(3, 1, 348, 1200)      # ... but not a phone's column
    with pytest.raises(ValueError, match="width"):
        fit_layout(3, 0, **kw)


def test_a_page_report_lays_the_figure_out_and_is_stamped_on_the_numbers_line():
    ex = build_explorer("02 one curvature")
    assert ex.layout.width <= 840
    ex.page.value = "994 768 165 900"
    assert (ex.layout.rows, ex.layout.cols) == (1, 3) and 'data-fit="994 768 165 900"' in ex.stats.value
    before = ex.frames
    ex.page.value = "994 768 165 901"                    # the same layout: no new frame, but the report is seen
    assert ex.frames == before and 'data-fit="994 768 165 901"' in ex.stats.value
    ex.page.value = "not a report"                       # ignored
    assert 'data-fit="994 768 165 901"' in ex.stats.value
    ex.set_lr(0.3)                                       # later frames keep the stamp
    assert 'data-fit="994 768 165 901"' in ex.stats.value
    ex.page.value = "360 844 330 1500"
    assert (ex.layout.rows, ex.layout.cols) == (3, 1)
    w, h = ex.fig.get_size_inches() * 100
    assert (round(w), round(h)) == (ex.layout.width, ex.layout.height)
