"""One notebook pipeline, checked without a kernel: every committed notebook's cells are exactly what
``tools/build_notebooks.py`` makes of its source in ``tools/notebook_src/`` (jupytext's percent format),
the lessons' check cells are collapsed, and a notebook edited by hand is recognised as such."""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402

SOURCES = sorted(build_notebooks.SRC.glob("*.py"))


def test_one_notebook_per_source():
    assert {p.stem for p in SOURCES} == {p.stem for p in build_notebooks.OUT.glob("*.ipynb")}


def _cells(cells):
    return [(c.cell_type, c.source, list(c.get("metadata", {}).get("tags", [])),
             bool(c.get("metadata", {}).get("jupyter", {}).get("source_hidden"))) for c in cells]


@pytest.mark.parametrize("src", SOURCES, ids=[p.stem for p in SOURCES])
def test_committed_notebook_equals_its_source(src):
    path = build_notebooks.OUT / (src.stem + ".ipynb")
    nb = nbformat.read(path, as_version=4)
    want, got = _cells(build_notebooks.expected_cells(src)), _cells(nb.cells)
    for i, (w, g) in enumerate(zip(want, got)):
        assert w == g, (f"{path.name} cell {i} differs from {src.relative_to(ROOT)}: rebuild it with "
                        f"`python tools/build_notebooks.py {src.stem[:2]}`\n source:   {w}\n notebook: {g}")
    assert len(want) == len(got), f"{path.name} has {len(got)} cells, its source makes {len(want)}"
    assert not build_notebooks.edited_by_hand(path)


def test_check_cells_are_collapsed():
    nb = build_notebooks.parse('# %%\nx = 1\n\n# %% tags=["check"]\nassert x == 1\n')
    assert [bool(c.metadata.get("jupyter", {}).get("source_hidden")) for c in nb.cells] == [False, True]
    assert nb.cells[1].metadata["tags"] == ["check"]


def test_a_notebook_edited_by_hand_is_not_overwritten(tmp_path, monkeypatch):
    src = tmp_path / "99_demo.py"
    src.write_text("# %% [markdown]\n# # Demo\n\n# %%\nx = 1\n")
    monkeypatch.setattr(build_notebooks, "OUT", tmp_path)
    out = build_notebooks.build(src, execute=False)
    assert not build_notebooks.edited_by_hand(out)
    nb = nbformat.read(out, as_version=4)
    nb.cells[-1].source = "x = 2   # an edit made in JupyterLab"
    nbformat.write(nb, out)
    assert build_notebooks.edited_by_hand(out)
    with pytest.raises(SystemExit, match="edited after its last build"):
        build_notebooks.build(src, execute=False)
    build_notebooks.build(src, execute=False, discard_notebook_edits=True)
    assert nbformat.read(out, as_version=4).cells[-1].source == "x = 1"


@pytest.mark.parametrize("src", SOURCES, ids=[p.stem for p in SOURCES])
def test_a_student_sees_no_test_scaffolding(src):
    """Checks live in collapsed check cells: no visible code cell holds an assert, an nbval marker or a path
    under tests/ (docs/lessons.md)."""
    import re
    for i, cell in enumerate(build_notebooks.expected_cells(src)):
        meta = cell.get("metadata", {})
        if cell.cell_type != "code" or meta.get("jupyter", {}).get("source_hidden"):
            continue
        found = re.findall(r"^\s*assert\b|nbval|tests/", cell.source, re.M | re.I)
        assert not found, f"{src.name} cell {i}: {found} in a visible cell; move it into a check cell"
