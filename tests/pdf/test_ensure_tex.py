"""tools/ensure_tex.sh on a machine without TeX, as a non-root user: it names the
Debian packages."""

from __future__ import annotations

import os
import shutil
import subprocess

from pdfbook import ROOT


def run_without_tex(tmp_path, ci: str):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "sort", "sed", "grep", "date", "head", "fc-list"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    (bin_dir / "id").write_text(
        "#!/bin/sh\necho 1000\n"
    )  # not root: nothing is installed
    (bin_dir / "id").chmod(0o755)
    env = {"PATH": str(bin_dir), "CI": ci, "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [str(bin_dir / "bash"), str(ROOT / "tools" / "ensure_tex.sh")],
        env=env,
        capture_output=True,
        text=True,
    )


def test_missing_tex_names_the_debian_packages_and_fails_in_ci(tmp_path):
    proc = run_without_tex(tmp_path, ci="true")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for package in (
        "texlive-xetex",
        "texlive-lang-chinese",
        "texlive-latex-extra",
        "latexmk",
        "poppler-utils",
    ):
        assert package in proc.stderr, f"{package} not named: {proc.stderr}"
    assert "apt-get install" in proc.stderr


def test_missing_tex_outside_ci_only_warns(tmp_path):
    proc = run_without_tex(tmp_path, ci="")
    assert proc.returncode == 0 and "PDF tests will be skipped" in proc.stderr
