"""The test tiers (CONTRIBUTING.md).

``python -m pytest`` is the whole suite: the unit tests, nbval re-running every notebook in
``notebooks/`` and the real-browser tests. nbval's options live here rather than in ``addopts``, so a
contributor's fast loop (``python -m pytest tests -m "not slow and not browser"``) needs neither nbval nor
any other notebook or browser plugin installed.
"""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

#: nbval's settings for every run that collects notebooks (each notebook runs in pytest's own interpreter)
NBVAL_OPTIONS = {
    "nbval": True,
    "nbval_current_env": True,
    "nbval_sanitize_with": str(ROOT / "tests" / "nbval_sanitize.cfg"),
    "nbval_cell_timeout": 300,
}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    if config.pluginmanager.hasplugin("nbval"):
        for name, value in NBVAL_OPTIONS.items():
            if name == "nbval" and getattr(config.option, "nbval_lax", False):
                continue                                  # --nbval-lax asked for: leave it
            if name == "nbval_cell_timeout" and config.option.nbval_cell_timeout != 2000:
                continue                                  # a timeout given on the command line wins
            if name == "nbval_sanitize_with" and config.option.nbval_sanitize_with:
                continue
            setattr(config.option, name, value)
        # with -n N, each notebook's cells stay on one worker (they share one kernel)
        if getattr(config.option, "dist", "no") == "load":
            config.option.dist = "loadfile"


def pytest_collection_modifyitems(config, items):
    if config.pluginmanager.hasplugin("nbval") and any(Path(str(i.fspath)).suffix == ".ipynb" for i in items):
        _add_solution_items(items)
    browser_dir = ROOT / "tests" / "browser"
    for item in items:
        path = Path(str(item.fspath))
        if browser_dir in path.parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        elif path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)


def pytest_report_header(config):
    if not config.pluginmanager.hasplugin("nbval"):
        return ["nbval is not installed: notebooks/ is not executed (pip install -e \".[test]\" for the whole suite)"]
    return None


# --------------------------------------------------------------------------- the solutions, in nbval's kernel
class SolutionsItem(pytest.Item):
    """After nbval has run a notebook's last cell, in the same kernel: each exercise cell again, with the
    instructors' answer from tools/solutions.py filled in; every check must then say correct. So the
    solutions are tested without executing any notebook a second time."""

    def __init__(self, *, cells, **kwargs):
        super().__init__(**kwargs)
        self.cells = cells
        self.add_marker(pytest.mark.slow)

    def runtest(self):
        sys.path.insert(0, str(ROOT / "tools"))
        from build_notebooks import is_correct
        kc = self.parent.kernel.kc
        wrong = []
        for source in self.cells:
            texts, errors = [], []

            def hook(msg, texts=texts, errors=errors):
                kind, content = msg["header"]["msg_type"], msg["content"]
                if kind in ("execute_result", "display_data"):
                    texts.append(content["data"].get("text/plain", ""))
                elif kind == "stream":
                    texts.append(content["text"])
                elif kind == "error":
                    errors.append(f"{content['ename']}: {content['evalue']}")
            reply = kc.execute_interactive(source, timeout=300, output_hook=hook, allow_stdin=False,
                                           store_history=False)
            verdict = texts[-1] if texts else ""
            if reply["content"]["status"] != "ok" or not is_correct(verdict):
                wrong.append(f"{source}\n  -> {'; '.join(errors) or verdict or 'no verdict'}")
        if wrong:
            raise AssertionError("a solution in tools/solutions.py does not pass its check:\n"
                                 + "\n".join(wrong))

    def reportinfo(self):
        return self.path, None, f"{self.path.name}: the solutions pass their checks"


def _add_solution_items(items):
    sys.path.insert(0, str(ROOT / "tools"))
    from build_notebooks import SRC, solution_cells
    out = []
    for i, item in enumerate(items):
        out.append(item)
        parent = item.parent
        last_of_notebook = (parent is not None and parent.path.suffix == ".ipynb"
                            and (i + 1 == len(items) or items[i + 1].parent is not parent))
        src = SRC / (parent.path.stem + ".py") if last_of_notebook else None
        if src is not None and src.is_file():
            cells = solution_cells(src)
            if cells:
                out.append(SolutionsItem.from_parent(parent, name="solutions", cells=cells))
    items[:] = out
