"""A real CJK font for matplotlib, found without root and without system packages.

The book uses Noto Sans SC (SIL Open Font License 1.1) shipped inside the PyPI
package ``pylopdf-fonts-zh-cn`` (pinned in ``requirements.txt``). The font file is
registered with matplotlib's font manager directly, so a stale font cache cannot
hide it. ``DLBOOK_CJK_FONT=/path/to/font.otf`` points the book at another file.
"""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib import font_manager, rcParams

FONT_ENV_VAR = "DLBOOK_CJK_FONT"
FONT_PACKAGE = "pylopdf-fonts-zh-cn==0.1.1"
#: Latin text first (DejaVu Sans has the symbols Noto Sans SC lacks), CJK second:
# matplotlib
#: falls back glyph by glyph across the entries of ``font.family``.
LATIN_FAMILY = "DejaVu Sans"


class FontNotFoundError(RuntimeError):
    """No CJK font file could be found; the message says how to install one."""


def cjk_font_path() -> Path:
    """Path of the CJK font file the book uses (``DLBOOK_CJK_FONT`` or Noto Sans SC from
    PyPI).
    """
    override = os.environ.get(FONT_ENV_VAR)
    if override:
        path = Path(override)
        if not path.is_file():
            raise FontNotFoundError(
                f"{FONT_ENV_VAR}={override!r} is not a font file. Point it at an "
                ".otf/.ttf file with "
                f"Chinese glyphs, or unset it to use Noto Sans SC from {FONT_PACKAGE}."
            )
        return path
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        raise FontNotFoundError(
            "The book needs the CJK font Noto Sans SC, shipped in the PyPI package "
            f"{FONT_PACKAGE}, "
            "which is not installed. Run `make book` (it installs requirements.txt) "
            "or "
            f"`pip install {FONT_PACKAGE}`; or set {FONT_ENV_VAR} to another CJK "
            ".otf/.ttf file."
        ) from None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    if not path.is_file():
        raise FontNotFoundError(
            f"{FONT_PACKAGE} is installed but its font file {path} is missing; "
            "reinstall it with "
            f"`pip install --force-reinstall {FONT_PACKAGE}`."
        )
    return path


def setup_fonts() -> str:
    """Register the CJK font with matplotlib and make it the fallback family; return its
    name.
    """
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    rcParams["font.family"] = [LATIN_FAMILY, name]
    rcParams["axes.unicode_minus"] = True
    return name


def missing_glyphs(text: str, font_path: str | os.PathLike | None = None) -> list[str]:
    """Characters of ``text`` that neither DejaVu Sans nor the CJK font can draw."""
    from matplotlib.ft2font import FT2Font

    fonts = [
        FT2Font(font_manager.findfont(LATIN_FAMILY, fallback_to_default=False)),
        FT2Font(str(font_path or cjk_font_path())),
    ]
    return sorted(
        {
            ch
            for ch in text
            if not ch.isspace() and all(f.get_char_index(ord(ch)) == 0 for f in fonts)
        }
    )
