"""lrlab.losses: gradients (finite differences), Hessians, minimizers, bad input."""
import numpy as np
import pytest

import lrlab
from lrlab import losses

RNG = np.random.default_rng(0)


def rotated_quadratic():
    q, _ = np.linalg.qr(RNG.standard_normal((3, 3)))
    return losses.quadratic(q @ np.diag([0.5, 2.0, 9.0]) @ q.T, center=[0.3, -0.2, 0.1])


def make_ls(batch_size=None):
    X = RNG.standard_normal((40, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * RNG.standard_normal(40)
    return losses.least_squares(X, y, batch_size=batch_size, seed=3)


ALL = {
    "quadratic-diag": lambda: losses.quadratic([1.0, 10.0]),
    "quadratic-matrix": rotated_quadratic,
    "rosenbrock": losses.rosenbrock,
    "rosenbrock-a2": lambda: losses.rosenbrock(a=2.0, b=10.0),
    "two_wells": losses.two_wells,
    "plateau": losses.plateau,
    "quartic": losses.quartic,
    "quartic-c0.3": lambda: losses.quartic(0.3),
    "least_squares": make_ls,
}


def fd_grad(loss, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in range(x.shape[-1]):
        e = np.zeros_like(x)
        e[..., i] = eps
        g[..., i] = (loss.value(x + e) - loss.value(x - e)) / (2 * eps)
    return g


@pytest.mark.parametrize("name", ALL)
def test_gradient_matches_finite_differences(name):
    loss = ALL[name]()
    lo, hi = loss.bounds[:, 0], loss.bounds[:, 1]
    x = lo + (hi - lo) * RNG.random((7, loss.dim))
    np.testing.assert_allclose(loss.grad(x), fd_grad(loss, x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ALL)
def test_value_and_grad_agree_and_vectorize(name):
    loss = ALL[name]()
    lo, hi = loss.bounds[:, 0], loss.bounds[:, 1]
    x = lo + (hi - lo) * RNG.random((2, 3, loss.dim))
    f, g = loss.value_and_grad(x)
    assert f.shape == (2, 3) and g.shape == (2, 3, loss.dim)
    np.testing.assert_array_equal(f, loss.value(x))
    np.testing.assert_array_equal(g, loss.grad(x))
    # a batch gives, bit for bit, what the points give one at a time
    for i in range(2):
        for j in range(3):
            assert np.array_equal(loss.grad(x[i, j]), g[i, j])
            assert np.array_equal(loss.value(x[i, j]), f[i, j])


@pytest.mark.parametrize("name", ALL)
def test_minimizer_is_stationary_and_lowest(name):
    loss = ALL[name]()
    xs = loss.minimizer
    assert np.linalg.norm(loss.grad(xs)) < 1e-6
    lo, hi = loss.bounds[:, 0], loss.bounds[:, 1]
    x = lo + (hi - lo) * RNG.random((500, loss.dim))
    assert loss.value(x).min() >= loss.min_value - 1e-9
    assert np.isclose(loss.value(xs), loss.min_value)


@pytest.mark.parametrize("name", ["quadratic-matrix", "rosenbrock", "two_wells", "quartic", "least_squares"])
def test_hessian_matches_finite_differences(name):
    loss = ALL[name]()
    x = loss.minimizer + 0.1
    H = np.asarray(loss.hessian(x)).reshape(loss.dim, loss.dim)
    eps = 1e-5
    fd = np.stack([(loss.grad(x + eps * e) - loss.grad(x - eps * e)) / (2 * eps) for e in np.eye(loss.dim)])
    np.testing.assert_allclose(H, fd, rtol=1e-4, atol=1e-5)


def test_quadratic_knows_its_spectrum():
    q = rotated_quadratic()
    np.testing.assert_allclose(q.eigenvalues, [0.5, 2.0, 9.0])
    assert q.L == pytest.approx(9.0) and q.mu == pytest.approx(0.5) and q.condition_number == pytest.approx(18.0)
    d = losses.quadratic([3.0, 1.0])
    np.testing.assert_array_equal(d.eigenvalues, [1.0, 3.0])


def test_two_wells_has_a_poor_narrow_and_a_good_wide_minimum():
    w = losses.two_wells()
    assert len(w.local_minima) == 2
    good, poor = w.local_minima
    assert w.value(np.array([poor])) > w.value(np.array([good])) + 0.5
    assert w.curvature(np.array([poor])) > 20 * w.curvature(np.array([good]))


def test_plateau_is_flat_on_the_left():
    p = losses.plateau()
    assert abs(p.grad(np.array([-4.0]))[0]) < 0.03
    assert abs(p.grad(np.array([0.5]))[0]) > 1.0


def test_least_squares_minibatches_are_deterministic_and_unbiased():
    ls = make_ls(batch_size=8)
    w = np.array([0.3, 0.1, -0.4])
    np.testing.assert_array_equal(ls.sample_grad(w, 5), ls.sample_grad(w, 5))
    assert not np.array_equal(ls.sample_grad(w, 5), ls.sample_grad(w, 6))
    mean = np.mean([ls.sample_grad(w, t) for t in range(4000)], axis=0)
    np.testing.assert_allclose(mean, ls.grad(w), atol=0.05)
    full = make_ls()
    np.testing.assert_array_equal(full.sample_grad(w, 3), full.grad(w))
    np.testing.assert_allclose(full.eigenvalues, np.linalg.eigvalsh(full.X.T @ full.X / full.n))


@pytest.mark.parametrize("bad, match", [
    (lambda: losses.quadratic([1.0, -1.0]), "A"),
    (lambda: losses.quadratic([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
    (lambda: losses.quadratic([[1.0, 0.0], [0.0, -2.0]]), "positive"),
    (lambda: losses.quadratic(np.ones((2, 3))), "square"),
    (lambda: losses.quadratic([1.0, np.nan]), "A"),
    (lambda: losses.quadratic([1.0, 2.0], center=[0.0]), "center"),
    (lambda: losses.rosenbrock(b=-1.0), "b"),
    (lambda: losses.rosenbrock(a=np.inf), "a"),
    (lambda: losses.least_squares(np.ones((5, 2)), np.ones(4)), "y"),
    (lambda: losses.least_squares(np.ones(5), np.ones(5)), "X"),
    (lambda: losses.least_squares(np.ones((5, 0)), np.ones(5)), r"X must .*at least one feature.*X\.shape=\(5, 0\)"),
    (lambda: losses.least_squares(np.ones((0, 2)), np.ones(0)), r"X must .*at least one row.*X\.shape=\(0, 2\)"),
    (lambda: losses.least_squares(np.ones((5, 2)), np.ones(5), batch_size=0), "batch_size"),
    (lambda: losses.least_squares(np.ones((5, 2)), np.ones(5), batch_size=9), "batch_size"),
    (lambda: losses.quadratic([1.0, 2.0]).grad(np.ones(3)), "x"),
    (lambda: losses.quadratic([1.0, 2.0], bounds=[[-1.0, 1.0]]), "bounds"),
    (lambda: losses.quadratic([1.0, 2.0], bounds=[[-1.0, 1.0], [2.0, 1.0]]), "bounds"),
    (lambda: losses.least_squares(np.eye(2), np.ones(2), bounds=[[0.0, np.inf], [0.0, 1.0]]), "bounds"),
    (lambda: losses.quartic(-1.0), "c"),
    (lambda: losses.quartic().grad(np.ones((3, 2))), "x"),
])
def test_bad_input_names_the_argument(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        bad()


def test_least_squares_as_a_quadratic_gives_the_same_runs():
    X, y, _ = lrlab.data.linear_regression(n=200, d=3, noise=0.5, seed=1, scales=[1.0, 2.0, 0.5])
    ls = losses.least_squares(X, y)
    q = ls.as_quadratic()
    w = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_allclose(q.value(w), ls.value(w) - ls.value(ls.minimizer), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(q.grad(w), ls.grad(w), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(q.eigenvalues, np.linalg.eigvalsh(ls.hessian()), rtol=1e-12)
    a = lrlab.run(loss=ls, x0=np.zeros(3), lr=0.1, num_steps=50)
    b = lrlab.run(loss=q, x0=np.zeros(3), lr=0.1, num_steps=50)
    np.testing.assert_allclose(a.params, b.params, rtol=1e-9, atol=1e-12)


def test_quartic_against_torch_autograd():
    torch = pytest.importorskip("torch")
    q = losses.quartic(0.7)
    w = torch.linspace(-3.0, 3.0, 13, dtype=torch.float64, requires_grad=True)
    f = 0.5 * w ** 2 + 0.7 / 4 * w ** 4
    (g,) = torch.autograd.grad(f.sum(), w, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), w)
    x = w.detach().numpy()[:, None]
    np.testing.assert_allclose(q.value(x), f.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(q.grad(x)[:, 0], g.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(q.curvature(x), h.numpy(), rtol=1e-14)
    np.testing.assert_allclose(q.hessian(x)[:, 0, 0], h.numpy(), rtol=1e-14)
    assert q.curvature(np.array([3.0])) == 1 + 3 * 0.7 * 9


def test_bounds_at_construction():
    q = losses.quadratic([1.0, 81.0], bounds=[[-1.6, 1.6], [-3.0, 3.0]])
    np.testing.assert_array_equal(q.bounds, [[-1.6, 1.6], [-3.0, 3.0]])
    np.testing.assert_allclose(losses.quadratic([1.0, 81.0], center=[1.0, 0.0]).bounds, [[-0.6, 2.6], [-1.6, 1.6]])
    X, y = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]), np.array([1.0, 2.0, 0.5])
    given = np.array([[-5.0, 5.0], [0.0, 1.0]])
    ls = losses.least_squares(X, y, bounds=given)
    np.testing.assert_array_equal(ls.bounds, given)
    given[0, 0] = -9.0                                   # the loss keeps its own copy
    assert ls.bounds[0, 0] == -5.0
    assert losses.least_squares(X, y).bounds.shape == (2, 2)
    np.testing.assert_array_equal(losses.quartic(bounds=(-1.0, 2.0)).bounds, [[-1.0, 2.0]])
    np.testing.assert_array_equal(losses.quartic().bounds, [[-3.5, 3.5]])


@pytest.mark.parametrize("rows, exc", [([0.5, 1.5], TypeError), ([[0, 1]], TypeError), ([], ValueError),
                                       ([0, 20], ValueError), ([-1], ValueError), ("0", TypeError),
                                       ([[1], [1, 2]], TypeError)])
def test_least_squares_rows_checked(rows, exc):
    rng = np.random.default_rng(0)
    ls = losses.least_squares(rng.standard_normal((20, 2)), rng.standard_normal(20))
    with pytest.raises(exc, match="rows"):
        ls.value_and_grad([0.1, 0.1], rows)
    f, g = ls.value_and_grad([0.1, 0.1], np.arange(20))       # every row by index is the full loss
    assert f == pytest.approx(ls.value([0.1, 0.1])) and g == pytest.approx(ls.grad([0.1, 0.1]))


def test_least_squares_replicas_draw_their_own_minibatches():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 3)), rng.standard_normal(40)
    sizes = [1, 5, 5, 40]
    rep = losses.least_squares_replicas(X, y, sizes, seed=4)
    plain = losses.least_squares(X, y)
    w = rng.standard_normal((2, 4, 3))                                   # (..., K, d)
    np.testing.assert_allclose(rep.value(w), plain.value(w), rtol=1e-12, atol=1e-12)
    g = rep.sample_grad(w, 7)
    np.testing.assert_array_equal(g, rep.sample_grad(w, 7))             # deterministic in (seed, t)
    rows = np.random.default_rng((4, 7)).integers(0, 40, size=(4, 40))   # the rows it drew, with replacement
    for k, B in enumerate(sizes):
        want = plain.value_and_grad(w[:, k], rows[k, :B])[1]
        np.testing.assert_allclose(g[:, k], want, rtol=1e-12, atol=1e-12)
    # unbiased, with the with-replacement variance Sigma / B of lrlab.theory.MinibatchSGD
    from lrlab import theory
    th = theory.MinibatchSGD(X, y)
    ws = np.tile(th.minimizer, (4, 1))
    draws = np.stack([rep.sample_grad(ws, t) for t in range(4000)])     # (T, K, d)
    for k, B in enumerate(sizes):
        np.testing.assert_allclose(draws[:, k].mean(axis=0), 0.0, atol=6 * np.sqrt(np.trace(th.sigma) / B / 4000))
        np.testing.assert_allclose(np.trace(np.cov(draws[:, k].T)), np.trace(th.sigma) / B, rtol=0.1)


@pytest.mark.parametrize("make, match", [
    (lambda X, y: losses.least_squares_replicas(X, y, []), "batch_sizes"),
    (lambda X, y: losses.least_squares_replicas(X, y, 4), "batch_sizes"),
    (lambda X, y: losses.least_squares_replicas(X, y, [2, 0]), r"batch_sizes\[1\]"),
    (lambda X, y: losses.least_squares_replicas(X, y, [2, 11]), r"batch_sizes\[1\]"),
    (lambda X, y: losses.least_squares_replicas(X, y, [2, 3]).sample_grad(np.zeros((3, 2)), 0), "K = 2"),
])
def test_least_squares_replicas_bad_input(make, match):
    X, y = np.ones((10, 2)), np.ones(10)
    with pytest.raises((TypeError, ValueError), match=match):
        make(X, y)
