"""The packed fast path of :func:`dlbook.train.fit_many`: many one-hidden-layer MLPs as
one model.

A sweep (hidden widths, activations, seeds) trains M independent models
``Linear(D, H_m) → act_m → Linear(H_m, C)``. Doing them one after another costs M
Python loops and M optimizers; here they share one loop and one optimizer step: their
hidden layers live in one wide weight matrix (each model uses its own block of rows),
each keeps its own output layer, and the sum of the M losses is minimised. Each
parameter only ever receives the gradient of its own model's loss,
and SGD / Adam / AdamW update every number on its own, so each model follows
(up to floating-point rounding) exactly the path it would follow alone.
"""

from __future__ import annotations

import torch
from torch import nn

from ._check import positive_int
from .data import check_xy
from .fastpath import LinearFn
from .nets import make_activation, mlp
from .train import (
    History,
    Spec,
    check_test_data,
    finish_history,
    make_optimizer,
    step_side_by_side,
)


class PackedMLPs(nn.Module):
    """M one-hidden-layer MLPs evaluated together; ``forward`` returns logits of shape
    (N, M, C).

    The M first layers are stacked into one wide ``Linear(D, sum H_m)``; each model
    computes its hidden layer from its own block of rows (see :meth:`logits_mcn`) and
    keeps its own small output layer.
    """

    def __init__(self, specs, d_in: int, d_out: int):
        super().__init__()
        specs = [s if isinstance(s, Spec) else Spec(*s) for s in specs]
        if not specs:
            raise ValueError("specs must name at least one model")
        for s in specs:
            if s.activation == "none":
                raise ValueError(
                    "activation 'none' is not supported in a packed sweep; "
                    "train it with dlbook.fit"
                )
        self.specs = specs
        self.d_out = positive_int("d_out", d_out)
        singles = [
            mlp(d_in, s.hidden, d_out, activation=s.activation, seed=s.seed)
            for s in specs
        ]
        self.widths = [s.hidden for s in specs]
        self.l1 = nn.Linear(d_in, sum(self.widths))
        with torch.no_grad():
            self.l1.weight.copy_(torch.cat([m[0].weight for m in singles]))
            self.l1.bias.copy_(torch.cat([m[0].bias for m in singles]))
        self.heads = nn.ModuleList(m[-1] for m in singles)
        self.acts = nn.ModuleList(make_activation(s.activation) for s in specs)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.logits_mcn(X).permute(2, 0, 1)

    def logits_mcn(self, X: torch.Tensor) -> torch.Tensor:
        """Logits of every model as one ``(M, C, N)`` tensor (the layout training uses).

        Each model's hidden layer is computed from its own rows of ``l1`` (a contiguous
        slice), so the activations run on contiguous memory (2x faster than on a column
        slice of one wide product), and the weight gradients take the fast path of
        :class:`dlbook.fastpath.LinearFn`.
        """
        outs, a = [], 0
        for width, act, head in zip(self.widths, self.acts, self.heads):
            z = LinearFn.apply(
                X, self.l1.weight[a : a + width], self.l1.bias[a : a + width]
            )
            outs.append(LinearFn.apply(act(z), head.weight, head.bias).t())
            a += width
        return torch.stack(outs)

    def unpack(self, i: int) -> nn.Sequential:
        """Model ``i`` as an ordinary ``nn.Sequential`` on the same device (a copy)."""
        s = self.specs[i]
        a = sum(self.widths[:i])
        b = a + s.hidden
        model = mlp(
            self.l1.in_features,
            s.hidden,
            self.d_out,
            activation=s.activation,
            device=self.l1.weight.device,
        )
        with torch.no_grad():
            model[0].weight.copy_(self.l1.weight[a:b])
            model[0].bias.copy_(self.l1.bias[a:b])
            model[-1].load_state_dict(self.heads[i].state_dict())
        return model


def fit_packed(
    specs,
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
) -> tuple[list[nn.Sequential], list[History]]:
    """:func:`dlbook.train.fit_many`: every :class:`Spec` trained on all of (X, y)."""
    check_xy(X, y)
    check_test_data(X_test, y_test)
    epochs = positive_int("epochs", epochs)
    n_classes = int(y.max()) + 1
    packed = PackedMLPs(specs, X.shape[1], n_classes).to(X.device)
    m = len(packed.specs)
    opt = make_optimizer(
        packed.parameters(), optimizer, lr, weight_decay=weight_decay, momentum=momentum
    )
    losses = torch.empty(epochs, m, device=X.device)
    hits = torch.empty(epochs, m, device=X.device, dtype=torch.long)
    onehot = nn.functional.one_hot(y, n_classes).t().unsqueeze(0).to(X.dtype)
    for epoch in range(epochs):
        logits = packed.logits_mcn(X)  # (M, C, N)
        losses[epoch] = step_side_by_side(opt, logits.log_softmax(1), onehot)
        hits[epoch] = (logits.detach().max(1).indices == y).sum(
            1
        )  # argmax(1), ~8x faster in this layout
    losses, accs = (
        losses.cpu().T.tolist(),
        (hits.cpu().double() / y.shape[0]).T.tolist(),
    )
    models, histories = [], []
    for i in range(m):
        model = packed.unpack(i)
        models.append(model)
        histories.append(
            finish_history(model, losses[i], accs[i], X, y, X_test, y_test)
        )
    return models, histories


class _FirstLayer(torch.autograd.Function):
    """``W @ Xt + b`` for a batch of first layers ``W (G, H, D)``, ``b (G, H, 1)`` and
    inputs ``Xt (D, N)`` shared by all of them (no gradient for the inputs).

    The weight gradient is computed as ``(Xt @ g^T)^T``: with only D = 2 input columns
    autograd's ``g @ Xt^T`` takes several times longer for the same numbers.
    """

    @staticmethod
    def forward(ctx, Xt, W, b):
        ctx.save_for_backward(Xt)
        return torch.baddbmm(b, W, Xt.expand(W.shape[0], -1, -1))

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        (Xt,) = ctx.saved_tensors
        grad_w = torch.matmul(Xt, grad.transpose(1, 2)).transpose(1, 2)
        return None, grad_w, grad.sum(2, keepdim=True)


class GroupedMLPs(nn.Module):
    """M one-hidden-layer MLPs grouped by hidden width: each group of G models keeps its
    weights as batched tensors ``(G, H, D)`` … and runs as two batched matrix products,
    each activation applied to its own contiguous block of the group.

    Same models and same starting weights as :class:`PackedMLPs` (activation ``"none"``
    allowed), a few operations per width instead of per model: large sweeps (many seeds
    and activations) train two to three times as fast.
    """

    def __init__(self, specs, d_in: int, d_out: int):
        super().__init__()
        specs = [s if isinstance(s, Spec) else Spec(*s) for s in specs]
        if not specs:
            raise ValueError("specs must name at least one model")
        self.specs = specs
        self.d_in = positive_int("d_in", d_in)
        self.d_out = positive_int("d_out", d_out)
        singles = [
            mlp(d_in, s.hidden, d_out, activation=s.activation, seed=s.seed)
            for s in specs
        ]
        acts = list(dict.fromkeys(s.activation for s in specs))
        widths = list(dict.fromkeys(s.hidden for s in specs))
        # group g: every model of width widths[g], ordered by activation
        self.members = [
            [
                i
                for a in acts
                for i, s in enumerate(specs)
                if (s.hidden, s.activation) == (w, a)
            ]
            for w in widths
        ]
        # per group: (start, end, activation name) of each block of one activation
        self.blocks = []
        for grp in self.members:
            blocks, start = [], 0
            for a in acts:
                n = sum(specs[i].activation == a for i in grp)
                if n:
                    blocks.append((start, start + n, a))
                    start += n
            self.blocks.append(blocks)
        order = [i for group in self.members for i in group]
        self.register_buffer("order", torch.tensor(order), persistent=False)
        self.where = {
            i: (g, j) for g, grp in enumerate(self.members) for j, i in enumerate(grp)
        }
        self.act_fns = nn.ModuleDict(
            {a: make_activation(a) or nn.Identity() for a in acts}
        )
        self.w1 = nn.ParameterList()
        self.b1 = nn.ParameterList()
        self.w2 = nn.ParameterList()
        self.b2 = nn.ParameterList()
        for grp in self.members:
            first = [singles[i][0] for i in grp]
            last = [singles[i][-1] for i in grp]
            self.w1.append(
                nn.Parameter(torch.stack([m.weight.detach() for m in first]))
            )
            self.b1.append(
                nn.Parameter(torch.stack([m.bias.detach() for m in first]).unsqueeze(2))
            )
            self.w2.append(nn.Parameter(torch.stack([m.weight.detach() for m in last])))
            self.b2.append(
                nn.Parameter(torch.stack([m.bias.detach() for m in last]).unsqueeze(2))
            )

    def logits_mcn(self, X: torch.Tensor) -> torch.Tensor:
        """Logits ``(M, C, N)`` in group order (model ``order[k]`` at position k)."""
        Xt = X.t().contiguous()
        outs = []
        for w1, b1, w2, b2, blocks in zip(
            self.w1, self.b1, self.w2, self.b2, self.blocks
        ):
            z = _FirstLayer.apply(Xt, w1, b1)
            # split(), not slicing: its backward is one cat, a slice's is a full
            # zero tensor per block; each block goes through its own second layer, so
            # the wide hidden layer is never copied into one tensor again
            pieces = z.split([hi - lo for lo, hi, _ in blocks])
            for piece, (lo, hi, a) in zip(pieces, blocks):
                outs.append(torch.baddbmm(b2[lo:hi], w2[lo:hi], self.act_fns[a](piece)))
        return torch.cat(outs)

    def unpack(self, i: int) -> nn.Sequential:
        """Model ``i`` (in the order of ``specs``) as an ordinary ``nn.Sequential``."""
        s = self.specs[i]
        g, j = self.where[i]
        model = mlp(
            self.d_in,
            s.hidden,
            self.d_out,
            activation=s.activation,
            device=self.w1[g].device,
        )
        with torch.no_grad():
            model[0].weight.copy_(self.w1[g][j])
            model[0].bias.copy_(self.b1[g][j, :, 0])
            model[-1].weight.copy_(self.w2[g][j])
            model[-1].bias.copy_(self.b2[g][j, :, 0])
        return model


def fit_grouped(
    specs,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int = 1000,
    checkpoints=(),
    optimizer: str = "adam",
    lr: float = 1e-3,
    weight_decay: float = 1e-5,
    momentum: float | None = None,
    X_test: torch.Tensor | None = None,
    y_test: torch.Tensor | None = None,
) -> dict[int, tuple[list[nn.Sequential], list[History]]]:
    """Train every :class:`Spec` on all of (X, y) with :class:`GroupedMLPs`; return
    ``{step: (models, histories)}`` for each step in ``checkpoints`` and for ``epochs``
    (the models as they were after that many steps, the histories cut there)."""
    check_xy(X, y)
    check_test_data(X_test, y_test)
    epochs = positive_int("epochs", epochs)
    stops = sorted({positive_int("checkpoint", c) for c in checkpoints} | {epochs})
    if stops[-1] > epochs:
        raise ValueError(
            f"checkpoints must be at most epochs={epochs}, got {stops[-1]}"
        )
    n_classes = int(y.max()) + 1
    net = GroupedMLPs(specs, X.shape[1], n_classes).to(X.device)
    m = len(net.specs)
    opt = make_optimizer(
        net.parameters(), optimizer, lr, weight_decay=weight_decay, momentum=momentum
    )
    losses = torch.empty(epochs, m, device=X.device)
    hits = torch.empty(epochs, m, device=X.device, dtype=torch.long)
    onehot = nn.functional.one_hot(y, n_classes).t().unsqueeze(0).to(X.dtype)
    inverse = torch.empty_like(net.order)
    inverse[net.order] = torch.arange(m, device=net.order.device)
    out = {}
    for epoch in range(epochs):
        logits = net.logits_mcn(X)  # (M, C, N) in group order
        per_model = step_side_by_side(opt, logits.log_softmax(1), onehot)
        losses[epoch] = per_model[inverse]
        hits[epoch] = (logits.detach().max(1).indices == y).sum(1)[inverse]
        if epoch + 1 in stops:
            done = epoch + 1
            ls = losses[:done].cpu().T.tolist()
            acs = (hits[:done].cpu().double() / y.shape[0]).T.tolist()
            models = [net.unpack(i) for i in range(m)]
            hists = [
                finish_history(mod, ls[i], acs[i], X, y, X_test, y_test)
                for i, mod in enumerate(models)
            ]
            out[done] = (models, hists)
    return out
