"""Build benchmark: ``make bench``. Measures, in one run, on fresh copies of the sources:

1. a cold build with ``make book``'s driver (empty execution cache);
2. a no-change rebuild;
3. a prose-only edit of one chapter: how many cells it re-executed (must be 0);
4. a code edit of the same chapter: which chapters it re-executed (must be only that one);
5. ``make preview`` on the built copy: seconds from saving a prose edit to the served page
   showing it (target <= 3 s);
6. a cold build of another copy with plain ``jupyter-book build .`` (one chapter after the
   other inside Sphinx), and the speed-up of 1 over 6;
7. ``benchmarks/site_size.py``'s report.

Timings depend on the machine and on what else runs on it: the load average is printed before
and after. Nothing here is asserted by the tests (timings never go in tests).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "tools" / "build_book.py"
IGNORE = {"_build", ".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".hypothesis", "test-artifacts"}
TARGETS = {"cold_s": 55.0, "speedup": 2.0, "nochange_s": 3.0, "preview_s": 3.0,
           "execution_sum_s": 150.0}  # the evidence issue's budget: sum over chapters
PREVIEW = ROOT / "tools" / "preview.py"
PROSE_MARK = "\n\n（基准测试加的一句话：只改文字，不改代码。）\n"
CODE_MARK = "\n# benchmark: a code edit\n"


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def copy_book(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=lambda folder, names: [n for n in names if n in IGNORE], symlinks=True)
    return dest


def run(cmd: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{(proc.stdout + proc.stderr)[-3000:]}")
    return time.perf_counter() - t


def build(book: Path, stats: Path) -> tuple[float, dict]:
    seconds = run([sys.executable, str(BUILD), "--source", str(book), "--stats-json", str(stats)], book)
    return seconds, json.loads(stats.read_text(encoding="utf-8"))


def edit(path: Path, code: bool) -> None:
    """Append a sentence after the title (prose) or a comment to the last code cell (code)."""
    text = path.read_text(encoding="utf-8")
    if code:
        at = text.rindex("```{code-cell}")
        end = text.index("\n```", at + 10)
        text = text[:end] + CODE_MARK.rstrip("\n") + text[end:]
    else:
        title = text.index("\n# ")
        end = text.index("\n", title + 1)
        text = text[:end] + PROSE_MARK + text[end:]
    path.write_text(text, encoding="utf-8")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    from urllib.request import urlopen

    with urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def wait_for(test, timeout: float, what: str, log: Path, step: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if found := test():
                return found
        except (OSError, http.client.HTTPException):  # not up yet, or a page being written
            pass
        time.sleep(step)
    raise TimeoutError(f"{what} after {timeout:.0f} s; preview log:\n{log.read_text()[-3000:]}")


def preview_latency(book: Path, chapter: str, edits: int = 3, start_timeout: float = 600) -> list[float]:
    """Start `make preview` (tools/preview.py) on ``book``; then ``edits`` times: save a new
    sentence in ``chapter`` and poll the served page until it shows it. Seconds per edit.
    Stops the server with Ctrl-C (SIGINT) and checks that it ends cleanly."""
    import signal

    port, log = free_port(), book / "_build" / "preview.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}/{chapter.removesuffix('.md')}.html"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, str(PREVIEW), "--source", str(book), "--port", str(port)],
                                cwd=book, stdout=out, stderr=subprocess.STDOUT)
    seconds = []
    try:
        wait_for(lambda: "[preview] serving" in log.read_text() and fetch(url), start_timeout,
                 "the preview did not serve the page", log, step=0.5)
        for i in range(edits):
            mark = f"预览测量{i}号{time.time_ns()}"
            path, text = book / chapter, (book / chapter).read_text(encoding="utf-8")
            title = text.index("\n# ")
            end = text.index("\n", title + 1)
            t = time.perf_counter()
            path.write_text(text[:end] + f"\n\n{mark}\n" + text[end:], encoding="utf-8")
            wait_for(lambda: mark in fetch(url), 120, f"edit {i} did not show", log)
            seconds.append(time.perf_counter() - t)
            time.sleep(1)  # let the rebuild finish (the reload follows the page write)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise RuntimeError(f"the preview did not stop on Ctrl-C; log:\n{log.read_text()[-2000:]}")
    if rc != 0:
        raise RuntimeError(f"the preview stopped with status {rc}; log:\n{log.read_text()[-2000:]}")
    return seconds


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, default=ROOT, help="the book to measure (it is copied first)")
    ap.add_argument("--chapter", default="book/spiral.md", help="chapter to edit")
    ap.add_argument("--jobs", type=int, default=None, help="DLBOOK_JOBS for the builds (default: theirs)")
    ap.add_argument("--skip-plain", action="store_true", help="skip the plain `jupyter-book build .` cold build")
    ap.add_argument("--json", type=Path, default=None, help="also write every number to this file")
    args = ap.parse_args(argv)
    if args.jobs:
        os.environ["DLBOOK_JOBS"] = str(args.jobs)
    tmp = Path(tempfile.mkdtemp(prefix="dlbook-bench-"))
    out: dict = {"load_before": loadavg(), "cpus": os.cpu_count()}
    print(f"dlbook build benchmark · {os.cpu_count()} CPU(s) · load average {out['load_before']}")
    try:
        book = copy_book(args.source.resolve(), tmp / "book")
        cold, s = build(book, tmp / "cold.json")
        out.update(cold_s=cold, cold_execute_s=s["seconds_execute"], cold_sphinx_s=s["seconds_sphinx"])
        print(f"1. make book, cold ({s['jobs']} chapters side by side): {cold:6.1f} s "
              f"[execution {s['seconds_execute']:.1f} · Sphinx {s['seconds_sphinx']:.1f}]")
        for d in sorted(s["executed"], key=lambda d: -d["seconds"]):
            print(f"     {d['chapter']:28s} {d['seconds']:6.1f} s  ({d['code_cells']} code cells)")
        out["execution_sum_s"] = round(sum(d["seconds"] for d in s["executed"]), 1)
        print(f"     {'sum of the chapters':28s} {out['execution_sum_s']:6.1f} s")
        out["nochange_s"], _ = build(book, tmp / "nochange.json")
        print(f"2. no-change rebuild: {out['nochange_s']:6.2f} s")
        edit(book / args.chapter, code=False)
        out["prose_s"], s = build(book, tmp / "prose.json")
        out["prose_cells"] = s["cells_executed"] + len(s["executed_by_sphinx"])
        print(f"3. prose edit of {args.chapter}: {out['prose_s']:6.1f} s, re-executed {out['prose_cells']} cell(s)")
        edit(book / args.chapter, code=True)
        out["code_s"], s = build(book, tmp / "code.json")
        out["code_chapters"] = [d["chapter"] for d in s["executed"]] + s["executed_by_sphinx"]
        print(f"4. code edit of {args.chapter}: {out['code_s']:6.1f} s, re-executed {out['code_chapters']}")
        lat = preview_latency(book, args.chapter)
        out["preview_s"] = lat
        print("5. make preview, prose edit saved -> shown in the served page: "
              + ", ".join(f"{x:.2f} s" for x in lat))
        rows = [("make book, cold", f"{cold:.1f} s", cold <= TARGETS["cold_s"], f"<= {TARGETS['cold_s']:.0f} s"),
                ("chapter execution, sum", f"{out['execution_sum_s']:.1f} s",
                 out["execution_sum_s"] <= TARGETS["execution_sum_s"], f"<= {TARGETS['execution_sum_s']:.0f} s"),
                ("no-change rebuild", f"{out['nochange_s']:.2f} s", out["nochange_s"] <= TARGETS["nochange_s"],
                 f"<= {TARGETS['nochange_s']:.0f} s"),
                ("cells re-executed by a prose edit", str(out["prose_cells"]), out["prose_cells"] == 0, "0"),
                ("chapters re-executed by a code edit", ", ".join(out["code_chapters"]),
                 out["code_chapters"] == [args.chapter], f"only {args.chapter}"),
                ("make preview: prose edit shown (worst)", f"{max(lat):.2f} s", max(lat) <= TARGETS["preview_s"],
                 f"<= {TARGETS['preview_s']:.0f} s")]
        if not args.skip_plain:
            plain = copy_book(args.source.resolve(), tmp / "plain")
            out["plain_cold_s"] = run([str(Path(sys.executable).parent / "jupyter-book"), "build", "."], plain)
            speedup = out["plain_cold_s"] / cold
            print(f"6. jupyter-book build ., cold: {out['plain_cold_s']:6.1f} s; make book is {speedup:.2f}x faster")
            rows.append(("speed-up over plain jupyter-book build", f"{speedup:.2f}x", speedup >= TARGETS["speedup"],
                         f">= {TARGETS['speedup']:.0f}x"))
        out["load_after"] = loadavg()
        print("\nratios and targets:")
        for name, value, ok, goal in rows:
            print(f"  {name:42s} {value:>24s}  {goal:>22s}  {'PASS' if ok else 'MISS'}")
        print(f"load average after: {out['load_after']}")
        site_size = ROOT / "benchmarks" / "site_size.py"
        if site_size.is_file():
            print("\nsite size (benchmarks/site_size.py):")
            sys.path.insert(0, str(site_size.parent))
            import site_size as _site_size  # noqa: E402

            out["site_size"] = _site_size.main(["--site", str(book / "_build" / "html")])
        if args.json:
            args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
