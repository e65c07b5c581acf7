import pytest
import torch
from torch import nn

from dlbook import collapse_linear, make_mlp, model_device


def test_linear_and_relu_architectures():
    lin = make_mlp(2, 100, 3, activation="none")
    relu = make_mlp(2, 100, 3, activation="relu")
    assert [type(m) for m in lin] == [nn.Linear, nn.Linear]
    assert [type(m) for m in relu] == [nn.Linear, nn.ReLU, nn.Linear]
    deep = make_mlp(2, 8, 3, activation="tanh", n_hidden_layers=3)
    assert sum(isinstance(m, nn.Linear) for m in deep) == 4
    assert sum(p.numel() for p in relu.parameters()) == 2 * 100 + 100 + 100 * 3 + 3


def test_seed_gives_identical_weights():
    a = make_mlp(2, 16, 3, seed=7)
    b = make_mlp(2, 16, 3, seed=7)
    c = make_mlp(2, 16, 3, seed=8)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a[0].weight, c[0].weight)


@pytest.mark.parametrize(
    "args, kwargs, exc, match",
    [
        ((0, 10, 3), {}, ValueError, "d_in"),
        ((2, -1, 3), {}, ValueError, "d_hidden"),
        ((2, 10, 3), {"activation": "swish"}, ValueError, "relu, leaky_relu, tanh, sigmoid, gelu, none"),
        ((2, 10, 3), {"n_hidden_layers": 0}, ValueError, "n_hidden_layers"),
        ((2, 10, 3), {"activation": None}, TypeError, "activation"),
    ],
)
def test_bad_arguments(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_mlp(*args, **kwargs)


def test_collapse_linear_matches_model():
    model = make_mlp(2, 50, 3, activation="none", n_hidden_layers=3, seed=0)
    W, b = collapse_linear(model)
    X = torch.randn(64, 2)
    with torch.no_grad():
        assert torch.allclose(model(X), X @ W.T + b, atol=1e-5)
    assert W.shape == (3, 2) and b.shape == (3,)


def test_collapse_refuses_activations():
    with pytest.raises(ValueError, match="model\\[1\\] is ReLU"):
        collapse_linear(make_mlp(2, 5, 3, activation="relu"))


def test_model_device():
    assert model_device(make_mlp(2, 3, 2)) == torch.device("cpu")
    assert model_device(nn.ReLU()) == torch.device("cpu")
    with pytest.raises(TypeError, match="model"):
        model_device("not a model")


def test_modules_of():
    from dlbook.models import modules_of

    model = make_mlp(2, 4, 3, activation="relu", n_hidden_layers=2)
    assert [type(m) for m in modules_of(model, nn.ReLU, "ReLU")] == [nn.ReLU, nn.ReLU]
    with pytest.raises(ValueError, match="model has no nn.Tanh"):
        modules_of(model, nn.Tanh, "nn.Tanh")
    with pytest.raises(TypeError, match="model"):
        modules_of([], nn.ReLU, "ReLU")
