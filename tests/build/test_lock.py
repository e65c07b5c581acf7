"""The pins resolve for every Python and platform the project claims (uv's resolver,
from PyPI).

This machine has one Python and one platform; uv resolves the lock for the others:
Python 3.11 (from 3.11.0: Debian 12 ships 3.11.2), 3.12 and 3.13 on Linux
x86_64/aarch64 and
macOS arm64 (14+, where torch has wheels). The resolution must add no package the lock
does not
pin (but torch's CUDA libraries on Linux), and pick exactly the pinned versions.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).parent / "uv"
PLATFORMS = [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "aarch64-apple-darwin",
]
PYTHONS = ["3.11.0", "3.11.2", "3.12", "3.13"]


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for req in ("requirements.txt", "requirements-test.txt"):
        for line in (ROOT / req).read_text(encoding="utf-8").splitlines():
            m = re.match(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
            if m:
                out.setdefault(norm(m[1]), set()).add(m[2])
    return out


def test_requires_python_matches_the_checked_versions():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'requires-python = ">=3.11,<3.14"' in text


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("python", PYTHONS)
def test_lock_resolves(python, platform, tmp_path):
    if not UV.is_file():
        pytest.fail(
            f"{UV} is missing: `make test` installs requirements-test.txt (uv is pinned there)"
        )
    proc = subprocess.run(
        [
            str(UV),
            "pip",
            "compile",
            str(ROOT / "requirements-test.txt"),
            "--python-version",
            python,
            "--python-platform",
            platform,
            "--no-header",
            "--no-annotate",
            "--quiet",
            "--no-config",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MACOSX_DEPLOYMENT_TARGET": "14.0"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    resolved = dict(
        re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", ln).groups()
        for ln in proc.stdout.splitlines()
        if re.match(r"[A-Za-z0-9]", ln)
    )
    locked = pins()
    # PyPI's torch for Linux is the CUDA build, which adds its CUDA libraries; the lock
    # pins the
    # CPU build (README: how to get it), so those are the only names allowed beyond the
    # pins
    cuda = re.compile(r"(nvidia-|cuda-|triton$)")
    unpinned = sorted(
        n for n in resolved if norm(n) not in locked and not cuda.match(norm(n))
    )
    assert not unpinned, (
        f"the resolution adds packages the lock does not pin: {unpinned}"
    )
    wrong = sorted(
        f"{n}=={v}"
        for n, v in resolved.items()
        if norm(n) in locked and v not in locked[norm(n)]
    )
    assert not wrong, f"versions other than the pinned ones: {wrong}"
    if python.startswith("3.11.") and python < "3.11.5":
        assert resolved.get("soupsieve") == "2.10"
