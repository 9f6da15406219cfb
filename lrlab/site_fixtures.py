"""Fixtures from lrlab for the JavaScript port of the site (``lrlab/site_js/``): ``python -m lrlab.site_fixtures OUT.json``.

The JSON holds what lrlab computes: runs of every stepper on every toy loss (learning rates from 0 to
divergence, a schedule, an overflow to NaN, a tiny divergence threshold), lr grids and the lr slider's
grid and snapping, the lr map, the theory of quadratics, the regime labels, Python's number formats, and
for every explorer the page computes itself (:func:`lrlab.site_data.explorer_spec`) its frames: the run,
the regime label, the numbers line and the theory line at many settings of its controls and at each
preset. ``node --test tests/js/`` checks lrlab.js against it (tests/test_site_js.py runs both).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from . import data, diagnostics, losses, schedules, steppers, theory
from .explorer import View
from .loop import run
from .site_data import explorer_spec, loss_spec, plain, scene_spec, stepper_spec, to_json

__all__ = ["fixtures", "write"]

NUM_STEPS = 60


def _losses() -> dict:
    """name -> (loss, x0, lrs): the toy losses, each with lrs from 0 through its divergence."""
    from .lessons import adaptive_optimizers as a06, momentum as m05
    X, y, _ = data.linear_regression(n=64, d=2, noise=0.5, seed=0)
    X3, y3, _ = data.linear_regression(n=40, d=3, noise=0.3, seed=2)
    return {
        "quadratic 1-D": (losses.quadratic([4.0]), [1.5], [0.0, 0.01, 0.2, 0.25, 0.45, 0.5, 0.55, 3.0]),
        "quadratic 2-D": (losses.quadratic([0.05, 1.0]), [-1.5, 1.0], [0.0, 0.02, 1.0, 1.8, 2.0, 2.1]),
        "quadratic centred": (losses.quadratic([1.0, 10.0], center=[0.5, -0.3]), [1.0, 1.0], [0.05, 0.19, 0.205]),
        "quadratic matrix": (a06.rotated_bowl(30.0), [-1.0, 0.8], [0.001, 0.02, 0.024, 0.03]),
        "rosenbrock": (losses.rosenbrock(), [-1.5, 2.0], [1e-4, 1e-3, 2e-3, 0.01]),
        "two wells": (losses.two_wells(), [-1.6], [0.01, 0.03, 0.12, 0.3, 6.0]),
        "plateau": (losses.plateau(), [-4.0], [0.1, 1.0, 30.0, 300.0]),
        "least squares": (losses.least_squares(X, y), [0.0, 0.0], [0.01, 0.3, 1.0, 3.0]),
        "least squares, d = 3": (losses.least_squares(X3, y3), [0.5, -0.5, 0.0], [0.05, 0.5]),
        "least squares, minibatches": (losses.least_squares(X, y, batch_size=8, seed=1), [0.0, 0.0], [0.01, 0.1, 1.0]),
    }


def _steppers() -> dict:
    return {
        "gd": steppers.sgd(),
        "gd maximize": steppers.sgd(maximize=True),
        "heavy ball": steppers.sgd(momentum=0.9),
        "nesterov": steppers.sgd(momentum=0.9, nesterov=True),
        "sgd dampening, weight decay": steppers.sgd(momentum=0.5, dampening=0.3, weight_decay=0.01),
        "adagrad": steppers.adagrad(),
        "adagrad decay": steppers.adagrad(lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1),
        "rmsprop": steppers.rmsprop(),
        "rmsprop centred, momentum": steppers.rmsprop(centered=True, momentum=0.5, weight_decay=0.01),
        "rmsprop alpha 0.3": steppers.rmsprop(alpha=0.3, centered=True),
        "adam": steppers.adam(),
        "adam amsgrad": steppers.adam(amsgrad=True, weight_decay=0.01, betas=(0.3, 0.9)),
        "adamw": steppers.adamw(),
        "adamw 0.1": steppers.adamw(weight_decay=0.1, betas=(0.5, 0.99), eps=1e-6),
    }


def _grad_terms(loss, x):
    """The size of the terms a 1-D curve's gradient adds up at ``x`` (they cancel near a minimum)."""
    u = x[..., 0]
    s = np.abs(loss.k * (u - loss.c))
    for h, m, w in loss.wells:
        z = (u - m) / w
        s = s + np.abs(h * np.exp(-0.5 * z * z) * z / w)
    for p, _, w in loss.steps:          # p (1 - th^2) / w moves by ulps of p / w when th is an ulp off
        s = s + abs(p / w)
    return s[..., None]


class _Nudged:
    """A 1-D curve whose every gradient is moved by ``sign`` times two ulps of the terms it adds up: what
    another maths library's exp or tanh (the page's: an ulp or two apart from numpy's) does to it."""

    def __init__(self, loss, sign):
        self.loss, self.sign = loss, sign
        self.dim, self.min_value = loss.dim, loss.min_value

    def value(self, x):
        return self.loss.value(x)

    def grad(self, x):
        return self.value_and_grad(x)[1]

    def value_and_grad(self, x):
        v, g = self.loss.value_and_grad(x)
        return v, g + self.sign * 2.0 ** -51 * _grad_terms(self.loss, x)


#: where lrlab's own run moves by more than this (relative) under the nudge, its digits are chaos
CHAOS = 1e-6


def nudged_runs(loss, **kw) -> list:
    """For a 1-D curve (exp, tanh): the run again with every gradient nudged up, then down (:class:`_Nudged`).
    Other losses use only + - * / and sqrt, which the page computes to the same bits: none."""
    if not isinstance(loss, losses.Curve1D):
        return []
    return [run(loss=_Nudged(loss, s), **kw) for s in (1.0, -1.0)]


def _spread(traj, others) -> dict | None:
    """How far the nudged runs moved, entry by entry, and the first step where lrlab's own digits are chaos
    (relative spread above :data:`CHAOS`; -1 if none); None if nowhere more than 1e-12."""
    out, worst, chaos = {}, 0.0, np.zeros(traj.loss.shape[0], bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        for field in ("params", "loss", "grad_norm"):
            a = getattr(traj, field)
            d = np.zeros(a.shape)
            for o in others:
                b = getattr(o, field)
                d = np.maximum(d, np.where(np.isfinite(a) & np.isfinite(b), np.abs(a - b), np.where(a == b, 0.0, np.inf)))
            rel = np.where(a != 0, d / np.abs(a), np.where(d > 0, np.inf, 0.0))
            worst = max(worst, float(np.max(rel)))
            if field != "grad_norm":
                chaos |= (rel > CHAOS).reshape(rel.shape[0], -1).any(axis=1)
            out[field] = d
    out["chaotic_from"] = int(np.argmax(chaos)) if chaos.any() else -1
    return out if worst > 1e-12 else None


def _traj(traj, *, arrays: bool = True, others=None) -> dict:
    out = {"diverged": bool(traj.diverged), "diverged_at": int(traj.diverged_at), "loss_min": traj.loss_min,
           "path_shape": str(diagnostics.path_shape(traj)),
           "progress": diagnostics.progress(traj) if traj.loss_min is not None else None}
    if arrays:
        out.update(params=traj.params, loss=traj.loss, grad_norm=traj.grad_norm)
    if others:
        spread = _spread(traj, others)
        if spread is not None:
            out["spread"] = spread
            out["path_shape_nudged"] = [str(diagnostics.path_shape(o)) for o in others]
            out["diverged_at_nudged"] = [int(o.diverged_at) for o in others]
    return out


def _runs() -> list:
    cases = []
    for lname, (loss, x0, lrs) in _losses().items():
        spec = loss_spec(loss, batches=NUM_STEPS + 1)
        for sname, st in _steppers().items():
            adaptive = sname.split()[0] in ("adagrad", "rmsprop", "adam", "adamw")
            for lr in (lrs if not adaptive else [0.0, 0.01, 0.1, 1.0]):
                cases.append({"loss_name": lname, "stepper_name": sname, "loss": spec, "stepper": stepper_spec(st),
                              "x0": x0, "lr": lr, "num_steps": NUM_STEPS,
                              "traj": _traj(run(loss=loss, stepper=st, x0=x0, lr=lr, num_steps=NUM_STEPS),
                                            others=nudged_runs(loss, stepper=st, x0=x0, lr=lr, num_steps=NUM_STEPS))})
    # a schedule: the lr of every step given
    q = losses.quadratic([0.05, 1.0])
    for sched in (schedules.cosine_annealing_lr(1.5, T_max=NUM_STEPS),
                  schedules.one_cycle_lr(2.5, total_steps=NUM_STEPS + 1)):
        for sname in ("gd", "heavy ball", "adam"):
            st = _steppers()[sname]
            cases.append({"loss_name": "quadratic 2-D", "stepper_name": sname, "loss": loss_spec(q),
                          "stepper": stepper_spec(st), "x0": [-1.5, 1.0], "lr": sched.values(NUM_STEPS),
                          "num_steps": NUM_STEPS, "schedule": repr(sched),
                          "traj": _traj(run(loss=q, stepper=st, x0=[-1.5, 1.0], lr=sched, num_steps=NUM_STEPS))})
    # edge cases: an overflow to inf and NaN, a tiny divergence threshold, a blow-up at the first step, no steps
    edges = [("overflow", losses.quadratic([4.0]), [1.5], 1e6, {}),
             ("rosenbrock overflow", losses.rosenbrock(), [-1.5, 2.0], 0.5, {}),
             ("threshold 1", losses.quadratic([4.0]), [1.5], 0.49, {"divergence_threshold": 1.0}),
             ("threshold 1, growing", losses.quadratic([4.0]), [1.5], 0.51, {"divergence_threshold": 1.0}),
             ("huge start", losses.quadratic([1e300]), [1e10], 1.0, {}),
             ("no steps", losses.quadratic([4.0]), [1.5], 0.1, {"num_steps": 0}),
             ("three steps", losses.quadratic([4.0]), [1.5], 0.4, {"num_steps": 3})]
    for ename, loss, x0, lr, kw in edges:
        n = kw.pop("num_steps", NUM_STEPS)
        cases.append({"loss_name": ename, "stepper_name": "gd", "loss": loss_spec(loss), "stepper": None, "x0": x0,
                      "lr": lr, "num_steps": n, "divergence_threshold": kw.get("divergence_threshold", 1e10),
                      "traj": _traj(run(loss=loss, x0=x0, lr=lr, num_steps=n, **kw))})
    return cases


def _formats() -> list:
    rng = np.random.default_rng(0)
    values = [0.0, -0.0, 1.0, -1.0, 0.5, 0.125, 0.375, 2.5, 0.25, 1e-5, 1e-4, 9.995e-5, 0.0001234, 123456.0,
              1234567.0, 99.95, 999.5, 0.9995, 0.00099996, 1e100, 1e-300, 5e-324, 0.1, 0.2, 0.3, 0.45, 2 / 3,
              1 / 3, 12.5, 0.015, 0.025, 1.005, 2.675, 1e16, 123.456, float("inf"), float("-inf"), float("nan")]
    values += list(10 ** rng.uniform(-8, 8, 200) * rng.choice([-1, 1], 200))
    values += [float(v) for v in np.round(rng.uniform(0, 10, 60), 3)]
    specs = [".3g", "g", ".2g", ".1g", ".4g", ".2f", ".3f", ".1f", ".0f", ".2e"]
    return [[v, s, "s:" + format(v, s)] for v in values for s in specs]     # "s:": no string read as a number


def _grids() -> dict:
    from . import widgets
    out = {"geomspace": [], "linspace": [], "sliders": []}
    for a, b, n in [(1e-3, 1.0, 5000), (1e-3, 3.0, 300), (1e-4, 0.1, 160), (1e-3, 8.0, 61), (0.5, 0.5, 3), (1e-4, 10.0, 400)]:
        out["geomspace"].append({"start": a, "stop": b, "num": n, "values": np.geomspace(a, b, n)})
    for a, b, n in [(-4.5, 5.5, 40001), (0.0, 0.95, 80), (-1.0, 1.0, 2), (3.0, 3.0, 4)]:
        out["linspace"].append({"start": a, "stop": b, "num": n, "values": np.linspace(a, b, n)})
    for lo, hi in [(1e-3, 1.0), (1e-3, 1.5), (1e-3, 2.0), (1e-3, 3.0), (1e-3, 8.0), (1e-4, 0.1), (1e-4, 1.0), (1e-4, 10.0)]:
        s = widgets.lr_slider(lo, lo, hi)
        n = round((s.max - s.min) / s.step)
        asks = list(np.geomspace(lo, hi, 37)) + [0.2, 0.45, 0.55, 2 / 82, 0.04, 1.05, lo, hi]
        out["sliders"].append({"min": lo, "max": hi, "lo": s.min, "hi": s.max, "step": s.step, "steps": n,
                               "values": [s.base ** min(s.min + k * s.step, s.max) for k in range(n + 1)],
                               "snap": [[a, widgets.snap_to_slider(s, a)] for a in asks]})
    return out


def _theory() -> list:
    from .lessons import adaptive_optimizers as a06, momentum as m05
    out = []
    for name, loss in [("1-D", losses.quadratic([4.0])), ("2-D", losses.quadratic([0.05, 1.0])),
                       ("bowl 05", m05.BOWL), ("rotated", a06.rotated_bowl(30.0))]:
        lrs = np.geomspace(1e-4, 10.0, 97)
        for beta in (0.0, 0.3, 0.64, 0.9, 0.95):
            # the regimes at every lr of the grid and at the edges: 1/L, 2(1+β)/L and Nesterov's limit a few ulps
            # either side, and lr = 0
            edges = [0.0, 1.0 / theory.eigenvalues(loss)[-1], theory.critical_lr(loss, beta),
                     theory.nesterov_critical_lr(loss, beta), theory.optimal_lr(loss)]
            at = np.concatenate([lrs, [e * (1 + k * 2.0 ** -52) for e in edges for k in (-4, -1, 0, 1, 4)]])
            out.append({"name": name, "loss": loss_spec(loss), "momentum": beta, "lrs": lrs,
                        "rate": theory.convergence_rate(loss, lrs, beta), "critical": theory.critical_lr(loss, beta),
                        "nesterov_critical": theory.nesterov_critical_lr(loss, beta), "regime_lrs": at,
                        "regime": theory.regime(loss, at, beta), "regime_nesterov": theory.regime(loss, at, beta, True)})
        out[-1].update(optimal_lr=theory.optimal_lr(loss), optimal_momentum=theory.optimal_momentum(loss))
    return out


def _stats(ex) -> str:
    """The explorer's numbers line as its stats hook makes it (the widget's value wraps it in the frame's
    transport attributes, lrlab.live_canvas.show_frame)."""
    stats = ex._stats_fn(ex.view)
    return f'<span class="lrlab-stats">{stats if isinstance(stats, str) else " · ".join(stats)}</span>'


def _explorer_frames(name: str) -> dict | None:
    from .lessons import build_explorer
    ex = build_explorer(name)
    spec = explorer_spec(name, ex)
    if spec is None:
        return None
    settings = []
    s = ex.slider
    n = round((s.max - s.min) / s.step)
    positions = sorted(set(list(range(0, n + 1, 12)) + [n]))
    for k in positions:
        settings.append({"lr": s.base ** min(s.min + k * s.step, s.max)})
    for c in spec["controls"]:                    # each control at a few values, the lr at a few places
        if c["kind"] == "slider":
            vals = np.geomspace(c["min"], c["max"], 5) if c["log"] else np.linspace(c["min"], c["max"], 5)
            vals = [float(v) for v in vals]
        else:
            vals = c["options"]
        for v in vals:
            for k in (0, n // 3, n // 2, (3 * n) // 4, n):
                settings.append({"lr": s.base ** min(s.min + k * s.step, s.max), c["name"]: v})
    for p in spec["presets"]:
        settings.append({"lr": p["lr"], **p["controls"], "preset": p["name"]})
    frames = []
    for st in settings:
        st = dict(st)
        preset = st.pop("preset", None)
        lr = st.pop("lr")
        ex.apply_preset({})
        ex.set(**st)
        # the lr exactly as given (set() snaps it onto the slider: the page computes any lr)
        ex.slider.value = lr
        if spec.get("custom"):
            f = {"lr": float(ex.lr), "controls": plain(ex.values()), "preset": preset, "regime": ex.regime,
                 "label": ex.label.value, "stats": _stats(ex), "theory": ex.theory.value,
                 "runs": {k: _traj(t) for k, t in ex.runs.items()}}
            if spec["custom"] == "batch_size":
                from .lessons import batch_size as b
                B = ex.values()["batch_size"]
                f["floor"] = b.data().theory.floor(ex.lr, B)
                f["floor_curve"] = ex.panels["floor"].curves[B]
            frames.append(f)
            continue
        p = ex.scene
        others = nudged_runs(p.loss, stepper=p.stepper, x0=np.asarray(p.x0, dtype=float), lr=ex.lr,
                             num_steps=p.num_steps)
        f = {"lr": float(ex.lr), "controls": plain(ex.values()), "preset": preset, "regime": ex.regime,
             "label": ex.label.value, "stats": _stats(ex), "theory": ex.theory.value,
             "scene": scene_spec(ex.scene), "traj": _traj(ex.traj, others=others)}
        if "spread" in f["traj"]:            # a sensitive run: the texts of the nudged runs are as right
            view = ex.view
            f["nudged"] = []
            for o in others:
                ex.view = View(lr=view.lr, controls=view.controls, scene=view.scene, lr_range=view.lr_range,
                               runs={"main": o})
                ex.view.regime = str(ex._regime_fn(ex.view))
                f["nudged"].append({"regime": ex.view.regime, "stats": _stats(ex)})
            ex.view = view
        for pname, panel in ex.panels.items():
            if type(panel).__name__ == "MapPanel":
                f["map"] = {"lrs": panel.lrs, "final": panel.final}
            if type(panel).__name__ == "RatePanel":
                f["rate_info"] = panel.artists["info"].get_text()
        frames.append(f)
    return {"spec": spec, "frames": frames}


def fixtures(explorers=None) -> dict:
    """Everything the JavaScript test compares, as plain data (``explorers``: names, default all)."""
    from .lessons import EXPLORERS
    names = list(EXPLORERS) if explorers is None else list(explorers)
    ex = {}
    for name in names:
        got = _explorer_frames(name)
        if got is not None:
            ex[name] = got
    rows = []
    for seed, t, n, B in [(0, 0, 512, 16), (0, 1, 512, 1), (1, 7, 64, 8), (0, 399, 512, 256), (0, 5, 512, 511),
                          (3, 2**33 + 5, 100, 40), (12345, 0, 10, 10), (0, 17, 512, 2), (7, 3, 9999, 5000)]:
        rng = np.random.default_rng((seed, t))
        rows.append({"seed": seed, "t": t, "n": n, "size": B, "rows": rng.choice(n, B, replace=False)})
    progress = [float(v) for v in (-np.inf, -2.0, -0.05, 0.0, 1e-5, 0.004, 0.0049, 0.005, 0.01, 0.0149, 0.015, 0.125,
                                   0.5, 0.7, 0.985, 0.99, 0.995, 0.9999, 1.0, np.nan)]
    return {"progress_text": [[p, "s:" + diagnostics.progress_text(p)] for p in progress], "choice": rows,
            "runs": _runs(), "formats": _formats(), "grids": _grids(), "theory": _theory(), "explorers": ex,
            "curves": [{"loss": loss_spec(l), "local_minima": l.local_minima, "min_value": l.min_value}
                       for l in (losses.two_wells(), losses.plateau())]}


def write(path, explorers=None) -> int:
    """Write the fixtures to ``path``; returns the bytes written."""
    text = to_json(fixtures(explorers))
    Path(path).write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: python -m lrlab.site_fixtures OUT.json", file=sys.stderr)
        return 2
    n = write(argv[0])
    print(f"wrote {argv[0]} ({n / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
