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
    """``torch.optim`` optimizer by name (``sgd``, ``adam``, ``adamw``), with the multi-tensor (foreach) kernels."""
    name = choice("optimizer", name, OPTIMIZERS)
    lr = nonneg_float("lr", lr, strictly_positive=True)
    weight_decay = nonneg_float("weight_decay", weight_decay)
    momentum = nonneg_float("momentum", momentum)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay, foreach=True)
    if momentum:
        raise ValueError(f"momentum applies to optimizer='sgd' only, got momentum={momentum} with {name!r}")
    cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
    return cls(params, lr=lr, weight_decay=weight_decay, foreach=True)


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
    must already be on the same device.
    """
    check_xy(X, y)
    epochs = positive_int("epochs", epochs)
    dev = model_device(model)
    if X.device != dev:
        raise ValueError(f"model is on {dev} but X is on {X.device}; move them to the same device first")
    if (X_test is None) != (y_test is None):
        raise ValueError("give both X_test and y_test, or neither")
    if X_test is not None:
        check_xy(X_test, y_test)
    opt = make_optimizer(model.parameters(), optimizer, lr, weight_decay, momentum)
    losses = torch.empty(epochs, device=dev)
    hits = torch.empty(epochs, device=dev, dtype=torch.long)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(epochs):
        logits = model(X)
        loss = loss_fn(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses[epoch] = loss.detach()
        hits[epoch] = (logits.detach().argmax(1) == y).sum()
    hist = History(
        loss=losses.cpu().tolist(),
        acc=(hits.cpu().double() / y.shape[0]).tolist(),
    )
    hist.final_loss, hist.final_acc = evaluate(model, X, y)
    if X_test is not None:
        hist.test_acc = evaluate(model, X_test, y_test)[1]
    return hist
