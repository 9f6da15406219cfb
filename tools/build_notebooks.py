"""Build the notebooks from their sources and execute them, as nbval will re-run them.

    python tools/build_notebooks.py                 # all tools/notebook_src/*.py
    python tools/build_notebooks.py 02 05           # the ones whose name starts so
    python tools/build_notebooks.py --no-execute 02 # only convert
    python tools/build_notebooks.py --prose 02      # only prose or comments changed: copy them in, keep the outputs
    python tools/build_notebooks.py --solutions     # instructors' copies, answers filled in, to build/solutions/

A source is a Python file in jupytext's "percent" format, read by jupytext itself: cells start with
``# %%`` (code) or ``# %% [markdown]`` (markdown, every line a ``# `` comment), and the header carries the
cell's metadata (``# %% tags=["nbval-ignore-output"]``). A cell tagged ``check`` holds the lesson's
assertions: the build collapses it (``jupyter.source_hidden``), the static site and the presenter drop it,
and nbval runs it like any other cell (docs/lessons.md). The notebook is executed top to bottom in a fresh
kernel (pytest's interpreter, a timeout per cell) and written to ``notebooks/<name>.ipynb`` with its
outputs. Every notebook starts with the same Colab cell (:func:`colab_cell`, not in the sources): on Colab
it installs lrlab, elsewhere it does nothing.

Edits belong in the sources. Each built notebook records a digest of its cells' sources; a notebook whose
cells were edited since (in JupyterLab, say) is not overwritten: the build stops and says so
(``--discard-notebook-edits`` to overwrite anyway). ``tests/test_notebook_sources.py`` checks, without a
kernel, that every committed notebook's cells equal its source.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "tools" / "notebook_src"
OUT = ROOT / "notebooks"
#: the tag of a cell that holds a lesson's checks (asserts): collapsed here, dropped by the site and presenter
CHECK_TAG = "check"


def parse(text: str) -> nbformat.NotebookNode:
    """A lesson's percent-format source as a notebook (no outputs), by jupytext's reader."""
    import jupytext
    nb = jupytext.reads(text, fmt="py:percent")
    cells = []
    for cell in nb.cells:
        meta = dict(cell.metadata)
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source)
            if CHECK_TAG in meta.get("tags", []):
                meta.setdefault("jupyter", {})["source_hidden"] = True
        else:
            new = nbformat.v4.new_markdown_cell(cell.source)
        new.metadata.update(meta)
        cells.append(new)
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    out.metadata["language_info"] = {"name": "python"}
    return out


def source_digest(nb) -> str:
    """A digest of the notebook's cells (type, source, tags): what the build wrote, before any hand edit."""
    cells = [(c.cell_type, c.source, list(c.get("metadata", {}).get("tags", []))) for c in nb.cells]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()[:16]


def edited_by_hand(path: Path) -> bool:
    """True if the notebook at ``path`` has cells that differ from the ones its last build wrote."""
    if not path.is_file():
        return False
    nb = nbformat.read(path, as_version=4)
    recorded = nb.metadata.get("lrlab", {}).get("source_digest")
    return recorded is not None and recorded != source_digest(nb)


def expected_cells(src: Path) -> list:
    """The cells (Colab cell first) that building ``src`` writes, without executing anything."""
    nb = parse(src.read_text())
    return [colab_cell()] + list(nb.cells)


def repository_url() -> str:
    """The public repository, as ``[project.urls] Repository`` in pyproject.toml names it (its one place)."""
    import tomllib
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]


#: the tag of the Colab cell (the static site leaves it out; tests find it by it)
COLAB_TAG = "lrlab-colab"


def colab_cell() -> nbformat.NotebookNode:
    """The first cell of every notebook: on Colab only, install lrlab and switch on Colab's widget manager.

    Anywhere else ``google.colab`` is not imported, so the cell does nothing and prints nothing. On Colab it
    installs lrlab and ipympl (the one requirement Colab lacks) with ``--no-deps``: Colab already has numpy,
    matplotlib, ipywidgets, scikit-learn and torch, and a package replaced mid-session only works after a
    runtime restart (a reinstalled matplotlib breaks ipympl's backend until then: googlecolab/colabtools#5155).
    Then it turns on the custom widget manager, without which Colab draws no ipympl canvas.
    """
    url = repository_url()
    import tomllib
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    ipympl = next(d for d in deps if d.replace(" ", "").startswith("ipympl"))   # its version bound: live_canvas
    source = f'''# On Google Colab only: install lrlab and turn on Colab's widget manager (elsewhere this does nothing).
import sys
if "google.colab" in sys.modules:
    import subprocess
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "{ipympl}", "lrlab @ git+{url}"], check=True)
    from google.colab import output
    output.enable_custom_widget_manager()'''
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = [COLAB_TAG]
    return cell


ANSWER = re.compile(r"^(?P<indent>[ \t]*)answer = None\b.*$", re.M)


def fill_in_solutions(text: str, name: str) -> str:
    """The source with the i-th ``answer = None`` line replaced by the i-th solution of ``name``."""
    if str(ROOT / "tools") not in sys.path:
        sys.path.insert(0, str(ROOT / "tools"))
    from solutions import SOLUTIONS
    sols = SOLUTIONS.get(name, [])
    found = len(ANSWER.findall(text))
    if found != len(sols):
        raise SystemExit(f"{name}: {found} exercise cells but {len(sols)} solutions in tools/solutions.py")
    it = iter(sols)

    def repl(m):
        expr, why = next(it)
        return f"{m.group('indent')}answer = {expr}   # solution: {why}"
    return ANSWER.sub(repl, text)


def solution_cells(src: Path) -> list[str]:
    """The exercise cells of ``src`` with tools/solutions.py's answers filled in, in order (kernel-free)."""
    nb = parse(fill_in_solutions(src.read_text(), src.stem))
    return [c.source for c in nb.cells if c.cell_type == "code" and re.search(r"^\s*answer = ", c.source, re.M)]


def is_correct(verdict: str) -> bool:
    """Whether an exercise check's printed verdict says the answer is correct."""
    return verdict.lstrip().startswith("✅")


def verdicts(nb) -> list:
    """``(cell index, text)`` of each exercise check's output in an executed notebook."""
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and re.search(r"^\s*answer = ", cell.source, re.M):
            texts = [o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", [])]
            out.append((i, texts[-1] if texts else ""))
    return out


# Run in the kernel after the last cell (the cell itself is not saved): every live ipympl canvas gets its
# figure as a PNG in its widget state, so static viewers (nbviewer, a saved HTML export, `jupyter nbconvert`)
# paint the explorers instead of showing empty boxes. Without a front end ipympl syncs `_data_url` itself;
# a canvas inside a box is never displayed on its own, so it never fills it (`_data_url` None, `_size` [0, 0]).
EMBED_CANVAS_IMAGES = """\
def _lrlab_embed_canvas_images():
    import base64, io
    from ipympl.backend_nbagg import Canvas
    from ipywidgets.widgets.widget import _instances
    n = 0
    for w in list(_instances.values()):
        if isinstance(w, Canvas):
            fig = w.figure
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi="figure")
            ratio = getattr(w, "device_pixel_ratio", 1) or 1
            w._size = (fig.get_figwidth() * fig.dpi / ratio, fig.get_figheight() * fig.dpi / ratio)
            w._data_url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
            n += 1
    return n
_lrlab_embed_canvas_images()
"""


def build(src: Path, execute: bool = True, timeout: int = 300, solutions: Path | None = None,
          discard_notebook_edits: bool = False) -> Path:
    out = (solutions or OUT) / (src.stem + ".ipynb")
    if solutions is None and not discard_notebook_edits and edited_by_hand(out):
        raise SystemExit(f"{out} was edited after its last build: move the edits into {src} (for example "
                         f"`jupytext --to py:percent {out}` and compare), or pass --discard-notebook-edits")
    text = src.read_text()
    if solutions is not None:
        text = fill_in_solutions(text, src.stem)
    nb = parse(text)
    nb.cells.insert(0, colab_cell())
    if execute:
        from nbclient import NotebookClient
        t0 = time.time()
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(OUT)}},
                                store_widget_state=True)
        nb.cells.append(nbformat.v4.new_code_cell(EMBED_CANVAS_IMAGES))
        client.execute()
        nb.cells.pop()
        print(f"{src.stem}: executed in {time.time() - t0:.1f} s")
        if solutions is not None:
            wrong = [(i, v) for i, v in verdicts(nb) if not v.startswith("✅")]
            if wrong:
                raise SystemExit(f"{src.stem}: a solution does not pass its check: {wrong}")
    nb.metadata["lrlab"] = {"source_digest": source_digest(nb)}
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return out


def update_prose(src: Path) -> Path:
    """Copy ``src``'s markdown cells into its committed notebook without executing anything.

    Allowed only when every code cell (source and tags) is unchanged but for whole-line comments, so the
    outputs stay exactly what the last execution wrote; otherwise the notebook must be rebuilt (executed).
    """
    def code(text: str) -> str:
        return "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    out = OUT / (src.stem + ".ipynb")
    if edited_by_hand(out):
        raise SystemExit(f"{out} was edited after its last build: move the edits into {src} first")
    nb = nbformat.read(out, as_version=4)
    want = expected_cells(src)
    # the Colab cell does nothing off Colab (so it changes no output here): it may change too
    shape = lambda cells: [(c.cell_type, code(c.source) if c.cell_type == "code" and COLAB_TAG not in
                            c.get("metadata", {}).get("tags", []) else None,
                            list(c.get("metadata", {}).get("tags", []))) for c in cells]
    if shape(nb.cells) != shape(want):
        raise SystemExit(f"{src.stem}: code cells changed since the last build; run "
                         f"`python tools/build_notebooks.py {src.stem[:2]}` to execute it")
    for cell, new in zip(nb.cells, want):
        cell.source = new.source
    nb.metadata["lrlab"] = {"source_digest": source_digest(nb)}
    nbformat.write(nb, out)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="prefixes of notebook names (default: all)")
    ap.add_argument("--no-execute", action="store_true")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--solutions", nargs="?", const=ROOT / "build" / "solutions", type=Path, metavar="DIR",
                    help="write instructors' copies with every exercise answered to DIR (default build/solutions) "
                         "and fail unless every check says correct")
    ap.add_argument("--prose", action="store_true",
                    help="only copy the markdown cells and code comments into the committed notebooks (refused if any code changed)")
    ap.add_argument("--discard-notebook-edits", action="store_true",
                    help="overwrite notebooks whose cells were edited by hand since their last build")
    args = ap.parse_args(argv)
    srcs = sorted(SRC.glob("*.py"))
    if args.names:
        srcs = [s for s in srcs if any(s.stem.startswith(n) for n in args.names)]
    if not srcs:
        sys.exit(f"no notebook sources match {args.names} in {SRC}")
    for s in srcs:
        if args.prose:
            print(f"{s.stem}: prose updated in {update_prose(s)}")
            continue
        build(s, execute=not args.no_execute, timeout=args.timeout, solutions=args.solutions,
              discard_notebook_edits=args.discard_notebook_edits)


if __name__ == "__main__":
    main()
