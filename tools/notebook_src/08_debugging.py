# %% [markdown]
# # 08 · Debugging: what training tells you about the learning rate
#
# On a real network you never see the loss landscape. You see *traces*: the loss after each step, the
# size of the gradient, how much the weights move. This lesson is about reading those traces and
# telling, from them alone, whether the learning rate is the problem and in which direction.
#
# You will see:
#
# 1. a live explorer on a small regression where every regime appears, with the loss **and** the
#    gradient norm beside the path you normally cannot see;
# 2. a **gallery of real loss curves** (a small PyTorch network on handwritten digits) for an lr that
#    is too low, good, oscillating, too high, and one that ends in NaN, and the reading rules as code;
# 3. **gradient norms**, **histograms of the updates** and the **update-to-weight ratio**, the
#    instruments that say *how big* the steps are;
# 4. the **edge of stability**: under full-batch gradient descent a network's sharpness climbs until it
#    reaches $2/\text{lr}$ and then stays around it;
# 5. "diagnose this curve" exercises.
#
# **Predict first.** In the explorer below, the preset *oscillating* makes the path zig-zag across the
# valley, overshooting the minimum at every step. Will the **loss curve** zig-zag too (up, down, up...),
# or will it fall smoothly? Decide before you press the button.

# %%
import numpy as np

import lrlab
from lrlab import diagnostics, plotting, theory
from lrlab.pytorch import torch  # torch (lrlab[torch]); if missing, this line says what to install
from lrlab.lessons import debugging as lesson

torch.manual_seed(0)
torch.set_num_threads(1)

# %% [markdown]
# ## The explorer
#
# A linear model with two weights fitted by least squares to 200 points, with features of spread 1
# and 3 (so the loss is a quadratic bowl, stretched: its curvatures are $\mu$ and $L$). Panels, from
# the left: the path of gradient descent on the loss contours (the one thing you never get to see on
# a network); the loss minus its minimum (log scale; dashed: a millionth of the start); the **gradient
# norm** (log scale) together with its theoretical bound, dashed; and the loss after 40 steps for every
# lr at once, with $1/L$ and $2/L$ marked and your lr as the black dot.

# %% tags=["nbval-ignore-output"]
explorer = lesson.explorer()
explorer

# %% [markdown]
# The numbers behind the presets: the curvatures of the bowl, and the regime each preset produces
# (as named by `lrlab.diagnostics.classify`).

# %%
data_loss = lesson.regression()          # the least-squares loss on the 200 rows
loss = lesson.bowl()                     # the same function as a quadratic form (cheap to draw)
same = [lrlab.run(loss=f, x0=lesson.X0, lr=0.1, num_steps=lesson.NUM_STEPS) for f in (data_loss, loss)]
np.testing.assert_allclose(same[0].params, same[1].params, rtol=1e-10, atol=1e-12)
print(f"curvatures: mu = {loss.mu:.3f}, L = {loss.L:.3f};  1/L = {1 / loss.L:.4f},  2/L = {theory.critical_lr(loss):.4f}")
preset_lrs = np.array(list(lesson.PRESETS.values()))
presets_run = lrlab.run(loss=loss, x0=lesson.X0, lr=preset_lrs, num_steps=lesson.NUM_STEPS)
regimes = diagnostics.classify(presets_run)
for (name, lr), regime in zip(lesson.PRESETS.items(), regimes):
    print(f"{name:>12}: lr = {lr:<6g} lr·L = {lr * loss.L:5.3f}  ->  {regime}")
assert list(regimes) == ["slow", "converging", "oscillating", "diverging"]
assert lesson.PRESETS["oscillating"] < theory.critical_lr(loss) < lesson.PRESETS["diverging"]

# %% [markdown]
# **The answer to the prediction.** The loss falls in a straight line on the log scale, without a single
# bump, while the path jumps from one side of the valley to the other. On a quadratic the loss is a sum
# of squares, $f(w) - f^* = \frac12\sum_i \lambda_i e_i^2$, where $e_i$ is the error along the $i$-th
# direction of curvature. Each step multiplies $e_i$ by $1 - \text{lr}\,\lambda_i$. When that factor is
# negative the error changes sign, but its *square* shrinks all the same, so the loss cannot show the
# zig-zag. The oscillation is visible only in the weights (and in the sign of the gradient). Checked:

# %%
osc = presets_run[2]
steps_w2 = np.diff(osc.params[:, 1])
flips = int(np.sum(np.sign(steps_w2[1:]) != np.sign(steps_w2[:-1])))
assert np.all(np.diff(osc.loss) < 0)               # the loss never goes up
assert flips == lesson.NUM_STEPS - 1                   # ... while w2 reverses direction at every step
print(f"loss went up at {int(np.sum(np.diff(osc.loss) >= 0))} of {lesson.NUM_STEPS} steps; "
      f"w2 reversed direction {flips} times in {lesson.NUM_STEPS} steps")

# %% [markdown]
# So the first lesson of debugging: **a smooth loss curve does not prove the lr is comfortable.** On a
# network, where the loss is not a perfect quadratic and each step sees a different minibatch, the
# overshoot does leak into the loss as spikes, which is what the gallery below shows.
#
# The same four presets as a static figure (the path of each run, coloured by its regime):

# %%
fig, _ = plotting.small_multiples(presets_run, loss, titles=[f"{n}: lr = {lr:g}" for n, lr in lesson.PRESETS.items()])
plotting.show(fig)

# %% [markdown]
# ## 1. A gallery of loss curves from a real network
#
# Now a real training run: a network with one hidden layer of 64 ReLU units
# (`lrlab.pytorch.small_mlp`) classifying the 1797 handwritten digits shipped with scikit-learn (pixels
# standardized), trained with `torch.optim.SGD` on minibatches of 64 for 300 steps by
# `lrlab.pytorch.train`, at five learning rates. Each panel shows the raw minibatch loss (thin: it is
# noisy because every step sees different images) and its moving average (thick), on a log scale.

# %%
gallery = lesson.gallery_runs()
fig, _ = lesson.gallery_figure(gallery)
plotting.show(fig)

# %% [markdown]
# How to read them:
#
# - **too low** (0.001): the curve is a gentle slope. After 300 steps the loss has only come down from
#   2.8 to about 2.3, the loss of a network that spreads its bets evenly over the ten digits
#   ($\ln 10 \approx 2.3$). Nothing is broken; every step is just tiny, as the update sizes below confirm.
# - **good** (1.0): a fast drop, then a steady decline that flattens out, with minibatch noise but no
#   tenfold jumps. "Good" is measured, not picked by eye: of the sweep in section 4 (eleven lrs from
#   $10^{-4}$ to 3, half a decade apart) it is the lr whose run ends lowest among those that converge.
# - **oscillating** (2.0): from one step to the next the loss jumps by a factor of 10 or more (in the
#   second half, a fifth to a half of the steps do). On average it still goes down, but the weights are
#   being thrown back and forth across the valley, as in the explorer, and on a network, unlike on the
#   quadratic, that shows in the loss. This run is living at the edge: where you stop decides whether
#   you land on a good or a bad step, and a little more lr is fatal. Over five seeds its final loss
#   ranges from about the good run's to several times it: the good run gives the same result in every
#   seed, the oscillating one is a gamble.
# - **too high** (3.0): 50% more lr than the oscillating run, and the loss climbs by orders of magnitude
#   until it is $10^{10}$ times where it started. There `lrlab.pytorch.train` calls the run diverged and
#   stops it (the cross marks the step): a loss that large is not a result to report.
# - **NaN** (100): here we switched that check off (`divergence_threshold=math.inf`) to watch what
#   happens without it. Every step multiplies the loss by a large factor, until the numbers overflow
#   and the loss becomes NaN, where `train` stops in any case. These runs compute in float64, whose
#   largest number is about $10^{308}$. In float32, the usual precision for training, the ceiling is
#   $3.4\times10^{38}$ (dashed line), which this loss passes after about a dozen steps: a float32 run
#   would already be showing inf or NaN there.
#
# **A warning about the two runs at the edge.** The oscillating and too-high runs are *chaotic*: change
# the lr in its ninth digit, or run the same code on a CPU that rounds its last bit differently, and
# the curve after the first few dozen steps is a different one. Their exact numbers (the final loss,
# the step where the blow-up is caught) mean nothing; what they *do* reliably is what we claim below,
# and we check it with five different seeds (batch orders and initial weights), not one.
#
# The rules we just applied by eye can be written as code: `lesson.read_loss_curve` first looks for a NaN
# or a loss that ends above its start (*diverging*), then for steps in the second half that change the
# loss tenfold or more (*oscillating*), then asks whether the smoothed loss at least halved (*slow* if
# not), else *converging*. It reads every curve of the gallery as we did:

# %%
for name, rec in gallery.items():
    print(f"{name:>11} (lr = {lesson.GALLERY[name]:<5g}): read as {lesson.read_loss_curve(rec.loss)}")
    assert lesson.read_loss_curve(rec.loss) == lesson.GALLERY_REGIMES[name]

s_low, s_good = lesson.smooth(gallery["too low"].loss), lesson.smooth(gallery["good"].loss)
print(f"too low: smoothed loss {s_low[0]:.2g} -> {s_low[-1]:.2g};  good: {s_good[0]:.2g} -> {s_good[-1]:.2g}")
assert 2.7 < s_low[0] < 2.9 and 2.0 < s_low[-1] < 2.5     # too low: 2.8 -> about 2.3
assert s_good[-1] < 0.01 * s_good[0]                      # good: more than 99% of the loss gone
tenfold = lambda rec: lesson.jump_share(rec.loss)              # share of tenfold jumps, second half
assert tenfold(gallery["good"]) == 0                      # the good run never jumps tenfold

# the two chaotic runs, in five seeds: the claims hold in every one
edge = lesson.gallery_over_seeds(names=("good", "oscillating", "too high"))
n = len(lesson.GALLERY_SEEDS)
osc_ok = [lesson.read_loss_curve(r.loss) == "oscillating" and tenfold(r) > 0.15
          and lesson.smooth(r.loss)[-1] < 0.5 * lesson.smooth(r.loss)[0] for r in edge["oscillating"]]
high_ok = [lesson.read_loss_curve(r.loss) == "diverging" and r.diverged and r.diverged_at < 150 for r in edge["too high"]]
print(f"oscillating (lr = {lesson.GALLERY['oscillating']:g}): in {sum(osc_ok)} of {n} seeds more than 15% of the "
      f"second half's steps change the loss tenfold, and the smoothed loss still ends below half its start")
print(f"too high    (lr = {lesson.GALLERY['too high']:g}): in {sum(high_ok)} of {n} seeds the loss passes 1e10 x its "
      f"start within 150 steps, and the run is stopped as diverged")
assert all(osc_ok) and all(high_ok)
good_ends = np.array([lesson.smooth(r.loss)[-1] for r in edge["good"]])
osc_ends = np.array([lesson.smooth(r.loss)[-1] for r in edge["oscillating"]])
print(f"good        (lr = {lesson.GALLERY['good']:g}): read as converging in "
      f"{sum(lesson.read_loss_curve(r.loss) == 'converging' for r in edge['good'])} of {n} seeds; its final loss "
      f"varies {good_ends.max() / good_ends.min():.1f}x between seeds, the oscillating run's more than 3x")
assert all(lesson.read_loss_curve(r.loss) == "converging" for r in edge["good"])
assert good_ends.max() < 1.6 * good_ends.min() and osc_ends.max() > 3 * osc_ends.min()
assert osc_ends.max() > 2 * good_ends.max()       # in some seeds the gamble ends well above the good run
nan_run = gallery["NaN"]
past_float32 = int(np.argmax(nan_run.loss > lesson.FLOAT32_MAX))
print(f"NaN run: loss above float32's largest number from step {past_float32}, "
      f"NaN in float64 at step {nan_run.diverged_at}")
assert nan_run.diverged and np.isnan(nan_run.loss[nan_run.diverged_at])
assert 8 <= past_float32 <= 16 and nan_run.diverged_at > 4 * past_float32

# %% [markdown]
# ## 2. Gradient norms
#
# `lrlab.pytorch.train` also records the norm of the whole gradient (all weights together) at every
# step. It is the second thing to plot when a loss curve looks wrong:

# %%
fig, _ = lesson.grad_norm_figure(gallery)
plotting.show(fig)

# %% [markdown]
# - With the **too-low** lr the gradient norm stays where it started: the weights have not moved far
#   enough to change it. A large, flat gradient norm with a slowly falling loss says "take bigger steps".
# - With the **good** lr it falls as the network fits the data.
# - **Too high**: it climbs by more than an order of magnitude. The weights have been thrown far out,
#   where the loss is steep, and the steps (lr × gradient) grow with it.
# - **NaN**: it grows exponentially (a straight line on the log scale) together with the loss, until
#   it overflows. Since the step is lr × gradient, an exploding gradient norm *is* the blow-up; capping
#   it (gradient clipping) is the common safety net.

# %%
for name in ("too low", "good"):
    g0, g1, gmax = lesson.grad_norm_ends(gallery[name])
    print(f"{name:>11}: gradient norm (smoothed) {g0:.2f} at the start, {g1:.2g} at the end")
g0, g1, _ = lesson.grad_norm_ends(gallery["too low"])
assert 0.5 < g1 / g0 < 2
g0, g1, _ = lesson.grad_norm_ends(gallery["good"])
assert g1 < g0 / 4
grows = [lesson.grad_norm_ends(r)[1] > 10 * lesson.grad_norm_ends(r)[0] for r in edge["too high"]]
print(f"   too high: the smoothed gradient norm ends more than 10x above its start in {sum(grows)} of {n} seeds")
assert all(grows)
g0, _, gmax = lesson.grad_norm_ends(gallery["NaN"])
print(f"        NaN: it grows more than 1e12-fold before the overflow")
assert gmax > 1e12 * g0

# %% [markdown]
# On the explorer's quadratic the gradient norm is fully predictable. The gradient is $H(w - w^*)$, so
# its component along each direction of curvature is multiplied by $1 - \text{lr}\,\lambda_i$ per
# step. The norm can therefore never shrink more slowly than $\rho^t\lVert g_0\rVert$, with
# $\rho = \max_i|1-\text{lr}\,\lambda_i|$ (`lrlab.theory.convergence_rate`), the dashed line in the
# explorer's third panel, and once the worst direction dominates it follows that line. Checked on the
# four presets, and for the diverging one the growth factor itself:

# %%
t = np.arange(lesson.NUM_STEPS + 1)[:, None]
rho = theory.convergence_rate(loss, preset_lrs)
bound = presets_run.grad_norm[0] * rho ** t
assert np.all(presets_run.grad_norm <= bound * (1 + 1e-9))
for lr, r in zip(preset_lrs, rho):
    print(f"lr = {lr:<6g} rho = max|1 - lr*lambda| = {r:.4f}")
g = presets_run.grad_norm[:, 3]
print(f"diverging preset: the gradient norm grows by {g[-1] / g[-2]:.4f} per step; "
      f"|1 - lr*L| = {abs(1 - preset_lrs[3] * loss.L):.4f}")
assert abs(g[-1] / g[-2] - rho[3]) < 1e-6 and round(rho[3], 2) == 1.10 and round(loss.L, 2) == 8.41

# %% [markdown]
# A factor above 1 is divergence: with lr = 0.25 the gradient grows by 10% per step, exactly what
# $|1 - 0.25 \times 8.41| = 1.10$ says.
#
# ## 3. Histograms of the updates
#
# A norm is one number for the whole network. A histogram shows every weight: below, for the first
# layer (64 × 64 weights) of the digits network, the size of each weight's update at each of the first
# 20 steps, divided by the typical size (root mean square) of the layer's weights. A value of $10^{-3}$
# means the step changed that weight by a thousandth of the layer's scale.

# %%
names = ("too low", "good", "too high")
samples, zero_fraction = {}, {}
for name in names:
    samples[name], zero_fraction[name] = lesson.update_sizes(lesson.GALLERY[name])
fig, _ = lesson.update_histogram_figure(samples, lesson.GALLERY)
plotting.show(fig)

# %% [markdown]
# The three histograms have nearly the same shape, shifted: in plain SGD the update is
# $\text{lr} \times \text{gradient}$. At the first step the three runs see the same weights and the same
# batch, so their updates differ by exactly the ratio of their lrs (1000 and 3); after that the
# gradients start to differ, and the medians end up a few hundred and about ten times apart. The
# too-low run changes a typical weight by a few hundred-thousandths of its scale per step (it would need
# tens of thousands of steps to change it by its own size); the too-high run moves weights by tens of
# percent per step, which wipes out what the previous steps learned. The good lr sits in between, at
# one to a few percent per step in these first steps. Note what the histogram cannot tell you: the
# too-high lr is only three times the good one, and nothing in the good run's histogram says "the
# edge is close". Where stability ends, the loss curve tells.
#
# Not drawn: the weights whose update is exactly zero, 3 in 64 of the first layer's weights (4.7%), at
# every lr. Three pixels are blank in every image, so their input is always 0 and so is the gradient of
# every weight they feed. A histogram is how you find such weights; in a deeper network, hidden units
# whose ReLU never fires ("dead" units) show up the same way, as a spike of exact zeros.

# %%
medians = {name: np.median(samples[name]) for name in names}
for name in names:
    print(f"{name:>8} (lr = {lesson.GALLERY[name]:<5g}): median relative update {medians[name]:.1e}, "
          f"exactly zero: {zero_fraction[name]:.2%}")
assert 1e-2 < medians["good"] < 5e-2
assert medians["too low"] < medians["good"] / 100 and medians["too high"] > 5 * medians["good"]
assert medians["too low"] < 1e-4 and medians["too high"] > 0.1
assert all(zero_fraction[name] == 3 / 64 for name in names)       # the 3 blank pixels' weights
print(f"medians: good / too low = {medians['good'] / medians['too low']:.0f}, "
      f"too high / good = {medians['too high'] / medians['good']:.0f}")
assert 100 < medians["good"] / medians["too low"] < 1000 and 5 < medians["too high"] / medians["good"] < 30

# %% [markdown]
# ## 4. The update-to-weight ratio
#
# The histogram condensed to one number per step: $\lVert \Delta w\rVert / \lVert w\rVert$, how much
# the step changed the weights relative to their size (`TrainingRecord.update_ratio`). A widely quoted
# rule of thumb says that a healthy value is around $10^{-3}$: at that pace the weights change by their
# own size over about a thousand steps. Far below, training crawls; near 1, every step overwrites the
# network. Rather than take the rule on trust, we test it against what it is meant to predict: which lr
# trains best.
#
# The sweep: the digits network for 300 steps at eleven lrs, half a decade apart from $10^{-4}$ to 3
# (`lesson.lr_sweep`). For each run we keep its final (smoothed) loss, how `read_loss_curve` reads it,
# and its median ratio over the **first 50 steps**, the phase where the ratio follows the lr (later it
# falls as the gradient shrinks). Left: the ratio during three of the gallery's runs. Right: the
# sweep's early ratio against lr, with its best run starred and, in green, the band of ratios of the
# converging runs that end within a factor 10 of the best.

# %%
sweep = lesson.lr_sweep()
for lr, final, r, regime in zip(sweep.lrs, sweep.final, sweep.ratio, sweep.regime):
    if lr >= 1e-2:     # past the edge a run's numbers are chaotic (they differ between CPUs): not printed
        ok = regime == "converging"
        print(f"lr = {lr:<6g} final loss {f'{final:.3g}' if ok else '(chaotic)':>9}  "
              f"ratio (first 50 steps) {f'{r:.1e}' if ok else '> 0.1':>7}  read as {regime}")
        assert ok or r > lesson.RATIO_BAND[1]
assert sweep.best == lesson.GALLERY["good"]                  # "good" is the sweep's best converging run
assert dict(zip(sweep.lrs, sweep.regime))[lesson.GALLERY["oscillating"]] == "oscillating"
assert np.isinf(sweep.final[-1])                             # lr 3 is stopped as diverged
converging = np.array([r == "converging" for r in sweep.regime])
near_best = converging & (sweep.final < 10 * sweep.final[sweep.lrs == sweep.best])
in_band = (sweep.ratio >= lesson.RATIO_BAND[0]) & (sweep.ratio <= lesson.RATIO_BAND[1])
print(f"converging lrs ending within 10x of the best: {sweep.lrs[near_best]}; lrs whose ratio lies in the green band "
      f"[{lesson.RATIO_BAND[0]:g}, {lesson.RATIO_BAND[1]:g}]: {sweep.lrs[in_band]}")
assert np.array_equal(near_best, in_band)
fig, _ = lesson.update_ratio_figure(gallery, sweep.lrs, sweep.ratio, best=sweep.best)
plotting.show(fig)

# %%
ratio = {name: np.nanmedian(gallery[name].update_ratio) for name in names}
early = {name: np.nanmedian(gallery[name].update_ratio[:lesson.RATIO_STEPS]) for name in names}
for name in ("too low", "good"):
    print(f"{name:>8} (lr = {lesson.GALLERY[name]:<5g}): median update-to-weight ratio {early[name]:.1e} over the "
          f"first 50 steps, {ratio[name]:.1e} over all 300")
high = [np.nanmedian(r.update_ratio) > 10 * ratio["good"] for r in edge["too high"]]
print(f"too high (lr = {lesson.GALLERY['too high']:<5g}): median ratio more than 10x the good run's in {sum(high)} of {n} seeds")
assert 2e-2 < early["good"] < 8e-2                         # the best lr: 20 to 80 times the rule's 1e-3
assert 1e-3 < ratio["good"] < 1e-2                         # over the whole run, a few 1e-3
assert ratio["too low"] < ratio["good"] / 10 and all(high)
small = sweep.lrs <= 0.01
slope = np.polyfit(np.log(sweep.lrs[small]), np.log(sweep.ratio[small]), 1)[0]
print(f"slope of log(ratio) against log(lr) for lr <= 0.01: {slope:.3f}")
assert abs(slope - 1) < 0.05
at = dict(zip(sweep.lrs, zip(sweep.final, sweep.ratio)))
best_final, best_ratio = at[sweep.best]
print(f"lr 0.01 (early ratio {at[0.01][1]:.1e}, near the rule's 1e-3) ends {at[0.01][0] / best_final:.0f}x above the best run; "
      f"early ratios: too low {best_ratio / at[1e-3][1]:.0f}x below the best's, oscillating 2 to 8x above")
assert 1e-3 < at[0.01][1] < 3e-3 and at[0.01][0] > 100 * best_final
assert at[1e-3][1] < lesson.RATIO_BAND[0] / 20 and at[3.0][1] > 3 * lesson.RATIO_BAND[1]
assert 2 < at[2.0][1] / best_ratio < 8

# %% [markdown]
# What this says:
#
# - **The rule of thumb is off here.** The best lr of the sweep has an early ratio of about
#   $4\times10^{-2}$, forty times the rule's $10^{-3}$; an lr chosen to hit $10^{-3}$ (about 0.01) ends
#   more than a hundred times higher in loss after 300 steps. Averaged over the whole run, the good
#   run's ratio is a few $10^{-3}$, because it falls as the network fits; that is the number the rule
#   resembles, but it is not one you can measure before training. The rule comes from larger networks
#   trained for much longer, often with other optimizers; on a small network and a short budget the
#   healthy ratio is larger. What carries over is the size of the mistake it catches: the too-low run's
#   early ratio is more than twenty times below the green band, the too-high one's more than three
#   times above it.
# - **The band is measured, not quoted.** The lrs whose early ratio lies in the band ($10^{-2}$ to
#   $10^{-1}$) are exactly the sweep's lrs whose runs converge and end within a factor 10 of the best
#   one (the oscillating run at 2 can end as low, but only as a gamble, and its ratio is above the band). For another
#   network you would rebuild the band from its own short sweep.
# - **The ratio follows the lr.** For small lrs it is nearly proportional to it (a slope close to 1 on
#   the log-log plot): in SGD the step is lr × gradient, and at small lrs the gradients of the first 50
#   steps barely depend on the lr, so doubling the lr doubles the step. That gives a quick recipe: measure
#   the ratio at any lr, then multiply the lr by the target ratio divided by the measured one
#   (exercise 2). At large lrs the curve bends below the proportional line (training has already begun
#   to shrink the gradient), so one correction may fall short and a second measurement finishes the job;
#   past about 1 the run nears the edge of stability and the ratio climbs steeply.
# - **It does not locate the edge.** The oscillating lr, 2, is only twice the best and its early ratio
#   about four times larger; whether an lr is past the edge is read from the loss curve, not from the ratio.
#
# ## 5. Sharpness and the edge of stability
#
# Lessons 02 and 03 showed that on a quadratic, gradient descent is stable only if $\text{lr} < 2/L$,
# where $L$, the largest curvature (top eigenvalue of the Hessian), is called the **sharpness**. On a
# network the sharpness is not fixed: it changes as the weights move. So what happens when the lr is
# fixed and the sharpness changes?
#
# The experiment: a small tanh network (2 inputs, 32 hidden units, 2 outputs, in float64) fitted with
# half the squared error to two interleaved spirals, with plain **full-batch** gradient descent (no
# minibatch noise) at three lrs, for 1000 steps. Every 20 steps we measure the sharpness by **power
# iteration**: start from a random direction $v$, replace it by $Hv/\lVert Hv\rVert$ a few times, and
# read $\lambda = v^\top H v$. The product $Hv$ comes from differentiating $g(w)^\top v$ once more with
# `torch.autograd`, so the Hessian itself is never built (`lesson.top_eigenvalue`).

# %%
eos = [lesson.edge_of_stability(lr) for lr in lesson.EOS_LRS]
fig, _ = lesson.eos_figure(eos)
plotting.show(fig)

# %% [markdown]
# What happens, for each lr:
#
# 1. **Progressive sharpening.** At the start the sharpness is well below $2/\text{lr}$ and it climbs
#    as the network learns: training itself makes the loss surface steeper.
# 2. **It reaches $2/\text{lr}$.** On a quadratic this would be the end: past $2/L$ the error along the
#    top direction is multiplied by $1 - \text{lr}\,\lambda < -1$ per step and grows. Here it does grow,
#    and it shows as a **spike in the loss**. But the spike throws the weights to a flatter region:
#    the sharpness drops at once.
# 3. **Cycling.** The climb starts again, and each overshoot is smaller than the one before; by the end
#    of the run the sharpness sits close to $2/\text{lr}$ (for the smallest lr it is just arriving).
#    Cohen et al. (2021), who named this regime the **edge of stability**, found that in larger networks
#    the sharpness typically hovers just above $2/\text{lr}$, with much smaller swings than in this
#    tiny one.
#
# The lr therefore caps the sharpness of the places gradient descent can stay in: a larger lr settles
# in a flatter region. For debugging: **occasional spikes in a full-batch loss curve that recover on
# their own are not necessarily a bug**. They are this mechanism. The claims, checked:

# %%
# (the spikes make these runs chaotic in their details: the exact heights and counts differ between
# CPUs, so we print what every CPU agrees on, and the figure above shows the numbers)
for run in eos:
    tail = run.sharpness[-len(run.sharpness) // 5:]                   # last 20% of the run
    peaks = lesson.overshoots(run)
    spikes = int(np.sum(np.diff(run.loss) > 0.05 * run.loss[:-1]))
    print(f"lr = {run.lr:g}: 2/lr = {run.limit:5.2f}; the sharpness starts at {run.sharpness[0]:.2f}, below half of it, "
          f"and over the last 200 steps averages within 10% of it; "
          + (f"it overshoots {len(peaks)} times, each time less, the loss spiking (rising by more than 5%) at some steps"
             if spikes else "it never overshoots and the loss never spikes")
          + "; the loss falls more than fivefold")
    assert run.sharpness[0] < 0.5 * run.limit                          # starts well below the limit
    assert abs(tail.mean() / run.limit - 1) < 0.1                      # ends within 10% of 2/lr
    assert run.sharpness.max() < 1.6 * run.limit                       # at most 60% above it
    assert run.loss[-1] < run.loss[0] / 5                              # and the network still learns
    assert np.all(np.diff(peaks) < 0)                                  # each overshoot smaller than the last
    assert (spikes > 0) == (peaks.size > 0) == (run.lr > min(lesson.EOS_LRS))

# %% [markdown]
# Is the power iteration right? A cross-check with an independent method: `lrlab.diagnostics.sharpness`
# on the same network seen as a function of its flattened weights, which runs its own power iteration
# with finite-difference Hessian-vector products (two gradients at $w \pm \epsilon v$) for 100 rounds.

# %%
X_sp, Y_sp = lesson.spirals_data()
flat = lesson.FlatParamsLoss(eos[0].model, lesson.half_mse, X_sp, Y_sp)
independent = diagnostics.sharpness(flat, flat.point(), iters=100)
print(f"power iteration with autograd: {eos[0].sharpness[-1]:.3g}; lrlab.diagnostics.sharpness: {independent:.3g} "
      f"(they agree to better than 1e-4, relative)")
assert abs(independent - eos[0].sharpness[-1]) < 1e-4 * independent

# %% [markdown]
# ## Summary
#
# - The **loss curve** is the first thing to read. A gentle slope that hardly drops: lr too low. A
#   steady drop that levels off: fine. Tenfold jumps from step to step: oscillating, at the limit.
#   Climbing above the start, or NaN: too high. Smooth the curve before judging it, and remember that
#   a smooth curve does not rule out an oscillation in the weights.
# - The **gradient norm** explodes with a blow-up (it is what gradient clipping caps); a flat, large
#   gradient norm with a crawling loss means the steps are too small.
# - **Update histograms** and the **update-to-weight ratio** measure the step size directly. Measure
#   the healthy band on your own network with a short sweep rather than quoting $10^{-3}$: here the best
#   lr's early ratio is about $4\times10^{-2}$, and "too low" sits orders of magnitude below it. In SGD
#   the ratio is nearly proportional to the lr, which turns one measurement into a correction; the edge
#   of stability, though, shows in the loss curve, not in the ratio.
# - Under full-batch gradient descent, the **sharpness rises until it reaches $2/\text{lr}$** and then
#   stays around it, with loss spikes that recover: the learning rate decides how sharp the region where
#   training ends up can be.
#
# ## Exercises
#
# **1. Diagnose these curves.** Four more runs of the digits network, this time with 32 hidden units and
# another seed. For each curve, name the regime: `'slow'` (lr too low), `'converging'` (good),
# `'oscillating'` or `'diverging'` (too high, or NaN).

# %%
exercise = lesson.exercise_runs()
fig, _ = lesson.exercise_figure(exercise)
plotting.show(fig)

# %%
answer = None   # e.g. {"A": "slow", "B": "converging", "C": "oscillating", "D": "diverging"}
lesson.check_diagnosis(answer, exercise)

# %% [markdown]
# **2. Tune by the ratio.** Find a learning rate for the digits network (64 hidden units) whose median
# update-to-weight ratio over its first 50 steps lies in section 4's green band, between $10^{-2}$ and
# $10^{-1}$. The check trains the network at your lr and measures it. Use section 4: one measurement at
# an lr of your choice and the proportionality get you there (aim for the middle of the band, on a log
# scale).

# %%
answer = None   # a learning rate
lesson.check_update_ratio(answer)

# %% [markdown]
# **3. The edge.** You train the spirals network of section 5 with full-batch gradient descent at
# lr = 0.25. Around which value will its sharpness settle?

# %%
answer = None   # a number
lesson.check_edge(answer)
