"""Every image of a page carries its ``width`` and ``height`` (so the browser reserves its box
before the file arrives: no layout shift), and the images below the first screen load lazily
(``loading="lazy"``), decoded off the main thread. The site's CSS keeps them responsive
(``height: auto`` in book/_css/custom.css)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote

#: text characters of the page before an image beyond which it is below a phone's first screen
EAGER_TEXT_CHARS = 250
IMG = re.compile(r"<img\b[^>]*>")
TAG = re.compile(r"<[^>]+>")


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in pixels of a raster or SVG image; None when unknown."""
    if path.suffix.lower() == ".svg":
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
        m = re.search(r"<svg\b[^>]*>", head)
        if not m:
            return None
        w = re.search(r'\bwidth="([\d.]+)(px)?"', m.group(0))
        h = re.search(r'\bheight="([\d.]+)(px)?"', m.group(0))
        if w and h:
            return round(float(w.group(1))), round(float(h.group(1)))
        vb = re.search(r'viewBox="[\d.\-]+[ ,]+[\d.\-]+[ ,]+([\d.]+)[ ,]+([\d.]+)"', m.group(0))
        return (round(float(vb.group(1))), round(float(vb.group(2)))) if vb else None
    from PIL import Image

    with Image.open(path) as im:
        return im.size


def sized_and_lazy(body: str, locate) -> str:
    """``body`` with width/height added to each ``<img>`` whose file ``locate(src)`` finds, and
    ``loading="lazy" decoding="async"`` on those after the first screen of text."""
    out, last = [], 0
    text_before = 0
    for m in IMG.finditer(body):
        tag = m.group(0)
        text_before += len(html.unescape(TAG.sub("", body[last:m.start()])).strip())
        out.append(body[last:m.start()])
        last = m.end()
        attrs = tag[4:].rstrip("/>").rstrip()
        src = re.search(r'\bsrc="([^"]+)"', tag)
        path = locate(html.unescape(src.group(1))) if src else None
        add = []
        if path is not None and "width=" not in tag and "height=" not in tag:
            size = image_size(path)
            if size:
                add.append(f'width="{size[0]}" height="{size[1]}"')
        if "loading=" not in tag and text_before > EAGER_TEXT_CHARS:
            add.append('loading="lazy" decoding="async"')
        out.append(f"<img{attrs} {' '.join(add)} />" if add else tag)
    out.append(body[last:])
    return "".join(out)


def _page_context(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if app.builder.format != "html" or not body or "<img" not in body:
        return
    by_name = {Path(dest).name: Path(app.srcdir, src) for src, dest in app.builder.images.items()}
    page_dir = Path(app.outdir, pagename).parent

    def locate(src: str) -> Path | None:
        if "://" in src or src.startswith("data:"):
            return None
        name = Path(unquote(src.split("#")[0].split("?")[0]))
        if name.parent.name == app.builder.imagedir and name.name in by_name:
            return by_name[name.name]
        candidate = (page_dir / name).resolve()
        return candidate if candidate.is_file() else None

    context["body"] = sized_and_lazy(body, locate)


def setup(app):
    app.connect("html-page-context", _page_context)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
