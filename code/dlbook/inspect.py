"""Looking inside a model without training it: parameter and operation counts, layer
tables.

:func:`count_params`, :func:`layer_summary` (every layer's output shape and parameters),
:func:`count_macs`; :func:`model_device` and :func:`modules_of` for the other modules.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import torch
from torch import nn


def _check_model(model) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (CPU for a model without
    parameters)."""
    _check_model(model)
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def modules_of(model: nn.Module, cls, what: str) -> list:
    """The submodules of ``model`` that are instances of ``cls``, in order; raise if
    there are none.

    ``what`` completes the error message ``"model has no <what>"``.
    """
    _check_model(model)
    found = [m for m in model.modules() if isinstance(m, cls)]
    if not found:
        raise ValueError(f"model has no {what}")
    return found


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """The ``nn.Linear`` layers of ``model``, from input to output."""
    return modules_of(model, nn.Linear, "nn.Linear layer")


class LayerRow(NamedTuple):
    """One row of :func:`layer_summary`: the layer, its output shape (without batch),
    its parameters.
    """

    layer: str
    output_shape: tuple
    params: int


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters of ``model``; with ``trainable_only`` those with
    ``requires_grad``.
    """
    _check_model(model)
    return sum(
        p.numel() for p in model.parameters() if p.requires_grad or not trainable_only
    )


def _pair(v) -> str:
    v = v if isinstance(v, tuple) else (v, v)
    return f"{v[0]}×{v[1]}"


def describe_layer(module: nn.Module) -> str:
    """A short description of a layer, e.g. ``Conv2d 5×5, 1→6`` or ``Linear
    400→120``."""
    if isinstance(module, nn.Conv2d):
        channels = f"{module.in_channels}→{module.out_channels}"
        text = f"Conv2d {_pair(module.kernel_size)}, {channels}"
        stride = (
            module.stride if isinstance(module.stride, tuple) else (module.stride,) * 2
        )
        if stride != (1, 1):
            text += f", 步幅 {stride[0]}"
        if module.groups != 1:
            text += f", 分 {module.groups} 组"
        return text
    if isinstance(module, nn.Linear):
        return f"Linear {module.in_features}→{module.out_features}"
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        kind = "MaxPool" if isinstance(module, nn.MaxPool2d) else "AvgPool"
        stride = module.stride if module.stride is not None else module.kernel_size
        stride = stride[0] if isinstance(stride, tuple) else stride
        return f"{kind} {_pair(module.kernel_size)}, 步幅 {stride}"
    if isinstance(module, nn.Dropout):
        return f"Dropout p={module.p:g}"
    if isinstance(module, nn.LocalResponseNorm):
        return f"LRN size={module.size}"
    return type(module).__name__


def _check_shape(name: str, shape) -> tuple:
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise TypeError(
            f"{name} must be a tuple of positive ints such as (1, 32, 32), got "
            f"{shape!r}"
        )
    shape = tuple(shape)
    if not shape:
        raise ValueError(f"{name} must not be empty")
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1:
            raise ValueError(f"{name} must hold positive ints, got {shape!r}")
    return tuple(int(s) for s in shape)


def layer_summary(model: nn.Module, input_shape) -> list[LayerRow]:
    """Run one input of shape ``input_shape`` (no batch dimension) through ``model``.

    Returns one :class:`LayerRow` per leaf layer, in the order the layers are called:
    ``(name and description, output shape without batch, parameter count)``. The sum of
    the ``params`` column equals :func:`count_params` for a model whose layers are all
    used.

    The input is created on the model's device, so a model built under
    ``with torch.device("meta"):`` is summarised without allocating its weights.
    """
    _check_model(model)
    input_shape = _check_shape("input_shape", input_shape)
    names = {m: n for n, m in model.named_modules()}
    rows: list[LayerRow] = []

    def hook(module, _inputs, output):
        rows.append(
            LayerRow(
                f"{names[module]} ({describe_layer(module)})",
                tuple(output.shape[1:]),
                sum(p.numel() for p in module.parameters(recurse=False)),
            )
        )

    leaves = [m for m in model.modules() if not any(True for _ in m.children())]
    _probe(model, input_shape, leaves, hook)
    return rows


def _probe(model: nn.Module, input_shape: tuple, modules, hook) -> None:
    """One forward pass of a zero input in eval mode, with ``hook`` on ``modules``;
    restores the model.
    """
    hooks = [m.register_forward_hook(hook) for m in modules]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros((1, *input_shape), device=model_device(model)))
    except RuntimeError as err:
        raise ValueError(
            f"input_shape={input_shape} does not fit the model: {err}"
        ) from None
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)


def count_macs(model: nn.Module, input_shape) -> int:
    """Multiply-accumulate operations of one forward pass of one input (Conv2d and
    Linear layers only).

    A convolution costs ``output elements × (in_channels / groups) × kernel area``, a
    Linear layer ``in_features × out_features``; activations, pooling and normalisation
    are cheap in comparison and not counted.
    """
    _check_model(model)
    input_shape = _check_shape("input_shape", input_shape)
    total = 0

    def hook(module, _inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            total += output[0].numel() * (module.in_channels // module.groups) * k
        else:
            total += module.in_features * module.out_features

    _probe(
        model,
        input_shape,
        [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))],
        hook,
    )
    return total
