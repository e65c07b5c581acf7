"""`make book`: the same book as `jupyter-book build .`, faster and without touching a good site.

1. Chapters whose code cells are not in MyST-NB's execution cache (``_build/.jupyter_cache``)
   are executed with jupyter-cache's own worker, ``DLBOOK_JOBS`` (default: one per CPU core)
   at a time, longest first. An edit of ``dlbook``'s sources empties the cache first.
2. Jupyter Book's Sphinx build (``jupyter-book build . -W -n --keep-going``) renders the pages
   from the cache into ``_build/.work``; only if it succeeds is the site swapped into
   ``_build/html`` (and ``_build/jupyter_execute``) with one rename each.
On failure the last lines name the chapter file, cell, line and exception. ``--stats-json FILE``
writes what ran and the timings (bench, tests).
"""

from __future__ import annotations

import argparse, ast, hashlib, json, os, re, shutil, signal, socket, sys, time  # noqa: E401
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_INPUTS = {"_build", ".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".hypothesis",
              "test-artifacts", ".ipynb_checkpoints"}
READER = {"name": "myst_nb_md", "type": "plugin"}  # MyST-NB's reader: cache keys equal MyST-NB's own
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def chapters(src: Path) -> list[Path]:
    """The notebook chapters of ``_toc.yml``, in reading order."""
    from myst_nb.core.read import is_myst_markdown_notebook
    from sphinx_external_toc.parsing import parse_toc_yaml

    files = [src / f"{doc}.md" for doc in parse_toc_yaml(src / "_toc.yml")]
    return [f for f in files if f.is_file() and is_myst_markdown_notebook(f.read_text(encoding="utf-8"))]


def dlbook_hash() -> str:
    code = sorted((ROOT / "code" / "dlbook").glob("*.py"))
    return hashlib.sha256(b"".join(p.name.encode() + p.read_bytes() for p in code)).hexdigest()


def prepare_cache(cache, cache_dir: Path, files: list[Path]) -> list[str]:
    """Forget everything if dlbook changed, drop damaged entries; return what was dropped."""
    mark, now, dropped = cache_dir / "dlbook.sha256", dlbook_hash(), []
    changed = mark.is_file() and mark.read_text().strip() != now
    if changed:
        print("[dlbook] the dlbook package changed since the chapters were executed: re-executing every chapter")
    for rec in cache.list_cache_records():
        nb = cache_dir / "executed" / rec.hashkey / "base.ipynb"
        try:
            damaged = not json.loads(nb.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            damaged = True
        if changed or damaged:
            cache.remove_cache(rec.pk)
            dropped += [] if changed else [f"{rec.uri} (damaged)"]
    mark.write_text(now + "\n")
    for f in files:
        cache.add_nb_to_project(str(f), read_data=READER)
    return dropped


def failure(cache, uri: str, src: Path, reports: Path) -> dict:
    """Chapter, cell, line and exception of a failed chapter, from jupyter-cache's traceback."""
    trace = ANSI.sub("", cache.get_project_record(uri).traceback or "")
    rel = Path(uri).relative_to(src).as_posix()
    log = reports / (rel[: -len(".md")] + ".err.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(trace, encoding="utf-8")
    last = [ln for ln in trace.splitlines() if ln.strip()][-1:] or ["the kernel died or did not start (log above)"]
    out = {"chapter": rel, "exception": last[0], "report": log.relative_to(src).as_posix()}
    block = re.search(r"(?:following cell|cell contents):\n-+\n(.*?)\n-+\n", trace, re.S)
    if "CellTimeoutError" in trace:
        out["exception"] = re.findall(r"CellTimeoutError: .*", trace)[-1] + \
            " (execute.timeout in _config.yml; a chapter may set its own execution.timeout)"
    first = block.group(1).splitlines()[0] if block else None
    if first and first.startswith("['"):  # nbclient's preview of a long cell: a list of lines
        first = ast.literal_eval(first)[0]
    nb, text, pos = cache.get_project_notebook(uri).nb, Path(uri).read_text(encoding="utf-8"), 0
    for i, c in enumerate(nb.cells):
        pos = max(pos, text.find(c.source, pos))
        if c.cell_type == "code" and first is not None and c.source.splitlines()[:1] == [first]:
            in_cell = [int(n) for n in re.findall(r"Cell In\[\d+\], line (\d+)", trace)][-1:] or [1]
            line = text[:pos].count("\n") + in_cell[0]
            code_no = sum(x.cell_type == "code" for x in nb.cells[: i + 1])
            out.update(cell=i + 1, line=line, where=f"{rel}:{line} — cell {i + 1} (code cell {code_no}), "
                       f"line {in_cell[0]}: `{c.source.splitlines()[in_cell[0] - 1].strip()[:80]}`")
            break
    return out


def worker_init() -> None:
    """A worker ends (and ends its kernel) with the build, and logs only kernel deaths (the summary
    names failed cells)."""
    import ctypes
    import logging
    import multiprocessing

    multiprocessing.get_logger().setLevel(logging.ERROR)
    try:  # Linux: SIGTERM when the build is gone, even killed
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):
        pass


def execute(src: Path, cache_dir: Path, jobs: int, timeout: int, stats: dict) -> list[dict]:
    """Run the stale chapters through jupyter-cache's worker; cache the good ones, return failures."""
    from jupyter_cache import get_cache
    from jupyter_cache.executors.basic import ExecutionWorkerLocalMProc, ProcessData

    cache, files = get_cache(str(cache_dir)), chapters(src)
    stats["repaired"] = prepare_cache(cache, cache_dir, files)
    stale = [r for r in cache.list_unexecuted([str(f) for f in files])]
    before = {r.uri: (r.data or {}).get("execution_seconds", 0) for r in cache.list_cache_records()}
    stale.sort(key=lambda r: -before.get(r.uri, 1e6 + Path(r.uri).stat().st_size))
    stats["from_cache"] = [f.relative_to(src).as_posix() for f in files if str(f) not in {r.uri for r in stale}]
    if not stale:
        return []
    print(f"[dlbook] executing {len(stale)} of {len(files)} chapters, {min(jobs, len(stale))} at a time", flush=True)
    data = [ProcessData(r.pk, r.uri, cache, timeout, False) for r in stale]
    failures = []
    with Pool(min(jobs, len(stale)), initializer=worker_init) as pool:
        for code, uri in pool.imap_unordered(ExecutionWorkerLocalMProc(), data):
            rel = Path(uri).relative_to(src).as_posix()
            if code:
                failures.append(failure(cache, uri, src, cache_dir.parent / "reports"))
                print(f"[dlbook] FAILED   {rel}: {failures[-1]['exception']}", flush=True)
                continue
            rec = cache.get_cached_project_nb(uri)
            sec = round(rec.data.get("execution_seconds", 0), 2)
            cells = sum(c.cell_type == "code" for c in cache.get_project_notebook(uri).nb.cells)
            stats["executed"].append({"chapter": rel, "seconds": sec, "code_cells": cells})
            print(f"[dlbook] executed {rel} in {sec:.1f} s", flush=True)
    stats["cells_executed"] = sum(d["code_cells"] for d in stats["executed"])
    return failures


def sphinx(src: Path, work: Path, builder: str, cache_dir: Path) -> tuple[int, list[str]]:
    """`jupyter-book build . -W -n --keep-going` into ``work``; return status and warning lines."""
    import io
    from contextlib import redirect_stderr

    from jupyter_book.sphinx import build_sphinx

    class Tee(io.StringIO):
        def write(self, s):
            sys.__stderr__.write(s)
            return super().write(s)

    log = Tee()
    with redirect_stderr(log):
        status = build_sphinx(str(src), str(work / builder), doctreedir=str(work / f".doctrees-{builder}"),
                              noconfig=True, path_config=str(src / "_config.yml"), builder=builder,
                              confoverrides={"external_toc_path": str(src / "_toc.yml"), "nitpicky": True,
                                             "latex_individualpages": False,
                                             "nb_execution_cache_path": str(cache_dir)},
                              warningiserror=True, keep_going=True)
    lines = [ANSI.sub("", ln).replace(f"{src}/", "") for ln in log.getvalue().splitlines()]
    return (status if isinstance(status, int) else 1), [ln for ln in lines if re.search(r"WARNING|ERROR", ln)]


def with_stderr(cache, src: Path, warnings: list[str]) -> list[str]:
    """After each "stderr was found in ... cell N" warning, what that cell printed to stderr."""
    out = []
    for w in warnings:
        out.append(w)
        m = re.match(r"(\S+?\.md):\d+: WARNING: stderr was found in the cell outputs", w)
        rec = m and cache.get_cached_project_nb(str(src / m[1]))
        outputs = [o for c in cache.get_cache_bundle(rec.pk).nb.cells for o in c.get("outputs", [])] if rec else []
        text = next((o["text"] for o in outputs if o.get("name") == "stderr"), "")
        out += [f"    stderr: {ln[:300]}" for ln in ANSI.sub("", text).strip().splitlines()[:4]]
    return out


def publish(built: Path, dest: Path) -> None:
    """Make ``dest`` a copy of ``built``, swapped in with one rename (never half-written)."""
    new, old = dest.with_name(f".{dest.name}.new"), dest.with_name(f".{dest.name}.old")
    for d in (new, old):
        shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(built, new)
    if dest.exists():
        os.rename(dest, old)
    os.rename(new, dest)
    shutil.rmtree(old, ignore_errors=True)


def fingerprint(src: Path) -> list:
    """Size and mtime of every input file: equal to the last good build's means nothing to do."""
    out = []
    for folder, dirs, names in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in NOT_INPUTS)
        out += [[os.path.join(folder, n), (s := os.stat(os.path.join(folder, n))).st_size, s.st_mtime_ns]
                for n in sorted(names)]
    tools = [Path(__file__), *sorted((ROOT / "code" / "dlbook").glob("*.py"))]
    return out + [[str(t), t.stat().st_mtime_ns] for t in tools] + [sys.executable, os.environ.get("DLBOOK_DEVICE")]


def build(args, stats: dict) -> int:
    src, t0 = args.source.resolve(), time.time()
    out = src / "_build"
    cache_dir, work = out / ".jupyter_cache", out / ".work"
    if args.builder == "linkcheck":
        host, _, port = os.environ.get("DLBOOK_NET_PROBE", "pypi.org:443").rpartition(":")
        try:
            socket.create_connection((host, int(port)), timeout=3).close()
        except OSError:
            print(f"linkcheck skipped: no network ({host}:{port} unreachable); run `make linkcheck` online.")
            return 0
    mark, now = work / ".inputs.json", fingerprint(src)
    if args.builder == "html" and (out / "html" / "index.html").exists() and mark.is_file() \
            and json.loads(mark.read_text()) == now:
        print(f"[dlbook] nothing changed since the last successful build: {out / 'html'} is up to date ({time.time() - t0:.2f} s)")
        return 0
    mark.unlink(missing_ok=True)
    shutil.rmtree(out / "reports", ignore_errors=True)
    os.environ["DLBOOK_BUILD_STARTED"] = f"{t0:.3f}"
    import yaml

    timeout = (yaml.safe_load((src / "_config.yml").read_text(encoding="utf-8"))["execute"]).get("timeout", 30)
    failures = execute(src, cache_dir, args.jobs, timeout, stats)
    stats["seconds_execute"] = round(time.time() - t0, 2)
    if failures:
        stats["failures"] = failures
        print("\n" + "=" * 78 + f"\nBUILD FAILED: {len(failures)} chapter(s) raised; {out / 'html'} is unchanged.",
              file=sys.stderr)
        for f in sorted(failures, key=lambda f: f["chapter"]):
            print(f"  {f.get('where', f['chapter'])}\n      {f['exception']}\n      (full traceback: {f['report']})",
                  file=sys.stderr)
        return 1
    t1 = time.time()
    status, warnings = sphinx(src, work, args.builder, cache_dir)
    stats["seconds_sphinx"] = round(time.time() - t1, 2)
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir))
    stats["executed_by_sphinx"] = sorted(Path(r.uri).relative_to(src).as_posix()
                                         for r in cache.list_cache_records() if r.created.timestamp() >= t1)
    if status:
        warnings = stats["failures"] = with_stderr(cache, src, warnings)
        print("\n" + "=" * 78 + f"\nBUILD FAILED: Sphinx status {status}; {out / 'html'} is unchanged. Problems:",
              *[f"  {w}" for w in warnings[-25:]], sep="\n", file=sys.stderr)
        return 1
    if args.builder == "html":
        for name in ("html", "jupyter_execute"):
            publish(work / name, out / name)
        mark.write_text(json.dumps(now))
    print(f"[dlbook] build succeeded in {time.time() - t0:.1f} s; site in {out / args.builder}")
    return 0


def stop(signum, frame) -> None:
    """SIGTERM / Ctrl-C: end the workers and their kernels at once (nothing partial is cached)."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        child.kill()
    os._exit(128 + signum)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--source", type=Path, default=ROOT)
    p.add_argument("--builder", choices=("html", "linkcheck", "latex"), default="html")
    p.add_argument("--stats-json", type=Path)
    p.add_argument("-j", "--jobs", type=int, default=None)
    args = p.parse_args(argv)
    jobs = os.environ.get("DLBOOK_JOBS", "").strip()
    if jobs and not (jobs.isdigit() and int(jobs) > 0):
        p.error(f"DLBOOK_JOBS={jobs!r} is not a positive integer (chapters executed side by side)")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    args.jobs = args.jobs or int(jobs or 0) or cores or 1
    stats = {"executed": [], "from_cache": [], "cells_executed": 0, "executed_by_sphinx": [], "failures": [],
             "seconds_execute": 0.0, "seconds_sphinx": 0.0, "jobs": args.jobs}
    t0 = time.time()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    rc = build(args, stats)
    stats.update(ok=rc == 0, seconds_total=round(time.time() - t0, 2))
    if args.stats_json:
        args.stats_json.write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
