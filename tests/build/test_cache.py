"""The execution cache across builds: a prose edit executes nothing, a code edit
executes
exactly the edited chapter, an unchanged book is not rebuilt, damaged entries are
removed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fixturebook import chapter, code, plain_build

pytestmark = pytest.mark.build

A = chapter(
    "第一章",
    "第一章的文字。",
    code("a = sum(range(10))\nprint(a)"),
    "后面的文字。",
    code("b = a * 2"),
)
B = chapter("第二章", "第二章的文字。", code("c = 'hello'\nprint(c)"))


def test_prose_edit_runs_nothing_code_edit_runs_only_its_chapter(fixture_book):
    book = fixture_book({"a": A, "b": B})
    cold = book.build(env={"DLBOOK_JOBS": "2"})
    assert cold.rc == 0, cold.tail
    assert (
        sorted(cold.executed) == ["book/a.md", "book/b.md"]
        and cold.stats["cells_executed"] == 3
    )
    assert (
        cold.stats["executed_by_sphinx"] == []
    )  # Sphinx found every chapter in the cache
    # the Chinese search's word cutter (jieba) loads quietly: no log lines of its own
    assert not re.search(r"(?m)^(Building prefix dict|Loading model)", cold.out)
    # and the kernels too: CurveZMQ keys, so no "running over TCP without encryption"
    assert "IPKernelApp" not in cold.out and "without encryption" not in cold.out

    same = book.build()
    assert (
        same.rc == 0 and "nothing changed since the last successful build" in same.out
    )
    assert same.stats["executed"] == [] and same.stats["seconds_sphinx"] == 0

    book.write("book/a.md", A.replace("后面的文字。", "后面的文字，改过了。"))
    prose = book.build()
    assert prose.rc == 0, prose.tail
    assert prose.executed == [] and prose.stats["cells_executed"] == 0
    assert prose.stats["executed_by_sphinx"] == []
    assert "改过了" in (book.site / "book" / "a.html").read_text(encoding="utf-8")

    book.write("book/b.md", B.replace("c = 'hello'", "c = 'hello, again'"))
    edit = book.build()
    assert edit.rc == 0, edit.tail
    assert edit.executed == ["book/b.md"] and edit.stats["from_cache"] == ["book/a.md"]
    assert edit.stats["executed_by_sphinx"] == []
    assert "hello, again" in (book.site / "book" / "b.html").read_text(encoding="utf-8")

    # The stylesheet alone, then an extension alone, edited: each reaches the site,
    # executing nothing (Sphinx itself rewrites no page for either).
    css = book.root / "book" / "_css" / "custom.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.bd-article{--edited:1}\n")
    styled = book.build()
    assert styled.rc == 0 and styled.stats["cells_executed"] == 0, styled.tail
    site_css = (book.site / "_static" / "site.css").read_text(encoding="utf-8")
    assert "--edited:1" in site_css
    # the extensions' static templates stay rendered (copybutton.js_t has its settings)
    copybutton = (book.site / "_static" / "copybutton.js").read_text(encoding="utf-8")
    assert "formatCopyText(text, Undefined" not in copybutton
    assert re.search(r"formatCopyText\(text, '[^']*'", copybutton), copybutton[-600:]

    meta = book.root / "book" / "_ext" / "page_meta.py"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("MAX_CHARS = 120", "MAX_CHARS = 6")
    )
    extended = book.build()
    assert extended.rc == 0 and extended.stats["cells_executed"] == 0, extended.tail
    page = (book.site / "book" / "a.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="第一章的文…"' in page, page[:1500]


def test_damaged_cache_entry_is_removed_and_rerun(fixture_book):
    book = fixture_book({"a": A})
    assert book.build().rc == 0
    (record,) = book.cache_records()
    nb_file = book.cache / "executed" / record.hashkey / "base.ipynb"
    nb_file.write_text(
        nb_file.read_text(encoding="utf-8")[:200], encoding="utf-8"
    )  # truncated, as by a kill
    (
        book.root / "_build" / ".work" / ".inputs.json"
    ).unlink()  # the sources did not change
    again = book.build()
    assert again.rc == 0, again.tail
    assert again.stats["repaired"] and "book/a.md" in again.stats["repaired"][0]
    assert again.executed == ["book/a.md"]


def test_a_dlbook_change_reexecutes_every_chapter(fixture_book):
    """Every chapter runs dlbook: when its sources change, no chapter may keep stale
    outputs, neither in the cache nor on the site."""
    run_id = chapter("第三章", code("import uuid\nprint(uuid.uuid4().hex)"))
    book = fixture_book({"a": A, "b": B, "c": run_id})
    assert book.build().rc == 0
    page = book.site / "book" / "c.html"
    first = re.findall(r"[0-9a-f]{32}", page.read_text(encoding="utf-8"))
    mark = book.cache / "dlbook.sha256"
    assert len(mark.read_text(encoding="utf-8").strip()) == 64 and len(first) == 1
    inputs = book.root / "_build" / ".work" / ".inputs.json"
    inputs.unlink()  # (forget that the sources did not change)
    assert book.build().executed == []  # same dlbook: everything from the cache
    mark.write_text("0" * 64 + "\n", encoding="utf-8")  # as if dlbook had been edited
    inputs.unlink()
    again = book.build()
    assert again.rc == 0, again.tail
    assert sorted(again.executed) == ["book/a.md", "book/b.md", "book/c.md"]
    assert "the dlbook package changed" in again.out
    assert mark.read_text(encoding="utf-8").strip() != "0" * 64
    # the site shows the new run's output, though no chapter's source changed
    now = re.findall(r"[0-9a-f]{32}", page.read_text(encoding="utf-8"))
    assert len(now) == 1 and now != first

    # `jupyter-book build .` too: a changed dlbook empties the cache, every chapter runs
    mark.write_text("0" * 64 + "\n", encoding="utf-8")
    plain = plain_build(book.root)
    assert plain.returncode == 0, (plain.stdout + plain.stderr)[-3000:]
    assert "the dlbook package changed" in plain.stdout
    assert "without encryption" not in plain.stdout + plain.stderr  # quiet kernels
    ran = {Path(r.uri).name for r in book.cache_records()}
    assert ran == {"a.md", "b.md", "c.md"}
    plain_page = book.root / "_build" / "html" / "book" / "c.html"
    latest = re.findall(r"[0-9a-f]{32}", plain_page.read_text(encoding="utf-8"))
    assert len(latest) == 1 and latest not in (first, now)
