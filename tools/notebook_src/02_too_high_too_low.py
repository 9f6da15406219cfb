# %% [markdown]
# # 02 · Too high, too low
#
# A learning rate can be too high (the loss jumps around or explodes) or too low (it takes for ever). This
# notebook makes both precise: where "too high" starts ($2/L$) and why; several dimensions, where steep and
# flat directions disagree; the **lr map**, 5000 learning rates in one run; the classical rules that choose
# the step for you; and two ways a small learning rate holds a run back on a non-convex loss.
#
# **Predict first.** The loss is $f(w) = 2w^2$ (its curvature, the second derivative, is $\lambda = 4$), and
# we start at $w = 1.5$. Up to which learning rate does gradient descent still reach the minimum?
# (a) 0.25, (b) 0.5, (c) 1, (d) any: a larger learning rate is just faster. Commit, then use the slider.

# %%
import numpy as np

import lrlab
from lrlab import losses, plotting, steppers, theory
from lrlab.lessons import too_high_too_low as lesson

# %% [markdown]
# ## The explorer
#
# Left: the loss curve, each step an arrow. Middle: the loss per step (log scale; dashed: a millionth of the
# start). Right: the **lr map**, the loss after 40 steps for 5000 learning rates; the black dot is the
# current one. Dotted lines: $1/L$ and $2/L$, with $L = \lambda = 4$.

# %% tags=["nbval-ignore-output"]
explorer = lesson.explorer()
explorer

# %% [markdown]
# Did you find the edge at 0.5, answer (b)? Below it the outcome changes character once more, at 0.25.
# Here is why.
#
# ## 1. Why 2/L: the error factor
#
# On $f(w) = \frac{\lambda}{2} w^2$ the gradient is $\lambda w$, so one step of gradient descent is
#
# $$w_{t+1} = w_t - \eta\lambda\,w_t = (1 - \eta\lambda)\,w_t
# \qquad\Longrightarrow\qquad w_t = (1 - \eta\lambda)^t\, w_0 .$$
#
# The distance to the minimum is multiplied by $1 - \eta\lambda$ at every step: everything depends on the
# product $\eta\lambda$ (learning rate × curvature), never on $\eta$ alone:
#
# | $\eta\lambda$ | factor $1-\eta\lambda$ | what the iterate does |
# |---|---|---|
# | close to 0 | just below 1 | creeps towards the minimum: monotone convergence, slow |
# | between 0 and 1 | between 0 and 1 | approaches from one side: **monotone convergence** |
# | exactly 1 | 0 | lands on the minimum in one step |
# | between 1 and 2 | between −1 and 0 | overshoots, lands on the other side, closer: **oscillating convergence** |
# | exactly 2 | −1 | bounces between $w_0$ and $-w_0$ for ever: **no convergence** |
# | above 2 | below −1 | overshoots further every time: **divergence** |
#
# So the iteration converges exactly when $|1 - \eta\lambda| < 1$, that is $\eta < 2/\lambda$, and it is
# fastest at $\eta = 1/\lambda$. With several directions (section 4) each curvature has its own factor and
# the steepest one, $L = \lambda_{max}$, sets the limit: $\eta < 2/L$.

# %%
fig, _ = lesson.error_factor_figure()
plotting.show(fig)

# %% [markdown]
# The formula is exact. Here is the update rule as a loop; change `lr` and run it again.

# %%
loss = lesson.bowl()                       # f(w) = 2 w**2, so lambda = L = 4
L = loss.L
lr = 0.45                                  # try 0.1, 0.25, 0.55
w = np.array(lesson.X0)                    # w0 = 1.5
by_hand = [w]
for t in range(10):
    w = w - lr * loss.grad(w)              # the update rule
    by_hand.append(w)
for t in (1, 2, 3, 10):
    formula = (1 - lr * L) ** t * lesson.X0[0]
    print(f"step {t:>2}: by hand w = {by_hand[t][0]:+.4f}   formula (1 - lr·λ)^t · w0 = {formula:+.4f}")
print(f"1/L = {1 / L:g} (one step lands on the minimum),  2/L = {theory.critical_lr(loss):g} (the limit)")

# %% tags=["check"]
t = np.arange(11)
assert np.allclose(np.array(by_hand)[:, 0], (1 - lr * L) ** t * lesson.X0[0], rtol=1e-12, atol=1e-300)
check_lrs = np.array([0.005, 0.1, 0.25, 0.45, 0.55])
runs = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=check_lrs, num_steps=lesson.NUM_STEPS)
t = np.arange(lesson.NUM_STEPS + 1)[:, None]
assert np.allclose(runs.params[..., 0], (1 - check_lrs * L) ** t * lesson.X0[0], rtol=1e-9, atol=1e-300)
assert theory.critical_lr(loss) == 2 / L == 0.5 and 1 / L == 0.25

# %% [markdown]
# ## 2. The regimes, side by side
#
# The four presets of the explorer. Each panel's label is the regime that the factor $1 - \eta\lambda$
# predicts (in its title); the printout adds how much of the loss gap (the loss minus its minimum) each run closed in
# 40 steps.

# %%
preset_lrs = list(lesson.PRESETS.values())
traj = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=preset_lrs, num_steps=lesson.NUM_STEPS)
titles = [f"{name}: ηλ = {lr * L:.2g}" for name, lr in lesson.PRESETS.items()]
fig, _ = lesson.regimes_figure(loss, traj, titles)
plotting.show(fig)

left = traj.loss[-1] / traj.loss[0]              # the share of the loss gap still there (the minimum is 0)
for (name, lr), share in zip(lesson.PRESETS.items(), left):
    closed = f"{1 - share:.0%} of the gap closed" if share < 1 else "the loss grew"
    print(f"{name:<12} factor {1 - lr * L:+.2f}   {theory.regime(loss, lr):<24} {closed}")

# %% tags=["check"]
assert [theory.regime(loss, lr) for lr in preset_lrs] == [
    "monotone convergence", "monotone convergence", "oscillating convergence", "divergence"]
assert [f"{1 - s:.0%}" for s in left[:3]] == ["80%", "100%", "100%"] and left[3] > 1
assert abs(1 - left[0] - 0.80) < 0.003 and 1 - left[1] > 0.99999 and 1 - left[2] > 0.99999

# %% [markdown]
# On a bowl, "too low" is not wrong, only wasteful: each "too small" step removes 2% of the remaining
# *distance*, so shrinking it a thousandfold takes 342 steps, against 5 for the good preset. The oscillating
# preset needs 31: a factor $-0.8$ shrinks the distance as slowly as $+0.8$ would.

# %%
for name, lr in lesson.PRESETS.items():
    print(f"{name:<12} steps to shrink the distance 1000-fold: {theory.steps_to_tolerance(loss, lr, 1e-3):g}")

# %% tags=["check"]
steps_needed = {name: theory.steps_to_tolerance(loss, lr, 1e-3) for name, lr in lesson.PRESETS.items()}
assert steps_needed == {"too small": 342, "good": 5, "oscillating": 31, "diverging": np.inf}
long = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=preset_lrs[:3], num_steps=400)
distance = np.abs(long.params[..., 0]) / abs(lesson.X0[0])           # (401, 3)
assert [int(np.argmax(distance[:, i] <= 1e-3)) for i in range(3)] == [342, 5, 31]

# %% [markdown]
# ## 3. The lr map: every learning rate at once
#
# `lrlab.run` accepts an array of learning rates and runs them all at once: here 5000, log-spaced from
# 0.001 to 1, 40 steps each (the explorer's right panel). The lower panel reads the same runs as the
# average factor by which the distance shrank per step.

# %%
lrs = np.geomspace(*lesson.LR_RANGE, lesson.MAP_POINTS)
sweep = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=lrs, num_steps=lesson.NUM_STEPS)
print(f"one run: params {sweep.params.shape} = (steps + 1, learning rates, dimension), loss {sweep.loss.shape}")

fig, _ = lesson.lr_map_figure(lrs, sweep, loss, marks=lesson.PRESETS)
plotting.show(fig)

# %% tags=["check"]
assert lrs.shape == (5000,)
assert sweep.params.shape == (41, 5000, 1) and sweep.loss.shape == (41, 5000)
factor = lesson.step_factor(sweep)
ok = np.isfinite(factor)
assert np.allclose(factor[ok], np.abs(1 - lrs[ok] * L), rtol=1e-6, atol=1e-3)
assert abs(lrs[np.nanargmin(factor)] / (1 / L) - 1) < 2e-3                # fastest at 1/L

# %% [markdown]
# Read the top panel from left to right. At lr = 0.001 the loss after 40 steps is still 73% of its start.
# Then the curve falls to a floor (below $10^{-18}$, the bottom of the picture) from about 0.10 to 0.40;
# every lr from 0.040 to 0.46, a factor of more than 11, shrinks the loss a millionfold. Near $2/L$ the
# floor ends in a **cliff**. The lower panel shows what the floor hides: the shrink factor is a V whose tip,
# 0, sits at $1/L$.

# %%
largest = lesson.largest_converging_lr(lrs, sweep)
lo, hi = lesson.good_window(lrs, sweep, target=1e-6)
print(f"largest lr whose loss went down: {largest:.4f}  (2/L = {2 / L:g})")
print(f"lrs that shrink the loss 1e6-fold in 40 steps: {lo:.3f} to {hi:.3f}, a factor {hi / lo:.1f}")

# %% tags=["check"]
assert f"{sweep.loss[-1, 0] / sweep.loss[0, 0]:.0%}" == "73%"
grid_step = np.log(lrs[1] / lrs[0])
assert abs(np.log(largest) - np.log(2 / L)) <= grid_step
bound = 10 ** (-6 / (2 * lesson.NUM_STEPS))                  # |1 - lr*L| below this reaches the target
assert abs(lo - (1 - bound) / L) / lo < 2e-3 and abs(hi - (1 + bound) / L) / hi < 2e-3
assert 11 < hi / lo < 12 and f"{lo:.3f}" == "0.040" and f"{hi:.3f}" == "0.460"
on_floor = lrs[plotting.gap(sweep)[-1] < 1e-18]
assert f"{on_floor.min():.2f}" == "0.10" and f"{on_floor.max():.2f}" == "0.40"

# %% [markdown]
# With one curvature the best lr, $1/L$, is half the limit; with several (section 5) it creeps towards the
# cliff.
#
# ## 4. Curvature in several dimensions
#
# In one dimension the curvature is one number, $f''$. In several it is a matrix, the **Hessian** $H$, whose
# entries are the second derivatives $H_{ij} = \partial^2 f / \partial w_i \partial w_j$. On a quadratic bowl
# $f(w) = \frac12 w^\top H w$ the Hessian is the same everywhere and the gradient is $Hw$. Here is a bowl
# turned by 45°:

# %%
H = lesson.ROTATED_H
rotated = losses.quadratic(H)
print(H)

# %% [markdown]
# Its diagonal entries, 1.25, are the curvatures along the axes $w_1$ and $w_2$, but the bowl is not aligned
# with those axes. Its own axes are its **eigenvectors**: directions $v$ in which the gradient points
# straight along the line, $Hv = \lambda v$. The number $\lambda$, the **eigenvalue**, is the curvature
# along $v$: walking a distance $s$ along it, the loss is $\frac12\lambda s^2$, the one-dimensional bowl of
# section 1. `np.linalg.eigh` finds them.

# %%
lams, vecs = lesson.eigen_axes(H)          # np.linalg.eigh, with each eigenvector's sign fixed
for lam, v in zip(lams, vecs.T):
    Hv = H @ v
    print(f"λ = {lam:g}:  v = ({v[0]:+.3f}, {v[1]:+.3f}),  H v = ({Hv[0]:+.3f}, {Hv[1]:+.3f}) = λ v")

# %% tags=["check"]
assert np.allclose(lams, [0.5, 2.0], rtol=1e-12) and np.allclose(theory.eigenvalues(rotated), [0.5, 2.0])
assert np.allclose(vecs, np.array([[1, 1], [-1, 1]]) / np.sqrt(2), rtol=1e-12)
assert np.allclose(H @ vecs, vecs * lams, rtol=1e-12)

# %% [markdown]
# The flat axis $v_1$ is the valley floor (curvature 0.5); the steep axis $v_2$ goes across it (curvature
# 2). Write the error as $w = c_1 v_1 + c_2 v_2$; a step gives
#
# $$w - \eta H w = (1 - \eta\lambda_1)\,c_1 v_1 + (1 - \eta\lambda_2)\,c_2 v_2 ,$$
#
# so each eigendirection gets its own factor, $1 - \eta\lambda_i$: section 1's story, once per direction.
# The loop below runs gradient descent at lr 0.7 (factors $1 - 0.7 \cdot 0.5 = 0.65$ and
# $1 - 0.7 \cdot 2 = -0.4$) and measures the error along each eigenvector.

# %%
lr = lesson.EIGEN_LR                       # 0.7
w = np.array(lesson.EIGEN_X0)
path = [w]
for t in range(20):
    w = w - lr * rotated.grad(w)
    path.append(w)
path = np.array(path)
errors = path @ vecs                       # column i: the error along v_i (the minimum is at 0)
ratios = errors[1:] / errors[:-1]
for i in range(2):
    print(f"along v{i + 1}: each step multiplies the error by {ratios[:, i].min():+.3f} to {ratios[:, i].max():+.3f};"
          f"  1 - lr·λ{i + 1} = {1 - lr * lams[i]:+.3f}")
fig, _ = lesson.eigen_figure(rotated, path, lr)
plotting.show(fig)

# %% tags=["check"]
t = np.arange(21)[:, None]
assert np.allclose(errors, errors[0] * (1 - lr * lams) ** t, rtol=1e-9, atol=0)
assert np.allclose(ratios, 1 - lr * lams, rtol=1e-9)
same = lrlab.run(loss=rotated, stepper=steppers.sgd(), x0=lesson.EIGEN_X0, lr=lr, num_steps=20)
assert np.allclose(same.params, path, rtol=1e-12, atol=1e-15)
assert np.all(np.diff(same.loss) < 0) and theory.regime(rotated, lr) == "oscillating convergence"

# %% [markdown]
# The path zig-zags across the valley (factor $-0.4$ along $v_2$) while it slides along the floor (factor
# $0.65$). So every direction must shrink, $\eta < 2/\lambda_i$ for every $i$, that is $\eta < 2/L$ with
# $L$ the largest eigenvalue; and the factor closest to 1 in size sets the pace. We name the
# regime by the iterates, direction by direction: *oscillating* convergence as soon as one direction's factor
# is negative, although the loss itself still falls at every step.
#
# <details><summary>Optional: why a Hessian always has such axes</summary>
#
# A Hessian is symmetric ($\partial^2 f/\partial w_i \partial w_j = \partial^2 f/\partial w_j \partial w_i$),
# and the spectral theorem says that every symmetric $d \times d$ matrix has $d$ real eigenvalues and $d$
# mutually perpendicular unit eigenvectors: $H = Q \Lambda Q^\top$, with the eigenvectors as the columns of
# $Q$ and the eigenvalues on the diagonal of $\Lambda$. In the coordinates $c = Q^\top w$ the bowl
# $\frac12 w^\top H w$ becomes $\sum_i \frac12 \lambda_i c_i^2$: $d$ independent one-dimensional bowls. That
# is why the factor rule holds in any dimension. For a loss that is not quadratic the Hessian changes from
# point to point, and the picture describes the loss near a point (near a minimum, in particular).
#
# </details>
#
# **Explain why.** The start of a run may have almost no error along the steepest eigenvector. Why does a
# learning rate above $2/L$ still fail?
#
# <details><summary>Model answer (open after you have written yours)</summary>
#
# Along that eigenvector the error is multiplied by $|1 - \eta L| > 1$ at every step, however small it is to
# begin with. A tiny error that grows geometrically (by 10% per step, say) becomes large after a few hundred
# steps and then dominates the run. Only an error of exactly zero along it would stay zero, and real starts
# never have that.
#
# </details>
#
# ## 5. Two directions: an ill-conditioned valley
#
# This valley's Hessian is diagonal: its eigenvectors are the coordinate axes, with eigenvalue $1$ along
# $w_2$ and $1/\kappa$ along $w_1$. $\kappa$, the **condition number**, is the ratio of the largest to the
# smallest eigenvalue. The steep direction sets the limit $\eta < 2/L = 2$ whatever $\kappa$ is, so the flat
# direction's factor is at least $1 - 2/\kappa$: the larger $\kappa$, the slower the crawl along the floor.
# Move both sliders: at $\kappa = 200$ no learning rate shrinks the loss gap a millionfold in 60 steps.

# %% tags=["nbval-ignore-output"]
valley = lesson.kappa_explorer()
valley

# %% [markdown]
# Try the "narrow valley" preset ($\kappa = 200$, $\eta = 1$): the loss drops fast, because $\eta = 1$
# clears the steep direction in one step, and then it crawls. After 60 steps 99% of the loss gap is closed,
# yet the distance along $w_1$ has only shrunk to 74% ($0.995^{60}$). A loss curve that plunges and then
# flattens is a signature of ill-conditioning (lesson 07's noise floor looks alike). The presets at
# $\kappa = 20$, where the zig-zagging run is the faster one:

# %%
valley_loss = lesson.ill_conditioned(20.0)
valley_presets = {name: v["lr"] for name, v in lesson.KAPPA_PRESETS.items() if v["kappa"] == 20.0}
valley_traj = lrlab.run(loss=valley_loss, stepper=steppers.sgd(), x0=lesson.X0_2D, lr=list(valley_presets.values()),
                        num_steps=lesson.NUM_STEPS_2D)
fig, _ = lesson.regimes_figure(valley_loss, valley_traj,
                               titles=[f"{name}: lr = {lr:g}" for name, lr in valley_presets.items()])
plotting.show(fig)
for name, lr in valley_presets.items():
    print(f"{name:<24} lr = {lr:<4g} slowest factor {theory.convergence_rate(valley_loss, lr):.3f}   "
          + (f"distance x 1e-6 in {theory.steps_to_tolerance(valley_loss, lr, 1e-6):g} steps"
             if np.isfinite(theory.steps_to_tolerance(valley_loss, lr, 1e-6)) else "never"))

# %% tags=["check"]
narrow = lrlab.run(loss=lesson.ill_conditioned(200.0), stepper=steppers.sgd(), x0=lesson.X0_2D, lr=1.0,
                   num_steps=lesson.NUM_STEPS_2D)
assert 0.99 < 1 - narrow.loss[-1] / narrow.loss[0] < 0.995
assert f"{abs(narrow.params[-1, 0] / lesson.X0_2D[0]):.2f}" == "0.74" and f"{0.995 ** 60:.2f}" == "0.74"
assert [theory.regime(valley_loss, lr) for lr in valley_presets.values()] == [
    "monotone convergence", "monotone convergence", "oscillating convergence", "divergence"]
assert theory.critical_lr(valley_loss) == 2.0
assert [f"{theory.convergence_rate(valley_loss, lr):.3f}" for lr in valley_presets.values()] == [
    "0.999", "0.950", "0.910", "1.100"]
assert [theory.steps_to_tolerance(valley_loss, lr, 1e-6) for lr in valley_presets.values()] == [13809, 270, 147, np.inf]
narrow_map = lrlab.run(loss=lesson.ill_conditioned(200.0), stepper=steppers.sgd(), x0=lesson.X0_2D,
                       lr=np.geomspace(1e-2, 3.0, 3000), num_steps=lesson.NUM_STEPS_2D)
assert lesson.good_window(np.geomspace(1e-2, 3.0, 3000), narrow_map, target=1e-6) is None

# %% [markdown]
# The best constant learning rate, $\eta^* = 2/(\mu + L)$ ($\mu$: the smallest eigenvalue), balances the
# two factors; the steps it needs grow in proportion to $\kappa$, and it sits ever closer to the cliff:
#
# <details><summary>Optional: why, in formulas</summary>
#
# At $\eta^*$ both extreme factors have size $(\kappa - 1)/(\kappa + 1) \approx 1 - 2/\kappa$, so the steps
# needed grow in proportion to $\kappa$. And $\eta^*$ sits at $\kappa/(\kappa+1)$ of the limit $2/L$: the
# larger $\kappa$, the thinner the margin between the fastest run and divergence. Hence the usual search,
# "find the largest learning rate that does not blow up, then back off a little" (notebook 03).
#
# </details>

# %%
for k in [10, 100, 1000]:
    q = lesson.ill_conditioned(k)
    best = theory.optimal_lr(q)
    print(f"kappa = {k:>4}: best lr = {best:.4f} = {best / theory.critical_lr(q):.1%} of 2/L, "
          f"rate = {theory.convergence_rate(q, best):.4f}, distance x 1e-6 in {theory.steps_to_tolerance(q, best, 1e-6):g} steps")

# %% tags=["check"]
kappas = [10, 100, 1000]
best_steps = [theory.steps_to_tolerance(lesson.ill_conditioned(k), theory.optimal_lr(lesson.ill_conditioned(k)), 1e-6)
              for k in kappas]
assert best_steps == [69, 691, 6908]
for k in kappas:
    q = lesson.ill_conditioned(k)
    rate = theory.convergence_rate(q, theory.optimal_lr(q))
    assert np.isclose(rate, (k - 1) / (k + 1)) and theory.optimal_lr(q) > 1 / q.L
    assert np.isclose(theory.optimal_lr(q) / theory.critical_lr(q), k / (k + 1))

# %% [markdown]
# The lr map for three condition numbers (loss after 60 steps over the starting loss): the cliff stays at
# $2/L = 2$, but the floor rises with $\kappa$.

# %%
lrs_2d = np.geomspace(1e-2, 3.0, 3000)
maps = {k: lrlab.run(loss=lesson.ill_conditioned(k), stepper=steppers.sgd(), x0=lesson.X0_2D, lr=lrs_2d,
                     num_steps=lesson.NUM_STEPS_2D) for k in (1, 10, 100)}
fig, _ = lesson.kappa_map_figure(lrs_2d, maps)
plotting.show(fig)

windows = {k: lesson.good_window(lrs_2d, m, target=1e-6) for k, m in maps.items()}
for k, w in windows.items():
    print(f"kappa = {k:>3}: " + (f"lrs shrinking the loss gap 1e6-fold in 60 steps: {w[0]:.2f} to {w[1]:.2f}" if w
                                 else "no lr shrinks the loss gap 1e6-fold in 60 steps"))

# %% tags=["check"]
assert np.allclose(windows[1], (0.109, 1.890), rtol=5e-3) and np.allclose(windows[10], (0.962, 1.890), rtol=5e-3)
assert windows[100] is None

# %% [markdown]
# ## 6. The classical answers to "how big a step?"
#
# On a 1-D bowl $1/\lambda$ lands on the minimum in one step (section 1). That is **Newton's step**,
# $w - f'(w)/f''(w)$: an lr of one over the curvature (lesson 01 found that an lr has the units of
# 1/curvature). In several dimensions each eigendirection wants its own lr, $1/\lambda_i$; gradient descent
# has only one. Newton's method multiplies the gradient by $H^{-1}$, which is "$1/\lambda_i$ along each
# eigenvector", and lands on the minimum of a quadratic in one step.
#
# Two other rules choose the lr again at every step:
#
# - **Backtracking (Armijo) line search**: try a large lr (here 10); while the step does not lower the loss
#   by at least a small fraction of what the slope promises, halve it.
# - **Polyak's step size**: $\eta_t = (f(w_t) - f^*)/\lVert\nabla f(w_t)\rVert^2$, the lr at which the
#   loss's tangent plane would reach the minimum value $f^*$.
#
# All of them, against two fixed lrs, on section 5's $\kappa = 20$ valley:

# %%
rules = lesson.step_rules()                # {name: trajectory}, 120 steps each
fig, _ = lesson.step_rules_figure(rules)
plotting.show(fig)

armijo, polyak_run = rules["Armijo (from 10, halving)"], rules["Polyak (needs f*)"]
n_armijo = lesson.steps_to_gap(armijo)
tries = np.mean([s.n_evals for s in armijo.state[:n_armijo]])
needs = ["a guess below 2/L", "mu and L", f"{tries:.1f} loss evaluations per step", "the minimum value f*",
         "the Hessian: d x d numbers, a solve costing ~d^3"]
print(f"{'rule':<26} steps to loss gap x 1e-6   needs")
for (name, traj), need in zip(rules.items(), needs):
    n = lesson.steps_to_gap(traj)
    shown = f"about {10 * round(n / 10)}" if traj is polyak_run else f"{n}"
    print(f"{name:<26} {shown:<24} {need}")
print(f"Polyak's lr ranged from {np.nanmin(polyak_run.lr[:30]):.1f} to {np.nanmax(polyak_run.lr[:30]):.1f} "
      f"in its first 30 steps (2/L = {theory.critical_lr(lesson.ill_conditioned(20.0)):g})")

# %% tags=["check"]
counts = {name: lesson.steps_to_gap(traj) for name, traj in rules.items()}
assert list(counts.values())[:3] + [counts["Newton (needs H)"]] == [113, 70, 46, 1]
assert f"{tries:.1f}" == "3.3" and 25 <= counts["Polyak (needs f*)"] < 35
for nudge in (1e-9, -1e-9):                # Polyak's count moves with the start's last digits: "about 30"
    again = lesson.step_rules(x0=np.array(lesson.X0_2D) + nudge)
    assert 25 <= lesson.steps_to_gap(again["Polyak (needs f*)"]) < 35
    assert lesson.steps_to_gap(again["Armijo (from 10, halving)"]) == 46
assert f"{np.nanmin(polyak_run.lr[:30]):.1f}" == "0.6" and f"{np.nanmax(polyak_run.lr[:30]):.1f}" == "9.8"
assert np.all(np.diff(armijo.loss) < 0)    # every accepted step lowered the loss

# %% [markdown]
# Every rule beats the fixed lrs here, and each pays for it. Armijo needs no $L$ and every accepted step
# lowers the loss, but it costs 3.3 extra loss evaluations per step here. Polyak's lr jumps between 0.6
# and 9.8, far past $2/L = 2$, and still converges, but it needs $f^*$, which a network's loss does not come
# with. Newton needs the Hessian: $d^2$ numbers and about $d^3$ operations per step, hopeless for a million
# parameters. That is why deep learning still picks a learning rate (lesson 03), then schedules and adapts
# it (lessons 04 and 06).
#
# <details><summary>Optional: how these rules relate</summary>
#
# On a quadratic, the lr that minimizes the loss along the gradient is $g^\top g / g^\top H g$
# (`lrlab.theory.exact_line_search_lr`): Newton's lr along the gradient direction. Armijo's test with
# constant $c$ accepts exactly the lrs up to $2(1-c)$ times it, so halving from a large lr accepts an lr
# between about 1 and 2 times the exact line search's. On any convex loss each Polyak step brings the
# iterate closer to the minimizer, whatever the curvature.
# Quasi-Newton methods (BFGS, torch's `LBFGS`) build an estimate of $H^{-1}$ from gradients alone.
#
# </details>

# %% [markdown]
# ## 7. Non-convex: a poor local minimum, and a stride that escapes
#
# On a loss with several minima a small learning rate can be *wrong*. `losses.two_wells()` has a narrow,
# shallow trap at $w \approx -0.95$ (loss 0.77) and a wide, deep basin at $w = 2$ (loss 0); we start at
# $w = -1.6$. Each minimum has its own limit, $2/\text{curvature}$: about 0.086 for the trap, 5 for the
# basin. A small lr walks into the trap and stays; just above 0.086 it bounces inside it; from about 0.15
# the bounces carry it over the ridge into the basin. (Not a quadratic: the slider's label describes the
# path only.)

# %% tags=["nbval-ignore-output"]
wells = lesson.wells_explorer()
wells

# %% [markdown]
# The same four learning rates, frozen:

# %%
two_wells = losses.two_wells()
wells_lrs = list(lesson.WELLS_PRESETS.values())
wells_traj = lrlab.run(loss=two_wells, stepper=steppers.sgd(), x0=lesson.WELLS_X0, lr=wells_lrs, num_steps=lesson.WELLS_STEPS)
fig, _ = lesson.paths_figure(two_wells, wells_traj,
                             titles=[f"{name}: {lr:g}" for name, lr in lesson.WELLS_PRESETS.items()])
plotting.show(fig)

good_min, trap = two_wells.local_minima
trap_limit = 2 / two_wells.curvature(np.array([trap]))
basin_limit = 2 / two_wells.curvature(np.array([good_min]))
final_w = wells_traj.params[-1, :, 0]
print(f"trap at w = {trap:.3f}, 2/curvature = {trap_limit:.4f};  good minimum at w = {good_min:.0f}, 2/curvature = {basin_limit:.2f}")
print(f"after {lesson.WELLS_STEPS} steps: lr = 0.03 -> w = {final_w[0]:.3f},  lr = 0.3 -> w = {final_w[2]:.3f}")

# %% tags=["check"]
assert abs(trap - (-0.951)) < 1e-3 and abs(good_min - 2.0) < 1e-9
assert abs(trap_limit - 0.086) < 1e-3 and abs(basin_limit - 5.0) < 1e-6
assert abs(final_w[0] - trap) < 1e-4             # lr = 0.03: stuck in the trap
assert abs(final_w[2] - good_min) < 1e-4         # lr = 0.3: escaped to the good minimum
assert bool(wells_traj.diverged[3])               # lr = 6: beyond the basin's limit

# %% [markdown]
# Where does each learning rate end up? For 5000 learning rates (300 steps each) we plot the last 30
# iterates: a single dot means the run settled, a vertical smear that it is still bouncing. Between about 4.6
# and 5, below the basin's limit, most runs have neither settled nor blown up after 300 steps: their last
# iterates jump from below −10 to above 15, mostly outside the picture.

# %%
lrs_wells = np.geomspace(1e-3, 8.0, 5000)
landing = lrlab.run(loss=two_wells, stepper=steppers.sgd(), x0=lesson.WELLS_X0, lr=lrs_wells, num_steps=300)
fig, _ = lesson.landing_figure(two_wells, lrs_wells, landing, last=30)
plotting.show(fig)

end = landing.params[-1, :, 0]
escapes = lrs_wells[np.abs(end - good_min) < 1e-6]
in_trap = np.abs(end - trap) < 0.01
i0 = int(np.argmax(np.abs(end - good_min) < 1e-6))
i1 = i0 + int(np.argmax(np.abs(end[i0:] - good_min) >= 1e-6))     # the first lr above the window that misses w = 2
print(f"every lr below {lrs_wells[~in_trap].min():.3f} ends in the trap; "
      f"from lr = {lrs_wells[i0]:.3f} to {lrs_wells[i1 - 1]:.1f} every lr ends at w = 2")

# %% tags=["check"]
assert landing.params.shape == (301, 5000, 1)
settled = np.abs(landing.params[-30:, :, 0] - end).max(axis=0) < 1e-6
stuck = lrs_wells < 0.08
assert np.all(np.abs(end[stuck] - trap) < 0.01)                   # every lr below 0.08 is caught in the trap
assert not settled[(lrs_wells > 0.09) & (lrs_wells < 0.15)].any()  # just above 2/curvature: bouncing, not settled
first_escape = escapes.min()
assert 0.15 < first_escape < 0.155 and lrs_wells[i0] == first_escape
assert 0.0855 < lrs_wells[~in_trap].min() < 0.0865 and f"{lrs_wells[i1 - 1]:.1f}" == "4.5"
window = (lrs_wells >= first_escape) & (lrs_wells <= 4.5)
assert np.all(np.abs(end[window] - good_min) < 1e-6)               # every lr from there to 4.5 reaches w = 2
wild = (lrs_wells > 4.6) & (lrs_wells < 5.0)                         # below the basin's limit, 5: still jumping
assert not landing.diverged[wild].any() and np.mean(np.ptp(landing.params[-30:, wild, 0], axis=0) > 1.0) > 0.6
assert landing.params[-30:, wild, 0].min() < -10 and landing.params[-30:, wild, 0].max() > 15

# %% [markdown]
# <details><summary>Optional: a caution about the moral</summary>
#
# The large learning rate escaped because the poor minimum was the *narrow* one: a sharp minimum cannot hold
# a long stride, a wide one can. That is one reason large learning rates (and the noise of small batches)
# tend to end in wide, flat minima. It is not a law: had the good minimum been the narrow one, the same large
# stride would have thrown us out of it.
#
# </details>
#
# ## 8. A plateau: flat is not finished
#
# The second way to get stuck is not a minimum at all. `losses.plateau()` starts with a long shelf of slope
# about 0.02 that ends in a cliff. On the shelf every step is $\eta \times 0.02$ long, so crossing it takes
# a number of steps inversely proportional to the learning rate, while the loss curve looks finished.

# %%
plateau = losses.plateau()
plateau_lrs = [0.3, 1.0, 3.0]
shelf = lrlab.run(loss=plateau, stepper=steppers.sgd(), x0=lesson.PLATEAU_X0, lr=plateau_lrs, num_steps=700)
fig, _ = lesson.plateau_figure(plateau, plateau_lrs, shelf)
plotting.show(fig)

exits = lesson.exit_step(shelf)                  # first step with loss < 0, halfway down the cliff
slope0 = abs(plateau.grad(np.array(lesson.PLATEAU_X0))[0])
for lr, n in zip(plateau_lrs, exits):
    print(f"lr = {lr:<4g} leaves the shelf at step {n:>3}   (lr x steps = {lr * n:.0f})")
print(f"slope at the start: {slope0:.3f}")

# %% tags=["check"]
assert 0.015 < slope0 < 0.03                     # small, but not zero: this is not a minimum
assert 450 < exits[0] < 550 and 135 < exits[1] < 165 and 45 < exits[2] < 56
products = np.array(plateau_lrs) * exits
assert np.all(np.abs(shelf.loss[-1] - plateau.min_value) < 0.01) and not shelf.diverged.any()
assert products.max() / products.min() < 1.05    # lr x steps is (nearly) constant

# %% [markdown]
# *Learning rate × steps* is nearly constant, about 150. A flat loss curve is no proof of convergence:
# check the gradient norm (here 0.02, not 0). A larger lr is limited in general by the sharpest region where
# the run must settle; here the final basin is wide, so lr = 3 crosses the cliff and settles. Schedules
# (notebook 04) and adaptive optimizers (notebook 06) address that tension.
#
# ## Summary
#
# - On a quadratic each step multiplies the error along a direction of curvature $\lambda$ by
#   $1 - \eta\lambda$: slow for $\eta\lambda \ll 1$, fastest at 1, oscillating convergence between 1 and 2,
#   divergence beyond 2.
# - In several dimensions the Hessian's eigenvectors are the bowl's axes, its eigenvalues the curvatures.
#   The steepest sets the limit, $\eta < 2/L$; the flattest sets the pace (steps $\propto \kappa$).
# - The lr map: a floor ending in a cliff at $2/L$; the larger $\kappa$, the closer the best lr to the cliff.
# - Newton ($1/\lambda_i$ per eigendirection), Armijo backtracking and Polyak's step choose the step for
#   you, at a price: the Hessian, extra loss evaluations, the minimum value.
# - On non-convex losses too small is not only slow: it can stay in the first minimum it meets, and it
#   crawls across plateaus.
#
# ## Exercises
#
# Replace each `None` with your answer and run the cell.
#
# **Exercise 1.** Gradient descent converges on the bowl `losses.quadratic([[5.0, 4.0], [4.0, 5.0]])` for
# every learning rate below some boundary, and fails from the boundary on. What is the boundary? (You may
# compute with numpy, and confirm with `lrlab.run` and a batch of learning rates.)

# %%
answer = None
lesson.check_largest_lr(answer)

# %% [markdown]
# **Exercise 2.** Gradient descent with learning rate 0.3 on `losses.quadratic([1.0, 5.0])` (curvatures 1
# and 5): which regime, `'monotone convergence'`, `'oscillating convergence'`, `'no convergence'` or
# `'divergence'`?

# %%
answer = None
lesson.check_regime(answer)

# %% [markdown]
# **Exercise 3.** On the valley with $\kappa = 40$ (curvatures $1/40$ and $1$) and learning rate 1.5, how
# many steps does it take until the error is a thousandth of what it was, in *both* directions?

# %%
answer = None
lesson.check_flat_steps(answer)

# %% [markdown]
# **Exercise 4.** Gradient descent with Polyak's step size on $f(w) = 3w^2$ (curvature 6, minimum value 0)
# starts at $w = 2$. Which lr does the rule choose at the first step?

# %%
answer = None
lesson.check_polyak_lr(answer)
