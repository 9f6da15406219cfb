r"""Toy losses for learning-rate experiments.

Every loss has ``value(x)`` and ``grad(x)``, vectorized over the leading axes of
``x`` (shape ``(..., d)``), and ``value_and_grad(x)`` which shares the work.
What a loss knows about itself is an attribute: ``minimizer`` and ``min_value``
(where known), ``eigenvalues`` (Hessian eigenvalues, for quadratics and least
squares), ``hessian(x)`` where it has a closed form, and ``bounds``, an array of
shape ``(d, 2)`` with a sensible plotting window per coordinate (pass ``bounds=`` to a
constructor to choose another).

Sums over the coordinate axis are written as reductions along the last axis of
a contiguous array, so a batch of points gives bit for bit the values that the
points give one at a time.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_real_array, check_number

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["Quadratic", "quadratic", "Rosenbrock", "rosenbrock", "Curve1D", "two_wells",
           "plateau", "Quartic", "quartic", "LeastSquares", "least_squares", "LeastSquaresReplicas",
           "least_squares_replicas"]


def _as_points(x, dim: int, name: str = "x") -> np.ndarray:
    x = as_real_array(name, x, what=f"an array of real numbers, shape (..., {dim})")
    if x.ndim == 0 or x.shape[-1] != dim:
        raise ValueError(f"{name} must have shape (..., {dim}) for this {dim}-D loss, got shape {x.shape}")
    return x


def _bounds(bounds, default, dim: int) -> np.ndarray:
    """``bounds`` as a float array of shape (dim, 2) with low < high per row, or ``default`` if None."""
    if bounds is None:
        return default
    b = np.array(as_real_array("bounds", bounds, what=f"(low, high) pairs of real numbers, shape ({dim}, 2)"))
    if b.shape == (2,) and dim == 1:
        b = b[None]
    if b.shape != (dim, 2) or not np.all(np.isfinite(b)) or np.any(b[:, 0] >= b[:, 1]):
        raise ValueError(f"bounds must be finite (low, high) pairs, shape ({dim}, 2), low < high; got {bounds!r}")
    return b


def _triples(name: str, items, fields) -> tuple:
    """A sequence of (a, b, c) triples of finite reals; the third (a width) must be > 0."""
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise TypeError(f"{name} must be a sequence of ({', '.join(fields)}) triples, got {name}={items!r}")
    out = []
    for i, item in enumerate(items):
        if isinstance(item, (str, bytes)) or not hasattr(item, "__len__") or len(item) != 3:
            raise TypeError(f"{name}[{i}] must be a triple ({', '.join(fields)}), got {item!r}")
        a, b, c = (check_number(f"{name}[{i}][{j}] ({f})", v) for j, (f, v) in enumerate(zip(fields, item)))
        if c <= 0:
            raise ValueError(f"{name}[{i}][2] ({fields[2]}) must be > 0, got {c!r}")
        out.append((a, b, c))
    return tuple(out)


def _rowsum(a: np.ndarray) -> np.ndarray:
    """Sum over the last axis in a fixed order, independent of batch size and memory layout."""
    d = a.shape[-1]
    if d > 64:
        return np.add.reduce(np.ascontiguousarray(a), axis=-1)
    acc = a[..., 0].copy()
    for i in range(1, d):
        acc += a[..., i]
    return acc


class Quadratic:
    r"""The quadratic bowl :math:`f(x) = \tfrac12 (x-c)^\top A (x-c)`.

    Its Hessian is ``A`` everywhere, so the theory of ``lrlab.theory`` is exact
    on it: gradient descent with a constant lr converges iff ``lr < 2 / L``,
    ``L = max(eigenvalues)``.
    """

    def __init__(self, A: ArrayLike, center: ArrayLike | None = None, bounds: ArrayLike | None = None):
        A = as_real_array("A", A, what="curvatures (a vector) or a symmetric positive definite matrix")
        if A.ndim == 1:
            if A.size == 0 or not np.all(np.isfinite(A)) or np.any(A < 0) or not np.any(A > 0):
                raise ValueError("A given as curvatures must be a non-empty 1-D array of finite values >= 0, "
                                 f"not all zero; got A={A.tolist()}")
            self.curvatures = A.copy()
            self.matrix = np.diag(A)
            self.eigenvalues = np.sort(A)
            self._diagonal = True
        elif A.ndim == 2 and A.shape[0] == A.shape[1] and A.size > 0:
            if not np.all(np.isfinite(A)):
                raise ValueError("A must be finite")
            if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12 * np.abs(A).max()):
                raise ValueError("A must be a symmetric matrix (an SPD Hessian), got a non-symmetric one")
            eig = np.linalg.eigvalsh(A)
            if eig[0] < -1e-12 * abs(eig[-1]) or eig[-1] <= 0:
                raise ValueError(f"A must be positive (semi)definite, got eigenvalues {eig.tolist()}")
            self.matrix = np.ascontiguousarray(A)
            self.eigenvalues = np.clip(eig, 0.0, None)
            self._diagonal = False
        else:
            raise ValueError(f"A must be a square matrix (d, d) or a 1-D array of curvatures, got shape {A.shape}")
        self.dim = self.matrix.shape[0]
        c = np.zeros(self.dim) if center is None else as_real_array("center", center, what="a point of real numbers, shape (d,)")
        if c.shape != (self.dim,) or not np.all(np.isfinite(c)):
            raise ValueError(f"center must be a finite array of shape ({self.dim},), got {center!r}")
        self.center = c
        self.minimizer = c.copy()
        self.min_value = 0.0
        self.L = float(self.eigenvalues[-1])
        self.mu = float(self.eigenvalues[0])
        self.condition_number = self.L / self.mu if self.mu > 0 else np.inf
        self.name = "quadratic"
        # by default a window that shows the iterates started at distance ~1 on each axis
        self.bounds = _bounds(bounds, np.stack([c - 1.6, c + 1.6], axis=-1), self.dim)

    def __repr__(self):
        return f"quadratic(eigenvalues={np.round(self.eigenvalues, 6).tolist()})"

    def grad(self, x: ArrayLike) -> np.ndarray:
        return self.value_and_grad(x)[1]

    def value(self, x: ArrayLike) -> np.ndarray:
        return self.value_and_grad(x)[0]

    def value_and_grad(self, x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        diff = _as_points(x, self.dim) - self.center
        if self._diagonal:
            g = self.curvatures * diff
        else:
            diff = np.ascontiguousarray(diff)      # a fixed layout: the same bits for any batch
            g = np.add.reduce(diff[..., None, :] * self.matrix, axis=-1)
        return 0.5 * _rowsum(diff * g), g

    def hessian(self, x: ArrayLike | None = None) -> np.ndarray:
        return self.matrix.copy()


def quadratic(A: ArrayLike, center: ArrayLike | None = None, bounds: ArrayLike | None = None) -> Quadratic:
    """A quadratic bowl from an SPD matrix ``A`` (d, d) or a 1-D array of curvatures.

    ``bounds`` (d, 2) is its plotting window (default: the center ± 1.6 on each axis).
    """
    return Quadratic(A, center, bounds)


class Rosenbrock:
    r"""Rosenbrock's banana valley :math:`f(x, y) = (a-x)^2 + b\,(y-x^2)^2`.

    Minimum 0 at ``(a, a**2)``; the valley floor is curved and flat, the walls
    steep, so a single learning rate is either too small for the floor or too
    large for the walls.
    """

    def __init__(self, a: float = 1.0, b: float = 100.0):
        self.a = check_number("a", a, low=-1e100, high=1e100)          # a**2 must stay a float
        self.b = check_number("b", b, low=0.0, low_inclusive=False, high=1e100)
        self.dim = 2
        self.minimizer = np.array([self.a, self.a ** 2])
        self.min_value = 0.0
        self.name = "rosenbrock"
        self.bounds = np.array([[self.a - 3.0, self.a + 1.5], [self.a ** 2 - 2.0, self.a ** 2 + 3.0]])

    def __repr__(self):
        return f"rosenbrock(a={self.a}, b={self.b})"

    def value_and_grad(self, x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        x = _as_points(x, 2)
        if x.ndim == 1:                     # one point: the same arithmetic on a batch of one
            f, g = self.value_and_grad(x[None])
            return f[0], g[0]
        u, v = x[..., 0], x[..., 1]
        r = self.a - u                      # a - x
        s = u * u
        np.subtract(v, s, out=s)            # y - x^2
        bs = self.b * s
        f = r * r
        f += bs * s
        g = np.empty_like(x)
        g0, g1 = g[..., 0], g[..., 1]
        np.multiply(u, bs, out=g0)
        g0 *= -4.0
        r *= 2.0
        g0 -= r                             # -2 (a - x) - 4 b x (y - x^2)
        np.multiply(bs, 2.0, out=g1)        # 2 b (y - x^2)
        return f, g

    def value(self, x: ArrayLike) -> np.ndarray:
        x = _as_points(x, 2)
        u, v = x[..., 0], x[..., 1]
        r = self.a - u
        s = v - u * u
        f = r * r
        f += (self.b * s) * s               # the same operations as value_and_grad
        return f

    def grad(self, x: ArrayLike) -> np.ndarray:
        return self.value_and_grad(x)[1]

    def hessian(self, x: ArrayLike) -> np.ndarray:
        x = _as_points(x, 2)
        u, v = x[..., 0], x[..., 1]
        h = np.empty(x.shape[:-1] + (2, 2))
        h[..., 0, 0] = 2.0 - 4.0 * self.b * (v - u * u) + 8.0 * self.b * u * u
        h[..., 0, 1] = h[..., 1, 0] = -4.0 * self.b * u
        h[..., 1, 1] = 2.0 * self.b
        return h


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Rosenbrock:
    """Rosenbrock's function with torch-style keywords ``a`` and ``b``."""
    return Rosenbrock(a, b)


class Curve1D:
    r"""A 1-D loss made of a wide parabola and Gaussian wells or steps.

    .. math:: f(x) = \tfrac{k}{2}(x-c)^2 - \sum_i h_i \exp\!\big(-\tfrac{(x-m_i)^2}{2 s_i^2}\big)
              + \sum_j p_j \tanh\!\big(\tfrac{x-q_j}{w_j}\big)

    Used for the non-convex lessons: a narrow poor local minimum beside a wide
    good one, or a plateau. Its local minima are found numerically.
    """

    def __init__(self, k: float, c: float, wells: Iterable[Sequence[float]] = (),
                 steps: Iterable[Sequence[float]] = (), name: str = "curve",
                 bounds: ArrayLike | None = (-3.0, 3.0)):
        self.k = check_number("k", k, low=0.0)
        self.c = check_number("c", c)
        self.wells = _triples("wells", wells, ("height", "center", "width"))
        self.steps = _triples("steps", steps, ("height", "position", "width"))
        self.dim = 1
        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a non-empty string (used in labels), got name={name!r}")
        self.name = name
        self.bounds = _bounds(bounds, np.array([[-3.0, 3.0]]), 1)
        bounds = tuple(self.bounds[0])
        grid = np.linspace(bounds[0] - 2.0, bounds[1] + 2.0, 40001)[:, None]
        g = self.grad(grid)[:, 0]
        idx = np.nonzero((g[:-1] < 0) & (g[1:] >= 0))[0]
        mins = []
        for i in idx:  # refine each sign change of f' by bisection
            lo, hi = grid[i, 0], grid[i + 1, 0]
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                if self.grad(np.array([mid]))[0] < 0:
                    lo = mid
                else:
                    hi = mid
            mins.append(0.5 * (lo + hi))
        if not mins:
            raise ValueError(f"this curve (k={self.k!r}, c={self.c!r}, wells={self.wells!r}, steps={self.steps!r}) "
                             f"has no local minimum within bounds={bounds!r} (widened by 2): nothing to descend to")
        self.local_minima = np.array(sorted(mins, key=lambda m: float(self.value(np.array([m])))))
        self.minimizer = self.local_minima[:1].copy()      # the best one
        self.min_value = float(self.value(self.minimizer))

    def __repr__(self):
        return f"{self.name}(minima at {np.round(self.local_minima, 3).tolist()})"

    def value_and_grad(self, x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        x = _as_points(x, 1)
        u = x[..., 0]
        d = u - self.c
        f = 0.5 * self.k * d * d
        g = self.k * d
        for h, m, s in self.wells:
            z = (u - m) / s
            e = h * np.exp(-0.5 * z * z)
            f = f - e
            g = g + e * z / s
        for p, q, w in self.steps:
            th = np.tanh((u - q) / w)
            f = f + p * th
            g = g + p * (1.0 - th * th) / w
        return f, g[..., None]

    def value(self, x: ArrayLike) -> np.ndarray:
        return self.value_and_grad(x)[0]

    def grad(self, x: ArrayLike) -> np.ndarray:
        return self.value_and_grad(x)[1]

    def curvature(self, x: ArrayLike) -> np.ndarray:
        """f''(x), by a central difference of the exact gradient."""
        x = _as_points(x, 1)
        eps = 1e-5
        return (self.grad(x + eps) - self.grad(x - eps))[..., 0] / (2 * eps)

    def hessian(self, x: ArrayLike) -> np.ndarray:
        return self.curvature(x)[..., None, None]


def two_wells() -> Curve1D:
    """A wide good basin at x = 2 and a narrow, shallower trap at x = -1.

    Started at x = -1.6, a small lr settles in the trap (f ~ 0.77). The trap is
    so narrow (curvature ~ 23) that no lr above 2/23 ~ 0.086 can settle in it;
    from about 0.15 on, the first bounces throw the iterate out into the wide
    basin (curvature 0.4, stable up to lr = 5), where it converges.
    """
    return Curve1D(k=0.4, c=2.0, wells=[(1.0, -1.0, 0.2)], name="two_wells", bounds=(-2.5, 3.5))


def plateau() -> Curve1D:
    """A long almost-flat shelf on the left that drops into a bowl at x = 2.

    Started at x = -4 the gradient is tiny (~1e-2), so a small lr spends
    hundreds of steps crossing the shelf before the loss drops.
    """
    return Curve1D(k=0.004, c=2.0, steps=[(-1.0, 0.5, 0.6)], name="plateau", bounds=(-5.0, 4.0))


class Quartic:
    r"""A 1-D loss that is steep far from its minimum and gentle near it.

    .. math:: f(w) = \tfrac12 w^2 + \tfrac{c}{4} w^4, \qquad f''(w) = 1 + 3c\,w^2

    Started at :math:`w = 3` (with :math:`c = 1`) the curvature is 28; at the minimum it is 1:
    the loss on which a warmup helps (an lr that is stable near the minimum blows up at the start).
    """

    def __init__(self, c: float = 1.0, bounds: ArrayLike | None = (-3.5, 3.5)):
        self.c = check_number("c", c, low=0.0)
        self.dim = 1
        self.minimizer = np.zeros(1)
        self.min_value = 0.0
        self.bounds = _bounds(bounds, np.array([[-3.0, 3.0]]), 1)
        self.name = "quartic"

    def __repr__(self):
        return f"Quartic(c={self.c})"

    def value_and_grad(self, x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        u = _as_points(x, 1)[..., 0]
        u2 = u * u
        return 0.5 * u2 + 0.25 * self.c * u2 * u2, (u + self.c * u2 * u)[..., None]

    def value(self, x: ArrayLike) -> np.ndarray:
        return self.value_and_grad(x)[0]

    def grad(self, x: ArrayLike) -> np.ndarray:
        return self.value_and_grad(x)[1]

    def curvature(self, x: ArrayLike) -> np.ndarray:
        r""":math:`f''(w) = 1 + 3c\,w^2`, shape ``x.shape[:-1]``."""
        u = _as_points(x, 1)[..., 0]
        return 1.0 + 3.0 * self.c * u * u

    def hessian(self, x: ArrayLike) -> np.ndarray:
        return self.curvature(x)[..., None, None]


def quartic(c: float = 1.0, bounds: tuple[float, float] = (-3.5, 3.5)) -> Quartic:
    r""":math:`f(w) = \tfrac12 w^2 + \tfrac{c}{4} w^4`: curvature :math:`1 + 3c w^2`, steep far out, gentle near 0."""
    return Quartic(c, bounds)


class LeastSquares:
    r"""Mean-squared error of a linear model, :math:`f(w) = \tfrac{1}{2n}\lVert Xw - y\rVert^2`.

    ``grad`` is the full-batch gradient. With ``batch_size`` set,
    ``sample_grad(w, t)`` is the gradient on minibatch ``t``: ``batch_size``
    rows drawn without replacement by a generator seeded with ``(seed, t)``, so
    every trajectory of a batched run sees the same minibatches (common random
    numbers) and a run is reproducible.
    """

    def __init__(self, X: ArrayLike, y: ArrayLike, batch_size: int | None = None, seed: int = 0,
                 bounds: ArrayLike | None = None):
        X = as_real_array("X", X, what="a real (n, d) data matrix")
        y = as_real_array("y", y, what="real targets, shape (n,)")
        if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"X must be a 2-D array (n, d) with at least one row and at least one feature "
                             f"(column), got X.shape={X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got {y.shape}")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise ValueError("X and y must be finite")
        n, d = X.shape
        if batch_size is not None:
            batch_size = check_number("batch_size", batch_size, low=1, high=n, integer=True)
        self.X, self.y = X.copy(), y.copy()
        self._XT = np.ascontiguousarray(X.T)
        self.n, self.dim = n, d
        self.batch_size = batch_size
        self.seed = check_number("seed", seed, low=0, integer=True)
        H = X.T @ X / n
        self.eigenvalues = np.clip(np.linalg.eigvalsh(H), 0.0, None)
        self.L = float(self.eigenvalues[-1])
        self.mu = float(self.eigenvalues[0])
        self.minimizer = np.linalg.lstsq(X, y, rcond=None)[0]
        self.min_value = float(self.value(self.minimizer))
        self.name = "least_squares"
        span = np.maximum(np.abs(self.minimizer), 1.0) * 1.5
        self.bounds = _bounds(bounds, np.stack([self.minimizer - span, self.minimizer + span], axis=-1), d)

    def __repr__(self):
        return f"least_squares(n={self.n}, d={self.dim}, batch_size={self.batch_size})"

    def _residual(self, w, rows=None):
        w = np.ascontiguousarray(_as_points(w, self.dim, "w"))   # a fixed layout: same bits for any batch
        X = self.X if rows is None else self.X[rows]
        y = self.y if rows is None else self.y[rows]
        return np.add.reduce(w[..., None, :] * X, axis=-1) - y

    def value_and_grad(self, w: ArrayLike, rows: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Loss and gradient at ``w`` on all rows, or on the rows of index ``rows`` (a 1-D integer array)."""
        return self._value_and_grad(w, self._check_rows(rows))

    def _check_rows(self, rows):
        if rows is None:
            return None
        try:
            r = np.asarray(rows)
        except (TypeError, ValueError):
            raise TypeError(f"rows must be None or a 1-D array of row indices (integers), got rows={rows!r}") from None
        if r.size == 0:
            raise ValueError(f"rows must name at least one row, got rows={rows!r}")
        if r.dtype.kind not in "iu" or r.ndim != 1:
            raise TypeError(f"rows must be None or a 1-D array of row indices (integers), got rows={rows!r}")
        if r.size == 0 or r.min() < 0 or r.max() >= self.n:
            raise ValueError(f"rows must be a non-empty array of row indices in [0, {self.n}), got rows={rows!r}")
        return r

    def _value_and_grad(self, w, rows):
        r = self._residual(w, rows)
        XT = self._XT if rows is None else np.ascontiguousarray(self._XT[:, rows])
        m = r.shape[-1]
        return 0.5 * np.add.reduce(r * r, axis=-1) / m, np.add.reduce(r[..., None, :] * XT, axis=-1) / m

    def value(self, w: ArrayLike) -> np.ndarray:
        r = self._residual(w)
        return 0.5 * np.add.reduce(r * r, axis=-1) / self.n

    def grad(self, w: ArrayLike) -> np.ndarray:
        return self.value_and_grad(w)[1]

    def hessian(self, w: ArrayLike | None = None) -> np.ndarray:
        return self.X.T @ self.X / self.n

    def as_quadratic(self, bounds: ArrayLike | None = None) -> "Quadratic":
        r"""The same loss minus its minimum as a quadratic form,
        :math:`\tfrac12 (w-w^*)^\top H (w-w^*)` with :math:`H = X^\top X/n` (symmetrized):
        identical gradients, so identical full-batch runs, at the cost of a ``d x d``
        product instead of a pass over the ``n`` rows (what contour plots need). ``bounds`` is
        the quadratic's plotting window (default: 1.6 either side of the minimiser)."""
        H = self.hessian()
        return quadratic(0.5 * (H + H.T), center=self.minimizer, bounds=bounds)

    def minibatch(self, t: int) -> np.ndarray | None:
        """Row indices of minibatch ``t`` (deterministic in ``(seed, t)``)."""
        if self.batch_size is None or self.batch_size == self.n:
            return None
        return np.random.default_rng((self.seed, int(t))).choice(self.n, self.batch_size, replace=False)

    def sample_grad(self, w: ArrayLike, t: int) -> np.ndarray:
        """Gradient on minibatch ``t`` (the full gradient when ``batch_size`` is None)."""
        return self._value_and_grad(w, self.minibatch(t))[1]


def least_squares(X: ArrayLike, y: ArrayLike, batch_size: int | None = None, seed: int = 0,
                  bounds: ArrayLike | None = None) -> LeastSquares:
    """Least squares on a data set ``(X, y)``; minibatch gradients with ``batch_size`` and ``seed``;
    ``bounds`` (d, 2) is the plotting window (default: the minimizer ± 1.5 max(|w*|, 1))."""
    return LeastSquares(X, y, batch_size, seed, bounds)


class LeastSquaresReplicas(LeastSquares):
    r"""Least squares with ``K`` independent minibatch streams, one per replica: seeds in one run.

    The loss (``value``, ``grad``) is :class:`LeastSquares`'s. ``sample_grad(w, t)`` takes points of
    shape ``(..., K, d)`` and gives replica ``k`` the gradient on its own minibatch of
    ``batch_sizes[k]`` rows, drawn **with replacement** (so a batch's noise variance is exactly
    :math:`\Sigma/B`, ``lrlab.theory.MinibatchSGD(..., replacement=True)``), by a generator seeded
    with ``(seed, t)``. Where :class:`LeastSquares` gives every trajectory of a batched run the same
    minibatches (common random numbers), this one gives each replica its own: averaging over the
    replica axis is averaging over seeds, at the cost of one run.
    """

    def __init__(self, X: ArrayLike, y: ArrayLike, batch_sizes: Iterable[int], seed: int = 0,
                 bounds: ArrayLike | None = None):
        super().__init__(X, y, None, seed, bounds)
        if isinstance(batch_sizes, (str, bytes)) or not hasattr(batch_sizes, "__iter__"):
            raise TypeError(f"batch_sizes must be a sequence of integers (one per replica), got {batch_sizes!r}")
        sizes = [check_number(f"batch_sizes[{i}]", b, low=1, high=self.n, integer=True)
                 for i, b in enumerate(batch_sizes)]
        if not sizes:
            raise ValueError("batch_sizes must name at least one replica, got an empty sequence")
        self.batch_sizes = np.array(sizes, dtype=np.int64)            # (K,)
        self.batch_size = tuple(sizes)                                  # not None: lrlab.run samples gradients
        self._mask = np.arange(self.batch_sizes.max()) < self.batch_sizes[:, None]   # (K, Bmax)
        self._H = self.X.T @ self.X / self.n

    def value(self, w: ArrayLike) -> np.ndarray:
        r"""The full loss as :math:`f^* + \tfrac12 e^\top H e`, :math:`e = w - w^*`: the same function, a ``d x d``
        product instead of a pass over the ``n`` rows per replica (and no cancellation in :math:`f - f^*`)."""
        if not hasattr(self, "_H"):                     # during LeastSquares.__init__: the plain formula
            return super().value(w)
        e = _as_points(w, self.dim, "w") - self.minimizer
        return self.min_value + 0.5 * np.einsum("...i,ij,...j->...", e, self._H, e)

    def __repr__(self):
        return f"least_squares_replicas(n={self.n}, d={self.dim}, K={self.batch_sizes.size})"

    def sample_grad(self, w: ArrayLike, t: int) -> np.ndarray:
        """Replica ``k``'s gradient on its own ``batch_sizes[k]`` rows (with replacement); ``w`` is ``(..., K, d)``."""
        w = _as_points(w, self.dim, "w")
        K = self.batch_sizes.size
        if w.ndim < 2 or w.shape[-2] != K:
            raise ValueError(f"w must have shape (..., K, d) with K = {K} replicas, got {w.shape}")
        rows = np.random.default_rng((self.seed, int(t))).integers(0, self.n, size=self._mask.shape)   # (K, Bmax)
        flat = (rows + self.n * np.arange(K)[:, None])[self._mask]
        counts = np.bincount(flat, minlength=K * self.n).reshape(K, self.n)         # how often each row was drawn
        r = w @ self._XT - self.y                                                  # (..., K, n) all residuals
        return (counts * r) @ self.X / self.batch_sizes[:, None]


def least_squares_replicas(X: ArrayLike, y: ArrayLike, batch_sizes: ArrayLike, seed: int = 0,
                           bounds: ArrayLike | None = None) -> LeastSquaresReplicas:
    """Least squares whose replica ``k`` draws its own minibatches of ``batch_sizes[k]`` rows (with replacement)."""
    return LeastSquaresReplicas(X, y, batch_sizes, seed, bounds)
