"""Notebook 00 (start here): the slider demo, the exercise's own explorer and the map of the collection,
one picture per lesson (drawn from the library alone, whichever notebooks exist)."""
from __future__ import annotations

import numbers

import numpy as np

import lrlab
from lrlab import data, diagnostics, losses, plotting, schedules, steppers, theory
from lrlab.explorer import Explorer, Problem
from lrlab.exercises import Feedback, check_number_answer

#: notebook name -> title, in course order (notebook names are the later files' names: the map does not
#: need the notebooks to exist)
LESSONS = {
    "00_start_here": "00 · Start here",
    "01_update_rule": "01 · The update rule",
    "02_too_high_too_low": "02 · Too high, too low",
    "03_finding_a_good_lr": "03 · Finding a good lr",
    "04_schedules": "04 · Schedules",
    "05_momentum": "05 · Momentum",
    "06_adaptive_optimizers": "06 · Adaptive optimizers",
    "07_batch_size": "07 · Batch size",
    "08_debugging": "08 · Debugging",
    "09_beyond_the_lr": "09 · Beyond the lr",
    "10_capstone": "10 · Capstone: a real network",
}

LAM = 2.0          # the demo bowl f(w) = w**2: curvature 2, so 1/L = 0.5 and 2/L = 1
PRESETS = {"too small": 0.01, "good": 0.4, "oscillating": 0.8, "diverging": 1.1}
#: the exercise's bowl f(w) = 1.25 w**2 (curvature 2.5): its edge 2/L = 0.8 appears nowhere in the notebook
EXERCISE_LAM = 2.5
#: the exercise explorer's presets: two ends, neither near the edge
EXERCISE_PRESETS = {"too small": 0.01, "blows up": 1.4}


def demo_explorer(lr: float = 0.1) -> Explorer:
    """The first slider of the course: gradient descent on f(w) = w**2 from w = 1.5."""
    prob = Problem(losses.quadratic([LAM]), [1.5], 30, title="f(w) = w²: every arrow is one step")
    return Explorer(prob, lr=lr, lr_range=(1e-3, 1.5), presets=PRESETS, panels=("path", "loss"))


def _exercise_stats(view) -> str:
    loss = view.runs["main"].loss
    end = "blew up" if view.runs["main"].diverged else f"{loss[-1]:.3g}"
    return f"lr = <b>{view.lr:.4g}</b> · loss after {loss.shape[0] - 1} steps: <b>{end}</b> (it started at {loss[0]:.3g})"


def exercise_explorer(lr: float = 0.1) -> Explorer:
    """The exercise's slider: gradient descent on f(w) = 1.25 w**2 from w = 1.5, with no theory line and
    no lr·L in its numbers (the student finds the edge from the runs)."""
    prob = Problem(losses.quadratic([EXERCISE_LAM]), [1.5], 30, title="f(w) = 1.25 w²")
    return Explorer(prob, lr=lr, lr_range=(1e-3, 1.5), presets=EXERCISE_PRESETS, panels=("path", "loss"),
                    stats=_exercise_stats,
                    theory=lambda view: "theory: hidden here; find the edge from the runs")


def _t00(ax):
    # the slider every lesson has: a log lr axis, the regimes of f(w) = w**2 along it, the current lr
    q = losses.quadratic([LAM])
    plotting.lr_ruler(ax, 1e-2, 4.0, loss=q, lr=0.03)
    ax.text(0.12, 0.45, "monotone\nconvergence", ha="center", va="center", fontsize=10)
    ax.text(0.707, 0.45, "oscillating", ha="center", va="center", fontsize=10, rotation=90)
    ax.text(2.0, 0.45, "divergence", ha="center", va="center", fontsize=10)
    ax.text(0.03, 0.04, " lr ", ha="left", va="bottom", fontsize=10, fontweight="bold")


def _t01(ax):
    q = losses.quadratic([LAM])
    traj = lrlab.run(loss=q, x0=[-1.5], lr=0.3, num_steps=12)
    plotting.curve_1d(q, ax, bounds=(-1.7, 1.7))
    plotting.path_1d(q, traj, ax, max_arrows=12)
    ax.set_xlabel("w"); ax.set_ylabel("loss")


def _t02(ax):
    q = losses.quadratic([4.0])
    lrs = np.geomspace(1e-3, 1.0, 2000)
    traj = lrlab.run(loss=q, x0=[1.5], lr=lrs, num_steps=40)
    plotting.lr_map(lrs, plotting.gap(traj)[-1], ax, loss=q, label="loss after 40 steps")


def _t03(ax):
    q = losses.quadratic([1.0, 10.0])
    # only the curve the range test reads: where on it to pick the lr, and why the toy's answers sit where
    # they do (far below 2/L, and the minimum past it), is lesson 03's subject, not a puzzle for the map
    res = diagnostics.lr_range_test(q, [1.0, 1.0], start_lr=1e-4, end_lr=10.0, num_iter=150, smooth=0.9)
    ax.plot(res.lrs, res.losses, color=plotting.PALETTE["blue"], lw=2)
    ax.set_xscale("log"); ax.set_yscale("log")
    ax.set_xlabel("learning rate, ramped up"); ax.set_ylabel("loss during the ramp")


def _t04(ax):
    plotting.schedule_curves({
        "cosine": schedules.cosine_annealing_lr(0.1, T_max=100),
        "warm restarts": schedules.cosine_annealing_warm_restarts(0.1, T_0=20, T_mult=4),   # periods end with the run
        "one-cycle": schedules.one_cycle_lr(0.1, total_steps=101),
    }, 100, ax)
    ax.set_ylim(0, 0.175)                 # room above the curves for the legend
    ax.set_yticks([0, 0.05, 0.1])
    ax.legend(frameon=False, fontsize=10.5, loc="upper left", ncols=3, columnspacing=0.8, handlelength=1.2,
              borderaxespad=0.1)


def _t05(ax):
    q = losses.quadratic([0.02, 1.0])
    gd = lrlab.run(loss=q, x0=[1.0, 1.0], lr=theory.optimal_lr(q), num_steps=150)
    lr_hb, beta = theory.optimal_momentum(q)
    hb = lrlab.run(loss=q, stepper=steppers.sgd(momentum=beta), x0=[1.0, 1.0], lr=lr_hb, num_steps=150)
    plotting.loss_curve(gd, ax, colors=[plotting.PALETTE["orange"]], labels=["GD"])
    plotting.loss_curve(hb, ax, colors=[plotting.PALETTE["blue"]], labels=["momentum"])
    ax.set_ylim(1e-12, 10)
    ax.legend(frameon=False, fontsize=11, loc="upper right")


def _t06(ax):
    # Adam's step size per coordinate, lr / (sqrt(v_hat) + eps), read from its state: on the bowl with
    # curvatures 1 and 81 the steep coordinate gets the smaller step (lesson 06's per-parameter step sizes)
    q = losses.quadratic([1.0, 81.0])
    stepper = steppers.adam()
    lr = 0.05
    traj = lrlab.run(loss=q, stepper=stepper, x0=[-1.0, 0.8], lr=lr, num_steps=200, record_state=True)
    beta2 = stepper.hyperparams["betas"][1]
    eps = stepper.hyperparams["eps"]
    eff = np.array([lr / (np.sqrt(s.exp_avg_sq / (1.0 - beta2 ** s.step)) + eps) for s in traj.state])
    t = np.arange(1, eff.shape[0] + 1)
    for i, (name, color) in enumerate([("flat w₁", "blue"), ("steep w₂", "vermillion")]):
        ax.plot(t, eff[:, i], color=plotting.PALETTE[color], label=name)
    ax.set_yscale("log")
    ax.set_ylim(3e-4, 10)
    ax.set_xlabel("step"); ax.set_ylabel("Adam's step size")
    ax.legend(frameon=False, fontsize=11, ncols=2, loc="upper left")


def _t07(ax):
    X, y, _ = data.linear_regression(n=256, d=2, noise=0.5, seed=0)
    for B, color in [(1, plotting.PALETTE["vermillion"]), (8, plotting.PALETTE["sky"]), (64, plotting.PALETTE["blue"])]:
        ls = losses.least_squares(X, y, batch_size=B, seed=1)
        traj = lrlab.run(loss=ls, x0=[0.0, 0.0], lr=0.05, num_steps=300)
        plotting.loss_curve(traj, ax, colors=[color], labels=[f"B = {B}"])
    ax.set_ylabel("loss − min")
    ax.set_ylim(1e-10, 1)
    ax.legend(frameon=False, fontsize=11, ncol=3, loc="lower left", columnspacing=1.0, handlelength=1.2)


def _t08(ax):
    q = losses.quadratic([1.0, 10.0])
    lrs = [0.002, 0.05, 0.19, 0.205]
    traj = lrlab.run(loss=q, x0=[1.0, 1.0], lr=lrs, num_steps=80)
    colors = [plotting.PALETTE[c] for c in ("sky", "green", "orange", "vermillion")]
    plotting.loss_curve(traj, ax, colors=colors, labels=[f"lr = {lr:g}" for lr in lrs])
    ax.set_ylim(1e-7, 1e11)                # room above the curves for the legend
    ax.legend(frameon=False, fontsize=11, ncols=2, loc="upper left", columnspacing=1.0, handlelength=1.2)


def _t09(ax):
    X, y, _ = data.linear_regression(n=200, d=2, noise=0.1, seed=0, scales=[1.0, 8.0])
    raw = losses.least_squares(X, y)
    ax.bar(["raw", "standardized"], [theory.critical_lr(raw), theory.critical_lr(losses.least_squares(
        data.standardize(X), y))], color=[plotting.PALETTE["orange"], plotting.PALETTE["blue"]])
    ax.set_yscale("log")
    ax.set_ylabel("usable lr: 2/L")


def _t10(ax):
    # the capstone's one-cycle recipe: the lr rises for 30% of the steps and falls, while SGD's momentum
    # does the opposite (torch's OneCycleLR with cycle_momentum: within each phase the momentum moves
    # between 0.95 and 0.85 on the lr's own cosine, so it mirrors the lr)
    n, peak, lo_m, hi_m = 100, 0.3, 0.85, 0.95
    lr = schedules.one_cycle_lr(peak, total_steps=n)(np.arange(n))
    start, top = lr[0], int(np.argmax(lr))
    mom = np.where(np.arange(n) <= top, hi_m - (lr - start) / (peak - start) * (hi_m - lo_m),
                   lo_m + (peak - lr) / (peak - lr[-1]) * (hi_m - lo_m))
    ax.plot(lr, color=plotting.PALETTE["blue"], label="lr")
    ax.set_xlabel("step"); ax.set_ylabel("lr")
    ax.set_ylim(0, 0.42)
    twin = ax.twinx()
    twin.plot(mom, color=plotting.PALETTE["orange"], ls="--", label="momentum β")
    twin.set_ylim(0.80, 0.99)
    twin.set_ylabel("β")
    twin.grid(False)
    lines = ax.get_lines() + twin.get_lines()
    ax.legend(lines, [l.get_label() for l in lines], frameon=False, fontsize=10.5, ncols=2, loc="upper left")


THUMBNAILS = [_t00, _t01, _t02, _t03, _t04, _t05, _t06, _t07, _t08, _t09, _t10]


@plotting.styled
def map_figure():
    """The map of the collection: one small picture per lesson, titled with its name, two to a row
    (9 inches wide). Drawn from the library alone: it does not matter which notebooks exist."""
    rows = -(-len(LESSONS) // 2)
    fig, axes = plotting.figure(rows, 2, width=9.0, height=2.8 * rows)
    for (key, title), ax, draw in zip(LESSONS.items(), axes.flat, THUMBNAILS):
        draw(ax)
        ax.set_title(title, fontsize=12)
    for ax in axes.flat[len(LESSONS):]:
        ax.set_visible(False)
    return fig, axes


def check_edge(answer) -> Feedback:
    """Exercise: the boundary lr of gradient descent on f(w) = 1.25 w**2 (2/L = 0.8). Below it the run
    converges, from it on it does not; an answer past it is refused however close."""
    edge = 2.0 / EXERCISE_LAM                          # 0.8
    beyond = "every step there overshoots further than it started, so the run blows up"
    hint = ("Start at the right end of the slider, where the loss after 30 steps ends far above where it "
            "started, and walk left with the arrow keys, one notch at a time, watching the numbers line. "
            "Find the last lr whose loss ends above where it started and the first whose loss ends below it: "
            "the boundary lies between those two notches, and the lower one is the answer asked for.")
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool) and answer > edge:    # no slack past it
        return Feedback(False, f"{float(answer)!r} is past the limit: {beyond}. {hint}")
    # the slider's notch just below the edge (0.791) is 1.1% below it: 5% below is still accepted
    return check_number_answer(answer, edge, rtol=0.05, at_most=edge, beyond=beyond, hint=hint,
                               right="The boundary is exactly 0.8 = 2/L with L = 2.5, the curvature of 1.25 w²: "
                                     "above it every step overshoots further than it started. Lesson 02 shows why.")
