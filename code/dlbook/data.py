"""Data sets the book draws: the three-armed spiral of the NYU course, and a split helper."""

from __future__ import annotations

import math

import torch

from ._check import nonneg_float, positive_int


def make_spiral(
    n_per_class: int = 1000,
    n_classes: int = 3,
    noise: float = 0.2,
    seed: int = 12345,
    device: torch.device | str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Points on ``n_classes`` interleaved spiral arms in the plane.

    For class ``c`` (0 <= c < C) and ``n_per_class`` points, with ``t`` running
    evenly over [0, 1]::

        theta = linspace(2*pi*c/C, 2*pi*(c+2)/C) + noise * N(0, 1)
        x     = t * (sin(theta), cos(theta))

    so every arm starts at the origin and winds outwards over two C-th of a turn.

    The numbers are drawn on the CPU from a generator seeded with ``seed`` and only
    then moved to ``device``: the data are the same on every machine.

    Returns
    -------
    X : float32 tensor of shape (n_per_class * n_classes, 2)
    y : int64 tensor of shape (n_per_class * n_classes,), the class of each point
    """
    n = positive_int("n_per_class", n_per_class)
    k = positive_int("n_classes", n_classes, minimum=2)
    noise = nonneg_float("noise", noise)
    seed = positive_int("seed", seed, minimum=0)
    gen = torch.Generator().manual_seed(seed)
    t = torch.linspace(0.0, 1.0, n)
    xs, ys = [], []
    for c in range(k):
        theta = torch.linspace(2 * math.pi * c / k, 2 * math.pi * (c + 2) / k, n)
        theta = theta + noise * torch.randn(n, generator=gen)
        xs.append(t[:, None] * torch.stack((theta.sin(), theta.cos()), dim=1))
        ys.append(torch.full((n,), c, dtype=torch.long))
    X, y = torch.cat(xs), torch.cat(ys)
    if device is not None:
        X, y = X.to(device), y.to(device)
    return X, y


def split(
    X: torch.Tensor, y: torch.Tensor, test_fraction: float = 0.2, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Shuffle and split ``(X, y)`` into train and test parts: ``X_tr, y_tr, X_te, y_te``.

    The permutation is drawn on the CPU from ``seed``, so the split is the same on
    every device.
    """
    check_xy(X, y)
    frac = nonneg_float("test_fraction", test_fraction)
    if not 0 < frac < 1:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {frac}")
    seed = positive_int("seed", seed, minimum=0)
    n = X.shape[0]
    n_test = round(n * frac)
    if n_test == 0 or n_test == n:
        raise ValueError(f"test_fraction={frac} leaves an empty part of {n} samples")
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).to(X.device)
    test, train = perm[:n_test], perm[n_test:]
    return X[train], y[train], X[test], y[test]


def check_xy(X, y) -> None:
    """Raise a clear error unless X is a float (N, D) tensor and y an integer (N,) tensor on its device."""
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch.Tensor, got {type(X).__name__}")
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"y must be a torch.Tensor, got {type(y).__name__}")
    if X.ndim != 2:
        raise ValueError(f"X must have shape (N, D), got shape {tuple(X.shape)}")
    if not X.is_floating_point():
        raise TypeError(f"X must be a floating-point tensor, got dtype {X.dtype}")
    if y.ndim != 1:
        raise ValueError(f"y must have shape (N,), got shape {tuple(y.shape)}")
    if y.dtype not in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8):
        raise TypeError(f"y must hold integer class labels, got dtype {y.dtype}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X and y disagree on the number of samples: X has {X.shape[0]}, y has {y.shape[0]}")
    if X.shape[0] == 0:
        raise ValueError("X and y are empty")
    if X.device != y.device:
        raise ValueError(f"X is on {X.device} but y is on {y.device}; move both to the same device")
