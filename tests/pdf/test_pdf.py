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
#: .ttc), its monospace companion and the math font; in the figures (vector PDFs drawn
#: by matplotlib) the fonts of the site's figures: DejaVu Sans, Noto Sans SC and, for
#: math symbols, matplotlib's own STIX and Computer Modern fonts
ALLOWED_FONTS = re.compile(
    r"^[A-Z]{6}\+(NotoSans(Mono)?CJK(jp|sc|SC)-(Regular|Bold)|LatinModernMath-Regular"
    r"|(DejaVuSans(-Oblique|-Bold)?|STIX\w+(-Italic|-Bold)?|Cm[a-z]+10|NotoSansSC-Regular)$)"
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
        "fonts other than Noto Sans (Mono) CJK SC, the math font and the figures' "
        f"fonts (a fallback?): {stray}"
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


def included_graphics(pdf_build) -> list[tuple[str, str]]:
    """(name, extension) of every graphic file XeTeX included, from the LaTeX log."""
    log = (
        pdf_build["pdf"]
        .with_suffix(".log")
        .read_text(encoding="utf-8", errors="replace")
    )
    return re.findall(r"^File: (\S+)\.(\w+) Grap", log, re.M)


def test_notebook_figures_are_printed_as_vector_pdfs(built_site, pdf_build):
    """Every figure a cell drew is in the PDF as the cell's own vector PDF output (the
    site shows its PNG twin); what is raster in the PDF is at a print resolution."""
    figures = [(n, ext) for n, ext in included_graphics(pdf_build) if len(n) == 64]
    on_site = [p for p in (built_site / "_images").glob("*.png") if len(p.stem) == 64]
    assert len(on_site) >= 20, f"only {len(on_site)} figures on the site"
    raster = [f"{n}.{ext}" for n, ext in figures if ext != "pdf"]
    assert not raster, f"figures printed from the site's screen PNGs: {raster[:5]}"
    assert len({n for n, _ in figures}) == len(on_site), (
        f"{len(figures)} notebook figures in the PDF, {len(on_site)} on the site"
    )
    listing = poppler("pdfimages", "-list", str(pdf_build["pdf"])).splitlines()[2:]
    ppi = [
        (int(row.split()[0]), int(row.split()[12]))
        for row in listing
        if row.split()[2] == "image"
    ]
    coarse = [(page, dpi) for page, dpi in ppi if dpi < 200]
    assert not coarse, f"images under 200 ppi (page, ppi): {coarse[:10]}"


def test_no_type3_font(pdf_build):
    """Text in figures is real text in an embedded font (searchable), not Type 3
    drawings."""
    rows = poppler("pdffonts", str(pdf_build["pdf"])).splitlines()[2:]
    assert not [row for row in rows if "Type 3" in row], rows


def exercises() -> list[tuple[str, str]]:
    """(exercise title, first code line of its solution, or for a solution in words
    its first run of Chinese text) of every chapter, in order."""
    found = []
    for doc in toc_docs():
        text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
        titles = re.findall(r"^`{3,}\{exercise\} (.+)$", text, re.M)
        solutions = re.findall(
            r"^`{3,}\{solution-start\}.*?^`{3,}\{solution-end\}", text, re.M | re.S
        )
        assert len(titles) == len(solutions), doc
        for title, solution in zip(titles, solutions):
            code = re.search(
                r"^```\{code-cell\}[^\n]*\n(?::.*\n)*(.+)$", solution, re.M
            )
            if code is None:  # a solution in words: its first run of Chinese text
                body = solution.split("\n", 1)[1].split("```{solution-end}")[0]
                code = re.search(r"[\u4e00-\u9fff]{6,}", body)
            assert code, f"{doc}: a solution with neither code nor text ({title})"
            found.append((title, code[1] if code.groups() else code[0]))
    return found


def test_solutions_are_printed_after_their_exercise(pdf_text):
    """On paper each solution follows its exercise, marked 参考答案（练习 N）; the
    solution's code is there (the site hides it in a dropdown)."""
    found = exercises()
    assert len(found) >= 5, found
    where = []
    for title, code in found:
        exercise = re.search(
            r"练习(\d+)（" + re.escape(squeeze(title)) + "）", pdf_text
        )
        assert exercise, f"exercise 「{title}」 not in the PDF as 练习 N（{title}）"
        answer = pdf_text.find(f"参考答案（练习{exercise[1]}）", exercise.end())
        body = pdf_text.find(squeeze(code), answer)
        assert 0 <= answer < body, f"no 参考答案 with its code after 练习 {exercise[1]}"
        where.append((exercise.start(), answer, body))
    for (_, _, body), (next_exercise, _, _) in zip(where, where[1:]):
        assert body < next_exercise, "a solution is printed after the next exercise"
    assert "解答练习" not in pdf_text
