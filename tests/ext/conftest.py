"""The book's Sphinx extensions live in book/_ext (Jupyter Book's
``local_extensions``): importable here."""

from __future__ import annotations

import sys
from pathlib import Path

EXT = Path(__file__).resolve().parents[2] / "book" / "_ext"
if str(EXT) not in sys.path:
    sys.path.insert(0, str(EXT))
