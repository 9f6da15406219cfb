# %% [markdown]
# # 10 · Capstone: tune a network end to end
#
# Each lesson so far isolated one idea. This one puts them together on a real network, in the order you
# would use them on a new problem, and ends with a learning rate and a schedule you can defend:
#
# 1. the data, split three ways: training, validation, test;
# 2. two checks before any training: the loss at initialisation, and learning one batch by heart;
# 3. the LR range test, read with the rules of lesson 03;
# 4. a constant lr against warm-up + cosine and one-cycle (with its momentum cycle) on the same budget,
#    judged by training **and** validation curves;
# 5. reading a run with its gradient norm and update/weight ratio, on a run broken on purpose;
# 6. a small random search over lr, weight decay and batch size, and how much the seed alone moves the result;
# 7. the test set, used once;
# 8. a live widget, and exercises; in the last one you write the whole recipe and the check trains it.
#
# **Predict first.** The range test will suggest a constant lr. Suppose you also train with a schedule that
# peaks three times higher, with a warm-up before the peak and a decay after it. Which recipe will end with
# the lowest loss on the *training* images? Which with the lowest loss on the *validation* images? Will it
# be the same recipe?

# %%
import numpy as np

from lrlab import plotting
from lrlab.pytorch import torch  # torch (lrlab[torch]); if missing, this line says what to install
from lrlab.lessons import capstone as lesson

torch.manual_seed(0)
torch.set_num_threads(1)

# %% [markdown]
# ## 1. The data and the network
#
# The 1797 handwritten digits that scikit-learn installs with itself: 8×8 grey images, ten classes. A fifth
# of them is set aside as the **test set**, not to be looked at until section 7. A quarter of the rest is
# the **validation set**: every choice below is judged on it. The remaining images are for training. Each
# pixel is standardized with the training images' mean and standard deviation (lesson 09), so nothing about
# the validation or test images leaks into the inputs.

# %%
s = lesson.splits()
print(s.sizes())
model = lesson.net(seed=0)
print(model)
print(f"{sum(p.numel() for p in model.parameters())} parameters")

# %% [markdown]
# The network is small: 64 pixels in, one hidden layer of 64 ReLU units, and 10 outputs (the *logits*, one
# score per class), trained with the cross-entropy loss. It computes in float64, as in lesson 08.
#
# ## 2. Checks before training
#
# ### The loss at initialisation
#
# Before spending any compute, check that the loss starts where it should. A network that knows nothing
# should give each of the 10 classes the probability 1/10, and the cross-entropy of that guess is
# $-\ln(1/10) = \ln 10 \approx 2.303$, whatever the image. A first loss far from it points to a bug in the
# data, the labels or the loss, or to an initialisation that is confidently wrong. `lrlab.pytorch.small_mlp`
# draws the last layer's weights on the same scale as the hidden layer's (standard deviation $1/\sqrt{64}$ for
# the last layer, $\sqrt{2}$ times that for the ReLU layer); `lesson.net` builds the same network and then
# multiplies the last layer's weights by 0.1. Both, on five seeds:

# %%
print(f"ln 10 = {np.log(10):.3f}")
as_built = [lesson.initial_loss(seed, last_scale=1.0) for seed in range(5)]
scaled = [lesson.initial_loss(seed) for seed in range(5)]
print("initial loss, small_mlp as built:          ", "  ".join(f"{v:.3f}" for v in as_built))
print("initial loss, last layer's weights x 0.1:  ", "  ".join(f"{v:.3f}" for v in scaled))

# %% tags=["check"]
assert sum(s.sizes().values()) == 1797 and s.sizes()["test"] == int(np.ceil(0.2 * 1797))
assert all(v > 2.6 for v in as_built)                                    # "above ln 10 on every seed"
assert all(abs(v - np.log(10)) < 0.03 for v in scaled)                   # "within 0.03 of ln 10"

# %% [markdown]
# As built, the network starts well above $\ln 10$ on every seed. Its logits come out of a random last layer
# of about the same scale as the hidden one, so they are of order 1 and differ from class to class: before any
# training it is already confident, and right only by chance. Cross-entropy charges more for a confident
# wrong answer than it pays back for a confident right one, so the average climbs above $\ln 10$. With the
# last layer scaled down, the logits start ten times smaller, every prediction is close to uniform, and the
# loss is within 0.03 of $\ln 10$ on all five seeds. Checking the loss at initialisation, and initialising
# the last layer small, are the first steps of Karpathy's *A Recipe for Training Neural Networks* (2019).
# The rest of the lesson uses the scaled network.
#
# <details><summary>Optional: why random logits raise the loss above ln 10</summary>
#
# The cross-entropy of logits $z$ and label $y$ is $\ln \sum_k e^{z_k} - z_y$. The first term is a convex
# function of $z$, so by Jensen's inequality its average over random logits is at least its value at the
# average logits. If no class is favoured on average, every logit has the same average $m$: the first term
# then averages at least $m + \ln 10$, while $z_y$ averages $m$, so the loss averages at least $\ln 10$, with
# equality only when the logits do not vary at all. The more they spread, the more they add.
#
# </details>
#
# ### Learn one batch by heart
#
# Second check: can the network and the training loop fit anything at all? Take 32 training images and train
# on them alone: full-batch SGD, lr 0.1, momentum 0.9, 100 steps. A correct set-up drives their loss to
# nearly 0 and gets all 32 right. If it cannot, no learning rate will help: look for a bug first (labels
# shuffled apart from their images, probabilities fed to a loss that expects logits, a layer that is frozen).

# %%
for seed in lesson.SEEDS:
    o = lesson.overfit_one_batch(seed)
    print(f"seed {seed}: batch loss {o.loss[0]:.2f} -> below 0.001 after 100 steps: {bool(o.loss[-1] < 1e-3)};  "
          f"{o.batch_accuracy:.0%} of the 32 right;  validation accuracy below 80%: {o.val_accuracy < 0.8}")

# %% tags=["check"]
over = [lesson.overfit_one_batch(seed) for seed in lesson.SEEDS]
assert all(o.loss[-1] < 1e-3 and o.batch_accuracy == 1.0 and o.val_accuracy < 0.8 for o in over)

# %% [markdown]
# It passes on every seed. The validation accuracy stays low: 32 images learned by heart say little about the
# other digits. That is expected; this check tests the machinery, not generalisation.
#
# ## 3. The LR range test
#
# Lesson 03's test: one short run whose lr grows by the same factor at every step, ×10 about every 20 steps from
# $10^{-4}$ to 10, here with SGD (momentum 0.9) and batches of 64. It records the batch loss and its moving
# average ($\beta = 0.98$) and stops once the average passes four times its best. `lrlab.pytorch.find_lr`
# then puts the network and the optimizer back as they were.

# %%
finder = lesson.range_test(seed=0)
rules = lesson.rules(finder)
plotting.show(lesson.range_test_figure(finder))
print("   ".join(f"{name} ≈ {lr:.1g}" for name, lr in rules.items()))
print(f"stopped early, the moving average past 4x its best: {finder.diverged}")

# %% tags=["check"]
assert 0.035 < rules["steepest"] < 0.045 and 0.0095 < rules["valley"] < 0.015
assert 0.95 < rules["min"] < 1.5 and 0.095 < rules["min/10"] < 0.15 and finder.diverged
assert lesson.nice_lr(rules["min/10"]) == 0.1
raw_best = finder.lrs[np.nanargmin(finder.losses)]
assert raw_best < rules["min"] / 2                                     # "the batch loss is lowest ... below min/2"
near_min = (finder.lrs > 0.7) & (finder.lrs < 1.5)
assert np.mean(finder.losses[near_min]) > 2 * np.nanmin(finder.losses)    # "where the loss is already climbing"
assert 2.5 < rules["min"] / 0.3 < 5                                    # "three times below min"

# %% [markdown]
# Read with lesson 03's rules:
#
# * **min** (≈ 1) is late. The batch loss (grey) is lowest at less than half of it; the moving average lags
#   behind the loss and bottoms out later, where the loss is already climbing. min marks where trouble
#   starts, not where to train.
# * **min/10** (≈ 0.1) was the safe rule in lesson 03. It is our constant lr.
# * **steepest** (≈ 0.04) and **valley** (≈ 0.01) land lower, valley lowest, as in lesson 03. The search of
#   section 6 tries lrs near both: they train, but reach less in the same budget.
#
# A schedule holds its peak for only part of the run, with a warm-up before it and a decay after it, so its
# peak is usually set higher than a constant lr, though still below where the range test's loss bottoms out.
# We give the schedules a peak of **0.3**: three times min/10, and three times below min.
#
# ## 4. Three recipes, one budget
#
# Every recipe trains the same network for 10 epochs of 16 batches of 64 images (each epoch a fresh shuffle of
# the 1077 training images, the 53 left over dropped), 160 steps in all, with SGD, momentum 0.9 and no weight
# decay, on three seeds (the seed sets the initial weights and the order of the batches). Only the schedule
# differs (of the lr, and in one-cycle of the momentum too):
#
# * **constant 0.1**, the range test's min/10;
# * **constant 0.3**, the schedules' peak held from start to end;
# * **warm-up + cosine, peak 0.3**: torch's `LinearLR` raises the lr from 1% to 100% of the peak over the
#   first 16 steps, then `CosineAnnealingLR` lowers it toward 0 (a `SequentialLR` chains the two);
# * **one-cycle, peak 0.3**: torch's `OneCycleLR` raises the lr from 0.3/25 to 0.3 over the first 30% of the
#   steps and lowers it along a cosine to 0.3/25/10⁴. With `cycle_momentum=True`, its default, the momentum
#   moves the other way: from 0.95 down to 0.85 while the lr climbs, and back up to 0.95 while it falls.

# %%
recipes = {"constant 0.1": lesson.Recipe(lr=0.1),
           "constant 0.3": lesson.Recipe(lr=0.3),
           "warm-up + cosine, peak 0.3": lesson.Recipe(lr=0.3, schedule="warmup-cosine"),
           "one-cycle, peak 0.3": lesson.Recipe(lr=0.3, schedule="one-cycle")}
plotting.show(lesson.schedule_figure(recipes))
for name, recipe in recipes.items():
    print(f"{name:<28} largest lr / (1 - momentum): {lesson.effective_step(recipe):.2g}")

# %% tags=["check"]
steps = {name: lesson.schedule_trace(r) for name, r in recipes.items()}
assert all(lesson.steps_of(r) == 160 for r in recipes.values()) and len(s.y_train) == 1077 and 1077 - 16 * 64 == 53
lr_oc, mom_oc = steps["one-cycle, peak 0.3"]
assert np.argmax(lr_oc) == np.argmin(mom_oc) == 47                      # peak lr where the momentum bottoms out
assert np.isclose(mom_oc.max(), 0.95) and np.isclose(mom_oc.min(), 0.85)
lr_wc, _ = steps["warm-up + cosine, peak 0.3"]
assert np.isclose(lr_wc[0], 0.003) and np.argmax(lr_wc) == 16 and np.isclose(lr_wc.max(), 0.3)
assert np.isclose(lr_oc[0], 0.3 / 25) and np.isclose(lr_oc[-1], 0.3 / 25 / 1e4) and lr_wc[-1] < 1e-4
assert np.allclose([lesson.effective_step(r) for r in recipes.values()], [1.0, 3.0, 3.0, 2.0])

# %% [markdown]
# Why cycle the momentum? With heavy-ball momentum $\beta$, a gradient that stays the same moves the weights by
# $\text{lr}/(1-\beta)$ times itself per step (lesson 05), so that ratio is the step size that matters. At its
# peak one-cycle's lower momentum keeps the ratio at $0.3/0.15 = 2$, where warm-up + cosine, with the same peak
# lr and momentum 0.9, reaches $0.3/0.1 = 3$.
#
# Now train each recipe on three seeds, measuring the loss on all training images and on the validation
# images after every epoch. The figure shows seed 0: one panel per recipe (training loss solid, validation
# loss dashed) and the validation accuracy of all four.

# %%
runs = {name: lesson.train_seeds(recipe) for name, recipe in recipes.items()}
plotting.show(lesson.curves_figure({name: rs[0] for name, rs in runs.items()}))

# %% [markdown]
# The same three numbers at the end of each run, now for every seed (one dot per seed):

# %%
table = {name: lesson.summary(rs) for name, rs in runs.items()}
plotting.show(lesson.seeds_figure(table))
const, high = table["constant 0.1"], table["constant 0.3"]
scheds = [table["warm-up + cosine, peak 0.3"], table["one-cycle, peak 0.3"]]
lowest_train = all(np.all(t["train_loss"] < min(const["train_loss"].min(), high["train_loss"].min())) for t in scheds)
lowest_val = all(const["val_loss"].max() < t["val_loss"].min() for t in scheds + [high])
print(f"lowest training loss: the two schedules, on every seed: {lowest_train}")
print(f"lowest validation loss: constant 0.1, on every seed: {lowest_val}")

# %% tags=["check"]
assert lowest_train and lowest_val
assert all(10 * t["train_loss"].max() < high["train_loss"].min() for t in scheds)   # "more than ten times"
assert all(np.all(t["val_loss"] > 50 * t["train_loss"]) for t in scheds)           # "more than 50 times"
assert np.all(const["val_loss"] < 15 * const["train_loss"])                          # "under 15 times"
assert np.all(const["val_acc"] >= 0.985)
assert all(np.ptp(table[name]["val_acc"]) > 0.01 for name in table if name != "constant 0.1")   # "a point or more"
assert all(np.sum(np.diff(r.train_loss[1:]) > 0) >= 1 for r in runs["constant 0.3"])           # "rises again"
ratio = np.concatenate([t["val_loss"] / const["val_loss"] for t in scheds])
assert 2 < ratio.min() and ratio.max() < 5                                           # exercise 4: "two to five times"
assert all(np.all(np.abs(t["val_acc"] - const["val_acc"]) < 0.03) for t in scheds)  # exercise 4: "within three points"
assert not any(r.diverged for rs in runs.values() for r in rs)

# %% [markdown]
# Four things hold on every seed.
#
# * **The schedules reach the lowest training loss**, below both constant lrs, and more than ten times below
#   the constant 0.3 that holds their peak. Held constant, 0.3 is too large to settle: after the first epoch
#   its training loss rises again in some epochs instead of going on down. The warm-up eases the start and the
#   decay lets the run settle, so a peak at which a constant lr cannot settle becomes usable.
# * **The constant 0.1 reaches the lowest validation loss**, below the schedules' although its training loss
#   is higher.
# * **The schedules' networks fit the training images far more tightly than the validation images**: their
#   validation loss ends more than 50 times their training loss, while the constant 0.1's ends under 15 times
#   its own. They have become confident on the images they trained on, more than their accuracy on new images
#   justifies. That is overfitting, and here it shows in the validation loss, not in the accuracy.
# * **The validation accuracies are close**: the constant 0.1 gets at least 98.5% on every seed, and the
#   seed moves the others by a point or more.
#
# So the answer to the opening question: the recipe with the lowest training loss is not the one with the
# lowest validation loss. Choose by validation; the training loss only tells you whether the optimisation
# works.
#
# ## 5. Reading a run, and a run broken on purpose
#
# On a real problem you never see the loss landscape, only traces of the run. Here is the constant 0.1 beside
# a run broken on purpose: a constant lr of 0.5, five times the range test's min/10 and about half its min.
# Four traces per run: the loss (each batch thin, the whole training set and the
# validation set after each epoch), the validation accuracy, the gradient norm and the update/weight ratio
# $\lVert\Delta w\rVert / \lVert w\rVert$ of every step, as `lrlab.pytorch.train` records them.

# %%
good, broken = lesson.Recipe(lr=0.1), lesson.Recipe(lr=0.5)
plotting.show(lesson.diagnosis_figure({"lr 0.1": lesson.train_recipe(good), "lr 0.5": lesson.train_recipe(broken)}))

# %% [markdown]
# The broken run finishes: `train` never stops it, because its loss never passes $10^{10}$ times its start.
# What do its traces say, on all three seeds?

# %%
goods, brokens = lesson.train_seeds(good), lesson.train_seeds(broken)
median = lesson.median_trace
verdicts = {
    "training loss fell in the first epoch, then ended above 100": all(
        b.train_loss[1] < b.train_loss[0] and b.final["train_loss"] > 100 for b in brokens),
    "median gradient norm more than 30 times the good run's": all(
        median(b, "grad_norm") > 30 * median(g, "grad_norm") for g, b in zip(goods, brokens)),
    "median update/weight ratio more than 10 times the good run's": all(
        median(b, "update_ratio") > 10 * median(g, "update_ratio") for g, b in zip(goods, brokens)),
    "logits more than 1000 times larger than the good run's": all(
        lesson.logit_scale(b) > 1000 * lesson.logit_scale(g) for g, b in zip(goods, brokens)),
    "validation accuracy between 75% and 95% (the good run: at least 98.5%)": all(
        0.75 < b.final["val_acc"] < 0.95 < 0.985 <= g.final["val_acc"] for g, b in zip(goods, brokens)),
}
for claim, holds in verdicts.items():
    print(f"{claim}: {holds} on every seed")

# %% tags=["check"]
assert all(verdicts.values())
assert all(0.07 < median(b, "update_ratio") < 0.09 for b in brokens)     # "about 8% of their size"
assert all(b.final["train_loss"] > 100 * b.train_loss[1] for b in brokens)   # "climbs by orders of magnitude"
assert all(np.nanmedian(b.record.grad_norm[-16:]) > 10 * np.nanmedian(b.record.grad_norm[:16]) for b in brokens)
assert 0.4 < 0.5 / rules["min"] < 0.6 and np.isclose(0.5 / lesson.nice_lr(rules["min/10"]), 5)
assert all(not b.diverged for b in brokens)

# %% [markdown]
# The diagnosis, trace by trace:
#
# * **Loss.** The training loss falls for one epoch, then climbs by orders of magnitude. A too-high lr shows
#   in the *training* curve itself; overfitting (section 4) does not: there the training loss is low and the
#   validation loss sits far above it.
# * **Accuracy.** Still between 75% and 95%: judged by accuracy alone, this run might pass for mediocre. Its
#   logits are more than a thousand times larger than the good run's: the network answers with extreme
#   confidence, and each of its mistakes costs an enormous cross-entropy.
# * **Gradient norm.** More than 30 times the good run's (median over the run), growing with the loss.
# * **Update/weight ratio.** About 8% of the weights' size per step (median), more than ten times the good run's:
#   each step moves the weights so far that the network never settles.
#
# Verdict: the lr is too high. Remedies, from this course: go back toward the range test's min/10, or, for a
# peak above what a constant lr tolerates, add a warm-up and a decay (section 4).
#
# ## 6. A random search, and the spread over seeds
#
# Section 4 held the batch size and the weight decay fixed. A **random search** draws each configuration at
# random: the lr log-uniform between 0.01 and 1, the weight decay log-uniform between $10^{-5}$ and $10^{-2}$,
# the batch size 32, 64 or 128; always one-cycle, 10 epochs. With few knobs that matter, random beats a grid of
# the same size: a 12-point grid over three knobs (2 × 2 × 3, say) tries only 2 or 3 learning rates, where 12
# random draws try 12. Each configuration trains on the same three seeds, because one seed is one lottery
# ticket.

# %%
search = lesson.random_search(n=12)
plotting.show(lesson.search_figure(search))
order = search.order()
best4 = sorted(order[:4], key=lambda i: search.configs[i].lr)
print("the four best by mean validation accuracy (sorted by lr):")
for i in best4:
    print("   ", search.configs[i].label)

# %% tags=["check"]
lrs = np.array([c.lr for c in search.configs])
assert set(order[:4]) == set(np.nonzero((lrs > 0.1) & (lrs < 0.3))[0])          # the lr decides most
assert set(order[-3:]) == set(np.nonzero(lrs < 0.015)[0])                        # the three near 0.01 are last
assert search.mean[order[3]] > search.mean[order[4]] + 0.005                      # ... with a margin
assert search.mean[order[-3:]].max() < search.mean[order[:4]].min() - 0.05       # "five points or more"
best, worst = search.acc[order[:4]].max(axis=1), search.acc[order[:4]].min(axis=1)
assert all(best[i] > worst[j] for i in range(4) for j in range(4) if i != j)     # overlapping seed ranges
assert search.mean[order[0]] - search.mean[order[3]] < 0.005                       # "half a point"
assert np.all(search.acc[order[:4]].max(axis=1) - search.acc[order[:4]].min(axis=1) > 0.01)   # "a point or more"
wds = sorted(search.configs[i].weight_decay for i in best4)
assert wds[0] < 2e-5 and wds[-1] > 3e-3
assert {search.configs[i].batch_size for i in best4} == {32, 64, 128}
assert not np.isnan(search.acc).any()
near_steepest = np.nonzero((lrs > 0.03) & (lrs < 0.05))[0]                         # section 3: "reach less"
assert near_steepest.size == 1 and search.mean[near_steepest[0]] < search.mean[order[3]] - 0.01

# %% [markdown]
# * **The lr decides most.** The four best configurations are exactly the four with a peak lr between 0.1 and
#   0.3; the three near 0.01 come last, five points or more below them. (0.1 to 0.3 is the range from the range
#   test's min/10 to the peak we took from it in section 3.)
# * **Among the four best, the seed decides.** Their means lie within half a point of each other, while each
#   one's seeds spread over a point or more, and every one's best seed beats every other's worst. Their order
#   is noise: another three seeds could reverse it.
# * **Weight decay and batch size do not decide here**: the four best span weight decays from about $10^{-5}$ to
#   $4\cdot10^{-3}$ and all three batch sizes.
#
# A search narrows down the lr. Past that, take any of the tied configurations (the cheapest, say) and spend
# the compute on seeds rather than on more digits of the lr.
#
# ## 7. The test set, once
#
# Every number so far came from the validation set, which we used to choose, so it flatters what we chose a
# little: picking the best of several recipes partly picks the luckiest. The test images have not been
# used for anything yet. We ship section 4's constant lr 0.1 (the range test's pick; the search found nothing
# clearly better) and measure it on the test set, once, on the three seeds:

# %%
shipped = lesson.train_seeds(lesson.Recipe(lr=0.1))
test_acc = np.array([r.test_accuracy() for r in shipped])
val_acc = np.array([r.final["val_acc"] for r in shipped])
print(f"test accuracy on {len(s.y_test)} unseen images: {test_acc.mean():.1%} (mean of the three seeds); "
      f"validation accuracy: {val_acc.mean():.1%}")

# %% tags=["check"]
assert np.all(test_acc >= 0.97) and np.all(test_acc < val_acc) and len(s.y_test) == 360
assert val_acc.mean() > search.mean.max()                                 # "the search found nothing clearly better"
gap = val_acc.mean() - test_acc.mean()
sd = np.sqrt(test_acc.mean() * (1 - test_acc.mean()) / 360)
assert 0.005 < gap < 0.015 and 0.006 < sd < 0.008 and gap < 2 * sd

# %% [markdown]
# A little below the validation accuracy, on every seed: about one point on average. With 360 images one image
# is 0.28 points, and an accuracy near 98% measured on 360 images has a standard deviation of about 0.7 points,
# so a gap of this size is within what two random samples of that size give. The test set is there to report
# the result, not to choose again: tuning on it would make it a second validation set.
#
# ## 8. All of it, live
#
# The slider sets the lr (a schedule's peak), the menu the schedule; every change trains a fresh network from
# seed 0 for section 4's 10 epochs (about half a second; a setting seen before comes from a cache). Panels:
# the lr along the run; the loss (each batch grey, the training set and the validation set after each epoch);
# the validation accuracy; the gradient norm and the update/weight ratio. The badge reads the training-set loss
# after each epoch, the curve you would watch: **diverging** if the run blew up or ended above its start,
# **oscillating** if the loss climbed back above 1.5 times the lowest value it had reached, **monotone** if it
# kept falling (bumps smaller than that, the minibatch noise, aside); beside it, the share of the starting loss
# that is gone
# (`lrlab.diagnostics.progress`, taking 0, the lowest a cross-entropy can go, as the minimum). Sections 4 and 5
# are the same runs as static figures.
#
# Things to try: press **too high**, then switch the schedule to one-cycle without moving the lr. Find the
# largest peak at which warm-up + cosine still ends with a lower validation loss than it started with. Watch
# the update/weight ratio as you move the lr a factor of 10 either way from 0.1.

# %% tags=["nbval-ignore-output"]
explorer = lesson.explorer()
explorer

# %% [markdown]
# ## Summary
#
# * **Check before training**: the loss at initialisation should be $\ln(\text{number of classes})$ (here it was
#   not, until the last layer started small), and the network must be able to learn one batch by heart.
# * **The range test** gives the lr's range in one short run. Its min is late; min/10 is a safe constant lr;
#   a schedule's peak can go higher.
# * **A schedule** (warm-up + cosine, one-cycle) made usable a peak of 0.3 at which a constant lr cannot
#   settle, and reached the lowest training loss. It did not reach the lowest validation loss: the lowest training loss
#   is not the best model. One-cycle lowers the momentum while the lr is high, keeping lr/(1 − β) smaller.
# * **Read a run by its traces**: training and validation loss side by side tell a too-high lr (the training
#   loss itself climbs) from overfitting (the training loss is low, the validation loss far above it); the
#   gradient norm and the update/weight ratio say how big the steps are.
# * **A random search** finds the lr's range quickly; beyond that, configurations tie within the spread over
#   seeds, so report results over several seeds.
# * **The test set** is used once, at the end.
#
# ## Exercises
#
# **Exercise 1.** A network classifies handwritten letters, 26 classes, with cross-entropy. Its last layer is
# initialised small, as in section 2. What loss do you expect at step 0?

# %%
answer = None   # your number here
lesson.check_initial_loss(answer)

# %% [markdown]
# **Exercise 2.** Another one-cycle: `OneCycleLR(optimizer, max_lr=0.2, total_steps=200, pct_start=0.25,
# base_momentum=0.8, max_momentum=0.9)` on SGD. What is the largest $\text{lr}/(1-\beta)$ over the run? Reason it
# out first; a small loop that steps torch's scheduler and reads `optimizer.param_groups[0]` (as
# `lesson.schedule_trace` does) will confirm it.

# %%
answer = None   # your number here
lesson.check_effective_step(answer)

# %% [markdown]
# **Exercise 3.** Two runs of a narrower network (64 → 32 → 10), recipes hidden. Diagnose each one:
# `'too low'`, `'too high'`, `'overfitting'` or `'fine'`.

# %%
plotting.show(lesson.mystery_figure())

# %%
answer = None   # e.g. {"A": "fine", "B": "fine"}
lesson.check_diagnosis(answer)

# %% [markdown]
# **Exercise 4 (explain).** In section 4 the schedules ended with a validation loss two to five times the
# constant 0.1's, yet with validation accuracies within three points of it on every seed. How can the loss on
# the validation images grow while the share of them classified right hardly changes? Write your answer, then
# open the model answer.
#
# <details><summary>Model answer (open after you have written yours)</summary>
#
# Accuracy only asks whether the right class has the largest logit; cross-entropy also asks how much
# probability the right class gets. A network that keeps training on the same images grows its logits:
# it becomes more confident. On the images it gets right, the loss falls a little (from small to smaller).
# On the few it gets wrong, a confident wrong answer gives the right class a tiny probability, whose
# logarithm is large and negative, so each mistake costs more and more. The validation loss then grows
# even if the same images are right and wrong as before. Weight decay, which keeps the weights and hence the
# logits small, and stopping earlier are the usual remedies.
#
# </details>
#
# **Exercise 5 (your recipe).** Tune a narrower network (64 → 32 → 10) under a budget of at most 5 epochs.
# Choose the lr, the schedule (`'constant'`, `'warmup-cosine'` or `'one-cycle'`), the batch size (16, 32, 64,
# 128 or 256), the number of epochs and, if you like, a weight decay. The check trains your recipe on three
# new seeds and passes when the mean validation accuracy is at least 97% and no seed blows up; if not, it says
# what went wrong. `lesson.train_recipe(lesson.Recipe(..., hidden=(32,)), seed)` and `lesson.diagnosis_figure`
# let you try recipes first. Use what the range test, section 4 and the search showed, and remember that half
# the epochs is half the steps.

# %%
answer = None   # dict(lr=..., schedule=..., batch_size=..., epochs=..., weight_decay=0.0)
lesson.check_recipe(answer)
