"""The book's build-time JavaScript tools (KaTeX, PurgeCSS), pinned in package.json and run
with the machine's Node.js; one place that finds them and says what to do when they are missing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"


def ensure(package: str, marker: str, who: str) -> Path:
    """``node_modules/<package>`` (checked by its file ``marker``); runs ``npm ci`` once when it
    is missing and npm is there. ``who`` (an extension's name) heads every error."""
    if shutil.which("node") is None:
        raise ExtensionError(
            f"{who}: Node.js is missing; the book runs {package} at build time. Install Node.js 18+ "
            "with npm (Debian: apt-get install -y nodejs npm) and run `make book`."
        )
    folder = NODE_MODULES / package
    if not (folder / marker).is_file():
        if shutil.which("npm") is None:
            raise ExtensionError(
                f"{who}: node_modules/{package} is missing and npm is not installed: "
                "install npm, then run `npm ci`."
            )
        logger.info("%s: installing %s (npm ci, pinned in package-lock.json)", who, package)
        proc = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, capture_output=True, text=True
        )
        if proc.returncode != 0 or not (folder / marker).is_file():
            raise ExtensionError(f"{who}: `npm ci` failed in {ROOT.name}/:\n{proc.stderr[-1500:]}")
    return folder
