"""Tests for dlbook.regions: region counting, the Montúfar bound, the deep MLP
builders."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

import dlbook
from dlbook import inspect, nets, regions


def one_layer(weights, biases):
    """A 2 → k ReLU layer with given hyperplanes, and a 1-unit head (head weights do not
    matter).
    """
    w = torch.tensor(weights, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(2, w.shape[0]), nn.ReLU(), nn.Linear(w.shape[0], 1))
    with torch.no_grad():
        model[0].weight.copy_(w)
        model[0].bias.copy_(torch.tensor(biases, dtype=torch.float32))
    return model


def test_grid_points_layout():
    pts = regions.grid_points(lim=2.0, resolution=3)
    assert pts.shape == (9, 2) and pts.dtype == torch.float32
    # row i * res + j holds (x_j, y_i)
    assert pts[1].tolist() == [0.0, -2.0]
    assert pts[3].tolist() == [-2.0, 0.0]
    assert pts[-1].tolist() == [2.0, 2.0]


def test_two_crossing_lines_make_four_regions():
    model = one_layer([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0])  # the two axes
    count, ids = regions.region_map(model, lim=1.0, resolution=50)
    assert count == 4
    assert ids.shape == (50, 50)
    # the four quadrants each get one id, constant inside
    assert len({ids[0, 0], ids[0, -1], ids[-1, 0], ids[-1, -1]}) == 4
    assert ids[0, 0] == ids[10, 10]


def test_parallel_lines_and_line_outside_window():
    # x = -0.5, x = 0.5: three strips; a line at x = 5 never enters [-1, 1]^2
    model = one_layer([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]], [0.5, -0.5, -5.0])
    assert regions.count_regions(model, lim=1.0, resolution=64) == 3


def test_three_lines_in_general_position_reach_the_maximum():
    # three lines through the window, no two parallel, not concurrent: 1 + 3 + 3 = 7
    # pieces
    model = one_layer([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0.0, 0.0, -0.5])
    assert (
        regions.count_regions(model, lim=1.0, resolution=200)
        == 7
        == regions.hyperplane_regions(2, 3)
    )


def test_activation_patterns_shape_and_values():
    model = one_layer([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0])
    X = torch.tensor([[0.5, -0.5], [-0.5, 0.5]])
    pats = regions.activation_patterns(model, X)
    assert pats.dtype == torch.bool
    assert pats.tolist() == [[True, False], [False, True]]
    assert model.training  # training flag restored


def test_patterns_cover_every_relu_of_a_deep_net():
    model = nets.mlp(2, 5, 3, 4, seed=0)
    pats = regions.activation_patterns(model, torch.zeros(7, 2))
    assert pats.shape == (7, 20)


def test_count_is_deterministic_and_within_bounds():
    model = nets.mlp(2, 8, 3, 3, seed=3)
    a = regions.count_regions(model, resolution=120)
    b = regions.count_regions(model, resolution=120)
    assert a == b
    assert 1 < a <= regions.regions_upper_bound(2, [8, 8, 8])


def test_residual_net_regions_counted():
    model = nets.mlp(2, 6, 3, 5, residual=True, seed=1)
    assert regions.activation_patterns(model, torch.zeros(4, 2)).shape == (4, 30)
    assert regions.count_regions(model, resolution=100) > 1


def test_montufar_bound_values():
    assert regions.hyperplane_regions(2, 48) == 1 + 48 + 1128
    assert regions.montufar_lower_bound(2, 48, 1) == 1177
    assert regions.montufar_lower_bound(2, 24, 2) == 12**2 * (1 + 24 + 276)
    assert regions.montufar_lower_bound(2, 8, 6) == 4**10 * 37
    assert regions.montufar_lower_bound(1, 3, 3) == 3**2 * 4
    # exponential in depth at fixed width
    b = [regions.montufar_lower_bound(2, 8, L) for L in range(1, 5)]
    assert all(b[i + 1] == 16 * b[i] for i in range(3))


def test_upper_bound_values():
    assert regions.regions_upper_bound(2, [48]) == 1177
    assert regions.regions_upper_bound(2, [3, 3]) == 7 * 7
    # a width-1 layer limits every later layer to dimension 1
    assert regions.regions_upper_bound(2, [1, 4]) == 2 * (1 + 4)
    for L, n in [(2, 24), (3, 16), (6, 8)]:
        assert regions.regions_upper_bound(2, [n] * L) >= regions.montufar_lower_bound(
            2, n, L
        )


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: regions.montufar_lower_bound(2, 1, 3), "width"),
        (lambda: regions.montufar_lower_bound(0, 4, 3), "n_inputs"),
        (lambda: regions.montufar_lower_bound(2, 4, 0), "n_layers"),
        (lambda: regions.montufar_lower_bound(2, 4.0, 2), "width"),
        (lambda: regions.regions_upper_bound(2, 5), "widths"),
        (lambda: regions.regions_upper_bound(2, []), "widths"),
        (lambda: regions.regions_upper_bound(2, [4, 0]), "widths[1]"),
        (lambda: regions.grid_points(lim=0.0), "lim"),
        (lambda: regions.grid_points(resolution=1), "resolution"),
        (lambda: regions.width_for_params(0, 2, 3, 1), "n_params"),
        (
            lambda: regions.count_regions(
                nn.Sequential(nn.Linear(2, 3)), resolution=10
            ),
            "nn.ReLU",
        ),
        (
            lambda: regions.count_regions(nets.mlp(3, 4, 2, 1), resolution=10),
            "2 inputs",
        ),
        (lambda: regions.count_regions("model"), "model"),
        (lambda: dlbook.plot.plot_regions(np.zeros(5, dtype=int)), "ids"),
    ],
)
def test_argument_errors_name_the_argument(call, name):
    with pytest.raises(
        (ValueError, TypeError), match=name.replace("[", r"\[").replace("]", r"\]")
    ):
        call()


def test_param_count_and_width_for_params():
    assert regions.mlp_params(2, 48, 3, 1) == 291
    assert regions.mlp_params(2, 24, 3, 2) == 747
    assert inspect.count_params(nets.mlp(2, 24, 3, 2)) == 747
    assert regions.width_for_params(150, 2, 3, 1) == 24  # 147 params
    assert regions.width_for_params(150, 2, 3, 2) == 9  # 147 params
    w = regions.width_for_params(1000, 2, 3, 3)
    assert abs(regions.mlp_params(2, w, 3, 3) - 1000) <= abs(
        regions.mlp_params(2, w + 1, 3, 3) - 1000
    )
    assert abs(regions.mlp_params(2, w, 3, 3) - 1000) <= abs(
        regions.mlp_params(2, w - 1, 3, 3) - 1000
    )


def test_trained_count_changes_but_stays_below_upper_bound():
    import dlbook

    X, y = dlbook.make_spiral(n_per_class=60, random_state=1)
    model = nets.mlp(2, 8, 3, 2, seed=0)
    before = regions.count_regions(model, resolution=100)
    dlbook.fit(model, X, y, epochs=60, optimizer="adam", lr=1e-2, weight_decay=0.0)
    after = regions.count_regions(model, resolution=100)
    assert before != after
    assert 1 < after <= regions.regions_upper_bound(2, [8, 8])
    assert math.isfinite(after)
