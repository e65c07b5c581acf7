"""Deep plain MLPs and what happens inside them: the vanishing-gradient and activation chapters.

* :func:`make_deep_mlp`: ``depth`` hidden layers of equal ``width`` with a chosen activation
  and weight initialisation (PyTorch's default, Xavier/Glorot or Kaiming/He);
* :func:`layer_grad_norms`: the norm of the loss gradient for every layer's weight matrix,
  from the input layer to the output layer (how much signal reaches each layer);
* :func:`grad_norm_grid`: those norms for every activation × initialisation pair;
* :func:`activation_scales` / :func:`activation_spreads`: how large the hidden activations are,
  layer after layer, and how much they still differ from one input to another;
* :func:`fold_layer`: a ReLU layer with hand-set weights that folds the plane along a line.
"""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn

from ._check import choice, positive_int
from .data import check_xy
from .models import ACTIVATIONS, make_activation, model_device, modules_of

#: Weight initialisations accepted by :func:`make_deep_mlp`.
INITS = ("default", "xavier", "kaiming")

#: Activations accepted by :func:`make_deep_mlp` (every one of :data:`dlbook.models.ACTIVATIONS` but "none").
DEEP_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a != "none")


def init_linear_(layer: nn.Linear, init: str) -> nn.Linear:
    """Re-initialise one ``nn.Linear`` in place and return it.

    * ``default``: leave PyTorch's own initialisation (uniform, standard deviation
      ``1/sqrt(3·fan_in)``, a uniform bias as well);
    * ``xavier``: Glorot & Bengio (2010), normal with variance ``2/(fan_in + fan_out)``, zero bias;
    * ``kaiming``: He et al. (2015), normal with variance ``2/fan_in`` (made for ReLU), zero bias.

    Uses torch's global generator: seed it first for reproducible weights.
    """
    if not isinstance(layer, nn.Linear):
        raise TypeError(f"layer must be an nn.Linear, got {type(layer).__name__}")
    init = choice("init", init, INITS)
    if init == "default":
        return layer
    with torch.no_grad():
        if init == "xavier":
            nn.init.xavier_normal_(layer.weight)
        else:
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        if layer.bias is not None:
            layer.bias.zero_()
    return layer


class ResidualBlock(nn.Module):
    """``x ↦ x + act(BN(Linear(x)))``: a hidden layer with a shortcut (He et al., 2016).

    The identity path carries the gradient past the layer unchanged, whatever the
    activation's derivative is.
    """

    def __init__(self, width: int, activation: str, batchnorm: bool = False):
        super().__init__()
        self.linear = nn.Linear(width, width)
        self.norm = nn.BatchNorm1d(width) if batchnorm else nn.Identity()
        self.act = make_activation(activation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.act(self.norm(self.linear(x)))


def make_deep_mlp(
    d_in: int,
    width: int,
    d_out: int,
    depth: int,
    activation: str = "relu",
    init: str = "default",
    *,
    batchnorm: bool = False,
    residual: bool = False,
    seed: int | None = None,
    device=None,
) -> nn.Sequential:
    """``depth`` hidden layers ``Linear → activation`` of size ``width``, then ``Linear(width, d_out)``.

    The net always has ``depth + 1`` Linear layers (input layer first, output layer last).

    * ``init``: one of :data:`INITS` (see :func:`init_linear_`), for every Linear layer;
    * ``batchnorm=True``: a ``BatchNorm1d`` between every hidden Linear and its activation;
    * ``residual=True``: hidden layers 2 … ``depth`` become :class:`ResidualBlock` s
      ``x + act(Linear(x))`` (the first hidden layer changes the width, so it has no shortcut).

    With ``seed`` the weights are drawn on the CPU from that seed before the move to ``device``.
    """
    activation = choice("activation", activation, DEEP_ACTIVATIONS)
    init = choice("init", init, INITS)
    d_in = positive_int("d_in", d_in)
    d_out = positive_int("d_out", d_out)
    depth = positive_int("depth", depth)
    width = positive_int("width", width)
    for name, flag in (("batchnorm", batchnorm), ("residual", residual)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if seed is not None:
        torch.manual_seed(positive_int("seed", seed, minimum=0))

    def plain(n_in: int) -> list[nn.Module]:
        return [nn.Linear(n_in, width), *([nn.BatchNorm1d(width)] if batchnorm else []), make_activation(activation)]

    layers = plain(d_in)
    for _ in range(depth - 1):
        layers += [ResidualBlock(width, activation, batchnorm)] if residual else plain(width)
    layers.append(nn.Linear(width, d_out))
    model = nn.Sequential(*layers)
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            init_linear_(layer, init)
    return model if device is None else model.to(device)


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """The ``nn.Linear`` layers of ``model``, from input to output."""
    return modules_of(model, nn.Linear, "nn.Linear layer")


def layer_grad_norms(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> list[float]:
    """Frobenius norm of ``∂L/∂W`` for every Linear layer (input layer first), L the cross-entropy on ``(X, y)``.

    The gradients are computed with :func:`torch.autograd.grad`: the model's ``.grad``
    fields are not touched and no parameter changes. Returns plain floats.
    """
    check_xy(X, y)
    layers = linear_layers(model)
    if X.device != model_device(model):
        raise ValueError(f"model is on {model_device(model)} but X is on {X.device}; move them together")
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
            model = make_deep_mlp(X.shape[1], width, n_classes, depth, act, init, seed=seed, device=X.device)
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
    hooks = [m.register_forward_hook(lambda _m, _i, o: outs.append(o.detach())) for m in watched]
    try:
        with torch.no_grad():
            model(X)
    finally:
        for h in hooks:
            h.remove()
    return outs


def activation_scales(model: nn.Module, X: torch.Tensor) -> list[float]:
    """Root mean square of the output of every activation layer of ``model`` on ``X``, first layer first.

    For a model without activation layers (a purely linear stack) the outputs of the
    Linear layers are measured instead, except the last one.
    """
    outs = _activation_outputs(model, X)
    return torch.stack([o.pow(2).mean().sqrt() for o in outs]).cpu().tolist() if outs else []


def activation_spreads(model: nn.Module, X: torch.Tensor) -> list[float]:
    """How much every activation layer's output differs between the samples of ``X``.

    For each layer: the standard deviation over the samples (rows of ``X``) of each unit,
    averaged over the units. Near 0 means the layer gives (almost) the same output for
    every input: the information about the input has been lost on the way.
    ``X`` needs at least 2 rows.
    """
    if isinstance(X, torch.Tensor) and X.shape[0] < 2:
        raise ValueError(f"X must hold at least 2 samples to measure a spread, got shape {tuple(X.shape)}")
    outs = _activation_outputs(model, X)
    return torch.stack([o.flatten(1).std(0).mean() for o in outs]).cpu().tolist() if outs else []


def fold_layer(angle: float, offset: float) -> nn.Sequential:
    """A ReLU layer that folds the plane like a sheet of paper: ``Linear(2, 5) → ReLU → Linear(5, 2)``.

    With the unit normal ``n = (cos angle, sin angle)``, points with ``n·x >= offset`` stay
    where they are and points with ``n·x < offset`` are mirrored across the line
    ``n·x = offset``: ``x ↦ x + 2·ReLU(offset − n·x)·n``. The identity part is written with
    ReLUs too (``x = ReLU(x) − ReLU(−x)``), so this is an ordinary one-hidden-layer ReLU
    net with hand-set weights.
    """
    for name, v in (("angle", angle), ("offset", offset)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise ValueError(f"{name} must be a finite real number, got {v!r}")
    c, s = math.cos(angle), math.sin(angle)
    first, second = nn.Linear(2, 5), nn.Linear(5, 2)
    with torch.no_grad():
        first.weight.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0], [-c, -s]]))
        first.bias.copy_(torch.tensor([0.0, 0.0, 0.0, 0.0, float(offset)]))
        second.weight.copy_(torch.tensor([[1.0, -1.0, 0.0, 0.0, 2 * c], [0.0, 0.0, 1.0, -1.0, 2 * s]]))
        second.bias.zero_()
    return nn.Sequential(first, nn.ReLU(), second)
