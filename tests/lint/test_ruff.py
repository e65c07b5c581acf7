"""Code style, enforced by ruff (pinned in requirements.txt, configured in pyproject).

The library and the tests are checked as files; the chapters' code cells are read with
MyST-NB's own reader (what the build executes) and checked as one script per chapter,
so a reader never sees a code line cut off in the page (lines <= 88 columns).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(
    p for p in (ROOT / "book").rglob("*.md") if "code-cell" in p.read_text("utf-8")
)
RUFF = [sys.executable, "-m", "ruff"]


def _ruff(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*RUFF, *args], cwd=ROOT, input=stdin, capture_output=True, text=True
    )


def test_library_and_tests_pass_ruff():
    proc = _ruff("check", "--output-format", "concise", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def chapter_script(path: Path) -> tuple[str, list[tuple[int, int]]]:
    """The chapter's code cells as one script, and for each script line (cell, line)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    nb = read_myst_markdown_notebook(path.read_text("utf-8"), path=str(path))
    lines, where = [], []
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        for j, line in enumerate(cell.source.splitlines(), start=1):
            # IPython magics and shell escapes are not Python
            lines.append("# " + line if line.lstrip().startswith(("%", "!")) else line)
            where.append((i + 1, j))
    return "\n".join(lines) + "\n", where


@pytest.mark.parametrize(
    "chapter", CHAPTERS, ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_chapter_code_cells_pass_ruff(chapter):
    script, where = chapter_script(chapter)
    proc = _ruff(
        "check",
        "--isolated",
        "--select",
        "E501,W",
        "--line-length",
        "88",
        "--output-format",
        "concise",
        "--stdin-filename",
        "cells.py",
        "-",
        stdin=script,
    )
    problems = []
    for m in re.finditer(r"^cells\.py:(\d+):\d+: (.*)$", proc.stdout, flags=re.M):
        cell, line = where[int(m.group(1)) - 1]
        problems.append(
            f"{chapter.relative_to(ROOT)}: code cell {cell}, line {line}: {m.group(2)}"
        )
    assert not problems and proc.returncode == 0, "\n".join(problems) or proc.stderr


def test_ruff_finds_a_long_line():
    """The check above can fail: a 100-column line in a cell is reported."""
    proc = _ruff(
        "check",
        "--isolated",
        "--select",
        "E501",
        "--line-length",
        "88",
        "--stdin-filename",
        "cells.py",
        "-",
        stdin="x = '" + "a" * 100 + "'\n",
    )
    assert proc.returncode == 1 and "E501" in proc.stdout
