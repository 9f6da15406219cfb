"""The instructors' solutions build: every notebook, executed with tools/solutions.py's answers filled
in, must show a correct verdict under every exercise (the build raises otherwise)."""
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks  # noqa: E402
from solutions import SOLUTIONS  # noqa: E402

SOURCES = sorted((ROOT / "tools" / "notebook_src").glob("*.py"))


def test_every_notebook_has_its_solutions():
    assert {s.stem for s in SOURCES} == set(SOLUTIONS)


@pytest.mark.parametrize("src", SOURCES, ids=[s.stem for s in SOURCES])
def test_solutions_pass_their_checks(src, tmp_path):
    out = build_notebooks.build(src, solutions=tmp_path)
    nb = nbformat.read(out, as_version=4)
    verdicts = build_notebooks.verdicts(nb)
    assert len(verdicts) == len(SOLUTIONS[src.stem]) > 0
    assert all(text.startswith("✅") for _, text in verdicts), verdicts
    assert "answer = None" not in "".join(c.source for c in nb.cells)


def test_a_wrong_solution_fails_the_build(tmp_path, monkeypatch):
    src = next(s for s in SOURCES if s.stem.startswith("00"))
    monkeypatch.setitem(SOLUTIONS, src.stem, [("0.5", "a wrong answer")])
    with pytest.raises(SystemExit, match="does not pass its check"):
        build_notebooks.build(src, solutions=tmp_path)
