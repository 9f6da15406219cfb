"""Every public function of lrlab has type hints on all its parameters and on its return value.

Public: the functions a module lists in ``__all__`` (every top-level name not starting with ``_`` when it has
no ``__all__``), and the methods of the classes it lists: those not starting with ``_``, plus ``__call__`` and
the parameters of ``__init__`` (its return needs no hint). The modules are ``lrlab/*.py`` and
``lrlab/lessons/__init__.py``, less those in ``SKIP``; the lessons' own modules are lesson code and are not
checked. Read from the source (ast), nothing is imported: no kernel, no ipywidgets, no torch.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "lrlab"
#: argument checks for lrlab's own use, the static site's test fixtures, and the command line (its functions
#: take argparse namespaces: hinted, but not held to it)
SKIP = {"_validation.py", "site_fixtures.py", "cli.py"}
MODULES = sorted(p for p in ROOT.glob("*.py") if p.name not in SKIP) + [ROOT / "lessons" / "__init__.py"]
#: dunder methods that are part of a class's public signature (``__init__``: its parameters only)
PUBLIC_DUNDERS = {"__init__", "__call__"}
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _top_level(body: list) -> list:
    """The statements of a module body, with those inside top-level ``if`` and ``try`` blocks."""
    out = []
    for node in body:
        if isinstance(node, ast.If):
            out += _top_level(node.body) + _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            out += _top_level(node.body) + _top_level(node.orelse) + _top_level(node.finalbody)
            for handler in node.handlers:
                out += _top_level(handler.body)
        else:
            out.append(node)
    return out


def _public_names(nodes: list):
    """The names in ``__all__`` (assigned, or extended with ``+=``), or None when the module has none."""
    names = None
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                value = list(ast.literal_eval(node.value))
                names = (names or []) + value if isinstance(node, ast.AugAssign) else value
    return None if names is None else set(names)


def _missing(fn, *, method: bool) -> list[str]:
    """The parameters of ``fn`` without a hint (``*args``, ``**kwargs`` too), and ``return`` if it has none."""
    a = fn.args
    params = a.posonlyargs + a.args
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)
    if method and not static and params:
        params = params[1:]                        # self, or cls
    missing = [p.arg for p in params + a.kwonlyargs if p.annotation is None]
    missing += [f"*{a.vararg.arg}"] if a.vararg is not None and a.vararg.annotation is None else []
    missing += [f"**{a.kwarg.arg}"] if a.kwarg is not None and a.kwarg.annotation is None else []
    if fn.returns is None and fn.name != "__init__":
        missing.append("return")
    return missing


def public_functions(path: Path) -> dict[str, list[str]]:
    """``{"function" or "Class.method": [parameters without a hint, "return"]}`` for the public ones of ``path``."""
    nodes = _top_level(ast.parse(path.read_text(encoding="utf-8")).body)
    listed = _public_names(nodes)

    def public(name: str) -> bool:
        return name in listed if listed is not None else not name.startswith("_")

    out = {}
    for node in nodes:
        if isinstance(node, FUNCTIONS) and public(node.name):
            out[node.name] = _missing(node, method=False)
        elif isinstance(node, ast.ClassDef) and public(node.name):
            for item in node.body:
                if isinstance(item, FUNCTIONS) and (not item.name.startswith("_") or item.name in PUBLIC_DUNDERS):
                    out[f"{node.name}.{item.name}"] = _missing(item, method=True)
    return out


def _module(path: Path) -> str:
    return ".".join(("lrlab",) + path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


@pytest.mark.parametrize("path", MODULES, ids=_module)
def test_every_public_function_is_hinted(path):
    bare = {name: m for name, m in public_functions(path).items() if m}
    assert not bare, ("add type hints (and a return hint) to these public functions:\n"
                      + "\n".join(f"  {_module(path)}:{name}  {', '.join(m)}" for name, m in sorted(bare.items())))


def test_the_modules_hold_the_public_api():
    counts = {_module(p): len(public_functions(p)) for p in MODULES}
    assert sum(counts.values()) > 200, counts                   # the walk finds the functions at all
    for module in ("lrlab.plotting", "lrlab.theory", "lrlab.losses", "lrlab.explorer"):
        assert counts[module] >= 10, counts


def test_the_checker_sees_a_missing_hint(tmp_path):
    src = tmp_path / "m.py"
    src.write_text(
        "from __future__ import annotations\n"
        "__all__ = ['f', 'g', 'C']\n"
        "def f(x: int, *args: int, y: str = '', **kw: float) -> int: ...\n"
        "def g(x, *args, y: int = 0, **kw): ...\n"
        "def h(x): ...\n"                                   # not in __all__: not public
        "class C:\n"
        "    def __init__(self, a, b: int): ...\n"
        "    def __call__(self, t: int): ...\n"
        "    def m(self, v: float) -> float: ...\n"
        "    @staticmethod\n"
        "    def s(v) -> int: ...\n"
        "    @classmethod\n"
        "    def k(cls, v: int) -> C: ...\n"
        "    @property\n"
        "    def p(self): ...\n"
        "    def _private(self, v): ...\n"
        "    def __repr__(self): ...\n")
    assert public_functions(src) == {"f": [], "g": ["x", "*args", "**kw", "return"], "C.__init__": ["a"],
                                     "C.__call__": ["return"], "C.m": [], "C.s": ["v"], "C.k": [],
                                     "C.p": ["return"]}
    src.write_text("def f(x: int) -> int: ...\ndef _g(x): ...\nclass _C:\n    def m(self, v): ...\n"
                   "if True:\n    def late(v) -> None: ...\n")
    assert public_functions(src) == {"f": [], "late": ["v"]}    # no __all__: the names without a leading _
