"""Two cold builds of the real book on the same machine give the same numbers and figures.

The book is copied to one temporary folder and built from scratch (empty execution cache);
then the copy is replaced by a fresh one at the same path and built again. Every glued
value, every text output and every figure file must be identical, byte for byte (fixed
seeds, deterministic algorithms, one torch thread per kernel, PNGs without version stamps).
Two cold builds of the whole book: the most expensive test of the suite (about twice the
time of ``make book`` from a clean checkout).
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

TEXT_MIMES = ("text/plain", "text/html", "text/markdown", "text/latex", "application/papermill.record/text/plain")


def cold_build(dest: Path) -> dict:
    """Copy the book to ``dest`` (replacing it), build it cold, return what it produced."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(ROOT, dest, ignore=lambda folder, names: [n for n in names if n in build_book.NOT_INPUTS])
    book = FixtureBook(dest)
    result = book.build()
    assert result.rc == 0, result.tail
    assert result.stats["from_cache"] == [], "not a cold build"
    outputs = {}
    from jupyter_cache import get_cache

    cache = get_cache(str(book.cache))
    for record in cache.list_cache_records():
        nb = nbformat.reads(
            (book.cache / "executed" / record.hashkey / "base.ipynb").read_text(encoding="utf-8"), as_version=4
        )
        chapter = Path(record.uri).relative_to(dest).as_posix()
        cells = []
        for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            # how a kernel chunks its stdout into outputs depends on timing; the page merges
            # them (nb_merge_streams), so compare the text of each stream as a whole
            streams: dict[str, str] = {}
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    streams[out["name"]] = streams.get(out["name"], "") + out["text"]
            cells += [(i + 1, f"stream:{name}", text) for name, text in sorted(streams.items())]
            for out in cell.get("outputs", []):
                for mime, data in (out.get("data") or {}).items():
                    if mime in TEXT_MIMES:
                        cells.append((i + 1, mime, data))
                    elif mime.startswith("image/"):
                        cells.append((i + 1, mime, hashlib.sha256(str(data).encode()).hexdigest()))
        outputs[chapter] = cells
    images = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((book.site / "_images").glob("*"))
    }
    return {"outputs": outputs, "images": images, "executed": result.executed}


def test_two_cold_builds_are_identical(tmp_path):
    dest = tmp_path / "book"
    first = cold_build(dest)
    second = cold_build(dest)
    assert first["executed"] and sorted(first["executed"]) == sorted(second["executed"])
    assert first["images"], "the book has no figures?"
    diffs = []
    for chapter in sorted(set(first["outputs"]) | set(second["outputs"])):
        a, b = first["outputs"].get(chapter, []), second["outputs"].get(chapter, [])
        for x, y in zip(a, b):
            if x != y:
                diffs.append(f"{chapter} code cell {x[0]} ({x[1]}): {str(x[2])[:120]!r} != {str(y[2])[:120]!r}")
        if len(a) != len(b):
            diffs.append(f"{chapter}: {len(a)} outputs vs {len(b)}")
    assert not diffs, "outputs differ between two cold builds:\n" + "\n".join(diffs[:20])
    assert first["images"] == second["images"], "figure files differ between two cold builds"
