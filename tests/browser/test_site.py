"""The static site in a real browser, with the network cut: explorers computed in the page, on a phone and a desktop.

One build of every lesson (``build_site(..., positions=9)``: the few explorers the page's JavaScript does not
cover keep a player of 9 frames). Each page is opened at 390 px (a phone) and 1280 px wide and fails on
sideways scrolling or on a panel or label cut by the screen's edge; the explorers answer every control,
keep their state in the address, and say their state to a screen reader. Every page is also scanned by
axe-core for WCAG 2.1 A and AA (``a11y.py``), on a desktop and, for lesson 02, on a phone.
"""
from __future__ import annotations

import re

import pytest

from lrlab import site
from lrlab.course import list_notebooks, notebooks_dir

from .a11y import assert_no_serious, check_names, run_axe, tab_reaches
from .conftest import REGIME_WORD

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)
PAGES = [p.stem for p in list_notebooks(notebooks_dir())]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    sizes = site.build_site(out, positions=9)
    print("\npage sizes (MathJax not counted):")
    for name, n in sizes.items():
        if name.endswith(".html"):
            print(f"  {name:40s} {n / 1e6:5.2f} MB")
    return out, sizes


MOUNTED = "() => !document.querySelector('section.lrlab-live:not([data-regime])')"


def open_page(page, url: str):
    """Go to ``url`` and wait until every explorer on it is up (they start right after the first paint)."""
    page.goto(url)
    page.wait_for_function(MOUNTED)


def offline(page):
    page.route(re.compile(r"^https?://"), lambda route: route.abort())   # no network: every request fails


def live(page, i: int = 0):
    return page.locator("section.lrlab-live").nth(i)


def regime(box) -> str:
    return box.locator(".lx-badge .lrlab-regime").get_attribute("data-regime")


def test_pages_and_budget(built):
    out, sizes = built
    assert {f"{p}.html" for p in PAGES} | {"index.html", "map.png", "mathjax/"} == set(sizes)
    assert (out / "mathjax" / "MathJax.js").is_file() and sizes["mathjax/"] < 20 * 2**20
    too_big = {n: s for n, s in sizes.items() if n.endswith(".html") and s > site.PAGE_BUDGET}
    assert not too_big, f"pages over {site.PAGE_BUDGET / 1e6} MB: {too_big}"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="00_start_here.html"' in index and "3 explorers" in index
    assert "00 · Start here" in index and "00 · 00" not in index      # each lesson's number once
    assert "<img src='map.png'" in index and (out / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page0 = (out / "00_start_here.html").read_text(encoding="utf-8")
    assert "ignore-output: live widget" not in page0      # the test run's markers are not shown to readers
    page = (out / "02_too_high_too_low.html").read_text(encoding="utf-8")
    assert page.count('class="lrlab-live"') == 3 and "lrlab-player" not in page.split("<body", 1)[1].split("<script>")[0]
    assert "jupyter-widgets" not in page
    for name in PAGES:
        text = (out / f"{name}.html").read_text(encoding="utf-8")
        assert not re.search(r'<(?:script|link)[^>]*(?:src|href)="https?://', text), name


def test_an_explorer_works_offline(built, new_page, screenshot_dir):
    out, _ = built
    page, log = new_page()
    offline(page)
    open_page(page, (out / "02_too_high_too_low.html").as_uri())
    box = live(page)
    box.scroll_into_view_if_needed()
    rng = box.locator("input[type=range]").first
    assert regime(box) == "monotone convergence" and box.locator(".lx-readout").first.inner_text() == "0.2"
    path_before = box.locator(".lx-panel-path svg").inner_html()
    rng.focus()
    page.keyboard.press("Home")
    assert regime(box) == "monotone convergence" and box.locator(".lx-panel-path svg").inner_html() != path_before
    assert float(box.locator(".lx-readout").first.inner_text()) == pytest.approx(1e-3)
    page.keyboard.press("End")
    assert regime(box) == "divergence"
    expected = {"too small": "monotone convergence", "good": "monotone convergence",
                "oscillating": "oscillating convergence", "diverging": "divergence"}
    seen = set()
    for name, want in expected.items():
        box.locator(f'button[data-name="{name}"]').click()
        assert regime(box) == want, name
        assert box.locator(f'button[data-name="{name}"]').get_attribute("aria-pressed") == "true"
        seen.add(box.locator(".lx-panel-loss svg").inner_html())
        assert "lrlab-stats" in box.locator(".lx-stats").inner_html()
    assert len(seen) == len(expected)
    # a preset stands on the slider's grid, as in the notebook (lrlab.widgets.snap_to_slider): 0.55 -> 0.546
    assert page.url.endswith("#lr=0.5464")
    box.screenshot(path=str(screenshot_dir / "site--02-explorer.png"))
    # the address carries the setting: lr = 0.001; an old player's preset link still opens its preset
    for hash_, want in [("#lr=0.001", "monotone convergence"), ("#lrp=oscillating", "oscillating convergence"),
                        ("#lr=0.45", "oscillating convergence"), ("#lr=0.5", "no convergence")]:
        open_page(page, (out / "02_too_high_too_low.html").as_uri() + hash_)
        page.reload()
        page.wait_for_function(MOUNTED)
        assert regime(live(page)) == want, hash_
    assert live(page).locator(".lx-readout").first.inner_text() == "0.5"      # any lr, not only the slider's: 2/L
    assert not [u for u in log.requests if u.startswith("http")], log.requests
    assert not log.page_errors, log.page_errors


def test_every_control_is_live_and_in_the_address(built, new_page, screenshot_dir):
    """The condition-number slider of lesson 02 and the momentum slider of lesson 05 recompute the page's figure,
    theory marks and all, and the address carries them."""
    out, _ = built
    page, log = new_page()
    offline(page)
    open_page(page, (out / "02_too_high_too_low.html").as_uri() + "#lr2=1&kappa2=200")
    box = live(page, 1)
    box.scroll_into_view_if_needed()
    assert box.locator(".lx-panel-path svg text").filter(has_text="κ = 200").count() == 1
    kappa = box.locator("input#lx2-kappa")
    assert kappa.get_attribute("aria-valuetext") == "condition number κ 200"
    mapped = box.locator(".lx-panel-map svg").inner_html()
    kappa.focus()
    page.keyboard.press("Home")
    assert box.locator(".lx-panel-path svg text").filter(has_text="κ = 1:").count() == 1
    assert box.locator(".lx-panel-map svg").inner_html() != mapped
    assert "kappa2=1&" in page.url + "&" and "lr2=1" in page.url
    box.screenshot(path=str(screenshot_dir / "site--02-kappa.png"))

    open_page(page, (out / "05_momentum.html").as_uri() + "#lr=0.04&momentum=0")
    box = live(page)
    box.scroll_into_view_if_needed()
    assert regime(box) == "divergence"                                  # past GD's 2/L = 0.0247
    assert box.locator(".lx-marks").inner_text().split() == ["1/L", "2/L"]
    beta = box.locator("input#lx1-momentum")
    beta.focus()
    for _ in range(64):
        page.keyboard.press("ArrowRight")
    assert beta.get_attribute("aria-valuetext") == "momentum β 0.64"
    assert regime(box) == "oscillating convergence" and "momentum=0.64" in page.url      # Polyak's: it spirals in
    assert box.locator(".lx-marks").inner_text().split() == ["1/L", "2(1+β)/L"]    # the limit moved with β
    assert "error × 0.800 per step" in box.locator(".lx-panel-rate svg").inner_html()   # Polyak's rate
    box.screenshot(path=str(screenshot_dir / "site--05-polyak.png"))

    # lesson 07: minibatch SGD in the page (numpy's minibatches drawn as numpy draws them), B on its slider
    open_page(page, (out / "07_batch_size.html").as_uri() + "#lr=0.3&batch_size=1")
    box = live(page)
    box.scroll_into_view_if_needed()
    assert "B = <b>1</b>" in box.locator(".lx-stats").inner_html()
    batch = box.locator("input#lx1-batch_size")
    assert batch.get_attribute("aria-valuetext") == "batch size B 1"
    noisy = box.locator(".lx-stats").inner_text()
    batch.focus()
    page.keyboard.press("End")
    assert batch.get_attribute("aria-valuetext") == "batch size B 512" and "batch_size=512" in page.url
    assert "no noise (full batch)" in box.locator(".lx-stats").inner_text() != noisy
    box.screenshot(path=str(screenshot_dir / "site--07-batch-size.png"))
    assert not log.page_errors, log.page_errors


def test_the_page_shows_lrlab_numbers(built, new_page):
    """The texts the page computes are the Python explorer's, at the presets of two lessons."""
    from lrlab.lessons import build_explorer
    from lrlab.site_fixtures import _stats
    out, _ = built
    page, log = new_page()
    for stem, i, name in [("02_too_high_too_low", 0, "02 one curvature"), ("02_too_high_too_low", 1, "02 condition number"),
                          ("05_momentum", 0, "05 heavy ball"), ("07_batch_size", 0, "07 batch size")]:
        open_page(page, (out / f"{stem}.html").as_uri())
        box = live(page, i)
        ex = build_explorer(name)
        for pname in [b for row in ex.preset_rows.values() for b in row]:
            box.locator(f'button[data-name="{pname}"]').click()
            ex.apply_preset(pname)
            for part, html_ in ((".lx-stats", _stats(ex)), (".lx-badge", ex.label.value), (".lx-theory", ex.theory.value)):
                # compared as the browser serializes both (it writes > as &gt;)
                want = page.evaluate("(h) => { const d = document.createElement('div'); d.innerHTML = h; return d.innerHTML; }", html_)
                assert box.locator(part).inner_html() == want, (name, pname, part)
    assert not log.page_errors, log.page_errors


CHECK_LAYOUT_JS = """() => {
  const vw = document.documentElement.clientWidth, out = [];
  const where = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + String(e.className).split(' ')[0] : '');
  if (document.documentElement.scrollWidth > vw + 1) out.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + vw);
  // an element inside a box that scrolls sideways on purpose (code, an output, a wide equation or table) is not cut
  const scrolls = (e) => !!e.closest('.highlight, pre, .MathJax_Display, table');
  document.querySelectorAll('section.lrlab-live, section.lrlab-live *, .lrlab-player, .lrlab-player *, .lrlab-nav, .lrlab-nav *, .lrlab-toc *').forEach((e) => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || getComputedStyle(e).visibility === 'hidden' || e.closest('.lx-sr')) return;
    if (e.ownerSVGElement) return;      // drawn inside a panel, clipped to its plot: the panel and its labels are checked below
    if ((r.left < -1 || r.right > vw + 1) && !scrolls(e)) out.push(where(e) + ' cut: ' + Math.round(r.left) + '..' + Math.round(r.right));
  });
  document.querySelectorAll('.lx-panel svg').forEach((svg, i) => {
    const b = svg.getBoundingClientRect();
    if (b.width < 250) out.push('panel ' + i + ' only ' + Math.round(b.width) + ' px wide');
    svg.querySelectorAll('text').forEach((t) => {
      const r = t.getBoundingClientRect();
      if (!t.textContent.trim()) return;
      if (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1)
        out.push('label "' + t.textContent + '" of panel ' + i + ' cut by its panel');
    });
  });
  return out;
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_layout_at_phone_and_desktop_width(built, name, width, new_page, screenshot_dir):
    out, _ = built
    page, log = new_page(viewport=(width, 900))
    offline(page)
    open_page(page, (out / f"{name}.html").as_uri())
    problems = page.evaluate(CHECK_LAYOUT_JS)
    boxes = page.locator("section.lrlab-live, .lrlab-player")
    if boxes.count():
        boxes.first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / f"site--{name}--{width}px.png"))
    if width == 390 and page.locator("section.lrlab-live .lx-panels").count():
        # at a phone's width the panels stack: one column
        lefts = page.evaluate("() => [...document.querySelector('section.lrlab-live .lx-panels').children].map(f => Math.round(f.getBoundingClientRect().left))")
        assert len(set(lefts)) == 1, f"panels side by side at 390 px: {lefts}"
    assert not problems, f"{name} at {width} px:\n" + "\n".join(problems[:30])
    assert not log.page_errors, log.page_errors


def _announce(page, cdp, selector: str) -> tuple[str, str, str]:
    """(role, accessible name, value text) of the element: what a screen reader announces.

    Role and name from Chromium's accessibility tree; the value text is the element's aria-valuetext (the DevTools
    protocol reports a native range's position there, 0-240, whatever its aria-valuetext says: screen readers get
    aria-valuetext through the platform's accessibility API, which the protocol does not show)."""
    doc = cdp.send("DOM.getDocument", {"depth": 0})
    node = cdp.send("DOM.querySelector", {"nodeId": doc["root"]["nodeId"], "selector": selector})
    ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node["nodeId"], "fetchRelatives": False})["nodes"][0]
    return (ax["role"]["value"], ax.get("name", {}).get("value", ""),
            page.locator(selector).get_attribute("aria-valuetext") or str(ax.get("value", {}).get("value", "")))


def test_a_screen_reader_hears_the_lr_and_the_regime(built, new_page):
    out, _ = built
    page, log = new_page()
    open_page(page, (out / "02_too_high_too_low.html").as_uri())
    cdp = page.context.new_cdp_session(page)
    sel = "#lx1-lr"
    heard = [_announce(page, cdp, sel)]
    page.focus(sel)
    page.keyboard.press("ArrowRight")
    heard.append(_announce(page, cdp, sel))
    box = live(page)
    box.locator('button[data-name="oscillating"]').click()
    heard.append(_announce(page, cdp, sel))
    print("\nwhat a screen reader announces for lesson 02's lr slider:")
    for role, name, value in heard:
        print(f"  {role} \"{name}\": {value}")
    assert heard[0] == ("slider", "learning rate", "learning rate 0.2, monotone convergence")
    assert heard[1][:2] == ("slider", "learning rate") and re.fullmatch(r"learning rate 0\.2\d*, monotone convergence",
                                                                        heard[1][2])
    assert heard[1][2] != heard[0][2]
    assert heard[2] == ("slider", "learning rate", "learning rate 0.447, oscillating convergence")  # 0.45 on the grid
    # the regime change is announced politely, once
    region = box.locator(".lx-sr")
    assert region.get_attribute("aria-live") == "polite" and region.inner_text() == "Regime: oscillating convergence."
    # and the figure has its description, from the same run
    desc = box.locator(".lx-desc").inner_text()
    assert desc.startswith("At learning rate 0.447 the run converged") and "Regime: oscillating convergence." in desc
    assert box.locator(".lx-panels").get_attribute("aria-describedby") == box.locator(".lx-desc").get_attribute("id")
    assert not log.page_errors, log.page_errors


def test_touch_drags_the_slider(built, pw_browser):
    out, _ = built
    ctx = pw_browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    try:
        page = ctx.new_page()
        open_page(page, (out / "02_too_high_too_low.html").as_uri())
        rng = live(page).locator("input[type=range]").first
        rng.scroll_into_view_if_needed()
        before = rng.input_value()
        b = rng.bounding_box()
        x0, y = b["x"] + b["width"] * (int(before) / int(rng.get_attribute("max"))), b["y"] + b["height"] / 2
        cdp = ctx.new_cdp_session(page)
        touch = lambda kind, x: cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [] if kind == "touchEnd" else [{"x": x, "y": y}]})
        touch("touchStart", x0)
        for k in range(1, 11):
            touch("touchMove", x0 - k * (x0 - b["x"]) / 10)
        touch("touchEnd", b["x"])
        assert int(rng.input_value()) < int(before) - 20, (before, rng.input_value())
        assert regime(live(page)) == "monotone convergence"
    finally:
        ctx.close()


def test_a_course_to_move_through(built, new_page):
    out, _ = built
    page, _ = new_page(viewport=(390, 844))
    open_page(page, (out / "02_too_high_too_low.html").as_uri())
    nav = page.locator("nav.lrlab-nav-top")
    assert nav.locator("a", has_text="All lessons").get_attribute("href") == "index.html"
    assert nav.locator("a[rel=prev]").get_attribute("href") == "01_update_rule.html"
    assert nav.locator("a[rel=next]").get_attribute("href") == "03_finding_a_good_lr.html"
    links = page.locator("nav.lrlab-toc a")
    assert links.count() >= 5
    for i in range(links.count()):
        target = links.nth(i).get_attribute("href")[1:]
        assert page.evaluate("(id) => !!document.getElementById(decodeURIComponent(id)) || !!document.getElementById(id)", target), target
    # code scrolls inside its block
    code = page.locator(".jp-InputArea-editor").first
    assert page.evaluate("(e) => getComputedStyle(e).overflowX", code.element_handle()) in ("auto", "scroll")
    first = (out / f"{PAGES[0]}.html").read_text(encoding="utf-8")
    assert 'rel="prev"' not in first and f'href="{PAGES[1]}.html"' in first


def test_formulas_are_typeset_offline(built, new_page, screenshot_dir):
    out, _ = built
    page, log = new_page()
    offline(page)
    open_page(page, (out / "02_too_high_too_low.html").as_uri())
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 && "
                           "document.querySelectorAll('.MathJax').length > 20", timeout=60_000)
    n = page.evaluate("() => document.querySelectorAll('.MathJax').length")
    left = page.evaluate("() => document.body.innerText.match(/\\$[^$\\n]{1,40}\\$/g) || []")
    assert n > 20 and not left, (n, left[:5])
    page.locator(".MathJax").nth(3).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "site--02-math.png"))
    assert not [u for u in log.requests if u.startswith("http")], log.requests


def test_a_player_of_frames_still_works(built, new_page):
    """Explorers the page's JavaScript does not cover (a lesson's own runs or panels) keep their frames, and say
    their value in words too."""
    out, _ = built
    page, log = new_page()
    for name in PAGES:
        text = (out / f"{name}.html").read_text(encoding="utf-8")
        if 'class="lrlab-player"' in text:
            break
    else:
        pytest.skip("every explorer computes in the page")
    open_page(page, (out / f"{name}.html").as_uri())
    player = page.locator(".lrlab-player").first
    rng = player.locator("input[type=range]")
    assert re.fullmatch(r".+ [\d.e+-]+, \w[\w ]*", rng.get_attribute("aria-valuetext"))
    rng.focus()
    page.keyboard.press("End")
    assert re.fullmatch(r".+ [\d.e+-]+, \w[\w ]*", rng.get_attribute("aria-valuetext"))
    assert not log.page_errors, log.page_errors


# --------------------------------------------------------------------------- accessibility (WCAG 2.1 A and AA)

SITE_PAGES = ["index.html"] + [f"{p.stem}.html" for p in list_notebooks(notebooks_dir())]


@pytest.mark.parametrize("name", SITE_PAGES)
def test_site_page_is_accessible(built, name, new_page, axe_js):
    """WCAG 2.1 A/AA by axe-core; every slider and button named, reachable by Tab, saying its value in the
    page's units; the regime in words."""
    built, _ = built
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
    built, _ = built
    page, log = new_page(viewport=(390, 844))
    page.goto((built / "02_too_high_too_low.html").as_uri())
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('section.lrlab-live:not([data-regime])')")
    assert_no_serious(run_axe(page, axe_js, "site 02 at 390 px"), "site 02 at 390 px")
    assert page.locator("[data-lrlab-scroll]").count() > 0      # some code is wider than a phone: it scrolls
    assert not log.page_errors, log.page_errors
