"""Every explorer fits its column, whole, in the front ends students and teachers use.

Voilà at 1024 px (a projector's width) and at 390 px (a phone), JupyterLab at a 1280 px window with the
file browser open (lessons 02 and 05), and ``lrlab present`` on a 1024x768 projector. For every
explorer on the page, once the kernel has laid its figure out for the room the page reported
(:func:`lrlab.widgets.page_fit`; the harness waits for that answer, never for time):

* the figure's canvas lies within the explorer's box and within what the page shows of it (the
  viewport, narrowed by every ancestor that clips), and nothing in the explorer is wider than it: no
  panel cut off, no horizontal scroll;
* the canvas is shown at its own size, not scaled down by the page's CSS: the kernel made the figure
  for this column, so its type is at the size it was made (``tests/test_explorers.py`` checks that no
  text is below 10 px and that nothing is drawn outside the figure);
* an lr move after the layout still reaches the screen (the live canvas diffs frames of the new size).

In the presenter the slider, the regime label and the whole figure are on the first screen, unscrolled.
Screenshots of every explorer go to ``<screenshot folder>/fit/`` (see ``conftest.py``;
``LRLAB_SCREENSHOT_DIR=/tmp/fit-shots`` puts them there).
"""
from __future__ import annotations

import io

import pytest

from lrlab.lessons import EXPLORERS
from lrlab.present import browser, servers

from .conftest import NOTEBOOK_DIR, has_explorer, lesson_notebooks, open_voila

NOTEBOOKS = [p for p in lesson_notebooks() if has_explorer(p)]
IDS = [p.stem for p in NOTEBOOKS]
LAB_NOTEBOOKS = [p for p in NOTEBOOKS if p.name.startswith(("02_", "05_"))]

#: where every canvas of the i-th explorer is, against its box and against what the page shows of it
GEOMETRY_JS = r"""(i) => {
  const box = document.querySelectorAll('.lrlab-explorer')[i];
  const rect = (e) => { const r = e.getBoundingClientRect();
                        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height}; };
  let left = 0, right = document.documentElement.clientWidth;
  for (let e = box.parentElement; e && e !== document.documentElement; e = e.parentElement) {
    if (getComputedStyle(e).overflowX !== 'visible') {
      const r = e.getBoundingClientRect();
      left = Math.max(left, r.left + e.clientLeft);
      right = Math.min(right, r.left + e.clientLeft + e.clientWidth);
    }
  }
  const canvases = Array.from(box.querySelectorAll('.jupyter-matplotlib-canvas-div canvas'));
  const main = canvases[0];
  const at = (sel) => { const e = box.querySelector(sel); return e ? rect(e) : null; };
  return {box: rect(box), scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, visible: {left, right},
          canvases: canvases.map(rect), figure: main ? [main.width / window.devicePixelRatio,
                                                         main.height / window.devicePixelRatio] : null,
          handle: at('.widget-slider .noUi-handle'), label: at('.lrlab-regime'), window: window.innerHeight,
          fit: box.getAttribute('data-lrlab-fit')};
}"""


def fits(page, i: int, where: str) -> dict:
    """Assert that the ``i``-th explorer's figure is whole within its column; return its geometry."""
    g = page.evaluate(GEOMETRY_JS, i)
    box, vis = g["box"], g["visible"]
    assert g["canvases"] and g["figure"] and g["figure"][0] > 0, f"{where}: no figure on the page"
    assert g["fit"], f"{where}: the page never reported the room the explorer has"
    for c in g["canvases"]:
        assert c["left"] >= box["left"] - 0.5 and c["right"] <= box["right"] + 0.5, \
            f"{where}: the figure ({c['left']:.0f} to {c['right']:.0f} px) is wider than its column " \
            f"({box['left']:.0f} to {box['right']:.0f} px)"
        assert c["left"] >= vis["left"] - 0.5 and c["right"] <= vis["right"] + 0.5, \
            f"{where}: the figure ({c['left']:.0f} to {c['right']:.0f} px) is cut off: the page shows " \
            f"{vis['left']:.0f} to {vis['right']:.0f} px of it"
    assert g["scrollWidth"] <= g["clientWidth"] + 1, \
        f"{where}: something in the explorer is {g['scrollWidth']} px wide, its column {g['clientWidth']} px"
    shown, (w, h) = g["canvases"][0], g["figure"]
    assert abs(shown["width"] - w) <= 1 and abs(shown["height"] - h) <= 1, \
        f"{where}: a {w:.0f}x{h:.0f} px figure shown at {shown['width']:.0f}x{shown['height']:.0f} px: it was " \
        f"not laid out for this column (its type is scaled down)"
    return g


def settle_all(page, nb, what: str) -> int:
    """Wait until every explorer of notebook ``nb`` is on the page and shows its figure, laid out for the
    page; their number."""
    n = sum(1 for notebook, _, _ in EXPLORERS.values() if notebook == nb.stem)
    assert n, f"{nb.stem}: no explorer registered in lrlab.lessons.EXPLORERS"
    page.wait_for_function("(n) => { const c = document.querySelectorAll("
                           "'.lrlab-explorer .jupyter-matplotlib-canvas-div canvas:first-child');"
                           " return c.length >= n && Array.from(c).every(x => x.width > 0); }",
                           arg=n, timeout=120_000, polling=100)
    for i in range(n):
        browser.wait_settled(page, index=i, timeout=90, what=f"{what}, explorer {i}")
    return n


def moves_after_the_layout(page, what: str):
    """The first explorer's lr slider to its end by keyboard: the kernel answers and the new frame reaches the screen."""
    handle = page.locator(browser.HANDLE).first
    page.evaluate("() => document.querySelector('.lrlab-explorer').scrollIntoView({block: 'start'})")

    def press():
        handle.focus()
        page.keyboard.press("End")
    before, after = browser.act(page, press, what=f"{what}, an lr move")
    assert after["valuenow"] != before["valuenow"] and after["hash"] != before["hash"], \
        f"{what}: an lr move after the layout did not change the figure"


#: the i-th explorer's box, and the part of the window its scrolling panel shows (the whole window in Voilà)
VIEW_JS = r"""(i) => {
  const box = document.querySelectorAll('.lrlab-explorer')[i];
  let sc = box.parentElement;
  while (sc && !(sc.scrollHeight > sc.clientHeight && ['auto', 'scroll'].includes(getComputedStyle(sc).overflowY)))
    sc = sc.parentElement;
  const b = box.getBoundingClientRect(), v = sc ? sc.getBoundingClientRect() : {top: 0, bottom: window.innerHeight};
  return {left: b.left, top: b.top, width: b.width, bottom: b.bottom,
          from: Math.max(v.top, 0), to: Math.min(v.top + (sc ? sc.clientHeight : window.innerHeight), window.innerHeight)};
}"""


def shoot(page, i: int, path):
    """A screenshot of the ``i``-th explorer, whole: shots of it down its scrolling panel, stitched (what a
    scrolling panel does not show is not painted, so one element screenshot of a tall explorer is blank
    in parts)."""
    from PIL import Image
    page.evaluate("(i) => document.querySelectorAll('.lrlab-explorer')[i].scrollIntoView({block: 'start'})", i)
    parts, done = [], 0.0                 # done: how much of the box (from its top) is in parts
    for _ in range(20):
        r = page.evaluate(VIEW_JS, i)
        top, bottom = max(r["top"] + done, r["from"]), min(r["bottom"], r["to"])
        if bottom - top < 1:
            break
        parts.append(Image.open(io.BytesIO(page.screenshot(clip={"x": r["left"], "y": top, "width": r["width"],
                                                                  "height": bottom - top}))))
        done = bottom - r["top"]
        if r["bottom"] <= r["to"] + 0.5:
            break
        page.evaluate("([i, dy]) => { let e = document.querySelectorAll('.lrlab-explorer')[i].parentElement;"
                      " while (e && !(e.scrollHeight > e.clientHeight &&"
                      "              ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))) e = e.parentElement;"
                      " (e || document.scrollingElement).scrollBy(0, dy); }", [i, bottom - r["from"]])
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    out = Image.new("RGB", (max(p.width for p in parts), sum(p.height for p in parts)), "white")
    y = 0
    for p in parts:
        out.paste(p, (0, y))
        y += p.height
    path.parent.mkdir(parents=True, exist_ok=True)
    out.save(path)


@pytest.mark.parametrize("viewport", [(1024, 768), (390, 844)], ids=["1024px", "390px"])
@pytest.mark.parametrize("nb", NOTEBOOKS, ids=IDS)
def test_every_explorer_fits_voila(nb, viewport, voila_server, new_page, screenshot_dir):
    page, log = open_voila(lambda: new_page(viewport=viewport), f"{voila_server.url}/voila/render/{nb.name}")
    what = f"{nb.stem} in Voilà at {viewport[0]} px"
    n = settle_all(page, nb, what)
    for i in range(n):
        fits(page, i, f"{what}, explorer {i}")
        shoot(page, i, screenshot_dir / "fit" / f"voila-{viewport[0]}--{nb.stem}--{i}.png")
    moves_after_the_layout(page, what)
    fits(page, 0, f"{what}, explorer 0 after an lr move")
    assert not browser.page_errors(page), browser.page_errors(page)
    assert not log.page_errors, log.page_errors


@pytest.mark.parametrize("nb", LAB_NOTEBOOKS, ids=[p.stem for p in LAB_NOTEBOOKS])
def test_every_explorer_fits_jupyterlab_beside_the_file_browser(nb, lab_server, new_page, screenshot_dir):
    page, log = new_page(viewport=(1280, 800))
    page.goto(f"{lab_server.url}/lab/tree/{nb.name}?reset", wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_function(
        "(name) => { const w = window.jupyterapp?.shell?.currentWidget; "
        "return w?.context?.path === name && w?.sessionContext?.session?.kernel?.status === 'idle'; }",
        arg=nb.name, timeout=120_000, polling=100)
    # the file browser open, as a student has it
    page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
    page.wait_for_function("() => { const f = document.querySelector('.jp-FileBrowser');"
                           " return f && f.getBoundingClientRect().width > 150 && !window.jupyterapp.shell.leftCollapsed; }",
                           timeout=30_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget; "
        "const prompts = Array.from(w.node.querySelectorAll('.jp-InputPrompt')).map(p => p.textContent); "
        "return w.sessionContext.session.kernel.status === 'idle' && prompts.length > 0 && "
        "prompts.every(t => !t.includes('*')) && prompts.some(t => /\\d/.test(t)); }",
        timeout=400_000, polling=250)
    what = f"{nb.stem} in JupyterLab at 1280 px, file browser open"
    n = settle_all(page, nb, what)
    for i in range(n):
        fits(page, i, f"{what}, explorer {i}")
        shoot(page, i, screenshot_dir / "fit" / f"lab-1280--{nb.stem}--{i}.png")
    moves_after_the_layout(page, what)
    fits(page, 0, f"{what}, explorer 0 after an lr move")
    assert not browser.page_errors(page, ".jp-NotebookPanel .jp-OutputArea")
    assert not log.page_errors, log.page_errors


@pytest.fixture(scope="module")
def presenter_voila(chromium, tmp_path_factory):
    """Voilà as ``lrlab present`` runs it (its template, LRLAB_PRESENTER=1 for the kernels), on the whole
    notebooks folder, so that one server presents every lesson."""
    logs = tmp_path_factory.mktemp("presenter-fit")
    server = servers.start_voila(NOTEBOOK_DIR, cwd=NOTEBOOK_DIR, template=servers.TEMPLATE, presenter=True,
                                 show_tracebacks=False, log_path=logs / "voila.log", timeout=90)
    yield server
    server.stop()


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=IDS)
def test_the_presenter_shows_slider_label_and_whole_figure_on_one_1024x768_screen(nb, presenter_voila, new_page,
                                                                                  screenshot_dir):
    page, log = open_voila(lambda: new_page(viewport=(1024, 768)), f"{presenter_voila.url}/voila/render/{nb.name}")
    what = f"{nb.stem} in the presenter at 1024x768"
    settle_all(page, nb, what)
    page.evaluate("() => { for (const e of [document.scrollingElement, document.querySelector('#rendered_cells')])"
                  " if (e) e.scrollTop = 0; }")
    g = fits(page, 0, what)
    (fit_dir := screenshot_dir / "fit").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(fit_dir / f"present-1024x768--{nb.stem}.png"))
    for part, r in (("the lr slider", g["handle"]), ("the regime label", g["label"]), ("the figure", g["canvases"][0])):
        assert r is not None, f"{what}: no {part}"
        assert r["top"] >= 0 and r["bottom"] <= g["window"] + 0.5, \
            f"{what}: {part} spans {r['top']:.0f} to {r['bottom']:.0f} px, the screen is {g['window']} px high"
    assert not log.page_errors, log.page_errors
