"""dlbook: the helpers behind 深度学习第一周 (data, models, training, plots, device, fonts).

Every chapter starts with ``device = dlbook.setup()``; everything used twice lives here.
"""

from .book import device_summary, setup
from . import cnn  # noqa: F401  (dlbook.cnn: LeNet-5, AlexNet, digits)
from . import deepnets  # noqa: F401  (dlbook.deepnets: deep MLPs, gradient norms)
from .data import check_xy, make_spiral, split
from .device import DeviceError, describe_device, get_device
from .fonts import FontNotFoundError, missing_glyphs, setup_fonts
from .notebook import glue, glued
from .models import ACTIVATIONS, collapse_linear, make_activation, make_mlp, model_device
from .plot import CLASS_COLORS, plot_decision_boundary, plot_grid_transform, plot_history, plot_spiral, to_numpy
from .sweep import Spec, train_many
from .table import markdown_table, show_table
from .seed import seed_everything
from .train import OPTIMIZERS, History, evaluate, make_optimizer, train

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS", "CLASS_COLORS", "OPTIMIZERS", "DeviceError", "FontNotFoundError", "History",
    "check_xy", "collapse_linear", "describe_device", "device_summary", "evaluate", "get_device", "glue", "glued",
    "make_activation", "make_mlp", "make_optimizer", "make_spiral", "missing_glyphs", "model_device",
    "markdown_table", "plot_decision_boundary", "plot_grid_transform", "plot_history", "plot_spiral", "seed_everything", "setup", "setup_fonts",
    "show_table", "Spec", "split", "to_numpy", "train", "train_many",
]
