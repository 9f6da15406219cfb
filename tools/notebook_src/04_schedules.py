# %% [markdown]
# # 04 · Schedules: should the learning rate stay constant?
#
# Nothing forces the learning rate to stay fixed for the whole run. A **schedule** makes it a
# function of the step, $\text{lr} = \eta(t)$, and PyTorch ships more than a dozen of them in
# `torch.optim.lr_scheduler`. In this lesson you will see:
#
# 1. the common schedules (step, exponential, cosine, warm restarts, cyclic, warm-up + cosine,
#    one-cycle) drawn as lr against step, next to the stability limit 2/L of the problem they train;
# 2. **why decay at all**: with minibatch gradients, a constant lr stops improving at a *noise floor*
#    proportional to the lr, and a decaying schedule goes below it;
# 3. what happens when a schedule spends time above 2/L;
# 4. **ReduceLROnPlateau**, the one scheduler that is not a function of the step: it watches the loss;
# 5. a check that every `lrlab.schedules` curve is exactly what PyTorch's scheduler reports.
#
# **The problem.** Least squares on 500 points with 4 features (scales 0.25 to 1.3), trained from
# $w = 0$ with **minibatches of 10 rows**: every step sees a different random 10 of the 500 rows,
# so its gradient is the true gradient plus noise. The Hessian $H = X^\top X / n$ is known, so 1/L and
# 2/L are known too. The loss we plot is always measured on the whole data set.

# %%
import numpy as np

import lrlab
from lrlab import diagnostics, plotting
from lrlab.pytorch import torch  # torch (lrlab[torch]); if missing, this line says what to install
from lrlab.lessons import schedules as lesson

torch.manual_seed(0)
torch.set_num_threads(1)

# %%
p = lesson.noisy_problem()
print(f"{p.loss.n} points, {p.loss.dim} features, minibatches of {p.loss.batch_size}, {p.num_steps} steps")
print(f"Hessian eigenvalues: {', '.join(f'{v:.3f}' for v in p.loss.eigenvalues)}")
print(f"1/L = {1 / p.L:.3f}   2/L = {p.critical_lr:.3f}")

# %% [markdown]
# **Predict first.** Train with a constant lr of 0.4 (well below 2/L). Will the loss keep falling
# towards the minimum for ever, or stop at some level? If it stops, what happens to that level when
# you halve the lr? And a cosine schedule that *starts* at 0.4 and ends near 0: does it end above or
# below the constant run?
#
# Then try it. Pick a schedule and its parameters; the first slider is the peak (or base) lr. The left
# panel is lr(t) against 1/L and 2/L, the right one the loss: the minibatch run with your schedule
# (colour = regime; thin: every step, thick: 25-step mean), the same schedule without noise (dashed),
# the constant lr at the peak value (grey) and that constant lr's predicted floor (dotted).

# %% tags=["nbval-ignore-output"]
picker = lesson.schedule_picker()
picker

# %% [markdown]
# ## 1. The schedules
#
# All of them below start from (or peak at) lr = 0.4 and last 500 steps. Each is a `lrlab.schedules`
# function named like its PyTorch class (`cosine_annealing_lr` for `CosineAnnealingLR`, and so on),
# which returns the lr of step $t$ in closed form:
#
# * **step**: multiply by $\gamma$ every `step_size` steps, $\eta_t = \eta_0\,\gamma^{\lfloor t/s \rfloor}$ (here halve every 100);
# * **exponential**: multiply by $\gamma$ every step, $\eta_t = \eta_0\,\gamma^t$ (here 0.99);
# * **cosine**: $\eta_t = \tfrac12\eta_0\,(1 + \cos(\pi t/T))$, slow at first, steep in the middle, gentle at the end;
# * **warm restarts** (SGDR): cosine, but jump back to $\eta_0$ at the end of each period; here
#   the periods last 100, 200, 400 steps;
# * **cyclic**: triangles between a base lr and a maximum (here 0.04 and 0.4, 50 steps up, 50 down);
# * **warm-up + cosine**: a linear ramp from 1% of the peak over 50 steps, then cosine
#   (`sequential_lr` of `linear_lr` and `cosine_annealing_lr`);
# * **one-cycle**: up from peak/25 to the peak over the first 30%, then down to peak/25/10⁴.

# %%
scheds = lesson.gallery()
plotting.show(lesson.gallery_figure(scheds, p))
t = np.arange(p.num_steps)
for name, s in scheds.items():
    print(f"{name:>16}: lr(0) = {s(0):.3g}   max = {s(t).max():.3g}   final = {s(p.num_steps - 1):.2g}")

# %%
assert all(s(t).max() <= lesson.PEAK * (1 + 1e-12) for s in scheds.values())   # every peak is 0.4 ...
assert lesson.PEAK < 0.5 * p.critical_lr                                        # ... well below 2/L
assert scheds["warm restarts"](100) == lesson.PEAK and scheds["warm restarts"](300) == lesson.PEAK
assert np.isclose(scheds["one-cycle"](0), lesson.PEAK / 25)
assert np.isclose(scheds["one-cycle"](p.num_steps - 1), lesson.PEAK / 25 / 1e4, rtol=1e-3)

# %% [markdown]
# ## 2. The noise floor: why a constant lr stalls
#
# Run constant learning rates for a long time (3000 steps) and look at where the loss settles.

# %%
long = lesson.noisy_problem(num_steps=3000)
const_lrs = [0.4, 0.2, 0.1, 0.05]
const_run = lrlab.run(loss=long.loss, x0=long.x0, lr=const_lrs, num_steps=long.num_steps)
measured = plotting.gap(const_run)[1000:].mean(axis=0)          # average over steps 1000..3000
predicted = np.array([lesson.floor_theory(long.loss, lr) for lr in const_lrs])
plotting.show(lesson.floor_figure(const_run, const_lrs, predicted, long))
for lr, m, f in zip(const_lrs, measured, predicted):
    print(f"lr = {lr:<5g} floor measured {m:.4f}   predicted {f:.4f}   floor / lr = {m / lr:.3f}")

# %% [markdown]
# Each run falls quickly, then jitters around a level it never gets below: the **noise floor**. Near
# the minimum the true gradient is almost zero, but a minibatch gradient is not: it is the true one plus
# noise $\xi_t$ (covariance $\Sigma_B$, which shrinks like 1/B). Each step kicks the weights by
# $-\text{lr}\cdot\xi_t$ while the pull back towards the minimum is $-\text{lr}\cdot H e_t$. The error
# settles where the two balance:
#
# $$e_{t+1} = (I - \text{lr}\,H)\,e_t - \text{lr}\,\xi_t
# \quad\Longrightarrow\quad
# \mathbb{E}[f - f^*] \approx \tfrac{\text{lr}}{4}\,\mathrm{tr}(\Sigma_B) \quad\text{for small lr.}$$
#
# The kick grows with the lr, and so does the floor: **halve the lr, halve the floor** (for small lr;
# at larger lr it falls a little faster, for a reason section 4 shows). The dashed lines are the exact
# stationary value of that linear recursion (`lesson.floor_theory`), and the measured floors agree with
# them within 15%.

# %%
assert np.all(np.abs(measured / predicted - 1) < 0.15)                        # theory within 15%
assert np.all(np.diff(measured) < 0)                                          # smaller lr, lower floor
halving = measured[:-1] / measured[1:]
print("floor(lr) / floor(lr/2):", ", ".join(f"{r:.2f}" for r in halving))
assert np.all((halving > 1.8) & (halving < 3.0)) and abs(halving[-1] - 2) < 0.3   # "halve the lr, halve the floor"

# %% [markdown]
# ## 3. Constant or decaying
#
# So a small lr has a low floor. Why not use a small lr from the start? Because far from the minimum,
# the noise is negligible next to the gradient, and a small lr just walks slowly. A schedule can have
# both: a large lr early, when progress matters, and a small one late, when the noise does.

# %%
race = {"constant 0.4": 0.4, "constant 0.04": 0.04, "cosine from 0.4": scheds["cosine"],
        "step decay from 0.4": scheds["step"]}
race_run = lesson.run_schedules(p, race)
plotting.show(lesson.decay_figure(race_run, list(race), p,
                               colors=[plotting.PALETTE[c] for c in ("grey", "sky", "blue", "orange")]))
final = dict(zip(race, lesson.last_mean(race_run)))
for name, v in final.items():
    print(f"{name:>20}: loss - min, mean of the last {lesson.TAIL} steps = {v:.2e}")

# %% [markdown]
# * The constant 0.4 gets down fast and then sits on its floor.
# * The constant 0.04 has a floor ten times lower, but after 500 steps it is still on its way down.
# * **The cosine schedule falls as fast as the constant 0.4 at first and then keeps going: it ends more
#   than ten times below the floor of 0.4, and below the constant 0.04 too.** The step schedule does
#   the same in stages: every halving of the lr halves the floor it is heading to.
#
# This is the classic result of stochastic approximation (Robbins and Monro, 1951): with noisy
# gradients, SGD reaches the minimum exactly only if the lr decays, slowly enough that the steps still
# add up to infinity ($\sum_t \eta_t = \infty$) but fast enough that the noise they inject does not
# ($\sum_t \eta_t^2 < \infty$).

# %%
assert final["cosine from 0.4"] < final["constant 0.4"] / 10
assert final["cosine from 0.4"] < final["constant 0.04"]
assert final["step decay from 0.4"] < final["constant 0.4"] / 5
assert final["constant 0.04"] > 1.5 * lesson.floor_theory(p.loss, 0.04)   # 0.04 has not reached its floor yet

# %% [markdown]
# The same comparison for every schedule of the gallery, all on the same minibatches:

# %%
all_run = lesson.run_schedules(p, scheds)
tails = dict(zip(scheds, lesson.last_mean(all_run)))
for name, s in scheds.items():
    print(f"{name:>16}: final lr {s(p.num_steps - 1):8.2g}   loss - min (last {lesson.TAIL} steps) {tails[name]:.2e}   "
          f"{tails['constant'] / tails[name]:5.1f}x below constant")

# %% [markdown]
# The schedules that end with a small lr (step, exponential, cosine, warm-up + cosine, one-cycle) all
# finish about ten times below the constant's floor; warm restarts and cyclic end this run with a large lr
# again, and finish near the constant. But the final lr alone does not rank them: one-cycle ends with the
# smallest lr of all and finishes *last* of the five decaying schedules. The loss at the end remembers a
# stretch of recent steps, not the last one: each step multiplies the error along a direction of
# curvature $\lambda$ by $1 - \text{lr}\cdot\lambda$, so the noise a step injected fades only after
# about $1/(\text{lr}\cdot\lambda)$ further steps. One-cycle stays large until late and then drops
# fast, so the noise of its large-lr stretch has not faded by the end; cosine spends longer at small
# learning rates.
# (Restarts and cycles have other uses: on a non-convex loss, a temporarily large lr can shake the
# weights out of a poor basin; and you would stop a cyclic run at the bottom of a cycle.)

# %%
ending_small = ["step", "exponential", "cosine", "warmup + cosine", "one-cycle"]
assert all(tails[n] < tails["constant"] / 8 for n in ending_small)
assert all(tails[n] > tails["constant"] / 3 for n in ["warm restarts", "cyclic"])
assert all(scheds[n](p.num_steps - 1) < lesson.PEAK / 10 for n in ending_small)
final_lrs = {n: float(scheds[n](p.num_steps - 1)) for n in ending_small}
assert min(final_lrs, key=final_lrs.get) == "one-cycle"                 # the smallest final lr ...
assert max(ending_small, key=tails.get) == "one-cycle"                  # ... and the highest final loss of the five
print(f"one-cycle: final lr {final_lrs['one-cycle']:.1e} (smallest), loss {tails['one-cycle']:.2e} (highest of the "
      f"five); cosine: final lr {final_lrs['cosine']:.1e}, loss {tails['cosine']:.2e}")

# %% [markdown]
# ## 4. Schedules and the stability limit
#
# A schedule does not change where the cliff is: on this problem, any step taken with lr > 2/L
# multiplies the error along the steepest direction by $|1 - \text{lr}\cdot L| > 1$. A schedule that
# spends many steps above 2/L blows up before its decay can help. The static version of the widget
# shows its presets, one column each (lr(t) on top, the loss below):

# %%
plotting.show(lesson.presets_figure(p))
crash = lesson.make_schedule("cosine", 3.0)
above = crash(t) > p.critical_lr
growth = np.prod(np.abs(1 - crash(t[above]) * p.L))
print(f"cosine from 3.0: {above.sum()} steps above 2/L, which multiply the steep error by {growth:.1e}")

# %%
preset_regimes = {}
for name, v in lesson.PRESETS.items():
    clean = lrlab.run(loss=p.clean, x0=p.x0, lr=lesson.make_schedule(v["schedule"], v["lr"]), num_steps=p.num_steps)
    preset_regimes[name] = str(diagnostics.classify(clean))
print(preset_regimes)
assert preset_regimes == {"too small": "slow", "constant (floor)": "converging", "cosine (good)": "converging",
                          "step decay": "converging", "oscillating": "oscillating", "diverging": "diverging"}
assert growth > 1e10

# %% [markdown]
# Two more things the figure shows. Just below 2/L ("oscillating") the run is stable but its floor is
# enormous: along the steepest direction the floor grows like $\text{lr}/(2 - \text{lr}\cdot L)$,
# which explodes as the lr approaches 2/L. And **warm-up does not move the cliff** on a quadratic, where the curvature
# never changes. Warm-up helps where the curvature is largest at the start and falls as training goes:
# lesson 07 shows it on a loss whose curvature shrinks away from the starting point.

# %%
near_edge, at_peak = lesson.floor_theory(p.loss, 1.25), lesson.floor_theory(p.loss, lesson.PEAK)
print(f"predicted floor at lr 1.25 (0.96 x 2/L): {near_edge:.3f}   at lr 0.4: {at_peak:.3f}   "
      f"ratio {near_edge / at_peak:.1f} for an lr ratio of {1.25 / lesson.PEAK:.2f}")
assert near_edge / at_peak > 3 * (1.25 / lesson.PEAK)                   # far more than proportional

# %% [markdown]
# ## 5. Reduce on plateau: a schedule that watches the loss
#
# Every schedule so far is decided before training starts: $\eta(t)$ is a formula in $t$. PyTorch's
# `ReduceLROnPlateau` is different. Once per epoch you hand it a number (usually the validation loss), and it
# cuts the lr by `factor` when that number has not improved for more than `patience` epochs in a row. What
# counts as an improvement is set by `mode` (`'min'` for a loss, `'max'` for an accuracy), `threshold` and
# `threshold_mode` (`'rel'`: better than best × (1 − threshold); `'abs'`: better than best − threshold).
# After a cut, `cooldown` epochs are not counted; the lr never goes below `min_lr`, and a cut smaller than
# `eps` is skipped.
#
# **There is no closed form `schedule(t)` for it.** The lr after 20 epochs depends on the 20 losses read
# so far, and those depend on the lrs used to produce them: the schedule and the run form a feedback loop.
# Two runs with the same settings but different minibatches cut at different epochs. So `lrlab.schedules`
# gives it as a small state machine instead, `reduce_lr_on_plateau(base_lr, ...)` with `init()` and
# `update(state, metric)` (torch's keyword names and defaults), and `.lrs(metrics)` replays a recorded
# sequence of metrics.
#
# Here it drives the noisy problem: 40 epochs of 25 steps, start at lr 0.4, halve the lr (`factor=0.5`) after
# 4 epochs without a better epoch loss (`patience=3`). The metric is the epoch's mean loss on the whole data
# set. The dashed line is the predicted noise floor (section 2) of the lr in use.

# %%
plat = lesson.plateau_run(p)
fig, _ = lesson.plateau_figure(plat, p)
plotting.show(fig)
E = plat.steps_per_epoch
tail = plat.gap[-4 * E:].mean()                                   # the last 4 epochs
print(f"{plat.cuts.size} cuts; final lr {plat.epoch_lrs[-1]:g}; loss − min over the last 4 epochs {tail:.1e}, "
      f"{lesson.floor_theory(p.loss, lesson.PEAK) / tail:.0f}x below the floor of the constant lr 0.4")

# %% [markdown]
# The scheduler knows nothing about noise floors, yet it cuts at the right moments: each time the epoch loss
# has come down to the floor of the current lr, it stops improving (it only jitters), the patience runs out
# and the lr halves, which halves the floor the loss heads to next. The checks: at least two cuts, each one
# taken when the mean loss of the 4 epochs before it was within a factor 2 of the floor of the lr in use, and
# the run ends more than 3 times below the constant lr's floor. And the lrs that lrlab chose are exactly the
# ones PyTorch's `ReduceLROnPlateau` chooses when it reads the same recorded losses:

# %%
before_cut = np.array([(plat.metrics[k - 4:k] - p.loss.min_value).mean() / lesson.floor_theory(p.loss, plat.epoch_lrs[k - 1])
                       for k in plat.cuts])
assert plat.cuts.size >= 2 and np.all((before_cut > 0.5) & (before_cut < 2))
assert tail < lesson.floor_theory(p.loss, lesson.PEAK) / 3
opt = lesson.dummy_optimizer(lesson.PEAK)
torch_plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **lesson.PLATEAU)
gold = [torch_plateau.get_last_lr()[0]]
for m in plat.metrics:
    opt.step()
    torch_plateau.step(m)
    gold.append(torch_plateau.get_last_lr()[0])
np.testing.assert_array_equal(plat.epoch_lrs, gold)
print(f"lrlab == torch.optim.lr_scheduler.ReduceLROnPlateau on the {plat.metrics.size} recorded epoch losses")

# %% [markdown]
# Its weak spot is visible too: the scheduler has to *see* a plateau before it acts, so every stage wastes
# `patience + 1` epochs sitting at a floor that a planned decay would already have left. On a problem like this
# one, where you know the run's length, cosine or step decay get there without waiting; a plateau schedule
# earns its keep when you do not know in advance how long each stage should last.

# %% [markdown]
# ## 6. lrlab's schedules are PyTorch's
#
# Every curve above comes from `lrlab.schedules`. PyTorch is the reference: below, each PyTorch
# scheduler is built on an SGD optimizer with lr = 0.4, stepped 500 times the usual way
# (`optimizer.step()` then `scheduler.step()`), and its `get_last_lr()` before each step is compared
# with the lrlab curve.

# %%
S = torch.optim.lr_scheduler
peak, N = lesson.PEAK, p.num_steps
torch_builders = {
    "constant": lambda o: S.ConstantLR(o, factor=1.0, total_iters=1),
    "step": lambda o: S.StepLR(o, step_size=100, gamma=0.5),
    "exponential": lambda o: S.ExponentialLR(o, gamma=0.99),
    "cosine": lambda o: S.CosineAnnealingLR(o, T_max=N),
    "warm restarts": lambda o: S.CosineAnnealingWarmRestarts(o, T_0=100, T_mult=2),
    "cyclic": lambda o: S.CyclicLR(o, base_lr=peak / 10, max_lr=peak, step_size_up=50, cycle_momentum=False),
    "warmup + cosine": lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.01, total_iters=50),
                                                   S.CosineAnnealingLR(o, T_max=N - 50)], milestones=[50]),
    "one-cycle": lambda o: S.OneCycleLR(o, max_lr=peak, total_steps=N, cycle_momentum=False),
}
for name, build in torch_builders.items():
    opt = lesson.dummy_optimizer(peak)
    torch_scheduler = build(opt)
    gold = lesson.torch_lrs(torch_scheduler, opt, N)
    mine = scheds[name](t)
    np.testing.assert_allclose(mine, gold, rtol=1e-10, atol=1e-14)
    print(f"{name:>16} == torch.optim.lr_scheduler.{type(torch_scheduler).__name__} over {N} steps")

# %% [markdown]
# ## Summary
#
# * A schedule makes the lr a function of the step. The usual shapes: step, exponential, cosine,
#   warm restarts, cyclic, warm-up + cosine, one-cycle; in lrlab they are closed-form functions equal
#   to PyTorch's schedulers.
# * With noisy (minibatch) gradients, a **constant lr stalls at a noise floor proportional to the lr**
#   (near 2/L, even faster than proportional). A small lr has a low floor but is slow to get there.
# * A **decaying** schedule gets both: fast early progress with a large lr, a low final loss with a
#   small one. Here cosine ended more than ten times below the constant lr's floor. What counts at the
#   end is the lr of the last stretch of steps (about $1/(\text{lr}\cdot\lambda)$ of them), not the final
#   value alone: one-cycle ends lowest and finishes last of the decaying schedules.
# * A schedule does not move the **stability limit**: steps above 2/L multiply the error and can blow up
#   the run before the decay arrives. Keep the peak below the limit (or warm up where the limit grows
#   during training, as in deep networks).
# * **ReduceLROnPlateau** has no closed form: it cuts the lr when the loss it reads stops improving, so its lr
#   depends on the run. On the noisy problem it cuts each time the loss reaches the current lr's floor.
#
# ## Exercises
#
# **Exercise 1.** The predicted floor at lr = 0.2 is printed below. Without running anything, predict
# the floor at lr = 0.05.

# %%
print(f"predicted floor at lr = 0.2: {lesson.floor_theory(p.loss, 0.2):.4f}")
answer = None   # your number here
lesson.check_floor_prediction(answer)

# %% [markdown]
# **Exercise 2.** A cosine schedule starts at 1.5 × 2/L and decays to 0 over 500 steps
# (`lesson.make_schedule("cosine", 1.5 * p.critical_lr)`). For how many of its 500 steps is the lr above
# 2/L?

# %%
answer = None   # a number of steps
lesson.check_steps_above(answer)

# %% [markdown]
# **Exercise 3.** In the warm-restarts run (periods of 100, 200, 400 steps), right after the restart at
# step 100, does the loss on the noisy problem go `'up'` or `'down'`? Think about the noise floor, then
# check with the widget (schedule: warm restarts).

# %%
answer = None   # 'up' or 'down'
lesson.check_restart_effect(answer)

# %% [markdown]
# **Exercise 4 (code).** Write linear warm-up as a function of the step: `my_warmup(t)` returns the lr at
# step `t`, which is 0 at `t = 0`, grows by the same amount every step, reaches `lesson.PEAK` (0.4) at
# `t = lesson.WARMUP` (50) and stays there. The check calls your function at every step from 0 to 150 and
# tells you the first step where it is off.

# %%
def my_warmup(t):
    answer = None   # an expression of t: the lr at step t
    return answer


lesson.check_warmup_function(my_warmup)


# %% [markdown]
# **Exercise 5.** A `ReduceLROnPlateau(optimizer, factor=0.5, patience=2, threshold=1e-3)` (mode `'min'`,
# relative threshold) reads these epoch losses, one `scheduler.step(loss)` per epoch. After which reading
# (1 for the first) is the lr cut for the first time? Work it out by hand before you try it with
# `lrlab.schedules.reduce_lr_on_plateau`.

# %%
print(lesson.EX_PLATEAU_METRICS)
answer = None   # the number of the reading
lesson.check_plateau_cut(answer)
