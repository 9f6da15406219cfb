# %% [markdown]
# # 02 · Too high, too low
#
# Everybody agrees that a learning rate can be "too high" (the loss jumps around or explodes) or "too low"
# (nothing seems to happen). This notebook makes both precise:
#
# - where "too high" starts: the limit $2/L$, and *why* it sits there (one number, $1 - \eta\lambda$);
# - the four regimes (slow, converging, oscillating, diverging) on a one-dimensional bowl;
# - what changes with two directions of very different steepness (an ill-conditioned valley);
# - the **lr map**: the outcome of 5000 learning rates computed in one vectorized run;
# - two ways a small learning rate gets stuck on a non-convex loss: a poor local minimum and a plateau.
#
# **Predict first.** The loss is $f(w) = 2w^2$ (its curvature, the second derivative, is $\lambda = 4$), and
# we start at $w = 1.5$. Up to which learning rate does gradient descent still reach the minimum?
# (a) 0.25, (b) 0.5, (c) 1, (d) any: a larger learning rate is just faster.
# Commit to an answer, then find the edge with the slider.

# %%
import numpy as np

import lrlab
from lrlab import diagnostics, losses, plotting, steppers, theory
from lrlab.lessons import too_high_too_low as lesson

# %% [markdown]
# ## The explorer
#
# Left: the loss curve with every step drawn as an arrow. Middle: the loss after each step (log scale; the
# dashed line is a millionth of the starting loss). Right: the **lr map**, the loss after 40 steps for each
# of 5000 learning rates between 0.001 and 1; the black dot is the current learning rate. The dotted lines
# mark $1/L$ and $2/L$, with $L = \lambda = 4$ here. The label beside the slider is the regime that
# `lrlab.diagnostics.classify` reads off the run.

# %% tags=["nbval-ignore-output"]
explorer = lesson.explorer()
explorer

# %% [markdown]
# Did you find the edge at 0.5, answer (b)? Past it the iterate is thrown further out at every step; below
# it, the outcome changes character once more, at 0.25. The next section shows where these two numbers
# come from.
#
# ## 1. Why 2/L: the error factor
#
# On $f(w) = \frac{\lambda}{2} w^2$ the gradient is $\lambda w$, so one step of gradient descent is
#
# $$w_{t+1} = w_t - \eta\lambda\,w_t = (1 - \eta\lambda)\,w_t
# \qquad\Longrightarrow\qquad w_t = (1 - \eta\lambda)^t\, w_0 .$$
#
# The distance to the minimum is multiplied by the same factor $1 - \eta\lambda$ at every step. Everything
# depends on that one number, and through it on the product $\eta\lambda$ (learning rate × curvature), never
# on $\eta$ alone:
#
# | $\eta\lambda$ | factor $1-\eta\lambda$ | what the iterate does |
# |---|---|---|
# | close to 0 | just below 1 | creeps towards the minimum: **slow** |
# | between 0 and 1 | between 0 and 1 | approaches from one side: **converging** |
# | exactly 1 | 0 | lands on the minimum in one step |
# | between 1 and 2 | between −1 and 0 | overshoots, lands on the other side, closer: **oscillating** |
# | exactly 2 | −1 | bounces between $w_0$ and $-w_0$ for ever |
# | above 2 | below −1 | overshoots further every time: **diverging** |
#
# So the iteration converges exactly when $|1 - \eta\lambda| < 1$, that is $\eta < 2/\lambda$, and it is
# fastest at $\eta = 1/\lambda$. With several directions (section 4) each curvature has its own factor and
# the steepest one, $L = \lambda_{max}$, sets the limit: $\eta < 2/L$.

# %%
fig, _ = lesson.error_factor_figure()
plotting.show(fig)

# %% [markdown]
# The formula is not an approximation: the run matches $(1-\eta\lambda)^t w_0$ to rounding error at every
# learning rate we try, including one beyond the limit.

# %%
loss = lesson.bowl()                       # f(w) = 2 w**2, lambda = 4
L = loss.L
check_lrs = np.array([0.005, 0.1, 0.25, 0.45, 0.55])
runs = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=check_lrs, num_steps=lesson.NUM_STEPS)
t = np.arange(lesson.NUM_STEPS + 1)[:, None]
formula = (1 - check_lrs * L) ** t * lesson.X0[0]
assert np.allclose(runs.params[..., 0], formula, rtol=1e-9, atol=1e-300)
assert theory.critical_lr(loss) == 2 / L == 0.5 and 1 / L == 0.25
print(f"L = {L:g}:  1/L = {1 / L:g} (one-step convergence),  2/L = {theory.critical_lr(loss):g} (stability limit)")
print("run == (1 - lr*L)^t * w0 for lr =", ", ".join(f"{v:g}" for v in check_lrs))

# %% [markdown]
# ## 2. The four regimes
#
# The four presets of the explorer, side by side. Each panel is coloured by the regime `classify` reports;
# the assertion below checks that it is the regime the factor $1 - \eta\lambda$ predicts.

# %%
preset_lrs = list(lesson.PRESETS.values())
traj = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=preset_lrs, num_steps=lesson.NUM_STEPS)
titles = [f"{name}: ηλ = {lr * L:.2g}" for name, lr in lesson.PRESETS.items()]
fig, _ = plotting.small_multiples(traj, loss, titles=titles, num_arrows=12)
plotting.show(fig)

measured = list(diagnostics.classify(traj))
predicted = [lesson.expected_regime(loss, lesson.X0, lr, lesson.NUM_STEPS) for lr in preset_lrs]
assert measured == predicted == ["slow", "converging", "oscillating", "diverging"]
for (name, lr), regime in zip(lesson.PRESETS.items(), measured):
    print(f"{name:<12} lr = {lr:<6g} factor 1 - lr*L = {1 - lr * L:+.2f}   regime: {regime}")

# %% [markdown]
# "Too low" is not wrong, only wasteful. With $\eta\lambda = 0.02$ each step removes 2% of the remaining
# distance, so shrinking it a thousandfold takes 342 steps; the good preset ($\eta\lambda = 0.8$, factor
# $0.2$) needs 5. The oscillating preset needs 31: its factor is $-0.8$, which shrinks the distance exactly
# as slowly as $+0.8$ would. Past the limit no number of steps is enough.

# %%
steps_needed = {name: theory.steps_to_tolerance(loss, lr, 1e-3) for name, lr in lesson.PRESETS.items()}
assert steps_needed == {"too small": 342, "good": 5, "oscillating": 31, "diverging": np.inf}
long = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=preset_lrs[:3], num_steps=400)
distance = np.abs(long.params[..., 0]) / abs(lesson.X0[0])           # (401, 3)
assert [int(np.argmax(distance[:, i] <= 1e-3)) for i in range(3)] == [342, 5, 31]
for name, steps in steps_needed.items():
    print(f"{name:<12} steps to shrink the distance 1000-fold: {steps:g}")

# %% [markdown]
# ## 3. The lr map: every learning rate at once
#
# Instead of trying learning rates one by one, `lrlab.run` accepts an array of them and runs all the
# trajectories together as one vectorized computation. Here are 5000 learning rates, log-spaced from 0.001
# to 1, each run for 40 steps: the same sweep as the right panel of the explorer.

# %%
lrs = np.geomspace(*lesson.LR_RANGE, lesson.MAP_POINTS)
sweep = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=lrs, num_steps=lesson.NUM_STEPS)
assert lrs.shape == (5000,)
assert sweep.params.shape == (41, 5000, 1) and sweep.loss.shape == (41, 5000)
print(f"one run: params {sweep.params.shape} = (steps + 1, learning rates, dimension), loss {sweep.loss.shape}")

fig, _ = lesson.lr_map_figure(lrs, sweep, loss, marks=lesson.PRESETS)
plotting.show(fig)

# %% [markdown]
# Read the map from left to right. Far left, the loss has barely moved: too small. Then the curve falls
# steeply into a wide floor; runs there reach the bottom of the plot (below $10^{-18}$, the limit of the
# picture, not of the method). Near $2/L$ the floor ends in a **cliff**: the outcome goes from excellent to
# useless within a few percent of learning rate, and the runs to the right of it blow up.
#
# Two checked facts about this picture:
#
# - the largest learning rate whose loss went down lies within one grid step of $2/L = 0.5$;
# - the floor is wide: every learning rate from about 0.040 to 0.46, a factor of more than 11, shrinks the
#   loss a millionfold in 40 steps (theory: $|1-\eta\lambda|^{80} \le 10^{-6}$).

# %%
grid_step = np.log(lrs[1] / lrs[0])
largest = lesson.largest_converging_lr(lrs, sweep)
assert abs(np.log(largest) - np.log(2 / L)) <= grid_step
lo, hi = lesson.good_window(lrs, sweep, target=1e-6)
bound = 10 ** (-6 / (2 * lesson.NUM_STEPS))                  # |1 - lr*L| below this reaches the target
assert abs(lo - (1 - bound) / L) / lo < 2e-3 and abs(hi - (1 + bound) / L) / hi < 2e-3
assert 11 < hi / lo < 12
print(f"largest lr whose loss went down: {largest:.4f}  (2/L = {2 / L:g}, grid step {100 * grid_step:.2f}% of lr)")
print(f"lrs that shrink the loss 1e6-fold in 40 steps: {lo:.3f} to {hi:.3f}, a factor {hi / lo:.1f}")

# %% [markdown]
# Where is the best learning rate on this map? With one curvature it is $1/L$, exactly half the limit:
# in the middle of the floor, far from the cliff. The cliff matters for practice because real losses have
# many curvatures. Section 4 shows that the best constant learning rate is then $2/(\mu + L)$, which is
# $\frac{\kappa}{\kappa + 1}\cdot\frac{2}{L}$ with $\kappa = L/\mu$: 91% of the limit at $\kappa = 10$, 99% at
# $\kappa = 100$. The worse the conditioning, the closer the optimum creeps to the edge, and the less room
# there is between the best run and a blow-up. That is why the usual search is "find the largest learning
# rate that does not blow up, then back off a little"; notebook 03 turns it into a method.
#
# ## 4. Two directions: an ill-conditioned valley
#
# Real losses are steep in some directions and flat in others. Take the 2-D bowl with curvature $1$ along
# $w_2$ and $1/\kappa$ along $w_1$; $\kappa$ is the **condition number**, the ratio of the largest to the
# smallest curvature. Each direction has its own factor: $1 - \eta$ along $w_2$ and $1 - \eta/\kappa$ along
# $w_1$. Stability needs *both* below 1 in size, so the steep direction sets the limit $\eta < 2/L = 2$,
# whatever $\kappa$ is. But then the flat direction's factor is at least $1 - 2/\kappa$: the larger
# $\kappa$, the closer to 1, and the slower the crawl along the valley floor.
#
# Move the condition-number slider (it rebuilds the problem) and the learning-rate slider. At large
# $\kappa$ no learning rate is good: small ones crawl along $w_1$, large ones zig-zag across $w_2$ and
# still crawl along $w_1$, and past 2 the zig-zag explodes.

# %% tags=["nbval-ignore-output"]
valley = lesson.kappa_explorer()
valley

# %% [markdown]
# A detail worth noticing at large $\kappa$ (try the "narrow valley" preset): the loss first drops fast,
# because most of it sits in the steep direction, which $\eta = 1$ clears in one step, and then it stalls.
# The label may well say "converging" (90% of the loss is gone), but the loss curve and the "steps to 1e-06"
# counter show the long walk that remains. A loss curve that plunges and then flattens is the typical
# signature of ill-conditioning.
#
# The four teaching presets at $\kappa = 20$, frozen. With $\eta = 1$ the steep direction is solved in one
# step (the path drops straight onto the valley floor) and the rest is the slow walk along it; at
# $\eta = 1.8$ the path zig-zags across the valley.

# %%
valley_loss = lesson.ill_conditioned(20.0)
valley_presets = {name: v["lr"] for name, v in lesson.KAPPA_PRESETS.items() if v["kappa"] == 20.0}
valley_traj = lrlab.run(loss=valley_loss, stepper=steppers.sgd(), x0=lesson.X0_2D, lr=list(valley_presets.values()),
                        num_steps=lesson.NUM_STEPS_2D)
fig, _ = plotting.small_multiples(valley_traj, valley_loss,
                                  titles=[f"{name}: lr = {lr:g}" for name, lr in valley_presets.items()])
plotting.show(fig)

measured = list(diagnostics.classify(valley_traj))
predicted = [lesson.expected_regime(valley_loss, lesson.X0_2D, lr, lesson.NUM_STEPS_2D) for lr in valley_presets.values()]
assert measured == predicted == ["slow", "converging", "oscillating", "diverging"]
assert theory.critical_lr(valley_loss) == 2.0
print("regimes at kappa = 20:", ", ".join(measured))

# %% [markdown]
# How slow is the crawl? The best constant learning rate, $\eta^* = 2/(\mu + L)$, balances the two
# factors, and its rate is $(\kappa - 1)/(\kappa + 1) \approx 1 - 2/\kappa$. The number of steps to shrink
# the distance a millionfold therefore grows in proportion to $\kappa$: 69 steps at $\kappa = 10$,
# 691 at $\kappa = 100$, 6908 at $\kappa = 1000$. Note that $\eta^*$ is above $1/L$: the best learning rate
# for the whole problem already zig-zags in the steep direction. And it sits at $\kappa/(\kappa+1)$ of the
# limit $2/L$: the larger $\kappa$, the thinner the margin between the fastest run and divergence.

# %%
kappas = [10, 100, 1000]
best_steps = [theory.steps_to_tolerance(lesson.ill_conditioned(k), theory.optimal_lr(lesson.ill_conditioned(k)), 1e-6)
              for k in kappas]
assert best_steps == [69, 691, 6908]
for k, n in zip(kappas, best_steps):
    q = lesson.ill_conditioned(k)
    rate = theory.convergence_rate(q, theory.optimal_lr(q))
    assert np.isclose(rate, (k - 1) / (k + 1)) and theory.optimal_lr(q) > 1 / q.L
    share = theory.optimal_lr(q) / theory.critical_lr(q)
    assert np.isclose(share, k / (k + 1))
    print(f"kappa = {k:>4}: best lr = {theory.optimal_lr(q):.4f} = {100 * share:.1f}% of 2/L, rate = {rate:.4f}, "
          f"steps to 1e-6: {n:g}")

# %% [markdown]
# The lr map shows the same thing at a glance. For three condition numbers, the loss after 60 steps (as a
# fraction of the starting loss) against 3000 learning rates. The cliff stays at $2/L = 2$, but the floor
# rises with $\kappa$: at $\kappa = 1$ learning rates from 0.11 to 1.89 reach a millionth of the starting
# loss, at $\kappa = 10$ only 0.96 to 1.89, and at $\kappa = 100$ none does.

# %%
lrs_2d = np.geomspace(1e-2, 3.0, 3000)
maps = {k: lrlab.run(loss=lesson.ill_conditioned(k), stepper=steppers.sgd(), x0=lesson.X0_2D, lr=lrs_2d,
                     num_steps=lesson.NUM_STEPS_2D) for k in (1, 10, 100)}
fig, _ = lesson.kappa_map_figure(lrs_2d, maps)
plotting.show(fig)

windows = {k: lesson.good_window(lrs_2d, m, target=1e-6) for k, m in maps.items()}
assert np.allclose(windows[1], (0.109, 1.890), rtol=5e-3) and np.allclose(windows[10], (0.962, 1.890), rtol=5e-3)
assert windows[100] is None
for k, w in windows.items():
    print(f"kappa = {k:>3}: " + (f"lrs reaching 1e-6 in 60 steps: {w[0]:.2f} to {w[1]:.2f}" if w else "no lr reaches 1e-6 in 60 steps"))

# %% [markdown]
# ## 5. Non-convex: a poor local minimum, and a stride that escapes
#
# On a bowl, a smaller learning rate is never *wrong*, only slow. On a loss with several minima it can be.
# `losses.two_wells()` has a narrow, shallow trap at $w \approx -0.95$ (loss 0.77) and a wide, deep basin at
# $w = 2$ (loss 0). We start at $w = -1.6$, on the slope of the trap.
#
# Each minimum has its own stability limit, $2/\text{curvature}$. The trap is narrow, curvature about 23, so
# it can hold the iterate only while $\eta < 2/23.2 \approx 0.086$. The basin is wide, curvature 0.4, and holds
# it up to $\eta = 5$. So:
#
# - with a **small** learning rate, gradient descent walks into the nearest minimum, the trap, and stays
#   there for ever: the gradient is zero and nothing pushes it out;
# - just above 0.086 the trap can no longer hold the iterate still: it bounces from wall to wall inside it;
# - from about 0.15 the bounces carry it over the ridge, and it settles in the wide basin, where such a
#   learning rate is perfectly stable.
#
# Try it: the presets below are a stuck run, a run bouncing inside the trap, one that escapes, and one so
# large that even the wide basin cannot hold it.

# %% tags=["nbval-ignore-output"]
wells = lesson.wells_explorer()
wells

# %% [markdown]
# (Here `classify` measures progress towards the *best* minimum, so a run stuck in the trap is labelled
# "slow": it is heading nowhere.) The same four learning rates, frozen:

# %%
two_wells = losses.two_wells()
wells_lrs = list(lesson.WELLS_PRESETS.values())
wells_traj = lrlab.run(loss=two_wells, stepper=steppers.sgd(), x0=lesson.WELLS_X0, lr=wells_lrs, num_steps=lesson.WELLS_STEPS)
fig, _ = plotting.small_multiples(wells_traj, two_wells, titles=[f"{name}: {lr:g}" for name, lr in lesson.WELLS_PRESETS.items()])
plotting.show(fig)

good_min, trap = two_wells.local_minima
trap_limit = 2 / two_wells.curvature(np.array([trap]))
basin_limit = 2 / two_wells.curvature(np.array([good_min]))
final_w = wells_traj.params[-1, :, 0]
assert abs(trap - (-0.951)) < 1e-3 and abs(good_min - 2.0) < 1e-9
assert abs(trap_limit - 0.086) < 1e-3 and abs(basin_limit - 5.0) < 1e-6
assert abs(final_w[0] - trap) < 1e-4             # lr = 0.03: stuck in the trap
assert abs(final_w[2] - good_min) < 1e-4         # lr = 0.3: escaped to the good minimum
assert bool(wells_traj.diverged[3])               # lr = 6: beyond the basin's limit
print(f"trap at w = {trap:.3f}, 2/curvature = {trap_limit:.4f};  good minimum at w = {good_min:.0f}, 2/curvature = {basin_limit:.2f}")
print(f"after {lesson.WELLS_STEPS} steps: lr = 0.03 -> w = {final_w[0]:.3f},  lr = 0.3 -> w = {final_w[2]:.3f}")

# %% [markdown]
# Where does each learning rate end up? One vectorized run of 5000 learning rates, 300 steps each; for every
# learning rate we plot the last 30 iterates. A single dot means the run settled; a vertical smear means it
# is still bouncing. Left of the trap's limit every run sits at the trap. Right of it the single branch
# splits in two (a bounce between two points), then into a blur, and around 0.15 the runs jump to the good
# minimum and stay there up to the basin's own limit, 5.

# %%
lrs_wells = np.geomspace(1e-3, 8.0, 5000)
landing = lrlab.run(loss=two_wells, stepper=steppers.sgd(), x0=lesson.WELLS_X0, lr=lrs_wells, num_steps=300)
assert landing.params.shape == (301, 5000, 1)
fig, _ = lesson.landing_figure(two_wells, lrs_wells, landing, last=30)
plotting.show(fig)

end = landing.params[-1, :, 0]
settled = np.abs(landing.params[-30:, :, 0] - end).max(axis=0) < 1e-6
stuck = lrs_wells < 0.08
assert np.all(np.abs(end[stuck] - trap) < 0.01)                   # every lr below 0.08 is caught in the trap
assert not settled[(lrs_wells > 0.09) & (lrs_wells < 0.15)].any()  # just above 2/curvature: bouncing, not settled
escapes = lrs_wells[np.abs(end - good_min) < 1e-6]
first_escape = escapes.min()
assert 0.15 < first_escape < 0.155
window = (lrs_wells >= first_escape) & (lrs_wells <= 4.5)
assert np.all(np.abs(end[window] - good_min) < 1e-6)               # every lr from there to 4.5 reaches w = 2
print(f"every lr below 0.08 ends in the trap; from lr = {first_escape:.3f} to 4.5 every lr ends at w = 2")

# %% [markdown]
# A caution about the moral. The large learning rate escaped because the poor minimum was the *narrow* one:
# a sharp minimum cannot hold a long stride, a wide one can. That is one reason large learning rates (and
# the noise of small batches) tend to end in wide, flat minima. It is not a law: had the good minimum been
# the narrow one, the same large stride would have thrown us out of it.
#
# ## 6. A plateau: flat is not finished
#
# The second way to get stuck is not a minimum at all. `losses.plateau()` starts with a long, almost flat
# shelf (slope about 0.02) that ends in a cliff down to the real minimum. On the shelf every step is
# $\eta \times 0.02$ long, so crossing it takes a number of steps inversely proportional to the learning rate.
# Meanwhile the loss curve is flat, and a flat loss curve looks exactly like a finished run.

# %%
plateau = losses.plateau()
plateau_lrs = [0.3, 1.0, 3.0]
shelf = lrlab.run(loss=plateau, stepper=steppers.sgd(), x0=lesson.PLATEAU_X0, lr=plateau_lrs, num_steps=700)
fig, _ = lesson.plateau_figure(plateau, plateau_lrs, shelf)
plotting.show(fig)

exits = lesson.exit_step(shelf)                     # first step with loss < 0, halfway down the cliff
slope0 = abs(plateau.grad(np.array(lesson.PLATEAU_X0))[0])
assert 0.015 < slope0 < 0.03                     # small, but not zero: this is not a minimum
assert 450 < exits[0] < 550 and 135 < exits[1] < 165 and 45 < exits[2] < 56
products = np.array(plateau_lrs) * exits
assert products.max() / products.min() < 1.05    # lr x steps is (nearly) constant
for lr, n in zip(plateau_lrs, exits):
    print(f"lr = {lr:<4g} leaves the shelf at step {n:>3}   (lr x steps = {lr * n:.0f})")
print(f"slope at the start: {slope0:.3f}")

# %% [markdown]
# About 500, 150 and 50 steps: the product *learning rate × steps* is nearly the same, about 150, because
# what the shelf requires is a fixed distance at a fixed slope. Two things to take away:
#
# - a loss curve that stays flat for hundreds of steps is not proof of convergence: check the gradient
#   norm (here 0.02, not 0) before concluding, and try a larger learning rate;
# - the cure for the plateau, a larger learning rate, is limited by the steepest part of the path, here the
#   cliff and the final bowl. That tension, flat regions wanting large steps and steep ones small steps,
#   is what schedules (notebook 04) and adaptive optimizers (notebook 06) address.
#
# ## Summary
#
# - On a quadratic every step multiplies the error along a direction of curvature $\lambda$ by
#   $1 - \eta\lambda$. Everything follows: slow for $\eta\lambda \ll 1$, fastest at $\eta\lambda = 1$,
#   oscillating for $1 < \eta\lambda < 2$, diverging beyond $\eta\lambda = 2$.
# - With several directions the steepest one sets the limit, $\eta < 2/L$, and the flattest one sets the
#   pace: the steps needed grow in proportion to the condition number $\kappa$.
# - The lr map, thousands of learning rates in one vectorized run, shows a wide floor ending in a cliff at
#   $2/L$. With one curvature the best lr, $1/L$, is mid-floor; with many, the best constant lr is
#   $\frac{\kappa}{\kappa+1}\cdot\frac{2}{L}$, just below the cliff when the problem is ill-conditioned.
# - On non-convex losses too small is not only slow: it stays in the first minimum it meets, and it crawls
#   across plateaus that a larger step would cross quickly.
#
# ## Exercises
#
# Replace each `None` with your answer and run the cell.
#
# **Exercise 1.** What is the largest constant learning rate for which gradient descent converges on
# `losses.quadratic([1.0, 8.0])`, the bowl with curvatures 1 and 8? (Use the formula; then you can confirm it
# with `lrlab.run` and a batch of learning rates.)

# %%
answer = None
lesson.check_largest_lr(answer)

# %% [markdown]
# **Exercise 2.** Gradient descent with learning rate 0.3 on `losses.quadratic([5.0])`: which regime,
# `'slow'`, `'converging'`, `'oscillating'` or `'diverging'`?

# %%
answer = None
lesson.check_regime(answer)

# %% [markdown]
# **Exercise 3.** On the valley with $\kappa = 50$ (curvatures $1/50$ and $1$) and learning rate 1, how many
# steps does it take until the error along the flat direction $w_1$ is a thousandth of what it was?

# %%
answer = None
lesson.check_flat_steps(answer)
