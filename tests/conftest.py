"""Fixtures shared by the unit tests (the one place they are defined).

* ``no_warnings``: every warning is an error inside the test (lessons and explorers must
  show divergence as a result, never as a RuntimeWarning); a module opts in with
  ``pytestmark = pytest.mark.usefixtures("no_warnings")``.
* ``single_thread_torch``: torch on one thread, as the notebooks run it (float32 training
  near a stability edge depends on the order of the sums).
"""
import warnings

import pytest


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture
def single_thread_torch():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
