"""lrlab.run: the contract of DESIGN.md (shapes, batching bit for bit, divergence, errors)."""
import warnings

import numpy as np
import pytest

import lrlab
from lrlab import losses, schedules, steppers


@pytest.fixture
def quad():
    return losses.quadratic([1.0, 10.0])


def test_shapes_follow_broadcasting(quad):
    traj = lrlab.run(loss=quad, x0=np.ones((4, 1, 2)), lr=[0.01, 0.1, 0.2], num_steps=7)
    assert traj.batch_shape == (4, 3)
    assert traj.params.shape == (8, 4, 3, 2)
    assert traj.loss.shape == traj.grad_norm.shape == (8, 4, 3)
    assert traj.lr.shape == (7, 4, 3)
    assert traj.diverged.shape == traj.diverged_at.shape == (4, 3)
    single = lrlab.run(loss=quad, x0=[1.0, 1.0], lr=0.1, num_steps=3)
    assert single.batch_shape == () and single.params.shape == (4, 2) and single.loss.shape == (4,)


def test_plain_gd_is_the_update_rule(quad):
    traj = lrlab.run(loss=quad, stepper=steppers.sgd(), x0=[1.0, -2.0], lr=0.05, num_steps=5)
    x = np.array([1.0, -2.0])
    for t in range(5):
        np.testing.assert_array_equal(traj.params[t], x)
        assert traj.loss[t] == quad.value(x)
        assert traj.grad_norm[t] == np.sqrt(np.sum(quad.grad(x) ** 2))
        x = x - 0.05 * quad.grad(x)
    np.testing.assert_array_equal(traj.params[5], x)


@pytest.mark.parametrize("stepper", [steppers.sgd(), steppers.sgd(momentum=0.9, nesterov=True), steppers.adam(),
                                     steppers.rmsprop(centered=True, momentum=0.5), steppers.adagrad(lr_decay=0.01),
                                     steppers.adamw(amsgrad=True)], ids=lambda s: s.name)
@pytest.mark.parametrize("make", [losses.rosenbrock, lambda: losses.quadratic([[2.0, 0.7], [0.7, 1.0]])],
                         ids=["rosenbrock", "quadratic"])
def test_batched_run_equals_single_runs_bit_for_bit(stepper, make):
    loss = make()
    lrs = np.geomspace(1e-4, 1.0, 9)
    x0s = np.array([[-1.5, 2.0], [0.5, -0.5]])
    batch = lrlab.run(loss=loss, stepper=stepper, x0=x0s[:, None, :], lr=lrs, num_steps=60)
    for i in range(2):
        for j, lr in enumerate(lrs):
            one = lrlab.run(loss=loss, stepper=stepper, x0=x0s[i], lr=lr, num_steps=60)
            assert np.array_equal(one.params, batch.params[:, i, j], equal_nan=True)
            assert np.array_equal(one.loss, batch.loss[:, i, j], equal_nan=True)
            assert np.array_equal(one.grad_norm, batch.grad_norm[:, i, j], equal_nan=True)
            assert one.diverged_at == batch.diverged_at[i, j]


def test_stochastic_run_is_reproducible_and_batched_equals_single():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((64, 2))
    y = X @ [1.0, -1.0] + 0.3 * rng.standard_normal(64)
    ls = losses.least_squares(X, y, batch_size=4, seed=7)
    lrs = [0.01, 0.05, 0.2]
    a = lrlab.run(loss=ls, x0=[0.0, 0.0], lr=lrs, num_steps=100)
    b = lrlab.run(loss=ls, x0=[0.0, 0.0], lr=lrs, num_steps=100)
    np.testing.assert_array_equal(a.params, b.params)
    for j, lr in enumerate(lrs):
        np.testing.assert_array_equal(lrlab.run(loss=ls, x0=[0.0, 0.0], lr=lr, num_steps=100).params, a.params[:, j])
    full = lrlab.run(loss=losses.least_squares(X, y), x0=[0.0, 0.0], lr=0.05, num_steps=100)
    assert not np.array_equal(full.params, a.params[:, 1])   # minibatch noise is real


def test_divergence_is_flagged_frozen_and_silent(quad):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = lrlab.run(loss=quad, x0=[1.0, 1.0], lr=[0.1, 0.25, 5.0], num_steps=2000)
    assert list(traj.diverged) == [False, True, True]
    assert traj.diverged_at[0] == -1
    assert 0 < traj.diverged_at[2] < traj.diverged_at[1] < 2000
    for j in (1, 2):
        s = traj.diverged_at[j]
        assert np.all(np.isfinite(traj.loss[:s, j])) and np.all(np.isinf(traj.loss[s:, j]))
        np.testing.assert_array_equal(traj.params[s:, j], np.broadcast_to(traj.params[s, j], traj.params[s:, j].shape))
    assert np.isfinite(traj.loss[-1, 0])


def test_a_big_sweep_that_mostly_diverges_emits_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = lrlab.run(loss=losses.rosenbrock(), x0=[-1.5, 2.0], lr=np.geomspace(1e-5, 10, 10_000), num_steps=300)
    assert traj.diverged.mean() > 0.5
    assert not traj.diverged[:100].any()


def test_schedule_as_lr(quad):
    sched = schedules.step_lr(0.1, step_size=5, gamma=0.5)
    traj = lrlab.run(loss=quad, x0=[1.0, 1.0], lr=sched, num_steps=20)
    np.testing.assert_allclose(traj.lr, sched(np.arange(20)))
    x = np.array([1.0, 1.0])
    for t in range(20):
        x = x - sched(t) * quad.grad(x)
    np.testing.assert_allclose(traj.params[-1], x, rtol=1e-15)


def test_zero_steps(quad):
    traj = lrlab.run(loss=quad, x0=[1.0, 1.0], lr=0.1, num_steps=0)
    assert traj.params.shape == (1, 2) and traj.lr.shape == (0,)


def test_indexing_a_batch(quad):
    traj = lrlab.run(loss=quad, x0=[1.0, 1.0], lr=[0.1, 0.3], num_steps=50)
    one = traj[1]
    assert one.batch_shape == () and bool(one.diverged)
    np.testing.assert_array_equal(one.loss, traj.loss[:, 1])


class NoGrad:
    def value(self, x):
        return np.sum(x * x, axis=-1)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(lr=-0.1), ValueError, "lr"),
    (dict(lr=np.nan), ValueError, "lr"),
    (dict(lr=np.inf), ValueError, "lr"),
    (dict(lr=[0.1, -1.0]), ValueError, "lr"),
    (dict(lr="fast"), TypeError, "lr"),
    (dict(x0=[1.0, 1.0, 1.0]), ValueError, "x0"),
    (dict(x0=5.0), ValueError, "x0"),
    (dict(x0=[np.nan, 1.0]), ValueError, "x0"),
    (dict(num_steps=-1), ValueError, "num_steps"),
    (dict(num_steps=2.5), TypeError, "num_steps"),
    (dict(stepper="sgd"), TypeError, "stepper"),
    (dict(x0=np.ones((3, 2)), lr=[0.1, 0.2]), ValueError, "broadcast"),
    (dict(loss=NoGrad()), TypeError, "loss"),
    (dict(learning_rate=0.1), TypeError, "learning_rate"),
])
def test_bad_input_names_the_argument(quad, kwargs, exc, match):
    args = dict(loss=quad, x0=[1.0, 1.0], lr=0.1, num_steps=3)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        lrlab.run(**args)


@pytest.mark.parametrize("lr", [0.2005, 0.21, 0.25, 0.5, 3.0])
def test_diverged_at_is_the_first_step_past_the_threshold(lr):
    q = losses.quadratic([1.0, 10.0])
    x = np.array([1.0, 1.0])
    limit = 1e10 * (1 + q.value(x))
    first = None
    for t in range(400):                 # the unfrozen iteration, by hand
        if not q.value(x) <= limit:
            first = t
            break
        x = x - lr * q.grad(x)
    traj = lrlab.run(loss=q, x0=[1.0, 1.0], lr=[0.1, lr], num_steps=399)
    assert traj.diverged_at[0] == -1
    if first is None:                    # grows, but not past the threshold in 400 steps
        assert traj.diverged_at[1] == -1 and np.isfinite(traj.loss[-1, 1])
        return
    assert traj.diverged_at[1] == first
    np.testing.assert_array_equal(traj.params[first:, 1], np.broadcast_to(x, traj.params[first:, 1].shape))


@pytest.mark.parametrize("stepper", [steppers.sgd(), steppers.sgd(momentum=0.9), steppers.adam(amsgrad=True),
                                     steppers.rmsprop(centered=True, momentum=0.5), steppers.adagrad()],
                         ids=lambda s: s.name)
def test_record_state_is_the_steppers_state_after_each_step(stepper, quad):
    x0 = np.array([1.0, -2.0])
    lrs = [0.01, 0.05, 0.3]                      # 0.3 > 2/L diverges for plain sgd
    traj = lrlab.run(loss=quad, stepper=stepper, x0=x0, lr=lrs, num_steps=25, record_state=True)
    plain = lrlab.run(loss=quad, stepper=stepper, x0=x0, lr=lrs, num_steps=25)
    assert plain.state is None
    assert np.array_equal(traj.params, plain.params) and np.array_equal(traj.loss, plain.loss)
    for j, lr in enumerate(lrs):                 # by hand, one trajectory at a time
        x, state = x0, stepper.init(x0)
        one = traj[j]
        assert len(one.state) == 25             # one per step (not every trajectory diverged)
        for t, got in enumerate(one.state):
            if one.diverged and t >= one.diverged_at:
                break
            x, state = stepper.update(quad.grad(x), state, x, lr)
            assert type(got) is type(state) and got.step == state.step
            for a, b in zip(got, state):
                if isinstance(b, np.ndarray):
                    assert a.shape == (2,) and np.array_equal(a, b)
                else:
                    assert a == b


def test_record_state_shapes_and_copies(quad):
    traj = lrlab.run(loss=quad, stepper=steppers.adam(), x0=np.ones((4, 1, 2)), lr=[0.01, 0.1, 0.2],
                     num_steps=6, record_state=True)
    assert len(traj.state) == 6
    assert [s.step for s in traj.state] == [1, 2, 3, 4, 5, 6]
    assert traj.state[0].exp_avg.shape == (4, 3, 2)
    assert not np.shares_memory(traj.state[0].exp_avg, traj.state[1].exp_avg)
    assert traj[2, 1].state[3].exp_avg_sq.shape == (2,)
    np.testing.assert_array_equal(traj[2, 1].state[3].exp_avg_sq, traj.state[3].exp_avg_sq[2, 1])
    with pytest.raises(TypeError, match="record_state"):
        lrlab.run(loss=quad, x0=[1.0, 1.0], lr=0.1, num_steps=3, record_state="yes")
