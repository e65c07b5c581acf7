"""Device choice for the book: CUDA when it is there, the CPU otherwise.

The environment variable ``DLBOOK_DEVICE`` overrides the automatic choice:

* ``DLBOOK_DEVICE=cpu``  -- always the CPU (what CI and the tests use);
* ``DLBOOK_DEVICE=cuda`` -- insist on a GPU; a clear error when there is none;
* unset or ``auto``      -- CUDA if ``torch.cuda.is_available()``, else CPU.
"""

from __future__ import annotations

import os
import platform

import torch

ENV_VAR = "DLBOOK_DEVICE"
ALLOWED = ("auto", "cpu", "cuda")


class DeviceError(RuntimeError):
    """The device asked for (argument or ``DLBOOK_DEVICE``) cannot be used here."""


def get_device(prefer: str | None = None) -> torch.device:
    """Return the ``torch.device`` every chapter should use.

    Parameters
    ----------
    prefer:
        ``"auto"``, ``"cpu"`` or ``"cuda"``. ``None`` (the default) reads the
        ``DLBOOK_DEVICE`` environment variable and falls back to ``"auto"``.

    Raises
    ------
    DeviceError
        ``cuda`` was asked for on a machine without a usable GPU, or the value is
        not one of the allowed ones.
    """
    source = "argument prefer"
    if prefer is None:
        prefer = os.environ.get(ENV_VAR, "auto")
        source = f"environment variable {ENV_VAR}"
    if not isinstance(prefer, str):
        raise TypeError(
            f"{source} must be a string, one of {ALLOWED}; got {type(prefer).__name__}"
        )
    choice = prefer.strip().lower() or "auto"
    if choice not in ALLOWED:
        raise DeviceError(
            f"{source}={prefer!r} is not a known device; allowed values: "
            f"{', '.join(ALLOWED)}"
        )
    if choice == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if choice == "cuda":
        raise DeviceError(
            f"{source} asks for 'cuda' but torch.cuda.is_available() is False on this "
            "machine "
            f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'no'}). "
            f"Unset {ENV_VAR} or set {ENV_VAR}=cpu to build on the CPU, or install a "
            "CUDA build of torch."
        )
    return torch.device("cpu")


def cpu_name() -> str:
    """A human-readable name of this machine's processor (model name from
    /proc/cpuinfo).
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def describe_device(device: torch.device | None = None) -> dict:
    """Facts about where the code runs: the device, its name, torch and CUDA versions.

    Returned as a plain dict of strings and numbers so it can be printed or glued.
    """
    device = get_device() if device is None else torch.device(device)
    info = {
        "device": device.type,
        "name": cpu_name(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda or "无",
        "gpu_count": torch.cuda.device_count() if torch.cuda.is_available() else 0,
        "cpu_threads": torch.get_num_threads(),
    }
    if device.type == "cuda":
        idx = device.index if device.index is not None else torch.cuda.current_device()
        props = torch.cuda.get_device_properties(idx)
        info["name"] = props.name
        info["gpu_memory_gib"] = round(props.total_memory / 2**30, 1)
    return info
