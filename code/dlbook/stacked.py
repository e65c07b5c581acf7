"""Several MLPs of the same shape (one net from several seeds) trained as one model.

:func:`fit_stacked` is :func:`dlbook.fit` for S models that differ only in their
weights: the weights of each layer are stacked into one ``(S, n_in, n_out)`` tensor,
one batched matrix product (``torch.baddbmm``) evaluates the layer for all S models,
and one optimizer step updates them all. The loss minimised is the sum of the S
models' losses, so each weight only ever receives the gradient of its own model, and
SGD / Adam / AdamW update every number on its own: each model follows (up to
floating-point rounding) the path it would follow alone. Deep nets (the seeds of a
20-layer net) cost about as much Python time as one.
"""

from __future__ import annotations

import torch
from torch import nn

from ._check import positive_int
from .data import check_xy
from .fastpath import _ELEMENTWISE
from .inspect import model_device
from .nets.mlp import Residual
from .train import (
    History,
    check_test_data,
    finish_history,
    make_optimizer,
    step_side_by_side,
)


def _layout(model: nn.Module) -> list[tuple[str, type]]:
    """The layer kinds of a Sequential of Linear, elementwise and Residual layers."""
    if type(model) is not nn.Sequential:
        raise TypeError(f"expected an nn.Sequential, got {type(model).__name__}")
    kinds = []
    for layer in model:
        if type(layer) is nn.Linear and layer.bias is not None:
            kinds.append(("linear", tuple(layer.weight.shape)))
        elif isinstance(layer, _ELEMENTWISE):
            kinds.append(("act", type(layer)))
        elif (
            type(layer) is Residual
            and type(layer.norm) is nn.Identity
            and isinstance(layer.act, _ELEMENTWISE)
        ):
            kinds.append(
                ("residual", (tuple(layer.linear.weight.shape), type(layer.act)))
            )
        else:
            raise ValueError(
                f"cannot stack a {type(layer).__name__} layer: only nn.Linear (with "
                "bias), elementwise activations and Residual blocks without norm"
            )
    return kinds


class StackedMLPs(nn.Module):
    """S Sequential models of one layout evaluated together; ``forward`` returns logits
    of shape (S, N, C). The models are copied; :meth:`copy_back` writes the weights
    back into them.
    """

    def __init__(self, models):
        super().__init__()
        models = list(models)
        if not models:
            raise ValueError("models must hold at least one model")
        layouts = [_layout(m) for m in models]
        if any(lay != layouts[0] for lay in layouts[1:]):
            raise ValueError("all models must have the same layers and shapes")
        self.kinds = [kind for kind, _ in layouts[0]]
        self.weights, self.biases = nn.ParameterList(), nn.ParameterList()
        self.acts = nn.ModuleList()
        for i, kind in enumerate(self.kinds):
            first = models[0][i]
            if kind == "act":
                self.acts.append(first)
                continue
            lins = [m[i] if kind == "linear" else m[i].linear for m in models]
            w = torch.stack([lin.weight.detach().t() for lin in lins])
            b = torch.stack([lin.bias.detach() for lin in lins]).unsqueeze(1)
            self.weights.append(nn.Parameter(w.clone()))
            self.biases.append(nn.Parameter(b.clone()))
            if kind == "residual":
                self.acts.append(first.act)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        h = X.expand(len(self.weights[0]), *X.shape)
        k = a = 0
        for kind in self.kinds:
            if kind == "act":
                h = self.acts[a](h)
                a += 1
                continue
            z = torch.baddbmm(self.biases[k], h, self.weights[k])
            k += 1
            if kind == "residual":
                z = h + self.acts[a](z)
                a += 1
            h = z
        return h

    @torch.no_grad()
    def copy_back(self, models) -> None:
        """Write model ``s``'s stacked weights into ``models[s]``."""
        for s, model in enumerate(models):
            k = 0
            for i, kind in enumerate(self.kinds):
                if kind == "act":
                    continue
                lin = model[i] if kind == "linear" else model[i].linear
                lin.weight.copy_(self.weights[k][s].t())
                lin.bias.copy_(self.biases[k][s, 0])
                k += 1


def fit_stacked(
    models,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int = 1000,
    optimizer: str = "adam",
    lr: float = 1e-3,
    weight_decay: float = 1e-5,
    momentum: float | None = None,
    X_test: torch.Tensor | None = None,
    y_test: torch.Tensor | None = None,
) -> list[History]:
    """Train every model of ``models`` (same layers and shapes, e.g. ``nets.mlp`` with
    different seeds or initialisations) on all of ``(X, y)``, as :func:`dlbook.fit`
    with ``batch_size=None`` would, and return one :class:`History` each.

    The models are trained in place. With test data, ``History.test_curve[i]`` is the
    test accuracy after epoch ``i`` (measured in the same forward pass as the next
    epoch's training batch, so it costs almost nothing).
    """
    models = list(models)
    check_xy(X, y)
    check_test_data(X_test, y_test)
    epochs = positive_int("epochs", epochs)
    for m in models:
        if model_device(m) != X.device:
            raise ValueError(f"model is on {model_device(m)} but X is on {X.device}")
    stacked = StackedMLPs(models).to(X.device)
    opt = make_optimizer(
        stacked.parameters(),
        optimizer,
        lr,
        weight_decay=weight_decay,
        momentum=momentum,
    )
    n, s = X.shape[0], len(models)
    inputs = X if X_test is None else torch.cat([X, X_test])
    onehot = nn.functional.one_hot(y, int(y.max()) + 1).t().to(X.dtype)
    labels = y if X_test is None else torch.cat([y, y_test])
    losses = torch.empty(epochs, s, device=X.device)
    hits = torch.empty(epochs, s, device=X.device, dtype=torch.long)
    test_hits = torch.empty(epochs, s, device=X.device, dtype=torch.long)
    for epoch in range(epochs):
        logits = stacked(inputs).transpose(1, 2)  # (S, C, N + N_test)
        losses[epoch] = step_side_by_side(opt, logits[:, :, :n].log_softmax(1), onehot)
        right = logits.detach().argmax(1) == labels  # (S, N + N_test)
        hits[epoch] = right[:, :n].sum(1)
        if X_test is not None:  # accuracy of the weights before this update
            test_hits[epoch] = right[:, n:].sum(1)
    stacked.copy_back(models)
    loss_lists = losses.cpu().T.tolist()
    acc_lists = (hits.cpu().double() / n).T.tolist()
    histories = []
    for i, model in enumerate(models):
        hist = finish_history(model, loss_lists[i], acc_lists[i], X, y, X_test, y_test)
        if X_test is not None:
            before = (test_hits[1:, i].cpu().double() / len(y_test)).tolist()
            hist.test_curve = before + [hist.test_acc]
        histories.append(hist)
    return histories
