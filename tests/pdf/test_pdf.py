"""The PDF edition as a reader gets it: A4, Chinese fonts only, every chapter, the
site's numbers."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
import yaml
from pdfbook import ROOT, poppler

pytestmark = pytest.mark.build

#: fonts the PDF may contain: the book's CJK font (its CFF is named ...CJKjp inside the
#: .ttc),
#: its monospace companion, and the math font
ALLOWED_FONTS = re.compile(
    r"^[A-Z]{6}\+(NotoSans(Mono)?CJK(jp|sc|SC)-(Regular|Bold)|LatinModernMath-Regular)"
)


def squeeze(text: str) -> str:
    """Text without any whitespace (pdftotext breaks lines and spaces CJK
    differently)."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="session")
def pdf_text(pdf_build) -> str:
    return squeeze(poppler("pdftotext", "-enc", "UTF-8", str(pdf_build["pdf"]), "-"))


def toc_docs() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    docs = []

    def walk(entries):
        for entry in entries or []:
            docs.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc["parts"]:
        walk(part["chapters"])
    return [toc["root"], *docs]


def site_title(site: Path, doc: str) -> str:
    html = (site / f"{doc}.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    return unescape(re.sub(r"<[^>]+>", "", h1)).replace("#", "").strip()


def test_pdf_was_built_from_the_cache_without_executing(pdf_build):
    stats = pdf_build["stats"]
    assert stats["ok"] and len(stats["from_cache"]) >= 9, stats["from_cache"]
    assert stats["executed"] == [] and stats["executed_by_sphinx"] == [], (
        "the PDF build executed cells again: "
        f"{stats['executed'] or stats['executed_by_sphinx']}"
    )


def test_a4_with_the_books_title_and_page_count(pdf_info):
    width, height = map(
        float, re.match(r"([\d.]+) x ([\d.]+) pts", pdf_info["Page size"]).groups()
    )
    assert abs(width - 595.28) < 1 and abs(height - 841.89) < 1, (
        f"not A4: {pdf_info['Page size']}"
    )
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert pdf_info["Title"] == config["title"]
    pages = int(pdf_info["Pages"])
    print(f"PDF edition: {pages} pages")
    assert 60 <= pages <= 400, f"{pages} pages: chapters missing or duplicated?"


def test_only_the_books_fonts_all_embedded(pdf_build):
    rows = poppler("pdffonts", str(pdf_build["pdf"])).splitlines()[2:]
    assert rows, "pdffonts lists no font"
    names = [row.split()[0] for row in rows]
    stray = [n for n in names if not ALLOWED_FONTS.match(n)]
    assert not stray, (
        "fonts other than Noto Sans (Mono) CJK SC and the math font "
        f"(a fallback?): {stray}"
    )
    not_embedded = [
        row for row in rows if row.split()[-5] != "yes"
    ]  # emb sub uni object ID
    assert not not_embedded, f"fonts not embedded: {not_embedded}"


def test_no_missing_character_in_the_latex_log(pdf_build):
    log = (
        pdf_build["pdf"]
        .with_suffix(".log")
        .read_text(encoding="utf-8", errors="replace")
    )
    missing = sorted(
        set(re.findall(r"Missing character: There is no (.+?) in font", log))
    )
    assert not missing, (
        f"characters no font of the PDF has (shown as nothing): {missing}"
    )
    assert "Output written on dl-week01.pdf" in log


def test_every_toc_page_title_is_in_the_pdf(built_site, pdf_text):
    titles = {doc: site_title(built_site, doc) for doc in toc_docs()}
    absent = {doc: t for doc, t in titles.items() if squeeze(t) not in pdf_text}
    assert not absent, f"page titles missing from the PDF: {absent}"


def test_chinese_labels(pdf_text):
    for label in ("目录", "第1章", "第一部分", "参考文献", "勘误"):
        assert label in pdf_text, f"{label} not in the PDF"
    for english in ("Contents", "CHAPTER", "Chapter1"):
        assert english not in pdf_text


def test_glued_numbers_are_the_sites(built_site, pdf_text):
    glued = []
    for doc in toc_docs():
        html = (built_site / f"{doc}.html").read_text(encoding="utf-8")
        glued += [
            (doc, unescape(v))
            for v in re.findall(
                r'<span class="pasted-text">([^<]*\d[^<]*)</span>', html
            )
        ]
    assert len(glued) >= 50, f"only {len(glued)} glued numbers found on the site"
    sample = glued[:: max(1, len(glued) // 40)]
    absent = [(doc, v) for doc, v in sample if squeeze(v) not in pdf_text]
    assert not absent, f"glued values of the site missing from the PDF: {absent}"


def test_bookmarks_and_cross_references(built_site, pdf_build, pdf_text):
    outline = poppler("pdftohtml", "-xml", "-i", "-q", "-stdout", str(pdf_build["pdf"]))
    items = [
        squeeze(unescape(m))
        for m in re.findall(r"<item page=\"\d+\">([^<]*)</item>", outline)
    ]
    absent = [
        t
        for t in (site_title(built_site, d) for d in toc_docs())
        if not any(squeeze(t) in i for i in items)
    ]
    assert not absent, f"no PDF bookmark for: {absent}"
    assert (
        "第1章" in pdf_text and "图1.1" in pdf_text
    )  # numbered figures, referred to by number
    assert "??" not in pdf_text, "an unresolved LaTeX reference (??) in the PDF"
