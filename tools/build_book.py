"""Build the book: ``make book`` runs this (no arguments: the real book into ``_build/html``).

What one build does, in order:

1. **Checks** (nothing executes before they pass): ``DLBOOK_DEVICE`` holds an allowed
   value; if any chapter must execute, the CJK font is there and a GPU is there when
   ``DLBOOK_DEVICE=cuda``. The execution cache (``_build/.jupyter_cache``) is checked and
   damaged entries (a build killed while writing one) are removed.
2. **Execution**: every chapter whose code cells are not in the cache runs in its own
   Jupyter kernel, ``--jobs`` chapters side by side (default: one per CPU core; torch's
   threads are set by each chapter's ``dlbook.setup()``), longest first. This is exactly what MyST-NB's cache mode
   would do inside Sphinx one chapter after another (same reader, same hash, same
   ``nbclient`` call, same cache record), only in parallel. If a cell fails, the build
   stops here: every failing chapter is listed with its cell and exception, and
   ``_build/html`` is not touched.
3. **Sphinx** (``jupyter-book``'s configuration from ``_config.yml`` / ``_toc.yml``,
   warnings as errors, nitpicky, keep going) renders the pages from the cache into a
   work folder ``_build/.work`` that keeps Sphinx's environment between builds, so an
   unchanged book rebuilds in seconds.
4. **Publish**: only after a successful build is the new site copied next to
   ``_build/html`` and swapped in with one atomic rename (``_build/jupyter_execute``
   likewise); the previous site is never left half-overwritten.

On failure the last lines name the chapter file, the cell and the exception; the exit
status is non-zero. ``--stats-json FILE`` writes the timings and what was executed
(``benchmarks/bench.py`` and the tests read it). ``--builder linkcheck`` checks the
external links (skipped with a message when there is no network).
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import socket
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
DEVICE_ENV = "DLBOOK_DEVICE"
DEVICE_VALUES = ("auto", "cpu", "cuda")
JOBS_ENV = "DLBOOK_JOBS"
STARTED_ENV = "DLBOOK_BUILD_STARTED"
COMPLETE_MARK = ".complete"
PUBLISHED_MARK = ".published.json"
FINGERPRINT_MARK = ".inputs.json"
#: Folders of the source tree that never feed the site.
NOT_INPUTS = {"_build", ".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".hypothesis",
              "test-artifacts", ".ipynb_checkpoints"}


class BuildError(Exception):
    """A problem found before or around Sphinx; the message is printed as the build's last lines."""


# --------------------------------------------------------------------------------------
# The book: configuration, chapters, cache
# --------------------------------------------------------------------------------------


@dataclass
class Book:
    source: Path
    config: dict
    toc: Path
    cache_dir: Path
    work: Path
    output: Path

    @property
    def execute(self) -> dict:
        return self.config.get("execute") or {}

    @property
    def timeout(self) -> int | None:
        value = self.execute.get("timeout", 30)
        return None if value in (None, -1) else int(value)


def load_book(source: Path, output: Path | None) -> Book:
    import yaml

    config_path = source / "_config.yml"
    toc = source / "_toc.yml"
    for needed in (config_path, toc):
        if not needed.is_file():
            raise BuildError(f"{needed} is missing: is {source} the book's folder?")
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    cache = (config.get("execute") or {}).get("cache")
    cache_dir = (source / cache) if cache else source / "_build" / ".jupyter_cache"
    return Book(
        source=source,
        config=config,
        toc=toc,
        cache_dir=cache_dir.resolve(),
        work=source / "_build" / ".work",
        output=(output or source / "_build" / "html").resolve(),
    )


def toc_files(book: Book) -> list[Path]:
    """Source files of every document in ``_toc.yml``, in reading order."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    site_map = parse_toc_yaml(book.toc)
    files = []
    for docname in site_map:
        for suffix in (".md", ".ipynb", ".myst", ".rst"):
            path = book.source / f"{docname}{suffix}"
            if path.is_file():
                files.append(path)
                break
    return files


@dataclass
class Chapter:
    path: Path
    rel: str
    nb: object  # nbformat.NotebookNode, as MyST-NB reads it
    read_fmt: dict | None
    hashkey: str
    code_cells: int
    estimate: float = 0.0


def read_chapters(book: Book) -> list[Chapter]:
    """The notebooks of the book, read exactly as MyST-NB's Sphinx parser reads them."""
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader
    from myst_parser.config.main import MdParserConfig

    parse = book.config.get("parse") or {}
    md_config = MdParserConfig(enable_extensions=set(parse.get("myst_enable_extensions") or []))
    nb_config = NbParserConfig()
    excluded = list(book.execute.get("exclude_patterns") or [])
    cache = get_cache(book)
    chapters = []
    for path in toc_files(book):
        rel = path.relative_to(book.source).as_posix()
        if any(PurePosixPath(path.as_posix()).match(pat) for pat in excluded):  # as MyST-NB matches them
            continue
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), md_config, nb_config, text)
        if reader is None:
            continue  # a plain Markdown page
        nb = reader.read(text)  # (a notebook without code cells is executed too: MyST-NB would)
        _, hashkey = cache.create_hashed_notebook(nb)
        chapters.append(
            Chapter(
                path=path,
                rel=rel,
                nb=nb,
                read_fmt=reader.read_fmt,
                hashkey=hashkey,
                code_cells=sum(c.cell_type == "code" for c in nb.cells),
            )
        )
    return chapters


def get_cache(book: Book):
    from jupyter_cache import get_cache as _get_cache

    return _get_cache(str(book.cache_dir))


def repair_cache(book: Book) -> list[str]:
    """Remove cache entries whose executed notebook is missing, unreadable or incomplete.

    A build killed while the cache was being written can leave a record without its
    notebook (or a truncated one); MyST-NB would then fail on it. Returns what was removed.
    """
    import nbformat

    if not (book.cache_dir / "global.db").is_file():
        return []
    cache = get_cache(book)
    removed = []
    for record in cache.list_cache_records():
        path = book.cache_dir / "executed" / record.hashkey / "base.ipynb"
        problem = None
        try:
            nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
            counts = [c.get("execution_count") for c in nb.cells if c.cell_type == "code"]
            if not counts or counts != list(range(1, len(counts) + 1)):
                problem = "not every code cell was executed"
        except FileNotFoundError:
            problem = "its notebook file is missing"
        except Exception as exc:  # truncated JSON, bad notebook
            problem = f"its notebook cannot be read ({type(exc).__name__})"
        if problem:
            try:
                cache.remove_cache(record.pk)
            except Exception:
                shutil.rmtree(path.parent, ignore_errors=True)
                from jupyter_cache.cache.db import NbCacheRecord

                NbCacheRecord.remove_record(record.pk, cache.db)
            removed.append(f"{record.uri} ({problem})")
    # folders without a record (killed between writing the file and the record)
    known = {r.hashkey for r in cache.list_cache_records()}
    executed = book.cache_dir / "executed"
    if executed.is_dir():
        for folder in executed.iterdir():
            if folder.name not in known:
                shutil.rmtree(folder, ignore_errors=True)
    return removed


def stale_chapters(book: Book, chapters: list[Chapter]) -> list[Chapter]:
    """Chapters whose code cells have no executed notebook in the cache; with a time estimate."""
    from jupyter_cache.cache.db import NbCacheRecord

    cache = get_cache(book)
    records = cache.list_cache_records()
    stale = []
    for ch in chapters:
        try:
            NbCacheRecord.record_from_hashkey(ch.hashkey, cache.db)
            continue
        except KeyError:
            pass
        previous = [r for r in records if r.uri == str(ch.path)]
        if previous:
            last = max(previous, key=lambda r: r.created)
            ch.estimate = float((last.data or {}).get("execution_seconds") or 0.0)
        else:  # never ran: assume long (so it starts first), ordered by the amount of code
            ch.estimate = 1e6 + sum(len(c.source) for c in ch.nb.cells if c.cell_type == "code")
        stale.append(ch)
    return sorted(stale, key=lambda c: -c.estimate)


# --------------------------------------------------------------------------------------
# Checks before anything executes
# --------------------------------------------------------------------------------------


def check_device_value() -> str:
    value = os.environ.get(DEVICE_ENV, "auto")
    choice = value.strip().lower() or "auto"
    if choice not in DEVICE_VALUES:
        raise BuildError(
            f"{DEVICE_ENV}={value!r} is not a known device; allowed values: {', '.join(DEVICE_VALUES)} "
            f"(unset it to use a GPU when there is one)."
        )
    return choice


def check_font() -> str:
    """The CJK font the figures need (imports dlbook, and so torch: only when chapters execute)."""
    from dlbook import fonts

    try:
        path = fonts.cjk_font_path()
    except fonts.FontNotFoundError as exc:
        raise BuildError(f"no CJK font, so no chapter was executed: {exc}") from None
    return str(path)


def check_cuda(choice: str) -> None:
    if choice != "cuda":
        return
    import torch

    if not torch.cuda.is_available():
        raise BuildError(
            f"{DEVICE_ENV}=cuda asks for a GPU, but torch.cuda.is_available() is False on this machine "
            f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'no'}); no chapter was executed. "
            f"Unset {DEVICE_ENV} or set {DEVICE_ENV}=cpu to build on the CPU, or install the CUDA build of torch."
        )


# --------------------------------------------------------------------------------------
# Parallel execution into the cache
# --------------------------------------------------------------------------------------


@dataclass
class Failure:
    chapter: str
    cell: int | None = None  # 1-based index among all cells (as MyST-NB reports it)
    code_cell: int | None = None  # 1-based index among code cells
    line: int | None = None  # line where the cell starts in the source file (its opening fence)
    first_line: str = ""
    exception: str = ""
    detail: str = ""
    report: str = ""  # file with the full traceback

    def describe(self) -> str:
        where = self.chapter + (f":{self.line}" if self.line is not None else "")
        if self.cell is not None:
            where += f" — cell {self.cell}"
            if self.code_cell is not None:
                where += f" (code cell {self.code_cell})"
            if self.first_line:
                where += f": `{self.first_line}`"
        text = f"  {where}\n      {self.exception}"
        if self.detail:
            text += f"\n      {self.detail}"
        if self.report:
            text += f"\n      (full traceback: {self.report})"
        return text


@dataclass
class Executed:
    chapter: str
    seconds: float
    code_cells: int


def _cell_location(ch: Chapter, index: int | None) -> dict:
    if index is None or index >= len(ch.nb.cells):
        return {}
    cell = ch.nb.cells[index]
    source_map = ch.nb.metadata.get("source_map")
    lines = [ln for ln in cell.source.splitlines() if ln.strip()]
    code_no = sum(1 for c in ch.nb.cells[: index + 1] if c.cell_type == "code")
    return {
        "cell": index + 1,
        "code_cell": code_no,
        # MyST-NB's source_map: the line (1-based) where each cell starts in the .md file
        "line": source_map[index] if source_map and index < len(source_map) else None,
        "first_line": (lines[0].strip()[:80] if lines else ""),
    }


def _error_cell(nb) -> int | None:
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            if "raises-exception" not in cell.get("metadata", {}).get("tags", []):
                return i
    return None


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


async def _execute_one(book: Book, ch: Chapter, timeout: int | None, allow_errors: bool):
    """Run one chapter in a fresh kernel, as ``jupyter_cache.executors.utils.single_nb_execution``."""
    import copy

    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = copy.deepcopy(ch.nb)
    meta = nb.metadata.get("execution", {})  # MyST-NB passes meta_override=True
    timeout = meta.get("timeout", timeout)
    allow_errors = meta.get("allow_errors", allow_errors)
    current: dict = {"index": None}

    def on_cell_start(cell, cell_index):
        current["index"] = cell_index

    cwd = str(ch.path.parent)
    if book.execute.get("run_in_temp"):
        import tempfile

        cwd = tempfile.mkdtemp(prefix="dlbook-exec-")
    client = NotebookClient(
        nb,
        timeout=timeout,
        allow_errors=allow_errors,
        record_timing=False,
        shutdown_kernel="immediate",  # outputs are all in; a cell stuck past its timeout is stopped at once
        resources={"metadata": {"path": cwd}},
        on_cell_start=on_cell_start,
    )
    start = time.perf_counter()
    failure = None
    try:
        await client.async_execute()
    except CellTimeoutError as exc:
        failure = Failure(
            ch.rel,
            exception=f"CellTimeoutError: the cell ran longer than the limit of {timeout} s per cell",
            detail="(execute.timeout in _config.yml; a notebook may set its own execution.timeout)",
            **_cell_location(ch, current["index"]),
        )
        trace = str(exc)
    except CellExecutionError as exc:
        index = _error_cell(nb)
        evalue = _strip_ansi(str(exc.evalue)).strip().splitlines()
        failure = Failure(
            ch.rel,
            exception=f"{exc.ename}: {evalue[0] if evalue else ''}".rstrip(": "),
            **_cell_location(ch, index if index is not None else current["index"]),
        )
        trace = str(exc)
    except DeadKernelError as exc:
        failure = Failure(ch.rel, exception=f"DeadKernelError: the kernel died ({exc})", **_cell_location(ch, current["index"]))
        trace = traceback.format_exc()
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # kernel failed to start, unknown kernel, ...
        failure = Failure(
            ch.rel,
            exception=f"{type(exc).__name__}: {_strip_ansi(str(exc)).strip()[:300]}",
            **_cell_location(ch, current["index"]),
        )
        trace = traceback.format_exc()
    finally:
        if cwd != str(ch.path.parent):
            shutil.rmtree(cwd, ignore_errors=True)
    if failure is not None:
        report = reports_dir(book) / (str(Path(ch.rel).with_suffix("")) + ".err.log")
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(_strip_ansi(trace), encoding="utf-8")
        failure.report = str(report.relative_to(book.source)) if report.is_relative_to(book.source) else str(report)
        return failure
    return nb, time.perf_counter() - start


def reports_dir(book: Book) -> Path:
    """Where the full tracebacks of failed chapters go (outside the site, cleared by every build)."""
    return book.work.parent / "reports"


def cache_executed(book: Book, ch: Chapter, nb, seconds: float) -> None:
    """Store an executed notebook as MyST-NB does (project record + cache bundle)."""
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(book)
    if ch.read_fmt is not None:
        record = cache.add_nb_to_project(str(ch.path), read_data=ch.read_fmt)
    else:
        record = cache.add_nb_to_project(str(ch.path))
    from jupyter_cache.cache.db import NbProjectRecord

    NbProjectRecord.remove_tracebacks([record.pk], cache.db)
    cache.cache_notebook_bundle(
        CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds}),
        check_validity=False,
        overwrite=True,
    )


async def _execute_all(book: Book, stale: list[Chapter], jobs: int, log) -> tuple[list[Executed], list[Failure]]:
    timeout = book.timeout
    allow_errors = bool(book.execute.get("allow_errors", False))
    sem = asyncio.Semaphore(jobs)
    done: list[Executed] = []
    failed: list[Failure] = []

    async def run(ch: Chapter):
        async with sem:
            log(f"[dlbook] executing {ch.rel} ({ch.code_cells} code cells)")
            result = await _execute_one(book, ch, timeout, allow_errors)
            if isinstance(result, Failure):
                failed.append(result)
                log(f"[dlbook] FAILED    {ch.rel}: {result.exception}")
                return
            nb, seconds = result
            cache_executed(book, ch, nb, seconds)
            done.append(Executed(ch.rel, round(seconds, 2), ch.code_cells))
            log(f"[dlbook] executed  {ch.rel} in {seconds:.1f} s, cached")

    await asyncio.gather(*(run(ch) for ch in stale))
    return done, failed


def execute(book: Book, stale: list[Chapter], jobs: int, log) -> tuple[list[Executed], list[Failure]]:
    """Run :func:`_execute_all` in a worker thread; SIGTERM / Ctrl-C stop it cleanly.

    The event loop runs outside the main thread on purpose: nbclient then cannot install
    its own per-kernel signal handlers (they replace each other and fall back to the
    default action when a chapter ends), and this thread's handler cancels every chapter
    at once, which makes nbclient shut all kernels down. Nothing partial is cached: a
    notebook enters the cache only after it ran to the end.
    """
    state: dict = {}

    def runner():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        state["loop"] = loop
        task = state["task"] = loop.create_task(_execute_all(book, stale, jobs, log))
        if "signal" in state:
            task.cancel()
        try:
            state["value"] = loop.run_until_complete(task)
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # re-raised in the main thread
            state["error"] = exc
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def on_signal(signum, frame):
        if "signal" not in state:
            log(f"[dlbook] {signal.Signals(signum).name}: stopping, shutting the kernels down ...")
        state["signal"] = signum
        loop, task = state.get("loop"), state.get("task")
        if loop is not None and task is not None and not loop.is_closed():
            loop.call_soon_threadsafe(task.cancel)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    worker = threading.Thread(target=runner, name="dlbook-execute", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if "signal" in state:
        raise SystemExit(128 + state["signal"])
    if "error" in state:
        raise state["error"]
    return state["value"]


# --------------------------------------------------------------------------------------
# Sphinx
# --------------------------------------------------------------------------------------


class _Tee(io.TextIOBase):
    """Write to a stream and keep a copy (Sphinx's warnings are read back for the summary)."""

    def __init__(self, stream):
        self.stream, self.buffer = stream, io.StringIO()

    def write(self, text):
        self.buffer.write(text)
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()

    def isatty(self):
        return self.stream.isatty()

    @property
    def encoding(self):
        return getattr(self.stream, "encoding", "utf-8")


def run_sphinx(book: Book, builder: str, fresh: bool) -> tuple[int, str]:
    from jupyter_book.sphinx import build_sphinx

    outdir = book.work / builder
    overrides = {
        "external_toc_path": book.toc.as_posix(),
        "latex_individualpages": False,
        "nitpicky": True,
        "nb_execution_cache_path": str(book.cache_dir),
    }
    tee_out, tee_err = _Tee(sys.stdout), _Tee(sys.stderr)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = tee_out, tee_err
    cwd = os.getcwd()
    try:
        os.chdir(book.source)
        result = build_sphinx(
            str(book.source),
            str(outdir),
            doctreedir=str(book.work / (".doctrees" if builder == "html" else f".doctrees-{builder}")),
            noconfig=True,
            path_config=str(book.source / "_config.yml"),
            confoverrides=overrides,
            builder=builder,
            warningiserror=True,
            keep_going=True,
            freshenv=fresh,
        )
    finally:
        os.chdir(cwd)
        sys.stdout, sys.stderr = saved
    status = result if isinstance(result, int) else 1
    return status, tee_out.buffer.getvalue() + tee_err.buffer.getvalue()


def sphinx_problems(log: str, outdir: Path, source: Path) -> list[str]:
    """The warnings and errors of a failed Sphinx run, plus MyST-NB's execution reports."""
    lines = []
    for raw in _strip_ansi(log).splitlines():
        if re.search(r"(WARNING|ERROR|CRITICAL|SEVERE):", raw) or raw.startswith(("Exception occurred", "Extension error")):
            text = raw.replace(str(source) + "/", "")
            if text not in lines:
                lines.append(text)
    reports = sorted((outdir / "reports").rglob("*.err.log")) if (outdir / "reports").is_dir() else []
    for report in reports:
        doc = report.relative_to(outdir / "reports").as_posix()[: -len(".err.log")]
        tail = [ln for ln in _strip_ansi(report.read_text(encoding="utf-8")).splitlines() if ln.strip()]
        last = tail[-1] if tail else "(empty report)"
        lines.append(f"{doc}: execution failed: {last} (full traceback: {report})")
    return lines


STDERR_WARNING = re.compile(r"^(?P<doc>\S+?\.\w+):\d+: WARNING: stderr was found in the cell outputs of cell (?P<cell>\d+)")


def with_stderr_text(book: Book, problems: list[str]) -> list[str]:
    """After each "stderr was found in ... cell N" warning, the text that cell printed to stderr.

    (MyST-NB names the cell but not what it printed: a missing glyph, a library warning...)
    """
    out = []
    for line in problems:
        out.append(line)
        m = STDERR_WARNING.match(line)
        if not m:
            continue
        try:
            record = get_cache(book).get_cached_project_nb(str(book.source / m["doc"]))
            nb = get_cache(book).get_cache_bundle(record.pk).nb if record is not None else None
        except (KeyError, OSError):
            nb = None
        cells = nb.cells if nb is not None else []
        n = int(m["cell"])
        ordered = ([cells[n]] if n < len(cells) else []) + cells
        for cell in ordered:
            texts = [o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stderr"]
            if texts:
                first = "".join(texts).strip().splitlines()[:4]
                out += [f"    stderr: {_strip_ansi(t)[:300]}" for t in first]
                break
    return out


# --------------------------------------------------------------------------------------
# Publishing: copy, then swap atomically
# --------------------------------------------------------------------------------------


def _manifest(folder: Path) -> dict:
    """{relative path: content hash} (Sphinx rewrites some unchanged files, so not mtimes)."""
    import hashlib

    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            out[path.relative_to(folder).as_posix()] = hashlib.md5(path.read_bytes()).hexdigest()
    return out


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD = -100
    rc = fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def publish(src: Path, dest: Path) -> None:
    """Make ``dest`` a copy of ``src``; ``dest`` is swapped in whole, never written in place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fresh = dest.parent / f".{dest.name}.new-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(src, fresh, symlinks=True)
    if dest.exists() and not dest.is_symlink():
        if _exchange(fresh, dest):
            shutil.rmtree(fresh)  # now holds the previous site
            return
        old = dest.parent / f".{dest.name}.old-{os.getpid()}"
        os.rename(dest, old)
        os.rename(fresh, dest)
        shutil.rmtree(old, ignore_errors=True)
    else:
        if dest.is_symlink():
            dest.unlink()
        os.rename(fresh, dest)


def publish_site(book: Book, builder: str) -> bool:
    """Copy the work folder's site to the output (and jupyter_execute next to it) if it changed."""
    built = book.work / builder
    pairs = [(built, book.output)]
    if (book.work / "jupyter_execute").is_dir():
        pairs.append((book.work / "jupyter_execute", book.output.parent / "jupyter_execute"))
    mark = book.work / PUBLISHED_MARK
    manifest = {str(dest): _manifest(src) for src, dest in pairs}
    try:
        previous = json.loads(mark.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    if previous == manifest and all(dest.is_dir() for _, dest in pairs):
        return False
    for src, dest in pairs:
        publish(src, dest)
    mark.write_text(json.dumps(manifest), encoding="utf-8")
    return True


# --------------------------------------------------------------------------------------
# Up-to-date check: nothing that feeds the site changed since the last successful build
# --------------------------------------------------------------------------------------


def input_fingerprint(book: Book, builder: str) -> dict:
    """Size and mtime of every file of the source tree (and of the tools that build it).

    Equal to the fingerprint saved by the last successful build means Sphinx would find
    nothing to do; the build then stops after this stat walk (a fraction of a second)
    instead of starting Sphinx (~3 s of imports).
    """
    files = {}
    for dirpath, dirnames, filenames in os.walk(book.source):
        dirnames[:] = sorted(d for d in dirnames if d not in NOT_INPUTS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            try:
                st = path.stat()
            except OSError:
                continue
            files[path.relative_to(book.source).as_posix()] = [st.st_size, st.st_mtime_ns]
    tools = [Path(__file__).resolve()]
    ext = importlib.util.find_spec("dlbook")
    if ext and ext.submodule_search_locations:
        tools += sorted(Path(list(ext.submodule_search_locations)[0]).glob("*.py"))
    site = Path(importlib.util.find_spec("sphinx").origin).parents[1]  # changes when packages are (un)installed
    tools.append(site)
    return {
        "builder": builder,
        "output": str(book.output),
        "cache": str(book.cache_dir),
        "python": sys.executable,
        "files": files,
        "tools": {str(t): os.stat(t).st_mtime_ns for t in tools},
    }


LIBRARY_MARK = "dlbook.sha256"


def library_hash() -> str | None:
    """SHA-256 of the sources of the imported ``dlbook`` package (None if it is not found)."""
    spec = importlib.util.find_spec("dlbook")
    if not spec or not spec.submodule_search_locations:
        return None
    digest = hashlib.sha256()
    for path in sorted(Path(list(spec.submodule_search_locations)[0]).glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def forget_if_library_changed(book: Book) -> bool:
    """Empty the execution cache when ``dlbook`` changed since the chapters were executed.

    MyST-NB's cache keys on a chapter's own code cells; every chapter also runs dlbook, so
    an edit there would otherwise leave stale numbers and figures. Returns True if cleared.
    """
    mark, now = book.cache_dir / LIBRARY_MARK, library_hash()
    if now is None or not mark.is_file() or mark.read_text(encoding="utf-8").strip() == now:
        return False
    cache = get_cache(book)
    for record in cache.list_cache_records():
        cache.remove_cache(record.pk)
    mark.unlink()
    return True


def remember_library(book: Book) -> None:
    now = library_hash()
    if now is not None and book.cache_dir.is_dir():
        (book.cache_dir / LIBRARY_MARK).write_text(now + "\n", encoding="utf-8")


def up_to_date(book: Book, fingerprint: dict) -> bool:
    try:
        saved = json.loads((book.work / FINGERPRINT_MARK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    outputs = [book.output, book.output / "index.html", book.work / f"{COMPLETE_MARK}-html"]
    return saved == fingerprint and all(p.exists() for p in outputs)


# --------------------------------------------------------------------------------------
# Link check
# --------------------------------------------------------------------------------------


NET_PROBE_ENV = "DLBOOK_NET_PROBE"


def have_network(timeout: float = 3.0) -> tuple[bool, str]:
    """Can this machine open a connection to the internet (``DLBOOK_NET_PROBE=host:port``, default pypi.org:443)?"""
    probe = os.environ.get(NET_PROBE_ENV, "pypi.org:443")
    host, _, port = probe.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True, probe
    except (OSError, ValueError):
        return False, probe


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


@dataclass
class Stats:
    source: str
    output: str
    jobs: int
    ok: bool = False
    seconds_total: float = 0.0
    seconds_checks: float = 0.0
    seconds_execute: float = 0.0
    seconds_sphinx: float = 0.0
    seconds_publish: float = 0.0
    chapters: int = 0
    from_cache: list = field(default_factory=list)
    executed: list = field(default_factory=list)
    cells_executed: int = 0
    executed_by_sphinx: list = field(default_factory=list)
    repaired: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    published: bool = False


class build_lock:
    """One build at a time per book folder (``_build/.lock``); released by the OS if the build dies."""

    def __init__(self, source: Path):
        self.path = source / "_build" / ".lock"

    def __enter__(self):
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            other = self.fh.read().strip() or "?"
            self.fh.close()
            raise BuildError(f"another build of this book is running (pid {other}); wait for it to finish") from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(str(os.getpid()))
        self.fh.flush()
        return self

    def __exit__(self, *exc):
        self.fh.close()
        return False


def default_jobs() -> int:
    value = os.environ.get(JOBS_ENV, "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise BuildError(f"{JOBS_ENV}={value!r} is not a positive integer (chapters executed side by side)")
        return int(value)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="build_book.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--source", type=Path, default=ROOT, help="the book's folder (with _config.yml, _toc.yml)")
    p.add_argument("--output", type=Path, default=None, help="where the site goes (default: SOURCE/_build/html)")
    p.add_argument("-j", "--jobs", type=int, default=None, help=f"chapters executed side by side (default: ${JOBS_ENV} or one per CPU core)")
    p.add_argument("--builder", choices=("html", "linkcheck", "latex"), default="html")
    p.add_argument("--fresh", action="store_true", help="re-read every page (the execution cache is kept)")
    p.add_argument("--stats-json", type=Path, default=None, help="write timings and what executed to this file")
    args = p.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        p.error("--jobs must be >= 1")
    return args


def log(msg: str) -> None:
    print(msg, flush=True)


def main(argv: list[str]) -> int:
    t0 = time.time()
    args = parse_args(argv)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ[STARTED_ENV] = f"{t0:.3f}"
    stats = Stats(source=str(args.source), output=str(args.output or ""), jobs=0)
    try:
        with build_lock(args.source.resolve()):
            rc = _main(args, stats, t0)
    except BuildError as exc:
        stats.failures.append(str(exc))
        print("\n" + "=" * 78, file=sys.stderr)
        print(f"BUILD FAILED: {exc}", file=sys.stderr)
        rc = 1
    stats.seconds_total = round(time.time() - t0, 2)
    if args.stats_json:
        args.stats_json.write_text(json.dumps(asdict(stats), ensure_ascii=False, indent=1), encoding="utf-8")
    return rc


def _main(args: argparse.Namespace, stats: Stats, t0: float) -> int:
    source = args.source.resolve()
    book = load_book(source, args.output.resolve() if args.output else None)
    if args.builder == "linkcheck":
        online, probe = have_network()
        if not online:
            log(f"linkcheck skipped: no network ({probe} cannot be reached). Run `make linkcheck` again on a machine online.")
            stats.ok = True
            return 0
        book.output = book.work.parent / "linkcheck"
    stats.output = str(book.output)
    jobs = args.jobs or default_jobs()
    stats.jobs = jobs

    # 0. nothing changed since the last successful build?
    device = check_device_value()
    fingerprint = input_fingerprint(book, args.builder) if args.builder == "html" else None
    if fingerprint and not args.fresh and up_to_date(book, fingerprint):
        stats.ok = True
        log(f"[dlbook] nothing changed since the last successful build: {book.output} is up to date "
            f"({time.time() - t0:.2f} s; `--fresh` forces Sphinx to re-read every page)")
        return 0
    (book.work / FINGERPRINT_MARK).unlink(missing_ok=True)

    # 1. checks
    if forget_if_library_changed(book):
        log("[dlbook] the dlbook package changed since the chapters were executed: re-executing every chapter")
    stats.repaired = repair_cache(book)
    for entry in stats.repaired:
        log(f"[dlbook] removed a damaged cache entry: {entry}")
    mode = book.execute.get("execute_notebooks", "auto")
    chapters = read_chapters(book) if mode == "cache" else []
    stale = stale_chapters(book, chapters) if chapters else []
    stats.chapters = len(chapters)
    stale_names = {c.rel for c in stale}
    stats.from_cache = [c.rel for c in chapters if c.rel not in stale_names]
    if stale:
        check_font()
        check_cuda(device)
    stats.seconds_checks = round(time.time() - t0, 2)

    # 2. execution (parallel, into the cache)
    shutil.rmtree(reports_dir(book), ignore_errors=True)
    if stale:
        jobs_now = min(jobs, len(stale))
        log(f"[dlbook] {len(stale)} of {len(chapters)} chapters to execute, {jobs_now} at a time "
            f"({len(chapters) - len(stale)} from the cache {book.cache_dir})")
        t1 = time.time()
        done, failed = execute(book, stale, jobs_now, log)
        stats.seconds_execute = round(time.time() - t1, 2)
        stats.executed = [asdict(d) for d in sorted(done, key=lambda d: d.chapter)]
        stats.cells_executed = sum(d.code_cells for d in done)
        if failed:
            stats.failures = [asdict(f) for f in failed]
            print("\n" + "=" * 78, file=sys.stderr)
            print(f"BUILD FAILED: {len(failed)} chapter(s) raised while executing; nothing was published "
                  f"({book.output} is unchanged). Executed successfully and cached: {len(done)}.", file=sys.stderr)
            for f in sorted(failed, key=lambda f: f.chapter):
                print(f.describe(), file=sys.stderr)
            return 1
    else:
        log(f"[dlbook] all {len(chapters)} chapters are in the execution cache: nothing to execute")
    remember_library(book)

    # 3. Sphinx
    t2 = time.time()
    complete = book.work / f"{COMPLETE_MARK}-{args.builder}"
    fresh = args.fresh or not complete.exists()
    if fresh and (book.work / args.builder).exists():
        shutil.rmtree(book.work / args.builder)  # a killed or failed build may have left stale pages
    book.work.mkdir(parents=True, exist_ok=True)
    complete.unlink(missing_ok=True)
    status, output = run_sphinx(book, args.builder, fresh)
    stats.seconds_sphinx = round(time.time() - t2, 2)
    stats.executed_by_sphinx = sorted(set(re.findall(r"(\S+): Executing notebook using", _strip_ansi(output))))
    if status != 0:
        problems = with_stderr_text(book, sphinx_problems(output, book.work / args.builder, book.source))
        stats.failures = problems
        print("\n" + "=" * 78, file=sys.stderr)
        print(f"BUILD FAILED: Sphinx stopped with status {status}; nothing was published "
              f"({book.output} is unchanged). Problems:", file=sys.stderr)
        for line in problems[-25:] or ["(no warning lines found; see the log above)"]:
            print(f"  {line}", file=sys.stderr)
        return 1
    complete.write_text("ok\n", encoding="utf-8")

    # 4. publish
    t3 = time.time()
    if args.builder == "html":
        stats.published = publish_site(book, args.builder)
    stats.seconds_publish = round(time.time() - t3, 2)
    if fingerprint:
        (book.work / FINGERPRINT_MARK).write_text(json.dumps(fingerprint), encoding="utf-8")
    stats.ok = True
    ran = ", ".join(f"{d['chapter']} {d['seconds']:.1f} s" for d in stats.executed) or "none"
    log(f"[dlbook] build succeeded in {time.time() - t0:.1f} s: executed {ran}; "
        f"{len(stats.from_cache)} chapter(s) from the cache; site in {book.output}"
        + ("" if stats.published else " (unchanged)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
