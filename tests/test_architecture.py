"""The layers of lrlab (docs/architecture.md), checked against the code's own imports.

A module may import only modules of a *lower* layer; this keeps every arrow pointing
down and the picture in docs/architecture.md true. Read from the source (ast), nothing is run.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "lrlab"

#: module (first component under lrlab) -> layer; docs/architecture.md draws the same table
LAYERS = {
    "_validation": 0, "types": 0, "exercises": 0, "live_canvas": 0, "present": 0, "course": 0, "site_js": 0,
    "steppers": 1, "schedules": 1, "losses": 1, "theory": 1, "data": 1,
    "loop": 2,
    "diagnostics": 3, "linesearch": 3,
    "plotting": 4, "pytorch": 4,
    "widgets": 5, "panels": 5,
    "explorer": 6,
    "lessons": 7,
    "site_data": 8,
    "site": 9, "site_fixtures": 9,
    "cli": 10,
}
#: names that ``from lrlab import NAME`` may take which are not modules
FUNCTIONS = {"run": "loop", "Trajectory": "loop"}


def _modules():
    for f in sorted(ROOT.rglob("*.py")):
        parts = f.relative_to(ROOT).with_suffix("").parts
        if parts == ("__init__",):
            continue
        yield f, parts


def _imports(f: Path, parts: tuple) -> set[str]:
    """First components (under lrlab) of what ``f`` imports from lrlab."""
    here = list(parts[:-1]) if parts[-1] != "__init__" else list(parts[:-1])
    out = set()
    for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - (node.level - 1)] if node.level > 1 else here
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and (node.module == "lrlab" or node.module.startswith("lrlab.")):
                target = node.module.split(".")[1:]
            else:
                continue
            if target:
                out.add(target[0])
            else:                                   # from lrlab import x, y / from . import x
                out |= {FUNCTIONS.get(a.name, a.name) for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[1] for a in node.names if a.name.startswith("lrlab.")}
    return out


def test_every_module_has_a_layer():
    missing = sorted({parts[0] for _, parts in _modules()} - set(LAYERS))
    assert not missing, f"add these modules to LAYERS and to docs/architecture.md: {missing}"


@pytest.mark.parametrize("f,parts", list(_modules()), ids=lambda v: "/".join(v) if isinstance(v, tuple) else "")
def test_imports_point_down(f, parts):
    me = parts[0]
    for target in _imports(f, parts) - {me}:
        assert target in LAYERS, f"{f.name} imports lrlab.{target}, which has no layer"
        assert LAYERS[target] < LAYERS[me], (f"{'/'.join(parts)} (layer {LAYERS[me]}) imports lrlab.{target} "
                                             f"(layer {LAYERS[target]}): arrows must point down")


def test_the_checker_sees_an_upward_import(tmp_path):
    bad = tmp_path / "loop.py"
    bad.write_text("from . import widgets\nfrom .plotting import figure\n")
    assert _imports(bad, ("loop",)) == {"widgets", "plotting"}


def test_the_architecture_page_lists_every_layer():
    page = (ROOT.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name in LAYERS:
        assert f"`{name}`" in page, f"docs/architecture.md does not mention `{name}`"
