"""A full-batch training loop that records loss and accuracy every epoch."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from ._check import choice, nonneg_float, positive_int
from .data import check_xy
from .models import model_device

OPTIMIZERS = ("sgd", "adam", "adamw")


@dataclass
class History:
    """Per-epoch records of a training run (plain Python floats, on no device).

    ``loss[i]`` and ``acc[i]`` are measured on the training data in epoch ``i``
    before that epoch's update; ``final_loss`` / ``final_acc`` after the last update.
    ``test_acc`` is filled when test data were given.
    """

    loss: list[float] = field(default_factory=list)
    acc: list[float] = field(default_factory=list)
    final_loss: float = float("nan")
    final_acc: float = float("nan")
    test_acc: float | None = None

    @property
    def epochs(self) -> int:
        return len(self.loss)


def make_optimizer(params, name: str = "adam", lr: float = 1e-3, weight_decay: float = 0.0, momentum: float = 0.0):
    """``torch.optim`` optimizer by name (``sgd``, ``adam``, ``adamw``).

    Uses the fused kernels (one call updates every parameter; same update rule, about 3x
    less time per step than the multi-tensor loop on the book's small models) where torch
    has them for the parameters' device, the multi-tensor (foreach) kernels otherwise.
    """
    name = choice("optimizer", name, OPTIMIZERS)
    lr = nonneg_float("lr", lr, strictly_positive=True)
    weight_decay = nonneg_float("weight_decay", weight_decay)
    momentum = nonneg_float("momentum", momentum)
    if name != "sgd" and momentum:
        raise ValueError(f"momentum applies to optimizer='sgd' only, got momentum={momentum} with {name!r}")
    params = list(params)
    if name == "sgd":
        cls, kw = torch.optim.SGD, dict(lr=lr, momentum=momentum, weight_decay=weight_decay)
    else:
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        kw = dict(lr=lr, weight_decay=weight_decay)
    if _fused_ok(params):
        return cls(params, fused=True, **kw)
    return cls(params, foreach=True, **kw)


def _fused_ok(params) -> bool:
    """True when every parameter is a float tensor on the CPU or a CUDA GPU (where torch has fused kernels)."""
    tensors = [p for group in params for p in (group["params"] if isinstance(group, dict) else [group])]
    return bool(tensors) and all(
        isinstance(p, torch.Tensor) and p.is_floating_point() and p.device.type in ("cpu", "cuda") for p in tensors
    )


class _LinearFn(torch.autograd.Function):
    """``F.linear`` with a faster weight gradient for the book's thin layers.

    Autograd computes ``grad_W = grad_out.T @ x``; when ``x`` has only a few columns (the
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


#: Layers :func:`_forward` evaluates itself; anything else in a model is called as usual.
_ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.Tanh, nn.Sigmoid, nn.GELU, nn.Identity)


def _plain(module: nn.Module) -> bool:
    """True for a Sequential tree of Linear layers and elementwise activations without hooks."""
    if module._forward_hooks or module._forward_pre_hooks or module._backward_hooks:
        return False
    if type(module) is nn.Sequential:
        return all(_plain(m) for m in module)
    return type(module) is nn.Linear or isinstance(module, _ELEMENTWISE)


def _forward(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``module(x)`` for a :func:`_plain` model, with :class:`_LinearFn` for the Linear layers."""
    if type(module) is nn.Sequential:
        for m in module:
            x = _forward(m, x)
        return x
    if type(module) is nn.Linear:
        return _LinearFn.apply(x, module.weight, module.bias)
    return module(x)


def cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``(N, C)`` logits, the same value as ``F.cross_entropy(logits, y)``.

    On the CPU it is computed with the classes along the middle axis of a ``(1, C, N)``
    view, where the log-softmax kernel is ~2x faster for a handful of classes. Elsewhere
    the plain call: CUDA's kernel for that layout (``nll_loss2d``) has no deterministic
    version, and the book runs with deterministic algorithms on the GPU.
    """
    if logits.device.type == "cpu":
        return nn.functional.cross_entropy(logits.t().unsqueeze(0), y.unsqueeze(0))
    return nn.functional.cross_entropy(logits, y)


@torch.no_grad()
def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Cross-entropy loss and accuracy of ``model`` on ``(X, y)``, without changing the model."""
    check_xy(X, y)
    was_training = model.training
    model.eval()
    try:
        logits = model(X)
        loss = nn.functional.cross_entropy(logits, y)
        acc = (logits.argmax(1) == y).float().mean()
    finally:
        model.train(was_training)
    return float(loss), float(acc)


def train(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    epochs: int = 1000,
    optimizer: str = "adam",
    lr: float = 1e-3,
    weight_decay: float = 1e-5,
    momentum: float = 0.0,
    X_test: torch.Tensor | None = None,
    y_test: torch.Tensor | None = None,
) -> History:
    """Train ``model`` on all of ``(X, y)`` at once (full batch) with cross-entropy.

    The loop keeps the per-epoch numbers on the device and copies them to the CPU once at
    the end, so it never waits for the GPU inside the loop. ``model``, ``X`` and ``y``
    must already be on the same device. Models made of Linear layers and activations
    (everything :func:`~dlbook.models.make_mlp` builds) take a faster path that computes
    the same gradients (see :class:`_LinearFn`, :func:`cross_entropy`).
    """
    check_xy(X, y)
    epochs = positive_int("epochs", epochs)
    dev = model_device(model)
    if X.device != dev:
        raise ValueError(f"model is on {dev} but X is on {X.device}; move them to the same device first")
    check_test_data(X_test, y_test)
    opt = make_optimizer(model.parameters(), optimizer, lr, weight_decay, momentum)
    losses = torch.empty(epochs, device=dev)
    hits = torch.empty(epochs, device=dev, dtype=torch.long)
    forward = (lambda inp: _forward(model, inp)) if _plain(model) else model
    model.train()
    for epoch in range(epochs):
        logits = forward(X)
        loss = cross_entropy(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses[epoch] = loss.detach()
        hits[epoch] = (logits.detach().argmax(1) == y).sum()
    return finish_history(model, losses.cpu().tolist(), (hits.cpu().double() / y.shape[0]).tolist(), X, y, X_test, y_test)


def check_test_data(X_test, y_test) -> None:
    """Both test tensors or neither; when given, shaped like training data (see check_xy)."""
    if (X_test is None) != (y_test is None):
        raise ValueError("give both X_test and y_test, or neither")
    if X_test is not None:
        check_xy(X_test, y_test)


def finish_history(model, loss, acc, X, y, X_test=None, y_test=None) -> History:
    """A :class:`History` of per-epoch ``loss``/``acc`` plus the trained model's final and test numbers."""
    hist = History(loss=loss, acc=acc)
    hist.final_loss, hist.final_acc = evaluate(model, X, y)
    if X_test is not None:
        hist.test_acc = evaluate(model, X_test, y_test)[1]
    return hist
