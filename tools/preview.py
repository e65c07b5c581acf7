"""`make preview`: serve the book, rebuild on every saved edit, reload the browser.

The rebuild is `make book`'s: chapters whose code changed run first through the same
execution cache (a prose edit executes nothing), then Sphinx renders into the same
``_build/.work/html`` with the same settings.  One Sphinx application stays in memory
between rebuilds (a new ``sphinx-build`` process would spend seconds importing the
book's extensions), and the whole-site steps that don't change the edited page (code
bundle, CSS purge, icon subset, search index and term counts, PDF link) run once at
start, not on every save.  Serving and reloading are sphinx-autobuild's (its server,
watcher and injected reload script).  `make book` afterwards publishes to
``_build/html`` as always.
"""

from __future__ import annotations

import argparse, asyncio, os, runpy, sys, threading, time  # noqa: E401
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = runpy.run_path(str(ROOT / "tools" / "build_book.py"))
# Steps after the first build left to `make book`: they rewrite whole-site files
# (build-finished) or every page with a device line (the execution report's env-updated)
SKIPPED_ON_REBUILD = {
    ("execution_report", "_rewrite_pages"),
    ("bundle", "_build_finished"),
    ("page_styles", "_build_finished"),
    ("icon_subset", "_build_finished"),
    ("zh_search", "add_term_counts"),
    ("pdf_zh", "copy_pdf"),
}
WATCHED = ("book", "code", "_config.yml", "_toc.yml")  # what the book is built from
WATCH_IGNORED = {
    "_build",
    ".git",
    ".venv",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
}
WATCH_IGNORED |= {".hypothesis", "test-artifacts", ".ipynb_checkpoints", ".ruff_cache"}


def say(text: str) -> None:
    print(f"[preview] {text}", flush=True)


class Book:
    """The book's Sphinx application, kept between rebuilds."""

    def __init__(self, src: Path, jobs: int):
        self.src, self.jobs = src, jobs
        self.out = src / "_build"
        self.cache_dir, self.work = self.out / ".jupyter_cache", self.out / ".work"
        self.html = self.work / "html"
        self.app = None
        self.lock = threading.Lock()

    def _make_app(self):
        from jupyter_book.config import get_final_config
        from sphinx.application import Sphinx
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        overrides = dict(external_toc_path=str(self.src / "_toc.yml"), nitpicky=True)
        overrides.update(latex_individualpages=False)
        overrides["nb_execution_cache_path"] = str(self.cache_dir)
        config, _ = get_final_config(
            user_yaml=self.src / "_config.yml", cli_config=overrides,
            sourcedir=self.src, use_external_toc=True,
        )  # fmt: skip
        # docutils' registries stay patched for the life of the process
        patch_docutils(None).__enter__()
        docutils_namespace().__enter__()
        self.app = Sphinx(
            srcdir=str(self.src), confdir=None, outdir=str(self.html),
            doctreedir=str(self.work / ".doctrees-html"), buildername="html",
            confoverrides=config, status=sys.stdout, warning=sys.stderr,
            warningiserror=False, keep_going=True,
        )  # fmt: skip

    def _note_read(self, app, env, docnames) -> None:
        self.read = list(docnames)

    def _quick_rebuilds(self) -> None:
        events = self.app.events.listeners
        listeners = events.get("build-finished", []) + events.get("env-updated", [])
        for listener in list(listeners):
            h = listener.handler
            if (h.__module__, h.__name__) in SKIPPED_ON_REBUILD:
                self.app.disconnect(listener.id)
        # the search index (a second or more per page in Chinese) is `make book`'s too
        builder = self.app.builder
        builder.index_page = lambda *args, **kwargs: None
        builder.dump_search_index = lambda: None

    def build(self, changed=()) -> bool:
        """Execute stale chapters, then render; True when the pages are up to date."""
        with self.lock:
            t0 = time.time()
            stats = {"executed": [], "from_cache": [], "cells_executed": 0}
            (self.work / ".inputs.json").unlink(
                missing_ok=True
            )  # make book: publish again
            only = (
                None  # every chapter: at start, or when code, config or the toc changed
            )
            if changed and all(
                n.startswith("book/") and n.endswith(".md") for n in changed
            ):
                only = {
                    self.src / n for n in changed
                }  # a chapter's text: its cache entry
            failures = BUILD["execute"](
                self.src, self.cache_dir, self.jobs, self.timeout(), stats, only
            )
            for f in failures:
                say(f"FAILED {f.get('where', f['chapter'])}\n    {f['exception']}")
            if failures:
                say("the page keeps its last good version; fix the cell and save again")
                return False
            first = self.app is None
            if first:
                self._make_app()
                self.app.connect("env-before-read-docs", self._note_read)
            self.app.statuscode, self.read = 0, []
            self.app.build(False, [])  # what changed since the last build
            if first:
                self._quick_rebuilds()
            took, ran = time.time() - t0, [d["chapter"] for d in stats["executed"]]
            what = f"read {len(self.read)} page(s) ({', '.join(self.read[:4])})"
            what += f", executed {', '.join(ran)}" if ran else ", executed nothing"
            if self.app.statuscode:
                what += " with warnings (`make book` would fail: see above)"
            say(f"rebuilt in {took:.1f} s: {what}")
            return True

    def timeout(self) -> int:
        import yaml

        config = yaml.safe_load((self.src / "_config.yml").read_text("utf-8"))
        return config["execute"]["timeout"]


def watched(change, path: str) -> bool:
    parts = Path(path).parts
    return not any(p in WATCH_IGNORED for p in parts) and not path.endswith(
        ("~", ".swp")
    )


def serve(book: Book, host: str, port: int) -> None:
    import uvicorn
    from sphinx_autobuild.middleware import JavascriptInjectorMiddleware
    from sphinx_autobuild.server import RebuildServer
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Mount, WebSocketRoute
    from starlette.staticfiles import StaticFiles
    import watchfiles

    class InProcess(RebuildServer):
        """sphinx-autobuild's watcher, rebuilding here (where the Sphinx app lives)."""

        async def watch(self) -> None:
            async for changes in watchfiles.awatch(
                *self.paths, watch_filter=watched, debounce=50, step=20,
                stop_event=self.should_exit,
            ):  # fmt: skip
                names = sorted(
                    {Path(p).relative_to(book.src).as_posix() for _, p in changes}
                )
                say(f"changed: {', '.join(names[:5])}")
                if {"_config.yml", "_toc.yml"} & set(names):  # read once, at start
                    say(
                        "the configuration or the table of contents changed: restarting"
                    )
                    os.execv(sys.executable, [sys.executable, *sys.argv])
                await asyncio.to_thread(book.build, names)
                self.flag.set()

    sources = [book.src / p for p in WATCHED if (book.src / p).exists()]
    watcher = InProcess(sources, None, change_callback=book.build)
    app = Starlette(
        routes=[
            WebSocketRoute("/websocket-reload", watcher, name="reload"),
            Mount("/", app=StaticFiles(directory=book.html, html=True), name="static"),
        ],
        middleware=[Middleware(JavascriptInjectorMiddleware, ws_url=f"{host}:{port}")],
        lifespan=watcher.lifespan,
    )
    say(
        f"serving http://{host}:{port}/ (Ctrl-C stops); "
        "a saved edit rebuilds and reloads the page"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--source", type=Path, default=ROOT)
    p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = p.parse_args(argv)
    jobs = os.environ.get("DLBOOK_JOBS", "").strip()
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else ()
    os.environ["DLBOOK_PRINT_FIGURES"] = (
        "1"  # as make book: the same cache keys and outputs
    )
    book = Book(
        args.source.resolve(), int(jobs or 0) or len(cores) or os.cpu_count() or 1
    )
    book.build()
    if not (book.html / "index.html").is_file():
        say("no page was built: fix the errors above and run `make preview` again")
        return 1
    try:
        serve(book, args.host, args.port)
    except KeyboardInterrupt:
        pass
    say("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
