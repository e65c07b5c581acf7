"""Figures for print: each notebook figure also leaves as a vector PDF (PDF edition).

The site shows the PNG (:func:`dlbook.book.figure_png`); the LaTeX build of the book
prefers ``application/pdf`` outputs (MyST-NB's priority for the ``latex`` builder), so
``make pdf`` typesets the same executed figure as vector graphics, without running a
cell twice. The PDF is byte-reproducible (no creation date) and its text stays text,
in the figure's own fonts:

* ``pdf.fonttype`` 42: fonts are embedded as subsets (CID fonts), not drawn as Type 3
  procedures, so the Chinese labels can be searched and copied in the PDF edition;
* the book's CJK font, Noto Sans SC, has PostScript (CFF) outlines, which matplotlib
  3.11 would embed as if they were TrueType (a font file a PDF reader must not accept).
  While :func:`figure_pdf` draws, the embedded subset gets quadratic (TrueType)
  outlines instead (:func:`truetype_outlines`, at most 1/1000 em from the original).
* parts drawn as pixels (scatter plots marked ``rasterized``, ``imshow``) are drawn at
  :data:`PRINT_DPI`.
"""

from __future__ import annotations

import io
import logging
from contextlib import contextmanager

import matplotlib

#: pixels per inch for the rasterized parts of a printed figure
PRINT_DPI = 300
#: what a PDF figure says about itself: nothing that changes from build to build
PDF_METADATA = {"CreationDate": None, "Creator": "dlbook"}


def truetype_outlines(font, max_err: float = 1.0) -> None:
    """Give a fontTools font with CFF outlines TrueType outlines instead, in place.

    Cubic curves become quadratic ones (``max_err`` in font units); metrics, glyph
    order and cmap are kept. A font without a ``CFF `` table is left alone.
    """
    if "CFF " not in font:
        return
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    outlines = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(outlines)
        outlines[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
        glyf.glyphs[name].recalcBounds(glyf)
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000  # the TrueType version: no hinting, counts from glyf
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxComponentDepth",
    ):
        setattr(maxp, field, 0)
    maxp.recalc(font)
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


@contextmanager
def _embed_truetype():
    """While drawing a PDF: CFF font subsets are embedded with TrueType outlines."""
    from matplotlib.backends import _backend_pdf_ps

    original = _backend_pdf_ps.font_as_file

    def font_as_file(font):
        truetype_outlines(font)
        return original(font)

    # matplotlib's own font Cmsy10 (math symbols) has a pre-1970 date in its head table;
    # fontTools says so on stderr each time it subsets it (and the book fails on stderr)
    head_log = logging.getLogger("fontTools.ttLib.tables._h_e_a_d")
    level = head_log.level
    _backend_pdf_ps.font_as_file = font_as_file
    head_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        _backend_pdf_ps.font_as_file = original
        head_log.setLevel(level)


def figure_pdf(fig) -> bytes:
    """The figure as a vector PDF for print: embedded font subsets, same bytes each
    time."""
    out = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), _embed_truetype():
        fig.savefig(
            out, format="pdf", bbox_inches="tight", dpi=PRINT_DPI, metadata=PDF_METADATA
        )
    return out.getvalue()
