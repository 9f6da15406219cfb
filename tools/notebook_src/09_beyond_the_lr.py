# %% [markdown]
# # 09 · Beyond the learning rate: what it cannot fix
#
# The earlier lessons took the loss as given and asked which learning rate suits it. But the loss is
# not given: it depends on how you prepare the data, how you initialize the weights and how you build
# the network. Those choices change the curvature that the learning rate has to respect, and so the
# range of learning rates that work. Sometimes no learning rate is good, and the fix is elsewhere.
#
# You will see **feature scaling** change the usable lr dramatically, what standardizing
# **cannot** fix (correlated features), how the **initialization scale** moves and shrinks the window
# of good learning rates, and how **normalization** (BatchNorm) raises its top.
#
# **Predict first.** A linear model has two input features. The first has a spread (standard
# deviation) of 1, the second of 10, as when one is measured in metres and the other in decimetres.
# Compared with the same model on rescaled features (both with spread 1), the boundary of the learning
# rates at which gradient descent converges is about (a) the same, (b) 10 times smaller, (c) 100 times
# smaller. Choose, then
# check with the toggle of the explorer below.

# %%
import numpy as np

import lrlab
from lrlab import data, diagnostics, plotting, theory
from lrlab.pytorch import torch  # torch (lrlab[torch]); if missing, this line says what to install
from lrlab.lessons import beyond_the_lr as lesson

torch.manual_seed(0)
torch.set_num_threads(1)

# %% [markdown]
# ## The explorer
#
# Gradient descent on least squares, $f(w) = \frac{1}{2n}\lVert Xw - y\rVert^2$, from $w = (0, 0)$ for
# 50 steps. The toggle switches between the **raw** features and the **standardized** ones (each
# divided by its standard deviation). Left: the path on the loss contours (same scale on both axes, so
# the shape of the bowl is true); middle: the loss minus its minimum; right: the loss after 50 steps for
# every learning rate, with $1/L$ and $2/L$ marked. Watch the theory marks jump when you toggle.

# %% tags=["nbval-ignore-output"]
explorer = lesson.explorer()
explorer

# %% [markdown]
# ## 1. Feature scaling changes the curvature
#
# The curvature of a loss in several dimensions is its **Hessian**, the matrix of second derivatives;
# its eigenvalues are the curvatures along the bowl's axes (see lesson 02, *Curvature in several
# dimensions*). For least squares the Hessian is the same everywhere: $H = X^\top X / n$. With features
# of mean about 0, its diagonal holds the features' variances, here about $1^2 = 1$ and $10^2 = 100$.
# So the steep direction has curvature $L \approx 100$ and the flat one $\mu \approx 1$: the bowl is
# stretched a hundredfold. Two numbers from lesson 02 follow:
#
# - the **stability limit** $2/L$: the error along the steep direction is multiplied by $1 - \text{lr}\,L$
#   per step, so the lr must stay below $2/L \approx 0.02$;
# - the **best achievable rate**: even at the best lr, $2/(\mu + L)$, the flat direction shrinks only by
#   the factor $(\kappa - 1)/(\kappa + 1)$ per step, with $\kappa = L/\mu$ the condition number.
#
# Dividing each feature by its standard deviation is a change of units: the model becomes
#
# $$w_1 x_1 + w_2 x_2 = (\sigma_1 w_1)(x_1/\sigma_1) + (\sigma_2 w_2)(x_2/\sigma_2),$$
#
# the same set of predictions with the same best fit, but the new Hessian has both variances equal to 1. (Standardizing
# usually also subtracts the mean; these features already have mean about 0.) The numbers, from
# `lrlab.theory`:

# %%
raw, std = lesson.raw_loss(), lesson.standardized_loss()
rows = {"raw": lesson.theory_table(raw), "standardized": lesson.theory_table(std)}
print(f"{'':>13} {'L':>8} {'mu':>7} {'kappa':>7} {'1/L':>8} {'2/L':>8} {'best lr':>8} {'rate':>7} {'steps to 1e-6':>14}")
for name, r in rows.items():
    print(f"{name:>13} {r.L:8.3f} {r.mu:7.3f} {r.kappa:7.2f} {r.one_over_L:8.4f} {r.critical:8.4f} "
          f"{r.optimal:8.4f} {r.best_rate:7.4f} {r.steps:14.0f}")
print(f"minimum loss: raw {raw.min_value:.6f}, standardized {std.min_value:.6f}")

# %% tags=["check"]
r, s = rows["raw"], rows["standardized"]
assert 80 < r.kappa < 100 and s.kappa < 1.05
assert 80 < s.critical / r.critical < 100                # the usable lr grows about a hundredfold
assert r.steps > 600 and s.steps == 3
assert round(1 - r.best_rate, 2) == 0.02                 # the flat direction gains 2% per step
assert abs(raw.min_value - std.min_value) < 1e-12        # the same best fit

# %% [markdown]
# The answer to the prediction is (c): the limit $2/L$ is about 90 times larger after rescaling
# (0.0214 against 1.98). A spread 10 times larger makes the curvature $10^2$ times larger, because the
# feature enters the loss squared. And it is not only the limit that changes: with raw features the
# best possible constant lr needs more than 600 steps to shrink the error a millionfold, because at
# $\kappa \approx 89$ the flat direction gains only 2% per step. After rescaling, 3 steps.
#
# The same in a few lines of gradient descent: each problem at its own best lr, counting the steps until
# the loss gap is a millionth of its start. (The loss gap is quadratic in the error, so this is about
# half the steps the table gives for shrinking the error a millionfold.)

# %%
counts = {}
for name, ls in (("raw", raw), ("standardized", std)):
    lr, w = rows[name].optimal, np.zeros(2)
    gap0 = ls.value(w) - ls.min_value
    for t in range(1, 2001):
        w = w - lr * ls.grad(w)
        if ls.value(w) - ls.min_value < 1e-6 * gap0:
            break
    counts[name] = t
    print(f"{name:>13}: lr = {lr:.3g}, loss gap below a millionth of its start after {t} steps")

# %% tags=["check"]
assert 250 < counts["raw"] < 400 and counts["standardized"] <= 3

# %% [markdown]
# Four learning rates on each problem (paths on the contours, coloured by regime):

# %%
raw_bowl, std_bowl = lesson.bowl(raw), lesson.bowl(std)   # the same losses as quadratic forms (cheap to draw)
fig, raw_runs = lesson.paths_figure(raw_bowl, [2e-4, 0.01, 0.02, 0.022], "raw features (spreads 1 and 10)")
plotting.show(fig)

# %%
fig, std_runs = lesson.paths_figure(std_bowl, [0.02, 0.8, 1.6, 2.1], "standardized features")
plotting.show(fig)

# %% tags=["check"]
for ls, quad in ((raw, raw_bowl), (std, std_bowl)):
    same = [lrlab.run(loss=f, x0=lesson.X0, lr=0.01, num_steps=lesson.NUM_STEPS) for f in (ls, quad)]
    np.testing.assert_allclose(same[0].params, same[1].params, rtol=1e-9, atol=1e-12)
for quad, lrs in ((raw_bowl, [2e-4, 0.01, 0.02, 0.022]), (std_bowl, [0.02, 0.8, 1.6, 2.1])):
    assert list(lesson.quadratic_regime(quad, np.array(lrs))) == [
        "monotone convergence", "monotone convergence", "oscillating convergence", "divergence"]
assert raw_runs.loss[-1, 1] < 0.01 * raw_runs.loss[0, 1]                  # lr 0.01: over 99% of the gap
assert abs(raw_runs.params[-1, 1, 0] - raw.minimizer[0]) > 1              # ... but far from w* along w1
assert round(1 - std_runs.loss[-1, 0] / std_runs.loss[0, 0], 2) == 0.87

# %% [markdown]
# On the raw problem, lr = 0.022 already diverges, while on the standardized problem a learning rate of
# that size is merely slow (lr = 0.02 closes 87% of the loss gap in 50 steps). And the raw run at 0.01
# closes over 99% of the loss gap while still far from the minimum: it drops into the valley in a few steps
# and then crawls along its floor. On the standardized problem lr = 1.6 converges (with a zig-zag), and
# lr = 0.8 is at the minimum after a few steps.
#
# Which part of the gain comes from the rescaling itself, and which from the larger learning rate it
# allows? The loss curves of each problem at its own best learning rate, and of the standardized one at
# the raw problem's best lr:

# %%
cases = {"raw, its best lr": (raw, rows["raw"].optimal),
         "standardized, the same lr": (std, rows["raw"].optimal),
         "standardized, its best lr": (std, rows["standardized"].optimal)}
fig, _ = lesson.loss_curves_figure(cases)
plotting.show(fig)
steps = {name: theory.steps_to_tolerance(loss, lr, 1e-6) for name, (loss, lr) in cases.items()}
for name, k in steps.items():
    print(f"{name:>26}: {k:4.0f} steps to shrink the error a millionfold")

# %% tags=["check"]
assert abs(steps["standardized, the same lr"] / steps["raw, its best lr"] - 1) < 0.1
assert steps["standardized, its best lr"] == 3

# %% [markdown]
# **Explain why.** At the *same* learning rate, the standardized problem is no faster than the raw one
# (649 steps against 613). Why does rescaling alone gain nothing, and where does the gain come from?
#
# <details><summary>Model answer (open after you have written yours)</summary>
#
# Both curvatures of the standardized bowl are about 1, like the *flat* direction of the raw one, and
# at a fixed lr the flat direction sets the pace: its error shrinks by $1 - \text{lr}\,\mu$ per step in
# both problems. The two slow curves start at the same loss (at $w = 0$ both models predict 0) and fall
# at almost the same slope. The entire gain comes from the larger learning rate that standardizing
# **allows**: the steep direction no longer caps the lr at 0.02. Rescaling the data and raising the lr
# go together.
#
# </details>
#
# ## 2. What standardizing cannot fix: correlated features
#
# Rescaling equalizes the *diagonal* of $X^\top X/n$. If two features are correlated, with correlation
# $r$, the standardized Hessian is $\begin{pmatrix} 1 & r \\ r & 1\end{pmatrix}$, whose eigenvalues are
# $1 + r$ (both weights moving together) and $1 - r$ (moving against each other). The condition number
# $\kappa = (1 + r)/(1 - r)$ stays large however carefully each feature is scaled:

# %%
print(f"{'target r':>9} {'sample r':>9} {'kappa':>8} {'(1+r)/(1-r)':>12} {'steps to 1e-6 at the best lr':>29}")
for row in lesson.correlation_table():
    print(f"{row['rho']:9.2f} {row['r']:9.4f} {row['kappa']:8.2f} {row['formula']:12.2f} {row['steps']:29.0f}")

# %% tags=["check"]
table = lesson.correlation_table()
assert all(abs(row["kappa"] - row["formula"]) < 1e-9 * row["kappa"] for row in table)
assert table[-1]["kappa"] > 2 * rows["raw"].kappa                       # r = 0.99: worse than the raw features

# %% [markdown]
# With $r = 0.99$ the problem is worse conditioned than our raw features ($\kappa \approx 200$ against
# 89), although every feature has spread 1. The remedies work on the correlation itself: decorrelating the
# inputs (rotating them onto their principal axes and rescaling each one), dropping redundant features, or
# optimizers that cope with ill-conditioning
# (momentum, lesson 05). For gradient descent on this loss, preprocessing helps exactly as far as it reduces
# $\kappa$.
#
# ## 3. Initialization scale
#
# Now a network: four linear layers with ReLUs between them (64 → 64 → 64 → 64 → 10, built by
# `lrlab.pytorch.small_mlp`), classifying the standardized digits. Its weights are drawn with standard
# deviation $s \cdot \sqrt{2/\text{fan-in}}$ (the output layer, with no ReLU after it:
# $s \cdot \sqrt{1/\text{fan-in}}$). For $s = 1$ ("He initialization") each layer keeps the scale
# of its input: a ReLU zeroes about half of its inputs, and the factor 2 makes up for it. With $s = 0.3$
# each layer multiplies the signal by about 0.3; with $s = 3$, by about 3. Over four layers that is a
# factor of $0.3^4 \approx 0.008$ or $3^4 = 81$. Measured at initialization:

# %%
X_dig, y_dig = data.digits(standardize=True)
X_t, y_t = torch.as_tensor(X_dig), torch.as_tensor(y_dig)
scales = {}
for s in lesson.INIT_SCALES:
    net = lesson.digits_net(s)
    scales[s] = lesson.activation_scales(net, X_t)
    print(f"init_scale = {s:<4g} activation spread after layers 1, 2, 3 and at the output: "
          + ", ".join(f"{v:7.3f}" for v in scales[s]) + f";  initial loss {lesson.initial_loss(net, X_t, y_t):7.2f}")

# %% tags=["check"]
assert all(0.5 < v < 1.5 for v in scales[1.0])                       # He init: the scale is kept
assert scales[0.3][-1] < 0.02 and scales[3.0][-1] > 50               # shrinks / explodes with depth
assert abs(lesson.initial_loss(lesson.digits_net(0.3), X_t, y_t) - np.log(10)) < 0.01
assert lesson.initial_loss(lesson.digits_net(3.0), X_t, y_t) > 100

# %% [markdown]
# With $s = 0.3$ the output is nearly 0 whatever the image: the loss starts at $\ln 10 = 2.30$ (a uniform
# guess), and the gradients are tiny too: on the way back each layer scales them by about 0.3 as well. With $s = 3$ the outputs
# are in the tens and the initial loss is above 100: the network is confidently wrong, and its
# gradients are huge.
#
# What does that do to the learning rate? We train each initialization with plain SGD (batches of 64,
# 150 steps) at seven learning rates from 0.01 to 10, half a decade apart, and record the training loss
# at the end. A learning rate is **good** if the loss gets below 0.1. A run whose loss ends near
# $\ln 10 = 2.30$, the loss of a uniform guess (the grey band), is **stuck**: it has learned nothing.
# (The sweep also trains the BatchNorm networks used in the next section: 42 short runs, under a minute.)

# %%
sweep = lesson.lr_sweep()
fig, _ = lesson.init_figure(sweep)
plotting.show(fig)

# %%
for s in lesson.INIT_SCALES:
    good = lesson.good_lrs(sweep, s)
    bad = sweep.lrs[~np.isin(sweep.lrs, good)]
    print(f"init_scale = {s:<4g} good lrs: {np.round(good, 3).tolist()}; not good: {np.round(bad, 3).tolist()}")

# %% tags=["check"]
good = {s: lesson.good_lrs(sweep, s) for s in lesson.INIT_SCALES}
assert good[1.0].size > good[0.3].size > good[3.0].size >= 1     # the right init has the widest window
assert good[0.3].min() > good[1.0].min()                         # too small: needs larger lrs
assert good[3.0].max() < good[1.0].max() / 10                    # too large: only small lrs survive
assert np.all(sweep.final[(0.3, None)][sweep.lrs <= 0.1] > 1.9)  # ... and below 0.3 it hardly learns
assert np.all(~np.isfinite(sweep.final[(3.0, None)][sweep.lrs >= 0.3]))

# %% [markdown]
# - **Right scale** ($s = 1$): three good learning rates, from 0.1 to 1.
# - **Too small** ($s = 0.3$): the window loses its bottom: lr 0.1 no longer trains, the top stays at 1. Up
#   to lr = 0.1 the network barely leaves
#   the uniform guess (its loss ends between 1.9 and 2.3): its gradients are tiny, so it needs a large
#   lr just to move.
# - **Too large** ($s = 3$): the window moves down and shrinks to one learning rate, 0.03. Anything from
#   0.3 up blows up, because the huge initial gradients throw the weights out at the first steps.
#
# Here no learning rate fully made up for a bad initialization: the window was narrower and had to be
# searched for. The standard initializations (He's for ReLU networks, and its counterparts for other
# activations) exist to make $s = 1$ the default.
#
# ## 4. Normalization raises the window's top
#
# Batch normalization inserts, after each hidden linear layer, a step that rescales every unit's
# pre-activation to mean 0 and standard deviation 1 over the minibatch (then applies a learned scale
# and shift). Two consequences for the learning rate:
#
# - the hidden layers' outputs no longer depend on the **scale** of their weights, so a hidden layer
#   initialized too small or too large is corrected at once; only the last layer, which is not
#   normalized, keeps its scale;
# - for the same reason the gradient with respect to those weights shrinks as they grow (it scales like
#   $1/\lVert w\rVert$). A step that is too large inflates the weights, which makes the next steps
#   smaller: the network damps a too-high learning rate instead of amplifying it.
#
# The same sweep with `small_mlp(norm='batch')` (grey: the plain network from above, blue: with
# BatchNorm):

# %%
fig, _ = lesson.norm_figure(sweep)
plotting.show(fig)

# %%
for s in lesson.INIT_SCALES:
    plain, bn = lesson.good_lrs(sweep, s), lesson.good_lrs(sweep, s, "batch")
    print(f"init_scale = {s:<4g} plain: {plain.size} good, up to {plain.max():.3g};  "
          f"BatchNorm: {bn.size} good, up to {bn.max():.3g};  BatchNorm at lr = 10: "
          f"{lesson.outcome(sweep.final[(s, 'batch')][-1])}")
total_plain = sum(lesson.good_lrs(sweep, s).size for s in lesson.INIT_SCALES)
total_bn = sum(lesson.good_lrs(sweep, s, "batch").size for s in lesson.INIT_SCALES)
pairs = len(lesson.INIT_SCALES) * sweep.lrs.size
print(f"good (init, lr) pairs out of {pairs}: plain {total_plain}, BatchNorm {total_bn}")

# %% tags=["check"]
for s in lesson.INIT_SCALES:
    plain, bn = lesson.good_lrs(sweep, s), lesson.good_lrs(sweep, s, "batch")
    assert bn.size >= plain.size and bn.max() > plain.max()
    assert lesson.outcome(sweep.final[(s, "batch")][-1]) == "stuck"      # finite, but a dead net
assert total_bn > total_plain
np.testing.assert_array_equal(lesson.good_lrs(sweep, 1.0, "batch"), lesson.good_lrs(sweep, 3.0, "batch"))

# %% [markdown]
# With BatchNorm every initialization gets at least as many good learning rates as without, and for
# $s = 1$ and $s = 3$ the window is the same, as if the initialization did not matter. (For $s = 1$ the
# window moves up rather than widens: with BatchNorm the smallest lrs learn a little slower.)
#
# Two cautions. First, **finite is not the same as working**: at lr = 10 no BatchNorm run blows up, but
# none learns either; each is stuck near $\ln 10$ (the grey band), a failure just like a blow-up. Second, a grid half a decade wide cannot say how
# much higher the top of the window is: the true tops lie somewhere before the next grid point. So we
# measure the top for $s = 1$ on a finer grid (factors of 1.33), over three seeds.
#
# <details><summary>Optional: how the finer measurement reads its runs</summary>
#
# Near the top of the window a run's fate changes with the seed, so one seed proves little: each of the
# three seeds draws its own initial weights and batch order. The grid is 0.75, 1 and 1.33 (an eighth of
# a decade apart) for the plain net, and 4.2 and 5.6 (an eighth of a decade apart) plus 10 for BatchNorm. Every run is classified as
# **trained** (loss below 0.1), **partial** (it learned something, not enough), **stuck** (within 20%
# of $\ln 10$ or above) or **diverged** (blew up). Which of the last three a run ends in can change with
# the seed; what the text below says concerns only whether it trained.
#
# </details>

# %% tags=["nbval-ignore-output"]
edge = lesson.edge_sweep()
for norm, name in ((None, "plain"), ("batch", "BatchNorm")):
    verdicts = lesson.outcomes(edge.final[norm])
    print(f"{name}:")
    for lr, column in zip(edge.lrs[norm], verdicts.T):
        print(f"   lr = {lr:5.3g}: " + ", ".join(f"seed {k} {v}" for k, v in zip(edge.seeds, column)))
plain_top, bn_top = lesson.largest_trained(edge), lesson.largest_trained(edge, "batch")
ratio = bn_top / plain_top
print("largest lr that trains, plain:    ", ", ".join(f"{v:.3g}" for v in plain_top))
print("largest lr that trains, BatchNorm:", ", ".join(f"{v:.3g}" for v in bn_top))
print(f"ratio BatchNorm / plain: {', '.join(f'{v:.2f}' for v in ratio)}  "
      f"(median {np.median(ratio):.1f}, from {ratio.min():.1f} to {ratio.max():.1f})")

# %% tags=["check"]
for norm in (None, "batch"):
    verdicts = lesson.outcomes(edge.final[norm])
    assert np.all(verdicts[:, 0] == "trained") and np.all(verdicts[:, -1] != "trained")  # the top is inside
assert np.all(lesson.outcomes(edge.final["batch"])[:, -1] == "stuck")   # lr = 10: alive on no seed
assert np.all(lesson.outcomes(edge.final[None])[:, -1] != "trained")     # plain at 1.33: no seed trains
assert set(lesson.outcomes(edge.final["batch"])[:, 1]) <= {"partial", "stuck"}   # BatchNorm at 5.6: none trains
assert np.all(lesson.largest_trained(edge, "batch") / 1.33 > 3) and np.all(5.63 / plain_top < 7.6)  # "about 3 to 7.5"
assert 4 < ratio.min() and ratio.max() < 6                               # "4 to 6 times higher"

# %% [markdown]
# On every seed the plain network still trains at lr = 0.75 and no longer at 1.33, and BatchNorm still
# trains at 4.2 and no longer at 5.6. The largest grid lr that trains is **4 to 6 times higher** with
# BatchNorm (between the grid points, the true ratio lies somewhere from about 3 to 7.5): a real gain. And
# above it the BatchNorm runs do not "survive": at 5.6 no seed trains (they end partly trained or stuck),
# and at 10 every seed is stuck.
#
# The point for this course: **the architecture sets the curvature the learning rate has to live with, and
# some architectures are built to make that easier.**
#
# <details><summary>Optional: what BatchNorm costs, and LayerNorm</summary>
#
# BatchNorm makes each example's output depend on the others in its batch, behaves differently in training
# and evaluation, and struggles with tiny batches. LayerNorm (`norm='layer'`, normalizing over the units of
# one example instead of over the batch) avoids those; it is the standard choice in transformers, the
# networks behind today's language models.
#
# </details>
#
# ## Summary
#
# - For gradient descent the usable learning rate is set by the curvature, $\text{lr} < 2/L$, and the
#   speed by the condition number $\kappa$. The optimizer moves the limit (heavy ball's is
#   $2(1+\beta)/L$, lesson 05), but $L$ and $\kappa$ themselves come from the data, the initialization
#   and the architecture.
# - **Feature scaling**: a feature with a 10 times larger spread makes $L$ about 100 times larger.
#   Standardizing took $\kappa$ from 89 to 1.01, raised $2/L$ about 90-fold, and cut the steps to
#   converge from over 600 to 3. It cannot remove correlations: $\kappa = (1+r)/(1-r)$ remains.
# - **Initialization**: weights too small cut the bottom off the window of good lrs (the smallest no longer
#   train); too large push it down and shrink it further (one good lr out of seven). He initialization ($s = 1$) gave the widest
#   window.
# - **Normalization**: BatchNorm raised the top of the window and made it nearly independent of the
#   initialization (wider for the bad inits, shifted up for He's); the largest grid lr that trains was
#   4 to 6 times higher (three seeds, $s = 1$). Above that top its runs do not blow up, but they end
#   partly trained or stuck (at lr = 10, stuck at $\ln 10$): a dead net is a failure too, not a survivor.
# - When no learning rate works, or only a very narrow range does, look at the data, the initialization
#   and the architecture before tuning the lr further.
#
# ## Exercises
#
# **1.** Take the **raw** features of section 1, but record the second one in units ten times smaller,
# so that its spread is 100 instead of 10 (as if centimetres replaced decimetres). Where is the
# **boundary** now: the learning rate from which gradient descent no longer converges? Start from the
# table's $L$ (three digits, not a rounded 100). (The set of lrs that converge is open, so give its upper
# end.)

# %%
answer = None   # a number
lesson.check_raw_limit(answer)

# %% [markdown]
# **2.** Two features are standardized. How strongly must they be correlated for the least-squares
# Hessian to have condition number $\kappa = 50$? Give the correlation $r$.

# %%
answer = None   # a number between 0 and 1
lesson.check_correlated_kappa(answer)

# %% [markdown]
# **3.** Without running it: the network of section 3 with `init_scale = 2`. By what factor is the spread
# of its outputs at initialization larger than with `init_scale = 1`? (The check measures it.)

# %%
answer = None   # a number
lesson.check_output_growth(answer)
