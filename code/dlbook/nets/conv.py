"""Convolutional networks: LeNet-5, AlexNet and a LeNet-style net for 8×8 digits.

Written out layer by layer (torchvision is not needed); every builder takes ``seed``
(weights drawn on the CPU from it) and ``device`` (moved there afterwards).
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from .._check import choice, nonneg_float, positive_int
from .mlp import make_activation

#: Pooling layers accepted by :func:`lenet5` and :func:`digits_cnn`.
POOLS = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}

#: Activations accepted by the CNN builders.
CNN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu")

#: Input shape (C, H, W) of LeNet-5: one 32×32 grey image.
LENET5_INPUT = (1, 32, 32)

#: Input shape (C, H, W) of the two AlexNet variants of :func:`alexnet`.
ALEXNET_INPUTS = {"paper": (3, 227, 227), "single": (3, 224, 224)}


def _act(name: str) -> nn.Module:
    return make_activation(choice("activation", name, CNN_ACTIVATIONS))


def _dropout(p) -> float:
    p = nonneg_float("dropout", p)
    if p >= 1:
        raise ValueError(f"dropout must lie in [0, 1), got {p}")
    return p


def _seed(seed) -> None:
    if seed is not None:
        torch.manual_seed(positive_int("seed", seed, minimum=0))


def _built(layers, device) -> nn.Sequential:
    model = nn.Sequential(OrderedDict(layers))
    return model if device is None else model.to(device)


def lenet5(activation="sigmoid", pool="avg", n_classes=10, *, seed=None, device=None):
    """LeNet-5 in its common modern form, for a 1×32×32 input.

    ``conv1`` 5×5 → 6 maps (28×28) → pool (14×14) → ``conv2`` 5×5 → 16 maps (10×10) →
    pool (5×5) → ``fc1`` 400→120 → ``fc2`` 120→84 → ``fc3`` 84→``n_classes``, with
    ``activation`` after every layer but the last: 61,706 parameters with the
    defaults. (The 1998 original differs in details: trainable sub-sampling, a
    partial connection table in C3 and an RBF output layer.)
    """
    pool_cls = POOLS[choice("pool", pool, tuple(POOLS))]
    n_classes = positive_int("n_classes", n_classes, minimum=2)
    _act(activation)
    _seed(seed)
    return _built(
        [
            ("conv1", nn.Conv2d(1, 6, 5)),
            ("act1", _act(activation)),
            ("pool1", pool_cls(2)),
            ("conv2", nn.Conv2d(6, 16, 5)),
            ("act2", _act(activation)),
            ("pool2", pool_cls(2)),
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(16 * 5 * 5, 120)),
            ("act3", _act(activation)),
            ("fc2", nn.Linear(120, 84)),
            ("act4", _act(activation)),
            ("fc3", nn.Linear(84, n_classes)),
        ],
        device,
    )


def _lrn() -> nn.Module:
    return nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)


def alexnet(variant="paper", n_classes=1000, dropout=0.5, *, seed=None, device=None):
    """AlexNet, written out layer by layer.

    ``variant="paper"`` follows Krizhevsky et al. (2012) for a 3×227×227 input: five
    convolutions with 96-256-384-384-256 maps, ReLU, local response normalisation
    after the first two, overlapping 3×3/2 max pooling, and three fully connected
    layers 4096-4096-``n_classes``, dropout on the outputs of ``fc6`` and ``fc7``.
    The paper split the net over two GPUs; ``conv2``, ``conv4`` and ``conv5``, which
    only saw the maps on their own GPU, are grouped convolutions with ``groups=2``.
    About 60.97 million parameters.

    ``variant="single"`` is the one-GPU layout most libraries ship (3×224×224 input,
    64-192-384-256-256 maps, no LRN, no groups, dropout before ``fc6`` and ``fc7``):
    about 61.1 million parameters.
    """
    variant = choice("variant", variant, tuple(ALEXNET_INPUTS))
    n_classes = positive_int("n_classes", n_classes, minimum=2)
    p = _dropout(dropout)
    _seed(seed)
    if variant == "paper":
        features = [
            ("conv1", nn.Conv2d(3, 96, 11, stride=4)),
            ("relu1", nn.ReLU()),
            ("lrn1", _lrn()),
            ("pool1", nn.MaxPool2d(3, 2)),
            ("conv2", nn.Conv2d(96, 256, 5, padding=2, groups=2)),
            ("relu2", nn.ReLU()),
            ("lrn2", _lrn()),
            ("pool2", nn.MaxPool2d(3, 2)),
            ("conv3", nn.Conv2d(256, 384, 3, padding=1)),
            ("relu3", nn.ReLU()),
            ("conv4", nn.Conv2d(384, 384, 3, padding=1, groups=2)),
            ("relu4", nn.ReLU()),
            ("conv5", nn.Conv2d(384, 256, 3, padding=1, groups=2)),
            ("relu5", nn.ReLU()),
            ("pool5", nn.MaxPool2d(3, 2)),
        ]
    else:
        features = [
            ("conv1", nn.Conv2d(3, 64, 11, stride=4, padding=2)),
            ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(3, 2)),
            ("conv2", nn.Conv2d(64, 192, 5, padding=2)),
            ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(3, 2)),
            ("conv3", nn.Conv2d(192, 384, 3, padding=1)),
            ("relu3", nn.ReLU()),
            ("conv4", nn.Conv2d(384, 256, 3, padding=1)),
            ("relu4", nn.ReLU()),
            ("conv5", nn.Conv2d(256, 256, 3, padding=1)),
            ("relu5", nn.ReLU()),
            ("pool5", nn.MaxPool2d(3, 2)),
        ]
    fc6, fc7 = ("fc6", nn.Linear(256 * 6 * 6, 4096)), ("fc7", nn.Linear(4096, 4096))
    relu6, relu7 = ("relu6", nn.ReLU()), ("relu7", nn.ReLU())
    drop6, drop7 = ("drop6", nn.Dropout(p)), ("drop7", nn.Dropout(p))
    if variant == "paper":  # the paper drops the outputs of fc6 and fc7
        classifier = [fc6, relu6, drop6, fc7, relu7, drop7]
    else:  # torchvision drops the inputs of fc6 and fc7
        classifier = [drop6, fc6, relu6, drop7, fc7, relu7]
    classifier = [("flatten", nn.Flatten()), *classifier]
    return _built(features + classifier + [("fc8", nn.Linear(4096, n_classes))], device)


def digits_cnn(
    activation="sigmoid", pool="avg", dropout=0.0, *, seed=None, device=None
):
    """A LeNet-style net for 1×8×8 digits.

    ``conv1`` 3×3 (padding 1) → 6 maps 8×8 → pool → 4×4 → ``conv2`` 3×3 (padding 1) →
    16 maps → pool → 2×2 → ``fc1`` 64→120 → ``fc2`` 120→84 → ``fc3`` 84→10,
    ``activation`` after every layer but the last. With ``dropout > 0`` a dropout
    layer precedes ``fc1`` and ``fc2`` (as in AlexNet's classifier).
    """
    pool_cls = POOLS[choice("pool", pool, tuple(POOLS))]
    _act(activation)
    p = _dropout(dropout)
    _seed(seed)
    layers = [
        ("conv1", nn.Conv2d(1, 6, 3, padding=1)),
        ("act1", _act(activation)),
        ("pool1", pool_cls(2)),
        ("conv2", nn.Conv2d(6, 16, 3, padding=1)),
        ("act2", _act(activation)),
        ("pool2", pool_cls(2)),
        ("flatten", nn.Flatten()),
        *([("drop1", nn.Dropout(p))] if p > 0 else []),
        ("fc1", nn.Linear(16 * 2 * 2, 120)),
        ("act3", _act(activation)),
        *([("drop2", nn.Dropout(p))] if p > 0 else []),
        ("fc2", nn.Linear(120, 84)),
        ("act4", _act(activation)),
        ("fc3", nn.Linear(84, 10)),
    ]
    return _built(layers, device)
