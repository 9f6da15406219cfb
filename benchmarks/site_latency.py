"""The static site in a real browser: key press on a slider -> the next paint, and the first paint of a page.

    python benchmarks/site_latency.py                  # lessons 02, 05 and 07, 200 moves per slider
    python benchmarks/site_latency.py --moves 60 --site /tmp/site

Builds lessons 02, 05 and 07 twice (unless ``--site`` and ``--frames-site`` point at built ones): as ``lrlab site``
writes them now (explorers computed in the page) and with ``lrlab site --frames`` (every explorer a player of
precomputed PNG frames, the site before). Serves both from 127.0.0.1 (Python's http.server) and drives
Debian's Chromium through Playwright. For each slider the page records, per key press:

* ``key``: a capture-phase keydown listener on the slider (t = 0);
* ``frame``: the requestAnimationFrame callback requested from the slider's input event (after the page's own
  input handler: for the explorer, after the run, the texts and the SVG are updated; for the player, after its
  ``img.src`` is swapped): the frame that shows it starts;
* ``paint``: a message posted from that rAF callback arrives, which is after the frame was produced (the
  usual stand-in for "painted");
* for the player only, ``decoded``: the new frame's ``img.decode()`` resolves (a PNG swap is on screen only
  once decoded, which can take more than one frame).

A first row, ``a bare <input type=range>`` (no handler, put on the same page), is the floor: what a key press
costs the browser before any page code runs.

ArrowRight and ArrowLeft alternate (the slider stays put, so every press is a move), ``--warmup`` presses are
discarded. Also the first paint (first-contentful-paint) of each page and the moment its explorers are up.
Prints a table of medians and 95th percentiles in ms; asserts nothing. The machine's load shows in the numbers:
run it on a quiet machine for a fair picture.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lrlab.present import browser  # noqa: E402

PROBE_JS = r"""
(sel) => {
  const r = document.querySelector(sel);
  const P = window.__probe = {rows: [], t0: null};
  r.addEventListener('keydown', () => { P.t0 = performance.now(); }, true);
  r.addEventListener('input', () => {
    const t0 = P.t0, row = {frame: null, paint: null, decoded: null};
    P.rows.push(row);
    const box = r.closest('.lrlab-player');
    if (box) {
      const img = box.querySelector('img');
      img.decode().then(() => { row.decoded = performance.now() - t0; }, () => { row.decoded = -1; });
    }
    requestAnimationFrame(() => {
      row.frame = performance.now() - t0;
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { row.paint = performance.now() - t0; };
      ch.port2.postMessage(0);
    });
  });
}
"""


@contextlib.contextmanager
def serve(folder: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Quiet, directory=str(folder))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()


def pct(values, q):
    v = sorted(values)
    if not v:
        return float("nan")
    k = min(len(v) - 1, max(0, round(q / 100 * (len(v) - 1))))
    return v[k]


BARE_JS = """() => { const r = document.createElement('input'); r.type = 'range'; r.id = 'lrlab-bare'; r.min = 0; r.max = 100;
  r.value = 50; r.setAttribute('aria-label', 'bare'); document.body.prepend(r); }"""


def measure(page, url: str, sel: str, moves: int, warmup: int) -> dict:
    page.goto(url)
    if sel == "#lrlab-bare":
        page.evaluate(BARE_JS)
    page.wait_for_selector(sel)
    page.wait_for_timeout(300)
    page.evaluate(PROBE_JS, sel)
    page.focus(sel)
    for i in range(moves + warmup):
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        page.wait_for_function("() => { const r = window.__probe.rows; return r.length && r[r.length - 1].paint !== null"
                               " && (!document.activeElement.closest('.lrlab-player') || r[r.length - 1].decoded !== null); }")
    rows = page.evaluate("() => window.__probe.rows")[warmup:]
    out = {}
    for key in ("frame", "paint", "decoded"):
        vals = [r[key] for r in rows if r[key] is not None and r[key] >= 0]
        if vals:
            out[key] = (statistics.median(vals), pct(vals, 95), len(vals))
    return out


def first_paint(page, url: str) -> dict:
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)
    return page.evaluate("""() => {
        const p = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
        const nav = performance.getEntriesByType('navigation')[0];
        return {fcp: p ? p.startTime : null, load: nav ? nav.loadEventEnd : null,
                bytes: nav ? nav.transferSize : null}; }""")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--moves", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--site", help="a site built by `lrlab site` (with lessons 02, 05 and 07)")
    ap.add_argument("--frames-site", help="the same built with `lrlab site --frames`")
    args = ap.parse_args(argv)
    from lrlab import site
    tmp = Path(tempfile.mkdtemp(prefix="lrlab-site-latency-"))
    live_dir = Path(args.site) if args.site else tmp / "live"
    frames_dir = Path(args.frames_site) if args.frames_site else tmp / "frames"
    if not args.site:
        print("building the site (explorers computed in the page) ...", flush=True)
        site.build_site(live_dir, only=["02", "05", "07"])
    if not args.frames_site:
        print("building the site with players of frames (lrlab site --frames) ...", flush=True)
        site.build_site(frames_dir, only=["02", "05", "07"], live=False)
    sliders = [("02_too_high_too_low.html", "lr slider (one curvature)", "#lx1-lr", ".lrlab-player[data-hash-key=lr] input[type=range]"),
               ("02_too_high_too_low.html", "κ slider (condition number)", "#lx2-kappa", None),
               ("02_too_high_too_low.html", "lr slider (condition number)", "#lx2-lr", ".lrlab-player[data-hash-key=lr2] input[type=range]"),
               ("05_momentum.html", "β slider (heavy ball)", "#lx1-momentum", None),
               ("05_momentum.html", "lr slider (heavy ball)", "#lx1-lr", ".lrlab-player[data-hash-key=lr] input[type=range]"),
               ("07_batch_size.html", "B slider (batch size)", "#lx1-batch_size", None),
               ("07_batch_size.html", "lr slider (batch size)", "#lx1-lr", ".lrlab-player[data-hash-key=lr] input[type=range]")]
    from playwright.sync_api import sync_playwright
    rows = []
    sliders.insert(0, ("02_too_high_too_low.html", "a bare <input type=range>", "#lrlab-bare", None))
    with serve(live_dir) as live_url, serve(frames_dir) as frames_url, sync_playwright() as pw:
        b = browser.launch(pw)
        ctx = b.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        print("\nfirst paint, from 127.0.0.1 (ms; page bytes without MathJax):")
        for name in ("02_too_high_too_low.html", "05_momentum.html", "07_batch_size.html"):
            for label, base, folder in (("in the page", live_url, live_dir), ("frames", frames_url, frames_dir)):
                fp = first_paint(page, f"{base}/{name}")
                size = (folder / name).stat().st_size
                up = page.evaluate("() => window.__lrlabReady || ''")
                print(f"  {name:32s} {label:12s} first contentful paint {fp['fcp']:7.1f}   load {fp['load']:7.1f}"
                      + (f"   explorers up {up:7.1f}" if up != "" else "") + f"   {size / 1e6:.2f} MB")
        print(f"\nkey press -> next paint, {args.moves} moves each (ms: median / p95)")
        for name, what, live_sel, frames_sel in sliders:
            got = measure(page, f"{live_url}/{name}", live_sel, args.moves, args.warmup)
            rows.append((name[:2], what, "in the page", got))
            if frames_sel:
                got = measure(page, f"{frames_url}/{name}", frames_sel, args.moves, args.warmup)
                rows.append((name[:2], what, "frames (PNG swap)", got))
        b.close()
    print(f"  {'':3s}{'slider':32s}{'site':20s}{'rAF (frame)':>16s}{'next paint':>16s}{'img decoded':>16s}")
    for nb, what, kind, got in rows:
        cells = "".join(f"{got[k][0]:8.2f} /{got[k][1]:6.2f}" if k in got else f"{'-':>16s}" for k in ("frame", "paint", "decoded"))
        print(f"  {nb:3s}{what:32s}{kind:20s}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
