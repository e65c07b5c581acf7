"""Plots: the spiral, decision boundaries, training curves, optimizer paths, region
maps.

Every function takes tensors on any device and copies what it draws to the CPU itself
(``.detach().cpu()``); models are evaluated where they are and never moved or changed.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from ._check import nonneg_float, positive_int
from .data import check_xy
from .inspect import model_device

#: Class colours (Okabe–Ito, readable for colour-blind readers and on the dark theme's
# white figures).
CLASS_COLORS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)


def to_numpy(t) -> np.ndarray:
    """A NumPy copy of a tensor from any device, with or without grad (lists/arrays pass
    through).
    """
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return np.asarray(t)


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 4.2))
    return ax


def _colors(n_classes: int):
    if n_classes > len(CLASS_COLORS):
        raise ValueError(
            f"at most {len(CLASS_COLORS)} classes can be coloured, got {n_classes}"
        )
    return CLASS_COLORS[:n_classes]


def plot_spiral(
    X: torch.Tensor, y: torch.Tensor, ax=None, title: str | None = None, s: float = 6.0
):
    """Scatter plot of 2-D points coloured by class. Returns the axes."""
    check_xy(X, y)
    if X.shape[1] != 2:
        raise ValueError(
            "X must have 2 features to be drawn in the plane, got shape "
            f"{tuple(X.shape)}"
        )
    ax = _axes(ax)
    Xn, yn = to_numpy(X), to_numpy(y)
    colors = np.array(_colors(int(yn.max()) + 1))
    ax.scatter(Xn[:, 0], Xn[:, 1], c=colors[yn], s=s, linewidths=0, rasterized=True)
    ax.set_aspect("equal")
    lim = float(np.abs(Xn).max()) * 1.08
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    if title:
        ax.set_title(title)
    return ax


@torch.no_grad()
def plot_decision_boundary(
    model: torch.nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    ax=None,
    title: str | None = None,
    resolution: int = 200,
):
    """Colour the plane by the class ``model`` predicts, with the data on top. Returns
    the axes.

    The grid is built on the model's own device; the model is put in eval mode for the
    prediction and its training flag restored afterwards. Parameters are not touched.
    """
    check_xy(X, y)
    resolution = positive_int("resolution", resolution, minimum=2)
    dev = model_device(model)
    ax = _axes(ax)
    Xn = to_numpy(X)
    lim = float(np.abs(Xn).max()) * 1.08
    g = torch.linspace(-lim, lim, resolution, device=dev)
    gx, gy = torch.meshgrid(g, g, indexing="xy")
    grid = torch.stack((gx.reshape(-1), gy.reshape(-1)), dim=1)
    was_training = model.training
    model.eval()
    try:
        pred = model(grid).argmax(1).reshape(resolution, resolution)
    finally:
        model.train(was_training)
    n_classes = max(int(to_numpy(y).max()) + 1, int(to_numpy(pred).max()) + 1)
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap(_colors(n_classes))
    ax.imshow(
        to_numpy(pred),
        origin="lower",
        extent=(-lim, lim, -lim, lim),
        cmap=cmap,
        vmin=-0.5,
        vmax=n_classes - 0.5,
        alpha=0.3,
        interpolation="nearest",
    )
    plot_spiral(X, y, ax=ax, title=title)
    return ax


def plot_history(
    histories: dict,
    axes=None,
    title_loss: str = "训练损失",
    title_acc: str = "训练准确率",
):
    """Loss and accuracy curves of several :class:`~dlbook.train.History` runs, keyed by
    label.

    Returns the pair of axes ``(ax_loss, ax_acc)``.
    """
    if not isinstance(histories, dict) or not histories:
        raise ValueError("histories must be a non-empty dict {label: History}")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(8.4, 3.2))
    ax_loss, ax_acc = axes
    for i, (label, h) in enumerate(histories.items()):
        color = CLASS_COLORS[i % len(CLASS_COLORS)]
        ax_loss.plot(h.loss, label=label, color=color)
        ax_acc.plot(h.acc, label=label, color=color)
    ax_loss.set_title(title_loss)
    ax_loss.set_xlabel("轮次 (epoch)")
    ax_loss.set_ylabel("交叉熵损失")
    ax_acc.set_title(title_acc)
    ax_acc.set_xlabel("轮次 (epoch)")
    ax_acc.set_ylabel("准确率")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.legend(loc="lower right")
    return ax_loss, ax_acc


@torch.no_grad()
def plot_grid_transform(
    fn,
    lim: float = 1.0,
    ax=None,
    n_lines: int = 21,
    n_points: int = 200,
    color: str = "#888888",
):
    """Draw the image of a square grid of lines under ``fn`` (a map from (N, 2) to (N,
    2) tensors).

    ``fn`` receives points on the CPU; to transform with a model on another device, wrap
    it
    (``lambda p: model(p.to(dev))``): the result is brought back with
    ``.detach().cpu()``.
    With ``fn = lambda p: p`` this is the plain grid. Returns the axes.
    """
    n_lines = positive_int("n_lines", n_lines, minimum=2)
    n_points = positive_int("n_points", n_points, minimum=2)
    ax = _axes(ax)
    ticks = torch.linspace(-lim, lim, n_lines)
    run = torch.linspace(-lim, lim, n_points)
    for v in ticks:
        for line in (
            torch.stack((run, v.expand(n_points)), 1),
            torch.stack((v.expand(n_points), run), 1),
        ):
            out = to_numpy(fn(line))
            if out.ndim != 2 or out.shape[1] != 2:
                raise ValueError(
                    f"fn must map (N, 2) points to (N, 2) points, got shape {out.shape}"
                )
            ax.plot(out[:, 0], out[:, 1], color=color, linewidth=0.6)
    return ax


def plot_trajectories(
    fn, trajectories, ax=None, title: str | None = None, resolution: int = 200
):
    """Contour plot of ``fn`` with each :class:`Trajectory` drawn on top (start ○,
    minimum ★). Returns the axes.
    """
    from .optim2d import OPTIMIZER_STYLE

    from .optim2d import TestFunction

    if not isinstance(fn, TestFunction):
        raise TypeError(f"fn must be a TestFunction, got {type(fn).__name__}")
    resolution = positive_int("resolution", resolution, minimum=2)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.6))
    xs = torch.linspace(*fn.xlim, resolution, dtype=torch.float64)
    ys = torch.linspace(*fn.ylim, resolution, dtype=torch.float64)
    gx, gy = torch.meshgrid(xs, ys, indexing="xy")
    z = fn(torch.stack((gx, gy), dim=-1)).numpy()
    if fn.log_levels:
        levels = np.logspace(-1, math.log10(max(float(z.max()), 1.0)), 14)
    else:
        levels = float(z.max()) * np.linspace(0.03, 1.0, 14) ** 2
    ax.contour(
        gx.numpy(), gy.numpy(), z, levels=levels, colors="#bbbbbb", linewidths=0.7
    )
    for tr in trajectories:
        color, label = OPTIMIZER_STYLE.get(tr.optimizer, ("#000000", tr.optimizer))
        pts = tr.points
        ax.plot(
            pts[:, 0],
            pts[:, 1],
            "-",
            color=color,
            linewidth=1.3,
            label=f"{label}（lr={tr.lr:g}）",
        )
        ax.plot(pts[-1, 0], pts[-1, 1], "o", color=color, markersize=4)
    start = trajectories[0].points[0] if trajectories else fn.start
    ax.plot(*start, "o", color="black", markerfacecolor="white", markersize=6)
    ax.plot(*fn.minimum, "*", color="black", markersize=10)
    ax.set_xlim(*fn.xlim)
    ax.set_ylim(*fn.ylim)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    if title:
        ax.set_title(title)
    return ax


def plot_regions(
    ids: np.ndarray, lim: float = 1.0, ax=None, title: str | None = None, seed: int = 0
):
    """Draw a region map from :func:`region_map`: every region in its own random light
    colour. Returns the axes.
    """
    ids = np.asarray(ids)
    if ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(
            f"ids must be a 2-D integer array from region_map, got shape {ids.shape} "
            f"dtype {ids.dtype}"
        )
    lim = nonneg_float("lim", lim, strictly_positive=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 3.2))
    rng = np.random.default_rng(seed)
    colors = 0.35 + 0.65 * rng.random((int(ids.max()) + 1, 3))
    ax.imshow(
        colors[ids],
        origin="lower",
        extent=(-lim, lim, -lim, lim),
        interpolation="nearest",
    )
    ax.set_xticks([-lim, 0, lim])
    ax.set_yticks([-lim, 0, lim])
    if title:
        ax.set_title(title)
    return ax
