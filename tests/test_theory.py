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
        assert np.linalg.norm(traj.params[-1]) <= rho ** 400 * np.linalg.norm(x0) * (1 + 1e-9) + 1e-300
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
