"""Small deterministic data sets for the notebooks; nothing is downloaded.

Every generator takes a ``seed`` and draws from ``np.random.default_rng(seed)``,
so the same call returns the same arrays on every machine. Features are float64
arrays of shape ``(n, d)``; class labels are int64 arrays of shape ``(n,)``.

The handwritten digits come from the file that scikit-learn installs with its
package (``sklearn/datasets/data/digits.csv.gz``); reading it needs no network.
scikit-learn is imported only when :func:`digits` is called.
"""
from __future__ import annotations

import functools

import numpy as np
from numpy.typing import ArrayLike

from lrlab._validation import as_real_array, check_number

__all__ = [
    "digits",
    "linear_regression",
    "split",
    "spirals",
    "standardize",
    "train_test_split_digits",
]


def standardize(X: ArrayLike, reference: ArrayLike | None = None) -> np.ndarray:
    """Shift and scale each column of ``X`` to mean 0 and standard deviation 1.

    The statistics come from ``reference`` (default: ``X`` itself), so a test set
    can be scaled with the training set's mean and std. A column that is constant
    in ``reference`` is mapped to 0 rather than divided by zero.

    Args:
        X: finite array of shape ``(n, d)``.
        reference: finite array of shape ``(m, d)``, ``m >= 1``, that provides the mean and std.

    Returns:
        A new float64 array of shape ``(n, d)``; ``X`` is not modified.

    Raises:
        ValueError: a NaN or inf in ``X`` or ``reference`` (fill or drop those rows first), or no rows
            to take the statistics from.
    """
    X = as_real_array("X", X, what="a real (n, d) array")
    ref = X if reference is None else as_real_array("reference", reference, what="a real (m, d) array")
    if X.ndim != 2 or ref.ndim != 2 or ref.shape[1] != X.shape[1]:
        raise ValueError(f"X and reference must be 2-D with the same number of columns, "
                         f"got X.shape={X.shape}, reference.shape={ref.shape}")
    for name, a in (("X", X), ("reference", ref)):
        if not np.isfinite(a).all():
            r, c = np.argwhere(~np.isfinite(a))[0]
            raise ValueError(f"{name} must be finite, got {name}[{r}, {c}]={float(a[r, c])!r}: "
                             "fill in or drop the rows with missing values first")
    if ref.shape[0] == 0:
        name = "X" if reference is None else "reference"
        raise ValueError(f"{name} must have at least one row to take the mean and std from, "
                         f"got {name}.shape={ref.shape}")
    mean = ref.mean(axis=0)
    std = ref.std(axis=0)
    keep = std > 0
    out = np.zeros_like(X)
    out[:, keep] = (X[:, keep] - mean[keep]) / std[keep]
    return out


@functools.lru_cache(maxsize=1)
def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits  # reads a file inside the installed package

    X, y = load_digits(return_X_y=True)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def digits(standardize: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The 1797 8x8 handwritten digits (0-9) shipped with scikit-learn.

    Pixels hold grey levels 0..16. By default they are divided by 16 so that each
    feature lies in [0, 1]; with ``standardize=True`` each pixel column is instead
    shifted to mean 0 and scaled to std 1 over the whole set (the always-blank
    pixels stay 0). To standardize with training statistics only, use
    :func:`train_test_split_digits`.

    Returns:
        ``(X, y)``: X float64 of shape ``(1797, 64)``, y int64 of shape ``(1797,)``.
    """
    raw_X, raw_y = _digits_raw()
    if not isinstance(standardize, (bool, np.bool_)):
        raise TypeError(f"standardize must be True or False, got standardize={standardize!r}")
    X = _standardize_fn(raw_X) if standardize else raw_X / 16.0
    return X, raw_y.copy()


_standardize_fn = standardize  # the argument of digits() shadows the function's name


def split(X: ArrayLike, y: ArrayLike, test_fraction: float = 0.25,
          seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the rows with ``seed`` and cut them into a training and a test part.

    The test part has ``ceil(test_fraction * n)`` rows (as in scikit-learn);
    both parts keep at least one row.

    Args:
        X: array of shape ``(n, ...)``.
        y: array of shape ``(n, ...)``.
        test_fraction: share of the rows held out, in (0, 1).
        seed: seed of ``np.random.default_rng``.

    Returns:
        ``(X_train, X_test, y_train, y_test)``, new arrays (scikit-learn's order).
    """
    test_fraction = check_number("test_fraction", test_fraction, low=0.0, high=1.0,
                                 low_inclusive=False, high_inclusive=False)
    seed = check_number("seed", seed, low=0, integer=True)
    arrays = {}
    for name, a in (("X", X), ("y", y)):
        try:
            arrays[name] = np.asarray(a)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be an array (rows of equal length), got a ragged {name}={a!r}") from None
    X, y = arrays["X"], arrays["y"]
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y must have the same number of rows, "
                         f"got X.shape={X.shape}, y.shape={y.shape}")
    n = X.shape[0]
    n_test = int(np.ceil(test_fraction * n))
    if n < 2 or not 1 <= n_test <= n - 1:
        raise ValueError(f"test_fraction={test_fraction} leaves an empty part with n={n} rows")
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def train_test_split_digits(test_fraction: float = 0.25, seed: int = 0,
                            standardize: bool = False
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The digits, split by :func:`split`; optionally standardized with training statistics.

    With ``standardize=True`` the mean and std of each pixel are measured on the
    training part only and applied to both parts, so the test set leaks nothing
    into the preprocessing.

    Returns:
        ``(X_train, X_test, y_train, y_test)``; float64 features, int64 labels.
    """
    if not isinstance(standardize, (bool, np.bool_)):
        raise TypeError(f"standardize must be True or False, got standardize={standardize!r}")
    X, y = digits()
    X_train, X_test, y_train, y_test = split(X, y, test_fraction=test_fraction, seed=seed)
    if standardize:
        X_train, X_test = (_standardize_fn(X_train),
                           _standardize_fn(X_test, reference=X_train))
    return X_train, X_test, y_train, y_test


def linear_regression(n: int = 200, d: int = 2, noise: float = 0.1, seed: int = 0,
                      scales: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A least-squares problem ``y = X @ w_true + noise * eps`` with no intercept.

    Each feature column is drawn from N(0, scales[j]^2) and ``eps`` from N(0, 1).
    Features of very different scales (e.g. ``scales=[1, 10]``) give a badly
    conditioned loss: the Hessian of ``lrlab.losses.least_squares`` (half the
    mean squared error), ``X^T X / n``, then has eigenvalues about ``scales**2``
    (twice that for torch's ``MSELoss``), and gradient descent must use an lr
    below ``2/L`` set by the largest one. ``w_true`` is drawn first, so it does
    not depend on ``n``.

    Args:
        n: number of rows (>= 1).
        d: number of features (>= 1).
        noise: standard deviation of the additive noise (>= 0).
        seed: seed of ``np.random.default_rng``.
        scales: per-feature standard deviation, a positive float or a sequence
            of ``d`` of them; default all ones.

    Returns:
        ``(X, y, w_true)`` of shapes ``(n, d)``, ``(n,)``, ``(d,)``, all float64.
    """
    n = check_number("n", n, low=1, integer=True)
    d = check_number("d", d, low=1, integer=True)
    noise = check_number("noise", noise, low=0.0)
    seed = check_number("seed", seed, low=0, integer=True)
    if scales is None:
        scales_arr = np.ones(d)
    else:
        scales_f = as_real_array("scales", scales, what=f"a positive float or a sequence of d={d} positive floats")
        try:
            scales_arr = np.broadcast_to(scales_f, (d,)).copy()
        except (TypeError, ValueError):
            raise ValueError(f"scales must be a positive float or a sequence of d={d} "
                             f"positive floats, got scales={scales!r}") from None
        if not np.all(np.isfinite(scales_arr)) or np.any(scales_arr <= 0):
            raise ValueError(f"scales must be finite and > 0, got scales={scales!r}")
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(d)
    X = rng.standard_normal((n, d)) * scales_arr
    y = X @ w_true + noise * rng.standard_normal(n)
    return X, y, w_true


def _check_classification_args(n, noise, seed):
    n = check_number("n", n, low=2, integer=True)
    noise = check_number("noise", noise, low=0.0)
    seed = check_number("seed", seed, low=0, integer=True)
    return n, noise, seed


def _shuffle(rng, X, y):
    order = rng.permutation(len(y))
    return X[order], y[order]


def spirals(n: int = 200, noise: float = 0.05, seed: int = 0,
            turns: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms in the plane, one per class.

    Point ``i`` of an arm sits at radius ``r`` in (0, 1] and angle
    ``2 pi turns r`` (plus pi for class 1); Gaussian noise of std ``noise`` is
    added and the rows are shuffled. No straight line separates the classes, and
    the more ``turns``, the harder they are to tell apart.

    Args:
        n: total number of points (>= 2); class 0 gets ``n // 2`` of them.
        noise: standard deviation of the noise added to each coordinate.
        seed: seed of ``np.random.default_rng``.
        turns: how many full turns each arm makes (> 0).

    Returns:
        ``(X, y)``: X float64 of shape ``(n, 2)``, y int64 of shape ``(n,)`` in {0, 1}.
    """
    n, noise, seed = _check_classification_args(n, noise, seed)
    # at most 100 turns: beyond, the arms' spacing is far below any noise and the set is noise
    turns = check_number("turns", turns, low=0.0, low_inclusive=False, high=100.0)
    rng = np.random.default_rng(seed)
    arms = []
    for label, m in enumerate((n // 2, n - n // 2)):
        r = np.linspace(0.0, 1.0, m + 1)[1:]
        angle = 2.0 * np.pi * turns * r + np.pi * label
        arms.append(np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1))
    X = np.concatenate(arms) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n // 2, dtype=np.int64), np.ones(n - n // 2, dtype=np.int64)])
    return _shuffle(rng, X, y)
