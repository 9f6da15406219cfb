"""The ``lrlab`` command without a browser: ``lrlab lab`` opens the course in JupyterLab with no news pop-up."""
import json
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from lrlab import cli
from lrlab.present import servers


def test_lab_command_switches_news_and_update_checks_off(tmp_path):
    cmd = cli.lab_command(tmp_path / "02_x.ipynb", tmp_path, ["--port=1"], tmp_path / "s")
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert "--LabApp.news_url=None" in cmd and "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate" in cmd
    assert f"--LabApp.app_settings_dir={tmp_path / 's'}" in cmd
    assert f"--ServerApp.root_dir={tmp_path}" in cmd and cmd[-1] == "--port=1"


def test_lab_settings_keep_the_environments_own_and_add_lrlabs_defaults(tmp_path, monkeypatch):
    lab_dir = tmp_path / "lab"
    (lab_dir / "settings").mkdir(parents=True)
    (lab_dir / "settings" / "page_config.json").write_text('{"disabledExtensions": {"x": true}}')
    monkeypatch.setenv("JUPYTERLAB_DIR", str(lab_dir))
    dest = cli.lab_settings_dir(tmp_path / "cache")
    assert (dest / "page_config.json").read_text() == '{"disabledExtensions": {"x": true}}'
    assert json.loads((dest / "overrides.d" / "lrlab.json").read_text()) == cli.lab_defaults()
    assert cli.lab_settings_dir(tmp_path / "cache") == dest      # again: the same folder, still right
    monkeypatch.setenv("JUPYTERLAB_DIR", str(tmp_path / "none"))  # an environment without a settings folder
    assert (cli.lab_settings_dir(tmp_path / "c2") / "overrides.d" / "lrlab.json").is_file()


def test_lab_refuses_an_unknown_notebook(capsys):
    assert cli.main(["lab", "nope-no-such-lesson"]) == 2
    assert "no notebook matches 'nope-no-such-lesson'" in capsys.readouterr().err


@pytest.mark.slow
def test_lab_serves_the_lesson_with_the_news_pop_up_off(tmp_path):
    import os
    port = servers.free_port(18900)
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))      # lrlab's settings folder goes here, not to ~
    proc = subprocess.Popen([sys.executable, "-m", "lrlab.cli", "lab", "02", "--", "--no-browser", f"--port={port}",
                             "--ip=127.0.0.1", "--allow-root", "--IdentityProvider.token=", "--ServerApp.port_retries=0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        page, deadline = None, time.monotonic() + 90
        while page is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab/tree/02_too_high_too_low.ipynb",
                                            timeout=5) as r:
                    page = r.read().decode()
            except OSError:
                time.sleep(0.3)
        assert page is not None, f"JupyterLab did not answer (exit code {proc.poll()})"
        config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                      page, re.S).group(1))
        assert config["news"] == {"disabled": True}
        assert config["treePath"] == "02_too_high_too_low.ipynb", config.get("treePath")
        # the question "get notified about official Jupyter news?" is asked while fetchNews has no value:
        # lrlab's default answers it, as the page reads it from the settings API
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab/api/settings/"
                                    "@jupyterlab/apputils-extension:notification", timeout=10) as r:
            schema = json.loads(r.read().decode())["schema"]
        assert schema["properties"]["fetchNews"]["default"] == "false"
        assert schema["properties"]["checkForUpdates"]["default"] is False
    finally:
        proc.send_signal(signal.SIGTERM)            # execv: this is JupyterLab itself, so it stops, children too
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("JupyterLab did not stop on SIGTERM")
    assert servers.nothing_listens(port), f"JupyterLab still listens on {port} after SIGTERM"



def test_present_without_voila_says_what_to_install(monkeypatch, capsys):
    real = cli.importlib.util.find_spec
    monkeypatch.setattr(cli.importlib.util, "find_spec", lambda name, *a: None if name == "voila" else real(name, *a))
    assert cli.main(["present", "02", "--no-browser"]) == 2
    assert 'pip install "lrlab[present]"' in capsys.readouterr().err
