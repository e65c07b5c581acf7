"""tools/setup_venv.sh (run by `make book` / `make test` first) stops with a clear
message on a bad setup."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "setup_venv.sh"


def run(python: str, venv: Path, kind: str = "build") -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHON": python,
            "VENV": str(venv),
            "KIND": kind,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def fake_python(tmp_path: Path, body: str) -> str:
    path = tmp_path / "python3.11"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def test_missing_interpreter(tmp_path):
    r = run(str(tmp_path / "nowhere" / "python3.11"), tmp_path / "venv")
    assert r.returncode == 1
    assert (
        "not found" in r.stderr
        and "Python 3.11, 3.12 or 3.13" in r.stderr
        and "PYTHON=/path/to/python3.X" in r.stderr
    )


def test_interpreter_that_does_not_run(tmp_path):
    r = run("/bin/false", tmp_path / "venv")
    assert r.returncode == 1
    assert "/bin/false does not run as a Python interpreter" in r.stderr, r.stderr
    assert "Python 3.11, 3.12 or 3.13" in r.stderr


@pytest.mark.parametrize("version", ["3.10.12", "3.14.0"])
def test_wrong_python_version(tmp_path, version):
    r = run(fake_python(tmp_path, f"echo {version}\n"), tmp_path / "venv")
    assert r.returncode == 1
    assert (
        f"is Python {version}" in r.stderr and "Python 3.11, 3.12 or 3.13" in r.stderr
    ), r.stderr
    assert not (tmp_path / "venv").exists()


def test_missing_venv_support(tmp_path):
    python = fake_python(
        tmp_path,
        'case "$*" in\n  *"-m venv"*) echo "ensurepip is not available" >&2; exit 1;;\n  *) echo 3.11.2;;\nesac\n',
    )
    r = run(python, tmp_path / "venv")
    assert r.returncode == 1
    assert "-m venv' failed (ensurepip is not available)" in r.stderr, r.stderr
    assert "apt-get install python3.11-venv" in r.stderr
    assert not (tmp_path / "venv").exists()


# A fake interpreter whose "venv" is a folder with a fake python that logs what it is
# asked to do
FAKE = """case "$*" in
  *"-m venv"*) for d; do :; done; mkdir -p "$d/bin"; printf '%s\\n' '#!/bin/sh' 'echo "$*" >> "$(dirname "$0")/../calls"' \\
     'case "$*" in *"-r requirements"*) [ -n "$FAIL" ] && exit 1;; esac; exit 0' > "$d/bin/python"; chmod +x "$d/bin/python";;
  *) echo 3.12.1;;
esac
"""


def test_foreign_venv_is_made_again(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(
        "/nonexistent/python3.11"
    )  # made by an interpreter since removed
    (venv / ".installed-build").write_text("old")
    (venv / "old-file").write_text("x")
    r = run(fake_python(tmp_path, FAKE), venv)
    assert r.returncode == 0, r.stderr
    assert "made by another interpreter or is half-installed" in r.stdout
    assert not (venv / "old-file").exists()
    assert "3.12.1" in (venv / ".python").read_text()
    assert "-r requirements.txt" in (venv / "calls").read_text()
    again = run(fake_python(tmp_path, FAKE), venv)  # nothing changed: nothing installed
    assert again.returncode == 0 and again.stdout == ""


def test_half_installed_venv_is_made_again_and_test_kind_adds_the_test_pins(tmp_path):
    venv = tmp_path / "venv"
    python = fake_python(tmp_path, FAKE)
    failed = subprocess.run(
        ["bash", str(SCRIPT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHON": python, "VENV": str(venv), "FAIL": "1"},
    )
    assert failed.returncode == 1 and "made again by the next 'make'" in failed.stderr
    assert not list(venv.glob(".installed-*"))
    (venv / "half").write_text("x")
    r = run(python, venv, kind="test")
    assert r.returncode == 0, r.stderr
    assert "half-installed" in r.stdout and not (venv / "half").exists()
    assert "-r requirements-test.txt" in (venv / "calls").read_text()
    assert (venv / ".installed-test").is_file()
