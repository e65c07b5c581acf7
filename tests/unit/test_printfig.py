"""dlbook.printfig: the vector PDF copy of every notebook figure (the PDF edition)."""

from __future__ import annotations

import base64
import io
import logging
import re
import shutil
import subprocess

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import dlbook  # noqa: E402
from dlbook.book import figure_png  # noqa: E402
from dlbook.printfig import PRINT_DPI, figure_pdf, truetype_outlines  # noqa: E402

TITLE = "螺旋数据：训练损失"


@pytest.fixture()
def spiral_figure():
    dlbook.setup_fonts()
    X, y = dlbook.make_spiral(300, n_classes=3)
    fig, ax = plt.subplots(figsize=(4, 4))
    dlbook.plot_spiral(X, y, ax=ax, title=TITLE)  # the points are rasterized
    yield fig
    plt.close(fig)


def poppler(pdf: bytes, tmp_path, tool: str, *options: str) -> str:
    """stdout of a poppler-utils tool run on ``pdf``; skipped without poppler."""
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) not installed: tools/ensure_tex.sh")
    path = tmp_path / "figure.pdf"
    path.write_bytes(pdf)
    args = [tool, *options, str(path)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_figure_pdf_is_reproducible_and_undated(spiral_figure):
    pdf = figure_pdf(spiral_figure)
    assert pdf.startswith(b"%PDF-") and pdf == figure_pdf(spiral_figure)
    assert b"/CreationDate" not in pdf
    assert b"/Creator (dlbook)" in pdf


def test_cjk_text_is_an_embedded_truetype_font_not_type3(spiral_figure, tmp_path):
    pdf = figure_pdf(spiral_figure)
    fonts = poppler(pdf, tmp_path, "pdffonts").splitlines()[2:]
    noto = [row for row in fonts if "NotoSansSC" in row]
    assert noto and all(
        "CID TrueType" in row and " yes yes yes " in row for row in noto
    )
    assert not [row for row in fonts if "Type 3" in row], fonts
    # the title is text (searchable, copyable), not drawn shapes
    assert TITLE in poppler(pdf, tmp_path, "pdftotext").replace("\n", "")


def test_rasterized_parts_are_drawn_at_print_resolution(spiral_figure, tmp_path):
    pdf = figure_pdf(spiral_figure)
    listing = poppler(pdf, tmp_path, "pdfimages", "-list").splitlines()[2:]
    ppi = [int(row.split()[12]) for row in listing if row.split()[2] == "image"]
    assert ppi and min(ppi) >= PRINT_DPI - 1, listing


def test_matplotlib_is_left_as_it_was(spiral_figure):
    from matplotlib.backends import _backend_pdf_ps

    before = _backend_pdf_ps.font_as_file
    figure_pdf(spiral_figure)
    assert _backend_pdf_ps.font_as_file is before
    assert matplotlib.rcParams["pdf.fonttype"] == 3  # matplotlib's default, untouched


def test_truetype_outlines_keep_glyphs_metrics_and_shapes():
    from fontTools import subset
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    path = dlbook.fonts.cjk_font_path()
    cff = TTFont(str(path))
    subsetter = subset.Subsetter()
    subsetter.populate(text="螺旋数据 Ag")
    subsetter.subset(cff)
    assert "CFF " in cff
    before = {
        name: (cff["hmtx"][name], cff.getGlyphSet()[name])
        for name in cff.getGlyphOrder()
    }
    bounds = {}
    for name, (_, glyph) in before.items():
        pen = BoundsPen(cff.getGlyphSet())
        glyph.draw(pen)
        bounds[name] = pen.bounds
    truetype_outlines(cff)
    saved = io.BytesIO()
    cff.save(saved)
    tt = TTFont(io.BytesIO(saved.getvalue()))
    assert "glyf" in tt and "CFF " not in tt and tt.sfntVersion == "\x00\x01\x00\x00"
    assert tt.getGlyphOrder() == list(before)
    for name, (metrics, _) in before.items():
        assert tt["hmtx"][name] == metrics
        glyph = tt["glyf"][name]
        if bounds[name] is None:
            assert glyph.numberOfContours == 0
            continue
        got = (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax)
        assert all(abs(a - b) <= 2 for a, b in zip(got, bounds[name])), name


@pytest.mark.parametrize("printing", ["1", None], ids=["book-build", "reader"])
def test_notebook_figures_leave_as_the_same_png_and_a_pdf_in_builds(
    spiral_figure, monkeypatch, printing
):
    """The book's builds (DLBOOK_PRINT_FIGURES=1) add the print copy; a reader's
    Jupyter gets the PNG alone."""
    from IPython.core.interactiveshell import InteractiveShell

    from dlbook.book import PRINT_FIGURES_ENV_VAR, _configure_notebook_figures

    if printing:
        monkeypatch.setenv(PRINT_FIGURES_ENV_VAR, printing)
    else:
        monkeypatch.delenv(PRINT_FIGURES_ENV_VAR, raising=False)
    shell = InteractiveShell.instance()
    try:
        _configure_notebook_figures()
        data, _ = shell.display_formatter.format(spiral_figure)
    finally:
        InteractiveShell.clear_instance()

    assert base64.b64decode(data["image/png"]) == figure_png(spiral_figure)
    if printing:
        assert base64.b64decode(data["application/pdf"]) == figure_pdf(spiral_figure)
    else:
        assert "application/pdf" not in data
    assert not re.search(r"image/svg|image/jpeg", " ".join(data))


def test_math_labels_print_quietly(caplog, capfd):
    """Math text uses matplotlib's Cmsy10, whose old head date fontTools would report on
    stderr (a warning, which fails the book's build)."""
    dlbook.setup_fonts()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], label=r"$\sigma'(x)$")
    ax.legend()
    with caplog.at_level(logging.DEBUG, logger="fontTools"):
        pdf = figure_pdf(fig)
    plt.close(fig)
    assert b"Cmsy10" in pdf
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not warnings and not capfd.readouterr().err, warnings
