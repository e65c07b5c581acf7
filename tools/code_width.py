"""Reader-visible code lines fit the page: at most 88 columns, a CJK character counting
as two (as a monospace font draws it).  `make book` checks every chapter before
executing anything; tests/lint/test_code_width.py runs the same check."""

from __future__ import annotations

import unicodedata
from pathlib import Path

LIMIT = 88
HIDDEN = {"remove-cell", "remove-input"}  # tags whose code the reader never sees


def columns(line: str) -> int:
    """Columns ``line`` takes in a monospace font: wide and full-width characters 2."""
    wide = ("W", "F")
    return sum(
        0 if unicodedata.combining(c) else 1 + (unicodedata.east_asian_width(c) in wide)
        for c in line
    )


def long_lines(path: Path, name: str = "", limit: int = LIMIT) -> list[str]:
    """A message per long line: ``book/x.md:24 — code cell 3, line 2: 95 columns …``."""
    from myst_nb.core.read import read_myst_markdown_notebook

    text = Path(path).read_text("utf-8")
    nb = read_myst_markdown_notebook(text, path=str(path))
    out, pos, n_code = [], 0, 0
    for cell in nb.cells:
        pos = max(pos, text.find(cell.source, pos))
        if cell.cell_type != "code":
            continue
        n_code += 1
        if HIDDEN & set(cell.metadata.get("tags", [])):
            continue
        for j, line in enumerate(cell.source.splitlines(), start=1):
            if (width := columns(line)) > limit:
                at = text[:pos].count("\n") + j
                out.append(
                    f"{name or path}:{at} — code cell {n_code}, line {j}: "
                    f"{width} columns (at most {limit}, CJK counted as 2): "
                    f"`{line.strip()[:60]}`"
                )
    return out
