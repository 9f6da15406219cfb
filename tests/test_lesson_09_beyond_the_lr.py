"""Lesson 09 (beyond the lr): its widget's theory marks (the contract: tests/test_explorers.py), its set-ups,
figures and exercise checks."""

import numpy as np
import pytest

pytest.importorskip("ipympl")
torch = pytest.importorskip("torch")
import lrlab  # noqa: E402
from lrlab import diagnostics, plotting, theory  # noqa: E402
from lrlab.lessons import beyond_the_lr as lesson  # noqa: E402


pytestmark = pytest.mark.usefixtures("no_warnings", "single_thread_torch")


@pytest.fixture(scope="module")
def small_sweep():
    """A cheap sweep (3 lrs, 40 steps) with the structure of the notebook's."""
    torch.set_num_threads(1)
    return lesson.lr_sweep(lrs=np.array([0.03, 0.3, 10.0]), num_steps=40)


def test_scaling_is_a_change_of_variables():
    raw, std = lesson.raw_loss(), lesson.standardized_loss()
    assert raw.min_value == pytest.approx(std.min_value, rel=1e-12)
    X, _ = lesson.regression_data()
    np.testing.assert_allclose(std.minimizer, raw.minimizer * X.std(axis=0), rtol=1e-9)
    assert theory.critical_lr(std) / theory.critical_lr(raw) > 80
    for ls in (raw, std):
        quad = lesson.bowl(ls)
        w = np.random.default_rng(0).standard_normal((20, 2)) * 5
        np.testing.assert_allclose(quad.grad(w), ls.grad(w), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(quad.value(w), ls.value(w) - ls.min_value, rtol=1e-9, atol=1e-10)
        b = quad.bounds
        assert b[0, 1] - b[0, 0] == pytest.approx(b[1, 1] - b[1, 0])        # a square window
        assert np.all((b[:, 0] < lesson.X0) & (b[:, 1] > lesson.X0))                 # the start is in view


def test_explorer_toggle_moves_the_theory_marks():
    ex = lesson.explorer()
    marks = {}
    for features in ("raw", "standardized", "raw"):
        ex.controls["features"].value = features
        loss = ex.problem.loss
        assert ex.problem.title.startswith(features)
        assert f"{theory.critical_lr(loss):.3g}" in ex.theory.value
        xs = sorted({float(l.get_xdata()[0]) for l in ex.axes["map"].lines if len(l.get_xdata()) == 2
                     and l.get_xdata()[0] == l.get_xdata()[1]} - {ex.lr})
        marks[features] = xs
        assert any(x == pytest.approx(theory.critical_lr(loss)) for x in xs)
        assert any(x == pytest.approx(1 / loss.L) for x in xs)
        assert ex.axes["path"].get_aspect() == 1.0
    assert marks["raw"] != marks["standardized"]


def test_theory_table_and_correlations():
    raw = lesson.theory_table(lesson.raw_loss())
    std = lesson.theory_table(lesson.standardized_loss())
    assert raw.best_rate == pytest.approx((raw.kappa - 1) / (raw.kappa + 1))
    assert std.steps < raw.steps and raw.critical == pytest.approx(2 / raw.L)
    for row in lesson.correlation_table((0.0, 0.9)):
        assert row["kappa"] == pytest.approx(row["formula"], rel=1e-9)
    assert lesson.correlation_table((0.9,))[0]["kappa"] == pytest.approx(19, rel=0.05)


def test_activation_scales_follow_the_init():
    X = torch.as_tensor(np.random.default_rng(0).standard_normal((256, 64)))
    small, right, large = (lesson.activation_scales(lesson.digits_net(s), X) for s in (0.3, 1.0, 3.0))
    assert small[-1] < 0.05 < 0.5 < right[-1] < 2 < 20 < large[-1]


def test_sweep_structure_and_figures(small_sweep):
    sw = small_sweep
    assert set(sw.final) == {(s, n) for s in lesson.INIT_SCALES for n in lesson.NORMS}
    for v in sw.final.values():
        assert v.shape == sw.lrs.shape
    assert np.isinf(sw.final[(3.0, None)][-1])                 # blows up at lr = 10
    assert np.isfinite(sw.final[(3.0, "batch")][-1])           # BatchNorm does not
    for fig, _ in (lesson.init_figure(sw), lesson.norm_figure(sw)):
        assert len(plotting.png_bytes(fig)) > 1000
    fig, traj = lesson.paths_figure(lesson.bowl(lesson.raw_loss()), [2e-4, 0.03], "t")
    titles = [ax.get_title() for ax in fig.axes]
    assert [t.split("\n")[1] for t in titles[:2]] == ["monotone convergence", "divergence"]
    assert not any(t.get_text() for ax in fig.axes for t in ax.texts)      # nothing written over the paths
    # the strips of good lrs: dots exactly at the good lrs of the grid, nothing past the last one
    fig, (ax, strip) = lesson.init_figure(sw)
    for line, s in zip([l for l in strip.lines if l.get_marker() == "o"], lesson.INIT_SCALES):
        np.testing.assert_array_equal(line.get_xdata(), lesson.good_lrs(sw, s))
    for line in strip.lines:
        assert set(line.get_xdata()) <= set(sw.lrs)
    plotting.png_bytes(lesson.loss_curves_figure({"a": (lesson.raw_loss(), 0.01)}, num_steps=20)[0])


def test_final_loss_of_a_diverged_run():
    from types import SimpleNamespace
    assert lesson.final_loss(SimpleNamespace(diverged=True, eval_values=np.array([2.3]))) == np.inf
    assert lesson.final_loss(SimpleNamespace(diverged=False, eval_values=np.array([2.3, np.nan]))) == np.inf
    assert lesson.final_loss(SimpleNamespace(diverged=False, eval_values=np.array([2.3, 0.5]))) == 0.5


def test_exercise_checks():
    limit = theory.critical_lr(lesson.rescaled_raw_loss())
    assert lesson.check_raw_limit(limit) and lesson.check_raw_limit(theory.critical_lr(lesson.raw_loss()) / 100)
    assert lesson.check_raw_limit(0.98 * limit) and lesson.check_raw_limit(float(f"{limit:.3g}"))
    for wrong in (None, "x", 1.01 * limit, theory.critical_lr(lesson.raw_loss()), 2.0, float("nan")):
        assert not lesson.check_raw_limit(wrong)
    assert "past" in lesson.check_raw_limit(1.01 * limit).message
    assert lesson.check_correlated_kappa(49 / 51) and lesson.check_correlated_kappa("0.96")
    for wrong in (0.9, 0.99, 50, -0.96, None, "x"):
        assert not lesson.check_correlated_kappa(wrong)
    assert lesson.check_output_growth(16) and lesson.check_output_growth("16.0")
    for wrong in (2, 4, 8, 81, None):
        assert not lesson.check_output_growth(wrong)


def test_outcome_tells_stuck_from_diverged_and_trained():
    assert lesson.outcome(0.05) == "trained"
    assert lesson.outcome(0.5) == "partial"
    assert lesson.outcome(np.log(10)) == "stuck" and lesson.outcome(5.0) == "stuck"   # finite, learned nothing
    assert lesson.outcome(lesson.STUCK_LOSS - lesson.STUCK_BAND - 0.01) == "partial"
    assert lesson.outcome(np.inf) == "diverged" and lesson.outcome(np.nan) == "diverged"
    assert lesson.outcomes([[0.01, 2.3], [np.inf, 1.0]]).tolist() == [["trained", "stuck"], ["diverged", "partial"]]


def test_edge_sweep_structure_and_largest_trained():
    edge = lesson.edge_sweep(seeds=(0, 1), lrs={None: [0.3, 30.0], "batch": [0.3]}, num_steps=30)
    assert edge.final[None].shape == (2, 2) and edge.final["batch"].shape == (2, 1)
    assert np.all(np.isinf(edge.final[None][:, 1]))                 # lr = 30 blows the plain net up
    edge.final[None] = np.array([[0.05, np.inf], [0.5, np.inf]])    # seed 1 trains nowhere on this grid
    top = lesson.largest_trained(edge)
    assert top[0] == 0.3 and np.isnan(top[1])
