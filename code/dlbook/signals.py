"""What flows through a net: the gradient each layer receives, the size and spread of
activations.

The vanishing-gradient and activation chapters measure these on freshly built nets.
"""

from __future__ import annotations

import torch
from torch import nn

from .data import check_xy
from .inspect import linear_layers, model_device
from .nets import ACTIVATIONS, INITS, mlp


def layer_grad_norms(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> list[float]:
    """Frobenius norm of ``∂L/∂W`` for every Linear layer (input layer first), L the
    cross-entropy on ``(X, y)``.

    The gradients are computed with :func:`torch.autograd.grad`: the model's ``.grad``
    fields are not touched and no parameter changes. Returns plain floats.
    """
    check_xy(X, y)
    layers = linear_layers(model)
    if X.device != model_device(model):
        raise ValueError(
            f"model is on {model_device(model)} but X is on {X.device}; move them "
            "together"
        )
    loss = nn.functional.cross_entropy(model(X), y)
    grads = torch.autograd.grad(loss, [layer.weight for layer in layers])
    return torch.stack([g.norm() for g in grads]).cpu().tolist()


def grad_norm_grid(
    X: torch.Tensor,
    y: torch.Tensor,
    activations=("sigmoid", "tanh", "relu"),
    inits=INITS,
    depth: int = 20,
    width: int = 64,
    seed: int = 0,
) -> dict[tuple[str, str], list[float]]:
    """:func:`layer_grad_norms` at initialisation for every ``(activation, init)`` pair.

    Every net has ``depth`` hidden layers of ``width`` units, ``X.shape[1]`` inputs and
    ``y.max() + 1`` outputs, is built from the same ``seed`` on the device of ``X``, and
    is evaluated once on ``(X, y)``. Returns ``{(activation, init): norms}``.
    """
    check_xy(X, y)
    out = {}
    n_classes = int(y.max()) + 1
    for act in activations:
        for init in inits:
            model = mlp(
                X.shape[1],
                width,
                n_classes,
                depth,
                activation=act,
                init=init,
                seed=seed,
                device=X.device,
            )
            out[(act, init)] = layer_grad_norms(model, X, y)
    return out


def _activation_outputs(model: nn.Module, X: torch.Tensor) -> list[torch.Tensor]:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(X, torch.Tensor) or not X.is_floating_point():
        raise TypeError("X must be a floating-point torch.Tensor")
    act_types = tuple(c for c in ACTIVATIONS.values() if c is not None)
    watched = [m for m in model.modules() if isinstance(m, act_types)]
    if not watched:
        watched = linear_layers(model)[:-1]
    outs: list[torch.Tensor] = []
    hooks = [
        m.register_forward_hook(lambda _m, _i, o: outs.append(o.detach()))
        for m in watched
    ]
    try:
        with torch.no_grad():
            model(X)
    finally:
        for h in hooks:
            h.remove()
    return outs


def activation_scales(model: nn.Module, X: torch.Tensor) -> list[float]:
    """Root mean square of the output of every activation layer of ``model`` on ``X``,
    first layer first.

    For a model without activation layers (a purely linear stack) the outputs of the
    Linear layers are measured instead, except the last one.
    """
    outs = _activation_outputs(model, X)
    return (
        torch.stack([o.pow(2).mean().sqrt() for o in outs]).cpu().tolist()
        if outs
        else []
    )


def activation_spreads(model: nn.Module, X: torch.Tensor) -> list[float]:
    """How much every activation layer's output differs between the samples of ``X``.

    For each layer: the standard deviation over the samples (rows of ``X``) of each
    unit,
    averaged over the units. Near 0 means the layer gives (almost) the same output for
    every input: the information about the input has been lost on the way.
    ``X`` needs at least 2 rows.
    """
    if isinstance(X, torch.Tensor) and X.shape[0] < 2:
        raise ValueError(
            "X must hold at least 2 samples to measure a spread, got shape "
            f"{tuple(X.shape)}"
        )
    outs = _activation_outputs(model, X)
    return (
        torch.stack([o.flatten(1).std(0).mean() for o in outs]).cpu().tolist()
        if outs
        else []
    )
