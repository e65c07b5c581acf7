"""The site links the PDF edition (intro paragraph, download menu) once `make pdf` has
built it,
and has no PDF link at all without it. A two-page Sphinx project with the book's theme
and
book/_ext/pdf_zh.py, so the real site build is not repeated."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from pdfbook import ROOT

pytestmark = pytest.mark.build


def build(tmp_path, pdf):
    src = tmp_path / "src"
    (src / "book").mkdir(parents=True)
    (src / "conf.py").write_text(
        "extensions = ['pdf_zh', 'myst_parser']\nhtml_theme = 'sphinx_book_theme'\n"
        "html_theme_options = {'use_download_button': True}\n"
        "language = 'zh_CN'\nproject = '深度学习第一周'\n",
        encoding="utf-8",
    )
    (src / "index.md").write_text(
        "# 首页\n\n```{toctree}\nbook/intro\n```\n", encoding="utf-8"
    )
    (src / "book" / "intro.md").write_text(
        "# 前言\n\n```{pdf-edition}\n```\n", encoding="utf-8"
    )
    if pdf:
        (src / "_build" / "pdf").mkdir(parents=True)
        shutil.copyfile(pdf, src / "_build" / "pdf" / "dl-week01.pdf")
    out = tmp_path / "html"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "book" / "_ext")}
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(src), str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_site_links_the_built_pdf(tmp_path, pdf_build, pdf_info):
    out = build(tmp_path, pdf_build["pdf"])
    assert (out / "dl-week01.pdf").read_bytes() == pdf_build["pdf"].read_bytes()
    intro = (out / "book" / "intro.html").read_text(encoding="utf-8")
    link = r'<a[^>]*href="\.\./dl-week01\.pdf"[^>]*>下载《深度学习第一周》PDF 版</a>'
    para = re.search(r"<p>全书另有[^<]*" + link, intro)
    assert para, "the intro page does not link ../dl-week01.pdf"
    assert f"{pdf_info['Pages']} 页" in intro
    menu = intro.split("dropdown-download-buttons", 1)[1].split("</ul>", 1)[0]
    assert 'href="../dl-week01.pdf"' in menu and "全书 PDF" in menu, (
        "no 全书 PDF entry in the download menu"
    )


def test_no_pdf_no_link(tmp_path):
    out = build(tmp_path, None)
    intro = (out / "book" / "intro.html").read_text(encoding="utf-8")
    assert "dl-week01.pdf" not in intro and not (out / "dl-week01.pdf").exists()
