"""Seeding: one call fixes every random source the book uses."""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def seed_everything(seed: int = 12345, *, deterministic: bool = True) -> torch.Generator:
    """Seed Python, NumPy and torch (CPU and CUDA) and return a fresh CPU generator.

    With ``deterministic=True`` and a GPU present, torch is asked to use deterministic
    algorithms (``warn_only`` so an op without a deterministic version still runs) and cuDNN
    autotuning is switched off. On the CPU the book's kernels are deterministic already, and
    the switch costs seconds (it imports torch's compiler stack), so it is skipped there.
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
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False
    return torch.Generator().manual_seed(seed)
