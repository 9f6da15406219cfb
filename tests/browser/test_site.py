"""The static site in a real browser, with the network cut: its players answer their sliders and presets."""
from __future__ import annotations

import re

import pytest

from lrlab import site, theory

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    sizes = site.build_site(out, only=["00", "02"], positions=9)
    return out, sizes


def regime(player) -> str:
    return player.locator(".lrlab-regime").get_attribute("data-regime")


def test_pages_and_budget(built):
    out, sizes = built
    assert set(sizes) == {"index.html", "map.png", "00_start_here.html", "02_too_high_too_low.html", "mathjax/"}
    assert (out / "mathjax" / "MathJax.js").is_file() and sizes["mathjax/"] < 20 * 2**20
    assert all(n <= site.PAGE_BUDGET for n in sizes.values())
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="00_start_here.html"' in index and "3 explorers" in index
    assert "00 · Start here" in index and "00 · 00" not in index      # each lesson's number once
    assert "<img src='map.png'" in index and (out / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page0 = (out / "00_start_here.html").read_text(encoding="utf-8")
    assert "ignore-output: live widget" not in page0      # the test run's markers are not shown to readers
    page = (out / "02_too_high_too_low.html").read_text(encoding="utf-8")
    assert page.count('class="lrlab-player"') == 3 and "jupyter-widgets" not in page
    assert not re.search(r'<(?:script|link)[^>]*(?:src|href)="https?://', page)


def test_a_player_works_offline(built, new_page, screenshot_dir):
    out, _ = built
    page, log = new_page()
    page.route(re.compile(r"^https?://"), lambda route: route.abort())   # no network: every request fails
    page.goto((out / "02_too_high_too_low.html").as_uri())
    player = page.locator(".lrlab-player").first
    player.scroll_into_view_if_needed()
    img, rng = player.locator("img"), player.locator("input[type=range]")
    assert regime(player) in theory.REGIMES
    start = img.get_attribute("src")
    rng.focus()
    page.keyboard.press("Home")
    assert regime(player) == "monotone convergence" and img.get_attribute("src") != start
    assert float(player.locator(".readout").inner_text()) == pytest.approx(1e-3, rel=0.01)
    page.keyboard.press("End")
    assert regime(player) == "divergence"
    expected = {"too small": "monotone convergence", "good": "monotone convergence",
                "oscillating": "oscillating convergence", "diverging": "divergence"}
    seen = set()
    for name, want in expected.items():
        player.locator(f'button[data-name="{name}"]').click()
        assert regime(player) == want, name
        seen.add(img.get_attribute("src"))
        assert "lrlab-stats" in player.locator(".lrlab-stats-slot").inner_html()
    assert len(seen) == len(expected)
    assert "lr=" in page.url and "lrp=diverging" in page.url
    player.screenshot(path=str(screenshot_dir / "site--02-player.png"))
    # the address carries the setting: open it at lr = 0.001
    page.goto((out / "02_too_high_too_low.html").as_uri() + "#lr=0.001")
    page.reload()
    assert regime(page.locator(".lrlab-player").first) == "monotone convergence"
    assert not [u for u in log.requests if u.startswith("http")], log.requests
    assert not log.page_errors, log.page_errors


def test_formulas_are_typeset_offline(built, new_page, screenshot_dir):
    out, _ = built
    page, log = new_page()
    page.route(re.compile(r"^https?://"), lambda route: route.abort())
    page.goto((out / "02_too_high_too_low.html").as_uri())
    page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 && "
                           "document.querySelectorAll('.MathJax').length > 20", timeout=60_000)
    n = page.evaluate("() => document.querySelectorAll('.MathJax').length")
    left = page.evaluate("() => document.body.innerText.match(/\\$[^$\\n]{1,40}\\$/g) || []")
    assert n > 20 and not left, (n, left[:5])
    page.locator(".MathJax").nth(3).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "site--02-math.png"))
    assert not [u for u in log.requests if u.startswith("http")], log.requests


def test_the_theory_line_follows_the_frame(built, new_page):
    """Each frame carries its own theory line (lesson 07's names SGD's limit at the frame's batch size), and the
    player shows the line of the frame it shows."""
    out, _ = built
    page, _ = new_page()
    page.goto((out / "02_too_high_too_low.html").as_uri())
    data = page.evaluate("() => Array.from(document.querySelectorAll('.lrlab-player')).map(p => "
                         "JSON.parse(p.querySelector('script[type=\"application/json\"]').textContent))")
    for d in data:
        assert all("lrlab-theory" in f["theory"] for f in d["frames"] + d["presets"])
    player = page.locator(".lrlab-player").nth(1)
    player.locator('button[data-name="diverging"]').click()
    assert "lrlab-theory" in player.locator(".lrlab-theory-slot").inner_html()
