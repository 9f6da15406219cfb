"""Notebook 00 (start here): the slider demo and the map of the collection, one picture per lesson."""
from __future__ import annotations

import numpy as np

import lrlab
from lrlab import data, diagnostics, losses, plotting, schedules, steppers, theory
from lrlab.explorer import Explorer, Problem
from lrlab.exercises import Feedback, check_number_answer

LESSONS = {
    "01_update_rule": "01 · The update rule",
    "02_too_high_too_low": "02 · Too high, too low",
    "03_finding_a_good_lr": "03 · Finding a good lr",
    "04_schedules": "04 · Schedules",
    "05_momentum": "05 · Momentum & adaptive",
    "07_batch_size": "07 · Batch size",
    "08_debugging": "08 · Debugging",
    "09_beyond_the_lr": "09 · Beyond the lr",
}

LAM = 2.0          # the demo bowl f(w) = w**2: curvature 2, so 1/L = 0.5 and 2/L = 1
PRESETS = {"too small": 0.01, "good": 0.4, "oscillating": 0.8, "diverging": 1.1}


def demo_explorer(lr: float = 0.1) -> Explorer:
    """The first slider of the course: gradient descent on f(w) = w**2 from w = 1.5."""
    prob = Problem(losses.quadratic([LAM]), [1.5], 30, title="f(w) = w²: every arrow is one step")
    return Explorer(prob, lr=lr, lr_range=(1e-3, 1.5), presets=PRESETS, panels=("path", "loss"))


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
        "warm restarts": schedules.cosine_annealing_warm_restarts(0.1, T_0=25, T_mult=2),
        "one-cycle": schedules.one_cycle_lr(0.1, total_steps=101),
    }, 100, ax)
    ax.set_ylim(0, 0.175)                 # room above the curves for the legend
    ax.set_yticks([0, 0.05, 0.1])
    ax.legend(frameon=False, fontsize=12, loc="upper left", ncols=2, columnspacing=0.8, handlelength=1.2,
              borderaxespad=0.1)


def _t05(ax):
    q = losses.quadratic([0.02, 1.0])
    gd = lrlab.run(loss=q, x0=[1.0, 1.0], lr=theory.optimal_lr(q), num_steps=150)
    lr_hb, beta = theory.optimal_momentum(q)
    hb = lrlab.run(loss=q, stepper=steppers.sgd(momentum=beta), x0=[1.0, 1.0], lr=lr_hb, num_steps=150)
    plotting.loss_curve(gd, ax, colors=[plotting.PALETTE["orange"]], labels=["GD"])
    plotting.loss_curve(hb, ax, colors=[plotting.PALETTE["blue"]], labels=["momentum"])
    ax.set_ylim(1e-12, 10)
    ax.legend(frameon=False, fontsize=12)


def _t06(ax):
    X, y, _ = data.linear_regression(n=256, d=2, noise=0.5, seed=0)
    for B, color in [(1, plotting.PALETTE["vermillion"]), (8, plotting.PALETTE["sky"]), (64, plotting.PALETTE["blue"])]:
        ls = losses.least_squares(X, y, batch_size=B, seed=1)
        traj = lrlab.run(loss=ls, x0=[0.0, 0.0], lr=0.05, num_steps=300)
        plotting.loss_curve(traj, ax, colors=[color], labels=[f"B = {B}"])
    ax.set_ylabel("loss − min")
    ax.set_ylim(1e-10, 1)
    ax.legend(frameon=False, fontsize=12, ncol=3, loc="lower left", columnspacing=1.0, handlelength=1.2)


def _t07(ax):
    q = losses.quadratic([1.0, 10.0])
    traj = lrlab.run(loss=q, x0=[1.0, 1.0], lr=[0.002, 0.05, 0.19, 0.205], num_steps=80)
    regimes = diagnostics.classify(traj)
    plotting.loss_curve(traj, ax, colors=[plotting.REGIME_COLORS[r] for r in regimes], labels=list(regimes))
    ax.legend(frameon=False, fontsize=12)


def _t08(ax):
    X, y, _ = data.linear_regression(n=200, d=2, noise=0.1, seed=0, scales=[1.0, 8.0])
    raw = losses.least_squares(X, y)
    ax.bar(["raw", "standardized"], [theory.critical_lr(raw), theory.critical_lr(losses.least_squares(
        data.standardize(X), y))], color=[plotting.PALETTE["orange"], plotting.PALETTE["blue"]])
    ax.set_yscale("log")
    ax.set_ylabel("usable lr: 2/L")


THUMBNAILS = [_t01, _t02, _t03, _t04, _t05, _t06, _t07, _t08]


@plotting.styled
def map_figure():
    """The map of the collection: one small picture per lesson, titled with its name."""
    fig, axes = plotting.figure(2, 4, width=16.0, height=7.4)
    for (key, title), ax, draw in zip(LESSONS.items(), axes.flat, THUMBNAILS):
        draw(ax)
        ax.set_title(title)
    return fig, axes


def check_edge(answer) -> Feedback:
    """Exercise: the largest lr that still converges on f(w) = w**2."""
    return check_number_answer(answer, 2.0 / LAM, rtol=0.05, at_most=2.0 / LAM,
                               beyond="every step there overshoots further than it started, so the run diverges",
                               hint="Press the 'diverging' preset, then walk the slider left with the arrow keys "
                                    "until the label stops saying 'diverging'.",
                               right="The edge is 2/L = 1: above it every step overshoots further than it started.")
