"""dlbook.fastpath: the faster kernels compute what the plain torch calls compute."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlbook import nets
from dlbook.fastpath import LinearFn, cross_entropy, fast_forward, is_plain


@pytest.mark.parametrize("d_in, d_out", [(2, 64), (64, 3)])
def test_linear_fn_gradients_match_autograd(d_in, d_out):
    torch.manual_seed(0)
    x = torch.randn(50, d_in, requires_grad=True)
    layer = nn.Linear(d_in, d_out)
    grad_out = torch.randn(50, d_out)
    plain = torch.autograd.grad(
        (layer(x) * grad_out).sum(), [x, layer.weight, layer.bias]
    )
    fast = torch.autograd.grad(
        (LinearFn.apply(x, layer.weight, layer.bias) * grad_out).sum(),
        [x, layer.weight, layer.bias],
    )
    for a, b in zip(plain, fast):
        assert torch.allclose(a, b, atol=1e-5)


def test_cross_entropy_matches_torch():
    torch.manual_seed(1)
    logits, y = torch.randn(40, 3), torch.randint(0, 3, (40,))
    assert float(cross_entropy(logits, y)) == pytest.approx(
        float(nn.functional.cross_entropy(logits, y)), rel=1e-6
    )


def test_plain_models_take_the_fast_forward():
    model = nets.mlp(2, 8, 3, depth=2, seed=0)
    assert is_plain(model)
    x = torch.randn(5, 2)
    assert torch.allclose(fast_forward(model, x), model(x), atol=1e-6)
    assert not is_plain(nets.mlp(2, 8, 3, depth=2, residual=True))
    assert not is_plain(nets.mlp(2, 8, 3, depth=2, norm="batch"))
    model[0].register_forward_hook(lambda *_: None)
    assert not is_plain(model)  # a hook must see the real call
