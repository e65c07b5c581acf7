"""Sphinx extension: every chapter that is a notebook gets an ``.ipynb`` in the download menu.

The executed notebook (outputs included, see :func:`notebook_with_outputs`) is written next
to the ``.md`` source under ``_sources/``. (sphinx-book-theme only does that when a Binder,
Colab, JupyterHub or Thebe launch button is configured; this book has none, so readers got
the ``.md`` only.)
"""

from __future__ import annotations

from pathlib import Path

#: figure outputs for the PDF edition only (dlbook.printfig), not in the downloads
PRINT_ONLY = "application/pdf"


def executed_notebook(app, pagename: str) -> Path | None:
    """The notebook MyST-NB wrote for ``pagename`` to ``jupyter_execute``, or None for a page that is no notebook."""
    if not isinstance(pagename, str) or not pagename:
        raise ValueError(f"pagename must be a non-empty docname, got {pagename!r}")
    if "kernelspec" not in app.env.metadata.get(pagename, {}):
        return None
    path = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    return path if path.is_file() else None


def notebook_with_outputs(path: Path, cache_path: str | Path | None):
    """Read the notebook at ``path`` and fill in its outputs from the execution cache.

    In cache mode MyST-NB 1.4 writes ``jupyter_execute/<page>.ipynb`` with the outputs only in
    the build that executed the chapter; a build that takes the outputs from the cache writes
    the notebook without them. The cache holds the executed notebook, so it is the source here.
    Glue outputs that are not for display (``glue(..., display=False)``) are dropped, as
    MyST-NB does. The figures' print copies (``application/pdf``, which only the PDF edition
    uses) are dropped too: Jupyter shows the PNG, and the PDFs would triple the download.
    Without a cache, or without a match in it, the notebook is returned as read.
    """
    import nbformat
    from myst_nb.ext.glue import extract_glue_data_cell

    nb = nbformat.read(str(path), as_version=4)
    if cache_path and Path(cache_path).is_dir():
        from jupyter_cache import get_cache

        try:
            _, nb = get_cache(str(cache_path)).merge_match_into_notebook(nb)
        except KeyError:
            pass
    for cell in nb.cells:
        if cell.cell_type == "code":
            extract_glue_data_cell(cell)
            for output in cell.outputs:
                output.get("data", {}).pop(PRINT_ONLY, None)
    return nb


def _add_notebook_download(app, pagename, templatename, context, doctree) -> None:
    """html-page-context (priority 500, before the theme builds its buttons at 501)."""
    if doctree is None or app.builder.format != "html" or context.get("ipynb_source"):
        return
    source = executed_notebook(app, pagename)
    if source is None:
        return
    import nbformat

    nb_config = app.env.mystnb_config
    cache_path = nb_config.execution_cache_path if nb_config.execution_mode == "cache" else None
    nb = notebook_with_outputs(source, cache_path)
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("html-page-context", _add_notebook_download, priority=500)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
