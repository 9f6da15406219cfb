"""Every notebook in a real browser: Voilà for all of them, JupyterLab for one.

Each notebook's main widget (its first ``.lrlab-explorer``) is driven like a
student would: the lr slider by keyboard to its minimum, every preset button,
the slider to its maximum, then a fast drag; after each move the figure must
have new pixels, the regime label must say what theory says, and no error may
show anywhere (on the page, or as an error/stderr message from the kernel).
"""
from __future__ import annotations

import json

import pytest

from lrlab.present import browser

from .conftest import has_explorer, lesson_notebooks

pytestmark = pytest.mark.browser

NOTEBOOKS = lesson_notebooks()


def _traceback_lines(server, mark: int) -> list[str]:
    text = server.log_path.read_text(errors="replace")[mark:]
    return [l for l in text.splitlines() if "Traceback" in l or "ERROR" in l]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_in_voila(nb, voila_server, voila_page, screenshot_dir, drive):
    mark = voila_server.log_path.stat().st_size
    page, log = voila_page(f"{voila_server.url}/voila/render/{nb.name}")
    errors = browser.page_errors(page)
    assert not errors, f"{nb.name}: errors on the Voilà page: {errors}"
    if not has_explorer(nb) and page.locator(browser.EXPLORER).count() == 0:
        if nb.stem.startswith("00_"):
            pytest.skip(f"{nb.name} has no lrlab explorer widget")
        pytest.fail(f"{nb.name} has no lrlab explorer widget (.lrlab-explorer): every lesson needs one")
    steps = drive(page, screenshot_dir, nb.stem)
    assert not log.page_errors, f"{nb.name}: uncaught exceptions in the page: {log.page_errors}"
    assert not _traceback_lines(voila_server, mark), _traceback_lines(voila_server, mark)
    print(json.dumps(steps))


def _lab_notebook():
    for pref in ("02_", "01_"):
        hits = [p for p in NOTEBOOKS if p.name.startswith(pref) and has_explorer(p)]
        if hits:
            return hits[0]
    hits = [p for p in NOTEBOOKS if has_explorer(p)]
    return hits[0] if hits else None


def test_notebook_in_jupyterlab(lab_server, lab_dir, new_page, screenshot_dir, drive):
    nb = _lab_notebook()
    if nb is None:
        pytest.skip("no notebook with an lrlab explorer yet")
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
