"""book/_ext/citation_roles.py: the bibliography is a list of list items."""

from __future__ import annotations

import pytest

import citation_roles


def test_biblioentry_roles_become_list_items():
    body = '<div role="list"><div role="doc-biblioentry">A</div><div role="doc-biblioentry">B</div></div>'
    context = {"body": body}
    citation_roles._citation_list_roles(None, "p", "page.html", context, None)
    assert (
        context["body"].count('role="listitem"') == 2
        and "doc-biblioentry" not in context["body"]
    )
    untouched = {"body": "<p>no bibliography</p>"}
    citation_roles._citation_list_roles(None, "p", "page.html", untouched, None)
    assert untouched == {"body": "<p>no bibliography</p>"}


@pytest.mark.build
def test_references_page_has_list_items(built_site):
    refs = (built_site / "book" / "references.html").read_text(encoding="utf-8")
    assert "doc-biblioentry" not in refs and refs.count('role="listitem"') >= 3
