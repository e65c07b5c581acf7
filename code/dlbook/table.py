"""Tables in chapters: a list of rows rendered as a Markdown table in the page."""

from __future__ import annotations

import numbers


def _fmt(value, floatfmt: str) -> str:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or isinstance(value, numbers.Integral)
    ):
        return str(value)
    return format(value, floatfmt)


def markdown_table(headers, rows, floatfmt: str = ".3f") -> str:
    """A GitHub/MyST Markdown table; floats are formatted with ``floatfmt``."""
    headers = [str(h) for h in headers]
    if not headers:
        raise ValueError("headers must not be empty")
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for i, row in enumerate(rows):
        row = list(row)
        if len(row) != len(headers):
            raise ValueError(
                f"row {i} has {len(row)} cells but there are {len(headers)} headers"
            )
        lines.append(
            "| " + " | ".join(_fmt(v, floatfmt).replace("|", "\\|") for v in row) + " |"
        )
    return "\n".join(lines)


def show_table(headers, rows, floatfmt: str = ".3f"):
    """Display :func:`markdown_table` in a notebook (rendered as a real table by
    MyST-NB).
    """
    from IPython.display import Markdown

    return Markdown(markdown_table(headers, rows, floatfmt))


def show_layers(rows, *, hide=(), header: str = "层"):
    """Display the layer table (层, 输出形状, 参数量) of
    :func:`dlbook.inspect.layer_summary` rows, with a total row.

    Rows whose layer name starts with one of ``hide`` (e.g. ``("relu",)``) are left
    out of the body; the total counts every row.
    """
    hide = tuple(hide)
    body = [
        (r.layer, "×".join(str(s) for s in r.output_shape), f"{r.params:,}")
        for r in rows
        if not (hide and r.layer.startswith(hide))
    ]
    body.append(("**合计**", "", f"**{sum(r.params for r in rows):,}**"))
    return show_table([header, "输出形状", "参数量"], body)
