"""dlbook: the helpers behind 深度学习第一周 (data, nets, training, plots, device,
fonts).

Every chapter starts with ``device = dlbook.setup()``; everything used twice lives here.
Module map: :mod:`~dlbook.data` (spiral, digits, split), :mod:`~dlbook.augment`,
:mod:`~dlbook.nets` (mlp, Residual, lenet5, alexnet, digits_cnn), :mod:`~dlbook.train`
(fit, fit_many, History, make_optimizer), :mod:`~dlbook.stacked` (fit_stacked: one
net from several seeds, trained together), :mod:`~dlbook.inspect` (count_params, layer
tables), :mod:`~dlbook.signals` (gradients, activations), :mod:`~dlbook.regions`,
:mod:`~dlbook.optim2d`, :mod:`~dlbook.plot`, :mod:`~dlbook.table`.
"""

from . import augment, inspect, nets, optim2d, plot, regions, signals  # noqa: F401
from .book import device_summary, setup
from .data import check_xy, load_digits, make_spiral, split
from .device import DeviceError, describe_device, get_device
from .fonts import FontNotFoundError, missing_glyphs, setup_fonts
from .notebook import glue, glued
from .plot import (
    CLASS_COLORS,
    plot_decision_boundary,
    plot_grid_transform,
    plot_history,
    plot_spiral,
    to_numpy,
)
from .seed import seed_everything
from .stacked import fit_stacked
from .table import markdown_table, show_layers, show_table
from .train import History, Spec, evaluate, fit, fit_many, make_optimizer

__version__ = "0.1.0"

__all__ = [
    "CLASS_COLORS",
    "DeviceError",
    "FontNotFoundError",
    "History",
    "check_xy",
    "describe_device",
    "device_summary",
    "evaluate",
    "fit",
    "fit_many",
    "fit_stacked",
    "get_device",
    "glue",
    "glued",
    "load_digits",
    "make_optimizer",
    "make_spiral",
    "markdown_table",
    "missing_glyphs",
    "plot_decision_boundary",
    "plot_grid_transform",
    "plot_history",
    "plot_spiral",
    "seed_everything",
    "setup",
    "setup_fonts",
    "show_layers",
    "show_table",
    "Spec",
    "split",
    "to_numpy",
]
