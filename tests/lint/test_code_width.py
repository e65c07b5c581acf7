"""Reader-visible code lines fit the page: <= 88 columns, CJK counted as two.

The same function (tools/code_width.py) runs in `make book` before any cell executes,
so a long line fails there first, naming file, cell and line."""

from __future__ import annotations

import runpy

import pytest
from bookdata import ROOT, toc_docs

WIDTH = runpy.run_path(str(ROOT / "tools" / "code_width.py"))
CHAPTERS = [ROOT / f"{d}.md" for d in toc_docs() if (ROOT / f"{d}.md").is_file()]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_visible_code_lines_fit(chapter):
    wide = WIDTH["long_lines"](chapter, chapter.relative_to(ROOT).as_posix())
    assert not wide, "\n".join(wide)


def test_cjk_counts_two_columns():
    columns = WIDTH["columns"]
    assert columns("abc") == 3
    assert columns("张量") == 4
    assert columns("（，）") == 6  # full-width punctuation
    assert columns("é") == 1  # e + combining accent


def test_long_line_is_reported_with_file_cell_and_line(tmp_path):
    md = tmp_path / "ch.md"
    md.write_text(
        "---\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n# T\n\n"
        "```{code-cell} ipython3\nx = 1\n```\n\ntext\n\n"
        "```{code-cell} ipython3\ny = 2\n"
        f"print('{'张' * 42}')\n```\n\n"
        "```{code-cell} ipython3\n:tags: [remove-cell]\n"
        f"z = '{'a' * 100}'\n```\n",
        encoding="utf-8",
    )
    wide = WIDTH["long_lines"](md, "ch.md")
    assert len(wide) == 1, wide  # the remove-cell cell is not shown to readers
    assert wide[0].startswith("ch.md:17 — code cell 2, line 2: 93 columns"), wide
