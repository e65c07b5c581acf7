"""tools/setup_venv.sh (run by `make book` / `make test` first) stops with a clear message on a bad setup."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "setup_venv.sh"


def run(python: str, venv: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPT)], cwd=ROOT, env={"PATH": "/usr/bin:/bin", "PYTHON": python, "VENV": str(venv)},
        capture_output=True, text=True, timeout=60,
    )


def fake_python(tmp_path: Path, body: str) -> str:
    path = tmp_path / "python3.11"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def test_missing_interpreter(tmp_path):
    r = run(str(tmp_path / "nowhere" / "python3.11"), tmp_path / "venv")
    assert r.returncode == 1
    assert "not found" in r.stderr and "Python 3.11" in r.stderr and "PYTHON=/path/to/python3.11" in r.stderr


def test_interpreter_that_does_not_run(tmp_path):
    r = run("/bin/false", tmp_path / "venv")
    assert r.returncode == 1
    assert "/bin/false does not run as a Python interpreter" in r.stderr, r.stderr
    assert "Python 3.11" in r.stderr


def test_wrong_python_version(tmp_path):
    r = run(fake_python(tmp_path, 'echo 3.10\n'), tmp_path / "venv")
    assert r.returncode == 1
    assert "is Python 3.10" in r.stderr and "for Python 3.11" in r.stderr, r.stderr
    assert not (tmp_path / "venv").exists()


def test_missing_venv_support(tmp_path):
    python = fake_python(tmp_path, 'case "$*" in\n  *"-m venv"*) echo "ensurepip is not available" >&2; exit 1;;\n  *) echo 3.11;;\nesac\n')
    r = run(python, tmp_path / "venv")
    assert r.returncode == 1
    assert "-m venv' failed (ensurepip is not available)" in r.stderr, r.stderr
    assert "apt-get install python3.11-venv" in r.stderr
    assert not (tmp_path / "venv").exists()
