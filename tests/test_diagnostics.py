"""lrlab.diagnostics: path_shape and progress agree with theory, the range test, ratios, sharpness."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import lrlab
from lrlab import diagnostics, losses, steppers, theory


def test_design_example():
    loss = losses.quadratic([1.0, 10.0])
    lrs = [0.1, 0.15, 0.19, 0.21]
    traj = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=[1.0, 1.0], lr=lrs, num_steps=60)
    assert list(diagnostics.path_shape(traj)) == ["monotone", "oscillating", "oscillating", "diverging"]
    assert list(theory.regime(loss, lrs)) == ["monotone convergence", "oscillating convergence",
                                              "oscillating convergence", "divergence"]
    p = diagnostics.progress(traj)
    assert (p[:3] > 0.99).all() and p[3] < 0                          # the gap grew at 0.21 > 2/L
    assert diagnostics.path_shape(traj[0]) == "monotone" and diagnostics.progress(traj[0]) == p[0]


@settings(max_examples=60, deadline=None)
@given(lam=st.floats(0.01, 100.0), x0=st.floats(0.1, 10.0),
       band=st.sampled_from(["diverging", "oscillating", "fast", "slow"]), u=st.floats(0.0, 1.0))
def test_path_shape_and_progress_are_the_closed_form_on_1d_quadratics(lam, x0, band, u):
    """The gap is multiplied by (1 - h)^2 per step: progress is 1 - (1 - h)^(2T) until the run is flagged."""
    lo, hi = {"diverging": (2.05, 10.0), "oscillating": (1.05, 1.95),
              "fast": (0.02, 0.95), "slow": (1e-5, 2e-4)}[band]
    h = lo * (hi / lo) ** u                          # h = lr * lambda, log-uniform in the band
    T = 200
    traj = lrlab.run(loss=losses.quadratic([lam]), x0=[x0], lr=h / lam, num_steps=T)
    shape, p = diagnostics.path_shape(traj), diagnostics.progress(traj)
    assert shape == {"fast": "monotone", "slow": "monotone"}.get(band, band)
    if np.isfinite(p):
        assert p == pytest.approx(1 - (1 - h) ** (2 * T), rel=1e-8, abs=1e-9)
    else:
        assert band == "diverging" and traj.diverged
    if band == "diverging":
        assert not p >= 0                            # NaN (flagged) or the gap grew
    else:
        assert (p >= 0.9) == (band != "slow")


def test_lr_lambda_1e4_over_200_steps_closes_4_percent():
    traj = lrlab.run(loss=losses.quadratic([3.0]), x0=[1.0], lr=1e-4 / 3.0, num_steps=200)
    assert diagnostics.path_shape(traj) == "monotone"
    assert diagnostics.progress(traj) == pytest.approx(1 - (1 - 1e-4) ** 400, rel=1e-9)     # 0.0392
    assert diagnostics.progress_text(diagnostics.progress(traj)) == "4% of the loss gap closed"


def test_path_shape_shapes_and_unknown_minimum():
    class Bowl:          # a loss that does not know its minimum
        def value(self, x):
            return 0.5 * np.sum(x * x, axis=-1) + 3.0

        def grad(self, x):
            return np.asarray(x, dtype=float)
    traj = lrlab.run(loss=Bowl(), x0=np.ones((2, 1, 1)), lr=[1e-5, 0.5, 1.5, 2.5], num_steps=100)
    assert traj.loss_min is None and traj.batch_shape == (2, 4)
    np.testing.assert_array_equal(diagnostics.path_shape(traj),
                                  [["monotone", "monotone", "oscillating", "diverging"]] * 2)
    with pytest.raises(ValueError, match="min_value"):
        diagnostics.progress(traj)                                     # the minimum is not known ...
    p = diagnostics.progress(traj, min_value=3.0)                      # ... unless given
    assert p.shape == (2, 4) and (p[:, 0] < 0.01).all() and (p[:, 1:3] > 0.99).all() and np.isnan(p[:, 3]).all()
    with pytest.raises(TypeError, match="traj"):
        diagnostics.path_shape("not a trajectory")


def test_path_shape_calls_a_non_finite_loss_diverging():
    """A NaN or inf loss is never progress, whether or not the trajectory is flagged (one not made by run)."""
    import dataclasses
    t = lrlab.run(loss=losses.quadratic([1.0]), x0=[1.0], lr=0.1, num_steps=20)
    assert diagnostics.path_shape(t) == "monotone" and not t.diverged and diagnostics.progress(t) > 0.9
    last_nan, first_inf = t.loss.copy(), t.loss.copy()
    last_nan[-1], first_inf[0] = np.nan, np.inf
    for loss in (np.full_like(t.loss, np.nan), last_nan, first_inf):
        for loss_min in (t.loss_min, None):
            bad = dataclasses.replace(t, loss=loss, loss_min=loss_min)
            assert diagnostics.path_shape(bad) == "diverging", (loss, loss_min)
        assert np.isnan(diagnostics.progress(dataclasses.replace(t, loss=loss)))
    batch = lrlab.run(loss=losses.quadratic([1.0]), x0=[1.0], lr=[0.1, 0.1], num_steps=20)
    loss = batch.loss.copy()
    loss[:, 1] = np.nan
    assert list(diagnostics.path_shape(dataclasses.replace(batch, loss=loss))) == ["monotone", "diverging"]


def test_lr_range_test_on_a_quadratic():
    q = losses.quadratic([1.0, 10.0])
    res = diagnostics.lr_range_test(q, [1.0, 1.0], start_lr=1e-5, end_lr=10.0, num_iter=200)
    assert res.lrs[0] == pytest.approx(1e-5)
    assert res.stopped_at < 200                     # it stopped at divergence ...
    assert res.lrs[-1] > 2 / q.L                    # ... which happened past the true limit
    assert 1e-5 <= res.suggestion <= res.min_lr
    assert res.min_lr_over_10 == pytest.approx(res.min_lr / 10)
    assert "steepest" in res.rule or "fallback" in res.rule
    assert len(res.losses) == len(res.smoothed) == len(res.lrs)


def test_analyze_lr_range_smoothing_is_the_bias_corrected_ema():
    lrs = np.geomspace(1e-3, 1, 5)
    losses_ = np.array([4.0, 3.0, 2.0, 1.0, 0.5])
    res = diagnostics.analyze_lr_range(lrs, losses_, smooth=0.5)
    m, expect = 0.0, []
    for i, v in enumerate(losses_):
        m = 0.5 * m + 0.5 * v
        expect.append(m / (1 - 0.5 ** (i + 1)))
    np.testing.assert_allclose(res.smoothed, expect)
    with pytest.raises(ValueError, match="smooth"):
        diagnostics.analyze_lr_range(lrs, losses_, smooth=1.0)
    with pytest.raises(ValueError, match="end_lr"):
        diagnostics.lr_range_test(losses.quadratic([1.0]), [1.0], start_lr=1.0, end_lr=0.1)


def test_update_to_weight_ratio():
    q = losses.quadratic([1.0], center=[5.0])
    traj = lrlab.run(loss=q, x0=[[1.0], [2.0]], lr=[1e-3, 1e-1], num_steps=10)
    r = diagnostics.update_to_weight_ratio(traj)
    assert r.shape == (10, 2)
    np.testing.assert_allclose(r[0], [1e-3 * 4 / 1.0, 1e-1 * 3 / 2.0])


def test_sharpness():
    q = losses.quadratic([[3.0, 1.0], [1.0, 2.0]])
    assert diagnostics.sharpness(q) == pytest.approx(np.linalg.eigvalsh(q.matrix)[-1])
    r = losses.rosenbrock()
    exact = np.linalg.eigvalsh(r.hessian(np.array([1.0, 1.0])))[-1]
    assert diagnostics.sharpness(r, [1.0, 1.0]) == pytest.approx(exact)

    class GradOnly:                     # no Hessian: power iteration on finite differences
        def value(self, x):
            return r.value(x)

        def grad(self, x):
            return r.grad(x)
    assert diagnostics.sharpness(GradOnly(), [1.0, 1.0], iters=200) == pytest.approx(exact, rel=1e-4)


def test_diagnostics_are_silent_on_diverged_runs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = lrlab.run(loss=losses.rosenbrock(), x0=[-1.5, 2.0], lr=np.geomspace(1e-4, 1, 200), num_steps=200)
        assert traj.diverged.any() and (diagnostics.path_shape(traj)[traj.diverged] == "diverging").all()
        assert np.isnan(diagnostics.progress(traj)[traj.diverged]).all()
        diagnostics.update_to_weight_ratio(traj)


def test_moving_average_stops_at_the_first_non_finite_value():
    s = diagnostics.moving_average([1.0, 1.0, np.nan, 1.0])
    assert s[0] == 1.0 and s[1] == pytest.approx(1.0) and np.isnan(s[2:]).all()


def test_moving_average_is_the_bias_corrected_recurrence():
    v = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    beta, m, want = 0.8, 0.0, []
    for t, x in enumerate(v, start=1):
        m = beta * m + (1 - beta) * x
        want.append(m / (1 - beta ** t))
    np.testing.assert_array_equal(diagnostics.moving_average(v, beta), want)
    assert diagnostics.moving_average([2.0, 2.0, 2.0])[0] == 2.0          # no warm-up bias
    out = diagnostics.moving_average([1.0, np.inf, 1.0])
    assert out[0] == 1.0 and np.isnan(out[1:]).all()                     # nothing after a blow-up
    with pytest.raises(ValueError, match="beta"):
        diagnostics.MovingAverage(1.0)
    with pytest.raises(ValueError, match="1-D"):
        diagnostics.moving_average(np.ones((2, 2)))


# --------------------------------------------------------------------------- steps to a tolerance

def naive_first_below(curve, threshold, stay=False, strict=False):
    """The definition, one step at a time."""
    below = [(c < threshold) if strict else (c <= threshold) for c in curve]
    for t in range(len(curve)):
        if below[t] and (not stay or all(below[t:])):
            return t
    return -1


def test_first_step_below_on_one_curve():
    v = np.array([4.0, 2.0, 1.0, 3.0, 0.5, 0.5, np.nan, 0.2])
    assert diagnostics.first_step_below(v, 1.0) == 2
    assert diagnostics.first_step_below(v, 1.0, strict=True) == 4
    assert diagnostics.first_step_below(v, 1.0, stay=True) == 7              # NaN is never below
    assert diagnostics.first_step_below(v, 0.25, relative_to_start=True) == 2
    assert diagnostics.first_step_below(v, 0.1) == -1
    assert diagnostics.first_step_below(v[:6], 1.0, stay=True) == 4
    assert isinstance(diagnostics.first_step_below(v, 1.0), int)
    with pytest.raises(ValueError, match="curve"):
        diagnostics.first_step_below(3.0, 1.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 10.0), min_size=1, max_size=30), st.floats(0.0, 10.0), st.booleans(), st.booleans())
def test_first_step_below_is_the_definition(curve, level, stay, strict):
    assert diagnostics.first_step_below(curve, level, stay=stay, strict=strict) == \
        naive_first_below(curve, level, stay, strict)
    assert diagnostics.first_step_below(curve, level, stay=stay, strict=strict, relative_to_start=True) == \
        naive_first_below(curve, level * curve[0], stay, strict)


def test_first_step_below_batches_along_axis_0():
    q = losses.quadratic([1.0, 10.0])
    traj = lrlab.run(loss=q, x0=[1.0, 1.0], lr=[0.01, 0.1, 0.19, 0.25], num_steps=200)
    gap = traj.loss
    got = diagnostics.first_step_below(gap, 1e-6, relative_to_start=True)
    assert got.shape == (4,)
    assert got.tolist() == [naive_first_below(gap[:, j], 1e-6 * gap[0, j]) for j in range(4)]
    assert got[0] == -1 and got[3] == -1 and 0 < got[1] < got[2]
    # heavy ball spirals in: its distance to the minimum dips below a line and comes back above it
    hb = lrlab.run(loss=q, stepper=steppers.sgd(momentum=0.9), x0=[1.0, 1.0], lr=0.1, num_steps=300)
    d = np.linalg.norm(hb.params, axis=-1)
    once, stays = (diagnostics.first_step_below(d, 1e-3, stay=s) for s in (False, True))
    assert 0 < once < stays == naive_first_below(d, 1e-3, stay=True)


# --------------------------------------------------------------------------- reading loss curves

def test_read_loss_curve_rules():
    t = np.arange(300)
    assert diagnostics.read_loss_curve(2.8 * 0.99 ** t) == "falling"
    assert diagnostics.read_loss_curve(np.linspace(2.8, 2.3, 300)) == "barely falling"
    assert diagnostics.read_loss_curve(np.linspace(2.8, 5, 300)) == "rising"
    assert diagnostics.read_loss_curve(np.r_[2.8 * 0.99 ** t, np.nan]) == "blew up"
    assert diagnostics.read_loss_curve(np.r_[2.8 * 0.99 ** t, np.inf]) == "blew up"
    assert set(diagnostics.LOSS_CURVE_WORDS) == {"blew up", "rising", "spiky", "barely falling", "falling"}
    bouncy = 2.8 * 0.99 ** t * np.where(t % 4 == 0, 20.0, 1.0)       # every 4th step a 20x spike
    assert diagnostics.jump_share(bouncy) == pytest.approx(0.5, abs=0.01)
    assert diagnostics.read_loss_curve(bouncy) == "spiky"
    assert diagnostics.read_loss_curve(bouncy, spiky=0.6) == "falling"
    assert diagnostics.jump_share(2.8 * 0.99 ** t) == 0.0


def test_minibatch_regime():
    X, y, _ = lrlab.data.linear_regression(n=128, d=2, noise=0.5, seed=0, scales=[1.0, 0.5])
    full = losses.least_squares(X, y)
    mb = losses.least_squares(X, y, batch_size=1)
    x0 = full.minimizer + [1.0, -1.0]
    lrs = [0.1, 1.5 / full.L, 3.0 / full.L]
    gd = lrlab.run(loss=full, x0=x0, lr=lrs, num_steps=300)
    sgd = lrlab.run(loss=mb, x0=x0, lr=lrs, num_steps=300)
    got = [diagnostics.minibatch_regime(sgd[j], gd[j], full.min_value) for j in range(3)]
    assert got[0] == diagnostics.path_shape(gd[0]) == "monotone"
    assert got[2] == "diverging"
    assert got == [diagnostics.minibatch_regime(sgd[j], gd[j]) for j in range(3)]   # loss_min of the run
    with pytest.raises(TypeError, match="Trajectories"):
        diagnostics.minibatch_regime(sgd.loss, gd)


def test_trailing_mean_is_the_box_mean():
    rng = np.random.default_rng(3)
    y = rng.random((40, 3))
    for k in (1, 5, 40, 60):
        want = np.stack([y[max(0, t - k + 1):t + 1].mean(axis=0) for t in range(40)])
        np.testing.assert_allclose(diagnostics.trailing_mean(y, k), want, rtol=1e-12)
        np.testing.assert_allclose(diagnostics.trailing_mean(y[:, 1], k), want[:, 1], rtol=1e-12)
    assert diagnostics.trailing_mean([1.0, 3.0, 5.0, 7.0], 2).tolist() == [1.0, 2.0, 4.0, 6.0]
    # not the exponential average: a spike is forgotten exactly k steps later
    spike = np.r_[10.0, np.zeros(9)]
    assert diagnostics.trailing_mean(spike, 3)[3] == 0.0 and diagnostics.moving_average(spike)[3] > 0
    with pytest.raises(ValueError, match="k"):
        diagnostics.trailing_mean(y, 0)


# ---------------------------------------------------------------- the valley rule

def _valley_curve():
    """Flat at 2 up to iteration 20, falling strictly to iteration 80, then climbing: the
    longest falling stretch is 20..80, so the valley suggestion is iteration 50."""
    i = np.arange(101.0)
    s = np.where(i <= 20, 2.0, np.where(i <= 80, 2.0 - (i - 20) / 60, 1.0 + (i - 80) ** 2))
    return np.geomspace(1e-6, 1.0, 101), s


def test_longest_descent_on_a_known_curve():
    _, s = _valley_curve()
    assert diagnostics.longest_descent(s) == (20, 80)
    # a bump inside the descent is skipped, not a break: the run goes around it
    bumped = s.copy()
    bumped[50] = 5.0
    assert diagnostics.longest_descent(bumped) == (20, 80)
    # non-finite values belong to no run
    holed = s.copy()
    holed[90:] = np.nan
    assert diagnostics.longest_descent(holed) == (20, 80)


def test_valley_suggestion_is_the_middle_of_the_descent():
    lrs, s = _valley_curve()
    lr, min_lr, rule = diagnostics.suggest_lr(lrs, s, method="valley")
    assert lr == pytest.approx(1e-3, rel=1e-12) and lr == lrs[50]      # lrs[50] = 1e-6 * 1e6**0.5
    assert min_lr == lrs[80] and rule.startswith("valley")
    steep, _, _ = diagnostics.suggest_lr(lrs, s, method="steepest")
    assert steep != lr                       # a different rule: the slope is the same all along, it takes the first


def test_valley_falls_back_when_the_curve_never_falls():
    lrs = np.geomspace(1e-4, 1, 30)
    lr, min_lr, rule = diagnostics.suggest_lr(lrs, np.linspace(1, 2, 30), method="valley")
    assert lr == lrs[0] and rule.startswith("fallback")


def test_suggest_lr_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="method"):
        diagnostics.suggest_lr(np.geomspace(1e-4, 1, 5), np.ones(5), method="slide")


def test_centred_moving_average_has_no_lag():
    v = np.abs(np.arange(-20, 21.0))
    assert int(np.argmin(diagnostics.centred_moving_average(v, 0.9))) == 20
    assert int(np.argmin(diagnostics.moving_average(v, 0.9))) > 20
    with pytest.raises(ValueError, match="values"):
        diagnostics.centred_moving_average([1.0, np.inf], 0.9)
    with pytest.raises(ValueError, match="beta"):
        diagnostics.centred_moving_average([1.0, 2.0], 1.0)


# --------------------------------------------------------------------------- progress and path_shape

@settings(max_examples=40, deadline=None)
@given(lam=st.floats(0.01, 100.0), x0=st.floats(0.1, 10.0), h=st.floats(1e-4, 1.99), T=st.integers(1, 60))
def test_progress_is_the_closed_form_on_a_1d_quadratic(lam, x0, h, T):
    """GD on λw²/2: the gap is multiplied by (1 - ηλ)² per step, so p = 1 - (1 - ηλ)^(2T)."""
    traj = lrlab.run(loss=losses.quadratic([lam]), x0=[x0], lr=h / lam, num_steps=T)
    assert diagnostics.progress(traj) == pytest.approx(1 - (1 - h) ** (2 * T), abs=1e-9)


def test_progress_shapes_growth_blow_up_and_the_minimum():
    q = losses.quadratic([1.0])
    traj = lrlab.run(loss=q, x0=np.ones((2, 1, 1)), lr=[0.0, 0.5, 2.5, 1e6], num_steps=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = diagnostics.progress(traj)
    assert p.shape == traj.batch_shape == (2, 4)
    np.testing.assert_allclose(p[0, :3], [0.0, 1 - 0.25 ** 10, 1 - 2.25 ** 10])      # grew: negative
    assert np.isnan(p[0, 3]) and traj.diverged[0, 3]                                  # blew up: NaN
    assert isinstance(diagnostics.progress(traj[0, 1]), float)
    at_min = lrlab.run(loss=q, x0=[0.0], lr=[0.1, 0.2], num_steps=5)
    np.testing.assert_array_equal(diagnostics.progress(at_min), [1.0, 1.0])
    # another minimum, or none known
    assert diagnostics.progress(traj[0, 1], min_value=-1.0) == pytest.approx(1 - (0.5 * 0.25 ** 10 + 1) / 1.5)

    class Bowl:
        def value(self, x):
            return 0.5 * np.sum(x * x, axis=-1) + 3.0

        def grad(self, x):
            return np.asarray(x, dtype=float)
    unknown = lrlab.run(loss=Bowl(), x0=[1.0], lr=0.5, num_steps=4)
    with pytest.raises(ValueError, match="min_value"):
        diagnostics.progress(unknown)
    assert diagnostics.progress(unknown, min_value=3.0) == pytest.approx(1 - 0.25 ** 4)
    with pytest.raises(TypeError, match="traj"):
        diagnostics.progress([1.0, 0.5])


def test_progress_text():
    t = diagnostics.progress_text
    assert t(0.7) == "70% of the loss gap closed" and t(np.float64(0.7)) == "70% of the loss gap closed"
    assert t(1.0) == "100% of the loss gap closed" and t(0.9999) == "over 99% of the loss gap closed"
    assert t(0.003) == "0.3% of the loss gap closed" and t(0.0) == "0% of the loss gap closed"
    assert t(-2.1) == "the loss gap grew 3.1×" and t(float("nan")) == ""
    with pytest.raises(TypeError, match="p must be a real number"):
        t("70%")


@settings(max_examples=60, deadline=None)
@given(lam=st.floats(0.01, 100.0), x0=st.floats(-10.0, 10.0).filter(lambda v: abs(v) > 0.1),
       band=st.sampled_from(["monotone", "oscillating", "diverging"]), u=st.floats(0.0, 1.0))
def test_path_shape_on_1d_quadratics(lam, x0, band, u):
    lo, hi = {"monotone": (1e-5, 0.99), "oscillating": (1.01, 1.99), "diverging": (2.01, 10.0)}[band]
    h = lo * (hi / lo) ** u
    traj = lrlab.run(loss=losses.quadratic([lam]), x0=[x0], lr=h / lam, num_steps=100)
    assert diagnostics.path_shape(traj) == band


def test_path_shape_sees_heavy_balls_slow_spiral():
    """β = 0.9, ηλ = 0.01: complex roots of argument 0.087, a reversal every 36 steps (3% of the pairs)."""
    q = losses.quadratic([1.0])
    traj = lrlab.run(loss=q, stepper=steppers.sgd(momentum=0.9), x0=[1.0], lr=[0.001, 0.01], num_steps=100)
    assert list(theory.regime(q, [0.001, 0.01], momentum=0.9)) == ["monotone convergence", "oscillating convergence"]
    assert list(diagnostics.path_shape(traj)) == ["monotone", "oscillating"]
    assert list(diagnostics._reversals(traj)) == [0, 2]      # 2 of 98 pairs: a share-of-pairs rule would miss it


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), d=st.integers(1, 6), hL=st.floats(0.01, 1.0),
       schedule=st.sampled_from(["constant", "cosine", "warm-up"]), beta=st.sampled_from([0.0, 0.0, 0.3]))
def test_path_shape_calls_gd_without_overshoot_monotone_in_any_dimension(seed, d, hL, schedule, beta):
    """s_{t+1}·s_t = (η_{t+1}/η_t) s_tᵀ(I - η_t A)s_t >= 0 when every η_t L <= 1: a rotated bowl in any
    dimension, any schedule, never turns back; heavy ball in a monotone regime turns back at most once."""
    from lrlab import schedules, theory
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    q = losses.quadratic(Q @ np.diag(np.r_[rng.uniform(0.01, 1.0, d - 1), 1.0]) @ Q.T)
    lr = {"constant": hL, "cosine": schedules.cosine_annealing_lr(hL, T_max=80),
          "warm-up": schedules.linear_lr(hL, start_factor=0.01, total_iters=20)}[schedule]
    if beta and (schedule != "constant" or theory.regime(q, hL, beta) != "monotone convergence"):
        return
    traj = lrlab.run(loss=q, stepper=steppers.sgd(momentum=beta), x0=rng.standard_normal(d), lr=lr, num_steps=80)
    assert diagnostics.path_shape(traj) == "monotone"
    assert diagnostics._reversals(traj)[0] <= (1 if beta else 0)


def test_path_shape_reads_the_step_not_the_coordinates():
    """On lesson 04's 4-D problem, cosine from lr·L = 0.62 never overshoots, but one coordinate's steps
    change sign twice (a sum of four decaying exponentials): the old per-coordinate rule would say oscillating."""
    from lrlab import schedules
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    q = losses.quadratic(Q @ np.diag([0.01, 0.1, 0.4, 1.0]) @ Q.T)
    found = False
    for seed in range(200):
        x0 = np.random.default_rng(seed).standard_normal(4)
        traj = lrlab.run(loss=q, x0=x0, lr=schedules.cosine_annealing_lr(0.62, T_max=400), num_steps=400)
        steps = np.diff(traj.params, axis=0)                            # (T, 4): per coordinate
        big = np.abs(steps) > 1e-12 * np.abs(steps).max(axis=0)
        flips = (big[1:] & big[:-1] & (np.sign(steps[1:]) != np.sign(steps[:-1]))).sum(axis=0)
        assert diagnostics.path_shape(traj) == "monotone"
        found = found or flips.max() >= 2
    assert found


def test_path_shape_rules_and_bad_input():
    import dataclasses
    q = losses.quadratic([1.0, 10.0])
    traj = lrlab.run(loss=q, x0=[1.0, 1.0], lr=[0.05, 0.15, 0.21], num_steps=60)
    assert list(diagnostics.path_shape(traj)) == ["monotone", "oscillating", "diverging"]
    assert diagnostics.PATH_SHAPES == ("monotone", "oscillating", "diverging")
    one = traj[0]
    nan = dataclasses.replace(one, loss=np.full_like(one.loss, np.nan))
    assert diagnostics.path_shape(nan) == "diverging"
    assert diagnostics.path_shape(lrlab.run(loss=q, x0=[1.0, 1.0], lr=0.15, num_steps=1)) == "monotone"
    assert diagnostics.path_shape(traj[1], min_flips=100) == "monotone"
    with pytest.raises(ValueError, match="min_flips"):
        diagnostics.path_shape(one, min_flips=0)
    with pytest.raises(TypeError, match="traj"):
        diagnostics.path_shape(None)

# --------------------------------------------------------------------------- iterate averaging (issue 24)

def _averaged_by_torch(params, start, **kwargs):
    """torch.optim.swa_utils.AveragedModel fed the iterates params[start], params[start + 1], ...; float64."""
    torch = pytest.importorskip("torch")
    from torch.optim.swa_utils import AveragedModel

    class Point(torch.nn.Module):
        def __init__(self, d):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(d, dtype=torch.float64))

    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)          # AveragedModel's 1/(n+1) is a tensor of the default dtype
    try:
        model = Point(params.shape[-1])
        avg = AveragedModel(model, **kwargs)
        out = []
        for x in params[start:]:
            with torch.no_grad():
                model.w.copy_(torch.as_tensor(x))
            avg.update_parameters(model)
            out.append(avg.module.w.detach().numpy().copy())
    finally:
        torch.set_default_dtype(old)
    return np.array(out)


def _noisy_run(num_steps=400, lr=0.1, seed=0):
    from lrlab import data
    X, y, _ = data.linear_regression(n=200, d=2, noise=1.0, seed=4, scales=[1.0, 2.0])
    loss = losses.least_squares(X, y, batch_size=4, seed=seed)
    return loss, lrlab.run(loss=loss, x0=[3.0, -3.0], lr=lr, num_steps=num_steps)


@pytest.mark.parametrize("start", [0, 1, 150])
def test_average_iterates_is_torchs_averaged_model(start):
    _, traj = _noisy_run(300)
    mine = diagnostics.average_iterates(traj, start=start)
    gold = _averaged_by_torch(traj.params, start)
    np.testing.assert_allclose(mine[start:], gold, rtol=1e-13, atol=1e-14)
    np.testing.assert_array_equal(mine[:start], traj.params[:start])
    np.testing.assert_allclose(mine[-1], traj.params[start:].mean(axis=0), rtol=1e-12)


@pytest.mark.parametrize("decay,start", [(0.9, 0), (0.99, 40), (0.0, 0), (1.0, 10)])
def test_ema_iterates_is_torchs_ema(decay, start):
    from torch.optim.swa_utils import get_ema_multi_avg_fn
    _, traj = _noisy_run(300)
    mine = diagnostics.ema_iterates(traj, decay, start=start)
    gold = _averaged_by_torch(traj.params, start, multi_avg_fn=get_ema_multi_avg_fn(decay))
    np.testing.assert_allclose(mine[start:], gold, rtol=1e-13, atol=1e-14)
    np.testing.assert_array_equal(mine[:start + 1], traj.params[:start + 1])


def test_averaging_works_on_a_batch_and_on_an_array():
    _, traj = _noisy_run(100, lr=np.array([0.05, 0.1, 0.2]))
    batch = diagnostics.average_iterates(traj, 10)
    assert batch.shape == traj.params.shape
    for i in range(3):
        np.testing.assert_array_equal(batch[:, i], diagnostics.average_iterates(traj[i], 10))
    np.testing.assert_array_equal(diagnostics.ema_iterates(traj.params, 0.9), diagnostics.ema_iterates(traj, 0.9))


@pytest.mark.parametrize("seed", range(5))
def test_on_noisy_least_squares_the_averaged_iterate_beats_the_last_one(seed):
    loss, traj = _noisy_run(2000, lr=0.1, seed=seed)
    last = traj.loss[-1] - loss.min_value
    tail = diagnostics.average_iterates(traj, start=1000)[-1]          # averaged after the transient
    ema = diagnostics.ema_iterates(traj, 0.99, start=1000)[-1]
    assert loss.value(tail) - loss.min_value < 0.2 * last
    assert loss.value(ema) - loss.min_value < last


def test_averaging_checks_its_arguments():
    _, traj = _noisy_run(20)
    with pytest.raises(ValueError, match="start must be in"):
        diagnostics.average_iterates(traj, start=21)
    with pytest.raises(ValueError, match="decay must be in"):
        diagnostics.ema_iterates(traj, 1.5)
    with pytest.raises(TypeError, match="start must be an integer"):
        diagnostics.ema_iterates(traj, 0.9, start=1.5)
    with pytest.raises(ValueError, match=r"shape \(T \+ 1, \*batch, d\)"):
        diagnostics.average_iterates(np.zeros(5))
    with pytest.raises(TypeError, match="traj"):
        diagnostics.average_iterates("abc")
