"""What a page needs to compute an explorer itself: the explorer, its scene, loss and stepper as plain data.

``lrlab site`` puts an explorer on a page as data (:func:`explorer_spec`) plus the JavaScript of
``lrlab/site_js/`` (a port of lrlab's steppers, losses, loop, theory and texts), so every control is live
without Python. Only explorers the port covers are written this way (:func:`portable`): a
:class:`lrlab.panels.Problem` scene, the default runs/regime/stats/theory hooks and panels the page knows
how to draw. Any other explorer keeps the player of precomputed frames (:mod:`lrlab.site`).

The JSON written here holds NaN and infinities as the strings ``"nan"``, ``"inf"`` and ``"-inf"``
(:func:`to_json`); the page and the tests decode them.
"""
from __future__ import annotations

import itertools
import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from . import losses as L
from . import widgets
from .panels import LossPanel, MapPanel, PathPanel, Problem

if TYPE_CHECKING:
    from .explorer import Explorer
    from .types import Loss, Stepper

__all__ = ["loss_spec", "stepper_spec", "scene_spec", "explorer_spec", "portable", "to_json", "plain",
           "SCENE_SETUPS", "JS_HOOKS", "PANEL_KINDS"]

#: the stepper flags that choose a torch implementation and change nothing in lrlab
_IMPLEMENTATION = ("foreach", "fused", "capturable", "differentiable")


def plain(x: Any) -> Any:
    """``x`` with numpy scalars and arrays as Python numbers and lists, non-finite floats as strings."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return plain(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    return x


def to_json(x: Any) -> str:
    """Compact JSON of :func:`plain` ``(x)`` (floats written by repr: they read back to the same bits)."""
    return json.dumps(plain(x), separators=(",", ":"), allow_nan=False, ensure_ascii=False)


def loss_spec(loss: Loss, *, batches: int | None = None) -> dict:
    """A loss as data: what ``makeLoss`` of lrlab.js builds it from (``batches`` is ignored: the page draws
    a least-squares loss's minibatches itself, as numpy does)."""
    if isinstance(loss, L.Quadratic):
        out = {"kind": "quadratic", "center": loss.center, "bounds": loss.bounds}
        if loss._diagonal:
            out["curvatures"] = loss.curvatures
        else:
            out["matrix"] = loss.matrix
            out["eigenvalues"] = loss.eigenvalues
        return out
    if isinstance(loss, L.Rosenbrock):
        return {"kind": "rosenbrock", "a": loss.a, "b": loss.b, "bounds": loss.bounds}
    if isinstance(loss, L.Curve1D):
        return {"kind": "curve1d", "k": loss.k, "c": loss.c, "wells": loss.wells, "steps": loss.steps,
                "name": loss.name, "bounds": loss.bounds}
    if type(loss) is L.LeastSquares:
        # minibatches: the page draws LeastSquares.minibatch(t) itself (numpy's SeedSequence, PCG64 and
        # choice, ported to lrlab.js and checked by the fixtures), from the seed
        return {"kind": "least_squares", "X": loss.X, "y": loss.y, "minimizer": loss.minimizer,
                "min_value": loss.min_value, "eigenvalues": loss.eigenvalues, "batch_size": loss.batch_size,
                "seed": loss.seed, "bounds": loss.bounds}
    raise TypeError(f"no page version of the loss {type(loss).__name__}")


def stepper_spec(stepper: Stepper | None) -> dict | None:
    """A stepper as data: ``{"kind": "sgd", "hyperparams": {...}}`` (None: plain gradient descent)."""
    if stepper is None:
        return None
    kind = stepper.name.split("(")[0]
    hp = {k: v for k, v in stepper.hyperparams.items() if k not in _IMPLEMENTATION}
    return {"kind": kind, "hyperparams": hp}


def scene_spec(p: Problem, *, batches: int | None = None) -> dict:
    """A :class:`Problem` as data."""
    return {"loss": loss_spec(p.loss, batches=batches if batches is not None else p.num_steps + 1),
            "x0": np.asarray(p.x0, dtype=float), "num_steps": p.num_steps, "stepper": stepper_spec(p.stepper),
            "tol": p.tol, "title": p.title}


#: the panels a page draws, by class (lessons' own panels by their qualified name)
PANEL_KINDS = {PathPanel: "path", LossPanel: "loss", MapPanel: "map"}
_LESSON_PANELS = {"lrlab.lessons.momentum.RatePanel": "rate",
                  "lrlab.lessons.debugging.GradNormPanel": "gradnorm"}

#: explorers whose scene follows a slider: the JavaScript setup (lrlab/site_js/explorers.js SETUPS) that
#: rebuilds it from the control's value. tests/js checks each against the lesson's own setup.
SCENE_SETUPS = {"02 condition number": "kappa_bowl", "05 heavy ball": "heavy_ball"}
#: explorers with their own numbers line or theory line: the JavaScript version of those hooks
#: (lrlab/site_js/explorers.js HOOKS), checked against the lesson's by tests/js frame by frame
JS_HOOKS = {"00 exercise": "exercise", "05 heavy ball": "momentum", "06 optimizers": "optimizers"}


def _panel(p) -> dict | None:
    kind = PANEL_KINDS.get(type(p)) or _LESSON_PANELS.get(f"{type(p).__module__}.{type(p).__qualname__}")
    if kind is None:
        return None
    out = {"kind": kind, "name": p.name}
    if kind == "path":
        out.update(run=p.run, title=p.title, equal_aspect=p.equal_aspect)
    elif kind == "loss":
        out.update(run=p.run, ylim=list(p.ylim) if p.ylim else None)
    elif kind == "map":
        out.update(points=p.points)
    return out


def portable(ex: Explorer, name: str | None = None) -> bool:
    """Whether the page's JavaScript computes this explorer exactly as lrlab does."""
    from . import explorer as E
    if not isinstance(ex.scene, Problem) or type(ex.scene) is not Problem:
        return False
    if ex._runs_fn is not E._default_runs or ex._regime_fn is not E._default_regime:
        return False
    if (ex._stats_fn is not E.problem_stats or ex._theory_fn is not E._default_theory) and name not in JS_HOOKS:
        return False
    if any(_panel(p) is None for p in ex.panels.values()):
        return False
    try:
        loss_spec(ex.scene.loss)
    except TypeError:
        return False
    for spec in ex.specs.values():
        if isinstance(spec, widgets.Choice):
            if spec.params:
                return False
        elif not spec.live and name not in SCENE_SETUPS:
            return False
    return True


def _control(name: str, spec) -> dict:
    if isinstance(spec, widgets.Choice):
        return {"name": name, "kind": "choice", "options": list(spec.options), "value": spec.value,
                "description": spec.description or name, "style": spec.style, "live": spec.live}
    if spec.log:
        lo, hi = math.log10(spec.min), math.log10(spec.max)
        step = spec.step if spec.step is not None else (hi - lo) / 100
    else:
        lo, hi = spec.min, spec.max
        step = spec.step if spec.step is not None else ((1 if spec.integer else (spec.max - spec.min) / 100))
    return {"name": name, "kind": "slider", "log": spec.log, "min": spec.min, "max": spec.max, "lo": lo, "hi": hi,
            "step": step, "value": spec.value, "integer": spec.integer, "description": spec.description or name,
            "format": spec.readout_format or (".3g" if spec.log else ".2f"), "live": spec.live}


def _batch_size_data() -> dict:
    """Lesson 07's explorer as data: the lesson's least squares (the page draws its minibatches as numpy
    does), the start, the run length, and the exact theory of minibatch SGD (``theory.MinibatchSGD``): its
    matrices, from which the page solves the noise floor at any lr, and its stability limit per batch size
    (lrlab's bisection, written here)."""
    from .lessons import batch_size as b
    d, th = b.data(), b.data().theory
    return {"full": loss_spec(d.full), "x0": d.x0, "num_steps": b.BATCH_STEPS, "batch_sizes": list(b.BATCH_SIZES),
            "contours": loss_spec(d.as_quadratic), "n": th.n, "H": th.H, "sigma": th.sigma, "kAA": th._kAA,
            "kHH": th._kHH, "critical": {str(B): th.critical_lr(B) for B in b.BATCH_SIZES}, "L": d.full.L,
            "two_over_L": 2.0 / th.L}


#: explorers the page computes with code of their own (lrlab/site_js/explorers.js CUSTOM): name -> (kind, data)
CUSTOM = {"07 batch size": ("batch_size", _batch_size_data)}


def explorer_spec(name: str, ex: Explorer | None = None) -> dict | None:
    """Everything a page needs to run explorer ``name`` of :data:`lrlab.lessons.EXPLORERS` itself, or None if
    the page's JavaScript does not cover it (then the page shows precomputed frames)."""
    from .lessons import build_explorer
    ex = ex or build_explorer(name)
    if name in CUSTOM:
        kind, make = CUSTOM[name]
        out = _common(ex)
        out.update(name=name, custom=kind, data=make(), panels=[{"kind": p.name, "name": p.name}
                                                                 for p in ex.panels.values()])
        return out
    if not portable(ex, name):
        return None
    return _portable_spec(name, ex, _common(ex))


def _common(ex) -> dict:
    """The lr slider, the controls, their starting values and the presets (each as the explorer shows it)."""
    s = ex.slider
    start_lr, start_controls = float(ex.lr), ex.values()
    presets = []
    for label, row in ex.preset_rows.items():
        for pname, value in row.items():
            ex.apply_preset({})
            ex.apply_preset(value)
            presets.append({"row": label, "name": pname, "lr": float(ex.lr), "controls": ex.values()})
    ex.set(lr=start_lr, **start_controls)
    return {"lr": start_lr, "lr_min": ex.lr_range[0], "lr_max": ex.lr_range[1],
            "lr_slider": {"lo": s.min, "hi": s.max, "step": s.step, "steps": round((s.max - s.min) / s.step)},
            "lr_description": s.description, "controls": [_control(n, sp) for n, sp in ex.specs.items()],
            "values": start_controls, "presets": presets,
            "title": ex.fig._suptitle.get_text() if ex.fig._suptitle else None}


def _portable_spec(name, ex, out) -> dict:
    scenes = {}
    choices = [n for n, sp in ex.specs.items() if isinstance(sp, widgets.Choice) and not sp.live]
    for options in itertools.product(*(ex.specs[c].options for c in choices)) if choices else ():
        # a scene per combination of the scene-changing choices, keyed "option|option"
        scenes["|".join(map(str, options))] = scene_spec(ex._setup(**dict(zip(choices, options))))
    out.update(name=name, panels=[_panel(p) for p in ex.panels.values()], scene=scene_spec(ex.scene), scenes=scenes,
               scene_choices=choices, setup=SCENE_SETUPS.get(name), hooks=JS_HOOKS.get(name))
    return out
