"""dlbook.deepnets: deep MLP builder, initialisations, per-layer gradient norms, activation statistics, folds."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import dlbook
from dlbook import deepnets


@pytest.fixture(scope="module")
def spiral():
    return dlbook.make_spiral(n_per_class=100, seed=12345)


# --------------------------------------------------------------------------- builder


def test_structure_and_shapes():
    model = deepnets.make_deep_mlp(2, 32, 3, depth=5, activation="tanh", seed=0)
    linears = deepnets.linear_layers(model)
    assert len(linears) == 6
    assert (linears[0].in_features, linears[0].out_features) == (2, 32)
    assert (linears[-1].in_features, linears[-1].out_features) == (32, 3)
    assert sum(isinstance(m, nn.Tanh) for m in model.modules()) == 5
    assert model(torch.zeros(4, 2)).shape == (4, 3)


def test_default_init_is_pytorchs_and_matches_make_mlp():
    a = deepnets.make_deep_mlp(2, 16, 3, depth=4, activation="relu", init="default", seed=3)
    b = dlbook.make_mlp(2, 16, 3, activation="relu", n_hidden_layers=4, seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


@pytest.mark.parametrize(
    "init, expected_std",
    [("xavier", math.sqrt(2 / (256 + 256))), ("kaiming", math.sqrt(2 / 256)), ("default", 1 / math.sqrt(3 * 256))],
)
def test_init_scales(init, expected_std):
    model = deepnets.make_deep_mlp(256, 256, 256, depth=2, init=init, seed=0)
    layer = deepnets.linear_layers(model)[1]
    assert float(layer.weight.detach().std()) == pytest.approx(expected_std, rel=0.05)
    if init != "default":
        assert float(layer.bias.detach().abs().max()) == 0.0


def test_batchnorm_and_residual_options():
    bn = deepnets.make_deep_mlp(2, 8, 3, depth=4, batchnorm=True, seed=0)
    assert sum(isinstance(m, nn.BatchNorm1d) for m in bn.modules()) == 4
    res = deepnets.make_deep_mlp(2, 8, 3, depth=4, residual=True, seed=0)
    blocks = [m for m in res.modules() if isinstance(m, deepnets.ResidualBlock)]
    assert len(blocks) == 3
    assert len(deepnets.linear_layers(res)) == 5
    x = torch.randn(6, 8)
    block = blocks[0]
    with torch.no_grad():
        assert torch.allclose(block(x), x + torch.relu(block.linear(x)))
    both = deepnets.make_deep_mlp(2, 8, 3, depth=3, batchnorm=True, residual=True, seed=0)
    assert both(torch.randn(5, 2)).shape == (5, 3)


def test_builder_is_deterministic():
    a = deepnets.make_deep_mlp(2, 16, 3, depth=3, init="kaiming", seed=9)
    b = deepnets.make_deep_mlp(2, 16, 3, depth=3, init="kaiming", seed=9)
    c = deepnets.make_deep_mlp(2, 16, 3, depth=3, init="kaiming", seed=10)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(deepnets.linear_layers(a)[0].weight, deepnets.linear_layers(c)[0].weight)


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(init="he"), ValueError, "init"),
        (dict(activation="none"), ValueError, "activation"),
        (dict(activation="swish"), ValueError, "activation"),
        (dict(depth=0), ValueError, "depth"),
        (dict(width=0), ValueError, "width"),
        (dict(batchnorm="yes"), TypeError, "batchnorm"),
        (dict(residual=1), TypeError, "residual"),
        (dict(seed=-1), ValueError, "seed"),
    ],
)
def test_builder_argument_errors(kwargs, exc, word):
    args = dict(d_in=2, width=8, d_out=3, depth=2)
    args.update(kwargs)
    with pytest.raises(exc, match=word):
        deepnets.make_deep_mlp(**args)


def test_init_linear_errors():
    with pytest.raises(TypeError, match="layer"):
        deepnets.init_linear_(nn.Conv2d(1, 1, 3), "xavier")
    with pytest.raises(ValueError, match="init"):
        deepnets.init_linear_(nn.Linear(2, 2), "orthogonal")


# --------------------------------------------------------------------------- gradients


def test_layer_grad_norms_match_backward_and_leave_grads_alone(spiral):
    X, y = spiral
    model = deepnets.make_deep_mlp(2, 16, 3, depth=4, activation="tanh", init="xavier", seed=0)
    norms = deepnets.layer_grad_norms(model, X, y)
    assert len(norms) == 5
    assert all(p.grad is None for p in model.parameters())
    nn.functional.cross_entropy(model(X), y).backward()
    expected = [float(layer.weight.grad.norm()) for layer in deepnets.linear_layers(model)]
    assert norms == pytest.approx(expected, rel=1e-5)


def test_sigmoid_gradients_vanish_and_kaiming_relu_does_not(spiral):
    X, y = spiral
    grid = deepnets.grad_norm_grid(X, y, activations=("sigmoid", "relu"), inits=("default", "kaiming"), depth=20, width=64)
    assert set(grid) == {("sigmoid", "default"), ("sigmoid", "kaiming"), ("relu", "default"), ("relu", "kaiming")}
    assert all(len(v) == 21 for v in grid.values())
    ratio = {k: v[0] / v[-1] for k, v in grid.items()}
    assert ratio[("sigmoid", "default")] < 1e-10
    assert ratio[("sigmoid", "kaiming")] < 1e-6
    assert ratio[("relu", "default")] < 1e-4
    assert ratio[("relu", "kaiming")] > 1e-2
    # norms rise from the first to the last layer for the sigmoid net
    sig = grid[("sigmoid", "default")]
    assert sig[0] < sig[10] < sig[-1]


def test_batchnorm_and_residual_rescue_the_first_layer(spiral):
    X, y = spiral
    first = {}
    for name, kw in {"plain": {}, "bn": dict(batchnorm=True), "res": dict(residual=True)}.items():
        model = deepnets.make_deep_mlp(2, 64, 3, 20, "sigmoid", seed=0, **kw)
        first[name] = deepnets.layer_grad_norms(model, X, y)[0]
    assert first["bn"] > 1e6 * first["plain"]
    assert first["res"] > 1e6 * first["plain"]


def test_layer_grad_norms_errors(spiral):
    X, y = spiral
    with pytest.raises(ValueError, match="Linear"):
        deepnets.layer_grad_norms(nn.Sequential(nn.ReLU()), X, y)
    with pytest.raises(ValueError, match="samples"):
        deepnets.layer_grad_norms(deepnets.make_deep_mlp(2, 4, 3, 1), X, y[:-1])


# --------------------------------------------------------------------------- activations


def test_activation_scales_bounded_vs_unbounded():
    X = torch.randn(256, 32, generator=torch.Generator().manual_seed(0))
    sig = deepnets.make_deep_mlp(32, 32, 4, depth=8, activation="sigmoid", init="kaiming", seed=0)
    relu = deepnets.make_deep_mlp(32, 32, 4, depth=8, activation="relu", init="kaiming", seed=0)
    with torch.no_grad():
        for net in (sig, relu):
            for layer in deepnets.linear_layers(net):
                layer.weight.mul_(2.0)
    s_sig, s_relu = deepnets.activation_scales(sig, X), deepnets.activation_scales(relu, X)
    assert len(s_sig) == len(s_relu) == 8
    assert max(s_sig) <= 1.0
    assert s_relu[-1] > 50 * s_relu[0]  # doubling the weights: about 2x per layer


def test_activation_scales_of_a_linear_stack():
    lin = dlbook.make_mlp(3, 5, 2, activation="none", n_hidden_layers=3, seed=0)
    X = torch.randn(10, 3)
    scales = deepnets.activation_scales(lin, X)
    assert len(scales) == 3  # all Linear layers but the last
    with torch.no_grad():
        assert scales[0] == pytest.approx(float(lin[0](X).pow(2).mean().sqrt()))


def test_activation_spreads():
    net = deepnets.make_deep_mlp(4, 8, 2, depth=3, activation="tanh", init="xavier", seed=0)
    same = torch.ones(5, 4)
    assert deepnets.activation_spreads(net, same) == pytest.approx([0.0, 0.0, 0.0], abs=1e-7)
    varied = torch.randn(50, 4, generator=torch.Generator().manual_seed(0))
    assert all(s > 0.01 for s in deepnets.activation_spreads(net, varied))
    with pytest.raises(ValueError, match="2 samples"):
        deepnets.activation_spreads(net, varied[:1])
    with pytest.raises(TypeError, match="X"):
        deepnets.activation_scales(net, torch.ones(3, 4, dtype=torch.long))


# --------------------------------------------------------------------------- folding


def test_fold_layer_reflects_one_side():
    angle, offset = 1.1, -0.3
    fold = deepnets.fold_layer(angle, offset)
    n = torch.tensor([math.cos(angle), math.sin(angle)])
    pts = torch.randn(500, 2, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        out = fold(pts)
    keep = pts @ n >= offset
    assert torch.allclose(out[keep], pts[keep], atol=1e-6)
    mirrored = pts[~keep] + 2 * (offset - pts[~keep] @ n)[:, None] * n
    assert torch.allclose(out[~keep], mirrored, atol=1e-5)
    assert bool((out @ n >= offset - 1e-5).all())  # everything ends up on one side
    assert sum(isinstance(m, nn.ReLU) for m in fold) == 1


@pytest.mark.parametrize("kwargs, word", [(dict(angle=float("nan"), offset=0.0), "angle"), (dict(angle=0.0, offset="1"), "offset")])
def test_fold_layer_errors(kwargs, word):
    with pytest.raises(ValueError, match=word):
        deepnets.fold_layer(**kwargs)
