"""The small protocols that tie lrlab together: Stepper and Schedule."""
from __future__ import annotations

from typing import Any, Callable, NamedTuple, Protocol

import numpy as np


class Stepper(NamedTuple):
    """A pair of pure functions, as in optax, plus a name for plots.

    ``init(params) -> state`` with ``params`` of shape ``(*batch, d)``.
    ``update(grad, state, params, lr) -> (new_params, new_state)`` where ``lr``
    broadcasts against ``params`` (a float, or an array of shape ``(*batch, 1)``).
    Neither function mutates its arguments.

    ``update_into(grad, state, params, lr, out) -> new_state`` (optional) takes the
    same step but writes the new params into ``out`` (shaped like ``params``, aliasing
    none of the inputs) instead of a fresh array: ``lrlab.run`` passes a row of its
    record, which saves a copy per step. Same bits as ``update``.
    """

    init: Callable[[np.ndarray], Any]
    update: Callable[..., tuple[np.ndarray, Any]]
    name: str
    hyperparams: dict
    update_into: Callable[..., Any] | None = None


class Loss(Protocol):
    """What ``lrlab.run`` needs of a loss: both functions vectorized over leading axes."""

    def value(self, x: np.ndarray) -> np.ndarray: ...

    def grad(self, x: np.ndarray) -> np.ndarray: ...


class HasEigenvalues(Protocol):
    """A loss whose Hessian eigenvalues are known (lrlab's quadratic, least squares): what ``lrlab.theory`` reads."""

    eigenvalues: np.ndarray


class HasHessian(Protocol):
    """A loss with a closed-form Hessian, ``hessian(x)`` of shape ``(..., d, d)`` (``lrlab.steppers.newton``)."""

    def hessian(self, x: np.ndarray) -> np.ndarray: ...
