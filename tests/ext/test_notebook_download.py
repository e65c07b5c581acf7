"""book/_ext/notebook_download.py: every notebook chapter can be downloaded as .ipynb
with its outputs."""

from __future__ import annotations

import json
from types import SimpleNamespace

import nbformat
import pytest

import notebook_download


def downloaded_cell(tmp_path, source: str, outputs: list):
    """The one code cell of a notebook as the download gives it."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = outputs
    nb.cells = [cell]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    return notebook_download.notebook_with_outputs(path, cache_path=None).cells[0]


def test_notebook_with_outputs_drops_hidden_glue(tmp_path):
    cell = downloaded_cell(
        tmp_path,
        "glue('x', 1, display=False); print(1)",
        [
            nbformat.v4.new_output("stream", name="stdout", text="1\n"),
            nbformat.v4.new_output(
                "display_data",
                data={"application/papermill.record/text/plain": "1"},
                metadata={
                    "scrapbook": {
                        "name": "x",
                        "mime_prefix": "application/papermill.record/",
                    }
                },
            ),
        ],
    )
    assert [o.output_type for o in cell.outputs] == ["stream"]
    assert cell.execution_count == 1


def test_notebook_with_outputs_drops_the_print_copy_of_figures(tmp_path):
    figure = {
        "image/png": "iVBORw0KGgo=",
        "application/pdf": "JVBERi0=",
        "text/plain": "<Figure>",
    }
    cell = downloaded_cell(
        tmp_path,
        "plt.plot([1, 2])",
        [nbformat.v4.new_output("display_data", data=figure)],
    )
    assert sorted(cell.outputs[0].data) == ["image/png", "text/plain"]


def test_executed_notebook_validates_pagename():
    app = SimpleNamespace(env=SimpleNamespace(metadata={}), outdir="/nonexistent/html")
    with pytest.raises(ValueError, match="pagename"):
        notebook_download.executed_notebook(app, "")
    assert notebook_download.executed_notebook(app, "book/intro") is None


@pytest.mark.build
def test_notebook_download_has_outputs(built_site):
    nb = json.loads(
        (built_site / "_sources" / "book" / "spiral.ipynb").read_text(encoding="utf-8")
    )
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    pngs = [o for c in code for o in c["outputs"] if "image/png" in o.get("data", {})]
    assert code and all(c["execution_count"] for c in code)
    assert len(pngs) >= 6
    assert not any(
        "application/pdf" in o.get("data", {}) for c in code for o in c["outputs"]
    ), "the download carries the figures' print copies (application/pdf)"
    assert not any(
        "scrapbook" in o.get("metadata", {})
        and "application/papermill.record/text/plain" in o.get("data", {})
        for c in code
        for o in c["outputs"]
    )
    html = (built_site / "book" / "spiral.html").read_text(encoding="utf-8")
    assert 'href="../_sources/book/spiral.ipynb"' in html
