"""Paths and poppler for the PDF tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "pdf" / "dl-week01.pdf"


def poppler(*args: str) -> str:
    """stdout of a poppler-utils command (pdfinfo, pdffonts, pdftotext, pdftohtml)."""
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout
