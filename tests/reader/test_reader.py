"""What a reader does with the code bundle, done for real on the built site.

Take ``dl-week01-code.zip`` from ``_build/html``, unzip it, make a fresh venv, run
``pip install -r requirements.txt`` inside the unzipped folder (as the bundle's README
says), run every notebook with nbclient from its own folder in that venv's kernel, and
compare with the book: the text outputs of every code cell (matched by cell source) and
every glued number. The same zip must come out byte for byte from the same sources.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

import bundle  # book/_ext (tests/reader/conftest.py puts it on sys.path)
from bookdata import ROOT, chapter_docs, executed_notebook

pytestmark = pytest.mark.build

HERE = Path(__file__).resolve().parent
GLUE_CELL = (
    "import json as _json, dlbook as _dlbook\n"
    "print(_json.dumps(_dlbook.glued(), ensure_ascii=False))"
)
#: Variables of the build or the test run that a reader's environment does not have.
NOT_THE_READERS = ("PYTHONPATH", "VIRTUAL_ENV", "MPLBACKEND", "PYTHONHOME")


@pytest.fixture(scope="module")
def site_zip(built_site: Path) -> Path:
    path = built_site / bundle.zip_name()
    assert path.is_file(), f"no code bundle {path.name} in the built site"
    return path


@pytest.fixture(scope="module")
def chapters(built_site: Path) -> list[str]:
    """Docnames of the chapter notebooks with code, in reading order (from _toc.yml)."""
    return chapter_docs()


def reader_env() -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in NOT_THE_READERS and not k.startswith("DLBOOK_")
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run_notebook(nb_path: Path, out: Path, kernels: Path, env: dict):
    """``run_notebook.py`` on ``nb_path`` in the reader's kernel under ``kernels``: the
    executed notebook goes to ``out`` (also when a cell fails); the finished process."""
    script = HERE / "run_notebook.py"
    cmd = [sys.executable, str(script), str(nb_path), str(out), str(kernels)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True)


def text_outputs(cell) -> list:
    """The cell's outputs as text: streams joined per stream, each display by its text
    forms
    (a PNG counts as "<PNG>"), errors by name; glue records left out."""
    result = []
    for out in cell.get("outputs", []):
        meta = out.get("metadata", {})
        if "scrapbook" in meta or bundle_glue_key() in meta:
            continue
        if out["output_type"] == "stream":
            if result and result[-1][0] == out["name"]:
                result[-1] = (out["name"], result[-1][1] + out["text"])
            else:
                result.append((out["name"], out["text"]))
        elif out["output_type"] in ("execute_result", "display_data"):
            data = out.get("data", {})
            shown = {k: v for k, v in data.items() if k.startswith("text/")}
            if "image/png" in data:
                shown["image/png"] = "<PNG>"
            result.append(
                ("display", json.dumps(shown, sort_keys=True, ensure_ascii=False))
            )
        elif out["output_type"] == "error":
            result.append(("error", f"{out['ename']}: {out['evalue']}"))
    return result


def bundle_glue_key() -> str:
    from dlbook.notebook import OUTPUT_KEY

    return OUTPUT_KEY


def book_glue_texts(nb) -> dict:
    """{name: text/plain} of every value glued in the book's executed notebook."""
    texts = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook")
            if meta:
                texts[meta["name"]] = out["data"][
                    meta.get("mime_prefix", "") + "text/plain"
                ]
    return texts


def first_line(source: str) -> str:
    return next((ln for ln in source.splitlines() if ln.strip()), "")[:70]


def compare(doc: str, book, ran) -> list[str]:
    """Differences between the book's executed notebook and the reader's run."""
    problems = []
    book_cells = {}
    for cell in book.cells:
        if cell.cell_type == "code":
            book_cells.setdefault(cell.source, []).append(cell)
    for cell in ran.cells:
        if cell.cell_type != "code" or cell.source == GLUE_CELL:
            continue
        source = bundle.strip_check(cell.source)
        candidates = book_cells.get(source)
        if not candidates:
            problems.append(
                f"{doc}: a cell the book does not have: `{first_line(source)}`"
            )
            continue
        theirs = candidates.pop(0)
        want, got = text_outputs(theirs), text_outputs(cell)
        if want != got:
            problems.append(
                f"{doc}: cell `{first_line(source)}` gives other output than the book\n"
                f"      book:   {want!r:.600}\n      reader: {got!r:.600}"
            )
    left = [c for cs in book_cells.values() for c in cs]
    problems += [
        f"{doc}: the book's cell `{first_line(c.source)}` is not in the bundle"
        for c in left
    ]
    return problems


def test_zip_is_reproducible(site_zip: Path, built_site: Path, chapters, tmp_path):
    """The same sources give the same bytes: rebuild the bundle now (another time,
    another
    scratch folder) from the site's notebooks and compare with the published zip."""
    with zipfile.ZipFile(site_zip) as zf:
        names = zf.namelist()
        infos = zf.infolist()
    assert names == sorted(names), "zip entries are not sorted"
    assert {i.date_time for i in infos} == {bundle.ZIP_DATE}, (
        "zip entries carry build-time timestamps"
    )
    notebooks = [
        (d, nbformat.read(built_site / "_sources" / f"{d}.ipynb", as_version=4))
        for d in chapters
    ]
    again = tmp_path / "again.zip"
    bundle.write_zip(again, bundle.bundle_files(ROOT, notebooks, tmp_path / "wheel"))
    assert again.read_bytes() == site_zip.read_bytes(), (
        "rebuilding the bundle from the same sources gave other bytes"
    )


def test_zip_contents(site_zip: Path, chapters):
    version = bundle.bundle_version(ROOT)
    top = bundle.BUNDLE_NAME + "/"
    wheel = f"dlbook-{version}-py3-none-any.whl"
    with zipfile.ZipFile(site_zip) as zf:
        names = set(zf.namelist())
        req = zf.read(top + "requirements.txt").decode()
        readme = zf.read(top + "README.md").decode()
        nbs = {
            n: nbformat.reads(zf.read(n).decode(), as_version=4)
            for n in names
            if n.endswith(".ipynb")
        }
    expected_nbs = {top + bundle.notebook_name(i, d) for i, d in enumerate(chapters, 1)}
    assert set(nbs) == expected_nbs
    assert names == expected_nbs | {
        top + "README.md",
        top + "requirements.txt",
        top + wheel,
    }
    lines = [ln for ln in req.splitlines() if ln and not ln.startswith("#")]
    assert lines[0] == f"./{wheel}"
    pins = {ln.split("==")[0].lower(): ln for ln in lines[1:]}
    assert all("==" in ln for ln in lines[1:]), f"unpinned lines: {lines[1:]}"
    for needed in (
        "torch",
        "numpy",
        "matplotlib",
        "scikit-learn",
        "pylopdf-fonts-zh-cn",
        "ipykernel",
        "scipy",
    ):
        assert needed in pins, (
            f"{needed} is not pinned in the bundle's requirements.txt"
        )
    assert pins["torch"].startswith("torch==2.13.0") and "+cpu" not in pins["torch"]
    for tool in (
        "sphinx",
        "myst-nb",
        "jupyter-book",
        "pytest",
        "nbclient",
        "playwright",
        "hypothesis",
    ):
        assert tool not in pins, (
            f"build/test tool {tool} in the reader's requirements.txt"
        )
    for step in (
        "python3.11 -m venv .venv",
        "pip install -r requirements.txt",
        "download.pytorch.org/whl/cpu",
        "jupyter lab notebooks",
    ):
        assert step in readme, f"README.md lacks `{step}`"
    for name, nb in nbs.items():
        first = next(c for c in nb.cells if c.cell_type == "code")
        assert (
            first.source.startswith(bundle.CHECK_MARK)
            and f'"装的是 dlbook {version}"' in first.source
        ), name
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in code) and any(c.outputs for c in code), (
            f"{name} has no outputs"
        )


def test_reader_runs_every_chapter(
    site_zip: Path, built_site: Path, chapters, tmp_path
):
    t0 = time.time()
    with zipfile.ZipFile(site_zip) as zf:
        zf.extractall(tmp_path)
    folder = tmp_path / bundle.BUNDLE_NAME
    venv = tmp_path / "venv"
    env = reader_env()
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, env=env)
    py = venv / "bin" / "python"
    # What the README says; --no-compile only skips byte-compiling torch's many files
    # ahead of
    # time (the same packages; Python compiles what a chapter imports when it imports
    # it).
    pip = subprocess.run(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-compile",
            "-r",
            "requirements.txt",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    assert pip.returncode == 0, (
        "pip install -r requirements.txt failed:\n"
        f"{pip.stdout[-2000:]}{pip.stderr[-3000:]}"
    )
    t_install = time.time() - t0
    listed = subprocess.run(
        [str(py), "-m", "pip", "list", "--format=freeze"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "myst" not in listed.lower() and "sphinx" not in listed.lower(), (
        "the reader's venv got build tools"
    )

    kernels = tmp_path / "jupyter"
    spec = kernels / "kernels" / "reader"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    str(py),
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "reader",
                "language": "python",
            }
        )
    )

    def run(item):
        index, doc = item
        nb_path = folder / bundle.notebook_name(index, doc)
        nb = nbformat.read(nb_path, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(GLUE_CELL))
        nbformat.write(nb, nb_path)  # the reader's copy; run from its own folder
        out = tmp_path / f"ran-{index:02d}.ipynb"
        return doc, run_notebook(nb_path, out, kernels, env), out

    t1 = time.time()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, enumerate(chapters, 1)))
    t_run = time.time() - t1
    problems = []
    compared = {"cells": 0, "glued": 0}
    for doc, proc, out in results:
        if proc.returncode != 0:
            problems.append(
                f"{doc}: a cell failed in the reader's venv:\n{proc.stderr[-2500:]}"
            )
            continue
        ran = nbformat.read(out, as_version=4)
        book = executed_notebook(doc, built_site.parent / ".jupyter_cache")
        problems += compare(doc, book, ran)
        compared["cells"] += sum(c.cell_type == "code" for c in book.cells)
        glued = json.loads(ran.cells[-1].outputs[0]["text"])
        for name, text in book_glue_texts(book).items():
            compared["glued"] += 1
            if glued.get(name) != text:
                problems.append(
                    f"{doc}: glued {name!r} is {glued.get(name)!r} for the reader, "
                    f"{text!r} in the book"
                )
    print(
        f"reader: install {t_install:.0f} s, {len(chapters)} notebooks {t_run:.0f} s, "
        f"{compared['cells']} cells and {compared['glued']} glued values compared"
    )
    assert not problems, "\n".join(problems)
    assert compared["cells"] >= 100 and compared["glued"] >= 100, (
        f"too little compared: {compared}"
    )


def test_check_stops_a_notebook_without_the_bundle(site_zip: Path, tmp_path):
    """The first cell of a downloaded notebook in an environment without dlbook (a
    fresh venv)."""
    with zipfile.ZipFile(site_zip) as zf:
        name = next(n for n in sorted(zf.namelist()) if n.endswith(".ipynb"))
        first = next(
            c
            for c in nbformat.reads(zf.read(name).decode(), as_version=4).cells
            if c.cell_type == "code"
        )
    check = first.source.split("\n    )\n", 1)[0] + "\n    )\n"
    venv = tmp_path / "bare"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run(
        [base, "-m", "venv", "--without-pip", str(venv)], check=True, env=reader_env()
    )
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c", check],
        capture_output=True,
        text=True,
        env=reader_env(),
    )
    assert proc.returncode != 0
    assert (
        "当前环境里没有装 dlbook" in proc.stderr
        and "pip install -r requirements.txt" in proc.stderr
    ), proc.stderr
    assert "dl-week01-code.zip" in proc.stderr


def test_every_page_links_the_bundle(built_site: Path, site_zip: Path):
    """The download menu of every page offers the zip (next to the .ipynb on chapter
    pages),
    and the intro's text links to it; every link resolves to the zip at the site
    root."""
    import re

    from sphinx_external_toc.parsing import parse_toc_yaml

    for doc in parse_toc_yaml(ROOT / "_toc.yml"):
        page = built_site / f"{doc}.html"
        html = page.read_text(encoding="utf-8")
        hrefs = re.findall(r'href="([^"]*' + re.escape(bundle.zip_name()) + r')"', html)
        assert hrefs, f"{doc}: no link to the code bundle"
        for href in hrefs:
            assert (page.parent / href).resolve() == site_zip.resolve(), (
                f"{doc}: {href} is not the zip"
            )
        menu = html[html.index("dropdown-download-buttons") :]
        menu = menu[: menu.index("</ul>")]
        assert "代码包 .zip" in menu, f"{doc}: the download menu has no 代码包 entry"
        if ".ipynb" in menu:
            assert menu.index(".ipynb") < menu.index("代码包") < menu.index(".md"), (
                f"{doc}: entry out of place"
            )
    intro = (built_site / "book" / "intro.html").read_text(encoding="utf-8")
    body = intro[intro.index('<article class="bd-article"') :]
    assert re.search(
        r'<a class="reference external" href="\.\./dl-week01-code\.zip">代码包</a>',
        body,
    )


def _cell(source, *outputs):
    import nbformat

    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


def test_compare_finds_every_kind_of_difference():
    """The comparison of the reader's run with the book can fail: other text, a missing
    or
    extra cell; stream chunks, glue records and the check at the top do not count."""
    import nbformat

    stream = lambda text: {"output_type": "stream", "name": "stdout", "text": text}  # noqa: E731
    glue = {
        "output_type": "display_data",
        "metadata": {"scrapbook": {"name": "x", "mime_prefix": ""}},
        "data": {"text/plain": "1"},
    }
    book = nbformat.v4.new_notebook(
        cells=[
            _cell("a = 1\nprint(a)", stream("1\n2\n"), glue),
            _cell("b", stream("x")),
        ]
    )
    same = nbformat.v4.new_notebook(
        cells=[
            _cell(
                bundle.check_code("0.1.0+gx") + "\na = 1\nprint(a)",
                stream("1\n"),
                stream("2\n"),
            ),
            _cell("b", stream("x")),
        ]
    )
    assert compare("ch", book, same) == []
    other = nbformat.v4.new_notebook(
        cells=[_cell("a = 1\nprint(a)", stream("1\n3\n")), _cell("c")]
    )
    problems = compare("ch", book, other)
    assert len(problems) == 3, problems
    assert "gives other output" in problems[0] and "`a = 1`" in problems[0]
    assert (
        "does not have: `c`" in problems[1]
        and "`b` is not in the bundle" in problems[2]
    )
