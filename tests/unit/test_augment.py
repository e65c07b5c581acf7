"""dlbook.augment: random shifts of image batches."""

from __future__ import annotations

import pytest
import torch

import dlbook
from dlbook import augment


@pytest.fixture(scope="module")
def digits():
    return dlbook.load_digits()


def _shifted(img, dy, dx):
    """Reference: img moved so that out[i, j] = img[i + dy, j + dx] (0 outside)."""
    h, w = img.shape
    out = torch.zeros_like(img)
    for i in range(h):
        for j in range(w):
            if 0 <= i + dy < h and 0 <= j + dx < w:
                out[i, j] = img[i + dy, j + dx]
    return out


def test_random_shift_moves_each_image_by_at_most_one_pixel(digits):
    X = digits.X_train[:40]
    out = augment.random_shift(X, 1, torch.Generator().manual_seed(0))
    assert out.shape == X.shape
    seen = set()
    for k in range(len(X)):
        matches = [
            (dy, dx)
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
            if torch.equal(out[k, 0], _shifted(X[k, 0], dy, dx))
        ]
        assert matches, f"image {k} is not a shift of the input"
        seen.update(matches)
    assert len(seen) >= 5  # offsets really vary between images
    assert augment.random_shift(X, 0) is X


def test_random_shift_deterministic_and_errors(digits):
    X = digits.X_train[:16]
    a = augment.random_shift(X, 1, torch.Generator().manual_seed(5))
    b = augment.random_shift(X, 1, torch.Generator().manual_seed(5))
    assert torch.equal(a, b)
    with pytest.raises(ValueError, match="max_shift"):
        augment.random_shift(X, 8)
    with pytest.raises(ValueError, match="max_shift"):
        augment.random_shift(X, -1)
    with pytest.raises(ValueError, match="X"):
        augment.random_shift(X[:, 0], 1)
