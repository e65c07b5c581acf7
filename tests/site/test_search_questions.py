"""The reader questions of tests/browser/search_questions.yml against the built site's
own search code (``_static/language_data.js`` and ``searchindex.js``), run in Node.js
without a browser: the fast tier (`make check`) asks them on every check; the browser
test (tests/browser/test_search.py) asks them again in Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from bookdata import ROOT, toc_docs

QUESTIONS = ROOT / "tests" / "browser" / "search_questions.yml"
RUNNER = ROOT / "tests" / "ext" / "zh_search_run.js"
FIRST_RATE, TOP3_RATE = 0.85, 0.95  # as the browser test


def questions() -> list[dict]:
    """Each question with the first of its pages that the table of contents holds."""
    toc, out = set(toc_docs()), []
    for item in yaml.safe_load(QUESTIONS.read_text(encoding="utf-8")):
        pages = item["page"] if isinstance(item["page"], list) else [item["page"]]
        present = [p for p in pages if p in toc]
        assert present, f"{QUESTIONS.name}: {item['q']}: none of {pages} is in _toc.yml"
        out.append({"q": item["q"], "page": present[0]})
    return out


def ask(site: Path, queries: list[str]) -> list[list[str]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not on PATH: `make book` installs it (see README)")
    proc = subprocess.run(
        [node, str(RUNNER), str(site / "_static" / "language_data.js"),
         str(site / "searchindex.js")],
        input=json.dumps(queries), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [r["pages"] for r in json.loads(proc.stdout)]


def test_reader_questions_find_their_page(built_site):
    items = questions()
    assert len(items) >= 30
    ranked = ask(built_site, [item["q"] for item in items])
    first = top3 = 0
    misses = []
    for item, docs in zip(items, ranked):
        rank = docs.index(item["page"]) + 1 if item["page"] in docs else None
        first += rank == 1
        top3 += rank is not None and rank <= 3
        if rank != 1:
            misses.append(f"  {item['q']}: want {item['page']} (rank {rank}), "
                          f"got {docs[:3]}")  # fmt: skip
    n = len(items)
    report = (
        f"{n} reader questions: expected page first {first}/{n} = {first / n:.0%}, "
        f"in the top 3 {top3}/{n} = {top3 / n:.0%}; misses:\n"
        + "\n".join(misses or ["  none"])
    )
    print(report)
    assert first / n >= FIRST_RATE and top3 / n >= TOP3_RATE, report
