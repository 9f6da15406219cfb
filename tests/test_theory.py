"""lrlab.theory against what runs actually do, and hypothesis properties."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import lrlab
from lrlab import losses, steppers, theory


def random_spd(seed, d, lo=0.1, hi=10.0):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    ev = np.sort(rng.uniform(lo, hi, d))
    return losses.quadratic(q @ np.diag(ev) @ q.T), rng


def test_closed_forms():
    q = losses.quadratic([1.0, 10.0])
    assert theory.critical_lr(q) == pytest.approx(0.2)
    assert theory.critical_lr(q, momentum=0.9) == pytest.approx(0.38)
    assert theory.optimal_lr(q) == pytest.approx(2 / 11)
    assert theory.convergence_rate(q, 2 / 11) == pytest.approx(9 / 11)
    lr, beta = theory.optimal_momentum(q)
    assert lr == pytest.approx(4 / (1 + np.sqrt(10)) ** 2)
    assert np.sqrt(beta) == pytest.approx((np.sqrt(10) - 1) / (np.sqrt(10) + 1))
    assert theory.convergence_rate(q, lr, beta) == pytest.approx(np.sqrt(beta))
    np.testing.assert_allclose(theory.convergence_rate(q, [0.1, 0.2, 0.3]), [0.9, 1.0, 2.0])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), d=st.integers(1, 4),
       factor=st.one_of(st.floats(0.05, 0.95), st.floats(1.05, 3.0)))
def test_constant_lr_gd_converges_iff_lr_below_2_over_L(seed, d, factor):
    q, rng = random_spd(seed, d)
    lr = factor * 2.0 / q.L
    x0 = rng.standard_normal(d)
    traj = lrlab.run(loss=q, stepper=steppers.sgd(), x0=x0, lr=lr, num_steps=400)
    rho = theory.convergence_rate(q, lr)
    if factor < 1:
        assert rho < 1 and not traj.diverged
        assert traj.loss[-1] < traj.loss[0]
        # the error obeys the spectral bound ||x_t|| <= rho^t ||x_0||
        # (the norm scaled first: squaring an error of 1e-160 underflows to a subnormal and loses its digits)
        end = traj.params[-1]
        size = np.abs(end).max()
        end_norm = size * np.linalg.norm(end / size) if size > 0 else 0.0
        assert end_norm <= rho ** 400 * np.linalg.norm(x0) * (1 + 1e-9) + 1e-300
    else:
        assert rho > 1
        assert traj.diverged or traj.loss[-1] > traj.loss[0]


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_heavy_ball_rate_matches_the_measured_rate(beta):
    q = losses.quadratic([0.5, 4.0])
    for lr in [0.05, 0.2, 0.4]:
        rho = theory.convergence_rate(q, lr, momentum=beta)
        traj = lrlab.run(loss=q, stepper=steppers.sgd(momentum=beta), x0=[1.0, 1.0], lr=lr, num_steps=400)
        err = np.linalg.norm(traj.params, axis=-1)
        if rho < 1:
            measured = (err[300] / err[100]) ** (1 / 200)
            assert measured == pytest.approx(rho, rel=0.02)


def test_heavy_ball_limit_is_2_1_plus_beta_over_L():
    q = losses.quadratic([1.0, 10.0])
    beta = 0.8
    crit = theory.critical_lr(q, momentum=beta)
    traj = lrlab.run(loss=q, stepper=steppers.sgd(momentum=beta), x0=[1.0, 1.0],
                     lr=[0.97 * crit, 1.03 * crit], num_steps=3000)
    assert not traj.diverged[0] and traj.loss[-1, 0] < 1e-6
    assert traj.diverged[1] or traj.loss[-1, 1] > traj.loss[0, 1]


def test_polyak_beats_every_gd_lr():
    q = losses.quadratic([0.2, 1.0, 7.0])
    lr, beta = theory.optimal_momentum(q)
    best_gd = theory.convergence_rate(q, np.geomspace(1e-3, 1.0, 2001)).min()
    assert theory.convergence_rate(q, lr, beta) < best_gd
    assert best_gd == pytest.approx(theory.convergence_rate(q, theory.optimal_lr(q)), rel=1e-3)


def test_steps_to_tolerance_matches_a_run():
    q = losses.quadratic([1.0])
    lr = 0.3
    n = theory.steps_to_tolerance(q, lr, 1e-6)
    traj = lrlab.run(loss=q, x0=[1.0], lr=lr, num_steps=int(n) + 1)
    dist = np.abs(traj.params[:, 0])
    assert dist[int(n)] <= 1e-6 < dist[int(n) - 1]
    assert theory.steps_to_tolerance(q, 2.5, 1e-6) == np.inf


@pytest.mark.parametrize("call, match", [
    (lambda q: theory.critical_lr(q, momentum=1.0), "momentum"),
    (lambda q: theory.critical_lr(q, momentum=-0.1), "momentum"),
    (lambda q: theory.convergence_rate(q, -1.0), "lr"),
    (lambda q: theory.convergence_rate(q, np.nan), "lr"),
    (lambda q: theory.steps_to_tolerance(q, 0.1, 0.0), "tol"),
    (lambda q: theory.critical_lr(losses.rosenbrock()), "loss"),
    (lambda q: theory.optimal_lr([0.0, 0.0]), "eigenvalues"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call(losses.quadratic([1.0, 10.0]))


# --------------------------------------------------------------------------- expected_regime

@pytest.mark.parametrize("lr,word", [(1e-4, "slow"), (0.01, "slow"), (0.1, "converging"), (0.3, "converging"),
                                     (0.6, "converging"), (0.9, "oscillating"), (1.05, "oscillating"),
                                     (1.3, "diverging")])
def test_expected_regime_is_the_closed_form_of_the_run(lr, word):
    """The run's error along each curvature is e0 (1 - lr lambda)^t; each word's condition holds on the run."""
    q = losses.quadratic([0.5, 1.6])
    x0, T = np.array([1.0, -0.8]), 50
    traj = lrlab.run(loss=q, x0=x0, lr=lr, num_steps=T)
    r = 1.0 - lr * np.array([0.5, 1.6])
    e = traj.params - q.center
    np.testing.assert_allclose(e, x0 * r ** np.arange(T + 1)[:, None], rtol=1e-9)
    assert theory.expected_regime(q, x0, lr, T) == word
    flips = (np.sign(e[1:]) != np.sign(e[:-1])).all(axis=0)        # per direction: the error changes sign every step
    shape, p = lrlab.diagnostics.path_shape(traj), lrlab.diagnostics.progress(traj)
    if word == "diverging":
        assert np.abs(r).max() > 1 and shape == "diverging" and p < 0
    elif word == "oscillating":
        assert np.abs(r).max() < 1 and flips.any() and shape == "oscillating" and p > 0
    else:
        assert (r > 0).all() and not flips.any() and shape == "monotone"
        assert (p >= 0.9) == (word == "converging")


def test_expected_regime_ignores_directions_without_error():
    q = losses.quadratic([1.0, 100.0])
    assert theory.expected_regime(q, [1.0, 0.0], 0.5, 40) == "converging"      # 0.5 * 100 > 2, but e2 = 0
    assert theory.expected_regime(q, [1.0, 1e-9], 0.5, 40) == "diverging"
    with pytest.raises(TypeError, match="diagonal quadratic"):
        theory.expected_regime(losses.rosenbrock(), [0.0, 0.0], 0.1, 10)


# --------------------------------------------------------------------------- MinibatchSGD

def tiny_least_squares(n=6, d=2, seed=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * [1.0, 0.6][:d]
    y = X @ rng.standard_normal(d) + 0.7 * rng.standard_normal(n)
    return X, y


def batches(n, B, replacement):
    """Every equally likely batch (as row indices): all subsets, or all ordered draws with replacement."""
    from itertools import combinations, product
    return [list(b) for b in (product(range(n), repeat=B) if replacement else combinations(range(n), B))]


def brute_force_moments(X, y, lr, B, e0, num_steps, replacement):
    """E[e_t] and E[e_t e_tᵀ] of e' = e - lr (H_b e + xi_b), averaged over every batch b, step by step."""
    n, d = X.shape
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    rows = batches(n, B, replacement)
    Hb = [X[b].T @ X[b] / B for b in rows]
    xi = [X[b].T @ (X[b] @ w_star - y[b]) / B for b in rows]
    m, P = np.array(e0, float), np.outer(e0, e0)
    out = [(m, P)]
    for _ in range(num_steps):
        Ms = [np.eye(d) - lr * h for h in Hb]
        P = np.mean([M @ P @ M.T - lr * (np.outer(M @ m, g) + np.outer(g, M @ m)) + lr * lr * np.outer(g, g)
                     for M, g in zip(Ms, xi)], axis=0)
        m = np.mean([M @ m - lr * g for M, g in zip(Ms, xi)], axis=0)
        out.append((m, P))
    return out


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("B", [1, 2, 3])
def test_minibatch_expected_gap_is_the_exact_average_over_batches(B, replacement):
    X, y = tiny_least_squares()
    th = theory.MinibatchSGD(X, y)
    e0 = np.array([0.8, -1.1])
    want = [0.5 * np.trace(th.H @ P) for _, P in brute_force_moments(X, y, 0.4, B, e0, 12, replacement)]
    np.testing.assert_allclose(th.expected_gap(e0, 0.4, B, 12, replacement=replacement), want, rtol=1e-10)


@pytest.mark.parametrize("replacement", [False, True])
def test_minibatch_floor_is_the_fixed_point_of_the_exact_recursion(replacement):
    X, y = tiny_least_squares()
    th = theory.MinibatchSGD(X, y)
    lr, B = 0.3, 2
    P = brute_force_moments(X, y, lr, B, np.zeros(2), 3000, replacement)[-1][1]
    assert th.floor(lr, B, replacement=replacement) == pytest.approx(0.5 * np.trace(th.H @ P), rel=1e-9)
    # with replacement a batch of B rows is noisier than without: (n - B)/(n - 1) < 1
    assert th.floor(lr, B, replacement=True) > th.floor(lr, B)


def test_minibatch_floor_matches_a_long_sgd_run():
    X, y = tiny_least_squares(n=40, seed=1)
    th = theory.MinibatchSGD(X, y)
    loss = losses.least_squares(X, y, batch_size=4, seed=2)
    lrs = np.array([0.05, 0.2])
    traj = lrlab.run(loss=loss, x0=loss.minimizer, lr=lrs, num_steps=20000)
    measured = (traj.loss[1001:] - loss.min_value).mean(axis=0)
    np.testing.assert_allclose(measured, th.floor(lrs, 4), rtol=0.15)


def test_noise_floor_of_a_loss_matches_a_long_run():
    """theory.noise_floor(loss, lr): the floor at the loss's own batch size, against 20 000 steps of SGD."""
    X, y = tiny_least_squares(n=40, seed=1)
    loss = losses.least_squares(X, y, batch_size=4, seed=2)
    lrs = np.array([0.05, 0.2])
    traj = lrlab.run(loss=loss, x0=loss.minimizer, lr=lrs, num_steps=20000)
    measured = (traj.loss[1001:] - loss.min_value).mean(axis=0)
    np.testing.assert_allclose(measured, theory.noise_floor(loss, lrs), rtol=0.15)
    np.testing.assert_allclose(measured, theory.noise_floor(loss, lrs, multiplicative=True), rtol=0.15)
    th = theory.MinibatchSGD(X, y)
    assert theory.noise_floor(loss, 0.2) == th.floor(0.2, 4, multiplicative=False)     # one definition
    assert isinstance(theory.noise_floor(loss, 0.2), float) and theory.noise_floor(loss, lrs).shape == (2,)
    assert theory.noise_floor(loss, 2.0 / th.L) == np.inf
    with pytest.raises(ValueError, match="batch_size"):
        theory.noise_floor(losses.least_squares(X, y), 0.1)
    with pytest.raises(ValueError, match="batch_size"):
        theory.noise_floor(losses.quadratic([1.0, 2.0]), 0.1)


def test_minibatch_additive_floor_solves_the_lyapunov_equation():
    X, y = tiny_least_squares(n=30, d=2, seed=7)
    th = theory.MinibatchSGD.of(losses.least_squares(X, y, batch_size=3))
    lr, B = 0.25, 3
    c = (30 - B) / (B * 29)
    M = np.eye(2) - lr * th.H
    C = np.zeros((2, 2))
    for _ in range(5000):
        C = M @ C @ M + lr * lr * c * th.sigma
    assert th.floor(lr, B, multiplicative=False) == pytest.approx(0.5 * np.trace(th.H @ C), rel=1e-10)
    assert th.floor(lr, B, multiplicative=False) < th.floor(lr, B)      # it leaves out the noise ∝ e
    assert th.floor(2.0 / th.L, B, multiplicative=False) == np.inf
    assert th.floor(0.0, B) == 0.0


def test_minibatch_critical_lr_and_small_lr_law():
    X, y = tiny_least_squares(n=40, seed=1)
    th = theory.MinibatchSGD(X, y)
    assert th.critical_lr(40) == pytest.approx(2 / th.L)           # the full batch: GD's limit
    assert th.floor(0.5, 40) == 0.0                                 # and no noise
    for B in (1, 4):
        lim = th.critical_lr(B)
        assert lim < 2 / th.L
        assert th.stable(0.999 * lim, B) and not th.stable(1.001 * lim, B)
        assert np.isfinite(th.floor(0.99 * lim, B)) and th.floor(1.01 * lim, B) == np.inf
    assert th.critical_lr(1, replacement=True) == th.critical_lr(1)        # one row: the same draw
    assert th.critical_lr(4, replacement=True) < th.critical_lr(4)         # more noise, a lower limit
    assert th.floor(1e-5, 4) == pytest.approx(th.floor_small_lr(1e-5, 4), rel=1e-3)
    assert th.floor_small_lr(1e-3, 4, replacement=True) == pytest.approx(1e-3 / 4 * th.noise_constant)


# ---------------------------------------------------------------- one eigendirection at a time (lesson 05)

def _one_direction_errors(h, beta, nesterov=False, num_steps=300):
    """The error of torch-exact SGD on f(w) = w**2 / 2 (curvature 1, so lr = h)."""
    traj = lrlab.run(loss=losses.quadratic([1.0]), stepper=steppers.sgd(momentum=beta, nesterov=nesterov),
                     x0=[1.0], lr=h, num_steps=num_steps)
    return traj.params[:, 0]


def test_direction_rates_are_gd_factors_and_their_max_is_the_rate():
    loss = losses.quadratic([0.5, 3.0, 20.0, 81.0])
    lrs = np.geomspace(1e-4, 0.2, 40)
    assert np.allclose(theory.direction_rates(loss, lrs), np.abs(1 - lrs[:, None] * loss.eigenvalues))
    for beta in (0.0, 0.3, 0.9):
        assert np.allclose(theory.direction_rates(loss, lrs, beta).max(-1), theory.convergence_rate(loss, lrs, beta))
    assert theory.direction_rates(loss, 0.01).shape == (4,)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("h,beta", [(0.05, 0.5), (0.3, 0.9), (1.2, 0.5), (0.02, 0.2)])
def test_momentum_roots_give_the_measured_rate(h, beta, nesterov):
    e = np.abs(_one_direction_errors(h, beta, nesterov, 400))
    measured = (e[350:401].max() / e[250:301].max()) ** (1 / 100)    # envelopes: complex roots swing
    rho = np.abs(theory.momentum_roots(h, beta, nesterov=nesterov)[0])
    assert measured == pytest.approx(rho, rel=1e-2)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_nesterov_limit(beta):
    loss = losses.quadratic([1.0, 81.0])
    crit = theory.nesterov_critical_lr(loss, beta)
    assert crit == pytest.approx(2 * (1 + beta) / ((1 + 2 * beta) * 81)) and crit <= theory.critical_lr(loss)
    stepper = steppers.sgd(momentum=beta, nesterov=beta > 0)
    pair = lrlab.run(loss=loss, stepper=stepper, x0=[-1.0, 0.8], lr=[0.99 * crit, 1.01 * crit], num_steps=2000)
    below, above = lrlab.diagnostics.path_shape(pair)
    assert below != "diverging" and above == "diverging"
    rho = theory.direction_rates(loss, [0.99 * crit, 1.01 * crit], beta, nesterov=True).max(-1)
    assert rho[0] < 1 < rho[1]


def test_critical_damping_is_the_double_root_and_the_fastest_momentum():
    h = np.geomspace(1e-3, 0.9, 25)
    beta_c = theory.critical_damping(h)
    z = theory.momentum_roots(h[:, None] * np.ones(1), 0.0)   # shape check only
    assert z.shape == (25, 1, 2)
    for hi, bc in zip(h, beta_c):
        z1, z2 = theory.momentum_roots(hi, bc)
        assert abs(z1 - z2) < 1e-6 and z1.real == pytest.approx(1 - np.sqrt(hi))
        rho = np.array([abs(theory.momentum_roots(hi, b)[0]) for b in np.linspace(0, 0.999, 2000)])
        assert rho.min() >= (1 - np.sqrt(hi)) * (1 - 1e-9)                 # no momentum does better
        near = bc + min(bc, 1 - bc) / 2 * np.linspace(-1, 1, 1001)
        rho = np.array([abs(theory.momentum_roots(hi, b)[0]) for b in near])
        assert rho.min() == pytest.approx(1 - np.sqrt(hi), rel=1e-6) and near[rho.argmin()] == pytest.approx(bc, rel=2e-3)


@pytest.mark.parametrize("h,beta,regime", [(0.01, 0.5, "monotone"), (0.2, 0.1, "monotone"), (0.3, 0.9, "ringing"),
                                           (3.5, 0.9, "ringing"), (1.5, 0.0, "flipping"), (2.45, 0.3, "flipping"),
                                           (2.1, 0.0, "diverging"), (3.9, 0.9, "diverging")])
def test_momentum_regime_matches_the_errors(h, beta, regime):
    assert theory.MOMENTUM_REGIMES[int(theory.momentum_regime(h, beta))] == regime
    e = _one_direction_errors(h, beta, num_steps=200)
    flips = np.sum(np.sign(e[1:]) != np.sign(e[:-1]))
    if regime == "monotone":
        assert flips <= 1 and abs(e[-1]) < abs(e[0])
    elif regime == "ringing":
        assert 3 <= flips <= 195                 # swings, but not a flip at every step
    elif regime == "flipping":
        assert flips >= 190
    else:
        assert not np.all(np.isfinite(e)) or abs(e[-1]) > 1e3


def test_one_direction_bad_input():
    with pytest.raises(ValueError, match="h = lr"):
        theory.momentum_roots(-0.1, 0.5)
    with pytest.raises(ValueError, match="momentum"):
        theory.momentum_roots(0.1, 1.0)
    with pytest.raises(ValueError, match="h = lr"):
        theory.critical_damping(np.nan)
    with pytest.raises(ValueError, match="momentum"):
        theory.momentum_regime(0.1, 1.2)


# --------------------------------------------------------------------------- the regime, named from theory

def _eigen_errors(q, traj):
    """The error along each eigenvector of ``q`` at every step: ``(T + 1, *batch, d)``."""
    w, v = np.linalg.eigh(q.matrix)
    return (traj.params - q.center) @ v


def _sign_changes(e, floor):
    """How many times each column of ``e`` (steps along axis 0) changes sign, ignoring |e| <= floor."""
    s = np.where(np.abs(e) > floor, np.sign(e), 0.0)
    out = np.zeros(e.shape[1:], int)
    for i in np.ndindex(e.shape[1:]):
        nz = s[(slice(None),) + i]
        nz = nz[nz != 0]
        out[i] = int(np.sum(nz[1:] != nz[:-1]))
    return out


def test_regime_closed_forms():
    q = losses.quadratic([1.0, 10.0])                    # 1/L = 0.1, 2/L = 0.2
    assert theory.REGIMES == ("monotone convergence", "oscillating convergence", "no convergence", "divergence")
    got = theory.regime(q, [0.0, 0.01, 0.1, 0.15, 2 / 10, 0.2, 0.2 * (1 + 1e-9), 0.3, 1e300])
    assert got.tolist() == ["no convergence", "monotone convergence", "monotone convergence",
                            "oscillating convergence", "no convergence", "no convergence", "divergence",
                            "divergence", "divergence"]
    assert theory.regime(q, 0.2 * (1 - 1e-9)) == "oscillating convergence"
    assert isinstance(theory.regime(q, 0.1), str) and theory.regime(q, np.array(0.1)) == "monotone convergence"
    assert theory.regime(q, [[0.05], [0.3]]).shape == (2, 1)
    # heavy ball: real positive roots, complex roots, the edge 2(1 + β)/L and past it
    assert theory.regime(q, 0.001, momentum=0.5) == "monotone convergence"          # β < (1 - √(ηλ))² for both
    assert theory.regime(q, 0.01, momentum=0.9) == "oscillating convergence"        # complex: spirals
    assert theory.regime(q, 0.3, momentum=0.9) == "oscillating convergence"         # past 2/L, saved by β
    assert theory.regime(q, theory.critical_lr(q, 0.9), momentum=0.9) == "no convergence"
    assert theory.regime(q, 0.39, momentum=0.9) == "divergence"
    lr, beta = theory.optimal_momentum(q)                 # Polyak: double roots at both ends, complex between
    assert theory.regime(q, lr, beta) == "oscillating convergence"
    # Nesterov: its own, lower edge
    edge = theory.nesterov_critical_lr(q, 0.5)
    assert theory.regime(q, edge, 0.5, nesterov=True) == "no convergence"
    assert theory.regime(q, 0.99 * edge, 0.5, nesterov=True) == "oscillating convergence"
    assert theory.regime(q, 1.01 * edge, 0.5, nesterov=True) == "divergence"
    assert theory.regime(q, 1.01 * edge, 0.5) == "oscillating convergence"           # heavy ball still converges
    # a direction of curvature 0 neither converges nor diverges, and does not change the regime
    flat = losses.quadratic([0.0, 2.0])
    assert theory.regime(flat, [0.4, 0.7, 1.0, 1.1]).tolist() == [
        "monotone convergence", "oscillating convergence", "no convergence", "divergence"]
    # least squares knows its Hessian, and an array of eigenvalues is accepted
    X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    ls = losses.least_squares(X, np.array([1.0, 2.0, 0.0]))
    assert theory.regime(ls, 1.9 / ls.L) == theory.regime(ls.eigenvalues, 1.9 / ls.L) == "oscillating convergence"


@pytest.mark.parametrize("call, exc, match", [
    (lambda: theory.regime(losses.two_wells(), 0.1), TypeError, "loss.*path_shape"),
    (lambda: theory.regime(losses.rosenbrock(), 0.1), TypeError, "loss must have known Hessian eigenvalues"),
    (lambda: theory.regime(losses.quadratic([1.0]), -0.1), ValueError, "lr"),
    (lambda: theory.regime(losses.quadratic([1.0]), float("nan")), ValueError, "lr"),
    (lambda: theory.regime(losses.quadratic([1.0]), 0.1, momentum=1.0), ValueError, "momentum"),
    (lambda: theory.regime(losses.quadratic([1.0]), 0.1, momentum=0.5, nesterov="yes"), TypeError, "nesterov"),
    (lambda: theory.regime([-1.0, 2.0], 0.1), ValueError, "eigenvalues"),
])
def test_regime_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), d=st.integers(1, 3), beta=st.sampled_from([0.0, 0.3, 0.6, 0.9]),
       nesterov=st.booleans(), u=st.floats(0.0, 1.0))
def test_regime_is_the_largest_root_modulus(seed, d, beta, nesterov, u):
    """One definition: 'divergence' iff some direction's factor exceeds 1, convergence iff all are below 1,
    oscillating iff some dominant root is negative or complex (momentum_roots)."""
    q, _ = random_spd(seed, d)
    lr = float(10 ** (-4 + 5 * u)) / q.L
    got = theory.regime(q, lr, beta, nesterov=nesterov)
    rates = theory.direction_rates(q, lr, beta, nesterov=nesterov)
    if abs(rates.max() - 1) < 1e-9:
        return                                              # at the edge: the tolerance decides
    assert (got == "divergence") == (rates.max() > 1)
    if rates.max() < 1:
        z = theory.momentum_roots(lr * q.eigenvalues, beta, nesterov=nesterov)
        overshoots = bool(np.any(np.abs(np.angle(z[..., 0])) > 1e-6))
        assert got == ("oscillating convergence" if overshoots else "monotone convergence")
        # every root, not only the dominant one, is positive real in a monotone regime
        assert overshoots or bool(np.all((np.abs(z.imag) < 1e-6) & (z.real >= -1e-12)))


@settings(max_examples=60, deadline=None)
@given(lam=st.floats(0.01, 100.0), x0=st.floats(-10.0, 10.0).filter(lambda v: abs(v) > 0.1),
       band=st.sampled_from(["monotone convergence", "oscillating convergence", "divergence"]),
       u=st.floats(0.0, 1.0))
def test_gd_on_a_1d_quadratic_regime_iff_lr_times_curvature(lam, x0, band, u):
    """monotone iff 0 < ηλ < 1, oscillating iff 1 < ηλ < 2, divergence iff ηλ > 2: by theory and by the run."""
    lo, hi = {"monotone convergence": (1e-4, 0.999), "oscillating convergence": (1.001, 1.999),
              "divergence": (2.001, 20.0)}[band]
    h = lo * (hi / lo) ** u
    q = losses.quadratic([lam])
    assert theory.regime(q, h / lam) == band
    traj = lrlab.run(loss=q, x0=[x0], lr=h / lam, num_steps=30)
    e = traj.params[:, 0] - q.center[0]
    ok = np.isfinite(traj.loss)
    flips = np.sign(e[ok][1:]) != np.sign(e[ok][:-1])
    if band == "monotone convergence":
        assert not flips.any() and abs(e[-1]) < abs(e[0])
    elif band == "oscillating convergence":
        assert flips.all() and abs(e[-1]) < abs(e[0])
    else:
        assert flips.all() and (traj.diverged or abs(e[-1]) > abs(e[0]))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), d=st.integers(2, 3), beta=st.sampled_from([0.0, 0.2, 0.5, 0.9]),
       nesterov=st.booleans(), u=st.floats(0.0, 1.0))
def test_regime_predicts_the_sign_pattern_of_the_error_along_each_eigendirection(seed, d, beta, nesterov, u):
    """Runs of GD, heavy ball and Nesterov on rotated quadratics: in a monotone regime no eigendirection's
    error changes sign; in an oscillating one some does (over enough steps to see a turn); divergence grows."""
    q, rng = random_spd(seed, d)
    nesterov = nesterov and beta > 0                     # torch (and lrlab) refuse Nesterov without momentum
    h_c = 2 * (1 + beta) / ((1 + 2 * beta) if nesterov else 1)
    hL = h_c * 10 ** (-2.5 + 3 * u)
    if abs(hL / h_c - 1) < 0.02:
        return
    lr = hL / q.L
    got = theory.regime(q, lr, beta, nesterov=nesterov)
    z = theory.momentum_roots(lr * q.eigenvalues, beta, nesterov=nesterov)[..., 0]
    angle = np.abs(np.angle(z)).max()
    num_steps = int(min(3000, 60 + 3 * np.pi / max(angle, 1e-3)))
    rho = theory.convergence_rate(q, lr, beta) if not nesterov else theory.direction_rates(q, lr, beta, nesterov=True).max()
    if rho > 1:                                          # long enough for the growing direction to win by 1e4
        num_steps = int(min(3000, 60 + np.log(1e4) / np.log(rho)))
    x0 = q.center + rng.standard_normal(d)
    traj = lrlab.run(loss=q, stepper=steppers.sgd(momentum=beta, nesterov=nesterov), x0=x0, lr=lr,
                     num_steps=num_steps)
    e = _eigen_errors(q, traj)
    ok = np.isfinite(traj.loss)
    changes = _sign_changes(e[ok], 1e-9 * np.abs(e[0]).max())
    if got == "monotone convergence":
        assert changes.max() == 0 and not traj.diverged
    elif got == "oscillating convergence":
        assert not traj.diverged and np.abs(e[-1]).max() < np.abs(e[0]).max()
        # a sign change is seen if the turning direction's error is still well above rounding at its first turn
        turn = np.abs(np.angle(z))
        with np.errstate(divide="ignore"):
            left = np.abs(z) ** (np.pi / np.maximum(turn, 1e-300) + 2) * np.abs(e[0])
        if np.any((turn > 1e-6) & (left > 1e-6 * np.abs(e[0]).max())):
            assert changes.max() >= 1
    else:
        assert got == "divergence"
        assert traj.diverged or np.abs(e[-1]).max() > 10 * np.abs(e[0]).max()

# --------------------------------------------------------------------------- the Newton lr (issue 24)

@pytest.mark.parametrize("lam", [0.2, 1.0, 8.0])
def test_newton_lr_is_one_over_the_curvature_and_lands_on_a_1d_minimum_in_one_step(lam):
    q = losses.quadratic([lam], center=[0.7])
    assert theory.newton_lr(q) == pytest.approx(1 / lam, rel=1e-15)
    traj = lrlab.run(loss=q, x0=[[-3.0], [0.2], [5.0]], lr=theory.newton_lr(q), num_steps=1)
    np.testing.assert_allclose(traj.params[1, :, 0], 0.7, rtol=0, atol=1e-15)
    assert theory.newton_lr(q) == pytest.approx(theory.critical_lr(q) / 2, rel=1e-15)   # half the cliff 2/L


def test_newton_lr_along_each_eigenvector_finishes_that_direction_and_1_over_L_is_the_steepest():
    q, rng = random_spd(3, 4)
    ev, V = np.linalg.eigh(q.matrix)
    np.testing.assert_allclose(theory.curvature(q, V.T), ev, rtol=1e-12)            # a batch of directions
    np.testing.assert_allclose(theory.newton_lr(q, V.T * 3.0), 1 / ev, rtol=1e-12)   # length does not matter
    assert theory.newton_lr(q) == pytest.approx(1 / ev[-1], rel=1e-12)
    # GD at 1/λ_i takes the error along eigenvector i to zero in one step
    x0 = V @ np.ones(4)
    for i in range(4):
        x1 = lrlab.run(loss=q, x0=x0, lr=1 / ev[i], num_steps=1).params[1]
        assert abs(V[:, i] @ x1) < 1e-12
    # at 1/L no direction overshoots; just above, the steepest one does
    assert np.all(1 - theory.newton_lr(q) * ev >= -1e-15) and np.any(1 - 1.01 * theory.newton_lr(q) * ev < 0)


def test_newton_lr_on_a_loss_whose_curvature_changes():
    r = losses.rosenbrock()
    x = np.array([[-1.2, 1.0], [1.0, 1.0], [0.0, 0.0]])
    H = r.hessian(x)
    np.testing.assert_allclose(theory.curvature(r, x=x), np.linalg.eigvalsh(H)[:, -1], rtol=1e-12)
    u = np.array([1.0, 2.0])
    np.testing.assert_allclose(theory.newton_lr(r, u, x), 5.0 / np.einsum("i,nij,j->n", u, H, u), rtol=1e-12)
    quartic = losses.quartic()
    assert theory.newton_lr(quartic, x=[2.0]) == pytest.approx(1 / 13.0)             # f'' = 1 + 3 w²
    wells = losses.two_wells()
    top = wells.local_minima[0] + 0.0
    assert np.isinf(theory.newton_lr(wells, x=[-0.65]))                             # negative curvature
    assert np.isfinite(theory.newton_lr(wells, x=[top]))
    with pytest.raises(ValueError, match="x is needed"):
        theory.newton_lr(r)
    with pytest.raises(ValueError, match="direction must be non-zero"):
        theory.newton_lr(losses.quadratic([1.0, 2.0]), [0.0, 0.0])
    with pytest.raises(ValueError, match="direction must have shape"):
        theory.curvature(losses.quadratic([1.0, 2.0]), [1.0])
    with pytest.raises(TypeError, match="quadratic"):
        theory.exact_line_search_lr(r, [0.0, 0.0])
    with pytest.raises(ValueError, match="minimizer"):
        theory.exact_line_search_lr(losses.quadratic([1.0, 2.0]), [0.0, 0.0])
    with pytest.raises(ValueError, match="x must be finite"):
        theory.newton_lr(r, x=[np.nan, 0.0])
