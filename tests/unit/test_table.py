"""dlbook.table: Markdown tables."""

import pytest

import dlbook


def test_markdown_table():
    md = dlbook.markdown_table(["H", "准确率"], [(5, 0.51234), (100, 0.9)])
    assert md.splitlines() == [
        "| H | 准确率 |",
        "|---|---|",
        "| 5 | 0.512 |",
        "| 100 | 0.900 |",
    ]
    with pytest.raises(ValueError, match="row 0"):
        dlbook.markdown_table(["a"], [(1, 2)])
