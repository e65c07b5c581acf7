"""The spiral playground's data: precomputed runs that the reader's page switches
between.

A *record* is one trained model at one training budget (the contract of the spiral
chapter's sweep, issue 23)::

    {"activation": "none" | "relu" | "tanh" | "sigmoid", "H": int, "lr": float,
     "steps": int, "seed": int, "train_acc": float, "test_acc": float,
     "loss": list[float],          # training loss every 10 steps (steps 0, 10, ...)
     "classes": uint8 array (64, 64)}  # predicted class on a grid over the extent

``classes[i, j]`` is the class predicted at ``(xs[j], ys[i])`` with ``xs``/``ys`` the
:func:`grid_axes` of the extent: row 0 is the bottom (``y = ymin``), as
:func:`dlbook.plot_decision_boundary` lays out its grid (``imshow(origin="lower")``).

:func:`reference_sweep` trains a small grid of such records (packed with
:func:`dlbook.fit_many`); the book's chapter may bring its own records instead.
:func:`payload` turns records, the extent and the training points into the JSON the
page's script reads (class maps packed two bits a cell, base64), and
:func:`unpack_classes` reads a map back (the tests check the round trip).
"""

from __future__ import annotations

import base64
import json
from itertools import product

import numpy as np
import torch

ACTIVATIONS = ("none", "relu", "tanh", "sigmoid")
GRID = 64
LOSS_EVERY = 10
KEYS = ("activation", "H", "lr", "steps", "seed")


def grid_axes(extent, n: int = GRID) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres (xs, ys) of an ``n`` x ``n`` grid over (xmin, xmax, ymin, ymax)."""
    xmin, xmax, ymin, ymax = (float(v) for v in extent)
    if not (xmax > xmin and ymax > ymin):
        raise ValueError(f"extent must be (xmin, xmax, ymin, ymax), got {extent!r}")
    dx, dy = (xmax - xmin) / n, (ymax - ymin) / n
    xs = xmin + dx * (np.arange(n) + 0.5)
    ys = ymin + dy * (np.arange(n) + 0.5)
    return xs, ys


def extent_of(X, margin: float = 1.08) -> tuple[float, float, float, float]:
    """A square extent around the points, as the book's decision-boundary plots use."""
    lim = float(torch.as_tensor(X).abs().max()) * margin
    lim = round(lim, 3)
    return (-lim, lim, -lim, lim)


@torch.no_grad()
def class_map(model: torch.nn.Module, extent, n: int = GRID) -> np.ndarray:
    """The class ``model`` predicts on each cell of the grid: uint8 array (n, n)."""
    xs, ys = grid_axes(extent, n)
    gx, gy = np.meshgrid(xs, ys, indexing="xy")
    dev = next(model.parameters()).device
    grid = torch.tensor(np.stack((gx.ravel(), gy.ravel()), 1), dtype=torch.float32)
    was_training = model.training
    model.eval()
    try:
        pred = model(grid.to(dev)).argmax(1).reshape(n, n)
    finally:
        model.train(was_training)
    return pred.cpu().numpy().astype(np.uint8)


def _record(spec_key: dict, model, hist, extent) -> dict:
    return {
        **spec_key,
        "train_acc": float(hist.final_acc),
        "test_acc": float(hist.test_acc),
        "loss": [float(v) for v in hist.loss[::LOSS_EVERY]],
        "classes": class_map(model, extent),
    }


def reference_sweep(
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    activations=ACTIVATIONS,
    hidden=(2, 5, 20, 100),
    seeds=(0, 1, 2),
    budgets=(100, 400),
    lr: float = 1e-2,
    extent=None,
) -> tuple[list[dict], tuple]:
    """A small grid of records: every activation x width x seed, each at every budget
    (full-batch Adam at ``lr``; one packed run per budget). Returns (records, extent).

    Training is deterministic, so the run of ``budgets[0]`` steps is the first part of
    the longer one; each budget is trained from the start all the same (packed runs
    are cheap, and no checkpointing is needed). ``"none"`` (no activation) is not
    supported by the packed sweep; those models share one loop and one Adam here
    (:func:`_fit_linear`), which again leaves each model its own gradients.
    """
    from .train import Spec, fit_many

    for a in activations:
        if a not in ACTIVATIONS:
            raise ValueError(f"activation {a!r} is not one of {ACTIVATIONS}")
    extent = tuple(extent) if extent is not None else extent_of(X_train)
    data = dict(X_test=X_test, y_test=y_test, optimizer="adam", lr=lr)
    records = []
    for steps in sorted(budgets):
        packed = [
            (a, h, s)
            for a, h, s in product(activations, hidden, seeds)
            if a != "none"
        ]
        if packed:
            specs = [Spec(h, a, seed=s) for a, h, s in packed]
            models, hists = fit_many(specs, X_train, y_train, epochs=steps, **data)
            for (a, h, s), m, hist in zip(packed, models, hists):
                key = dict(activation=a, H=h, lr=lr, steps=steps, seed=s)
                records.append(_record(key, m, hist, extent))
        if "none" in activations:
            for (h, sd), m, hist in _fit_linear(
                list(product(hidden, seeds)), X_train, y_train, steps=steps, **data
            ):
                key = dict(activation="none", H=h, lr=lr, steps=steps, seed=sd)
                records.append(_record(key, m, hist, extent))
    order = {a: i for i, a in enumerate(ACTIVATIONS)}
    records.sort(key=lambda r: (order[r["activation"]], r["H"], r["steps"], r["seed"]))
    return records, extent


def _fit_linear(keys, X, y, *, steps, X_test, y_test, optimizer, lr):
    """Models ``Linear(D, H) -> Linear(H, C)`` (no activation), one per (H, seed) in
    ``keys``, trained together: the summed loss gives each parameter its own model's
    gradient, and Adam updates every number on its own. Yields (key, model, History)."""
    from torch import nn

    from .nets import mlp
    from .train import History, make_optimizer

    n_classes = int(y.max()) + 1
    models = [
        mlp(X.shape[1], h, n_classes, activation="none", seed=s, device=X.device)
        for h, s in keys
    ]
    params = [p for m in models for p in m.parameters()]
    opt = make_optimizer(params, optimizer, lr, weight_decay=1e-5)
    losses = torch.empty(steps, len(models), device=X.device)
    for step in range(steps):
        per_model = torch.stack(
            [nn.functional.cross_entropy(m(X), y) for m in models]
        )
        opt.zero_grad(set_to_none=True)
        per_model.sum().backward()
        opt.step()
        losses[step] = per_model.detach()
    losses = losses.cpu().T.tolist()
    with torch.no_grad():
        for key, m, loss in zip(keys, models, losses):
            train_acc = (m(X).argmax(1) == y).double().mean().item()
            test_acc = (m(X_test).argmax(1) == y_test).double().mean().item()
            yield key, m, History(
                loss=loss, final_acc=train_acc, test_acc=test_acc
            )


def select(records, **setting) -> dict:
    """The one record with the given field values (e.g. ``activation="relu", H=20``)."""
    hits = [r for r in records if all(r[k] == v for k, v in setting.items())]
    if len(hits) != 1:
        raise LookupError(f"{len(hits)} records match {setting}")
    return hits[0]


def plot_grid(records, extent, X, y, *, seed=None, steps=None, lr=None):
    """The static overview: one small map per activation (rows) and width (columns) at
    one seed and budget (default: the first seed, the longest budget). Returns the
    figure."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from .plot import CLASS_COLORS, to_numpy

    seed = min(r["seed"] for r in records) if seed is None else seed
    steps = max(r["steps"] for r in records) if steps is None else steps
    lr = min(r["lr"] for r in records) if lr is None else lr
    acts = [a for a in ACTIVATIONS if any(r["activation"] == a for r in records)]
    widths = sorted({r["H"] for r in records})
    fig, axes = plt.subplots(
        len(acts), len(widths), figsize=(1.9 * len(widths), 2.0 * len(acts)),
        squeeze=False,
    )  # fmt: skip
    Xn, yn = to_numpy(X), to_numpy(y)
    n_classes = int(yn.max()) + 1
    cmap = ListedColormap(CLASS_COLORS[:n_classes])
    names = {"none": "无激活", "relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid"}
    for row, a in zip(axes, acts):
        for ax, h in zip(row, widths):
            r = select(records, activation=a, H=h, seed=seed, steps=steps, lr=lr)
            ax.imshow(r["classes"], origin="lower", extent=extent, cmap=cmap,
                      vmin=-0.5, vmax=n_classes - 0.5, alpha=0.3,
                      interpolation="nearest")  # fmt: skip
            ax.scatter(Xn[:, 0], Xn[:, 1], c=yn, cmap=cmap, s=2, vmin=-0.5,
                       vmax=n_classes - 0.5, linewidths=0)  # fmt: skip
            ax.set_title(f"{names[a]}，H={h}：{r['test_acc']:.2f}", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlim(extent[0], extent[1])
            ax.set_ylim(extent[2], extent[3])
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- export
def pack_classes(classes) -> str:
    """A class map (values 0..3) as base64 of 2 bits per cell, row by row, the first
    cell in the two lowest bits of the first byte."""
    c = np.asarray(classes, dtype=np.uint8).ravel()
    if c.size % 4 or (c.size and c.max() > 3):
        raise ValueError("a class map needs a multiple of 4 cells with values 0..3")
    q = c.reshape(-1, 4)
    packed = q[:, 0] | (q[:, 1] << 2) | (q[:, 2] << 4) | (q[:, 3] << 6)
    return base64.b64encode(packed.astype(np.uint8).tobytes()).decode("ascii")


def unpack_classes(text: str, n: int = GRID) -> np.ndarray:
    """Inverse of :func:`pack_classes`: uint8 array (n, n)."""
    b = np.frombuffer(base64.b64decode(text), dtype=np.uint8)
    cells = np.stack([(b >> k) & 3 for k in (0, 2, 4, 6)], 1).ravel()
    return cells.reshape(n, n).astype(np.uint8)


def check_records(records) -> None:
    """Raise ValueError unless every record has the contract's fields and shapes."""
    if not records:
        raise ValueError("no records")
    seen = set()
    for r in records:
        missing = set(KEYS + ("train_acc", "test_acc", "loss", "classes")) - set(r)
        if missing:
            raise ValueError(f"record {r.get('activation')}/{r.get('H')}: no {missing}")
        if r["activation"] not in ACTIVATIONS:
            raise ValueError(f"unknown activation {r['activation']!r}")
        c = np.asarray(r["classes"])
        if c.shape != (GRID, GRID):
            raise ValueError(f"classes of shape {c.shape}, want ({GRID}, {GRID})")
        if len(r["loss"]) != r["steps"] // LOSS_EVERY:
            raise ValueError(
                f"{len(r['loss'])} loss values for {r['steps']} steps "
                f"(want one every {LOSS_EVERY} steps)"
            )
        key = tuple(r[k] for k in KEYS)
        if key in seen:
            raise ValueError(f"two records for {key}")
        seen.add(key)


def payload(
    records, extent, X_points, y_points, *, digits: int = 4, thin: int = 1
) -> str:
    """The JSON the page's script reads: settings, one entry per record (accuracies,
    loss curve, packed class map), the extent and the points drawn over the map.
    ``thin`` keeps every thin-th loss value (a smaller file for long budgets)."""
    check_records(records)
    if thin < 1 or any(len(r["loss"]) % thin for r in records):
        raise ValueError(f"thin={thin} must divide every record's loss curve length")
    X_points = torch.as_tensor(X_points).detach().cpu().numpy()
    y_points = torch.as_tensor(y_points).detach().cpu().numpy()

    def rnd(v):
        return round(float(v), digits)

    settings = {
        k: sorted({r[k] for r in records}, key=(ACTIVATIONS.index if k == "activation"
                                                 else float))  # fmt: skip
        for k in KEYS
    }
    runs = [
        {
            **{k: r[k] for k in KEYS},
            "train_acc": rnd(r["train_acc"]),
            "test_acc": rnd(r["test_acc"]),
            "loss": [rnd(v) for v in r["loss"][::thin]],
            "classes": pack_classes(r["classes"]),
        }
        for r in records
    ]
    data = {
        "grid": GRID,
        "loss_every": LOSS_EVERY * thin,
        "extent": [rnd(v) for v in extent],
        "settings": settings,
        "runs": runs,
        "points": [[rnd(a), rnd(b), int(c)] for (a, b), c in zip(X_points, y_points)],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def find_run(data: dict, **setting) -> dict:
    """The run of a parsed :func:`payload` with the given setting values."""
    hits = [r for r in data["runs"] if all(r[k] == v for k, v in setting.items())]
    if len(hits) != 1:
        raise LookupError(f"{len(hits)} runs match {setting}")
    return hits[0]
