"""Lesson 01 (the update rule): its widget's arrows, its figures, its exercise checks (the explorer contract:
tests/test_explorers.py)."""

import numpy as np
import pytest

pytest.importorskip("ipympl")
import lrlab  # noqa: E402
from lrlab import steppers  # noqa: E402
from lrlab.lessons import update_rule as lesson  # noqa: E402


pytestmark = pytest.mark.usefixtures("no_warnings")


def test_arrows_are_the_steps():
    ex = lesson.explorer(lr=0.3)
    arrows = ex.artists["path"]["arrows"]
    x = ex.traj.params[:, 0]
    k = min(len(arrows.U), len(x) - 1)
    np.testing.assert_allclose(arrows.get_offsets()[:k, 0], x[:k])
    np.testing.assert_allclose(arrows.U[:k], np.diff(x)[:k])


def test_figures_build_without_warnings():
    loss = lesson.bowl()
    lrs = [0.05, 0.3, 0.8]
    traj = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=lesson.X0, lr=lrs, num_steps=12)
    fig, axes = lesson.stride_figure(loss, traj, lrs)
    assert len(axes) == 2 and axes[1].get_ylabel() and axes[0].get_xlabel() == "w"
    fig2, ax = lesson.torch_vs_lrlab_figure(2 * traj.loss[:-1, 0], traj[0], 0.01)
    assert ax.get_xlabel() == "step"
    from lrlab import plotting
    assert plotting.png_bytes(fig)[:4] == b"\x89PNG" and plotting.png_bytes(fig2)[:4] == b"\x89PNG"


def test_torch_helpers():
    torch = pytest.importorskip("torch")
    X, y = lesson.regression_data()
    assert X.shape == (64, 10) and y.shape == (64, 1) and X.dtype == torch.float32
    X2, _ = lesson.regression_data()
    assert torch.equal(X, X2)
    model = torch.nn.Linear(10, 1)
    v = lesson.torch_parameters(model)
    assert v.shape == (11,) and v.dtype == np.float64
    v[:] = 0
    assert not torch.all(model.weight == 0)               # a copy, not a view


@pytest.mark.parametrize("check, right, wrong", [
    (lesson.check_one_step, 1.2, 1.8),
    (lesson.check_sum_lr, 31.25, 0.1 / 32),
    (lesson.check_one_step_lr, 0.2, 0.5),
])
def test_exercise_checks(check, right, wrong):
    ok = check(right)
    assert ok and ok.correct and ok.message
    bad = check(wrong)
    assert not bad and bad.message
    assert not check(None) and not check("a word")
    assert "Correct" in ok._repr_html_() and "Not yet" in bad._repr_html_()


def test_exercise_answers_are_true():
    loss = lesson.bowl()
    one = lrlab.run(loss=loss, stepper=steppers.sgd(), x0=[1.5], lr=0.1, num_steps=1)
    assert lesson.check_one_step(one.params[1, 0])
    assert lrlab.run(loss=loss, stepper=steppers.sgd(), x0=[-1.3], lr=0.5, num_steps=1).params[1, 0] == 0.0
    from lrlab import losses
    shifted = losses.quadratic([lesson.ONE_STEP_CURVATURE], center=[lesson.ONE_STEP_CENTER])   # 2.5 (w - 1)**2
    assert np.isclose(shifted.value(np.array([0.0])), 2.5)
    landed = lrlab.run(loss=shifted, stepper=steppers.sgd(), x0=[[-1.3], [4.0]], lr=0.2, num_steps=1).params[1]
    assert lesson.check_one_step_lr(0.2) and np.allclose(landed, 1.0, atol=1e-12)
    mean = lrlab.run(loss=lesson.bowl(2.0), stepper=steppers.sgd(), x0=[1.0], lr=0.1, num_steps=10)
    # the sum of 32 copies (curvature x 32), in centimetres (u = 100 w: curvature / 100**2, start x 100)
    summed_cm = lrlab.run(loss=lesson.bowl(2.0 * 32 / 100**2), stepper=steppers.sgd(), x0=[100.0], lr=31.25,
                          num_steps=10)
    np.testing.assert_allclose(summed_cm.params / 100, mean.params, rtol=1e-12)
    assert lesson.check_sum_lr(31.25)


def test_a_rounded_answer_passes_and_a_wrong_one_does_not():
    assert lesson.check_sum_lr(31.3) and lesson.check_sum_lr(31.25) and lesson.check_sum_lr(31.2)
    assert not lesson.check_sum_lr(31.5) and not lesson.check_sum_lr(31.0) and not lesson.check_sum_lr(0.003125)
