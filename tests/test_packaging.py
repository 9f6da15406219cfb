"""Packaging: environment.yml and pyproject agree, import lrlab stays light, CI runs the README command."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    py = {r for r in project["dependencies"]} | {r for rs in project["optional-dependencies"].values() for r in rs}
    text = (ROOT / "environment.yml").read_text()
    pip_block = text.split("- pip:", 1)[1]
    pip_reqs = [l.strip()[2:].strip() for l in pip_block.splitlines()
                if l.strip().startswith("- ") and l.strip() != "- -e ."]
    assert {_name(r) for r in pip_reqs} == {_name(r) for r in py}
    # the same version constraints too
    assert sorted(r.replace(" ", "") for r in pip_reqs) == sorted(r.replace(" ", "") for r in py)
    required = {"numpy", "matplotlib", "ipywidgets", "jupyter", "torch", "nbval"}
    assert required <= {_name(r) for r in py}
    assert any(r.startswith("torch==") for r in py), "torch must be pinned (a range picks a CUDA build here)"


def test_import_lrlab_imports_numpy_only():
    code = ("import sys, lrlab; heavy = [m for m in ('matplotlib', 'torch', 'ipywidgets', 'sklearn', 'IPython') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lazy_modules_load_on_access():
    code = "import lrlab, sys; lrlab.plotting; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- test-command -->\s*```bash\n(.*?)\n```\s*<!-- /test-command -->", readme, re.S)
    assert block, "README.md must give the test command between <!-- test-command --> markers"
    assert "pytest" in block.group(1)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "test-command" in ci and 'eval "$cmd"' in ci


def test_pytest_config_runs_notebooks_too():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "notebooks" in cfg["testpaths"] and "--nbval" in cfg["addopts"]
    assert any(a.startswith("--nbval-sanitize-with=") for a in cfg["addopts"])
