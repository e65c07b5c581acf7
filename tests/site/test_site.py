"""The built site, read as files: chapters, figures, glued numbers, search, offline, no
noise.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bookdata import docs_for, executed_notebook

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]


def _toc_docs() -> list[str]:
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    docs = [toc["root"]]
    for part in toc["parts"]:
        docs += [c["file"] for c in part["chapters"]]
    return docs


def _pages(site: Path) -> list[Path]:
    return [site / f"{doc}.html" for doc in _toc_docs()]


def test_every_toc_page_is_built(built_site):
    for page in _pages(built_site):
        assert page.is_file(), f"{page} missing"
    assert (built_site / "index.html").read_text(encoding="utf-8").count(
        "book/intro.html"
    ) >= 1


@pytest.mark.parametrize(
    "word", ["螺旋", "张量", "激活函数", "准确率", "线性模型", "优化器"]
)
def test_chinese_search_terms(search_index, word):
    assert docs_for(search_index, word), f"{word} is not an index term"


def test_spiral_found_by_search(search_index):
    assert "book/spiral" in docs_for(search_index, "螺旋")
    assert "book/spiral" in docs_for(search_index, "准确率")


def test_pages_request_no_other_host(built_site):
    pattern = re.compile(
        r'<(?:script|link|img|iframe|source)\b[^>]*?(?:src|href)="(https?:)?//', re.I
    )
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        # <link rel=...> to the repository are anchors in the theme, not loads; only
        # loading tags count.
        for m in pattern.finditer(html):
            tag = html[m.start() : html.index(">", m.start()) + 1]
            if tag.lower().startswith("<link") and not re.search(
                r'rel="(stylesheet|preload|icon|modulepreload)', tag
            ):
                continue
            pytest.fail(
                f"{page.relative_to(built_site)} loads from another host: {tag}"
            )
    assert not (built_site / "_static" / "mathjax").exists()  # formulas are KaTeX HTML
    for js in (built_site / "_static").rglob("*.js"):
        assert "cdn.jsdelivr.net" not in js.read_text(
            encoding="utf-8", errors="ignore"
        ), js


def test_math_typeset_at_build_with_local_fonts(built_site):
    """Formulas are KaTeX HTML in the page (book/_ext/katex_math.py); its stylesheet is
    in the
    page's one stylesheet and points at fonts of the site's own."""
    html = (built_site / "book" / "spiral.html").read_text(encoding="utf-8")
    assert (
        html.count('class="katex"') >= 5 and "<math" in html
    )  # HTML for the eye, MathML for screen readers
    assert "mathjax" not in html.lower().replace("mathjax_ignore", "").replace(
        "tex2jax", ""
    )
    css = (built_site / "_static" / "site.css").read_text(encoding="utf-8")
    fonts = re.findall(r"url\((katex/fonts/KaTeX_[\w-]+\.woff2)\)", css)
    assert len(fonts) >= 15, fonts
    missing = [f for f in fonts if not (built_site / "_static" / f).is_file()]
    assert not missing, f"KaTeX fonts referenced but not in the site: {missing}"


def test_no_warning_or_noise_in_pages(built_site):
    from bs4 import BeautifulSoup

    for page in _pages(built_site):
        html = page.read_text(encoding="utf-8")
        for bad in (
            "Glyph",
            "UserWarning",
            "DeprecationWarning",
            "FutureWarning",
            "stderr",
        ):
            assert bad not in html, f"{bad!r} in {page.name}"
        # Tracebacks only where a cell is meant to raise (tagged raises-exception).
        for cell in BeautifulSoup(html, "html.parser").select("div.cell"):
            if "Traceback" in cell.get_text():
                assert "tag_raises-exception" in cell.get("class", []), (
                    f"untagged traceback in {page.name}: {cell.get_text()[:200]}"
                )


def test_no_unrendered_markup_in_prose(built_site):
    """Markdown that did not render shows its asterisks to the reader: CommonMark
    cannot open ``**`` between a CJK character and a role (叫**{term}`计算图`**，)."""
    from bs4 import BeautifulSoup

    for page in _pages(built_site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        main = soup.select_one("main") or soup
        for tag in main.select("pre, code, script, style, .cell_output"):
            tag.decompose()
        text = main.get_text(" ")
        hit = re.search(r".{0,30}(\*\*|__).{0,30}", text)
        assert hit is None, f"unrendered markup in {page.name}: {hit.group(0)!r}"


def test_language_and_metadata(built_site):
    html = (built_site / "book" / "spiral.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in html
    assert "《深度学习第一周》编写组" in html
    assert "2026" in html
    assert "Powered by" not in html and "By The Jupyter Book Community" not in html


def test_repository_links_only_for_the_configured_repository(built_site):
    """No page links to a made-up repository; the header's repository/issues buttons
    are on every page or on none (DLBOOK_REPOSITORY_URL at build time,
    book/_ext/repository.py) and all point to one address."""
    from bs4 import BeautifulSoup

    targets, with_buttons, pages = set(), 0, list(built_site.rglob("*.html"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "dl-week01/dl-week01-book" not in html, page
        soup = BeautifulSoup(html, "html.parser")
        buttons = soup.select(
            "a.btn-source-repository-button, a.btn-source-issues-button"
        )
        with_buttons += bool(buttons)
        targets |= {a["href"].split("/issues/")[0] for a in buttons}
    assert with_buttons in (0, len(pages) - len(list(built_site.glob("404.html")))), (
        with_buttons,
        len(pages),
    )
    assert len(targets) <= 1, targets


def test_no_stderr_in_any_executed_chapter(built_site):
    for doc in _toc_docs():
        try:
            nb = executed_notebook(doc, built_site.parent / ".jupyter_cache")
        except LookupError:
            continue  # a page without code cells is not executed
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                assert out.get("name") != "stderr", (
                    f"{doc} cell {i}: stderr output {out.get('text', '')[:200]!r}"
                )
