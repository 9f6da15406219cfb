"""How heavy the package is: lines of code per module, and how many of them check arguments.

    python tools/code_weight.py            # this tree's lrlab/
    python tools/code_weight.py OTHER/lrlab --top 10

A line counts when it is neither blank nor only a comment or a docstring. A line is an *argument check*
when it is part of
  * a call of a check of ``lrlab/_validation.py`` or of a ``_check_*`` helper
    (``lr = check_number("lr", lr, low=0)``),
  * an ``if`` whose body only raises ``TypeError`` or ``ValueError`` (the test and the raise),
  * a function named ``_check_*``, or anything in ``lrlab/_validation.py``.
(A lesson's public ``check_*`` judges a student's answer to an exercise: it is not counted.)
The core is the numerics: steppers, schedules, losses, theory and loop.
"""
from __future__ import annotations

import argparse
import ast
import io
import tokenize
from pathlib import Path

CORE = {"steppers.py", "schedules.py", "losses.py", "theory.py", "loop.py"}


def code_lines(text: str) -> set[int]:
    """Lines holding code: not blank, not only a comment, not a docstring."""
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                            tokenize.DEDENT, tokenize.ENDMARKER):
            lines.update(range(tok.start[0], tok.end[0] + 1))
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.difference_update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def _is_check_name(name: str, validation: set[str]) -> bool:
    """``_check_*`` helpers and the checks of ``lrlab/_validation.py``. A lesson's public ``check_*`` judges
    a student's answer to an exercise: not an argument check."""
    return name.startswith("_check_") or name in validation


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _raises_argument_error(stmt: ast.stmt) -> bool:
    if not isinstance(stmt, ast.Raise) or stmt.exc is None:
        return False
    exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
    return isinstance(exc, ast.Name) and exc.id in ("TypeError", "ValueError")


def check_lines(text: str, validation: set[str], whole_file: bool = False) -> set[int]:
    tree = ast.parse(text)
    if whole_file:
        return set(range(1, len(text.splitlines()) + 1))
    out: set[int] = set()
    for node in ast.walk(tree):
        span = None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("_check_"):
            span = (node.lineno, node.end_lineno)
        elif isinstance(node, ast.Call) and _is_check_name(_callee(node), validation):
            span = (node.lineno, node.end_lineno)
        elif isinstance(node, ast.If) and node.body and all(_raises_argument_error(s) for s in node.body) \
                and not node.orelse:
            span = (node.lineno, node.end_lineno)
        if span:
            out.update(range(span[0], span[1] + 1))
    return out


def weigh(pkg: Path) -> list[tuple[str, int, int]]:
    vfile = pkg / "_validation.py"
    validation = ({n.name for n in ast.parse(vfile.read_text()).body if isinstance(n, ast.FunctionDef)}
                  if vfile.is_file() else set())
    rows = []
    for p in sorted(pkg.rglob("*.py")):
        text = p.read_text(encoding="utf-8")
        code = code_lines(text)
        checks = code & check_lines(text, validation, whole_file=p.name == "_validation.py")
        rows.append((str(p.relative_to(pkg.parent)), len(code), len(checks)))
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("package", nargs="?", default=str(Path(__file__).resolve().parents[1] / "lrlab"))
    ap.add_argument("--top", type=int, default=12, help="list the modules with the most check lines")
    a = ap.parse_args(argv)
    pkg = Path(a.package)
    rows = weigh(pkg)
    total, checks = sum(r[1] for r in rows), sum(r[2] for r in rows)
    core = sum(r[1] for r in rows if Path(r[0]).name in CORE and Path(r[0]).parent.name == "lrlab")
    raw = sum(len(Path(pkg.parent, r[0]).read_text().splitlines()) for r in rows)
    print(f"{pkg}: {raw} lines in {len(rows)} files, {total} of code; core (steppers, schedules, losses, theory, "
          f"loop) {core}; argument checks {checks} ({100 * checks / total:.1f}%)")
    print(f"{'module':38} {'code':>6} {'checks':>7} {'share':>6}")
    for name, n, c in sorted(rows, key=lambda r: -r[2])[:a.top]:
        print(f"{name:38} {n:6d} {c:7d} {100 * c / max(n, 1):5.0f}%")


if __name__ == "__main__":
    main()
