"""Feedback for the notebooks' exercises: a check tells right from wrong and hints."""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Feedback", "check_number_answer", "check_choice", "student_lrs"]


@dataclass(frozen=True)
class Feedback:
    """The verdict of an exercise check; shows as a coloured line in a notebook."""

    correct: bool
    message: str

    def __bool__(self):
        return self.correct

    def __repr__(self):
        return ("✅ " if self.correct else "❌ ") + self.message

    def _repr_html_(self):
        color = "#009E73" if self.correct else "#D55E00"
        mark = "✅ Correct" if self.correct else "❌ Not yet"
        return f'<div style="border-left:4px solid {color};padding:4px 10px"><b>{mark}.</b> {self.message}</div>'


def _real(name: str, value, low=None) -> float:
    """A finite real number (bools and strings refused), at least ``low``: an instructor's argument."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a finite real number, got {name}={value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {name}={value!r}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {name}={value!r}")
    return float(value)


def _text(name: str, value) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {name}={value!r}")


def check_number_answer(answer: object, expected: float, *, rtol: float = 0.05, hint: str = "", right: str = "",
                        digits: int | None = None, at_most: float | None = None, beyond: str = "") -> Feedback:
    """Right when ``answer`` is within ``rtol`` (relative) of ``expected``.

    ``digits``: also right when it is ``expected`` rounded to that many significant digits (or more).
    ``at_most``: an answer above it is wrong however close (a "largest lr that converges" must not
    diverge); answers rounded to three or four digits get a relative slack of 1e-3. ``beyond`` says why.
    """
    expected = _real("expected", expected)
    rtol = _real("rtol", rtol, low=0.0)
    if rtol > 1.0:
        raise ValueError(f"rtol must be in [0, 1] (a relative tolerance), got rtol={rtol!r}")
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17):
        raise ValueError(f"digits must be None or an integer from 1 to 17, got digits={digits!r}")
    if at_most is not None:
        at_most = _real("at_most", at_most)
    for name, text in (("hint", hint), ("right", right), ("beyond", beyond)):
        _text(name, text)
    if isinstance(answer, bool):
        return Feedback(False, f"Answer with a number, got {answer!r}. {hint}")
    try:
        a = float(answer)
    except (TypeError, ValueError):
        return Feedback(False, f"Answer with a number, got {answer!r}. {hint}")
    if answer is None or math.isnan(a):
        return Feedback(False, f"Replace the placeholder with your number. {hint}")
    if at_most is not None and a > at_most * (1 + 1e-3):
        return Feedback(False, f"{a:.4g} is past the limit: {beyond or 'too large'}. {hint}")
    if digits is not None and expected != 0 and math.isfinite(a):
        unit = 10.0 ** (math.floor(math.log10(abs(expected))) - digits + 1)
        if abs(a - expected) <= 0.5 * unit * (1 + 1e-9):
            return Feedback(True, right or f"{a:.4g} is right (exact value {expected:.4g}).")
    if math.isclose(a, expected, rel_tol=rtol):
        return Feedback(True, right or f"{a:.4g} is right (exact value {expected:.4g}).")
    direction = "too large" if a > expected else "too small"
    return Feedback(False, f"{a:.4g} is {direction}. {hint}")


def check_choice(answer: object, expected: str, *, choices: Iterable[str], hint: str = "",
                 right: str = "") -> Feedback:
    """Right when ``answer`` (a string, case-insensitive) is ``expected``."""
    if isinstance(choices, (str, bytes)) or not hasattr(choices, "__iter__"):
        raise TypeError(f"choices must be a list of strings, got {choices!r}")
    choices = list(choices)
    if not choices or not all(isinstance(c, str) for c in choices):
        raise TypeError(f"choices must be a non-empty list of strings, got {choices!r}")
    if not isinstance(expected, str) or expected.lower() not in [c.lower() for c in choices]:
        raise ValueError(f"expected must be one of the choices {choices}, got expected={expected!r}")
    _text("hint", hint)
    _text("right", right)
    if not isinstance(answer, str) or answer.strip().lower() not in [c.lower() for c in choices]:
        return Feedback(False, f"Answer with one of {list(choices)}, got {answer!r}.")
    if answer.strip().lower() == expected.lower():
        return Feedback(True, right or f"Yes: {expected}.")
    return Feedback(False, hint or f"Not {answer!r}. Look again.")


def student_lrs(fn: object, name: str, ts: Iterable[int], *, nonnegative: bool = False,
                placeholder: str = "the lr of step t") -> tuple[list[float], None] | tuple[None, Feedback]:
    """Call a student's ``t -> lr`` function ``fn`` (shown as ``name``) at every ``t`` of ``ts``.

    Returns ``(values, None)``, the lrs as a list of floats, or ``(None, feedback)`` saying what is off:
    not a function, an exception, ``None`` (the placeholder left in: replace it with ``placeholder``),
    not one number, or, with
    ``nonnegative``, a value that is not a finite number >= 0. The student's code never crashes the cell.
    """
    if not callable(fn):
        return None, Feedback(False, f"Pass your function itself ({name}, no parentheses), got {fn!r}.")
    values = []
    for t in ts:
        try:
            v = fn(t)
        except Exception as exc:                          # the student's code: report, never crash the cell
            return None, Feedback(False, f"{name}({t}) raised {type(exc).__name__}: {exc}")
        if v is None:
            return None, Feedback(False, f"{name}({t}) returned None: replace the placeholder with {placeholder}.")
        try:
            v = float(v)
        except (TypeError, ValueError):
            return None, Feedback(False, f"{name}({t}) returned {v!r}; it should return one number, the lr at step t.")
        if nonnegative and not (math.isfinite(v) and v >= 0):
            return None, Feedback(False, f"{name}({t}) = {v!r}: a learning rate is a finite number >= 0.")
        values.append(v)
    return values, None
