"""Lesson 04, schedules: the noisy problem, the schedule gallery, the schedule picker widget, exercise checks.

The lesson's problem is least squares on 500 points and 4 features, trained
with minibatches of 10 rows (``lrlab.losses.least_squares(..., batch_size=10)``):
the gradient is noisy, so a constant lr stalls at a noise floor. Its Hessian is
known, so the stability limit 2/L is drawn on every lr plot, and the floor has a
closed form (``lrlab.theory.noise_floor``) to check the simulation against.

Imports matplotlib and ipywidgets; torch only inside :func:`torch_lrs` and
:func:`dummy_optimizer` (the oracle of the schedules).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import lrlab
from lrlab import data, diagnostics, losses, plotting, schedules, theory
from lrlab.explorer import Choice, Explorer, Panel, Slider
from lrlab.widgets import theory_text
from lrlab.exercises import Feedback, check_choice, check_number_answer, student_lrs

__all__ = ["NUM_STEPS", "BATCH_SIZE", "PEAK", "SCHEDULES", "NoisyProblem", "noisy_problem",
           "make_schedule", "gallery", "run_schedules", "last_mean", "gallery_figure", "floor_figure",
           "decay_figure", "outcome", "PRESETS", "ScheduleLrPanel", "ScheduleLossPanel", "schedule_picker", "presets_figure", "dummy_optimizer",
           "torch_lrs", "steps_above", "check_floor_prediction", "check_steps_above", "check_restart_effect",
           "exercise_answers", "EX_FLOOR", "WARMUP", "warmup_reference", "check_warmup_function", "PLATEAU", "PlateauRun",
           "plateau_run", "plateau_figure", "EX_PLATEAU_METRICS", "EX_PLATEAU", "plateau_cut", "check_plateau_cut",
           "AVERAGE_START", "EMA_DECAY", "averaging_figure", "wells_trap_counts", "EX_AVERAGE", "average_without_noise",
           "check_average_without_noise"]

NUM_STEPS = 500
BATCH_SIZE = 10
PEAK = 0.4                    # the peak / base lr of the gallery (about 0.36 x 2/L)
TAIL = 50                     # "final loss" = mean over the last TAIL steps (the noisy loss jitters)
SCHEDULES = ("constant", "step", "exponential", "cosine", "warm restarts", "cyclic", "warmup + cosine",
             "one-cycle")
TORCH_NAMES = {"constant": "ConstantLR", "step": "StepLR", "exponential": "ExponentialLR",
               "cosine": "CosineAnnealingLR", "warm restarts": "CosineAnnealingWarmRestarts",
               "cyclic": "CyclicLR", "warmup + cosine": "SequentialLR(LinearLR, CosineAnnealingLR)",
               "one-cycle": "OneCycleLR"}




# ----------------------------------------------------------------------------- the noisy problem

@dataclass(frozen=True)
class NoisyProblem:
    """Minibatch least squares and its noise-free twin.

    ``loss`` draws a minibatch of ``BATCH_SIZE`` rows per step (``sample_grad``),
    ``clean`` is the same function as a quadratic (``f - f*``) with the exact
    full-batch gradient: full-batch gradient descent on it shows what the
    schedule does without noise.
    """

    loss: losses.LeastSquares
    clean: losses.Quadratic
    x0: np.ndarray
    num_steps: int
    critical_lr: float
    L: float
    mu: float


def noisy_problem(num_steps: int = NUM_STEPS, batch_size: int = BATCH_SIZE, seed: int = 0) -> NoisyProblem:
    """Least squares on 500 points, 4 features of scales 0.25 to 1.3, minibatches of 10, from w = 0."""
    X, y, _ = data.linear_regression(n=500, d=4, noise=1.0, seed=3, scales=[0.25, 0.6, 1.0, 1.3])
    loss = losses.least_squares(X, y, batch_size=batch_size, seed=seed)
    clean = loss.as_quadratic()
    return NoisyProblem(loss=loss, clean=clean, x0=np.zeros(4), num_steps=num_steps,
                        critical_lr=float(theory.critical_lr(loss)), L=loss.L, mu=loss.mu)


# ----------------------------------------------------------------------------- schedules

DEFAULTS = {
    "constant": {},
    "step": {"step_size": 100, "gamma": 0.5},
    "exponential": {"gamma": 0.99},
    "cosine": {"T_max": NUM_STEPS},
    "warm restarts": {"T_0": 100, "T_mult": 4},
    "cyclic": {"step_size_up": 50, "base_fraction": 0.1, "mode": "triangular"},
    "warmup + cosine": {"warmup": 50, "start_factor": 0.01},
    "one-cycle": {"pct_start": 0.3, "div_factor": 25.0, "final_div_factor": 1e4},
}


def make_schedule(name: str, lr: float, num_steps: int = NUM_STEPS, **params) -> schedules.Schedule:
    """The lrlab schedule ``name`` whose peak (or base) lr is ``lr``; ``params`` override DEFAULTS."""
    if name not in DEFAULTS:
        raise ValueError(f"name must be one of {list(DEFAULTS)}, got {name!r}")
    unknown = set(params) - set(DEFAULTS[name])
    if unknown:
        raise TypeError(f"{name} takes {sorted(DEFAULTS[name])}, got unknown {sorted(unknown)}")
    k = {**DEFAULTS[name], **params}
    if name == "constant":
        return schedules.constant_lr(lr, factor=1.0, total_iters=1)
    if name == "step":
        return schedules.step_lr(lr, step_size=int(k["step_size"]), gamma=float(k["gamma"]))
    if name == "exponential":
        return schedules.exponential_lr(lr, gamma=float(k["gamma"]))
    if name == "cosine":
        return schedules.cosine_annealing_lr(lr, T_max=int(k["T_max"]))
    if name == "warm restarts":
        return schedules.cosine_annealing_warm_restarts(lr, T_0=int(k["T_0"]), T_mult=int(k["T_mult"]))
    if name == "cyclic":
        return schedules.cyclic_lr(base_lr=lr * float(k["base_fraction"]), max_lr=lr,
                                   step_size_up=int(k["step_size_up"]), mode=k["mode"])
    if name == "warmup + cosine":
        w = int(k["warmup"])
        return schedules.sequential_lr([schedules.linear_lr(lr, start_factor=float(k["start_factor"]), total_iters=w),
                                        schedules.cosine_annealing_lr(lr, T_max=max(num_steps - w, 1))],
                                       milestones=[w])
    return schedules.one_cycle_lr(lr, total_steps=num_steps, pct_start=float(k["pct_start"]),
                                  div_factor=float(k["div_factor"]), final_div_factor=float(k["final_div_factor"]))


def gallery(lr: float = PEAK, num_steps: int = NUM_STEPS) -> dict:
    """Every schedule of the lesson with its default parameters: name -> Schedule."""
    return {name: make_schedule(name, lr, num_steps) for name in SCHEDULES}


def run_schedules(p: NoisyProblem, scheds: dict, *, clean: bool = False):
    """One vectorized run of the noisy (or the clean) problem, one trajectory per schedule.

    The schedules share the minibatches (common random numbers), so their
    differences come from the lr alone. Returns a Trajectory of batch shape (k,).
    """
    fns = list(scheds.values())
    lr = lambda t: np.stack([np.broadcast_to(s(t) if callable(s) else s, np.shape(t)) for s in fns], axis=-1)
    return lrlab.run(loss=p.clean if clean else p.loss, x0=p.x0, lr=lr, num_steps=p.num_steps)


def last_mean(traj, k: int = TAIL) -> np.ndarray:
    """Mean loss gap over the last ``k`` steps, per trajectory (inf if diverged)."""
    g = plotting.gap(traj)[-k:]
    with np.errstate(invalid="ignore"):
        return np.where(np.asarray(traj.diverged), np.inf, g.mean(axis=0))


def steps_above(schedule, limit: float, num_steps: int = NUM_STEPS) -> int:
    """How many of the steps t = 0..num_steps-1 use an lr above ``limit``."""
    return int(np.sum(schedule(np.arange(num_steps)) > limit))


# ----------------------------------------------------------------------------- figures

def _limit_lines(ax, p: NoisyProblem, labels: bool = True):
    """Horizontal dotted lines at 1/L and 2/L on an lr-against-step axis."""
    arts = []
    for value, text, color in ((1 / p.L, "1/L", plotting.PALETTE["green"]),
                               (p.critical_lr, "2/L", plotting.PALETTE["vermillion"])):
        arts.append(ax.axhline(value, color=color, ls=":", lw=2, zorder=1))
        if labels:
            arts.append(ax.text(0.99, value, f" {text} ", transform=ax.get_yaxis_transform(), ha="right",
                                va="bottom", color=color, fontsize="small", fontweight="bold"))
    return arts


@plotting.styled
def gallery_figure(scheds: dict, p: NoisyProblem, num_steps: int = NUM_STEPS):
    """One panel per schedule: lr against step, with 1/L and 2/L of the problem."""
    n = len(scheds)
    ncols = 3
    fig, axes = plotting.figure(-(-n // ncols), ncols, width=9.0, height=2.4 * -(-n // ncols), squeeze=False)
    t = np.arange(num_steps)
    top = max(max(float(np.max(s(t))) for s in scheds.values()), p.critical_lr) * 1.12
    for i, (ax, (name, s)) in enumerate(zip(axes.flat, scheds.items())):
        ax.plot(t, s(t), color=plotting.PALETTE["blue"], lw=2.4)
        _limit_lines(ax, p)
        ax.set_ylim(0, top)
        ax.set_xlim(0, num_steps)
        ax.set_title(name)
        if i % ncols == 0:
            ax.set_ylabel("learning rate")
        if i >= n - ncols:
            ax.set_xlabel("step")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(f"lr(t) of each schedule, peak lr {max(float(np.max(s(t))) for s in scheds.values()):.2g}",
                 fontweight="bold")
    return fig


@plotting.styled
def floor_figure(traj, lrs, floors, p: NoisyProblem, window: int = 100, ax=None):
    """Loss gap against step for constant lrs (faint: each step, bold: a moving mean), floors dashed."""
    fig, ax = plotting.figure_or_ax(ax, width=7.6, height=4.3)
    colors = [plotting.PALETTE[c] for c in ("vermillion", "sky", "blue", "green", "purple")]   # no orange beside vermillion
    gap = plotting.gap(traj)
    smooth = diagnostics.trailing_mean(gap, window)
    t = np.arange(gap.shape[0])
    for i, (lr, fl) in enumerate(zip(lrs, floors)):
        c = colors[i % 5]
        ax.plot(t, gap[:, i], color=c, lw=0.6, alpha=0.18)
        ax.plot(t, smooth[:, i], color=c, lw=2.2, label=f"lr = {lr:g}")
        ax.axhline(fl, color=c, ls="--", lw=1.6)
    ax.plot([], [], "k--", lw=1.6, label="predicted floor")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 3)
    ax.set_xlim(0, t[-1])
    ax.set_xlabel("step")
    ax.set_ylabel(f"loss − min ({window}-step mean)")
    ax.set_title(f"constant lr, minibatches of {p.loss.batch_size}: the floor falls with the lr")
    ax.legend(frameon=True, framealpha=0.9, loc="upper right", ncols=3)
    return fig


@plotting.styled
def decay_figure(traj, names, p: NoisyProblem, colors=None, window: int = 25, ax=None):
    """Loss gap against step for a few schedules on the noisy problem (faint: each step, bold: moving mean)."""
    fig, ax = plotting.figure_or_ax(ax, width=7.6, height=4.3)
    gap = plotting.gap(traj)
    smooth = diagnostics.trailing_mean(gap, window)
    t = np.arange(gap.shape[0])
    colors = colors or plotting.CYCLE
    for i, name in enumerate(names):
        c = colors[i % len(colors)]
        ax.plot(t, gap[:, i], color=c, lw=0.6, alpha=0.2)
        ax.plot(t, smooth[:, i], color=c, lw=2.4, label=name)
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 3)
    ax.set_xlim(0, t[-1])
    ax.set_xlabel("step")
    ax.set_ylabel(f"loss − min ({window}-step mean)")
    ax.set_title("constant or decaying, same minibatches")
    ax.legend(frameon=True, framealpha=0.9, loc="lower left")
    return fig


SMOOTH = 25                   # steps of the trailing box mean drawn over the jittery minibatch loss


def _init_lr_panel(ax, p: NoisyProblem, lr_top: float) -> dict:
    """The static part and the empty moving line of an lr(t) panel."""
    t = np.arange(p.num_steps)
    art = {}
    (art["lr"],) = ax.plot(t, np.zeros_like(t, dtype=float), color=plotting.PALETTE["blue"], lw=2.4)
    art["limits"] = _limit_lines(ax, p)
    ax.set_xlim(0, p.num_steps)
    ax.set_ylim(0, lr_top)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    return art


def _init_loss_panel(ax, p: NoisyProblem) -> dict:
    """The static part and the empty moving lines of a loss panel (schedule, constant-lr twin, clean twin, floor)."""
    steps = np.arange(p.num_steps + 1)
    empty = np.full(steps.size, np.nan)
    art = {}
    (art["raw"],) = ax.plot(steps, empty, color=plotting.PALETTE["blue"], lw=0.8, alpha=0.3)
    (art["const"],) = ax.plot(steps, empty, color=plotting.PALETTE["grey"], lw=2.0, label="constant lr = peak")
    (art["noisy"],) = ax.plot(steps, empty, color=plotting.PALETTE["blue"], lw=2.4, label="schedule")
    (art["clean"],) = ax.plot(steps, empty, color=plotting.PALETTE["black"], lw=1.4, ls="--",
                              label="schedule, no noise (full batch)")
    (art["floor"],) = ax.plot([0, p.num_steps], [np.nan, np.nan], color=plotting.PALETTE["black"], ls=":",
                              lw=2.2, zorder=5, label="predicted floor of the constant lr")
    ax.set_yscale("log")
    ax.set_ylim(1e-5, 1e3)
    ax.set_xlim(0, p.num_steps)
    ax.set_xlabel("step")
    ax.set_ylabel(f"loss − min ({SMOOTH}-step mean)")
    return art


def _legend_handles(schedule_label: str = "schedule (colour: regime)"):
    """Proxy artists for the loss panel's legend (in the widget the schedule's own line changes colour with
    the regime; the static presets figure draws it in one colour and says what happened in the titles)."""
    from matplotlib.lines import Line2D
    c = plotting.PALETTE
    return [Line2D([], [], color=c["black"] if "colour" in schedule_label else c["blue"], lw=2.4,
                   label=schedule_label),
            Line2D([], [], color=c["grey"], lw=2.0, label="constant lr = peak"),
            Line2D([], [], color=c["black"], lw=1.4, ls="--", label="schedule, no noise (full batch)"),
            Line2D([], [], color=c["black"], lw=2.2, ls=":", label="predicted floor of the constant lr")]


def _evaluate(p: NoisyProblem, sched, peak: float):
    """Run a schedule (noisy, with the constant-peak reference) and its clean twin."""
    noisy = run_schedules(p, {"schedule": sched, "constant": peak})
    clean = lrlab.run(loss=p.clean, x0=p.x0, lr=sched, num_steps=p.num_steps)
    return noisy, clean


def _show_lr(art, ax, p: NoisyProblem, sched, regime: str, lr_max: float | None = None, color: str | None = None):
    """Move the lr(t) line. The y range fits 2/L, and the schedule's peak when that is above 2/L; with
    ``lr_max`` (the slider's top: a live panel) any peak above 2/L gets the range up to ``lr_max``, so
    the limits take two values only and moving the lr redraws just the line (a blit)."""
    values = sched(np.arange(p.num_steps))
    art["lr"].set_ydata(values)
    art["lr"].set_color(color or plotting.REGIME_COLORS[regime])
    peak = float(np.max(values))
    if lr_max is not None and peak > p.critical_lr:
        peak = max(peak, lr_max)
    top = max(peak, p.critical_lr) * 1.12
    if ax.get_ylim() != (0.0, top):               # setting equal limits still marks the axes for a full draw
        ax.set_ylim(0, top)


def _show_loss(art, p: NoisyProblem, noisy, clean, regime: str, peak: float, color: str | None = None):
    color = color or plotting.REGIME_COLORS[regime]
    gap = plotting.gap(noisy)
    g = np.where(np.isfinite(gap), gap, np.nan)
    smooth = diagnostics.trailing_mean(g, SMOOTH)
    art["raw"].set_ydata(g[:, 0])
    art["raw"].set_color(color)
    art["noisy"].set_ydata(smooth[:, 0])
    art["noisy"].set_color(color)
    art["const"].set_ydata(smooth[:, 1])
    cg = plotting.gap(clean)
    art["clean"].set_ydata(np.where(np.isfinite(cg), cg, np.nan))
    floor = theory.noise_floor(p.loss, peak)
    art["floor"].set_ydata([floor if np.isfinite(floor) else np.nan] * 2)


PRESETS = {
    "too small": {"schedule": "cosine", "lr": 0.004},
    "constant (floor)": {"schedule": "constant", "lr": PEAK},
    "cosine (good)": {"schedule": "cosine", "lr": PEAK},
    "step decay": {"schedule": "step", "lr": PEAK},
    "oscillating": {"schedule": "constant", "lr": 1.25},
    "diverging": {"schedule": "cosine", "lr": 3.0},
}


def _param_controls() -> dict:
    """schedule name -> {parameter: control}: each schedule's own sliders, shown while it is picked."""
    N = NUM_STEPS

    def s(sched, name, lo, hi, step, description=None, **kw):
        return Slider(DEFAULTS[sched][name], lo, hi, step=step, description=description or name, live=True,
                      continuous=False, **kw)
    return {
        "constant": {},
        "step": {"step_size": s("step", "step_size", 10, N, 10, integer=True),
                 "gamma": s("step", "gamma", 0.1, 0.9, 0.05)},
        "exponential": {"gamma": s("exponential", "gamma", 0.95, 0.999, 0.001, readout_format=".3f")},
        "cosine": {"T_max": s("cosine", "T_max", 50, 2 * N, 50, integer=True)},
        "warm restarts": {"T_0": s("warm restarts", "T_0", 25, N, 25, integer=True),
                          "T_mult": s("warm restarts", "T_mult", 1, 4, 1, integer=True)},
        "cyclic": {"step_size_up": s("cyclic", "step_size_up", 10, N // 2, 10, integer=True),
                   "base_fraction": s("cyclic", "base_fraction", 0.01, 1.0, 0.1, "base_lr ÷ max_lr", log=True,
                                      readout_format=".2f"),
                   "mode": Choice(("triangular", "triangular2"), DEFAULTS["cyclic"]["mode"], description="mode",
                                  live=True)},
        "warmup + cosine": {"warmup": s("warmup + cosine", "warmup", 5, N // 2, 5, "warm-up steps", integer=True),
                            "start_factor": s("warmup + cosine", "start_factor", 0.001, 1.0, 0.25, log=True,
                                              readout_format=".3f")},
        "one-cycle": {"pct_start": s("one-cycle", "pct_start", 0.05, 0.9, 0.05),
                      "div_factor": s("one-cycle", "div_factor", 1.0, 1000.0, 0.1, log=True, readout_format=".3g"),
                      "final_div_factor": s("one-cycle", "final_div_factor", 1.0, 1e5, 0.5, log=True,
                                            readout_format=".3g")},
    }


def _schedule_of(view) -> schedules.Schedule:
    c = view.controls
    return make_schedule(c["schedule"], view.lr, view.scene.num_steps, **c["schedule_params"])


def _schedule_runs(p: NoisyProblem, lr, schedule, schedule_params):
    noisy, clean = _evaluate(p, make_schedule(schedule, lr, p.num_steps, **schedule_params), lr)
    return {"noisy": noisy, "clean": clean}


class ScheduleLrPanel(Panel):
    """lr(t) of the picked schedule, coloured by the regime, with 1/L and 2/L."""

    name = "schedule"

    def draw(self, ax, view):
        self.ax = ax
        self.artists = _init_lr_panel(ax, view.scene, lr_top=2.0)
        ax.set_title("learning rate schedule")

    def update(self, view):
        _show_lr(self.artists, self.ax, view.scene, _schedule_of(view), view.regime, lr_max=view.lr_range[1])


class ScheduleLossPanel(Panel):
    """The minibatch run's smoothed loss with its constant-lr and noise-free twins and the predicted floor."""

    name = "loss"

    def draw(self, ax, view):
        self.artists = _init_loss_panel(ax, view.scene)
        ax.set_title("loss on the noisy problem")
        ax.legend(handles=_legend_handles(), frameon=True, framealpha=0.9, loc="upper right")   # above the curves

    def update(self, view):
        r = view.runs
        _show_loss(self.artists, view.scene, r["noisy"], r["clean"], view.regime, view.lr)


def _schedule_stats(view) -> list:
    p, name = view.scene, view.controls["schedule"]
    values = _schedule_of(view)(np.arange(p.num_steps))
    noisy = view.runs["noisy"]
    tail = last_mean(noisy)
    parts = [f"{name} = torch's <code>{TORCH_NAMES[name]}</code>",
             f"peak lr·L = <b>{float(values.max()) * p.L:.3g}</b>",
             f"steps above 2/L: <b>{int(np.sum(values > p.critical_lr))}</b>",
             f"final lr = <b>{float(values[-1]):.3g}</b>"]
    if np.isfinite(tail[0]):
        parts.append(f"loss − min, mean of the last {TAIL} steps: <b>{tail[0]:.3g}</b>")
    else:
        parts.append(f"minibatch run diverged at step <b>{int(noisy.diverged_at[0])}</b>")
    parts.append(f"constant lr: <b>{tail[1]:.3g}</b>" if np.isfinite(tail[1]) else "constant lr: <b>diverged</b>")
    parts.append("regime label: full-batch run")
    return parts


def schedule_picker(schedule: str = "cosine", lr: float = PEAK, lr_range=(1e-3, 5.0), problem=None) -> Explorer:
    """Pick a schedule and its parameters; see lr(t) and the loss on the noisy problem, live.

    The slider is the peak (or base) lr, log scale. The left panel is lr(t) with
    1/L and 2/L; the right one the loss gap of the minibatch run with this
    schedule (coloured by regime), the same schedule without noise (dashed), a
    constant lr at the peak (grey) and that constant lr's predicted noise floor
    (dotted). The label is the full-batch run's path shape
    (``lrlab.diagnostics.path_shape``: no constant-lr theory names a schedule's
    regime) and the fraction of its loss gap closed: it says what the lr does
    to stability; the noise floor is the minibatch story.
    """
    if problem is not None and not isinstance(problem, NoisyProblem):
        raise TypeError(f"problem must be None (the lesson's noisy problem) or a NoisyProblem "
                        f"(lrlab.lessons.schedules.noisy_problem(...)), got {type(problem).__name__}")
    picker = Choice(SCHEDULES, description="schedule", live=True,
                    params=_param_controls()).with_value("schedule", schedule)
    p = problem or noisy_problem()
    return Explorer(p, lr=lr, lr_range=lr_range, lr_description="peak lr", controls={"schedule": picker},
                    runs=_schedule_runs, regime=lambda view: str(diagnostics.path_shape(view.runs["clean"])),
                    progress=lambda view: diagnostics.progress(view.runs["clean"]),
                    theory=lambda view: theory_text(view.scene.loss), stats=_schedule_stats, presets=PRESETS,
                    panels=(ScheduleLrPanel(), ScheduleLossPanel()), width=12.5, height=4.0)


def outcome(clean) -> str:
    """What the full-batch run did, in words: blew up, or the share of the loss gap it closed."""
    g = plotting.gap(clean)
    if clean.diverged or not np.isfinite(g[-1]) or g[-1] > g[0]:
        return "full batch: blew up"
    closed = 1.0 - g[-1] / g[0]
    return "full batch: > 99% of gap closed" if closed > 0.99 else f"full batch: {closed:.0%} of gap closed"


@plotting.styled
def presets_figure(p: NoisyProblem, presets: dict = None, ncols: int = 3):
    """The widget's presets as static small multiples, ``ncols`` per row: lr(t) above its loss panel; each loss
    panel says what the full-batch run did."""
    presets = presets or PRESETS
    n = len(presets)
    groups = -(-n // ncols)
    fig, axes = plotting.figure(2 * groups, ncols, width=9.0, height=4.6 * groups, squeeze=False)
    for j, (name, v) in enumerate(presets.items()):
        top, bottom = axes[2 * (j // ncols), j % ncols], axes[2 * (j // ncols) + 1, j % ncols]
        sched = make_schedule(v["schedule"], v["lr"], p.num_steps)
        noisy, clean = _evaluate(p, sched, v["lr"])
        blue = plotting.PALETTE["blue"]                            # one colour: the titles say what happened
        _show_lr(_init_lr_panel(top, p, lr_top=1.0), top, p, sched, "converging", color=blue)
        _show_loss(_init_loss_panel(bottom, p), p, noisy, clean, "converging", v["lr"], color=blue)
        if bool(np.asarray(noisy.diverged).reshape(-1)[0]):        # the curve leaves the panel at once: mark where
            k = int(np.asarray(noisy.diverged_at).reshape(-1)[0])
            bottom.plot([k], [bottom.get_ylim()[1]], "X", color=plotting.PALETTE["vermillion"], ms=13, mec="white",
                        clip_on=False, zorder=8)
            bottom.text(k + 0.04 * p.num_steps, 0.93, "minibatch run blew up", transform=bottom.get_xaxis_transform(),
                        ha="left", va="top", fontsize=10, color=plotting.TEXT_COLORS["vermillion"])
        top.set_title(f"{name}\n{v['schedule']}, peak {v['lr']:g}", fontsize=11)
        top.set_xlabel("")
        bottom.set_title(outcome(clean), fontsize=10)
        if j % ncols:
            top.set_ylabel("")
            bottom.set_ylabel("")
        else:
            bottom.set_ylabel("loss − min")
    for k in range(n, groups * ncols):
        axes[2 * (k // ncols), k % ncols].set_visible(False)
        axes[2 * (k // ncols) + 1, k % ncols].set_visible(False)
    fig.legend(handles=_legend_handles("schedule (minibatch run)"), loc="outside lower center", ncols=2,
               frameon=False)
    return fig


# ----------------------------------------------------------------------------- ReduceLROnPlateau

#: the lesson's plateau scheduler: halve the lr after 4 epochs (patience 3) without a better epoch loss
PLATEAU = {"factor": 0.5, "patience": 3}
PLATEAU_EPOCHS = 40
EPOCH_STEPS = 25


@dataclass(frozen=True)
class PlateauRun:
    """A minibatch run driven by ``ReduceLROnPlateau``, read once per epoch."""

    gap: np.ndarray           # (epochs * steps,) full-data loss - min after each step
    lr: np.ndarray            # (epochs * steps,) the lr of each step
    metrics: np.ndarray       # (epochs,) what the scheduler read: the epoch's mean full-data loss
    epoch_lrs: np.ndarray     # (epochs + 1,) the scheduler's lr before each epoch and after the last
    steps_per_epoch: int

    @property
    def cuts(self) -> np.ndarray:
        """The epochs (1-based counts of readings) after which the lr was cut."""
        return np.nonzero(np.diff(self.epoch_lrs) < 0)[0] + 1


def plateau_run(p: NoisyProblem, plateau=None, epochs: int = PLATEAU_EPOCHS, steps_per_epoch: int = EPOCH_STEPS,
                seed: int = 0) -> PlateauRun:
    """Train the noisy problem epoch by epoch; after each epoch the plateau scheduler reads its mean loss.

    The lr cannot be given to ``lrlab.run`` as a schedule up front (it depends on the losses
    the run produces), so each epoch is one constant-lr ``lrlab.run`` from where the last one
    stopped, on fresh minibatches (seed ``(seed, epoch)``); plain SGD has no state to carry.
    """
    plateau = plateau or schedules.reduce_lr_on_plateau(PEAK, **PLATEAU)
    X, y = p.loss.X, p.loss.y
    state, x = plateau.init(), p.x0
    gaps, lrs, metrics = [], [], []
    for e in range(epochs):
        loss = losses.least_squares(X, y, batch_size=p.loss.batch_size, seed=10_000 * seed + 1_000 + e)
        traj = lrlab.run(loss=loss, x0=x, lr=state.lr, num_steps=steps_per_epoch)
        gaps.append(traj.loss[1:] - p.loss.min_value)
        lrs.append(np.full(steps_per_epoch, state.lr))
        metrics.append(float(traj.loss[1:].mean()))
        x = traj.params[-1]
        state = plateau.update(state, metrics[-1])
    return PlateauRun(np.concatenate(gaps), np.concatenate(lrs), np.array(metrics), plateau.lrs(metrics),
                      steps_per_epoch)


@plotting.styled
def plateau_figure(r: PlateauRun, p: NoisyProblem):
    """Top: the loss (each step faint, each epoch's mean as dots) and the predicted floor of the lr in use;
    bottom: the lr the scheduler chose. The cuts are marked on both."""
    fig, (ax, bx) = plotting.figure(2, 1, width=9.0, height=6.4)
    c = plotting.PALETTE
    t = np.arange(1, r.gap.size + 1)
    E = r.steps_per_epoch
    ax.plot(t, r.gap, color=c["blue"], lw=0.6, alpha=0.3)
    mids = (np.arange(r.metrics.size) + 0.5) * E
    ax.plot(mids, r.metrics - p.loss.min_value, "o-", color=c["blue"], ms=5, lw=1.6,
            label="epoch mean: what the scheduler reads")
    floors = np.array([theory.noise_floor(p.loss, lr) for lr in r.lr[::E]])
    ax.step(np.arange(floors.size + 1) * E, np.r_[floors, floors[-1]], where="post", color=c["black"], ls="--",
            lw=1.8, label="predicted floor of the lr in use")
    used = r.epoch_lrs[:-1]                                   # the lr of each epoch
    bx.step(np.arange(used.size + 1) * E, np.r_[used, used[-1]], where="post", color=c["vermillion"], lw=2.6,
            label="lr (ReduceLROnPlateau)")
    for k in r.cuts:
        for a in (ax, bx):
            a.axvline(k * E, color=c["grey"], lw=1.2, ls=":")
    bx.plot([], [], color=c["grey"], lw=1.2, ls=":", label="a cut (patience exhausted)")
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 3)
    ax.set_xlim(0, r.gap.size)
    ax.set_ylabel("loss − min")
    ax.legend(loc="upper right", fontsize=12, frameon=True, framealpha=0.9)
    bx.set_yscale("log")
    levels = np.unique(used)
    bx.set_yticks(levels, [f"{v:g}" for v in levels])
    bx.minorticks_off()
    bx.set_ylim(levels[0] / 1.3, levels[-1] * 1.3)
    bx.set_ylabel("learning rate")
    bx.set_xlabel(f"step ({E} steps = one epoch)")
    bx.set_xlim(0, r.gap.size)
    bx.legend(loc="upper right", fontsize=12, frameon=True, framealpha=0.9)
    fig.suptitle("ReduceLROnPlateau: the loss stalls at its floor, the lr halves, the floor halves",
                 fontweight="bold")
    return fig, (ax, bx)


# ----------------------------------------------------------------------------- iterate averaging, restarts on two wells

AVERAGE_START = 100           # the first averaged step: the constant-lr run has reached its floor by then
EMA_DECAY = 0.99              # the EMA's decay: it remembers about the last 1 / (1 - 0.99) = 100 iterates
AVERAGING_COLORS = ("grey", "blue", "vermillion", "green", "orange")


@plotting.styled
def averaging_figure(gaps: dict, ax=None):
    """Loss gap against step, one line per method (``gaps``: name -> gap array of shape (steps + 1,)).

    The lines are expected in the order constant, decay, average, EMA, and a badly started average
    (drawn dashed): the lesson's averaging comparison.
    """
    fig, ax = plotting.figure_or_ax(ax, width=8.4, height=5.0)
    for i, (name, g) in enumerate(gaps.items()):
        c = plotting.PALETTE[AVERAGING_COLORS[i % len(AVERAGING_COLORS)]]
        ax.plot(np.arange(len(g)), g, color=c, lw=2.4 if i < 4 else 1.8, ls="-" if i < 4 else "--", label=name)
    ax.axvline(AVERAGE_START, color=plotting.PALETTE["grey"], lw=1, ls=":")
    ax.text(AVERAGE_START + 5, 2e-4, f"step {AVERAGE_START}", fontsize=10, color=plotting.PALETTE["black"])
    ax.set_yscale("log")
    ax.set_ylim(1e-4, 3)
    ax.set_xlim(0, len(g) - 1)
    ax.set_xlabel("step")
    ax.set_ylabel("loss − min (mean of the runs)")
    ax.set_title("same constant-lr run, its iterates averaged, against lr decay")
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=11)
    return fig


def wells_trap_counts(peaks=(0.05, 0.1, 0.2, 0.5, 1.0, 2.0), num_starts: int = 59,
                      num_steps: int = NUM_STEPS) -> dict:
    """Warm restarts (T_0 = 100, T_mult = 4) and one cosine over the run, on ``losses.two_wells()``.

    For each peak lr, full-batch gradient descent from ``num_starts`` starts spread over the plot's
    range [-2.4, 3.4]; returns peak -> (ends in the trap with restarts, ends in the trap with one
    cosine), two boolean arrays over the starts (in the trap: within 0.3 of its minimum).
    """
    loss = losses.two_wells()
    trap = loss.local_minima[1]
    x0 = np.linspace(-2.4, 3.4, num_starts)[:, None]
    out = {}
    for peak in peaks:
        ends = []
        for sched in (make_schedule("warm restarts", peak, num_steps), make_schedule("cosine", peak, num_steps)):
            traj = lrlab.run(loss=loss, x0=x0, lr=sched, num_steps=num_steps)
            ends.append(np.abs(traj.params[-1, :, 0] - trap) < 0.3)
        out[peak] = tuple(ends)
    return out


# ----------------------------------------------------------------------------- the torch oracle

def dummy_optimizer(lr: float):
    """A torch SGD over one dummy parameter: all a scheduler needs to report its lr."""
    import torch
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)


def torch_lrs(scheduler, optimizer, num_steps: int) -> np.ndarray:
    """``scheduler.get_last_lr()[0]`` before each of ``num_steps`` steps (optimizer.step, then scheduler.step)."""
    out = np.empty(num_steps)
    for t in range(num_steps):
        out[t] = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()
    return out


# ----------------------------------------------------------------------------- exercises

EX_FLOOR = {"lr": 0.3, "batch_size": 40}   # exercise 1: predict the floor with batches of 40 at lr 0.3
EX_COSINE = 1.5               # exercise 2: cosine starting at 1.5 x 2/L


def exercise_answers() -> dict:
    """The exercises' right answers, computed."""
    p = noisy_problem()
    cos = make_schedule("cosine", EX_COSINE * p.critical_lr, p.num_steps)
    traj = run_schedules(p, {"restarts": make_schedule("warm restarts", PEAK, p.num_steps)})
    gap = plotting.gap(traj)[:, 0]
    T0 = DEFAULTS["warm restarts"]["T_0"]
    before, after = gap[T0 - 20:T0].mean(), gap[T0 + 5:T0 + 25].mean()
    big = noisy_problem(batch_size=EX_FLOOR["batch_size"])
    return {"floor": theory.noise_floor(big.loss, EX_FLOOR["lr"]), "floor_b10": theory.noise_floor(p.loss, EX_FLOOR["lr"]),
            "steps_above": steps_above(cos, p.critical_lr, p.num_steps),
            "restart_effect": "up" if after > before else "down", "restart_before": before, "restart_after": after,
            "plateau_cut": plateau_cut(), "average_without_noise": average_without_noise()}


def check_floor_prediction(answer) -> Feedback:
    """Exercise 1: predict the noise floor at lr 0.3 with batches of 40 rows, from section 2's floors (batches of 10)."""
    a = exercise_answers()
    if answer is not None:
        try:
            x = float(answer)
        except (TypeError, ValueError):
            x = None
        if x is not None and abs(x / a["floor_b10"] - 1) < 0.3:
            return Feedback(False, f"{x:.3g} is about the floor at lr {EX_FLOOR['lr']:g} with batches of "
                                   f"{BATCH_SIZE}. The batch is {EX_FLOOR['batch_size'] // BATCH_SIZE} times larger "
                                   "now: what does that do to the noise of each step?")
    return check_number_answer(answer, a["floor"], rtol=0.2,
                               hint="Two steps: the floor at lr 0.3 with batches of 10 (between the floors of section "
                                    "2), then the effect of the batch size on the noise covariance Σ_B.",
                               right=f"Right: the predicted floor is {a['floor']:.3g}. The floor goes like lr/B: "
                                     "a larger batch averages more rows, so its gradient noise is smaller. (The exact "
                                     f"factor is {a['floor_b10'] / a['floor']:.2f}, not 4: the batches are drawn "
                                     "without replacement from 500 rows.)")


def check_steps_above(answer) -> Feedback:
    """Exercise 2: steps of a cosine schedule started at 1.5 x 2/L that use an lr above 2/L."""
    expected = exercise_answers()["steps_above"]
    try:
        ok = answer is not None and abs(float(answer) - expected) <= 1
    except (TypeError, ValueError):
        ok = False
    if ok:
        bound = NUM_STEPS * np.arccos(1 / 3) / np.pi
        return Feedback(True, f"Right: {expected} steps. 1.5·(2/L)·(1 + cos(πt/500))/2 > 2/L means cos(πt/500) > 1/3, "
                              f"so t < 500·arccos(1/3)/π ≈ {bound:.1f}: the steps t = 0 … {expected - 1}.")
    return check_number_answer(answer, expected, rtol=0.0,
                               hint="The cosine schedule from a peak η₀ is η₀·(1 + cos(πt/500))/2. Put η₀ = 1.5·(2/L), "
                                    "divide the condition lr(t) > 2/L by 2/L, and solve for cos(πt/500) first.")


def check_restart_effect(answer) -> Feedback:
    """Exercise 3: right after a warm restart, does the loss on the noisy problem go up or down?"""
    expected = exercise_answers()["restart_effect"]
    return check_choice(answer, expected, choices=("up", "down"),
                        hint="At a restart the lr jumps back to its peak. What does that do to the noise floor?",
                        right=f"Yes, {expected}: the lr jumps back to the peak, and so does the noise floor. "
                              "Restarts trade a temporary rise for a chance to leave the current basin "
                              "(which matters on non-convex losses, not on this one).")


#: exercise 5: epoch losses read by a ReduceLROnPlateau(factor=0.5, patience=2, threshold=1e-3)
EX_PLATEAU_METRICS = (1.0, 0.8, 0.7, 0.69995, 0.7, 0.71, 0.65, 0.66, 0.66, 0.66)
EX_PLATEAU = {"factor": 0.5, "patience": 2, "threshold": 1e-3}


def plateau_cut(metrics=EX_PLATEAU_METRICS, **kw) -> int | None:
    """After how many ``step(metric)`` calls the lr is cut first (None if never)."""
    lrs = schedules.reduce_lr_on_plateau(1.0, **{**EX_PLATEAU, **kw}).lrs(metrics)
    cut = np.nonzero(lrs < lrs[0])[0]
    return int(cut[0]) if cut.size else None


def check_plateau_cut(answer) -> Feedback:
    """Exercise 5: after which reading does ReduceLROnPlateau first cut the lr?"""
    expected = plateau_cut()
    if answer is None:
        return Feedback(False, "Replace None with the number of the reading (1 for the first) after which the lr "
                               "is cut.")
    try:
        a = float(answer)
    except (TypeError, ValueError):
        a = float("nan")
    if a == expected:
        return Feedback(True, f"Right: after reading {expected}. 0.69995 is not better than 0.7 by the relative "
                              "threshold (it would have to be below 0.7 × 0.999), so readings 4, 5 and 6 are three "
                              "bad epochs in a row, one more than the patience of 2.")
    if a == expected - 1:
        hint = "The count of bad epochs has to go past the patience, not just reach it."
    elif a == plateau_cut(threshold=0.0):
        hint = "Does 0.69995 really count as better than 0.7? Look at the threshold."
    else:
        hint = ("Keep two numbers by hand, the best loss so far and the count of bad epochs in a row; a reading "
                "is better only if it beats best × (1 − threshold).")
    return Feedback(False, f"Not {answer!r}. {hint}")


WARMUP = 50                   # exercise 4: the warm-up length


def warmup_reference(t, peak: float = PEAK, warmup: int = WARMUP) -> float:
    """Exercise 4's schedule: 0 at t = 0, rising linearly to ``peak`` at ``t = warmup``, then ``peak``."""
    return peak * min(t / warmup, 1.0)


def check_warmup_function(fn, peak: float = PEAK, warmup: int = WARMUP) -> Feedback:
    """Exercise 4: ``fn(t)`` (one integer step in, one lr out) must be linear warm-up to ``peak``.

    The check calls ``fn`` at t = 0 .. 3·warmup and names the first step where it is off, with the
    usual mistakes recognised: an off-by-one start, a ramp that overshoots the peak or never reaches it.
    """
    ts = range(3 * warmup + 1)
    got, problem = student_lrs(fn, "my_warmup", ts, placeholder="an expression of t")
    if problem is not None:
        return problem
    got = np.array(got)
    want = np.array([warmup_reference(t, peak, warmup) for t in ts])
    if np.allclose(got, want, rtol=1e-9, atol=1e-12):
        return Feedback(True, f"Right: lr rises by {peak / warmup:.3g} per step and holds {peak:g} from step {warmup}. "
                              "torch's LinearLR draws the same ramp but must start above 0 (start_factor > 0); "
                              "lesson.make_schedule('warmup + cosine', ...) decays after it instead of holding.")
    bad = int(np.argmax(~np.isclose(got, want, rtol=1e-9, atol=1e-12)))
    shifted = np.array([warmup_reference(t + 1, peak, warmup) for t in ts])
    if np.allclose(got, shifted, rtol=1e-9, atol=1e-12):
        hint = "It is one step ahead: at t = 0 the lr must be 0 (use t, not t + 1)."
    elif got.max() > peak * (1 + 1e-9):
        hint = f"It goes past the peak ({got.max():.3g} > {peak:g}): cap the ramp at the peak (min(..., 1))."
    elif got[-1] < peak * (1 - 1e-9):
        hint = f"It never reaches the peak {peak:g} (it ends at {got[-1]:.3g}): at t = {warmup} the ramp is done."
    else:
        hint = "Write it as peak × (fraction of the warm-up done), capped at 1."
    return Feedback(False, f"At t = {bad} your lr is {got[bad]:.4g}, warm-up gives {want[bad]:.4g}. {hint}")


EX_AVERAGE = {"lr": 0.3, "start": AVERAGE_START}   # exercise 6: average the noise-free run at a constant lr 0.3


def average_without_noise(lr: float = EX_AVERAGE["lr"], start: int = EX_AVERAGE["start"]) -> dict:
    """Exercise 6: full-batch GD at a constant ``lr`` on the lesson's problem (no noise); the loss gap of the
    last iterate and of the mean of the iterates from ``start`` on, at the last step."""
    p = noisy_problem()
    traj = lrlab.run(loss=p.clean, x0=p.x0, lr=lr, num_steps=p.num_steps)
    avg = diagnostics.average_iterates(traj, start)[-1]
    last, averaged = float(p.clean.value(traj.params[-1])), float(p.clean.value(avg))
    return {"last": last, "average": averaged, "answer": "above" if averaged > last else "below"}


def check_average_without_noise(answer) -> Feedback:
    """Exercise 6: without noise, does the average of the iterates end above or below the last iterate?"""
    r = average_without_noise()
    return check_choice(answer, r["answer"], choices=("above", "below"),
                        hint="Without noise, what is left in each iterate's error? Is it on the same side of the "
                             "minimum in every iterate, and is it larger in the early ones or the late ones?",
                        right=f"Yes, {r['answer']}: without noise there is nothing to average out. Each iterate's "
                              "error is what is left of the start, the same sign along each direction and shrinking "
                              "every step, so the mean of the iterates carries the larger errors of the early ones: "
                              f"its loss gap ends at {r['average']:.1g}, the last iterate's at {r['last']:.1g}.")
