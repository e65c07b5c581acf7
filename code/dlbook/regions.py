"""Linear regions of ReLU networks on a 2-D input: counted on a grid, and bounded by
theory.

A ReLU network computes a piecewise linear function: on each piece (a *linear region*)
every ReLU is either on or off, so the network is one affine map there. Fixing which
ReLUs are on (the *activation pattern*) fixes that affine map, and the inputs sharing
one pattern form a convex polytope. Counting the distinct activation patterns met on a
dense grid of input points therefore counts the linear regions the grid touches — a
lower bound of the true number (regions thinner than the grid spacing are missed).

The theory for comparison:

* :func:`montufar_lower_bound` — Montúfar et al. (2014): some network with ``n0``
  inputs and ``L`` hidden layers of width ``n >= n0`` has at least
  ``(prod_{l=1}^{L-1} floor(n/n0)^n0) * sum_{j=0}^{n0} C(n, j)`` regions;
* :func:`regions_upper_bound` — no network with these widths has more than
  ``prod_l sum_{j=0}^{d_l} C(n_l, j)`` regions, ``d_l = min(n0, n_1, ..., n_l)``
  (each layer cuts every existing region with at most ``n_l`` hyperplanes).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
from torch import nn

from ._check import nonneg_float, positive_int
from .inspect import modules_of


def grid_points(
    lim: float = 1.0, resolution: int = 400, device: torch.device | str | None = None
) -> torch.Tensor:
    """The ``resolution x resolution`` grid over ``[-lim, lim]^2`` as a float32 tensor
    of shape (resolution**2, 2).

    Row ``i * resolution + j`` holds ``(x_j, y_i)``: reshaping a per-point result to
    ``(resolution, resolution)`` gives an image with y along the rows (draw it with
    ``origin="lower"``).
    """
    lim = nonneg_float("lim", lim, strictly_positive=True)
    resolution = positive_int("resolution", resolution, minimum=2)
    g = torch.linspace(-lim, lim, resolution, device=device)
    gx, gy = torch.meshgrid(g, g, indexing="xy")
    return torch.stack((gx.reshape(-1), gy.reshape(-1)), dim=1)


def _relus(model: nn.Module) -> list[nn.ReLU]:
    return modules_of(
        model,
        nn.ReLU,
        "nn.ReLU module: activation patterns need ReLU layers built as modules",
    )


@torch.no_grad()
def activation_patterns(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Boolean tensor (N, number of ReLU units) on the CPU: which ReLU units are on
    (input > 0) at each point.

    Every ``nn.ReLU`` module of ``model`` is watched with a forward hook, in the order
    the forward pass calls them. ``X`` must be on the model's device. The model is
    put in eval mode for the pass and its training flag restored.
    """
    relus = _relus(model)
    if not isinstance(X, torch.Tensor) or X.ndim != 2 or not X.is_floating_point():
        raise ValueError(
            "X must be a float tensor of shape (N, D), got "
            f"{getattr(X, 'shape', type(X).__name__)}"
        )
    seen: list[torch.Tensor] = []
    hooks = [
        r.register_forward_hook(
            lambda _m, inp, _out: seen.append((inp[0] > 0).reshape(inp[0].shape[0], -1))
        )
        for r in relus
    ]
    was_training = model.training
    model.eval()
    try:
        model(X)
    finally:
        model.train(was_training)
        for h in hooks:
            h.remove()
    return torch.cat(seen, dim=1).cpu()


def _pattern_ids(patterns: torch.Tensor) -> tuple[int, np.ndarray]:
    """Number of distinct rows of a boolean (N, K) tensor and the row index of each
    point's pattern.
    """
    packed = np.packbits(patterns.numpy(), axis=1)
    rows = (
        np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    )
    uniq, inverse = np.unique(rows, return_inverse=True)
    return len(uniq), inverse.reshape(-1)


def region_map(
    model: nn.Module, lim: float = 1.0, resolution: int = 400, batch_size: int = 65536
) -> tuple[int, np.ndarray]:
    """Count the linear regions of ``model`` met by the grid of :func:`grid_points`;
    also return the map.

    Returns ``(count, ids)`` where ``ids`` is an int array of shape
    ``(resolution, resolution)`` giving each grid point the number of its activation
    pattern (0 .. count-1, in sorted pattern order; y along the rows).
    The model must take 2 inputs; it is evaluated on its own device in batches.
    """
    resolution = positive_int("resolution", resolution, minimum=2)
    batch_size = positive_int("batch_size", batch_size)
    _relus(model)
    dev = next((p.device for p in model.parameters()), torch.device("cpu"))
    pts = grid_points(lim, resolution, device=dev)
    first = next((m for m in model.modules() if isinstance(m, nn.Linear)), None)
    if first is not None and first.in_features != 2:
        raise ValueError(
            "model must take 2 inputs (a point of the plane), its first layer takes "
            f"{first.in_features}"
        )
    pats = torch.cat(
        [activation_patterns(model, chunk) for chunk in pts.split(batch_size)]
    )
    count, ids = _pattern_ids(pats)
    return count, ids.reshape(resolution, resolution)


def count_regions(model: nn.Module, lim: float = 1.0, resolution: int = 400) -> int:
    """Number of distinct ReLU activation patterns on a ``resolution x resolution`` grid
    over ``[-lim, lim]^2``.
    """
    return region_map(model, lim, resolution)[0]


def _int(name: str, value, minimum: int = 1) -> int:
    return positive_int(name, value, minimum=minimum)


def hyperplane_regions(n_inputs: int, n_planes: int) -> int:
    """Most pieces ``n_planes`` hyperplanes cut ``R^n_inputs`` into:
    ``sum_{j=0}^{n_inputs} C(n_planes, j)``.

    This is exactly the maximal number of linear regions of a one-hidden-layer ReLU
    network with ``n_inputs`` inputs and ``n_planes`` hidden units (Zaslavsky's count
    for hyperplanes in general position).
    """
    n0 = _int("n_inputs", n_inputs)
    n = _int("n_planes", n_planes, minimum=0)
    return sum(math.comb(n, j) for j in range(n0 + 1))


def montufar_lower_bound(n_inputs: int, width: int, n_layers: int) -> int:
    """Montúfar et al. (2014): the maximal number of linear regions is at least this
    many.

    For ``n_inputs = n0`` inputs and ``n_layers = L`` hidden ReLU layers of width
    ``n >= n0``::

        (prod_{l=1}^{L-1} floor(n / n0) ** n0) * sum_{j=0}^{n0} C(n, j)

    (an exact Python int). For ``L = 1`` it is the one-layer maximum
    :func:`hyperplane_regions`.
    """
    n0 = _int("n_inputs", n_inputs)
    n = _int("width", width)
    L = _int("n_layers", n_layers)
    if n < n0:
        raise ValueError(
            f"width must be >= n_inputs={n0} for the Montúfar bound, got width={n}"
        )
    return (n // n0) ** (n0 * (L - 1)) * hyperplane_regions(n0, n)


def regions_upper_bound(n_inputs: int, widths) -> int:
    """No ReLU MLP with these hidden ``widths`` has more linear regions than this (exact
    int).

    ``prod_l sum_{j=0}^{d_l} C(n_l, j)`` with ``d_l = min(n0, n_1, ..., n_l)``: inside
    one region of the first ``l-1`` layers, the ``n_l`` units of layer ``l`` are affine
    functions of the input, i.e. at most ``n_l`` hyperplanes cutting that region.
    """
    n0 = _int("n_inputs", n_inputs)
    if isinstance(widths, numbers.Integral):
        raise TypeError(
            "widths must be a sequence of hidden-layer widths, e.g. [16, 16, 16]"
        )
    widths = [_int(f"widths[{i}]", w) for i, w in enumerate(widths)]
    if not widths:
        raise ValueError("widths must name at least one hidden layer")
    total, d = 1, n0
    for n in widths:
        d = min(d, n)
        total *= sum(math.comb(n, j) for j in range(d + 1))
    return total


def mlp_params(d_in: int, width: int, d_out: int, depth: int) -> int:
    """Parameters of ``nets.mlp(d_in, width, d_out, depth=L)``: weights and biases of
    every layer.
    """
    d_in, width, d_out = (
        positive_int("d_in", d_in),
        positive_int("width", width),
        positive_int("d_out", d_out),
    )
    L = positive_int("depth", depth)
    return (d_in + 1) * width + (L - 1) * (width + 1) * width + (width + 1) * d_out


def width_for_params(n_params: int, d_in: int, d_out: int, depth: int) -> int:
    """The hidden width whose :func:`mlp_params` is closest to ``n_params`` (ties: the
    smaller width).
    """
    target = positive_int("n_params", n_params)
    best, best_gap = 1, None
    w = 1
    while True:
        p = mlp_params(d_in, w, d_out, depth)
        gap = abs(p - target)
        if best_gap is None or gap < best_gap:
            best, best_gap = w, gap
        if p > target:
            return best
        w += 1
