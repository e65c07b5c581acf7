"""Seeding: one call fixes every random source the book uses."""

from __future__ import annotations

import os
import random
import sys

import numpy as np
import torch


def seed_everything(
    seed: int = 12345, *, deterministic: bool = True
) -> torch.Generator:
    """Seed Python, NumPy and torch (CPU and CUDA) and return a fresh CPU generator.

    With ``deterministic=True`` and a GPU present, torch is asked to use deterministic
    algorithms (``warn_only`` so an op without a deterministic version still runs) and
    cuDNN
    autotuning is switched off. On the CPU the book's kernels are deterministic already,
    so
    the switch is left alone there (as the chapters were written and checked).
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if deterministic and torch.cuda.is_available():
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        _use_deterministic_algorithms()
        torch.backends.cudnn.benchmark = False
    return torch.Generator().manual_seed(seed)


def _use_deterministic_algorithms() -> None:
    """``torch.use_deterministic_algorithms(True, warn_only=True)`` without its 2-5 s
    import.

    The public function imports the compiler (``torch._inductor``, ``torch._dynamo``)
    just to
    set the compiler's own flag; that import was the slowest part of every chapter's
    first
    cell. The book compiles nothing, so set torch's flag directly and tell the compiler
    through its environment variable, which it reads whenever it is first imported.
    """
    os.environ.setdefault("TORCHINDUCTOR_DETERMINISTIC", "1")
    inductor = sys.modules.get("torch._inductor.config")
    if inductor is not None:
        inductor.deterministic = True
    torch._C._set_deterministic_algorithms(True, warn_only=True)
