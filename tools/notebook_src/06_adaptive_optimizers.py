# %% [markdown]
# # 06 · Adaptive optimizers
#
# Lesson 05 gave gradient descent a memory (momentum). This lesson gives it a step size **per parameter**.
# Adagrad, RMSprop and Adam divide each coordinate's gradient by a running measure of that coordinate's
# gradient size, so a coordinate with large gradients takes small steps and one with small gradients takes
# large ones. They still have an lr, and it means something new: roughly, how far a parameter may move in one
# step. **AdamW** changes what weight decay does inside Adam. At the end, a **race** under one tuning budget.
#
# The playground is lesson 05's bowl $f(w) = \tfrac12\,(1\cdot w_1^2 + 81\cdot w_2^2)$: a flat direction
# ($\lambda = 1$) and a steep one ($\lambda = L = 81$), here along the coordinate axes, and the same bowl
# turned by 30°, whose steep and flat directions are not.
#
# > **Predict first.** Gradient descent on this bowl diverges once the lr passes $2/L \approx 0.0247$. Adam
# > with lr = 0.5: (a) diverges too; (b) does not. And does turning the bowl by 30° change your answer?

# %%
import numpy as np

import lrlab
from lrlab import losses, plotting, steppers, theory
from lrlab.lessons import adaptive_optimizers as lesson

bowl = lesson.BOWL            # f(w) = ½ (1·w₁² + 81·w₂²), the valley along the axes
x0 = np.array(lesson.X0)      # the start used everywhere in this notebook
lr_gd = theory.optimal_lr(bowl)
print(f"curvatures {bowl.eigenvalues.tolist()}, 2/L = {theory.critical_lr(bowl):.4f}, start {x0.tolist()}")

# %% tags=["check"]
assert np.isclose(theory.critical_lr(bowl), 2 / 81) and round(theory.critical_lr(bowl), 4) == 0.0247

# %% [markdown]
# ## The optimizer explorer
#
# The lr slider (log scale), a choice of optimizer (torch's defaults) and a choice of bowl. Left: the path on
# the bowl's contours; middle: the loss (dashed: a millionth of the starting gap); right: the loss after 200 steps for every lr of the slider, with
# gradient descent's $1/L$ and $2/L$ marked (they bind gradient descent only).
#
# Try: GD past $2/L$, then Adam at the same lr, then Adam at 0.5. Then switch Adagrad between the two bowls.

# %% tags=["nbval-ignore-output"]
explorer = lesson.optimizer_explorer(lr=0.05, optimizer="Adam")
explorer

# %% [markdown]
# The answer to the opening question: Adam at lr = 0.5, twenty times gradient descent's wall, does not diverge on
# either bowl; within 200 steps its loss gap is below a millionth of the start's. Its lr is not measured against
# the curvature. Section 1 shows what it is measured against.

# %% tags=["check"]
assert 0.5 > 20 * theory.critical_lr(bowl)
for _loss in (bowl, lesson.rotated_bowl(30.0)):
    _adam = lrlab.run(loss=_loss, stepper=steppers.adam(), x0=x0, lr=0.5, num_steps=200)
    assert not _adam.diverged and plotting.gap(_adam)[-1] < 1e-6 * plotting.gap(_adam)[0]

# %% [markdown]
# ## 1 · One lr, a step size per parameter
#
# All three keep, per coordinate, a running average of squared gradients and divide by its square root:
#
# | optimizer | what it accumulates | step |
# |---|---|---|
# | Adagrad | $S_t = S_{t-1} + g_t^2$ (everything, for ever) | $w \leftarrow w - \text{lr}\; g_t/(\sqrt{S_t}+\epsilon)$ |
# | RMSprop | $v_t = \alpha v_{t-1} + (1-\alpha) g_t^2$ (recent past, $\alpha = 0.99$) | $w \leftarrow w - \text{lr}\; g_t/(\sqrt{v_t}+\epsilon)$ |
# | Adam | $m_t$ like $v_t$ but of $g_t$ ($\beta_1 = 0.9$), $v_t$ of $g_t^2$ ($\beta_2 = 0.999$) | $w \leftarrow w - \text{lr}\; \hat m_t/(\sqrt{\hat v_t}+\epsilon)$ |
#
# where Adam's hats undo the bias of averages that start at zero: $\hat m_t = m_t/(1-\beta_1^t)$,
# $\hat v_t = v_t/(1-\beta_2^t)$. In each case the gradient (or its average) is multiplied by an **effective
# step** $\text{lr}/(\sqrt{\hat v}+\epsilon)$ ($\sqrt{S}$ for Adagrad), one per coordinate, that changes as the run goes.
#
# The lr keeps a meaning, but a new one. At Adam's first step $\hat m_1 = g_1$ and $\sqrt{\hat v_1} = |g_1|$, so
# every coordinate moves by exactly $\text{lr}$ (up to $\epsilon$), whatever its gradient:

# %%
adam = steppers.adam()
w1, _ = adam.update(bowl.grad(x0), adam.init(x0), x0, 0.05)
print(f"gradient at the start: ({bowl.grad(x0)[0]:.1f}, {bowl.grad(x0)[1]:.1f}); "
      f"Adam's first step with lr = 0.05 moves the coordinates by {abs(w1 - x0)[0]:.6f} and {abs(w1 - x0)[1]:.6f}")

# %% tags=["check"]
assert np.allclose(np.abs(w1 - x0), 0.05, rtol=1e-6)

# %% [markdown]
# For gradient descent the lr is a time step measured against the curvature; for Adam it is closer to a
# distance per step. So tuned lrs of the two can differ by orders of magnitude (about
# 200× on Rosenbrock, in the race below).
#
# Now we run each adaptive optimizer on the bowl and read each coordinate's effective step out of its state
# after every step (`lrlab.run(..., record_state=True)` keeps $\hat v$ beside the iterates).

# %%
records = [lesson.record_effective_steps(bowl, steppers.adagrad(), x0, 0.5, 200),
           lesson.record_effective_steps(bowl, steppers.rmsprop(), x0, 0.02, 200),
           lesson.record_effective_steps(bowl, steppers.adam(), x0, 0.05, 200)]
fig, _ = lesson.plot_effective_steps(records, bowl)
fig.suptitle("effective step per coordinate (dotted: its own limit)", fontweight="bold")
plotting.show(fig)

# %% tags=["check"]
for rec in records:
    same = lrlab.run(loss=bowl, stepper=getattr(steppers, rec.name)(), x0=x0, lr=rec.lr, num_steps=200)
    assert np.array_equal(same.params, rec.params)

# %% [markdown]
# Each direction has its own wall $2/\lambda$: 2 for the flat
# one, 0.0247 for the steep one (Adam's momentum, $\beta_1 = 0.9$, moves its walls out to
# $2(1+\beta_1)/((1-\beta_1)\lambda) = 38/\lambda$, as lesson 05's heavy ball moves its own). Gradient descent has one step for both, so it must sit below the lower
# (vermillion) wall; its best lr, 0.0244, is 82× below the wall of the flat direction. The adaptive
# optimizers put the flat coordinate's step (blue) far above the steep one's (vermillion), each below its
# own wall.
#
# Why? $\sqrt{\hat v_i}$ is the size of coordinate $i$'s recent gradients, whatever made them large: a steep
# direction, a distant start, or noise. On this bowl, without noise, the gradient of coordinate $i$ is $\lambda_i w_i$, so the steep
# coordinate has the larger gradients and gets the smaller step. What decides stability and speed along a
# direction is the effective step times its curvature, $\lambda_i\,\text{lr}/\sqrt{\hat v_i}$. Every past
# gradient of coordinate $i$ is $\lambda_i$ times its distance to the minimum at the time, so $\sqrt{\hat v_i}$
# carries the factor $\lambda_i$ too and the curvature cancels. Step × curvature differs 81-fold between the two directions for
# gradient descent, and by less than 2× for each adaptive optimizer after 200 steps:

# %%
curv = bowl.eigenvalues                      # (1, 81): the axes are the eigendirections
print(f"GD       : step × λ = {lr_gd * curv[0]:.3f} (flat), {lr_gd * curv[1]:.3f} (steep), ratio {curv[1] / curv[0]:.0f}")
for rec in records:
    scaled = rec.effective[-1] * curv
    print(f"{rec.name:<9}: step × λ = {scaled[0]:.3f} (flat), {scaled[1]:.3f} (steep), ratio {scaled[1] / scaled[0]:.2f}")

# %% tags=["check"]
assert round(2 / curv[0] / lr_gd) == 82      # GD's step is 82× below the flat direction's wall
for rec in records:
    scaled = rec.effective[-1] * curv
    assert 1.0 < scaled[1] / scaled[0] < 2.0

# %% [markdown]
# Three differences show in the figure:
#
# * **Adagrad** adds up every squared gradient for ever, so its effective steps can only shrink. Here the
#   gradients vanish fast and the steps freeze: a good diagonal rescaling, found in a few steps. On a long
#   problem the sum keeps growing and Adagrad slows to a halt.
# * **RMSprop** and **Adam** forget old gradients (through $\alpha$ and $\beta_2$), so as the gradients shrink
#   near the minimum, $v$ shrinks too and the effective steps grow again, which can carry a step past its
#   wall: a sudden spike in the loss (RMSprop on the aligned bowl, at the end of the race below).
# * **Adam** also averages the gradient itself (momentum $\beta_1 = 0.9$), hence the swinging distances in
#   its bottom panel, the same swinging as heavy ball's.
#
# The limitation that matters most: the rescaling is **per coordinate**. Turn the bowl by 30° and each
# coordinate mixes both curvatures; no per-coordinate rescaling can undo that.
#
# ## 2 · AdamW: weight decay outside the normalization
#
# Weight decay pulls every weight towards zero. torch offers it two ways for Adam, and they are not the same:
#
# * `Adam(weight_decay=wd)` adds the L2 penalty's gradient to the loss gradient, $g \leftarrow g + \text{wd}\,w$,
#   *before* the moments. The decay then passes through $\hat m/(\sqrt{\hat v}+\epsilon)$ with everything else;
# * `AdamW(weight_decay=wd)` first shrinks every weight, $w \leftarrow (1 - \text{lr}\cdot\text{wd})\,w$, then takes
#   the Adam step on the loss gradient alone ("decoupled" weight decay).
#
# AdamW by hand, and against lrlab:

# %%
lr, wd = 0.01, 0.1
loss_wd, x_wd = lesson.DECAY_LOSS, np.array(lesson.DECAY_X0)
w, m, v = x_wd.copy(), np.zeros(3), np.zeros(3)
for t in range(1, 51):                                # AdamW written by hand
    g = loss_wd.grad(w)
    w = w * (1 - lr * wd)                             # decoupled: shrink first
    m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
    w = w - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
adamw_run = lrlab.run(loss=loss_wd, stepper=steppers.adamw(weight_decay=wd), x0=x_wd, lr=lr, num_steps=50)
print("by hand:", " ".join(f"{x:+.6f}" for x in w))
print("lrlab:  ", " ".join(f"{x:+.6f}" for x in adamw_run.params[-1]))

# %% tags=["check"]
assert np.allclose(w, adamw_run.params[-1], rtol=1e-12, atol=0)
same = lrlab.run(loss=loss_wd, stepper=steppers.adam(weight_decay=wd, decoupled_weight_decay=True), x0=x_wd,
                 lr=lr, num_steps=50)
assert np.array_equal(same.params, adamw_run.params)

# %% [markdown]
# Where the difference shows: three weights. The loss pulls $w_1$ (curvature 100) and $w_2$ (curvature 1),
# which start at 0, to 1 (the middle panel starts at 0.8) and does not touch $w_3$, which starts at 1. Adam
# divides each gradient by its size, so without decay $w_1$ and $w_2$ would follow the same path. The decay
# per step:
#
# * with **AdamW**, the fraction $\text{lr}\cdot\text{wd}$, the same for all three, at every step;
# * with **Adam + L2**, the fraction $\text{lr}\cdot\text{wd}/(\sqrt{\hat v_i}+\epsilon)$: a weight whose
#   gradients are large is hardly decayed, a weight with small gradients much more.

# %%
runs_wd = {(d, dec): lesson.weight_decay_run(d, dec) for d in (0.01, 0.1) for dec in (False, True)}
l2, aw = runs_wd[(0.1, False)], runs_wd[(0.1, True)]
ev = np.array([100.0, 1.0])
print(f"Adam + L2 ends at w1 = {l2.params[-1, 0]:.6f}, w2 = {l2.params[-1, 1]:.6f} "
      f"(λ/(λ+wd) = {ev[0] / (ev[0] + 0.1):.6f}, {ev[1] / (ev[1] + 0.1):.6f}); AdamW: w1 = w2 at every step")
print(f"untouched w3 after 300 steps: AdamW {runs_wd[(0.01, True)].params[300, 2]:.4f} (wd 0.01), "
      f"{runs_wd[(0.1, True)].params[300, 2]:.4f} (wd 0.1); Adam + L2 below 1e-3 for both")
fig, _ = lesson.plot_weight_decay(runs_wd)
plotting.show(fig)

# %% tags=["check"]
frac = lesson.decay_per_step(l2, lesson.DECAY_LR, 0.1, False)
# Adam + L2: the steep weight is decayed 100× less per step than the flat one, throughout
assert np.all(frac[:, 1] / frac[:, 0] > 50)
# ... and it ends at the L2 (ridge) solution λ/(λ + wd): the flat weight shrunk 9%, the steep one 0.1%
assert np.allclose(l2.params[-1, :2], ev / (ev + 0.1), rtol=1e-6)
# AdamW treats w1 and w2 alike (the same path to 1e-7: only eps tells them apart), whatever their curvature
assert np.allclose(aw.params[:, 0], aw.params[:, 1], rtol=0, atol=1e-7)
# the untouched weight: AdamW multiplies it by exactly (1 - lr wd) each step, so wd sets its half-life ...
t = np.arange(aw.num_steps + 1)
for d in (0.01, 0.1):
    assert np.allclose(runs_wd[(d, True)].params[:, 2], (1 - lesson.DECAY_LR * d) ** t, rtol=1e-9)
# ... while under Adam + L2, wd's size is normalized away: the same path for wd = 0.01 and 0.1
w3 = {d: runs_wd[(d, False)].params[:, 2] for d in (0.01, 0.1)}
assert np.allclose(w3[0.01], w3[0.1], rtol=0, atol=1e-5) and abs(w3[0.1][300]) < 1e-3
# ... walking at about lr per step at first, then slower
assert [round(w3[0.1][k], 2 if k < 200 else 3) for k in (50, 100, 200)] == [0.54, 0.22, 0.016]
# AdamW: the weights the loss uses climb towards 1 (the decay is balanced by an Adam step near the minimum)
_long = lesson.weight_decay_run(0.1, True, num_steps=5000).params
assert round(aw.params[500, 0], 2) == 0.97 and round(_long[5000, 0], 3) == 0.998
assert np.all(np.diff(_long[200:, 0]) > 0)

# %% [markdown]
# Under Adam + L2, "weight decay" is not a decay rate at all. For the untouched weight the gradient is
# $\text{wd}\cdot w$ alone, and Adam divides it by its own size, so the weight walks towards zero at first at
# about $\text{lr}$ per step, then slower, whatever wd is (the two Adam + L2 curves on the right coincide).
# The end point of $w_1$, $w_2$, $\lambda/(\lambda+\text{wd})$, is the ridge solution any optimizer reaches
# with an L2 penalty.
#
# AdamW gives wd one meaning: each weight loses the same fraction $\text{lr}\cdot\text{wd}$ per step. A weight
# the loss cares about hardly feels it: Adam's step, about $\text{lr}$ in size whatever the gradient, balances
# the decay $\text{lr}\cdot\text{wd}\cdot w$ close to the loss's minimum, so AdamW's $w_1$ and $w_2$ climb
# together towards 1 (0.97 at step 500, 0.998 at step 5000). What AdamW shrinks is what the loss does not use.
#
# ## 3 · A fair race: speed and forgiveness
#
# Each optimizer gets **the same budget**: the same 241 candidate lrs, log-spaced from $10^{-4}$ to $10$ (neighbours
# 5% apart), the same 1000 steps from the same start, every other hyperparameter at torch's default (heavy
# ball, from lesson 05, with $\beta = 0.9$). An lr **finishes** if it brings the loss gap below $10^{-8}$ of the
# initial gap and keeps it there until step 1000. Two numbers per optimizer:
#
# * **speed**: the steps to finish at its *tuned lr*, the fastest lr of its good window;
# * **forgiveness**: its *good window*, the longest stretch of neighbouring grid lrs that all finish, and its
#   width in decades, $\log_{10}(\text{hi}/\text{lo})$.
#
# Three problems: Rosenbrock's banana valley from the classic start $(-1.2, 1)$, the bowl as above (steep and
# flat directions along the axes), and the same bowl turned by 30°.
#
# <details><summary>Optional: why the grid is so fine, and why isolated lrs do not count</summary>
#
# An optimizer's best lr often sits right below the lr at which it diverges; on a grid with 20% gaps you only
# learn that the edge lies somewhere in a gap. With 5% gaps the tuned lr lands within 5% of the edge. Each
# optimizer's 241 runs are one vectorized `lrlab.run`, the whole grid at once.
#
# On a chaotic landscape an lr far from the others sometimes finishes by luck: the path bounces through the
# valley and happens to land well. A tuner could not find such an lr again, so the good window is the
# longest *stretch* of finishing lrs, and the tuned lr is taken inside it. If no lr finishes, the tuned lr is
# the one with the lowest final loss.
#
# </details>

# %%
print(f"budget per optimizer: {len(lesson.RACE_LRS)} lrs in [{lesson.RACE_LRS[0]:g}, {lesson.RACE_LRS[-1]:g}] "
      f"× {lesson.RACE_STEPS} steps = {len(lesson.RACE_LRS) * lesson.RACE_STEPS} gradient evaluations")
results = [lesson.race("Rosenbrock", losses.rosenbrock(), [-1.2, 1.0]),
           lesson.race("aligned bowl", bowl, x0),
           lesson.race("rotated bowl", lesson.rotated_bowl(30.0), x0)]
for res in results:
    print(lesson.race_table(res), end="\n\n")

# %% tags=["check"]
ros, aligned, rotated = (r.best_steps for r in results)
hb_name = "heavy ball β=0.9"
decades = [{n: lesson.window_decades(r, n) for n in r.best_lr} for r in results]
# Rosenbrock, speed: heavy ball is fastest by a clear margin; GD, Adagrad and RMSprop never finish
assert results[0].winner == hb_name and 0 < ros[hb_name] < 0.8 * ros["Adam"]
assert 400 < ros[hb_name] < 480 and 600 < ros["Adam"] < 660
assert all(ros[n] == -1 for n in ("GD", "Adagrad", "RMSprop"))
# ... but its fastest lr is at its cliff: the next grid lr or the one after (at most 10% larger) diverges
hb_cliff = lesson.first_diverging_lr(results[0], hb_name)
assert hb_cliff is not None and hb_cliff / results[0].best_lr[hb_name] < 1.1
# Rosenbrock, forgiveness: Adam's window is about twice as wide (in decades) and no lr on the grid,
# up to 10, makes Adam diverge
assert max(decades[0], key=decades[0].get) == "Adam" and 1.7 < decades[0]["Adam"] / decades[0][hb_name] < 2.3
assert round(decades[0]["Adam"], 2) == 0.62 and round(decades[0][hb_name], 2) == 0.31
assert 0.25 < decades[0][hb_name] < 0.4
assert lesson.first_diverging_lr(results[0], "Adam") is None
# aligned bowl: Adagrad wins outright, and both per-coordinate methods beat gradient descent
assert results[1].winner == "Adagrad" and aligned["Adagrad"] <= 10 and aligned["RMSprop"] < aligned["GD"]
# rotated bowl (same eigenvalues): Adam and heavy ball tie (within 2% of each other: which of the two is ahead
# is not a claim), Adagrad barely beats GD, RMSprop loses to GD
assert results[2].winner in ("Adam", hb_name) and abs(rotated[hb_name] - rotated["Adam"]) <= 0.02 * rotated["Adam"]
assert rotated["GD"] > rotated["Adagrad"] > 0.9 * rotated["GD"] and rotated["RMSprop"] > rotated["GD"]
# Adam has the widest good window on every problem, more than two decades on both bowls
for dec in decades:
    assert max(dec, key=dec.get) == "Adam"
assert min(decades[1]["Adam"], decades[2]["Adam"]) > 2
# gradient descent's window on both bowls ends at the last grid lr below its wall 2/L, where it is fastest
for res in results[1:]:
    lo, hi = lesson.good_lr_window(res, "GD")
    assert hi == res.best_lr["GD"] == res.lrs[res.lrs < theory.critical_lr(bowl)][-1]
# on Rosenbrock, Adam's tuned lr is about 200× gradient descent's
lr_ratio = results[0].best_lr["Adam"] / results[0].best_lr["GD"]
assert 150 < lr_ratio < 250 and results[0].window["GD"] is None
# tuned lrs of GD and Adam: 2x apart on the aligned bowl, 14x rotated (the prose says "can differ")
assert round(results[1].best_lr["Adam"] / results[1].best_lr["GD"]) == 2

# %% [markdown]
# The figure: left, for each of the 241 lrs, the steps it needed to finish (no point: never finished; ticks
# at the top: diverged), the big dot the tuned lr, and below the axes each optimizer's good window. Right:
# the tuned runs (RMSprop's rise at the end on the aligned bowl is explained after the figure).

# %%
fig, _ = lesson.plot_race(results, titles=["Rosenbrock: heavy ball fastest", "aligned bowl: Adagrad fastest",
                                           "rotated bowl: Adam, heavy ball tie"])
plotting.show(fig)

# %% [markdown]
# What these three toys show:
#
# * **Fastest is not most forgiving.** On Rosenbrock heavy ball is the fastest (about 440 steps against Adam's
#   630), but its fastest lr sits at its cliff: the next grid lr or the one after diverges. Adam's window is
#   about twice as wide (0.62 against 0.31 decades), and no lr on the grid, up to 10, makes it diverge.
# * **No optimizer is fastest on all three.** Heavy ball wins on Rosenbrock, Adagrad on the aligned bowl; on
#   the rotated bowl Adam and heavy ball tie (within 2%).
# * On the **aligned bowl** the per-coordinate methods shine: Adagrad finishes in a handful of steps. **Turned**,
#   that advantage is gone: Adagrad barely beats gradient descent, RMSprop loses to it, and what is left is
#   momentum: heavy ball and Adam finish together.
# * **Adam has the widest good window on all three problems**, more than two decades on both bowls (over
#   1000 steps: see next).
#
# Three 2-D problems are not a benchmark: they show that speed and the width of the good window are two
# measurements, and that who wins depends on the problem.
#
# ### After the race: a constant lr
#
# The finish line was checked up to step 1000. We run every good window on to step 4000, the lr unchanged:

# %%
starts = [np.array([-1.2, 1.0]), x0, x0]
continued = [lesson.continue_race(res, start) for res, start in zip(results, starts)]
for res, cont in zip(results, continued):
    left = {n: ("all" if lv.all() else "none" if not lv.any() else "some") for n, (_, lv) in cont.items()}
    print(f"{res.problem}: lrs of the good window that climb back above the finish line by step 4000:", left)
fig, _ = lesson.plot_continuation(results, continued)
plotting.show(fig)

# %% tags=["check"]
for cont in continued:
    for n in ("GD", hb_name, "Adagrad"):
        assert n not in cont or not cont[n][1].any()           # none of their window's lrs leaves
assert continued[0]["Adam"][1].all() and continued[1]["RMSprop"][1].all() and continued[2]["RMSprop"][1].all()
assert 0 < continued[1]["Adam"][1].mean() < 1 and 0 < continued[2]["Adam"][1].mean() < 1
# the tuned Adam run on Rosenbrock climbs back to more than 10% of the initial gap; RMSprop on the aligned bowl
# is already rising at step 1000, and goes back above 1e-8 of the start within 20 steps
_g = continued[0]["Adam"][0]
assert np.nanmax(_g[1000:]) > 0.1 * _g[0]
_g = continued[1]["RMSprop"][0]
assert _g[1000] > 1e6 * _g[900] and np.max(_g[1000:1020]) > 1e-8 * _g[0]
# Adam at lr = 0.5 (the opening question) does not stay converged either
for _loss in (bowl, lesson.rotated_bowl(30.0)):
    _g = plotting.gap(lrlab.run(loss=_loss, stepper=steppers.adam(), x0=x0, lr=0.5, num_steps=4000))
    assert np.nanmax(_g[200:]) > 0.05 * _g[0]

# %% [markdown]
# Gradient descent, heavy ball and Adagrad stay: their steps shrink with the gradient. Adam and RMSprop do not:
# $\sqrt{\hat v}$ follows the gradient down, so the step $\text{lr}\cdot g/\sqrt{\hat v}$ stays about
# $\text{lr}$ in size, far too large so close to the minimum. The run is kicked out, spikes, then hovers. That
# is why Adam is used with an lr that decays (lesson 04).
#
# <details><summary>Optional: more from the race</summary>
#
# * On Rosenbrock only the two methods with momentum finish within 1000 steps. Adagrad, whose effective steps
#   can only shrink, drops fast and then stalls in the long curved valley; RMSprop does not get far along it
#   either. Above Adam's window a few isolated lrs also finish: luck, which is why the window ignores them.
# * Gradient descent's window on the bowls ends at the last grid lr below its wall $2/L$, and that is also
#   its fastest lr: "best right at the edge", like heavy ball on Rosenbrock.
# * On Rosenbrock, Adam's tuned lr is about 200 times gradient descent's (which never finishes there, so its
#   tuned lr is the one with the lowest final loss): an "lr" means different things to different optimizers,
#   and a value tuned for one says little about another.
#
# </details>
#
# ## Summary
#
# * Adagrad, RMSprop and Adam multiply each coordinate's gradient by its own effective step
#   $\text{lr}/(\sqrt{\hat v}+\epsilon)$; their lr sets roughly how far a parameter may move per step.
# * The rescaling puts steep and flat directions on an equal footing only along the coordinate axes.
# * AdamW decays every weight by the same fraction $\text{lr}\cdot\text{wd}$ per step; Adam + L2 divides the
#   decay by $\sqrt{\hat v}$, so weights with large gradients are hardly decayed.
# * Under one tuning budget no optimizer won on all three toys, and the fastest was not the most forgiving.
# * With a constant lr, Adam and RMSprop do not stay at the minimum: they need a decaying lr. An lr tuned for one optimizer says little about another's.
#
# ## Exercises
#
# **1.** You start Adam (torch's defaults) with lr = 0.05 at a point where the gradient is $(300, -0.002)$. At
# the second step the first coordinate's gradient has flipped: $(-300, -0.002)$. How far does the first
# coordinate move in the second step? ($\epsilon$ is negligible here.)

# %%
answer = None   # your number
lesson.check_adam_second_step(answer)

# %% [markdown]
# **2.** Turn the bowl by 90° instead of 30° (`lesson.rotated_bowl(90.0)`). Does Adagrad at its tuned lr finish
# in a handful of steps, as on the aligned bowl (`"fast"`), or is its advantage gone, as on the bowl turned by
# 30° (`"slow"`)? Decide first, then run `lesson.race` on it if you like.

# %%
answer = None   # "fast" or "slow"
lesson.check_turned_bowl(answer)

# %% [markdown]
# **3.** AdamW with torch's defaults (lr = $10^{-3}$, weight_decay = $10^{-2}$): a weight that the loss does not
# touch starts at 1. After how many steps has it halved? (Check yourself with `lrlab.run` on a loss of
# curvature 0, if you like.)

# %%
answer = None   # your number
lesson.check_adamw_half_life(answer)

# %% [markdown]
# **4. Explain why.** In the race, RMSprop beats gradient descent on the aligned bowl but loses to it on the
# same bowl turned by 30°. Write two or three sentences on why turning the bowl hurts RMSprop and not gradient
# descent.
#
# <details><summary>Model answer (open after you have written yours)</summary>
#
# Gradient descent does not care about the axes: its step is the same lr in every direction, and turning the
# bowl only turns its path. RMSprop rescales each *coordinate* by the size of that coordinate's gradients. On
# the aligned bowl each coordinate is one eigendirection, so the rescaling gives the steep direction a small
# step and the flat one a large step, exactly what is needed. On the turned bowl each coordinate's gradient
# mixes the steep and the flat direction, both coordinates see large gradients dominated by the steep
# direction, and the rescaling can no longer tell the directions apart: it cannot slow the steep one without
# slowing the flat one. Without momentum to make up for it, RMSprop then needs more steps than gradient
# descent at its best lr.
#
# </details>
