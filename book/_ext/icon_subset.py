"""The theme's Font Awesome icons from fonts that hold only the glyphs the site uses.

pydata-sphinx-theme draws its icons (menu, search, colour mode, download, GitHub, admonition
marks, ...) with Font Awesome's full solid and brands fonts: about 275 KiB for a dozen glyphs.
After the build, this extension collects every icon the site can show (the ``fa-*`` classes in
its pages and scripts, and the glyphs the stylesheets put in ``content``), cuts each Font Awesome
font down to those glyphs with fontTools (WOFF, 1-4 KiB) and declares them in
``_static/icons-subset.css``, loaded after the theme's stylesheet: a later ``@font-face`` with
the same family, weight and style replaces the theme's, so the full fonts are never fetched.
The subsets are written into the stylesheet itself (``data:`` URLs, about 9 KiB in all): the
header's icons are drawn with the first paint and cost no request of their own (each font a
page requests while laying out its first screen is one more request on the way to the first
paint, as Lighthouse's simulation counts it).
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from sphinx.errors import ExtensionError

CSS = "icons-subset.css"
THEME_CSS = "styles/pydata-sphinx-theme.css"
WEBFONTS = "vendor/fontawesome/webfonts"
#: (family, weight, font file stem)
FACES = (("Font Awesome 6 Free", 900, "fa-solid-900"), ("Font Awesome 6 Free", 400, "fa-regular-400"),
         ("Font Awesome 6 Brands", 400, "fa-brands-400"))
PUA = re.compile("[\ue000-\uf8ff]")
ESCAPE = re.compile(r'content:"\\([ef][0-9a-f]{3})"')
CLASS_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:+before,?)+)\{content:"\\([0-9a-f]{4,5})"\}')
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")


def icon_codepoints(theme_css: str) -> dict[str, int]:
    """``fa-bars`` -> 0xf0c9 for every icon class of Font Awesome's stylesheet."""
    out = {}
    for selectors, code in CLASS_RULE.findall(theme_css):
        for name in re.findall(r"\.(fa-[a-z0-9-]+):", selectors):
            out[name] = int(code, 16)
    return out


def used_codepoints(static: Path, texts) -> set[int]:
    """Every icon glyph the site can show: classes named in ``texts`` (pages, scripts) and the
    glyphs written directly into the stylesheets (pydata's ``--pst-icon-*`` and the like)."""
    theme_css = (static / THEME_CSS).read_text(encoding="utf-8")
    table = icon_codepoints(theme_css)
    if len(table) < 1000:
        raise ExtensionError(f"icon_subset: found only {len(table)} Font Awesome icon classes in {THEME_CSS}; its form changed")
    used = set()
    for text in texts:
        used |= {table[c] for c in ICON_CLASS.findall(text) if c in table}
    for css in static.rglob("*.css"):
        if css.name == CSS or WEBFONTS.split("/")[0] in css.parts:
            continue
        text = css.read_text(encoding="utf-8", errors="replace")
        text_wo_table = CLASS_RULE.sub("", text)
        used |= {ord(ch) for ch in PUA.findall(text_wo_table)}
        used |= {int(code, 16) for code in ESCAPE.findall(text_wo_table)}
    return used


def subset_font(src: Path, codepoints: set[int]) -> tuple[bytes, int]:
    """The glyphs of ``codepoints`` that ``src`` has, as a WOFF font; and how many."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(src))
    have = set(font.getBestCmap()) & codepoints
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(have))
    subsetter.subset(font)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), len(have)


def write_subset(outdir: Path, pages_and_scripts) -> dict[str, int]:
    """Subset fonts and their stylesheet into ``outdir/_static``; glyph count per font."""
    static = Path(outdir) / "_static"
    codepoints = used_codepoints(static, pages_and_scripts)
    rules, counts = [], {}
    for family, weight, stem in FACES:
        src = static / WEBFONTS / f"{stem}.ttf"
        if not src.is_file():
            continue
        woff, counts[stem] = subset_font(src, codepoints)
        data = base64.b64encode(woff).decode("ascii")
        rules.append(
            f'@font-face{{font-family:"{family}";font-style:normal;font-weight:{weight};font-display:block;'
            f'src:url(data:font/woff;base64,{data}) format("woff")}}'
        )
    (static / CSS).write_text("/* Font Awesome, only the glyphs this site uses (book/_ext/icon_subset.py) */\n"
                              + "\n".join(rules) + "\n", encoding="utf-8")
    return counts


def site_texts(outdir: Path):
    for path in Path(outdir).rglob("*.html"):
        yield path.read_text(encoding="utf-8", errors="replace")
    for path in (Path(outdir) / "_static").rglob("*.js"):
        if "fontawesome" not in path.name and WEBFONTS.split("/")[0] not in path.parts:
            yield path.read_text(encoding="utf-8", errors="replace")


def without_unused_icons(css: str, texts) -> str:
    """``css`` without the ``.fa-x:before{content:...}`` rules of icons no text names, and
    without the ``@font-face`` rules of the full Font Awesome fonts (the subset replaces them)."""
    used = set()
    for text in texts:
        used |= set(ICON_CLASS.findall(text))

    def keep(m):
        names = re.findall(r"\.(fa-[a-z0-9-]+):", m.group(1))
        return m.group(0) if used.intersection(names) else ""

    css = CLASS_RULE.sub(keep, css)
    return re.sub(r"@font-face\{[^}]*webfonts/fa-[a-z]+-[0-9]+\.[^}]*\}", "", css)


def _build_finished(app, exc) -> None:
    if exc is None and app.builder.format == "html":
        write_subset(Path(app.outdir), site_texts(Path(app.outdir)))


def setup(app):
    app.add_css_file(CSS, priority=900)
    app.connect("build-finished", _build_finished)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
