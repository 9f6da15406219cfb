# %% [markdown]
# # 07 · Batch size and learning rate
#
# Real training never sees the true gradient. Each step uses a **minibatch** of $B$ examples, and the
# minibatch gradient is the true gradient plus noise. This lesson measures what that noise does to the
# learning rate, on a problem small enough that every claim can be checked against exact theory:
# least squares on 512 examples with two weights.
#
# Topics: the **noise floor**, the stability limit, the **linear scaling rule**, **warmup**, **momentum**
# and **Adam** under noise.
#
# > **Predict first.** You train with batch 32 and lr 0.1; the loss stops improving and jitters at a
# > plateau. Which of these halves the plateau: (a) halving the lr, (b) doubling the batch size, (c) either one alone?
# > Decide, then test it with the two sliders below.
#
# The loss is a bowl in two weights. Its Hessian (the matrix of second derivatives) has two eigenvalues: the
# curvatures along the bowl's axes, the largest being $L$ (see lesson 02, *Curvature in several dimensions*).

# %%
import numpy as np

import lrlab
from lrlab import diagnostics, plotting, schedules, steppers, theory
from lrlab.lessons import batch_size as lesson

full = lesson.FULL                  # f(w) = (1/2n)‖Xw − y‖², n = 512, two weights, the full-batch loss
L = theory.eigenvalues(full)[-1]
print(f"n = {full.n} examples, d = {full.dim}; Hessian eigenvalues {np.round(full.eigenvalues, 3).tolist()}; "
      f"L = {L:.3f}, 2/L = {2 / L:.3f}; minimum loss {full.min_value:.4f}")

# %% tags=["check"]
assert np.isclose(2 / L, 2.055, atol=5e-4)

# %% [markdown]
# ## The batch-size explorer
#
# The first slider is the learning rate (log scale), the second the batch size $B$, from 1 to 512 (the whole
# data set: plain gradient descent). Every run starts at the same point, 400 steps, with fixed minibatches.
#
# Left: the minibatch path on the contours, over the full-batch path with the same lr (grey). Middle: the
# loss minus its minimum, with the predicted noise floor dashed. Right: the predicted floor against lr for
# every $B$ (yours in blue), with $2/L$ and SGD's own stability limit for your $B$. The label describes the
# grey full-batch path; it says *blows up* if the minibatch run does. Here and below, a minibatch run
# **blows up** when it overflows or when its loss over the last quarter of the run is on average above where
# it started.

# %% tags=["nbval-ignore-output"]
explorer = lesson.batch_size_explorer(lr=0.1, batch_size=16)
explorer

# %% [markdown]
# Try: at lr 0.3 move $B$ from 1 to 512 and watch the jitter shrink; at $B = 1$ push the lr towards 1.5.
#
# Without widgets: top row $B = 1$, bottom row $B = 64$, the same four lrs and the same average path (grey);
# the batch size decides how far the noise throws the iterate off it. Each title gives the share of the loss
# gap the run closed, averaged over its last quarter.

# %%
lrs = [0.003, 0.05, 0.3, 1.5]
fig, _, regimes = lesson.batch_small_multiples(lrs, batch_sizes=(1, 64), num_steps=300)
fig.suptitle("minibatch SGD, 300 steps (grey: the full-batch path with the same lr)", fontweight="bold")
plotting.show(fig)
print(f"lr 1.5 is below 2/L = {2 / L:.2f}; the run with B = 64 stays bounded: {regimes[1, 3] != 'diverging'}; "
      f"the run with B = 1 blows up (ends above its start): {regimes[0, 3] == 'diverging'}")

# %% tags=["check"]
assert regimes[0, 3] == "diverging" and regimes[1, 3] == "oscillating"
assert list(regimes[:, 0]) == ["monotone", "monotone"]

# %% [markdown]
# ## 1 · The noise floor grows like lr / B
#
# Why is there a floor at all? Near the minimum the true gradient is small, but the minibatch gradient is
# not: each example pulls the weights its own way. Every step adds a random kick of size about
# $\text{lr} \times (\text{gradient noise})$, and the noise of an average of $B$ examples has variance
# proportional to $1/B$. The pull back towards the minimum is proportional to lr. Kicks with variance
# $\propto \text{lr}^2/B$ against a pull $\propto \text{lr}$ balance at a mean excess loss proportional to
# $\text{lr}/B$. For small lrs, the exact balance (written out in `lrlab.theory.MinibatchSGD`) is
#
# $$E[f - f^*] \approx \frac{\text{lr}}{B}\cdot\frac{n-B}{n-1}\cdot\frac{\operatorname{tr}\Sigma}{4},$$
#
# with $\operatorname{tr}\Sigma = E\,\lVert\nabla f_i(w^*) - \nabla f(w^*)\rVert^2$ the total variance of one
# example's gradient at the minimum (the average over the examples $i$); the factor $(n-B)/(n-1)$ is there
# because batches are drawn without replacement (at $B = n$ the noise is gone).
#
# First by hand: SGD with batches of 4 at lr 0.1, started **at the minimum**, so that anything it does is
# the noise's doing. `minibatch_loss(4).sample_grad(w, t)` is the gradient on minibatch $t$.

# %%
batch4 = lesson.minibatch_loss(4)
w = np.array(full.minimizer, dtype=float)
gaps = []
for t in range(3000):
    w = w - 0.1 * batch4.sample_grad(w, t)
    gaps.append(full.value(w) - full.min_value)
print(f"mean loss gap over steps 500-3000: {np.mean(gaps[500:]):.2g};  exact theory: {lesson.THEORY.floor(0.1, 4):.2g}")

# %% tags=["check"]
by_run = lrlab.run(loss=batch4, x0=full.minimizer, lr=0.1, num_steps=3000)
np.testing.assert_allclose(by_run.loss[1:] - full.min_value, gaps, rtol=1e-9, atol=1e-15)
assert abs(np.mean(gaps[500:]) / lesson.THEORY.floor(0.1, 4) - 1) < 0.2

# %% [markdown]
# Now systematically: 4 batch sizes × 4 lrs, each run started at the minimum, 500 steps to settle, then the
# loss averaged over 3000 more.

# %%
floors = lesson.measure_floors(batch_sizes=(1, 4, 16, 64), lrs=(0.025, 0.05, 0.1, 0.2))
x = floors.lrs[None, :] / np.array(floors.batch_sizes)[:, None]       # lr / B
slope, _ = np.polyfit(np.log(x.ravel()), np.log(floors.measured.ravel()), 1)
ratio = floors.measured / floors.predicted
print(f"floor ∝ (lr/B)^{slope:.2f} over {x.min():.2g} ≤ lr/B ≤ {x.max():.2g}; "
      f"measured / exact theory between {ratio.min():.2f} and {ratio.max():.2f}")
print(f"small-lr constant tr(Σ)/4 = {lesson.THEORY.noise_constant:.4f}")
for B, row in zip(floors.batch_sizes, floors.measured):
    print(f"  B = {B:>2}: " + "  ".join(f"lr {lr:<5g} → {f:.2e}" for lr, f in zip(floors.lrs, row)))
fig, _ = lesson.plot_noise_floor(floors)
plotting.show(fig)

# %% tags=["check"]
assert 0.95 < slope < 1.15
assert np.all(np.abs(ratio - 1) < 0.2)

# %% [markdown]
# The sixteen points fall close to one line when plotted against lr/B: for small lrs the floor depends on the
# two knobs only through their ratio. Only approximately: at larger lrs the exact floor grows faster than
# the lr, which is why the fitted slope is a little above 1 (see the next cell). The measured averages agree
# with the exact theory within 20%: a time average of one run scatters.
#
# %%
T_ = lesson.THEORY
law = lambda lr, B: T_.noise_constant * lr / B * (full.n - B) / (full.n - 1)      # the small-lr formula above
print(f"same lr/B = 0.025: exact floor {T_.floor(0.025, 1):.3g} (B = 1), {T_.floor(0.1, 4):.3g} (B = 4), "
      f"{T_.floor(0.4, 16):.3g} (B = 16)")
print(f"B = 1, lr 0.2: exact floor / small-lr formula = {T_.floor(0.2, 1) / law(0.2, 1):.2f}")

# %% tags=["check"]
assert 1.4 < T_.floor(0.2, 1) / law(0.2, 1) < 1.5 and T_.floor(0.4, 16) > 1.1 * T_.floor(0.025, 1)

# %% [markdown]
# So the answer to the opening question is **(c)**: halving the lr, or doubling the batch, each halves the
# plateau (for small lrs). But halving the lr also slows the descent, while doubling the batch doubles the
# computation per step.
#
# ## 2 · Small batches also lower the stability limit
#
# Full-batch gradient descent is stable for $\text{lr} < 2/L$. Minibatch SGD has a lower **mean-square** limit
# (the lr beyond which the *average* squared error grows without bound), and it depends
# on $B$: each minibatch has its own curvature $H_B$, and for small $B$ some batches are much steeper than the
# average. In one dimension the condition is easy to state: the mean square of the error grows once the
# average of $(1-\text{lr}\,h_B)^2$ over the batches passes 1, and a few steep batches are enough for that.
# `THEORY.critical_lr(B)` computes the limit exactly. This is the quantitative version of "larger batches
# allow larger learning rates".
#
# <details><summary>Optional: the exact condition in several dimensions</summary>
#
# What must stay bounded is the error's second moment $P_t = E[e_t e_t^\top]$, a matrix. One step maps it
# to $P_{t+1} = E_B[(I-\text{lr}\,H_B)\,P_t\,(I-\text{lr}\,H_B)]$ plus the noise. That map is linear in
# $P_t$, and the mean squared error grows once its largest eigenvalue (in absolute value) passes 1: this is
# what `THEORY.critical_lr` computes. For $d > 1$ it is not the same as asking whether the matrix
# $E_B[(I-\text{lr}\,H_B)^2]$ has an eigenvalue above 1, because the batch Hessians do not share
# eigenvectors and the map mixes the directions: for $B = 1$ the two differ by a few percent (the next
# cell prints both; `lesson.shortcut_limit_b1()` computes the shortcut).
#
# </details>

# %%
limits = {B: lesson.THEORY.critical_lr(B) for B in lesson.BATCH_SIZES}
for B, lim in limits.items():
    print(f"B = {B:>3}: SGD is stable (in mean square) for lr < {lim:.3f} = {lim * L / 2:.2f} × 2/L")
print(f"B = 1, the shortcut through E[(I − lr H_B)²]: {lesson.shortcut_limit_b1():.3f}")

# %% tags=["check"]
values = list(limits.values())
assert all(a < b for a, b in zip(values, values[1:]))              # the limit grows with B ...
assert limits[1] < (2 / L) / 3 and np.isclose(limits[512], 2 / L)    # ... from under a third of 2/L to 2/L
assert round(limits[1], 2) == 0.61

# the tempting shortcut, "the matrix E_B[(I - lr H_B)^2] has an eigenvalue above 1", gives another number
# for B = 1 (the batch Hessians x x^T do not commute)
lo_ = lesson.shortcut_limit_b1()
assert 0.02 < abs(lo_ / limits[1] - 1) < 0.08                     # "a few percent" (4%)

# %% [markdown]
# Near this limit the floor explodes (the explorer's right panel). Beyond it the *mean* squared error grows
# without bound, but single runs need not overflow at once: rare steep batches throw a run far out, and it
# comes back. Four runs with $B = 1$ (their own minibatches), 2000 steps each:

# %%
survey = {lr: [lrlab.run(loss=lesson.minibatch_loss(1, seed=s), x0=lesson.X0, lr=lr, num_steps=2000)
              for s in range(4)] for lr in (1.0, 1.5)}
start = survey[1.0][0].loss[0]
for lr, rs in survey.items():
    print(f"B = 1, lr {lr}: {sum(bool(r.diverged) for r in rs)} of 4 runs overflow")
mildest = min(np.max(r.loss) for r in survey[1.0])
print(f"lr 1.0: loss at the start {start:.2f}; the largest loss of the calmest of the four runs {mildest:.0e}")

# %% tags=["check"]
assert not any(r.diverged for r in survey[1.0]) and all(r.diverged for r in survey[1.5])
assert 1e3 < mildest < 1.4e3 and 0.5 < start < 2

# %% [markdown]
# At lr 1.0, well past the mean-square limit 0.61, no run overflows in 2000 steps, yet each makes
# excursions more than a thousand times above its start; at lr 1.5 every run overflows. Press **B = 1 blows up below
# 2/L** in the explorer.
#
# ## 3 · The linear scaling rule
#
# The rule of thumb for large batches (Goyal et al., 2017): **when you multiply the batch size by $k$,
# multiply the learning rate by $k$.** The ratio lr/B, and so the noise floor, stays the same; and while
# $k \cdot \text{lr}$ is small compared with $1/L$, one step with $k\cdot\text{lr}$ on a batch of $kB$ moves
# the weights about as far as $k$ steps with lr on batches of $B$: the loss per **epoch** (pass over the
# data) is unchanged, with $k$ times fewer steps. But $k \cdot \text{lr}$ must still stay below the
# stability limit, $2/L$ for large batches.
#
# From $B_0 = 4$, $\text{lr}_0 = 0.05$ we scale by $k = 1, 4, 16, 32, 48$. Besides one run each,
# `THEORY.expected_gap` gives the exact *expected* loss at every step (the average over all minibatch
# draws), drawn bold.

# %%
runs = lesson.linear_scaling_runs(ks=(1, 4, 16, 32, 48), lr0=0.05, B0=4, epochs=6)
sweep = lesson.scaling_sweep(lr0=0.05, B0=4, epochs=6)
fig, _ = lesson.plot_linear_scaling(runs, sweep, lr0=0.05, B0=4)
plotting.show(fig)
base = runs[0]
for r in runs:
    steps = r.epochs.size - 1
    at = np.interp([1, 2, 6], r.epochs, r.expected)
    print(f"k = {r.k:>2}: B = {r.batch_size:>3}, lr = {r.lr:.2f} ({steps:>3} steps for 6 epochs), "
          f"expected loss − min at epochs 1, 2, 6: {at[0]:.2e} {at[1]:.2e} {at[2]:.2e}"
          + ("; one run: blows up" if r.regime == "diverging" else ""))

# %% tags=["check"]
epochs_grid = np.linspace(0.5, 6, 12)
curve = lambda r: np.interp(epochs_grid, r.epochs, r.expected)
for r in runs[1:3]:                                                  # k = 4 and 16: the same curve (within 35%)
    assert np.all(np.abs(np.log(curve(r) / curve(base))) < np.log(1.35))
assert runs[3].lr < 2 / L and np.all(curve(runs[3]) < 4 * curve(base))   # k = 32: stable, but the floor rises
assert runs[3].expected[-1] > 1.5 * base.expected[-1]
assert runs[4].lr > 2 / L and runs[4].regime == "diverging" and runs[4].expected[-1] > runs[4].expected[0]
ks, final_gap = sweep
assert np.all(final_gap[ks * 0.05 > 2 / L] > 1.0)                    # every scaled lr beyond 2/L ends above the start
assert np.all(final_gap[ks * 0.05 <= 0.8] < 1.5 * final_gap[0])      # flat up to k = 16

# %% [markdown]
# Up to $k = 16$ (lr 0.8, batch 64) the curves per epoch agree within about a third: the rule works, and the
# big-batch run needs 16 times fewer steps. At $k = 32$ (lr 1.6, close to $2/L \approx 2.06$) it still
# converges, but one big step no longer imitates many small ones and the floor comes out higher. At $k = 48$
# the scaled lr 2.4 is past $2/L$ and the run diverges, however large the batch. (For a finite batch the wall
# stands a little lower, at SGD's own limit of section 2.) The lower panel shows the whole
# sweep, $k = 1 \dots 128$: flat, then a wall at $2/L$.
#
# ## 4 · Warmup: when it helps and when it cannot
#
# The standard fix when the scaled lr is too large for the first steps is **warmup**: start small and raise
# the lr linearly to the target (`torch.optim.lr_scheduler.LinearLR`, here `lrlab.schedules.linear_lr`).
# On least squares the curvature is the same everywhere, so warmup cannot move the limit:

# %%
pairs = {}
for factor in (0.9, 1.1):
    target = factor * 2 / L
    ramp = schedules.linear_lr(target, start_factor=0.01, total_iters=100)
    pairs[factor] = lrlab.run(loss=full, x0=lesson.X0, num_steps=400,
                              lr=lambda t: np.stack([np.full(np.shape(t), target), ramp(t)], -1))
    no_warm, warm = ("blows up" if d else "converges" for d in pairs[factor].diverged)
    print(f"target lr = {factor:.1f} × 2/L: without warmup it {no_warm}, with 100 warmup steps it {warm}")

# %% tags=["check"]
for factor, pair in pairs.items():
    assert list(pair.diverged) == [factor > 1] * 2
    assert factor > 1 or np.all(pair.loss[-1] - full.min_value < 1e-6 * (pair.loss[0] - full.min_value))

# %% [markdown]
# Warmup helps when **the start is sharper than where training ends up** (whether a real network starts
# sharp is measured in lesson 08, *Warm-up on a real network*). The smallest toy with that property is
# $f(w) = \tfrac12 w^2 + \tfrac14 w^4$ started at $w_0 = 3$: its curvature $1 + 3w^2$ is 28 at the start and 1
# at the minimum. So the start tolerates only lr < 2/28 ≈ 0.071, while near the minimum lr = 0.9 is fast and
# safe. Three runs, in one vectorized call:

# %%
traj, labels, warm = lesson.warmup_runs(target_lr=0.9, warmup_steps=20, start_factor=0.01, num_steps=200)
reach = [np.nonzero(traj.loss[:, i] <= 1e-12)[0] for i in range(3)]
for label, blew_up, hit in zip(labels, traj.diverged, reach):
    print(f"{label:<45} " + ("blows up" if blew_up else f"loss below 1e-12 at step {int(hit[0])}"))

# %% tags=["check"]
regimes = diagnostics.path_shape(traj)
assert np.isclose(lesson.QUARTIC.curvature(lesson.QUARTIC_X0), 28.0) and 0.07 < 2 / 28
assert regimes[0] == "diverging" and traj.diverged[0]
assert (int(reach[1][0]), int(reach[2][0])) == (181, 20)             # nine times faster with warmup
product = lesson.lr_times_curvature(traj)                              # lr × curvature at each step
assert round(product[0, 0]) == 25 and product[0, 1] < 2               # full lr at the start: 25; safe lr: < 2
assert round(float(product[:, 2].max()), 2) == 1.25 and np.isclose(product[-1, 1], 0.07)
assert np.allclose(traj.lr[:21, 2], warm(np.arange(21)))          # the warmup schedule is what was used

# %%
fig, _ = lesson.plot_warmup(traj, labels)
plotting.show(fig)

# %% [markdown]
# The middle panel is the explanation: lr × (local curvature) must stay below 2. At full lr it is 25 at the
# first step; the safe constant lr keeps it at 0.07 near the minimum, so progress is slow. With warmup it
# never passes 1.25, and the run is nine times faster than the safe constant lr.
#
# ## 5 · Momentum under minibatch noise
#
# With heavy-ball momentum $\beta$ (torch's form $b_t = \beta b_{t-1} + g_t$, $w_t = w_{t-1} - \text{lr}\, b_t$),
# a gradient that stays the same piles up in the buffer until the step is
# $\text{lr}\,(1 + \beta + \beta^2 + \dots)\,g = \text{lr}\,g/(1-\beta)$: the **effective lr** is
# $\text{lr}/(1-\beta)$. Near the minimum the same holds for the noise, and the floor of section 1 becomes
#
# $$E[f - f^*] \approx \frac{\text{lr}}{(1-\beta)\,B}\cdot\frac{\operatorname{tr}\Sigma}{4}
# \qquad\text{(small lr, batches drawn with replacement).}$$
#
# These runs draw each batch **with replacement** (every batch is $B$ independent picks): that is what lets
# 16 independent runs share one vectorized call, and it drops the factor $(n-B)/(n-1)$ of section 1.
#
# So $\beta = 0.9$ at the same lr has a floor ten times higher. The check: start at the minimum, settle for
# 150 steps, average the loss over 600, for $\beta \in \{0, 0.5, 0.9\}$ and $B \in \{4, 16, 64\}$ at lr 0.05;
# every point is the mean of **16 runs with their own minibatches** (bars: ± 2 standard errors).

# %%
mom = lesson.momentum_floors(betas=(0.0, 0.5, 0.9), batch_sizes=(4, 16, 64), lr=0.05)
fig, _ = lesson.plot_momentum_floors(mom)
plotting.show(fig)
ratio = mom.measured / mom.predicted
boost = mom.measured[2] / mom.measured[0]                 # β = 0.9 against β = 0, at each B
by_B = mom.measured[:, 0] / mom.measured[:, 2]            # B = 4 against B = 64, at each β
print(f"measured / predicted, all 9 points: between {ratio.min():.2f} and {ratio.max():.2f}")
print(f"floor(β = 0.9) / floor(β = 0) at B = 4, 16, 64: {', '.join(f'{v:.1f}' for v in boost)}   (predicted 10)")
print(f"floor(B = 4) / floor(B = 64) at β = 0, 0.5, 0.9: {', '.join(f'{v:.0f}' for v in by_B)}   (predicted 16)")

# %% tags=["check"]
assert np.all((ratio > 0.85) & (ratio < 1.3))             # on the predicted line, within the scatter
assert np.all((boost > 7) & (boost < 14))                 # momentum 0.9: about ten times the floor
assert np.all((by_B > 11) & (by_B < 22))                  # and still ∝ 1/B

# %% [markdown]
# All nine points lie close to one line against $\text{lr}/((1-\beta)B)$ (at this small lr): turning
# momentum up from 0 to 0.9 acts on the noise like a ten times larger lr.
#
# ## 6 · Adam and the batch size: the square-root rule
#
# The linear scaling rule is a rule for SGD. Adam divides each coordinate's step by $\sqrt{v}$, the running
# root-mean-square of its gradients, which near the minimum is about the noise's size. So Adam's floor goes
# like $\text{lr}/\sqrt{B}$, and to keep it when the batch grows $k$ times the lr must grow $\sqrt{k}$ times:
# the **square-root rule**.
#
# <details><summary>Optional: the square-root rule in three lines</summary>
#
# With gradient noise of size $\sigma/\sqrt{B}$, $\sqrt{v} \approx \sigma/\sqrt{B}$, so Adam at lr $\eta$ is
# roughly SGD at lr $\eta\sqrt{B}/\sigma$. By section 1 its floor is about
# $(\eta\sqrt{B}/\sigma)\cdot\sigma^2/B = \eta\,\sigma/\sqrt{B}$. The linear rule ($\eta \to k\eta$,
# $B \to kB$) therefore raises the floor by about $\sqrt{k}$.
#
# </details>
#
# The test: Adam started at the minimum with batch $4k$, $k = 1, 4, 16$, and lr $0.01\sqrt{k}$ or $0.01\,k$,
# 24 replicas each, all in one vectorized run.

# %%
adam = lesson.adam_scaling(ks=(1, 4, 16), lr0=0.01, B0=4)
fig, _ = lesson.plot_adam_scaling(adam)
plotting.show(fig)
sq, lin = adam.floors["square-root rule"], adam.floors["linear rule"]
for k, B, a, b in zip(adam.ks, adam.batch_sizes, sq, lin):
    print(f"k = {k:>2g}, B = {B:>2}: floor with lr × √k {a:.1e}, with lr × k {b:.1e}")
print(f"square-root rule: largest / smallest floor {sq.max() / sq.min():.2f}; "
      f"linear rule at k = 16: {lin[-1] / sq[-1]:.1f} times the square-root rule's floor (√16 = 4 predicted)")

# %% tags=["check"]
assert sq.max() / sq.min() < 1.35                         # the square-root rule keeps the floor
assert np.all(np.diff(lin) > 0)                           # the linear rule's floor rises with B ...
assert 1.5 < lin[1] / sq[1] < 2.6 and 2.6 < lin[2] / sq[2] < 4.6     # ... by about √k (2 and 4)

# %% [markdown]
# The square-root rule keeps Adam's floor flat across a 16-fold change of the batch; the linear rule, the right
# one for SGD, gives Adam a floor about $\sqrt{k}$ higher (a little less than $\sqrt{16} = 4$ here: the
# pure-noise picture is only approximate).
#
# **Explain why.** Why does SGD need the linear rule and Adam the square-root rule? Answer in terms of what
# each optimizer's step is proportional to.
#
# <details><summary>Model answer (open after you have written yours)</summary>
#
# SGD's step is lr × gradient, noise included: the noise in one step has size lr·σ/√B, and its effect on
# the floor goes like lr/B, so lr and B must grow together. Adam divides the step by the gradient's own
# root-mean-square, which near the minimum is about the noise size σ/√B: its step is about lr·√B/σ times
# the (noisy) gradient, the floor goes like lr/√B, and keeping it means lr ∝ √B.
#
# </details>
#
# ## Summary
#
# * Minibatch SGD with a constant lr does not converge to the minimum but to a **noise floor**, for small lrs
#   proportional to **lr / B** (at larger lrs it grows faster than the lr).
# * Small batches also **lower the (mean-square) stability limit**: on this data from $2/L \approx 2.06$ for the
#   full batch down to 0.61 for $B = 1$. Past it a single run may stay finite (lr 1.0: huge excursions,
#   no overflow in 2000 steps); further out every run overflows (lr 1.5).
# * The **linear scaling rule** (B × k, lr × k) keeps the floor and the loss per epoch the same with $k$ times
#   fewer steps, as long as $k \cdot \text{lr}$ stays well below $2/L$; past the stability limit it diverges.
# * **Warmup** makes a large lr usable when the early iterates sit in sharper regions than the later ones. It
#   does not move the stability limit of the region where training ends.
# * **Momentum** β acts on the noise like an lr of lr/(1 − β): the floor grows like lr / ((1 − β) B) (nine points,
#   each the mean of 16 seeds, on that line). **Adam**'s floor goes like lr/√B, so when the batch grows k times
#   Adam's lr should grow √k times (square-root rule), not k times.
#
# ## Exercises
#
# **1.** lr = 0.02 works well with batch size 32. By the linear scaling rule, which lr goes with batch 256?

# %%
answer = None   # your number
lesson.check_scaled_lr(answer)

# %% [markdown]
# **2.** At lr = 0.05, by what factor does the noise floor shrink when the batch grows from 16 to 64
# (answer 2 if it halves)? Predict it from theory (lr/B, or `lesson.THEORY.floor(lr, B)`): the measured table of
# section 1 scatters by up to 20%.

# %%
answer = None   # your number
lesson.check_floor_factor(answer)

# %% [markdown]
# **3.** You scale up from $B_0 = 4$, $\text{lr}_0 = 0.05$ on this data set: batch $4k$, lr $0.05\,k$ for a whole
# number $k$. Section 3 drew the wall at $2/L$, but a finite batch has SGD's own, lower mean-square limit
# (section 2; `lesson.THEORY.critical_lr(B)` computes it for any batch size). What is the **largest whole $k$**
# for which $0.05\,k$ stays below SGD's limit for batch $4k$?

# %%
answer = None   # your number
lesson.check_max_scale(answer)

# %% [markdown]
# **4.** On the quartic of section 4 (target lr 0.9, warmup from 0.01 × 0.9, linear), what is the **shortest**
# warmup, in steps, that keeps lr × curvature below 2 at every step of the run? (`lesson.warmup_runs` and
# `lesson.lr_times_curvature` take a `warmup_steps` argument.)

# %%
answer = None   # a whole number of steps
lesson.check_shortest_warmup(answer)


# %% [markdown]
# **5.** Plain SGD at lr = 0.05 with batch 16 settles at a floor you are happy with. You switch to momentum 0.8
# and batch 64. Which lr gives the same floor?

# %%
answer = None   # your number
lesson.check_momentum_floor(answer)

# %% [markdown]
# **6.** Adam trains well with lr = 0.003 at batch 32. You move to batch 512 and want the same noise floor.
# Which lr?

# %%
answer = None   # your number
lesson.check_adam_lr(answer)
