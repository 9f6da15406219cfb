# %% [markdown]
# # 01 · The update rule: what a learning rate does
#
# Training a model means nudging its parameters, over and over, in the direction that lowers the loss.
# The **learning rate** decides how far each nudge goes. This notebook takes that sentence apart:
#
# 1. the update rule $w \leftarrow w - \eta\,\nabla f(w)$ for a loss $f$, drawn on a 1-D loss as a chain of arrows;
# 2. the same rule written by hand in three lines, and checked against `lrlab`;
# 3. why the length of a step is *learning rate × slope*, and why a learning rate has units;
# 4. a PyTorch training loop, where `optimizer.step()` turns out to be this same rule (up to float32 rounding).
#
# **Predict first.** The loss is $f(w) = w^2$ and we start at $w = -1.5$, where the slope is $-3$.
# With learning rate 0.3 the first step moves $w$ by $0.3 \times 3 = 0.9$.
# (a) How long is the first step with learning rate 0.6?
# (b) With a *fixed* learning rate, is the second step longer, shorter or as long as the first?
# Write down your guesses, then check them with the slider below.

# %%
import numpy as np

import lrlab
from lrlab import losses, plotting, steppers, theory
from lrlab.pytorch import nn, torch  # torch (lrlab[torch]); if missing, this line says what to install
from lrlab.lessons import update_rule as lesson

torch.manual_seed(0)
torch.set_num_threads(1)                # one thread: the same numbers at every run

# %% [markdown]
# ## The stride picture, live
#
# The grey curve is the loss $f(w) = w^2$. The black dot is the start; every arrow is one step of gradient
# descent, drawn from the old point to the new one on the curve. Drag the learning rate (a log scale: each
# notch multiplies it by the same factor) or press a preset. Watch three things: the length of the first
# arrow, how the arrows shrink as they approach the bottom, and what happens past the red **2/L** mark
# ($L$ is the curvature of the loss, its second derivative: $f'' = 2$ here, so $2/L = 1$; with several
# parameters, the largest curvature).
# The right panel is the loss after each step, on a log scale, so steady progress is a straight line.

# %% tags=["nbval-ignore-output"]
explorer = lesson.explorer()
explorer

# %% [markdown]
# Did your prediction hold? (a) Twice the learning rate gives twice the first step: $0.6 \times 3 = 1.8$,
# which carries $w$ from $-1.5$ past the minimum to $+0.3$. (b) Below $2/L = 1$ each step is shorter than the
# one before, although the learning rate is fixed, because the slope shrinks as $w$ nears the bottom. At
# exactly 1 the steps stay equal, and past it they grow (the "diverging" preset; notebook 02 explains why).
# The rest of the notebook explains both answers.
#
# ## 1. The rule
#
# Gradient descent repeats one instruction:
#
# $$w_{t+1} = w_t - \eta\,\nabla f(w_t).$$
#
# - $w_t$ are the parameters after $t$ steps (here one number; in a network, millions).
# - $\nabla f(w_t)$ is the gradient of the loss $f$ at $w_t$: the direction in which the loss *rises* fastest,
#   and how steeply. The minus sign turns it into a downhill direction.
# - $\eta$ (eta), the **learning rate**, is a positive number that you choose. It converts "how steep is it
#   here" into "how far do I move".
#
# Nothing else happens in plain gradient descent. Its slow progress, zig-zags and blow-ups all come from how
# large $\eta$ is compared with the curvature of the loss.
#
# ## 2. Four learning rates side by side
#
# The same experiment as the widget, frozen at the four presets. Each panel's title gives its learning
# rate and what the run does; the printout says how much of the loss gap (the loss minus its minimum, here
# the loss itself) each run closed in 30 steps.

# %%
loss = lesson.bowl()                      # f(w) = w**2, curvature 2
preset_lrs = list(lesson.PRESETS.values())
traj = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=preset_lrs, num_steps=lesson.NUM_STEPS)
fig, _ = lesson.presets_figure(loss, traj)
plotting.show(fig)

for (name, lr), start, end, w_end in zip(lesson.PRESETS.items(), traj.loss[0], traj.loss[-1], traj.params[-1, :, 0]):
    closed = f"{1 - end / start:.0%} of the loss gap closed" if end < start else "the loss grew"
    print(f"{name:<12} lr = {lr:<5g} after 30 steps: w = {w_end:.3g}, {closed}")

# %% tags=["check"]
assert [f"{1 - e / s:.0%}" for s, e in zip(traj.loss[0, :3], traj.loss[-1, :3])] == ["70%", "100%", "100%"]
assert abs(1 - traj.loss[-1, 0] / traj.loss[0, 0] - 0.70) < 0.004 and traj.loss[-1, 3] > traj.loss[0, 3]
assert [f"{w:.3g}" for w in traj.params[-1, :, 0]] == ["-0.818", "-1.73e-12", "-3.32e-07", "-26.2"]
assert np.allclose(traj.params[-1, :, 0], -1.5 * (1 - 2 * np.array(preset_lrs)) ** 30, rtol=1e-9)

# %% [markdown]
# - **too small (0.01)**: tiny strides. The loss gap is 70% closed, which sounds fine, but $w$ has only come
#   from $-1.5$ to $-0.82$: each step removes 2% of the remaining distance.
# - **good (0.3)**: every step goes downhill and lands closer to the bottom, on the same side.
# - **oscillating (0.8)**: each step overshoots the minimum and lands on the other side, but lower,
#   so the iterate still closes in, zig-zagging.
# - **diverging (1.05)**: each overshoot lands *higher* than the point it left; the arrows leave the plot.
#
# Notebook 02 explains exactly where these boundaries are. Here we look at the step itself.

# %% [markdown]
# ## 3. The rule by hand, in three lines
#
# `lrlab.run` is not magic. Here is gradient descent written out: start somewhere, then repeat
# "subtract learning rate times gradient". `loss.grad(w)` returns the slope $f'(w) = 2w$.

# %%
lr = 0.3
w = np.array(lesson.X0)
path = [w]
for t in range(lesson.NUM_STEPS):
    w = w - lr * loss.grad(w)          # the whole update rule
    path.append(w)
path = np.array(path)

print(f"w after 0, 1, 2, 3 steps: {path[0, 0]:.4f}, {path[1, 0]:.4f}, {path[2, 0]:.4f}, {path[3, 0]:.4f}")

# %% [markdown]
# The library's loop, with the plain SGD stepper, gives exactly the same numbers:

# %%
lib = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=lr, num_steps=lesson.NUM_STEPS)
print("hand-written loop == lrlab.run(stepper=sgd()) at every step:", np.array_equal(path, lib.params))

# %% tags=["check"]
assert np.array_equal(path, lib.params)

# %% [markdown]
# ## 4. A stride is learning rate × slope
#
# Read the rule as a length: step $t$ moves $w$ by exactly $\eta\,|f'(w_t)|$. So the learning rate is not
# the step length itself but the *exchange rate* between slope and distance. Where the loss is steep, a
# given $\eta$ takes a long stride; where it is flat, a short one. Near a minimum the slope tends to zero,
# so the strides shrink on their own, without anyone touching $\eta$.
#
# On $f(w) = w^2$ one step maps $w$ to $w - \eta \cdot 2w = (1 - 2\eta)\,w$, so each stride is
# $|1 - 2\eta|$ times the previous one: 0.4 times for $\eta = 0.3$.
# The right panel below shows each measured step (circles) on top of $\eta\,|f'(w_t)|$ (lines).

# %%
stride_lrs = [0.05, 0.3, 0.8]
strides = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=stride_lrs, num_steps=12)
fig, _ = lesson.stride_figure(loss, strides, stride_lrs)
plotting.show(fig)

step_length = np.abs(np.diff(strides.params[..., 0], axis=0))       # (12 steps, 3 lrs)
ratio = step_length[1:, 1] / step_length[:-1, 1]                   # lr = 0.3
print(f"first stride for lr = 0.05, 0.3, 0.8: {step_length[0, 0]:.2f}, {step_length[0, 1]:.2f}, {step_length[0, 2]:.2f}")
print(f"each stride / the previous one, lr = 0.3: {ratio.min():.3f} to {ratio.max():.3f}")

# %% tags=["check"]
assert np.allclose(step_length, strides.lr * strides.grad_norm[:-1], rtol=1e-12)
assert np.allclose(ratio, 0.4)

# %% [markdown]
# ## 5. A learning rate has units
#
# Because $\Delta w = \eta\,\nabla f$, the learning rate carries units: $[\eta] = [w]^2 / [f]$. Two
# consequences that bite in practice:
#
# - **Scale the loss, rescale the learning rate.** Multiply the loss by 10 (for example, *sum* the errors of
#   10 examples instead of averaging them) and every gradient is 10 times larger. The same $\eta$ now takes
#   strides 10 times longer; $\eta/10$ gives back the exact same path.
# - **Change the parameter's units, rescale by the square.** Measure $w$ in centimetres instead of metres
#   ($u = 100\,w$). The loss $w^2$ becomes $u^2/10^4$: at the same physical point its slope is 100 times
#   smaller, while the distance to cover, counted in centimetres, is 100 times longer. The matching learning
#   rate is $100 \times 100 = 10^4$ times larger.
#
# So "a good learning rate" is never a universal number like 0.01. What is meaningful is the product of the
# learning rate with the curvature of the loss, $\eta\lambda$ (the widget prints it as lr·L): it has no
# units, and notebook 02 shows that it alone decides the regime.

# %%
base = lrlab.run(loss=losses.quadratic([2.0]), stepper=steppers.sgd(), x0=[-1.5], lr=0.3, num_steps=20)
loss_x10 = lrlab.run(loss=losses.quadratic([20.0]), stepper=steppers.sgd(), x0=[-1.5], lr=0.03, num_steps=20)
in_cm = lrlab.run(loss=losses.quadratic([2.0 / 1e4]), stepper=steppers.sgd(), x0=[-150.0], lr=0.3 * 1e4, num_steps=20)
for name, run_ in [("f(w) = w², lr = 0.3", base), ("10·w², lr = 0.03", loss_x10), ("w in cm, lr = 3000", in_cm)]:
    print(f"{name:<22} first three iterates: {run_.params[1, 0]:9.4f} {run_.params[2, 0]:9.4f} {run_.params[3, 0]:9.4f}")
print(f"lr × curvature in the three set-ups: {0.3 * 2.0:.2f}, {0.03 * 20.0:.2f}, {0.3e4 * 2e-4:.2f}")

# %% tags=["check"]
assert np.allclose(loss_x10.params, base.params, rtol=1e-12, atol=1e-15)
assert np.allclose(in_cm.params / 100, base.params, rtol=1e-12, atol=1e-15)

# %% [markdown]
# The three runs are the same path (the last one in centimetres, hence the factor 100), and they share
# $\eta\lambda = 0.6$.
#
# **Explain why.** A colleague writes in a report: "we used learning rate 0.01, a good learning rate". Why
# does that sentence not tell you whether their training was well tuned?
#
# <details><summary>Model answer (open after you have written yours)</summary>
#
# A learning rate has units: the same number takes long strides on a steep loss and short ones on a flat
# one. Whether 0.01 is good depends on the scale of the loss (mean or sum, a factor in front) and of the
# parameters; only the unitless product $\eta\lambda$ with the curvature says whether the steps are small,
# well sized or too large. Section 6 below meets exactly this case: 0.01 turns out to be some fifty times
# below the limit.
#
# </details>
#
# ## 6. The PyTorch training loop
#
# In PyTorch the rule hides inside `optimizer.step()`. Below is a complete loop for a linear model with 10
# inputs and one output (`nn.Linear(10, 1)`), trained with mean squared error and plain SGD at learning rate
# 0.01. Two choices are deliberate:
#
# - The data are drawn **once** (64 examples, a real linear relation plus a little noise) and reused every
#   step.
# - Around `optimizer.step()` we keep a copy of the weights, and afterwards compare the new weights with
#   the old ones minus `lr * grad`, for every parameter tensor (weight and bias) at every step.

# %%
X, y = lesson.regression_data()           # fixed: X (64, 10), y (64, 1), float32
model = nn.Linear(10, 1)               # weight (1, 10) and bias (1,), random start (seeded above)
loss_fn = nn.MSELoss()
torch_lr = 0.01
optimizer = torch.optim.SGD(model.parameters(), lr=torch_lr)

torch_path = [lesson.torch_parameters(model)]   # all 11 parameters as one numpy vector, per step
torch_losses = []
same_as_rule = []                      # per step: did optimizer.step() do w - lr * grad?
for step in range(100):
    optimizer.zero_grad()              # forget the previous step's gradient
    mse = loss_fn(model(X), y)         # forward pass
    mse.backward()                     # gradient of the loss, into p.grad
    before = [p.detach().clone() for p in model.parameters()]
    optimizer.step()                   # the update rule
    same_as_rule.append(all(torch.allclose(p, w_old - torch_lr * p.grad)   # equal up to float32 rounding
                            for p, w_old in zip(model.parameters(), before)))
    torch_losses.append(mse.item())
    torch_path.append(lesson.torch_parameters(model))
torch_path = np.array(torch_path)

print(f"MSE at step 0: {torch_losses[0]:.3f}   at step 99: {torch_losses[-1]:.3f}")
print("optimizer.step() ≈ w - lr * grad (up to float32 rounding), weight and bias, all 100 steps:", all(same_as_rule))

# %% tags=["check"]
assert all(same_as_rule) and len(same_as_rule) == 100

# %% [markdown]
# The same training run can be reproduced in `lrlab` without torch. A linear model with a bias is least
# squares on the inputs with a column of ones appended. One detail is the units lesson again: `lrlab`'s
# least-squares loss is $\frac{1}{2n}\lVert Xw - y\rVert^2$, *half* the mean squared error, so its gradient
# is half of torch's, and torch's learning rate 0.01 corresponds to 0.02 in `lrlab`.

# %%
X1 = np.c_[X.double().numpy(), np.ones(len(X))]
least_squares = losses.least_squares(X1, y.double().numpy()[:, 0])
lrlab_run = lrlab.run(loss=least_squares, stepper=steppers.sgd(), x0=torch_path[0], lr=2 * torch_lr, num_steps=100)

fig, _ = lesson.torch_vs_lrlab_figure(torch_losses, lrlab_run, torch_lr)
plotting.show(fig)
gap_w = np.abs(lrlab_run.params - torch_path).max()
print("torch's weights agree with lrlab's to within 1e-5 at every step:", bool(gap_w < 1e-5))

# %% tags=["check"]
assert np.allclose(2 * lrlab_run.loss[:-1], torch_losses, rtol=1e-4)
assert gap_w < 1e-5

# %% [markdown]
# Is 0.01 a good learning rate for this problem? The units argument says the question has no answer until
# we know the curvature. This loss has 11 parameters, so it has a curvature along every direction; the
# largest, $L$, is what matters (notebook 02 shows that gradient descent stops converging at learning rate
# $2/L$). For the MSE here $L = 2\lambda_{max}$, where $\lambda_{max}$ is the largest **eigenvalue** of
# $X_1^\top X_1/n$ ($X_1$: the inputs with the column of ones), that is, the curvature of
# $\frac{1}{2n}\lVert X_1 w - y\rVert^2$ along its steepest direction (see lesson 02, *Curvature in
# several dimensions*). For this data set the limit is about 0.52, so the snippet's 0.01 is some fifty times
# below the stability limit, and about forty times below the best constant learning rate, 0.42 (notebook 02,
# section 5): safe, but slow.

# %%
torch_limit = 2 / (2 * least_squares.L)          # 2/L for the MSE (curvature 2 * lambda_max)
torch_best = theory.optimal_lr(least_squares) / 2   # 2/(mu + L) for the MSE
print(f"stability limit 2/L for torch's MSE on this data: {torch_limit:.2f} = {torch_limit / torch_lr:.0f} x 0.01; "
      f"best constant lr: {torch_best:.2f} = {torch_best / torch_lr:.0f} x 0.01")

# %% tags=["check"]
assert np.isclose(torch_limit, 1 / least_squares.L)
assert 0.45 < torch_limit < 0.6 and 40 < torch_limit / torch_lr < 60
assert f"{torch_limit:.2f}" == "0.52" and f"{torch_best:.2f}" == "0.42" and 38 < torch_best / torch_lr < 45

# %% [markdown]
# ## Summary
#
# - Gradient descent repeats $w \leftarrow w - \eta\,\nabla f(w)$; the learning rate $\eta$ turns a slope
#   into a distance.
# - A step's length is $\eta \times |\text{slope}|$: long where the loss is steep, short where it is flat,
#   shrinking near a minimum at a fixed $\eta$ below $2/L$.
# - Written by hand, the rule is three lines, and it matches `lrlab.run` exactly; in PyTorch,
#   `optimizer.step()` with SGD is the same rule, up to float32 rounding, at every step.
# - A learning rate has units ($[w]^2/[f]$): scaling the loss or the parameters changes the right value.
#   The unitless number that matters is $\eta\lambda$, learning rate times curvature.
#
# ## Exercises
#
# Replace each `None` with your answer and run the cell; the check says whether you are right and gives a
# hint if not.
#
# **Exercise 1.** On $f(w) = w^2$, starting from $w = 1.5$ with learning rate 0.1, where does one step of
# gradient descent land?

# %%
answer = None
lesson.check_one_step(answer)

# %% [markdown]
# **Exercise 2.** You trained with the *mean* of 32 squared errors, your parameter $w$ in metres, and
# learning rate 0.1. A colleague's code uses the *sum* of the same 32 squared errors and measures $w$ in
# *centimetres*. Which learning rate makes their run follow exactly your path (in centimetres)?

# %%
answer = None
lesson.check_sum_lr(answer)

# %% [markdown]
# **Exercise 3.** Another loss: $f(w) = 2.5\,(w - 1)^2$, whose minimum is at $w = 1$. Which learning rate takes
# gradient descent from *any* starting point to the minimum in exactly one step? (Write one step as a formula,
# as section 4 did for $w^2$.)

# %%
answer = None
lesson.check_one_step_lr(answer)
