"""Small multilayer perceptrons, built the same way in every chapter."""

from __future__ import annotations

import torch
from torch import nn

from ._check import choice, positive_int

#: Activation names accepted by :func:`make_mlp` (``"none"`` means no activation: a purely linear stack).
ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "none": None,
}


def make_activation(name: str) -> nn.Module | None:
    """A fresh activation module for ``name`` (one of :data:`ACTIVATIONS`), or None for ``"none"``."""
    cls = ACTIVATIONS[choice("activation", name, tuple(ACTIVATIONS))]
    return None if cls is None else cls()


def make_mlp(
    d_in: int,
    d_hidden: int,
    d_out: int,
    activation: str = "relu",
    n_hidden_layers: int = 1,
    *,
    seed: int | None = None,
    device: torch.device | str | None = None,
) -> nn.Sequential:
    """``Linear(d_in, H) → act → … → Linear(H, d_out)`` with ``n_hidden_layers`` hidden layers.

    ``activation="none"`` gives the course's "linear model" ``Linear(D, H) → Linear(H, C)``.
    With ``seed`` the weights are drawn on the CPU from that seed before the move to
    ``device``, so CPU and GPU builds start from the same numbers.
    """
    d_in = positive_int("d_in", d_in)
    d_hidden = positive_int("d_hidden", d_hidden)
    d_out = positive_int("d_out", d_out)
    n_hidden_layers = positive_int("n_hidden_layers", n_hidden_layers)
    choice("activation", activation, tuple(ACTIVATIONS))
    if seed is not None:
        torch.manual_seed(positive_int("seed", seed, minimum=0))
    layers: list[nn.Module] = []
    width = d_in
    for _ in range(n_hidden_layers):
        layers.append(nn.Linear(width, d_hidden))
        act = make_activation(activation)
        if act is not None:
            layers.append(act)
        width = d_hidden
    layers.append(nn.Linear(width, d_out))
    model = nn.Sequential(*layers)
    return model if device is None else model.to(device)


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (CPU for a model without parameters)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def modules_of(model: nn.Module, cls, what: str) -> list:
    """The submodules of ``model`` that are instances of ``cls``, in order; raise if there are none.

    ``what`` completes the error message ``"model has no <what>"``.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    found = [m for m in model.modules() if isinstance(m, cls)]
    if not found:
        raise ValueError(f"model has no {what}")
    return found


def collapse_linear(model: nn.Sequential) -> tuple[torch.Tensor, torch.Tensor]:
    """Fold a stack of ``nn.Linear`` layers (no activation between) into one ``(W, b)``.

    ``W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)``, applied layer after layer.
    Raises ``ValueError`` if the model holds anything but Linear layers.
    """
    W = b = None
    for i, layer in enumerate(model):
        if not isinstance(layer, nn.Linear):
            raise ValueError(
                f"model[{i}] is {type(layer).__name__}: only a stack of nn.Linear layers collapses to one"
            )
        with torch.no_grad():
            lb = layer.bias if layer.bias is not None else torch.zeros(layer.out_features, device=layer.weight.device)
            if W is None:
                W, b = layer.weight.clone(), lb.clone()
            else:
                W, b = layer.weight @ W, layer.weight @ b + lb
    if W is None:
        raise ValueError("model has no layers")
    return W, b
