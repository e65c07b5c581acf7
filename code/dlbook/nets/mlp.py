"""Multilayer perceptrons: one builder, :func:`mlp`, for every chapter.

Plain or residual, with or without batch normalisation, any activation and weight
initialisation; plus two hand-set nets the chapters take apart (:func:`collapse_linear`
folds a linear stack into one layer, :func:`fold_layer` folds the plane).
"""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn

from .._check import choice, positive_int

#: Activation names (``"none"``: no activation, a purely linear stack).
ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "none": None,
}

#: Weight initialisations of :func:`init_linear_`.
INITS = ("default", "xavier", "kaiming")

#: Normalisation layers accepted by :func:`mlp` (``None``: none).
NORMS = {"batch": nn.BatchNorm1d}


def make_activation(name: str) -> nn.Module | None:
    """A fresh activation module for ``name`` (one of :data:`ACTIVATIONS`), None for
    ``"none"``.
    """
    cls = ACTIVATIONS[choice("activation", name, tuple(ACTIVATIONS))]
    return None if cls is None else cls()


def init_linear_(
    layer: nn.Linear, init: str, *, zero_bias: bool | None = None
) -> nn.Linear:
    """Re-initialise one ``nn.Linear`` in place and return it.

    * ``default``: PyTorch's own initialisation (uniform, variance ``1/(3·fan_in)``);
    * ``xavier``: Glorot & Bengio (2010), normal with variance ``2/(fan_in + fan_out)``;
    * ``kaiming``: He et al. (2015), normal with variance ``2/fan_in`` (made for ReLU).

    ``zero_bias``: set the bias to 0. ``None`` means: yes for ``xavier`` and ``kaiming``
    (as the papers do), no for ``default``. Uses torch's global generator.
    """
    if not isinstance(layer, nn.Linear):
        raise TypeError(f"layer must be an nn.Linear, got {type(layer).__name__}")
    init = choice("init", init, INITS)
    if zero_bias is None:
        zero_bias = init != "default"
    with torch.no_grad():
        if init == "xavier":
            nn.init.xavier_normal_(layer.weight)
        elif init == "kaiming":
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        if zero_bias and layer.bias is not None:
            layer.bias.zero_()
    return layer


class Residual(nn.Module):
    """``x ↦ x + act(norm(Linear(x)))``: a hidden layer with a shortcut (He et al.,
    2016).

    The identity path carries the gradient past the layer unchanged, whatever the
    activation's derivative is.
    """

    def __init__(self, width: int, activation: str = "relu", norm: str | None = None):
        super().__init__()
        self.linear = nn.Linear(width, width)
        self.norm = NORMS[norm](width) if norm else nn.Identity()
        self.act = make_activation(activation) or nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.act(self.norm(self.linear(x)))


def mlp(
    d_in: int,
    width: int,
    d_out: int,
    depth: int = 1,
    *,
    activation: str = "relu",
    init: str = "default",
    zero_bias: bool | None = None,
    residual: bool = False,
    norm: str | None = None,
    seed: int | None = None,
    device: torch.device | str | None = None,
) -> nn.Sequential:
    """``depth`` hidden layers of ``width`` units, then ``Linear(width, d_out)``.

    Always ``depth + 1`` Linear layers, input layer first.

    * ``activation``: one of :data:`ACTIVATIONS`; ``"none"`` gives the course's "linear
      model" ``Linear(D, H) → Linear(H, C)``;
    * ``init`` / ``zero_bias``: see :func:`init_linear_`, applied to every Linear layer;
    * ``norm="batch"``: a ``BatchNorm1d`` between every hidden Linear and its
    activation;
    * ``residual=True``: hidden layers 2 … ``depth`` are :class:`Residual` blocks (the
      first hidden layer changes the width, so it has no shortcut).

    With ``seed`` the weights are drawn on the CPU from that seed before the move to
    ``device``, so CPU and GPU builds start from the same numbers.
    """
    d_in, width = positive_int("d_in", d_in), positive_int("width", width)
    d_out, depth = positive_int("d_out", d_out), positive_int("depth", depth)
    choice("activation", activation, tuple(ACTIVATIONS))
    init = choice("init", init, INITS)
    if norm is not None:
        norm = choice("norm", norm, tuple(NORMS))
    for name, flag in (("residual", residual), ("zero_bias", zero_bias)):
        if flag is not None and not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if seed is not None:
        torch.manual_seed(positive_int("seed", seed, minimum=0))

    def plain(n_in: int) -> list[nn.Module]:
        act = make_activation(activation)
        return [
            nn.Linear(n_in, width),
            *([NORMS[norm](width)] if norm else []),
            *([act] if act is not None else []),
        ]

    layers = plain(d_in)
    for _ in range(depth - 1):
        layers += [Residual(width, activation, norm)] if residual else plain(width)
    layers.append(nn.Linear(width, d_out))
    model = nn.Sequential(*layers)
    if init != "default" or zero_bias:
        for layer in model.modules():
            if isinstance(layer, nn.Linear):
                init_linear_(layer, init, zero_bias=zero_bias)
    return model if device is None else model.to(device)


def collapse_linear(model: nn.Sequential) -> tuple[torch.Tensor, torch.Tensor]:
    """Fold a stack of ``nn.Linear`` layers (no activation between) into one ``(W, b)``.

    ``W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)``, applied layer after layer.
    Raises ``ValueError`` if the model holds anything but Linear layers.
    """
    W = b = None
    for i, layer in enumerate(model):
        if not isinstance(layer, nn.Linear):
            raise ValueError(
                f"model[{i}] is {type(layer).__name__}: "
                "only a stack of nn.Linear layers collapses to one"
            )
        with torch.no_grad():
            lb = layer.bias
            if lb is None:
                lb = torch.zeros(layer.out_features, device=layer.weight.device)
            if W is None:
                W, b = layer.weight.clone(), lb.clone()
            else:
                W, b = layer.weight @ W, layer.weight @ b + lb
    if W is None:
        raise ValueError("model has no layers")
    return W, b


def fold_layer(angle: float, offset: float) -> nn.Sequential:
    """A ReLU layer that folds the plane like paper: ``Linear(2, 5) → ReLU → Linear(5,
    2)``.

    With the unit normal ``n = (cos angle, sin angle)``, points with ``n·x >= offset``
    stay where they are and points with ``n·x < offset`` are mirrored across the line
    ``n·x = offset``: ``x ↦ x + 2·ReLU(offset − n·x)·n``. The identity part is written
    with ReLUs too (``x = ReLU(x) − ReLU(−x)``), so this is an ordinary
    one-hidden-layer ReLU net with hand-set weights.
    """
    for name, v in (("angle", angle), ("offset", offset)):
        if (
            isinstance(v, bool)
            or not isinstance(v, numbers.Real)
            or not math.isfinite(v)
        ):
            raise ValueError(f"{name} must be a finite real number, got {v!r}")
    c, s = math.cos(angle), math.sin(angle)
    first, second = nn.Linear(2, 5), nn.Linear(5, 2)
    w1 = [[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0], [-c, -s]]
    w2 = [[1.0, -1.0, 0.0, 0.0, 2 * c], [0.0, 0.0, 1.0, -1.0, 2 * s]]
    with torch.no_grad():
        first.weight.copy_(torch.tensor(w1))
        first.bias.copy_(torch.tensor([0.0, 0.0, 0.0, 0.0, float(offset)]))
        second.weight.copy_(torch.tensor(w2))
        second.bias.zero_()
    return nn.Sequential(first, nn.ReLU(), second)
