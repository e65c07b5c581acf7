"""book/_ext/purge_first.py: a label that moves to a new page does not break an
incremental build (it did: "duplicate label" under warnings-as-errors)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXT = Path(__file__).resolve().parents[2] / "book" / "_ext"


def _build(src, out, extensions):
    """An incremental `sphinx-build -W` (own process: Sphinx registers nodes
    globally)."""
    (src / "conf.py").write_text(f"extensions = {extensions!r}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(EXT)}
    cmd = [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src), str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return proc.returncode, proc.stderr


def _move_label(tmp_path, extensions):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    (src / "index.rst").write_text(
        "Index\n=====\n\n.. toctree::\n\n   moved\n   zz\n", encoding="utf-8"
    )
    (src / "zz.rst").write_text(".. _thing:\n\nOld\n===\n\ntext\n", encoding="utf-8")
    (src / "moved.rst").write_text("Moved\n=====\n\nnothing yet\n", encoding="utf-8")
    assert _build(src, out, extensions)[0] == 0
    # the label moves from zz to moved, which Sphinx reads first ("moved" < "zz")
    (src / "zz.rst").write_text("Old\n===\n\ntext\n", encoding="utf-8")
    (src / "moved.rst").write_text(
        ".. _thing:\n\nMoved\n=====\n\nnow\n", encoding="utf-8"
    )
    return _build(src, out, extensions)


def test_moved_label_builds_incrementally(tmp_path):
    assert _move_label(tmp_path, ["purge_first"]) == (0, "")


def test_without_it_sphinx_reports_a_duplicate_label(tmp_path):
    status, stderr = _move_label(tmp_path, [])
    assert status != 0 and "duplicate label thing" in stderr
