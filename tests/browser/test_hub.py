"""A whole class: the repository's JupyterHub config starts, two students log in, each drives their own
explorer, neither reaches the other's server, and stopping the hub ends every process it started.

Needs JupyterHub and its proxy (the ``hub`` extra, also in ``test``: configurable-http-proxy is the
PyPI package, a Python implementation). Without them the test is skipped
with a note, unless ``LRLAB_REQUIRE_BROWSER=1`` (as in CI): then it fails.
"""
from __future__ import annotations

import importlib.util
import os
import time
from pathlib import Path

import pytest

from lrlab.present import browser, servers

from .conftest import REQUIRE, ROOT

pytestmark = pytest.mark.browser

PASSWORD = "lrlab-test-class"
LESSON = "02_too_high_too_low.ipynb"
HOW = 'pip install -e ".[test]" (JupyterHub and configurable-http-proxy) to run it'


def _missing() -> str | None:
    if importlib.util.find_spec("jupyterhub") is None:
        return "jupyterhub is not installed"
    if importlib.util.find_spec("jupyterhub_idle_culler") is None:
        return "jupyterhub-idle-culler is not installed"
    if servers.hub_proxy() is None:
        return "no configurable-http-proxy beside this Python or on PATH"
    return None


def _require_hub():
    why = _missing()
    if why:
        if REQUIRE:
            pytest.fail(f"{why}; LRLAB_REQUIRE_BROWSER=1 says the hub test must run here", pytrace=False)
        pytest.skip(f"hub test skipped: {why}; {HOW}")


def log_in(new_page, hub, name: str):
    """A student's own browser: log in through the hub's form, land on lesson 02 with its explorer settled."""
    page, log = new_page()
    page.goto(f"{hub.url}/hub/login", wait_until="domcontentloaded")
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{name}/voila/render/{LESSON}", timeout=240_000)
    page.wait_for_selector(browser.HANDLE, timeout=240_000)
    browser.wait_settled(page, timeout=120, what=f"{name}'s lesson, on load")
    return page, log


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_two_students_get_their_own_working_explorer_and_stopping_the_hub_ends_everything(chromium, new_page,
                                                                                          tmp_path):
    _require_hub()
    pythonpath = os.pathsep.join([str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    hub = servers.start_hub(tmp_path / "state", password=PASSWORD, log_path=tmp_path / "hub.log",
                            env_extra={"PYTHONPATH": pythonpath})
    pids = []
    try:
        pages = {name: log_in(new_page, hub, name) for name in ("alice", "bob")}

        # each explorer answers its own student: a key press moves the lr and the figure
        for name, (page, log) in pages.items():
            handle = page.locator(browser.HANDLE).first

            def right():
                handle.focus()
                page.keyboard.press("ArrowRight")
            before, after = browser.act(page, right, what=f"{name}'s explorer")
            assert after["readout"] != before["readout"], f"{name}: the lr did not move: {before} -> {after}"
            assert after["hash"] != before["hash"], f"{name}: the lr moved but the figure did not change"
            assert after["regime"] in browser.REGIMES, after
            assert not browser.page_errors(page), f"{name}: {browser.page_errors(page)}"
            assert not log.external, f"{name}'s page fetched from outside: {log.external}"

        # each student's server answers its own student, with one kernel (the lesson's) ...
        for name, (page, _) in pages.items():
            r = page.context.request.get(f"{hub.url}/user/{name}/api/kernels")
            assert r.status == 200 and len(r.json()) == 1, (name, r.status, r.text()[:300])

        # ... and never the other: the other's API, kernels and lesson are out of reach
        for name, other in (("alice", "bob"), ("bob", "alice")):
            request = pages[name][0].context.request
            for path in ("api/kernels", "api/contents", f"voila/render/{LESSON}"):
                r = request.get(f"{hub.url}/user/{other}/{path}", max_redirects=0)
                assert r.status in (302, 303, 403), (f"{name} asked for {other}'s {path}: HTTP {r.status}, "
                                                     f"expected a redirect to the hub or 403")
                followed = request.get(f"{hub.url}/user/{other}/{path}")
                assert followed.status in (403, 404), (
                    f"{name} reached {other}'s {path}: HTTP {followed.status} at {followed.url}")
                assert "lrlab-explorer" not in followed.text() and "execution_state" not in followed.text()

        # a browser that never logged in gets 403 from the API and the login form for the lesson
        anon, _ = new_page()
        r = anon.context.request.get(f"{hub.url}/user/alice/api/kernels")
        assert r.status == 403, (r.status, r.url, r.text()[:200])
        r = anon.context.request.get(f"{hub.url}/user/alice/voila/render/{LESSON}")
        assert "/hub/login" in r.url and "lrlab-explorer" not in r.text(), (r.status, r.url)

        pids = [hub.pid] + servers._descendants(hub.pid)
        assert len(pids) >= 7, (f"expected the hub, its proxy, its idle culler and two servers with a kernel each, "
                                f"found PIDs {pids}")
    finally:
        pids = pids or [hub.pid] + servers._descendants(hub.pid)
        hub.stop()
    # a killed process takes a moment to go (the kernel reaps it): allow it that, not more
    deadline = time.monotonic() + 10
    while (left := [p for p in pids if _running(p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"still running 10 s after the hub stopped: {left}"
    assert servers.nothing_listens(hub.port), f"something still listens on the hub's port {hub.port}"
