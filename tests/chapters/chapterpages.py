"""Reading one built chapter: its page (HTML, text, parsed), its executed notebook, its
glue.

Plain functions shared by the chapter tests (``tests/chapters/test_<chapter>.py``); the
``built_site`` fixture (tests/conftest.py) builds the book first.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from bookdata import ROOT, executed_notebook, glue_values, toc_docs

SITE = ROOT / "_build" / "html"


def notebook(doc: str):
    """Executed notebook of ``doc`` (``"qa/alexnet"`` or ``"spiral"``, under book/)."""
    return executed_notebook(f"book/{doc}")


def glued(doc: str) -> dict:
    """{glue name: value} of chapter ``book/<doc>``."""
    return glue_values(notebook(doc))


def markdown_outputs(doc: str) -> list[str]:
    """The Markdown outputs (tables) of the executed chapter, in order."""
    return [
        out["data"]["text/markdown"]
        for cell in notebook(doc).cells
        for out in cell.get("outputs", [])
        if "text/markdown" in out.get("data", {})
    ]


def page_html(site: Path, doc: str) -> str:
    return (site / "book" / f"{doc}.html").read_text(encoding="utf-8")


def page_text(site: Path, doc: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", page_html(site, doc)))


def soup(site: Path, doc: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(page_html(site, doc), "html.parser")


def node_text(node) -> str:
    return node.get_text("", strip=False)


def tracebacks(page) -> list[str]:
    return [node_text(div) for div in page.select("div.output.traceback")]


def cell_with_source(page, needle: str):
    """The cell whose input contains ``needle`` (exactly one)."""
    cells = [
        c
        for c in page.select("div.cell")
        if needle in node_text(c.select_one("div.cell_input"))
    ]
    assert len(cells) == 1, (
        f"expected one cell containing {needle!r}, found {len(cells)}"
    )
    return cells[0]


def corrections(page) -> list[str]:
    """Texts of the 勘误 (correction) boxes of a parsed page."""
    boxes = []
    for div in page.select("div.admonition.warning"):
        title = div.select_one("p.admonition-title")
        if title is not None and title.get_text(strip=True) == "勘误":
            boxes.append(node_text(div))
    return boxes


def check_clean_page(site: Path, doc: str) -> None:
    """No unresolved glue, traceback, kernel noise or stderr in the page and its
    notebook.
    """
    html = page_html(site, doc)
    assert "glue:text" not in html and "{glue" not in html
    assert "Traceback" not in html
    assert "ipykernel" not in html
    for cell in notebook(doc).cells:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error"
            assert not (
                out.get("output_type") == "stream" and out.get("name") == "stderr"
            ), out.get("text")


def check_correction_box(site: Path, doc: str) -> None:
    """The page has a 勘误 box rendered as a warning admonition and no unrendered
    roles."""
    html = page_html(site, doc)
    boxes = re.findall(
        r'<div class="([^"]*)">\s*<p class="admonition-title">勘误</p>', html
    )
    assert boxes and all(
        "warning" in b.split() and "admonition" in b.split() for b in boxes
    ), boxes
    text = page_text(site, doc)
    for raw in ("{glue:text}", "{cite}", "{admonition}", "```"):
        assert raw not in text, f"unrendered {raw} on {doc}"
    assert "本章正在编写中" not in text


def check_figures(site: Path, doc: str, n_figures: int, min_bytes: int = 5000) -> None:
    """At least ``n_figures`` figure images, each a real file with Chinese alt text."""
    html = page_html(site, doc)
    figs = [i for i in re.findall(r"<img[^>]*>", html) if "_images/" in i]
    assert len(figs) >= n_figures, (
        f"{doc}: expected {n_figures} figures, found {len(figs)}"
    )
    folder = (site / "book" / doc).parent
    for tag in figs:
        alt = re.search(r'alt="([^"]*)"', tag)
        assert alt and re.search(r"[\u4e00-\u9fff]", alt.group(1)), (
            f"figure without Chinese alt: {tag}"
        )
        src = re.search(r'src="([^"]+)"', tag).group(1)
        f = (folder / src).resolve()
        assert f.is_file() and f.stat().st_size > min_bytes, (
            f"missing or empty figure {src}"
        )
        assert f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{src} is not a PNG"


def check_captioned_figures(site: Path, doc: str, n_figures: int) -> None:
    """Exactly ``n_figures`` ``<figure>``s, each with a caption (and check_figures's
    checks of their images)."""
    check_figures(site, doc, n_figures, min_bytes=0)
    figures = re.findall(
        r"<figure[^>]*>(.*?)</figure>", page_html(site, doc), flags=re.S
    )
    assert len(figures) == n_figures and all("<figcaption" in f for f in figures)


def check_in_sidebar(site: Path, titles: dict[str, str]) -> None:
    """The sidebar of other pages (the front page, the first other chapter) lists each
    page file of ``titles`` under its title."""
    docs = [d.removeprefix("book/") for d in toc_docs()[1:]]
    first = next(d for d in docs if f"{d.rsplit('/', 1)[-1]}.html" not in titles)
    for other in ("intro", first):
        nav = soup(site, other).select("nav.bd-docs-nav a.reference.internal")
        hrefs = {
            a["href"].split("#")[0].rsplit("/", 1)[-1]: a.get_text(strip=True)
            for a in nav
        }
        for page, title in titles.items():
            assert hrefs.get(page) == title, hrefs


def check_only_tagged_cells_raise(page) -> None:
    """A traceback shows exactly in the cells tagged ``raises-exception``."""
    for cell in page.select("div.cell"):
        has_tb = cell.select_one("div.output.traceback") is not None
        tagged = "tag_raises-exception" in cell.get("class", [])
        assert has_tb == tagged, node_text(cell.select_one("div.cell_input"))[:120]


def check_exercises(page, n_exercises: int) -> None:
    """At least ``n_exercises`` exercises, each with a hidden, executed solution."""
    exercises = page.select("div.exercise")
    solutions = page.select("div.solution")
    ids = {e["id"] for e in exercises}
    assert len(exercises) >= n_exercises and len(solutions) == len(exercises)
    for sol in solutions:
        assert "dropdown" in sol["class"], "solutions are hidden behind a toggle"
        link = sol.select_one("p.admonition-title a")
        assert link is not None and link["href"].lstrip("#") in ids
        assert sol.select_one("div.cell_output") is not None, (
            "solution code must be executed"
        )
