"""Every lesson in Voilà, in a real browser, as a student meets it on a laptop and then on a phone.

One page load per lesson (Voilà executes the whole notebook for it), and every check on that load:

1. at 1024 px, every explorer's figure is whole in its column and laid out for it (``layout.fits``: no
   panel cut off, no sideways scroll, type at the size it was made), and a screenshot of it is saved;
2. axe-core finds no serious WCAG 2.1 A/AA violation, every slider and preset has an accessible name and
   is reached by Tab, and the regime label says the regime in words (``a11y.py``);
3. the first explorer is driven like a student would (``conftest.drive_explorer``): the lr slider by
   keyboard to its minimum, every preset button, the slider to its maximum, then a fast drag; after each
   move the figure has new pixels, the regime label says what theory says, and no error shows;
4. the window shrinks to a phone's 390 px: every explorer reports its narrower column, the kernel lays
   its figure out again, and it is whole there too, and an lr move still reaches the screen;
5. no error anywhere: on the page, from the kernel, or in Voilà's log.

Lesson 02 is also driven in JupyterLab.
"""
from __future__ import annotations

import json

import pytest

from lrlab.present import browser

from .a11y import VOILA_EXCLUDE, assert_no_serious, check_live_explorer, run_axe
from .conftest import has_explorer, lesson_notebooks, open_voila
from .layout import fits, moves_after_the_layout, resize, settle_all, shoot

pytestmark = pytest.mark.browser

NOTEBOOKS = lesson_notebooks()


def _traceback_lines(server, mark: int) -> list[str]:
    text = server.log_path.read_text(errors="replace")[mark:]
    return [l for l in text.splitlines() if "Traceback" in l or "ERROR" in l]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_lesson_in_voila(nb, voila_server, new_page, screenshot_dir, drive, axe_js):
    assert has_explorer(nb), f"{nb.name} has no lrlab explorer widget (.lrlab-explorer): every lesson needs one"
    mark = voila_server.log_path.stat().st_size
    page, log = open_voila(lambda: new_page(viewport=(1024, 768)), f"{voila_server.url}/voila/render/{nb.name}")
    errors = browser.page_errors(page)
    assert not errors, f"{nb.name}: errors on the Voilà page: {errors}"

    what = f"{nb.stem} in Voilà at 1024 px"
    n = settle_all(page, nb, what)
    for i in range(n):
        fits(page, i, f"{what}, explorer {i}")
        shoot(page, i, screenshot_dir / "fit" / f"voila-1024--{nb.stem}--{i}.png")

    assert_no_serious(run_axe(page, axe_js, f"Voilà {nb.name}", VOILA_EXCLUDE), f"Voilà {nb.name}")
    check_live_explorer(page, f"Voilà {nb.name}")

    steps = drive(page, screenshot_dir, nb.stem)
    fits(page, 0, f"{what}, explorer 0 after the lr moves")

    what = f"{nb.stem} in Voilà, the window narrowed to 390 px"
    n = resize(page, nb, 390, 844, what)
    for i in range(n):
        fits(page, i, f"{what}, explorer {i}")
        shoot(page, i, screenshot_dir / "fit" / f"voila-390--{nb.stem}--{i}.png")
    moves_after_the_layout(page, what)
    fits(page, 0, f"{what}, explorer 0 after an lr move")

    assert not browser.page_errors(page), browser.page_errors(page)
    assert not log.page_errors, f"{nb.name}: uncaught exceptions in the page: {log.page_errors}"
    assert not _traceback_lines(voila_server, mark), _traceback_lines(voila_server, mark)
    print(json.dumps(steps))


def test_lesson_02_in_jupyterlab(lab_server, new_page, screenshot_dir, drive):
    """Lesson 02 in JupyterLab, run with Run All, its explorer driven like the Voilà pages."""
    nb = next(p for p in NOTEBOOKS if p.name.startswith("02_"))
    page, log = new_page()
    page.goto(f"{lab_server.url}/lab/tree/{nb.name}?reset", wait_until="domcontentloaded", timeout=120_000)
    page.wait_for_function(
        "(name) => { const w = window.jupyterapp?.shell?.currentWidget; "
        "return w?.context?.path === name && w?.sessionContext?.session?.kernel?.status === 'idle'; }",
        arg=nb.name, timeout=120_000, polling=100)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    # all cells ran: no prompt left at [*] and the kernel idle again
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget; "
        "const prompts = Array.from(w.node.querySelectorAll('.jp-InputPrompt')).map(p => p.textContent); "
        "return w.sessionContext.session.kernel.status === 'idle' && prompts.length > 0 && "
        "prompts.every(t => !t.includes('*')) && prompts.some(t => /\\d/.test(t)); }",
        timeout=240_000, polling=250)
    scope = ".jp-NotebookPanel .jp-OutputArea"
    errors = browser.page_errors(page, scope)
    assert not errors, f"{nb.name}: errors in JupyterLab: {errors}"
    steps = drive(page, screenshot_dir, f"lab-{nb.stem}", scope=scope)
    assert not log.page_errors, f"{nb.name}: uncaught exceptions in the page: {log.page_errors}"
    print(json.dumps(steps))
