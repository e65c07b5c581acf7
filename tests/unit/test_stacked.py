"""dlbook.stacked: one net from several seeds, trained together."""

import copy

import pytest
import torch

from dlbook import fit, fit_stacked, make_spiral
from dlbook.nets import mlp
from dlbook.stacked import StackedMLPs


@pytest.fixture(scope="module")
def data():
    X, y = make_spiral(n_per_class=40, n_classes=3, random_state=5)
    Xt, yt = make_spiral(n_per_class=10, n_classes=3, random_state=6)
    return X, y, Xt, yt


@pytest.mark.parametrize(
    "kw", [dict(depth=3), dict(depth=4, residual=True, activation="tanh")]
)
def test_stacked_follows_the_single_runs(data, kw):
    X, y, Xt, yt = data
    models = [mlp(2, 6, 3, seed=s, **kw) for s in (0, 1)]
    alone = [copy.deepcopy(m) for m in models]
    hists = fit_stacked(models, X, y, epochs=15, lr=1e-2, X_test=Xt, y_test=yt)
    for m, a, h in zip(models, alone, hists):
        h1 = fit(a, X, y, epochs=15, lr=1e-2, X_test=Xt, y_test=yt)
        assert h.loss == pytest.approx(h1.loss, abs=1e-5)
        assert h.final_acc == pytest.approx(h1.final_acc)
        assert h.test_acc == pytest.approx(h1.test_acc)
        assert len(h.test_curve) == 15 and h.test_curve[-1] == h.test_acc
        for p, q in zip(m.parameters(), a.parameters()):
            assert torch.allclose(p, q, atol=1e-5)


def test_stacked_forward_matches_each_model(data):
    X = data[0]
    models = [mlp(2, 5, 3, depth=2, seed=s) for s in (3, 4, 5)]
    with torch.no_grad():
        out = StackedMLPs(models)(X)
        for i, m in enumerate(models):
            assert torch.allclose(out[i], m(X), atol=1e-6)


def test_stacked_rejects_mixed_or_unsupported_models():
    with pytest.raises(ValueError, match="same"):
        StackedMLPs([mlp(2, 5, 3, depth=2), mlp(2, 6, 3, depth=2)])
    with pytest.raises(ValueError, match="at least one"):
        StackedMLPs([])
    with pytest.raises(ValueError, match="BatchNorm1d"):
        StackedMLPs([mlp(2, 5, 3, depth=2, norm="batch")])
