"""`make check`: the authors' fast tier, run after `make book` (CONTRIBUTING.md).

One pytest run over: the lint tests (ruff on the code and on the chapters' code cells,
code width, typography: tests/lint), the unit tests of the dlbook modules changed since
main (all of them when unsure), the chapter and site tests against the built site
(DLBOOK_TEST_SITE=_build/html, nothing is rebuilt), and the reader search questions
(Node.js on the built search index; in Chromium too when the browser tools are
installed).  `make test` stays the full suite.
"""

from __future__ import annotations

import json, os, runpy, shutil, subprocess, sys, time  # noqa: E401
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
BROWSER_SEARCH = "tests/browser/test_search.py::test_reader_questions_find_their_page"


def say(text: str) -> None:
    print(f"[check] {text}", flush=True)


def git(*args: str) -> list[str]:
    proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode:
        raise OSError(proc.stderr.strip())
    return [ln for ln in proc.stdout.splitlines() if ln.strip()]


def changed_files(base: str) -> list[str]:
    """Files changed since ``base`` (committed or not), and new untracked files."""
    ahead = git("merge-base", base, "HEAD")[0]
    files = git("diff", "--name-only", ahead)  # commits since main + working tree
    return sorted(set(files + git("ls-files", "--others", "--exclude-standard")))


def unit_tests(base: str) -> tuple[list[str], str]:
    """The tests/unit files for the changed dlbook modules, and why."""
    every = sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "tests/unit").glob("test_*.py")
    )
    try:
        files = changed_files(base)
    except (OSError, IndexError) as err:
        return every, f"all (no git diff against {base}: {err})"
    chosen, unsure = set(), []
    for f in files:
        path = Path(f)
        if (
            f.startswith("tests/unit/test_")
            and f.endswith(".py")
            and (ROOT / f).exists()
        ):
            chosen.add(f)
        elif f.startswith("code/dlbook/") and f.endswith(".py"):
            module = path.parent.name if path.parent.name != "dlbook" else path.stem
            tests = (ROOT / "tests/unit").glob(f"test_{module.lstrip('_')}*.py")
            tests = [t.relative_to(ROOT).as_posix() for t in tests]
            chosen.update(tests)
            if not tests:
                unsure.append(f)
    if unsure:
        return every, f"all ({', '.join(unsure)} has no tests/unit file of its name)"
    if not chosen:
        return [], f"none (no dlbook module changed since {base})"
    return sorted(chosen), f"of the modules changed since {base}"


def site_is_current() -> bool:
    """Whether _build/html was built from the sources as they are now (make book's mark;
    the tests and the docs are not the book's sources here)."""
    build = runpy.run_path(str(ROOT / "tools" / "build_book.py"))
    mark = ROOT / "_build" / ".work" / ".inputs.json"
    if not mark.is_file():
        return False
    skip = tuple(str(ROOT / d) + os.sep for d in ("tests", "docs"))
    skip += tuple(str(ROOT / f) for f in ("README.md", "CONTRIBUTING.md"))

    def book(entries):
        return [
            e for e in entries if not (isinstance(e, list) and e[0].startswith(skip))
        ]

    return book(json.loads(mark.read_text())) == book(build["fingerprint"](ROOT))


def browser_ready() -> str:
    """'' when Chromium and Playwright are installed, else what is missing."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright (requirements-test.txt) is not installed"
    if not any(
        shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")
    ):
        return "Chromium is not installed (`make test` installs it, as root)"
    return ""


def main(argv: list[str]) -> int:
    t0 = time.time()
    if not (SITE / "index.html").is_file():
        say("no built site in _build/html: run `make book` first")
        return 2
    if not site_is_current():
        say("_build/html is older than the sources: run `make book` first "
            "(make check tests the built site and rebuilds nothing)")  # fmt: skip
        return 2
    base = os.environ.get("DLBOOK_CHECK_BASE", "main")
    units, why = unit_tests(base)
    say(
        f"unit tests: {why}"
        + (f": {', '.join(Path(u).stem for u in units)}" if units else "")
    )
    paths = ["tests/lint", *units, "tests/chapters", "tests/site"]
    missing = browser_ready()
    if missing:
        say(f"search questions in Node.js only; the browser run is skipped: {missing}")
    else:
        paths.append(BROWSER_SEARCH)
    env = dict(os.environ, DLBOOK_TEST_SITE=str(SITE))
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT / "code"), env.get("PYTHONPATH")])
    )
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *paths,
        *argv,
    ]
    if "-n" not in argv and (os.cpu_count() or 1) > 1:
        cmd[4:4] = ["-n", str(min(4, os.cpu_count() or 1))]
    rc = subprocess.call(cmd, cwd=ROOT, env=env)
    say(f"{'passed' if rc == 0 else 'FAILED'} in {time.time() - t0:.0f} s")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
