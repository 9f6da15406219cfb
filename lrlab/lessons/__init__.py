"""The lessons: one module per notebook, holding its explorers (declared), its figures and its exercise checks.

:data:`EXPLORERS` lists every live widget of the collection; :func:`build_explorer` builds one by
name. The contract test (``tests/test_explorers.py``) builds each of them and the static export
precomputes their frames from the same list, so a new explorer is added here once.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..explorer import Explorer

__all__ = ["EXPLORERS", "build_explorer"]

#: name -> (notebook, lesson module, factory): every live widget of every notebook, in reading order
EXPLORERS = {
    "00 demo": ("00_start_here", "start_here", "demo_explorer"),
    "00 exercise": ("00_start_here", "start_here", "exercise_explorer"),
    "01 update rule": ("01_update_rule", "update_rule", "explorer"),
    "02 one curvature": ("02_too_high_too_low", "too_high_too_low", "explorer"),
    "02 condition number": ("02_too_high_too_low", "too_high_too_low", "kappa_explorer"),
    "02 two wells": ("02_too_high_too_low", "too_high_too_low", "wells_explorer"),
    "03 known answer": ("03_finding_a_good_lr", "finding_a_good_lr", "explorer"),
    "03 range test": ("03_finding_a_good_lr", "finding_a_good_lr", "range_test_explorer"),
    "04 schedule picker": ("04_schedules", "schedules", "schedule_picker"),
    "05 heavy ball": ("05_momentum", "momentum", "momentum_explorer"),
    "06 optimizers": ("06_adaptive_optimizers", "adaptive_optimizers", "optimizer_explorer"),
    "07 batch size": ("07_batch_size", "batch_size", "batch_size_explorer"),
    "08 gradient norm": ("08_debugging", "debugging", "explorer"),
    "09 features": ("09_beyond_the_lr", "beyond_the_lr", "explorer"),
    "10 capstone": ("10_capstone", "capstone", "explorer"),
}


def build_explorer(name: str, **kwargs: Any) -> Explorer:
    """Build the explorer ``name`` of :data:`EXPLORERS` (keyword arguments go to its factory)."""
    if name not in EXPLORERS:
        raise ValueError(f"name must be one of {list(EXPLORERS)}; got {name!r}")
    _, module, factory = EXPLORERS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), factory)(**kwargs)
