"""One path: `make book` and plain `jupyter-book build .` give the same book.

The book is copied to two temporary folders (fresh copies of the sources, empty
execution
caches); one is built with ``tools/build_book.py`` (what ``make book`` runs), the other
with
plain ``jupyter-book build .``. Every glued value, every text output and every figure
file
must be identical, byte for byte (``dlbook.setup()`` fixes seeds and torch's threads in
the
chapter itself; PNGs carry no version stamps). A failing cell fails both ways of
building.
The most expensive test of the suite (two cold builds of the whole book).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from fixturebook import FixtureBook

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402
from fixturebook import chapter, code, plain_build  # noqa: E402

TEXT_MIMES = (
    "text/plain",
    "text/html",
    "text/markdown",
    "text/latex",
    "application/papermill.record/text/plain",
)
#: the vector copy of each figure that the PDF edition prints (dlbook.printfig)
PRINT_FIGURE = "application/pdf"


def cold_build(dest: Path, plain: bool) -> dict:
    """Copy the book to ``dest``, build it cold (driver or plain jupyter-book), return
    what it produced."""
    shutil.copytree(
        ROOT,
        dest,
        ignore=lambda folder, names: [n for n in names if n in build_book.NOT_INPUTS],
    )
    book = FixtureBook(dest)
    if plain:
        proc = plain_build(dest)
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    else:
        result = book.build()
        assert result.rc == 0, result.tail
        assert result.stats["from_cache"] == [], "not a cold build"
    outputs = {}
    from jupyter_cache import get_cache

    cache = get_cache(str(book.cache))
    for record in cache.list_cache_records():
        nb = nbformat.reads(
            (book.cache / "executed" / record.hashkey / "base.ipynb").read_text(
                encoding="utf-8"
            ),
            as_version=4,
        )
        chapter = Path(record.uri).relative_to(dest).as_posix()
        cells = []
        for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            # how a kernel chunks its stdout into outputs depends on timing; the page
            # merges
            # them (nb_merge_streams), so compare the text of each stream as a whole
            streams: dict[str, str] = {}
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    streams[out["name"]] = streams.get(out["name"], "") + out["text"]
            cells += [
                (i + 1, f"stream:{name}", text)
                for name, text in sorted(streams.items())
            ]
            for out in cell.get("outputs", []):
                for mime, data in (out.get("data") or {}).items():
                    if mime in TEXT_MIMES:
                        cells.append((i + 1, mime, data))
                    elif mime.startswith("image/") or mime == PRINT_FIGURE:
                        cells.append(
                            (
                                i + 1,
                                mime,
                                hashlib.sha256(str(data).encode()).hexdigest(),
                            )
                        )
        outputs[chapter] = cells
    images = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((book.site / "_images").glob("*"))
    }
    return {"outputs": outputs, "images": images}


def test_make_book_and_plain_jupyter_book_give_the_same_book(tmp_path):
    first = cold_build(tmp_path / "make-book", plain=False)
    second = cold_build(tmp_path / "jupyter-book", plain=True)
    assert len(first["outputs"]) >= 9 and sorted(first["outputs"]) == sorted(
        second["outputs"]
    )
    assert first["images"], "the book has no figures?"
    for built in (first, second):  # each figure with its print copy, both ways of building
        kinds = [c[1] for cells in built["outputs"].values() for c in cells]
        assert kinds.count(PRINT_FIGURE) == kinds.count("image/png") >= 30, kinds
    diffs = []
    for doc in sorted(set(first["outputs"]) | set(second["outputs"])):
        a, b = first["outputs"].get(doc, []), second["outputs"].get(doc, [])
        for x, y in zip(a, b):
            if x != y:
                diffs.append(
                    f"{doc} code cell {x[0]} ({x[1]}): {str(x[2])[:120]!r} != {str(y[2])[:120]!r}"
                )
        if len(a) != len(b):
            diffs.append(f"{doc}: {len(a)} outputs vs {len(b)}")
    assert not diffs, (
        "outputs differ between make book and jupyter-book build:\n"
        + "\n".join(diffs[:20])
    )
    assert first["images"] == second["images"], (
        "figure files differ between make book and jupyter-book build"
    )


@pytest.mark.parametrize("broken", ["cell", "reference", "stderr"])
def test_plain_jupyter_book_is_strict_with_the_config_alone(fixture_book, broken):
    """Without -W or -n: a failing cell, a broken reference, stderr output fail
    `jupyter-book build .`."""
    body = {
        "cell": code("values = [1, 2]\nvalues[5]"),
        "reference": "见 {ref}`no-such-label`。\n" + code("x = 1"),
        "stderr": code("import sys\nprint('care' + 'ful', file=sys.stderr)"),
    }[broken]
    book = fixture_book({"bad": chapter("坏的一章", body)})
    proc = plain_build(book.root)
    assert proc.returncode != 0, proc.stdout[-2000:]
    log = proc.stdout + proc.stderr
    shown = {
        "cell": "IndexError",
        "reference": "undefined label: 'no-such-label'",
        "stderr": "printed to stderr: careful",  # what was printed, quoted
    }
    assert shown[broken] in log, log[-3000:]
    made = book.build()  # make book's driver fails too, saying the same
    assert made.rc != 0 and shown[broken] in made.out, made.tail
