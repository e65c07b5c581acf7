"""dlbook.packed: many one-hidden-layer MLPs as one model."""

import pytest
import torch

from dlbook import Spec, make_spiral
from dlbook.packed import PackedMLPs


@pytest.fixture(scope="module")
def data():
    return make_spiral(n_per_class=60, n_classes=3, random_state=5)


def test_packed_forward_shape_and_unpack(data):
    X, _ = data
    packed = PackedMLPs([Spec(5), Spec(7, "sigmoid")], 2, 3)
    out = packed(X)
    assert out.shape == (X.shape[0], 2, 3)
    with torch.no_grad():
        assert torch.allclose(packed.unpack(1)(X), out[:, 1], atol=1e-6)


def test_packed_rejects_bad_specs():
    with pytest.raises(ValueError, match="specs"):
        PackedMLPs([], 2, 3)
    with pytest.raises(ValueError, match="none"):
        PackedMLPs([Spec(4, "none")], 2, 3)
    with pytest.raises(ValueError, match="activation"):
        PackedMLPs([Spec(4, "swish")], 2, 3)
