"""Faster kernels for the book's small full-batch models (same numbers, less time).

:func:`dlbook.train.fit` uses them for models made only of Linear layers and elementwise
activations (everything :func:`dlbook.nets.mlp` builds without residual or norm).
"""

from __future__ import annotations

import torch
from torch import nn


class LinearFn(torch.autograd.Function):
    """``F.linear`` with a faster weight gradient for the book's thin layers.

    Autograd computes ``grad_W = grad_out.T @ x``; when ``x`` has only a few columns
    (the
    spiral's 2 input features) that product takes ~10x longer on the CPU than its
    transpose ``(x.T @ grad_out).T``, which gives the same numbers.
    """

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return nn.functional.linear(x, weight, bias)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        grad_x = grad @ weight if ctx.needs_input_grad[0] else None
        grad_w = None
        if ctx.needs_input_grad[1]:
            grad_w = (x.t() @ grad).t() if x.shape[1] <= grad.shape[1] else grad.t() @ x
        grad_b = grad.sum(0) if ctx.has_bias and ctx.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b


#: Layers :func:`fast_forward` evaluates itself; anything else is called as usual.
_ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.Tanh, nn.Sigmoid, nn.GELU, nn.Identity)


def is_plain(module: nn.Module) -> bool:
    """True for a Sequential tree of Linear layers and elementwise activations without
    hooks.
    """
    if module._forward_hooks or module._forward_pre_hooks or module._backward_hooks:
        return False
    if type(module) is nn.Sequential:
        return all(is_plain(m) for m in module)
    return type(module) is nn.Linear or isinstance(module, _ELEMENTWISE)


def fast_forward(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``module(x)`` for a :func:`is_plain` model, with :class:`LinearFn` for the Linear
    layers.
    """
    if type(module) is nn.Sequential:
        for m in module:
            x = fast_forward(m, x)
        return x
    if type(module) is nn.Linear:
        return LinearFn.apply(x, module.weight, module.bias)
    return module(x)


def cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``(N, C)`` logits, the same value as
    ``F.cross_entropy(logits, y)``.

    On the CPU it is computed with the classes along the middle axis of a ``(1, C, N)``
    view, where the log-softmax kernel is ~2x faster for a handful of classes. Elsewhere
    the plain call: CUDA's kernel for that layout (``nll_loss2d``) has no deterministic
    version, and the book runs with deterministic algorithms on the GPU.
    """
    if logits.device.type == "cpu":
        return nn.functional.cross_entropy(logits.t().unsqueeze(0), y.unsqueeze(0))
    return nn.functional.cross_entropy(logits, y)
