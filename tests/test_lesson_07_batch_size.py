"""Tests of lrlab.lessons.batch_size (notebook 07, batch size): what is particular to the batch-size
explorer (its label, its floors; the contract: tests/test_explorers.py), the exact minibatch-SGD theory against
simulation, the linear-scaling and warmup experiments, and the exercise checks."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import lrlab
from lrlab import diagnostics, schedules, theory
from lrlab.lessons import batch_size as lesson


@pytest.fixture(scope="module")
def explorer():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return lesson.batch_size_explorer(lr=0.1, batch_size=16)


def _regime_in_label(ex):
    m = re.search(r'class="lrlab-regime" data-regime="([\w ]+)"', ex.label.value)
    assert m, ex.label.value
    return m.group(1)


@pytest.mark.parametrize("batch_size", [1, 4, 64, 512])
def test_the_label_is_divergence_when_the_minibatch_run_blows_up_else_full_batch_theory(explorer, batch_size):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.controls["batch_size"].value = batch_size
        lo, hi = explorer.lr_range
        seen = set()
        for lr in [lo, *np.geomspace(lo, hi, 20)[1:-1], hi]:
            explorer.set_lr(lr)
            regime = _regime_in_label(explorer)
            assert regime == explorer.regime
            seen.add(regime)
            sgd = explorer.runs["sgd"]
            blew_up = lesson.sgd_regime(sgd, explorer.runs["gd"]) == "diverging"
            assert regime == ("divergence" if blew_up else theory.regime(lesson.FULL, explorer.lr)), lr
            limit = lesson.THEORY.critical_lr(batch_size)
            if lr > 1.05 * 2 / lesson.FULL.L:
                assert regime == "divergence", (lr, batch_size)
            if lr < 0.5 * limit:
                assert regime != "divergence", (lr, batch_size)
            assert explorer.view.progress == pytest.approx(diagnostics.progress(sgd, min_value=lesson.FULL.min_value),
                                                           nan_ok=True)
            assert f"B = <b>{batch_size}</b>" in explorer.stats.value
        assert {"monotone convergence", "divergence"} <= seen


def test_batch_control_moves_artists(explorer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.set_lr(0.3)
        floors = []
        for B in lesson.BATCH_SIZES:
            explorer.controls["batch_size"].value = B
            y = explorer.artists["loss"]["floor"].get_ydata()[0]
            floors.append(y)
            assert explorer.artists["floor"]["limit"].get_xdata()[0] == pytest.approx(lesson.THEORY.critical_lr(B))
            curve = explorer.artists["floor"]["curve"].get_ydata()
            if B < lesson.N:
                assert np.allclose(curve[np.isfinite(curve)],
                                   lesson.THEORY.floor(explorer.panels["floor"].lrs, B)[np.isfinite(curve)])
        finite = [f for f in floors if np.isfinite(f)]
        assert all(a > b for a, b in zip(finite, finite[1:]))        # the predicted floor falls as B grows
        assert np.isnan(floors[-1])                                   # full batch: no noise, no floor line


def test_the_b1_preset_blows_up_below_2_over_L(explorer):
    p = lesson.BATCH_PRESETS["B = 1 blows up below 2/L"]
    assert p["lr"] < 2 / lesson.FULL.L and p["batch_size"] == 1
    explorer.apply_preset(p)
    assert explorer.regime == "divergence" and theory.regime(lesson.FULL, explorer.lr) != "divergence"


def test_full_as_quadratic_is_the_same_loss():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((50, 2))
    assert np.allclose(lesson.FULL_AS_QUADRATIC.value(w) + lesson.FULL.min_value, lesson.FULL.value(w))


def test_critical_lr_grows_with_batch_to_2_over_L():
    limits = [lesson.THEORY.critical_lr(B) for B in lesson.BATCH_SIZES]
    assert all(a < b for a, b in zip(limits, limits[1:]))
    assert limits[-1] == pytest.approx(theory.critical_lr(lesson.FULL))
    # just below the limit: bounded stationary floor; above: none
    assert np.isfinite(lesson.THEORY.floor(0.99 * limits[0], 1)) and lesson.THEORY.floor(1.01 * limits[0], 1) == np.inf


def test_floor_small_lr_law_and_full_batch():
    assert lesson.THEORY.floor(1e-4, 8) == pytest.approx(lesson.THEORY.floor_small_lr(1e-4, 8), rel=1e-3)
    assert lesson.THEORY.floor(0.3, lesson.N) == 0.0
    f = lesson.THEORY.floor(np.array([0.01, 0.02]), 4)
    assert f.shape == (2,) and f[1] / f[0] == pytest.approx(2.0, rel=0.02)


def test_expected_gap_matches_monte_carlo():
    B, lr, T = 4, 0.3, 40
    expected = lesson.THEORY.expected_gap(lesson.X0 - lesson.W_STAR, lr, B, T)
    runs = [lrlab.run(loss=lesson.minibatch_loss(B, seed), x0=lesson.X0, lr=lr, num_steps=T).loss - lesson.FULL.min_value
            for seed in range(300)]
    mc = np.mean(runs, axis=0)
    assert mc[0] == pytest.approx(expected[0])
    assert np.all(np.abs(mc[1:] / expected[1:] - 1) < 0.15)
    # full batch: the expectation is the deterministic gradient-descent loss
    gd = lrlab.run(loss=lesson.FULL, x0=lesson.X0, lr=0.5, num_steps=20).loss - lesson.FULL.min_value
    assert np.allclose(lesson.THEORY.expected_gap(lesson.X0 - lesson.W_STAR, 0.5, lesson.N, 20), gd, rtol=1e-9, atol=1e-15)


def test_measured_floor_matches_theory():
    m = lesson.measure_floors(batch_sizes=(2, 32), lrs=(0.05, 0.2), burn_in=300, window=2000, seed=3)
    assert np.all(np.abs(m.measured / m.predicted - 1) < 0.3)


def test_linear_scaling_and_sweep():
    runs = lesson.linear_scaling_runs(ks=(1, 16, 48))
    assert [r.batch_size for r in runs] == [4, 64, 192]
    assert runs[0].epochs[-1] == pytest.approx(6.0) and runs[1].epochs[-1] == pytest.approx(6.0)
    assert runs[2].regime == "diverging" and runs[0].regime != "diverging"
    ks, final = lesson.scaling_sweep(ks=[1, 2, 40, 45])
    assert final[0] < 0.01 and final[1] < 0.01 and final[3] > 1.0


def test_warmup_toy():
    q = lesson.QUARTIC
    assert q.curvature(np.array([3.0])) == pytest.approx(28.0)
    assert np.allclose(q.grad(np.array([[1.0], [2.0]]))[:, 0], [2.0, 10.0])
    with pytest.raises(ValueError):
        q.value(np.zeros(2))
    traj, labels, warm = lesson.warmup_runs()
    assert len(labels) == 3 and traj.batch_shape == (3,)
    assert list(diagnostics.path_shape(traj)) == ["diverging", "monotone", "monotone"]
    p = diagnostics.progress(traj)
    assert np.isnan(p[0]) and (p[1:] >= 0.9).all()                # blew up; the other two closed the gap
    assert isinstance(warm, schedules.Schedule)
    prod = lesson.lr_times_curvature(traj)
    assert prod[:, 2].max() < 2


def test_figures_build():
    fig, axes, regimes = lesson.batch_small_multiples([0.05, 1.5], batch_sizes=(1,), num_steps=60)
    assert regimes.shape == (1, 2)
    m = lesson.measure_floors(batch_sizes=(4,), lrs=(0.1,), burn_in=10, window=50)
    fig, axes = lesson.plot_noise_floor(m)
    assert axes[0].get_xlabel() == "lr / B"
    runs = lesson.linear_scaling_runs(ks=(1, 48))
    fig, axes = lesson.plot_linear_scaling(runs, lesson.scaling_sweep(ks=[1, 48]))
    assert axes[1].get_xscale() == "log"
    traj, labels, _ = lesson.warmup_runs(num_steps=40)
    fig, axes = lesson.plot_warmup(traj, labels)
    assert len(axes) == 3


def test_exercise_checks():
    assert lesson.check_scaled_lr(0.16) and not lesson.check_scaled_lr(0.02) and not lesson.check_scaled_lr(None)
    assert lesson.check_floor_factor(4.0) and not lesson.check_floor_factor(2.0)
    assert lesson.check_max_scale(40) and not lesson.check_max_scale(39)
    assert not lesson.check_max_scale(41) and not lesson.check_max_scale(64)     # past SGD's limit (41: below 2/L)


def test_batch_small_multiples_names_the_outcome_above_the_paths():
    fig, axes, regimes = lesson.batch_small_multiples([0.3, 1.5], batch_sizes=(1, 64), num_steps=300)
    titles = [[ax.get_title() for ax in row] for row in axes]
    assert titles[0][1].endswith("blows up") and regimes[0, 1] == "diverging"
    assert titles[0][0].startswith("B = 1, lr = 0.3\ngap ") and titles[1][1].endswith("closed")
    assert not any(t.get_text() for ax in axes.ravel() for t in ax.texts)     # nothing written over the paths
    assert lesson.check_shortest_warmup(12) and not lesson.check_shortest_warmup(11)
    assert not lesson.check_shortest_warmup("maybe")
    assert "lr/B" in lesson.check_scaled_lr(1.0).message


def test_the_matrix_eigenvalue_shortcut_is_not_the_stability_limit():
    lr = lesson.shortcut_limit_b1()
    X = lesson.X
    H = X.T @ X / len(X)
    M = (X * (X ** 2).sum(axis=1)[:, None]).T @ X / len(X)
    eig = lambda e: np.linalg.eigvalsh(np.eye(2) - 2 * e * H + e * e * M).max()   # noqa: E731
    assert eig(0.999 * lr) <= 1 < eig(1.001 * lr)                              # it is where the shortcut tips
    assert 0.02 < abs(lr / lesson.THEORY.critical_lr(1) - 1) < 0.2                # and not the exact limit


@pytest.mark.parametrize("seed", [21, 22])
def test_momentum_floor_claims_hold_for_other_seeds(seed):
    m = lesson.momentum_floors(seed=seed)
    ratio = m.measured / m.predicted
    assert np.all((ratio > 0.85) & (ratio < 1.3))
    boost = m.measured[2] / m.measured[0]
    assert np.all((boost > 7) & (boost < 14))
    by_B = m.measured[:, 0] / m.measured[:, 2]
    assert np.all((by_B > 11) & (by_B < 22))


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_adam_square_root_rule_claims_hold_for_other_seeds(seed):
    a = lesson.adam_scaling(seed=seed)
    sq, lin = a.floors["square-root rule"], a.floors["linear rule"]
    assert sq.max() / sq.min() < 1.35 and np.all(np.diff(lin) > 0)
    assert 1.5 < lin[1] / sq[1] < 2.6 and 2.6 < lin[2] / sq[2] < 4.6
    assert np.allclose(a.lrs["square-root rule"], 0.01 * np.sqrt(a.ks)) and np.allclose(a.lrs["linear rule"], 0.01 * a.ks)


def test_momentum_and_adam_figures():
    m = lesson.momentum_floors(betas=(0.0, 0.9), batch_sizes=(4, 16), replicas=3, burn_in=20, window=40)
    a = lesson.adam_scaling(ks=(1, 4), replicas=3, burn_in=20, window=40)
    for fig, axes in (lesson.plot_momentum_floors(m), lesson.plot_adam_scaling(a)):
        for ax in axes:
            assert all(t.get_fontsize() >= 12 for t in ax.get_legend().get_texts())
            assert ax.get_title()
