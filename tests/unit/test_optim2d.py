"""Tests for dlbook.optim2d: test functions, optimizer trajectories, optimizer state
memory.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import dlbook
from dlbook import optim2d


def test_quadratic_values():
    q = optim2d.quadratic(kappa=50)
    p = torch.tensor([[2.0, 1.0], [0.0, 0.0]])
    assert q(p).tolist() == [0.5 * (4 + 50), 0.0]
    r = optim2d.quadratic(
        kappa=4, angle=math.pi / 2
    )  # rotated: the steep direction becomes x
    assert float(r(torch.tensor([1.0, 0.0]))) == pytest.approx(2.0)
    assert float(r(torch.tensor([0.0, 1.0]))) == pytest.approx(0.5)


def test_rosenbrock_values():
    r = optim2d.rosenbrock()
    assert float(r(torch.tensor([1.0, 1.0]))) == 0.0
    assert float(r(torch.tensor([0.0, 0.0]))) == 1.0
    assert float(r(torch.tensor([-1.0, 2.0]))) == pytest.approx(4 + 100)
    assert r.minimum == (1.0, 1.0)


def test_sgd_step_matches_formula():
    q = optim2d.quadratic(kappa=10)
    tr = optim2d.trajectory(q, "sgd", lr=0.05, steps=3, start=(1.0, 1.0))
    # gradient of 0.5 (x^2 + 10 y^2) is (x, 10 y): x <- 0.95 x, y <- 0.5 y
    assert np.allclose(tr.points[:, 0], 0.95 ** np.arange(4))
    assert np.allclose(tr.points[:, 1], 0.5 ** np.arange(4))
    assert tr.points.shape == (4, 2) and tr.values.shape == (4,)
    assert tr.values[0] == pytest.approx(0.5 * (1 + 10))


def test_momentum_step_matches_formula():
    q = optim2d.quadratic(kappa=1)
    tr = optim2d.trajectory(
        q, "momentum", lr=0.1, steps=2, start=(1.0, 0.0), momentum=0.9
    )
    # v1 = g0 = 1, x1 = 0.9; v2 = 0.9 * 1 + 0.9 = 1.8, x2 = 0.9 - 0.18 = 0.72
    assert tr.points[:, 0] == pytest.approx([1.0, 0.9, 0.72])


def test_adam_first_step_is_lr_in_each_coordinate():
    q = optim2d.quadratic(kappa=1000)
    tr = optim2d.trajectory(q, "adam", lr=0.1, steps=1, start=(1.0, 1.0))
    # bias-corrected Adam's first step is lr * sign(g), whatever the curvature
    assert tr.points[1] == pytest.approx([0.9, 0.9], abs=1e-6)


def test_trajectories_reach_minimum_and_are_deterministic():
    r = optim2d.rosenbrock()
    a = optim2d.trajectory(r, "adam", lr=0.1, steps=500)
    b = optim2d.trajectory(r, "adam", lr=0.1, steps=500)
    assert np.array_equal(a.points, b.points)
    assert a.final_value < 0.05 and a.distance_to(r.minimum) < 0.5
    sgd = optim2d.trajectory(r, "sgd", lr=1e-3, steps=500)
    mom = optim2d.trajectory(r, "momentum", lr=1e-3, steps=500)
    assert (
        mom.final_value < 0.1 * sgd.final_value
    )  # momentum is much faster along the flat valley


def test_sgd_diverges_above_two_over_curvature():
    q = optim2d.quadratic(kappa=50)
    ok = optim2d.trajectory(q, "sgd", lr=0.038, steps=100)
    bad = optim2d.trajectory(q, "sgd", lr=0.045, steps=100)
    assert ok.final_value < q(torch.tensor(q.start)).item() * 1e-2
    assert bad.final_value > 1e3


def test_divergence_is_flagged():
    q = optim2d.quadratic(kappa=50)
    tr = optim2d.trajectory(q, "sgd", lr=1.0, steps=1000)
    assert tr.diverged
    assert len(tr.points) == len(tr.values) < 1001
    assert not np.isfinite(tr.values[-1])


def make_model_and_step(name):
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 30), torch.nn.ReLU(), torch.nn.Linear(30, 3)
    )
    opt = dlbook.make_optimizer(model.parameters(), name, lr=1e-3)
    assert (
        optim2d.optimizer_state_numel(opt) == {}
    )  # lazy: nothing before the first step
    loss = model(torch.randn(5, 2)).pow(2).mean()
    loss.backward()
    opt.step()
    return model, opt


def test_state_numel_per_optimizer():
    torch.manual_seed(0)
    n_params = 2 * 30 + 30 + 30 * 3 + 3
    _, sgd = make_model_and_step("sgd")
    assert optim2d.optimizer_state_numel(sgd) == {}
    assert optim2d.optimizer_state_bytes(sgd) == 0
    _, mom = make_model_and_step("momentum")
    assert optim2d.optimizer_state_numel(mom) == {"momentum_buffer": n_params}
    for name in ("adam", "adamw"):
        _, adam = make_model_and_step(name)
        counts = optim2d.optimizer_state_numel(adam)
        assert counts["exp_avg"] == counts["exp_avg_sq"] == n_params
        assert counts["step"] == 4  # one step counter per parameter tensor
        assert 1.9 <= sum(counts.values()) / n_params <= 2.1
        assert optim2d.optimizer_state_bytes(adam) == 4 * (2 * n_params) + 4 * 4


def test_weight_decay_paths():
    adam = optim2d.weight_decay_paths("adam", lr=0.01, weight_decay=0.1, steps=200)
    adamw = optim2d.weight_decay_paths("adamw", lr=0.01, weight_decay=0.1, steps=200)
    assert adam.shape == adamw.shape == (201, 2)
    assert adam[0].tolist() == adamw[0].tolist() == [1.0, 1.0]
    # AdamW: the gradient-free weight shrinks exactly by (1 - lr * wd) per step
    assert adamw[-1, 0] == pytest.approx((1 - 0.01 * 0.1) ** 200)
    assert abs(adamw[-1, 0] - adamw[-1, 1]) < 0.05
    # Adam + L2: the gradient-free weight collapses, the noisy one is barely decayed
    assert adam[-1, 0] < 0.05 and adam[-1, 1] > 0.95


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: optim2d.quadratic(kappa=0.5), "kappa"),
        (lambda: optim2d.quadratic(kappa=-1), "kappa"),
        (lambda: optim2d.quadratic(angle="x"), "angle"),
        (lambda: optim2d.rosenbrock(b=0), "b"),
        (lambda: optim2d.trajectory(optim2d.rosenbrock(), "rmsprop", 0.1), "optimizer"),
        (lambda: optim2d.trajectory(optim2d.rosenbrock(), "sgd", 0.0), "lr"),
        (
            lambda: optim2d.trajectory(optim2d.rosenbrock(), "sgd", 0.1, steps=0),
            "steps",
        ),
        (
            lambda: optim2d.trajectory(optim2d.rosenbrock(), "sgd", 0.1, start=(1.0,)),
            "start",
        ),
        (lambda: optim2d.trajectory(lambda p: p.sum(), "sgd", 0.1), "fn"),
        (
            lambda: optim2d.trajectory(
                optim2d.rosenbrock(), "momentum", 0.1, momentum=0.0
            ),
            "momentum",
        ),
        (
            lambda: optim2d.trajectory(
                optim2d.rosenbrock(), "adam", 0.1, betas=(0.9, 1.0)
            ),
            "betas",
        ),
        (lambda: optim2d.rosenbrock()(torch.zeros(3)), "p"),
        (lambda: optim2d.optimizer_state_numel("adam"), "optimizer"),
        (lambda: optim2d.optimizer_state_bytes(None), "optimizer"),
        (lambda: optim2d.weight_decay_paths("sgd"), "optimizer"),
        (lambda: optim2d.weight_decay_paths("adam", weight_decay=-1), "weight_decay"),
        (lambda: dlbook.plot.plot_trajectories(None, []), "fn"),
    ],
)
def test_argument_errors_name_the_argument(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def test_plot_trajectories_draws_paths():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    q = optim2d.quadratic()
    trs = [
        optim2d.trajectory(q, "sgd", 0.03, steps=10),
        optim2d.trajectory(q, "adam", 0.3, steps=10),
    ]
    ax = dlbook.plot.plot_trajectories(q, trs, title="t", resolution=40)
    labels = [line.get_label() for line in ax.get_lines()]
    assert any(lbl.startswith("SGD") for lbl in labels) and any(
        lbl.startswith("Adam") for lbl in labels
    )
    path = [line for line in ax.get_lines() if line.get_label().startswith("SGD")][0]
    assert np.allclose(path.get_xydata(), trs[0].points)
    plt.close("all")
