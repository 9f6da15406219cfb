"""Lesson 01, the update rule: the problem set-ups, figures and exercise checks of
``notebooks/01_update_rule.ipynb``.

The lesson's 1-D loss is the bowl :math:`f(w) = w^2` (``lrlab.losses.quadratic([2.0])``,
curvature :math:`\\lambda = 2`), so one step of gradient descent is
:math:`w \\leftarrow w - \\eta \\cdot 2w`: ``lr = 1/2`` lands on the minimum in one
step and ``lr = 1`` (``2/L``) is where the iteration stops converging.

This module imports matplotlib and ipywidgets (through ``lrlab.explorer``); torch
is imported only by :func:`regression_data` and :func:`torch_parameters`.
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from lrlab import losses, plotting
from lrlab.explorer import Explorer, Problem
from lrlab.exercises import Feedback, check_number_answer
from lrlab.lessons.too_high_too_low import regimes_figure

__all__ = ["CURVATURE", "X0", "NUM_STEPS", "PRESETS", "LR_RANGE", "bowl", "problem", "explorer",
           "presets_figure", "stride_figure", "torch_vs_lrlab_figure", "regression_data", "torch_parameters",
           "ONE_STEP_CURVATURE", "ONE_STEP_CENTER", "check_one_step", "check_sum_lr", "check_one_step_lr"]

CURVATURE = 2.0          # f(w) = w**2 = 0.5 * 2 * w**2
X0 = [-1.5]
NUM_STEPS = 30
LR_RANGE = (1e-3, 2.0)
# lr * curvature: 0.02 (slow), 0.6 (good), 1.6 (oscillating), 2.1 (diverging)
PRESETS = {"too small": 0.01, "good": 0.3, "oscillating": 0.8, "diverging": 1.05}


def bowl(curvature: float = CURVATURE) -> losses.Quadratic:
    """The lesson's 1-D loss :math:`f(w) = \\tfrac{c}{2} w^2` (``c = 2``: :math:`w^2`)."""
    return losses.quadratic([curvature])


def problem(curvature: float = CURVATURE) -> Problem:
    """The main widget's problem: the bowl, started at w = -1.5, 30 steps."""
    return Problem(bowl(curvature), X0, NUM_STEPS, title="f(w) = w²: each arrow is one step")


def explorer(lr: float = 0.3) -> Explorer:
    """The main widget of lesson 01: the stride picture and the loss curve, driven by an lr slider."""
    return Explorer(problem(), lr=lr, lr_range=LR_RANGE, presets=PRESETS, panels=("path", "loss"),
                    width=11.0, height=3.9)


def presets_figure(loss, traj):
    """The four presets' paths on the curve, two by two, each titled with its lr and the regime its
    factor 1 - lr * curvature predicts. ``traj`` is one batched run over ``PRESETS``. Returns ``(fig, axes)``."""
    titles = [f"{name}: lr = {lr:g}" for name, lr in PRESETS.items()]
    return regimes_figure(loss, traj, titles)


@plotting.styled
def stride_figure(loss, traj, lrs):
    """Left: the paths of a few lrs on the curve. Right: the step length |w_{t+1} - w_t|
    (markers) on top of lr·|f'(w_t)| (lines): they are the same number.

    ``traj`` is a batched run over ``lrs`` (batch shape ``(len(lrs),)``). Returns ``(fig, axes)``.
    """
    fig, axes = plotting.figure(1, 2, width=9.0, height=3.9)
    colors = [plotting.PALETTE[c] for c in ("blue", "orange", "green", "purple")]
    ax = axes[0]
    plotting.curve_1d(loss, ax)
    lo, hi = loss.bounds[0]
    ax.set_xlim(lo, hi)
    vals = loss.value(np.linspace(lo, hi, 200)[:, None])
    ax.set_ylim(-0.08 * vals.max(), vals.max() * 1.08)
    for i, lr in enumerate(lrs):
        plotting.path_1d(loss, traj[i], ax, max_arrows=8, color=colors[i % len(colors)])
        ax.plot([], [], color=colors[i % len(colors)], lw=2, label=f"lr = {lr:g}")
    ax.legend(frameon=False, loc="upper center", fontsize=10)
    ax.set_title("the path: arrows are steps")
    ax = axes[1]
    steps = np.abs(np.diff(traj.params[..., 0], axis=0))          # (T, k)
    predicted = traj.lr * traj.grad_norm[:-1]                      # (T, k)
    t = np.arange(steps.shape[0])
    for i, lr in enumerate(lrs):
        c = colors[i % len(colors)]
        ax.plot(t, predicted[:, i], color=c, lw=2, label=f"lr = {lr:g}:  lr·|slope|")
        ax.plot(t, steps[:, i], "o", color=c, ms=6, mfc="white", mew=1.5)
    ax.plot([], [], "o", color=plotting.PALETTE["grey"], mfc="white", mew=1.5, label="measured step |Δw|")
    ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel("length of step t")
    ax.set_title("stride = lr × slope")
    ax.legend(frameon=False, loc="lower left")
    return fig, axes


@plotting.styled
def torch_vs_lrlab_figure(torch_losses, traj, torch_lr: float, ax=None):
    """The torch loop's MSE per step (markers) on top of lrlab's run of the same problem (line)."""
    fig, ax = plotting.figure_or_ax(ax, width=7.0, height=3.6)
    torch_losses = np.asarray(torch_losses, dtype=float)
    t = np.arange(traj.num_steps + 1)
    ax.plot(t, 2 * traj.loss, color=plotting.PALETTE["blue"], lw=2.5,
            label=f"lrlab: least squares, lr = {2 * torch_lr:g}")
    ax.plot(np.arange(torch_losses.size)[::4], torch_losses[::4], "o", color=plotting.PALETTE["orange"], ms=6,
            label=f"torch: nn.Linear + MSELoss, SGD lr = {torch_lr:g}")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FixedLocator([0.1, 0.2, 0.5, 1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("step")
    ax.set_ylabel("mean squared error")
    ax.set_title("the same run, two libraries")
    ax.legend(frameon=False)
    return fig, ax


def regression_data(n: int = 64, d: int = 10, seed: int = 0):
    """A fixed regression data set as float32 torch tensors ``X (n, d)``, ``y (n, 1)``.

    ``y = X @ w_true + 0.1 * noise`` from ``lrlab.data.linear_regression``: a real
    linear relation to learn, drawn once (not redrawn every step).
    """
    import torch

    from lrlab import data
    X, y, _ = data.linear_regression(n=n, d=d, noise=0.1, seed=seed)
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)[:, None]


def torch_parameters(model) -> np.ndarray:
    """All parameters of a model, flattened into one float64 numpy vector (a copy):
    ``torch.nn.utils.parameters_to_vector``."""
    from torch.nn.utils import parameters_to_vector
    return parameters_to_vector(model.parameters()).detach().double().numpy().copy()


# --------------------------------------------------------------------------- exercises

def check_one_step(answer) -> Feedback:
    """Exercise 1: on f(w) = w², from w = 1.5 with lr = 0.1, where does one step land?"""
    return check_number_answer(answer, 1.2, rtol=1e-6,
                               hint="What is the slope f'(w) of w² at w = 1.5? One step moves w by lr × slope, "
                                    "downhill (against the slope's sign).",
                               right="1.2: the slope is 3, the step 0.1 × 3 = 0.3, downhill from 1.5.")


#: exercise 2: the sum of this many squared errors instead of their mean, and w in centimetres, not metres
SUM_OF = 32
CM_PER_M = 100.0


def check_sum_lr(answer) -> Feedback:
    """Exercise 2: the mean of 32 squared errors, w in metres, lr 0.1 -> the sum of the same errors, w in
    centimetres: which lr gives the same path (in centimetres)? 0.1 * 100**2 / 32 = 31.25."""
    expected = 0.1 * CM_PER_M ** 2 / SUM_OF
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        if np.isclose(answer, 0.1 / SUM_OF, rtol=0.02):
            return Feedback(False, "That lr undoes the sum only; the change of units also changes the lr.")
        if np.isclose(answer, 0.1 * CM_PER_M ** 2, rtol=0.02):
            return Feedback(False, "That lr undoes the change of units only; the sum also changes the lr.")
        if np.isclose(answer, 0.1 * CM_PER_M / SUM_OF, rtol=0.02):
            return Feedback(False, "Close: the sum is handled, but a change of units rescales the lr by the "
                                   "square of the factor (section 5 says why), not by the factor.")
    return check_number_answer(answer, expected, rtol=1e-3, digits=3,
                               hint="Take the two changes one at a time, as section 5 did, and combine the two "
                                    "factors.",
                               right="31.25 = 0.1 × 100² / 32: the sum makes every gradient 32 times larger "
                                     "(divide the lr by 32), and centimetres need an lr 100² times larger.")


#: exercise 3's loss: f(w) = 2.5 (w - 1)**2, curvature 5, minimum at w = 1
ONE_STEP_CURVATURE = 5.0
ONE_STEP_CENTER = 1.0


def check_one_step_lr(answer) -> Feedback:
    """Exercise 3: which lr takes f(w) = 2.5 (w - 1)² from any start to its minimum in exactly one step?"""
    expected = 1.0 / ONE_STEP_CURVATURE
    return check_number_answer(answer, expected, rtol=1e-6,
                               hint="Write one step's distance to the minimum as a multiple of w − 1.",
                               right="0.2 = 1/λ with λ = 5, the curvature: one step gives w − 1 → (1 − 5·lr)(w − 1), "
                                     "which is 0 for every start when lr = 1/5. Where the minimum sits does not "
                                     "matter; only the curvature does.")
