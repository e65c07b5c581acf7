"""Tracebacks that name files relative to the Python environment, not the machine's
folders.

A chapter that shows an error on purpose prints IPython's traceback, and every frame in
a library names its file:
``/home/someone/project/.venv/lib/python3.11/site-packages/...``.
On the book's pages that would publish the build machine's folders. :func:`short_paths`
makes IPython name such files from the library folder on
(``site-packages/matplotlib/cbook.py``), the same on every machine.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path


def _roots() -> list[tuple[Path, str]]:
    """Where files are shortened from, most specific first: (folder, name shown for
    it)."""
    paths = sysconfig.get_paths()
    roots = [(Path(__file__).resolve().parent, "dlbook")]
    roots += [(Path(paths[key]), "site-packages") for key in ("purelib", "platlib")]
    roots += [
        (Path(paths[key]), Path(paths[key]).name) for key in ("stdlib", "platstdlib")
    ]
    return [(root.resolve(), shown) for root, shown in roots]


_ROOTS = _roots()


def short_name(filename: str) -> str | None:
    """``filename`` from the environment's library folder on, or None if outside it.

    ``.../site-packages/matplotlib/cbook.py`` -> ``site-packages/matplotlib/cbook.py``;
    the standard library -> ``python3.11/...``; dlbook's own files -> ``dlbook/...``.
    """
    try:
        path = Path(filename).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    for root, shown in _ROOTS:
        try:
            rest = path.relative_to(root)
        except ValueError:
            continue
        return f"{shown}/{rest.as_posix()}"
    return None


def short_paths() -> bool:
    """Make the running IPython shell print library files as :func:`short_name` gives
    them.

    IPython asks its compiler's ``format_code_name`` how to label each frame's file
    (that is how a cell becomes ``Cell In[3]``); the wrapper answers for files inside
    the environment and leaves every other file to IPython. Returns whether a shell was
    found; calling it again changes nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the book's kernel
        return False
    ip = get_ipython()
    if ip is None:
        return False
    compiler = ip.compile
    original = compiler.format_code_name
    if getattr(original, "_dlbook_short", False):
        return True

    def format_code_name(name: str):
        label = original(name)
        if label is not None or not isinstance(name, str):
            return label
        short = short_name(name)
        return None if short is None else ("File", short)

    format_code_name._dlbook_short = True
    compiler.format_code_name = format_code_name
    return True
