# %% [markdown]
# # 00 · Start here: the learning rate, seen
#
# Gradient descent changes a model's parameters a little at every step, always downhill. **How much** it
# changes them is set by one number, the *learning rate*. It is the first knob anyone turns when training
# fails, and the one whose effect is easiest to *see*. This collection lets you see it: every lesson has a
# slider for the learning rate and a figure that follows it as you drag.
#
# **What you need:** nothing but this notebook. Everything runs on a laptop CPU in seconds, offline.
#
# **Predict first.** In the explorer below, gradient descent minimizes $f(w) = w^2$ starting from $w = 1.5$.
# If you double the learning rate, does it always reach the bottom twice as fast? Write down yes or no, then
# drag the slider and find out.

# %%
import numpy as np

import lrlab
from lrlab import plotting, theory
from lrlab.lessons import start_here as lesson

# %% [markdown]
# ## How to use a slider
#
# - **Drag** the handle, or **click** it and use the **arrow keys** (one notch per press) and **Home** / **End**
#   (the two ends). The slider is logarithmic: each notch multiplies the learning rate by the same factor,
#   because learning rates that matter span many powers of ten.
# - The **preset buttons** jump to the teaching cases: *too small*, *good*, *oscillating*, *diverging*.
# - The coloured **label** beside the slider says what the current run does; the line under the slider
#   gives the **theory**: $1/L$ and $2/L$, where $L$ is the curvature of the loss (its second derivative).
#   The numbers below say how far the run got.
# - The figure: left, the loss curve with each step of gradient descent as an arrow; right, the loss after
#   each step on a log scale (a straight line down means a constant rate of progress).

# %% tags=["nbval-ignore-output"]
explorer = lesson.demo_explorer()
explorer

# %% [markdown]
# Doubling the learning rate helps only up to a point. On $f(w) = w^2$ (curvature $L = 2$) the run is fastest
# at $1/L = 0.5$, where the first step lands exactly on the minimum, and it no longer converges at all from
# $2/L = 1$ on. The four presets, run for 30 steps:

# %%
loss = lrlab.losses.quadratic([lesson.LAM])
print(f"1/L = {1 / loss.L:.2f}   2/L = {theory.critical_lr(loss):.2f}")
traj = lrlab.run(loss=loss, x0=[1.5], lr=list(lesson.PRESETS.values()), num_steps=30)
for (name, lr), start, end in zip(lesson.PRESETS.items(), traj.loss[0], traj.loss[-1]):
    closed = f"{1 - end / start:.0%} of the loss removed" if end < start else "the loss grew"
    steps = theory.steps_to_tolerance(loss, lr, 1e-6)
    print(f"{name:>11s}: lr = {lr:<4} w x {1 - 2 * lr:+.2f} per step: {theory.regime(loss, lr)}, {closed}, "
          + (f"distance x 1e-6 in {steps:g} steps" if np.isfinite(steps) else "never"))

# %% tags=["check"]
assert [theory.regime(loss, lr) for lr in lesson.PRESETS.values()] == [
    "monotone convergence", "monotone convergence", "oscillating convergence", "divergence"]
assert [f"{1 - e / s:.0%}" for s, e in zip(traj.loss[0, :3], traj.loss[-1, :3])] == ["70%", "100%", "100%"]
assert traj.loss[-1, 3] > traj.loss[0, 3] and theory.critical_lr(loss) == 1.0
assert [theory.steps_to_tolerance(loss, lr, 1e-6) for lr in lesson.PRESETS.values()] == [684, 9, 28, np.inf]
assert [f"{1 - 2 * lr:+.2f}" for lr in lesson.PRESETS.values()] == ["+0.98", "+0.20", "-0.60", "-1.20"]

# %% [markdown]
# On $w^2$ one step multiplies $w$ by $1 - 2\eta$ (the factor printed). The "too small" run removed 70% of
# the loss in 30 steps, yet it is the slow one: each of its steps removes only 2% of the remaining distance
# to the minimum, where the "good" run removes 80%.
#
# **Explain why.** The "good" preset (0.4) and the "oscillating" one (0.8) both remove all but a sliver of
# the loss in 30 steps, but to shrink the distance a millionfold the "oscillating" run needs 28 steps
# against 9: doubling the learning rate made the run slower, not faster. Why? (Look at where each run's
# first step lands.)
#
# <details><summary>Model answer (open after you have written yours)</summary>
#
# At 0.4 that is $0.2$: the first step lands on the same
# side, at a fifth of the distance. At 0.8 it is $-0.6$: the step overshoots the minimum and lands on the other
# side, at 0.6 of the distance. Past $1/L = 0.5$ a larger step overshoots more, so the distance shrinks less
# per step.
#
# </details>

# %% [markdown]
# ## The map of the collection
#
# Each lesson answers one question about the learning rate. One picture from each:

# %%
fig, _ = lesson.map_figure()
plotting.show(fig)

# %% tags=["check"]
_ramp = lrlab.diagnostics.lr_range_test(lrlab.losses.quadratic([1.0, 10.0]), [1.0, 1.0], start_lr=1e-4, end_lr=10.0,
                                        num_iter=150, smooth=0.9)
assert _ramp.lrs[np.argmin(_ramp.losses)] > 0.2 and min(_ramp.losses) < np.interp(0.2, _ramp.lrs, _ramp.losses)

# %% [markdown]
# Two pictures deserve a word before you reach their lessons. In 02's picture the orange band at the top right
# marks learning rates whose run blew up, and losses below $10^{-18}$ are drawn on the bottom edge. In 03's
# picture the range test's loss keeps falling past the edge $2/L = 0.2$ of the same bowl as 08's, because
# the test raises the lr while it runs; lesson 03 explains how to read it.
#
# In 08's picture the run at lr = 0.19 ends lowest: from step 22 on it is below every other run, and its
# line is the steepest. Its iterates zig-zag (a loss curve cannot show that). Its bowl has curvatures
# $\mu = 1$ (the smallest) and $L = 10$ (the largest), so $2/L = 0.2$: at 0.19 each step overshoots the
# minimum along the steep direction and flips sign there, shrinking that error by $|1 - 0.19 \cdot 10| = 0.9$
# per step. The run at lr = 0.05 never overshoots, but along the flat direction it shrinks its error by
# only $1 - 0.05 = 0.95$ per step, and the slowest direction sets the pace. Zig-zagging is not in itself a
# fault: on a stretched bowl the best constant lr, $2/(\mu + L) = 0.18$ here, lies close to the edge, and
# lesson 02 shows why.

# %%
bowl = lrlab.losses.quadratic([1.0, 10.0])
rates = {lr: theory.convergence_rate(bowl, lr) for lr in (0.05, 0.19)}
runs08 = lrlab.run(loss=bowl, x0=[1.0, 1.0], lr=[0.002, 0.05, 0.19, 0.205], num_steps=80)
lowest = np.all(runs08.loss[:, [2]] < runs08.loss[:, [0, 1, 3]], axis=1)
print(f"lr = 0.19 is the lowest run from step {np.flatnonzero(~lowest).max() + 1} on")
print(", ".join(f"lr = {lr}: error x {r:.2f} per step" for lr, r in rates.items())
      + f";  best lr 2/(mu + L) = {theory.optimal_lr(bowl):.3f}")

# %% tags=["check"]
assert abs(rates[0.05] - 0.95) < 1e-12 and abs(rates[0.19] - 0.9) < 1e-12 and rates[0.19] < rates[0.05]
assert 0.18 < theory.optimal_lr(bowl) < 0.19 < theory.critical_lr(bowl)
assert np.flatnonzero(~lowest).max() + 1 == 22 and lowest[22:].all()
assert runs08.loss[5, 1] < runs08.loss[5, 2]

# %% [markdown]
# | lesson | the question | what you will see |
# |---|---|---|
# | [01 · The update rule](01_update_rule.ipynb) | What *is* the learning rate? | the update $w \leftarrow w - \eta\nabla f(w)$ as strides on a curve; PyTorch's `optimizer.step()` is that rule |
# | [02 · Too high, too low](02_too_high_too_low.ipynb) | What goes wrong when it is too large or too small? | where "too large" begins ($2/L$) and why; slow runs, oscillation, divergence; curvature in several dimensions; 5000 learning rates at once; stuck in a poor minimum or on a plateau; Newton's step, Armijo's line search, Polyak's step |
# | [03 · Finding a good lr](03_finding_a_good_lr.ipynb) | How do you choose it in practice? | a coarse grid, a log sweep and the LR range test, checked against the known answer, then on a real network |
# | [04 · Schedules](04_schedules.ipynb) | Should it stay constant? | step, exponential, cosine, warm restarts, cyclic, warmup, one-cycle, each equal to PyTorch's scheduler; why decay beats the noise floor, and averaging the weights instead |
# | [05 · Momentum](05_momentum.ipynb) | What does momentum do to it? | a larger stable range $2(1+\beta)/L$; one eigendirection at a time; Polyak's optimum; Nesterov |
# | [06 · Adaptive optimizers](06_adaptive_optimizers.ipynb) | What do Adagrad, RMSProp and Adam do to it? | per-parameter step sizes; AdamW; a fair race |
# | [07 · Batch size](07_batch_size.ipynb) | How do batch size and learning rate interact? | the noise floor $\propto \eta/B$; the linear scaling rule, where it works and where it breaks; warmup |
# | [08 · Debugging](08_debugging.ipynb) | How do you recognise a bad learning rate? | loss-curve gallery, gradient norms, update histograms, update/weight ratio, the edge of stability |
# | [09 · Beyond the lr](09_beyond_the_lr.ipynb) | What can it not fix? | feature scaling, initialization and normalization change which learning rates work |
#
# Every lesson has the same parts: a question to **predict** before you touch anything, a **live explorer**,
# the same lesson as **static figures** (so it also reads on GitHub or on paper), a **summary** and
# **exercises** that tell you whether your answer is right. Every number a lesson states is computed by the
# notebook itself, and each term in the table is explained in its lesson.
#
# For instructors: `lrlab present 02` serves any lesson as a clean page without code, with large fonts,
# offline (see the README).

# %% [markdown]
# ## Exercise
#
# The explorer below runs gradient descent on a steeper bowl, $f(w) = 1.25\,w^2$, and hides the theory line.
# Using only the slider and the runs (no formulas), find the boundary: the learning rate below which gradient
# descent converges and from which on it does not. The slider moves in notches, so it can only bracket the
# boundary between two of them: answer with the largest slider value whose run still converges (a little
# below the boundary is fine; anything above it is not). Put your answer in place of `None` and run the cell.

# %% tags=["nbval-ignore-output"]
lesson.exercise_explorer()

# %%
answer = None
lesson.check_edge(answer)
