"""lrlab: see the learning rate at work.

A small numpy library of gradient-descent steppers (numerically torch.optim),
learning-rate schedules (torch.optim.lr_scheduler in closed form) and toy
losses, vectorized over many learning rates at once, plus the plotting and
widget code of the lrlab notebooks. ``import lrlab`` imports numpy only;
matplotlib, ipywidgets and torch load with the modules that need them.
"""
from importlib import import_module as _import_module

from . import diagnostics, linesearch, losses, schedules, steppers, theory
from .loop import Trajectory, run

__version__ = "0.1.0"
__all__ = ["run", "Trajectory", "losses", "steppers", "schedules", "theory", "diagnostics", "linesearch",
           "data", "plotting", "widgets", "pytorch"]

_LAZY = {"data", "plotting", "widgets", "pytorch"}


def __getattr__(name):
    if name in _LAZY:
        module = _import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'lrlab' has no attribute {name!r}")
