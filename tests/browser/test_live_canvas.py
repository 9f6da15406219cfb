"""The live canvas behind every explorer (``lrlab.live_canvas``), without a browser.

What the browser receives is checked by replaying the frames as the ipympl
front end does: a 'full' image replaces the canvas, a 'diff' image is drawn
at the top-left corner over it (transparent pixels keep the old ones).
"""
from __future__ import annotations

import io
import itertools
import warnings

import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("agg")

from lrlab import losses, plotting  # noqa: E402
from lrlab.explorer import Explorer, Panel, Problem, Slider  # noqa: E402


def _explorer(**kw):
    loss = losses.quadratic([1.0, 10.0])
    return Explorer(Problem(loss, [1.0, 1.0], 60), lr=0.05, lr_range=(1e-3, 1.0),
                    presets={"good": 0.1, "diverging": 0.21}, **kw)


class FakeFrontEnd:
    """Receives the canvas' frames and composes them as ipympl's JavaScript does.

    ``settle_time=0`` makes every frame a diff against the one before (as if
    the moves came slowly); ``load_time``: a frame followed by the next one
    sooner than this is dropped, as ipympl's page drops an image still loading
    when the next arrives (a list: the load times of successive frames, in
    turn). ``shown`` lists, for every frame the page drew,
    whether the page then showed exactly what the kernel had drawn for it.
    """

    def __init__(self, canvas, settle_time=0.0, load_time=None):
        import time
        self.clock = time.monotonic
        self.canvas, self.pixels, self.frames, self.modes, self.pending = canvas, None, [], [], None
        self.times, self.shown, self.dropped = [], [], 0
        self.load_time = None if load_time is None else itertools.cycle(np.atleast_1d(load_time))
        canvas.syncing_data_url = False            # as after the browser's 'initialized' message
        canvas.settle_time = settle_time
        canvas.send_binary = self.receive

    def receive(self, data):
        now = self.clock()
        load = next(self.load_time) if self.load_time is not None else 0.0
        frame = (now + load, data, self.canvas._current_image_mode, _buffer(self.canvas).copy())
        self.frames.append(len(data))
        self.modes.append(frame[2])
        self.times.append(now)
        if self.load_time is None:
            self._apply(frame)
        else:                                      # applied only if no newer frame came while it loaded
            if self.pending is not None:
                if now >= self.pending[0]:        # it had loaded when this one came
                    self._apply(self.pending)
                else:
                    self.dropped += 1
            self.pending = frame

    def settle(self):
        if self.pending is not None:
            self._apply(self.pending)
            self.pending = None
        return self.pixels

    def _apply(self, frame):
        _, data, mode, expected = frame
        img = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
        if mode == "full" or self.pixels is None:
            self.pixels = img.copy()
        else:
            h, w = img.shape[:2]
            region = self.pixels[:h, :w]
            opaque = img[..., 3] > 0
            region[opaque] = img[opaque]
        self.shown.append(np.array_equal(self.pixels, expected))


def _buffer(canvas):
    return np.asarray(canvas.get_renderer().buffer_rgba())


def test_frames_rebuild_exactly_what_the_kernel_drew():
    ex = _explorer()
    fe = FakeFrontEnd(ex.canvas)
    ex.canvas.draw()                               # what the front end asks for when it connects
    for lr in np.geomspace(1e-3, 1.0, 25):
        ex.set_lr(lr)
        assert np.array_equal(fe.pixels, _buffer(ex.canvas)), f"browser image differs from the kernel's at lr={lr}"
    assert ex.canvas.blits >= 20                   # moves are blits, not full draws
    assert fe.modes.count("diff") >= 20
    # diff frames are small: only what moved
    assert np.median(fe.frames[-20:]) < 0.5 * fe.frames[0]


def test_a_blit_looks_like_a_full_draw():
    ex = _explorer()
    FakeFrontEnd(ex.canvas)
    ex.canvas.draw()
    for lr in (0.01, 0.1, 0.19, 0.5, 0.15):
        ex.set_lr(lr)
    blit = _buffer(ex.canvas).copy()
    ref = np.asarray(Image.open(io.BytesIO(plotting.png_bytes(ex.fig))).convert("RGBA"))
    differ = (blit != ref).any(axis=-1).mean()
    assert differ < 0.005, f"{differ:.2%} of the pixels differ between a blit and a full draw"


def test_no_front_end_no_rendering():
    ex = _explorer()
    canvas = ex.canvas
    assert canvas.syncing_data_url                 # nothing connected (nbclient, nbval, these tests)
    sent = []
    canvas.send_binary = sent.append
    for lr in (0.01, 0.1, 0.2):
        ex.set_lr(lr)
    assert sent == [] and canvas.full_draws == 0 and canvas.blits == 0


class _FakeClock:
    """time.monotonic advancing ``tick`` s a reading (the canvas and the fake page read it once a frame
    each), so that "a fast drag" means the same on a loaded machine as on a quiet one; ``pause(s)``."""

    def __init__(self, monkeypatch, tick=0.005):
        import time
        self.t, self.tick = 0.0, tick
        monkeypatch.setattr(time, "monotonic", self)

    def __call__(self):
        self.t += self.tick
        return self.t

    def pause(self, seconds):
        self.t += seconds


def test_a_page_that_drops_frames_still_shows_every_frame_it_draws_exactly(monkeypatch):
    clock = _FakeClock(monkeypatch)
    ex = _explorer()
    # the page loads most frames slower than they come (frames 10 ms apart): it draws one in four
    fe = FakeFrontEnd(ex.canvas, settle_time=0.1, load_time=[0.005, 0.05, 0.05, 0.05])
    ex.canvas.draw()
    ex.set_lr(0.3)
    clock.pause(0.2)                               # the page has drawn that: the reference for the drag
    for lr in np.geomspace(0.3, 0.02, 30):         # a fast drag: frames a few ms apart, most dropped
        ex.set_lr(lr)
    assert fe.dropped > 15 and len(fe.shown) > 5
    assert fe.modes.count("diff") == len(fe.modes)  # an opaque figure: diffs only (a full image is one too)
    assert all(fe.shown)
    assert np.array_equal(fe.settle(), _buffer(ex.canvas)) and all(fe.shown)
    # the diffs are against the frame before the pause, not the frame before each: they grow during the
    # drag but stay smaller than the whole figure
    assert fe.frames[3] < 0.5 * fe.frames[0] and max(fe.frames[3:]) < fe.frames[0]


def test_the_diff_reference_moves_only_after_a_pause(monkeypatch):
    clock = _FakeClock(monkeypatch)
    ex = _explorer()
    fe = FakeFrontEnd(ex.canvas, settle_time=0.1, load_time=0.05)
    ex.canvas.draw()
    for lr in np.geomspace(0.3, 0.02, 10):         # frames 10 ms apart right after the first: all whole
        ex.set_lr(lr)
    assert ex.canvas._ref is None and max(fe.frames) > 0.9 * fe.frames[0]
    clock.pause(0.2)
    ex.set_lr(0.021)                               # after a pause: a diff against the frame before it
    ref = ex.canvas._ref
    assert ref is not None and fe.frames[-1] < 0.5 * fe.frames[0]
    for lr in (0.022, 0.023, 0.024):               # no pause: the same reference
        ex.set_lr(lr)
        assert ex.canvas._ref is ref
    clock.pause(0.2)
    ex.set_lr(0.025)
    assert ex.canvas._ref is not ref
    assert np.array_equal(fe.settle(), _buffer(ex.canvas)) and all(fe.shown)


def test_a_page_slower_than_the_settle_time_is_the_one_failure():
    # what the protocol assumes, shown: with settle_time=0 every frame counts as drawn when the next
    # one is made, so each diff is against the frame before; a page that draws the first frame and then
    # nothing until the end ends on a wrong image
    ex = _explorer()
    fe = FakeFrontEnd(ex.canvas, settle_time=0.0, load_time=[0.0] + [float("inf")] * 100)
    ex.canvas.draw()
    for lr in np.geomspace(0.3, 0.02, 10):
        ex.set_lr(lr)
    assert fe.dropped >= 8
    assert not np.array_equal(fe.settle(), _buffer(ex.canvas))


def test_a_move_after_a_pause_is_a_small_diff():
    import time
    ex = _explorer()
    fe = FakeFrontEnd(ex.canvas, settle_time=0.05)
    ex.canvas.draw()
    ex.set_lr(0.02)
    time.sleep(0.06)
    ex.set_lr(0.021)
    assert fe.modes[-1] == "diff" and fe.frames[-1] < 0.5 * fe.frames[0]
    assert np.array_equal(fe.pixels, _buffer(ex.canvas))


def test_a_transparent_figure_is_sent_whole():
    ex = _explorer()
    ex.fig.patch.set_alpha(0.0)
    fe = FakeFrontEnd(ex.canvas)
    ex.canvas.draw()
    for lr in (0.02, 0.03, 0.05):
        ex.set_lr(lr)
    assert set(fe.modes) == {"full"} and all(fe.shown)


def test_a_drag_settles_on_its_last_value():
    ex = _explorer()
    fe = FakeFrontEnd(ex.canvas)
    ex.canvas.draw()
    for lr in np.geomspace(0.3, 0.02, 40):         # a fast drag: every value arrives
        ex.set_lr(lr)
    dragged = fe.pixels.copy()
    ex.set_lr(0.5)
    ex.set_lr(0.02)                                # the same lr again, reached in one jump
    assert np.array_equal(fe.pixels, dragged)


def test_custom_panels_and_controls_are_learned_and_stay_correct():
    calls = []

    class Mine(Panel):
        name = "mine"

        def draw(self, ax, view):
            (line,) = ax.plot([0, 1], [0, 0])
            text = ax.text(0.5, 0.5, "", transform=ax.transAxes)
            ax.set_xlim(0, 1), ax.set_ylim(-1, 1)
            self.artists = line, text

        def update(self, view):
            line, text = self.artists
            line.set_ydata([0, np.tanh(view.lr * 5)])
            text.set_text(f"lr={view.lr:.3f}")
            calls.append(view.lr)

    ex = Explorer(lambda scale: Problem(losses.quadratic([1.0, scale]), [1.0, 1.0], 40),
                  lr=0.05, lr_range=(1e-3, 1.0), controls={"scale": Slider(10.0, 2.0, 20.0)},
                  panels=("path", "loss", Mine()))
    scale = ex.controls["scale"]
    fe = FakeFrontEnd(ex.canvas)
    ex.canvas.draw()
    for lr in np.geomspace(1e-3, 1.0, 12):
        ex.set_lr(lr)
        assert np.array_equal(fe.pixels, _buffer(ex.canvas))
    full_before = ex.canvas.full_draws
    for lr in np.geomspace(1e-3, 1.0, 12):
        ex.set_lr(lr)
    assert ex.canvas.full_draws == full_before    # the custom panel's artists were learned: blits only
    scale.value = 4.0                              # a control rebuilds the figure: a full draw, still exact
    ex.set_lr(0.3)
    ex.set_lr(0.31)
    assert np.array_equal(fe.pixels, _buffer(ex.canvas))
    assert calls


def test_no_warnings_and_a_loadable_data_url():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex = _explorer()
        canvas = ex.canvas
        canvas.draw()                              # no front end yet: ipympl keeps a data URL for embedding
        assert canvas._data_url.startswith("data:image/png;base64,")


def test_theory_classes_on_the_box():
    ex = _explorer()
    assert "lrlab-max-diverges" in ex.box._dom_classes      # 2/L = 0.2 < 1.0
    assert "lrlab-min-monotone" in ex.box._dom_classes      # 1e-3 < 1/L = 0.1
    narrow = Explorer(Problem(losses.quadratic([1.0, 10.0]), [1.0, 1.0], 60), lr=0.16,
                                lr_range=(0.15, 0.19))
    assert "lrlab-max-diverges" not in narrow.box._dom_classes
    assert "lrlab-min-monotone" not in narrow.box._dom_classes
