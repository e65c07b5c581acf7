"""Every network the book trains or takes apart: :func:`mlp` and the convolutional
nets."""

from .conv import (
    ALEXNET_INPUTS,
    CNN_ACTIVATIONS,
    LENET5_INPUT,
    POOLS,
    alexnet,
    digits_cnn,
    lenet5,
)
from .mlp import (
    ACTIVATIONS,
    INITS,
    NORMS,
    Residual,
    collapse_linear,
    fold_layer,
    init_linear_,
    make_activation,
    mlp,
)

__all__ = [
    "ACTIVATIONS",
    "ALEXNET_INPUTS",
    "CNN_ACTIVATIONS",
    "INITS",
    "LENET5_INPUT",
    "NORMS",
    "POOLS",
    "Residual",
    "alexnet",
    "collapse_linear",
    "digits_cnn",
    "fold_layer",
    "init_linear_",
    "lenet5",
    "make_activation",
    "mlp",
]
