"""Run one notebook as a reader's Jupyter would: ``python run_notebook.py NB OUT
KERNEL_DIR``.

Executes ``NB`` with nbclient in the kernel ``reader`` found under ``KERNEL_DIR`` (a
kernelspec that starts the reader's venv Python), from the notebook's own folder, and
writes the executed notebook to ``OUT`` -- also when a cell fails (exit status 1).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main(nb_path: str, out_path: str, kernel_dir: str) -> int:
    os.environ["JUPYTER_PATH"] = kernel_dir
    nb = nbformat.read(nb_path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="reader",
        timeout=600,
        resources={"metadata": {"path": str(Path(nb_path).parent)}},
    )
    rc = 0
    try:
        client.execute()
    except CellExecutionError as exc:
        print(str(exc)[-3000:], file=sys.stderr)
        rc = 1
    nbformat.write(nb, out_path)
    return rc


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
