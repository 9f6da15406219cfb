"""Tests for lrlab.data: shapes, dtypes, determinism, argument checks, no network."""
import os
import socket
import subprocess
import sys
import warnings

import numpy as np
import pytest

from lrlab import data

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ----------------------------------------------------------------------------- digits

def test_digits_shapes_dtypes_and_range():
    X, y = data.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    # grey levels are integers 0..16, so X * 16 is integral
    np.testing.assert_array_equal(X * 16, np.round(X * 16))


def test_digits_standardized_columns():
    X, _ = data.digits(standardize=True)
    raw, _ = data.digits()
    constant = raw.std(axis=0) == 0
    assert constant.any()  # some border pixels are always blank
    np.testing.assert_array_equal(X[:, constant], 0.0)
    np.testing.assert_allclose(X[:, ~constant].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X[:, ~constant].std(axis=0), 1.0, rtol=1e-12)


def test_digits_returns_fresh_arrays():
    X1, y1 = data.digits()
    X1[0, 0] = 99.0
    y1[0] = 99
    X2, y2 = data.digits()
    assert X2[0, 0] != 99.0 and y2[0] != 99


def test_digits_reads_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("lrlab.data.digits tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    data._digits_raw.cache_clear()
    X, y = data.digits()
    assert X.shape == (1797, 64)


def test_importing_data_loads_numpy_only():
    code = ("import sys, lrlab.data; "
            "bad = [m for m in ('torch', 'sklearn', 'matplotlib') if m in sys.modules]; "
            "assert not bad, bad")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)


# ----------------------------------------------------------------------------- split

def test_split_is_a_deterministic_partition():
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20)
    X_tr, X_te, y_tr, y_te = data.split(X, y, test_fraction=0.25, seed=3)
    assert X_tr.shape == (15, 2) and X_te.shape == (5, 2)
    np.testing.assert_array_equal(np.sort(np.concatenate([y_tr, y_te])), y)
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)  # rows stay paired
    again = data.split(X, y, test_fraction=0.25, seed=3)
    for a, b in zip((X_tr, X_te, y_tr, y_te), again):
        np.testing.assert_array_equal(a, b)
    other = data.split(X, y, test_fraction=0.25, seed=4)
    assert not np.array_equal(y_te, other[3])
    np.testing.assert_array_equal(y, np.arange(20))  # input untouched


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_split_rejects_bad_fraction(bad):
    with pytest.raises(ValueError, match="test_fraction"):
        data.split(np.zeros((10, 2)), np.zeros(10), test_fraction=bad)


def test_split_rejects_mismatched_rows():
    with pytest.raises(ValueError, match="same number of rows"):
        data.split(np.zeros((10, 2)), np.zeros(9))


def test_train_test_split_digits_standardizes_with_training_statistics():
    X_tr, X_te, y_tr, y_te = data.train_test_split_digits(test_fraction=0.2, seed=1,
                                                          standardize=True)
    assert X_tr.shape[0] + X_te.shape[0] == 1797
    assert X_te.shape[0] == int(np.ceil(0.2 * 1797))
    assert y_tr.dtype == np.int64
    varying = X_tr.std(axis=0) > 0
    np.testing.assert_allclose(X_tr[:, varying].mean(axis=0), 0.0, atol=1e-12)
    # the test part used the training mean, so its own mean is not exactly 0
    assert np.abs(X_te[:, varying].mean(axis=0)).max() > 1e-3
    raw_tr, raw_te, _, _ = data.train_test_split_digits(test_fraction=0.2, seed=1)
    np.testing.assert_allclose(data.standardize(raw_te, reference=raw_tr), X_te)


# ----------------------------------------------------------------------------- regression

def test_linear_regression_shapes_and_determinism():
    X, y, w = data.linear_regression(n=50, d=3, noise=0.1, seed=7)
    assert X.shape == (50, 3) and y.shape == (50,) and w.shape == (3,)
    assert X.dtype == y.dtype == w.dtype == np.float64
    X2, y2, w2 = data.linear_regression(n=50, d=3, noise=0.1, seed=7)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    np.testing.assert_array_equal(w, w2)
    # w_true depends on the seed only, not on n
    np.testing.assert_array_equal(w, data.linear_regression(n=10, d=3, seed=7)[2])


def test_linear_regression_noise_free_is_exact():
    X, y, w = data.linear_regression(n=30, d=4, noise=0.0, seed=0)
    np.testing.assert_allclose(y, X @ w, rtol=0, atol=1e-12)


def test_linear_regression_scales_make_it_ill_conditioned():
    X, _, _ = data.linear_regression(n=5000, d=2, seed=0, scales=[1.0, 10.0])
    np.testing.assert_allclose(X.std(axis=0), [1.0, 10.0], rtol=0.05)
    hessian = 2 / len(X) * X.T @ X
    eig = np.linalg.eigvalsh(hessian)
    assert 80 < eig.max() / eig.min() < 120  # condition number about 10**2


@pytest.mark.parametrize("scales, exc", [([1.0, -1.0], ValueError), ([1.0, 0.0], ValueError),
                                         ([1.0, 2.0, 3.0], ValueError), ("ab", TypeError), ("2.0", TypeError),
                                         ([np.inf, 1.0], ValueError)])
def test_linear_regression_rejects_bad_scales(scales, exc):
    with pytest.raises(exc, match="scales"):
        data.linear_regression(d=2, scales=scales)


@pytest.mark.parametrize("kwargs, name", [({"n": 0}, "n"), ({"d": 1.5}, "d"),
                                          ({"noise": -1.0}, "noise"), ({"seed": -1}, "seed")])
def test_linear_regression_rejects_bad_arguments(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        data.linear_regression(**kwargs)


# ----------------------------------------------------------------------------- 2-D sets

def test_spirals():
    make = data.spirals
    X, y = make(n=101, noise=0.1, seed=2)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 51]
    X2, y2 = make(n=101, noise=0.1, seed=2)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(n=101, noise=0.1, seed=3)
    assert not np.array_equal(X, X3)
    assert 0 < y[:50].sum() < 50  # rows are shuffled, not sorted by class


@pytest.mark.parametrize("kwargs, name", [({"n": 1}, "n"), ({"noise": -0.1}, "noise"),
                                          ({"n": 10.5}, "n")])
def test_spirals_reject_bad_arguments(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        data.spirals(**kwargs)


def test_standardize_does_not_modify_input():
    X = np.array([[1.0, 5.0], [3.0, 5.0]])
    out = data.standardize(X)
    np.testing.assert_array_equal(X, [[1.0, 5.0], [3.0, 5.0]])
    np.testing.assert_array_equal(out, [[-1.0, 0.0], [1.0, 0.0]])


@pytest.mark.parametrize("kwargs, name", [
    (dict(X=[[1.0, np.nan], [2.0, 3.0]]), "X"),
    (dict(X=[[1.0, 2.0], [np.inf, 3.0]]), "X"),
    (dict(X=[[1.0, 2.0]], reference=[[1.0, 2.0], [np.nan, 3.0]]), "reference"),
    (dict(X=np.zeros((0, 2))), "X"),                               # no rows to take a mean and std from
    (dict(X=[[1.0, 2.0]], reference=np.zeros((0, 2))), "reference"),
])
def test_standardize_refuses_non_finite_or_empty_statistics(kwargs, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=rf"^{name} "):
            data.standardize(**kwargs)


def test_standardize_of_no_rows_with_a_reference_is_empty():
    out = data.standardize(np.zeros((0, 2)), reference=[[1.0, 2.0], [3.0, 4.0]])
    assert out.shape == (0, 2)


@pytest.mark.parametrize("X, y, name", [([[1.0, 2.0], [3.0]], [0, 1], "X"), ([[1.0], [2.0]], [[0], [1, 2]], "y")])
def test_split_rejects_ragged_arrays(X, y, name):
    with pytest.raises(TypeError, match=rf"^{name} must be an array"):
        data.split(X, y)


def test_spirals_turns_bounded():
    with pytest.raises(ValueError, match="turns"):
        data.spirals(turns=1e300)
