"""How heavy the book is for a reader: the transfer size of every page of the table of contents
(its HTML plus every image, stylesheet, script and font it loads, MathJax included) and the size
of the whole built site.

Targets: every page under 1.5 MB with its images, the whole site under 20 MB. Then Lighthouse's
figures of every page (``tests/browser/lighthouse.py``: performance, FCP, LCP, TBT, CLS,
accessibility, SEO against issue 16's targets). A page's size is
its transfer size: what travels from a server that gzips text (HTML, CSS, JS, SVG; GitHub Pages
does) plus the images and web fonts as they are; the uncompressed sum is printed next to it.

Pages are measured in Chromium (fresh profile per page, so nothing comes from the cache): every
response the page gets after it settled (images decoded, MathJax typeset, fonts in) is counted
once. Without a browser (``--static`` or none found) the HTML is parsed instead: the files it
references and the ``url()``s of its stylesheets; that misses what scripts load later (MathJax's
fonts), so the browser number is the one to trust.

    python benchmarks/site_size.py [--site _build/html] [--static] [--json] [--strict]

``main()`` prints the table and returns the numbers as a dict (``benchmarks/bench.py`` uses it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import harness  # noqa: E402  (shared with the browser tests: toc, server, Chromium)

PAGE_LIMIT = 1_500_000  # bytes, one page with everything it loads
SITE_LIMIT = 20_000_000  # bytes, the whole built site
MB = 1_000_000


def site_bytes(site: Path) -> tuple[int, int]:
    """(total bytes, number of files) of everything under ``site``."""
    files = [p for p in Path(site).rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


# --------------------------------------------------------------------------- in the browser
def measure_in_browser(site: Path, docs: list[str], executable: str) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    out: dict[str, dict] = {}
    with harness.serve(site) as base, sync_playwright() as p:
        browser = harness.launch(p, executable)
        try:
            for doc in docs:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                rec = harness.Recorder(base)
                rec.attach(page, measure=True)
                page.goto(f"{base}{doc}.html", wait_until="load")
                harness.settle(page)
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
                page.wait_for_load_state("networkidle")
                bodies = rec.bodies()
                context.close()
                out[doc] = _summary(bodies)
        finally:
            browser.close()
    return out


# --------------------------------------------------------------------------- by parsing
class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("img", "script", "source", "iframe") and a.get("src"):
            self.refs.append(a["src"])
        elif tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower()
            if any(r in rel for r in ("stylesheet", "icon", "preload", "modulepreload")):
                self.refs.append(a["href"])


def measure_by_parsing(site: Path, docs: list[str]) -> dict[str, dict]:
    site = Path(site)
    base = "http://site.invalid/"
    out = {}
    for doc in docs:
        seen: dict[str, bytes] = {}
        todo = [f"{base}{doc}.html"]
        while todo:
            url = todo.pop()
            path = unquote(urlsplit(url).path).lstrip("/")
            if url in seen or not urlsplit(url).netloc == "site.invalid":
                continue
            file = site / path
            if not file.is_file():
                seen[url] = b""
                continue
            data = file.read_bytes()
            seen[url] = data
            if file.suffix == ".html":
                parser = _Refs()
                parser.feed(data.decode("utf-8", "replace"))
                todo += [urljoin(url, r.split("#")[0]) for r in parser.refs]
            elif file.suffix == ".css":
                for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", data.decode("utf-8", "replace")):
                    if not ref.startswith("data:"):
                        todo.append(urljoin(url, ref.split("#")[0].split("?")[0]))
        out[doc] = _summary(seen)
    return out


# --------------------------------------------------------------------------- report
KINDS = {
    "html": (".html",),
    "images": (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico"),
    "css": (".css",),
    "js": (".js",),
    "fonts": (".woff", ".woff2", ".ttf", ".otf", ".eot"),
}


def _kind(url: str) -> str:
    path = urlsplit(url).path.lower()
    for kind, suffixes in KINDS.items():
        if path.endswith(suffixes):
            return kind
    return "other"


#: what a web server compresses (GitHub Pages gzips text; PNG and WOFF2 are compressed already)
COMPRESSED_KINDS = ("html", "css", "js", "other")


def wire_size(url: str, body: bytes) -> int:
    """Bytes on the wire from a server that gzips text (level 6), as GitHub Pages does."""
    kind = _kind(url)
    if kind in COMPRESSED_KINDS or urlsplit(url).path.lower().endswith(".svg"):
        return min(len(body), len(gzip.compress(body, compresslevel=6, mtime=0)))
    return len(body)


def _summary(bodies: dict[str, bytes]) -> dict:
    by_kind = {k: 0 for k in (*KINDS, "other")}
    gz = 0
    for url, body in bodies.items():
        by_kind[_kind(url)] += len(body)
        gz += wire_size(url, body)
    return {"bytes": sum(by_kind.values()), "gzip_bytes": gz, "files": len(bodies), "by_kind": by_kind}


def measure(site: Path | str | None = None, static: bool = False) -> dict:
    """All numbers as a dict: per page, the heaviest page, the whole site, the targets."""
    site = Path(site) if site else ROOT / "_build" / "html"
    if not (site / "index.html").is_file():
        raise SystemExit(f"site_size: no built site at {site} (run `make book` first)")
    docs = harness.toc_docs()
    executable = None if static else harness.chromium_path()
    if executable:
        pages, method = measure_in_browser(site, docs, executable), "chromium"
    else:
        pages, method = measure_by_parsing(site, docs), "parsed-html"
    heaviest = max(pages, key=lambda d: pages[d]["gzip_bytes"])
    total, nfiles = site_bytes(site)
    pdf = site / "dl-week01.pdf"  # the PDF edition (`make pdf` before `make book` puts it there)
    return {
        "pdf_bytes": pdf.stat().st_size if pdf.is_file() else None,
        "method": method,
        "pages": pages,
        "heaviest_page": {"doc": heaviest, **pages[heaviest]},
        "site": {"bytes": total, "files": nfiles},
        "targets": {"page_bytes": PAGE_LIMIT, "site_bytes": SITE_LIMIT},
        "pages_over_target": [d for d, v in pages.items() if v["gzip_bytes"] > PAGE_LIMIT],
        "pages_over_target_uncompressed": [d for d, v in pages.items() if v["bytes"] > PAGE_LIMIT],
        "site_over_target": total > SITE_LIMIT,
    }


def report(r: dict) -> str:
    lines = [
        f"Per page ({r['method']}): transfer = bytes on the wire from a server that gzips text "
        "(GitHub Pages does); raw = the same files uncompressed, split by kind.",
        f"  {'page':28s} {'transfer':>9s} {'raw':>8s} | {'html':>6s} {'images':>6s} {'css':>6s} {'js':>6s} {'fonts':>6s}  files",
    ]
    for doc, v in sorted(r["pages"].items(), key=lambda kv: -kv[1]["gzip_bytes"]):
        k = v["by_kind"]
        flag = "  OVER 1.5 MB" if v["gzip_bytes"] > PAGE_LIMIT else ""
        lines.append(
            f"  {doc:28s} {v['gzip_bytes'] / MB:8.2f}M {v['bytes'] / MB:7.2f}M | {k['html'] / MB:5.2f}M "
            f"{k['images'] / MB:5.2f}M {k['css'] / MB:5.2f}M {k['js'] / MB:5.2f}M {k['fonts'] / MB:5.2f}M  {v['files']:5d}{flag}"
        )
    h = r["heaviest_page"]
    lines.append(
        f"Heaviest page: {h['doc']}: {h['gzip_bytes'] / MB:.2f} MB transferred ({h['bytes'] / MB:.2f} MB uncompressed); "
        f"target < {PAGE_LIMIT / MB:.1f} MB"
    )
    s = r["site"]
    lines.append(
        f"Whole site: {s['bytes'] / MB:.2f} MB in {s['files']} files; target < {SITE_LIMIT / MB:.0f} MB"
        + ("  OVER TARGET" if r["site_over_target"] else "")
    )
    lines.append(
        f"PDF edition (in the whole site): {r['pdf_bytes'] / MB:.2f} MB" if r.get("pdf_bytes")
        else "PDF edition: not in the site (run `make pdf` before `make book`)"
    )
    ok = not r["pages_over_target"] and not r["site_over_target"]
    lines.append("Targets: " + ("met" if ok else "MISSED: " + ", ".join(r["pages_over_target"] + (["site"] if r["site_over_target"] else []))))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--site", default=None, help="built site folder (default: _build/html)")
    ap.add_argument("--static", action="store_true", help="parse the HTML instead of using Chromium")
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed (script use)")
    args = ap.parse_args(argv)
    r = measure(args.site, static=args.static)
    print(json.dumps(r, indent=2, ensure_ascii=False) if args.json else report(r))
    r["lighthouse"] = lighthouse_figures(args.site, quiet=args.json)
    return r


def lighthouse_figures(site, quiet: bool = False) -> dict | None:
    """Lighthouse's figures per page (tests/browser/lighthouse.py, mobile preset, gzip server),
    printed as a table; None without Chromium or Lighthouse (``npm ci`` installs it)."""
    import lighthouse

    chromium = harness.chromium_path()
    if chromium is None or not lighthouse.LIGHTHOUSE.is_file():
        print("Lighthouse: skipped (" + (harness.NO_BROWSER if chromium is None else lighthouse.NO_LIGHTHOUSE) + ")")
        return None
    site = Path(site) if site else ROOT / "_build" / "html"
    return lighthouse.measure(site, harness.toc_docs(), chromium, echo=(lambda *a: None) if quiet else print)


if __name__ == "__main__":
    result = main()
    missed = result["pages_over_target"] or result["site_over_target"]
    sys.exit(1 if (missed and "--strict" in sys.argv[1:]) else 0)
