"""Feedback for the notebooks' exercises: a check tells right from wrong and hints."""
from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Feedback", "check_number_answer", "check_choice"]


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


def check_number_answer(answer, expected: float, *, rtol: float = 0.05, hint: str = "", right: str = "",
                        digits: int | None = None, at_most: float | None = None, beyond: str = "") -> Feedback:
    """Right when ``answer`` is within ``rtol`` (relative) of ``expected``.

    ``digits``: also right when it is ``expected`` rounded to that many significant digits (or more).
    ``at_most``: an answer above it is wrong however close (a "largest lr that converges" must not
    diverge); answers rounded to three or four digits get a relative slack of 1e-3. ``beyond`` says why.
    """
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


def check_choice(answer, expected: str, *, choices, hint: str = "", right: str = "") -> Feedback:
    """Right when ``answer`` (a string, case-insensitive) is ``expected``."""
    if not isinstance(answer, str) or answer.strip().lower() not in [c.lower() for c in choices]:
        return Feedback(False, f"Answer with one of {list(choices)}, got {answer!r}.")
    if answer.strip().lower() == expected.lower():
        return Feedback(True, right or f"Yes: {expected}.")
    return Feedback(False, hint or f"Not {answer!r}. Look again.")
