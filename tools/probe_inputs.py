"""Probe every public function of lrlab's layers 1-4 with bad and edge inputs, as a new user would.

    python tools/probe_inputs.py            # totals per outcome, then every bad case
    python tools/probe_inputs.py -v         # also every accepted case and why it is fine

For each public function and method (``__all__`` of steppers, schedules, losses, theory, data,
loop, diagnostics, plotting, pytorch, plus the methods of the objects they return), a valid
baseline call is made, then each argument in turn is replaced by a bad value: negative, zero,
NaN, inf, huge, the wrong type (string, numeric string, bool, None, complex, an object), the
wrong shape, empty. A second part gives ``lrlab.run`` user losses whose ``value``, ``grad``,
``value_and_grad`` or ``sample_grad`` return something wrong (at the first call or later); a
third checks results at the extremes that must come out a certain way (divergence flags, regimes).

Each outcome is one of:

    clear error        TypeError/ValueError raised by lrlab whose message names the argument
    accepted (valid)   no error, no warning, and the value is a legitimate input there
                       (every such case is listed in ACCEPTED below with the reason)
    crash in library   an exception from inside numpy/torch/matplotlib/Python (bad)
    unclear error      lrlab raised, but the message does not name the argument, or an
                       exception type other than TypeError/ValueError (bad)
    silent acceptance  nonsense accepted without error (bad)
    leaked warning     a warning reached the caller (bad)
    wrong result       a documented result is wrong, or a failed call changed a model (bad)
    unreviewed         accepted, but not (yet) listed in ACCEPTED: look at it (bad)

Everything runs in this process with an address-space limit and a per-call alarm, so a huge
allocation or a hang is reported instead of taking the machine down. Nothing is downloaded.
"""
from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import inspect
import math
import os
import re
import resource
import signal
import sys
import traceback
import warnings
from collections import Counter

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("MPLBACKEND", "Agg")

import lrlab  # noqa: E402
import lrlab.types  # noqa: E402
from lrlab import diagnostics, losses, schedules, steppers, theory  # noqa: E402

LRLAB_DIR = os.path.dirname(os.path.abspath(lrlab.__file__)) + os.sep
PROBE_FILE = os.path.abspath(__file__)

GOOD = ("clear error", "accepted (valid)")
BAD_OUTCOMES = ("crash in library", "unclear error", "silent acceptance", "leaked warning",
                "wrong result", "unreviewed")


class _Opaque:
    def __repr__(self):
        return "<object>"


BAD_VALUES = [
    ("negative", -1), ("negative float", -0.5), ("zero", 0), ("nan", math.nan), ("inf", math.inf),
    ("-inf", -math.inf), ("huge", 1e300), ("huge int", 10 ** 30), ("string", "abc"),
    ("numeric string", "0.1"), ("bool", True), ("None", None), ("complex", 1 + 2j),
    ("empty list", []), ("empty array", np.zeros(0)), ("ragged", [[1.0, 2.0], [3.0]]),
    ("wrong shape", np.ones((2, 3, 4))), ("object", _Opaque()),
]
NONSENSE = {"string", "numeric string", "complex", "ragged", "object"}


# --------------------------------------------------------------------------- targets

def _quad():
    return losses.quadratic([1.0, 10.0])


def _traj(batch=False):
    return lrlab.run(_quad(), x0=[1.0, 1.0], lr=[0.05, 0.1] if batch else 0.05, num_steps=20)


def _ls():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 2))
    return X, X @ np.array([1.0, -2.0]) + 0.1 * rng.standard_normal(20)


def _torch_setup():
    import torch
    from torch import nn

    from lrlab import pytorch as lp
    model = lp.small_mlp(3, hidden=(4,), seed=0)
    g = torch.Generator().manual_seed(0)
    X = torch.randn(16, 3, generator=g)
    y = torch.randn(16, 1, generator=g)
    return lp, torch, nn, model, X, y


def _targets():
    """(qualname, make) pairs; make() -> (callable, baseline kwargs, model or None)."""
    T = []

    def add(name, make):
        T.append((name, make))

    for n in steppers.__all__:
        f = getattr(steppers, n)
        if not inspect.isclass(f):
            add(f"steppers.{n}", lambda f=f, n=n: (f, dict(loss=_quad()) if n == "newton" else {}, None))
    S = schedules
    base = {
        "step_lr": dict(base_lr=0.1, step_size=3), "multistep_lr": dict(base_lr=0.1, milestones=[2, 5]),
        "exponential_lr": dict(base_lr=0.1, gamma=0.9), "cosine_annealing_lr": dict(base_lr=0.1, T_max=10),
        "cosine_annealing_warm_restarts": dict(base_lr=0.1, T_0=5),
        "cyclic_lr": dict(base_lr=0.01, max_lr=0.1, step_size_up=4),
        "one_cycle_lr": dict(max_lr=0.1, total_steps=60), "linear_lr": dict(base_lr=0.1),
        "polynomial_lr": dict(base_lr=0.1), "constant_lr": dict(base_lr=0.1),
        "sequential_lr": dict(schedulers=[S.linear_lr(0.1), S.cosine_annealing_lr(0.1, 10)], milestones=[3]),
    }
    for n, kw in base.items():
        add(f"schedules.{n}", lambda n=n, kw=kw: (getattr(S, n), dict(kw), None))
    add("Schedule.__call__", lambda: (S.cosine_annealing_lr(0.1, 10).__call__, dict(t=3), None))
    add("Schedule.values", lambda: (S.cosine_annealing_lr(0.1, 10).values, dict(num_steps=5), None))

    X, y = _ls()
    L = losses
    for n, kw in {"quadratic": dict(A=[1.0, 10.0]), "Quadratic": dict(A=[[2.0, 0.5], [0.5, 1.0]]),
                  "rosenbrock": {}, "Rosenbrock": {}, "quartic": {}, "Quartic": {},
                  "Curve1D": dict(k=1.0, c=0.0), "two_wells": {}, "plateau": {},
                  "least_squares": dict(X=X, y=y), "LeastSquares": dict(X=X, y=y, batch_size=4)}.items():
        add(f"losses.{n}", lambda n=n, kw=kw: (getattr(L, n), dict(kw), None))
    for n, make, x in [("quadratic", _quad, [1.0, 1.0]), ("rosenbrock", L.rosenbrock, [0.5, 0.5]),
                       ("two_wells", L.two_wells, [0.3]), ("quartic", L.quartic, [0.3]),
                       ("least_squares", lambda: L.least_squares(*_ls()), [0.1, 0.1])]:
        for meth in ("value", "grad", "value_and_grad"):
            add(f"losses.{n}().{meth}", lambda make=make, meth=meth, x=x: (
                getattr(make(), meth), {next(iter(inspect.signature(getattr(make(), meth)).parameters)): x}, None))

    add("theory.eigenvalues", lambda: (theory.eigenvalues, dict(loss=_quad()), None))
    add("theory.critical_lr", lambda: (theory.critical_lr, dict(loss=_quad()), None))
    add("theory.optimal_lr", lambda: (theory.optimal_lr, dict(loss=_quad()), None))
    add("theory.convergence_rate", lambda: (theory.convergence_rate, dict(loss=_quad(), lr=0.1), None))
    add("theory.optimal_momentum", lambda: (theory.optimal_momentum, dict(loss=_quad()), None))
    add("theory.steps_to_tolerance", lambda: (theory.steps_to_tolerance, dict(loss=_quad(), lr=0.1, tol=1e-6), None))
    add("theory.expected_regime", lambda: (theory.expected_regime,
                                           dict(loss=_quad(), x0=[1.0, 1.0], lr=0.1, num_steps=50), None))
    add("theory.curvature", lambda: (theory.curvature, dict(loss=_quad(), direction=[1.0, 1.0]), None))
    add("theory.newton_lr", lambda: (theory.newton_lr, dict(loss=losses.rosenbrock(), direction=[1.0, 0.0],
                                                            x=[0.5, 0.5]), None))
    add("theory.exact_line_search_lr", lambda: (theory.exact_line_search_lr, dict(loss=_quad(), x=[1.0, 1.0]), None))
    from lrlab import linesearch as LS
    add("linesearch.armijo", lambda: (LS.armijo, dict(loss=_quad(), x=[1.0, 1.0], direction=[-1.0, 0.0]), None))
    add("linesearch.armijo_condition", lambda: (LS.armijo_condition, dict(loss=_quad(), x=[1.0, 1.0], lr=0.1), None))
    add("linesearch.polyak_lr", lambda: (LS.polyak_lr, dict(loss=_quad(), x=[1.0, 1.0], max_lr=0.5), None))
    add("linesearch.run_line_search", lambda: (LS.run_line_search, dict(loss=_quad(), x0=[1.0, 1.0], num_steps=5),
                                               None))
    add("linesearch.run_polyak", lambda: (LS.run_polyak, dict(loss=_quad(), x0=[1.0, 1.0], num_steps=5), None))
    add("theory.MinibatchSGD", lambda: (theory.MinibatchSGD, dict(X=X, y=y), None))
    mb = lambda: theory.MinibatchSGD(X, y)  # noqa: E731
    for meth, kw in [("variance_factor", dict(B=4)), ("second_moment_operator", dict(lr=0.05, B=4)),
                     ("stable", dict(lr=0.05, B=4)), ("critical_lr", dict(B=4)),
                     ("floor", dict(lr=0.05, B=4)), ("floor_small_lr", dict(lr=0.05, B=4)),
                     ("expected_gap", dict(e0=[1.0, 1.0], lr=0.05, B=4, num_steps=10))]:
        add(f"theory.MinibatchSGD.{meth}", lambda meth=meth, kw=kw: (getattr(mb(), meth), dict(kw), None))

    from lrlab import data
    for n, kw in {"digits": {}, "linear_regression": {}, "split": dict(X=X, y=y), "spirals": {},
                  "standardize": dict(X=X), "train_test_split_digits": {}}.items():
        add(f"data.{n}", lambda n=n, kw=kw: (getattr(data, n), dict(kw), None))

    add("run", lambda: (lrlab.run, dict(loss=_quad(), x0=[1.0, 1.0], lr=0.1, num_steps=20), None))
    D = diagnostics
    lrs = np.geomspace(1e-4, 1.0, 30)
    curve = 1.0 / (1.0 + np.arange(30.0))
    for n, kw in {
        "path_shape": lambda: dict(traj=_traj(True)), "progress": lambda: dict(traj=_traj(True)),
        "analyze_lr_range": lambda: dict(lrs=lrs, losses=curve),
        "suggest_lr": lambda: dict(lrs=lrs, smoothed=curve),
        "lr_range_test": lambda: dict(loss=_quad(), x0=[1.0, 1.0], num_iter=20),
        "update_to_weight_ratio": lambda: dict(traj=_traj()),
        "sharpness": lambda: dict(loss=losses.rosenbrock(), x=[0.5, 0.5], iters=5),
        "MovingAverage": lambda: {}, "moving_average": lambda: dict(values=curve),
        "trailing_mean": lambda: dict(values=curve, k=3), "first_step_below": lambda: dict(values=curve, level=0.5),
        "read_loss_curve": lambda: dict(loss=curve), "jump_share": lambda: dict(loss=curve),
        "minibatch_regime": lambda: dict(sgd_traj=_traj(), gd_traj=_traj()),
        "average_iterates": lambda: dict(traj=_traj(), start=1),
        "ema_iterates": lambda: dict(traj=_traj(), decay=0.9, start=1),
    }.items():
        add(f"diagnostics.{n}", lambda n=n, kw=kw: (getattr(D, n), kw(), None))
    add("diagnostics.MovingAverage.update", lambda: (D.MovingAverage().update, dict(value=1.0), None))

    def plot(n, kw):
        def make():
            import matplotlib.pyplot as plt

            from lrlab import plotting
            fig, ax = plt.subplots()
            args = kw(ax, fig)
            return getattr(plotting, n), args, None
        return make
    one_d = lambda: lrlab.run(losses.two_wells(), x0=[0.3], lr=0.05, num_steps=10)  # noqa: E731
    for n, kw in {
        "figure": lambda ax, fig: {}, "use_style": lambda ax, fig: {}, "style": lambda ax, fig: {},
        "png_bytes": lambda ax, fig: dict(fig=fig), "show": lambda ax, fig: dict(fig=fig),
        "loss_curve": lambda ax, fig: dict(traj=_traj(True), ax=ax), "gap": lambda ax, fig: dict(traj=_traj()),
        "curve_1d": lambda ax, fig: dict(loss=losses.two_wells(), ax=ax),
        "path_1d": lambda ax, fig: dict(loss=losses.two_wells(), traj=one_d(), ax=ax),
        "contour": lambda ax, fig: dict(loss=_quad(), ax=ax), "path_2d": lambda ax, fig: dict(traj=_traj(), ax=ax),
        "theory_lines": lambda ax, fig: dict(ax=ax, loss=_quad()),
        "lr_ruler": lambda ax, fig: dict(ax=ax, lr_min=1e-3, lr_max=1.0),
        "lr_map": lambda ax, fig: dict(lrs=lrs, final=curve, ax=ax),
        "small_multiples": lambda ax, fig: dict(traj=_traj(True), loss=_quad()),
        "schedule_curves": lambda ax, fig: dict(schedules={"cosine": schedules.cosine_annealing_lr(0.1, 10)}, num_steps=20, ax=ax),
        "regime_badge": lambda ax, fig: dict(regime="slow"),
    }.items():
        add(f"plotting.{n}", plot(n, kw))

    def torch_target(n, kw):
        def make():
            lp, torch, nn, model, Xt, yt = _torch_setup()
            return getattr(lp, n), kw(lp, torch, nn, model, Xt, yt), model
        return make
    for n, kw in {
        "small_mlp": lambda lp, torch, nn, m, X, y: dict(in_features=3, hidden=(4,)),
        "train": lambda lp, torch, nn, m, X, y: dict(model=m, loss_fn=nn.MSELoss(), data=(X, y),
                                                     optimizer=torch.optim.SGD(m.parameters(), lr=0.01), num_steps=3),
        "find_lr": lambda lp, torch, nn, m, X, y: dict(model=m, loss_fn=nn.MSELoss(), data=(X, y), num_iter=5),
        "accuracy": lambda lp, torch, nn, m, X, y: dict(model=m, X=X, y=(y > 0).long().reshape(-1)),
        "top_eigenvalue": lambda lp, torch, nn, m, X, y: dict(model=m, loss_fn=nn.MSELoss(), X=X, Y=y, iters=2),
        "FlatParamsLoss": lambda lp, torch, nn, m, X, y: dict(model=m, loss_fn=nn.MSELoss(), X=X, Y=y),
    }.items():
        add(f"pytorch.{n}", torch_target(n, kw))
    _widget_targets(add)
    return T


def _widget_problem():
    from lrlab.panels import Problem
    return Problem(_quad(), [1.0, 1.0], 20)


def _widget_explorer(**kw):
    """A small explorer with one slider and one choice control, two panels and two presets."""
    from lrlab.explorer import Choice, Explorer, Slider
    args = dict(setup=_widget_problem(), lr=0.1, panels=("path", "loss"),
                controls={"k": Slider(2.0, 1.0, 5.0), "c": Choice(("a", "b"))},
                presets={"good": 0.1, "both": {"lr": 0.2, "c": "b"}})
    args.update(kw)
    return Explorer(**args)


def _widget_targets(add):
    """Layers 5-7: the control specs and widget helpers, Problem, the Explorer and its public methods,
    the exercises' checks and every lesson explorer factory (arguments as a notebook would pass them)."""
    from lrlab import exercises, lessons, panels, widgets
    from lrlab.explorer import Explorer
    add("panels.Problem", lambda: (panels.Problem, dict(loss=_quad(), x0=[1.0, 1.0], num_steps=20), None))
    add("widgets.Slider", lambda: (widgets.Slider, dict(value=2.0, min=1.0, max=5.0), None))
    add("widgets.Slider(log)", lambda: (widgets.Slider, dict(value=2.0, min=1.0, max=5.0, log=True), None))
    add("widgets.Choice", lambda: (widgets.Choice, dict(options=("a", "b")), None))
    def slider_start(kappa=20.0):          # as a lesson factory passes its argument: the error names it
        return widgets.Slider(20.0, 1.0, 1000.0, log=True).with_value("kappa", kappa)

    def choice_start(batch_size=16):
        return widgets.Choice((1, 4, 16, 64)).with_value("batch_size", batch_size)

    add("widgets.Slider.with_value", lambda: (slider_start, dict(kappa=50.0), None))
    add("widgets.Choice.with_value", lambda: (choice_start, dict(batch_size=4), None))
    def choice_named(name="B"):
        return widgets.Choice((1, 4)).with_value(name, 4)

    add("widgets.Choice.with_value(name=)", lambda: (choice_named, dict(name="B"), None))
    add("widgets.build_control", lambda: (widgets.build_control, dict(name="k", spec=widgets.Slider(2.0, 1.0, 5.0)),
                                          None))
    add("widgets.lr_slider", lambda: (widgets.lr_slider, dict(value=0.1, lr_min=1e-3, lr_max=1.0), None))
    add("widgets.snap_to_slider", lambda: (widgets.snap_to_slider,
                                           dict(slider=widgets.lr_slider(0.1, 1e-3, 1.0), value=0.1), None))
    add("widgets.theory_text", lambda: (widgets.theory_text, dict(loss=_quad()), None))
    add("widgets.preset_buttons", lambda: (widgets.preset_buttons, dict(presets={"a": 0.1}, on_click=print), None))
    add("explorer.Explorer", lambda: (Explorer, dict(setup=_widget_problem(), lr=0.1, panels=("path", "loss"),
                                                     presets={"good": 0.1}), None))
    add("Explorer.set_lr", lambda: (_widget_explorer().set_lr, dict(lr=0.2), None))
    add("Explorer.set", lambda: (_widget_explorer().set, dict(lr=0.2), None))

    def set_k(k=2.0):
        return _widget_explorer().set(k=k)

    def set_c(c="a"):
        return _widget_explorer().set(c=c)

    def frame_k(k=2.0):
        return _widget_explorer().frame(k=k)

    add("Explorer.set(k=)", lambda: (set_k, dict(k=3.0), None))
    add("Explorer.set(c=)", lambda: (set_c, dict(c="b"), None))
    add("Explorer.apply_preset", lambda: (_widget_explorer().apply_preset, dict(preset=0.2), None))
    add("Explorer.apply_preset(name)", lambda: (_widget_explorer().apply_preset, dict(preset="both"), None))
    add("Explorer.frame", lambda: (_widget_explorer().frame, dict(lr=0.2), None))
    add("Explorer.frame(k=)", lambda: (frame_k, dict(k=3.0), None))
    add("exercises.check_number_answer", lambda: (exercises.check_number_answer, dict(answer=1.0, expected=1.0),
                                                  None))
    add("exercises.check_choice", lambda: (exercises.check_choice, dict(answer="a", expected="a",
                                                                        choices=["a", "b"]), None))
    for name, (_, module, factory) in lessons.EXPLORERS.items():
        def make(module=module, factory=factory):
            import importlib
            return getattr(importlib.import_module(f"lrlab.lessons.{module}"), factory), {}, None
        add(f"lessons.{module}.{factory}", make)


# --------------------------------------------------------------------------- running one call

def _exercise(result):
    """Use what a factory returned, so a bad argument that fails only later is found too."""
    if isinstance(result, schedules.Schedule):
        result.values(50)
        result(np.array([0, 7, 49]))
    elif isinstance(result, lrlab.types.Stepper):
        lrlab.run(losses.quadratic([1.0, 10.0]), result, x0=[1.0, 1.0], lr=0.05, num_steps=10)
    elif isinstance(result, lrlab.Trajectory):
        diagnostics.path_shape(result)
    elif type(result).__name__ == "Explorer":
        result.frame()
    elif type(result).__name__ == "Problem":
        result.run(0.1)
    elif hasattr(result, "value") and hasattr(result, "grad") and getattr(result, "dim", None):
        x0 = np.full(result.dim, 0.3)
        lrlab.run(result, x0=x0, lr=1e-3, num_steps=5)
    return result


_DEVNULL = open(os.devnull, "w")  # noqa: SIM115 - one for the whole probe
atexit.register(_DEVNULL.close)


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _model_state(model):
    if model is None:
        return None
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _same_state(a, b):
    import torch
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def call(fn, kwargs, seconds=20):
    """(exception or None, list of warnings, result)."""
    import matplotlib.pyplot as plt
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with contextlib.redirect_stdout(_DEVNULL):
                result = fn(**kwargs)
            exc = None
        except BaseException as err:       # noqa: BLE001 - we classify everything, KeyboardInterrupt aside
            if isinstance(err, KeyboardInterrupt):
                raise
            result, exc = None, err
        finally:
            signal.alarm(0)
            plt.close("all")
    return exc, [w for w in caught], result


def raised_where(exc) -> str:
    """'lrlab', 'user' (this probe's fake losses) or 'library', from the innermost frame."""
    tb = traceback.extract_tb(exc.__traceback__)
    if not tb:
        return "library"
    last = os.path.abspath(tb[-1].filename)
    if last.startswith(LRLAB_DIR):
        return "lrlab"
    if last == PROBE_FILE:
        return "user"
    return "library"


def names(exc, arg: str) -> bool:
    text = str(exc)
    return bool(re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", text))


def classify_error(exc, arg) -> str:
    if isinstance(exc, _Timeout):
        return "crash in library"       # a hang; reported with its own note
    where = raised_where(exc)
    if where == "library":
        return "crash in library"
    if isinstance(exc, (TypeError, ValueError)) and names(exc, arg):
        return "clear error"
    return "unclear error"


# --------------------------------------------------------------------------- what is legitimately accepted

def _accepted_reason(qual, arg, kind, value, default):
    """Why accepting ``value`` for ``arg`` is right, or None (then the case is 'unreviewed')."""
    num_kinds = {"negative", "negative float", "zero", "nan", "inf", "-inf", "huge", "huge int"}
    if kind == "bool" and (isinstance(default, bool) or arg in ("foreach", "fused")):
        return "a flag given a bool"
    if kind == "None" and default is None:
        return "None is the documented default"
    if qual.startswith("exercises.") and arg == "answer":
        return "a student's answer, whatever it is, gets feedback (checked: Feedback(correct=False)), not an error"
    if qual == "exercises.check_number_answer" and arg in ("expected", "at_most") and kind in num_kinds - {
            "nan", "inf", "-inf"}:
        return "any finite real can be the expected answer or the limit"
    if qual == "exercises.check_number_answer" and arg == "rtol" and kind == "zero":
        return "rtol=0: only the exact value (or its rounding, with digits=) is right"
    if kind in ("string", "numeric string") and arg in LABEL_OK:
        return "a label or message: any text is valid"
    if kind == "bool" and arg == "continuous":
        return "a flag given a bool (None means: as live)"
    if kind == "zero" and arg in ZERO_OK:
        return "0 is in the documented range"
    if kind in ("huge", "huge int", "inf") and arg in HUGE_OK:
        return "no upper bound is documented (a threshold, a curvature, a scale)"
    if kind in ("negative", "negative float") and arg in NEGATIVE_OK:
        return "a signed quantity"
    if kind in ("nan", "inf", "-inf", "huge", "negative", "negative float", "zero") and arg in CURVE_OK:
        return "a curve may hold any real value, NaN and inf (a run that blew up)"
    if kind in ("empty list", "empty array") and arg in EMPTY_OK:
        return "an empty sequence is valid there (no milestones, no hidden layers, ...)"
    if kind == "wrong shape" and qual.startswith("theory.") and arg in ("lr", "loss"):
        return "vectorized over lr / an array of eigenvalues of any shape (documented)"
    key = (qual, arg, kind)
    if key in SPECIFIC_OK:
        return SPECIFIC_OK[key]
    if kind not in num_kinds | NONSENSE and (qual, arg, "*") in SPECIFIC_OK:
        return SPECIFIC_OK[(qual, arg, "*")]
    return None


LABEL_OK = {"description", "title", "lr_description", "name", "hint", "right", "beyond", "label", "suptitle"}
ZERO_OK = {"momentum", "dampening", "weight_decay", "eps", "lr_decay", "initial_accumulator_value", "alpha",
           "eta_min", "base_lr", "max_lr", "lr", "x", "x0", "noise", "seed", "num_steps", "level",
           "progress", "smooth", "beta", "spiky", "t", "min_value", "center", "c", "k",
           "skip", "last_epoch", "test_fraction", "e0", "momentum", "a", "value", "lr_min", "wells", "steps",
           "power", "num_iter_zero", "final", "values", "losses", "smoothed", "loss", "y", "X", "A", "Y",
           "regime", "dpi", "turns", "start", "decay", "f_star"}
HUGE_OK = {"divergence_threshold", "A", "b", "a", "c", "k", "x", "x0", "center", "value", "level", "min_value",
           "values", "losses", "smoothed", "loss", "final", "y", "X", "Y", "e0", "lr_max", "diverge_factor",
           "noise", "scales", "max_lr", "base_lr", "eta_min", "end_lr", "gamma", "T_max", "T_0", "step_size",
           "step_size_up", "step_size_down", "total_iters", "seed", "last_epoch", "power", "div_factor",
           "final_div_factor", "jump", "tol", "t", "lr", "momentum", "weight_decay", "eps", "lr_decay",
           "initial_accumulator_value", "B", "num_steps_huge_no", "lr0", "f_star"}
NEGATIVE_OK = {"x", "x0", "center", "value", "level", "min_value", "values", "losses", "smoothed", "loss",
               "final", "y", "X", "Y", "c", "a", "k", "wells", "steps", "last_epoch_minus_one", "e0_no", "f_star"}
CURVE_OK = {"values", "losses", "smoothed", "loss", "final", "value"}
EMPTY_OK = {"milestones", "hidden", "wells", "steps", "titles", "labels", "colors", "schedules_no"}
SPECIFIC_OK = {
    **{("plotting.regime_badge", "progress", k): "the fraction of the loss gap closed is any real: below 0 when the "
       "loss rose, NaN or inf for a run that blew up; diagnostics.progress_text words each (NaN: nothing)"
       for k in ("negative", "negative float", "nan", "inf", "-inf", "huge", "huge int")},
    ("schedules.cyclic_lr", "step_size_down", "zero"): "documented >= 0: a sawtooth that drops at once, as torch allows",
    ("schedules.linear_lr", "end_factor", "zero"): "documented in [0, 1]: a linear decay to 0",
    ("losses.Curve1D", "name", "string"): "name is a label", ("losses.Curve1D", "name", "numeric string"): "a label",
    ("losses.quartic", "bounds", "None"): "None means the default window",
    ("losses.Curve1D", "bounds", "None"): "None means the default window",
    ("run", "lr", "wrong shape"): "a (2, 3, 4) batch of lrs broadcasts against one x0: 24 runs",
    ("linesearch.armijo_condition", "lr", "wrong shape"): "a (2, 3, 4) batch of lrs broadcasts against one x: 24 tests",
    ("diagnostics.average_iterates", "traj", "wrong shape"): "an array of iterates (T + 1, *batch, d): T = 1, batch 3, d = 4",
    ("diagnostics.ema_iterates", "traj", "wrong shape"): "an array of iterates (T + 1, *batch, d): T = 1, batch 3, d = 4",
    ("diagnostics.moving_average", "values", "empty list"): "an empty curve gives an empty average",
    ("diagnostics.trailing_mean", "values", "empty list"): "an empty curve gives an empty mean",
    ("diagnostics.first_step_below", "values", "wrong shape"): "a batch of curves (T + 1, *batch)",
    ("losses.Quartic", "bounds", "None"): "None means the default window",
    ("diagnostics.moving_average", "values", "empty array"): "an empty curve gives an empty average",
    ("diagnostics.trailing_mean", "values", "empty array"): "an empty curve gives an empty mean",
    ("diagnostics.trailing_mean", "values", "wrong shape"): "documented: along axis 0, a batch of curves",
    ("widgets.Slider", "min", "negative"): "a linear slider may start below zero",
    ("widgets.Slider", "min", "negative float"): "a linear slider may start below zero",
    ("widgets.Slider", "min", "zero"): "a linear slider may start at zero",
    ("widgets.Slider", "max", "huge"): "no upper bound is documented for a slider's range",
    ("widgets.Slider", "max", "huge int"): "no upper bound is documented for a slider's range",
    ("widgets.Slider(log)", "max", "huge"): "no upper bound is documented for a slider's range",
    ("widgets.Slider(log)", "max", "huge int"): "no upper bound is documented for a slider's range",
    ("widgets.Slider", "readout_format", "numeric string"): "'0.1' is a valid d3 format (zero-padded, 1 digit)",
    ("widgets.Slider(log)", "readout_format", "numeric string"):
        "'0.1' is a valid d3 format (zero-padded, 1 digit)",
    ("plotting.style", "presenter", "bool"): "a flag given a bool (None means: the current style)",
    ("plotting.path_1d", "color", "numeric string"): "'0.1' is a matplotlib colour: a grey level",
    ("plotting.path_2d", "color", "numeric string"): "'0.1' is a matplotlib colour: a grey level",
    ("plotting.theory_lines", "loss", "wrong shape"): "an array of eigenvalues of any shape (as in lrlab.theory)",
    ("plotting.lr_map", "loss", "wrong shape"): "an array of eigenvalues of any shape (as in lrlab.theory)",
    ("plotting.schedule_curves", "loss", "wrong shape"): "an array of eigenvalues of any shape (as in lrlab.theory)",
    ("plotting.regime_badge", "regime", "string"): "any word is a label (an explorer's own regime hook names "
                                                 "its verdicts); an unknown one is shown in neutral grey",
    ("plotting.regime_badge", "regime", "numeric string"): "any word is a label, shown as written in neutral grey",
}


# --------------------------------------------------------------------------- part 1: every argument

def probe_arguments(verbose):
    rows = []
    for qual, make in _targets():
        try:
            fn, base, model = make()
        except Exception as err:    # noqa: BLE001
            rows.append((qual, "(setup)", "baseline", "wrong result", f"could not set up: {err!r}"))
            continue
        exc, warns, _ = call(lambda: _exercise(fn(**base)), {})
        if exc is not None or warns:
            rows.append((qual, "(baseline)", "valid call", "wrong result",
                         f"the valid baseline call failed: {exc!r} {[str(w.message) for w in warns]}"))
            continue
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            continue
        for arg, p in params.items():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            default = base.get(arg, p.default)
            for kind, value in BAD_VALUES:
                if isinstance(default, np.ndarray) or isinstance(value, np.ndarray):
                    pass
                elif type(value) is type(default) and value == default:
                    continue
                fn, base, model = make()
                before = _model_state(model)
                kwargs = dict(base)
                kwargs[arg] = value
                exc, warns, result = call(lambda: _exercise(fn(**kwargs)), {})
                note = ""
                if exc is not None:
                    outcome = classify_error(exc, arg)
                    note = f"{type(exc).__name__}: {str(exc)[:160]}"
                    if isinstance(exc, _Timeout):
                        note = "no answer within 20 s"
                    if model is not None and outcome in GOOD and not _same_state(before, _model_state(model)):
                        outcome, note = "wrong result", "the failed call changed the model: " + note
                elif warns:
                    outcome = "leaked warning"
                    note = "; ".join(f"{w.category.__name__}: {str(w.message)[:120]}" for w in warns[:2])
                else:
                    reason = _accepted_reason(qual, arg, kind, value, p.default)
                    if qual.startswith("exercises.") and arg == "answer":
                        good = type(result).__name__ == "Feedback" and not result.correct
                        outcome, note = ("accepted (valid)", reason) if good else (
                            "wrong result", f"a bad answer was not told it is wrong: {result!r}")
                    elif kind in NONSENSE and reason is None:
                        outcome = "silent acceptance"
                    elif reason is None:
                        outcome = "unreviewed"
                    else:
                        outcome, note = "accepted (valid)", reason
                rows.append((qual, arg, kind, outcome, note))
    return rows


# --------------------------------------------------------------------------- part 2: a user's loss misbehaving

class UserLoss:
    """A 2-D quadratic written by a user; from call number ``after`` on, ``method`` returns ``bad(x)``."""

    def __init__(self, method, bad, after=0, with_vg=False, stochastic=False):
        self.method, self.bad, self.after, self.calls = method, bad, after, Counter()
        if with_vg:
            self.value_and_grad = self._value_and_grad
        if stochastic:
            self.sample_grad = self._sample_grad
            self.batch_size = 4

    def _maybe(self, name, x, good):
        k = self.calls[name]
        self.calls[name] += 1
        return self.bad(x) if name == self.method and k >= self.after else good

    def value(self, x):
        return self._maybe("value", x, 0.5 * np.sum(x * x, axis=-1))

    def grad(self, x):
        return self._maybe("grad", x, np.array(x))

    def _value_and_grad(self, x):
        return self._maybe("value_and_grad", x, (0.5 * np.sum(x * x, axis=-1), np.array(x)))

    def _sample_grad(self, x, t):
        return self._maybe("sample_grad", x, np.array(x))


def _bad_outputs(method):
    n_d = lambda x: x.shape  # noqa: E731
    if method == "value":
        return [("shape (n, 1)", lambda x: np.zeros(x.shape[:-1] + (1,)), "error"),
                ("shape (n + 1,)", lambda x: np.zeros(x.shape[0] + 1), "error"),
                ("scalar for 3 points", lambda x: 0.0 if x.shape[0] == 3 else np.zeros(x.shape[0]), "error3"),
                ("complex", lambda x: np.zeros(x.shape[:-1], complex), "error"),
                ("string", lambda x: "abc", "error"), ("None", lambda x: None, "error"),
                ("bools", lambda x: np.zeros(x.shape[:-1], bool), "error"),
                ("object", lambda x: _Opaque(), "error"),
                ("a list", lambda x: list(0.5 * np.sum(x * x, axis=-1)), "same"),
                ("ints", lambda x: np.zeros(x.shape[:-1], int), "ok"),
                ("NaN", lambda x: np.full(x.shape[:-1], np.nan), "diverged"),
                ("inf", lambda x: np.full(x.shape[:-1], np.inf), "diverged")]
    if method in ("grad", "sample_grad"):
        return [("shape (3,) for x (1, 2)", lambda x: np.zeros(3), "error"),
                ("shape (n, d + 1)", lambda x: np.zeros((x.shape[0], x.shape[1] + 1)), "error"),
                ("shape (d,)", lambda x: np.zeros(x.shape[-1]), "error3"),
                ("complex", lambda x: np.zeros(n_d(x), complex), "error"),
                ("string", lambda x: "abc", "error"), ("None", lambda x: None, "error"),
                ("ragged", lambda x: [[1.0], [1.0, 2.0]], "error"),
                ("a list", lambda x: [list(r) for r in x], "same"),
                ("NaN", lambda x: np.full(n_d(x), np.nan), "diverged")]
    return [("not a pair", lambda x: np.zeros(x.shape[0]), "error"),
            ("a triple", lambda x: (np.zeros(x.shape[0]), np.array(x), 0), "error"),
            ("None", lambda x: None, "error"),
            ("value of shape (n, 1)", lambda x: (np.zeros((x.shape[0], 1)), np.array(x)), "error"),
            ("grad of wrong dim", lambda x: (np.zeros(x.shape[0]), np.zeros((x.shape[0], 3))), "error"),
            ("a list pair", lambda x: [0.5 * np.sum(x * x, axis=-1), np.array(x)], "error")]


def probe_user_losses():
    rows = []
    reference = {b: lrlab.run(UserLoss(None, None), x0=np.ones((b, 2)) if b > 1 else [1.0, 1.0], lr=0.1, num_steps=6)
                 for b in (1, 3)}
    for method, extra in [("value", {}), ("grad", {}), ("value_and_grad", dict(with_vg=True)),
                          ("sample_grad", dict(stochastic=True))]:
        for label, bad, expect in _bad_outputs(method):
            for after in (0, 3):
                batch = 3 if expect == "error3" else 1
                x0 = np.ones((3, 2)) if batch == 3 else [1.0, 1.0]
                loss = UserLoss(method, bad, after=after, **extra)
                exc, warns, traj = call(lambda: lrlab.run(loss, x0=x0, lr=0.1, num_steps=6), {})
                qual, arg, kind = f"run(loss.{method} -> {label})", f"loss.{method}", f"from call {after}"
                if warns:
                    rows.append((qual, arg, kind, "leaked warning", str(warns[0].message)[:120]))
                elif expect in ("error", "error3"):
                    if exc is None:
                        rows.append((qual, arg, kind, "silent acceptance", "no error"))
                    else:
                        ok = raised_where(exc) == "lrlab" and isinstance(exc, (TypeError, ValueError)) \
                            and f"loss.{method}(x" in str(exc) and "shape" in str(exc)
                        rows.append((qual, arg, kind, "clear error" if ok else classify_error(exc, f"loss.{method}"),
                                     f"{type(exc).__name__}: {str(exc)[:160]}"))
                elif exc is not None:
                    rows.append((qual, arg, kind, classify_error(exc, arg), f"valid output refused: {exc!r}"[:200]))
                elif expect == "diverged":
                    first = after if method in ("value", "value_and_grad") else after + 1
                    good = bool(traj.diverged) and int(traj.diverged_at) == first
                    rows.append((qual, arg, kind, "accepted (valid)" if good else "wrong result",
                                 f"diverged={bool(traj.diverged)} at {int(traj.diverged_at)}, expected {first}"))
                else:
                    ref = reference[batch]
                    good = expect == "ok" or (np.array_equal(traj.params, ref.params) and np.array_equal(traj.loss, ref.loss))
                    if method == "sample_grad":
                        good = expect == "ok" or np.array_equal(traj.params, ref.params)
                    rows.append((qual, arg, kind, "accepted (valid)" if good else "wrong result",
                                 "a valid output, same run" if good else "run differs from the reference"))
    return rows


# --------------------------------------------------------------------------- part 3: results at the extremes

def probe_results():
    rows = []

    def check(what, fn, expect):
        exc, warns, result = call(fn, {})
        if exc is not None:
            rows.append((what, "-", "result", classify_error(exc, "-") if raised_where(exc) == "library"
                         else "wrong result", f"{type(exc).__name__}: {exc}"[:200]))
        elif warns:
            rows.append((what, "-", "result", "leaked warning", str(warns[0].message)[:120]))
        else:
            ok = expect(result)
            rows.append((what, "-", "result", "accepted (valid)" if ok else "wrong result", repr(result)[:160]))

    def check_refused(what, fn, arg):
        """Bad data inside an otherwise well-formed argument: a clear error naming ``arg``."""
        exc, warns, result = call(fn, {})
        if exc is not None:
            rows.append((what, arg, "bad data", classify_error(exc, arg), f"{type(exc).__name__}: {exc}"[:200]))
        elif warns:
            rows.append((what, arg, "bad data", "leaked warning", str(warns[0].message)[:120]))
        else:
            rows.append((what, arg, "bad data", "silent acceptance", " ".join(repr(result).split())[:160]))

    class InfAtStart:
        def value(self, x):
            return np.full(x.shape[:-1], np.inf)

        def grad(self, x):
            return np.array(x)

    class NanAtStart(InfAtStart):
        def value(self, x):
            return np.full(x.shape[:-1], np.nan)

    q = losses.quadratic
    check("loss inf at x0: diverged at 0", lambda: lrlab.run(InfAtStart(), x0=[1.0], lr=0.1, num_steps=5),
          lambda t: bool(t.diverged) and int(t.diverged_at) == 0)
    check("loss NaN at x0: diverged at 0", lambda: lrlab.run(NanAtStart(), x0=[1.0], lr=0.1, num_steps=5),
          lambda t: bool(t.diverged) and int(t.diverged_at) == 0)
    check("path_shape(loss inf at x0) == diverging",
          lambda: diagnostics.path_shape(lrlab.run(InfAtStart(), x0=[1.0], lr=0.1, num_steps=5)),
          lambda r: r == "diverging")
    check("quadratic([1e300]), lr=1: diverged at 1 (loss inf from t=1)",
          lambda: lrlab.run(q([1e300]), x0=[1.0], lr=1.0, num_steps=5),
          lambda t: bool(t.diverged) and int(t.diverged_at) == 1)
    check("quadratic([1e300]) at lr=0: not diverged (loss stays 5e299)",
          lambda: lrlab.run(q([1e300]), x0=[1.0], lr=0.0, num_steps=5), lambda t: not bool(t.diverged))
    check("lr = 2.5/L on a quadratic: diverging",
          lambda: diagnostics.path_shape(lrlab.run(q([1.0]), x0=[1.0], lr=2.5, num_steps=60)),
          lambda r: r == "diverging")
    check("scalar-only schedule callable works",
          lambda: lrlab.run(q([1.0]), x0=[1.0], lr=lambda t: 0.1 if t < 5 else 0.01, num_steps=8).lr,
          lambda lr: np.array_equal(lr, [0.1] * 5 + [0.01] * 3))
    check("run(num_steps=0, lr=<schedule>)",
          lambda: lrlab.run(q([1.0]), x0=[1.0], lr=schedules.cosine_annealing_lr(0.1, 10), num_steps=0),
          lambda t: t.num_steps == 0 and t.lr.shape == (0,))
    check("path_shape and progress of a 0-step run: monotone, 0",
          lambda: (lambda t: (diagnostics.path_shape(t), diagnostics.progress(t)))(
              lrlab.run(q([1.0]), x0=[1.0], lr=0.1, num_steps=0)),
          lambda r: r == ("monotone", 0.0))
    check("batched run == single runs, bit for bit",
          lambda: (lrlab.run(q([1.0, 3.0]), x0=[1.0, 1.0], lr=[0.1, 0.7], num_steps=30),
                   lrlab.run(q([1.0, 3.0]), x0=[1.0, 1.0], lr=0.7, num_steps=30)),
          lambda r: np.array_equal(r[0].params[:, 1], r[1].params))
    check("divergence_threshold=1e300 still flags an inf loss",
          lambda: lrlab.run(q([1e300]), x0=[1.0], lr=1.0, num_steps=5, divergence_threshold=1e300),
          lambda t: bool(t.diverged) and int(t.diverged_at) == 1)
    import dataclasses

    from lrlab import data
    check("path_shape(all-NaN loss, not flagged diverged) == diverging",
          lambda: diagnostics.path_shape(dataclasses.replace(_traj(), loss=np.full(21, np.nan))),
          lambda r: r == "diverging")
    X, y = _ls()
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    check_refused("least_squares(X with no features)", lambda: losses.least_squares(np.ones((5, 0)), np.ones(5)), "X")
    check_refused("standardize(X holding a NaN)", lambda: data.standardize(X_nan), "X")
    check_refused("standardize(reference holding a NaN)", lambda: data.standardize(X, reference=X_nan), "reference")
    check_refused("standardize(X with no rows)", lambda: data.standardize(np.zeros((0, 2))), "X")
    lp, torch, nn, model, Xt, yt = _torch_setup()
    Xt_nan = Xt.clone()
    Xt_nan[3, 1] = math.nan
    check_refused("pytorch.find_lr(data[0] holding a NaN)",
                  lambda: lp.find_lr(model, nn.MSELoss(), (Xt_nan, yt), num_iter=20), "data[0]")
    check("pytorch.find_lr blowing up at its first iterations still suggests an lr",
          lambda: lp.find_lr(model, nn.MSELoss(), (Xt, yt), start_lr=1e6, end_lr=1e8, num_iter=40),
          lambda r: r.diverged and 1e6 <= r.suggestion <= 1e8)
    check("suggest_lr on a falling curve is inside the lrs",
          lambda: diagnostics.suggest_lr(np.geomspace(1e-4, 1, 30), 1 / (1 + np.arange(30.0)))[0],
          lambda s: 1e-4 <= s <= 1)
    return rows


# --------------------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="also list accepted cases")
    ap.add_argument("--only", default="", help="probe only targets whose name contains this")
    args = ap.parse_args(argv)
    resource.setrlimit(resource.RLIMIT_AS, (6 * 2 ** 30, resource.RLIM_INFINITY))
    global _targets
    if args.only:
        full = _targets
        _targets = lambda: [t for t in full() if args.only in t[0]]  # noqa: E731
    rows = probe_arguments(args.verbose)
    if not args.only:
        rows += probe_user_losses() + probe_results()
    totals = Counter(r[3] for r in rows)
    print(f"probed {len(rows)} cases over {len({r[0] for r in rows})} functions/methods/scenarios")
    for outcome in GOOD + BAD_OUTCOMES:
        print(f"  {outcome:<18} {totals.get(outcome, 0):>5}")
    bad = [r for r in rows if r[3] in BAD_OUTCOMES]
    print(f"bad: {len(bad)}")
    for qual, arg, kind, outcome, note in bad:
        print(f"  [{outcome}] {qual}({arg}={kind}): {note}")
    if args.verbose:
        for qual, arg, kind, outcome, note in rows:
            if outcome == "accepted (valid)":
                print(f"  [ok] {qual}({arg}={kind}): {note}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
