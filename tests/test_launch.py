"""Launching the course elsewhere: Binder, Colab and GitHub Pages, all named from the one repository URL.

These tests need none of those services: they check the files the services read, the links the README
gives, and what the notebooks' Colab cell does on Colab (with a stand-in ``google.colab``) and off it
(nothing).
"""
import json
import re
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPO_URL = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
README = (ROOT / "README.md").read_text()
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402


def owner_name() -> str:
    m = re.fullmatch(r"https://github\.com/([^/]+/[^/]+)", REPO_URL)
    assert m, f"[project.urls] Repository must be https://github.com/OWNER/NAME; got {REPO_URL!r}"
    return m.group(1)


# ---------------------------------------------------------------- the one repository URL

def test_every_launch_link_in_the_readme_names_the_pyproject_repository():
    repo = owner_name()
    found = re.findall(r"mybinder\.org/v2/gh/([^/]+/[^/]+)/", README)
    found += re.findall(r"colab\.research\.google\.com/github/([^/]+/[^/]+)/", README)
    assert len(found) >= 2 + len(NOTEBOOKS)
    assert set(found) == {repo}, f"README links name {set(found) - {repo}}, pyproject names {repo}"


def test_binder_launch_links_for_jupyterlab_and_voila():
    repo = owner_name()
    links = re.findall(r"\((https://mybinder\.org/v2/gh/[^)\s]+)\)", README)
    assert f"https://mybinder.org/v2/gh/{repo}/HEAD?urlpath=lab/tree/notebooks/00_start_here.ipynb" in links
    assert f"https://mybinder.org/v2/gh/{repo}/HEAD?urlpath=voila/render/notebooks/00_start_here.ipynb" in links


def test_an_open_in_colab_link_for_every_notebook():
    repo = owner_name()
    linked = set(re.findall(rf"https://colab\.research\.google\.com/github/{re.escape(repo)}/blob/main/notebooks/"
                            r"(\d\d_\w+\.ipynb)", README))
    assert linked == {p.name for p in NOTEBOOKS}


# ---------------------------------------------------------------- Binder

def _requirement_lines(path: Path) -> list[str]:
    return [l.strip() for l in path.read_text().splitlines() if l.strip() and not l.lstrip().startswith("#")]


def test_binder_installs_the_cpu_torch_that_ci_pins():
    lines = _requirement_lines(ROOT / "binder" / "requirements.txt")
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines
    pinned = [l for l in _requirement_lines(ROOT / ".ci" / "constraints.txt") if l.startswith("torch==")]
    assert pinned and pinned[0] in lines, f"binder/requirements.txt must pin {pinned} as .ci/constraints.txt does"
    assert (ROOT / "binder" / "runtime.txt").read_text().strip().startswith("python-3.")


def test_binder_post_build_installs_lrlab_with_voila():
    post = ROOT / "binder" / "postBuild"
    assert post.stat().st_mode & stat.S_IXUSR, "repo2docker runs postBuild only if it is executable"
    text = post.read_text()
    assert text.startswith("#!") and "set -e" in text
    assert re.search(r'pip install .*-e "\.\[present\]"', text), "postBuild must install lrlab (editable) with Voila"
    assert "-c .ci/constraints.txt" in text


# ---------------------------------------------------------------- Colab

def test_every_notebook_starts_with_the_same_colab_cell():
    expected = build_notebooks.colab_cell().source
    assert REPO_URL in expected
    assert len(NOTEBOOKS) == len(list((ROOT / "tools" / "notebook_src").glob("[0-9][0-9]_*.py"))) >= 10
    for nb_path in NOTEBOOKS:
        cell = json.loads(nb_path.read_text())["cells"][0]
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        assert cell["cell_type"] == "code" and src == expected, f"{nb_path.name}: first cell is not the Colab cell"
        assert build_notebooks.COLAB_TAG in cell["metadata"].get("tags", [])
        assert cell["outputs"] == [], f"{nb_path.name}: the Colab cell printed something off Colab"


NO_PIP = ("import subprocess\n"
          "def _no(*a, **k):\n"
          "    raise AssertionError(f'the Colab cell ran a command off Colab: {a}')\n"
          "subprocess.run = subprocess.call = subprocess.check_call = subprocess.Popen = _no\n")

FAKE_COLAB = ("import subprocess, sys, types\n"
              "calls = []\n"
              "subprocess.run = lambda cmd, **k: calls.append(('run', cmd, k))\n"
              "google, colab, output = (types.ModuleType(n) for n in ('google', 'google.colab', 'google.colab.output'))\n"
              "output.enable_custom_widget_manager = lambda: calls.append(('enable_custom_widget_manager',))\n"
              "google.colab, colab.output = colab, output\n"
              "sys.modules.update({'google': google, 'google.colab': colab, 'google.colab.output': output})\n")


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_the_colab_cell_does_nothing_and_prints_nothing_off_colab():
    r = _run(NO_PIP + build_notebooks.colab_cell().source)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_on_colab_the_cell_installs_lrlab_and_enables_the_widget_manager():
    code = FAKE_COLAB + build_notebooks.colab_cell().source + "\nimport json; print(json.dumps(calls, default=str))"
    r = _run(code)
    assert r.returncode == 0, r.stderr
    calls = json.loads(r.stdout)
    assert [c[0] for c in calls] == ["run", "enable_custom_widget_manager"]
    cmd = calls[0][1]
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    # lrlab from the repository and ipympl, the one requirement Colab lacks; Colab's own numpy, matplotlib,
    # ipywidgets and torch stay (replacing them mid-session needs a runtime restart)
    # ipympl within the bound pyproject.toml sets (lrlab.live_canvas relies on its internals)
    pin = next(d for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
               if d.startswith("ipympl"))
    assert "--no-deps" in cmd and pin in cmd and f"lrlab @ git+{REPO_URL}" in cmd
    assert calls[0][2].get("check") is True


# ---------------------------------------------------------------- GitHub Pages

def test_pages_workflow_builds_the_site_and_deploys_it():
    yaml = pytest.importorskip("yaml")
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())
    on = wf.get("on", wf.get(True))                      # YAML 1.1 reads a bare `on` as True
    assert "push" in on and "workflow_dispatch" in on
    assert wf["permissions"]["pages"] == "write" and wf["permissions"]["id-token"] == "write"
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    runs = [s.get("run", "") for s in build["steps"]]
    uses = {s["uses"].split("@")[0]: s for s in build["steps"] if "uses" in s}
    install = next(r for r in runs if "pip install" in r)
    assert '".[site]"' in install and "-c .ci/constraints.txt" in install
    assert "download.pytorch.org/whl/cpu" in build["env"]["PIP_EXTRA_INDEX_URL"]
    (site,) = [r for r in runs if re.match(r"lrlab site\s", r)]
    out_dir = site.split()[2]
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == out_dir
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])


def test_the_static_site_leaves_the_colab_cell_out(monkeypatch):
    from lrlab import site
    monkeypatch.setattr(site, "player_data", lambda name, positions: {"name": name})    # no frames: not the point here
    monkeypatch.setattr(site, "player_html", lambda data, i: f"<div>player {i}</div>")
    page, _ = site.notebook_page(NOTEBOOKS[0])
    assert "google.colab" not in page and "enable_custom_widget_manager" not in page
    assert "Start here" in page
