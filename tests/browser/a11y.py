"""Accessibility checks shared by the browser tests: axe-core's WCAG 2.1 A/AA scan, accessible names, Tab order.

axe-core is the copy bundled by the PyPI package axe-playwright-python (in the ``test`` extra), injected
into each page by Playwright. A violation of impact *serious* or *critical* fails; every violation found is
printed (rule id, impact, the elements it names and axe's help text), so a report shows the minor ones too.
"""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from lrlab.present import browser

from .conftest import REGIME_WORD

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
