"""Notebook 00: the map figure draws; the check works (the demo explorer: tests/test_explorers.py)."""

import numpy as np
import pytest

from lrlab import plotting
from lrlab.lessons import start_here as lesson


pytestmark = pytest.mark.usefixtures("no_warnings")


def test_map_figure_has_one_panel_per_lesson():
    fig, axes = lesson.map_figure()
    titles = [ax.get_title() for ax in axes.flat if ax.get_visible()]
    assert titles == list(lesson.LESSONS.values())
    assert plotting.png_bytes(fig)[:4] == b"\x89PNG"


def test_check_edge():
    assert lesson.check_edge(0.8)
    assert not lesson.check_edge(2.0) and "past the limit" in lesson.check_edge(2.0).message
    assert not lesson.check_edge(None)
    assert not lesson.check_edge(1.0)                                                    # w²'s edge, not this one
    for past in (0.8 + 1e-9, 0.8005, 0.83):                                              # past 2/L, however close
        fb = lesson.check_edge(past)
        assert not fb and "past the limit" in fb.message and "blows up" in fb.message
    assert lesson.check_edge(0.78) and lesson.check_edge(0.7999)                         # just below


def test_check_edge_fits_the_slider_notches():
    """The notches around the edge: the one below converges and is accepted; the one above and anything
    between the edge and it is refused; a refusal never prints the limit itself (0.8000001 is not "0.8")."""
    ex = lesson.exercise_explorer()
    grid = 10 ** np.arange(ex.slider.min, ex.slider.max + 1e-12, ex.slider.step)
    below, above = grid[grid < 0.8].max(), grid[grid > 0.8].min()
    for lr, converges in ((below, True), (above, False)):
        ex.set_lr(lr)
        assert (ex.traj.loss[-1, ...] < ex.traj.loss[0, ...]) == converges
    assert lesson.check_edge(float(below)) and lesson.check_edge(round(float(below), 3))
    assert not lesson.check_edge(float(above)) and not lesson.check_edge((below + above) / 2)
    msg = lesson.check_edge(0.8000001).message
    assert "0.8000001 is past the limit" in msg and "0.8 is past" not in msg
    assert not lesson.check_edge(0.75)                                                   # too far below


def test_exercise_explorer_hides_the_theory():
    ex = lesson.exercise_explorer()
    assert "2/L" not in ex.theory.value and "1/L" not in ex.theory.value and "lr·L" not in ex.stats.value
    ex.set_lr(0.75)
    assert not ex.traj.diverged and "blew up" not in ex.stats.value
    ex.set_lr(1.2)
    assert "blew up" in ex.stats.value or ex.traj.loss[-1, ...] > ex.traj.loss[0, ...]


def test_map_figure_fits_a_column_and_needs_no_notebook():
    fig, axes = lesson.map_figure()
    assert fig.get_size_inches()[0] <= 9.0
    assert [ax.get_title() for ax in axes.flat][:len(lesson.LESSONS)] == list(lesson.LESSONS.values())
    assert "05_momentum" in lesson.LESSONS and "06_adaptive_optimizers" in lesson.LESSONS and len(lesson.LESSONS) == 11


def test_map_has_every_lesson_and_the_capstone_thumbnail_is_torchs_one_cycle():
    torch = pytest.importorskip("torch")
    fig, axes = lesson.map_figure()
    shown = [ax for ax in axes.flat if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == list(lesson.LESSONS.values())
    assert len(lesson.LESSONS) == len(lesson.THUMBNAILS) == 11
    ax10 = shown[-1]
    twin = next(a for a in fig.axes if a is not ax10 and a.bbox.bounds == ax10.bbox.bounds)
    lr, mom = ax10.get_lines()[0].get_ydata(), twin.get_lines()[0].get_ydata()
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.3, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.3, total_steps=len(lr), cycle_momentum=True)
    want_lr, want_mom = [], []
    for t in range(len(lr)):
        want_lr.append(opt.param_groups[0]["lr"])
        want_mom.append(opt.param_groups[0]["momentum"])
        opt.step()
        if t < len(lr) - 1:
            sched.step()
    np.testing.assert_allclose(lr, want_lr, rtol=1e-12)
    np.testing.assert_allclose(mom, want_mom, rtol=1e-12)
