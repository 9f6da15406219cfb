"""The course's ideas on real torch models: a recording training loop and an LR range test.

:func:`train` runs an ordinary PyTorch loop (forward, backward, ``optimizer.step()``,
``scheduler.step()``) and records, for every step, the lr the optimizer used,
the batch loss, the global gradient norm and the update-to-weight ratio.
:func:`find_lr` is the learning-rate range test (Smith 2017, popularised by
fastai): raise the lr exponentially during a short run, watch the smoothed loss,
and put the model and the optimizer back as they were. :func:`small_mlp` builds
the small networks the notebooks train, reproducibly. :func:`top_eigenvalue` measures a
model's sharpness (the top Hessian eigenvalue) from Hessian-vector products, and
:class:`FlatParamsLoss` shows a torch loss to lrlab as a loss of one flat parameter vector.

This module imports torch; ``import lrlab`` does not import it. torch is the extra ``lrlab[torch]``:
without it, importing this module raises ``ModuleNotFoundError`` saying what to install.
Everything runs on the CPU; a fixed ``seed`` gives identical results run after run.
"""
from __future__ import annotations

import copy
import math
import sys
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

try:
    import torch
    from torch import nn
except ModuleNotFoundError as _e:      # torch is the extra lrlab[torch], not a requirement of lrlab itself
    if _e.name != "torch":
        raise
    raise ModuleNotFoundError(
        'This part of lrlab (lrlab.pytorch, and lessons 01, 03, 04, 08, 09 and 10, which train real torch '
        'models) needs PyTorch, which is not installed. Install it with:  pip install "lrlab[torch]"  '
        '(from a checkout: pip install -e ".[torch]"; for the small CPU-only build add '
        '--extra-index-url https://download.pytorch.org/whl/cpu), then restart the kernel.',
        name="torch") from None

from lrlab._validation import as_real_array, check_number
from lrlab.diagnostics import MovingAverage, suggest_lr

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = [
    "FlatParamsLoss",
    "LRFinderResult",
    "TrainingRecord",
    "accuracy",
    "find_lr",
    "small_mlp",
    "top_eigenvalue",
    "train",
]


# --------------------------------------------------------------------------- records

@dataclass
class TrainingRecord:
    """What :func:`train` measured, one entry per recorded step.

    Attributes:
        steps: int64 ``(k,)``, index ``t`` (0-based) of each recorded step.
        lr: float64 ``(k,)``, ``optimizer.param_groups[0]['lr']`` used by step ``t``.
        loss: float64 ``(k,)``, loss of the batch of step ``t``, before the update.
        grad_norm: float64 ``(k,)``, L2 norm of all gradients together, before the update.
        update_ratio: float64 ``(k,)``, ``||w_{t+1} - w_t|| / ||w_t||`` over all
            trainable parameters together.
        update_ratio_per_param: parameter name (as in ``model.named_parameters()``)
            -> float64 ``(k,)``, the same ratio for that tensor alone. A tensor that
            is exactly zero (a fresh bias) gives ``inf``, or ``nan`` if it also
            did not move.
        diverged: whether the loss became non-finite or blew up past
            ``divergence_threshold`` (see :func:`train`); training stopped there.
        diverged_at: the step whose loss was non-finite or too large, else ``None``. That step
            is recorded with its loss; no update was made, so its ``grad_norm``
            and update ratios are ``nan``.
        eval_steps: int64 ``(e,)``, number of updates done when ``eval_fn`` ran.
        eval_values: float64 ``(e,)``, what ``eval_fn`` returned.
        num_steps: the number of steps asked for.
    """

    steps: np.ndarray
    lr: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    update_ratio: np.ndarray
    update_ratio_per_param: dict[str, np.ndarray]
    diverged: bool
    diverged_at: int | None
    eval_steps: np.ndarray
    eval_values: np.ndarray
    num_steps: int


@dataclass
class LRFinderResult:
    """What :func:`find_lr` measured.

    Attributes:
        lrs: float64 ``(k,)``, lr of each iteration (an exponential ramp).
        losses: float64 ``(k,)``, raw batch loss of each iteration, before its update.
        smoothed: float64 ``(k,)``, bias-corrected exponential moving average of
            ``losses`` (``nan`` at a non-finite loss).
        suggestion: the suggested lr, inside ``[start_lr, end_lr]``.
        min_lr: lr at the minimum of ``smoothed``.
        min_lr_over_10: ``min_lr / 10``, the other common rule of thumb.
        rule: one sentence saying how ``suggestion`` was chosen.
        diverged: whether the test stopped early because the loss blew up.
        stop_reason: why the test ended, in words.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float
    min_lr: float
    min_lr_over_10: float
    rule: str
    diverged: bool
    stop_reason: str


# --------------------------------------------------------------------------- helpers

def _model_dtype(model: nn.Module) -> torch.dtype:
    for p in model.parameters():
        if p.is_floating_point():
            return p.dtype
    return torch.get_default_dtype()


def _as_tensor(a, name: str, dtype: torch.dtype) -> torch.Tensor:
    if isinstance(a, torch.Tensor):
        return a
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a tensor or a numeric numpy array, got {type(a).__name__}") from None
    if arr.dtype.kind == "f":
        return torch.as_tensor(arr, dtype=dtype)
    if arr.dtype.kind in "iu":
        return torch.as_tensor(arr.astype(np.int64, copy=False))
    if arr.dtype.kind == "b":
        return torch.as_tensor(arr)
    raise TypeError(f"{name} must be a tensor or a numeric numpy array, got dtype {arr.dtype}")


def _check_data(data, model: nn.Module, names=("data[0]", "data[1]")) -> tuple[torch.Tensor, torch.Tensor]:
    """``(X, y)`` as tensors; numpy floats take the model's dtype, integers become int64.

    ``names`` are the argument names used in messages (``("X", "Y")`` for functions taking them apart).
    """
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"data must be a pair (X, y) of tensors or numpy arrays, "
                        f"got {type(data).__name__}")
    dtype = _model_dtype(model)
    X = _as_tensor(data[0], names[0], dtype)
    y = _as_tensor(data[1], names[1], dtype)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0] or X.shape[0] == 0:
        raise ValueError(f"{names[0]} and {names[1]} must have the same number of rows (>= 1), "
                         f"got {names[0]}.shape={tuple(X.shape)}, {names[1]}.shape={tuple(y.shape)}")
    for name, t in zip(names, (X, y)):
        if (t.is_floating_point() or t.is_complex()) and not bool(torch.isfinite(t).all()):
            bad = ~torch.isfinite(t.detach())
            row = int(bad.reshape(len(t), -1).any(dim=1).nonzero()[0, 0])
            kind = "NaN" if bool(torch.isnan(t.detach()).any()) else "inf"
            n = int(bad.sum())
            raise ValueError(f"{name} contains {kind} (in row {row}; {n} non-finite value{'s' * (n > 1)} in all): "
                             "the losses would not be finite; fill in or drop those rows first")
    return X, y


def _check_model(model) -> list[torch.nn.Parameter]:
    """``model`` is an ``nn.Module`` with at least one trainable parameter; returns those parameters."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("model has no trainable parameters (every parameter has requires_grad=False, "
                         "or it has none): there is nothing for an lr to act on")
    return params


def _check_loss_fn(loss_fn) -> None:
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable as loss_fn(model(X), y) -> scalar tensor "
                        f"(e.g. torch.nn.MSELoss()), got {loss_fn!r}")


def _check_owns(optimizer: torch.optim.Optimizer, model: nn.Module) -> None:
    """The optimizer updates ``model``'s parameters (else training would not change the model)."""
    own = {id(p) for p in model.parameters()}
    opt_params = [p for g in optimizer.param_groups for p in g["params"]]
    if not opt_params or not all(id(p) in own for p in opt_params):
        raise ValueError("optimizer must be built over model's parameters, e.g. "
                         "torch.optim.SGD(model.parameters(), lr=0.1); it holds other tensors")


def _check_scheduler(scheduler, optimizer) -> None:
    if scheduler is None:
        return
    kinds = (torch.optim.lr_scheduler.LRScheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    if not isinstance(scheduler, kinds):
        raise TypeError(f"scheduler must be None or a torch.optim.lr_scheduler object built on optimizer "
                        f"(e.g. lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)), got {scheduler!r}")
    if getattr(scheduler, "optimizer", None) is not optimizer:
        raise ValueError("scheduler must be built on the optimizer passed to train(); it steps another one")


def _preflight(model: nn.Module, loss_fn, X: torch.Tensor, y: torch.Tensor, rows: int) -> None:
    """One forward pass and loss on the first ``rows`` rows, then the model put back exactly.

    Everything that could fail inside torch on the first step (data that does not fit the
    model, a loss_fn of the wrong kind, a loss that does not depend on the parameters) fails
    here, before any parameter, buffer (BatchNorm statistics) or random stream has moved.
    """
    saved = copy.deepcopy(model.state_dict())
    was_training = model.training
    xb, yb = X[:rows], y[:rows]
    try:
        with torch.random.fork_rng(devices=[]):
            model.train()
            try:
                out = model(xb)
            except Exception as err:
                raise ValueError(f"model(X) failed on data[0] of shape {tuple(xb.shape)} and dtype {xb.dtype}: "
                                 f"{type(err).__name__}: {err}") from err
            try:
                with warnings.catch_warnings():
                    # a warning here (torch's "target size different to input size") means the loss
                    # broadcasts y against model(X): a silent wrong result on every step
                    warnings.simplefilter("error")
                    loss = loss_fn(out, yb)
            except Exception as err:
                raise ValueError(f"loss_fn(model(X), y) failed with data[1] of shape {tuple(yb.shape)} and "
                                 f"dtype {yb.dtype} (model(X) has shape {tuple(out.shape)}): "
                                 f"{type(err).__name__}: {err}") from err
            if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
                raise ValueError("loss_fn(model(X), y) must return a scalar tensor (use reduction='mean' or "
                                 f"'sum'), got {type(loss).__name__}"
                                 + (f" of shape {tuple(loss.shape)}" if isinstance(loss, torch.Tensor) else ""))
            if not loss.requires_grad:
                raise ValueError("loss_fn(model(X), y) does not depend on the model's trainable parameters "
                                 "(it returned a tensor without grad): nothing can be trained")
    finally:
        with torch.no_grad():
            model.load_state_dict(saved)
        model.train(was_training)


def _check_batch_size(batch_size, n: int):
    if batch_size is None:
        return None
    return check_number("batch_size", batch_size, low=1, high=n, integer=True)


class _Batches:
    """Minibatches without replacement: a fresh permutation (from ``generator``) per epoch.

    The tail of a permutation that is shorter than a batch is dropped, so every
    batch has ``batch_size`` rows. ``batch_size=None`` gives the full data set.
    """

    def __init__(self, X, y, batch_size, seed):
        self.X, self.y, self.batch_size = X, y, batch_size
        self.generator = torch.Generator().manual_seed(seed)
        self.order = None
        self.pos = 0

    def next(self):
        if self.batch_size is None:
            return self.X, self.y
        n = self.X.shape[0]
        if self.order is None or self.pos + self.batch_size > n:
            self.order = torch.randperm(n, generator=self.generator)
            self.pos = 0
        idx = self.order[self.pos:self.pos + self.batch_size]
        self.pos += self.batch_size
        return self.X[idx], self.y[idx]


def _scalar_loss(loss_fn, model, xb, yb) -> torch.Tensor:
    loss = loss_fn(model(xb), yb)
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise ValueError("loss_fn(model(X), y) must return a scalar tensor "
                         "(use reduction='mean' or 'sum')")
    return loss.reshape(())


def _lr_of(group) -> float:
    lr = group["lr"]
    return float(lr.item()) if isinstance(lr, torch.Tensor) else float(lr)


def _set_lr(optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        if isinstance(group["lr"], torch.Tensor):
            group["lr"].fill_(lr)
        else:
            group["lr"] = lr


def _global_grad_norm(params) -> float:
    """sqrt of the sum of squared gradient entries over all tensors, accumulated in float64."""
    total = 0.0
    for p in params:
        if p.grad is not None:
            total += float(p.grad.detach().double().pow(2).sum())
    return math.sqrt(total)


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")  # never import IPython just to ask
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


class _Progress:
    """A minimal progress bar: an ipywidgets bar in a notebook, a text line on a terminal.

    When ``enabled`` is false, or when neither a notebook nor a terminal (stderr a
    tty) is there to show it, every method does nothing.
    """

    def __init__(self, total: int, description: str, enabled: bool):
        self.total = max(int(total), 1)
        self.every = max(1, self.total // 100)
        self.description = description
        self.widget = self.label = None
        self.text = False
        if not enabled:
            return
        if _in_notebook():
            try:
                import ipywidgets
                from IPython.display import display
            except ImportError:
                self.text = True
            else:
                self.widget = ipywidgets.IntProgress(value=0, min=0, max=self.total,
                                                     description=description)
                self.label = ipywidgets.Label(value="")
                display(ipywidgets.HBox([self.widget, self.label]))
                return
        self.text = self.text or sys.stderr.isatty()

    def update(self, done: int, info: str = "", force: bool = False) -> None:
        if not (force or done % self.every == 0 or done == self.total):
            return
        if self.widget is not None:
            self.widget.value = min(done, self.total)
            self.label.value = f"{done}/{self.total} {info}"
        elif self.text:
            width = 30
            filled = int(width * min(done, self.total) / self.total)
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\r{self.description} [{bar}] {done}/{self.total} {info}")
            sys.stderr.flush()

    def close(self, failed: bool = False) -> None:
        if self.widget is not None:
            self.widget.bar_style = "danger" if failed else "success"
            if failed:
                self.label.value += " (diverged)"
        elif self.text:
            sys.stderr.write(" (diverged)\n" if failed else "\n")
            sys.stderr.flush()


# --------------------------------------------------------------------------- train

def train(model: nn.Module, loss_fn: Callable, data: tuple, optimizer: torch.optim.Optimizer,
          scheduler: Any = None, num_steps: int = 100, batch_size: int | None = None,
          seed: int = 0, record_every: int = 1, eval_fn: Callable | None = None,
          eval_every: int | None = None, progress: bool = False,
          divergence_threshold: float = 1e10) -> TrainingRecord:
    r"""Train ``model`` for ``num_steps`` optimizer steps and record what the lr does.

    Each step ``t`` is the usual PyTorch loop, in this order::

        xb, yb = next batch;  optimizer.zero_grad()
        loss = loss_fn(model(xb), yb);  loss.backward()
        optimizer.step();  scheduler.step()          # scheduler: once per step

    and records, when ``t % record_every == 0``,

    .. math::
        \eta_t = \text{param\_groups[0]['lr']},\quad
        \|g_t\| = \Big(\sum_p \|\nabla_p L\|^2\Big)^{1/2},\quad
        r_t = \frac{\|w_{t+1}-w_t\|}{\|w_t\|}

    (``r_t`` over all trainable parameters, and per tensor). A
    ``ReduceLROnPlateau`` scheduler is given the batch loss. A run has diverged
    when a loss is not finite or exceeds ``divergence_threshold * (1 + |L_0|)``
    (``L_0`` the first batch's loss), the same rule as :func:`lrlab.run`: a
    cross-entropy of 1e21 is a blown-up run, not a number to report. It then
    stops before updating, sets ``diverged``, and returns what it recorded; it
    never raises for that.

    Reproducibility: batches come from a ``torch.Generator`` seeded with ``seed``
    (a new permutation of the rows each epoch; the incomplete last batch is
    dropped). Anything else random in the model (dropout) draws from torch's
    global generator, which is seeded with ``seed`` inside ``torch.random.fork_rng``,
    so the caller's random stream is left as it was. Same seed, same record.

    Args:
        model: the network; trained in place, left in the train/eval mode it had.
        loss_fn: ``loss_fn(model(X), y)`` -> scalar tensor, e.g. ``nn.MSELoss()``.
        data: ``(X, y)``, tensors or numpy arrays with the same first dimension
            ``n``, finite (no NaN or inf). Float numpy arrays take the model's dtype, integer ones int64.
        optimizer: a ``torch.optim`` optimizer over ``model``'s parameters.
        scheduler: an optional ``torch.optim.lr_scheduler`` object for ``optimizer``.
        num_steps: number of optimizer steps (>= 0).
        batch_size: rows per minibatch in ``[1, n]``; ``None`` = full batch (GD).
        seed: seed for the batch order and the global torch RNG (>= 0).
        record_every: record one step in ``record_every`` (>= 1).
        eval_fn: optional ``eval_fn(model) -> float`` (e.g. test accuracy, see
            :func:`accuracy`), run in eval mode under ``torch.no_grad()`` before
            training, every ``eval_every`` updates and after the last one.
        eval_every: updates between evaluations; ``None`` = only before and after.
        progress: show a progress bar (ipywidgets in a notebook, text on a terminal).
        divergence_threshold: the blow-up factor above (see above, > 0);
            ``math.inf`` stops only at a non-finite loss (to watch an overflow).

    Returns:
        A :class:`TrainingRecord`.
    """
    num_steps = check_number("num_steps", num_steps, low=0, integer=True)
    if not (isinstance(divergence_threshold, (int, float)) and not isinstance(divergence_threshold, bool)
            and divergence_threshold > 0):        # math.inf is allowed: stop at a non-finite loss only
        raise ValueError(f"divergence_threshold must be a positive number (math.inf to stop only at a "
                         f"non-finite loss), got {divergence_threshold=!r}")
    seed = check_number("seed", seed, low=0, integer=True)
    record_every = check_number("record_every", record_every, low=1, integer=True)
    if eval_every is not None:
        eval_every = check_number("eval_every", eval_every, low=1, integer=True)
    if eval_fn is not None and not callable(eval_fn):
        raise TypeError(f"eval_fn must be callable (model -> float), got {eval_fn!r}")
    _check_model(model)
    _check_loss_fn(loss_fn)
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, "
                        f"got {type(optimizer).__name__}")
    _check_owns(optimizer, model)
    _check_scheduler(scheduler, optimizer)
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    X, y = _check_data(data, model)
    batch_size = _check_batch_size(batch_size, X.shape[0])
    if num_steps:
        _preflight(model, loss_fn, X, y, batch_size or X.shape[0])

    named = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    params = [p for _, p in named]
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)

    rows = []  # (t, lr, loss, grad_norm, update_ratio) per recorded step
    per_param = {name: [] for name, _ in named}
    eval_steps, eval_values = [], []
    diverged_at = None

    def evaluate(done):
        model.eval()
        try:
            with torch.no_grad():
                eval_values.append(float(eval_fn(model)))
        finally:
            model.train()
        eval_steps.append(done)

    was_training = model.training
    bar = _Progress(num_steps, "train", progress)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        batches = _Batches(X, y, batch_size, seed)
        model.train()
        try:
            if eval_fn is not None:
                evaluate(0)
            for t in range(num_steps):
                xb, yb = batches.next()
                lr = _lr_of(optimizer.param_groups[0])
                optimizer.zero_grad(set_to_none=True)
                loss = _scalar_loss(loss_fn, model, xb, yb)
                loss_value = float(loss.detach())
                if t == 0:
                    ceiling = divergence_threshold * (1.0 + abs(loss_value))
                if not math.isfinite(loss_value) or loss_value > ceiling:
                    diverged_at = t
                    rows.append((t, lr, loss_value, math.nan, math.nan))
                    for name in per_param:
                        per_param[name].append(math.nan)
                    break
                loss.backward()
                record = t % record_every == 0
                if record:
                    grad_norm = _global_grad_norm(params)
                    before = [p.detach().clone() for p in params]
                optimizer.step()
                if record:
                    dw2 = w2 = 0.0
                    for (name, p), old in zip(named, before):
                        d2 = float((p.detach() - old).double().pow(2).sum())
                        o2 = float(old.double().pow(2).sum())
                        per_param[name].append(_ratio(d2, o2))
                        dw2 += d2
                        w2 += o2
                    rows.append((t, lr, loss_value, grad_norm, _ratio(dw2, w2)))
                if scheduler is not None:
                    if plateau:
                        scheduler.step(loss_value)
                    else:
                        scheduler.step()
                done = t + 1
                if eval_fn is not None and (done == num_steps
                                            or (eval_every and done % eval_every == 0)):
                    evaluate(done)
                bar.update(done, f"loss {loss_value:.4g}")
        finally:
            model.train(was_training)
            bar.close(failed=diverged_at is not None)

    columns = list(zip(*rows)) if rows else [()] * 5
    steps, lrs, losses, grad_norms, ratios = (np.array(c, dtype=np.float64) for c in columns)
    return TrainingRecord(
        steps=steps.astype(np.int64), lr=lrs, loss=losses,
        grad_norm=grad_norms, update_ratio=ratios,
        update_ratio_per_param={name: np.asarray(v, dtype=np.float64)
                                for name, v in per_param.items()},
        diverged=diverged_at is not None, diverged_at=diverged_at,
        eval_steps=np.asarray(eval_steps, dtype=np.int64),
        eval_values=np.asarray(eval_values, dtype=np.float64),
        num_steps=num_steps)


def _ratio(delta_sq: float, weight_sq: float) -> float:
    """sqrt(delta_sq / weight_sq) with IEEE results for a zero weight (inf, or nan for 0/0)."""
    if weight_sq == 0.0:
        return math.nan if delta_sq == 0.0 or math.isnan(delta_sq) else math.inf
    return math.sqrt(delta_sq / weight_sq)


def accuracy(model: nn.Module, X: Any, y: Any) -> float:
    """Fraction of rows whose predicted class equals ``y``, computed without gradients.

    The prediction is the argmax of the last dimension of ``model(X)``; a model
    with a single output is read as a logit (class 1 when it is > 0).
    Handy as ``eval_fn=lambda m: accuracy(m, X_test, y_test)`` in :func:`train`.
    """
    _check_model(model)
    X, y = _check_data((X, y), model, ("X", "y"))
    with torch.no_grad():
        out = model(X)
    if out.ndim == 1 or out.shape[-1] == 1:
        pred = (out.reshape(-1) > 0).long()
    else:
        pred = out.argmax(dim=-1)
    return float((pred == y.reshape(pred.shape).long()).double().mean())


# --------------------------------------------------------------------------- find_lr

def find_lr(model: nn.Module, loss_fn: Callable, data: tuple, optimizer: torch.optim.Optimizer | None = None, *,
            start_lr: float = 1e-7, end_lr: float = 10.0, num_iter: int = 100,
            batch_size: int | None = None, smooth: float = 0.98,
            diverge_factor: float = 4.0, seed: int = 0,
            progress: bool = False) -> LRFinderResult:
    r"""Learning-rate range test: train briefly while the lr grows exponentially.

    Iteration ``i = 0 .. num_iter-1`` sets every param group's lr to

    .. math:: \eta_i = \eta_s\,(\eta_e/\eta_s)^{i/(n-1)},\quad
              \eta_s = \text{start\_lr},\ \eta_e = \text{end\_lr},\ n = \text{num\_iter}

    takes one optimizer step on a batch, and records the batch loss ``l_i``
    (before the step) and its bias-corrected moving average

    .. math:: a_i = \beta a_{i-1} + (1-\beta) l_i,\quad s_i = a_i / (1-\beta^{i+1}),\quad a_{-1}=0

    with ``beta = smooth``. The test stops early when ``s_i > diverge_factor *
    min_j s_j`` or a loss is not finite (losses are assumed positive).

    The suggestion is the lr where ``s`` falls fastest against ``log10(lr)``
    (``np.gradient``), among iterations ``num_iter // 10`` (the first ones are
    skipped: their average holds too few losses to be trusted) up to the minimum
    of ``s``; if fewer than three points are left (also when the test stopped
    before iteration ``num_iter // 10``) or none falls, it is ``min_lr / 10``
    (clipped to ``start_lr``); if no loss was finite, ``start_lr``. ``rule``
    says which applied.

    Read the suggestion as a starting point, not a guarantee. Each lr is used for
    one step only, and with ``smooth=0.98`` the average spans about 50
    iterations, so ``s`` lags the raw loss: with few iterations the steepest
    fall can sit right next to the minimum, where a full run is unstable.
    More iterations, a narrower ``[start_lr, end_lr]`` or ``min_lr_over_10``
    are the remedies; plot ``losses`` and ``smoothed`` and look.

    Afterwards the model's parameters, buffers and gradients, its train/eval
    mode, the optimizer's state and hyperparameters (lr included) and torch's
    global RNG are restored, whether the test finished, stopped early or raised.

    Args:
        model: the network to probe.
        loss_fn: ``loss_fn(model(X), y)`` -> scalar tensor.
        data: ``(X, y)`` as in :func:`train`.
        optimizer: a ``torch.optim.Optimizer`` over ``model``'s parameters (its
            state is saved and restored), a factory ``params -> optimizer`` (e.g.
            ``lambda p: torch.optim.SGD(p, lr=1.0, momentum=0.9)``; the lr given
            there is overridden), or ``None`` for plain SGD.
        start_lr: first lr, > 0.
        end_lr: last lr, > ``start_lr``.
        num_iter: number of iterations (>= 2).
        batch_size: rows per minibatch, ``None`` = full batch.
        smooth: moving-average coefficient ``beta`` in [0, 1); 0 = no smoothing.
        diverge_factor: stop when the smoothed loss exceeds this multiple of its
            best value (> 1).
        seed: seed for the batch order and torch's global RNG.
        progress: show a progress bar (see :func:`train`).

    Returns:
        An :class:`LRFinderResult`.
    """
    start_lr = check_number("start_lr", start_lr, low=0.0, low_inclusive=False)
    end_lr = check_number("end_lr", end_lr, low=0.0, low_inclusive=False, high=1e30)  # a float32 lr
    if not end_lr > start_lr:
        raise ValueError(f"end_lr must be greater than start_lr, got start_lr={start_lr!r}, "
                         f"end_lr={end_lr!r}")
    num_iter = check_number("num_iter", num_iter, low=2, integer=True)
    smooth = check_number("smooth", smooth, low=0.0, high=1.0, high_inclusive=False)
    diverge_factor = check_number("diverge_factor", diverge_factor, low=1.0, low_inclusive=False)
    seed = check_number("seed", seed, low=0, integer=True)
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    _check_model(model)
    _check_loss_fn(loss_fn)
    X, y = _check_data(data, model)
    batch_size = _check_batch_size(batch_size, X.shape[0])
    if not (optimizer is None or isinstance(optimizer, torch.optim.Optimizer) or callable(optimizer)):
        raise TypeError(f"optimizer must be None, a torch.optim.Optimizer or a factory "
                        f"params -> optimizer, got {type(optimizer).__name__}")
    _preflight(model, loss_fn, X, y, batch_size or X.shape[0])

    if optimizer is None:
        opt = torch.optim.SGD(model.parameters(), lr=start_lr)
    elif isinstance(optimizer, torch.optim.Optimizer):
        opt = optimizer
    elif callable(optimizer):
        opt = optimizer(model.parameters())
        if not isinstance(opt, torch.optim.Optimizer):
            raise TypeError(f"optimizer factory must return a torch.optim.Optimizer, "
                            f"got {type(opt).__name__}")
    _check_owns(opt, model)

    ramp = start_lr * (end_lr / start_lr) ** (np.arange(num_iter) / (num_iter - 1))
    ramp[-1] = end_lr  # exactly, not end_lr up to rounding
    lrs, losses, smoothed = [], [], []
    stop_reason = f"completed {num_iter} iterations"
    diverged = False

    saved_model = copy.deepcopy(model.state_dict())
    state_names = set(saved_model)
    saved_extra_buffers = {name: b.detach().clone() for name, b in model.named_buffers()
                           if name not in state_names}
    saved_grads = [None if p.grad is None else p.grad.detach().clone() for p in model.parameters()]
    saved_opt = copy.deepcopy(opt.state_dict())
    was_training = model.training
    bar = _Progress(num_iter, "find_lr", progress)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            batches = _Batches(X, y, batch_size, seed)
            model.train()
            avg, best = MovingAverage(smooth), math.inf
            for i, lr in enumerate(ramp.tolist()):
                _set_lr(opt, lr)
                xb, yb = batches.next()
                opt.zero_grad(set_to_none=True)
                loss = _scalar_loss(loss_fn, model, xb, yb)
                value = float(loss.detach())
                lrs.append(lr)
                losses.append(value)
                if not math.isfinite(value):
                    smoothed.append(math.nan)
                    diverged, stop_reason = True, f"loss not finite at iteration {i}"
                    break
                s = avg.update(value)
                smoothed.append(s)
                best = min(best, s)
                if s > diverge_factor * best:
                    diverged = True
                    stop_reason = (f"smoothed loss {s:.4g} > {diverge_factor:g} x best "
                                   f"{best:.4g} at iteration {i}")
                    break
                loss.backward()
                opt.step()
                bar.update(i + 1, f"lr {lr:.2e} loss {s:.4g}")
    finally:
        bar.close(failed=diverged)
        with torch.no_grad():
            model.load_state_dict(saved_model)
            for name, b in model.named_buffers():
                if name in saved_extra_buffers:
                    b.copy_(saved_extra_buffers[name])
            for p, g in zip(model.parameters(), saved_grads):
                p.grad = g
        opt.load_state_dict(saved_opt)
        model.train(was_training)

    lrs_a = np.asarray(lrs, dtype=np.float64)
    smoothed_a = np.asarray(smoothed, dtype=np.float64)
    # a test that stopped before iteration num_iter // 10 has too few points for the steepest-descent rule
    suggestion, min_lr, rule = suggest_lr(lrs_a, smoothed_a, skip=min(num_iter // 10, len(lrs_a) - 1))
    return LRFinderResult(lrs=lrs_a, losses=np.asarray(losses, dtype=np.float64),
                          smoothed=smoothed_a, suggestion=suggestion, min_lr=min_lr,
                          min_lr_over_10=min_lr / 10.0, rule=rule, diverged=diverged,
                          stop_reason=stop_reason)


# --------------------------------------------------------------------------- models

def small_mlp(in_features: int, hidden: tuple[int, ...] = (64,), out_features: int = 1, *, seed: int = 0,
              norm: str | None = None, init_scale: float = 1.0,
              activation: str = "relu") -> nn.Sequential:
    r"""A small multilayer perceptron, built the same way for the same ``seed``.

    Layout, for each width ``h`` in ``hidden``: ``Linear -> [BatchNorm1d | LayerNorm]
    -> activation``; then a final ``Linear`` to ``out_features``. Weights are drawn as

    .. math:: W_{ij} \sim \mathcal N\big(0,\ (s\cdot g)^2 / \text{fan\_in}\big),\quad
              s = \text{init\_scale},\ g = \text{gain}

    with ``gain = nn.init.calculate_gain(activation)`` for hidden layers (He
    initialisation for ReLU) and 1 for the output layer; biases start at 0.
    ``init_scale = 1`` keeps the activations' scale roughly constant through the
    layers; smaller values make signals and gradients vanish, larger ones make
    them explode, which is what the initialisation lesson shows. (This differs
    from torch's default ``nn.Linear`` initialisation on purpose.)

    The parameters are drawn inside ``torch.random.fork_rng`` after
    ``torch.manual_seed(seed)``, so the caller's global RNG state is unchanged.

    Args:
        in_features: input width (>= 1).
        hidden: width of each hidden layer, an int or a sequence of ints (may be empty).
        out_features: output width (>= 1).
        seed: seed of the initialisation (>= 0).
        norm: ``None``, ``'batch'`` (BatchNorm1d) or ``'layer'`` (LayerNorm).
        init_scale: multiplier of the weights' standard deviation (> 0).
        activation: ``'relu'`` or ``'tanh'``.

    Returns:
        An ``nn.Sequential`` in the default dtype, in train mode.
    """
    in_features = check_number("in_features", in_features, low=1, integer=True)
    out_features = check_number("out_features", out_features, low=1, integer=True)
    seed = check_number("seed", seed, low=0, integer=True)
    # at most 1e6: far past any explosion the lesson shows, and float32 weights stay finite
    init_scale = check_number("init_scale", init_scale, low=0.0, low_inclusive=False, high=1e6)
    if isinstance(hidden, (bool, np.bool_)) or not isinstance(hidden, (int, np.integer, list, tuple, range)):
        raise TypeError(f"hidden must be an int or a list/tuple of ints (the hidden widths), got hidden={hidden!r}")
    widths = [hidden] if isinstance(hidden, (int, np.integer)) else list(hidden)
    widths = [check_number(f"hidden[{k}]", h, low=1, integer=True) for k, h in enumerate(widths)]
    if norm is not None and (not isinstance(norm, str) or norm not in ("batch", "layer")):
        raise ValueError(f"norm must be None, 'batch' or 'layer', got norm={norm!r}")
    acts = {"relu": nn.ReLU, "tanh": nn.Tanh}
    if not isinstance(activation, str) or activation not in acts:
        raise ValueError(f"activation must be 'relu' or 'tanh', got activation={activation!r}")
    gain = nn.init.calculate_gain(activation)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers: list[nn.Module] = []
        width = in_features
        for h in widths:
            layers.append(_linear(width, h, init_scale * gain))
            if norm == "batch":
                layers.append(nn.BatchNorm1d(h))
            elif norm == "layer":
                layers.append(nn.LayerNorm(h))
            layers.append(acts[activation]())
            width = h
        layers.append(_linear(width, out_features, init_scale))
    return nn.Sequential(*layers)


def _linear(fan_in: int, fan_out: int, std_factor: float) -> nn.Linear:
    layer = nn.Linear(fan_in, fan_out)
    with torch.no_grad():
        layer.weight.normal_(0.0, std_factor / math.sqrt(fan_in))
        layer.bias.zero_()
    return layer


# --------------------------------------------------------------------------- sharpness

def top_eigenvalue(model: nn.Module, loss_fn: Callable, X: Any, Y: Any, v: Any = None,
                   iters: int = 20) -> tuple[float, Any]:
    r"""Power iteration on Hessian-vector products: :math:`v \leftarrow Hv/\lVert Hv\rVert`, :math:`\lambda = v^\top H v`.

    ``Hv`` is the gradient of :math:`g(w)^\top v` (double backward through ``torch.autograd``), so the
    Hessian of ``loss_fn(model(X), Y)`` with respect to the trainable parameters is never formed.
    Power iteration finds the eigenvalue of largest size (for a network near a minimum, the top,
    positive one). ``v`` (a flat tensor, one entry per parameter) warm-starts it; by default a
    random vector seeded with 0.

    Returns:
        ``(lambda, v)``: the estimate after ``iters`` steps (a float) and the last unit vector
        (detached), to pass back in as ``v`` the next time.
    """
    iters = check_number("iters", iters, low=1, integer=True)
    params = _check_model(model)
    _check_loss_fn(loss_fn)
    X, Y = _check_data((X, Y), model, ("X", "Y"))
    _preflight(model, loss_fn, X, Y, X.shape[0])
    n_params = sum(p.numel() for p in params)
    if v is not None:
        if not isinstance(v, torch.Tensor):
            v = _as_tensor(v, "v", params[0].dtype)
        if v.shape != (n_params,) or not v.is_floating_point():
            raise ValueError(f"v must be a flat float tensor with one entry per trainable parameter, "
                             f"shape ({n_params},), got shape {tuple(v.shape)} and dtype {v.dtype}")
        if not bool(torch.isfinite(v).all()) or float(v.norm()) == 0.0:
            raise ValueError("v must be finite and non-zero (it is normalised to a unit vector)")
    loss = loss_fn(model(X), Y)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    flat = torch.cat([g.reshape(-1) for g in grads])
    if v is None:
        v = torch.randn(flat.numel(), generator=torch.Generator().manual_seed(0), dtype=flat.dtype)
    v = v / v.norm()
    lam = 0.0
    for _ in range(iters):
        hv = torch.cat([h.reshape(-1) for h in torch.autograd.grad(flat @ v, params, retain_graph=True)])
        lam = float(v @ hv)
        norm = hv.norm()
        if float(norm) == 0.0 or not math.isfinite(float(norm)):   # H v = 0: v is in the null space
            break
        v = hv / norm
    return lam, v.detach()


class FlatParamsLoss:
    """A torch loss seen as a lrlab loss of the flattened parameter vector (numpy in, numpy out).

    ``value(x)`` and ``grad(x)`` load ``x`` into a private copy of ``model``
    (``torch.nn.utils.vector_to_parameters``) and evaluate ``loss_fn(model(X), Y)``, so lrlab's
    numpy tools can measure a network: ``lrlab.diagnostics.sharpness(FlatParamsLoss(...), x)``
    (finite-difference power iteration) checks :func:`top_eigenvalue`. ``point()`` is the
    model's parameters as that vector. One point at a time (no batch axis).
    """

    def __init__(self, model: nn.Module, loss_fn: Callable, X: torch.Tensor | ArrayLike, Y: torch.Tensor | ArrayLike):
        _check_model(model)
        _check_loss_fn(loss_fn)
        X, Y = _check_data((X, Y), model, ("X", "Y"))
        _preflight(model, loss_fn, X, Y, X.shape[0])
        self.model = copy.deepcopy(model)
        self.loss_fn, self.X, self.Y = loss_fn, X, Y
        self.params = [p for p in self.model.parameters()]
        self.dim = sum(p.numel() for p in self.params)

    def __repr__(self):
        return f"FlatParamsLoss(dim={self.dim}, loss_fn={getattr(self.loss_fn, '__name__', self.loss_fn)!r})"

    def point(self) -> np.ndarray:
        """The model's parameters, flattened (a numpy copy)."""
        return torch.nn.utils.parameters_to_vector(self.params).detach().numpy().copy()

    def _at(self, x):
        """(value, grad) at one point x of shape (dim,) or (1, ..., 1, dim): value of shape x.shape[:-1]."""
        arr = as_real_array("x", x, what=f"a point of real numbers, shape ({self.dim},)")
        if arr.ndim == 0 or arr.shape[-1] != self.dim or arr.size != self.dim:
            raise ValueError(f"x must be one point of shape ({self.dim},) (or (1, {self.dim})): FlatParamsLoss "
                             f"evaluates one point at a time; got shape {arr.shape}")
        dtype = self.params[0].dtype
        torch.nn.utils.vector_to_parameters(torch.tensor(np.array(arr.reshape(-1)), dtype=dtype), self.params)
        for p in self.params:
            p.grad = None
        loss = self.loss_fn(self.model(self.X), self.Y)
        grads = torch.autograd.grad(loss, self.params)
        g = torch.cat([g.reshape(-1) for g in grads]).detach().double().numpy().reshape(arr.shape)
        return np.full(arr.shape[:-1], float(loss.detach())), g

    def value_and_grad(self, x: ArrayLike) -> tuple[float | np.ndarray, np.ndarray]:
        f, g = self._at(x)
        return (float(f) if f.ndim == 0 else f), g

    def value(self, x: ArrayLike) -> float | np.ndarray:
        f = self._at(x)[0]
        return float(f) if f.ndim == 0 else f

    def grad(self, x: ArrayLike) -> np.ndarray:
        return self._at(x)[1]
