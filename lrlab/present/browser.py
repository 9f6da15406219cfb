"""Drive Debian's Chromium with Playwright: shared by the browser tests and the latency benchmark.

Needs the ``playwright`` Python package (the ``test`` extra) and a Chromium at
``/usr/bin/chromium`` (``apt-get install -y chromium``); Playwright's own
browser download is never used.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "chromium_path", "launch", "HOOKS_JS", "WS_HOOK_JS", "kernel_messages", "EXPLORER", "HANDLE", "CANVAS",
           "ERROR_PATTERNS", "page_errors", "is_local", "explorer_state", "wait_settled", "act", "missing", "REGIMES"]

#: Where Debian's ``chromium`` package puts the browser (override with LRLAB_CHROMIUM).
CHROMIUM = "/usr/bin/chromium"
#: Flags for a quiet, offline, headless Chromium in a container.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: every word an explorer's label may show: ``lrlab.theory.REGIMES`` (where theory names the regime),
#: ``lrlab.diagnostics.PATH_SHAPES`` (a path elsewhere) and ``lrlab.lessons.capstone.LOSS_SHAPES`` (a network's
#: training loss, epoch by epoch); tests/test_explorers.py checks the lists agree
REGIMES = ("monotone convergence", "oscillating convergence", "no convergence", "divergence",
           "monotone", "oscillating", "diverging",
           "blew up", "ended above its start", "climbed back over 1.5× its low", "kept falling")
EXPLORER = ".lrlab-explorer"
HANDLE = ".lrlab-explorer .widget-slider .noUi-handle"
CANVAS = ".lrlab-explorer .jupyter-matplotlib-canvas-div canvas"


def chromium_path() -> str | None:
    """The Chromium executable to use, or None if there is none."""
    path = os.environ.get("LRLAB_CHROMIUM", CHROMIUM)
    return path if Path(path).is_file() and os.access(path, os.X_OK) else None


def launch(playwright, **kwargs):
    """Launch Chromium (headless, offline flags) through a ``sync_playwright()`` handle."""
    path = chromium_path()
    if path is None:
        raise FileNotFoundError(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, **kwargs)


def is_local(url: str) -> bool:
    """True for a request that stays on this machine (127.0.0.1/localhost, or blob:/data: URLs)."""
    parts = urlsplit(url)
    if parts.scheme in ("blob", "data", "about", "chrome", "chrome-extension", "devtools"):
        return True
    return parts.hostname in ("127.0.0.1", "localhost", "::1")


#: JavaScript installed in every page: canvas hashing and the explorer's visible state.
HOOKS_JS = r"""
(() => {
  if (window.__lrlab) return;
  const hash = (canvas) => {
    if (!canvas || !canvas.width || !canvas.height) return 'empty';
    const d = new Uint32Array(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data.buffer);
    let h = 2166136261 >>> 0;
    for (let i = 0; i < d.length; i++) { h = Math.imul(h ^ d[i], 16777619) >>> 0; }
    return canvas.width + 'x' + canvas.height + ':' + h.toString(16);
  };
  window.__lrlab = {
    hash,
    state(root) {
      const box = root || document.querySelector('.lrlab-explorer');
      if (!box) return null;
      const handle = box.querySelector('.widget-slider .noUi-handle');
      const readout = box.querySelector('.widget-slider .widget-readout');
      const regime = box.querySelector('.lrlab-regime');
      const stats = box.querySelector('.lrlab-stats');
      const canvas = box.querySelector('.jupyter-matplotlib-canvas-div canvas');
      return {
        valuenow: handle ? handle.getAttribute('aria-valuenow') : null,
        valuemin: handle ? handle.getAttribute('aria-valuemin') : null,
        valuemax: handle ? handle.getAttribute('aria-valuemax') : null,
        readout: readout ? readout.textContent.trim() : null,
        regime: regime ? regime.getAttribute('data-regime') : null,
        stats: stats ? stats.textContent : null,
        frame: stats ? stats.getAttribute('data-frame') : null,      // the kernel's latest answer
        lr: stats ? stats.getAttribute('data-lr') : null,            // ... computed for this lr
        painted: canvas ? (canvas.__lrlab_frame || null) : null,     // the frame on screen
        width: box.clientWidth,
        fit: box.getAttribute('data-lrlab-fit'),                    // the room the page reported ...
        fitted: stats ? stats.getAttribute('data-fit') : null,      // ... and the one the figure is laid out for
        kernel: (window.__lrlab_ws || {}).status || null,
        hash: hash(canvas),
        classes: Array.from(box.classList),
      };
    },
    // What is still missing before the explorer shows the kernel's answer to the slider's
    // current value ('' when nothing is): the answer itself, the figure laid out for the room the
    // page reported (lrlab.widgets.page_fit), its frame on screen, an idle kernel.
    missing(root) {
      const s = this.state(root);
      if (!s) return 'no explorer on the page';
      if (!s.frame) return 'no frame-stamped stats line (is this an lrlab explorer?)';
      const shown = parseFloat((s.readout || '').replace('\u2212', '-'));
      const lr = parseFloat(s.lr);
      if (!(isFinite(shown) && isFinite(lr)) ||
          Math.abs(shown - Number(lr.toPrecision(3))) > 1e-9 * Math.abs(shown))
        return 'the kernel has not answered: the slider shows ' + s.readout + ', the last answer is for lr ' + s.lr;
      if (!s.fit && s.width > 0) return 'the page has not reported the room the explorer has yet';
      if (s.fit && s.fitted !== s.fit)
        return 'the kernel has not laid the figure out for the page: it reported ' + s.fit + ', the figure is for ' + s.fitted;
      if (s.painted !== s.frame) return 'frame ' + s.frame + ' has not reached the screen (it shows ' + s.painted + ')';
      if (s.kernel !== 'idle') return 'the kernel is still ' + s.kernel;
      return '';
    },
  };
})();
"""

#: Installed before any page script (``context.add_init_script``): watches the kernel websocket(s)
#: and counts kernel status messages, and keeps every ``error`` and stderr ``stream`` message the
#: kernel sends (an exception or a warning in a widget callback is shown nowhere on a Voilà page).
WS_HOOK_JS = r"""
(() => {
  if (window.__lrlab_ws) return;
  const W = window.__lrlab_ws = {idle: 0, busy: 0, replies: 0, errors: [], stderr: [], messages: 0};
  const dec = new TextDecoder();
  const grab = (txt, key) => {
    const m = txt.match(new RegExp('"' + key + '":\\s*"((?:[^"\\\\]|\\\\.)*)"'));
    return m ? m[1] : '';
  };
  const Orig = window.WebSocket;
  const Hooked = function (...args) {
    const ws = new Orig(...args);
    ws.addEventListener('message', (e) => {
      let txt;
      try { txt = typeof e.data === 'string' ? e.data : dec.decode(e.data); } catch (err) { return; }
      const t = txt.match(/"msg_type":\s*"([a-z_]+)"/);
      if (!t) return;
      W.messages += 1;
      if (t[1] === 'status') {
        const st = grab(txt, 'execution_state');
        if (st) W.status = st;
        if (st === 'idle') W.idle += 1; else if (st === 'busy') W.busy += 1;
      } else if (t[1] === 'execute_reply') {
        W.replies += 1;
      } else if (t[1] === 'error') {
        // the traceback's last lines too (ANSI colours removed), so a failing test says where it happened
        let tb = '';
        try {
          const k = txt.indexOf('"traceback"');
          if (k < 0) throw new Error('no traceback');
          const s = txt.indexOf('[', k);
          let j = s, inStr = false;
          for (; j < txt.length; j++) {             // the array's end: the first ] outside a string
            const c = txt[j];
            if (inStr) { if (c === '\\') j++; else if (c === '"') inStr = false; }
            else if (c === '"') inStr = true;
            else if (c === ']') break;
          }
          tb = JSON.parse(txt.slice(s, j + 1)).join('\n').replace(/\u001b\[[0-9;]*m/g, '')
                 .split('\n').filter(l => l.trim() && !/^\s*\d+ /.test(l)).slice(-24).join(' | ');
        } catch (err) { /* no traceback to show */ }
        W.errors.push(grab(txt, 'ename') + ': ' + grab(txt, 'evalue') + (tb ? ' ... ' + tb : ''));
      } else if (t[1] === 'stream' && grab(txt, 'name') === 'stderr') {
        W.stderr.push(grab(txt, 'text').slice(0, 500));
      }
    });
    return ws;
  };
  Hooked.prototype = Orig.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Hooked[k] = Orig[k];
  window.WebSocket = Hooked;

  // Frame tags. lrlab's canvas writes the tag of each frame into its PNG (a tEXt chunk
  // 'lrlab-frame\0<tag>' right after the header). Follow it: bytes -> Blob -> object URL ->
  // <img> -> drawImage onto ipympl's offscreen canvas -> drawImage onto the visible canvas,
  // which then carries the tag of the frame it shows (canvas.__lrlab_frame).
  const tagOf = (u8) => {
    if (!u8 || u8.length < 45 || u8[37] !== 0x74 || u8[38] !== 0x45 || u8[39] !== 0x58 || u8[40] !== 0x74) return null;
    const len = ((u8[33] << 24) | (u8[34] << 16) | (u8[35] << 8) | u8[36]) >>> 0;
    const text = String.fromCharCode.apply(null, u8.subarray(41, 41 + Math.min(len, 200)));
    const i = text.indexOf('\0');
    return i >= 0 && text.slice(0, i) === 'lrlab-frame' ? text.slice(i + 1) : null;
  };
  const blobTags = new WeakMap(), urlTags = new Map();
  const OrigBlob = window.Blob;
  const TaggedBlob = function (parts, opts) {
    const b = new OrigBlob(parts, opts);
    try {
      const p = parts && parts.length === 1 ? parts[0] : null;
      const u8 = p instanceof ArrayBuffer ? new Uint8Array(p)
               : (p && ArrayBuffer.isView(p) ? new Uint8Array(p.buffer, p.byteOffset, p.byteLength) : null);
      const tag = tagOf(u8);
      if (tag) blobTags.set(b, tag);
    } catch (err) { /* never break the page */ }
    return b;
  };
  TaggedBlob.prototype = OrigBlob.prototype;
  window.Blob = TaggedBlob;
  const origCreate = URL.createObjectURL.bind(URL), origRevoke = URL.revokeObjectURL.bind(URL);
  URL.createObjectURL = (obj) => {
    const url = origCreate(obj);
    if (blobTags.has(obj)) urlTags.set(url, blobTags.get(obj));
    return url;
  };
  URL.revokeObjectURL = (url) => { urlTags.delete(url); return origRevoke(url); };
  const origDraw = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (src, ...rest) {
    const out = origDraw.call(this, src, ...rest);
    try {
      const tag = src instanceof HTMLImageElement ? urlTags.get(src.src)
                : (src instanceof HTMLCanvasElement ? src.__lrlab_frame : undefined);
      if (this.canvas && (src instanceof HTMLImageElement || src instanceof HTMLCanvasElement))
        this.canvas.__lrlab_frame = tag || null;
    } catch (err) { /* never break the page */ }
    return out;
  };
})();
"""


def kernel_messages(page) -> dict:
    """What the websocket hook saw: idle/busy counts, kernel errors and stderr texts."""
    return page.evaluate("() => window.__lrlab_ws || null") or {"idle": 0, "busy": 0, "replies": 0, "errors": [], "stderr": [],
                                                                   "messages": 0}


#: What counts as an error on a page: text patterns, and elements.
ERROR_PATTERNS = [re.compile(r"Traceback \(most recent call last\)"),
                  re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception|Warning): "),
                  re.compile(r"There was an error when executing cell"),
                  re.compile(r"Error displaying widget"),
                  re.compile(r"Cell execution timed out")]
ERROR_SELECTORS = [".jupyter-widgets-error-widget",
                   "[data-mime-type='application/vnd.jupyter.stderr']",
                   ".jp-OutputArea-output.jp-mod-error", ".voila-error", ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"]


#: Kernel stderr that is not an lrlab problem: ipykernel's note when the widget manager closes its
#: 'jupyter.widget.control' comm (opened by the page to fetch the widget states) after the kernel
#: already dropped it -- a race inside ipywidgets/ipykernel, seen about once in ten page loads.
#: Only front-end comm ids (dashed UUIDs) qualify: lrlab's widgets have kernel-made ids (32 hex digits).
#: JupyterLab's widget manager also asks for that comm before the kernel has imported ipywidgets.
BENIGN_STDERR = re.compile(r"^(No such comm: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
                           r"|No such comm target registered: jupyter\.widget\.control)(\\n|\s)*$")


def page_errors(page, scope: str = "body") -> list[str]:
    """Error text (in the elements matching ``scope``) or error elements on the page, and errors or
    stderr output the kernel sent over the websocket (empty list when clean)."""
    found = []
    text = page.evaluate("(sel) => Array.from(document.querySelectorAll(sel)).map(e => e.innerText).join('\\n')",
                         scope)
    for pat in ERROR_PATTERNS:
        for m in pat.finditer(text):
            found.append(text[max(0, m.start() - 80):m.end() + 160].strip())
    for sel in ERROR_SELECTORS:
        for el in page.query_selector_all(sel):
            found.append(f"{sel}: {(el.inner_text() or '')[:300]}")
    ws = kernel_messages(page)
    found += [f"kernel error message: {e}" for e in ws["errors"]]
    found += [f"kernel stderr: {e}" for e in ws["stderr"] if not BENIGN_STDERR.match(e)]
    return found


def explorer_state(page, index: int = 0) -> dict:
    """The visible state of the ``index``-th lrlab explorer on the page."""
    page.evaluate(HOOKS_JS)
    return page.evaluate("(i) => window.__lrlab.state(document.querySelectorAll('.lrlab-explorer')[i])", index)


def _float(text):
    try:
        return float(text.replace("\u2212", "-"))
    except (TypeError, ValueError, AttributeError):
        return None


def _stats_match(s: dict) -> bool:
    """The explorer's latest answer was computed for the lr the slider's readout shows."""
    a, b = _float(s.get("readout")), _float(s.get("lr"))
    return a is not None and b is not None and abs(a - float(f"{b:.3g}")) <= 1e-9 * abs(a)


def missing(page, index: int = 0) -> str:
    """What the ``index``-th explorer still waits for ('' when it shows the kernel's answer, painted)."""
    page.evaluate(HOOKS_JS)
    return page.evaluate("(i) => window.__lrlab.missing(document.querySelectorAll('.lrlab-explorer')[i])", index)


def wait_settled(page, *, index: int = 0, timeout: float = 30.0, what: str = "explorer") -> dict:
    """Wait until the explorer shows the kernel's answer to the slider's current value, on screen.

    Four things, in this order, each exact (no waiting for time): the stats
    line is stamped with the lr the slider's readout shows (the kernel has
    answered the latest move); it is stamped with the room the page last
    reported for the explorer (the figure is laid out for this page: see
    :func:`lrlab.widgets.page_fit`); the canvas shows the frame of that answer (its
    tag, which the kernel writes into the frame's PNG, arrived, decoded and
    painted); the kernel is idle. Bounded by ``timeout``; on timeout raises
    ``TimeoutError`` saying which of the four never happened.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    page.evaluate(HOOKS_JS)
    try:
        page.wait_for_function("(i) => window.__lrlab.missing(document.querySelectorAll('.lrlab-explorer')[i]) === ''",
                               arg=index, timeout=timeout * 1000, polling=10)
    except PlaywrightTimeout:
        raise TimeoutError(f"{what}: after {timeout:g} s {missing(page, index)}; "
                           f"last state {explorer_state(page, index)}") from None
    return explorer_state(page, index)


def act(page, action, *, index: int = 0, kernel: bool | None = None, timeout: float = 30.0,
        what: str = "explorer", expect_lr: float | None = None) -> tuple[dict, dict]:
    """Do ``action()`` on the page, then wait until the explorer shows the kernel's answer, painted.

    ``kernel``: whether the action sends the kernel a message (a button click
    does; a key press does if it moved the slider; None: decide from the
    slider's aria-valuenow right after the action). If so, first wait for the
    kernel to have handled a message since the action (its next idle status),
    then for :func:`wait_settled`. ``expect_lr``: the lr the action must bring the slider to (a preset's);
    the kernel's idle after the action may come from an earlier message still in flight, so wait
    for the slider's readout to have moved to it (within 3%: the slider's grid and its three-digit readout) before waiting for the answer. Returns ``(before, after)``.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    before = explorer_state(page, index)
    n0 = kernel_messages(page)["idle"]
    action()
    if kernel is None:
        kernel = explorer_state(page, index)["valuenow"] != before["valuenow"]
    if kernel:
        try:
            page.wait_for_function("(n) => ((window.__lrlab_ws || {}).idle || 0) > n", arg=n0,
                                   timeout=timeout * 1000, polling=10)
        except PlaywrightTimeout:
            raise TimeoutError(f"{what}: the kernel never reported idle in {timeout:g} s after the action "
                               f"(state {explorer_state(page, index)})") from None
    if expect_lr is not None:
        try:
            page.wait_for_function(
                """([i, lr, was]) => { const s = window.__lrlab.state(document.querySelectorAll('.lrlab-explorer')[i]);
                                       const v = parseFloat((s.readout || '').replace('\u2212', '-'));
                                       return s.readout !== was && Math.abs(v - lr) <= 0.03 * Math.max(v, lr); }""",
                arg=[index, float(expect_lr), before["readout"]], timeout=timeout * 1000, polling=10)
        except PlaywrightTimeout:
            raise TimeoutError(f"{what}: the slider never showed lr {expect_lr:g} in {timeout:g} s after the action "
                               f"(state {explorer_state(page, index)})") from None
    after = wait_settled(page, index=index, timeout=timeout, what=what)
    return before, after
