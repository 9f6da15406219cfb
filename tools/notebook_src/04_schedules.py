# %% [markdown]
# # 04 · Schedules: should the learning rate stay constant?
#
# Nothing forces the learning rate to stay fixed. A **schedule** makes it a function of the step,
# $\text{lr} = \eta(t)$; PyTorch ships more than a dozen in `torch.optim.lr_scheduler`. You will see the
# common shapes against the stability limit 2/L, **why decay at all** (with minibatch gradients a constant
# lr stalls at a *noise floor*), what a schedule above 2/L does, and **ReduceLROnPlateau**, the scheduler
# that watches the loss.
#
# **The problem.** Least squares on 500 points with 4 features (scales 0.25 to 1.3), trained from
# $w = 0$ with **minibatches of 10 rows**: each step's gradient is the true one plus noise. The Hessian
# $H = X^\top X / n$ (the matrix of second derivatives; its eigenvalues are the curvatures along the
# valley's axes, see lesson 02, *Curvature in several dimensions*) is known, so 1/L and 2/L are known
# too. The loss we plot is always measured on the whole data set.

# %%
import numpy as np

import lrlab
from lrlab import diagnostics, plotting, schedules, theory
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
# for ever, or stop at some level? If it stops, what happens to that level when you halve the lr? And
# does a cosine schedule from 0.4 to near 0 end above or below the constant run?
#
# Then try it. The left panel is lr(t) against 1/L and 2/L; the right one the loss of the minibatch run
# (thin: every step, thick: 25-step mean), the same schedule without noise (dashed), the constant lr at
# the peak (grey) and its predicted floor (dotted).

# %% tags=["nbval-ignore-output"]
picker = lesson.schedule_picker()
picker

# %% [markdown]
# ## 1. The schedules
#
# All of them start from (or peak at) lr = 0.4 and last 500 steps. Each is a `lrlab.schedules` function
# named like its PyTorch class (`cosine_annealing_lr` for `CosineAnnealingLR`, ...) that returns the lr of
# step $t$ in closed form:
#
# * **step**: multiply by $\gamma$ every `step_size` steps, $\eta_t = \eta_0\,\gamma^{\lfloor t/s \rfloor}$ (here halve every 100);
# * **exponential**: multiply by $\gamma$ every step, $\eta_t = \eta_0\,\gamma^t$ (here 0.99);
# * **cosine**: $\eta_t = \tfrac12\eta_0\,(1 + \cos(\pi t/T))$, slow at first, steep in the middle, gentle at the end;
# * **warm restarts** (SGDR): cosine, but jump back to $\eta_0$ at the end of each period; here
#   the periods last 100, 200, 400 steps;
# * **cyclic**: triangles between a base lr and a maximum (here 0.04 and 0.4, 50 steps up, 50 down);
# * **warm-up + cosine**: a linear ramp from 1% of the peak over 50 steps, then cosine
#   (`sequential_lr` of `linear_lr` and `cosine_annealing_lr`);
# * **one-cycle**: up from peak/25 to the peak over the first 30%, then down to peak/25/10⁴. PyTorch's
#   `OneCycleLR` by default also cycles the momentum, opposite to the lr; this lesson has no momentum, so it
#   runs it with `cycle_momentum=False`, the lr alone.

# %%
scheds = lesson.gallery()
plotting.show(lesson.gallery_figure(scheds, p))
t = np.arange(p.num_steps)
for name, s in scheds.items():
    print(f"{name:>16}: lr(0) = {s(0):.3g}   max = {s(t).max():.3g}   final = {s(p.num_steps - 1):.2g}")

# %% tags=["check"]
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
predicted = theory.noise_floor(long.loss, np.array(const_lrs))
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
# stationary value of that linear recursion (`lrlab.theory.noise_floor`), and the measured floors agree
# with them within 15%.

# %%
halving = measured[:-1] / measured[1:]
print("floor(lr) / floor(lr/2):", ", ".join(f"{r:.2f}" for r in halving))

# %% tags=["check"]
assert np.all(np.abs(measured / predicted - 1) < 0.15)                        # theory within 15%
assert np.all(np.diff(measured) < 0)                                          # smaller lr, lower floor
assert np.all((halving > 1.8) & (halving < 3.0)) and abs(halving[-1] - 2) < 0.3   # "halve the lr, halve the floor"

# %% [markdown]
# ## 3. Constant or decaying
#
# So why not use a small lr from the start? Because far from the minimum the noise is negligible next
# to the gradient, and a small lr just walks slowly. A schedule can have both: a large lr early, when
# progress matters, and a small one late, when the noise does.

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
# * **Cosine falls as fast as the constant 0.4 at first and then keeps going: it ends more than ten
#   times below the floor of 0.4, and below the constant 0.04 too.** Step decay does the same in stages.
#
# <details><summary>Optional: the classic result behind it</summary>
#
# Stochastic approximation (Robbins and Monro, 1951): with noisy gradients, SGD reaches the minimum
# exactly only if the lr decays, slowly enough that the steps still add up to infinity
# ($\sum_t \eta_t = \infty$) but fast enough that the noise they inject does not ($\sum_t \eta_t^2 < \infty$).
#
# </details>

# %% tags=["check"]
assert final["cosine from 0.4"] < final["constant 0.4"] / 10
assert final["cosine from 0.4"] < final["constant 0.04"]
assert final["step decay from 0.4"] < final["constant 0.4"] / 5
assert final["constant 0.04"] > 1.5 * theory.noise_floor(p.loss, 0.04)   # 0.04 has not reached its floor yet

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
# again, and finish near the constant. (Restarts and cycles have other uses: on a non-convex loss, a
# temporarily large lr can shake the weights out of a poor basin.) But the final lr alone does not rank
# them: one-cycle ends with the smallest lr of all and finishes *last* of the five decaying schedules.
#
# **Why?** Explain why the schedule with the smallest final lr ends with the highest loss of the five.
# Hint: how many steps does it take for the noise one step injected to fade away?
#
# <details><summary>Model answer (open after you have written yours)</summary>
#
# The loss at the end remembers a stretch of recent steps, not the last one. Each step multiplies the
# error along a direction of curvature $\lambda$ by $1 - \text{lr}\cdot\lambda$, so the noise a step
# injected fades only after about $1/(\text{lr}\cdot\lambda)$ further steps, and at a tiny lr that is a
# very long time. One-cycle stays large until late and then drops fast, so the noise of its large-lr
# stretch has not faded by the end; cosine spends longer at moderately small lrs, which both shrink the
# noise they add and still let the earlier noise fade.
#
# </details>

# %% tags=["check"]
ending_small = ["step", "exponential", "cosine", "warmup + cosine", "one-cycle"]
assert all(tails[n] < tails["constant"] / 8 for n in ending_small)
assert all(tails[n] > tails["constant"] / 3 for n in ["warm restarts", "cyclic"])
assert all(scheds[n](p.num_steps - 1) < lesson.PEAK / 10 for n in ending_small)
final_lrs = {n: float(scheds[n](p.num_steps - 1)) for n in ending_small}
assert min(final_lrs, key=final_lrs.get) == "one-cycle"                 # the smallest final lr ...
assert max(ending_small, key=tails.get) == "one-cycle"                  # ... and the highest final loss of the five

# %% [markdown]
# ## 4. Schedules and the stability limit
#
# A schedule does not move the cliff: any step taken with lr > 2/L multiplies the error along the
# steepest direction by $|1 - \text{lr}\cdot L| > 1$, and a schedule that spends many steps above 2/L blows
# up before its decay can help. The widget's presets (lr(t) above each loss panel; each loss panel's title
# says what the noise-free, full-batch run did):

# %%
plotting.show(lesson.presets_figure(p))
crash = lesson.make_schedule("cosine", 3.0)
above = crash(t) > p.critical_lr
growth = np.prod(np.abs(1 - crash(t[above]) * p.L))
print(f"cosine from 3.0: {above.sum()} steps above 2/L, which multiply the steep error by {growth:.1e}")

# %% tags=["check"]
outcomes = {name: lesson.outcome(lrlab.run(loss=p.clean, x0=p.x0, lr=lesson.make_schedule(v["schedule"], v["lr"]),
                                            num_steps=p.num_steps)) for name, v in lesson.PRESETS.items()}
assert outcomes["diverging"] == "full batch: blew up" and outcomes["too small"] == "full batch: 58% of gap closed"
assert all(outcomes[n] == "full batch: > 99% of gap closed" for n in ("constant (floor)", "cosine (good)",
                                                                       "step decay", "oscillating"))
assert growth > 1e10

# %% [markdown]
# Just below 2/L ("oscillating") the noise-free run converges, but the minibatch run's floor is enormous:
# along the steepest direction the floor grows like $\text{lr}/(2 - \text{lr}\cdot L)$, which explodes
# as the lr approaches 2/L.

# %%
near_edge, at_peak = theory.noise_floor(p.loss, 1.25), theory.noise_floor(p.loss, lesson.PEAK)
print(f"predicted floor at lr 1.25 (0.96 x 2/L): {near_edge:.3f}   at lr 0.4: {at_peak:.3f}   "
      f"ratio {near_edge / at_peak:.1f} for an lr ratio of {1.25 / lesson.PEAK:.2f}")

# %% tags=["check"]
assert near_edge / at_peak > 3 * (1.25 / lesson.PEAK)                   # far more than proportional
assert round(1.25 / p.critical_lr, 2) == 0.96

# %% [markdown]
# **Warm-up does not move the cliff** on a quadratic, where the curvature is the same everywhere. What
# warm-up is for in practice: early in the training of many deep networks the loss surface is sharpest
# near the initialisation and flattens as training proceeds, so the stable limit 2/L grows, and a warm-up
# keeps the early steps below it (lesson 07 shows this on a loss whose curvature shrinks away from the
# start; Adam adds a second reason: its second-moment estimate rests on few gradients at first). Later, at
# a constant lr, training often does the opposite and sharpens the surface until the sharpness hovers near
# 2/lr, the "edge of stability", which lesson 08 shows. Which of the two dominates depends on the network
# and the phase of training.

# %% [markdown]
# ## 5. Reduce on plateau: a schedule that watches the loss
#
# Every schedule so far is a formula in $t$, decided before training starts. PyTorch's `ReduceLROnPlateau`
# is different: once per epoch you hand it a number (usually the validation loss), and it cuts the lr by
# `factor` when that number has not improved for more than `patience` epochs in a row; an improvement
# must beat the best so far by `threshold` (relative, by default).
#
# **There is no closed form `schedule(t)` for it**: the lr depends on the losses read so far, which depend
# on the lrs used to produce them. So `lrlab.schedules.reduce_lr_on_plateau(base_lr, ...)` (torch's keyword
# names and defaults) is a small state machine: `init()`, then `update(state, metric)` once per epoch.
#
# <details><summary>Optional: its other knobs</summary>
#
# `mode` (`'min'` for a loss, `'max'` for an accuracy); `threshold_mode` (`'rel'`: better than
# best × (1 − threshold); `'abs'`: better than best − threshold); after a cut, `cooldown` epochs are not
# counted; the lr never goes below `min_lr`, and a cut smaller than `eps` is skipped. `.lrs(metrics)`
# replays a recorded sequence of metrics.
#
# </details>
#
# Here it drives the noisy problem: 40 epochs of 25 steps, start at lr 0.4, halve the lr (`factor=0.5`) after
# 4 epochs without a better epoch loss (`patience=3`). The metric is the epoch's mean loss on the whole data
# set. The loop is short enough to read: each epoch is one constant-lr run on fresh minibatches, from where
# the last one stopped, and then the scheduler reads the epoch's mean loss.

# %%
plateau = schedules.reduce_lr_on_plateau(lesson.PEAK, factor=0.5, patience=3)
state, w = plateau.init(), p.x0
gaps, lrs, metrics = [], [], []
for epoch in range(40):
    minibatches = lrlab.losses.least_squares(p.loss.X, p.loss.y, batch_size=10, seed=1_000 + epoch)
    run = lrlab.run(loss=minibatches, x0=w, lr=state.lr, num_steps=25)
    w = run.params[-1]
    gaps.append(run.loss[1:] - p.loss.min_value)
    lrs.append(np.full(25, state.lr))
    metrics.append(run.loss[1:].mean())
    state = plateau.update(state, metrics[-1])          # the scheduler reads the epoch loss; maybe cuts the lr

# %% [markdown]
# The figure: the loss of every step (faint), each epoch's mean (dots), the predicted noise floor of the lr
# in use (dashed, section 2), and below it the lr the scheduler chose.

# %%
plat = lesson.PlateauRun(np.concatenate(gaps), np.concatenate(lrs), np.array(metrics), plateau.lrs(metrics), 25)
fig, _ = lesson.plateau_figure(plat, p)
plotting.show(fig)
E = plat.steps_per_epoch
tail = plat.gap[-4 * E:].mean()                                   # the last 4 epochs
print(f"{plat.cuts.size} cuts; final lr {plat.epoch_lrs[-1]:g}; loss − min over the last 4 epochs {tail:.1e}, "
      f"{theory.noise_floor(p.loss, lesson.PEAK) / tail:.0f}x below the floor of the constant lr 0.4")

# %% tags=["check"]
ref = lesson.plateau_run(p)                            # the lesson's own copy of the loop: the same run
np.testing.assert_array_equal(plat.gap, ref.gap)
np.testing.assert_array_equal(plat.epoch_lrs, ref.epoch_lrs)

# %% [markdown]
# The scheduler knows nothing about noise floors, yet it cuts at the right moments: each time the epoch loss
# has come down to the floor of the current lr, it stops improving (it only jitters), the patience runs out
# and the lr halves, which halves the floor the loss heads to next: every cut comes when the mean loss of the
# 4 epochs before it is within a factor 2 of the floor of the lr in use. And the lrs that lrlab chose are
# exactly the ones PyTorch's `ReduceLROnPlateau` chooses when it reads the same recorded losses:

# %%
opt = lesson.dummy_optimizer(lesson.PEAK)
torch_plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **lesson.PLATEAU)
gold = [torch_plateau.get_last_lr()[0]]
for m in plat.metrics:
    opt.step()
    torch_plateau.step(m)
    gold.append(torch_plateau.get_last_lr()[0])
print(f"lrlab's lrs equal torch.optim.lr_scheduler.ReduceLROnPlateau's on the {plat.metrics.size} recorded epoch "
      f"losses: {np.array_equal(plat.epoch_lrs, gold)}")

# %% tags=["check"]
before_cut = np.array([(plat.metrics[k - 4:k] - p.loss.min_value).mean() / theory.noise_floor(p.loss, plat.epoch_lrs[k - 1])
                       for k in plat.cuts])
assert plat.cuts.size >= 2 and np.all((before_cut > 0.5) & (before_cut < 2))
assert tail < theory.noise_floor(p.loss, lesson.PEAK) / 3
np.testing.assert_array_equal(plat.epoch_lrs, gold)

# %% [markdown]
# Its weak spot is visible too: the scheduler has to *see* a plateau before it acts, so every stage wastes
# `patience + 1` epochs sitting at a floor that a planned decay would already have left. On a problem like this
# one, where you know the run's length, cosine or step decay get there without waiting; a plateau schedule
# earns its keep when you do not know in advance how long each stage should last.

# %% [markdown]
# ## 6. lrlab's schedules are PyTorch's
#
# Every curve above comes from `lrlab.schedules`. Each PyTorch scheduler below is stepped 500 times the usual
# way (`optimizer.step()` then `scheduler.step()`) on an SGD optimizer with lr = 0.4, and its `get_last_lr()`
# is compared with the lrlab curve.

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
torch_curves = {}
for name, build in torch_builders.items():
    opt = lesson.dummy_optimizer(peak)
    torch_scheduler = build(opt)
    torch_curves[name] = lesson.torch_lrs(torch_scheduler, opt, N)
    agree = np.allclose(scheds[name](t), torch_curves[name], rtol=1e-10, atol=1e-14)
    print(f"{name:>16} and torch.optim.lr_scheduler.{type(torch_scheduler).__name__} agree to 1e-10 at all {N} steps: {agree}")

# %% tags=["check"]
for name in torch_builders:
    np.testing.assert_allclose(scheds[name](t), torch_curves[name], rtol=1e-10, atol=1e-14)

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
#   the run before the decay arrives. Keep the peak below the limit. Warm-up helps where the limit grows
#   early in training, as is commonly observed in deep networks near their initialisation.
# * **ReduceLROnPlateau** has no closed form: it cuts the lr when the loss it reads stops improving, so its lr
#   depends on the run. On the noisy problem it cuts each time the loss reaches the current lr's floor.
#
# ## Exercises
#
# **Exercise 1.** Section 2 measured the floors with minibatches of 10 rows. Now train the same problem
# with minibatches of **40 rows** at a constant **lr = 0.3**. Using section 2's numbers and the formula
# for the floor, predict its noise floor without running anything.

# %%
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
