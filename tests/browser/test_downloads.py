"""The download menu of every chapter: the .md source as written, and for notebook
chapters an
.ipynb that opens in Jupyter with the outputs of the build (figures included)."""

from __future__ import annotations

import re

import nbformat
import pytest

import harness

pytestmark = pytest.mark.browser

DOCS = harness.toc_docs()

MENU_LINKS_JS = """
() => Array.from(document.querySelectorAll('.dropdown-download-buttons .dropdown-menu a'))
          .map(a => ({href: a.href, text: a.innerText.trim(), visible: a.getClientRects().length > 0}))
"""


def _menu(desktop, site_url, doc):
    page = desktop.new_page()
    try:
        page.goto(f"{site_url}{doc}.html")
        page.locator(".dropdown-download-buttons button.dropdown-toggle").click()
        page.locator(".dropdown-download-buttons .dropdown-menu a").first.wait_for(
            state="visible"
        )
        links = page.evaluate(MENU_LINKS_JS)
        figures = page.locator(".cell_output img").count()
        return links, figures
    finally:
        page.close()


@pytest.mark.parametrize("doc", DOCS)
def test_download_menu(desktop, site_url, doc):
    links, figures_on_page = _menu(desktop, site_url, doc)
    by_suffix = {}
    for link in links:
        assert link["visible"], (
            f"{doc}: download link {link['href']} is not visible in the opened menu"
        )
        by_suffix[link["href"].rsplit(".", 1)[-1]] = link["href"]

    # The Markdown source, byte for byte.
    md = by_suffix.get("md")
    assert md, f"{doc}: no .md in the download menu ({[l['href'] for l in links]})"
    assert md == f"{site_url}_sources/{doc}.md", f"{doc}: .md download points to {md}"
    resp = desktop.request.get(md)
    assert resp.status == 200, f"{doc}: GET {md} -> HTTP {resp.status}"
    assert resp.body() == harness.source_of(doc).read_bytes(), (
        f"{doc}: {md} differs from {harness.source_of(doc)}"
    )

    if not harness.is_notebook(doc):
        assert "ipynb" not in by_suffix, (
            f"{doc} is no notebook but offers {by_suffix['ipynb']}"
        )
        return

    # The notebook: valid nbformat 4, every code cell executed, the page's figures
    # inside.
    ipynb = by_suffix.get("ipynb")
    assert ipynb, (
        f"{doc}: notebook chapter without an .ipynb in the download menu ({list(by_suffix)})"
    )
    assert ipynb == f"{site_url}_sources/{doc}.ipynb", (
        f"{doc}: .ipynb download points to {ipynb}"
    )
    resp = desktop.request.get(ipynb)
    assert resp.status == 200, f"{doc}: GET {ipynb} -> HTTP {resp.status}"
    nb = nbformat.reads(resp.text(), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    src_cells = len(
        re.findall(
            r"^```\{code-cell\}",
            harness.source_of(doc).read_text(encoding="utf-8"),
            re.M,
        )
    )
    assert len(code) == src_cells, (
        f"{doc}: {len(code)} code cells in the .ipynb, {src_cells} in the source"
    )
    if not code:
        return
    not_run = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not not_run, (
        f"{doc}: code cells without execution count in the .ipynb: {not_run}"
    )
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert outputs, (
        f"{doc}: the downloaded .ipynb has no outputs (an unexecuted notebook)"
    )
    pngs = sum(1 for o in outputs if "image/png" in o.get("data", {}))
    assert pngs == figures_on_page, (
        f"{doc}: {pngs} PNG outputs in the .ipynb but {figures_on_page} figures in cell outputs on the page"
    )
