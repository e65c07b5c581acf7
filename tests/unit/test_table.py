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


def test_show_layers_hides_rows_but_counts_them_in_the_total():
    from dlbook import inspect, nets

    rows = inspect.layer_summary(nets.lenet5(), nets.LENET5_INPUT)
    text = dlbook.show_layers(rows, hide=("act", "pool")).data
    assert "act1" not in text and "pool1" not in text and "conv1" in text
    assert "| 1×32×32" not in text and "| 6×28×28 | 156 |" in text
    assert text.splitlines()[-1] == "| **合计** |  | **61,706** |"
