r"""Lesson 10, the capstone: tune a small network end to end (``notebooks/10_capstone.ipynb``).

Everything the course taught, on one real problem: the 8×8 handwritten digits that scikit-learn ships
(``lrlab.data.digits``), split into training, validation and test images; a 64-64-10 ReLU network
(``lrlab.pytorch.small_mlp``, float64) trained by SGD with momentum (``lrlab.pytorch.train``, which
records the lr, the gradient norm and the update-to-weight ratio at every step):

- the checks before training: the loss at initialisation against :math:`\ln 10`, overfitting one batch;
- the LR range test (``lrlab.pytorch.find_lr``) read with lesson 03's rules;
- a :class:`Recipe` (lr, schedule, batch size, epochs, weight decay) trained by :func:`train_recipe`,
  with training and validation curves measured after every epoch; the schedules are torch's own
  objects (``LinearLR`` + ``CosineAnnealingLR`` in a ``SequentialLR``, ``OneCycleLR`` with its
  momentum cycling);
- a random search over lr, weight decay and batch size, each configuration on several seeds;
- the live widget (:func:`explorer`): each move of the lr or the schedule trains a fresh network;
- the exercise checks, among them :func:`check_recipe`, which trains the student's whole recipe.

Runs are cached (one per recipe and seed), so a notebook and its checks train each run once.
This module imports torch, matplotlib and ipywidgets; it computes nothing at import.
"""
from __future__ import annotations

import functools
import math
import textwrap
from dataclasses import dataclass, field, replace

import numpy as np

from lrlab import data, diagnostics, plotting
from lrlab._validation import check_number
from lrlab import pytorch as lp
from lrlab.pytorch import nn, torch  # says what to install if torch is missing
from lrlab.exercises import Feedback, check_number_answer
from lrlab.explorer import Choice, Explorer, Panel
from lrlab.loop import Trajectory

__all__ = ["N_CLASSES", "HIDDEN", "LAST_SCALE", "SEEDS", "Splits", "splits", "net", "initial_loss",
           "overfit_one_batch", "SCHEDULES", "Recipe", "steps_of", "make_scheduler", "schedule_trace",
           "effective_step", "Result", "train_recipe", "train_seeds", "median_trace", "logit_scale", "RANGE_KW",
           "range_test", "rules",
           "nice_lr", "range_test_figure", "schedule_figure", "curves_figure", "seeds_figure", "diagnosis_figure",
           "summary", "SEARCH_SPACE", "Search", "sample_configs", "random_search", "search_figure", "NetRun",
           "explorer", "comeback", "LOSS_SHAPES", "loss_shape", "PRESETS", "presets_figure", "check_initial_loss", "check_effective_step",
           "MYSTERY", "mystery_runs", "mystery_figure", "check_diagnosis", "BUDGET_EPOCHS", "TARGET",
           "EXERCISE_SEEDS", "EXERCISE_HIDDEN", "check_recipe"]

C = plotting.PALETTE
N_CLASSES = 10
HIDDEN = (64,)
#: the last layer's initial weights are scaled by this (section 2: the loss at initialisation is then ln 10)
LAST_SCALE = 0.1
SEEDS = (0, 1, 2)


# --------------------------------------------------------------------------- data and network

@dataclass(frozen=True)
class Splits:
    """The digits cut in three, pixels standardized with the training part's mean and std (float64 tensors)."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_val: torch.Tensor
    y_val: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor

    def sizes(self) -> dict:
        return {"training": len(self.y_train), "validation": len(self.y_val), "test": len(self.y_test)}


@functools.lru_cache(maxsize=1)
def splits() -> Splits:
    """20% of the 1797 digits held out as a test set, then 25% of the rest as a validation set (seeded)."""
    X, y = data.digits()
    X_rest, X_test, y_rest, y_test = data.split(X, y, test_fraction=0.2, seed=0)
    X_train, X_val, y_train, y_val = data.split(X_rest, y_rest, test_fraction=0.25, seed=1)
    t = lambda a: torch.as_tensor(data.standardize(a, reference=X_train), dtype=torch.float64)  # noqa: E731
    return Splits(t(X_train), torch.as_tensor(y_train), t(X_val), torch.as_tensor(y_val),
                  t(X_test), torch.as_tensor(y_test))


def net(seed: int = 0, last_scale: float = LAST_SCALE, hidden=HIDDEN) -> nn.Sequential:
    """``small_mlp(64, hidden, 10, seed=seed)`` in float64, the last layer's weights multiplied by ``last_scale``."""
    model = lp.small_mlp(64, hidden, N_CLASSES, seed=seed).double()
    with torch.no_grad():
        model[-1].weight.mul_(last_scale)
    return model


def _loss_fn():
    return nn.CrossEntropyLoss()


def initial_loss(seed: int = 0, last_scale: float = LAST_SCALE) -> float:
    """The cross-entropy of a freshly built :func:`net` on the whole training set."""
    s = splits()
    with torch.no_grad():
        return float(_loss_fn()(net(seed, last_scale)(s.X_train), s.y_train))


@dataclass
class OverfitResult:
    """One batch learned by heart: the batch's loss per step, and the accuracy on it and on the validation set."""

    loss: np.ndarray
    batch_accuracy: float
    val_accuracy: float


def overfit_one_batch(seed: int = 0, size: int = 32, num_steps: int = 100, lr: float = 0.1) -> OverfitResult:
    """Full-batch SGD (momentum 0.9) on ``size`` training images drawn with ``seed``, for ``num_steps`` steps."""
    s = splits()
    idx = torch.randperm(len(s.y_train), generator=torch.Generator().manual_seed(seed))[:size]
    X, y = s.X_train[idx], s.y_train[idx]
    model = net(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    rec = lp.train(model, _loss_fn(), (X, y), opt, num_steps=num_steps, seed=seed)
    return OverfitResult(rec.loss, lp.accuracy(model, X, y), lp.accuracy(model, s.X_val, s.y_val))


# --------------------------------------------------------------------------- recipes

SCHEDULES = ("constant", "warmup-cosine", "one-cycle")
SCHEDULE_NAMES = {"constant": "constant lr", "warmup-cosine": "warm-up + cosine", "one-cycle": "one-cycle"}


@dataclass(frozen=True)
class Recipe:
    """Everything that decides a training run but the seed.

    Attributes:
        lr: the constant lr, or a schedule's peak.
        schedule: ``'constant'``; ``'warmup-cosine'`` (linear warm-up from lr/100 over the first
            ``warmup`` of the steps, then cosine decay to 0: ``LinearLR`` and ``CosineAnnealingLR`` in a
            ``SequentialLR``); ``'one-cycle'`` (``OneCycleLR(max_lr=lr, cycle_momentum=True)``: its lr
            rises from lr/25 over 30% of the steps and falls to lr/25/10⁴ while the momentum falls from
            0.95 to 0.85 and rises back).
        batch_size: images per step.
        epochs: passes over the training set; the number of steps is ``epochs * (n // batch_size)``.
        weight_decay: SGD's L2 weight decay.
        momentum: SGD's momentum (one-cycle overrides it with its own cycle).
        warmup: the warm-up's share of the steps (``'warmup-cosine'`` only).
        hidden: the hidden layers' widths.
    """

    lr: float
    schedule: str = "constant"
    batch_size: int = 64
    epochs: int = 10
    weight_decay: float = 0.0
    momentum: float = 0.9
    warmup: float = 0.1
    hidden: tuple = HIDDEN

    def __post_init__(self):
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got schedule={self.schedule!r}")

    @property
    def label(self) -> str:
        wd = f", wd {self.weight_decay:.2g}" if self.weight_decay else ""
        return f"{SCHEDULE_NAMES[self.schedule]}, lr {self.lr:.3g}, B {self.batch_size}{wd}"


def steps_of(recipe: Recipe) -> int:
    """The number of optimizer steps of ``recipe``: whole batches per epoch times epochs."""
    return recipe.epochs * (len(splits().y_train) // recipe.batch_size)


def make_scheduler(recipe: Recipe, optimizer, num_steps: int):
    """torch's scheduler for ``recipe`` on ``optimizer`` (None for a constant lr)."""
    sched = torch.optim.lr_scheduler
    if recipe.schedule == "constant":
        return None
    if recipe.schedule == "warmup-cosine":
        w = max(1, round(recipe.warmup * num_steps))
        return sched.SequentialLR(optimizer, [sched.LinearLR(optimizer, start_factor=0.01, total_iters=w),
                                              sched.CosineAnnealingLR(optimizer, T_max=num_steps - w)],
                                  milestones=[w])
    return sched.OneCycleLR(optimizer, max_lr=recipe.lr, total_steps=num_steps, cycle_momentum=True)


def _optimizer(recipe: Recipe, params):
    return torch.optim.SGD(params, lr=recipe.lr, momentum=recipe.momentum, weight_decay=recipe.weight_decay)


def schedule_trace(recipe: Recipe) -> tuple[np.ndarray, np.ndarray]:
    """``(lr, momentum)`` of every step of ``recipe``, read from torch's scheduler on a dummy parameter."""
    n = steps_of(recipe)
    opt = _optimizer(recipe, [torch.zeros(1, requires_grad=True)])
    sch = make_scheduler(recipe, opt, n)
    lrs, moms = [], []
    for _ in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        if sch is not None:
            sch.step()
    return np.array(lrs), np.array(moms)


def effective_step(recipe: Recipe) -> float:
    r"""The largest :math:`\eta_t / (1 - \beta_t)` over the run: how far heavy-ball momentum carries a step
    at the peak (a steady gradient moves the weights by this times the gradient per step)."""
    lrs, moms = schedule_trace(recipe)
    return float(np.max(lrs / (1.0 - moms)))


@dataclass
class Result:
    """One trained recipe on one seed.

    ``record`` is :func:`lrlab.pytorch.train`'s record (per step: lr, batch loss, gradient norm,
    update-to-weight ratio). The curves are measured before training and after every epoch (index 0 is
    the start): ``train_loss`` on the whole training set, ``val_loss`` and ``val_acc`` on the validation
    set, and ``weights`` the network's weights (flattened) at the same moments. A run that blew up stops
    early: its curves end there and ``diverged`` is True.
    """

    recipe: Recipe
    seed: int
    record: lp.TrainingRecord
    epochs: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    val_acc: np.ndarray
    weights: np.ndarray = field(repr=False)     # (e, P): all weights, flattened, when each curve point was measured
    model: nn.Module = field(repr=False)

    @property
    def diverged(self) -> bool:
        return bool(self.record.diverged)

    @property
    def final(self) -> dict:
        """The last measurements: training loss, validation loss and accuracy (NaN if the run blew up)."""
        if self.diverged:
            return {"train_loss": math.nan, "val_loss": math.nan, "val_acc": math.nan}
        return {"train_loss": float(self.train_loss[-1]), "val_loss": float(self.val_loss[-1]),
                "val_acc": float(self.val_acc[-1])}

    def test_accuracy(self) -> float:
        """Accuracy on the test set (used once, at the end of the lesson)."""
        s = splits()
        return lp.accuracy(self.model, s.X_test, s.y_test)


def train_recipe(recipe: Recipe, seed: int = 0) -> Result:
    """Train :func:`net` (``recipe.hidden``, ``seed``) on the training images with ``recipe``; the batch order
    comes from ``seed`` too. Cached: the same recipe and seed give the same (shared) result."""
    if not isinstance(recipe, Recipe):
        raise TypeError(f"recipe must be a capstone.Recipe, got {type(recipe).__name__}")
    return _train(recipe, check_number("seed", seed, low=0, integer=True))


@functools.lru_cache(maxsize=512)
def _train(recipe: Recipe, seed: int) -> Result:
    s = splits()
    model = net(seed, hidden=recipe.hidden)
    opt = _optimizer(recipe, model.parameters())
    n = steps_of(recipe)
    per_epoch = len(s.y_train) // recipe.batch_size
    loss_fn = _loss_fn()
    curves, weights = [], []

    def evaluate(m):
        out_val = m(s.X_val)
        val = float(loss_fn(out_val, s.y_val))
        curves.append((float(loss_fn(m(s.X_train), s.y_train)), val,
                       float((out_val.argmax(dim=1) == s.y_val).double().mean())))
        weights.append(_flat_weights(m))
        return val

    rec = lp.train(model, loss_fn, (s.X_train, s.y_train), opt, make_scheduler(recipe, opt, n), num_steps=n,
                   batch_size=recipe.batch_size, seed=seed, eval_fn=evaluate, eval_every=per_epoch)
    c = np.array(curves, dtype=float).reshape(-1, 3)
    return Result(recipe, seed, rec, rec.eval_steps / per_epoch, c[:, 0], c[:, 1], c[:, 2], np.array(weights), model)


def _flat_weights(model) -> np.ndarray:
    with torch.no_grad():
        return torch.nn.utils.parameters_to_vector(model.parameters()).double().numpy().copy()


def train_seeds(recipe: Recipe, seeds=SEEDS) -> list:
    """:func:`train_recipe` on every seed of ``seeds``."""
    return [train_recipe(recipe, s) for s in seeds]


def median_trace(result: Result, key: str) -> float:
    """The median over the run of one of ``train``'s per-step records (``'grad_norm'``, ``'update_ratio'``, ...)."""
    return float(np.nanmedian(getattr(result.record, key)))


def logit_scale(result: Result) -> float:
    """The standard deviation of the trained network's logits over the validation images."""
    with torch.no_grad():
        return float(result.model(splits().X_val).std())


def summary(results) -> dict:
    """name -> arrays over seeds of the final training loss, validation loss and accuracy."""
    return {k: np.array([r.final[k] for r in results]) for k in ("train_loss", "val_loss", "val_acc")}


# --------------------------------------------------------------------------- the range test

RANGE_KW = dict(start_lr=1e-4, end_lr=10.0, num_iter=100, batch_size=64)


def range_test(seed: int = 0):
    """``lrlab.pytorch.find_lr`` on :func:`net` with SGD (momentum 0.9), batches of 64, lr from 1e-4 to 10."""
    s = splits()
    return lp.find_lr(net(seed), _loss_fn(), (s.X_train, s.y_train),
                      lambda p: torch.optim.SGD(p, lr=1.0, momentum=0.9), seed=seed, **RANGE_KW)


def rules(finder) -> dict:
    """The four rules of lesson 03 on a range test: steepest, valley, min and min/10."""
    valley = diagnostics.suggest_lr(finder.lrs, finder.smoothed, method="valley")[0]
    return {"steepest": float(finder.suggestion), "valley": float(valley), "min": float(finder.min_lr),
            "min/10": float(finder.min_lr_over_10)}


def nice_lr(lr: float) -> float:
    """``lr`` rounded to the nearest of 1, 2 and 5 times a power of ten (on a log scale)."""
    k = math.floor(math.log10(lr))
    cands = [m * 10.0 ** e for e in (k - 1, k, k + 1) for m in (1, 2, 5)]
    return float(min(cands, key=lambda c: abs(math.log(c / lr))))


RULE_COLORS = {"steepest": C["blue"], "valley": C["purple"], "min": C["vermillion"], "min/10": C["green"]}
RULE_MARKERS = {"steepest": "v", "valley": "D", "min": "o", "min/10": "s"}


@plotting.styled
def range_test_figure(finder, ax=None):
    """The range test: batch loss and its moving average against the lr, the four rules marked."""
    fig, ax = plotting.figure_or_ax(ax, width=8.0, height=4.3)
    ax.plot(finder.lrs, finder.losses, color=C["grey"], lw=1.0, alpha=0.8, label="batch loss")
    ax.plot(finder.lrs, finder.smoothed, color=C["black"], lw=2.2, label="moving average")
    for name, v in rules(finder).items():
        y = np.interp(np.log(v), np.log(finder.lrs), finder.smoothed)
        ax.plot([v], [y], RULE_MARKERS[name], color=RULE_COLORS[name], ms=11, mec="white", mew=1.2, zorder=6,
                label=f"{name} ≈ {v:.1g}")
    ax.set_xscale("log")
    ax.set_xlim(finder.lrs[0], RANGE_KW["end_lr"])
    top = float(np.nanmax(finder.smoothed[:10]))
    ax.set_ylim(0, 1.5 * top)
    ax.set_xlabel("learning rate of the step (×10 every 20 steps)")
    ax.set_ylabel("cross-entropy")
    ax.set_title("range test on the digits network (SGD, momentum 0.9)")
    ax.legend(frameon=True, framealpha=0.9, loc="lower left")
    return fig


# --------------------------------------------------------------------------- figures of runs

RECIPE_COLORS = [C["blue"], C["orange"], C["green"], C["purple"], C["vermillion"], C["sky"]]


def _positive(v):
    v = np.asarray(v, dtype=float)
    return np.where(np.isfinite(v) & (v > 0), v, np.nan)


def _smooth(v, beta: float = 0.9):
    return diagnostics.moving_average(np.where(np.isfinite(v), v, np.nan), beta)


@plotting.styled
def schedule_figure(recipes: dict):
    """lr (left) and momentum (right) of each recipe against the step."""
    fig, (ax, bx) = plotting.figure(1, 2, width=9.0, height=3.8)
    flat = []
    for (name, r), color in zip(recipes.items(), RECIPE_COLORS):
        lrs, moms = schedule_trace(r)
        ax.plot(np.arange(lrs.size), lrs, color=color, label=name)
        if np.all(moms == moms[0]):                      # drawn once below, named in a text
            flat.append((name, moms))
        else:
            bx.plot(np.arange(moms.size), moms, color=color, label=name)
    if flat:
        moms = flat[0][1]
        bx.plot(np.arange(moms.size), moms, color=C["black"], lw=1.5)
        others = "the other recipe" if len(flat) == 1 else f"the other {len(flat)} recipes"
        bx.text(moms.size / 2, 0.805, f"black: {others} (β = {moms[0]:g})", ha="center", va="bottom",
                fontsize=10)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.set_title("the lr each recipe uses", fontsize=12)
    ax.set_ylim(0, 0.5)
    ax.legend(frameon=False, loc="upper center", ncols=2, fontsize=9)
    bx.set_xlabel("step")
    bx.set_ylabel("momentum β")
    bx.set_ylim(0.8, 1.0)
    bx.set_title("one-cycle lowers β while the lr is high", fontsize=12)
    return fig


@plotting.styled
def curves_figure(results: dict):
    """2 x 3 panels: training loss (whole training set) and validation loss per epoch, one panel per recipe
    (log scale, at most four recipes); the validation accuracy of all recipes (0 to 1), and the same from
    epoch 2 on, zoomed in."""
    if len(results) > 4:
        raise ValueError(f"curves_figure draws at most 4 recipes, got {len(results)}")
    fig, axes = plotting.figure(2, 3, width=9.0, height=6.4, squeeze=False)
    loss_axes = [axes[0, 0], axes[0, 1], axes[1, 0], axes[1, 1]]
    lo = min(np.nanmin(_positive(np.r_[r.train_loss, r.val_loss])) for r in results.values())
    hi = max(np.nanmax(_positive(np.r_[r.train_loss, r.val_loss])) for r in results.values())
    for ax, (name, r), color in zip(loss_axes, results.items(), RECIPE_COLORS):
        ax.plot(r.epochs, _positive(r.train_loss), "o-", color=color, ms=4, label="training")
        ax.plot(r.epochs, _positive(r.val_loss), "s--", color=color, ms=4, mfc="white", label="validation")
        ax.set_yscale("log")
        ax.set_ylim(lo / 2, hi * 2)
        ax.set_title(textwrap.fill(name, 22), fontsize=11)
        ax.legend(frameon=False, loc="lower left", fontsize=9)
    for ax in loss_axes[len(results):]:
        ax.set_visible(False)
    for ax in (axes[0, 0], axes[1, 0]):
        ax.set_ylabel("cross-entropy")
    for ax in (axes[1, 0], axes[1, 1], axes[1, 2]):
        ax.set_xlabel("epoch")
    acc, zoom = axes[0, 2], axes[1, 2]
    late = [r.val_acc[r.epochs >= 2] for r in results.values()]
    for (name, r), color in zip(results.items(), RECIPE_COLORS):
        acc.plot(r.epochs, r.val_acc, "o-", color=color, ms=3, label=name)
        keep = r.epochs >= 2
        zoom.plot(r.epochs[keep], r.val_acc[keep], "o-", color=color, ms=3)
    acc.set_ylim(0, 1.02)
    acc.set_title("validation accuracy", fontsize=11)
    acc.legend(frameon=False, loc="lower right", fontsize=8)
    low = min(np.nanmin(v) for v in late if v.size)
    zoom.set_ylim(max(0.0, np.floor(low * 50) / 50 - 0.01), 1.0)
    zoom.set_xlim(1.6, max(r.epochs.max() for r in results.values()) + 0.4)
    zoom.set_title("zoom: epoch 2 on", fontsize=11)
    return fig


@plotting.styled
def seeds_figure(table: dict):
    """Final training loss, validation loss and validation accuracy of each recipe, one dot per seed (the
    recipes down the side, named once)."""
    fig, axes = plotting.figure(1, 3, width=9.0, height=0.55 * len(table) + 1.6)
    keys = [("train_loss", "final training loss", True), ("val_loss", "final validation loss", True),
            ("val_acc", "final validation accuracy", False)]
    names = list(table)
    for ax, (key, title, log) in zip(axes, keys):
        for i, (name, color) in enumerate(zip(names, RECIPE_COLORS)):
            v = table[name][key]
            ax.plot(v, np.full(v.size, i) + np.linspace(-0.12, 0.12, v.size), "o", color=color, ms=7, mec="white")
        if log:
            ax.set_xscale("log")
        ax.set_title(title, fontsize=11)
        ax.grid(axis="y", visible=False)
    for k, ax in enumerate(axes):
        ax.set_yticks(range(len(names)), [textwrap.fill(n, 16) for n in names] if k == 0 else [], fontsize=9)
        ax.set_ylim(len(names) - 0.5, -0.5)
    return fig


def _decade_limits(*arrays, pad: float = 1.0):
    """Log-axis limits that hold every positive finite value of ``arrays``, rounded out to whole decades."""
    v = np.concatenate([_positive(a).ravel() for a in arrays])
    v = v[np.isfinite(v)]
    return 10.0 ** (np.floor(np.log10(v.min())) - pad + 1), 10.0 ** (np.ceil(np.log10(v.max())))


@plotting.styled
def diagnosis_figure(runs: dict, colors=None):
    """2 x 2 panels, the runs (name -> Result) drawn together: training and validation loss, validation
    accuracy, gradient norm and update-to-weight ratio (thin: every step; thick: moving average). Every
    axis holds all its points (limits from the data, whole decades). ``colors``: one per run (default:
    the recipes' colours)."""
    fig, axes = plotting.figure(2, 2, width=9.0, height=6.6, squeeze=False)
    a, b, c, d = axes.ravel()
    rs = list(runs.values())
    colors = colors or RECIPE_COLORS
    for (name, r), color in zip(runs.items(), colors):
        rec = r.record
        per = len(splits().y_train) // r.recipe.batch_size
        a.plot(rec.steps, _positive(rec.loss), color=color, lw=0.6, alpha=0.3)
        a.plot(r.epochs * per, _positive(r.train_loss), "o-", color=color, ms=4, label=f"{name}: training set")
        a.plot(r.epochs * per, _positive(r.val_loss), "s--", color=color, ms=4, mfc="white",
               label=f"{name}: validation set")
        b.plot(r.epochs * per, r.val_acc, "o-", color=color, ms=4, label=name)
        c.plot(rec.steps, _positive(rec.grad_norm), color=color, lw=0.6, alpha=0.3)
        c.plot(rec.steps, _positive(_smooth(rec.grad_norm)), color=color, lw=2.2, label=name)
        d.plot(rec.steps, _positive(rec.update_ratio), color=color, lw=0.6, alpha=0.3)
        d.plot(rec.steps, _positive(_smooth(rec.update_ratio)), color=color, lw=2.2, label=name)
    d.set_ylim(*_decade_limits(*[r.record.update_ratio for r in rs]))
    # the loss and gradient-norm axes hold the curves and 95% of the steps; a step far below (a batch the
    # network already gets right with extreme confidence: its loss and gradient are ≈ 0, even exactly 0)
    # is drawn as a triangle on the floor and named in a note, so no trace drops out of sight unexplained
    for ax, key, curves, where in ((a, "loss", lambda r: [r.train_loss, r.val_loss], (0.98, 0.03, "right", "bottom")),
                                   (c, "grad_norm", lambda r: [_smooth(r.record.grad_norm)], (0.02, 0.97, "left", "top"))):
        thin = [np.where(np.isfinite(getattr(r.record, key)), getattr(r.record, key), np.nan) for r in rs]
        bottom, top = _decade_limits(*[cv for r in rs for cv in curves(r)], *[np.nanpercentile(v, 5) for v in thin])
        ax.set_ylim(bottom, max(top, _decade_limits(*thin)[1]))
        below = 0
        for v, r, color in zip(thin, rs, colors):
            low = v < bottom
            below += int(np.sum(low))
            ax.plot(r.record.steps[low], np.full(int(np.sum(low)), bottom * 1.3), "v", color=color, ms=6)
        if below and key == "grad_norm":
            x, y, ha, va = where
            ax.text(x, y, "▼ steps below the axis (also in the loss\npanel): a batch it gets right with\n"
                    "extreme confidence, loss and ‖g‖ ≈ 0", transform=ax.transAxes, ha=ha, va=va,
                    in_layout=False, fontsize=8, bbox=dict(facecolor="white", edgecolor="none", alpha=0.85))
    for ax in (a, c, d):
        ax.set_yscale("log")
    b.set_ylim(0, 1.02)
    for ax in axes.ravel():
        ax.set_xlim(0, max(steps_of(r.recipe) for r in rs))
    a.set_title("loss (thin: each batch)", fontsize=11)
    b.set_title("validation accuracy", fontsize=11)
    c.set_title("gradient norm ‖g‖ (thin: each step)", fontsize=11)
    d.set_title("update / weight ‖Δw‖ / ‖w‖", fontsize=11)
    a.legend(frameon=True, framealpha=0.9, loc="upper left", fontsize=8, ncols=1)
    b.legend(frameon=False, loc="lower right", fontsize=9)
    for ax in (c, d):
        ax.set_xlabel("step")
    return fig


# --------------------------------------------------------------------------- random search

#: lr and weight decay log-uniform, batch size uniform among the three; one-cycle, 10 epochs
SEARCH_SPACE = dict(lr=(0.01, 1.0), weight_decay=(1e-5, 1e-2), batch_size=(32, 64, 128))


def sample_configs(n: int = 12, seed: int = 0) -> list:
    """``n`` recipes drawn from :data:`SEARCH_SPACE` by ``np.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    (lo, hi), (wlo, whi), bs = SEARCH_SPACE["lr"], SEARCH_SPACE["weight_decay"], SEARCH_SPACE["batch_size"]
    lrs = 10 ** rng.uniform(math.log10(lo), math.log10(hi), n)
    wds = 10 ** rng.uniform(math.log10(wlo), math.log10(whi), n)
    batch = rng.choice(bs, n)
    return [Recipe(lr=float(f"{lr:.3g}"), schedule="one-cycle", batch_size=int(b), weight_decay=float(f"{wd:.2g}"))
            for lr, wd, b in zip(lrs, wds, batch)]


@dataclass
class Search:
    """A random search: ``configs[i]`` trained on every seed; ``acc[i, j]`` its final validation accuracy on
    seed ``j`` (NaN if it blew up), ``val_loss`` likewise."""

    configs: list
    seeds: tuple
    acc: np.ndarray
    val_loss: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        return np.nanmean(self.acc, axis=1)

    def order(self) -> np.ndarray:
        """Indices from the best mean validation accuracy to the worst."""
        return np.argsort(-self.mean, kind="stable")


def random_search(n: int = 12, seeds=SEEDS, seed: int = 0) -> Search:
    """Train each of :func:`sample_configs` ``(n, seed)`` on every seed of ``seeds``."""
    configs = sample_configs(n, seed)
    acc = np.array([[train_recipe(c, s).final["val_acc"] for s in seeds] for c in configs])
    vl = np.array([[train_recipe(c, s).final["val_loss"] for s in seeds] for c in configs])
    return Search(configs, tuple(seeds), acc, vl)


@plotting.styled
def search_figure(search: Search):
    """Validation accuracy of each configuration against its lr and its weight decay: the mean over seeds
    (marker, coloured by batch size) and the range from the worst to the best seed (bar)."""
    fig, axes = plotting.figure(1, 2, width=9.0, height=4.0)
    colors = dict(zip(SEARCH_SPACE["batch_size"], (C["orange"], C["blue"], C["green"])))
    markers = dict(zip(SEARCH_SPACE["batch_size"], ("o", "s", "D")))
    for ax, key in zip(axes, ("lr", "weight_decay")):
        for c, row, m in zip(search.configs, search.acc, search.mean):
            x = getattr(c, key)
            ax.plot([x, x], [np.nanmin(row), np.nanmax(row)], color=colors[c.batch_size], lw=2.5, alpha=0.7)
            ax.plot([x], [m], markers[c.batch_size], color=colors[c.batch_size], ms=9, mec="black", mew=0.6)
        ax.set_xscale("log")
        ax.set_xlabel("peak learning rate" if key == "lr" else "weight decay")
    for b in SEARCH_SPACE["batch_size"]:
        axes[0].plot([], [], markers[b], color=colors[b], ms=9, mec="black", mew=0.6, label=f"batch {b}")
    axes[0].set_ylabel("validation accuracy")
    for ax in axes:
        ax.set_ylim(0.8, 1.0)
    axes[1].tick_params(labelleft=False)
    axes[0].legend(frameon=False, loc="lower right")
    axes[0].set_title("marker: mean of 3 seeds · bar: worst to best", fontsize=11)
    axes[1].set_title("the same runs against the weight decay", fontsize=11)
    return fig


# --------------------------------------------------------------------------- the live widget

@dataclass(frozen=True, eq=False)
class NetRun(Trajectory):
    """A trained network as an explorer run, one record per epoch: ``params`` are all its weights (flattened)
    after each epoch, ``loss`` the training-set loss there, ``loss_min`` 0 (cross-entropy's lowest value), so
    that ``lrlab.diagnostics.path_shape`` and ``progress`` read it as they read any run; a run that blew up
    ends with the weights where ``train`` stopped it and an infinite loss. The panels read ``result``."""

    result: Result | None = None


def _as_run(result: Result) -> NetRun:
    """The epoch-by-epoch :class:`NetRun` of ``result``."""
    params, loss = result.weights, result.train_loss
    if result.diverged:
        params = np.vstack([params, _flat_weights(result.model)])
        loss = np.r_[loss, np.inf]
    n = len(loss)
    per_epoch = len(splits().y_train) // result.recipe.batch_size
    lrs = np.asarray(schedule_trace(result.recipe)[0][::per_epoch][:n - 1], dtype=float)
    return NetRun(params=params, loss=loss, grad_norm=np.full(n, np.nan), lr=np.r_[lrs, np.full(n - 1 - lrs.size,
                                                                                                 np.nan)],
                  diverged=np.asarray(result.diverged), diverged_at=np.asarray(n - 1 if result.diverged else -1),
                  loss_min=0.0, stepper="sgd(momentum=0.9)", result=result)


WIDGET_LR_RANGE = (1e-3, 3.0)
#: the widget's runs: 64-64-10 network, batches of 64, 10 epochs, seed 0 (a run takes about half a second)
PRESETS = {"too low": {"lr": 0.001, "schedule": "constant"},
           "good": {"lr": 0.1, "schedule": "constant"},
           "one-cycle": {"lr": 0.3, "schedule": "one-cycle"},
           "too high": {"lr": 0.5, "schedule": "constant"},
           "blows up": {"lr": 2.0, "schedule": "constant"}}


def _widget_recipe(lr: float, schedule: str) -> Recipe:
    return Recipe(lr=float(f"{lr:.4g}"), schedule=schedule)


def comeback(result: Result) -> float:
    """The most the training-set loss climbed back, as a factor over the lowest value it had reached before:
    ``max_t loss[t] / min(loss[:t])`` over the epochs (1 or less: it never went back up)."""
    tl = result.train_loss
    return float(np.max(tl[1:] / np.minimum.accumulate(tl)[:-1])) if tl.size > 1 else 1.0


#: the widget's labels, each naming what it measures on the training-set loss after each epoch
LOSS_SHAPES = ("blew up", "ended above its start", "climbed back over 1.5× its low", "kept falling")


def loss_shape(result: Result, factor: float = 1.5) -> str:
    """The widget's label, read from the training-set loss after each epoch (the curve a practitioner watches),
    in words that say what is measured: 'blew up' (``train`` stopped the run), 'ended above its start',
    'climbed back over 1.5× its low' (it rose above ``factor`` times the lowest value it had reached,
    :func:`comeback`, even if it fell again afterwards, as a schedule's one hump does), 'kept falling'
    (otherwise: it fell, up to bumps smaller than that, the minibatch noise)."""
    tl = result.train_loss
    if result.diverged or not np.all(np.isfinite(tl)):
        return LOSS_SHAPES[0]
    if tl[-1] > tl[0]:
        return LOSS_SHAPES[1]
    return LOSS_SHAPES[2] if comeback(result) > factor else LOSS_SHAPES[3]


def _widget_regime(view) -> str:
    return loss_shape(view.runs["main"].result)


def _widget_runs(scene, lr, schedule):
    return {"main": _as_run(train_recipe(_widget_recipe(lr, schedule), 0))}


class _WidgetPanel(Panel):
    def _steps(self):
        return steps_of(Recipe(lr=0.1))


class LrPanel(_WidgetPanel):
    """lr(t) of the run (log scale)."""

    name = "lr"

    def draw(self, ax, view):
        lo, hi = view.lr_range
        (line,) = ax.plot([], [], color=C["black"])
        ax.set_yscale("log")
        ax.set_xlim(0, self._steps())
        ax.set_ylim(lo / 30, hi * 2)
        ax.set_xlabel("step")
        ax.set_title("learning rate")
        self.artists = line

    def update(self, view):
        rec = view.runs["main"].result.record
        self.artists.set_data(rec.steps, _positive(rec.lr))


class LossPanel(_WidgetPanel):
    """Batch loss (thin), training-set and validation-set loss per epoch."""

    name = "loss"

    def draw(self, ax, view):
        (batch,) = ax.plot([], [], color=C["grey"], lw=0.6, alpha=0.6)
        (train,) = ax.plot([], [], "o-", color=C["blue"], ms=4, label="training set")
        (val,) = ax.plot([], [], "s--", color=C["orange"], ms=4, mfc="white", label="validation set")
        ax.set_yscale("log")
        ax.set_xlim(0, self._steps())
        ax.set_ylim(1e-4, 1e5)
        ax.set_xlabel("step")
        ax.set_title("loss (grey: each batch)")
        ax.legend(frameon=False, loc="upper right", fontsize=10)
        note = ax.text(0.03, 0.04, "", transform=ax.transAxes, ha="left", va="bottom", fontsize=10)
        self.artists = (batch, train, val, note)

    def update(self, view):
        r = view.runs["main"].result
        per = len(splits().y_train) // r.recipe.batch_size
        batch, train, val, note = self.artists
        batch.set_data(r.record.steps, _positive(r.record.loss))
        train.set_data(r.epochs * per, _positive(r.train_loss))
        val.set_data(r.epochs * per, _positive(r.val_loss))
        note.set_text(f"blew up at step {r.record.diverged_at}: stopped" if r.diverged else "")


class AccuracyPanel(_WidgetPanel):
    """Validation accuracy per epoch."""

    name = "accuracy"

    def draw(self, ax, view):
        (line,) = ax.plot([], [], "o-", color=C["green"], ms=4)
        ax.set_xlim(0, self._steps())
        ax.set_ylim(0.0, 1.0)
        ax.set_xlabel("step")
        ax.set_title("validation accuracy")
        self.artists = line

    def update(self, view):
        r = view.runs["main"].result
        per = len(splits().y_train) // r.recipe.batch_size
        self.artists.set_data(r.epochs * per, r.val_acc)


class StepSizePanel(_WidgetPanel):
    """Gradient norm and update-to-weight ratio (moving averages), log scale."""

    name = "sizes"

    def draw(self, ax, view):
        (g,) = ax.plot([], [], color=C["purple"], label="gradient norm ‖g‖")
        (u,) = ax.plot([], [], color=C["vermillion"], label="update / weight")
        ax.set_yscale("log")
        ax.set_xlim(0, self._steps())
        ax.set_ylim(1e-6, 1e4)
        ax.set_xlabel("step")
        ax.set_title("step sizes (moving averages)")
        ax.legend(frameon=False, loc="upper right", fontsize=10)
        self.artists = (g, u)

    def update(self, view):
        rec = view.runs["main"].result.record
        g, u = self.artists
        g.set_data(rec.steps, _positive(_smooth(rec.grad_norm)))
        u.set_data(rec.steps, _positive(_smooth(rec.update_ratio)))


def _widget_stats(view) -> list:
    r = view.runs["main"].result
    parts = [f"{SCHEDULE_NAMES[r.recipe.schedule]}, peak lr = <b>{r.recipe.lr:.3g}</b>",
             f"largest lr/(1−β) = <b>{effective_step(r.recipe):.3g}</b>"]
    if r.diverged:
        parts.append(f"blew up at step <b>{r.record.diverged_at}</b> (train() stopped it)")
    else:
        f = r.final
        parts += [f"final loss: training <b>{f['train_loss']:.2g}</b>, validation <b>{f['val_loss']:.2g}</b>",
                  f"validation accuracy <b>{f['val_acc']:.1%}</b>"]
    return parts


def explorer(lr: float = 0.1, schedule: str = "constant") -> Explorer:
    """The live widget: the peak lr and the schedule of the digits network's recipe (10 epochs, batches of 64,
    SGD with momentum 0.9, seed 0). Each new setting trains a fresh network (about half a second; a setting
    seen before comes from the cache)."""
    picker = Choice(SCHEDULES, description="schedule", live=True).with_value("schedule", schedule)
    return Explorer(None, lr=lr, lr_range=WIDGET_LR_RANGE, lr_description="peak lr",
                    controls={"schedule": picker}, runs=_widget_runs, regime=_widget_regime,
                    stats=_widget_stats, theory=lambda view: "", presets=PRESETS,
                    panels=(LrPanel(), LossPanel(), AccuracyPanel(), StepSizePanel()), width=15.5, height=3.6)


@plotting.styled
def presets_figure(presets: dict = PRESETS):
    """The widget's presets as a static figure: one row per preset, its loss curves and step sizes."""
    runs = {f"{name}: {SCHEDULE_NAMES[v['schedule']]}, lr {v['lr']:g}": train_recipe(_widget_recipe(v["lr"],
                                                                                                     v["schedule"]))
            for name, v in presets.items()}
    return diagnosis_figure(runs)


# --------------------------------------------------------------------------- exercises

#: what a check says before the student has answered (no hint yet: the hints come with a wrong answer)
_NO_ANSWER = Feedback(False, "No answer yet: replace None with your number.")


def check_initial_loss(answer) -> Feedback:
    """Exercise 1: the loss at initialisation of a well-initialised 26-class classifier."""
    if answer is None:
        return _NO_ANSWER
    return check_number_answer(answer, math.log(26), rtol=0.01,
                               hint="A network that knows nothing gives every class the same probability. "
                                    "What is the cross-entropy of that prediction?",
                               right=f"ln 26 = {math.log(26):.3f}: the cross-entropy of a uniform guess over "
                                     "26 letters.")


EXERCISE_ONE_CYCLE = dict(max_lr=0.2, base_momentum=0.8, max_momentum=0.9, total_steps=200, pct_start=0.25)


def check_effective_step(answer) -> Feedback:
    """Exercise 2: the largest lr/(1 − β) of ``OneCycleLR(**EXERCISE_ONE_CYCLE)``."""
    if answer is None:
        return _NO_ANSWER
    kw = EXERCISE_ONE_CYCLE
    expected = kw["max_lr"] / (1 - kw["base_momentum"])
    return check_number_answer(answer, expected, rtol=0.02,
                               hint="Where is β in its cycle at the step where the lr peaks?",
                               right=f"{expected:g}: the lr peaks at {kw['max_lr']:g} exactly when the momentum "
                                     f"bottoms out at {kw['base_momentum']:g}.")


#: the mystery runs of exercise 3 (other lrs and a narrower network than anything above)
MYSTERY = {"A": Recipe(lr=0.002, hidden=(32,)), "B": Recipe(lr=0.7, schedule="warmup-cosine", hidden=(32,))}
_MYSTERY_ANSWERS = {"A": "too low", "B": "too high"}
_DIAGNOSES = ("too low", "too high", "overfitting", "fine")


def mystery_runs() -> dict:
    """letter -> Result of the exercise's runs (seed 3)."""
    return {k: train_recipe(r, 3) for k, r in MYSTERY.items()}


@plotting.styled
def mystery_figure():
    """The mystery runs, drawn like section 5's figure without their recipes."""
    return diagnosis_figure({f"run {k}": r for k, r in mystery_runs().items()}, colors=[C["black"], C["sky"]])


def check_diagnosis(answer) -> Feedback:
    """Exercise 3: a dict letter -> 'too low', 'too high', 'overfitting' or 'fine'."""
    if not isinstance(answer, dict):
        return Feedback(False, "Answer with a dict from run letter to diagnosis, e.g. {'A': 'fine', 'B': 'fine'}.")
    got = {str(k).strip().upper(): str(v).strip().lower() for k, v in answer.items()}
    missing = [k for k in _MYSTERY_ANSWERS if k not in got]
    if missing:
        return Feedback(False, f"Give a diagnosis for every run; missing: {', '.join(missing)}.")
    bad = [v for v in got.values() if v not in _DIAGNOSES]
    if bad:
        return Feedback(False, f"{bad[0]!r} is not one of {list(_DIAGNOSES)}.")
    wrong = [k for k, v in _MYSTERY_ANSWERS.items() if got[k] != v]
    hints = {"A": "run A: how far has its training loss fallen by the end, and how big are its updates?",
             "B": "run B: how high does its training loss climb compared with where it started, and how big "
                  "is its gradient norm next to section 5's good run?"}
    if wrong:
        return Feedback(False, f"{len(_MYSTERY_ANSWERS) - len(wrong)} of {len(_MYSTERY_ANSWERS)} right. Look "
                        "again at " + "; ".join(hints[k] for k in wrong))
    return Feedback(True, f"Both right: run A used lr {MYSTERY['A'].lr:g} (constant), run B a warm-up + cosine "
                          f"schedule peaking at {MYSTERY['B'].lr:g}.")


BUDGET_EPOCHS = 5
TARGET = 0.97
EXERCISE_SEEDS = (10, 11, 12)
EXERCISE_HIDDEN = (32,)
_RECIPE_KEYS = {"lr", "schedule", "batch_size", "epochs", "weight_decay"}
_BATCH_SIZES = (16, 32, 64, 128, 256)


def _student_recipe(answer):
    """``(Recipe, None)`` from the student's dict, or ``(None, Feedback)`` saying what is off."""
    example = "dict(lr=..., schedule='constant', batch_size=64, epochs=5, weight_decay=0.0)"
    if not isinstance(answer, dict):
        return None, Feedback(False, f"Answer with a dict, e.g. {example}.")
    unknown = set(answer) - _RECIPE_KEYS
    if unknown:
        return None, Feedback(False, f"Unknown key(s) {sorted(unknown)}; the recipe has {sorted(_RECIPE_KEYS)}.")
    missing = {"lr", "schedule", "batch_size", "epochs"} - set(answer)
    if missing:
        return None, Feedback(False, f"The recipe needs {sorted(missing)} too (weight_decay is optional).")
    lr, sched, bs, ep, wd = (answer["lr"], answer["schedule"], answer["batch_size"], answer["epochs"],
                             answer.get("weight_decay", 0.0))
    if any(v is None for v in (lr, sched, bs, ep, wd)):
        return None, Feedback(False, "Replace every None with your choice.")
    if sched not in SCHEDULES:
        return None, Feedback(False, f"schedule must be one of {list(SCHEDULES)}, got {sched!r}.")
    if bs not in _BATCH_SIZES or isinstance(bs, bool):
        return None, Feedback(False, f"batch_size must be one of {list(_BATCH_SIZES)}, got {bs!r}.")
    if isinstance(ep, bool) or not isinstance(ep, (int, np.integer)) or not 1 <= ep:
        return None, Feedback(False, f"epochs must be a whole number of passes, at least 1; got {ep!r}.")
    if ep > BUDGET_EPOCHS:
        return None, Feedback(False, f"{ep} epochs is over the budget of {BUDGET_EPOCHS}.")
    try:
        lr, wd = float(lr), float(wd)
    except (TypeError, ValueError):
        return None, Feedback(False, "lr and weight_decay must be numbers.")
    if not (math.isfinite(lr) and 0 < lr <= 10):
        return None, Feedback(False, f"lr must be a number in (0, 10], got {lr!r}.")
    if not (math.isfinite(wd) and 0 <= wd <= 0.1):
        return None, Feedback(False, f"weight_decay must be in [0, 0.1], got {wd!r}.")
    return Recipe(lr=lr, schedule=sched, batch_size=int(bs), epochs=int(ep), weight_decay=wd,
                  hidden=EXERCISE_HIDDEN), None


def check_recipe(answer, seeds=EXERCISE_SEEDS) -> Feedback:
    """Exercise 5: train the student's recipe (64-32-10 network) on three new seeds; right when the mean
    validation accuracy is at least :data:`TARGET` and no seed blows up."""
    recipe, fb = _student_recipe(answer)
    if fb is not None:
        return fb
    results = [train_recipe(recipe, s) for s in seeds]
    blown = [r.seed for r in results if r.diverged]
    if blown:
        return Feedback(False, f"The run blew up on seed(s) {blown}: the training loss passed 10¹⁰ × its start. "
                               "The lr is far too high for this batch size and schedule.")
    acc = np.array([r.final["val_acc"] for r in results])
    line = (f"validation accuracy {', '.join(f'{a:.1%}' for a in acc)} on seeds {', '.join(map(str, seeds))} "
            f"(mean {acc.mean():.1%})")
    if acc.mean() >= TARGET:
        return Feedback(True, f"{line}: at least {TARGET:.0%} on average. A recipe that works.")
    return Feedback(False, f"{line}: below {TARGET:.0%}. Hint: {_recipe_hint([r.train_loss for r in results])}")


def _recipe_hint(train_losses, factor: float = 1.5) -> str:
    """What went wrong with a recipe that missed the target, read from each seed's training-set loss after
    every epoch (index 0: the start). A too-high lr first: some seed's loss climbed back above ``factor``
    times the lowest value it had reached, or ended above its start; only then a too-low lr: every seed still
    above a tenth of its start, having fallen steadily."""
    curves = [np.asarray(tl, dtype=float) for tl in train_losses]
    climbed = [tl.size > 1 and (tl[-1] > tl[0] or np.max(tl[1:] / np.minimum.accumulate(tl)[:-1]) > factor)
               for tl in curves]
    if any(climbed):
        return (f"the training loss climbed back above {factor:g} times its lowest value, or ended above its "
                "start: the lr is too high for this schedule and batch size. Lower the peak lr (smaller batches "
                "mean more steps, and more steps at the peak).")
    if all(tl[-1] > 0.1 * tl[0] for tl in curves):
        return ("the training loss fell steadily but is still above a tenth of its start: the network has not "
                "learned enough. A larger lr, or more steps within the budget (more epochs, smaller batches)?")
    return ("read the curves of a run with train_recipe(...) and diagnosis_figure: is the training loss noisy "
            "and high (too high an lr for this batch size), or still falling (too low)?")
