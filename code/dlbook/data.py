"""Data sets the book draws, in scikit-learn's style: the three-armed spiral of the NYU
course, the 8×8 handwritten digits, and a train/test split.

Generators take keyword-only options and one ``random_state``; the numbers are drawn on
the CPU and only then moved to ``device``, so the data are the same on every machine.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from ._check import nonneg_float, positive_int


def make_spiral(
    n_per_class: int = 1000,
    *,
    n_classes: int = 3,
    noise: float = 0.2,
    random_state: int = 12345,
    device: torch.device | str | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Points on ``n_classes`` interleaved spiral arms in the plane.

    For class ``c`` (0 <= c < C), with ``t`` running evenly over [0, 1]::

        theta = linspace(2*pi*c/C, 2*pi*(c+2)/C) + noise * N(0, 1)
        x     = t * (sin(theta), cos(theta))

    so every arm starts at the origin and winds outwards over two C-th of a turn.

    Parameters
    ----------
    n_per_class : points per class (arm).
    n_classes : number of arms, at least 2.
    noise : standard deviation of the angle noise (radians).
    random_state : seed of the CPU generator the noise is drawn from.
    device : where the returned tensors live.

    Returns
    -------
    X : float32 tensor of shape (n_per_class * n_classes, 2)
    y : int64 tensor of shape (n_per_class * n_classes,), the class of each point

    Examples
    --------
    >>> X, y = make_spiral(100, n_classes=3)
    >>> tuple(X.shape), tuple(y.shape)
    ((300, 2), (300,))
    """
    n = positive_int("n_per_class", n_per_class)
    k = positive_int("n_classes", n_classes, minimum=2)
    noise = nonneg_float("noise", noise)
    seed = positive_int("random_state", random_state, minimum=0)
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
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    test_size: float = 0.2,
    stratify: bool = False,
    random_state: int = 0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Shuffle and split ``(X, y)`` into ``X_train, y_train, X_test, y_test``.

    ``stratify=True`` keeps the class proportions in both parts (scikit-learn's
    ``train_test_split(..., stratify=y)``); otherwise a random permutation drawn on
    the CPU from ``random_state`` decides. Both give the same split on every device.
    ``X`` may have any shape (N, ...); the parts stay on its device.
    """
    check_xy(X, y, any_shape=True)
    frac = nonneg_float("test_size", test_size)
    if not 0 < frac < 1:
        raise ValueError(f"test_size must lie strictly between 0 and 1, got {frac}")
    seed = positive_int("random_state", random_state, minimum=0)
    n = X.shape[0]
    n_test = round(n * frac)
    if n_test == 0 or n_test == n:
        raise ValueError(f"test_size={frac} leaves an empty part of {n} samples")
    if stratify:
        from sklearn.model_selection import train_test_split

        train, test = train_test_split(
            torch.arange(n).numpy(),
            test_size=frac,
            random_state=seed,
            stratify=y.cpu().numpy(),
        )
        train, test = (
            torch.from_numpy(train).to(X.device),
            torch.from_numpy(test).to(X.device),
        )
    else:
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).to(
            X.device
        )
        test, train = perm[:n_test], perm[n_test:]
    return X[train], y[train], X[test], y[test]


class DigitsSplit(NamedTuple):
    """Train and test digits: images (N, 1, 8, 8) in [0, 1], integer labels (N,)."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor


def load_digits(
    *,
    test_size: float = 0.25,
    random_state: int = 0,
    train_per_class: int | None = None,
    device: torch.device | str | None = None,
) -> DigitsSplit:
    """scikit-learn's 1797 handwritten digits (8×8, grey levels 0–16), split for
    training.

    The data ship inside scikit-learn (no download). Pixels are divided by 16, so they
    lie in [0, 1]. The split is stratified (:func:`split` with ``stratify=True``).
    With ``train_per_class`` only that many training images of every class are kept
    (the first ones of the shuffled order; the test part does not change): a small
    training set on which a net over-fits.

    Returns
    -------
    DigitsSplit of X_train (N_train, 1, 8, 8) float32, y_train (N_train,) int64,
    X_test (N_test, 1, 8, 8) and y_test (N_test,), on ``device``.
    """
    from sklearn import datasets

    if train_per_class is not None:
        train_per_class = positive_int("train_per_class", train_per_class)
    digits = datasets.load_digits()
    X = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    y = torch.tensor(digits.target, dtype=torch.long)
    X_tr, y_tr, X_te, y_te = split(
        X, y, test_size=test_size, stratify=True, random_state=random_state
    )
    if train_per_class is not None:
        keep = []
        for c in range(int(y.max()) + 1):
            idx = torch.nonzero(y_tr == c).flatten()
            if train_per_class > len(idx):
                raise ValueError(
                    f"train_per_class={train_per_class} exceeds the {len(idx)} "
                    f"training images of class {c}"
                )
            keep.append(idx[:train_per_class])
        keep = torch.cat(keep).sort().values
        X_tr, y_tr = X_tr[keep], y_tr[keep]
    parts = (X_tr, y_tr, X_te, y_te)
    if device is not None:
        parts = tuple(t.to(device) for t in parts)
    return DigitsSplit(*parts)


def check_xy(X, y, *, any_shape: bool = False) -> None:
    """Raise a clear error unless X is a float (N, D) tensor (``any_shape``: (N, ...))
    and y an integer (N,) tensor on its device."""
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch.Tensor, got {type(X).__name__}")
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"y must be a torch.Tensor, got {type(y).__name__}")
    if X.ndim != 2 and not (any_shape and X.ndim >= 2):
        raise ValueError(f"X must have shape (N, D), got shape {tuple(X.shape)}")
    if not X.is_floating_point():
        raise TypeError(f"X must be a floating-point tensor, got dtype {X.dtype}")
    if y.ndim != 1:
        raise ValueError(f"y must have shape (N,), got shape {tuple(y.shape)}")
    if y.dtype not in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8):
        raise TypeError(f"y must hold integer class labels, got dtype {y.dtype}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y disagree on the number of samples: "
            f"X has {X.shape[0]}, y has {y.shape[0]}"
        )
    if X.shape[0] == 0:
        raise ValueError("X and y are empty")
    if X.device != y.device:
        raise ValueError(
            f"X is on {X.device} but y is on {y.device}; move both to the same device"
        )
