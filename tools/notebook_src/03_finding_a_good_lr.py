# %% [markdown]
# # 03 · Finding a good learning rate
#
# Nobody hands you the learning rate. In practice you search for it, and this lesson puts the usual
# ways of searching to the test **on a problem where the right answer is known**, so each method can
# be scored against the truth:
#
# 1. the **coarse grid** everyone tries first (0.1, 0.01, 0.001), and a fine **log sweep**;
# 2. the **LR range test** (one short run whose lr grows every step) and its three rules of thumb;
#    where they land compared with the true limit 2/L, and how they move when you change the test;
# 3. the same range test on a **real neural network** (handwritten digits, PyTorch, a few seconds on a
#    CPU), and training with the learning rate it suggests;
# 4. the learning rate and a schedule judged by **test accuracy** over several seeds.
#
# **The problem.** A linear model $w \in \mathbb{R}^2$ fitted by least squares,
# $f(w) = \frac{1}{2n}\lVert Xw - y\rVert^2$, on 200 points whose two features have scales 1 and 3.
# Its Hessian $H = X^\top X / n$ is the same everywhere, so we know its extreme eigenvalues
# $\mu$ and $L$ and, from lesson 02, the two numbers that matter: gradient descent converges only
# for $\text{lr} < 2/L$, and the fastest constant lr is $2/(\mu + L)$.

# %%
import numpy as np

import lrlab
from lrlab import data, diagnostics, plotting, pytorch, theory
from lrlab.pytorch import torch  # torch (lrlab[torch]); if missing, this line says what to install
from lrlab.lessons import finding_a_good_lr as lesson

torch.manual_seed(0)
torch.set_num_threads(1)

# %%
p = lesson.known_answer_problem()
print(f"eigenvalues of H: mu = {p.mu:.3f}, L = {p.L:.3f}")
print(f"stability limit 2/L       = {p.critical_lr:.4f}")
print(f"fastest constant 2/(mu+L) = {p.optimal_lr:.4f}")
print(f"budget: {p.num_steps} steps of gradient descent from w = (0, 0)")

# %% [markdown]
# Least squares *is* a quadratic: with $w^*$ its minimizer, $f(w) = f(w^*) + \frac12 (w - w^*)^\top H (w - w^*)$
# exactly, and both forms have the same gradient. `p.data_loss` is the loss on the data, `p.loss` the
# quadratic form (much cheaper to draw as contours). Gradient descent takes the same steps on both:

# %%
on_data = lrlab.run(loss=p.data_loss, x0=p.x0, lr=0.1, num_steps=p.num_steps)
on_quadratic = lrlab.run(loss=p.loss, x0=p.x0, lr=0.1, num_steps=p.num_steps)
np.testing.assert_allclose(on_data.params, on_quadratic.params, rtol=1e-10, atol=1e-12)
np.testing.assert_allclose(plotting.gap(on_data), plotting.gap(on_quadratic), rtol=1e-6, atol=1e-12)
print(f"the two runs' iterates agree to 1e-12: {np.abs(on_data.params - on_quadratic.params).max() < 1e-12}")

# %% [markdown]
# **Predict first.** Of the three grid values 0.1, 0.01 and 0.001, which one gets closest to the
# minimum in 50 steps? Is the *best* learning rate above or below 0.1, and by how much can you raise
# the lr before the run blows up? Write your guesses down, then test them with the slider: the left
# panel shows the path on the loss contours, the middle one the loss, the right one the loss after 50
# steps for every lr at once, with your lr as the black dot.

# %% tags=["nbval-ignore-output"]
explorer = lesson.explorer()
explorer

# %% [markdown]
# ## 1. The coarse grid
#
# The first search is a grid spaced by factors of 10. Its job is to find the right *decade*, cheaply:
# three short runs.

# %%
grid = list(lesson.GRID)
grid_run = lrlab.run(loss=p.loss, x0=p.x0, lr=grid, num_steps=p.num_steps)
plotting.show(lesson.grid_figure(grid_run, p, grid))
grid_gap = plotting.gap(grid_run)[-1]
grid_steps = theory.steps_to_tolerance(p.loss, np.array(grid), lesson.TOL)
for lr, g, k in zip(grid, grid_gap, grid_steps):
    print(f"lr = {lr:<6g} loss - min after {p.num_steps} steps = {g:.2e}   steps to shrink the error 1e6-fold: {k:.0f}")

# %% [markdown]
# 0.1 wins, by a wide margin. But notice *where* the winner sits: at the top end of the grid. A grid
# whose best point is on its edge has not bracketed the optimum; all we know is that the answer is
# 0.1 **or larger**. The honest next step is to look above 0.1, more finely.

# %%
assert grid[int(np.argmin(grid_gap))] == max(grid)          # the winner is the grid's largest value
assert np.all(np.diff(grid_gap) > 0)                       # smaller lr, worse result, every time

# %% [markdown]
# ## 2. A log sweep: every learning rate at once
#
# On a toy, a sweep is cheap: `lrlab.run` takes an array of 1000 learning rates, evenly spaced on a log
# scale from 0.001 to 1, and runs all of them in one vectorized computation.

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
# * **The best lr is twice the grid's winner** and converges in less than half the steps. The grid got
#   the decade right, and a factor of 2 inside the decade still mattered.
# * **The best lr sits right next to the cliff.** Beyond 2/L the loss does not grow a little: it
#   explodes (the orange ticks mark runs that diverged). Why so close? Along each eigenvector of $H$
#   the error is multiplied by $1 - \text{lr}\cdot\lambda$ at every step. The flat direction
#   ($\lambda = \mu$) wants the lr as large as possible; the steep one ($\lambda = L$) forbids
#   $|1 - \text{lr}\cdot L| > 1$, i.e. lr > 2/L. The best compromise makes both factors equally small,
#   $1 - \text{lr}\,\mu = \text{lr}\,L - 1$, which gives $\text{lr} = 2/(\mu + L)$: just below
#   $2/L$ when $L \gg \mu$.
# * **The sweep found that value without knowing any theory**: its best lr is within 3% of $2/(\mu + L)$.

# %%
assert 1.8 < best / max(grid) < 2.2                                             # "twice the grid's winner"
assert theory.steps_to_tolerance(p.loss, best, lesson.TOL) < 0.5 * grid_steps[0]   # "less than half the steps"
assert abs(best / p.optimal_lr - 1) < 0.03                                      # "within 3% of 2/(mu+L)"
assert best < p.critical_lr and best > 0.85 * p.critical_lr                     # "right next to the cliff"
beyond = lrs > 1.05 * p.critical_lr
assert np.all(diagnostics.classify(sweep[beyond]) == "diverging")               # past the cliff: all diverge

# %% [markdown]
# The same lesson without widgets: six learning rates from the grid, the best one, one at the edge
# and one past it, each drawn as its path on the contours of the loss and coloured by its regime.

# %%
show_lrs = [0.001, 0.01, 0.1, round(best, 3), round(0.985 * p.critical_lr, 3), round(1.1 * p.critical_lr, 3)]
six = lrlab.run(loss=p.loss, x0=p.x0, lr=show_lrs, num_steps=p.num_steps)
fig, _ = plotting.small_multiples(six, p.loss, ncols=3, suptitle=f"{p.num_steps} steps from w = (0, 0)")
plotting.show(fig)
print(", ".join(f"{lr:g}: {regime}" for lr, regime in zip(show_lrs, diagnostics.classify(six))))

# %% [markdown]
# At the edge (middle panel of the second row) the path zig-zags across the valley: every step along the
# steep direction is multiplied by $1 - \text{lr}\cdot L \approx -0.97$, so it flips sign and barely
# shrinks. Just past 2/L the zig-zag grows instead, and the run is lost.

# %%
assert list(diagnostics.classify(six)) == ["slow", "converging", "converging", "oscillating", "oscillating", "diverging"]

# %% [markdown]
# ## 3. The LR range test, scored against the truth
#
# A sweep costs one full training run per learning rate. For a real network that is too much, so
# practitioners use the **LR range test** (Leslie Smith, 2017; the "LR finder" of fastai and friends):
# a *single* short run in which the lr grows by a constant factor every step, here from $10^{-4}$ to
# $10$ in 100 steps (×10 every 20 steps). The loss is recorded after each step, smoothed with an
# exponential moving average ($\beta = 0.98$, bias-corrected), and the test stops once the smoothed
# loss exceeds four times its best value. Four rules of thumb turn the curve into a suggestion:
#
# * **steepest**: the lr where the smoothed loss falls fastest against log(lr);
# * **valley**: find the longest stretch over which the smoothed loss keeps falling (each point below
#   the one before it, small bumps skipped), and take the lr halfway along it. This is what fastai's
#   `lr_find` suggests by default since 2021 (`SuggestionMethod.Valley`); here it is
#   `lrlab.diagnostics.suggest_lr(..., method="valley")`;
# * **min**: the lr where the smoothed loss is lowest;
# * **min/10**: a tenth of that (fastai's older pair of suggestions was min/10 and steepest).
#
# Our toy knows the answer, so we can see where each rule lands relative to 2/L.

# %%
rt = lesson.range_test(p)
rules = lesson.rule_values(rt)
plotting.show(lesson.range_test_figure(rt, p))
for name, lr in rules.items():
    print(f"{name:>8}: lr = {lr:.3g} = {lr / p.critical_lr:.2f} x (2/L)")

# %% [markdown]
# * **min lands far past the cliff**, at about 5 × 2/L. Two delays add up, and the next cell takes them
#   apart. A run that has just crossed 2/L diverges *slowly* (the error grows by
#   $|1 - \text{lr}\cdot L|$, barely above 1, per step), so the raw loss keeps falling for a while as
#   the lr keeps growing. Then the moving average spans roughly the last fifty iterations, and the lr grows
#   by a factor 1.12 per iteration, so its minimum comes later again.
# * **min/10 lands at about half of 2/L**: safe, and within a factor of 2 of the best lr.
# * **steepest lands very low**, a few percent of 2/L: the loss falls fastest where the run *first*
#   makes progress, which is a statement about the ramp more than about the problem. It converges,
#   but needs about ten times as many steps as min/10.
# * **valley lands very low too**, also a few percent of 2/L. On this toy the loss falls over four
#   decades of lr, from the first lrs of the test to past the cliff, and the middle of that long
#   stretch (on the log axis) is far below its end. It converges, slowly.
#
# A constant-lr run of 50 steps with each suggestion confirms it:

# %%
check = lrlab.run(loss=p.loss, x0=p.x0, lr=list(rules.values()), num_steps=p.num_steps)
verdicts = dict(zip(rules, diagnostics.classify(check)))
for name, lr in rules.items():
    k = theory.steps_to_tolerance(p.loss, lr, lesson.TOL)
    print(f"{name:>8}: lr = {lr:.3g}  ->  {verdicts[name]:<11}  steps to shrink the error 1e6-fold: {k:.0f}")

# %%
assert rules["min"] > 2 * p.critical_lr and verdicts["min"] == "diverging"
assert 0.3 < rules["min/10"] / p.critical_lr < 1 and verdicts["min/10"] == "converging"
assert p.optimal_lr / rules["min/10"] < 2                                   # "within a factor of 2 of the best lr"
assert rules["steepest"] < 0.1 * p.critical_lr
assert theory.steps_to_tolerance(p.loss, rules["steepest"], lesson.TOL) > 8 * theory.steps_to_tolerance(p.loss, rules["min/10"], lesson.TOL)  # "about ten times"
assert rules["valley"] < 0.1 * p.critical_lr and verdicts["valley"] == "converging"
start, end = diagnostics.longest_descent(rt.smoothed)
print(f"valley: the smoothed loss falls from iteration {start} (lr {rt.lrs[start]:.2g}) to {end} (lr {rt.lrs[end]:.2g}), "
      f"{np.log10(rt.lrs[end] / rt.lrs[start]):.1f} decades of lr")
assert np.log10(rt.lrs[end] / rt.lrs[start]) > 3 and rt.lrs[end] > p.critical_lr     # "four decades, to past the cliff"

# %% [markdown]
# **How much of "5 × 2/L" is the smoothing?** Compare the minimum of the raw loss with the minimum of the
# test's moving average, of the same average taken of log(loss) (so that the early losses, nine decades
# larger, weigh no more than the late ones), and of a *centred* average of log(loss) with the same β
# (`lrlab.diagnostics.centred_moving_average`: the forward and the backward average, meaned; same
# width, no lag, but it needs the whole curve, so a test cannot use it while it runs).

# %%
lag = lesson.smoothing_lag(rt)
for how, lr in lag.items():
    print(f"minimum of the {how:<15}: lr = {lr:.3g} = {lr / p.critical_lr:.2f} x (2/L) = {lr / lag['raw']:.2f} x the raw minimum")

# %% [markdown]
# * The **raw loss** is lowest at about 3 × 2/L. That part is the quadratic's slow divergence just past
#   its cliff, and only a problem with a known 2/L can show it.
# * The **moving average** adds a factor of about 1.8 on top. Averaging log(loss) instead removes only a
#   small part of it, so the nine-decade fall is not the main cause: the average simply lags.
# * The **centred average** has no lag: its minimum is at or below the raw one.
#
# The lag is a property of the *test* (β and how fast the lr ramps), not of the toy, so it should carry
# over to any problem. Section 4 measures it on a real network.

# %%
assert lag["raw"] > 2 * p.critical_lr                                # the raw loss still falls past 2/L
assert lag["moving average"] > 1.5 * lag["raw"]                      # the average's lag: "a factor of about 1.8"
assert lag["average of log"] > 1.3 * lag["raw"]                      # most of it survives averaging log(loss)
assert lag["average of log"] < lag["moving average"]                 # ... a small part is the nine decades
assert lag["centred"] <= lag["raw"]                                  # no lag: at or below the raw minimum

# %% [markdown]
# ### How the rules move when you change the test
#
# The range test has knobs of its own: the number of steps `num_iter` (how fast the lr grows) and the
# smoothing $\beta$. A good rule should not care much. We rerun the test for 4 values of each and plot
# every suggestion in units of 2/L (above 1 means "this lr diverges").

# %%
num_iters, smooths = (30, 100, 300, 1000), (0.0, 0.5, 0.9, 0.98)
table = lesson.rules_table(p, num_iters, smooths)
plotting.show(lesson.rules_figure(table, num_iters, smooths))
for name in lesson.RULES:
    row = "  ".join(f"{v:6.3f}" for v in table[name][-1])
    col = "  ".join(f"{v:6.3f}" for v in table[name][:, 1])
    print(f"{name:>8} / (2/L)   vs num_iter {num_iters}: {row}   vs smoothing {smooths}: {col}")

# %% [markdown]
# * **steepest** follows the test, not the problem: 30 → 1000 iterations moves it down by a factor
#   of about 40. A slower ramp spends more steps at each small lr, so the loss starts falling at a
#   smaller lr.
# * **min** moves *up* as the smoothing grows (the average lags more), and is past 2/L in every
#   setting of the table.
# * **valley** barely moves: less than a factor 3 over the whole table, the steadiest rule against the
#   test's own knobs. But on this toy it is steadily low, at 3 to 5% of 2/L (about twenty times as
#   many steps as the best lr needs, see above), because the middle of a long descent is far from its end.
# * **min/10** stays between 0.1 and 1 times 2/L everywhere: never divergent, never hopeless. It is
#   the safest rule *on this problem*, which does not make it the usual default: fastai's default has
#   been valley since 2021. The next section puts all four rules on a real network.

# %%
assert np.all(np.diff(table["steepest"][-1]) < 0)             # more iterations -> steepest moves down
assert 20 < table["steepest"][-1, 0] / table["steepest"][-1, -1] < 80     # "a factor of about 40"
assert np.all(np.diff(table["min"][:, 1]) >= 0)                # more smoothing -> min moves up
assert np.all(table["min"] > 1)                                # min is past the cliff in every setting
assert np.all((table["min/10"] > 0.1) & (table["min/10"] < 1))  # min/10 is always safe
assert table["valley"].max() / table["valley"].min() < 3        # valley barely moves ...
assert np.all((table["valley"] > 0.01) & (table["valley"] < 0.1))   # ... and stays at a few percent of 2/L

# %% [markdown]
# Try it live. Move `num_iter` and the smoothing and watch the four markers move against the 1/L
# and 2/L lines; press **use min**, **use min/10**, **use valley** or **use steepest** to train with that rule's lr
# (right panel), or drag the lr slider (the black line on the left panel) yourself.

# %% tags=["nbval-ignore-output"]
range_explorer = lesson.range_test_explorer()
range_explorer

# %% [markdown]
# ## 4. The range test on a real network
#
# Now a problem whose 2/L nobody can write down: a small neural network (64 → 64 → 10, ReLU) that
# classifies the 8×8 handwritten digits shipped with scikit-learn (1347 training and 450 test images,
# pixels standardized). The optimizer is SGD with momentum 0.9 and batches of 64: the everyday
# setting. `lrlab.pytorch.find_lr` runs the range test (100 steps from $10^{-4}$ to 10) and then puts
# the model and optimizer back exactly as they were.

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
# **Does the smoothing's lag carry over?** The same three minima, on the network's test:

# %%
net_lag = lesson.smoothing_lag(finder)
for how, lr in net_lag.items():
    print(f"minimum of the {how:<15}: lr = {lr:.3g} = {lr / net_lag['raw']:.2f} x the raw minimum")
print(f"toy: moving average / raw = {lag['moving average'] / lag['raw']:.2f}   "
      f"net: {net_lag['moving average'] / net_lag['raw']:.2f}")

# %% [markdown]
# It carries over, and is no smaller: here the moving average's minimum lies more than twice as far past the
# raw one as on the toy (it is at least 2 × the raw minimum on each of five seeds we tried, see
# `tests/test_lesson_03_finding_a_good_lr.py`), although this loss falls only about one decade. The
# batch loss is noisy, so the raw minimum is itself a lucky batch; the centred average again lands at
# or below it. What the toy adds, and a network cannot show, is *where* the cliff is: on the toy even
# the raw minimum is past 2/L. What carries over is the lag: **min is late by a factor of 2 or more
# at β = 0.98 and 100 iterations, whatever the problem.** min/10 makes up for that lag plus some margin.

# %%
assert net_lag["moving average"] > 2 * net_lag["raw"]                        # "at least 2 x the raw minimum"
assert net_lag["moving average"] / net_lag["raw"] > lag["moving average"] / lag["raw"]   # "no smaller than on the toy"
assert net_lag["centred"] <= net_lag["raw"]                                  # centred: no lag

# %% [markdown]
# The curve has the same shape as on the toy: flat while the lr is too small to matter, a fall, a
# minimum, and an explosion. Here the suggestion rules are all we have, so we test them the only way
# available: train with each for 300 steps (about 14 passes over the data) and measure the accuracy on
# the held-out test images.
#
# ## 5. Training with the chosen learning rate

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
# The lesson of the toy holds on the real network. **steepest**, **valley** and **min/10** all train
# well (above 95% on images the network never saw). valley again suggests the smallest lr, and after
# 300 steps its training loss is still more than ten times min/10's: a cautious start, as on the toy. **min** is too large: the training loss grows exponentially
# (a straight line on the log scale) until `lrlab.pytorch.train` stops the run as diverged (the
# cross), and there is no accuracy to speak of: a blown-up network is not a worse classifier, it is
# no classifier, and its "accuracy" would be a number that changes with every rounding. The range test
# gets you into the right range in one short run; its minimum marks where trouble starts, not where
# to train.

# %%
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
# Training loss is what the range test reads, but what we want is accuracy on images the network never
# saw. So judge the lr, and a schedule, the way D2L's scheduler section judges schedules: by test
# accuracy, over several seeds. A smaller net (64 → 32 → 10) trains for a budget of 100 SGD steps
# (momentum 0.9, batches of 64), with a constant lr or with cosine decay from that lr to 0, at six lrs
# and three seeds (the seed sets the initial weights and the batch order).

# %%
gen_table = lesson.generalization_table()
plotting.show(lesson.generalization_figure(gen_table))
const, cosine = gen_table["constant"], gen_table["cosine"]
lr_index = {lr: i for i, lr in enumerate(lesson.GEN_LRS)}
best_const = int(np.argmax(np.nanmean(const, axis=1)))
print(f"best constant lr: {lesson.GEN_LRS[best_const]:g}   best cosine peak: {lesson.GEN_LRS[int(np.argmax(np.nanmean(cosine, axis=1)))]:g}")

# %% [markdown]
# Every seed agrees on four things.
#
# * **Test accuracy is a hump in the lr.** With a constant lr, 0.003 is too slow for 100 steps and 1.0 is
#   too noisy: on every seed both are more than 5 points below every seed at the best lr (0.1).
# * **Cosine decay rescues large learning rates.** At lr 1.0 every seed's cosine run beats every seed's
#   constant run, and the mean by more than 5 points: the late, small steps undo the noise of the early,
#   large ones.
# * **It hurts small ones.** At 0.003 it is worse than the constant lr on every seed: decaying an lr that
#   was already too small only spends less of the budget moving.
# * **It does not raise the best accuracy** here: the best means of the two differ by less than 2 points.
#   What the schedule changes is *where* the good lrs are: its peak can be larger.
#
# The single accuracies are not printed: a run at lr 1.0 with a constant lr is chaotic (the last
# digit changes with the CPU), and only the verdicts above hold on every machine.

# %%
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
# * A **coarse grid** (×10 apart) finds the right decade. If its best value is on the grid's edge, the
#   search is not finished: extend the grid in that direction.
# * A **fine log sweep** finds the best lr. On a quadratic that is $2/(\mu+L)$, a little below the
#   stability limit $2/L$: the best learning rate lives next to the cliff, and past the cliff the loss
#   explodes rather than degrading gently.
# * The **LR range test** needs one short run. Its *min* rule lands past the cliff (divergence shows up
#   late, and the moving average lags, by a factor of 2 or more on the network too); *steepest* depends on how fast the test ramps; *valley*
#   (fastai's default) hardly moves with the test's settings but lands low, at the middle of the
#   descent; *min/10* stayed safe in every setting we tried. On a real network, steepest, valley and
#   min/10 trained to above 95% test accuracy and min diverged. The min rule's lag is the moving
#   average's, and it carries over from the toy to the network.
# * Judged by **test accuracy** over seeds, the lr is a hump; cosine decay moves the good lrs up (it
#   rescues a large lr and hurts a small one) without raising the best accuracy.
# * Treat any rule as a starting point and confirm it with a short run at that lr.
#
# ## Exercises
#
# **Exercise 1.** On the known-answer problem, what is the largest constant learning rate for which
# gradient descent still converges? Find it with the sweep or the slider (or from `p.loss.eigenvalues`).

# %%
answer = None   # your number here
lesson.check_largest_lr(answer)

# %% [markdown]
# **Exercise 2.** For the default range test (`lesson.range_test(p)`: 100 steps, $\beta$ = 0.98), which
# rule lands closest to the best learning rate `p.optimal_lr`, measured as a factor? Answer `'steepest'`,
# `'valley'`, `'min'` or `'min/10'`.

# %%
answer = None   # 'steepest', 'valley', 'min' or 'min/10'
lesson.check_closest_rule(answer)

# %% [markdown]
# **Exercise 3.** With 100 steps, does raising the smoothing $\beta$ from 0 to 0.98 move the *min* rule
# to a `'larger'` or a `'smaller'` learning rate? Predict, then check with `lesson.range_test(p, 100, beta)`.

# %%
answer = None   # 'larger' or 'smaller'
lesson.check_smoothing_direction(answer)

# %% [markdown]
# **Exercise 4 (code).** Write the range test yourself. `my_range_test(loss, x0, lrs)` starts at `x0`, takes
# one gradient-descent step with each lr of `lrs` in turn, and returns the list of losses, one per lr, each
# measured *after* its step. `loss.value(x)` and `loss.grad(x)` give the loss and its gradient. The check
# runs your function on this lesson's problem with a 100-step ramp, compares it with lrlab's range test step
# by step, and then tells you where your test's *min* rule lands against 2/L.

# %%
def my_range_test(loss, x0, lrs):
    answer = None   # your loop here: a list of losses, one after each step
    return answer


lesson.check_range_test_function(my_range_test)

# %% [markdown]
# **Exercise 5 (code).** Tune the digits network of section 6 under its budget: 100 SGD steps (momentum 0.9,
# batches of 64, net 64 → 32 → 10). Write `my_lr(t)`, the lr of step `t` (t = 0 … 99): a constant, a decay,
# a warm-up, anything. The check trains with it on three seeds and passes when the mean test accuracy is at
# least 95% and no seed diverges; if not, it says what went wrong. Use what section 6 showed.

# %%
def my_lr(t):
    answer = None   # the lr at step t
    return answer


lesson.check_budget_schedule(my_lr)
