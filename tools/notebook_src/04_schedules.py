# %% [markdown]
# # 04 · Schedules: should the learning rate stay constant?
#
# A **schedule** makes the learning rate a function of the step, $\text{lr} = \eta(t)$; PyTorch ships more
# than a dozen in `torch.optim.lr_scheduler`. You will see the common shapes, **why decay at all** (with
# minibatch gradients a constant lr stalls at a *noise floor*), **averaging the weights** as the other
# answer, what a schedule above 2/L does, and **ReduceLROnPlateau**, the scheduler that watches the loss.
#
# **The problem.** Least squares on 500 points, 4 features (scales 0.25 to 1.3), from $w = 0$ with
# **minibatches of 10 rows**: each step's gradient is the true one plus noise. The Hessian
# $H = X^\top X / n$ (the matrix of second derivatives; its eigenvalues are the curvatures along the
# valley's axes, see lesson 02, *Curvature in several dimensions*) is known, so 1/L and 2/L are known
# too. The loss we plot is always measured on the whole data set.

# %%
import numpy as np

import lrlab
from lrlab import diagnostics, plotting, schedules, theory
from lrlab.pytorch import torch  # torch (lrlab[torch]); if missing, this line says what to install
from lrlab.lessons import schedules as lesson


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
# Then try it. Left: lr(t) against 1/L and 2/L; right: the loss of the minibatch run (thin: every step,
# thick: 25-step mean), the run without noise (dashed), the constant peak lr (grey) and its floor (dotted).

# %% tags=["nbval-ignore-output"]
picker = lesson.schedule_picker()
picker

# %% [markdown]
# ## 1. The schedules
#
# All start from (or peak at) lr = 0.4 and last 500 steps. Each is a `lrlab.schedules` function named like
# its PyTorch class (`cosine_annealing_lr` for `CosineAnnealingLR`, ...):
#
# * **step**: multiply by $\gamma$ every `step_size` steps, $\eta_t = \eta_0\,\gamma^{\lfloor t/s \rfloor}$ (here halve every 100);
# * **exponential**: multiply by $\gamma$ every step, $\eta_t = \eta_0\,\gamma^t$ (here 0.99);
# * **cosine**: $\eta_t = \tfrac12\eta_0\,(1 + \cos(\pi t/T))$, slow at first, steep in the middle, gentle at the end;
# * **warm restarts** (SGDR): cosine, but jump back to $\eta_0$ at the end of each period; here
#   the periods last 100 and 400 steps (`T_0 = 100, T_mult = 4`), so the last one ends where the run ends;
# * **cyclic**: triangles between a base lr and a maximum (here 0.04 and 0.4, 50 steps up, 50 down);
# * **warm-up + cosine**: a linear ramp from 1% of the peak over 50 steps, then cosine;
# * **one-cycle**: up from peak/25 to the peak over the first 30%, then down to peak/25/10⁴ (PyTorch's
#   `OneCycleLR` with `cycle_momentum=False`: this lesson has no momentum; lesson 10 cycles it).

# %%
scheds = lesson.gallery()
plotting.show(lesson.gallery_figure(scheds, p))
t = np.arange(p.num_steps)
for name, s in scheds.items():
    print(f"{name:>16}: lr(0) = {s(0):.3g}   max = {s(t).max():.3g}   final = {s(p.num_steps - 1):.2g}")

# %% tags=["check"]
assert all(s(t).max() <= lesson.PEAK * (1 + 1e-12) for s in scheds.values())   # every peak is 0.4 ...
assert lesson.PEAK < 0.5 * p.critical_lr                                        # ... well below 2/L
assert scheds["warm restarts"](100) == lesson.PEAK and scheds["warm restarts"](499) < lesson.PEAK / 1e4   # 100 + 400 steps
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
# noise $\xi_t$ (covariance $\Sigma_B$, which shrinks like 1/B for a batch of B rows). Each step kicks the weights by
# $-\text{lr}\cdot\xi_t$ while the pull back towards the minimum is $-\text{lr}\cdot H e_t$. The error
# settles where the two balance:
#
# $$e_{t+1} = (I - \text{lr}\,H)\,e_t - \text{lr}\,\xi_t
# \quad\Longrightarrow\quad
# \mathbb{E}[f - f^*] \approx \tfrac{\text{lr}}{4}\,\mathrm{tr}(\Sigma_B) \quad\text{for small lr.}$$
#
# **Halve the lr, halve the floor** (for small lr; at larger lr it falls a little faster, see section 5).
# The dashed lines are the exact stationary value of that recursion (`lrlab.theory.noise_floor`); the
# measured floors agree with them within 15%.

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
# The constant 0.4 gets down fast and sits on its floor; the constant 0.04 has a floor more than ten times
# lower but is still on its way down. **Cosine falls as fast as the constant 0.4 at first, then keeps going:
# it ends more than ten times below it, and below the constant 0.04 too.** Step decay does the same in stages.
#
# <details><summary>Optional: the classic result behind it</summary>
#
# Stochastic approximation (Robbins and Monro, 1951): with noisy gradients, SGD is guaranteed to reach
# the minimum if the lr decays slowly enough that the steps still add up to infinity
# ($\sum_t \eta_t = \infty$) but fast enough that the noise they inject stays finite
# ($\sum_t \eta_t^2 < \infty$), for example $\eta_t \propto 1/t$. These conditions are sufficient, not
# necessary: on a loss like this one any lr that decays to 0 while its sum still grows without bound will do.
#
# </details>

# %% tags=["check"]
assert final["cosine from 0.4"] < final["constant 0.4"] / 10
assert final["cosine from 0.4"] < final["constant 0.04"]
assert final["step decay from 0.4"] < final["constant 0.4"] / 5
assert final["constant 0.04"] > 1.5 * theory.noise_floor(p.loss, 0.04)   # 0.04 has not reached its floor yet
assert theory.noise_floor(p.loss, 0.04) < theory.noise_floor(p.loss, 0.4) / 10   # "a floor more than ten times lower"

# %% [markdown]
# The same comparison for every schedule, averaged over 20 runs on other minibatches (one run's ranking
# of close schedules is luck):

# %%
seeds = range(20)
tails = np.mean([lesson.last_mean(lesson.run_schedules(lesson.noisy_problem(seed=s), scheds)) for s in seeds], axis=0)
tails = dict(zip(scheds, tails))
for name, s in scheds.items():
    print(f"{name:>16}: final lr {s(p.num_steps - 1):8.2g}   loss - min (last {lesson.TAIL} steps, mean of 20 runs) "
          f"{tails[name]:.2e}   {tails['constant'] / tails[name]:5.1f}x below constant")

# %% [markdown]
# The schedules that end with a small lr all finish more than ten times below the constant lr; cyclic, which
# ends large, only about twice below. Warm restarts ends about 15% above plain cosine: on a convex loss there
# is no other basin to find. And one-cycle ends with the smallest lr, yet cosine
# ends about 20% lower and warm-up + cosine about 10%.
#
# **Why?** Explain why the schedule with the smallest final lr does not end with the lowest loss.
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
ending_small = ["step", "exponential", "cosine", "warm restarts", "warmup + cosine", "one-cycle"]
assert all(tails[n] < tails["constant"] / 10 for n in ending_small)                 # "more than ten times below"
assert 1.6 < tails["constant"] / tails["cyclic"] < 2.5                              # "about twice below"
assert scheds["cyclic"](p.num_steps - 1) > lesson.PEAK / 10                          # cyclic ends with a large lr
assert 1.08 < tails["warm restarts"] / tails["cosine"] < 1.25                       # "about 15% above plain cosine"
assert all(scheds[n](p.num_steps - 1) < lesson.PEAK / 10 for n in ending_small)
final_lrs = {n: float(scheds[n](p.num_steps - 1)) for n in ending_small}
assert min(final_lrs, key=final_lrs.get) == "one-cycle"                 # the smallest final lr ...
assert 0.15 < 1 - tails["cosine"] / tails["one-cycle"] < 0.25           # ... yet cosine about 20% lower
assert 0.07 < 1 - tails["warmup + cosine"] / tails["one-cycle"] < 0.15  # ... and warm-up + cosine about 10%

# %% [markdown]
# **And with a poor basin?** A restart's large lr may throw a run out of a narrow basin. Lesson 02's two
# wells has such a trap: warm restarts against one cosine, 500 steps, from 59 starts over its plot:

# %%
trapped = lesson.wells_trap_counts()
for peak, (restarts, cosine) in trapped.items():
    print(f"peak {peak:<4g}: ends in the trap from {restarts.sum():2d} of {restarts.size} starts with warm restarts, "
          f"{cosine.sum():2d} with one cosine; the same starts: {bool(np.array_equal(restarts, cosine))}")

# %% tags=["check"]
wells = lrlab.losses.two_wells()
xs = np.linspace(wells.local_minima[1], wells.local_minima[0], 2001)            # from the trap to the good minimum
barrier = xs[np.argmax(wells.value(xs[:, None]))]
left = np.linspace(-2.4, 3.4, 59) < barrier                                     # the starts on the trap's side
assert all(np.array_equal(r, c) for r, c in trapped.values())                  # the same starts, every peak
assert all(np.array_equal(r, left) for peak, (r, _) in trapped.items() if peak <= 0.1)
assert all(r.sum() == 0 for peak, (r, _) in trapped.items() if peak > 0.1)

# %% [markdown]
# No start is rescued. A restart's lr is the peak the run began with: peaks up to 0.1 are too small to throw
# a run out of the trap, before or after a restart, and larger peaks leave no run in it. We found no toy in
# the course where a restart helps at the same peak and budget.
#
# <details><summary>Optional: what restarts are used for</summary>
#
# A restart helps against a run whose lr has already decayed in a poor basin, not against a schedule that
# starts as high. In practice, the end of each period (a small lr) gives a usable model at a few points of a
# run, which is why the periods are chosen to end where the run ends; averaging or ensembling those
# snapshots is the other use.
#
# </details>

# %% [markdown]
# ## 4. Average the weights, not the lr
#
# A constant lr's iterates do not settle, but they hover *around* the minimum: the mean error obeys the
# noise-free recursion $\mathbb{E}\,e_{t+1} = (I - \text{lr}\,H)\,\mathbb{E}\,e_t$ (a minibatch gradient is
# right on average). So keep the lr and **average the iterates**: Polyak averaging takes the plain mean of
# $w_s, \dots, w_t$ (`diagnostics.average_iterates(traj, s)`); an **exponential moving average** (EMA)
# $\tilde w_t = \beta\,\tilde w_{t-1} + (1 - \beta)\,w_t$ keeps about the last $1/(1-\beta)$
# (`diagnostics.ema_iterates`). The run's steps do not change. Below, each curve is the mean of 20 runs:

# %%
START, DECAY = lesson.AVERAGE_START, lesson.EMA_DECAY


def averaging_gaps(seed):
    q = lesson.noisy_problem(seed=seed)
    run = lesson.run_schedules(q, {"constant": lesson.PEAK, "cosine": scheds["cosine"]})
    w = run.params[:, 0]                                   # the constant-lr iterates, one row per step
    weights = {"constant 0.4": w, "cosine from 0.4": run.params[:, 1],
               f"constant 0.4, averaged from step {START}": diagnostics.average_iterates(w, START),
               f"constant 0.4, EMA (β = {DECAY}) from step {START}": diagnostics.ema_iterates(w, DECAY, START),
               "constant 0.4, averaged from step 0": diagnostics.average_iterates(w, 0)}
    return {name: q.loss.value(x) - q.loss.min_value for name, x in weights.items()}


per_seed = [averaging_gaps(s) for s in seeds]
mean_gap = {name: np.mean([g[name] for g in per_seed], axis=0) for name in per_seed[0]}
plotting.show(lesson.averaging_figure(mean_gap))
for name, g in mean_gap.items():
    print(f"{name:>42}: loss − min at step {p.num_steps}, mean of 20 runs {g[-1]:.1e}")

# %% tags=["check"]
end = {name: g[-1] for name, g in mean_gap.items()}
avg, ema = f"constant 0.4, averaged from step {START}", f"constant 0.4, EMA (β = {DECAY}) from step {START}"
assert 2.2 < end["cosine from 0.4"] / end[avg] < 4.5                        # "about three times below cosine"
assert 1.3 < end["cosine from 0.4"] / end[ema] < 2.2 and end[ema] > end[avg]  # "the EMA about 1.5 times"
assert end["constant 0.4"] / end[avg] > 50                                  # "more than fifty times below"
assert 2.2 < end["constant 0.4, averaged from step 0"] / end[avg] < 4.5      # "about three times above"
assert end["constant 0.4, averaged from step 0"] > end["cosine from 0.4"]   # "no better than cosine"
wins = sum(g[avg][-1] < g["cosine from 0.4"][-1] for g in per_seed)
assert wins >= 15                                                           # "in most of the 20 runs"

# %% [markdown]
# Averaged from step 100, the constant-lr run ends more than fifty times below itself and about three times
# below cosine (in most of the 20 runs, not only on average); the EMA about 1.5 times below cosine.
#
# * **Why it works.** Each iterate's error is what is left of the start plus noise. The noise of iterates far
#   apart is nearly independent and cancels in the mean; what is left of the start has the same sign in
#   every iterate and does not cancel.
# * **When it does not.** Averaged from step 0, the mean carries the first steps, far from the minimum: it
#   ends about three times above the average from step 100, no better than cosine. Start averaging once the
#   loss is on its floor (an EMA forgets the early iterates by itself).
# * **SWA** (stochastic weight averaging) does this for networks: a constant or cyclic lr, and the average
#   of the late weights, kept by `torch.optim.swa_utils.AveragedModel` (lrlab's two functions equal its
#   plain and EMA averages).
#
# <details><summary>Optional: when the loss is not quadratic</summary>
#
# On a quadratic the cloud of iterates is centred on the minimum. On other losses its centre is shifted from
# the minimum by an amount that grows with the lr, and averaging keeps that shift, where decaying the lr
# removes it. Averaging and decay combine: average the iterates of the last, small-lr stretch of a schedule.
#
# </details>

# %% [markdown]
# ## 5. Schedules and the stability limit
#
# A schedule does not move the cliff: any step taken with lr > 2/L multiplies the error along the
# steepest direction by $|1 - \text{lr}\cdot L| > 1$, and many such steps blow the run up before the decay
# can help. The widget's presets (lr(t) above each loss panel, whose title says what the noise-free run did):

# %%
plotting.show(lesson.presets_figure(p))
crash = lesson.make_schedule("cosine", 3.0)
factors = np.abs(1 - crash(t) * p.L)             # what each step does to the error along the steepest direction
growth = np.prod(factors[factors > 1])
print(f"cosine from 3.0: its steps above 2/L multiply the steep error by {growth:.1e}")

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
# **Warm-up does not move the cliff** on a quadratic, where the curvature is the same everywhere. In many
# deep networks the loss surface is sharpest near the initialisation and flattens early in training, so
# 2/L grows, and a warm-up keeps the early steps below it (lesson 07 shows it on a toy loss). It is not a
# law: later, or in other networks, training can sharpen the surface instead (lesson 08).
#
# <details><summary>Optional: more on warm-up and sharpness</summary>
#
# Adam adds a second reason for warm-up: its second-moment estimate rests on few gradients at first. Later,
# at a constant lr, training often sharpens the surface until the sharpness hovers near 2/lr, the "edge of
# stability", which lesson 08 shows. Which of the two dominates depends on the network and the phase of
# training.
#
# </details>

# %% [markdown]
# ## 6. Reduce on plateau: a schedule that watches the loss
#
# Every schedule so far is decided before training starts. PyTorch's `ReduceLROnPlateau` reads a number once
# per epoch (usually the validation loss) and cuts the lr by `factor` when it has not improved for more than
# `patience` epochs in a row; an improvement must beat the best so far by `threshold` (relative, by
# default), and a reading that does not is not remembered as the new best. Its lr depends on the losses
# read so far, so it has **no closed form**: `lrlab.schedules.reduce_lr_on_plateau(base_lr, ...)` (torch's
# keyword names and defaults) is a small state machine, `init()`, then `update(state, metric)` per epoch.
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
# Here: 40 epochs of 25 steps from lr 0.4, halving the lr (`factor=0.5`) after 4 epochs without a better
# epoch loss (`patience=3`). Each epoch is one constant-lr run on fresh minibatches from where the last one
# stopped; then the scheduler reads the epoch's mean loss on the whole data set.

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
# The loss of every step (faint), each epoch's mean (dots), the floor of the lr in use (dashed), and below
# it the lr the scheduler chose:

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
# The scheduler knows nothing about noise floors, yet every cut comes when the mean loss of the 4 epochs
# before it is within a factor 2 of the floor of the lr in use: there the loss only jitters, the patience
# runs out, and the lr and its floor halve. The lrs are exactly those PyTorch's `ReduceLROnPlateau` chooses
# on the same recorded losses:

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
# <details><summary>Optional: its weak spot</summary>
#
# The scheduler has to *see* a plateau before it acts, so every stage sits at its floor for at least
# `patience + 1` epochs, and more when the metric is noisy (a lucky epoch sets a new best and restarts the
# count): here about a dozen at lr 0.2 and at lr 0.1. Where you know the run's length, cosine or step decay
# get there without waiting; a plateau schedule earns its keep when you do not know in advance how long each
# stage should last.
#
# </details>

# %% tags=["check"]
floor_ratio = (plat.metrics - p.loss.min_value) / np.array([theory.noise_floor(p.loss, lr) for lr in plat.epoch_lrs[:-1]])
stage_ends = list(plat.cuts)                                            # each stage runs up to reading k (1-based)
stage_starts = [0] + stage_ends[:-1]
waited = []
for a, b in zip(stage_starts, stage_ends):
    assert np.any(floor_ratio[a:b] < 1)
    first_below = a + int(np.argmax(floor_ratio[a:b] < 1))              # first epoch below the floor of its lr
    waited.append(b - 1 - first_below)                                  # epochs after it before the cut
assert all(w >= lesson.PLATEAU["patience"] + 1 for w in waited)         # "at least patience + 1"
assert plat.epoch_lrs[stage_starts[1]] == 0.2 and plat.epoch_lrs[stage_starts[2]] == 0.1
assert 10 <= waited[1] <= 14 and 10 <= waited[2] <= 14                  # "about a dozen at lr 0.2 and at lr 0.1"

# %% [markdown]
# ## 7. lrlab's schedules are PyTorch's
#
# Each PyTorch scheduler below is stepped 500 times the usual way (`optimizer.step()` then
# `scheduler.step()`) on an SGD optimizer with lr = 0.4, and its `get_last_lr()` compared with lrlab's curve.

# %%
S = torch.optim.lr_scheduler
peak, N = lesson.PEAK, p.num_steps
torch_builders = {
    "constant": lambda o: S.ConstantLR(o, factor=1.0, total_iters=1),
    "step": lambda o: S.StepLR(o, step_size=100, gamma=0.5),
    "exponential": lambda o: S.ExponentialLR(o, gamma=0.99),
    "cosine": lambda o: S.CosineAnnealingLR(o, T_max=N),
    "warm restarts": lambda o: S.CosineAnnealingWarmRestarts(o, T_0=100, T_mult=4),
    "cyclic": lambda o: S.CyclicLR(o, base_lr=peak / 10, max_lr=peak, step_size_up=50, cycle_momentum=False),
    "warmup + cosine": lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.01, total_iters=50),
                                                   S.CosineAnnealingLR(o, T_max=N - 50)], milestones=[50]),
    "one-cycle": lambda o: S.OneCycleLR(o, max_lr=peak, total_steps=N, cycle_momentum=False),
}
torch_curves, agree = {}, []
for name, build in torch_builders.items():
    opt = lesson.dummy_optimizer(peak)
    torch_curves[name] = lesson.torch_lrs(build(opt), opt, N)
    agree.append(np.allclose(scheds[name](t), torch_curves[name], rtol=1e-10, atol=1e-14))
print(f"all {len(agree)} lrlab schedules agree with torch's to 1e-10 at all {N} steps: {all(agree)}")

# %% tags=["check"]
for name in torch_builders:
    np.testing.assert_allclose(scheds[name](t), torch_curves[name], rtol=1e-10, atol=1e-14)

# %% [markdown]
# ## Summary
#
# * A schedule makes the lr a function of the step; lrlab's closed forms equal PyTorch's schedulers.
# * With minibatch gradients a **constant lr stalls at a noise floor** that falls with the lr. A **decaying**
#   schedule gets fast early progress and a low final loss; what counts is the lr of the last stretch of
#   steps, not the final value alone.
# * **Averaging the iterates** of a constant lr, from the floor on, is the other answer to the noise floor;
#   averaged from the start, the mean is dragged back. SWA averages a network's weights.
# * On this convex loss **warm restarts** ended no lower than cosine; on the two wells they rescued no start either.
# * A schedule does not move the **stability limit** 2/L. Warm-up helps where the limit grows early in
#   training, as is often (not always) observed in deep networks.
# * **ReduceLROnPlateau** cuts the lr when the loss it reads stops improving: here, each time the loss
#   reaches the floor of the current lr.
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
# **Exercise 2.** A cosine schedule starts at 1.5 × 2/L and decays to 0 over 500 steps. For how many of its
# 500 steps (t = 0 … 499) is the lr above 2/L? Solve it with pen and paper: write lr(t) > 2/L as a
# condition on t.

# %%
answer = None   # a number of steps
lesson.check_steps_above(answer)

# %% [markdown]
# **Exercise 3.** In the warm-restarts run (periods of 100 and 400 steps), right after the restart at
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


# %% [markdown]
# **Exercise 6.** Averaging beat the noise. Now take the noise away: full-batch gradient descent on the same
# problem (`p.clean`) at a constant **lr = 0.3** for 500 steps, its iterates averaged from step 100. At step 500,
# is the loss of the averaged weights `'above'` or `'below'` the loss of the last iterate? Reason it out from
# section 4, then check with `diagnostics.average_iterates`.

# %%
answer = None   # 'above' or 'below'
lesson.check_average_without_noise(answer)
