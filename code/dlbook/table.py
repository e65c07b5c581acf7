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
