"""Small helpers shared by the lesson widget tests (tests/test_lesson_NN_*.py)."""
import numpy as np


def snapshot(artists):
    """Copies of the data of every Line2D in a list, to compare before and after a slider move."""
    return [np.array(a.get_xydata(), copy=True) for a in artists]


def changed(before, after):
    """True when any artist's data differs between two snapshots."""
    return any(b.shape != a.shape or not np.array_equal(b, a, equal_nan=True) for b, a in zip(before, after))


def regime_of(ex):
    """The regime an explorer's label shows (what the browser sees)."""
    assert 'class="lrlab-regime"' in ex.label.value
    return ex.label.value.split('data-regime="')[1].split('"')[0]


def snapped(slider, value) -> float:
    """``value`` as the slider holds it after ``set_lr``: on its grid, within half a step (log10) of it."""
    import math

    from lrlab.widgets import snap_to_slider
    got = snap_to_slider(slider, value)
    assert abs(math.log(got, slider.base) - math.log(value, slider.base)) <= slider.step / 2 + 1e-9, (value, got)
    return got
