"""dlbook.book: setup() fixes seeds and threads."""

import matplotlib
import pytest
import torch

import dlbook


def test_setup_seeds_and_threads(monkeypatch):
    monkeypatch.setenv("DLBOOK_DEVICE", "cpu")
    monkeypatch.setenv("DLBOOK_THREADS", "1")
    dev = dlbook.setup(seed=3, glue_name=None)
    a = torch.rand(3)
    dlbook.setup(seed=3, glue_name=None)
    assert (
        dev.type == "cpu"
        and torch.equal(a, torch.rand(3))
        and torch.get_num_threads() == 1
    )
    assert matplotlib.rcParams["figure.facecolor"] == "white"
    monkeypatch.setenv("DLBOOK_THREADS", "many")
    with pytest.raises(ValueError, match="DLBOOK_THREADS"):
        dlbook.setup(glue_name=None)
