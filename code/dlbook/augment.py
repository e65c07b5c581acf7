"""Data augmentation for image batches: random whole-pixel shifts.

:class:`RandomShift` is what :func:`dlbook.train.fit` takes as ``augment``: called with
a
batch and the training loop's CPU generator, it returns a new, shifted batch.
"""

from __future__ import annotations

import torch
from torch import nn

from ._check import positive_int


def random_shift(
    X: torch.Tensor, max_shift: int = 1, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Shift every image of ``X`` (N, C, H, W) by its own random whole number of pixels.

    Each image moves by ``dy, dx`` drawn uniformly from ``-max_shift … max_shift``;
    pixels that come in from outside are 0. The offsets are drawn on the CPU from
    ``generator``, so the result does not depend on the device. ``max_shift=0``
    returns ``X`` unchanged.
    """
    if not isinstance(X, torch.Tensor) or X.ndim != 4:
        shape = getattr(X, "shape", type(X).__name__)
        raise ValueError(f"X must be a tensor of shape (N, C, H, W), got {shape}")
    s = positive_int("max_shift", max_shift, minimum=0)
    if s == 0:
        return X
    n, _, h, w = X.shape
    if s >= min(h, w):
        raise ValueError(f"max_shift={s} must be smaller than the image size {h}×{w}")
    offsets = torch.randint(-s, s + 1, (2, n), generator=generator).to(X.device)
    padded = nn.functional.pad(X, (s, s, s, s))
    out = torch.empty_like(X)
    for dy in range(-s, s + 1):
        for dx in range(-s, s + 1):
            mask = (offsets[0] == dy) & (offsets[1] == dx)
            out[mask] = padded[mask, :, s + dy : s + dy + h, s + dx : s + dx + w]
    return out


class RandomShift:
    """``augment=RandomShift(1)``: every batch shifted by :func:`random_shift`."""

    def __init__(self, max_shift: int = 1):
        self.max_shift = positive_int("max_shift", max_shift, minimum=0)

    def __call__(
        self, X: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        return random_shift(X, self.max_shift, generator)

    def __repr__(self) -> str:
        return f"RandomShift({self.max_shift})"
