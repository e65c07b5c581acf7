"""The authors' tools on a small fixture book: `make chapter` scaffolds a chapter that
builds and passes its own test with no file edited by hand, and `make preview` shows a
saved edit in the served page and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys

import pytest
from fixturebook import ROOT, chapter, code

pytestmark = pytest.mark.build

NEW = runpy.run_path(str(ROOT / "tools" / "new_chapter.py"))
BENCH = runpy.run_path(str(ROOT / "benchmarks" / "bench.py"))
GLOSSARY = "# 术语表\n\n```{glossary}\n学习率\n  每一步沿梯度走多远。\n```\n"
TOC = """format: jb-book
root: book/intro
parts:
  - caption: 动手实验
    chapters:
      - file: book/setup
  - caption: 问题解答
    chapters:
      - file: book/qa/first
  - caption: 附录
    chapters:
      - file: book/glossary
"""


@pytest.fixture
def unbuilt(fixture_book):
    """A book with the real toc's parts: two tiny chapters and a glossary."""
    b = fixture_book(
        {"setup": chapter("环境搭建", "一段话。", code("x = 1\nprint(x)"))}, timeout=120
    )
    b.write("book/qa/first.md", chapter("第一个问题", "又一段话。", code("print(2)")))
    b.write("book/glossary.md", GLOSSARY)
    b.write("_toc.yml", TOC)
    return b


@pytest.fixture
def book(unbuilt):
    """The same, built."""
    first = unbuilt.build()
    assert first.rc == 0, first.tail
    return unbuilt


def test_new_chapter_builds_is_in_the_sidebar_and_passes_its_test(book):
    title = "Dropout 为什么能减轻过拟合？"
    files = NEW["scaffold"]("qa/dropout", title, book.root)
    assert [f.relative_to(book.root).as_posix() for f in files] == [
        "book/qa/dropout.md",
        "tests/chapters/test_dropout.py",
        "_toc.yml",
    ]
    assert (
        "      - file: book/qa/first\n      - file: book/qa/dropout\n"
        in files[2].read_text()
    )
    result = book.build()
    assert result.rc == 0, result.tail
    assert result.executed == ["book/qa/dropout.md"], result.executed
    page = (book.site / "book" / "qa" / "dropout.html").read_text(encoding="utf-8")
    assert title in page and "2.50" in page
    intro = (book.site / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'href="qa/dropout.html"' in intro  # the sidebar
    # its own test, run the way `make check` runs it (against the built site)
    for rel in (
        "tests/conftest.py",
        "tests/bookdata.py",
        "tests/chapters/chapterpages.py",
    ):
        (book.root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, book.root / rel)
    env = book.environment({"DLBOOK_TEST_SITE": str(book.site)})
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(files[1])],
        cwd=book.root, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "3 passed" in proc.stdout, proc.stdout[-1000:]


@pytest.mark.parametrize(
    ("name", "title", "why"),
    [
        ("qa/first", "重复", "already exists"),
        ("qa/Bad_Name", "标题", "is not a chapter name"),
        ("../escape", "标题", "is not a chapter name"),
        ("qa/second", "", "TITLE"),
        ("qa/third", "带`反引号`的标题", "TITLE"),
    ],
)
def test_bad_names_and_titles_are_refused(unbuilt, name, title, why):
    book = unbuilt
    toc = (book.root / "_toc.yml").read_text()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "new_chapter.py"), "--root",
         str(book.root), name, title],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 2 and why in proc.stderr, proc.stderr
    assert (book.root / "_toc.yml").read_text() == toc  # nothing written


def test_preview_shows_a_saved_edit_and_stops_on_ctrl_c(book, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", book.environment(None)["PYTHONPATH"])
    seconds = BENCH["preview_latency"](book.root, "book/setup.md", edits=2)
    assert len(seconds) == 2 and all(s < 60 for s in seconds), seconds
    log = (book.root / "_build" / "preview.log").read_text()
    assert "executed nothing" in log and "[preview] stopped" in log, log[-2000:]
    assert os.path.isfile(
        book.root / "_build" / ".work" / "html" / "book" / "setup.html"
    )


def test_wide_code_line_stops_make_book_before_any_cell_runs(fixture_book):
    """88 columns, CJK counted as two: named by file, line, cell and line in cell."""
    wide = "print('" + "宽" * 40 + "')"  # 49 characters, 89 columns
    book = fixture_book(
        {"a": chapter("宽代码", "一段话。", code("x = 1"), code(f"y = 2\n{wide}"))}
    )
    result = book.build()
    assert result.rc == 1
    assert "code lines wider than the page" in result.out, result.tail
    assert "book/a.md:23 — code cell 2, line 2: 89 columns (at most 88" in result.out, (
        result.tail
    )
    assert result.executed == [] and not book.site.exists()
