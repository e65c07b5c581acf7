"""The bundle extension (book/_ext/bundle.py) is importable as ``bundle`` in these
tests."""

import sys
from pathlib import Path

EXT = Path(__file__).resolve().parents[2] / "book" / "_ext"
if str(EXT) not in sys.path:
    sys.path.insert(0, str(EXT))
