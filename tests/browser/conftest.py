"""Fixtures for the real-browser tests: Voilà and JupyterLab servers, Debian's Chromium via Playwright.

Without ``/usr/bin/chromium`` (or the ``playwright`` package) the browser tests
are skipped with a message saying how to enable them, unless the environment
says ``LRLAB_REQUIRE_BROWSER=1`` (as ``.ci/run`` does): then they fail.

Screenshots of every notebook's main widget go to ``$LRLAB_SCREENSHOT_DIR``
if set, else ``<pytest basetemp>/browser-screenshots``; the path is printed at
the end of the run.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from lrlab.present import browser, servers

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
REQUIRE = os.environ.get("LRLAB_REQUIRE_BROWSER", "") == "1"
HOW = ("install Debian's Chromium (`apt-get install -y chromium`, it lands in /usr/bin/chromium) "
       "and the test extra (`pip install -e \".[test]\"`) to run them")


def lesson_notebooks() -> list[Path]:
    """Every ``notebooks/NN_*.ipynb`` (the browser tests are parametrized over them)."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def has_explorer(nb: Path) -> bool:
    """The notebook's saved widget state has an lrlab explorer (nbclient stores it when building)."""
    try:
        return "lrlab-explorer" in nb.read_text(encoding="utf-8")
    except OSError:
        return False


def _unavailable(msg: str):
    if REQUIRE:
        pytest.fail(f"{msg}; LRLAB_REQUIRE_BROWSER=1 says the browser tests must run here", pytrace=False)
    pytest.skip(f"browser tests skipped: {msg}; {HOW}")


# --------------------------------------------------------------------------- CPU load

@pytest.fixture(scope="package", autouse=True)
def cpu_load():
    """``LRLAB_CPU_LOAD=N``: keep N busy-loop processes running while the browser tests run.

    A harness that synchronises on time rather than on the kernel's answer
    fails under load; CI runs the browser tests once like this to prove it
    does not. The processes are started here, their PIDs recorded, and exactly
    those are stopped at the end (also when a test fails).
    """
    import subprocess
    import sys
    n = int(os.environ.get("LRLAB_CPU_LOAD", "0") or 0)
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    if procs:
        print(f"\nCPU load: {n} busy-loop processes, PIDs {[p.pid for p in procs]}")
    try:
        yield [p.pid for p in procs]
    finally:
        for p in procs:
            p.kill()
            p.wait(timeout=10)
        if procs:
            print(f"\nCPU load stopped: PIDs {[p.pid for p in procs]} exited with {[p.returncode for p in procs]}")


# --------------------------------------------------------------------------- browser

@pytest.fixture(scope="package")
def chromium() -> str:
    path = browser.chromium_path()
    if path is None:
        _unavailable(f"no Chromium at {os.environ.get('LRLAB_CHROMIUM') or browser.CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed")
    return path


@pytest.fixture(scope="package")
def pw_browser(chromium):
    """One headless Chromium for all browser tests (closed before the rest of the session runs)."""
    from playwright.sync_api import sync_playwright
    pw = sync_playwright().start()
    try:
        b = browser.launch(pw)
    except Exception as e:
        pw.stop()
        _unavailable(f"Chromium at {chromium} does not start under Playwright ({e})")
    yield b
    b.close()
    pw.stop()


def _screenshot_dir(basetemp: Path) -> Path:
    if os.environ.get("LRLAB_SCREENSHOT_DIR"):
        return Path(os.environ["LRLAB_SCREENSHOT_DIR"])
    if os.environ.get("PYTEST_XDIST_WORKER"):   # pytest -n: workers' basetemps sit in the main one
        basetemp = basetemp.parent
    return basetemp / "browser-screenshots"


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    d = _screenshot_dir(tmp_path_factory.getbasetemp())
    d.mkdir(parents=True, exist_ok=True)
    return d


#: README screenshots (docs/screenshots/NAME <- the first screenshot of this run matching PATTERN);
#: refreshed from a real run with LRLAB_UPDATE_README_SCREENSHOTS=1.
README_SHOTS = {
    "presenter.png": "presenter--page.png",
    "02-too-high-too-low.png": "02_*--*-preset-oscillating.png",
    "05-momentum.png": "05_*--*-preset-past-2-l*.png",
    "06-batch-size.png": "07_*--*-preset-noisy*.png",
}


def update_readme_screenshots(shots: Path, dest: Path = ROOT / "docs" / "screenshots") -> list[Path]:
    """Copy the README's screenshots from this run's folder (palette PNGs: a few tens of kB each)."""
    from PIL import Image
    dest.mkdir(parents=True, exist_ok=True)
    done = []
    for name, pattern in README_SHOTS.items():
        hits = sorted(shots.glob(pattern))
        if hits:
            Image.open(hits[0]).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                                        dither=Image.Dither.NONE).save(dest / name, optimize=True)
            done.append(dest / name)
    return done


def pytest_terminal_summary(terminalreporter, config):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None:
        return
    d = _screenshot_dir(factory.getbasetemp())
    if d.is_dir() and any(d.glob("*.png")):
        terminalreporter.write_line(f"browser screenshots: {d}")
        if os.environ.get("LRLAB_UPDATE_README_SCREENSHOTS") == "1":
            for p in update_readme_screenshots(d):
                terminalreporter.write_line(f"README screenshot updated: {p.relative_to(ROOT)}")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


class PageLog:
    """What a page did: requests, console errors, uncaught exceptions."""

    def __init__(self):
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []

    @property
    def external(self) -> list[str]:
        return [u for u in self.requests if not browser.is_local(u)]


@pytest.fixture
def new_page(pw_browser, screenshot_dir, request):
    """``new_page() -> (page, log)``: a fresh context and page with lrlab's hooks installed."""
    contexts = []

    def make(viewport=(1440, 1000)):
        ctx = pw_browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        ctx.set_default_timeout(60_000)
        ctx.add_init_script(browser.WS_HOOK_JS)
        contexts.append(ctx)
        page = ctx.new_page()
        log = PageLog()
        page.on("request", lambda r: log.requests.append(r.url))
        page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: log.page_errors.append(str(e)))
        return page, log

    yield make
    failed = getattr(request.node, "rep_call", None)
    for i, ctx in enumerate(contexts):
        if not ctx.pages:                          # closed already (a retried page load)
            continue
        if failed is not None and failed.failed:
            for j, p in enumerate(ctx.pages):
                name = re.sub(r"[^\w.-]+", "_", request.node.name)
                try:
                    p.screenshot(path=str(screenshot_dir / "failures" / f"{name}-{i}{j}.png"), full_page=True)
                except Exception:
                    pass
        ctx.close()


def open_voila(new_page, url: str, *, attempts: int = 2):
    """Open a Voilà page and wait until it has run every cell: ``(page, log)``.

    Voilà executes the notebook while it sends the page; very rarely an
    execution never finishes (a kernel reply that never comes, about one page
    load in fifty in the project's CI), so a page that is not rendered within the
    timeout is opened once more, in a fresh context and kernel, before failing.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    for attempt in range(attempts):
        page, log = new_page()
        try:
            page.goto(url, wait_until="domcontentloaded", timeout=120_000)
            page.wait_for_selector("#rendered_cells", state="visible", timeout=60_000)
            return page, log
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            print(f"{url}: not rendered in time, opening it again")
            page.context.close()


@pytest.fixture(scope="package")
def axe_js() -> Path:
    """axe-core's script, as the PyPI package axe-playwright-python (``test`` extra) bundles it."""
    from .a11y import AXE
    if AXE is None or not AXE.is_file():
        _unavailable('axe-core is not installed (the PyPI package axe-playwright-python, in the "test" extra)')
    return AXE


@pytest.fixture
def voila_page(new_page):
    return lambda url: open_voila(new_page, url)


# --------------------------------------------------------------------------- servers

@pytest.fixture(scope="package")
def voila_server(chromium, tmp_path_factory):
    """Voilà serving ``notebooks/`` (read only: Voilà executes, never saves)."""
    logs = tmp_path_factory.mktemp("voila")
    server = servers.start_voila(NOTEBOOK_DIR, cwd=NOTEBOOK_DIR, log_path=logs / "voila.log", timeout=90)
    yield server
    server.stop()


@pytest.fixture(scope="package")
def lab_dir(tmp_path_factory) -> Path:
    """A scratch copy of the notebooks for JupyterLab (it writes checkpoints and may autosave)."""
    d = tmp_path_factory.mktemp("lab-notebooks")
    for nb in lesson_notebooks():
        shutil.copy(nb, d / nb.name)
    return d


@pytest.fixture(scope="package")
def lab_server(chromium, lab_dir, tmp_path_factory):
    logs = tmp_path_factory.mktemp("lab")
    server = servers.start_lab(lab_dir, cwd=lab_dir, log_path=logs / "lab.log", settings_dir=logs, timeout=120)
    yield server
    server.stop()


# --------------------------------------------------------------------------- driving an explorer

#: the regime in words, as a label shows it (theory's words first: "oscillating" is in both lists)
REGIME_WORD = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(browser.REGIMES, key=len, reverse=True))
                         + r")\b")
#: a word of a preset's name -> the labels that keep its promise (theory's word, or the path's)
PRESET_WORD = re.compile(r"\b(oscillating|diverging)\b")
PROMISES = {"oscillating": ("oscillating convergence", "oscillating"), "diverging": ("divergence", "diverging")}


def preset_lr(title: str | None) -> float | None:
    """The lr of a preset button from its tooltip ('name: 0.2' or "name: {'lr': 0.2, ...}")."""
    if not title:
        return None
    m = re.search(r"'lr':\s*([-+0-9.eE]+)", title) or re.search(r":\s*([-+0-9.eE]+)\s*$", title)
    try:
        return float(m.group(1)) if m else None
    except ValueError:
        return None


def _readout(state) -> float | None:
    try:
        return float((state.get("readout") or "").replace("\u2212", "-"))
    except ValueError:
        return None


def drive_explorer(page, shots: Path, name: str, *, scope: str = "body") -> list[dict]:
    """Move the first explorer's lr slider Home, through every preset, to End, then drag it fast.

    After each move: the figure changed (new pixels) when the lr changed, the
    regime label is one of browser.REGIMES and says what theory says where it
    applies (divergence past 2(1+β)/L at the slider's end, monotone convergence
    below 1/L at its start, a preset named "oscillating" or "diverging" keeps
    its promise), and the page shows no error. Saves a screenshot of the widget
    after each step. Returns the steps (for the test's report).
    """
    box = page.locator(browser.EXPLORER).first
    handle = page.locator(browser.HANDLE).first
    handle.wait_for(state="visible", timeout=90_000)
    page.wait_for_function("(sel) => { const c = document.querySelector(sel); return c && c.width > 0; }",
                           arg=browser.CANVAS, timeout=60_000)
    box.scroll_into_view_if_needed()
    state = browser.wait_settled(page, timeout=60, what=f"{name}, on load")
    steps = []

    def check(label, before, after, *, expect_change, expect_regime=None, allowed=None):
        errors = browser.page_errors(page, scope)
        assert not errors, f"{name}, {label}: error on the page: {errors}"
        regime = after["regime"]
        assert regime in browser.REGIMES, f"{name}, {label}: regime label {regime!r} is not one of {browser.REGIMES}"
        if expect_change:
            assert after["hash"] != before["hash"], f"{name}, {label}: the lr moved but the figure did not change"
        if expect_regime is not None:
            assert regime == expect_regime, (f"{name}, {label}: theory says {expect_regime!r}, the label says "
                                             f"{regime!r} (lr {after['readout']})")
        if allowed is not None:
            assert regime in allowed, f"{name}, {label}: theory allows {allowed}, the label says {regime!r}"
        n = len(steps)
        slug = re.sub(r"[^\w]+", "-", label).strip("-").lower()
        box.screenshot(path=str(shots / f"{name}--{n:02d}-{slug}.png"))
        steps.append({"step": label, "lr": after["readout"], "regime": regime})

    def press(key):
        handle.focus()
        page.keyboard.press(key)

    # the slider's minimum
    before, after = browser.act(page, lambda: press("Home"))
    classes = after["classes"]
    check("Home (minimum lr)", before, after, expect_change=after["valuenow"] != before["valuenow"],
          expect_regime="monotone convergence" if "lrlab-min-monotone" in classes else None)

    # every preset
    presets = box.locator(".lrlab-preset")
    for i in range(presets.count()):
        b = presets.nth(i)
        label, title = b.inner_text().strip(), b.get_attribute("title")
        target, current = preset_lr(title), _readout(explorer_state_now(page))
        # a preset lands on the slider's grid, within half a step (at most 2.4% here) of its value
        moves = target is not None and current is not None and abs(target - current) > 0.03 * max(target, current)
        before, after = browser.act(page, b.click, kernel=True, expect_lr=target if moves else None)
        words = set(PRESET_WORD.findall(label.lower()))
        check(f"preset {label}", before, after, expect_change=moves,
              allowed=PROMISES[words.pop()] if len(words) == 1 else None)

    # the slider's maximum
    before, after = browser.act(page, lambda: press("End"))
    check("End (maximum lr)", before, after, expect_change=after["valuenow"] != before["valuenow"],
          expect_regime="divergence" if "lrlab-max-diverges" in after["classes"] else None)

    # a fast drag settles on its final value: same pixels as arriving there one step at a time
    def burst():
        handle.focus()
        for _ in range(12):
            page.keyboard.press("ArrowLeft")
    before, fast = browser.act(page, burst)
    assert browser._stats_match(fast), f"{name}: after a fast drag the numbers lag the slider: {fast}"
    browser.act(page, lambda: press("ArrowLeft"))
    _, slow = browser.act(page, lambda: press("ArrowRight"))
    assert slow["valuenow"] == fast["valuenow"], (fast, slow)
    assert slow["hash"] == fast["hash"], (f"{name}: the figure after a fast drag differs from the figure drawn "
                                          f"for the same lr reached step by step")
    assert slow["regime"] == fast["regime"]
    check("after a fast drag", before, slow, expect_change=False)
    return steps


def explorer_state_now(page) -> dict:
    return browser.explorer_state(page)


@pytest.fixture
def drive():
    return drive_explorer
