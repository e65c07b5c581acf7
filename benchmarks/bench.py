"""Build benchmark: ``make bench``. Prints, for this machine, in one run:

1. a cold build of the whole book (a fresh copy of the sources, empty execution cache,
   its own temporary output folder);
2. a no-change rebuild (the up-to-date check), and the same with Sphinx forced to run;
3. a prose-only edit of one chapter (on the copy; the real sources are never touched):
   how many cells it re-executed (must be 0);
4. a code edit of the same chapter: which chapters it re-executed (must be only that one);
5. the pure execution time of every chapter, run alone with nbclient outside Sphinx
   (one kernel per chapter, one after the other, ``DLBOOK_THREADS=1``), split into kernel
   start, the first cell (imports + ``dlbook.setup``), cells that draw figures and the rest;
6. the ratios against the targets, and ``benchmarks/site_size.py``'s report if present.

Timings depend on the machine and on what else runs on it; the load average is printed.
Nothing here is asserted by the tests (timings never go in tests).
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402  (the build's own chapter reader and ignore list)

TARGETS = {"cold_s": 120.0, "overhead": 1.3, "nochange_s": 3.0}
PROSE_MARK = "\n\n（基准测试加的一句话：只改文字，不改代码。）\n"
CODE_MARK = "\n# benchmark: a code edit\n"


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def copy_book(src: Path, dest: Path) -> Path:
    def ignore(folder, names):
        return [n for n in names if n in build_book.NOT_INPUTS]

    shutil.copytree(src, dest, ignore=ignore, symlinks=True)
    return dest


def build(book: Path, stats: Path, *extra: str) -> tuple[float, dict, subprocess.CompletedProcess]:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(BUILD), "--source", str(book), "--stats-json", str(stats), *extra],
        capture_output=True, text=True,
    )
    wall = time.perf_counter() - t
    data = json.loads(stats.read_text(encoding="utf-8")) if stats.exists() else {}
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"build failed (rc={proc.returncode}) in {book}")
    return wall, data, proc


def pick_chapter(chapters, wanted: str | None):
    if wanted:
        for ch in chapters:
            if ch.rel == wanted:
                return ch
        raise SystemExit(f"--chapter {wanted}: not a notebook chapter of the book ({[c.rel for c in chapters]})")
    for ch in chapters:
        if ch.rel == "book/spiral.md":
            return ch
    return chapters[0]


def prose_edit(path: Path) -> None:
    """Append a sentence to the first Markdown paragraph after the title (outside any code cell)."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    in_fence = False
    front = 0
    if lines and lines[0].strip() == "---":  # skip the YAML header
        front = lines.index("---", 1) + 1
    for i in range(front, len(lines)):
        s = lines[i].strip()
        if s.startswith("```") or s.startswith(":::"):
            in_fence = not in_fence
            continue
        if not in_fence and s and not s.startswith(("#", "```", ":::", "$", "-", "|", ">", "{", "(", "+++", "%")):
            lines[i] = lines[i] + PROSE_MARK.strip()
            path.write_text("\n".join(lines), encoding="utf-8")
            return
    raise SystemExit(f"no prose paragraph found in {path}")


def code_edit(path: Path) -> None:
    """Add a comment line to the chapter's last code cell (changes its code, not its results)."""
    text = path.read_text(encoding="utf-8")
    start = text.rfind("```{code-cell}")
    if start < 0:
        raise SystemExit(f"no code cell in {path}")
    end = text.find("\n```", text.find("\n", start))
    path.write_text(text[:end] + CODE_MARK.rstrip("\n") + text[end:], encoding="utf-8")


def pure_execution(ch, timeout: int | None) -> dict:
    """Run one chapter alone in a fresh kernel; split its time into kernel start, setup, figures, rest."""
    import copy

    from nbclient import NotebookClient

    nb = copy.deepcopy(ch.nb)
    client = NotebookClient(nb, timeout=timeout, resources={"metadata": {"path": str(ch.path.parent)}})
    t0 = time.perf_counter()
    parts = {"kernel_start": 0.0, "first_cell": 0.0, "figure_cells": 0.0, "other_cells": 0.0}
    slowest = (0.0, "")
    with client.setup_kernel():
        client.kc.kernel_info()  # wait until the kernel answers
        parts["kernel_start"] = time.perf_counter() - t0
        first = True
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            t = time.perf_counter()
            client.execute_cell(cell, i, execution_count=None)
            dt = time.perf_counter() - t
            draws = any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {}) for o in cell.outputs)
            key = "first_cell" if first else ("figure_cells" if draws else "other_cells")
            parts[key] += dt
            first = False
            if dt > slowest[0]:
                slowest = (dt, cell.source.strip().splitlines()[0][:60] if cell.source.strip() else "")
    parts["total"] = time.perf_counter() - t0
    parts["slowest_cell"] = f"{slowest[0]:.1f} s: {slowest[1]}"
    return parts


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, default=ROOT, help="the book to measure (it is copied first)")
    ap.add_argument("--chapter", default=None, help="chapter to edit (default: book/spiral.md)")
    ap.add_argument("--jobs", type=int, default=None, help="build_book.py --jobs (default: its own)")
    ap.add_argument("--skip-pure", action="store_true", help="skip the per-chapter nbclient runs")
    ap.add_argument("--json", type=Path, default=None, help="also write every number to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary copy")
    args = ap.parse_args(argv)
    os.environ.setdefault("DLBOOK_THREADS", "1")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    extra = ["--jobs", str(args.jobs)] if args.jobs else []

    tmp = Path(tempfile.mkdtemp(prefix="dlbook-bench-"))
    out: dict = {"load_before": loadavg(), "cpus": os.cpu_count()}
    print(f"dlbook build benchmark · {os.cpu_count()} CPU(s) · load average {out['load_before']} · copy in {tmp}")
    try:
        book = copy_book(args.source.resolve(), tmp / "book")
        chapters = build_book.read_chapters(build_book.load_book(book, None))
        target = pick_chapter(chapters, args.chapter)

        cold, s_cold, _ = build(book, tmp / "cold.json", *extra)
        out["cold_s"] = cold
        out["cold_stats"] = s_cold
        print(f"\n1. cold build (empty cache, {s_cold['jobs']} chapters side by side): {cold:6.1f} s  "
              f"[checks {s_cold['seconds_checks']:.1f} · execution {s_cold['seconds_execute']:.1f} · "
              f"Sphinx {s_cold['seconds_sphinx']:.1f} · publish {s_cold['seconds_publish']:.1f}]")
        for d in s_cold["executed"]:
            print(f"     {d['chapter']:28s} {d['seconds']:6.1f} s  ({d['code_cells']} code cells)")

        nochange, s_nc, _ = build(book, tmp / "nochange.json", *extra)
        out["nochange_s"] = nochange
        (book / "_build" / ".work" / build_book.FINGERPRINT_MARK).unlink(missing_ok=True)
        sphinx_noop, s_noop, _ = build(book, tmp / "noop.json", *extra)
        out["nochange_sphinx_s"] = sphinx_noop
        print(f"2. no-change rebuild: {nochange:6.2f} s (up-to-date check); with Sphinx forced to run: "
              f"{sphinx_noop:.1f} s, executed {len(s_noop['executed'])} chapter(s)")

        prose_edit(book / target.rel)
        prose, s_prose, _ = build(book, tmp / "prose.json", *extra)
        out.update(prose_s=prose, prose_cells=s_prose["cells_executed"], prose_chapters=[d["chapter"] for d in s_prose["executed"]])
        print(f"3. prose edit of {target.rel}: {prose:6.1f} s, re-executed {s_prose['cells_executed']} cell(s)")

        code_edit(book / target.rel)
        code, s_code, _ = build(book, tmp / "code.json", *extra)
        re_ran = [d["chapter"] for d in s_code["executed"]] + s_code["executed_by_sphinx"]
        out.update(code_s=code, code_chapters=re_ran)
        print(f"4. code edit of {target.rel}: {code:6.1f} s, re-executed: {', '.join(re_ran) or 'nothing'}")

        if not args.skip_pure:
            print("5. pure execution, each chapter alone (nbclient, one kernel, outside Sphinx):")
            print(f"     {'chapter':28s} {'total':>7s} {'kernel':>7s} {'1st cell':>8s} {'figures':>8s} {'rest':>7s}   slowest cell")
            book_obj = build_book.load_book(book, None)
            pure = {}
            for ch in build_book.read_chapters(book_obj):
                p = pure_execution(ch, book_obj.timeout)
                pure[ch.rel] = p
                print(f"     {ch.rel:28s} {p['total']:7.1f} {p['kernel_start']:7.1f} {p['first_cell']:8.1f} "
                      f"{p['figure_cells']:8.1f} {p['other_cells']:7.1f}   {p['slowest_cell']}")
            total = sum(p["total"] for p in pure.values())
            out["pure"] = pure
            out["pure_total_s"] = total
            print(f"     {'sum':28s} {total:7.1f}")
            out["overhead"] = cold / total if total else None

        print("\nratios and targets:")
        rows = []
        if "overhead" in out:
            rows.append(("build overhead = cold / sum of pure execution", f"{out['overhead']:.2f}x", out["overhead"] <= TARGETS["overhead"], f"<= {TARGETS['overhead']}x"))
        rows += [
            ("cold build", f"{cold:.1f} s", cold <= TARGETS["cold_s"], f"<= {TARGETS['cold_s']:.0f} s"),
            ("no-change rebuild", f"{nochange:.2f} s", nochange <= TARGETS["nochange_s"], f"<= {TARGETS['nochange_s']:.0f} s"),
            ("no-change / cold", f"{nochange / cold:.3f}", None, ""),
            ("cells re-executed by a prose edit", str(out["prose_cells"]), out["prose_cells"] == 0, "0"),
            ("chapters re-executed by a code edit", ", ".join(re_ran) or "none", re_ran == [target.rel], f"only {target.rel}"),
        ]
        for name, value, ok, goal in rows:
            mark = "" if ok is None else ("PASS" if ok else "MISS")
            print(f"  {name:48s} {value:>22s}  {goal:>24s}  {mark}")
        out["load_after"] = loadavg()
        print(f"load average after: {out['load_after']}")

        site_size = ROOT / "benchmarks" / "site_size.py"
        if site_size.is_file():
            print("\nsite size (benchmarks/site_size.py):")
            sys.path.insert(0, str(site_size.parent))
            import site_size as _site_size  # noqa: E402

            try:
                out["site_size"] = _site_size.main(["--site", str(book / "_build" / "html")])
            except SystemExit as exc:  # its argument parser refused; report, do not lose the numbers above
                print(f"  site_size.py stopped (exit {exc.code})")
            except Exception as exc:
                print(f"  site_size.py failed: {type(exc).__name__}: {exc}")
        if args.json:
            args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    finally:
        if args.keep:
            print(f"(kept {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
