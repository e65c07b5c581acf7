import pytest
import torch

import dlbook
from dlbook.device import DeviceError, describe_device, get_device


def test_cpu_override(monkeypatch):
    monkeypatch.setenv("DLBOOK_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")


def test_auto_follows_cuda_availability(monkeypatch):
    monkeypatch.delenv("DLBOOK_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert get_device() == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device() == torch.device("cuda")


def test_cuda_without_gpu_names_the_variable(monkeypatch):
    monkeypatch.setenv("DLBOOK_DEVICE", "cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceError, match="DLBOOK_DEVICE.*cuda.*DLBOOK_DEVICE=cpu"):
        get_device()


def test_unknown_value_lists_allowed(monkeypatch):
    monkeypatch.setenv("DLBOOK_DEVICE", "tpu")
    with pytest.raises(DeviceError, match="auto, cpu, cuda"):
        get_device()
    with pytest.raises(DeviceError, match="argument prefer"):
        get_device("gpu")
    with pytest.raises(TypeError, match="prefer"):
        get_device(3)


def test_describe_device_on_cpu(monkeypatch):
    monkeypatch.setenv("DLBOOK_DEVICE", "cpu")
    info = describe_device()
    assert info["device"] == "cpu" and info["torch"] == torch.__version__
    assert info["name"] and info["gpu_count"] >= 0
    line = dlbook.device_summary(info)
    assert line.startswith("CPU：") and torch.__version__ in line


def test_gpu_summary_mentions_memory():
    info = {
        "device": "cuda",
        "name": "NVIDIA H100",
        "torch": "2.13.0",
        "cuda": "12.8",
        "gpu_memory_gib": 79.1,
    }
    assert (
        dlbook.device_summary(info)
        == "GPU：NVIDIA H100，显存 79.1 GiB · torch 2.13.0 · CUDA 12.8"
    )


def test_env_positive_int(monkeypatch):
    from dlbook._check import env_positive_int

    monkeypatch.delenv("DLBOOK_X", raising=False)
    assert env_positive_int("DLBOOK_X") is None
    monkeypatch.setenv("DLBOOK_X", " 3 ")
    assert env_positive_int("DLBOOK_X") == 3
    for bad in ("0", "-2", "two", "1.5"):
        monkeypatch.setenv("DLBOOK_X", bad)
        with pytest.raises(ValueError, match="DLBOOK_X=.* must be a positive integer"):
            env_positive_int("DLBOOK_X")
