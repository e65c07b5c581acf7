"""Build the book: `make book` runs this. Every cell is executed (cache mode), warnings are errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    env = dict(os.environ)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    cmd = [
        str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT),
        "--warningiserror", "--nitpick", "--keep-going", *argv,
    ]
    return subprocess.call(cmd, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
