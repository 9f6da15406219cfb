"""Canary: the ipympl internals that lrlab.live_canvas relies on are still there, and still work as it uses them.

``LiveCanvas`` (lrlab/live_canvas.py) subclasses ipympl's ``Canvas``, overrides two of its methods and reads
attributes that are not ipympl's public API; most of them come from matplotlib's ``FigureCanvasWebAggCore``,
which ipympl's Canvas extends. They are listed once, in lrlab.live_canvas (``IPYMPL_METHODS``,
``IPYMPL_ATTRIBUTES``, ``ARTIST_ATTRIBUTES``); these tests check the installed ipympl and matplotlib against
that list, and LiveCanvas' own code against it, so a release that renames or changes one fails here first,
with a message naming it. No kernel, no browser: the canvas is built headless.
"""
from __future__ import annotations

import ast
import inspect
import tomllib
import warnings
from importlib.metadata import version
from pathlib import Path

import pytest

pytest.importorskip("ipympl")
from ipympl.backend_nbagg import Canvas, FigureManager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from lrlab import live_canvas as lc  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IPYMPL, MATPLOTLIB = version("ipympl"), version("matplotlib")
PIN = next(r for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
           if r.replace(" ", "").lower().startswith("ipympl"))


def advice(what: str, problem: str) -> str:
    return (f"lrlab.live_canvas relies on ipympl's private {what}: {problem} (ipympl {IPYMPL}, matplotlib "
            f"{MATPLOTLIB}). Pin ipympl below {IPYMPL} in pyproject.toml (now {PIN!r}; or matplotlib below "
            f"{MATPLOTLIB}, if the change came with matplotlib's webagg backend), or update LiveCanvas in "
            f"lrlab/live_canvas.py and its lists IPYMPL_METHODS / IPYMPL_ATTRIBUTES / ARTIST_ATTRIBUTES.")


def _params(fn) -> tuple:
    """The parameter names of a method after ``self``."""
    return tuple(inspect.signature(fn).parameters)[1:]


def _plain_canvas():
    """An ipympl canvas with its figure manager, as ipympl's backend makes one, without a kernel."""
    canvas = Canvas(Figure(figsize=(2, 1.5), dpi=40))
    with warnings.catch_warnings():   # ipympl's Toolbar trips a traitlets DeprecationWarning
        warnings.simplefilter("ignore", DeprecationWarning)
        FigureManager(canvas, 0)
    return canvas


@pytest.mark.parametrize("name", sorted(lc.IPYMPL_METHODS))
def test_the_methods_live_canvas_overrides_keep_their_signature(name):
    want = lc.IPYMPL_METHODS[name]
    what = f"method Canvas.{name}({', '.join(('self',) + want)})"
    base = getattr(Canvas, name, None)
    assert callable(base), advice(what, "ipympl's Canvas has no such method")
    assert _params(base) == want, advice(
        what,
        f"it is now {name}{inspect.signature(base)}, so its callers pass other arguments")
    mine = getattr(lc._live_canvas_class(), name)
    assert mine is not base and _params(mine) == want, \
        f"LiveCanvas.{name} must override ipympl's with the parameters IPYMPL_METHODS lists: {want}"


@pytest.mark.parametrize("name", sorted(lc.IPYMPL_ATTRIBUTES))
def test_a_new_ipympl_canvas_has_the_attributes(name):
    kind = lc.IPYMPL_ATTRIBUTES[name]
    canvas = _plain_canvas()
    assert hasattr(canvas, name), advice(f"attribute Canvas.{name}", "a new canvas does not have it")
    value = getattr(canvas, name)
    assert isinstance(value, kind), advice(
        f"attribute Canvas.{name} ({kind.__name__})", f"it is now {type(value).__name__} {value!r:.60}")


@pytest.mark.parametrize("name", sorted(lc.ARTIST_ATTRIBUTES))
def test_matplotlib_artists_have_the_attributes(name):
    fig = Figure()
    (line,) = fig.add_subplot().plot([0, 1])
    for artist in (fig, line):
        value = getattr(artist, name, None)
        assert isinstance(value, lc.ARTIST_ATTRIBUTES[name]), (
            f"lrlab.live_canvas relies on matplotlib's private Artist.{name}, which matplotlib {MATPLOTLIB} "
            f"changed ({type(artist).__name__}.{name} = {value!r}): pin matplotlib below {MATPLOTLIB} or update "
            f"LiveCanvas._render_layer in lrlab/live_canvas.py and ARTIST_ATTRIBUTES")


def test_the_figure_manager_still_calls_the_overrides_and_frames_reach_the_page():
    """A draw and a blit go through ipympl's plumbing: refresh_all -> get_diff_image -> send_binary."""
    fig = Figure(figsize=(2, 1.5), dpi=40)
    (line,) = fig.add_subplot().plot([0, 1], [0, 1])
    canvas = lc.live_canvas(fig)
    assert canvas in getattr(canvas.manager, "web_sockets", ()), advice(
        "FigureManager.web_sockets", "ipympl's figure manager no longer lists the canvas there, so "
        "matplotlib's refresh_all would not hand it the frames")
    calls, sent = [], []
    get_diff_image, send_binary = canvas.get_diff_image, canvas.send_binary

    def spy_get_diff_image():
        calls.append("get_diff_image")
        return get_diff_image()

    def spy_send_binary(data):
        calls.append("send_binary")
        sent.append(bytes(data))
        return send_binary(data)
    canvas.get_diff_image, canvas.send_binary = spy_get_diff_image, spy_send_binary

    try:
        canvas.draw()                               # a full draw, no page connected yet
    except AttributeError as err:
        pytest.fail(advice(f"attribute {err.name or err}", f"a full draw raised {err!r}"))
    assert calls == ["get_diff_image", "send_binary"], advice(
        "frame protocol (FigureManagerWebAgg.refresh_all -> get_diff_image() -> send_binary(png))",
        f"a draw made the calls {calls}")
    assert sent[0].startswith(b"\x89PNG") and not canvas._png_is_old and not canvas._force_full
    assert canvas._last_buff.shape == (60, 80), advice("attribute Canvas._last_buff", "a frame did not store it")
    assert canvas._data_url.startswith("data:image/png;base64,"), advice(
        "trait Canvas._data_url", "the frame sent before a page connects did not land in it")

    canvas.syncing_data_url = False                 # what ipympl sets once a page reports 'initialized'
    for y in ([1, 0], [0.5, 0]):                    # the first change is learned (a full draw), then a blit
        line.set_ydata(y)
        canvas.frame()
    assert canvas.blits == 1 and len(sent) == 3 and sent[-1].startswith(b"\x89PNG"), (canvas.blits, len(sent))
    assert canvas._current_image_mode == "diff", advice(
        "attribute Canvas._current_image_mode", f"set_image_mode('diff') left it at {canvas._current_image_mode!r}")


def _live_canvas_class_node() -> ast.ClassDef:
    tree = ast.parse((ROOT / "lrlab" / "live_canvas.py").read_text())
    return next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "LiveCanvas")


def test_live_canvas_uses_no_unlisted_ipympl_internal():
    """Every private name LiveCanvas touches that it does not define itself is in the shared list."""
    cls = _live_canvas_class_node()
    methods = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    own = set(methods) | {t.id for n in cls.body if isinstance(n, ast.Assign) for t in n.targets
                          if isinstance(t, ast.Name)}
    init = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
    for node in ast.walk(init):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            own.add(node.attr)
    used = {n.attr for n in ast.walk(cls) if isinstance(n, ast.Attribute)
            and n.attr.startswith("_") and not n.attr.startswith("__")}
    unlisted = used - own - set(lc.IPYMPL_ATTRIBUTES) - set(lc.ARTIST_ATTRIBUTES)
    assert not unlisted, (f"LiveCanvas uses private names it does not define: {sorted(unlisted)}; list them in "
                          "IPYMPL_ATTRIBUTES or ARTIST_ATTRIBUTES (lrlab/live_canvas.py), so this canary checks them")
    overrides = {m for m in methods if hasattr(Canvas, m)} - {"__init__", "draw"}
    assert overrides == set(lc.IPYMPL_METHODS), (
        f"LiveCanvas overrides {sorted(overrides)} of ipympl's Canvas; IPYMPL_METHODS lists "
        f"{sorted(lc.IPYMPL_METHODS)}: keep them the same")
