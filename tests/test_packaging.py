"""Packaging: the requirements and extras, environment.yml agrees with pyproject, import lrlab stays light and
needs no torch, CI and the README install with the one constraints file."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = PROJECT["optional-dependencies"]
CONSTRAINTS = ROOT / ".ci" / "constraints.txt"
#: run before the code under test: makes ``import torch`` fail as it does where torch is not installed
NO_TORCH = "import sys; sys.modules['torch'] = None\n"


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _expand(extra: str, seen=None) -> set[str]:
    """The requirements of ``lrlab[extra]`` with the extras it names (``lrlab[torch,site]``) spelled out."""
    seen = set() if seen is None else seen
    out = set()
    for req in EXTRAS[extra]:
        if _name(req) == "lrlab":
            for sub in re.search(r"\[(.*)\]", req).group(1).split(","):
                if sub.strip() not in seen:
                    seen.add(sub.strip())
                    out |= _expand(sub.strip(), seen)
        else:
            out.add(req)
    return out


def _readme_command(marker: str) -> str:
    block = re.search(rf"<!-- {marker} -->\s*```bash\n(.*?)\n```\s*<!-- /{marker} -->", (ROOT / "README.md").read_text(), re.S)
    assert block, f"README.md must give the command between <!-- {marker} --> markers"
    return block.group(1).strip()


def test_base_requirements_are_what_the_notebooks_need_and_no_more():
    base = {_name(r) for r in PROJECT["dependencies"]}
    assert {"numpy", "matplotlib", "ipywidgets", "ipympl", "ipykernel", "jupyterlab", "scikit-learn"} <= base
    # torch, Voila, the site builder, the hub and the test tools are extras, not requirements
    assert not base & {"torch", "voila", "jupyter-server-mathjax", "nbconvert", "jupyterhub", "nbval", "pytest",
                       "playwright", "notebook", "jupyter"}


def test_extras_torch_present_site_hub_test_all():
    assert {"torch", "present", "site", "hub", "test", "all"} <= set(EXTRAS)
    assert [_name(r) for r in EXTRAS["torch"]] == ["torch"]
    torch_req = EXTRAS["torch"][0].replace(" ", "")
    assert "==" not in torch_req and ">=" in torch_req and "<" in torch_req, \
        f"torch must be a range in the extra (the exact pin lives in .ci/constraints.txt); got {torch_req!r}"
    assert "voila" in {_name(r) for r in _expand("present")}
    site = {_name(r) for r in _expand("site")}
    assert {"torch", "nbconvert", "jupyter-server-mathjax"} <= site     # lessons 08/09's explorers need torch
    test = {_name(r) for r in _expand("test")}
    # the test command installs everything the tests cover
    for extra in ("torch", "present", "site", "hub"):
        assert {_name(r) for r in _expand(extra)} <= test, extra
    assert {"pytest", "nbval", "playwright", "notebook", "hypothesis", "pytest-xdist", "pytest-random-order"} <= test
    assert set().union(*(_expand(e) for e in EXTRAS if e != "all")) == _expand("all")
    # torch appears once, as the range of the torch extra
    every = list(PROJECT["dependencies"]) + [r for rs in EXTRAS.values() for r in rs]
    assert [r for r in every if _name(r) == "torch"] == EXTRAS["torch"]


def test_ipywidgets_skips_the_release_vs_code_cannot_show():
    (req,) = [r for r in PROJECT["dependencies"] if _name(r) == "ipywidgets"]
    assert "!=8.1.9" in req.replace(" ", "")
    readme = (ROOT / "README.md").read_text()
    assert "## Front ends" in readme and "vscode-jupyter#17504" in readme


def test_constraints_pin_the_cpu_torch_that_ci_tests():
    pins = [l.strip() for l in CONSTRAINTS.read_text().splitlines() if l.strip() and not l.startswith("#")]
    assert "torch==2.13.0" in pins
    assert all("==" in p for p in pins), "a constraints file pins"


def test_readme_commands_stay_two_commands_and_use_the_constraints():
    test_cmd = _readme_command("test-command")
    student_cmd = _readme_command("student-command")
    for cmd in (test_cmd, student_cmd):
        assert "\n" not in cmd and cmd.count("&&") == 1, f"one line, two commands: {cmd!r}"
        assert "-c .ci/constraints.txt" in cmd, cmd
    assert re.match(r'pip install -e "\.\[test\]" -c \.ci/constraints\.txt && python -m pytest -n auto$', test_cmd), test_cmd
    # the student's course: five of the nine lessons train torch models, so the command installs the torch extra
    assert re.match(r'pip install -e "\.\[torch\]" -c \.ci/constraints\.txt && lrlab lab$', student_cmd), student_cmd


def test_environment_yml_names_the_same_packages_as_pyproject():
    everything = set(PROJECT["dependencies"]) | _expand("all")
    text = (ROOT / "environment.yml").read_text()
    pip_block = text.split("- pip:", 1)[1]
    items = [l.strip()[2:].strip() for l in pip_block.splitlines() if l.strip().startswith("- ")]
    options = [i for i in items if i.startswith("-")]
    reqs = [i for i in items if not i.startswith("-")]
    assert sorted(r.replace(" ", "") for r in reqs) == sorted(r.replace(" ", "") for r in everything)
    assert "-e ." in options and "-c .ci/constraints.txt" in options


def test_import_lrlab_imports_numpy_only():
    code = ("import sys, lrlab; heavy = [m for m in ('matplotlib', 'torch', 'ipywidgets', 'sklearn', 'IPython') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.slow
def test_lrlab_and_the_torch_free_lessons_work_without_torch():
    code = NO_TORCH + (
        "import lrlab\n"
        "from lrlab import plotting, explorer, diagnostics\n"
        "from lrlab.lessons import build_explorer\n"
        "for name in ['00 demo', '02 one curvature', '05 heavy ball', '07 batch size']:\n"
        "    build_explorer(name).frame()\n"
        "traj = lrlab.run(loss=lrlab.losses.quadratic([1.0, 10.0]), x0=[1.0, 1.0], lr=[0.1, 0.3], num_steps=20)\n"
        "print([str(r) for r in diagnostics.path_shape(traj)])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "['monotone', 'diverging']"


@pytest.mark.slow
def test_without_torch_lrlab_pytorch_says_what_to_install():
    for target in ("import lrlab.pytorch", "from lrlab.lessons import debugging", "from lrlab.lessons import beyond_the_lr"):
        r = subprocess.run([sys.executable, "-c", NO_TORCH + target], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 1, target
        last = r.stderr.strip().splitlines()[-1]
        assert last.startswith("ModuleNotFoundError: ") and 'pip install "lrlab[torch]"' in last, (target, last)


def test_every_torch_notebook_imports_torch_through_lrlab_pytorch():
    for src in sorted((ROOT / "tools" / "notebook_src").glob("*.py")):
        text = src.read_text()
        assert not re.search(r"^\s*(import torch|from torch\b)", text, re.M), \
            f"{src.name}: import torch through lrlab.pytorch (`from lrlab.pytorch import torch`), whose error says what to install"
    users = {s.name[:2] for s in (ROOT / "tools" / "notebook_src").glob("*.py") if "from lrlab.pytorch import" in s.read_text()}
    assert {"01", "03", "04", "08", "09", "10"} <= users


@pytest.mark.slow
def test_lrlab_site_without_torch_names_the_extra(tmp_path):
    code = NO_TORCH + f"from lrlab import cli; raise SystemExit(cli.main(['site', {str(tmp_path / 'site')!r}, '--only', '08']))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and 'pip install "lrlab[torch]"' in r.stderr, r.stderr[-800:]


def test_lazy_modules_load_on_access():
    code = "import lrlab, sys; lrlab.plotting; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_ci_runs_exactly_the_readme_test_command():
    assert "pytest" in _readme_command("test-command")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "test-command" in ci and 'eval "$cmd"' in ci
    assert "constraints.txt" in ci     # it checks that the pinned torch is what got installed


@pytest.mark.slow
def test_pytest_config_runs_notebooks_too():
    """Plain `pytest` is the whole suite: notebooks/ is a test path and conftest.py switches nbval on."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "notebooks" in cfg["testpaths"]
    assert not any("nbval" in a for a in cfg["addopts"]), "nbval options in addopts break the fast loop without it"
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "notebooks/00_start_here.ipynb"],
                         cwd=ROOT, capture_output=True, text=True).stdout
    assert "00_start_here.ipynb::Cell 0" in out and "00_start_here.ipynb::solutions" in out, out[-2000:]
