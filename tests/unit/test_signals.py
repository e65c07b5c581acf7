"""dlbook.signals: per-layer gradient norms, activation scales and spreads."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import dlbook
from dlbook import inspect, nets, regions, signals


@pytest.fixture(scope="module")
def spiral():
    return dlbook.make_spiral(n_per_class=100, random_state=12345)


def test_layer_grad_norms_match_backward_and_leave_grads_alone(spiral):
    X, y = spiral
    model = nets.mlp(2, 16, 3, depth=4, activation="tanh", init="xavier", seed=0)
    norms = signals.layer_grad_norms(model, X, y)
    assert len(norms) == 5
    assert all(p.grad is None for p in model.parameters())
    nn.functional.cross_entropy(model(X), y).backward()
    expected = [
        float(layer.weight.grad.norm()) for layer in inspect.linear_layers(model)
    ]
    assert norms == pytest.approx(expected, rel=1e-5)


def test_sigmoid_gradients_vanish_and_kaiming_relu_does_not(spiral):
    X, y = spiral
    grid = signals.grad_norm_grid(
        X,
        y,
        activations=("sigmoid", "relu"),
        inits=("default", "kaiming"),
        depth=20,
        width=64,
    )
    assert set(grid) == {
        ("sigmoid", "default"),
        ("sigmoid", "kaiming"),
        ("relu", "default"),
        ("relu", "kaiming"),
    }
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
    for name, kw in {
        "plain": {},
        "bn": dict(norm="batch"),
        "res": dict(residual=True),
    }.items():
        model = nets.mlp(2, 64, 3, 20, activation="sigmoid", seed=0, **kw)
        first[name] = signals.layer_grad_norms(model, X, y)[0]
    assert first["bn"] > 1e6 * first["plain"]
    assert first["res"] > 1e6 * first["plain"]


def test_layer_grad_norms_errors(spiral):
    X, y = spiral
    with pytest.raises(ValueError, match="Linear"):
        signals.layer_grad_norms(nn.Sequential(nn.ReLU()), X, y)
    with pytest.raises(ValueError, match="samples"):
        signals.layer_grad_norms(nets.mlp(2, 4, 3, 1), X, y[:-1])


def test_activation_scales_bounded_vs_unbounded():
    X = torch.randn(256, 32, generator=torch.Generator().manual_seed(0))
    sig = nets.mlp(32, 32, 4, depth=8, activation="sigmoid", init="kaiming", seed=0)
    relu = nets.mlp(32, 32, 4, depth=8, activation="relu", init="kaiming", seed=0)
    with torch.no_grad():
        for net in (sig, relu):
            for layer in inspect.linear_layers(net):
                layer.weight.mul_(2.0)
    s_sig, s_relu = (
        signals.activation_scales(sig, X),
        signals.activation_scales(relu, X),
    )
    assert len(s_sig) == len(s_relu) == 8
    assert max(s_sig) <= 1.0
    assert s_relu[-1] > 50 * s_relu[0]  # doubling the weights: about 2x per layer


def test_activation_scales_of_a_linear_stack():
    lin = nets.mlp(3, 5, 2, activation="none", depth=3, seed=0)
    X = torch.randn(10, 3)
    scales = signals.activation_scales(lin, X)
    assert len(scales) == 3  # all Linear layers but the last
    with torch.no_grad():
        assert scales[0] == pytest.approx(float(lin[0](X).pow(2).mean().sqrt()))


def test_activation_spreads():
    net = nets.mlp(4, 8, 2, depth=3, activation="tanh", init="xavier", seed=0)
    same = torch.ones(5, 4)
    assert signals.activation_spreads(net, same) == pytest.approx(
        [0.0, 0.0, 0.0], abs=1e-7
    )
    varied = torch.randn(50, 4, generator=torch.Generator().manual_seed(0))
    assert all(s > 0.01 for s in signals.activation_spreads(net, varied))
    with pytest.raises(ValueError, match="2 samples"):
        signals.activation_spreads(net, varied[:1])
    with pytest.raises(TypeError, match="X"):
        signals.activation_scales(net, torch.ones(3, 4, dtype=torch.long))


def test_plain_deep_net_signal_vanishes_residual_keeps_it():
    X = regions.grid_points(resolution=30)
    with torch.no_grad():
        plain = nets.mlp(2, 16, 3, 20, seed=0)(X).std(0).mean().item()
        res = nets.mlp(2, 16, 3, 20, residual=True, seed=0)(X).std(0).mean().item()
    assert plain < 1e-5 < 1e-2 < res
