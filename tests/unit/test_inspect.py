"""dlbook.inspect: parameter and operation counts, layer tables, model device."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook import inspect, nets
from dlbook.inspect import model_device


def test_model_device():
    assert model_device(nets.mlp(2, 3, 2)) == torch.device("cpu")
    assert model_device(nn.ReLU()) == torch.device("cpu")
    with pytest.raises(TypeError, match="model"):
        model_device("not a model")


def test_modules_of():
    from dlbook.inspect import modules_of

    model = nets.mlp(2, 4, 3, activation="relu", depth=2)
    assert [type(m) for m in modules_of(model, nn.ReLU, "ReLU")] == [nn.ReLU, nn.ReLU]
    with pytest.raises(ValueError, match="model has no nn.Tanh"):
        modules_of(model, nn.Tanh, "nn.Tanh")
    with pytest.raises(TypeError, match="model"):
        modules_of([], nn.ReLU, "ReLU")


def test_layer_summary_errors_and_training_flag():
    model = nets.lenet5()
    model.train()
    with pytest.raises(ValueError, match="input_shape"):
        inspect.layer_summary(model, (1, 8, 8))  # too small for two 5x5 convolutions
    with pytest.raises(ValueError, match="input_shape"):
        inspect.layer_summary(model, (1, 0, 32))
    with pytest.raises(TypeError, match="input_shape"):
        inspect.layer_summary(model, "1x32x32")
    with pytest.raises(TypeError, match="model"):
        inspect.layer_summary("lenet", (1, 32, 32))
    assert model.training  # restored after the errors
    inspect.layer_summary(model, (1, 32, 32))
    assert model.training


def test_count_macs():
    # conv1 6·28·28·25 + conv2 16·10·10·150 + fc 400·120 + 120·84 + 84·10
    assert (
        inspect.count_macs(nets.lenet5(), nets.LENET5_INPUT)
        == 117_600 + 240_000 + 48_000 + 10_080 + 840
    )
    with torch.device("meta"):
        alex = nets.alexnet("paper")
    macs = inspect.count_macs(alex, nets.ALEXNET_INPUTS["paper"])
    assert 6.5e8 < macs < 8e8
    # the grouped conv2 costs half of an ungrouped one
    conv2 = dict(alex.named_children())["conv2"]
    assert conv2.groups == 2
    with pytest.raises(ValueError, match="input_shape"):
        inspect.count_macs(nets.lenet5(), (3, 32, 32))


def test_describe_layer():
    assert (
        inspect.describe_layer(nn.Conv2d(3, 96, 11, stride=4))
        == "Conv2d 11×11, 3→96, 步幅 4"
    )
    assert inspect.describe_layer(nn.Linear(400, 120)) == "Linear 400→120"
    assert inspect.describe_layer(nn.MaxPool2d(3, 2)) == "MaxPool 3×3, 步幅 2"
    assert inspect.describe_layer(nn.ReLU()) == "ReLU"
