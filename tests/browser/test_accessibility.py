"""Accessibility (WCAG 2.1 A and AA) of what lrlab shows a student: the static site, a Voilà page, the presenter.

axe-core (the copy bundled by the PyPI package axe-playwright-python, in the ``test`` extra)
is injected into each page by Playwright and run with the WCAG 2.1 A/AA rules. A violation of impact
*serious* or *critical* fails the test; every violation found is printed (rule id, impact, the elements
it names and axe's help text), so a report shows the minor ones too.

Beyond axe: every lr slider and every preset button can be reached with the Tab key and has an
accessible name (what a screen reader announces), and the regime label says the regime in words,
never by colour alone.

Exclusions: only markup that JupyterLab or Voilà render and lrlab cannot change; each with its reason
in :data:`VOILA_EXCLUDE`. Nothing lrlab writes is excluded.
"""
from __future__ import annotations

import json
import re
import importlib.util
from pathlib import Path

import pytest

from lrlab import site
from lrlab.course import list_notebooks, notebooks_dir
from lrlab.present import browser, servers

from .conftest import REQUIRE, HOW, REGIME_WORD, has_explorer, lesson_notebooks, open_voila

pytestmark = pytest.mark.browser

def _bundled_axe() -> Path | None:
    """axe-core's script as the PyPI package axe-playwright-python ships it (in the ``test`` extra)."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "axe.min.js"


AXE = _bundled_axe()
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAIL_IMPACTS = ("serious", "critical")

#: Voilà/JupyterLab markup lrlab cannot change, left out of axe's scan (CSS selectors), with the reason.
VOILA_EXCLUDE: dict[str, str] = {
    # the static figures of a notebook (matplotlib's image/png outputs): JupyterLab's image renderer, which
    # Voila uses, writes an <img> with no alt attribute and takes none from the output (checked in
    # @jupyterlab/rendermime 4.6: renderImage sets src, width, height and classes only). On the static
    # site the same figures carry nbconvert's alt text and are scanned.
    ".jp-RenderedImage > img": "JupyterLab's image renderer gives figure outputs no alt text",
}


@pytest.fixture(scope="module")
def axe_js() -> Path:
    if AXE is None or not AXE.is_file():
        msg = 'axe-core is not installed (the PyPI package axe-playwright-python, in the "test" extra)'
        if REQUIRE:
            pytest.fail(f"{msg}; LRLAB_REQUIRE_BROWSER=1 says the browser tests must run here", pytrace=False)
        pytest.skip(f"accessibility tests skipped: {msg}; {HOW}")
    return AXE


def run_axe(page, axe_js: Path, what: str, exclude: dict[str, str] | None = None) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on ``page`` (printed, all impacts); ``exclude``: selectors -> reason."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    context = {"exclude": [[s] for s in (exclude or {})]} if exclude else None
    result = page.evaluate(
        """async ([context, tags]) => {
             const r = await axe.run(context || document, {runOnly: {type: 'tag', values: tags},
                                                          resultTypes: ['violations']});
             return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            targets: v.nodes.map(n => n.target.join(' ')).slice(0, 8),
                                            n: v.nodes.length,
                                            summary: [...new Set(v.nodes.map(n => (n.failureSummary || '')
                                                       .split('\\n').slice(1).join(' ').trim()))].slice(0, 8)
                                                       .join('\\n')}));
           }""", [context, WCAG])
    print(f"\naxe-core on {what}: {len(result)} violation(s)")
    for v in result:
        print(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['n']} element(s)): {v['targets']}")
        if v["impact"] in FAIL_IMPACTS:
            print("     " + v["summary"].replace("\n", "\n     ")[:3000])
    return result


def assert_no_serious(violations: list[dict], what: str) -> None:
    bad = [v for v in violations if v["impact"] in FAIL_IMPACTS]
    assert not bad, f"{what}: serious/critical WCAG 2.1 AA violations: " + json.dumps(bad, indent=1)[:4000]


def tab_reaches(page, root: str, inner: str, *, max_presses: int = 600) -> list[str]:
    """Press Tab from the top of the page until every element matching ``inner`` inside each ``root``
    had the focus (or ``max_presses``); returns those never focused (their aria-label or text)."""
    n = page.evaluate("""([root, inner]) => {
        const els = Array.from(document.querySelectorAll(root)).flatMap(r => Array.from(r.querySelectorAll(inner)))
                         .filter(e => e.getClientRects().length > 0);   // shown (hidden controls take no focus)
        els.forEach((e, i) => e.dataset.lrlabTab = i);
        if (document.activeElement) document.activeElement.blur();
        window.__lrlabFocused = new Set();
        document.addEventListener('focusin', (ev) => {
          if (ev.target.dataset && ev.target.dataset.lrlabTab !== undefined)
            window.__lrlabFocused.add(ev.target.dataset.lrlabTab); }, true);
        return els.length; }""", [root, inner])
    assert n > 0, f"nothing matches {inner} in {root}"
    page.mouse.click(1, 1)                      # start from the page itself, not from an element
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if page.evaluate("(n) => window.__lrlabFocused.size >= n", n):
            return []
    return page.evaluate("""() => Array.from(document.querySelectorAll('[data-lrlab-tab]'))
        .filter(e => !window.__lrlabFocused.has(e.dataset.lrlabTab))
        .map(e => (e.getAttribute('aria-label') || e.textContent || e.outerHTML.slice(0, 80)).trim())""")


def check_names(page, root: str, *, sliders: int, buttons: list[str]) -> None:
    """Inside ``root``: ``sliders`` sliders, each with an accessible name; a named button per preset."""
    box = page.locator(root)
    snap = box.aria_snapshot()
    found = box.get_by_role("slider")
    assert found.count() == sliders, f"{root}: {found.count()} sliders for the accessibility tree, want {sliders}\n{snap}"
    named = box.get_by_role("slider", name=re.compile(r"\w"))
    assert named.count() == sliders, f"{root}: a slider without an accessible name:\n{snap}"
    for b in buttons:
        assert box.get_by_role("button", name=b, exact=True).count() >= 1, \
            f"{root}: no button named {b!r} for a screen reader:\n{snap}"


# --------------------------------------------------------------------------- the static site

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site-a11y")
    site.build_site(out, positions=5)
    return out


SITE_PAGES = ["index.html"] + [f"{p.stem}.html" for p in list_notebooks(notebooks_dir())]


@pytest.mark.parametrize("name", SITE_PAGES)
def test_site_page_is_accessible(built, name, new_page, axe_js):
    page, log = new_page()
    page.route(re.compile(r"^https?://"), lambda route: route.abort())
    page.goto((built / name).as_uri())
    if name != "index.html":
        page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0",
                               timeout=60_000)
        page.wait_for_function("() => !document.querySelector('section.lrlab-live:not([data-regime])')")
    violations = run_axe(page, axe_js, f"site {name}")
    assert page.evaluate("() => document.documentElement.lang"), f"{name}: <html> has no lang attribute"
    assert_no_serious(violations, f"site {name}")
    if name == "index.html":
        return
    explorers = page.locator(".lrlab-live, .lrlab-player")
    assert explorers.count() >= 1
    for i in range(explorers.count()):
        p = explorers.nth(i)
        names = [b.get_attribute("data-name") for b in p.locator("button").all()]
        check_names(page, f".lrlab-live, .lrlab-player >> nth={i}", sliders=p.locator("input[type=range]").count(),
                    buttons=names)
        # every slider says its value in the page's units, not its position
        for r in p.locator("input[type=range]").all():
            text = r.get_attribute("aria-valuetext") or ""
            assert re.search(r"\d", text) and text != r.input_value(), f"{name}, explorer {i}: aria-valuetext {text!r}"
        # the regime in words, not only by colour
        text = p.locator(".lrlab-regime").inner_text().lower()
        assert REGIME_WORD.search(text), f"{name}, explorer {i}: the regime label {text!r} does not say the regime"
    missed = tab_reaches(page, ".lrlab-live, .lrlab-player", "input[type=range], button")
    assert not missed, f"{name}: Tab never reaches {missed}"
    assert not log.page_errors, log.page_errors


def test_site_page_is_accessible_on_a_phone(built, new_page, axe_js):
    """Lesson 02 at 390 px: the stacked panels, the wrapped controls and the code that scrolls sideways (each
    such block takes the focus) stay clean."""
    page, log = new_page(viewport=(390, 844))
    page.goto((built / "02_too_high_too_low.html").as_uri())
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('section.lrlab-live:not([data-regime])')")
    assert_no_serious(run_axe(page, axe_js, "site 02 at 390 px"), "site 02 at 390 px")
    assert page.locator("[data-lrlab-scroll]").count() > 0      # some code is wider than a phone: it scrolls
    assert not log.page_errors, log.page_errors


# --------------------------------------------------------------------------- Voilà and the presenter

def _notebook02():
    hits = [p for p in lesson_notebooks() if p.name.startswith("02_") and has_explorer(p)]
    if not hits:
        pytest.skip("no lesson 02 with an explorer")
    return hits[0]


def check_live_explorer(page, what: str) -> None:
    """Every explorer on a live page: sliders and presets named and reachable by Tab, the regime in words."""
    explorers = page.locator(browser.EXPLORER)
    assert explorers.count() >= 1, f"{what}: no explorer"
    for i in range(explorers.count()):
        box = explorers.nth(i)
        # controls shown only for some settings (an optimizer's own parameters) are hidden: not counted
        n_sliders = box.locator(".noUi-handle:visible").count()
        presets = [b.inner_text().strip() for b in box.locator(".lrlab-preset:visible").all()]
        assert presets, f"{what}: explorer {i} has no preset buttons"
        check_names(page, f"{browser.EXPLORER} >> nth={i}", sliders=n_sliders, buttons=presets)
        text = box.locator(".lrlab-regime").inner_text().lower()
        assert REGIME_WORD.search(text), f"{what}, explorer {i}: the regime label {text!r} does not say it in words"
    missed = tab_reaches(page, browser.EXPLORER, ".noUi-handle, .lrlab-preset")
    assert not missed, f"{what}: Tab never reaches {missed}"


LIVE = [p for p in lesson_notebooks() if has_explorer(p)]


@pytest.mark.parametrize("nb", LIVE, ids=[p.stem for p in LIVE])
def test_voila_page_is_accessible(nb, voila_server, voila_page, axe_js):
    page, log = voila_page(f"{voila_server.url}/voila/render/{nb.name}")
    browser.wait_settled(page, timeout=90, what=f"{nb.name} in Voilà, on load")
    assert_no_serious(run_axe(page, axe_js, f"Voilà {nb.name}", VOILA_EXCLUDE), f"Voilà {nb.name}")
    check_live_explorer(page, f"Voilà {nb.name}")
    assert not log.page_errors, log.page_errors


@pytest.fixture(scope="module")
def presenter(chromium, tmp_path_factory):
    nb = _notebook02()
    logs = tmp_path_factory.mktemp("presenter-a11y")
    server = servers.start_voila(nb, cwd=nb.parent, template=servers.TEMPLATE, presenter=True,
                                 show_tracebacks=False, log_path=logs / "voila.log", timeout=90)
    yield server
    server.stop()


def test_presenter_page_is_accessible(presenter, new_page, axe_js):
    page, log = open_voila(lambda: new_page(viewport=(1600, 1000)), presenter.url + "/")
    page.wait_for_selector(browser.HANDLE, state="visible", timeout=120_000)
    browser.wait_settled(page, timeout=90, what="presenter page, on load")
    assert_no_serious(run_axe(page, axe_js, "the presenter page", VOILA_EXCLUDE), "the presenter page")
    check_live_explorer(page, "the presenter page")
    assert not log.page_errors, log.page_errors
