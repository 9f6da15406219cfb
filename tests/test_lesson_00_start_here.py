"""Notebook 00: the demo explorer follows its slider and presets; the map figure draws; the check works."""

import numpy as np
import pytest

from lrlab import plotting
from lrlab.lessons import start_here as lesson


pytestmark = pytest.mark.usefixtures("no_warnings")


def test_demo_explorer_slider_range_and_presets():
    ex = lesson.demo_explorer()
    lo, hi = ex.lr_range
    seen = set()
    ex.set_lr(0.1)
    for lr in np.geomspace(lo, hi, 20):
        before = ex.artists["path"]["points"].get_xydata().copy()
        ex.set_lr(lr)
        after = ex.artists["path"]["points"].get_xydata()
        assert before.shape != after.shape or not np.array_equal(before, after)
        seen.add(ex.regime)
        if ex.lr > 1.0 + 1e-9:          # 2/L = 1
            assert ex.regime == "diverging"
        if ex.lr < 0.002:
            assert ex.regime == "slow"
    assert seen == {"slow", "converging", "oscillating", "diverging"}
    for button, (name, lr) in zip(ex.buttons, lesson.PRESETS.items()):
        button.click()
        expected = {"too small": "slow", "good": "converging"}.get(name, name)
        assert ex.regime == expected
        assert f'data-regime="{ex.regime}"' in ex.label.value


def test_map_figure_has_one_panel_per_lesson():
    fig, axes = lesson.map_figure()
    titles = [ax.get_title() for ax in axes.flat]
    assert titles == list(lesson.LESSONS.values())
    assert plotting.png_bytes(fig)[:4] == b"\x89PNG"


def test_check_edge():
    assert lesson.check_edge(1.0)
    assert not lesson.check_edge(2.0) and "past the limit" in lesson.check_edge(2.0).message
    assert not lesson.check_edge(None)
    assert not lesson.check_edge(1.04) and "diverges" in lesson.check_edge(1.04).message    # within 5%, but past 2/L
    assert lesson.check_edge(0.97) and lesson.check_edge(1.0005)                           # just below; rounded
