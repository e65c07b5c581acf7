"""A ``<meta name="description">`` on every page, taken from its opening paragraph (what search
engines show under the title; Lighthouse's SEO audit asks for one). Pages without a paragraph
of their own (the search page, the index) get their title and the book's."""

from __future__ import annotations

import html
import re

from docutils import nodes

MAX_CHARS = 120  # about what a search result shows of a Chinese description
MIN_CHARS = 40
_BLOCKED = (nodes.Admonition, nodes.table, nodes.figure, nodes.footnote, nodes.citation, nodes.topic, nodes.sidebar)

def opening_paragraph(doctree, min_chars: int = MIN_CHARS) -> str:
    """Text of the page's opening body text: its first paragraphs that are not in a note, table or
    figure caption nor a code cell's output, joined until there are ``min_chars`` characters
    (an opening like "周报给了三点回答：" goes on with the answers); "" when there is none."""
    parts: list[str] = []
    for para in doctree.findall(nodes.paragraph):
        parent, ok = para.parent, True
        while parent is not None:
            if isinstance(parent, _BLOCKED) or "cell_output" in parent.get("classes", []):
                ok = False
                break
            parent = parent.parent
        text = re.sub(r"\s+", " ", para.astext()).strip()
        if ok and text:
            parts.append(text)
            if sum(map(len, parts)) >= min_chars:
                break
    return "".join(parts)


def shorten(text: str, limit: int = MAX_CHARS) -> str:
    """At most ``limit`` characters, cut after the last full sentence that fits (else with …)."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    end = max(head.rfind(p) for p in "。！？；")
    return head[: end + 1] if end >= limit // 2 else head[: limit - 1] + "…"

def description_tag(text: str) -> str:
    return f'<meta name="description" content="{html.escape(text, quote=True)}" />\n'

def _page_context(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html":
        return
    text = opening_paragraph(doctree) if doctree is not None else ""
    if not text:  # a page without body text of its own (search, index, a bare list): its title and the book's
        book = app.config.html_title or app.config.project
        title = re.sub(r"<[^>]+>", "", context.get("title") or "")
        text = f"{title} — {book}" if title and title != book else book
    context["metatags"] = context.get("metatags", "") + description_tag(shorten(text))

def setup(app):
    app.connect("html-page-context", _page_context)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
