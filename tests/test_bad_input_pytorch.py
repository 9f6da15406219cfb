"""Bad input to lrlab.pytorch: a clear error naming the argument, raised before the model changes."""
from __future__ import annotations

import re

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from lrlab import pytorch as lp  # noqa: E402


def _setup():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    g = torch.Generator().manual_seed(0)
    X, y = torch.randn(16, 3, generator=g), torch.randn(16, 1, generator=g)
    return model, X, y, torch.optim.SGD(model.parameters(), lr=0.1)


def _state(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _with_nan(t):
    t = t.clone()
    t.view(-1)[5] = float("nan")
    return t


CASES = [
    ("train", lambda m, X, y, o: dict(scheduler="cosine"), TypeError, "scheduler"),
    ("train", lambda m, X, y, o: dict(data=(torch.randn(16, 5), y)), ValueError, "data[0]"),
    ("train", lambda m, X, y, o: dict(data=(X, torch.randn(16, 2, 2))), ValueError, "data[1]"),
    ("train", lambda m, X, y, o: dict(loss_fn=nn.MSELoss(reduction="none")), ValueError, "loss_fn"),
    ("train", lambda m, X, y, o: dict(loss_fn="mse"), TypeError, "loss_fn"),
    ("train", lambda m, X, y, o: dict(loss_fn=lambda out, t: torch.tensor(1.0)), ValueError, "loss_fn"),
    ("train", lambda m, X, y, o: dict(optimizer=torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1)),
     ValueError, "optimizer"),
    ("train", lambda m, X, y, o: dict(
        scheduler=torch.optim.lr_scheduler.StepLR(torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1), 2)),
     ValueError, "scheduler"),
    ("train", lambda m, X, y, o: dict(data=(["a"] * 16, y)), TypeError, "data[0]"),
    ("train", lambda m, X, y, o: dict(progress="yes"), TypeError, "progress"),
    ("train", lambda m, X, y, o: dict(batch_size=17), ValueError, "batch_size"),
    ("find_lr", lambda m, X, y, o: dict(model=nn.Sequential(nn.ReLU())), ValueError, "model"),
    ("find_lr", lambda m, X, y, o: dict(model="net"), TypeError, "model"),
    ("find_lr", lambda m, X, y, o: dict(end_lr=1e300), ValueError, "end_lr"),
    ("find_lr", lambda m, X, y, o: dict(data=(X, torch.randn(16, 2, 2))), ValueError, "data[1]"),
    ("find_lr", lambda m, X, y, o: dict(optimizer=3), TypeError, "optimizer"),
    ("find_lr", lambda m, X, y, o: dict(data=(_with_nan(X), y)), ValueError, "data[0] contains NaN"),
    ("find_lr", lambda m, X, y, o: dict(data=(X.numpy(), _with_nan(y).numpy())), ValueError, "data[1] contains NaN"),
    ("train", lambda m, X, y, o: dict(data=(_with_nan(X), y)), ValueError, "data[0] contains NaN"),
    ("top_eigenvalue", lambda m, X, y, o: dict(X=_with_nan(X)), ValueError, "X contains NaN"),
    ("top_eigenvalue", lambda m, X, y, o: dict(v=torch.ones(3)), ValueError, "v"),
    ("top_eigenvalue", lambda m, X, y, o: dict(Y=torch.randn(3, 1)), ValueError, "Y"),
]


@pytest.mark.parametrize("fn, change, exc, name", CASES, ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_bad_arguments_leave_the_model_as_it_was(fn, change, exc, name):
    model, X, y, opt = _setup()
    base = {"train": dict(model=model, loss_fn=nn.MSELoss(), data=(X, y), optimizer=opt, num_steps=3),
            "find_lr": dict(model=model, loss_fn=nn.MSELoss(), data=(X, y), num_iter=5),
            "top_eigenvalue": dict(model=model, loss_fn=nn.MSELoss(), X=X, Y=y, iters=2)}[fn]
    base.update(change(model, X, y, opt))
    before = _state(model)
    with pytest.raises(exc, match=rf"(?<![A-Za-z_]){re.escape(name)}"):
        getattr(lp, fn)(**base)
    after = _state(model)
    assert before.keys() == after.keys()
    for k in before:
        assert torch.equal(before[k], after[k]), k     # parameters and BatchNorm statistics alike


def test_flat_params_loss_takes_one_point():
    model, X, y, _ = _setup()
    f = lp.FlatParamsLoss(model, nn.MSELoss(), X, y)
    with pytest.raises(ValueError, match="x must be one point"):
        f.value(torch.zeros(2, f.dim).numpy())
    with pytest.raises(TypeError, match="x"):
        f.grad(["a"] * f.dim)


@pytest.mark.parametrize("kw, exc, name", [
    (dict(hidden=4.0), TypeError, "hidden"), (dict(hidden=None), TypeError, "hidden"),
    (dict(hidden=[4, 0]), ValueError, "hidden[1]"), (dict(norm=["batch"]), ValueError, "norm"),
    (dict(activation=["relu"]), ValueError, "activation"), (dict(init_scale=1e300), ValueError, "init_scale"),
])
def test_small_mlp_bad_arguments(kw, exc, name):
    with pytest.raises(exc, match=rf"(?<![A-Za-z_]){re.escape(name)}"):
        lp.small_mlp(3, **kw)
