"""Optimizers on 2-D test functions, and how much memory an optimizer keeps.

* :func:`quadratic` and :func:`rosenbrock` build :class:`TestFunction` objects: a
  function of a point ``(x, y)``, its minimum and a starting point, drawn as contour
  plots by :func:`plot_trajectories`.
* :func:`trajectory` runs a real ``torch.optim`` optimizer (plain SGD, SGD with
  momentum, Adam, AdamW) on one point and records every step.
* :func:`optimizer_state_numel` counts the numbers an optimizer keeps in
  ``optimizer.state`` (Adam: ``exp_avg`` and ``exp_avg_sq``, one of each per parameter).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from ._check import choice, nonneg_float, positive_int
from .train import OPTIMIZERS, make_optimizer

#: Colours and Chinese labels used for the optimizers in the figures.
OPTIMIZER_STYLE = {
    "sgd": ("#0072B2", "SGD"),
    "momentum": ("#E69F00", "SGD + 动量"),
    "adam": ("#009E73", "Adam"),
    "adamw": ("#CC79A7", "AdamW"),
}


@dataclass(frozen=True)
class TestFunction:
    """A function of the plane with a known minimum, a start point and a window to draw
    it in.
    """

    __test__ = False  # not a pytest test class despite the name

    name: str
    fn: Callable[[torch.Tensor], torch.Tensor]
    minimum: tuple[float, float]
    start: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    log_levels: bool = False

    def __call__(self, p: torch.Tensor) -> torch.Tensor:
        """Value at points ``p`` of shape (..., 2) (any float dtype, any device)."""
        if not isinstance(p, torch.Tensor) or p.shape[-1:] != (2,):
            raise ValueError(
                "p must be a tensor of shape (..., 2), got "
                f"{getattr(p, 'shape', type(p).__name__)}"
            )
        return self.fn(p)


def quadratic(kappa: float = 20.0, angle: float = 0.0) -> TestFunction:
    """The ill-conditioned bowl ``f = (u**2 + kappa * v**2) / 2``, ``(u, v)`` = the
    point rotated by ``-angle``.

    ``kappa`` is the condition number (ratio of the largest to the smallest curvature);
    ``angle`` (radians) turns the narrow valley away from the axes. Minimum at the
    origin.
    """
    kappa = nonneg_float("kappa", kappa, strictly_positive=True)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1 (the condition number), got {kappa}")
    if (
        isinstance(angle, bool)
        or not isinstance(angle, (int, float))
        or not math.isfinite(angle)
    ):
        raise TypeError(f"angle must be a finite real number (radians), got {angle!r}")
    c, s = math.cos(angle), math.sin(angle)

    def fn(p):
        u = c * p[..., 0] + s * p[..., 1]
        v = -s * p[..., 0] + c * p[..., 1]
        return 0.5 * (u * u + kappa * v * v)

    return TestFunction(
        name=f"病态二次函数（条件数 {kappa:g}）",
        fn=fn,
        minimum=(0.0, 0.0),
        start=(-4.0, 1.2),
        xlim=(-4.5, 1.5),
        ylim=(-1.6, 1.6),
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> TestFunction:
    """Rosenbrock's banana valley ``f = (a - x)**2 + b (y - x**2)**2``, minimum 0 at
    ``(a, a**2)``.
    """
    a = nonneg_float("a", a, strictly_positive=True)
    b = nonneg_float("b", b, strictly_positive=True)

    def fn(p):
        x, y = p[..., 0], p[..., 1]
        return (a - x) ** 2 + b * (y - x * x) ** 2

    return TestFunction(
        name="Rosenbrock 函数",
        fn=fn,
        minimum=(a, a * a),
        start=(-1.5, 2.0),
        xlim=(-2.0, 2.0),
        ylim=(-1.0, 3.0),
        log_levels=True,
    )


@dataclass
class Trajectory:
    """Points visited by an optimizer: ``points`` (steps+1, 2) and ``values``
    (steps+1,), float64 NumPy arrays.

    ``diverged`` is True when the value became infinite or NaN (the run stops there).
    """

    optimizer: str
    lr: float
    points: np.ndarray
    values: np.ndarray
    diverged: bool = False

    @property
    def final_value(self) -> float:
        return float(self.values[-1])

    def distance_to(self, point) -> float:
        """Euclidean distance of the last point to ``point``."""
        return float(np.hypot(*(self.points[-1] - np.asarray(point, dtype=float))))


def trajectory(
    fn: TestFunction,
    optimizer: str,
    lr: float,
    steps: int = 200,
    start=None,
    momentum: float = 0.9,
    betas=(0.9, 0.999),
) -> Trajectory:
    """Minimise the 2-D test function ``fn`` from ``start`` (default ``fn.start``) with
    a real ``torch.optim``
    optimizer for ``steps`` steps; record every point.

    The point is a float64 CPU tensor: the toy problem needs no accelerator, and float64
    keeps the paths identical on every machine.
    """
    if not isinstance(fn, TestFunction):
        raise TypeError(
            "fn must be a TestFunction (dlbook.optim2d.quadratic() or rosenbrock()), "
            f"got {type(fn).__name__}"
        )
    steps = positive_int("steps", steps)
    start = fn.start if start is None else start
    if len(start) != 2:
        raise ValueError(f"start must be a point (x, y), got {start!r}")
    p = torch.tensor(
        [float(start[0]), float(start[1])], dtype=torch.float64, requires_grad=True
    )
    name = choice("optimizer", optimizer, OPTIMIZERS)
    opt = make_optimizer(
        [p],
        name,
        lr,
        momentum=momentum if name == "momentum" else None,
        betas=betas,
        fused=False,
    )
    points = [p.detach().clone()]
    values = []
    diverged = False
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        value = fn(p)
        values.append(value.detach().clone())
        if not torch.isfinite(value):
            diverged = True
            break
        value.backward()
        opt.step()
        points.append(p.detach().clone())
    with torch.no_grad():
        last = fn(p)
    if not diverged:
        values.append(last.clone())
        diverged = not bool(torch.isfinite(last))
    else:
        points = points[: len(values)]
    return Trajectory(
        optimizer=optimizer.strip().lower(),
        lr=float(lr),
        points=torch.stack(points).numpy(),
        values=torch.stack(values).numpy(),
        diverged=diverged,
    )


def optimizer_state_numel(optimizer: torch.optim.Optimizer) -> dict[str, int]:
    """How many numbers ``optimizer.state`` holds, per buffer name (e.g. ``{"exp_avg":
    P, "exp_avg_sq": P, "step": k}``).

    Only tensors count; ``None`` entries (plain SGD's absent momentum buffer) hold
    nothing.
    Read it after at least one ``optimizer.step()``: optimizers create their state
    lazily.
    """
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}"
        )
    counts: dict[str, int] = {}
    for state in optimizer.state.values():
        for key, value in state.items():
            if isinstance(value, torch.Tensor):
                counts[key] = counts.get(key, 0) + value.numel()
    return counts


def optimizer_state_bytes(optimizer: torch.optim.Optimizer) -> int:
    """Bytes of all tensors kept in ``optimizer.state``."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}"
        )
    return sum(
        v.numel() * v.element_size()
        for s in optimizer.state.values()
        for v in s.values()
        if isinstance(v, torch.Tensor)
    )


def weight_decay_paths(
    optimizer: str = "adamw",
    lr: float = 0.01,
    weight_decay: float = 0.1,
    steps: int = 200,
    grad_scale: float = 50.0,
) -> np.ndarray:
    """Two weights, both starting at 1: how strongly does the optimizer's weight decay
    shrink each?

    Weight 0 gets no gradient from the loss; weight 1 gets a pure-noise gradient
    ``+grad_scale, -grad_scale, +grad_scale, ...`` (its loss is ``±grad_scale * w1``),
    so only the weight decay pulls either towards 0. ``optimizer`` is ``"adam"`` (L2
    penalty added to the gradient, then rescaled by Adam) or ``"adamw"`` (decoupled
    decay ``w ← w - lr * weight_decay * w``, Loshchilov & Hutter). Returns the float64
    array (steps + 1, 2) of both weights after every step.
    """
    name = choice("optimizer", optimizer, ("adam", "adamw"))
    steps = positive_int("steps", steps)
    grad_scale = nonneg_float("grad_scale", grad_scale)
    weight_decay = nonneg_float("weight_decay", weight_decay)
    w = torch.ones(2, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([w], name, lr, weight_decay=weight_decay, fused=False)
    path = [w.detach().clone()]
    for t in range(steps):
        opt.zero_grad(set_to_none=True)
        sign = 1.0 if t % 2 == 0 else -1.0
        loss = sign * grad_scale * w[1] + 0.0 * w[0]
        loss.backward()
        opt.step()
        path.append(w.detach().clone())
    return torch.stack(path).numpy()
