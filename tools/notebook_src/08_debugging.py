# %% [markdown]
# # 08 · Debugging: what training tells you about the learning rate
#
# On a real network you never see the loss landscape, only *traces*: the loss after each step, the
# size of the gradient, how much the weights move. This lesson reads those traces to tell whether the
# learning rate is the problem, and in which direction.
#
# You will see an explorer where the path is visible beside its traces; a **gallery of real loss
# curves** (a small PyTorch network on handwritten digits); **gradient norms**, **update histograms**
# and the **update-to-weight ratio**; the **edge of stability**; and a broken run to fix.
#
# **Predict first.** In the explorer below, the preset *oscillating* makes the path zig-zag across the
# valley, overshooting the minimum at every step. Will the **loss curve** zig-zag too, or fall
# smoothly? Decide before you press the button.

# %%
import numpy as np

import lrlab
from lrlab import diagnostics, plotting, theory
from lrlab.diagnostics import moving_average
from lrlab.pytorch import torch  # torch (lrlab[torch]); if missing, this line says what to install
from lrlab.lessons import debugging as lesson

torch.manual_seed(0)
torch.set_num_threads(1)

# %% [markdown]
# ## The explorer
#
# A linear model with two weights fitted by least squares to 200 points, with features of standard
# deviations 1 and 3: the loss is a stretched quadratic bowl whose curvatures along its two axes, $\mu$
# and $L$ (about 1 and $3^2 = 9$), are the eigenvalues of the Hessian, the matrix of second derivatives
# (see lesson 02, *Curvature in several dimensions*). Panels: the path on the loss contours (what you
# never see on a network); the loss minus its minimum; the **gradient norm**, with a theoretical bound
# dashed; and the loss after 40 steps for every lr.

# %% tags=["nbval-ignore-output"]
explorer = lesson.explorer()
explorer

# %% [markdown]
# The numbers behind the presets. On a quadratic, each step multiplies the error along each axis by
# $1 - \text{lr}\,\lambda$, where $\lambda$ is that axis's curvature; these factors name the regime.

# %%
loss = lesson.bowl()
print(f"curvatures: mu = {loss.mu:.3f}, L = {loss.L:.3f};  1/L = {1 / loss.L:.4f},  2/L = {theory.critical_lr(loss):.4f}")
preset_lrs = np.array(list(lesson.PRESETS.values()))
presets_run = lrlab.run(loss=loss, x0=lesson.X0, lr=preset_lrs, num_steps=lesson.NUM_STEPS)
regimes = lesson.quadratic_regime(loss, preset_lrs)
for (name, lr), regime in zip(lesson.PRESETS.items(), regimes):
    factors = 1 - lr * np.array([loss.mu, loss.L])
    print(f"{name:>12}: lr = {lr:<6g} factors 1 - lr*lambda = {factors[0]:+.3f}, {factors[1]:+.3f}  ->  {regime}")

# %% tags=["check"]
data_loss = lesson.regression()          # the bowl is the least-squares loss as a quadratic form: same runs
same = [lrlab.run(loss=f, x0=lesson.X0, lr=0.1, num_steps=lesson.NUM_STEPS) for f in (data_loss, loss)]
np.testing.assert_allclose(same[0].params, same[1].params, rtol=1e-10, atol=1e-12)
assert list(regimes) == ["monotone convergence", "monotone convergence", "oscillating convergence", "divergence"]
assert lesson.PRESETS["oscillating"] < theory.critical_lr(loss) < lesson.PRESETS["diverging"]

# %% [markdown]
# **The answer**, with gradient descent written out: forty steps at the *oscillating* preset, counting
# how often the loss goes up and how often the second weight $w_2$ turns back.

# %%
lr = lesson.PRESETS["oscillating"]
w = np.array(lesson.X0, dtype=float)
losses, w2 = [loss.value(w)], [w[1]]
for t in range(lesson.NUM_STEPS):
    w = w - lr * loss.grad(w)
    losses.append(loss.value(w))
    w2.append(w[1])
ups = int(np.sum(np.diff(losses) >= 0))
turns = int(np.sum(np.diff(np.sign(np.diff(w2))) != 0))
print(f"the loss went up at {ups} of {lesson.NUM_STEPS} steps; w2 turned back {turns} times in {lesson.NUM_STEPS} steps")
print(f"the loop and lrlab.run agree to 1e-12 at every step: "
      f"{np.allclose(losses, presets_run.loss[:, 2], rtol=1e-12, atol=0)}")

# %% tags=["check"]
assert ups == 0 and turns == lesson.NUM_STEPS - 1
np.testing.assert_allclose(losses, presets_run.loss[:, 2], rtol=1e-12, atol=0)

# %% [markdown]
# The loss falls at every step while the path jumps across the valley. On a quadratic,
# $f(w) - f^* = \frac12\sum_i \lambda_i e_i^2$, where $e_i$ is the error along the $i$-th axis. A
# negative factor flips the sign of $e_i$, but its *square* shrinks all the same, so the loss cannot show
# the zig-zag. The first lesson of debugging: **a smooth loss curve does not prove the lr is
# comfortable.** On a network (not a quadratic, a new minibatch at every step) the overshoot does leak
# into the loss as spikes, as the gallery below shows.
#
# The four presets as a static figure (white dot: the start; star: the minimum):

# %%
fig, _ = lesson.paths_figure(presets_run, loss, lesson.PRESETS)
plotting.show(fig)

# %% [markdown]
# ## 1. A gallery of loss curves from a real network
#
# One hidden layer of 64 ReLU units (`lrlab.pytorch.small_mlp`) classifying the 1797 handwritten digits
# of scikit-learn (pixels standardized), trained with `torch.optim.SGD` on minibatches of 64 for 300
# steps, at five learning rates. Thin: the minibatch loss (noisy: every step sees other images); thick:
# its moving average.

# %%
gallery = lesson.gallery_runs()
fig, _ = lesson.gallery_figure(gallery)
plotting.show(fig)

# %% [markdown]
# How to read them:
#
# - **too low** (0.001): a gentle slope, from 2.8 to about 2.3 in 300 steps. Every step is just tiny.
# - **good** (1.0): a fast drop, then a steady decline that flattens out, noisy but without tenfold
#   jumps. It is the best run of the sweep in section 4.
# - **oscillating** (2.0): late in the run many steps change the loss tenfold. On average it still
#   falls, but the weights are thrown across the valley, and on a network that shows in the loss. Where
#   you stop is a gamble: over five seeds its final loss ranges from about the good run's to several
#   times it.
# - **too high** (3.0): the loss climbs to $10^{10}$ times its start, where `lrlab.pytorch.train`
#   stops the run (the cross).
# - **NaN** (100): the same with that stop switched off, until the numbers overflow.
#
# The runs at the edge are *chaotic*: change the lr in its ninth digit and the curve is a different one
# after about a hundred steps at lr 2, a few dozen at lr 3. So we check them over five seeds.
#
# <details><summary>Optional: where a float32 run would break</summary>
#
# These runs compute in float64, whose largest number is about $10^{308}$. In float32, the usual
# precision for training, the ceiling is $3.4\times10^{38}$ (the dashed line in the NaN panel), which
# this loss passes after about a dozen steps: a float32 run would already be showing inf or NaN there.
#
# </details>
#
# These rules as code: `lrlab.diagnostics.read_loss_curve` says *blew up* for a NaN or infinity;
# *rising* when the smoothed loss ends above its start; *spiky* when at least 10% of the second half's
# steps change the loss tenfold; *barely falling* when the smoothed loss did not even halve; *falling*
# otherwise. The words describe the curve's shape, not its cause: the explorer's oscillating path has a
# loss curve that reads *falling*.

# %%
for name, rec in gallery.items():
    print(f"{name:>11} (lr = {lesson.GALLERY[name]:<5g}): read as {diagnostics.read_loss_curve(rec.loss)}")
s_low, s_good = moving_average(gallery["too low"].loss), moving_average(gallery["good"].loss)
print(f"smoothed loss, too low: {s_low[0]:.2g} -> {s_low[-1]:.2g};  good: {s_good[0]:.2g} -> {s_good[-1]:.2g}")

# %% tags=["check"]
for name, rec in gallery.items():
    assert diagnostics.read_loss_curve(rec.loss) == lesson.GALLERY_REGIMES[name]
assert 2.7 < s_low[0] < 2.9 and 2.0 < s_low[-1] < 2.5     # too low: 2.8 -> about 2.3
assert s_good[-1] < 0.01 * s_good[0]                      # good: more than 99% of the loss gone
tenfold = lambda rec: diagnostics.jump_share(rec.loss)    # share of tenfold jumps, second half
assert tenfold(gallery["good"]) == 0                      # the good run never jumps tenfold
nan_run = gallery["NaN"]
past_float32 = int(np.argmax(nan_run.loss > lesson.FLOAT32_MAX))
assert nan_run.diverged and np.isnan(nan_run.loss[nan_run.diverged_at])
assert 8 <= past_float32 <= 16 and nan_run.diverged_at > 4 * past_float32

# %% [markdown]
# The two runs at the edge, and the good one, over five seeds:

# %%
edge = lesson.gallery_over_seeds(names=("good", "oscillating", "too high"))
n = len(lesson.GALLERY_SEEDS)
osc_ok = [diagnostics.read_loss_curve(r.loss) == "spiky" and tenfold(r) > 0.15
          and moving_average(r.loss)[-1] < 0.5 * moving_average(r.loss)[0] for r in edge["oscillating"]]
high_ok = [r.diverged and r.diverged_at < 150 for r in edge["too high"]]
good_ends = np.array([moving_average(r.loss)[-1] for r in edge["good"]])
osc_ends = np.array([moving_average(r.loss)[-1] for r in edge["oscillating"]])
print(f"oscillating (lr = 2): in {sum(osc_ok)} of {n} seeds more than 15% of the second half's steps change the "
      f"loss tenfold, and the smoothed loss still ends below half its start")
print(f"too high    (lr = 3): in {sum(high_ok)} of {n} seeds the loss passes 1e10 x its start within 150 steps")
print(f"final smoothed loss, largest over smallest across seeds: good {good_ends.max() / good_ends.min():.1f}x, "
      f"oscillating more than 3x: {osc_ends.max() > 3 * osc_ends.min()}")

# %% tags=["check"]
assert all(osc_ok) and all(high_ok)
assert all(diagnostics.read_loss_curve(r.loss) == "falling" for r in edge["good"])
assert good_ends.max() < 1.6 * good_ends.min() and osc_ends.max() > 3 * osc_ends.min()
assert osc_ends.max() > 2 * good_ends.max()       # in some seeds the gamble ends well above the good run
assert lesson.GALLERY["oscillating"] == 2.0 and lesson.GALLERY["too high"] == 3.0

# %% [markdown]
# ## 2. Gradient norms
#
# `lrlab.pytorch.train` also records the norm of the whole gradient (all weights together) at every
# step, the second thing to plot when a loss curve looks wrong:

# %%
fig, _ = lesson.grad_norm_figure(gallery)
plotting.show(fig)

# %% [markdown]
# - **Too low**: it stays near its start while the loss crawls: "take bigger steps".
# - **Good**: it falls as the network fits the data.
# - **Too high** and **NaN**: it climbs with the loss. Since the step is lr × gradient, an exploding
#   gradient norm *is* the blow-up; capping it (gradient clipping) is the common safety net.

# %%
for name in ("too low", "good"):
    g0, g1, gmax = lesson.grad_norm_ends(gallery[name])
    print(f"{name:>11}: gradient norm (smoothed) {g0:.2f} at the start, {g1:.2g} at the end")
grows = [lesson.grad_norm_ends(r)[1] > 10 * lesson.grad_norm_ends(r)[0] for r in edge["too high"]]
print(f"   too high: the smoothed gradient norm ends more than 10x above its start in {sum(grows)} of {n} seeds")
g0_nan, _, gmax_nan = lesson.grad_norm_ends(gallery["NaN"])
print(f"        NaN: it grows more than 1e12-fold before the overflow: {gmax_nan > 1e12 * g0_nan}")

# %% tags=["check"]
g0, g1, _ = lesson.grad_norm_ends(gallery["too low"])
assert 0.5 < g1 / g0 < 2
g0, g1, _ = lesson.grad_norm_ends(gallery["good"])
assert g1 < g0 / 4
assert all(grows)
g0, _, gmax = lesson.grad_norm_ends(gallery["NaN"])
assert gmax > 1e12 * g0

# %% [markdown]
# On the explorer's quadratic the gradient's component along each axis is multiplied by
# $1 - \text{lr}\,\lambda_i$ per step, so its norm shrinks at least as fast as $\rho^t\lVert g_0\rVert$,
# with $\rho = \max_i|1-\text{lr}\,\lambda_i|$: the explorer's dashed line. Above 1, it grows:

# %%
t = np.arange(lesson.NUM_STEPS + 1)[:, None]
rho = theory.convergence_rate(loss, preset_lrs)
below = np.all(presets_run.grad_norm <= presets_run.grad_norm[0] * rho ** t * (1 + 1e-9))
print(f"every preset's gradient norm stays at or below rho^t |g0|: {below}")
g = presets_run.grad_norm[:, 3]
print(f"diverging preset (lr = {preset_lrs[3]:g}): the gradient norm grows by {g[-1] / g[-2]:.2f} per step; "
      f"|1 - lr*L| = |1 - {preset_lrs[3]:g} x {loss.L:.2f}| = {rho[3]:.2f}")

# %% tags=["check"]
assert below
assert abs(g[-1] / g[-2] - rho[3]) < 1e-6 and round(rho[3], 2) == 1.10 and round(loss.L, 2) == 8.41

# %% [markdown]
# ## 3. Histograms of the updates
#
# For the first layer (64 × 64 weights): the size of each weight's update in each of the first 20 steps,
# divided by the root mean square of the layer's weights.

# %%
names = ("too low", "good", "too high")
samples, zero_fraction = {}, {}
for name in names:
    samples[name], zero_fraction[name] = lesson.update_sizes(lesson.GALLERY[name])
fig, _ = lesson.update_histogram_figure(samples, lesson.GALLERY)
plotting.show(fig)

# %% [markdown]
# The three histograms have nearly the same shape, shifted: in plain SGD the update is
# $\text{lr} \times \text{gradient}$. The too-low run changes a typical weight by a few
# hundred-thousandths of its scale per step; the too-high run by tens of percent, wiping out what
# earlier steps learned; the good one by one to a few percent. But the too-high lr is only three times
# the good one, and nothing in the good run's histogram says "the edge is close". The loss curve tells.
#
# <details><summary>Optional: why the medians are not exactly 1000 and 3 times apart, and the weights that never move</summary>
#
# At the first step the three runs see the same weights and the same batch, so their updates differ by
# exactly the ratio of their lrs (1000 and 3); after that the gradients start to differ, and the medians
# end up a few hundred and about ten times apart.
#
# Not drawn: the weights whose update is exactly zero, 3 in 64 of the first layer's weights (4.7%), at
# every lr. Three pixels are blank in every image, so their input is always 0 and so is the gradient of
# every weight they feed. A histogram is how you find such weights; in a deeper network, hidden units
# whose ReLU never fires ("dead" units) show up the same way, as a spike of exact zeros.
#
# </details>

# %%
medians = {name: np.median(samples[name]) for name in names}
for name in names:
    print(f"{name:>8} (lr = {lesson.GALLERY[name]:<5g}): median relative update {medians[name]:.1e}")

# %% tags=["check"]
assert 1e-2 < medians["good"] < 5e-2
assert medians["too low"] < medians["good"] / 100 and medians["too high"] > 5 * medians["good"]
assert medians["too low"] < 1e-4 and medians["too high"] > 0.1
assert all(zero_fraction[name] == 3 / 64 for name in names)       # the 3 blank pixels' weights
assert 100 < medians["good"] / medians["too low"] < 1000 and 5 < medians["too high"] / medians["good"] < 30

# %% [markdown]
# ## 4. The update-to-weight ratio
#
# The histogram condensed to one number per step: $\lVert \Delta w\rVert / \lVert w\rVert$, how much
# the step changed the weights relative to their size. A widely quoted rule of thumb says a healthy
# value is around $10^{-3}$. We test it with a sweep: the digits network for 300 steps at eleven lrs
# from $10^{-4}$ to 3, keeping each run's final (smoothed) loss, its reading, and its median ratio over
# the **first 50 steps**. Top: the ratio during three gallery runs. Bottom: the early ratio against lr,
# the best run starred, and in green the band of ratios of the falling runs that end within a factor 10
# of the best.

# %%
sweep = lesson.lr_sweep()
for lr, final, r, regime in zip(sweep.lrs, sweep.final, sweep.ratio, sweep.regime):
    if r <= lesson.RATIO_BAND[1]:
        print(f"lr = {lr:<6g} final loss {final:9.3g}  early ratio {r:.1e}  read as {regime}")
    else:              # past the edge a run's numbers are chaotic: only the verdict is printed
        print(f"lr = {lr:<6g} final loss {'-':>9}  early ratio {'> 0.1':>7}  read as {regime}")
fig, _ = lesson.update_ratio_figure(gallery, sweep.lrs, sweep.ratio, best=sweep.best)
plotting.show(fig)

# %% tags=["check"]
assert list(sweep.lrs[sweep.ratio > lesson.RATIO_BAND[1]]) == [2.0, 3.0]     # the chaotic ones, not printed
assert sweep.regime[0] == "rising" and 2.8 < sweep.final[0] < 3.1     # lr 1e-4: a little above its start (2.8)
assert sweep.best == lesson.GALLERY["good"]                  # "good" is the sweep's best converging run
assert dict(zip(sweep.lrs, sweep.regime))[lesson.GALLERY["oscillating"]] == "spiky"
assert np.isinf(sweep.final[-1])                             # lr 3 is stopped as diverged
converging = np.array([r == "falling" for r in sweep.regime])
near_best = converging & (sweep.final < 10 * sweep.final[sweep.lrs == sweep.best])
in_band = (sweep.ratio >= lesson.RATIO_BAND[0]) & (sweep.ratio <= lesson.RATIO_BAND[1])
assert np.array_equal(near_best, in_band)                    # the green band is exactly the near-best lrs
ratio = {name: np.nanmedian(gallery[name].update_ratio) for name in names}
early = {name: np.nanmedian(gallery[name].update_ratio[:lesson.RATIO_STEPS]) for name in names}
assert 2e-2 < early["good"] < 8e-2                         # the best lr: 20 to 80 times the rule's 1e-3
assert 1e-3 < ratio["good"] < 1e-2                         # over the whole run, a few 1e-3
small = sweep.lrs <= 0.01
slope = np.polyfit(np.log(sweep.lrs[small]), np.log(sweep.ratio[small]), 1)[0]
assert abs(slope - 1) < 0.05                               # proportional to the lr at small lrs
at = dict(zip(sweep.lrs, zip(sweep.final, sweep.ratio)))
best_final, best_ratio = at[sweep.best]
assert 1e-3 < at[0.01][1] < 3e-3 and at[0.01][0] > 100 * best_final
assert at[1e-3][1] < lesson.RATIO_BAND[0] / 20 and at[3.0][1] > 3 * lesson.RATIO_BAND[1]
assert 2 < at[2.0][1] / best_ratio < 8

# %% [markdown]
# The lowest lr, $10^{-4}$, reads *rising*: its loss barely moves, and the minibatch noise leaves the
# smoothed value a little above its start. So a rising curve can mean a too-high lr or a too-low one;
# the gradient norm (flat here, climbing in a blow-up) tells them apart.
#
# What this says:
#
# - **The rule of thumb is off here.** The best lr's early ratio is about $4\times10^{-2}$, forty times
#   the rule's $10^{-3}$. Measure the band on your own network with a short sweep.
# - **The ratio grows with the lr, in proportion only at small lrs**, so bracket the lr rather than
#   correct it by a factor.
# - **It does not locate the edge.** The ratio curve has no feature at the oscillating lr, 2; the band
#   was drawn from the sweep's *losses*.
#
# <details><summary>Optional: how the ratio grows with the lr, and why the rule of thumb says 10⁻³</summary>
#
# The lr that hits the rule's $10^{-3}$ (0.01) ends over a hundred times higher in loss than the best.
# Up to lr 0.01 the ratio is nearly proportional to the lr (in SGD the step is lr × gradient, and early
# on the gradient barely depends on the lr). From 0.01 to 1 it grows much more slowly than the lr, and
# near the edge much faster, so a proportional correction misses either way. At the oscillating lr, 2,
# the ratio is about four times the best's, a jump no larger than the ones before it.
#
# Averaged over the whole run, the good run's ratio is a few $10^{-3}$, because it falls as the network
# fits; that is the number the rule resembles, but you cannot measure it before training. The rule
# comes from larger networks trained for much longer, often with other optimizers; on a small network
# and a short budget the healthy ratio is larger. What carries over is the size of the mistake it
# catches: the too-low run's early ratio is more than twenty times below the green band, the too-high
# run's more than three times above it.
#
# </details>
#
# ## 5. Sharpness and the edge of stability
#
# Lessons 02 and 03 showed that on a quadratic, gradient descent is stable only if $\text{lr} < 2/L$,
# where $L$, the largest curvature (the top eigenvalue of the Hessian), is called the **sharpness**. On
# a network the sharpness changes as the weights move. At a constant lr, training often *sharpens* the
# surface until the sharpness hovers near $2/\text{lr}$: the **edge of stability**, which this section
# shows.
#
# <details><summary>Optional: sharp at the start, sharper later</summary>
#
# Early in the training of many deep networks the loss surface is sharpest near the initialisation and
# flattens as training proceeds (section 6 measures it here), so $2/L$ grows, and a warm-up (lesson 04)
# keeps the early steps below it. The sharpening shown in this section comes later. Which of the two
# dominates depends on the network and the phase of training.
#
# </details>
#
# The experiment: a small tanh network (2 inputs, 32 hidden units, 2 outputs, in float64) fitted with
# half the squared error to two interleaved spirals, by **full-batch** gradient descent (no minibatch
# noise) at three lrs for 1000 steps. Every 20 steps we measure the sharpness (`lesson.top_eigenvalue`;
# see the box below).

# %%
eos = [lesson.edge_of_stability(lr) for lr in lesson.EOS_LRS]
fig, _ = lesson.eos_figure(eos)
plotting.show(fig)

# %% [markdown]
# What happens, for each lr:
#
# 1. **Sharpening.** The sharpness starts well below $2/\text{lr}$ and climbs as the network learns.
# 2. **It reaches $2/\text{lr}$.** On a quadratic the error along the steepest axis would now grow
#    without end. Here it grows briefly, a **spike in the loss**, which throws the weights to a flatter
#    region: the sharpness drops at once.
# 3. **Cycling.** The climb starts again, each overshoot smaller than the last; by the end the sharpness
#    sits close to $2/\text{lr}$ (the smallest lr reaches it late and has not spiked by step 1000).
#
# The lr caps the sharpness of where gradient descent can stay: a larger lr settles in a flatter region.
# For debugging: **spikes in a full-batch loss curve that recover on their own are not necessarily a
# bug**.

# %%
for run in eos:
    tail = run.sharpness[-len(run.sharpness) // 5:]                   # last 20% of the run
    peaks = lesson.overshoots(run)
    spikes = int(np.sum(np.diff(run.loss) > 0.05 * run.loss[:-1]))
    reach = int(run.steps[np.argmax(run.sharpness >= run.limit)]) if np.any(run.sharpness >= run.limit) else None
    print(f"lr = {run.lr:g}: 2/lr = {run.limit:5.2f}; sharpness at the start {run.sharpness[0] / run.limit:.1f} × 2/lr, "
          f"over the last 200 steps {tail.mean() / run.limit:.1f} × 2/lr; first reaches 2/lr near step "
          f"{round(reach, -2) if reach else '-'}; overshoots {len(peaks)}, shrinking: {bool(np.all(np.diff(peaks) < 0))}; "
          f"loss spikes (> 5%): {spikes > 0}; loss falls more than fivefold: {run.loss[-1] < run.loss[0] / 5}")

# %% tags=["check"]
for run in eos:
    tail = run.sharpness[-len(run.sharpness) // 5:]
    peaks = lesson.overshoots(run)
    spikes = int(np.sum(np.diff(run.loss) > 0.05 * run.loss[:-1]))
    assert run.sharpness[0] < 0.5 * run.limit                          # starts well below the limit
    assert abs(tail.mean() / run.limit - 1) < 0.1                      # ends within 10% of 2/lr
    assert run.sharpness.max() < 1.6 * run.limit                       # at most 60% above it
    assert run.loss[-1] < run.loss[0] / 5                              # and the network still learns
    assert np.all(np.diff(peaks) < 0)                                  # each overshoot smaller than the last
    assert (spikes > 0) == (peaks.size > 0) == (run.lr > min(lesson.EOS_LRS))
X_sp, Y_sp = lesson.spirals_data()
flat = lesson.FlatParamsLoss(eos[0].model, lesson.half_mse, X_sp, Y_sp)
independent = diagnostics.sharpness(flat, flat.point(), iters=100)
assert abs(independent - eos[0].sharpness[-1]) < 1e-4 * independent

# %% [markdown]
# <details><summary>Optional: how the sharpness is measured, and what larger networks do</summary>
#
# **Power iteration**: start from a random direction $v$, replace it by $Hv/\lVert Hv\rVert$ a few
# times, and read $\lambda = v^\top H v$. The product $Hv$ comes from differentiating $g(w)^\top v$ once
# more with `torch.autograd`, so the Hessian itself is never built. An independent method,
# `lrlab.diagnostics.sharpness` (its own power iteration with finite-difference Hessian-vector
# products, two gradients at $w \pm \epsilon v$), agrees with it to better than $10^{-4}$.
#
# Cohen et al. (2021), who named the edge of stability, found that in larger networks the sharpness
# typically hovers just above $2/\text{lr}$, with much smaller swings than in this tiny one.
#
# </details>
#
# ## 6. Warm-up on a real network
#
# Lesson 07's quartic needed warm-up because its start was sharp. Is the digits network's start sharp?
# We measure the sharpness of its full-data loss during the first 100 steps at the good lr 1, constant
# and with a linear warm-up from 1% over 100 steps, three seeds each; and we run the too-high lr 3
# constant, with the same warm-up, and with **gradient clipping** instead
# (`torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)` before each step).

# %%
wruns = lesson.warmup_runs()
fig, _ = lesson.warmup_figure(wruns)
plotting.show(fig)
const, warm = wruns[(1.0, "constant")], wruns[(1.0, "warm-up")]
s0 = [r.sharpness[0] for r in const]
print(f"lr 1: sharpness at the start {min(s0):.1f} to {max(s0):.1f} (2/sharpness about {2 / max(s0):.1f}); "
      f"constant lr: below 2/lr = 2 by step 10 in {sum(r.sharpness[r.steps == 10][0] < 2 for r in const)} of 3 seeds")
print(f"lr 1, final loss: constant {max(r.final for r in const):.3f} or less, warm-up {min(r.final for r in warm):.3f} or more")
for how in ("constant", "warm-up", "clipping"):
    rs = wruns[(3.0, how)]
    print(f"lr 3, {how:>8}: blows up in {sum(r.blew_up for r in rs)} of 3 seeds")

# %% tags=["check"]
assert all(3.6 < s < 4.4 for s in s0) and f"{min(s0):.1f}, {max(s0):.1f}, {2 / max(s0):.1f}" == "3.7, 4.2, 0.5" and all(r.sharpness[r.steps == 10][0] < 1.9 for r in const)
assert all(np.all(r.sharpness < 2 / (1.0 * np.minimum(1, 0.01 + 0.99 * r.steps / 100))) for r in warm)
assert all(r.sharpness[r.steps == 10][0] > 1.2 * c.sharpness[c.steps == 10][0] for r, c in zip(warm, const))
assert max(r.final for r in const) < min(r.final for r in warm) < 0.01
assert all(r.blew_up for how in ("constant", "warm-up") for r in wruns[(3.0, how)])
clip = wruns[(3.0, "clipping")]
assert not any(r.blew_up for r in clip) and all(np.isfinite(r.final) for r in clip)

# %% [markdown]
# The network does start sharp: a sharpness of about 4 allows only lr < 0.5, half of lr 1. Yet the
# constant run does not blow up: its first big steps throw the weights into a flatter region (below
# 2/lr within ten steps), as the spikes of section 5 did. At lr 3 warm-up does not save the run: the
# blow-up only waits until the ramp ends. Clipping keeps lr 3 finite by capping every step, but the run
# stays at the edge, where its end is chaotic: another seed, or another rounding of the last bits, can
# move its final loss tenfold. It hides a too-high lr rather than curing it.
#
# <details><summary>Optional: the warm-up run at lr 1, and where warm-up earns its keep</summary>
#
# At lr 1 the warm-up run flattens more slowly, stays far inside its own limit and ends slightly
# *worse* than the constant one: on this small network warm-up does not help. It earns its keep on
# large networks (transformers, big-batch ResNets) whose start is far sharper than 2/lr and does not
# flatten on its own.
#
# </details>
#
# <details><summary>Optional: Adam's own reason for warm-up</summary>
#
# Adam divides each step by $\sqrt{\hat v}$, an average of squared gradients. In the first steps
# $\hat v$ rests on a handful of gradients; bias correction removes its shrinkage towards 0, but not
# its noise, so a coordinate whose first gradients happened to be small takes a step of about lr in
# full, however sharp its direction. A warm-up keeps those early steps small until $\hat v$ has
# averaged enough gradients.
#
# </details>
#
# ## Summary
#
# - Read the **loss curve** first, smoothed, then ask what could cause its shape:
#
#   | reading | possible causes |
#   |---|---|
#   | *blew up* (NaN, inf) | lr too high (or a bug: bad data, a log of 0) |
#   | *rising* | lr too high (gradient norm climbs), or far too low so the noise outweighs progress (flat gradient norm) |
#   | *spiky* | lr at the edge of stability |
#   | *barely falling* | lr too low, or the network stuck (dead units, section "Diagnose and fix") |
#   | *falling* | fine, though the weights may still oscillate (the explorer) |
# - The **gradient norm** explodes with a blow-up (clipping caps it); flat with a crawling loss, the
#   steps are too small.
# - **Update histograms** and the **update-to-weight ratio** measure the step size, not the edge;
#   measure the healthy band on your own network.
# - Under full-batch gradient descent the **sharpness can rise to $2/\text{lr}$** and stay around it,
#   with loss spikes that recover.
# - The digits network starts sharp but its first large steps flatten it; clipping keeps a too-high lr
#   finite, but the run stays at the edge and where it ends is chaotic.
#
# ## Exercises
#
# **1. Diagnose these curves.** Four runs of the digits network with 32 hidden units and another seed.
# Read each with the words of `read_loss_curve`: `'blew up'`, `'rising'`, `'spiky'`, `'barely falling'`
# or `'falling'`.

# %%
exercise = lesson.exercise_runs()
fig, _ = lesson.exercise_figure(exercise)
plotting.show(fig)

# %%
answer = None   # a dict from curve letter to word: {"A": "...", "B": "...", "C": "...", "D": "..."}
lesson.check_diagnosis(answer, exercise)

# %% [markdown]
# **2. Diagnose and fix.** A colleague trains the gallery's network at its good lr, 1.0, after a change
# in their data pipeline, and sees this:

# %%
broken_loss, broken_grad, broken_model = lesson.run_with_fix(None)
fig, _ = lesson.broken_run_figure(broken_loss, broken_grad)
plotting.show(fig)
stuck = (broken_grad[100:].max() < 0.5) and (2.2 < broken_loss[100:].min()) and (broken_loss[100:].max() < 2.45)
print("first three gradient norms:", ", ".join(f"{g:.0f}" for g in broken_grad[:3]),
      "; first three losses:", ", ".join(f"{v:.3g}" for v in broken_loss[:3]))
print(f"from step 100 on, gradient norm below 0.5 and loss between 2.2 and 2.45 at every step: {stuck}")

# %% tags=["check"]
assert 50 < broken_grad[0] < 60 and stuck
assert lesson.dead_units(broken_model) == 64                 # every hidden ReLU is dead
assert not lesson.fix_works(broken_loss)

# %% [markdown]
# Which one change? Choose one of `"lower lr"` (a tenth of it), `"warm-up"` (ramp the lr
# up over the first 100 steps), `"clipping"` (clip the gradient to norm 1), `"re-initialisation"`
# (initial weights at half their scale) or `"normalising"` (standardize the pixels). The check runs
# your fix for 300 steps: the smoothed loss must end below 0.3. Hint: compare the first gradient norms
# and the first loss with the gallery's runs in section 2. Which change acts on the cause of such large
# first gradients, rather than on their effect?

# %%
answer = None   # one of the five fixes, as a string
lesson.check_fix(answer)

# %% [markdown]
# **Explain why.** After step 100 the broken run's gradient norm is tiny and its loss sits at
# $\ln 10 \approx 2.30$, whatever the batch. Why does the loss stop moving, and why exactly at that value?
#
# <details><summary>Model answer (open after you have written yours)</summary>
#
# The first steps, with inputs up to 16 and lr = 1, were enormous, and they pushed every hidden unit's
# weights to where its ReLU outputs 0 for every image (`lesson.dead_units(broken_model)` counts them:
# all 64). The cause was the data: raw grey levels 0 to 16 instead of standardized pixels.
# A dead ReLU passes no gradient back, so the hidden layer can never recover: only the output layer's
# bias still learns. With every hidden output at 0, the network gives the same prediction for every
# image, and the best single prediction for ten roughly equally frequent digits is "each with
# probability 1/10", whose cross-entropy is $\ln 10$.
#
# </details>
#
# **3. Tune by the ratio.** A wider network: 256 hidden units, trained on batches of 256
# (`lesson.WIDE`). Find a learning rate whose median update-to-weight ratio over the first 50 steps
# lies in section 4's green band, between $10^{-2}$ and $10^{-1}$, and whose loss curve over those steps
# still reads *falling* (a ratio in the band is no use at the edge). `lesson.early_ratio(lr, **lesson.WIDE)`
# measures the ratio in a second or two;
# `diagnostics.read_loss_curve(lesson.train_digits(lr, num_steps=50, **lesson.WIDE).loss)` reads the
# curve. Bracket the lr (one too low, one too high) and narrow the bracket.

# %%
answer = None   # a learning rate
lesson.check_update_ratio(answer)

# %% [markdown]
# **4. The edge.** You train the spirals network of section 5 with full-batch gradient descent at
# lr = 0.25. Around which value will its sharpness settle? (Look at where section 5's curves settle
# relative to their dashed lines.)

# %%
answer = None   # a number
lesson.check_edge(answer)
