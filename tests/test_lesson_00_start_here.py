"""Notebook 00: the map figure draws; the check works (the demo explorer: tests/test_explorers.py)."""

import numpy as np
import pytest

from lrlab import plotting
from lrlab.lessons import start_here as lesson


pytestmark = pytest.mark.usefixtures("no_warnings")


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
