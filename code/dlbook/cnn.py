"""Convolutional networks for the AlexNet-vs-LeNet chapter.

* :func:`make_lenet5` and :func:`make_alexnet`: the two classic architectures, written out
  layer by layer (torchvision is not needed), and :func:`layer_summary`, a table of every
  layer's output shape and parameter count;
* :func:`load_digits_split`: scikit-learn's 8×8 handwritten digits (shipped inside the
  package, nothing is downloaded) as tensors with a fixed, stratified train/test split;
* :func:`random_shift`, :func:`make_digits_cnn` and :func:`train_cnn`: a LeNet-style net
  for 8×8 images and a small mini-batch training loop with optional data augmentation,
  for the step-by-step ablation (sigmoid → ReLU → max pooling → dropout → augmentation).
"""

from __future__ import annotations

import math
import numbers
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import NamedTuple

import torch
from torch import nn

from ._check import choice, nonneg_float, positive_int
from .models import make_activation, model_device
from .train import make_optimizer

#: Pooling layers accepted by :func:`make_lenet5` and :func:`make_digits_cnn`.
POOLS = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}

#: Activations accepted by the CNN builders.
CNN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu")

#: Input shape (C, H, W) of LeNet-5: one 32×32 grey image.
LENET5_INPUT = (1, 32, 32)

#: Input shape (C, H, W) of the two AlexNet variants of :func:`make_alexnet`.
ALEXNET_INPUTS = {"paper": (3, 227, 227), "single": (3, 224, 224)}


# --------------------------------------------------------------------------- architectures


def _act(name: str) -> nn.Module:
    return make_activation(choice("activation", name, CNN_ACTIVATIONS))


def make_lenet5(activation: str = "sigmoid", pool: str = "avg", n_classes: int = 10) -> nn.Sequential:
    """LeNet-5 in its common modern form, for a 1×32×32 input.

    ``conv1`` 5×5 → 6 maps (28×28) → pool (14×14) → ``conv2`` 5×5 → 16 maps (10×10) →
    pool (5×5) → ``fc1`` 400→120 → ``fc2`` 120→84 → ``fc3`` 84→``n_classes``, with
    ``activation`` after every layer but the last. With the defaults this has 61,706
    parameters. (The 1998 original differs in details: trainable sub-sampling, a
    partial connection table in C3 and an RBF output layer.)
    """
    pool_cls = POOLS[choice("pool", pool, tuple(POOLS))]
    n_classes = positive_int("n_classes", n_classes, minimum=2)
    _act(activation)
    return nn.Sequential(OrderedDict([
        ("conv1", nn.Conv2d(1, 6, 5)), ("act1", _act(activation)), ("pool1", pool_cls(2)),
        ("conv2", nn.Conv2d(6, 16, 5)), ("act2", _act(activation)), ("pool2", pool_cls(2)),
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(16 * 5 * 5, 120)), ("act3", _act(activation)),
        ("fc2", nn.Linear(120, 84)), ("act4", _act(activation)),
        ("fc3", nn.Linear(84, n_classes)),
    ]))


def make_alexnet(variant: str = "paper", n_classes: int = 1000, dropout: float = 0.5) -> nn.Sequential:
    """AlexNet, written out layer by layer.

    ``variant="paper"`` follows Krizhevsky et al. (2012) for a 3×227×227 input: five
    convolutions with 96-256-384-384-256 maps, ReLU, local response normalisation after
    the first two, overlapping 3×3/2 max pooling, and three fully connected layers
    4096-4096-``n_classes``, dropout on the outputs of ``fc6`` and ``fc7``. The paper split the net over two GPUs; here
    ``conv2``, ``conv4`` and ``conv5``, which only saw the maps on their own GPU, are
    grouped convolutions with ``groups=2``. About 60.97 million parameters.

    ``variant="single"`` is the one-GPU layout most libraries ship (3×224×224 input,
    64-192-384-256-256 maps, no LRN, no groups, dropout before ``fc6`` and ``fc7``):
    about 61.1 million parameters.
    """
    variant = choice("variant", variant, tuple(ALEXNET_INPUTS))
    n_classes = positive_int("n_classes", n_classes, minimum=2)
    p = nonneg_float("dropout", dropout)
    if p >= 1:
        raise ValueError(f"dropout must lie in [0, 1), got {p}")
    if variant == "paper":
        features = [
            ("conv1", nn.Conv2d(3, 96, 11, stride=4)), ("relu1", nn.ReLU()),
            ("lrn1", nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)), ("pool1", nn.MaxPool2d(3, 2)),
            ("conv2", nn.Conv2d(96, 256, 5, padding=2, groups=2)), ("relu2", nn.ReLU()),
            ("lrn2", nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)), ("pool2", nn.MaxPool2d(3, 2)),
            ("conv3", nn.Conv2d(256, 384, 3, padding=1)), ("relu3", nn.ReLU()),
            ("conv4", nn.Conv2d(384, 384, 3, padding=1, groups=2)), ("relu4", nn.ReLU()),
            ("conv5", nn.Conv2d(384, 256, 3, padding=1, groups=2)), ("relu5", nn.ReLU()),
            ("pool5", nn.MaxPool2d(3, 2)),
        ]
    else:
        features = [
            ("conv1", nn.Conv2d(3, 64, 11, stride=4, padding=2)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(3, 2)),
            ("conv2", nn.Conv2d(64, 192, 5, padding=2)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(3, 2)),
            ("conv3", nn.Conv2d(192, 384, 3, padding=1)), ("relu3", nn.ReLU()),
            ("conv4", nn.Conv2d(384, 256, 3, padding=1)), ("relu4", nn.ReLU()),
            ("conv5", nn.Conv2d(256, 256, 3, padding=1)), ("relu5", nn.ReLU()),
            ("pool5", nn.MaxPool2d(3, 2)),
        ]
    fc6, fc7 = ("fc6", nn.Linear(256 * 6 * 6, 4096)), ("fc7", nn.Linear(4096, 4096))
    relu6, relu7 = ("relu6", nn.ReLU()), ("relu7", nn.ReLU())
    drop6, drop7 = ("drop6", nn.Dropout(p)), ("drop7", nn.Dropout(p))
    if variant == "paper":  # the paper drops the outputs of fc6 and fc7
        classifier = [fc6, relu6, drop6, fc7, relu7, drop7]
    else:  # torchvision drops the inputs of fc6 and fc7
        classifier = [drop6, fc6, relu6, drop7, fc7, relu7]
    classifier = [("flatten", nn.Flatten()), *classifier, ("fc8", nn.Linear(4096, n_classes))]
    return nn.Sequential(OrderedDict(features + classifier))


# --------------------------------------------------------------------------- summary


class LayerRow(NamedTuple):
    """One row of :func:`layer_summary`: the layer, its output shape (without batch), its parameters."""

    layer: str
    output_shape: tuple
    params: int


def count_params(model: nn.Module) -> int:
    """Number of parameters (trainable or not) of ``model``."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return sum(p.numel() for p in model.parameters())


def _pair(v) -> str:
    v = v if isinstance(v, tuple) else (v, v)
    return f"{v[0]}×{v[1]}"


def describe_layer(module: nn.Module) -> str:
    """A short description of a layer, e.g. ``Conv2d 5×5, 1→6`` or ``Linear 400→120``."""
    if isinstance(module, nn.Conv2d):
        text = f"Conv2d {_pair(module.kernel_size)}, {module.in_channels}→{module.out_channels}"
        stride = module.stride if isinstance(module.stride, tuple) else (module.stride,) * 2
        if stride != (1, 1):
            text += f", 步幅 {stride[0]}"
        if module.groups != 1:
            text += f", 分 {module.groups} 组"
        return text
    if isinstance(module, nn.Linear):
        return f"Linear {module.in_features}→{module.out_features}"
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        kind = "MaxPool" if isinstance(module, nn.MaxPool2d) else "AvgPool"
        stride = module.stride if module.stride is not None else module.kernel_size
        stride = stride[0] if isinstance(stride, tuple) else stride
        return f"{kind} {_pair(module.kernel_size)}, 步幅 {stride}"
    if isinstance(module, nn.Dropout):
        return f"Dropout p={module.p:g}"
    if isinstance(module, nn.LocalResponseNorm):
        return f"LRN size={module.size}"
    return type(module).__name__


def _check_shape(name: str, shape) -> tuple:
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise TypeError(f"{name} must be a tuple of positive ints such as (1, 32, 32), got {shape!r}")
    shape = tuple(shape)
    if not shape:
        raise ValueError(f"{name} must not be empty")
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1:
            raise ValueError(f"{name} must hold positive ints, got {shape!r}")
    return tuple(int(s) for s in shape)


def layer_summary(model: nn.Module, input_shape) -> list[LayerRow]:
    """Run one input of shape ``input_shape`` (no batch dimension) through ``model``.

    Returns one :class:`LayerRow` per leaf layer, in the order the layers are called:
    ``(name and description, output shape without batch, parameter count)``. The sum of
    the ``params`` column equals :func:`count_params` for a model whose layers are all used.

    The input is created on the model's device, so a model built under
    ``with torch.device("meta"):`` is summarised without allocating its weights.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    input_shape = _check_shape("input_shape", input_shape)
    names = {m: n for n, m in model.named_modules()}
    rows: list[LayerRow] = []

    def hook(module, _inputs, output):
        rows.append(LayerRow(
            f"{names[module]} ({describe_layer(module)})",
            tuple(output.shape[1:]),
            sum(p.numel() for p in module.parameters(recurse=False)),
        ))

    leaves = [m for m in model.modules() if not any(True for _ in m.children())]
    _probe(model, input_shape, leaves, hook)
    return rows


def _probe(model: nn.Module, input_shape: tuple, modules, hook) -> None:
    """One forward pass of a zero input in eval mode, with ``hook`` on ``modules``; restores the model."""
    hooks = [m.register_forward_hook(hook) for m in modules]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros((1, *input_shape), device=model_device(model)))
    except RuntimeError as err:
        raise ValueError(f"input_shape={input_shape} does not fit the model: {err}") from None
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)


def count_macs(model: nn.Module, input_shape) -> int:
    """Multiply-accumulate operations of one forward pass of one input (Conv2d and Linear layers only).

    A convolution costs ``output elements × (in_channels / groups) × kernel area``, a
    Linear layer ``in_features × out_features``; activations, pooling and normalisation
    are cheap in comparison and not counted.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    input_shape = _check_shape("input_shape", input_shape)
    total = 0

    def hook(module, _inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            total += output[0].numel() * (module.in_channels // module.groups) * k
        else:
            total += module.in_features * module.out_features

    _probe(model, input_shape, [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))], hook)
    return total


# --------------------------------------------------------------------------- digits data


class DigitsSplit(NamedTuple):
    """Train and test parts of the digits: images of shape (N, 1, 8, 8) in [0, 1], integer labels."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor


def load_digits_split(
    test_fraction: float = 0.25, seed: int = 0, device=None, train_per_class: int | None = None
) -> DigitsSplit:
    """scikit-learn's 1797 handwritten digits (8×8, grey levels 0–16) as tensors.

    The data ship inside scikit-learn (no download). Pixels are divided by 16, so they lie
    in [0, 1]; images have shape (N, 1, 8, 8). The split is stratified: from every class
    ``round(n_class * test_fraction)`` images, chosen by a CPU generator seeded with
    ``seed``, go to the test part, so the split is the same on every machine.
    With ``train_per_class`` only that many training images of every class are kept (the
    first ones of the shuffled order; the test part does not change): a small training set
    on which a net over-fits. Augmentation is applied during training (:func:`random_shift`, ``train_cnn(max_shift=…)``),
    never to the test part.
    """
    from sklearn.datasets import load_digits

    frac = nonneg_float("test_fraction", test_fraction)
    if not 0 < frac < 1:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {frac}")
    seed = positive_int("seed", seed, minimum=0)
    if train_per_class is not None:
        train_per_class = positive_int("train_per_class", train_per_class)
    digits = load_digits()
    X = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    y = torch.tensor(digits.target, dtype=torch.long)
    gen = torch.Generator().manual_seed(seed)
    test_idx, train_idx = [], []
    for c in range(int(y.max()) + 1):
        idx = torch.nonzero(y == c).flatten()
        idx = idx[torch.randperm(len(idx), generator=gen)]
        n_test = round(len(idx) * frac)
        if n_test == 0 or n_test == len(idx):
            raise ValueError(f"test_fraction={frac} leaves class {c} without train or test images")
        train_part = idx[n_test:]
        if train_per_class is not None:
            if train_per_class > len(train_part):
                raise ValueError(
                    f"train_per_class={train_per_class} exceeds the {len(train_part)} training images of class {c}"
                )
            train_part = train_part[:train_per_class]
        test_idx.append(idx[:n_test])
        train_idx.append(train_part)
    tr, te = torch.cat(train_idx).sort().values, torch.cat(test_idx).sort().values
    parts = (X[tr], y[tr], X[te], y[te])
    if device is not None:
        parts = tuple(t.to(device) for t in parts)
    return DigitsSplit(*parts)


def random_shift(X: torch.Tensor, max_shift: int = 1, generator: torch.Generator | None = None) -> torch.Tensor:
    """Shift every image of ``X`` (N, C, H, W) by its own random whole number of pixels.

    Each image moves by ``dy, dx`` drawn uniformly from ``-max_shift … max_shift``; pixels
    that come in from outside are 0. The offsets are drawn on the CPU from ``generator``,
    so the result does not depend on the device. ``max_shift=0`` returns ``X`` unchanged.
    """
    if not isinstance(X, torch.Tensor) or X.ndim != 4:
        raise ValueError(f"X must be a tensor of shape (N, C, H, W), got {getattr(X, 'shape', type(X).__name__)}")
    s = positive_int("max_shift", max_shift, minimum=0)
    if s == 0:
        return X
    n, _, h, w = X.shape
    if s >= min(h, w):
        raise ValueError(f"max_shift={s} must be smaller than the image size {h}×{w}")
    offsets = torch.randint(-s, s + 1, (2, n), generator=generator).to(X.device)
    padded = nn.functional.pad(X, (s, s, s, s))
    out = torch.empty_like(X)
    for dy in range(-s, s + 1):
        for dx in range(-s, s + 1):
            mask = (offsets[0] == dy) & (offsets[1] == dx)
            out[mask] = padded[mask, :, s + dy : s + dy + h, s + dx : s + dx + w]
    return out


def make_digits_cnn(
    activation: str = "sigmoid",
    pool: str = "avg",
    dropout: float = 0.0,
    *,
    seed: int | None = None,
    device=None,
) -> nn.Sequential:
    """A LeNet-style net for 1×8×8 digits.

    ``conv1`` 3×3 (padding 1) → 6 maps 8×8 → pool → 4×4 → ``conv2`` 3×3 (padding 1) →
    16 maps → pool → 2×2 → ``fc1`` 64→120 → ``fc2`` 120→84 → ``fc3`` 84→10, ``activation``
    after every layer but the last. With ``dropout > 0`` a dropout layer precedes ``fc1``
    and ``fc2`` (as in AlexNet's classifier). The weights are drawn on the CPU from
    ``seed`` (if given) before the move to ``device``.
    """
    pool_cls = POOLS[choice("pool", pool, tuple(POOLS))]
    _act(activation)
    p = nonneg_float("dropout", dropout)
    if p >= 1:
        raise ValueError(f"dropout must lie in [0, 1), got {p}")
    if seed is not None:
        torch.manual_seed(positive_int("seed", seed, minimum=0))
    layers = [
        ("conv1", nn.Conv2d(1, 6, 3, padding=1)), ("act1", _act(activation)), ("pool1", pool_cls(2)),
        ("conv2", nn.Conv2d(6, 16, 3, padding=1)), ("act2", _act(activation)), ("pool2", pool_cls(2)),
        ("flatten", nn.Flatten()),
    ]
    if p > 0:
        layers.append(("drop1", nn.Dropout(p)))
    layers += [("fc1", nn.Linear(16 * 2 * 2, 120)), ("act3", _act(activation))]
    if p > 0:
        layers.append(("drop2", nn.Dropout(p)))
    layers += [("fc2", nn.Linear(120, 84)), ("act4", _act(activation)), ("fc3", nn.Linear(84, 10))]
    model = nn.Sequential(OrderedDict(layers))
    return model if device is None else model.to(device)


# --------------------------------------------------------------------------- training


@dataclass
class CNNHistory:
    """Per-epoch records of :func:`train_cnn` (plain floats).

    ``train_loss[i]`` / ``train_acc[i]``: mean mini-batch loss and accuracy during epoch
    ``i``, measured on the batches as they were trained (augmented, dropout on, before
    each update: no extra pass over the data); ``test_acc[i]``: accuracy on the test
    images after epoch ``i``; ``final_train_acc``: accuracy on the clean training images
    after the last epoch; ``epochs_to_target``: the first epoch (counted from 1) whose test
    accuracy reached ``target_acc``, or None if none did.
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    target_acc: float = float("nan")
    epochs_to_target: int | None = None
    final_train_acc: float = float("nan")

    @property
    def final_test_acc(self) -> float:
        return self.test_acc[-1] if self.test_acc else float("nan")


@torch.no_grad()
def _accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (model(X).argmax(1) == y).float().mean()


def train_cnn(
    model: nn.Module,
    data: DigitsSplit,
    epochs: int = 40,
    batch_size: int = 128,
    lr: float = 3e-3,
    max_shift: int = 0,
    target_acc: float = 0.95,
    seed: int = 0,
) -> CNNHistory:
    """Train ``model`` on ``data.X_train`` with Adam and cross-entropy, in shuffled mini-batches.

    Every epoch draws a new order of the training images and, with ``max_shift > 0``, new
    random shifts (:func:`random_shift`): the net never sees exactly the same batch twice.
    After each epoch the test accuracy is measured (model in eval mode, so dropout is off);
    see :class:`CNNHistory` for what is recorded. ``seed`` fixes the order, the shifts and the dropout masks.
    ``model`` and ``data`` must be on the same device.
    """
    if not isinstance(data, DigitsSplit):
        raise TypeError(f"data must be a DigitsSplit from load_digits_split, got {type(data).__name__}")
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    max_shift = positive_int("max_shift", max_shift, minimum=0)
    target = nonneg_float("target_acc", target_acc)
    if target > 1:
        raise ValueError(f"target_acc must lie in [0, 1], got {target}")
    seed = positive_int("seed", seed, minimum=0)
    dev = model_device(model)
    if data.X_train.device != dev:
        raise ValueError(f"model is on {dev} but the data are on {data.X_train.device}; move them together")
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)  # dropout masks
    opt = make_optimizer(model.parameters(), "adam", lr)
    loss_fn = nn.CrossEntropyLoss()
    n = data.X_train.shape[0]
    n_batches = math.ceil(n / batch_size)
    losses = torch.zeros(epochs, device=dev)
    hits = torch.zeros(epochs, device=dev)
    te_acc = torch.empty(epochs, device=dev)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n, generator=gen).to(dev)
        for b in range(n_batches):
            idx = order[b * batch_size : (b + 1) * batch_size]
            xb = random_shift(data.X_train[idx], max_shift, gen)
            yb = data.y_train[idx]
            logits = model(xb)
            loss = loss_fn(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses[epoch] += loss.detach() * len(idx) / n
            hits[epoch] += (logits.detach().argmax(1) == yb).sum()
        model.eval()
        te_acc[epoch] = _accuracy(model, data.X_test, data.y_test)
    final_train = _accuracy(model, data.X_train, data.y_train)
    model.train()
    hist = CNNHistory(
        losses.cpu().tolist(), (hits / n).cpu().tolist(), te_acc.cpu().tolist(), target,
        final_train_acc=float(final_train),
    )
    hits_target = [i + 1 for i, a in enumerate(hist.test_acc) if a >= target]
    hist.epochs_to_target = hits_target[0] if hits_target else None
    return hist
