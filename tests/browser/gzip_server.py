"""A local web server for the built site that compresses like a static host (GitHub
Pages,
Netlify): text (HTML, CSS, JS, SVG, JSON, ...) goes out gzipped to a browser that
accepts it,
images and fonts as they are; HTTP/1.1 keep-alive; the site's ``404.html`` for a
missing path.

``make serve`` runs it; the browser tests and the Lighthouse check use
:class:`GzipHandler`
(through ``harness.serve``), so pages are measured as readers get them.

    python tests/browser/gzip_server.py [--bind 127.0.0.1] [--port 8000] [_build/html]
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import http.server
import io
import os
import sys
import threading
from functools import partial
from pathlib import Path

#: what static hosts compress; PNG, WOFF2, ZIP are compressed already
COMPRESSIBLE = (
    ".html",
    ".css",
    ".js",
    ".mjs",
    ".json",
    ".svg",
    ".txt",
    ".xml",
    ".map",
    ".ipynb",
    ".md",
    ".inv",
)
GZIP_LEVEL = 6  # the level nginx-based hosts use
_cache: dict[tuple[str, int, int], bytes] = {}
_cache_lock = threading.Lock()


def gzipped(path: str) -> bytes:
    """The gzip body of a file (deterministic, cached per path, size and mtime)."""
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    with open(path, "rb") as f:
        data = gzip.compress(f.read(), compresslevel=GZIP_LEVEL, mtime=0)
    with _cache_lock:
        _cache[key] = data
    return data


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip for text, quiet, and the site's 404.html for a missing
    path."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass

    def _accepts_gzip(self) -> bool:
        return "gzip" in (self.headers.get("Accept-Encoding") or "").lower()

    def send_head(self):
        path = self.translate_path(self.path)
        if not (
            os.path.isfile(path)
            and path.lower().endswith(COMPRESSIBLE)
            and self._accepts_gzip()
        ):
            return super().send_head()
        body = gzipped(path)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header(
            "Last-Modified", email.utils.formatdate(os.stat(path).st_mtime, usegmt=True)
        )
        self.end_headers()
        return io.BytesIO(body)

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404, message)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A browser that navigates away drops its open requests: not the site's error,
        # no traceback.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def make_server(site: Path | str, host: str = "127.0.0.1", port: int = 0) -> Server:
    site = Path(site)
    if not (site / "index.html").is_file():
        raise FileNotFoundError(
            f"no built site at {site} (index.html missing): run `make book` first"
        )
    return Server((host, port), partial(GzipHandler, directory=str(site)))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", nargs="?", default="_build/html")
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    args = ap.parse_args(argv)
    try:
        server = make_server(args.site, args.bind, args.port)
    except (FileNotFoundError, OSError) as e:
        raise SystemExit(f"gzip_server: {e}") from None
    print(
        f"Serving {args.site} (gzip) on http://{args.bind}:{server.server_address[1]}/ (Ctrl-C stops)",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
