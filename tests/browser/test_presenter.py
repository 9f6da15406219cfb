"""``lrlab present``: the presenter page in a real browser, and the command line."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from lrlab import cli
from lrlab.present import browser, servers

from .conftest import NOTEBOOK_DIR, has_explorer, lesson_notebooks, open_voila

NOTEBOOKS = lesson_notebooks()


def _presenter_notebook():
    hits = [p for p in NOTEBOOKS if p.name.startswith("02_") and has_explorer(p)] or \
           [p for p in NOTEBOOKS if has_explorer(p)]
    return hits[0] if hits else None


@pytest.fixture(scope="module")
def presenter_server(chromium, tmp_path_factory):
    nb = _presenter_notebook()
    if nb is None:
        pytest.skip("no notebook with an lrlab explorer yet")
    logs = tmp_path_factory.mktemp("presenter")
    # exactly what `lrlab present` runs: the presenter template, LRLAB_PRESENTER=1 for the kernel
    server = servers.start_voila(nb, cwd=nb.parent, template=servers.TEMPLATE, presenter=True,
                                 show_tracebacks=False, log_path=logs / "voila.log", timeout=90)
    server.notebook = nb
    yield server
    server.stop()


@pytest.mark.browser
def test_presenter_page_is_clean_offline_and_live(presenter_server, new_page, screenshot_dir, drive):
    page, log = open_voila(lambda: new_page(viewport=(1600, 1000)), presenter_server.url + "/")
    page.wait_for_selector(browser.HANDLE, state="visible", timeout=120_000)
    # no code anywhere: no code-cell inputs, no editors, no prompts
    code = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor, .cm-editor, .CodeMirror, .jp-InputPrompt'))
        .filter(e => e.offsetParent !== null).length""")
    assert code == 0, f"{code} code inputs visible on the presenter page"
    text = page.evaluate("() => document.body.innerText")
    for needle in ("import lrlab", "from lrlab", "import numpy"):
        assert needle not in text, f"code on the presenter page: {needle!r}"
    # the main widget comes first: its slider sits above every other cell's content
    top = page.evaluate("""() => {
        const ex = document.querySelector('.lrlab-explorer').getBoundingClientRect().top;
        const cells = Array.from(document.querySelectorAll('#rendered_cells div[cell-index]'))
            .filter(c => !c.querySelector('.lrlab-explorer') && c.offsetHeight > 0);
        return {explorer: ex, others: Math.min(...cells.map(c => c.getBoundingClientRect().top))};
    }""")
    assert top["explorer"] < top["others"], top
    # presenter style: large type in the page
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.lrlab-preset')).fontSize)")
    assert size >= 18, f"preset buttons at {size}px: not presenter-sized"
    browser.wait_settled(page, timeout=60, what="presenter page, on load")
    page.screenshot(path=str(screenshot_dir / "presenter--page.png"))
    # the widget works: slider by keyboard, presets, end of the range, fast drag
    drive(page, screenshot_dir, "presenter-" + presenter_server.notebook.stem)
    # nothing left the machine
    assert log.requests, "no requests recorded?"
    assert not log.external, f"requests that left 127.0.0.1: {log.external}"
    assert not log.page_errors, log.page_errors


# --------------------------------------------------------------------------- the command line (no browser)

def test_present_without_argument_lists_the_notebooks(capsys):
    assert cli.main(["present", "--notebooks", str(NOTEBOOK_DIR)]) == 0
    out = capsys.readouterr().out
    for nb in NOTEBOOKS:
        assert nb.stem in out
    assert "lrlab present" in out


def test_present_with_a_bad_name_lists_the_valid_ones(capsys):
    assert cli.main(["present", "nonexistent-lesson", "--notebooks", str(NOTEBOOK_DIR)]) == 2
    err = capsys.readouterr().err
    assert "no notebook matches 'nonexistent-lesson'" in err
    for nb in NOTEBOOKS:
        assert nb.stem in err


def test_present_finds_notebooks_by_number_name_or_part():
    if not NOTEBOOKS:
        pytest.skip("no notebooks")
    nb = NOTEBOOKS[0]
    assert cli.find_notebook(nb.stem[:2], NOTEBOOKS) == nb
    assert cli.find_notebook(str(int(nb.stem[:2])), NOTEBOOKS) == nb
    assert cli.find_notebook(nb.stem, NOTEBOOKS) == nb
    assert cli.find_notebook(nb.name, NOTEBOOKS) == nb


def test_present_without_notebooks_says_how_to_point_at_them(tmp_path, capsys):
    assert cli.main(["present", "02", "--notebooks", str(tmp_path / "nowhere")]) == 2
    assert "--notebooks" in capsys.readouterr().err


def test_present_on_a_taken_port_says_so(tmp_path, capsys):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert cli.main(["present", NOTEBOOKS[0].stem[:2], "--notebooks", str(NOTEBOOK_DIR), "--port", str(port),
                         "--strict-port", "--no-browser"]) == 2
        assert f"port {port}" in capsys.readouterr().err


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "lrlab.cli", "--help"], capture_output=True, text=True, check=True)
    assert "present" in out.stdout


def test_present_on_a_taken_port_serves_on_the_next_free_one_and_says_so():
    import os
    import queue
    import signal
    import socket
    import threading
    import urllib.request

    nb = _presenter_notebook() or (NOTEBOOKS[0] if NOTEBOOKS else None)
    if nb is None:
        pytest.skip("no notebooks")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = s.getsockname()[1]
        proc = subprocess.Popen([sys.executable, "-u", "-m", "lrlab.cli", "present", nb.stem[:2], "--no-browser",
                                 "--port", str(taken), "--notebooks", str(NOTEBOOK_DIR)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout], daemon=True).start()
        try:
            seen, url = [], None
            while url is None:
                line = lines.get(timeout=90)
                seen.append(line)
                m = re.search(r"Open\s+(http://127\.0\.0\.1:(\d+)/)", line)
                if m:
                    url, port = m.group(1), int(m.group(2))
            out = "".join(seen)
            assert f"Port {taken} is taken; using port {port} instead." in out, out
            assert port != taken
            with urllib.request.urlopen(url.rstrip("/") + servers.VOILA_READY_PATH, timeout=10) as r:
                assert r.status == 200
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


@pytest.mark.parametrize("port", ["70000", "-1", "0", "http"])
def test_present_refuses_a_port_outside_1_to_65535(port, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["present", "02", "--port", port])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "--port" in err and ("from 1 to 65535" in err), err


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP"])
def test_a_signal_to_present_stops_voila_too(sig):
    """Only the lrlab process gets the signal (not its group, as a service manager might send it):
    Voilà must stop with it and leave the port free."""
    import signal
    import urllib.request

    nb = _presenter_notebook() or (NOTEBOOKS[0] if NOTEBOOKS else None)
    if nb is None:
        pytest.skip("no notebooks")
    port = servers.free_port(19100 if sig == "SIGTERM" else 19200)
    proc = subprocess.Popen([sys.executable, "-u", "-m", "lrlab.cli", "present", nb.stem[:2], "--no-browser",
                             "--strict-port", "--port", str(port), "--notebooks", str(NOTEBOOK_DIR)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        for line in proc.stdout:
            if "Open" in line and f":{port}/" in line:
                break
        else:
            pytest.fail(f"lrlab present never said it was ready (exit code {proc.poll()})")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{servers.VOILA_READY_PATH}", timeout=10) as r:
            assert r.status == 200
        proc.send_signal(getattr(signal, sig))
        assert proc.wait(30) == 0
        assert servers.nothing_listens(port), f"Voilà still listens on {port} after {sig} to lrlab present"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        proc.stdout.close()
