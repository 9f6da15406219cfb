"""``lrlab present`` on a 1024x768 projector, every lesson: the lr slider, the regime label and the whole
figure on the first screen, unscrolled, the figure whole in its column (``layout.fits``), and the page clean
for axe-core's WCAG 2.1 A/AA scan with every slider and preset named and reachable by Tab (``a11y.py``).
A screenshot of each goes to ``<screenshot folder>/fit/``.
"""
from __future__ import annotations

import pytest

from lrlab.present import servers

from .a11y import VOILA_EXCLUDE, assert_no_serious, check_live_explorer, run_axe
from .conftest import NOTEBOOK_DIR, has_explorer, lesson_notebooks, open_voila
from .layout import fits, settle_all

pytestmark = pytest.mark.browser

NOTEBOOKS = [p for p in lesson_notebooks() if has_explorer(p)]
IDS = [p.stem for p in NOTEBOOKS]


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
                                                                                  screenshot_dir, axe_js):
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
    assert_no_serious(run_axe(page, axe_js, what, VOILA_EXCLUDE), what)
    check_live_explorer(page, what)
    assert not log.page_errors, log.page_errors
