"""Serving a class, checked without a cluster: the Zero to JupyterHub values validate against the chart's own
schema (vendored at the pinned chart version), they and the one-machine hub come from one source of class
settings, and the student image pins what CI tests."""
from __future__ import annotations

import copy
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")
jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
Z2JH = ROOT / "deploy" / "z2jh"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


render = _load("z2jh_render", Z2JH / "render.py")
CLASS = render.settings()
CHART = Z2JH / f"chart-{render.CHART_VERSION}"


def merged(*layers: dict) -> dict:
    """Helm's merge of values: later layers win, maps are merged key by key, anything else replaced."""
    out: dict = {}
    for layer in layers:
        out = _merge(out, layer)
    return out


def _merge(a: dict, b: dict) -> dict:
    out = copy.deepcopy(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def schema_errors(values: dict) -> list[str]:
    schema = json.loads((CHART / "values.schema.json").read_text())
    return [f"{'.'.join(map(str, e.path))}: {e.message}"
            for e in jsonschema.Draft7Validator(schema).iter_errors(values)]


DEFAULTS = yaml.safe_load((CHART / "values.yaml").read_text())
CONFIG = yaml.safe_load((Z2JH / "config.yaml").read_text())


def test_the_chart_is_vendored_with_its_licence():
    assert (CHART / "LICENSE").read_text().startswith("BSD 3-Clause License")
    assert not schema_errors(DEFAULTS), "the chart's own defaults must satisfy its schema"


@pytest.mark.parametrize("extra", [None, "workshop.yaml"])
def test_values_validate_against_the_charts_schema(extra):
    layers = [DEFAULTS, CONFIG] + ([yaml.safe_load((Z2JH / extra).read_text())] if extra else [])
    assert schema_errors(merged(*layers)) == []


def test_the_schema_check_can_fail():
    bad = merged(DEFAULTS, CONFIG, {"cull": {"timeout": "half an hour"}, "singleuser": {"cpu": {"limit": "one"}}})
    errors = schema_errors(bad)
    assert any(e.startswith("cull.timeout") for e in errors) and any(e.startswith("singleuser.cpu.limit") for e in errors)
    assert schema_errors(merged(DEFAULTS, CONFIG, {"singleuser": {"no_such_key": 1}}))


def test_config_yaml_is_what_the_class_settings_give():
    assert (Z2JH / "config.yaml").read_text() == render.render(), "run python deploy/z2jh/render.py"


def test_kubernetes_values_carry_the_class_settings():
    su = CONFIG["singleuser"]
    assert su["memory"] == {"guarantee": CLASS.MEM_GUARANTEE, "limit": CLASS.MEM_LIMIT}
    assert su["cpu"] == {"guarantee": CLASS.CPU_GUARANTEE, "limit": CLASS.CPU_LIMIT}
    assert su["defaultUrl"].endswith(CLASS.LESSON) and CLASS.UI in ("voila", "lab")
    assert (ROOT / "notebooks" / CLASS.LESSON).is_file(), "the landing lesson must exist"
    assert CONFIG["cull"]["timeout"] == CLASS.IDLE_TIMEOUT and CONFIG["cull"]["maxAge"] == CLASS.MAX_AGE
    server = su["extraFiles"]["lrlab-server-config"]["data"]
    assert server["MappingKernelManager"]["cull_idle_timeout"] == CLASS.IDLE_TIMEOUT
    assert server["LabApp"]["news_url"] is None                     # nothing fetched at page load
    assert server["VoilaConfiguration"]["template"] == "lrlab-student"
    assert (ROOT / "lrlab" / "present" / "share" / "voila" / "templates" / "lrlab-student").is_dir()
    # the lessons are copied in without overwriting a student's edits
    assert "cp -n" in " ".join(su["lifecycleHooks"]["postStart"]["exec"]["command"])
    # graded work needs a real login; the shared password is the workshop override only
    assert CONFIG["hub"]["config"]["JupyterHub"]["authenticator_class"] != "shared-password"


def test_the_one_machine_hub_reads_the_same_settings(monkeypatch, tmp_path):
    traitlets = pytest.importorskip("traitlets.config")
    for var in ("LRLAB_HUB_LESSON", "LRLAB_HUB_UI", "LRLAB_HUB_IDLE", "LRLAB_HUB_MEM", "LRLAB_HUB_CPU"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LRLAB_HUB_PASSWORD", "a class password")
    monkeypatch.setenv("LRLAB_HUB_STATE", str(tmp_path))
    c = traitlets.Config()
    path = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
    exec(compile(path.read_text(), str(path), "exec"), {"get_config": lambda: c, "__file__": str(path)})
    assert c.Spawner.mem_limit == CLASS.MEM_LIMIT and c.Spawner.mem_guarantee == CLASS.MEM_GUARANTEE
    assert c.Spawner.cpu_limit == CLASS.CPU_LIMIT and c.Spawner.cpu_guarantee == CLASS.CPU_GUARANTEE
    assert c.Spawner.default_url == CLASS.default_url()
    culler = c.JupyterHub.services[0]["command"]
    assert f"--timeout={CLASS.IDLE_TIMEOUT}" in culler and f"--max-age={CLASS.MAX_AGE}" in culler


def test_the_student_image_pins_what_ci_tests():
    docker = (Z2JH / "Dockerfile").read_text()
    torch_pin = re.search(r"^torch==(\S+)", (ROOT / ".ci" / "constraints.txt").read_text(), re.M).group(1)
    assert f"torch=={torch_pin} --index-url https://download.pytorch.org/whl/cpu" in docker
    assert f"jupyterhub=={render.JUPYTERHUB_VERSION}" in docker
    assert "-c /opt/lrlab/.ci/constraints.txt" in docker
    assert f"{CLASS.IMAGE}:{CLASS.IMAGE_TAG}" in docker
    assert CONFIG["singleuser"]["image"] == {"name": CLASS.IMAGE, "tag": CLASS.IMAGE_TAG}
