"""dlbook.sphinx_site: the reader-side fixes of the site (unit level, then on the built site)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import nbformat
import pytest

from dlbook import sphinx_site


# --------------------------------------------------------------------------- units
def test_thebe_wanted_reads_launch_buttons():
    assert sphinx_site.thebe_wanted(SimpleNamespace(html_theme_options={"launch_buttons": {"thebe": True}}))
    assert not sphinx_site.thebe_wanted(SimpleNamespace(html_theme_options={"launch_buttons": {"thebe": False}}))
    assert not sphinx_site.thebe_wanted(SimpleNamespace(html_theme_options={}))
    assert not sphinx_site.thebe_wanted(SimpleNamespace())
    with pytest.raises(TypeError, match="launch_buttons"):
        sphinx_site.thebe_wanted(SimpleNamespace(html_theme_options={"launch_buttons": "thebe"}))


def _handler(module):
    def f(*args):
        return None

    f.__module__ = module
    return f


def test_remove_thebe_disconnects_only_thebe():
    Listener = __import__("collections").namedtuple("Listener", "id handler priority")
    listeners = {
        "env-before-read-docs": [Listener(1, _handler("sphinx_thebe"), 500), Listener(2, _handler("myst_nb"), 500)],
        "doctree-resolved": [Listener(3, _handler("sphinx_thebe"), 500)],
    }
    gone = []

    def disconnect(i):
        gone.append(i)
        for ls in listeners.values():
            ls[:] = [l for l in ls if l.id != i]

    app = SimpleNamespace(
        events=SimpleNamespace(listeners=listeners),
        disconnect=disconnect,
        registry=SimpleNamespace(css_files=[("sphinx-thebe.css", {}), ("custom.css", {})]),
    )
    assert sphinx_site.remove_thebe(app) == 2
    assert sorted(gone) == [1, 3]
    assert [l.id for l in listeners["env-before-read-docs"]] == [2]
    assert app.registry.css_files == [("custom.css", {})]


def test_index_page_is_a_whole_redirect_page():
    html = sphinx_site.index_page("book/intro.html", "深度学习第一周")
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    assert '<meta http-equiv="refresh" content="0; url=book/intro.html">' in html
    assert '<a href="book/intro.html">深度学习第一周</a>' in html
    assert '<link rel="icon" href="data:,">' in html
    assert "&lt;b&gt;" in sphinx_site.index_page("a.html", "<b>")
    for bad in ("", "/book/intro.html", "https://example.org/x.html"):
        with pytest.raises(ValueError, match="target"):
            sphinx_site.index_page(bad, "t")


def test_notebook_with_outputs_drops_hidden_glue(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("glue('x', 1, display=False); print(1)", execution_count=1)
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="1\n"),
        nbformat.v4.new_output(
            "display_data",
            data={"application/papermill.record/text/plain": "1"},
            metadata={"scrapbook": {"name": "x", "mime_prefix": "application/papermill.record/"}},
        ),
    ]
    nb.cells = [cell]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    out = sphinx_site.notebook_with_outputs(path, cache_path=None)
    assert [o.output_type for o in out.cells[0].outputs] == ["stream"]
    assert out.cells[0].execution_count == 1


def test_executed_notebook_validates_pagename():
    app = SimpleNamespace(env=SimpleNamespace(metadata={}), outdir="/nonexistent/html")
    with pytest.raises(ValueError, match="pagename"):
        sphinx_site.executed_notebook(app, "")
    assert sphinx_site.executed_notebook(app, "book/intro") is None


# --------------------------------------------------------------------------- on the built site
@pytest.mark.build
def test_site_carries_no_thebe(built_site):
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "THEBE_JS_URL" not in text and "sphinx-thebe" not in text, f"thebe left in {page}"
        assert "x-thebe-config" not in text, f"thebe config left in {page}"


@pytest.mark.build
def test_notebook_download_has_outputs(built_site):
    nb = json.loads((built_site / "_sources" / "book" / "spiral.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    pngs = [o for c in code for o in c["outputs"] if "image/png" in o.get("data", {})]
    assert code and all(c["execution_count"] for c in code)
    assert len(pngs) >= 6
    assert not any("scrapbook" in o.get("metadata", {}) and "application/papermill.record/text/plain" in o.get("data", {})
                   for c in code for o in c["outputs"])
    html = (built_site / "book" / "spiral.html").read_text(encoding="utf-8")
    assert 'href="../_sources/book/spiral.ipynb"' in html


@pytest.mark.build
def test_index_404_and_theme_defaults(built_site):
    index = (built_site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in index and "url=book/intro.html" in index
    page404 = (built_site / "404.html").read_text(encoding="utf-8")
    assert "页面不存在" in page404 and 'lang="zh-CN"' in page404
    assert "http://" not in page404 and "https://" not in page404
    intro = (built_site / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'data-theme="light"' in intro  # default mode: no "Got invalid theme mode" on a fresh profile
    assert "fontawesome.js" not in intro
    refs = (built_site / "book" / "references.html").read_text(encoding="utf-8")
    assert "doc-biblioentry" not in refs and 'role="listitem"' in refs
