"""lrlab.linesearch: Armijo backtracking and Polyak's step size.

torch has no line search to compare with (LBFGS's strong-Wolfe search lives inside that optimizer), so
the oracles are the Armijo condition itself and the closed forms on quadratics: there the test passes
exactly for lr <= 2(1 - c) g·g / g·Hg, and Polyak's lr is (f - f*)/|g|^2 in closed form.
"""
import numpy as np
import pytest

import lrlab
from lrlab import data, linesearch, losses, theory

pytestmark = pytest.mark.usefixtures("no_warnings")


def spd(d, seed, kappa=30.0):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    ev = np.geomspace(1.0, kappa, d)
    return (Q * ev) @ Q.T


def some_losses():
    X, y, _ = data.linear_regression(n=40, d=3, noise=0.3, seed=1, scales=[1.0, 2.0, 4.0])
    return {
        "quadratic": (losses.quadratic(spd(3, 0), center=[0.5, -1.0, 2.0]), 3),
        "least squares": (losses.least_squares(X, y), 3),
        "rosenbrock": (losses.rosenbrock(), 2),
        "quartic": (losses.quartic(), 1),
        "two wells": (losses.two_wells(), 1),
    }


# --------------------------------------------------------------------------- Armijo

@pytest.mark.parametrize("name", list(some_losses()))
@pytest.mark.parametrize("lr0,shrink,c", [(1.0, 0.5, 1e-4), (10.0, 0.3, 0.5), (0.5, 0.8, 0.1)])
def test_the_accepted_lr_passes_the_condition_and_the_one_before_it_fails(name, lr0, shrink, c):
    loss, d = some_losses()[name]
    x = np.random.default_rng(7).uniform(-2.0, 2.0, (25, d))
    lr, n = linesearch.armijo(loss, x, lr0=lr0, shrink=shrink, c=c)
    assert lr.shape == n.shape == (25,)
    moving = np.linalg.norm(loss.grad(x), axis=-1) > 0
    assert np.all(linesearch.armijo_condition(loss, x, lr, c=c)[moving])
    np.testing.assert_allclose(lr, lr0 * shrink ** (n - 1.0), rtol=1e-12)     # lr0, lr0 ρ, lr0 ρ², ...
    rejected = n > 1
    assert rejected.any()
    assert not np.any(linesearch.armijo_condition(loss, x[rejected], lr[rejected] / shrink, c=c))


@pytest.mark.parametrize("seed", range(5))
def test_on_a_quadratic_backtracking_stops_at_the_first_lr_below_2_1_minus_c_times_the_exact_one(seed):
    rng = np.random.default_rng(seed)
    q = losses.quadratic(spd(4, seed, kappa=100.0), center=rng.standard_normal(4))
    x = rng.standard_normal((50, 4)) * 3
    lr0, shrink, c = 2.0, 0.5, 0.3
    exact = theory.exact_line_search_lr(q, x)
    g = q.grad(x)
    np.testing.assert_allclose(exact, np.sum(g * g, -1) / np.einsum("ni,ij,nj->n", g, q.matrix, g), rtol=1e-12)
    bound = 2 * (1 - c) * exact                       # the test passes exactly for lr <= bound
    k = np.ceil(np.log(bound / lr0) / np.log(shrink)).clip(0, None)
    away = np.abs(np.log(bound / lr0) / np.log(shrink) - np.round(np.log(bound / lr0) / np.log(shrink))) > 1e-6
    lr, n = linesearch.armijo(q, x, lr0=lr0, shrink=shrink, c=c)
    np.testing.assert_array_equal(n[away], k[away] + 1)
    np.testing.assert_allclose(lr[away], lr0 * shrink ** k[away], rtol=1e-12)
    assert np.all((lr <= bound * (1 + 1e-12)) & ((lr > shrink * bound) | (n == 1)))


def test_exact_line_search_lr_minimizes_along_the_gradient():
    q = losses.quadratic(spd(3, 4, kappa=50.0), center=[1.0, 0.0, -1.0])
    x = np.array([2.0, -1.0, 0.5])
    eta = theory.exact_line_search_lr(q, x)
    grid = eta * np.linspace(0.5, 1.5, 2001)
    values = q.value(x - grid[:, None] * q.grad(x))
    assert abs(grid[np.argmin(values)] / eta - 1) < 1e-3
    # which is the Newton lr along the gradient: one over the curvature there
    assert eta == pytest.approx(theory.newton_lr(q, q.grad(x)), rel=1e-14)


def test_on_a_1d_quadratic_the_newton_lr_passes_at_once_and_lands_on_the_minimum():
    lam = 4.0
    q = losses.quadratic([lam])
    x = np.array([1.5])
    lr, n = linesearch.armijo(q, x, lr0=theory.newton_lr(q), c=0.4)
    assert (lr, n) == (1 / lam, 1)
    assert q.value(x - lr * q.grad(x)) == 0.0
    # on 1-D the exact line search is Newton's lr, 1/λ, everywhere
    assert theory.exact_line_search_lr(q, [[-3.0], [0.2]]) == pytest.approx([1 / lam, 1 / lam], rel=1e-15)


def test_a_batch_gives_what_each_point_gives_alone():
    loss = losses.rosenbrock()
    x = np.random.default_rng(0).uniform(-2, 2, (6, 2))
    lr, n = linesearch.armijo(loss, x)
    for i in range(6):
        one = linesearch.armijo(loss, x[i])
        assert one == (lr[i], n[i]) and isinstance(one[0], float) and isinstance(one[1], int)


def test_a_given_direction_is_searched_along():
    q = losses.quadratic([1.0, 10.0])
    x = np.array([1.0, 1.0])
    p = np.array([-1.0, 0.0])                           # downhill along the flat axis only
    lr, n = linesearch.armijo(q, x, direction=p, lr0=8.0, c=0.25)
    assert linesearch.armijo_condition(q, x, lr, direction=p, c=0.25)
    # f(x + ηp) = 5 + (1 - η)²/2: passes iff η <= 2(1 - c) = 1.5, so 8 -> 4 -> 2 -> 1
    assert (lr, n) == (1.0, 4)


def test_a_stationary_point_takes_lr0_and_a_search_that_never_passes_takes_no_step():
    q = losses.quadratic([1.0, 10.0])
    assert linesearch.armijo(q, [0.0, 0.0], lr0=0.7) == (0.7, 1)
    lr, n = linesearch.armijo(q, [1.0, 1.0], lr0=100.0, shrink=0.9, max_iter=3)
    assert (lr, n) == (0.0, 3)


def test_nan_trial_losses_are_rejected():
    q = losses.quadratic([1.0])
    lr, n = linesearch.armijo(q, [1e100], lr0=1e160, max_iter=600)    # the first trials' losses overflow to inf
    assert 0 < lr <= 2 * (1 - 1e-4) and n > 100


def test_bad_input_names_the_argument():
    q = losses.quadratic([1.0, 10.0])
    for kw, match in [(dict(lr0=0.0), "lr0"), (dict(lr0=float("nan")), "lr0"), (dict(shrink=1.0), "shrink"),
                      (dict(shrink=0.0), "shrink"), (dict(c=0.0), "c must"), (dict(c=1.0), "c must"),
                      (dict(max_iter=0), "max_iter")]:
        with pytest.raises(ValueError, match=match):
            linesearch.armijo(q, [1.0, 1.0], **kw)
    with pytest.raises(TypeError, match="max_iter"):
        linesearch.armijo(q, [1.0, 1.0], max_iter=2.5)
    with pytest.raises(ValueError, match="direction must point downhill"):
        linesearch.armijo(q, [1.0, 1.0], direction=[1.0, 0.0])
    with pytest.raises(ValueError, match="x must have shape"):
        linesearch.armijo(q, [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="x must be finite"):
        linesearch.armijo(q, [np.nan, 1.0])
    with pytest.raises(ValueError, match="direction must have shape"):
        linesearch.armijo(q, [1.0, 1.0], direction=[1.0])
    with pytest.raises(TypeError, match="loss must be an lrlab loss"):
        linesearch.armijo(object(), [1.0])
    with pytest.raises(ValueError, match="lr must be finite"):
        linesearch.armijo_condition(q, [1.0, 1.0], -0.1)


def test_gradient_descent_with_backtracking():
    q = losses.quadratic([1.0, 10.0])
    x0 = np.array([[1.0, 1.0], [-2.0, 0.5], [0.3, -1.0]])
    traj = linesearch.run_line_search(q, x0, 40, lr0=1.0)
    assert traj.lr.shape == (40, 3) and not traj.diverged.any()
    # every step took the lr a fresh search gives at that point, and the loss fell at every step
    for t in range(40):
        lr, n = linesearch.armijo(q, traj.params[t], lr0=1.0)
        np.testing.assert_array_equal(traj.lr[t], lr)
        np.testing.assert_array_equal(np.reshape(traj.state[t].n_evals, 3), n)
    assert np.all(np.diff(traj.loss, axis=0) < 0)
    assert np.all(traj.loss[-1] < 1e-8 * traj.loss[0])
    # the same lr0 used as a fixed lr is far past 2/L = 0.2: it diverges
    fixed = lrlab.run(loss=q, x0=x0, lr=1.0, num_steps=40)
    assert fixed.diverged.all()
    # a batch of starts equals the single runs, bit for bit
    one = linesearch.run_line_search(q, x0[1], 40, lr0=1.0)
    np.testing.assert_array_equal(one.params, traj.params[:, 1])
    np.testing.assert_array_equal(one.lr, traj.lr[:, 1])


def test_run_line_search_refuses_minibatch_losses_and_bad_arguments():
    X, y, _ = data.linear_regression(n=40, d=2, seed=0)
    with pytest.raises(TypeError, match="loss must be deterministic"):
        linesearch.run_line_search(losses.least_squares(X, y, batch_size=4), [0.0, 0.0], 5)
    q = losses.quadratic([1.0, 10.0])
    with pytest.raises(ValueError, match="num_steps"):
        linesearch.run_line_search(q, [1.0, 1.0], -1)
    with pytest.raises(ValueError, match="shrink"):
        linesearch.run_line_search(q, [1.0, 1.0], 5, shrink=2.0)
    with pytest.raises(ValueError, match="x0 must have shape"):
        linesearch.run_line_search(q, [1.0], 5)


# --------------------------------------------------------------------------- Polyak

@pytest.mark.parametrize("lam,w", [(4.0, 3.0), (0.1, -2.0), (50.0, 1e-3)])
def test_one_polyak_step_halves_a_1d_quadratic(lam, w):
    q = losses.quadratic([lam])
    lr = linesearch.polyak_lr(q, [w])
    assert lr == pytest.approx(1 / (2 * lam), rel=1e-14)          # half of Newton's 1/λ
    assert lr == pytest.approx(theory.newton_lr(q) / 2, rel=1e-14)
    traj = linesearch.run_polyak(q, [w], 3)
    np.testing.assert_allclose(traj.params[:, 0], w / 2.0 ** np.arange(4), rtol=1e-14)


def test_the_polyak_lr_on_a_quadratic_is_its_closed_form():
    A = spd(3, 2, kappa=20.0)
    c = np.array([1.0, -1.0, 0.5])
    q = losses.quadratic(A, center=c)
    x = np.random.default_rng(3).standard_normal((10, 3))
    e = x - c
    want = 0.5 * np.einsum("ni,ij,nj->n", e, A, e) / np.sum((e @ A) ** 2, axis=-1)
    np.testing.assert_allclose(linesearch.polyak_lr(q, x), want, rtol=1e-12)
    ev = np.linalg.eigvalsh(A)
    assert np.all((want >= 1 / (2 * ev[-1])) & (want <= 1 / (2 * ev[0])))
    np.testing.assert_allclose(linesearch.polyak_lr(q, x, max_lr=0.05), np.minimum(want, 0.05), rtol=1e-12)
    assert linesearch.polyak_lr(q, c) == 0.0                        # at the minimum: nothing to do
    assert linesearch.polyak_lr(q, x[0], f_star=10.0) == 0.0        # f* above f(x): no step


def test_polyak_converges_where_a_fixed_lr_above_2_over_L_diverges():
    q = losses.quadratic([1.0, 10.0])                               # 2/L = 0.2
    x0 = np.array([[1.0, 1.0], [3.0, 0.1], [-1.0, 2.0]])
    traj = linesearch.run_polyak(q, x0, 200)
    assert np.all(traj.loss[-1] < 1e-10 * traj.loss[0]) and not traj.diverged.any()
    dist = np.linalg.norm(traj.params - q.minimizer, axis=-1)
    assert np.all(np.diff(dist, axis=0) <= 1e-15)                    # every step comes closer (convexity)
    biggest = float(np.nanmax(traj.lr))
    assert biggest > theory.critical_lr(q)                           # it takes steps past the cliff ...
    fixed = lrlab.run(loss=q, x0=x0, lr=biggest, num_steps=200)
    assert fixed.diverged.all()                                      # ... which, as a fixed lr, diverge
    assert np.all(lrlab.run(loss=q, x0=x0, lr=0.25, num_steps=200).diverged)


def test_polyak_needs_f_star_and_checks_its_arguments():
    class NoMin:
        dim = 1

        def value(self, x):
            return np.sum(np.asarray(x) ** 2, axis=-1)

        def grad(self, x):
            return 2 * np.asarray(x)

    with pytest.raises(ValueError, match="f_star is needed"):
        linesearch.polyak_lr(NoMin(), [1.0])
    assert linesearch.polyak_lr(NoMin(), [1.0], f_star=0.0) == 0.25
    q = losses.quadratic([1.0])
    with pytest.raises(ValueError, match="max_lr"):
        linesearch.polyak_lr(q, [1.0], max_lr=0.0)
    with pytest.raises(ValueError, match="f_star must be finite"):
        linesearch.polyak_lr(q, [1.0], f_star=float("nan"))
    with pytest.raises(ValueError, match="f_star is needed"):
        linesearch.run_polyak(NoMin(), [1.0], 3)
