"""Visible code runs on its own (issue 21): for every chapter, the code cells a reader
sees (all but ``remove-cell``), run top to bottom in a fresh kernel, run without error
(cells tagged ``raises-exception`` may raise) and give the page's outputs.

Compared with the executed notebook in the build's cache, cell by cell: text outputs
(streams, text/plain, errors; whitespace and object addresses ignored) and figures by
count (a PNG is "<PNG>", not its bytes).

This executes every chapter a second time (the reader test in test_reader.py runs the
bundle's notebooks, hidden cells included, for the glue numbers): marked ``execute`` so
a fast tier can leave it out (``-m "not execute"``); tests/lint/test_visible_names.py is
its static, fast half. Chapters run DLBOOK_TEST_JOBS (default 2) at a time. Measured
on ecc4017: about 160 CPU-seconds for the whole book (the build's execution is 132 s),
spiral the longest chapter; one chapter alone: ``-k spiral``.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from bookdata import ROOT, chapter_docs, executed_notebook
from test_reader import first_line, run_notebook, text_outputs
from visiblecode import HIDDEN, visible_notebook

pytestmark = [pytest.mark.build, pytest.mark.execute]

DOCS = chapter_docs()
#: What the book's build sets and a reader's Jupyter does not have.
NOT_THE_READERS = ("DLBOOK_PRINT_FIGURES", "MPLBACKEND", "DLBOOK_BUILD_STARTED")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def normalized(outputs: list) -> list:
    """Outputs with whitespace runs and object addresses made uniform."""
    out = []
    for kind, text in outputs:
        text = re.sub(r"0x[0-9a-fA-F]{6,}", "0x…", text)
        text = re.sub(r"\s+", " ", text.replace("\\n", " ")).strip()
        out.append((kind, text))
    return out


def _kernel_dir(tmp: Path) -> Path:
    spec = tmp / "kernels" / "reader"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "reader", "language": "python"})
    )
    return tmp


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in NOT_THE_READERS}
    # the kernel imports this checkout's dlbook, as the build does
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "code"), *filter(None, [env.get("PYTHONPATH")])]
    )
    return env


@pytest.fixture(scope="module")
def visible_runs(request, built_site, tmp_path_factory) -> dict:
    """{doc: (exit status, executed notebook or None, stderr, seconds)} for the chapters
    this session tests, DLBOOK_TEST_JOBS at a time."""
    wanted = [
        item.callspec.params["doc"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_visible_code_runs_alone"
        and hasattr(item, "callspec")
    ] or DOCS
    tmp = tmp_path_factory.mktemp("visible")
    kernels = _kernel_dir(tmp / "jupyter")
    env = _env()

    def run(doc: str):
        nb_path = tmp / (doc.replace("/", "-") + ".ipynb")
        out = tmp / (doc.replace("/", "-") + ".ran.ipynb")
        nbformat.write(visible_notebook(ROOT / f"{doc}.md"), nb_path)
        t0 = time.time()
        proc = run_notebook(nb_path, out, kernels, env)
        seconds = time.time() - t0
        ran = nbformat.read(out, as_version=4) if out.is_file() else None
        return doc, (proc.returncode, ran, proc.stderr, seconds)

    jobs = int(os.environ.get("DLBOOK_TEST_JOBS", "2") or 2)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return dict(pool.map(run, wanted))


def differences(doc: str, book, ran) -> list[str]:
    """Where the visible cells' outputs differ from the page's."""
    shown = [
        c
        for c in book.cells
        if c.cell_type == "code" and HIDDEN not in c.metadata.get("tags", [])
    ]
    mine = [c for c in ran.cells if c.cell_type == "code"]
    if [c.source for c in shown] != [c.source for c in mine]:
        return [f"{doc}: the cached notebook's visible cells differ: rebuild the book"]
    problems = []
    for number, (theirs, cell) in enumerate(zip(shown, mine), 1):
        want, got = normalized(text_outputs(theirs)), normalized(text_outputs(cell))
        if want != got:
            problems.append(
                f"{doc}: visible cell {number} `{first_line(cell.source)}` gives other "
                f"output than the page\n      page:  {want!r:.600}\n"
                f"      alone: {got!r:.600}"
            )
    return problems


@pytest.mark.parametrize("doc", DOCS)
def test_visible_code_runs_alone(doc, visible_runs, built_site):
    rc, ran, stderr, seconds = visible_runs[doc]
    print(f"{doc}: visible cells ran in {seconds:.1f} s")
    if rc != 0 or ran is None:
        pytest.fail(
            f"{doc}: a visible cell failed when run without the hidden cells:\n"
            f"{re.sub(ANSI, '', stderr)[-2500:]}",
            pytrace=False,
        )
    book = executed_notebook(doc, built_site.parent / ".jupyter_cache")
    problems = differences(doc, book, ran)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_normalized_ignores_addresses_and_whitespace():
    a = [("stdout", "<Foo at 0x7f3a2b1c9d40>\n  x =  1\n")]
    b = [("stdout", "<Foo at 0x7f00000000aa> x = 1")]
    assert normalized(a) == normalized(b)
    assert normalized([("stdout", "1.0")]) != normalized([("stdout", "1.5")])


def test_differences_finds_other_output_and_figure_counts():
    def nb(*cells):
        book = nbformat.v4.new_notebook()
        for source, outputs, tags in cells:
            cell = nbformat.v4.new_code_cell(source)
            cell.outputs = [nbformat.from_dict(o) for o in outputs]
            cell.metadata["tags"] = tags
            book.cells.append(cell)
        return book

    def text(t):
        return {"output_type": "stream", "name": "stdout", "text": t}

    png = {
        "output_type": "display_data",
        "data": {"image/png": "iVBOR", "text/plain": "<Figure>"},
        "metadata": {},
    }
    book = nb(
        ("x = 1", [], []),
        ("glue('x', x)", [], [HIDDEN]),
        ("print(x)", [text("1\n")], []),
        ("plot()", [png, png], []),
    )
    same = nb(
        ("x = 1", [], []), ("print(x)", [text("1\n")], []), ("plot()", [png, png], [])
    )
    assert differences("d", book, same) == []
    other = nb(
        ("x = 1", [], []), ("print(x)", [text("2\n")], []), ("plot()", [png], [])
    )
    found = differences("d", book, other)
    assert len(found) == 2 and "print(x)" in found[0] and "plot()" in found[1]
