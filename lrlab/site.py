"""The course without a kernel: a static website whose explorers still answer their controls.

``lrlab site DIR`` (or :func:`build_site`) writes ``DIR/index.html`` and one ``NN_name.html`` per
lesson notebook: the prose, the code and the figures of the committed, executed notebook, and in
place of every live widget the explorer itself, **computed in the page**: its description as data
(:func:`lrlab.site_data.explorer_spec`) and the JavaScript of ``lrlab/site_js/`` (a port of lrlab's
steppers, losses, loop, theory and explorer texts, proven equal to lrlab by ``node --test tests/js/``)
which reruns it on every move of any control and draws its panels in SVG. An explorer the JavaScript
does not cover (a lesson's own runs, regime or panels: :func:`lrlab.site_data.portable`) is shown as a
**player** instead: its frames computed headless (:meth:`lrlab.explorer.Explorer.frame`) at ``positions``
points of its lr slider and at each preset. The page's address carries the state (``#lr=0.2&kappa=20``
for a page's first explorer, ``#lr2=...`` for its second), so a link opens a setting.

Every page links to the index and to the previous and next lesson and lists its sections; at a phone's
width the panels stack and code scrolls inside its block.

Nothing on a page is fetched from the internet: no script, style or font comes from a CDN (the
build fails if one would). Formulas are typeset by a copy of MathJax 2 in ``DIR/mathjax/`` (from the
``jupyter-server-mathjax`` package: ``pip install "lrlab[site]"``), its STIX web fonts, offline.
"""
from __future__ import annotations

import base64
import html
import io
import json
import math
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .course import find_notebook, list_notebooks, notebooks_dir, title
from .lessons import EXPLORERS, build_explorer
from .site_data import explorer_spec, to_json

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

__all__ = ["build_site", "player_data", "live_html", "site_script", "PAGE_BUDGET"]

#: the largest a lesson page may be (bytes, MathJax not counted: it is shared by every page)
PAGE_BUDGET = 1_500_000
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
JS_DIR = Path(__file__).resolve().parent / "site_js"


#: the tag of a lesson's check cells (tools/build_notebooks.py writes it; the page leaves them out)
CHECK_TAG = "check"


def _png(png: bytes, colors: int = 96, width: int = 1000) -> str:
    """A frame as a data URI: at most ``width`` pixels wide (a lesson's column is narrower), quantized to
    ``colors`` colours (a quarter of the bytes, the same picture)."""
    from PIL import Image
    im = Image.open(io.BytesIO(png)).convert("RGB")
    if im.width > width:
        im = im.resize((width, round(im.height * width / im.width)), Image.Resampling.LANCZOS)
    im = im.quantize(colors=colors, method=Image.Quantize.FASTOCTREE)
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def player_data(name: str, positions: int = 61) -> dict:
    """Everything a player shows for explorer ``name``: frames at ``positions`` lrs on the live slider's
    grid (its controls at their defaults) and one frame per preset."""
    if not isinstance(positions, int) or isinstance(positions, bool) or positions < 2:
        raise ValueError(f"positions must be an integer >= 2; got {positions!r}")
    ex = build_explorer(name)
    start = float(ex.lr)
    slider = ex.slider
    steps = round((slider.max - slider.min) / slider.step)
    grid = sorted({round(k * steps / (positions - 1)) for k in range(positions)})
    ex.apply_preset({})                                   # every control at its default
    frames = []
    for k in grid:
        lr = slider.base ** min(slider.min + k * slider.step, slider.max)
        f = ex.frame(lr=lr)
        frames.append({"lr": f.lr, "img": _png(f.png), "label": f.label, "stats": f.stats, "theory": f.theory})
    presets = []
    for row in ex.preset_rows.values():
        for pname, value in row.items():
            ex.apply_preset({})
            ex.apply_preset(value)
            f = ex.frame()
            presets.append({"name": pname, "lr": f.lr, "controls": {k: v for k, v in f.controls.items()},
                            "img": _png(f.png), "label": f.label, "stats": f.stats, "theory": f.theory})
    return {"name": name, "start_lr": start, "lr_description": slider.description, "lr_min": slider.base ** slider.min,
            "lr_max": slider.base ** slider.max, "frames": frames, "presets": presets,
            "controls": {k: str(v) for k, v in ex.values().items()}}


PLAYER_CSS = """
.lrlab-player { border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px; margin: 12px 0; background: #fcfcfc; }
.lrlab-player .row { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 4px 0; }
.lrlab-player .row > label { flex: 1 1 260px; min-width: 0; max-width: 640px; display: flex; flex-wrap: wrap; gap: 4px 8px;
                             align-items: center; }
.lrlab-player input[type=range] { flex: 1 1 200px; width: 100%; min-width: 0; height: 32px; margin: 0; }
.lrlab-player button { padding: 3px 10px; border: 1px solid #aaa; border-radius: 4px; background: #f3f3f3; cursor: pointer; }
.lrlab-player button.on { background: #dde8f5; border-color: #0072b2; }
.lrlab-player img { max-width: 100%; height: auto; display: block; margin-top: 6px; }
.lrlab-player .note { color: #595959; font-size: 0.9em; }
"""

#: the explorers computed in the page (page.js): controls that wrap, panels in a grid that stacks on a phone
LIVE_CSS = """
.lrlab-live { border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px; margin: 12px 0; background: #fcfcfc;
              max-width: 100%; box-sizing: border-box; min-width: 0; contain: content; }
.lx-row { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; margin: 6px 0; }
.lx-lr .lx-label { font-weight: bold; }
.lx-slider { flex: 1 1 260px; min-width: 0; max-width: 560px; position: relative; padding-bottom: 1.5em; }
.lx-slider input[type=range], .lx-control input[type=range] { width: 100%; margin: 0; height: 32px; touch-action: none;
              cursor: pointer; accent-color: #0072B2; }
.lx-marks { position: absolute; left: 8px; right: 8px; bottom: 0; height: 1.4em; font-size: 0.85em; font-weight: bold; }
.lx-mark { position: absolute; left: var(--pos); transform: translateX(-50%); white-space: nowrap; top: 0; }
.lx-mark::before { content: ""; position: absolute; left: 50%; top: -0.55em; height: 0.5em; border-left: 2px dotted currentColor; }
.lx-mark-start { transform: none; } .lx-mark-start::before { left: 0; }
.lx-mark-end { transform: translateX(-100%); } .lx-mark-end::before { left: auto; right: 0; }
.lx-mark-low { top: 0.9em; }
.lx-readout { font-weight: bold; font-variant-numeric: tabular-nums; min-width: 3.5em; }
.lx-theory, .lx-stats { margin: 4px 0; overflow-wrap: anywhere; }
.lx-rowlabel { font-weight: bold; }
.lx-preset { padding: 6px 10px; min-height: 32px; border: 1px solid #888; border-radius: 4px; background: #f3f3f3;
             cursor: pointer; font: inherit; color: #000; }
.lx-preset[aria-pressed=true] { background: #dde8f5; border-color: #0072B2; }
.lx-preset:focus-visible, .lx-slider input:focus-visible, .lx-control input:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
.lx-controls { gap: 10px 24px; }
.lx-control { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; flex: 1 1 260px; min-width: 0; max-width: 560px; }
.lx-control input[type=range] { flex: 1 1 160px; min-width: 0; }
.lx-choice { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: center; }
.lx-choice legend { font-weight: bold; float: left; margin-right: 10px; padding: 0; }
.lx-panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); gap: 8px; margin-top: 8px; }
.lx-panel { margin: 0; min-width: 0; background: #fff; }
.lx-panel svg { display: block; width: 100%; height: auto; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
.lx-desc { color: #333; margin: 6px 0 0; font-size: 0.95em; }
.lx-legend { list-style: none; display: flex; flex-wrap: wrap; gap: 2px 18px; margin: 6px 0 0; padding: 0; font-size: 0.9em; }
.lx-legend li { list-style: none; margin: 0; } .lx-legend li::marker { content: none; }
.lx-badge .lrlab-regime { -webkit-box-decoration-break: clone; box-decoration-break: clone; line-height: 1.9; }
.lx-legend svg { vertical-align: middle; margin-right: 5px; }
.lx-sr { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0);
         white-space: nowrap; border: 0; }
.lx-error { color: #A84A00; }
"""

#: the page as a course: the links between lessons, the contents, and a phone's width (no sideways scrolling:
#: code and wide outputs scroll inside their own box; the prompts make room for the text)
PAGE_CSS = """
.lrlab-nav, .lrlab-toc { font-family: var(--jp-content-font-family, system-ui, sans-serif); font-size: 15px; line-height: 1.5; }
.lrlab-nav { display: flex; flex-wrap: wrap; gap: 6px 18px; justify-content: space-between; align-items: center;
             max-width: 1100px; margin: 8px auto; padding: 8px 12px; box-sizing: border-box; }
.lrlab-nav a { color: #0b5394; }
.lrlab-nav-top { border-bottom: 1px solid #ddd; } .lrlab-nav-bottom { border-top: 1px solid #ddd; margin-top: 24px; }
.lrlab-toc { max-width: 1100px; margin: 0 auto 8px; padding: 0 12px; }
.lrlab-toc summary { cursor: pointer; font-weight: bold; }
.lrlab-toc ol { margin: 6px 0; padding-left: 0.4em; columns: 2 22em; column-gap: 2em; list-style: none; }
.lrlab-toc li { margin: 3px 0; break-inside: avoid; } .lrlab-toc-3 { margin-left: 1.2em !important; }
.lrlab-toc a { color: #0b5394; }
main { max-width: 1100px; margin: 0 auto; }
.jp-Cell, .jp-InputArea, .jp-OutputArea, .jp-OutputArea-child, .jp-InputArea-editor, .jp-OutputArea-output,
.jp-RenderedHTMLCommon { min-width: 0; max-width: 100%; box-sizing: border-box; }
.jp-InputArea-editor, .highlight, .jp-RenderedText, .jp-OutputArea-output pre { overflow-x: auto; }
.highlight pre, .jp-RenderedText pre { white-space: pre; }
.jp-RenderedHTMLCommon table { display: block; overflow-x: auto; max-width: 100%; }
.jp-RenderedImage img, .jp-RenderedHTMLCommon img { max-width: 100%; height: auto; }
.MathJax_Display { overflow-x: auto; overflow-y: hidden; max-width: 100%; }
.jp-RenderedHTMLCommon p, .jp-RenderedHTMLCommon li { line-height: 1.55; }
@media (max-width: 700px) {
  body.jp-Notebook { padding: 0 !important; }
  .jp-Notebook .jp-Cell { padding: 4px 10px !important; }
  .jp-InputPrompt, .jp-OutputPrompt { display: none !important; }
  .jp-RenderedHTMLCommon { padding-right: 0 !important; font-size: 16px; }
  .jp-InputArea-editor { font-size: 13px; }
  .lrlab-live, .lrlab-player { padding: 8px; }
  .jp-Collapser { display: none !important; }
}
"""

#: WCAG 2.1 AA contrast (4.5:1 for text) for the parts of nbconvert's lab theme that miss it on a white
#: page: prompts of cells that never ran are drawn at half opacity (2.2:1), and five code-highlighting
#: colours sit between 4.2:1 and 4.4:1 on the code cells' grey. Same hues, darker.
A11Y_CSS = """
:root { --jp-cell-prompt-not-active-opacity: 1; --jp-cell-inprompt-font-color: #1f5f99;
        --jp-mirror-editor-comment-color: #2e6060; --jp-mirror-editor-keyword-color: #006400;
        --jp-mirror-editor-builtin-color: #006400; --jp-mirror-editor-number-color: #006400;
        --jp-mirror-editor-operator-color: #8a1acc; --jp-mirror-editor-meta-color: #8a1acc;
        --jp-mirror-editor-atom-color: #3333bb; --jp-mirror-editor-bracket-color: #6b6b55;
        --jp-mirror-editor-quote-color: #006a00; --jp-mirror-editor-hr-color: #666; }
"""

PLAYER_JS = r"""
(function () {
  function show(p, d, f, i, preset) {
    const slot = p.querySelector('.lrlab-regime-slot'), before = slot.textContent;
    const tmp = document.createElement('div'); tmp.innerHTML = f.label + ' ' + f.stats;
    const regime = (tmp.querySelector('[data-regime]') || {dataset: {}}).dataset.regime || '';
    const stats = tmp.querySelector('.lrlab-stats') ? tmp.querySelector('.lrlab-stats').textContent : '';
    p.querySelector('img').src = f.img;
    p.querySelector('img').alt = "the explorer's figure at learning rate " + Number(f.lr).toPrecision(3) +
      (regime ? ', regime ' + regime : '') + (stats ? ': ' + stats : '');
    p.querySelector('input[type=range]').setAttribute('aria-valuetext', d.lr_description + ' ' + Number(f.lr).toPrecision(3) + (regime ? ', ' + regime : ''));
    slot.innerHTML = f.label;
    if (before && slot.textContent !== before) p.querySelector('.lx-sr').textContent = 'Regime: ' + regime + '.';
    p.querySelector('.lrlab-stats-slot').innerHTML = f.stats;
    p.querySelector('.lrlab-theory-slot').innerHTML = f.theory;
    p.querySelector('.readout').textContent = Number(f.lr).toPrecision(3);
    p.querySelectorAll('button').forEach(b => b.classList.toggle('on', b.dataset.name === preset));
    const c = preset ? Object.entries(f.controls || {}).map(([k, v]) => k + ' = ' + (typeof v === 'object' ? JSON.stringify(v) : v)).join(', ') : '';
    p.querySelector('.note').textContent = preset ? ('preset: ' + preset + (c ? ' (' + c + ')' : '')) : '';
    const key = p.dataset.hashKey, h = new URLSearchParams(location.hash.slice(1));
    h.set(key, Number(Number(f.lr).toPrecision(4)));
    if (preset) h.set(key + 'p', preset); else h.delete(key + 'p');
    history.replaceState(null, '', '#' + h.toString());
  }
  function nearest(d, lr) {
    let best = 0;
    d.frames.forEach((f, i) => { if (Math.abs(Math.log(f.lr / lr)) < Math.abs(Math.log(d.frames[best].lr / lr))) best = i; });
    return best;
  }
  document.querySelectorAll('.lrlab-player').forEach(function (p) {
    const d = JSON.parse(p.querySelector('script[type="application/json"]').textContent);
    const range = p.querySelector('input[type=range]');
    range.addEventListener('input', () => show(p, d, d.frames[+range.value], +range.value, null));
    p.querySelectorAll('button').forEach(b => b.addEventListener('click', () => {
      const f = d.presets.find(q => q.name === b.dataset.name);
      range.value = nearest(d, f.lr);
      show(p, d, f, +range.value, f.name);
    }));
    const h = new URLSearchParams(location.hash.slice(1)), key = p.dataset.hashKey;
    const preset = h.get(key + 'p') && d.presets.find(q => q.name === h.get(key + 'p'));
    if (preset) { range.value = nearest(d, preset.lr); show(p, d, preset, +range.value, preset.name); }
    else if (h.get(key) && isFinite(+h.get(key)) && +h.get(key) > 0) {
      const i = nearest(d, +h.get(key)); range.value = i; show(p, d, d.frames[i], i, null);
    }
  });
})();
"""


def player_html(data: dict, index: int) -> str:
    """The kernel-free player of one explorer (its data inline, as JSON), at the live widget's starting lr."""
    i = min(range(len(data["frames"])), key=lambda k: abs(math.log(data["frames"][k]["lr"] / data["start_lr"])))
    f = data["frames"][i]
    key = "lr" if index == 0 else f"lr{index + 1}"
    regime = re.search(r'data-regime="([^"]*)"', f["label"])
    valuetext = f'{data["lr_description"]} {f["lr"]:.3g}' + (f", {regime.group(1)}" if regime else "")
    buttons = "".join(f'<button type="button" data-name="{html.escape(p["name"], quote=True)}">'
                      f'{html.escape(p["name"])}</button>' for p in data["presets"])
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return (f'<div class="lrlab-player" data-hash-key="{key}" data-explorer="{html.escape(data["name"])}">'
            f'<div class="row"><label>{html.escape(data["lr_description"])} '
            f'<input type="range" min="0" max="{len(data["frames"]) - 1}" step="1" value="{i}" '
            f'aria-label="{html.escape(data["lr_description"])}" aria-valuetext="{html.escape(valuetext)}"></label>'
            f'<b class="readout">{f["lr"]:.3g}</b> <span class="lrlab-regime-slot">{f["label"]}</span></div>'
            f'<div class="row lrlab-theory-slot">{f["theory"]}</div>'
            f'<div class="row"><b>presets:</b> {buttons}</div>'
            f'<div class="row lrlab-stats-slot">{f["stats"]}</div><div class="note"></div>'
            f'<img alt="the explorer\'s figure at learning rate {f["lr"]:.3g}" src="{f["img"]}">'
            f'<div class="lx-sr" aria-live="polite" aria-atomic="true"></div>'
            f'<script type="application/json">{payload}</script></div>')


def _strip_external(page: str) -> str:
    """Remove every script or stylesheet that would be fetched from the internet; fail if one is left."""
    page = re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>', "", page)
    # nbconvert's own MathJax loader (pointed at a CDN, or at nothing): the page loads the site's copy instead
    page = re.sub(r"<!-- Load mathjax -->[\s\S]*?<!-- End of mathjax configuration -->", "", page)
    page = re.sub(r'<link[^>]*\bhref="https?://[^"]*"[^>]*>', "", page)
    page = re.sub(r"<script[^>]*>\s*require\.config[\s\S]*?</script>", "", page)
    # the lab template's mermaid loader imports mermaid from a CDN (lessons draw no mermaid diagrams)
    page = re.sub(r'<script type="module">(?:(?!</script>)[\s\S])*?mermaid(?:(?!</script>)[\s\S])*</script>', "", page)
    left = re.findall(r'<(?:script|link|img)[^>]*\b(?:src|href)="(https?://[^"]*)"', page)
    left += re.findall(r"@import\s+url\(['\"]?(https?://[^)'\"]*)", page)
    left += re.findall(r"""import\s*\(?\s*["'](https?://[^"']*)""", page)
    if left:
        raise RuntimeError(f"a page would fetch from the internet: {left[:3]}")
    return page


#: code and text outputs that scroll sideways (a long line on a phone) take the keyboard focus, so that they
#: can be scrolled without a mouse (WCAG 2.1.1); the others stay out of the Tab order
SCROLL_JS = r"""
(function () {
  function mark() {
    document.querySelectorAll('.jp-InputArea-editor .highlight, .jp-RenderedText pre, .jp-RenderedHTMLCommon table, .MathJax_Display').forEach(function (e) {
      var wide = e.scrollWidth > e.clientWidth + 1;
      if (wide && !e.hasAttribute('tabindex')) {
        e.setAttribute('tabindex', '0'); e.setAttribute('role', 'region');
        e.setAttribute('aria-label', e.matches('pre') ? 'output, scrolls sideways' : e.matches('table') ? 'table, scrolls sideways' : e.matches('.MathJax_Display') ? 'formula, scrolls sideways' : 'code, scrolls sideways');
        e.dataset.lrlabScroll = '1';
      } else if (!wide && e.dataset.lrlabScroll) {
        e.removeAttribute('tabindex'); e.removeAttribute('role'); e.removeAttribute('aria-label'); delete e.dataset.lrlabScroll;
      }
    });
  }
  mark();
  window.addEventListener('resize', mark);
  if (window.MathJax && MathJax.Hub) MathJax.Hub.Queue(mark);
  else window.addEventListener('load', function () { if (window.MathJax && MathJax.Hub) MathJax.Hub.Queue(mark); mark(); });
})();
"""


def site_script() -> str:
    """The page's JavaScript as one classic script: lrlab.js, explorers.js and page.js (ES modules for node's
    tests) joined inside a function, their imports and exports dropped, whole-line comments left out. A
    classic inline script runs from a file:// address too, where a browser refuses to load modules."""
    parts = []
    for name in ("lrlab.js", "explorers.js", "page.js"):
        src = (JS_DIR / name).read_text(encoding="utf-8")
        for imp in re.findall(r'^import\s[\s\S]*?\sfrom\s+"\./[^"]+";', src, flags=re.M):
            if re.search(r"\bas\b", imp):       # one scope once joined: a renamed import would name nothing
                raise RuntimeError(f"lrlab/site_js/{name}: import names as they are, without 'as': {imp[:80]}")
        src = re.sub(r'^import\s[\s\S]*?\sfrom\s+"\./[^"]+";[ \t]*$', "", src, flags=re.M)
        src = re.sub(r"^export\s*\{[^}]*\};?[ \t]*$", "", src, flags=re.M)
        src = re.sub(r"^export\s+(?=(?:async\s+)?function\b|const\b|let\b|class\b)", "", src, flags=re.M)
        src = re.sub(r"^[ \t]*/\*\*[\s\S]*?\*/[ \t]*\n", "", src, flags=re.M)
        src = re.sub(r"^[ \t]*//.*\n", "", src, flags=re.M)
        parts.append(f"// ---- {name}\n{src}")
    return '(function () {\n"use strict";\n' + "\n".join(parts) + "\n})();"


def _minify_css(page: str) -> str:
    """The page's stylesheets without comments and runs of blank space (nbconvert's lab theme is a quarter of a
    megabyte, a third of it spaces and comments)."""
    def small(m):
        css = re.sub(r"/\*[\s\S]*?\*/", "", m.group(2))
        css = re.sub(r"\s+", " ", css)
        css = re.sub(r"\s*([{};,>])\s*", r"\1", css)
        return m.group(1) + css.strip() + m.group(3)
    return re.sub(r"(<style[^>]*>)([\s\S]*?)(</style>)", small, page)


def live_html(spec: dict, index: int) -> str:
    """An explorer computed in the page: its data; page.js builds its controls and panels."""
    payload = to_json(spec).replace("</", "<\\/")
    name = html.escape(spec["name"], quote=True)
    return (f'<section class="lrlab-live" data-index="{index}" data-explorer="{name}" '
            f'aria-label="explorer: {html.escape(spec["name"][3:] if spec["name"][:2].isdigit() else spec["name"], quote=True)}">'
            f'<script type="application/json" class="lrlab-spec">{payload}</script>'
            f'<noscript><p>This explorer computes in the page: it needs JavaScript.</p></noscript></section>')


def _smaller_png(b64: str, colors: int = 256) -> str:
    """A figure's PNG (base64) quantized to ``colors`` colours when that makes it smaller (matplotlib's
    anti-aliased lines and flat fills need far fewer than 16 million)."""
    from PIL import Image
    raw = base64.b64decode(b64)
    im = Image.open(io.BytesIO(raw))
    if im.mode not in ("RGB", "RGBA"):
        return b64
    q = im.convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    q.save(buf, format="PNG", optimize=True)
    return base64.b64encode(buf.getvalue()).decode("ascii") if buf.tell() < len(raw) else b64


def _contents(body: str) -> list[tuple[int, str, str]]:
    """The page's sections: (level, id, text) of every h2 and h3 (nbconvert gives them ids)."""
    out = []
    for m in re.finditer(r'<h([23]) id="([^"]+)"[^>]*>([\s\S]*?)</h\1>', body):
        text = re.sub(r"<[^>]+>", "", m.group(3)).replace("¶", "").strip()
        out.append((int(m.group(1)), m.group(2), html.unescape(text)))
    return out


def _nav(nb: Path, course: list[Path], where: str) -> str:
    """Links to the index and to the previous and next lesson."""
    i = course.index(nb) if nb in course else -1
    prev = course[i - 1] if i > 0 else None
    nxt = course[i + 1] if 0 <= i < len(course) - 1 else None
    link = lambda p, rel, arrow: (f'<a rel="{rel}" href="{p.stem}.html">{arrow} {html.escape(_numbered(p))}</a>'
                                  if p else "<span></span>")
    return (f'<nav class="lrlab-nav lrlab-nav-{where}" aria-label="course ({where} of the page)">'
            f'<a href="index.html">All lessons</a>{link(prev, "prev", "←")}{link(nxt, "next", "→")}</nav>')


def _toc(items) -> str:
    if not items:
        return ""
    lis = "".join(f'<li class="lrlab-toc-{level}"><a href="#{html.escape(i, quote=True)}">{html.escape(t)}</a></li>'
                  for level, i, t in items)
    return (f'<nav class="lrlab-toc" aria-label="contents of this lesson"><details open><summary>Contents</summary>'
            f'<ol>{lis}</ol></details></nav>')


def notebook_page(nb_path: Path, positions: int = 61, *, course: list[Path] | None = None,
                  live: bool = True) -> tuple[str, list[str]]:
    """One lesson as a static page: the notebook's HTML with each live widget computed in the page (or, for an
    explorer the page's JavaScript does not cover, or with ``live=False``, a player of frames).

    ``course``: every lesson in order, for the links to the previous and next one (default: ``nb_path``'s folder).
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(nb_path), as_version=4)
    names = [n for n, (stem, _, _) in EXPLORERS.items() if stem == nb_path.stem]
    state = (nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {}))

    def is_explorer(data) -> bool:
        model = state.get(data[WIDGET_MIME].get("model_id"), {})
        return "lrlab-explorer" in model.get("state", {}).get("_dom_classes", [])
    # the Colab set-up cell (tools/build_notebooks.py) has nothing to say on a page without a kernel, and a
    # lesson's check cells (its asserts, collapsed in the notebook: docs/lessons.md) are not for a reader
    nb.cells = [c for c in nb.cells if not {"lrlab-colab", CHECK_TAG} & set(c.get("metadata", {}).get("tags", []))]
    slots, k = [], 0
    for cell in nb.cells:
        if cell.cell_type == "code":   # nbval's markers are for the test run, not for a reader of the page
            cell.source = "\n".join(line for line in cell.source.splitlines()
                                     if not line.lstrip().startswith("# nbval-"))
        # other widgets (a progress bar, say) have nothing to show without a kernel: leave them out
        cell["outputs"] = [o for o in cell.get("outputs", [])
                           if WIDGET_MIME not in o.get("data", {}) or is_explorer(o["data"])]
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                data["image/png"] = _smaller_png(data["image/png"])
            if WIDGET_MIME in data:
                if k >= len(names):
                    raise RuntimeError(f"{nb_path.name} shows more live widgets than lrlab.lessons.EXPLORERS lists "
                                       f"for it ({len(names)}): register the new one")
                token = f"LRLAB-PLAYER-{k}-SLOT"
                out["data"] = {"text/html": f"<div>{token}</div>"}
                slots.append((token, names[k]))
                k += 1
    if k != len(names):
        raise RuntimeError(f"{nb_path.name} shows {k} live widgets, lrlab.lessons.EXPLORERS lists {len(names)}")
    nb.metadata.pop("widgets", None)
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    exporter.mathjax_url = ""
    body, _ = exporter.from_notebook_node(nb)
    any_live = False
    for i, (token, name) in enumerate(slots):
        spec = explorer_spec(name) if live else None
        if spec is not None:
            body = body.replace(f"<div>{token}</div>", live_html(spec, i))
            any_live = True
        else:
            body = body.replace(f"<div>{token}</div>", player_html(player_data(name, positions), i))
    body = body.replace("</head>", f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                                   f"<style>{PLAYER_CSS}{A11Y_CSS}{LIVE_CSS}{PAGE_CSS}</style>{MATHJAX_HTML}</head>", 1)
    # nbconvert titles every page "Notebook": a screen reader announces the lesson instead
    body = body.replace("<title>Notebook</title>", f"<title>{html.escape(title(nb_path) or nb_path.stem)}</title>", 1)
    course = course if course is not None else list_notebooks(nb_path.parent)
    top = _nav(nb_path, course, "top") + _toc(_contents(body))
    body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + top, body, count=1)
    scripts = (f"<script>{PLAYER_JS}</script><script>{SCROLL_JS}</script>"
               + (f"<script>{site_script()}</script>" if any_live else ""))
    body = body.replace("</body>", _nav(nb_path, course, "bottom") + scripts + "</body>", 1)
    return _strip_external(_minify_css(body)), [n for _, n in slots]


MATHJAX_HTML = """<script type="text/x-mathjax-config">
MathJax.Hub.Config({
  tex2jax: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
            processEscapes: true, processEnvironments: true},
  "HTML-CSS": {availableFonts: ["STIX-Web"], preferredFont: "STIX-Web", webFont: "STIX-Web", imageFont: null},
  showMathMenu: false, messageStyle: "none"});
</script><script src="mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"></script>"""


def copy_mathjax(out: Path) -> int:
    """Copy MathJax (without its translations) into ``out/mathjax``; returns the bytes copied."""
    import shutil
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise RuntimeError('MathJax is missing: pip install "lrlab[site]" (the jupyter-server-mathjax package)') from None
    src = Path(jupyter_server_mathjax.__file__).parent / "static"
    dest = out / "mathjax"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("localization", "*.md"))
    return sum(f.stat().st_size for f in dest.rglob("*") if f.is_file())


def _numbered(nb: Path) -> str:
    """'02 · Too high, too low' for a lesson's link: its number once, then its title."""
    name = title(nb) or nb.stem
    return name if name[:2] == nb.stem[:2] else f"{nb.stem[:2]} · {name}"


def _map_image(out: Path):
    """Lesson 00's map of the course, drawn headless into ``out/map.png``; its file name (None if it cannot be)."""
    try:
        from .lessons import start_here
        from . import plotting
    except ImportError:              # a course without lesson 00's module: an index without the map
        return None
    import matplotlib.pyplot as plt
    fig, _ = start_here.map_figure()
    (out / "map.png").write_bytes(plotting.png_bytes(fig, dpi=80))
    plt.close(fig)
    return "map.png"


def build_site(out_dir: str | os.PathLike[str], *, notebooks: str | None = None,
               only: Iterable[str | int] | None = None, positions: int = 61, live: bool = True) -> dict:
    """Write the static site into ``out_dir``; returns {file name: bytes written}.

    ``only``: notebook numbers or names to build (default: all); ``positions``: lr positions per player
    (fewer are taken where a page with players would be over :data:`PAGE_BUDGET`); ``live=False``: every
    explorer as a player of frames (the site before its explorers computed in the page, for comparison).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    folder = notebooks_dir(notebooks)
    if folder is None:
        raise FileNotFoundError("no lesson notebooks found: pass notebooks=DIR")
    course = nbs = list_notebooks(folder)
    if only:
        nbs = [find_notebook(str(o), nbs) for o in only]
    sizes, rows = {"mathjax/": copy_mathjax(out)}, []
    for nb in nbs:
        n = positions
        while True:
            page, players = notebook_page(nb, n, course=course, live=live)
            data = page.encode("utf-8")
            if len(data) <= PAGE_BUDGET or not live or "lrlab-player" not in page or n <= 5:
                break
            # a page with players of frames: as many lr positions as fit, from what a frame weighs here
            frames = re.findall(r'<div class="lrlab-player"[\s\S]*?</script></div>', page)
            per_frame = sum(len(f) for f in frames) / sum(f.count('"img":') for f in frames)
            presets = sum(f.count('"controls":') for f in frames)
            fit = int((PAGE_BUDGET * 0.97 - (len(data) - sum(len(f) for f in frames))) / per_frame) - presets
            fit = max(5, min(n - 1, fit // max(1, len(frames))))
            print(f"lrlab site: {nb.stem}.html is {len(data) / 1e6:.2f} MB, over the {PAGE_BUDGET / 1e6:.1f} MB "
                  f"budget: its players of frames get {fit} lr positions instead of {n}", file=sys.stderr)
            n = fit
        if len(data) > PAGE_BUDGET and live:
            raise RuntimeError(f"{nb.stem}.html is {len(data) / 1e6:.2f} MB, over the {PAGE_BUDGET / 1e6:.1f} MB "
                               f"budget")
        (out / f"{nb.stem}.html").write_bytes(data)
        sizes[f"{nb.stem}.html"] = len(data)
        rows.append((nb, players))
    items = "".join(f'<li><a href="{nb.stem}.html">{html.escape(_numbered(nb))}'
                    f'</a> <span class="n">({len(p)} explorer{"s" if len(p) != 1 else ""})</span></li>'
                    for nb, p in rows)
    map_img = _map_image(out)
    if map_img:
        sizes[map_img] = (out / map_img).stat().st_size
    from .lessons.start_here import LESSONS
    numbers = sorted(k[:2] for k in LESSONS)
    figure = (f"<figure><img src='{map_img}' width='100%' alt='The map of the course: one small picture per lesson, "
              f"{numbers[0]} to {numbers[-1]}, each showing what that lesson is about'><figcaption>The map: one picture per lesson "
              "(lesson 00 explains each).</figcaption></figure>") if map_img else ""
    index = ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             "<meta name='viewport' content='width=device-width, initial-scale=1'>"
             "<title>lrlab: the learning rate, lesson by lesson"
             "</title><style>body{font-family:sans-serif;max-width:960px;margin:40px auto;padding:0 12px;line-height:1.5}"
             " img{max-width:100%;height:auto}"
             " .n{color:#595959} ul{list-style:none;padding-left:0} li{margin:4px 0}"
             " figcaption{color:#595959}</style></head><body><h1>lrlab: the learning rate, lesson by lesson</h1>"
             "<p>Every explorer on these pages works without Python: it computes in the page. Drag its sliders "
             "or press a preset.</p>"
             f"<ul>{items}</ul>{figure}</body></html>")
    (out / "index.html").write_text(index, encoding="utf-8")
    sizes["index.html"] = len(index.encode("utf-8"))
    return sizes
