"""Fast static half of "visible code runs on its own" (issue 21): a visible code cell
must not read a name that only a hidden (``remove-cell``) cell defines. No execution:
the cells are parsed with ``ast``. tests/reader/test_visible_code.py runs them.
"""

from __future__ import annotations

import pytest

from bookdata import ROOT, chapter_docs
from visiblecode import Cell, code_cells, hidden_names

DOCS = chapter_docs()


@pytest.mark.parametrize("doc", DOCS)
def test_visible_cells_need_no_hidden_name(doc):
    found = hidden_names(code_cells(ROOT / f"{doc}.md"))
    if found:
        pytest.fail("\n".join(h.describe(f"{doc}.md") for h in found), pytrace=False)


def test_chapters_come_from_the_toc():
    assert DOCS[0] == "book/setup" and "book/qa/optimizers" in DOCS
    assert "book/glossary" not in DOCS


def cells(*specs):
    return [
        Cell(i, src, ["remove-cell"] if hidden else [])
        for i, (src, hidden) in enumerate(specs, 1)
    ]


def test_a_name_from_a_hidden_cell_is_reported():
    found = hidden_names(
        cells(
            ("import torch\nx = torch.zeros(3)", False),
            ("GOOD = 0.1\nglue('good', GOOD)", True),
            ("print(x)\nif x.sum() < GOOD:\n    print('ok')", False),
        )
    )
    assert [(h.cell, h.line, h.name, h.hidden_cell) for h in found] == [
        (3, 2, "GOOD", 2)
    ]


def test_names_defined_visibly_are_fine():
    assert (
        hidden_names(
            cells(
                ("GOOD = 0.1", False),
                ("GOOD = 0.2\nglue('good', GOOD)", True),  # redefined: still visible
                ("def f(a):\n    return a + GOOD", False),
                ("%time f(1)\nprint([k for k in range(3)], len('x'))", False),
                ("LATE = 1", True),
                ("LATE = 2\nprint(LATE)", False),  # defined in the same cell
            )
        )
        == []
    )


def test_a_function_body_reading_a_hidden_name_is_reported():
    found = hidden_names(
        cells(("table = {}", True), ("def show():\n    return table", False))
    )
    assert [h.name for h in found] == ["table"]
