# %% [markdown]
# # 05 · Momentum
#
# Plain gradient descent has one knob, the learning rate, and one hard wall: on a bowl whose steepest
# curvature is $L$ it diverges as soon as $\text{lr} > 2/L$. Worse, the lr that the steepest direction
# allows is far too small for the flattest one, so on a long, narrow valley it crawls.
#
# **Momentum** (heavy ball) remembers past gradients. It moves the wall out to $2(1+\beta)/L$ and, tuned
# the way Polyak showed, needs about $\sqrt{\kappa}$ steps where gradient descent needs $\kappa$
# ($\kappa = L/\mu$, the condition number, with $\mu$ the flattest curvature). Why it works is clearest one
# direction of the bowl at a time, and on one picture, the $(\text{lr}\cdot\lambda, \beta)$ phase diagram. **Nesterov**'s variant looks one step ahead.
# Lesson 06 then gives every parameter its own step size (Adagrad, RMSprop, Adam).
#
# Throughout, the playground is the bowl $f(w) = \tfrac12\,(1\cdot w_1^2 + 81\cdot w_2^2)$: a flat direction
# ($\lambda = 1$), a steep one ($\lambda = L = 81$), condition number 81.
#
# > **Predict first.** On this bowl plain gradient descent diverges once the lr passes $2/L \approx 0.0247$.
# > Now add momentum $\beta = 0.9$. Where does divergence start? (a) at the same lr; (b) at about twice
# > that lr; (c) at about ten times that lr. Decide, then find out with the sliders below.

# %%
import numpy as np

import lrlab
from lrlab import diagnostics, losses, plotting, steppers, theory
from lrlab.lessons import momentum as lesson

bowl = lesson.BOWL            # f(w) = ½ (1·w₁² + 81·w₂²)
x0 = np.array(lesson.X0)      # the start used everywhere in this notebook
print(f"curvatures {bowl.eigenvalues.tolist()}, condition number {bowl.condition_number:.0f}, "
      f"2/L = {theory.critical_lr(bowl):.4f}, start {x0.tolist()}")

# %% tags=["check"]
assert np.isclose(theory.critical_lr(bowl), 2 / 81) and round(theory.critical_lr(bowl), 4) == 0.0247

# %% [markdown]
# ## The heavy-ball explorer
#
# Two sliders: the learning rate (log scale) and the momentum $\beta$. Left: the path on the bowl's
# contours; middle: the loss. Right: the whole $(\text{lr}, \beta)$ plane, coloured by the steps heavy ball
# needs to shrink the error tenfold (bright = fast, grey = diverges), with the wall $2(1+\beta)/L$ (solid line),
# gradient descent's best lr (dot at $\beta = 0$) and Polyak's optimum (star). The white dot is you; above the
# panel, the factor by which the error shrinks per step at your setting.
#
# Try: with $\beta = 0$, push the lr past 0.0247 and watch it blow up. Then raise $\beta$ to 0.9 *at the same
# lr*. Then press **Polyak**.

# %% tags=["nbval-ignore-output"]
explorer = lesson.momentum_explorer(lr=0.01, momentum=0.0)
explorer

# %% [markdown]
# Most heavy-ball runs overshoot and swing back, like a ball rolling in a bowl. That is not a failure: the
# swings die out geometrically.
#
# ## 1 · Heavy ball: a step with memory
#
# Instead of stepping along the current gradient $g_t$, heavy ball steps along a running sum of past
# gradients, each one discounted by $\beta$ per step:
#
# $$b_t = \beta\, b_{t-1} + g_t, \qquad w_t = w_{t-1} - \text{lr}\cdot b_t .$$
#
# That is `torch.optim.SGD(momentum=β)`, whose buffer starts at the first gradient. Written by hand it is
# three lines; `lrlab.steppers.sgd(momentum=β)` gives the same iterates, bit for bit:

# %%
lr, beta = 0.03, 0.9
w, buf = x0.copy(), None
for t in range(50):                                   # the update written by hand
    g = bowl.grad(w)
    buf = g if buf is None else beta * buf + g
    w = w - lr * buf

traj = lrlab.run(loss=bowl, stepper=steppers.sgd(momentum=beta), x0=x0, lr=lr, num_steps=50)
print(f"after 50 steps, by hand: {w[0]:+.6e} {w[1]:+.6e}; lrlab: {traj.params[-1, 0]:+.6e} {traj.params[-1, 1]:+.6e}")

# %% tags=["check"]
assert np.array_equal(w, traj.params[-1])

# %% [markdown]
# Here is the same experiment without sliders: four learning rates, first for plain gradient descent, then
# with $\beta = 0.9$. The third one, lr = 0.03, is beyond gradient descent's $2/L$: on its own it blows up
# along the steep direction $w_2$; with momentum it comes home. Each label is theory's verdict (section 2):
# **monotone convergence** (the error shrinks along every direction without changing sign), **oscillating
# convergence** (it shrinks, overshooting along some direction) or **divergence**; below, the share of the
# loss gap closed.

# %%
lrs = [0.002, 0.012, 0.03, 0.05]
gd = lrlab.run(loss=bowl, stepper=steppers.sgd(), x0=x0, lr=lrs, num_steps=60)
hb = lrlab.run(loss=bowl, stepper=steppers.sgd(momentum=0.9), x0=x0, lr=lrs, num_steps=60)
fig, _ = lesson.plot_paths(gd, "plain gradient descent (β = 0), 60 steps")
plotting.show(fig)
fig, _ = lesson.plot_paths(hb, "heavy ball (β = 0.9), 60 steps", momentum=0.9)
plotting.show(fig)
print(f"loss − min at the start: {plotting.gap(gd)[0, 0]:.3g}; after 60 steps, for lr = {lrs}:")
for name, tr in (("β = 0  ", gd), ("β = 0.9", hb)):
    print(name, ", ".join("diverged" if d else f"{g:.2g}" for d, g in zip(tr.diverged, plotting.gap(tr)[-1])))

# %% tags=["check"]
assert theory.regime(bowl, lrs).tolist() == ["monotone convergence"] * 2 + ["divergence"] * 2
assert theory.regime(bowl, lrs, 0.9).tolist() == ["oscillating convergence"] * 3 + ["divergence"]
_closed = [1 - plotting.gap(tr)[-1] / plotting.gap(tr)[0] for tr in (gd, hb)]
assert np.all(_closed[0][:2] > 0.98) and np.all(_closed[1][:3] > 0.99)
assert gd.diverged.tolist() == [False, False, True, True] and hb.diverged.tolist() == [False, False, False, True]

# %% [markdown]
# ## 2 · Why the wall moves to $2(1+\beta)/L$
#
# A quadratic bowl has special directions, its **eigendirections**: the axes of its elliptical contours, along
# which the gradient points straight at the minimum. They are the eigenvectors of the Hessian (the matrix of
# second derivatives), and the curvature along each is its eigenvalue $\lambda$ (lesson 02, *Curvature in
# several dimensions*, draws them). On our bowl they are the two coordinate axes, with $\lambda = 1$ and 81.
# Along each of them the error evolves on its own. Along a direction of curvature $\lambda$ the gradient is
# $\lambda$ times the error $e_t$, and the two lines of the update combine into
#
# $$e_{t+1} = (1 + \beta - \text{lr}\,\lambda)\, e_t - \beta\, e_{t-1}.$$
#
# Solutions look like $e_t = z^t$, with $z$ a root of $z^2 - (1+\beta-\text{lr}\,\lambda)\,z + \beta = 0$. The two
# roots multiply to $\beta < 1$, so they cannot both be large. As the lr grows, one root runs off along the
# negative axis, an error that flips sign every step and grows, and it crosses $z = -1$ exactly when
# $1 + (1 + \beta - \text{lr}\,\lambda) + \beta = 0$, that is at
#
# $$\text{lr}\,\lambda = 2(1+\beta).$$
#
# The steepest direction $\lambda = L$ hits that first, so the wall is at $\text{lr} = 2(1+\beta)/L$. With
# $\beta = 0$ this is gradient descent's $2/L$. We check it on the bowl: 1% below the wall converges, 1% above
# diverges, for three momenta.

# %%
for beta in (0.0, 0.5, 0.9):
    crit = theory.critical_lr(bowl, momentum=beta)
    pair = lrlab.run(loss=bowl, stepper=steppers.sgd(momentum=beta), x0=x0, lr=[0.99 * crit, 1.01 * crit],
                     num_steps=400)
    below, above = theory.regime(bowl, [0.99 * crit, 1.01 * crit], beta)
    rho_below, rho_above = theory.convergence_rate(bowl, [0.99 * crit, 1.01 * crit], momentum=beta)
    print(f"β = {beta:.1f}: wall 2(1+β)/L = {crit:.4f} | 0.99× wall: {below} (error × {rho_below:.3f}/step)"
          f" | 1.01×: {above} (× {rho_above:.3f}/step)")
ratio = theory.critical_lr(bowl, 0.9) / theory.critical_lr(bowl)
print(f"with β = 0.9 the wall is {ratio:.2f}× gradient descent's 2/L")

# %% tags=["check"]
for beta in (0.0, 0.5, 0.9):
    crit = theory.critical_lr(bowl, momentum=beta)
    pair = lrlab.run(loss=bowl, stepper=steppers.sgd(momentum=beta), x0=x0, lr=[0.99 * crit, 1.01 * crit],
                     num_steps=400)
    below, above = theory.regime(bowl, [0.99 * crit, 1.01 * crit], beta)
    rho_below, rho_above = theory.convergence_rate(bowl, [0.99 * crit, 1.01 * crit], momentum=beta)
    assert below == "oscillating convergence" and rho_below < 1 and not pair.diverged[0]
    assert above == "divergence" and rho_above > 1 and diagnostics.path_shape(pair)[1] == "diverging"
assert np.isclose(ratio, 1.9)

# %% [markdown]
# So the answer to the opening question is **(b)**: $\beta = 0.9$ moves the wall out by the factor
# $1+\beta = 1.9$. No momentum can more than double it.
#
# The bigger gain is elsewhere. On a steady slope the buffer $b_t$ builds up to $g/(1-\beta)$, so along a
# *flat* direction heavy ball moves as if its lr were $\text{lr}/(1-\beta)$, ten times larger for
# $\beta = 0.9$, while the steep direction keeps its wall at $2(1+\beta)/L$. On the flat direction alone
# ($\lambda = 1$) with a small lr, the per-step error factor is indeed close to $1 - \text{lr}\,\lambda/(1-\beta)$:

# %%
flat = losses.quadratic([1.0])
lr = 5e-4
rho_gd = theory.convergence_rate(flat, lr)
rho_hb = theory.convergence_rate(flat, lr, momentum=0.9)
print(f"flat direction, lr = {lr:g}: GD error × {rho_gd:.5f}/step, heavy ball β=0.9 × {rho_hb:.5f}/step, "
      f"1 − lr/(1−β) = {1 - lr / 0.1:.5f}")

# %% tags=["check"]
assert abs((1 - rho_hb) / (lr / 0.1) - 1) < 0.06      # heavy ball ≈ GD with lr/(1−β) along flat directions

# %% [markdown]
# ## 3 · One eigendirection at a time
#
# Everything so far rests on one fact: on a quadratic the error splits into independent pieces, one along each
# eigendirection, and each piece shrinks by its **own factor** per step. For gradient descent that
# factor is $|1 - \text{lr}\,\lambda_i|$; for heavy ball it is the larger root modulus of that direction's
# polynomial $z^2 - (1+\beta-\text{lr}\,\lambda_i)z + \beta$ (`theory.direction_rates` computes both). The
# total error is the sum of the pieces, so after a while only the piece with the **largest factor** is left:
# the slowest direction sets the pace of the whole run.
#
# We watch it on a bowl with three eigendirections along the axes, $\lambda = 1, 10, 81$, starting with error 1
# in each. Same lr for both runs, 0.02; heavy ball with $\beta = 0.6$.

# %%
eig_runs = lesson.eigendirection_runs()
factors = {name: theory.direction_rates(lesson.EIGEN_BOWL, kw["lr"], kw["momentum"])
           for name, kw in lesson.EIGEN_SETTINGS.items()}
for name, tr in eig_runs.items():
    e = tr.params - lesson.EIGEN_BOWL.minimizer
    measured = lesson.envelope_rate(e, 40, 140, window=30)                  # each direction's factor, measured
    total = lesson.envelope_rate(np.sqrt(np.add.reduce(e ** 2, axis=-1)), 40, 140, window=30)
    print(f"{name:<17} factors, theory: {np.round(factors[name], 4).tolist()}, measured: "
          f"{np.round(measured, 4).tolist()}; total error × {total:.4f}/step")
fig, _ = lesson.plot_eigendirections(eig_runs, titles=["GD: the flattest sets the pace",
                                                      "heavy ball: steep ones ring at √β"])
plotting.show(fig)

# %% tags=["check"]
for name, tr in eig_runs.items():
    e = tr.params - lesson.EIGEN_BOWL.minimizer
    measured = lesson.envelope_rate(e, 40, 140, window=30)
    total = lesson.envelope_rate(np.sqrt(np.add.reduce(e ** 2, axis=-1)), 40, 140, window=30)
    assert np.allclose(measured, factors[name], rtol=0.02)
    assert np.isclose(total, factors[name].max(), rtol=1e-3) and np.argmax(factors[name]) == 0
# gradient descent: each direction is exactly (1 - lr λ_i)^t times its start
gd_e = eig_runs["gradient descent"].params
assert np.allclose(gd_e, (1 - 0.02 * np.array([1.0, 10.0, 81.0])) ** np.arange(151)[:, None], rtol=1e-10, atol=0)
# heavy ball: the flat direction has real roots (monotone); the two steeper ones ring at exactly √β
hb_regimes = theory.momentum_regime(0.02 * lesson.EIGEN_BOWL.eigenvalues, 0.6)
assert [theory.MOMENTUM_REGIMES[r] for r in hb_regimes] == ["monotone", "ringing", "ringing"]
assert np.allclose(factors["heavy ball"][1:], np.sqrt(0.6))

# %% [markdown]
# Solid lines are the measured errors, dashed lines each direction's own factor to the power $t$, black the
# total error under the slowest factor. Two things to read off:
#
# * With gradient descent the steep direction ($\lambda = 81$, factor 0.62, flipping sign each step) and the
#   middle one are gone in a few dozen steps; after that the run *is* the flat direction, factor 0.98. Raising
#   the lr would speed the flat direction up, until the steep one's factor $|1 - 81\,\text{lr}|$ overtakes it.
# * Heavy ball leaves the steep directions' factors at $\sqrt\beta = 0.775$: once the roots are complex, the
#   modulus is $\sqrt\beta$ whatever the curvature. It spends that on the flat direction, whose factor drops
#   from 0.98 to 0.945 (the middle one gains too, 0.80 to 0.775). Momentum trades speed on the steepest direction
#   for speed on the one that sets the pace.
#
# ## 4 · The (lr, β) phase diagram of one direction
#
# Each direction depends on lr and $\lambda$ only through $h = \text{lr}\,\lambda$, so a single picture over
# $(h, \beta)$ describes heavy ball on *every* direction of *every* quadratic. The roots of
# $z^2 - (1+\beta-h)z + \beta$ decide how that direction's error behaves:
#
# * **monotone**: two real positive roots, the error decays without changing sign (small $h$, small $\beta$);
# * **ringing**: complex roots, the error spirals in with modulus $\sqrt\beta$ per step;
# * **flipping**: a real negative root, the error changes sign every step, like gradient descent past $1/L$;
# * **diverging**: a root beyond $-1$, past the wall $h = 2(1+\beta)$.
#
# A run converges monotonically if every direction is monotone, with oscillations if one rings or flips.
#
# Real and complex roots meet where the discriminant vanishes, $(1+\beta-h)^2 = 4\beta$, which is the
# **critical-damping** curve $\beta = (1-\sqrt h)^2$. It is also the fastest momentum for that direction:
# below the curve the larger real root is slower, above it the modulus $\sqrt\beta$ grows with $\beta$. On the
# curve the double root is $1 - \sqrt h$ instead of gradient descent's $1 - h$, and for a flat direction
# (small $h$) that is the whole story of acceleration: $h = 0.01$ needs 229 steps per decade with gradient
# descent, 22 at critical damping.

# %%
flips, shown = {}, {}
for name, (h, b) in {"monotone": (0.01, 0.5), "ringing": (0.3, 0.9), "flipping": (1.5, 0.0), "diverging": (2.1, 0.0)}.items():
    one = lrlab.run(loss=losses.quadratic([1.0]), stepper=steppers.sgd(momentum=b), x0=[1.0], lr=h, num_steps=200)
    e = one.params[:, 0]
    taken = int(np.sum(e[1:] != e[:-1]))             # steps before lrlab stops a run that blows up
    flips[name] = int(np.sum(np.sign(e[1:taken + 1]) != np.sign(e[:taken])))
    shown[name] = "every step" + (" until stopped" if taken < 200 else "") if flips[name] == taken else f"{flips[name]} of 200"
print("sign changes of one direction's error over 200 steps:", shown)
fig, _ = lesson.plot_phase_diagram()
plotting.show(fig)

# %% tags=["check"]
hs = np.linspace(0.0, 2.1, 211)[1:] ** 2                  # h from 1e-4 to 4.4
bs = np.linspace(0.0, 0.99, 100)
H, Bm = np.meshgrid(hs, bs)
reg = theory.momentum_regime(H, Bm)
z = np.stack([theory.momentum_roots(hs, float(b)) for b in bs])
# the regimes are what the roots say ...
assert np.array_equal(reg == 1, np.abs(z[..., 0].imag) > 0)
assert np.array_equal(reg == 3, np.abs(z[..., 0]) >= 1)
# ... the critical-damping curve separates monotone (or flipping) below from ringing above ...
h_test = np.array([0.01, 0.1, 0.5, 2.0, 3.0])
bc = theory.critical_damping(h_test)
assert np.all(theory.momentum_regime(h_test, bc * 0.98) != 1) and np.all(theory.momentum_regime(h_test, bc * 1.02 + 1e-9) == 1)
# ... the wall is h = 2(1 + β) ...
assert np.all(theory.momentum_regime(2 * (1 + bs) * 0.999, bs) != 3) and np.all(theory.momentum_regime(2 * (1 + bs) * 1.001, bs) == 3)
# ... and on every direction the best momentum is critical damping, with factor |1 - √h|
rho = np.abs(z[..., 0])
for j in (10, 50, 100, 180):
    assert rho[:, j].min() >= abs(1 - np.sqrt(hs[j])) * (1 - 1e-9)
per_decade = lambda r: np.log(10) / -np.log(r)
assert round(per_decade(0.99)) == 229 and round(per_decade(0.9)) == 22
# and a run per regime behaves as the diagram says: sign changes of a 1-D error over 200 steps
for name, (h, b) in {"monotone": (0.01, 0.5), "ringing": (0.3, 0.9), "flipping": (1.5, 0.0), "diverging": (2.1, 0.0)}.items():
    assert theory.MOMENTUM_REGIMES[int(theory.momentum_regime(h, b))] == name
assert flips["monotone"] <= 1 and 3 <= flips["ringing"] <= 195 and flips["flipping"] == 200
assert shown["diverging"] == "every step until stopped"

# %% [markdown]
# The explorer's $(\text{lr}, \beta)$ map is this diagram for the bowl's two directions at once ($h = \text{lr}$
# and $h = 81\,\text{lr}$): a setting is as fast as the slower of the two.
#
# ## 5 · Polyak's optimum: $\sqrt{\kappa}$ instead of $\kappa$
#
# Gradient descent's best constant lr balances the flattest and the steepest direction,
# $\text{lr} = 2/(\mu+L)$, and shrinks the error by $(\kappa-1)/(\kappa+1)$ per step. Polyak (1964) chose lr
# and $\beta$ so that, for heavy ball, both roots of the flattest and of the steepest direction have the same
# modulus $\sqrt\beta$:
#
# $$\text{lr}^* = \frac{4}{(\sqrt L+\sqrt\mu)^2},\qquad \beta^* = \Big(\frac{\sqrt L-\sqrt\mu}{\sqrt L+\sqrt\mu}\Big)^2,
# \qquad \text{rate } \sqrt{\beta^*} = \frac{\sqrt\kappa-1}{\sqrt\kappa+1}.$$
#
# On our bowl ($\mu = 1$, $L = 81$, $\sqrt\kappa = 9$) that is $\text{lr}^* = 0.04$, $\beta^* = 0.64$ and a
# rate of 0.8, against 0.976 for gradient descent. Note that $\text{lr}^*$ lies *beyond* gradient descent's
# wall $2/L$: the first steps overshoot wildly (press **Polyak** in the explorer), and momentum reins them in.

# %%
lr_gd = theory.optimal_lr(bowl)
lr_p, beta_p = theory.optimal_momentum(bowl)
rate_gd, rate_p = theory.convergence_rate(bowl, lr_gd), theory.convergence_rate(bowl, lr_p, beta_p)
per_decade_gd, per_decade_p = np.log(10) / -np.log(rate_gd), np.log(10) / -np.log(rate_p)
print(f"gradient descent: lr = {lr_gd:.4f}, rate {rate_gd:.4f}, {per_decade_gd:.0f} steps per 10× less error")
print(f"Polyak heavy ball: lr = {lr_p:.4f}, β = {beta_p:.4f}, rate {rate_p:.4f}, {per_decade_p:.0f} steps per 10×")
fig, ax = plotting.figure(width=7.0, height=5.0)
lesson.plot_rate_map(bowl, ax, legend="below")
ax.set_title("heavy ball on the bowl: speed over the (lr, β) plane")
plotting.show(fig)

# %% tags=["check"]
assert np.isclose(lr_p, 0.04) and np.isclose(beta_p, 0.64) and np.isclose(rate_p, 0.8, atol=1e-6)
assert np.isclose(rate_gd, 80 / 82) and lr_p > theory.critical_lr(bowl)
assert round(per_decade_gd) == 93 and round(per_decade_p) == 10

# %% [markdown]
# Rates are promises about the long run. Measured: steps until the distance to the minimum shrinks a millionfold.

# %%
gd_run = lrlab.run(loss=bowl, stepper=steppers.sgd(), x0=x0, lr=lr_gd, num_steps=1000)
hb_run = lrlab.run(loss=bowl, stepper=steppers.sgd(momentum=beta_p), x0=x0, lr=lr_p, num_steps=1000)
n_gd = int(lesson.steps_to_distance(gd_run, bowl.minimizer, 1e-6))
n_hb = int(lesson.steps_to_distance(hb_run, bowl.minimizer, 1e-6))
bound_gd = int(theory.steps_to_tolerance(bowl, lr_gd, 1e-6))
bound_hb = int(theory.steps_to_tolerance(bowl, lr_p, 1e-6, momentum=beta_p))
print(f"steps to 1e-6 of the initial distance: GD {n_gd} (rate bound {bound_gd}), "
      f"heavy ball {n_hb} (rate bound {bound_hb}); speed-up {n_gd / n_hb:.1f}×")

fig, ax = lesson.plot_distance({f"GD, lr = {lr_gd:.4f}": gd_run,
                             f"heavy ball, lr = {lr_p:.2f}, β = {beta_p:.2f}": hb_run}, bowl.minimizer)
ax.set_title("each at its best constant setting")
plotting.show(fig)

# %% tags=["check"]
assert (n_gd, n_hb) == (560, 83) and bound_gd == 560 and bound_hb == 62
assert n_gd / n_hb > 6

# %% [markdown]
# Gradient descent lands exactly on its rate bound (560 steps); heavy ball needs 83, more than its bound of 62,
# but still almost 7× faster, and the gap grows with the condition number: $\kappa$ against $\sqrt\kappa$.
#
# <details><summary>Optional: why heavy ball misses its rate bound</summary>
#
# At Polyak's setting the two roots of the steepest (and of the flattest) direction coincide. A double root
# $\rho$ makes the error behave like $t\,\rho^t$ instead of $\rho^t$: the same rate in the long run, but the
# factor $t$ costs a few dozen steps on the way to $10^{-6}$.
#
# </details>
#
# Two catches. Polyak's recipe needs $\mu$ and $L$, which nobody knows for a neural network, and it is only
# optimal on quadratics. And it lives on the edge. With momentum $\beta$ the
# wall is $2(1+\beta)/L$, and Polyak's lr sits at $\kappa/(\kappa+1)$ of the wall for its own $\beta$: the
# same fraction as gradient descent's best lr $2/(\mu+L)$ of $2/L$ (notebook 02). Here $\kappa = 81$, so the
# fastest setting is 1.2% from divergence. If $L$ is underestimated by more than that, the run blows up.

# %%
wall = theory.critical_lr(bowl, beta_p)              # 2(1 + β)/L at Polyak's β
kappa = bowl.L / bowl.mu
print(f"Polyak's lr {lr_p:.4f}, the wall at β = {beta_p:.2f}: {wall:.4f}; "
      f"lr/wall = {lr_p / wall:.4f} = κ/(κ+1) with κ = {kappa:g}: {100 * (1 - lr_p / wall):.1f}% from divergence")
edge = lrlab.run(loss=bowl, stepper=steppers.sgd(momentum=beta_p), x0=x0, lr=[lr_p, 1.02 * wall], num_steps=400)
at_lr_p, past = theory.regime(bowl, [lr_p, 1.02 * wall], beta_p)
print(f"at Polyak's lr: {at_lr_p}, loss × {edge.loss[-1, 0] / edge.loss[0, 0]:.0e} in 400 steps; "
      f"2% past the wall, the same β: {past}")

# %% tags=["check"]
assert np.isclose(lr_p / wall, kappa / (kappa + 1)) and np.isclose(wall, 2 * (1 + beta_p) / bowl.L)
assert at_lr_p == "oscillating convergence" and past == "divergence" and edge.diverged.tolist() == [False, True]
assert edge.loss[-1, 0] < 1e-30 * edge.loss[0, 0]

# %% [markdown]
# In practice $\beta = 0.9$ is the default and the lr is tuned with a margin below the edge.
#
# ## 6 · Nesterov: the gradient taken one step ahead
#
# `torch.optim.SGD(momentum=β, nesterov=True)` changes one line. The buffer is built as before, but the step
# adds the current gradient to the *next* buffer value instead of using the buffer alone:
#
# $$b_t = \beta\, b_{t-1} + g_t, \qquad w_t = w_{t-1} - \text{lr}\,(g_t + \beta\, b_t).$$
#
# Since $g_t + \beta b_t$ is what the buffer would be one step later if the gradient stayed the same, the step
# anticipates where momentum is taking the weights. By hand, and against lrlab:

# %%
lr, beta = 0.012, 0.9
w, buf = x0.copy(), None
for t in range(50):                                   # Nesterov written by hand
    g = bowl.grad(w)
    buf = g if buf is None else beta * buf + g
    w = w - lr * (g + beta * buf)
nag = lrlab.run(loss=bowl, stepper=steppers.sgd(momentum=beta, nesterov=True), x0=x0, lr=lr, num_steps=50)
print(f"after 50 steps, by hand: {w[0]:+.6e} {w[1]:+.6e}; lrlab: {nag.params[-1, 0]:+.6e} {nag.params[-1, 1]:+.6e}")

# %% tags=["check"]
assert np.array_equal(w, nag.params[-1])

# %% [markdown]
# One eigendirection at a time, as for heavy ball, shows two differences:
#
# * **The wall moves in, not out**, to $\text{lr} = 2(1+\beta)/((1+2\beta)L)$. For every $\beta > 0$ that is
#   *below* gradient descent's $2/L$: at $\beta = 0.9$, $1.36/L$ against heavy ball's $3.8/L$. The look-ahead
#   step is bolder, so it tolerates less.
# * **Swings are damped harder.** When the roots are complex their modulus is $\sqrt{\beta(1-h)}$ instead of
#   heavy ball's $\sqrt\beta$ ($h = \text{lr}\,\lambda$): the steeper the direction, the faster its ringing dies.
#
# <details><summary>Optional: the algebra</summary>
#
# Along a direction of curvature $\lambda$, with $h = \text{lr}\,\lambda$, the two lines of the update combine
# into $e_{t+1} = (1+\beta)(1-h)\,e_t - \beta(1-h)\,e_{t-1}$, whose polynomial is
# $z^2 - (1+\beta)(1-h)\,z + \beta(1-h)$. A root reaches $z = -1$ when $1 + (1+\beta)(1-h) + \beta(1-h) = 0$,
# that is $(1-h)(1+2\beta) = -1$, at $h = 2(1+\beta)/(1+2\beta)$. The product of the roots is $\beta(1-h)$, so
# complex roots have modulus $\sqrt{\beta(1-h)}$.
#
# </details>
#
# Below, the two $(\text{lr}, \beta)$ maps side by side, on one colour scale.

# %%
nest_wall = theory.nesterov_critical_lr(bowl, 0.9)
pair = lrlab.run(loss=bowl, stepper=steppers.sgd(momentum=0.9, nesterov=True), x0=x0,
                 lr=[0.99 * nest_wall, 1.01 * nest_wall], num_steps=600)
betas = np.linspace(0.01, 0.99, 99)
lr_grid = np.geomspace(1e-4, 0.1, 600)
best_hb_09 = theory.convergence_rate(bowl, lr_grid, 0.9).min()
best_nag_09 = theory.direction_rates(bowl, lr_grid, 0.9, nesterov=True).max(-1).min()
best_nag = min(theory.direction_rates(bowl, lr_grid, b, nesterov=True).max(-1).min() for b in betas)
print(f"β = 0.9: Nesterov's wall {nest_wall:.4f} (1.01× diverges), GD's 2/L {theory.critical_lr(bowl):.4f}, "
      f"heavy ball's {theory.critical_lr(bowl, 0.9):.4f}")
print(f"best rate at β = 0.9, lr tuned: Nesterov {best_nag_09:.3f}, heavy ball {best_hb_09:.3f}; "
      f"both tuned: Nesterov {best_nag:.3f}, Polyak's heavy ball {rate_p:.3f}")
fig, _ = lesson.plot_momentum_maps(bowl)
plotting.show(fig)

# %% tags=["check"]
assert list(diagnostics.path_shape(pair))[1] == "diverging" and diagnostics.path_shape(pair)[0] != "diverging"
assert all(theory.nesterov_critical_lr(bowl, b) < theory.critical_lr(bowl) for b in betas)
assert best_nag_09 < best_hb_09 and rate_p < best_nag
assert round(best_nag_09, 3) == 0.941 and round(best_hb_09, 3) == 0.949 and round(best_nag, 3) == 0.876
assert np.isclose(theory.critical_lr(bowl, 0.9) / nest_wall, 2.8)
assert round(nest_wall * bowl.L, 2) == 1.36 and np.isclose(theory.critical_lr(bowl, 0.9) * bowl.L, 3.8)

# %% [markdown]
# At the common default $\beta = 0.9$ with a tuned lr, Nesterov converges a little faster than heavy ball
# (0.941 against 0.949 per step) although its wall sits at an lr $1+2\beta = 2.8$ times smaller. With *both* knobs tuned,
# Polyak's heavy ball stays the fastest on a quadratic (0.80 against 0.876). Nesterov's fame comes from convex
# problems beyond quadratics, where its accelerated rate is guaranteed and heavy ball's is not.
#
# ## Summary
#
# * Heavy-ball momentum moves the stability wall from $2/L$ to $2(1+\beta)/L$, at most a factor 2. Its real
#   gain is speed in flat directions, where it acts like an lr of $\text{lr}/(1-\beta)$.
# * On a quadratic every eigendirection has its own factor per step and the slowest one sets the pace. For
#   one direction, $h = \text{lr}\,\lambda$ and $\beta$ decide everything; critical damping
#   $\beta = (1-\sqrt h)^2$ is the fastest ($1-\sqrt h$ instead of $1-h$).
# * With Polyak's lr and $\beta$, heavy ball converges at rate $(\sqrt\kappa-1)/(\sqrt\kappa+1)$; on our bowl
#   83 steps instead of 560 for a millionfold reduction, at an lr 1.2% from its wall.
# * Nesterov's look-ahead damps swings harder but moves the wall *in*, to $2(1+\beta)/((1+2\beta)L)$.
#
# ## Exercises
#
# **1.** On the bowl with curvatures 2 and 50 (`lesson.EXERCISE_BOWL`), heavy ball with $\beta = 0.5$ converges
# for every lr below some boundary and diverges above it. Where is the boundary? Compute it (you may use
# `lrlab.theory`), or find it with runs.

# %%
answer = None   # your number
lesson.check_heavy_ball_limit(answer)

# %% [markdown]
# **2.** What is Polyak's optimal momentum $\beta^*$ on that same bowl?

# %%
answer = None   # your number
lesson.check_polyak_momentum(answer)

# %% [markdown]
# **3.** On the same bowl (curvatures 2 and 50), where is the boundary between converging and diverging lrs for
# **Nesterov** momentum with $\beta = 0.5$ (`steppers.sgd(momentum=0.5, nesterov=True)`)?

# %%
answer = None   # your number
lesson.check_nesterov_limit(answer)

# %% [markdown]
# **4.** Heavy ball with lr = 0.02 and $\beta = 0.3$ on the three-direction bowl of section 3
# (`lesson.EIGEN_BOWL`, curvatures 1, 10, 81): by what factor per step does the error along the *middle*
# direction ($\lambda = 10$) shrink in the long run?

# %%
answer = None   # your number
lesson.check_direction_factor(answer)

# %% [markdown]
# **5.** One eigendirection with $\text{lr}\cdot\lambda = 0.25$: which momentum $\beta$ makes its error shrink
# fastest?

# %%
answer = None   # your number
lesson.check_critical_momentum(answer)

# %% [markdown]
# **6. Explain why.** Momentum moves the wall out by at most a factor 2 ($1+\beta < 2$), yet Polyak's heavy
# ball needs 83 steps where gradient descent needs 560. If not from a larger lr, where does the speed-up come
# from? Answer in two or three sentences.
#
# <details><summary>Model answer (open after you have written yours)</summary>
#
# Gradient descent is slow because of the *flat* direction: its lr is capped by the steep direction, and the
# flat one then shrinks by only $1 - \text{lr}\,\mu$ per step. Momentum accumulates the gradients of the flat
# direction, which keep pointing the same way, so there it moves as if its lr were about
# $\text{lr}/(1-\beta)$, while along the steep direction the swings partly cancel and the wall only moves to
# $2(1+\beta)/L$. Tuned as Polyak did, every direction then shrinks by $\sqrt\beta = 0.8$ per step instead of
# the flat direction's 0.976.
#
# </details>
