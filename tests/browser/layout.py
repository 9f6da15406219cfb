"""Where an explorer sits on a page: is its figure whole in its column, laid out for it, and a screenshot of it.

Used by the Voilà, JupyterLab and presenter tests (``test_notebooks_browser.py``, ``test_fit.py``).
"""
from __future__ import annotations

import io

from lrlab.lessons import EXPLORERS
from lrlab.present import browser

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


def resize(page, nb, width: int, height: int, what: str) -> int:
    """Resize the window and wait until every explorer has reported its new column to the kernel and shows
    the figure laid out for it (the page's ResizeObserver, :func:`lrlab.widgets.page_fit`); their number."""
    n = settle_all(page, nb, what)
    before = [browser.explorer_state(page, i)["fit"] for i in range(n)]
    page.set_viewport_size({"width": width, "height": height})
    for i in range(n):
        page.wait_for_function("([i, old]) => document.querySelectorAll('.lrlab-explorer')[i]"
                               ".getAttribute('data-lrlab-fit') !== old", arg=[i, before[i]], timeout=30_000)
        browser.wait_settled(page, index=i, timeout=90, what=f"{what}, explorer {i}")
    return n
