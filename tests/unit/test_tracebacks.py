"""dlbook.tracebacks: tracebacks name library files from the library folder on, never
the machine's."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib
import pytest

from dlbook.tracebacks import short_name, short_paths

ROOT = Path(__file__).resolve().parents[2]


def test_short_name_of_library_stdlib_dlbook_and_other_files(tmp_path):
    assert short_name(matplotlib.cbook.__file__) == "site-packages/matplotlib/cbook.py"
    assert (
        short_name(os.__file__)
        == f"python{sys.version_info.major}.{sys.version_info.minor}/os.py"
    )
    import dlbook.train as train_module

    assert short_name(train_module.__file__) == "dlbook/train.py"
    assert (
        short_name(str(tmp_path / "mine.py")) is None
    )  # the reader's own files stay as they are


def test_ipython_traceback_shows_short_paths():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        assert short_paths() is True
        assert short_paths() is True  # a second call wraps nothing twice
        shell.run_cell(
            "import matplotlib.pyplot as plt\nplt.imread('no/such/file.png')"
        )
        etype, value, tb = sys.last_type, sys.last_value, sys.last_traceback
        text = "\n".join(shell.InteractiveTB.structured_traceback(etype, value, tb))
    finally:
        InteractiveShell.clear_instance()
    assert "FileNotFoundError" in text
    assert "site-packages/matplotlib/" in text
    assert str(ROOT) not in text and sys.prefix not in text


def test_without_ipython_nothing_happens():
    from IPython import get_ipython

    if get_ipython() is not None:  # pragma: no cover - pytest runs outside IPython
        pytest.skip("running inside IPython")
    assert short_paths() is False
