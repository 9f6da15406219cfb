# %% [markdown]
# # 03 · Finding a good learning rate
#
# Nobody hands you the learning rate: you search for it. This lesson tests the usual searches (a coarse
# grid, a fine sweep, the **LR range test**) **on a problem where the right answer is known**; then it
# runs the range test on a real neural network and judges the lr by test accuracy.
#
# **The problem.** A linear model $w \in \mathbb{R}^2$ fitted by least squares,
# $f(w) = \frac{1}{2n}\lVert Xw - y\rVert^2$, on 200 points whose two features have scales 1 and 3.
# Its Hessian, the matrix of second derivatives $H = X^\top X / n$, is the same everywhere; its two
# eigenvalues are the curvatures along the two axes of the valley (see lesson 02, *Curvature in several
# dimensions*). The smaller is $\mu$, the larger $L$, and from lesson 02 we know the two numbers that
# matter: gradient descent converges only for $\text{lr} < 2/L$, and the constant lr with the fastest
# guaranteed rate is $2/(\mu + L)$.

# %%
import numpy as np

import lrlab
from lrlab import data, diagnostics, plotting, pytorch, theory
from lrlab.pytorch import torch  # torch (lrlab[torch]); if missing, this line says what to install
from lrlab.lessons import finding_a_good_lr as lesson

torch.manual_seed(0)
torch.set_num_threads(1)   # one thread: the training runs below give the same numbers every time

# %% [markdown]
# **Predict first.** Of 0.1, 0.01 and 0.001, which gets closest to the minimum in 50 steps? Is the *best*
# lr above or below 0.1, and how far can you raise it before the run blows up? Then test your guesses
# with the slider (right panel: the loss after 50 steps for every lr; yours is the black dot).

# %% tags=["nbval-ignore-output"]
explorer = lesson.explorer()
explorer

# %% [markdown]
# What theory says about this problem:

# %%
p = lesson.known_answer_problem()
print(f"eigenvalues of H: mu = {p.mu:.3f}, L = {p.L:.3f}")
print(f"stability limit 2/L              = {p.critical_lr:.4f}")
print(f"fastest guaranteed rate 2/(mu+L) = {p.optimal_lr:.4f}")
print(f"budget: {p.num_steps} steps of gradient descent from w = (0, 0)")

# %% [markdown]
# Least squares *is* a quadratic, $f(w) = f(w^*) + \frac12 (w - w^*)^\top H (w - w^*)$ with $w^*$ the
# minimizer, so gradient descent takes the same steps on `p.data_loss` (the data) and on `p.loss` (the
# quadratic form, cheaper to draw):

# %%
on_data = lrlab.run(loss=p.data_loss, x0=p.x0, lr=0.1, num_steps=p.num_steps)
on_quadratic = lrlab.run(loss=p.loss, x0=p.x0, lr=0.1, num_steps=p.num_steps)
print(f"the two runs' iterates agree to 1e-12: {np.abs(on_data.params - on_quadratic.params).max() < 1e-12}")

# %% tags=["check"]
np.testing.assert_allclose(on_data.params, on_quadratic.params, rtol=1e-10, atol=1e-12)
np.testing.assert_allclose(plotting.gap(on_data), plotting.gap(on_quadratic), rtol=1e-6, atol=1e-12)

# %% [markdown]
# ## 1. The coarse grid
#
# The first search is a grid spaced by factors of 10: three short runs to find the right *decade*.

# %%
grid = list(lesson.GRID)
grid_run = lrlab.run(loss=p.loss, x0=p.x0, lr=grid, num_steps=p.num_steps)
plotting.show(lesson.grid_figure(grid_run, p, grid))
grid_gap = plotting.gap(grid_run)[-1]
grid_steps = theory.steps_to_tolerance(p.loss, np.array(grid), lesson.TOL)
for lr, g, k in zip(grid, grid_gap, grid_steps):
    print(f"lr = {lr:<6g} loss - min after {p.num_steps} steps = {g:.2e}   steps to shrink the error 1e6-fold: {k:.0f}")

# %% [markdown]
# 0.1 wins by a wide margin, but it sits at the grid's edge: the grid has not bracketed the optimum, and
# all we know is that the answer is 0.1 **or larger**. The next step is to look above 0.1, more finely.

# %% tags=["check"]
assert grid[int(np.argmin(grid_gap))] == max(grid)          # the winner is the grid's largest value
assert np.all(np.diff(grid_gap) > 0)                       # smaller lr, worse result, every time

# %% [markdown]
# ## 2. A log sweep: every learning rate at once
#
# On a toy a sweep is cheap: `lrlab.run` takes 1000 learning rates, log-spaced from 0.001 to 1, and runs
# them all at once.

# %%
lrs = np.geomspace(1e-3, 1.0, 1000)
sweep = lrlab.run(loss=p.loss, x0=p.x0, lr=lrs, num_steps=p.num_steps)
final_gap = plotting.gap(sweep)[-1]
best = lrs[np.nanargmin(final_gap)]
plotting.show(lesson.sweep_figure(lrs, final_gap, p, best=best))
print(f"best lr of the sweep: {best:.4f}   theory 2/(mu+L) = {p.optimal_lr:.4f}   cliff 2/L = {p.critical_lr:.4f}")
print(f"steps to shrink the error 1e6-fold: lr = 0.1 -> {grid_steps[0]:.0f},  best -> {theory.steps_to_tolerance(p.loss, best, lesson.TOL):.0f}")

# %% [markdown]
# Three things to read off the curve.
#
# * **The best lr is twice the grid's winner** and needs less than half the steps: a factor of 2 inside
#   the right decade still mattered.
# * **The best lr sits right next to the cliff.** Past 2/L the loss grows, and fast: 5% past it, 50 steps
#   multiply it more than 10⁴-fold (the orange ticks mark runs that blew up). Why so close? Along each
#   eigenvector of $H$
#   the error is multiplied by $1 - \text{lr}\cdot\lambda$ at every step. The flat direction
#   ($\lambda = \mu$) wants the lr as large as possible; the steep one ($\lambda = L$) forbids
#   $|1 - \text{lr}\cdot L| > 1$. The best compromise makes both factors equally small,
#   $1 - \text{lr}\,\mu = \text{lr}\,L - 1$, which gives $\text{lr} = 2/(\mu + L)$: just below
#   $2/L$ when $L \gg \mu$.
# * **The sweep found that value without knowing any theory**: its best lr is within 3% of $2/(\mu + L)$.

# %% tags=["check"]
assert 1.8 < best / max(grid) < 2.2                                             # "twice the grid's winner"
assert theory.steps_to_tolerance(p.loss, best, lesson.TOL) < 0.5 * grid_steps[0]   # "less than half the steps"
assert abs(best / p.optimal_lr - 1) < 0.03                                      # "within 3% of 2/(mu+L)"
assert best < p.critical_lr and best > 0.85 * p.critical_lr                     # "right next to the cliff"
beyond = lrs > 1.05 * p.critical_lr
assert np.all(theory.regime(p.loss, lrs[beyond]) == "divergence") and np.all(final_gap[beyond] > plotting.gap(sweep)[0][beyond])  # explodes
past = plotting.gap(lrlab.run(loss=p.loss, x0=p.x0, lr=1.05 * p.critical_lr, num_steps=p.num_steps))
assert past[-1] > 1e4 * past[0]                                                 # "5% past it: more than 10^4-fold"

# %% [markdown]
# The same story as paths: the grid, the best lr, one at the edge and one past it. Each title names what
# theory says the lr does (factors $1 - \text{lr}\cdot\lambda$ all in $[0, 1)$: *monotone* convergence; one
# negative: *oscillating* convergence; one beyond $\pm 1$: divergence) and how much of the loss gap 50 steps closed.

# %%
show_lrs = [0.001, 0.01, 0.1, round(best, 3), round(0.985 * p.critical_lr, 3), round(1.1 * p.critical_lr, 3)]
six = lrlab.run(loss=p.loss, x0=p.x0, lr=show_lrs, num_steps=p.num_steps)
plotting.show(lesson.paths_figure(six, p, show_lrs))

# %% [markdown]
# At 0.01 the run converges but is far from done: it has closed 99% of the loss gap, yet the path
# stops well short of the minimum along the flat direction, where each step shrinks the error by only 1%.
# At the edge (middle of the second row) the path zig-zags across the valley: every step along the steep
# direction multiplies the error by $1 - \text{lr}\cdot L \approx -0.97$, so it flips sign and barely
# shrinks. Just past 2/L the zig-zag grows instead, and the run is lost.

# %% tags=["check"]
assert list(theory.regime(p.loss, show_lrs)) == ["monotone convergence"] * 3 + ["oscillating convergence"] * 2 + ["divergence"]
closed = diagnostics.progress(six)
assert 0.985 < closed[1] < 0.99 and abs(1 - 0.01 * p.mu - 0.99) < 0.001         # 0.01: 99% of the gap; 1% per step
assert np.linalg.norm(six.params[-1, 1] - p.loss.minimizer) > 0.25 * np.linalg.norm(p.loss.minimizer)  # "well short"
assert round(1 - show_lrs[4] * p.L, 2) == -0.97
assert closed[-1] < 0                                                      # past 2/L: the loss grew
flat_axis = np.linalg.eigh(np.asarray(p.loss.matrix))[1][:, 0]
assert abs(flat_axis[0]) > 0.99                                            # horizontal (w1) is the flat direction

# %% [markdown]
# ## 3. The LR range test, scored against the truth
#
# A sweep costs one training run per lr: too much for a real network. The **LR range test** (Leslie Smith,
# 2017; fastai's "LR finder") is a *single* short run whose lr grows by a constant factor every step, here
# from $10^{-4}$ to $10$ in 100 steps. The loss after each step is smoothed by an exponential moving
# average ($\beta = 0.98$), and the test stops once that exceeds four times its best value. Four rules of
# thumb turn the curve into a suggestion:
#
# * **steepest**: the lr where the smoothed loss falls fastest against log(lr);
# * **valley**: the lr halfway along the longest stretch over which the smoothed loss keeps falling (what
#   fastai's `lr_find` suggests by default since 2021; here `lrlab.diagnostics.suggest_lr(..., method="valley")`);
# * **min**: the lr where the smoothed loss is lowest;
# * **min/10**: a tenth of that (fastai's older pair of suggestions was min/10 and steepest).

# %%
rt = lesson.range_test(p)
rules = lesson.rule_values(rt)
plotting.show(lesson.range_test_figure(rt, p))
print(f"stopped after {len(rt.lrs)} of 100 steps: the smoothed loss passed 4x its best")
for name, lr in rules.items():
    print(f"{name:>8}: lr = {lr:.3g} = {lr / p.critical_lr:.2f} x (2/L)")

# %% [markdown]
# The smoothed curve ends far above the raw loss: with $\beta = 0.98$ the average remembers about the
# last $1/(1-\beta) = 50$ steps, 2.5 decades of lr on this ramp, when the loss was larger.
#
# What does a constant-lr run of gradient descent do with each suggestion?

# %%
for name, lr in rules.items():
    k = theory.steps_to_tolerance(p.loss, lr, lesson.TOL)
    steps = f"{k:.0f} steps to shrink the error 1e6-fold" if np.isfinite(k) else "never converges"
    print(f"{name:>8}: lr = {lr:.3g}  ->  {theory.regime(p.loss, lr)}, {steps}")

# %% [markdown]
# * **min lands far past the cliff**, at about 5 × 2/L: its lr diverges.
# * **min/10 lands at about half of 2/L**: it converges, within a factor of 2 of the best lr.
# * **steepest lands very low**, a few percent of 2/L: the loss falls fastest where the run *first*
#   makes progress, a fact about the ramp more than about the problem. It needs about ten times as many
#   steps as min/10.
# * **valley lands very low too**: the smoothed loss falls over four decades of lr, from the start of
#   the test to past the cliff, and the middle of that stretch (on the log axis) is far below its end.

# %% tags=["check"]
regimes = {name: str(theory.regime(p.loss, lr)) for name, lr in rules.items()}
assert 5 < rules["min"] / p.critical_lr < 6 and regimes["min"] == "divergence"
assert 0.4 < rules["min/10"] / p.critical_lr < 0.6 and regimes["min/10"].endswith(" convergence")
assert p.optimal_lr / rules["min/10"] < 2                                   # "within a factor of 2 of the best lr"
assert rules["steepest"] < 0.1 * p.critical_lr and rules["valley"] < 0.1 * p.critical_lr
steps_of = lambda r: theory.steps_to_tolerance(p.loss, rules[r], lesson.TOL)
assert 8 < steps_of("steepest") / steps_of("min/10") < 12                     # "about ten times"
start, end = lrlab.diagnostics.longest_descent(rt.smoothed)
assert 3.5 < np.log10(rt.lrs[end] / rt.lrs[start]) < 4.5 and start == 0 and rt.lrs[end] > p.critical_lr

# %% [markdown]
# **Why?** The *raw* loss of the test (the grey curve) keeps falling for a while after the lr has passed
# 2/L. Explain why, using the error factors $1 - \text{lr}\cdot\lambda$.
#
# <details><summary>Model answer (open after you have written yours)</summary>
#
# Around lr ≈ 1/L the steep direction's factor $1 - \text{lr}\cdot L$ is close to 0, so those steps all but
# erase the steep error: when the lr crosses 2/L, its share of the loss is about $10^{-17}$. Past 2/L that
# error grows fast (factors −1.2, −1.4, −1.7, −2.1, …), but from almost nothing, so it takes about ten steps
# to show. Meanwhile the flat direction's factor $1 - \text{lr}\,\mu$ is still inside $(-1, 1)$ and its
# error keeps shrinking. Only a noise-free quadratic erases the steep error this cleanly.
#
# </details>
#
# <details><summary>Optional: how much of "5 × 2/L" is the smoothing?</summary>
#
# Two delays add up in the min rule. The **raw loss** is lowest at about 3 × 2/L: that part is the delay of
# the model answer above (the steep error, all but erased near 1/L, needs about ten steps past 2/L to show),
# and only a problem with a known 2/L can show it. The **moving average**
# then lags behind the raw loss and puts its minimum another factor of about 1.8 later. Averaging
# log(loss) instead (so that the early losses, nine decades larger, weigh no more than the late ones)
# still leaves a factor of about 1.6: the average simply lags. A *centred* average of log(loss) with the
# same β (`lrlab.diagnostics.centred_moving_average`: the forward and the backward average, meaned) has no
# lag, and its minimum lies below the raw one; but it needs the whole curve, so a test cannot use it while
# it runs. Compute these four minima with `lesson.smoothing_lag(rt)`.
#
# </details>

# %% tags=["check"]
steep = np.linalg.eigh(np.asarray(p.loss.matrix))[1][:, 1]
cross = int(np.argmax(rt.lrs > p.critical_lr))                          # the first step taken above 2/L
e_steep = (p.x0 - p.loss.minimizer) @ steep * np.cumprod(1 - rt.lrs * p.L)  # steep error after each step
assert 0.5 * p.L * e_steep[cross - 1] ** 2 < 1e-15                      # "its share of the loss is about 1e-17"
assert 0.5 * p.L * e_steep[cross - 1] ** 2 > 1e-19
assert np.allclose(np.round(1 - rt.lrs[cross:cross + 4] * p.L, 1), [-1.2, -1.4, -1.7, -2.1])
assert 8 <= int(np.nanargmin(rt.losses)) - cross <= 11                  # "about ten steps to show"
assert abs(1 - rt.lrs[int(np.argmin(np.abs(1 - rt.lrs * p.L)))] * p.L) < 0.05   # a step at lr ≈ 1/L: factor ≈ 0
assert round(1 / (1 - 0.98)) == 50 and abs(50 * np.log10(rt.lrs[1] / rt.lrs[0]) - 2.5) < 0.05   # "2.5 decades"
assert len(rt.lrs) < 100                                                # the test stopped early
lag = lesson.smoothing_lag(rt)
assert 2.8 < lag["raw"] / p.critical_lr < 3.3                           # "about 3 x 2/L"
assert 1.7 < lag["moving average"] / lag["raw"] < 1.9                  # "a factor of about 1.8"
assert 1.5 < lag["average of log"] / lag["raw"] < 1.7                  # "about 1.6"
assert lag["centred"] < lag["raw"]                                     # no lag: below the raw minimum
assert 8.5 < np.log10(rt.losses[0] / np.nanmin(rt.losses)) < 9.5          # "nine decades"

# %% [markdown]
# ### How the rules move when you change the test
#
# The test has knobs of its own: the number of steps `num_iter` (how fast the lr grows) and the smoothing
# $\beta$. A good rule should not care much. Each suggestion in units of 2/L (above 1: it diverges):

# %%
num_iters, smooths = (30, 100, 300, 1000), (0.0, 0.5, 0.9, 0.98)
table = lesson.rules_table(p, num_iters, smooths)
plotting.show(lesson.rules_figure(table, num_iters, smooths))

# %% [markdown]
# * **steepest** follows the test, not the problem: from 30 to 1000 iterations it moves down by a factor
#   of about 40 (a slower ramp spends more steps at each small lr, so the loss starts falling sooner).
# * **min** moves *up* as the smoothing grows (the average lags more), and is past 2/L in every setting.
# * **valley** barely moves (less than a factor 3 over the whole table) but stays low, at 2 to 5% of 2/L.
# * **min/10** stays between 0.1 and 1 times 2/L everywhere: never divergent, never hopeless. That makes
#   it the safest rule *on this problem*, not the usual default (fastai's has been valley since 2021).

# %% tags=["check"]
assert np.all(np.diff(table["steepest"][-1]) < 0)             # more iterations -> steepest moves down
assert 20 < table["steepest"][-1, 0] / table["steepest"][-1, -1] < 80     # "a factor of about 40"
assert np.all(np.diff(table["min"][:, 1]) >= 0)                # more smoothing -> min moves up
assert np.all(table["min"] > 1)                                # min is past the cliff in every setting
assert np.all((table["min/10"] > 0.1) & (table["min/10"] < 1))  # min/10 is always safe
assert table["valley"].max() / table["valley"].min() < 3        # valley barely moves ...
assert np.all((table["valley"] > 0.02) & (table["valley"] < 0.05))    # ... and stays at 2 to 5% of 2/L

# %% [markdown]
# Try it live: move `num_iter` and the smoothing, and press a **use …** button to train with that rule's
# lr (right panel).

# %% tags=["nbval-ignore-output"]
range_explorer = lesson.range_test_explorer()
range_explorer

# %% [markdown]
# ## 4. The range test on a real network
#
# Now a problem whose 2/L nobody can write down: a small network (64 → 64 → 10, ReLU) classifying the
# 8×8 handwritten digits of scikit-learn, with SGD (momentum 0.9, batches of 64). `lrlab.pytorch.find_lr`
# runs the same range test and then puts the model and optimizer back as they were.

# %%
X_train, X_test, y_train, y_test = data.train_test_split_digits(test_fraction=0.25, seed=0, standardize=True)
model = pytorch.small_mlp(64, hidden=(64,), out_features=10, seed=0)
loss_fn = torch.nn.CrossEntropyLoss()
sgd_momentum = lambda params: torch.optim.SGD(params, lr=1.0, momentum=0.9)
print(f"train {X_train.shape}, test {X_test.shape}, parameters: {sum(t.numel() for t in model.parameters())}")

# %% tags=["nbval-ignore-output"]
finder = pytorch.find_lr(model, loss_fn, (X_train, y_train), sgd_momentum, start_lr=1e-4, end_lr=10.0,
                         num_iter=100, batch_size=64, seed=0, progress=True)

# %%
net_rules = lesson.rule_values(finder)
print("   ".join(f"{name} = {lr:.3g}" for name, lr in net_rules.items()))
print(f"the test ran {len(finder.lrs)} of its 100 iterations"
      + (": it stopped when the smoothed loss passed 4x its best" if finder.diverged else ""))
plotting.show(lesson.finder_figure(finder))

# %% [markdown]
# The same shape as on the toy: flat, a fall, a minimum, an explosion. Here the rules are all we have, so
# we train with each for 300 steps (about 14 passes over the data) and measure accuracy on held-out images.
#
# <details><summary>Optional: does the smoothing's lag carry over?</summary>
#
# On this network the moving average's minimum lies at an lr more than 3 times larger than the raw
# loss's minimum (on the toy: about 1.8 times), although the loss falls only about one decade; the raw
# minimum is itself a lucky batch, since the batch loss is noisy. So how late *min* lands depends on the
# problem, and no fixed divisor is safe everywhere: min/10 happened to make up for the lag in both cases.
# Compare with `lesson.smoothing_lag(finder)`.
#
# </details>

# %% tags=["check"]
net_lag = lesson.smoothing_lag(finder)
assert net_lag["moving average"] > 3 * net_lag["raw"]                       # "more than 3 times"
assert net_lag["centred"] <= net_lag["raw"]
fin = finder.losses[np.isfinite(finder.losses)]
assert 0.7 < np.log10(fin[0] / fin.min()) < 1.5                              # "about one decade"

# %% [markdown]
# ## 5. Training with the chosen learning rate
#
# One network per rule, each trained from the same initial weights with the rule's lr:

# %%
records, test_acc = {}, {}
for name, lr in net_rules.items():
    net = pytorch.small_mlp(64, hidden=(64,), out_features=10, seed=0)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
    rec = records[name] = pytorch.train(net, loss_fn, (X_train, y_train), opt, num_steps=300, batch_size=64, seed=0,
                                        eval_fn=lambda m: pytorch.accuracy(m, X_test, y_test))
    if rec.diverged:       # a blown-up run has no accuracy worth printing: its weights are garbage
        print(f"{name:>8}: lr = {lr:.3g}   diverged: the training loss grew past 1e10 x its start within 300 steps")
    else:
        test_acc[name] = rec.eval_values[-1]
        print(f"{name:>8}: lr = {lr:.3g}   test accuracy {test_acc[name]:.1%}   final training loss {rec.loss[-10:].mean():.2g}")
plotting.show(lesson.training_figure(records, test_acc))

# %% [markdown]
# **min** still blows up: the loss grows exponentially (a straight line on the log scale) until the run is
# stopped (the cross). **steepest** and **valley**, too low on the toy, train fine here, as does **min/10**
# (above 95% on unseen images); valley again suggests the smallest lr, and its final training loss is still
# more than ten times min/10's. The range test gets you into the right range in one short run; its minimum
# marks where trouble starts, not where to train.

# %% tags=["check"]
assert test_acc["steepest"] > 0.95 and test_acc["min/10"] > 0.95 and test_acc["valley"] > 0.95
assert net_rules["valley"] == min(net_rules.values())
assert records["valley"].loss[-10:].mean() > 10 * records["min/10"].loss[-10:].mean()
assert not records["steepest"].diverged and not records["min/10"].diverged
assert records["min"].diverged and "min" not in test_acc                     # "the run diverges"
growth = np.log10(records["min"].loss[20:records["min"].diverged_at])
assert np.polyfit(np.arange(growth.size), growth, 1)[0] > 0                   # "grows exponentially"

# %% [markdown]
# ## 6. Judged on the test set: learning rate and schedule
#
# What we want is accuracy on images the network never saw. So judge the lr, and a schedule, by test
# accuracy over three seeds (initial weights and batch order): a smaller net (64 → 32 → 10), a budget of 100
# SGD steps, a constant lr or cosine decay from it to 0, at six lrs.

# %%
gen_table = lesson.generalization_table()
plotting.show(lesson.generalization_figure(gen_table))
const, cosine = gen_table["constant"], gen_table["cosine"]
lr_index = {lr: i for i, lr in enumerate(lesson.GEN_LRS)}
best_const = int(np.argmax(np.nanmean(const, axis=1)))
print(f"best constant lr: {lesson.GEN_LRS[best_const]:g}   best cosine peak: {lesson.GEN_LRS[int(np.argmax(np.nanmean(cosine, axis=1)))]:g}")

# %% [markdown]
# Every seed agrees on the first three points; the fourth compares means.
#
# * **Test accuracy is a hump in the lr.** With a constant lr, 0.003 is too slow for 100 steps and 1.0 is
#   too noisy: on every seed both are more than 5 points below every seed at the best lr (0.1).
# * **Cosine decay rescues large learning rates**: at lr 1.0 every seed's cosine run beats every seed's
#   constant run, and the mean by more than 5 points.
# * **It hurts small ones**: at 0.003 it is worse than the constant lr on every seed.
# * **It does not raise the best accuracy** here: the best means of the two differ by less than 2 points.
#   What the schedule changes is *where* the good lrs are: its peak can be larger.
#
# **Why?** Explain why the same cosine decay rescues lr 1.0 but hurts lr 0.003.
#
# <details><summary>Model answer (open after you have written yours)</summary>
#
# At lr 1.0 the constant-lr run ends noisy: its large steps keep kicking the weights around the minimum.
# Cosine decay makes the last steps small, and they settle the weights that the early, large steps
# moved into the right region. At lr 0.003 the problem is the opposite: every step is too small to get
# there within 100 steps, and decaying the lr makes the later steps smaller still, so the run covers even
# less ground.
#
# </details>

# %% tags=["check"]
assert lesson.GEN_LRS[best_const] == 0.1
ends = const[[lr_index[0.003], lr_index[1.0]]]
assert np.nanmax(ends) < np.nanmin(const[best_const]) - 0.05           # "more than 5 points below", every seed
assert np.nanmin(cosine[lr_index[1.0]]) > np.nanmax(const[lr_index[1.0]])          # cosine rescues lr 1.0 ...
assert np.nanmean(cosine[lr_index[1.0]]) > np.nanmean(const[lr_index[1.0]]) + 0.05  # ... by more than 5 points
assert np.nanmax(cosine[lr_index[0.003]]) < np.nanmin(const[lr_index[0.003]])      # ... and hurts lr 0.003
assert abs(np.nanmax(np.nanmean(cosine, axis=1)) - np.nanmax(np.nanmean(const, axis=1))) < 0.02   # best: within 2 points
assert not np.isnan(const).any() and not np.isnan(cosine).any()                # no run diverged on this grid

# %% [markdown]
# ## Summary
#
# * A **coarse grid** finds the decade; if its best value is on the edge, extend it.
# * A **fine sweep** finds the best lr, on a quadratic $2/(\mu+L)$: next to the cliff at $2/L$, past which
#   the loss grows fast.
# * The **LR range test** needs one short run. *min* lands past the cliff; *steepest* follows the test's
#   ramp; *valley* lands low; *min/10* stayed safe everywhere we tried, on the toy and the network.
# * By **test accuracy**, the lr is a hump; here cosine decay moved the good lrs up without raising the best.
# * Treat any rule as a starting point and confirm it with a short run.
#
# ## Exercises
#
# **Exercise 1.** `q = lesson.exercise_problem()` is the same kind of least-squares problem, but its second
# feature has scale 4 instead of 3. Before computing: is its boundary lr above or below this lesson's
# 0.2232? Then find the **boundary**: the lr at and past which gradient descent no longer converges on `q`.

# %%
q = lesson.exercise_problem()
answer = None   # your number here
lesson.check_boundary_lr(answer)

# %% [markdown]
# **Exercise 2.** The best constant lr $2/(\mu+L)$, as a fraction of the boundary $2/L$, depends on
# $\kappa = L/\mu$ alone. For which κ is it exactly 99% of the boundary?

# %%
answer = None   # the condition number κ
lesson.check_best_fraction(answer)

# %% [markdown]
# **Exercise 3.** A colleague runs the range test on this lesson's problem `p` with a slower ramp:
# `lesson.range_test(p, num_iter=700, smooth=0.9)`. Which of its four rules lands closest to the best lr
# `p.optimal_lr`, measured as a factor (a factor of 3 above counts as much as a factor of 3 below)?
# Answer `'steepest'`, `'valley'`, `'min'` or `'min/10'`, and then ask yourself whether you would train with it.

# %%
answer = None   # 'steepest', 'valley', 'min' or 'min/10'
lesson.check_closest_rule(answer)

# %% [markdown]
# **Exercise 4 (code).** Write the range test yourself. `my_range_test(loss, x0, lrs)` starts at `x0`, takes
# one gradient-descent step with each lr of `lrs` in turn, and returns the list of losses, one per lr, each
# measured *after* its step. `loss.value(x)` and `loss.grad(x)` give the loss and its gradient. The check
# runs your function on this lesson's problem with a 100-step ramp and compares it with lrlab's, step by
# step.

# %%
def my_range_test(loss, x0, lrs):
    answer = None   # your loop here: a list of losses, one after each step
    return answer


lesson.check_range_test_function(my_range_test)

# %% [markdown]
# **Exercise 5 (code).** Tune the digits network of section 6 (net 64 → 32 → 10, SGD with momentum 0.9,
# batches of 64) under **half its budget: 50 steps**, on three seeds section 6 did not use (3, 4, 5). Write
# `my_lr(t)`, the lr of step `t` (t = 0 … 49): a constant, a decay, a warm-up, anything. The check passes
# when the mean test accuracy is at least 93.5% and no seed diverges.

# %%
def my_lr(t):
    answer = None   # the lr at step t
    return answer


lesson.check_budget_schedule(my_lr)
