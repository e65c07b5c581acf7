"""What a chapter needs from its notebook, inside the book's build or in a reader's
Jupyter.

``from dlbook import glue`` is the chapters' ``glue``: inside the build (MyST-NB
installed) it is MyST-NB's own ``glue``, so the prose can quote the value; in a reader's
Jupyter without MyST-NB it shows the value like the last line of a cell would
(``display=True``) or shows nothing (``display=False``). Either way the value's text is
kept, and :func:`glued` returns everything glued in this kernel -- the numbers the
book's prose quotes, for a reader (or a test) to compare with the book.
"""

from __future__ import annotations

from typing import Any

#: Metadata key on the outputs that :func:`glue` displays without MyST-NB.
OUTPUT_KEY = "dlbook_glue"

_GLUED: dict[str, str] = {}
_MYST_NB_GLUE = None


def text_of(value: Any) -> str:
    """The ``text/plain`` form of ``value`` as Jupyter shows it (MyST-NB stores this
    form too)."""
    try:
        from IPython.core.formatters import format_display_data
    except ImportError:  # pragma: no cover - IPython comes with every Jupyter kernel
        return repr(value)
    bundle, _ = format_display_data(value)
    return bundle.get("text/plain", repr(value))


def _myst_nb_glue():
    """MyST-NB's ``glue`` if MyST-NB is installed, else None (looked up once)."""
    global _MYST_NB_GLUE
    if _MYST_NB_GLUE is None:
        try:
            from myst_nb import glue as myst_glue
        except ImportError:
            myst_glue = False
        _MYST_NB_GLUE = myst_glue
    return _MYST_NB_GLUE or None


def glue(name: str, value: Any, display: bool = True) -> None:
    """Record ``value`` under ``name`` for the prose (MyST-NB's ``glue`` when
    installed).

    Without MyST-NB, ``display=True`` shows the value in the cell's output and
    ``display=False`` shows nothing; :func:`glued` has it in both cases.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"glue name must be a non-empty string, got {name!r}")
    _GLUED[name] = text_of(value)
    myst_glue = _myst_nb_glue()
    if myst_glue is not None:
        myst_glue(name, value, display=display)
        return
    if display:
        from IPython.display import display as show

        show(value, metadata={OUTPUT_KEY: name})


def glued() -> dict[str, str]:
    """``{name: text}`` of every value glued in this kernel so far (a copy)."""
    return dict(_GLUED)
