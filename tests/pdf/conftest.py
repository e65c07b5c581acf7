"""The PDF edition, built once per session with `make pdf` after the site (same
execution cache)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest

from pdfbook import PDF, ROOT, poppler

_facts: dict = {}


@pytest.fixture(scope="session")
def pdf_build(built_site, tmp_path_factory) -> dict:
    """Run `make pdf` once (after the site build filled the cache); its driver stats
    and timing.

    Without XeLaTeX the PDF tests are skipped, except with CI=true where they fail
    (make test
    installs TeX with tools/ensure_tex.sh first).
    """
    if shutil.which("xelatex") is None or shutil.which("pdftotext") is None:
        message = (
            "no XeLaTeX/poppler: run tools/ensure_tex.sh (it names the Debian packages)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    stats = tmp_path_factory.mktemp("pdf") / "stats.json"
    t0 = time.time()
    proc = subprocess.run(
        ["make", "--no-print-directory", "pdf", f"PDF_BUILD_ARGS=--stats-json {stats}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.time() - t0
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        pytest.fail(f"make pdf failed (rc={proc.returncode}):\n{tail}", pytrace=False)
    _facts.update(seconds=seconds, bytes=PDF.stat().st_size)
    return {
        "stats": json.loads(stats.read_text(encoding="utf-8")),
        "seconds": seconds,
        "pdf": PDF,
    }


@pytest.fixture(scope="session")
def pdf_info(pdf_build) -> dict:
    info = dict(
        line.split(":", 1)
        for line in poppler("pdfinfo", str(pdf_build["pdf"])).splitlines()
        if ":" in line
    )
    info = {k.strip(): v.strip() for k, v in info.items()}
    _facts["pages"] = int(info["Pages"])
    return info


def pytest_terminal_summary(terminalreporter):
    if "pages" in _facts:
        terminalreporter.write_line(
            f"PDF edition: {_facts['pages']} pages, {_facts['bytes'] / 1e6:.2f} MB, "
            f"`make pdf` took {_facts['seconds']:.0f} s (site already built)"
        )
