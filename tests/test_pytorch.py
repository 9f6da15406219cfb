"""Tests for lrlab.pytorch: train() against a hand-written loop, find_lr, small_mlp."""
import copy
import warnings

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from lrlab import data  # noqa: E402
from lrlab import pytorch as lp  # noqa: E402


def regression(n=64, d=3, seed=0, scales=None):
    X, y, _ = data.linear_regression(n=n, d=d, seed=seed, scales=scales)
    return X, y[:, None]


def linear_model(d=3, seed=0, bias=True):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Linear(d, 1, bias=bias)


def assert_same_state(a: dict, b: dict):
    """Two state_dicts (model or optimizer) are equal, tensors bit for bit."""
    assert type(a) is type(b)
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_same_state(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same_state(x, y)
    elif isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert torch.equal(a, b)
    else:
        assert a == b


# ----------------------------------------------------------------------------- train

def test_train_matches_a_hand_written_loop():
    X, y = regression(n=48)
    Xt = torch.as_tensor(X, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.float32)
    loss_fn = nn.MSELoss()

    model = linear_model()
    gold = copy.deepcopy(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    rec = lp.train(model, loss_fn, (X, y), opt, num_steps=12, batch_size=16, seed=5)

    gold_opt = torch.optim.SGD(gold.parameters(), lr=0.05, momentum=0.9)
    gen = torch.Generator().manual_seed(5)
    losses, norms, ratios = [], [], []
    order, pos = None, 0
    for _ in range(12):
        if order is None or pos + 16 > 48:
            order, pos = torch.randperm(48, generator=gen), 0
        idx = order[pos:pos + 16]
        pos += 16
        gold_opt.zero_grad()
        loss = loss_fn(gold(Xt[idx]), yt[idx])
        loss.backward()
        norms.append(float(torch.nn.utils.get_total_norm([p.grad for p in gold.parameters()])))
        before = torch.cat([p.detach().flatten().clone() for p in gold.parameters()])
        gold_opt.step()
        after = torch.cat([p.detach().flatten() for p in gold.parameters()])
        ratios.append(float((after - before).norm() / before.norm()))
        losses.append(loss.item())

    np.testing.assert_array_equal(rec.steps, np.arange(12))
    np.testing.assert_array_equal(rec.lr, np.full(12, 0.05))
    np.testing.assert_array_equal(rec.loss, losses)  # same ops, same order: bit for bit
    np.testing.assert_allclose(rec.grad_norm, norms, rtol=1e-6)
    np.testing.assert_allclose(rec.update_ratio, ratios, rtol=1e-5)
    assert set(rec.update_ratio_per_param) == {"weight", "bias"}
    assert rec.update_ratio_per_param["weight"].shape == (12,)
    for p, q in zip(model.parameters(), gold.parameters()):
        assert torch.equal(p, q)
    assert not rec.diverged and rec.diverged_at is None


def test_train_records_the_scheduler_lr():
    X, y = regression()
    model = linear_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    rec = lp.train(model, nn.MSELoss(), (X, y), opt, scheduler=sched, num_steps=10)
    np.testing.assert_allclose(rec.lr, 0.1 * 0.5 ** (np.arange(10) // 3), rtol=1e-15)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5 ** 3)  # stepped 10 times


def test_train_is_deterministic_with_minibatches_and_dropout():
    X, y = data.spirals(n=64, seed=0)

    def run(seed):
        model = nn.Sequential(lp.small_mlp(2, 16, 2, seed=1), nn.Dropout(0.2))
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        return lp.train(model, nn.CrossEntropyLoss(), (X, y), opt, num_steps=15,
                        batch_size=8, seed=seed)

    a, b, c = run(0), run(0), run(1)
    for field in ("lr", "loss", "grad_norm", "update_ratio"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    for name in a.update_ratio_per_param:
        np.testing.assert_array_equal(a.update_ratio_per_param[name],
                                      b.update_ratio_per_param[name])
    assert not np.array_equal(a.loss, c.loss)


def test_train_leaves_global_rng_alone():
    X, y = regression()
    state = torch.random.get_rng_state()
    model = linear_model()
    lp.train(model, nn.MSELoss(), (X, y), torch.optim.SGD(model.parameters(), lr=0.01),
             num_steps=3, batch_size=8)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_train_divergence_stops_cleanly():
    X, y = regression()
    model = linear_model()
    opt = torch.optim.SGD(model.parameters(), lr=1e6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = lp.train(model, nn.MSELoss(), (X, y), opt, num_steps=200)
    assert rec.diverged
    t = rec.diverged_at
    assert 0 < t < 200
    assert len(rec.loss) == t + 1 and rec.steps[-1] == t
    # stopped at the first loss past 1e10 x (1 + |L_0|), the rule lrlab.run uses
    ceiling = 1e10 * (1 + abs(rec.loss[0]))
    assert rec.loss[-1] > ceiling and np.all(rec.loss[:-1] <= ceiling)
    assert np.isnan(rec.grad_norm[-1]) and np.isnan(rec.update_ratio[-1])
    assert np.all(np.diff(rec.loss[:-1]) > 0)  # it was blowing up all along


def test_train_without_the_blow_up_check_runs_on_to_a_non_finite_loss():
    X, y = regression()
    model = linear_model()
    opt = torch.optim.SGD(model.parameters(), lr=1e6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = lp.train(model, nn.MSELoss(), (X, y), opt, num_steps=200, divergence_threshold=math.inf)
    assert rec.diverged and not np.isfinite(rec.loss[-1]) and np.all(np.isfinite(rec.loss[:-1]))
    assert rec.loss[-2] > 1e10 * (1 + abs(rec.loss[0]))       # it went on past the default ceiling


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), "big", None, True])
def test_train_rejects_a_bad_divergence_threshold(bad):
    X, y = regression()
    model = linear_model()
    with pytest.raises((ValueError, TypeError), match="divergence_threshold"):
        lp.train(model, nn.MSELoss(), (X, y), torch.optim.SGD(model.parameters(), lr=0.1), num_steps=1,
                 divergence_threshold=bad)


def test_a_training_loss_of_1e21_is_diverged():
    """The lesson-03 bug: a run whose loss reached ~1e21 was reported as not diverged."""
    X, y = regression()
    model = linear_model()
    rec = lp.train(model, nn.MSELoss(), (X, y), torch.optim.SGD(model.parameters(), lr=1e3), num_steps=300)
    assert rec.diverged and np.all(rec.loss[:-1] < 1e10 * (1 + rec.loss[0]))


def test_train_record_every_and_eval():
    X, y = data.spirals(n=80, seed=0)
    model = lp.small_mlp(2, 8, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    model.eval()
    rec = lp.train(model, nn.CrossEntropyLoss(), (X, y), opt, num_steps=10, record_every=4,
                   eval_fn=lambda m: lp.accuracy(m, X, y), eval_every=5)
    np.testing.assert_array_equal(rec.steps, [0, 4, 8])
    assert all(len(v) == 3 for v in rec.update_ratio_per_param.values())
    np.testing.assert_array_equal(rec.eval_steps, [0, 5, 10])
    assert np.all((0 <= rec.eval_values) & (rec.eval_values <= 1))
    assert not model.training  # the mode the caller set is restored


def test_train_zero_bias_ratio_is_infinite():
    X, y = regression()
    model = linear_model()
    with torch.no_grad():
        model.bias.zero_()
    rec = lp.train(model, nn.MSELoss(), (X, y), torch.optim.SGD(model.parameters(), lr=0.1),
                   num_steps=2)
    assert rec.update_ratio_per_param["bias"][0] == np.inf
    assert np.isfinite(rec.update_ratio_per_param["bias"][1])


@pytest.mark.parametrize("kwargs, name", [
    ({"num_steps": -1}, "num_steps"), ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 1000}, "batch_size"), ({"record_every": 0}, "record_every"),
    ({"seed": 1.5}, "seed"), ({"eval_every": 0}, "eval_every"),
])
def test_train_rejects_bad_arguments(kwargs, name):
    X, y = regression()
    model = linear_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises((ValueError, TypeError), match=name):
        lp.train(model, nn.MSELoss(), (X, y), opt, **kwargs)


def test_train_rejects_bad_data():
    model = linear_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="same number of rows"):
        lp.train(model, nn.MSELoss(), (np.zeros((5, 3)), np.zeros((4, 1))), opt)
    with pytest.raises(TypeError, match="data"):
        lp.train(model, nn.MSELoss(), np.zeros((5, 3)), opt)


# ----------------------------------------------------------------------------- find_lr

def test_find_lr_restores_model_and_optimizer():
    X, y = data.spirals(n=64, seed=0)
    model = lp.small_mlp(2, 8, 2, norm="batch")
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2)  # adds 'initial_lr' to the groups
    lp.train(model, nn.CrossEntropyLoss(), (X, y), opt, scheduler=sched, num_steps=3)
    model_before = copy.deepcopy(model.state_dict())
    opt_before = copy.deepcopy(opt.state_dict())
    rng_before = torch.random.get_rng_state()
    model.eval()

    res = lp.find_lr(model, nn.CrossEntropyLoss(), (X, y), opt, start_lr=1e-4, end_lr=1.0,
                     num_iter=20, batch_size=16)
    assert len(res.lrs) > 1
    assert_same_state(model.state_dict(), model_before)
    assert_same_state(opt.state_dict(), opt_before)
    assert opt.param_groups[0]["lr"] == opt_before["param_groups"][0]["lr"]
    assert not model.training
    assert torch.equal(torch.random.get_rng_state(), rng_before)


def test_find_lr_restores_even_when_the_loss_raises():
    X, y = regression()
    model = linear_model()
    opt = torch.optim.SGD(model.parameters(), lr=0.123, momentum=0.9)
    model_before = copy.deepcopy(model.state_dict())
    opt_before = copy.deepcopy(opt.state_dict())
    calls = []

    def flaky_loss(out, target):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("boom")
        return nn.functional.mse_loss(out, target)

    with pytest.raises(RuntimeError, match="boom"):
        lp.find_lr(model, flaky_loss, (X, y), opt, num_iter=10)
    assert_same_state(model.state_dict(), model_before)
    assert_same_state(opt.state_dict(), opt_before)
    assert opt.param_groups[0]["lr"] == 0.123
    assert all(p.grad is None for p in model.parameters())


def test_find_lr_ramp_and_suggestion_inside_range():
    X, y = data.spirals(n=128, seed=0)
    res = lp.find_lr(lp.small_mlp(2, 16, 2), nn.CrossEntropyLoss(), (X, y),
                     start_lr=1e-4, end_lr=10.0, num_iter=40, batch_size=32)
    k = len(res.lrs)
    expected = 1e-4 * (10.0 / 1e-4) ** (np.arange(40) / 39)
    np.testing.assert_allclose(res.lrs, expected[:k], rtol=1e-12)
    assert 1e-4 <= res.suggestion <= 10.0
    assert res.min_lr in res.lrs and res.min_lr_over_10 == res.min_lr / 10
    assert res.rule
    # the smoothed curve is the bias-corrected moving average of the raw losses
    avg, beta = 0.0, 0.98
    for i, loss in enumerate(res.losses[np.isfinite(res.losses)]):
        avg = beta * avg + (1 - beta) * loss
        assert res.smoothed[i] == pytest.approx(avg / (1 - beta ** (i + 1)), rel=1e-12)


def test_find_lr_stops_early_on_divergence():
    X, y = regression()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = lp.find_lr(linear_model(), nn.MSELoss(), (X, y), start_lr=1e-3, end_lr=1e4,
                         num_iter=60)
    assert res.diverged
    assert len(res.lrs) < 60
    finite = np.isfinite(res.smoothed)
    assert (not finite[-1]) or res.smoothed[-1] > 4 * res.smoothed[finite].min()
    assert 1e-3 <= res.suggestion <= 1e4


def test_find_lr_that_blows_up_within_its_first_iterations_still_answers():
    """Stopped before iteration num_iter // 10 (where the steepest-descent search starts): the fallback rule."""
    X, y = regression()
    for start_lr in (1e3, 1e6):      # blows up at iteration 1 or 2; from the first step on
        res = lp.find_lr(linear_model(), nn.MSELoss(), (X, y), start_lr=start_lr, end_lr=1e8, num_iter=40)
        assert res.diverged and len(res.lrs) < 4, res.stop_reason
        assert start_lr <= res.suggestion <= 1e8 and res.rule


def test_find_lr_suggestion_is_below_the_stability_limit():
    X, y = regression(n=200, d=2, scales=[1.0, 3.0])
    Xb = np.hstack([X, np.ones((len(X), 1))])  # the bias is one more coordinate
    L = np.linalg.eigvalsh(2 / len(X) * Xb.T @ Xb).max()  # Hessian of MSELoss(mean)
    res = lp.find_lr(linear_model(d=2), nn.MSELoss(), (X, y), start_lr=1e-4, end_lr=10.0,
                     num_iter=100)
    assert res.diverged  # the ramp goes far past 2/L
    assert res.lrs[-1] > 2 / L
    assert 1e-4 < res.suggestion < 2 / L


def test_find_lr_with_factory_and_default_optimizer():
    X, y = regression()
    model = linear_model()
    before = copy.deepcopy(model.state_dict())
    made = []

    def factory(params):
        made.append(torch.optim.SGD(params, lr=99.0, momentum=0.5))
        return made[-1]

    res = lp.find_lr(model, nn.MSELoss(), (X, y), factory, num_iter=10)
    assert len(made) == 1 and res.lrs[0] == 1e-7
    res2 = lp.find_lr(model, nn.MSELoss(), (X, y), num_iter=10)
    assert_same_state(model.state_dict(), before)
    assert res2.lrs.shape == (10,)


def test_find_lr_is_deterministic():
    X, y = data.spirals(n=64, seed=0)
    runs = [lp.find_lr(lp.small_mlp(2, 8, 2), nn.CrossEntropyLoss(), (X, y), num_iter=15,
                       batch_size=16, seed=3) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].losses, runs[1].losses)
    assert runs[0].suggestion == runs[1].suggestion


@pytest.mark.parametrize("kwargs, name", [
    ({"start_lr": -1e-3}, "start_lr"), ({"start_lr": 0.0}, "start_lr"),
    ({"end_lr": -1.0}, "end_lr"), ({"start_lr": 1.0, "end_lr": 1.0}, "end_lr"),
    ({"start_lr": 1.0, "end_lr": 0.1}, "end_lr"), ({"num_iter": 1}, "num_iter"),
    ({"num_iter": 2.5}, "num_iter"), ({"smooth": 1.0}, "smooth"), ({"smooth": -0.1}, "smooth"),
    ({"diverge_factor": 1.0}, "diverge_factor"), ({"batch_size": 0}, "batch_size"),
])
def test_find_lr_rejects_bad_arguments(kwargs, name):
    X, y = regression()
    with pytest.raises((ValueError, TypeError), match=name):
        lp.find_lr(linear_model(), nn.MSELoss(), (X, y), **kwargs)


def test_find_lr_rejects_bad_optimizer():
    X, y = regression()
    with pytest.raises(TypeError, match="optimizer"):
        lp.find_lr(linear_model(), nn.MSELoss(), (X, y), optimizer=3)


# ----------------------------------------------------------------------------- small_mlp

def test_small_mlp_is_deterministic_and_keeps_global_rng():
    state = torch.random.get_rng_state()
    a = lp.small_mlp(4, (8, 8), 3, seed=2)
    assert torch.equal(torch.random.get_rng_state(), state)
    b = lp.small_mlp(4, (8, 8), 3, seed=2)
    c = lp.small_mlp(4, (8, 8), 3, seed=3)
    assert_same_state(a.state_dict(), b.state_dict())
    assert not torch.equal(a[0].weight, c[0].weight)
    assert a(torch.zeros(5, 4)).shape == (5, 3)


@pytest.mark.parametrize("norm, kind", [(None, None), ("batch", nn.BatchNorm1d),
                                        ("layer", nn.LayerNorm)])
def test_small_mlp_layout(norm, kind):
    model = lp.small_mlp(5, (6, 7), 2, norm=norm)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(5, 6), (6, 7), (7, 2)]
    norms = [m for m in model if kind is not None and isinstance(m, kind)]
    assert len(norms) == (0 if kind is None else 2)
    assert all(torch.equal(m.bias, torch.zeros_like(m.bias)) for m in linears)


def test_small_mlp_init_scale_sets_weight_std():
    wide = [lp.small_mlp(400, 400, 1, init_scale=s)[0].weight.detach() for s in (1.0, 0.1)]
    he = np.sqrt(2 / 400)  # He initialisation for ReLU
    assert float(wide[0].std()) == pytest.approx(he, rel=0.02)
    assert float(wide[1].std()) == pytest.approx(0.1 * he, rel=0.02)


@pytest.mark.parametrize("kwargs, name", [
    ({"norm": "group"}, "norm"), ({"init_scale": 0.0}, "init_scale"),
    ({"hidden": (4, 0)}, "hidden"), ({"in_features": 0}, "in_features"),
    ({"activation": "gelu"}, "activation"),
])
def test_small_mlp_rejects_bad_arguments(kwargs, name):
    args = {"in_features": 3, **kwargs}
    with pytest.raises((ValueError, TypeError), match=name):
        lp.small_mlp(**args)


def test_progress_flag_is_silent_outside_a_notebook(capsys):
    X, y = regression()
    model = linear_model()
    lp.train(model, nn.MSELoss(), (X, y), torch.optim.SGD(model.parameters(), lr=0.01),
             num_steps=3, progress=True)
    lp.find_lr(model, nn.MSELoss(), (X, y), num_iter=5, progress=True)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


# --------------------------------------------------------------------------- sharpness

def half_mse(out, target):
    return 0.5 * (out - target).pow(2).sum(dim=1).mean()


def tiny_tanh_net(seed=0):
    return lp.small_mlp(2, (5,), 1, seed=seed, activation="tanh").double()


def full_hessian(model, loss_fn, X, Y):
    """The exact Hessian of the loss in the flat parameters, by torch.autograd.functional.hessian."""
    from torch.func import functional_call
    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]
    w0 = torch.nn.utils.parameters_to_vector(model.parameters()).detach()

    def f(w):
        parts, i = {}, 0
        for n, s in zip(names, shapes):
            k = math.prod(s)
            parts[n] = w[i:i + k].reshape(s)
            i += k
        return loss_fn(functional_call(model, parts, (X,)), Y)
    return torch.autograd.functional.hessian(f, w0)


def test_top_eigenvalue_is_the_hessians_largest_eigenvalue():
    X = torch.as_tensor(np.random.default_rng(0).standard_normal((30, 2)))
    Y = torch.sin(X[:, :1] * 2.0)
    model = tiny_tanh_net()
    before = [p.detach().clone() for p in model.parameters()]
    ev = torch.linalg.eigvalsh(full_hessian(model, half_mse, X, Y))
    top = ev[ev.abs().argmax()].item()
    lam, v = lp.top_eigenvalue(model, half_mse, X, Y, iters=300)
    assert lam == pytest.approx(top, rel=1e-6)
    H = full_hessian(model, half_mse, X, Y)
    assert torch.allclose(H @ v, lam * v, atol=1e-5 * abs(lam))             # v is its eigenvector
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))   # model untouched
    # warm start: a few more steps from v stay on it
    lam2, _ = lp.top_eigenvalue(model, half_mse, X, Y, v, iters=2)
    assert lam2 == pytest.approx(top, rel=1e-6)


def test_top_eigenvalue_of_linear_least_squares_is_exact():
    X, y = regression(n=50, d=3, scales=[1.0, 2.0, 0.5])
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    model = nn.Linear(3, 1, bias=False).double()
    lam, _ = lp.top_eigenvalue(model, lambda out, t: 0.5 * (out - t).pow(2).mean(), X, y, iters=200)
    assert lam == pytest.approx(np.linalg.eigvalsh((X.T @ X).numpy() / 50)[-1], rel=1e-9)


def test_flat_params_loss_matches_torch_and_leaves_the_model_alone():
    from lrlab import diagnostics
    X = torch.as_tensor(np.random.default_rng(1).standard_normal((20, 2)))
    Y = torch.cos(X[:, :1])
    model = tiny_tanh_net(seed=3)
    f = lp.FlatParamsLoss(model, half_mse, X, Y)
    x = f.point()
    assert x.shape == (f.dim,) == (sum(p.numel() for p in model.parameters()),)
    np.testing.assert_array_equal(x, torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy())
    loss = half_mse(model(X), Y)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    assert f.value(x) == pytest.approx(loss.item(), rel=1e-14)
    np.testing.assert_allclose(f.grad(x), torch.cat([g.reshape(-1) for g in grads]).numpy(), rtol=1e-12)
    f.value(x + 1.0)                                                     # moves only the private copy
    np.testing.assert_array_equal(torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy(), x)
    lam, _ = lp.top_eigenvalue(model, half_mse, X, Y, iters=300)
    assert diagnostics.sharpness(f, x, iters=300) == pytest.approx(lam, rel=1e-4)
