"""dlbook.nets.mlp: the MLP builder, its options (init, zero_bias, norm, residual),
collapse, fold.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from dlbook import inspect, nets, regions


def test_linear_and_relu_architectures():
    lin = nets.mlp(2, 100, 3, activation="none")
    relu = nets.mlp(2, 100, 3, activation="relu")
    assert [type(m) for m in lin] == [nn.Linear, nn.Linear]
    assert [type(m) for m in relu] == [nn.Linear, nn.ReLU, nn.Linear]
    deep = nets.mlp(2, 8, 3, activation="tanh", depth=3)
    assert sum(isinstance(m, nn.Linear) for m in deep) == 4
    assert sum(p.numel() for p in relu.parameters()) == 2 * 100 + 100 + 100 * 3 + 3


def test_seed_gives_identical_weights():
    a = nets.mlp(2, 16, 3, seed=7)
    b = nets.mlp(2, 16, 3, seed=7)
    c = nets.mlp(2, 16, 3, seed=8)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a[0].weight, c[0].weight)


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        ((0, 10, 3), {}, ValueError, "d_in"),
        ((2, -1, 3), {}, ValueError, "width"),
        (
            (2, 10, 3),
            {"activation": "swish"},
            ValueError,
            "relu, leaky_relu, tanh, sigmoid, gelu, none",
        ),
        ((2, 10, 3), {"depth": 0}, ValueError, "depth"),
        ((2, 10, 3), {"activation": None}, TypeError, "activation"),
    ],
)
def test_bad_arguments(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        nets.mlp(*args, **kwargs)


def test_collapse_linear_matches_model():
    model = nets.mlp(2, 50, 3, activation="none", depth=3, seed=0)
    W, b = nets.collapse_linear(model)
    X = torch.randn(64, 2)
    with torch.no_grad():
        assert torch.allclose(model(X), X @ W.T + b, atol=1e-5)
    assert W.shape == (3, 2) and b.shape == (3,)


def test_collapse_refuses_activations():
    with pytest.raises(ValueError, match="model\\[1\\] is ReLU"):
        nets.collapse_linear(nets.mlp(2, 5, 3, activation="relu"))


def test_structure_and_shapes():
    model = nets.mlp(2, 32, 3, depth=5, activation="tanh", seed=0)
    linears = inspect.linear_layers(model)
    assert len(linears) == 6
    assert (linears[0].in_features, linears[0].out_features) == (2, 32)
    assert (linears[-1].in_features, linears[-1].out_features) == (32, 3)
    assert sum(isinstance(m, nn.Tanh) for m in model.modules()) == 5
    assert model(torch.zeros(4, 2)).shape == (4, 3)


def test_default_init_is_pytorchs_and_matches_make_mlp():
    a = nets.mlp(2, 16, 3, depth=4, activation="relu", init="default", seed=3)
    b = nets.mlp(2, 16, 3, activation="relu", depth=4, seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


@pytest.mark.parametrize(
    "init, expected_std",
    [
        ("xavier", math.sqrt(2 / (256 + 256))),
        ("kaiming", math.sqrt(2 / 256)),
        ("default", 1 / math.sqrt(3 * 256)),
    ],
)
def test_init_scales(init, expected_std):
    model = nets.mlp(256, 256, 256, depth=2, init=init, seed=0)
    layer = inspect.linear_layers(model)[1]
    assert float(layer.weight.detach().std()) == pytest.approx(expected_std, rel=0.05)
    if init != "default":
        assert float(layer.bias.detach().abs().max()) == 0.0


def test_batchnorm_and_residual_options():
    bn = nets.mlp(2, 8, 3, depth=4, norm="batch", seed=0)
    assert sum(isinstance(m, nn.BatchNorm1d) for m in bn.modules()) == 4
    res = nets.mlp(2, 8, 3, depth=4, residual=True, seed=0)
    blocks = [m for m in res.modules() if isinstance(m, nets.Residual)]
    assert len(blocks) == 3
    assert len(inspect.linear_layers(res)) == 5
    x = torch.randn(6, 8)
    block = blocks[0]
    with torch.no_grad():
        assert torch.allclose(block(x), x + torch.relu(block.linear(x)))
    both = nets.mlp(2, 8, 3, depth=3, norm="batch", residual=True, seed=0)
    assert both(torch.randn(5, 2)).shape == (5, 3)


def test_builder_is_deterministic():
    a = nets.mlp(2, 16, 3, depth=3, init="kaiming", seed=9)
    b = nets.mlp(2, 16, 3, depth=3, init="kaiming", seed=9)
    c = nets.mlp(2, 16, 3, depth=3, init="kaiming", seed=10)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(
        inspect.linear_layers(a)[0].weight, inspect.linear_layers(c)[0].weight
    )


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(init="he"), ValueError, "init"),
        (dict(activation="swish"), ValueError, "activation"),
        (dict(depth=0), ValueError, "depth"),
        (dict(width=0), ValueError, "width"),
        (dict(norm="layer"), ValueError, "norm"),
        (dict(zero_bias=1), TypeError, "zero_bias"),
        (dict(residual=1), TypeError, "residual"),
        (dict(seed=-1), ValueError, "seed"),
    ],
)
def test_builder_argument_errors(kwargs, exc, word):
    args = dict(d_in=2, width=8, d_out=3, depth=2)
    args.update(kwargs)
    with pytest.raises(exc, match=word):
        nets.mlp(**args)


def test_init_linear_errors():
    with pytest.raises(TypeError, match="layer"):
        nets.init_linear_(nn.Conv2d(1, 1, 3), "xavier")
    with pytest.raises(ValueError, match="init"):
        nets.init_linear_(nn.Linear(2, 2), "orthogonal")


def test_fold_layer_reflects_one_side():
    angle, offset = 1.1, -0.3
    fold = nets.fold_layer(angle, offset)
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


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(angle=float("nan"), offset=0.0), "angle"),
        (dict(angle=0.0, offset="1"), "offset"),
    ],
)
def test_fold_layer_errors(kwargs, word):
    with pytest.raises(ValueError, match=word):
        nets.fold_layer(**kwargs)


def test_residual_has_same_parameters_as_plain():
    plain = nets.mlp(2, 16, 3, 20, seed=0)
    res = nets.mlp(2, 16, 3, 20, residual=True, seed=0)
    assert (
        inspect.count_params(plain)
        == inspect.count_params(res)
        == regions.mlp_params(2, 16, 3, 20)
    )
    assert [p.shape for p in plain.parameters()] == [p.shape for p in res.parameters()]


def test_residual_forward_is_skip_plus_block():
    torch.manual_seed(0)
    res = nets.mlp(2, 4, 3, 2, residual=True, seed=5)
    x = torch.randn(6, 2)
    h = torch.relu(res[0](x))
    h = h + torch.relu(res[2].linear(h))
    assert torch.allclose(res(x), res[3](h))


def test_seeded_builders_are_deterministic():
    for residual in (False, True):
        for init in ("default", "kaiming"):
            a = nets.mlp(2, 8, 3, 3, residual=residual, init=init, seed=7)
            b = nets.mlp(2, 8, 3, 3, residual=residual, init=init, seed=7)
            assert all(
                torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters())
            )


def test_kaiming_variance_and_zero_bias_option():
    model = nets.mlp(2, 400, 3, 2, init="kaiming", zero_bias=False, seed=0)
    assert (
        float(model[2].bias.detach().abs().max()) > 0
    )  # He init with PyTorch's biases kept
    assert (
        float(
            nets.mlp(2, 400, 3, 2, init="kaiming", seed=0)[2].bias.detach().abs().max()
        )
        == 0
    )
    assert (
        float(
            nets.mlp(2, 400, 3, 2, zero_bias=True, seed=0)[2].bias.detach().abs().max()
        )
        == 0
    )
    w = model[2].weight.detach()  # 400 x 400 hidden layer
    assert abs(float(w.var()) - 2 / 400) < 0.1 * 2 / 400
    default = nets.mlp(2, 400, 3, 2, seed=0)[2].weight.detach()
    assert abs(float(default.var()) - 1 / (3 * 400)) < 0.1 / (3 * 400)
