"""book/_ext/strict.py: without -W, a warning still makes the build's exit status 1."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

EXT = Path(__file__).resolve().parents[2] / "book" / "_ext"


def _build(
    tmp_path: Path, body: str, extensions: list[str], **kwargs
) -> tuple[int, str]:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(EXT)!r})\nextensions = {extensions!r}\n"
    )
    (src / "index.rst").write_text(f"Title\n=====\n\n{body}\n")
    warnings = io.StringIO()
    with docutils_namespace():
        app = Sphinx(
            str(src),
            str(src),
            str(tmp_path / "out"),
            str(tmp_path / "doctrees"),
            "html",
            status=None,
            warning=warnings,
            freshenv=True,
            **kwargs,
        )
        app.build()
    return app.statuscode, warnings.getvalue()


@pytest.mark.parametrize("extensions, expected", [([], 0), (["strict"], 1)])
def test_a_broken_reference_fails_only_with_the_extension(
    tmp_path, extensions, expected
):
    status, warnings = _build(tmp_path, "See :doc:`missing-page`.", extensions)
    assert "unknown document: 'missing-page'" in warnings
    assert status == expected


def test_a_clean_page_still_succeeds(tmp_path):
    status, warnings = _build(tmp_path, "Nothing wrong here.", ["strict"])
    assert (status, warnings) == (0, "")


def test_with_w_and_keep_going_nothing_changes(tmp_path):
    status, _ = _build(
        tmp_path,
        "See :doc:`missing-page`.",
        ["strict"],
        warningiserror=True,
        keep_going=True,
    )
    assert status == 1


def test_stderr_output_is_a_warning_quoting_it(tmp_path):
    """A block of class ``stderr`` (how MyST-NB renders a cell's stderr) is a warning
    at its line that shows the first lines printed, and fails the build."""
    printed = [f"UserWarning: glyph {n} missing" for n in (2325, 2326, 2327, 2328, 99)]
    block = "\n".join(f"   {line}" for line in printed)
    body = f"Text.\n\n.. code-block:: none\n   :class: output stderr\n\n{block}\n"
    status, warnings = _build(tmp_path, body, ["strict"])
    assert status == 1
    (line,) = warnings.strip().splitlines()
    assert "index.rst:" in line and "printed to stderr" in line, line
    assert " | ".join(printed[:4]) in line and "glyph 99" not in line, line


def test_other_literal_blocks_are_not_warnings(tmp_path):
    body = "Text.\n\n.. code-block:: none\n   :class: output stream\n\n   fine\n"
    assert _build(tmp_path, body, ["strict"]) == (0, "")
