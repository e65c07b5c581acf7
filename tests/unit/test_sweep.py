import pytest
import torch

from dlbook import Spec, make_mlp, make_spiral, train, train_many
from dlbook.sweep import PackedMLPs


@pytest.fixture(scope="module")
def data():
    return make_spiral(n_per_class=60, n_classes=3, seed=5)


def test_packed_equals_separate_training(data):
    X, y = data
    specs = [Spec(8, "relu", 1), Spec(16, "tanh", 2), Spec(4, "gelu", 3)]
    models, hists = train_many(specs, X, y, epochs=60, optimizer="adam", lr=1e-2, weight_decay=1e-5)
    for s, m, h in zip(specs, models, hists):
        alone = make_mlp(2, s.hidden, 3, s.activation, seed=s.seed)
        ha = train(alone, X, y, epochs=60, optimizer="adam", lr=1e-2, weight_decay=1e-5)
        assert h.loss == pytest.approx(ha.loss, rel=1e-4, abs=1e-6)
        for p, q in zip(m.parameters(), alone.parameters()):
            assert torch.allclose(p, q, atol=1e-5)


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


def test_train_many_checks_test_data(data):
    X, y = data
    with pytest.raises(ValueError, match="X_test and y_test"):
        train_many([Spec(4)], X, y, epochs=1, X_test=X)
    _, hists = train_many([Spec(4)], X, y, epochs=2, X_test=X[:30], y_test=y[:30])
    assert 0 <= hists[0].test_acc <= 1
