"""Slider latency in a real browser: key press on the lr slider -> updated figure on screen.

    python benchmarks/slider_latency.py                    # notebook 02, Voila and JupyterLab, 40 moves
    python benchmarks/slider_latency.py --notebook 99 --moves 30 --frontends voila

For the main widget of a notebook (its first ``lrlab.explorer.Explorer``) and
for the plain ``ipywidgets.interact`` version of the same figure (the same
explorer's artists, re-rendered as an inline PNG on every change), in the same
run: the notebook is served by Voila and by JupyterLab on 127.0.0.1, Chromium
(``/usr/bin/chromium``) presses ArrowRight/ArrowLeft on the slider handle, and
the page records

* ``key``: a capture-phase keydown listener (t = 0),
* ``recv``: the new image reaching the page (ipympl: the PNG blob is created;
  interact: the ``<img>`` is inserted),
* ``draw``: the pixels on the visible canvas (ipympl: ``drawImage`` onto it;
  interact: the image decoded),
* ``frame``: the next animation frame after that (the frame that shows it).

Two references run in the same session, through the same front end:

* ``floor``: a slider that swaps the canvas between two precomputed PNGs of the
  explorer's size (lrlab's encoder, full images), sent as ipympl frames: transport +
  decode + paint, no compute and no drawing;
* ``ipympl``: the same explorer on a plain ipympl canvas (its panels move their
  artists with ``set_data``, then ``draw_idle``: what a competent user writes).

One move at a time (the next key after the figure has been still for 150 ms),
``--warmup`` moves discarded. A burst of fast presses then checks that the
figure settles on the slider's final value. The kernel-side costs (Python
compute, artist updates, Agg draw, PNG encode) are timed in this process on the
same widget. Prints a table; asserts nothing.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lrlab.present import browser, servers  # noqa: E402

BENCH_JS = r"""
(mode) => {
  const B = window.__bench = {mode, t0: null, key: null, recv: null, results: [], frames: 0, lastFrame: 0,
                              target: null};
  document.addEventListener('keydown', (e) => {
    if (!e.target.classList || !e.target.classList.contains('noUi-handle')) return;
    B.t0 = performance.now(); B.recv = null; B.pending = true;
  }, true);
  const record = (tDraw) => {
    const t0 = B.t0, recv = B.recv;
    requestAnimationFrame(() => {
      const tf = performance.now();
      B.frames += 1; B.lastFrame = tf;
      if (B.pendingResult) {
        B.pendingResult = false;
        B.results.push({recv: recv === null ? null : recv - t0, draw: tDraw - t0, frame: tf - t0,
                        key_wall: (performance.timeOrigin + t0) / 1000,
                        recv_wall: recv === null ? null : (performance.timeOrigin + recv) / 1000});
      }
    });
  };
  const origTDU = HTMLCanvasElement.prototype.toDataURL;
  B.tdu = [];
  HTMLCanvasElement.prototype.toDataURL = function () {
    const t = performance.now();
    const r = origTDU.apply(this, arguments);
    if (B.pending || B.pendingResult) B.tdu.push(performance.now() - t);
    return r;
  };
  if (mode === 'lrlab') {
    const origURL = URL.createObjectURL;
    URL.createObjectURL = function (obj) {
      if (obj && obj.type === 'image/png' && B.pending && B.recv === null) B.recv = performance.now();
      return origURL.apply(this, arguments);
    };
    const orig = CanvasRenderingContext2D.prototype.drawImage;
    CanvasRenderingContext2D.prototype.drawImage = function () {
      const r = orig.apply(this, arguments);
      if (B.target && this.canvas === B.target) {
        const t = performance.now();
        if (B.pending) { B.pending = false; B.pendingResult = true; }
        record(t);
      }
      return r;
    };
  } else {
    const obs = new MutationObserver((muts) => {
      const imgs = new Set();
      for (const m of muts) {
        if (m.type === 'attributes' && m.target.tagName === 'IMG') imgs.add(m.target);
        for (const n of m.addedNodes) {
          const img = n.tagName === 'IMG' ? n : (n.querySelector && n.querySelector('img'));
          if (img) imgs.add(img);
        }
      }
      for (const img of imgs) {
        if (!B.target || !B.target.contains(img)) continue;
        const tr = performance.now();
        const wasPending = B.pending;
        if (wasPending) { B.pending = false; B.recv = tr; }
        img.decode().catch(() => null).then(() => {
          if (wasPending) B.pendingResult = true;
          record(performance.now());
        });
      }
    });
    obs.observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ['src']});
  }
}
"""


def pick_notebook(name: str | None) -> Path:
    nbs = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if name:
        hits = [p for p in nbs if p.stem.startswith(name) or p.stem == name]
        if not hits:
            sys.exit(f"no notebook matching {name!r}; have: {', '.join(p.stem for p in nbs)}")
        return hits[0]
    for pref in ("02", "99"):
        hits = [p for p in nbs if p.stem.startswith(pref)]
        if hits:
            return hits[0]
    sys.exit("no notebook found in notebooks/")


def prefix_cells(nb) -> list[str]:
    """Code of the notebook up to and including its first widget cell (tagged nbval-ignore-output)."""
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        out.append(cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"]))
        if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            return out
    raise SystemExit("the notebook has no widget cell tagged nbval-ignore-output")


FIND_EXPLORER = """
import lrlab.explorer as _le
_ex = next(v for v in list(globals().values()) if isinstance(v, _le.Explorer))
"""

INTERACT_CELL = """
import ipywidgets as _W
from IPython.display import Image as _Image, display as _display
from lrlab import plotting as _plotting


class _NoLiveCanvas:  # the interact version draws nothing live: it re-renders a PNG
    frame_count, model_id, frame_tag = 0, None, ""

    def __getattr__(self, name):
        return lambda *a, **k: None


_ex.canvas = _NoLiveCanvas()
_s = _ex.slider


def _view(lr):
    _ex.set_lr(lr)                                            # same run + artist updates as the widget
    _display(_Image(data=_plotting.png_bytes(_ex.fig), format="png"))   # full Agg draw + PNG, inline


_inter = _W.interactive(_view, lr=_W.FloatLogSlider(value=_s.value, base=_s.base, min=_s.min, max=_s.max,
                                                    step=_s.step, description="learning rate",
                                                    readout_format=".3g", continuous_update=True))
_inter.add_class("lrlab-interact")    # the lesson may hold other interact widgets: this is the one measured
_inter
"""


FLOOR_CELL = """
import ipywidgets as _W
from lrlab.live_canvas import _png as _encode, live_canvas as _live_canvas
import matplotlib.figure as _mfig
import matplotlib.image as _mimg
import io as _io
import numpy as _np

def _pixels(lr):                                   # the explorer's frame at this lr, as RGBA pixels
    rgba = _mimg.imread(_io.BytesIO(_ex.frame(lr=lr).png), format="png")
    return (rgba * 255 + 0.5).astype(_np.uint8)

_s = _ex.slider
_pngs = [_encode(_pixels(_s.value)), _encode(_pixels(_s.value * 1.5))]
_floor_fig = _mfig.Figure(figsize=_ex.fig.get_size_inches(), dpi=_ex.fig.dpi)
_floor_canvas = _live_canvas(_floor_fig)
_floor_slider = _W.FloatLogSlider(value=_s.value, base=_s.base, min=_s.min, max=_s.max, step=_s.step,
                                  description="learning rate", readout_format=".3g", continuous_update=True)
_floor_n = [0]

def _swap(change):                                 # no compute, no drawing: a precomputed PNG, sent
    _floor_n[0] += 1
    _floor_canvas.set_image_mode("full")
    _floor_canvas.send({"data": '{"type": "binary"}'}, buffers=[_pngs[_floor_n[0] % 2]])

_floor_slider.observe(_swap, names="value")
_floor_box = _W.VBox([_floor_slider, _floor_canvas])
_floor_box.add_class("lrlab-floor")
_floor_box
"""

PLAIN_IPYMPL_CELL = """
import lrlab.explorer as _le
from ipympl.backend_nbagg import Canvas as _Canvas, FigureManager as _FigureManager

def _plain_canvas(fig):                            # a plain ipympl canvas: every move is draw_idle()
    canvas = _Canvas(fig)
    _FigureManager(canvas, 0)
    canvas.header_visible = canvas.footer_visible = canvas.toolbar_visible = False
    canvas.resizable = canvas.capture_scroll = False
    return canvas

_le.live_canvas = _plain_canvas
"""

#: variant -> (how the page is instrumented, the root element of the widget measured)
VARIANTS = {"lrlab": ("lrlab", ".lrlab-explorer"), "floor": ("lrlab", ".lrlab-floor"),
            "floor-bare": ("lrlab", ".lrlab-floor"),
            "ipympl": ("lrlab", ".lrlab-explorer"), "interact": ("interact", ".lrlab-interact")}


def _with_cells(nb, before: list[str], after: list[str]):
    """The whole notebook, with ``before`` cells first and ``after`` cells right after its first widget cell."""
    import copy

    import nbformat
    out = copy.deepcopy(nb)
    cells = [nbformat.v4.new_code_cell(c) for c in before]
    placed = False
    for cell in nb["cells"]:
        cells.append(copy.deepcopy(cell))
        if (not placed and cell["cell_type"] == "code"
                and "nbval-ignore-output" in cell.get("metadata", {}).get("tags", [])):
            cells += [nbformat.v4.new_code_cell(c) for c in after]
            placed = True
    out["cells"] = cells
    return out


def write_notebooks(src: Path, out: Path) -> dict:
    """One notebook per variant. Every variant runs in the same page, the whole lesson (its text, figures and
    widgets), with the reference's cell right after the explorer's: what the page costs to lay out and paint
    is then the same for all of them. ``floor-bare`` is the floor alone on an otherwise empty page."""
    import nbformat
    nb = nbformat.read(src, as_version=4)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"lrlab": out / "bench_lrlab.ipynb", "interact": out / "bench_interact.ipynb",
             "floor": out / "bench_floor.ipynb", "ipympl": out / "bench_ipympl.ipynb",
             "floor-bare": out / "bench_floor_bare.ipynb"}
    nbformat.write(nb, paths["lrlab"])
    nbformat.write(_with_cells(nb, [], [FIND_EXPLORER, INTERACT_CELL]), paths["interact"])
    nbformat.write(_with_cells(nb, [], [FIND_EXPLORER, FLOOR_CELL]), paths["floor"])
    nbformat.write(_with_cells(nb, [PLAIN_IPYMPL_CELL], []), paths["ipympl"])
    cells = [nbformat.v4.new_code_cell(c) for c in prefix_cells(nb) + [FIND_EXPLORER, FLOOR_CELL]]
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata), paths["floor-bare"])
    return paths


def open_voila(page, server, nb: Path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    url = f"{server.url}/voila/render/{nb.name}"
    try:
        page.goto(url, wait_until="domcontentloaded", timeout=90_000)
    except PlaywrightTimeout:    # a Voilà execution that never finishes (rare): once more, a new kernel
        print(f"  {nb.name}: not rendered in 90 s, loading it again", flush=True)
        page.goto(url, wait_until="domcontentloaded", timeout=120_000)


def open_lab(page, server, nb: Path):
    page.goto(f"{server.url}/lab/tree/{nb.name}?reset", wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_function("(name) => { const w = window.jupyterapp?.shell?.currentWidget; "
                           "return w?.context?.path === name && w?.sessionContext?.session?.kernel?.status === 'idle'; }",
                           arg=nb.name, timeout=120_000, polling=100)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def measure(page, variant: str, moves: int, warmup: int, quiet_ms: int = 150) -> dict:
    mode, root = VARIANTS[variant]
    handle = page.locator(f"{root} .widget-slider .noUi-handle").first
    handle.wait_for(timeout=180_000)
    if mode == "lrlab":
        canvas = f"{root} .jupyter-matplotlib-canvas-div canvas"
        page.wait_for_selector(canvas, timeout=60_000)
        page.evaluate("() => { window.__bench.target = document.querySelector(%r); }" % canvas)
    else:
        page.wait_for_selector(f"{root} .widget-output img", timeout=60_000)
        page.evaluate("() => { window.__bench.target = document.querySelector('.lrlab-interact .widget-output'); }")
    page.wait_for_timeout(1500)                       # let the first frames and layout settle
    handle.focus()
    n_total = moves + warmup
    keys = ["ArrowRight"] * (n_total // 2) + ["ArrowLeft"] * (n_total - n_total // 2)
    misses = 0
    for k, key in enumerate(keys):
        count = page.evaluate("() => window.__bench.results.length")
        page.keyboard.press(key)
        try:
            page.wait_for_function("(n) => window.__bench.results.length > n", arg=count, timeout=5_000, polling=20)
        except Exception:
            misses += 1
            page.evaluate("() => { window.__bench.pending = false; }")
        # quiet: no new frame for quiet_ms
        page.wait_for_function("(q) => performance.now() - window.__bench.lastFrame > q", arg=quiet_ms,
                               timeout=10_000, polling=20)
    res = page.evaluate("() => window.__bench.results")[warmup:]
    tdu = page.evaluate("() => window.__bench.tdu")
    # burst: 20 fast presses (a drag), then the figure must settle on the final value
    before = page.evaluate("() => window.__bench.lastFrame")
    t_burst = page.evaluate("() => performance.now()")
    for _ in range(20):
        page.keyboard.press("ArrowRight", delay=0)
        page.wait_for_timeout(8)
    t_last_key = page.evaluate("() => window.__bench.t0")
    try:                                          # a frame after the last key, then 400 ms without one
        page.wait_for_function("(a) => window.__bench.lastFrame > a.tk && performance.now() - window.__bench.lastFrame"
                               " > a.q", arg={"tk": t_last_key, "q": 400}, timeout=20_000, polling=20)
        settle = page.evaluate("() => window.__bench.lastFrame") - t_last_key
    except Exception:                             # no frame at all in 20 s after the drag
        settle = float("nan")
    frames_burst = None
    final_ok = None
    if root == ".lrlab-explorer":             # the answer for the final value arrives (a slow reference: later)
        deadline = time.time() + 20
        while not (final_ok := browser._stats_match(browser.explorer_state(page))) and time.time() < deadline:
            page.wait_for_timeout(100)
    return {"results": res, "todataurl_ms": statistics.median(tdu) if tdu else None, "misses": misses, "burst_settle_ms": settle, "burst_final_ok": final_ok,
            "burst_span_ms": t_last_key - t_burst, "frames_burst": frames_burst, "before": before}


def split_times(results: list[dict], frame_log: Path) -> dict:
    """Join the browser's per-move times with the kernel's frame log (same clock: this machine's)."""
    try:
        frames = [json.loads(l) for l in frame_log.read_text().splitlines() if l.strip()]
    except OSError:
        return {}
    parts = {"key -> kernel frame start (browser, server, kernel dispatch, run + artists)": [],
             "kernel frame (blit + diff + PNG + send)": [], "  of which blit": [], "  diff + PNG": [],
             "  send": [], "  PNG kB": [], "kernel -> page (server, websocket)": [],
             "page: image received -> on screen (decode, ipympl, paint)": []}
    for r in results:
        if r.get("recv_wall") is None:
            continue
        hits = [f for f in frames if r["key_wall"] <= f["start"] <= r["recv_wall"]]
        if not hits:
            continue
        f = hits[-1]
        parts["key -> kernel frame start (browser, server, kernel dispatch, run + artists)"].append(
            1e3 * (f["start"] - r["key_wall"]))
        parts["kernel frame (blit + diff + PNG + send)"].append(1e3 * (f["sent"] - f["start"]))
        for key, name, scale in (("draw", "of which blit", 1e3), ("diff_png", "diff + PNG", 1e3),
                                 ("send", "send", 1e3), ("bytes", "PNG kB", 1e-3)):
            if f.get(key) is not None:
                parts[f"  {name}"].append(scale * f[key])
        parts["kernel -> page (server, websocket)"].append(1e3 * (r["recv_wall"] - f["sent"]))
        parts["page: image received -> on screen (decode, ipympl, paint)"].append(r["frame"] - r["recv"])
    return {k: statistics.median(v) for k, v in parts.items() if v}


def slow_moves(results: list[dict], frame_log: Path, share: float = 0.1) -> list[str]:
    """The slowest ``share`` of the moves, each split like :func:`split_times`, with what its frame was
    (a blit or a full draw, the kernel's draw and encode ms) and whether a garbage collection ran
    between the frame before it and this one: where the p95 comes from."""
    try:
        frames = [json.loads(l) for l in frame_log.read_text().splitlines() if l.strip()]
    except OSError:
        return []
    frames.sort(key=lambda f: f["start"])
    done = [r for r in results if r.get("recv_wall") is not None]
    done.sort(key=lambda r: -r["frame"])
    out = []
    for r in done[:max(1, int(round(share * len(done))))]:
        hits = [i for i, f in enumerate(frames) if r["key_wall"] <= f["start"] <= r["recv_wall"]]
        if not hits:
            out.append(f"{r['frame']:6.1f} ms: no kernel frame logged in it")
            continue
        i = hits[-1]
        f = frames[i]
        gc_note = ""
        if i and "gc" in f and "gc" in frames[i - 1]:
            ran = [g for g, (a, b) in enumerate(zip(frames[i - 1]["gc"], f["gc"])) if b > a]
            gc_note = f", gc gen {max(ran)} ran since the frame before" if ran else ", no gc"
        out.append(f"{r['frame']:6.1f} ms: key -> kernel {1e3 * (f['start'] - r['key_wall']):5.1f}, "
                   f"kernel {f.get('kind', 'blit')} {1e3 * (f['sent'] - f['start']):5.1f} "
                   f"(draw {1e3 * f['draw']:.1f}, encode+send {1e3 * f['encode']:.1f}), "
                   f"-> page {1e3 * (r['recv_wall'] - f['sent']):5.1f}, page {r['frame'] - r['recv']:5.1f}"
                   f"{gc_note}; {len(hits)} kernel frame(s) in this move")
    return out


def summarize(res: list[dict], key: str) -> tuple[float, float]:
    xs = sorted(r[key] for r in res if r.get(key) is not None)
    if not xs:
        return float("nan"), float("nan")
    med = statistics.median(xs)
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    return med, p95


def kernel_profile(nb_path: Path, n: int = 60) -> dict:
    """Time the kernel-side pieces of one slider move on the same widget, in this process.

    The canvas is told a front end is connected (``syncing_data_url = False``),
    so every move renders and encodes a frame exactly as in the browser runs;
    the comm messages go nowhere.
    """
    import nbformat
    import numpy as np
    nb = nbformat.read(nb_path, as_version=4)
    ns: dict = {"__name__": "__bench__"}
    import matplotlib
    matplotlib.use("agg")
    for code in prefix_cells(nb):
        lines = [l for l in code.splitlines() if not l.lstrip().startswith(("%", "!"))]
        exec(compile("\n".join(lines), "<nb>", "exec"), ns)
    exec(FIND_EXPLORER, ns)
    ex = ns["_ex"]
    from lrlab import diagnostics, plotting
    from lrlab import run as lrun
    canvas = ex.canvas
    canvas.syncing_data_url = False          # as with a browser attached: every move draws and encodes
    lo, hi = np.log10(ex.lr_range)
    lrs = 10 ** np.linspace(lo + 0.3 * (hi - lo), lo + 0.4 * (hi - lo), n)  # small steps, like arrow keys
    p = ex.problem
    t = {"python compute (run + path_shape)": [], "whole update (compute + artists + frame)": [],
         "interact: full Agg draw + PNG": []}
    for lr in lrs:
        t0 = time.perf_counter()
        traj = lrun(loss=p.loss, stepper=p.stepper, x0=p.x0, lr=float(lr), num_steps=p.num_steps)
        diagnostics.path_shape(traj)
        t["python compute (run + path_shape)"].append(time.perf_counter() - t0)
    for lr in lrs[:5]:                        # learn what moves (first move after a build: one full draw)
        ex.set_lr(float(lr))
    canvas.settle_time = 0.0                  # moves one at a time, each after a pause: diffs against the last
    canvas.timings.clear()
    for lr in lrs:
        t0 = time.perf_counter()
        ex.set_lr(float(lr))
        t["whole update (compute + artists + frame)"].append(time.perf_counter() - t0)
    frames = [d for d in canvas.timings if "blit_draw" in d]
    fulls = [d for d in canvas.timings if "full_draw" in d]
    canvas.settle_time = float("inf")         # a fast drag, no pause: diffs against its first frame
    canvas.timings.clear()
    for lr in lrs[:20]:
        ex.set_lr(float(lr))
    drag = [d for d in canvas.timings if "blit_draw" in d]
    for lr in lrs[:15]:
        ex.set_lr(float(lr))
        t0 = time.perf_counter()
        plotting.png_bytes(ex.fig)
        t["interact: full Agg draw + PNG"].append(time.perf_counter() - t0)
    out = {k: 1e3 * statistics.median(v) for k, v in t.items() if v}
    if frames:
        out["frame: blit (restore + moving artists)"] = 1e3 * statistics.median(d["blit_draw"] for d in frames)
        out["frame: diff + PNG encode + send"] = 1e3 * statistics.median(d["diff_encode_send"] for d in frames)
    if drag:
        out["drag frame: growing diff + PNG + send"] = 1e3 * statistics.median(d["diff_encode_send"] for d in drag)
    out["frames that were full draws"] = f"{len(fulls)} of {len(fulls) + len(frames)}"
    w, h = canvas.get_width_height(physical=True)
    out["canvas"] = f"{w}x{h} px, {len(getattr(canvas, '_moving', []))} moving artists"
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notebook", help="notebook name or number prefix (default: 02, else the smoke notebook)")
    ap.add_argument("--moves", type=int, default=40)
    ap.add_argument("--warmup", type=int, default=4)
    ap.add_argument("--frontends", nargs="+", default=["voila", "lab"], choices=["voila", "lab"])
    ap.add_argument("--variants", nargs="+", default=["floor", "floor-bare", "lrlab", "ipympl", "interact"],
                    choices=list(VARIANTS))
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (server logs)")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright
    if browser.chromium_path() is None:
        sys.exit(f"no Chromium at {browser.CHROMIUM}: apt-get install -y chromium")
    nb_path = pick_notebook(args.notebook)
    tmp = Path(tempfile.mkdtemp(prefix="lrlab-bench-"))
    nbs = write_notebooks(nb_path, tmp / "nb")
    print(f"notebook: {nb_path.name}; {args.moves} moves (+{args.warmup} warm-up); work dir {tmp}", flush=True)
    rows, raw, splits, slow, failed = [], {}, {}, {}, []
    with sync_playwright() as pw:
        b = browser.launch(pw)
        for fe in args.frontends:
            frame_log = tmp / f"frames-{fe}.jsonl"
            env = {"LRLAB_FRAME_LOG": str(frame_log)}
            if fe == "voila":
                server = servers.start_voila(tmp / "nb", cwd=tmp / "nb", log_path=tmp / "voila.log", env_extra=env)
            else:
                server = servers.start_lab(tmp / "nb", cwd=tmp / "nb", log_path=tmp / "lab.log",
                                           settings_dir=tmp / "lab", env_extra=env)
            try:
                for variant in args.variants:
                    ctx = b.new_context(viewport={"width": 1500, "height": 1000})
                    page = ctx.new_page()
                    page.add_init_script(f"({BENCH_JS})({json.dumps(VARIANTS[variant][0])})")
                    t0 = time.time()
                    try:
                        (open_voila if fe == "voila" else open_lab)(page, server, nbs[variant])
                        r = measure(page, variant, args.moves, args.warmup)
                    except Exception as err:   # one reference that never answers must not lose the others
                        shot = tmp / f"failed-{fe}-{variant}.png"
                        with contextlib.suppress(Exception):
                            page.screenshot(path=str(shot), full_page=True)
                        reason = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"[:160]
                        print(f"  {fe} {variant}: FAILED ({reason}); screenshot {shot}, server log "
                              f"{server.log_path}", flush=True)
                        failed.append(f"{fe}/{variant}: {reason}")
                        args.keep = True
                        ctx.close()
                        continue
                    raw[f"{fe}/{variant}"] = r
                    med, p95 = summarize(r["results"], "frame")
                    rmed, _ = summarize(r["results"], "recv")
                    dmed, _ = summarize(r["results"], "draw")
                    rows.append(dict(fe=fe, variant=variant, n=len(r["results"]), med=med, p95=p95, recv=rmed,
                                     draw=dmed, tdu=r["todataurl_ms"], miss=r["misses"],
                                     settle=r["burst_settle_ms"], final_ok=r["burst_final_ok"],
                                     load=os.getloadavg()[0]))
                    if variant == "lrlab":
                        splits[fe] = split_times(r["results"], frame_log)
                        slow[fe] = slow_moves(r["results"], frame_log)
                    print(f"  {fe:6s} {variant:8s} median {med:6.1f} ms  p95 {p95:6.1f} ms "
                          f"({time.time() - t0:.0f} s)", flush=True)
                    ctx.close()
            finally:
                server.stop()
        b.close()
    prof = kernel_profile(nb_path)

    print()
    print(f"Slider key press -> new figure on screen ({nb_path.stem}, Chromium {browser.CHROMIUM}, "
          f"{args.moves} moves each)")
    print(f"{'front end':10s} {'widget':9s} {'n':>3s} {'median':>7s} {'p95':>7s} | {'recv':>6s} {'drawn':>6s} "
          f"{'toDataURL':>9s} | {'miss':>4s} {'drag settle':>11s} {'on final':>8s}")
    for r in rows:
        tdu = f"{r['tdu']:9.1f}" if r["tdu"] is not None else f"{'-':>9s}"
        print(f"{r['fe']:10s} {r['variant']:9s} {r['n']:3d} {r['med']:7.1f} {r['p95']:7.1f} | {r['recv']:6.1f} "
              f"{r['draw']:6.1f} {tdu} | {r['miss']:4d} {r['settle']:9.1f}ms {str(r['final_ok']):>8s}")
    print("(ms from the key press: median/p95 = next animation frame after the new pixels are drawn; recv = image "
          "reached the page; drawn = pixels on the visible canvas / img decoded; toDataURL = ipympl's per-frame "
          "re-encode of its canvas, median duration)")
    for line in failed:
        print(f"FAILED, not measured: {line} (work dir kept: {tmp})")
    by = {(r["fe"], r["variant"]): r for r in rows}
    print("load average (1 min) after each: " + ", ".join(f"{r['fe']}/{r['variant']} {r['load']:.2f}" for r in rows))
    goals = {"voila": 1.5, "lab": 2.0}
    for fe in args.frontends:
        lab, floor, plain = by.get((fe, "lrlab")), by.get((fe, "floor")), by.get((fe, "ipympl"))
        if lab and floor:
            r, r95 = lab["med"] / floor["med"], lab["p95"] / floor["p95"]
            print(f"{fe}: lrlab median = {r:.2f}x the floor (goal <= {goals[fe]}x: {'met' if r <= goals[fe] else 'NOT met'}), "
                  f"p95 = {r95:.2f}x the floor's p95 (goal <= 2x: {'met' if r95 <= 2 else 'NOT met'})")
        if lab and plain:
            r = plain["med"] / lab["med"]
            print(f"{fe}: lrlab is {r:.1f}x faster than plain ipympl (median; goal >= 3x: "
                  f"{'met' if r >= 3 else 'NOT met'})")
        if lab and (fe, "interact") in by:
            print(f"{fe}: lrlab is {by[(fe, 'interact')]['med'] / lab['med']:.1f}x faster than interact (median)")
    for fe, sp in splits.items():
        if sp:
            print(f"{fe} lrlab, where the time goes (median ms, joined with the kernel's frame log): "
                  + ", ".join(f"{k} {v:.1f}" for k, v in sp.items()))
    for fe, lines in slow.items():
        if lines:
            print(f"{fe} lrlab, the slowest 10% of the moves (frame ms, then its parts in ms):")
            for line in lines:
                print("  " + line)
    print()
    print("kernel side, median ms per move (this process, same widget):")
    for k, v in prof.items():
        print(f"  {k:42s} {v if isinstance(v, str) else f'{v:7.2f}'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "raw": raw, "kernel": prof}, indent=1, default=str))
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    if failed:
        sys.exit(f"{len(failed)} of the measurements failed (listed above); the others are printed")


if __name__ == "__main__":
    main()
