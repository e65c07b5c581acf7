"""`make book`: the book of `jupyter-book build .`, faster and never half-published.

Chapters not in MyST-NB's cache run first, DLBOOK_JOBS at a time, longest first; then
Sphinx renders from the cache, and only a good build replaces _build/html (README).
"""

import argparse, ast, json, os, re, runpy, shutil, signal, socket, sys, time  # noqa
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# run, not imported: Sphinx imports the extensions of the book being built (--source)
REREAD = runpy.run_path(str(ROOT / "book" / "_ext" / "reread_executed.py"))
long_code_lines = runpy.run_path(str(ROOT / "tools" / "code_width.py"))["long_lines"]
dlbook_digest, forget_runs_if_dlbook_changed = (
    REREAD["dlbook_digest"], REREAD["forget_runs_if_dlbook_changed"])  # fmt: skip
NOT_INPUTS = {"_build", ".git", ".venv", "node_modules", "__pycache__", ".pytest_cache"}
NOT_INPUTS |= {".hypothesis", "test-artifacts", ".ipynb_checkpoints", ".ruff_cache"}
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def rel(path, src: Path) -> str:
    return Path(path).relative_to(src).as_posix()


def chapters(src: Path) -> list[Path]:
    """The notebook chapters of ``_toc.yml``, in reading order."""
    from myst_nb.core.read import is_myst_markdown_notebook as is_notebook
    from sphinx_external_toc.parsing import parse_toc_yaml

    files = [src / f"{doc}.md" for doc in parse_toc_yaml(src / "_toc.yml")]
    return [f for f in files if f.is_file() and is_notebook(f.read_text("utf-8"))]


def open_cache(cache_dir: Path, files: list[Path], stats: dict):
    """The cache holding ``files``; emptied if dlbook changed, damaged runs removed."""
    from jupyter_cache import get_cache

    if forget_runs_if_dlbook_changed(cache_dir):
        print("[dlbook] the dlbook package changed: re-executing every chapter")
    cache, stats["repaired"] = get_cache(str(cache_dir)), []
    for r in cache.list_cache_records():
        try:
            nb = cache_dir / "executed" / r.hashkey / "base.ipynb"
            json.loads(nb.read_text("utf-8"))["cells"][0]  # a killed build's is cut
        except (OSError, ValueError, LookupError):
            cache.remove_cache(r.pk)
            stats["repaired"].append(f"{r.uri} (damaged)")
    reader = {"name": "myst_nb_md", "type": "plugin"}  # MyST-NB's, so its cache keys
    for f in files:
        cache.add_nb_to_project(str(f), read_data=reader)
    return cache


def failure(cache, uri: str, src: Path) -> dict:
    """Chapter, cell, line and exception of a failed chapter, from its traceback."""
    trace = ANSI.sub("", cache.get_project_record(uri).traceback or "")
    log = src / "_build" / "reports" / (rel(uri, src)[: -len(".md")] + ".err.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(trace, "utf-8")
    last = [ln for ln in trace.splitlines() if ln.strip()][-1:]
    out = {"chapter": rel(uri, src), "report": rel(log, src)}
    out["exception"] = (last or ["the kernel died or did not start (log above)"])[0]
    if "CellTimeoutError" in trace:
        out["exception"] = re.findall(r"CellTimeoutError: .*", trace)[-1]
        out["exception"] += " (execute.timeout in _config.yml, or the chapter's own)"
    first = re.findall(r"(?:following cell|cell contents):\n-+\n(.*)", trace)[:1]
    if first and first[0].startswith("['"):  # nbclient's preview of a long cell
        first = ast.literal_eval(first[0])[:1]
    at = [int(n) for n in re.findall(r"Cell In\[\d+\], line (\d+)", trace)][-1:] or [1]
    text, pos, n_code = Path(uri).read_text("utf-8"), 0, 0
    for i, c in enumerate(cache.get_project_notebook(uri).nb.cells):
        pos = max(pos, text.find(c.source, pos))
        n_code += c.cell_type == "code"
        if c.cell_type == "code" and first and c.source.splitlines()[:1] == first:
            line = text[:pos].count("\n") + at[0]
            code = c.source.splitlines()[at[0] - 1].strip()[:80]
            where = f"{out['chapter']}:{line} — cell {i + 1} (code cell {n_code})"
            out.update(cell=i + 1, line=line, where=f"{where}, line {at[0]}: `{code}`")
            break
    return out


def worker_init() -> None:
    """An execution worker: its kernels get CurveZMQ keys (no TCP warning per chapter:
    book/_ext/kernel_encryption.py); its log is quiet (the summary names failed cells).

    It never trims the cache: jupyter-cache's trim reads the records in two queries, so
    a worker could delete the record another worker has just made, before that one's
    notebook is written (KeyError "Notebook file does not exist"). The parent trims
    once, after the pool.
    """
    import multiprocessing

    from jupyter_cache.cache.main import JupyterCacheBase

    JupyterCacheBase.truncate_caches = lambda self: None

    runpy.run_path(str(ROOT / "book" / "_ext" / "kernel_encryption.py"))[
        "encrypt_kernel_transport"]()  # fmt: skip
    multiprocessing.get_logger().setLevel("ERROR")


def execute(
    src: Path, cache_dir: Path, jobs: int, timeout: int, stats: dict, only=None
) -> list:
    """Run the stale chapters (of ``only``, if given) through jupyter-cache's worker;
    return the failures."""
    import multiprocessing

    from jupyter_cache.executors.basic import ExecutionWorkerLocalMProc, ProcessData

    files = [f for f in chapters(src) if only is None or f in only]
    cache = open_cache(cache_dir, files, stats)
    stale = cache.list_unexecuted([str(f) for f in files])
    took = {r.uri: r.data or {} for r in cache.list_cache_records()}
    size = {r.uri: 1e6 + Path(r.uri).stat().st_size for r in stale}  # new: first
    stale.sort(key=lambda r: -took.get(r.uri, {}).get("execution_seconds", size[r.uri]))
    stats["from_cache"] = [rel(f, src) for f in files if str(f) not in size]
    if not stale:
        return []
    jobs, failures = min(jobs, len(stale)), []
    print(f"[dlbook] executing {len(stale)} of {len(files)} chapters, {jobs} at a time")
    work = [ProcessData(r.pk, r.uri, cache, timeout, False) for r in stale]
    with multiprocessing.Pool(jobs, initializer=worker_init) as pool:
        for code, uri in pool.imap_unordered(ExecutionWorkerLocalMProc(), work):
            name, cells = rel(uri, src), cache.get_project_notebook(uri).nb.cells
            if code:
                failures.append(failure(cache, uri, src))
                print(f"[dlbook] FAILED   {name}: {failures[-1]['exception']}")
                continue
            sec = round(cache.get_cached_project_nb(uri).data["execution_seconds"], 2)
            n = sum(c.cell_type == "code" for c in cells)
            stats["executed"].append({"chapter": name, "seconds": sec, "code_cells": n})
            stats["cells_executed"] += n
            print(f"[dlbook] executed {name} in {sec:.1f} s", flush=True)
    cache.truncate_caches()  # the workers' part, done once (worker_init)
    return sorted(failures, key=lambda f: f["chapter"])


def sphinx(src: Path, work: Path, builder: str, cache_dir: Path) -> tuple[int, list]:
    """`jupyter-book build . -W -n --keep-going` into ``work``: status, warnings."""
    import io
    from contextlib import redirect_stderr

    from jupyter_book.sphinx import build_sphinx

    toc, config = str(src / "_toc.yml"), str(src / "_config.yml")
    overrides = dict(external_toc_path=toc, nitpicky=True, latex_individualpages=False)
    overrides["nb_execution_cache_path"] = str(cache_dir)
    with redirect_stderr(io.StringIO()) as log:  # Sphinx's warnings and errors
        status = build_sphinx(
            str(src), str(work / builder), builder=builder,
            doctreedir=str(work / f".doctrees-{builder}"), noconfig=True,
            path_config=config, confoverrides=overrides,
            warningiserror=True, keep_going=True,
        )  # fmt: skip
    sys.stderr.write(log.getvalue())
    lines = ANSI.sub("", log.getvalue()).replace(f"{src}/", "").splitlines()
    warnings = [ln for ln in lines if re.search(r"WARNING|ERROR", ln)]
    if isinstance(status, BaseException):  # stopped: at set-up, or an extension raised
        text = ANSI.sub("", str(status)).replace(f"{src}/", "").strip()
        text = text.replace("\n", "\n      ")
        warnings.append(f"Sphinx stopped: {type(status).__name__}: {text}")
        return 1, warnings
    if status and not warnings:  # failed without a warning line: its last words
        warnings = [ln for ln in lines if ln.strip()][-5:]
        warnings = warnings or [f"Sphinx exited with {status}"]
    return status, warnings


def preflight(src: Path, builder: str) -> list[str]:
    """What the build needs besides Python packages, checked before any chapter runs:
    Node.js and the build's npm packages (installed here if missing: node_tools.py)."""
    if builder != "html":  # KaTeX and PurgeCSS run for the site only
        return []
    tools = runpy.run_path(str(src / "book" / "_ext" / "node_tools.py"))
    try:
        version = tools["ready"]()
    except tools["NodeToolsError"] as exc:
        return [f"node_tools: {exc}"]
    print(f"[dlbook] Node.js {version} and the build's npm packages are ready")
    return []


def fingerprint(src: Path) -> list:
    """Size and mtime of every input: equal to the last good build's means no work."""
    files = [Path(__file__)]
    for folder, dirs, names in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in NOT_INPUTS)
        files += [Path(folder, n) for n in sorted(names)]
    stat = [[str(p), p.stat().st_size, p.stat().st_mtime_ns] for p in files]
    env = [os.environ.get(k) for k in ("DLBOOK_DEVICE", "DLBOOK_REPOSITORY_URL")]
    return [sys.executable, *env, dlbook_digest(), *stat]


def failed(what: str, out: Path) -> str:
    """The head of the failure summary, the last lines of every failed build."""
    return f"\n{'=' * 78}\nBUILD FAILED: {what}; {out / 'html'} is unchanged."


def build(args, stats: dict) -> int:
    src, t0 = args.source.resolve(), time.time()
    out = src / "_build"
    cache_dir, work = out / ".jupyter_cache", out / ".work"
    mark = work / ".inputs.json"
    if args.builder == "linkcheck":
        probe = os.environ.get("DLBOOK_NET_PROBE", "pypi.org:443")
        try:
            socket.create_connection(probe.rsplit(":", 1), timeout=3).close()
        except OSError:
            print(f"linkcheck skipped: no network ({probe}); `make linkcheck` online.")
            return 0
    now = fingerprint(src)
    if args.builder == "html" and (out / "html/index.html").exists() and mark.is_file():
        if json.loads(mark.read_text()) == now:
            print("[dlbook] nothing changed since the last successful build")
            return 0
    mark.unlink(missing_ok=True)
    shutil.rmtree(out / "reports", ignore_errors=True)
    os.environ["DLBOOK_BUILD_STARTED"] = f"{t0:.3f}"  # for the execution report
    import yaml

    missing = preflight(src, args.builder)
    if missing:
        stats["failures"] = missing
        print(failed("a tool the build needs is missing; no chapter was executed", out),
              *(f"  {p}" for p in missing), sep="\n", file=sys.stderr)  # fmt: skip
        return 1
    config = yaml.safe_load((src / "_config.yml").read_text("utf-8"))
    if (
        args.builder == "html"
    ):  # before any cell runs: a reader's code line fits the page
        wide = [w for f in chapters(src) for w in long_code_lines(f, rel(f, src))]
        if wide:
            stats["failures"] = wide
            head = f"\n{'=' * 78}\nBUILD FAILED: code lines wider than the page; "
            head += f"{out / 'html'} is unchanged."
            print(head, *(f"  {w}" for w in wide[:25]), sep="\n", file=sys.stderr)
            return 1
    failures = execute(src, cache_dir, args.jobs, config["execute"]["timeout"], stats)
    stats["seconds_execute"], t1 = round(time.time() - t0, 2), time.time()
    what = f"{len(failures)} chapter(s) raised"
    problems = [f"{f.get('where', f['chapter'])}\n      {f['exception']}\n      "
                f"(full traceback: {f['report']})" for f in failures]  # fmt: skip
    if not failures:
        status, problems = sphinx(src, work, args.builder, cache_dir)
        stats["seconds_sphinx"], what = round(time.time() - t1, 2), f"Sphinx {status}"
        from jupyter_cache import get_cache

        new = get_cache(str(cache_dir)).list_cache_records()
        new = [r for r in new if r.created.timestamp() >= t1]
        stats["executed_by_sphinx"] = sorted(rel(r.uri, src) for r in new)
        failures = problems if status else []
    if failures:  # Sphinx's pages as built, warnings shown: _build/.work/<builder>
        stats["failures"] = failures
        tail = (f"  {p}" for p in problems[-25:])
        print(failed(what, out), *tail, sep="\n", file=sys.stderr)
        return 1
    names = ("html", "jupyter_execute") if args.builder == "html" else ()
    absent = [rel(work / name, src) for name in names if not (work / name).is_dir()]
    if absent:  # never a half-published site
        stats["failures"] = [f"Sphinx wrote no {', '.join(absent)}"]
        print(failed(stats["failures"][0], out), file=sys.stderr)
        return 1
    for name in names:
        new, old = out / f".{name}.new", out / f".{name}.old"  # copied, then swapped in
        for folder in (new, old):
            shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(work / name, new)
        if (out / name).exists():
            (out / name).rename(old)
        new.rename(out / name)
        shutil.rmtree(old, ignore_errors=True)
    if args.builder == "html":
        mark.write_text(json.dumps(now))
    where = (out if args.builder == "html" else work) / args.builder
    print(f"[dlbook] built in {time.time() - t0:.1f} s: {where}")
    return 0


def stop(signum, frame) -> None:
    """SIGTERM / Ctrl-C: end workers and kernels at once (nothing partial is cached)."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        child.kill()
    os._exit(128 + signum)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--source", type=Path, default=ROOT)
    p.add_argument("--builder", choices=("html", "linkcheck", "latex"), default="html")
    p.add_argument("--stats-json", type=Path)
    args = p.parse_args(argv)
    jobs = os.environ.get("DLBOOK_JOBS", "").strip()
    if jobs and not (jobs.isdigit() and int(jobs) > 0):
        p.error(f"DLBOOK_JOBS={jobs!r}: give how many chapters run side by side")
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else ()
    args.jobs = int(jobs or 0) or len(cores) or os.cpu_count() or 1
    stats = {"executed": [], "from_cache": [], "cells_executed": 0, "failures": []}
    stats.update(executed_by_sphinx=[], seconds_execute=0.0, seconds_sphinx=0.0)
    stats["jobs"], t0 = args.jobs, time.time()
    os.environ["DLBOOK_PRINT_FIGURES"] = "1"  # figures also as PDFs, as pdf_zh.py asks
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    rc = build(args, stats)
    stats.update(ok=rc == 0, seconds_total=round(time.time() - t0, 2))
    if args.stats_json:
        args.stats_json.write_text(json.dumps(stats, ensure_ascii=False), "utf-8")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
