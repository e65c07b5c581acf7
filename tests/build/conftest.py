"""Fixtures of the build tests; the fixture book itself is in fixturebook.py."""

from __future__ import annotations

import pytest
from fixturebook import write_fixture_book


@pytest.fixture
def fixture_book(tmp_path):
    """``fixture_book({"a": chapter(...)}, timeout=5)`` → a FixtureBook in a temporary
    folder."""
    counter = {"n": 0}

    def make(chapters: dict[str, str], **kwargs):
        counter["n"] += 1
        return write_fixture_book(tmp_path / f"book{counter['n']}", chapters, **kwargs)

    return make
