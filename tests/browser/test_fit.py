"""Every explorer fits its column, whole, in JupyterLab (Voilà's fit, at 1024 and 390 px, is checked in
``test_notebooks_browser.py`` on the same page load as the rest of a lesson's checks; the presenter's in
``test_presenter_fit.py``).

JupyterLab at a 1280 px window with the file browser open (lessons 02 and 05; ``test_notebooks_browser.py``
drives lesson 02 in JupyterLab like a student would). For every explorer on the page, once the kernel has laid its figure out for the room the page reported
(:func:`lrlab.widgets.page_fit`; the harness waits for that answer, never for time):

* the figure's canvas lies within the explorer's box and within what the page shows of it (the
  viewport, narrowed by every ancestor that clips), and nothing in the explorer is wider than it: no
  panel cut off, no horizontal scroll;
* the canvas is shown at its own size, not scaled down by the page's CSS: the kernel made the figure
  for this column, so its type is at the size it was made (``tests/test_explorers.py`` checks that no
  text is below 10 px and that nothing is drawn outside the figure);
* an lr move after the layout still reaches the screen (the live canvas diffs frames of the new size).

Screenshots of every explorer go to ``<screenshot folder>/fit/`` (see ``conftest.py``;
``LRLAB_SCREENSHOT_DIR=/tmp/fit-shots`` puts them there).
"""
from __future__ import annotations

import pytest

from lrlab.present import browser

from .conftest import has_explorer, lesson_notebooks
from .layout import fits, moves_after_the_layout, settle_all, shoot

pytestmark = pytest.mark.browser

NOTEBOOKS = [p for p in lesson_notebooks() if has_explorer(p)]
LAB_NOTEBOOKS = [p for p in NOTEBOOKS if p.name.startswith(("02_", "05_"))]


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
    scope = ".jp-NotebookPanel .jp-OutputArea"
    errors = browser.page_errors(page, scope)
    assert not errors, f"{nb.name}: errors in JupyterLab: {errors}"
    moves_after_the_layout(page, what)
    fits(page, 0, f"{what}, explorer 0 after an lr move")
    assert not browser.page_errors(page, scope)
    assert not log.page_errors, f"{nb.name}: uncaught exceptions in the page: {log.page_errors}"
