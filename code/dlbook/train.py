"""Training: one loop, :func:`fit`, with one record of a run, :class:`History`.

* :func:`fit` trains any model with cross-entropy: full batch (the spiral chapters) or
  shuffled mini-batches with optional augmentation (the digits);
* :func:`fit_many` is its packed fast path for a sweep of one-hidden-layer MLPs: same
  paths (up to rounding), a fraction of the Python overhead;
* :func:`make_optimizer`: every optimizer the book uses, by name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from ._check import choice, nonneg_float, positive_int
from .data import check_xy
from .fastpath import cross_entropy, fast_forward, is_plain
from .inspect import model_device

#: Optimizer names of :func:`make_optimizer` ("momentum": SGD with momentum).
OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")


@dataclass(frozen=True)
class Spec:
    """One model of a :func:`fit_many` sweep: hidden width, activation, seed of its
    weights.
    """

    hidden: int
    activation: str = "relu"
    seed: int = 12345


@dataclass
class History:
    """Per-epoch records of a training run (plain Python floats, on no device).

    ``loss[i]`` / ``acc[i]``: training loss and accuracy in epoch ``i``, measured on the
    batches as they were trained (before each update); ``final_loss`` / ``final_acc``:
    on all training data after the last update (model in eval mode). ``test_acc``: the
    final test accuracy and ``test_curve[i]`` the one after epoch ``i`` (mini-batch
    runs), when test data were given.
    """

    loss: list[float] = field(default_factory=list)
    acc: list[float] = field(default_factory=list)
    final_loss: float = float("nan")
    final_acc: float = float("nan")
    test_acc: float | None = None
    test_curve: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.loss)

    def epochs_to(self, target: float) -> int | None:
        """First epoch (counted from 1) whose test accuracy reached ``target``, else
        None.
        """
        return next((i + 1 for i, a in enumerate(self.test_curve) if a >= target), None)


def make_optimizer(
    params,
    name: str = "adam",
    lr: float = 1e-3,
    *,
    weight_decay: float = 0.0,
    momentum: float | None = None,
    betas=(0.9, 0.999),
    fused: bool = True,
):
    """``torch.optim`` optimizer by name: ``sgd``, ``momentum`` (SGD with ``momentum``,
    0.9 unless given), ``adam``, ``adamw``.

    ``fused=True`` uses the fused kernels (one call updates every parameter; same rule,
    ~3x faster on the book's small models) where torch has them for the parameters'
    device, the multi-tensor (foreach) kernels otherwise; ``fused=False`` torch's
    default kernels (the 2-D optimizer paths, computed in float64).
    """
    name = choice("optimizer", name, OPTIMIZERS)
    lr = nonneg_float("lr", lr, strictly_positive=True)
    weight_decay = nonneg_float("weight_decay", weight_decay)
    if momentum is None:
        momentum = 0.9 if name == "momentum" else 0.0
    momentum = nonneg_float("momentum", momentum)
    if name in ("adam", "adamw") and momentum:
        raise ValueError(
            f"momentum applies to SGD only, got momentum={momentum} with {name!r}"
        )
    if name == "momentum" and momentum == 0:
        raise ValueError(
            "optimizer='momentum' needs momentum > 0 (use 'sgd' for plain SGD)"
        )
    if not (
        isinstance(betas, (tuple, list))
        and len(betas) == 2
        and all(0 <= float(b) < 1 for b in betas)
    ):
        raise ValueError(f"betas must be a pair of numbers in [0, 1), got {betas!r}")
    params = list(params)
    if name in ("sgd", "momentum"):
        cls, kw = (
            torch.optim.SGD,
            dict(lr=lr, momentum=momentum, weight_decay=weight_decay),
        )
    else:
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        kw = dict(lr=lr, weight_decay=weight_decay)
        if tuple(betas) != (0.9, 0.999):
            kw["betas"] = tuple(float(b) for b in betas)
    if not fused:
        return cls(params, **kw)
    return cls(
        params, **kw, **({"fused": True} if _fused_ok(params) else {"foreach": True})
    )


def step_side_by_side(opt, logp: torch.Tensor, onehot: torch.Tensor) -> torch.Tensor:
    """One optimizer step for M models trained side by side; their losses ``(M,)``,
    detached.

    ``logp``: their log-probabilities ``(M, C, N)``, the classes along the middle axis
    (log-softmax is about 2x faster there: :func:`dlbook.fastpath.cross_entropy`);
    ``onehot``: the true classes as a ``(1, C, N)`` or ``(C, N)`` mask. Picking the
    log-probabilities by multiplying with the mask gives the numbers ``gather()`` would,
    without gather's scatter-add backward, which has no deterministic version on CUDA.
    The sum of the M losses is minimised: each parameter belongs to one model, so it
    receives that model's gradient only.
    """
    per_model = -(logp * onehot).sum(1).mean(1)
    opt.zero_grad(set_to_none=True)
    per_model.sum().backward()
    opt.step()
    return per_model.detach()


def _fused_ok(params) -> bool:
    """True when every parameter is a float tensor on the CPU or a CUDA GPU."""
    tensors = [
        p
        for group in params
        for p in (group["params"] if isinstance(group, dict) else [group])
    ]
    return bool(tensors) and all(
        isinstance(p, torch.Tensor)
        and p.is_floating_point()
        and p.device.type in ("cpu", "cuda")
        for p in tensors
    )


@torch.no_grad()
def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Cross-entropy loss and accuracy of ``model`` on ``(X, y)``, in eval mode,
    unchanged.
    """
    check_xy(X, y, any_shape=True)
    was_training = model.training
    model.eval()
    try:
        logits = model(X)
        loss = nn.functional.cross_entropy(logits, y)
        acc = (logits.argmax(1) == y).float().mean()
    finally:
        model.train(was_training)
    return float(loss), float(acc)


def fit(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int = 1000,
    optimizer: str = "adam",
    lr: float = 1e-3,
    weight_decay: float = 1e-5,
    momentum: float | None = None,
    batch_size: int | None = None,
    augment=None,
    seed: int = 0,
    X_test: torch.Tensor | None = None,
    y_test: torch.Tensor | None = None,
) -> History:
    """Train ``model`` on ``(X, y)`` with cross-entropy and return its :class:`History`.

    ``batch_size=None``: full batch, one update per epoch. The per-epoch numbers stay
    on the device until the end, so the loop never waits for a GPU; models made of
    Linear layers and activations take a faster path with the same gradients
    (:mod:`dlbook.fastpath`).

    ``batch_size=B``: shuffled mini-batches of B, a new order every epoch, each batch
    passed through ``augment(batch, generator)`` if given (e.g. :class:`RandomShift`);
    the test accuracy is measured after every epoch. ``seed`` fixes the order, the
    augmentation and the dropout masks.

    ``model``, ``X`` and ``y`` must be on the same device.
    """
    if batch_size is None and augment is not None:
        raise ValueError("augment needs mini-batches: give batch_size")
    check_xy(X, y, any_shape=batch_size is not None)
    epochs = positive_int("epochs", epochs)
    dev = model_device(model)
    if X.device != dev:
        raise ValueError(
            f"model is on {dev} but X is on {X.device}; "
            "move them to the same device first"
        )
    check_test_data(X_test, y_test)
    opt = make_optimizer(
        model.parameters(), optimizer, lr, weight_decay=weight_decay, momentum=momentum
    )
    if batch_size is None:
        loss, acc = _full_batch(model, opt, X, y, epochs)
        return finish_history(model, loss, acc, X, y, X_test, y_test)
    batch_size = positive_int("batch_size", batch_size)
    seed = positive_int("seed", seed, minimum=0)
    return _mini_batch(
        model, opt, X, y, epochs, batch_size, augment, seed, X_test, y_test
    )


def _full_batch(model, opt, X, y, epochs):
    """One update per epoch on all of (X, y); per-epoch loss and accuracy as lists."""
    dev = X.device
    losses = torch.empty(epochs, device=dev)
    hits = torch.empty(epochs, device=dev, dtype=torch.long)
    forward = (lambda inp: fast_forward(model, inp)) if is_plain(model) else model
    model.train()
    for epoch in range(epochs):
        logits = forward(X)
        loss = cross_entropy(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses[epoch] = loss.detach()
        hits[epoch] = (logits.detach().argmax(1) == y).sum()
    return losses.cpu().tolist(), (hits.cpu().double() / y.shape[0]).tolist()


def _mini_batch(model, opt, X, y, epochs, batch_size, augment, seed, X_test, y_test):
    dev = X.device
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)  # dropout masks
    n = X.shape[0]
    losses = torch.zeros(epochs, device=dev)
    hits = torch.zeros(epochs, device=dev)
    test_curve = torch.empty(epochs, device=dev)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n, generator=gen).to(dev)
        for b in range(math.ceil(n / batch_size)):
            idx = order[b * batch_size : (b + 1) * batch_size]
            xb, yb = X[idx], y[idx]
            if augment is not None:
                xb = augment(xb, gen)
            logits = model(xb)
            loss = nn.functional.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses[epoch] += loss.detach() * len(idx) / n
            hits[epoch] += (logits.detach().argmax(1) == yb).sum()
        if X_test is not None:
            model.eval()
            with torch.no_grad():
                test_curve[epoch] = (model(X_test).argmax(1) == y_test).float().mean()
    hist = finish_history(
        model, losses.cpu().tolist(), (hits / n).cpu().tolist(), X, y, X_test, y_test
    )
    model.train()
    if X_test is not None:
        hist.test_curve = test_curve.cpu().tolist()
    return hist


def check_test_data(X_test, y_test) -> None:
    """Both test tensors or neither; when given, shaped like training data (see
    check_xy).
    """
    if (X_test is None) != (y_test is None):
        raise ValueError("give both X_test and y_test, or neither")
    if X_test is not None:
        check_xy(X_test, y_test, any_shape=True)


def finish_history(model, loss, acc, X, y, X_test=None, y_test=None) -> History:
    """A :class:`History` of per-epoch ``loss``/``acc`` plus the final and test
    numbers."""
    hist = History(loss=loss, acc=acc)
    hist.final_loss, hist.final_acc = evaluate(model, X, y)
    if X_test is not None:
        hist.test_acc = evaluate(model, X_test, y_test)[1]
    return hist


def fit_many(specs, X, y, *, checkpoints=None, **options):
    """:func:`fit` for a sweep of one-hidden-layer MLPs, trained together as one packed
    model.

    ``specs``: :class:`~dlbook.packed.Spec` s (hidden width, activation, seed). Returns
    ``(models, histories)``, model ``i`` being what
    ``fit(nets.mlp(D, s.hidden, C, activation=s.activation, seed=s.seed), X, y, ...)``
    trains, up to floating-point rounding. Full batch only; options as for :func:`fit`.

    ``checkpoints``: steps (each at most ``epochs``) at which to keep a copy of every
    model. Then the result is a dict ``{steps: (models, histories)}`` with one entry per
    checkpoint and one for ``epochs``: the models after that many steps, their histories
    cut there (``final_acc``, ``test_acc`` measured at that step). This form groups the
    models by width and activation into batched matrix products
    (:class:`~dlbook.packed.GroupedMLPs`, activation ``"none"`` allowed): faster for
    large sweeps, same numbers up to rounding.
    """
    from .packed import fit_grouped, fit_packed

    if checkpoints is not None:
        return fit_grouped(specs, X, y, checkpoints=checkpoints, **options)
    return fit_packed(specs, X, y, **options)
