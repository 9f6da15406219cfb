# %% [markdown]
# # 02 · Too high, too low
#
# A learning rate can be "too high" (the loss jumps around or explodes) or "too low" (it takes for ever).
# This notebook makes both precise: where "too high" starts ($2/L$) and why; what happens in several
# dimensions, where steep and flat directions disagree; the **lr map**, 5000 learning rates in one run; and
# two ways a small learning rate gets stuck on a non-convex loss.
#
# **Predict first.** The loss is $f(w) = 2w^2$ (its curvature, the second derivative, is $\lambda = 4$), and
# we start at $w = 1.5$. Up to which learning rate does gradient descent still reach the minimum?
# (a) 0.25, (b) 0.5, (c) 1, (d) any: a larger learning rate is just faster.
# Commit to an answer, then find the edge with the slider.

# %%
import numpy as np

import lrlab
from lrlab import losses, plotting, steppers, theory
from lrlab.lessons import too_high_too_low as lesson

# %% [markdown]
# ## The explorer
#
# Left: the loss curve with every step drawn as an arrow. Middle: the loss after each step (log scale; the
# dashed line is a millionth of the starting loss). Right: the **lr map**, the loss after 40 steps for each
# of 5000 learning rates between 0.001 and 1; the black dot is the current learning rate. The dotted lines
# mark $1/L$ and $2/L$, with $L = \lambda = 4$ here. The label beside the slider describes the current run.

# %% tags=["nbval-ignore-output"]
explorer = lesson.explorer()
explorer

# %% [markdown]
# Did you find the edge at 0.5, answer (b)? Past it the iterate is thrown further out at every step; below
# it, the outcome changes character once more, at 0.25. The next section shows where these two numbers
# come from.
#
# ## 1. Why 2/L: the error factor
#
# On $f(w) = \frac{\lambda}{2} w^2$ the gradient is $\lambda w$, so one step of gradient descent is
#
# $$w_{t+1} = w_t - \eta\lambda\,w_t = (1 - \eta\lambda)\,w_t
# \qquad\Longrightarrow\qquad w_t = (1 - \eta\lambda)^t\, w_0 .$$
#
# The distance to the minimum is multiplied by the same factor $1 - \eta\lambda$ at every step. Everything
# depends on that one number, and through it on the product $\eta\lambda$ (learning rate × curvature), never
# on $\eta$ alone:
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
# The formula is exact, not an approximation. Here is the update rule written out as a loop; change `lr`
# and run it again.

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
# "Too low" is not wrong, only wasteful. The "too small" run closed 80% of the loss gap, but each of its
# steps removes only 2% of the remaining *distance*: shrinking it a thousandfold takes 342 steps, against
# 5 for the good preset. The oscillating preset needs 31: a factor $-0.8$ shrinks the distance as slowly as
# $+0.8$ would.

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
# Instead of trying learning rates one by one, `lrlab.run` accepts an array of them and runs all the
# trajectories together as one vectorized computation. Here are 5000 learning rates, log-spaced from 0.001
# to 1, each run for 40 steps: the same sweep as the right panel of the explorer. The lower panel reads
# the same runs differently: the factor by which the distance shrank per step, on average.

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
# Read the top panel from left to right. Far left, at lr = 0.001, the loss after 40 steps is still 73% of
# where it started. Then the curve falls into a wide floor (runs below $10^{-18}$, the bottom of the
# picture): every learning rate from 0.040 to 0.46, a factor of more than 11, shrinks the loss a
# millionfold. Near $2/L$ the floor ends in a **cliff**, and the runs to the right of it blow up. The lower
# panel shows what the floor hides: the shrink factor is a V whose tip, 0, sits at $1/L$.

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

# %% [markdown]
# With one curvature the best learning rate, $1/L$, is half the limit, far from the cliff. With several
# curvatures (section 5) it creeps towards the cliff. First: what is "curvature" in several dimensions?
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
# The flat axis, $v_1$, is the valley floor (curvature 0.5); the steep axis, $v_2$, goes across it
# (curvature 2). Why this matters for the learning rate: write the error as $w = c_1 v_1 + c_2 v_2$. A step
# gives
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

# %% [markdown]
# The path in the picture zig-zags across the valley (the factor $-0.4$ flips the sign along $v_2$) while it
# slides along the floor (factor $0.65$, same sign every step). The rule for the learning rate follows:
# every direction must shrink, so $\eta < 2/\lambda_i$ for every $i$, that is $\eta < 2/L$ with $L$ the
# largest eigenvalue; and the direction whose factor is closest to 1 in size sets the pace.
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
# Move both sliders: at large $\kappa$ no learning rate is good.

# %% tags=["nbval-ignore-output"]
valley = lesson.kappa_explorer()
valley

# %% [markdown]
# Try the "narrow valley" preset ($\kappa = 200$, $\eta = 1$): the loss drops fast, because most of it sits
# in the steep direction, which $\eta = 1$ clears in one step, and then it stalls. After 60 steps 99% of the
# loss gap is closed, yet the distance along $w_1$ has only shrunk to 74% of its start ($0.995^{60}$). A loss
# curve that plunges and then flattens is the signature of ill-conditioning. The presets at $\kappa = 20$:

# %%
valley_loss = lesson.ill_conditioned(20.0)
valley_presets = {name: v["lr"] for name, v in lesson.KAPPA_PRESETS.items() if v["kappa"] == 20.0}
valley_traj = lrlab.run(loss=valley_loss, stepper=steppers.sgd(), x0=lesson.X0_2D, lr=list(valley_presets.values()),
                        num_steps=lesson.NUM_STEPS_2D)
fig, _ = lesson.regimes_figure(valley_loss, valley_traj,
                               titles=[f"{name}: lr = {lr:g}" for name, lr in valley_presets.items()])
plotting.show(fig)

# %% tags=["check"]
narrow = lrlab.run(loss=lesson.ill_conditioned(200.0), stepper=steppers.sgd(), x0=lesson.X0_2D, lr=1.0,
                   num_steps=lesson.NUM_STEPS_2D)
assert 0.99 < 1 - narrow.loss[-1] / narrow.loss[0] < 0.995
assert f"{abs(narrow.params[-1, 0] / lesson.X0_2D[0]):.2f}" == "0.74" and f"{0.995 ** 60:.2f}" == "0.74"
assert [theory.regime(valley_loss, lr) for lr in valley_presets.values()] == [
    "monotone convergence", "monotone convergence", "oscillating convergence", "divergence"]
assert theory.critical_lr(valley_loss) == 2.0

# %% [markdown]
# How slow is the crawl? The best constant learning rate, $\eta^* = 2/(\mu + L)$ ($\mu$: the smallest
# eigenvalue), balances the two factors; its rate is $(\kappa - 1)/(\kappa + 1) \approx 1 - 2/\kappa$, so
# the steps needed grow in proportion to $\kappa$. And $\eta^*$ sits at $\kappa/(\kappa+1)$ of the limit
# $2/L$: the larger $\kappa$, the thinner the margin between the fastest run and divergence. Hence the
# usual search, "find the largest learning rate that does not blow up, then back off a little" (notebook 03).

# %%
for k in [10, 100, 1000]:
    q = lesson.ill_conditioned(k)
    best = theory.optimal_lr(q)
    print(f"kappa = {k:>4}: best lr = {best:.4f} = {best / theory.critical_lr(q):.1%} of 2/L, "
          f"rate = {theory.convergence_rate(q, best):.4f}, steps to 1e-6: {theory.steps_to_tolerance(q, best, 1e-6):g}")

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
    print(f"kappa = {k:>3}: " + (f"lrs reaching 1e-6 in 60 steps: {w[0]:.2f} to {w[1]:.2f}" if w else "no lr reaches 1e-6 in 60 steps"))

# %% tags=["check"]
assert np.allclose(windows[1], (0.109, 1.890), rtol=5e-3) and np.allclose(windows[10], (0.962, 1.890), rtol=5e-3)
assert windows[100] is None

# %% [markdown]
# ## 6. Non-convex: a poor local minimum, and a stride that escapes
#
# On a bowl, a smaller learning rate is never *wrong*, only slow. On a loss with several minima it can be.
# `losses.two_wells()` has a narrow, shallow trap at $w \approx -0.95$ (loss 0.77) and a wide, deep basin at
# $w = 2$ (loss 0); we start at $w = -1.6$, on the trap's slope. Each minimum has its own limit,
# $2/\text{curvature}$: about 0.086 for the narrow trap (curvature 23), 5 for the wide basin (curvature 0.4).
# A small learning rate walks into the trap and stays there; just above 0.086 it bounces inside the trap;
# from about 0.15 the bounces carry it over the ridge into the basin, where it settles. This loss is not a
# quadratic, so the label beside the slider only describes the run's path.

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
# iterates: a single dot means the run settled, a vertical smear that it is still bouncing.

# %%
lrs_wells = np.geomspace(1e-3, 8.0, 5000)
landing = lrlab.run(loss=two_wells, stepper=steppers.sgd(), x0=lesson.WELLS_X0, lr=lrs_wells, num_steps=300)
fig, _ = lesson.landing_figure(two_wells, lrs_wells, landing, last=30)
plotting.show(fig)

end = landing.params[-1, :, 0]
escapes = lrs_wells[np.abs(end - good_min) < 1e-6]
print(f"every lr below 0.08 ends in the trap; from lr = {escapes.min():.3f} to 4.5 every lr ends at w = 2")

# %% tags=["check"]
assert landing.params.shape == (301, 5000, 1)
settled = np.abs(landing.params[-30:, :, 0] - end).max(axis=0) < 1e-6
stuck = lrs_wells < 0.08
assert np.all(np.abs(end[stuck] - trap) < 0.01)                   # every lr below 0.08 is caught in the trap
assert not settled[(lrs_wells > 0.09) & (lrs_wells < 0.15)].any()  # just above 2/curvature: bouncing, not settled
first_escape = escapes.min()
assert 0.15 < first_escape < 0.155
window = (lrs_wells >= first_escape) & (lrs_wells <= 4.5)
assert np.all(np.abs(end[window] - good_min) < 1e-6)               # every lr from there to 4.5 reaches w = 2

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
# ## 7. A plateau: flat is not finished
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
assert products.max() / products.min() < 1.05    # lr x steps is (nearly) constant

# %% [markdown]
# *Learning rate × steps* is nearly constant, about 150: the shelf is a fixed distance at a fixed slope. A
# loss curve flat for hundreds of steps is no proof of convergence: check the gradient norm (here 0.02,
# not 0). The cure, a larger learning rate, is limited by the steepest part of the path; that tension is
# what schedules (notebook 04) and adaptive optimizers (notebook 06) address.
#
# ## Summary
#
# - On a quadratic each step multiplies the error along a direction of curvature $\lambda$ by
#   $1 - \eta\lambda$: slow for $\eta\lambda \ll 1$, fastest at 1, oscillating convergence between 1 and 2,
#   divergence beyond 2.
# - In several dimensions the Hessian's eigenvectors are the bowl's axes and its eigenvalues the curvatures
#   along them. The steepest sets the limit, $\eta < 2/L$; the flattest sets the pace, and the steps
#   needed grow in proportion to $\kappa$.
# - The lr map shows a wide floor ending in a cliff at $2/L$; the worse the conditioning, the closer the
#   best constant lr, $\frac{\kappa}{\kappa+1}\cdot\frac{2}{L}$, sits to the cliff.
# - On non-convex losses too small is not only slow: it stays in the first minimum it meets, and it crawls
#   across plateaus.
#
# ## Exercises
#
# Replace each `None` with your answer and run the cell.
#
# **Exercise 1.** Gradient descent converges on the bowl `losses.quadratic([[5.0, 3.0], [3.0, 5.0]])` for
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
