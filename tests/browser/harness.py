"""What the browser tests and benchmarks/site_size.py share: the table of contents, a
local
web server for the built site, Chromium, and one page visit that records everything the
checks need (so each page is loaded once per session for the desktop checks).

Importable without Playwright installed; Playwright is imported where a browser is
started.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ENV = "DLBOOK_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"

#: Headless Chromium as root, with nothing phoning home (no Google hosts, no updates,
#: no sync).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

NO_BROWSER = (
    "No Chromium for the browser tests. Run `bash tools/ensure_browser.sh` (as root on "
    "Debian/Ubuntu it installs chromium and fonts-noto-cjk), or install Chromium/Chrome and set "
    f"{CHROMIUM_ENV}=/path/to/chromium."
)
NO_AXE = (
    f"axe-core is missing ({AXE_JS.relative_to(ROOT)}): run `bash tools/ensure_browser.sh` "
    "(it installs every npm package of package-lock.json)."
)


# --------------------------------------------------------------------------- table of
# contents
def toc_docs(toc_file: Path = ROOT / "_toc.yml") -> list[str]:
    """Docnames of every page in the table of contents, in reading order (root
    first)."""
    import yaml

    toc = yaml.safe_load(Path(toc_file).read_text(encoding="utf-8"))
    docs: list[str] = []

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                docs.append(_docname(entry["file"]))
            walk(entry.get("sections"))

    docs.append(_docname(toc["root"]))
    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    return docs


def _docname(file: str) -> str:
    return re.sub(r"\.(md|ipynb|rst)$", "", str(file))


def source_of(doc: str) -> Path:
    """The source file of a docname (``book/spiral`` -> ``book/spiral.md``)."""
    for suffix in (".md", ".ipynb", ".rst"):
        path = ROOT / f"{doc}{suffix}"
        if path.is_file():
            return path
    raise FileNotFoundError(f"no source file for {doc!r} under {ROOT}")


def is_notebook(doc: str) -> bool:
    """True when the chapter executes (MyST notebook front matter with a kernelspec, or
    .ipynb)."""
    src = source_of(doc)
    if src.suffix == ".ipynb":
        return True
    text = src.read_text(encoding="utf-8")
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    return bool(m and "kernelspec:" in m.group(1) and "jupytext:" in m.group(1))


def has_code_cells(doc: str) -> bool:
    src = source_of(doc)
    return src.suffix == ".ipynb" or "```{code-cell}" in src.read_text(encoding="utf-8")


def slug(doc: str) -> str:
    return doc.replace("/", "__")


# --------------------------------------------------------------------------- web server
# gzip_server.py: text gzipped as a static host sends it, the site's 404.html for a
# missing path.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from gzip_server import make_server  # noqa: E402


@contextmanager
def serve(site: Path, host: str = "127.0.0.1"):
    """Serve ``site`` on a free port of ``host`` in a thread; yields the base URL
    (ending in /)."""
    server = make_server(site, host)
    thread = threading.Thread(
        target=server.serve_forever, name="site-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------- browser
def chromium_path() -> str | None:
    """The Chromium to drive: $DLBOOK_CHROMIUM, else /usr/bin/chromium, else one on
    PATH."""
    given = os.environ.get(CHROMIUM_ENV)
    if given:
        return given if os.access(given, os.X_OK) else None
    if os.access(DEFAULT_CHROMIUM, os.X_OK):
        return DEFAULT_CHROMIUM
    for name in (
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ):
        found = shutil.which(name)
        if found:
            return found
    return None


def launch(playwright, executable: str):
    return playwright.chromium.launch(
        executable_path=executable, headless=True, args=CHROMIUM_ARGS
    )


DESKTOP = {"width": 1280, "height": 900}


def new_context(browser, **kwargs):
    """A fresh browser profile: desktop size, Chinese locale, light system colour
    scheme."""
    kwargs.setdefault("viewport", DESKTOP)
    kwargs.setdefault("locale", "zh-CN")
    kwargs.setdefault("color_scheme", "light")
    context = browser.new_context(**kwargs)
    context.set_default_timeout(30_000)
    return context


def context_at(browser, width: int, height: int = 800):
    """:func:`new_context` at ``width`` px; below 600 px a phone (touch, mobile)."""
    phone = width < 600
    return new_context(
        browser,
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
    )


# --------------------------------------------------------------------------- one page
# visit
@dataclass
class Recorder:
    """Everything a page did on the network and the console while it was open."""

    base: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    responses: list = field(default_factory=list)

    def attach(self, page, measure: bool = False) -> None:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))
        page.on(
            "requestfailed",
            lambda r: self.failed_requests.append(f"{r.url} ({r.failure})"),
        )
        page.on("response", lambda r: self._response(r, measure))

    def _console(self, msg) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            where = (
                f" [{loc.get('url', '')}:{loc.get('lineNumber', '')}]"
                if loc.get("url")
                else ""
            )
            self.console_errors.append(f"console.error: {msg.text}{where}")

    def _response(self, response, measure: bool) -> None:
        if response.status >= 400:
            self.bad_responses.append(f"{response.status} {response.url}")
        if measure:
            self.responses.append(response)

    def bodies(self) -> dict[str, bytes]:
        """Body of every response the page got (call after the page settled; needs
        measure=True)."""
        out: dict[str, bytes] = {}
        for response in self.responses:
            try:
                out[response.url] = response.body()
            except Exception:  # redirects and aborted responses have no body
                out.setdefault(response.url, b"")
        return out

    def foreign(self) -> list[str]:
        """Requests to anything but the site's own host:port (data: and blob: URLs are
        local)."""
        own = urlsplit(self.base).netloc
        out = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.netloc != own or parts.scheme not in ("http", "https"):
                out.append(url)
        return out


WAIT_FOR_PAGE_JS = """
async () => {
  // Images: load lazy ones too, then wait for every decode (errors leave naturalWidth 0).
  const imgs = Array.from(document.images);
  imgs.forEach(i => { if (i.loading === 'lazy') i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  // MathJax 3 (a page typeset in the browser): the startup promise resolves after the first typeset.
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await document.fonts.ready;
  return true;
}
"""

#: Draws every section of a chapter now: custom.css leaves those far from the screen to the
#: reader's scrolling (``content-visibility: auto``).
SHOW_ALL_CSS = (
    ".bd-article section, .bd-article div.math, .bd-article div.cell, "
    ".bd-article div.admonition { content-visibility: visible !important; }"
)

PAGE_FACTS_JS = """
async () => {
  // the theme's check of blocks that scroll sideways runs in idle time (page_scripts.py)
  for (let i = 0; i < 60 && window.dlbookScrollables && window.dlbookScrollables.size; i++) {
    await new Promise(r => setTimeout(r, 50));
  }
  const scrollers = Array.from(document.querySelectorAll(
    'pre, .cell_output > .output, .pst-scrollable-table-container'));
  const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const clone = article.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, mjx-container, .katex, .highlight, textarea').forEach(e => e.remove());
  const text = clone.innerText || clone.textContent || '';
  const rawMath = [];
  for (const token of ['\\\\(', '\\\\[', '$$']) {
    const at = text.indexOf(token);
    if (at >= 0) rawMath.push(token + ' near: ' + JSON.stringify(text.slice(Math.max(0, at - 40), at + 60)));
  }
  const mathEls = Array.from(document.querySelectorAll('.math'));
  const abs = (a) => a ? new URL(a.getAttribute('href'), location.href).pathname : null;
  return {
    title: document.title,
    lang: document.documentElement.getAttribute('lang'),
    mathJax: !!(window.MathJax && window.MathJax.startup),
    mathElements: mathEls.length,
    mathUntypeset: mathEls.filter(e => !e.querySelector('.katex, mjx-container')).map(e => e.textContent.slice(0, 80)),
    mjx: document.querySelectorAll('mjx-container').length,
    katex: document.querySelectorAll('.katex').length,
    mathScripts: Array.from(document.scripts).map(s => s.src).filter(u => /mathjax|katex/i.test(u)),
    mathErrors: Array.from(document.querySelectorAll('mjx-merror, .katex-error, .math-error')).map(e => e.getAttribute('data-mjx-error') || e.getAttribute('title') || e.textContent),
    rawMath,
    images: Array.from(document.images).map(i => ({
      src: i.currentSrc || i.src,
      naturalWidth: i.naturalWidth,
      alt: i.getAttribute('alt'),
      inArticle: article.contains(i),
      hidden: i.getClientRects().length === 0,
    })),
    wideCode: Array.from(document.querySelectorAll('div.cell_input pre'))
      .filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent.slice(0, 60)),
    fontsLoaded: Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family),
    fontErrors: Array.from(document.fonts).filter(f => f.status === 'error').map(f => f.family),
    unfocusableScrollers: scrollers.filter(e => e.getClientRects().length
      && getComputedStyle(e).visibility !== 'hidden'
      && (e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight) && e.tabIndex < 0)
      .map(e => e.textContent.slice(0, 60)),
    prev: abs(document.querySelector('.prev-next-area a.left-prev')),
    next: abs(document.querySelector('.prev-next-area a.right-next')),
  };
}
"""

AXE_RUN_JS = """
async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)),
    count: v.nodes.length,
  }));
}
"""


def settle(page, timeout_ms: int = 30_000) -> None:
    """Wait until the images are decoded, MathJax has typeset and the web fonts are
    in."""
    page.wait_for_load_state("load")
    page.evaluate(WAIT_FOR_PAGE_JS)


def run_axe(page) -> list[dict]:
    """axe-core violations of the page (all rules axe runs by default)."""
    if not AXE_JS.is_file():
        raise FileNotFoundError(NO_AXE)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(AXE_RUN_JS)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(
            f"  [{v['impact']}] {v['id']}: {v['help']} ({v['count']} element(s))"
        )
        lines += [f"      {n}" for n in v["nodes"]]
    return "\n".join(lines)


@dataclass
class Visit:
    doc: str
    url: str
    status: int | None
    facts: dict
    recorder: Recorder
    axe: list[dict]
    screenshot: Path | None


def visit(
    context,
    base: str,
    doc: str,
    *,
    axe: bool = True,
    screenshot_dir: Path | None = SCREENSHOTS,
) -> Visit:
    """Open one page of the site, let it settle, and record what the checks need."""
    url = f"{base}{doc}.html"
    page = context.new_page()
    rec = Recorder(base)
    rec.attach(page)
    try:
        response = page.goto(url, wait_until="load")
        settle(page)
        facts = page.evaluate(PAGE_FACTS_JS)
        violations = run_axe(page) if axe else []
        shot = None
        if screenshot_dir is not None:
            screenshot_dir.mkdir(parents=True, exist_ok=True)
            shot = screenshot_dir / f"{slug(doc)}.png"
            # every section drawn (content-visibility leaves far ones to the scroll)
            page.add_style_tag(content=SHOW_ALL_CSS)
            page.screenshot(path=str(shot), full_page=True)
        return Visit(
            doc,
            url,
            response.status if response else None,
            facts,
            rec,
            violations,
            shot,
        )
    finally:
        page.close()


# --------------------------------------------------------------------------- colours
def parse_rgb(css: str) -> tuple[float, float, float, float]:
    """``rgb(1, 2, 3)`` / ``rgba(1, 2, 3, 0.5)`` / ``color(srgb r g b / a)`` -> (r, g,
    b, a) in 0..255, alpha 0..1."""
    m = re.match(r"rgba?\(([^)]*)\)", css.strip())
    if m:
        parts = [p for p in re.split(r"[,\s/]+", m.group(1)) if p]
        r, g, b = (float(p) for p in parts[:3])
        a = float(parts[3]) if len(parts) > 3 else 1.0
        return r, g, b, a
    m = re.match(r"color\(srgb\s+([^)]*)\)", css.strip())
    if m:
        parts = [p for p in re.split(r"[\s/]+", m.group(1)) if p]
        r, g, b = (float(p) * 255 for p in parts[:3])
        a = float(parts[3]) if len(parts) > 3 else 1.0
        return r, g, b, a
    raise ValueError(f"unsupported CSS colour {css!r}")


def relative_luminance(rgb) -> float:
    def channel(c: float) -> float:
        c = c / 255.0
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb[:3]
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(fg, bg) -> float:
    """WCAG 2 contrast ratio of two opaque colours."""
    l1, l2 = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (l1 + 0.05) / (l2 + 0.05)


def blend(fg, bg) -> tuple[float, float, float]:
    """A colour with alpha painted over an opaque background."""
    a = fg[3] if len(fg) > 3 else 1.0
    return tuple(fg[i] * a + bg[i] * (1 - a) for i in range(3))
