"""The PDF edition in Chinese (``make pdf``) and its place on the site.

LaTeX: fonts, paper and margins are in ``_config.yml`` (``sphinx.config.latex_elements``);
this extension changes only what Jupyter Book's LaTeX extension (``sphinx_jupyterbook_latex``)
puts into the preamble, after it has done so:

* its ``ucharclasses`` package (font switching per Unicode block) is dropped: xeCJK does the
  CJK/Latin switching, and the two fight over XeTeX's character classes;
* its English "Contents" is dropped; ``dlbookzh.sty`` (loaded last) sets 目录, 第 1 章 ...;
* ``bbm.sty``, which its class requires but Debian ships only in texlive-fonts-extra
  (500 MB), is replaced by a two-line stand-in;
* the root page (前言), whose title that extension removes, gets a chapter head again;
* correction boxes (勘误, admonitions of class ``warning``) and solutions get boxes of their
  own colours on paper (``dlbookzh.sty``);
* exercises and their solutions on paper: the site hides a solution in a dropdown, the PDF
  prints it right after its exercise, in a green box titled "参考答案（练习 N）" whose
  "练习 N" links back to the exercise ("练习 N（标题）", full-width brackets, above it);
  neither box starts at the foot of a page with only its title there;
* the bibliography stays in the chapter that holds the ``{bibliography}`` directive (参考文献)
  instead of Sphinx's extra unnumbered chapter at the very end after an empty one.

HTML: when the PDF has been built (``_build/pdf/dl-week01.pdf``, before the site, as the
publish workflow does), it is copied to the site root, the download menu of every page gets
a "全书 PDF" entry, and the ``{pdf-edition}`` directive (intro page) links it with its page
count and size. Without a built PDF the site has neither (no dead link).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

TEX = Path(__file__).with_name("pdf_zh_tex")
PDF_NAME = "dl-week01.pdf"
SOLUTION_TITLE = "参考答案"
DROP = (
    r"\usepackage[Latin,Greek]{ucharclasses}",
    r"\addto\captionsenglish{\renewcommand{\contentsname}{Contents}}",
)


# ----------------------------------------------------------------------------- LaTeX
def tune_latex(app, config) -> None:
    elements = config.latex_elements
    preamble = elements.get("preamble", "")
    for line in DROP:
        preamble = preamble.replace(line, "")
    elements["preamble"] = preamble + "\n\\usepackage{dlbookzh}\n"
    config.latex_additional_files = [*config.latex_additional_files, *map(str, sorted(TEX.glob("*.sty")))]


def root_chapter_head(app, env) -> None:
    """The root page's title as an unnumbered chapter after the table of contents."""
    if app.builder.name != "latex":
        return
    title = env.titles[app.config.root_doc].astext()
    app.builder.context["tableofcontents"] += (
        f"\n\\chapter*{{{title}}}\\phantomsection\\addcontentsline{{toc}}{{chapter}}{{{title}}}"
        f"\\markboth{{{title}}}{{}}\n"
    )


class PaperBoxes(SphinxPostTransform):
    """Wrap 勘误 boxes and solutions in containers whose class ``dlbookzh.sty`` styles."""

    default_priority = 900
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        from sphinx_exercise.nodes import solution_node

        for node in list(self.document.findall(nodes.Element)):
            if isinstance(node, solution_node):
                kind = "dlbook-solution"
            elif isinstance(node, nodes.admonition) and "warning" in node["classes"]:
                kind = "dlbook-erratum"
            else:
                continue
            box = nodes.container(classes=[kind])
            node.replace_self(box)
            box += node


class PaperExercises(SphinxPostTransform):
    """Titles of exercises and solutions as a Chinese book prints them; box classes.

    After sphinx_exercise has resolved them (priorities 20-22): "练习 1 (标题)" becomes
    "练习 1（标题）" and "解答 练习 1 (标题)" becomes "参考答案（练习 1）".
    """

    default_priority = 30
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        from sphinx_exercise.nodes import exercise_enumerable_node, solution_node

        for node in list(self.document.findall(exercise_enumerable_node)):
            title = node.children[0]
            for text in list(title.findall(nodes.Text)):
                if str(text) in (" (", ")"):
                    text.parent.replace(text, nodes.Text("（" if "(" in text else "）"))
            box = nodes.container(classes=["dlbook-exercise"])
            node.replace_self(box)
            box += node
        for node in self.document.findall(solution_node):
            title = node.children[0]
            link = next(iter(title.findall(nodes.reference)), None)
            number = re.match(r"\s*(\S+ \d+)", link.astext()) if link is not None else None
            if number is None:  # not an enumerated exercise: leave sphinx_exercise's title
                continue
            link.clear()
            link += nodes.Text(number[1])
            title.clear()
            title += [nodes.Text(SOLUTION_TITLE + "（"), link, nodes.Text("）")]


class MarkBibliographySection(SphinxPostTransform):
    """Before Sphinx gathers the citations at the end (priority 750): mark their section."""

    default_priority = 740
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for citation in self.document.findall(nodes.citation):
            section = citation.parent
            while section is not None and not isinstance(section, nodes.section):
                section = section.parent
            if section is not None:
                section["classes"].append("dlbook-bibliography")
            return


class BibliographyInPlace(SphinxPostTransform):
    """Put Sphinx's gathered bibliography back at the end of the marked section."""

    default_priority = 900
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        from sphinx.builders.latex.nodes import thebibliography

        bib = next(iter(self.document.findall(thebibliography)), None)
        home = next(iter(self.document.findall(
            lambda n: isinstance(n, nodes.section) and "dlbook-bibliography" in n["classes"])), None)
        if bib is not None and home is not None:
            bib.parent.remove(bib)
            home += bib


# ----------------------------------------------------------------------------- HTML
def built_pdf(app) -> Path | None:
    pdf = Path(app.confdir) / "_build" / "pdf" / PDF_NAME
    return pdf if app.builder.format == "html" and pdf.is_file() else None


def pdf_facts(pdf: Path) -> str:
    """"A4，114 页，1.4 MB" (the page count from pdfinfo when poppler is there)."""
    facts = ["A4"]
    try:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        facts += [f"{line.split()[-1]} 页" for line in info.splitlines() if line.startswith("Pages:")]
    except (OSError, subprocess.CalledProcessError):
        pass
    return "，".join([*facts, f"{pdf.stat().st_size / 1e6:.1f} MB"])


class PdfEdition(SphinxDirective):
    """``{pdf-edition}``: a paragraph linking the PDF edition; nothing when it is not built."""

    def run(self):
        # re-read this page when the PDF appears, changes or goes (a missing file counts as changed)
        self.env.note_dependency(str(Path(self.env.app.confdir) / "_build" / "pdf" / PDF_NAME))
        pdf = built_pdf(self.env.app)
        if pdf is None:
            return []
        uri = relative_uri(self.env.app.builder.get_target_uri(self.env.docname), PDF_NAME)
        para = nodes.paragraph()
        para += nodes.Text("全书另有排好版的 PDF 版（")
        para += nodes.Text(pdf_facts(pdf))
        para += nodes.Text("），由同一次执行的单元格生成：")
        para += nodes.reference("", f"下载《{self.config.project}》PDF 版", refuri=uri)
        para += nodes.Text("。")
        return [para]


def add_menu_entry(app, pagename, templatename, context, doctree) -> None:
    if built_pdf(app) is None:
        return
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            button["buttons"].append({
                "type": "link",
                "url": context["pathto"](PDF_NAME, 1),
                "text": "全书 PDF",
                "tooltip": "下载全书的 PDF 版（A4）",
                "icon": "fas fa-book",
                "label": "download-book-pdf-button",
            })


def copy_pdf(app, exception) -> None:
    pdf = built_pdf(app) if exception is None else None
    if pdf is not None:
        shutil.copyfile(pdf, Path(app.outdir) / PDF_NAME)


def setup(app):
    # the chapters' kernels (started by MyST-NB from this process) inherit it: each figure
    # also leaves as a vector PDF for the PDF edition (dlbook.book.PRINT_FIGURES_ENV_VAR)
    os.environ["DLBOOK_PRINT_FIGURES"] = "1"
    app.connect("config-inited", tune_latex, priority=900)  # after sphinx_jupyterbook_latex (500)
    app.connect("env-updated", root_chapter_head)
    app.add_post_transform(PaperExercises)
    app.add_post_transform(PaperBoxes)
    app.add_post_transform(MarkBibliographySection)
    app.add_post_transform(BibliographyInPlace)
    app.add_directive("pdf-edition", PdfEdition)
    app.connect("html-page-context", add_menu_entry, priority=600)  # after the theme's buttons (501)
    app.connect("build-finished", copy_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
