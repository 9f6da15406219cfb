"""The instructors' solutions (tools/solutions.py), checked without a kernel of their own.

The checks themselves run in nbval's kernel right after each notebook's last cell (``conftest.py``:
``notebooks/NN.ipynb::solutions``), so the whole suite executes every notebook once. Here: every exercise
has a solution and the filled-in cells are what that item runs.
"""
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402
from solutions import SOLUTIONS  # noqa: E402

SOURCES = sorted((ROOT / "tools" / "notebook_src").glob("*.py"))


def test_every_notebook_has_its_solutions():
    assert {s.stem for s in SOURCES} == set(SOLUTIONS)


@pytest.mark.parametrize("src", SOURCES, ids=[s.stem for s in SOURCES])
def test_each_exercise_cell_gets_its_solution(src):
    cells = build_notebooks.solution_cells(src)
    assert len(cells) == len(SOLUTIONS[src.stem]) > 0
    for cell, (expr, _) in zip(cells, SOLUTIONS[src.stem]):
        assert "answer = None" not in cell
        assert re.search(r"^\s*answer = " + re.escape(expr), cell, re.M), cell


def test_a_missing_solution_is_an_error(monkeypatch):
    src = next(s for s in SOURCES if s.stem.startswith("00"))
    monkeypatch.setitem(SOLUTIONS, src.stem, [])
    with pytest.raises(SystemExit, match="exercise cells but 0 solutions"):
        build_notebooks.solution_cells(src)


def test_verdicts_are_read_as_the_checks_print_them():
    assert build_notebooks.is_correct("✅ Correct: 2/L = 1")
    assert not build_notebooks.is_correct("❌ 0.5 is too small")
    assert not build_notebooks.is_correct("")
