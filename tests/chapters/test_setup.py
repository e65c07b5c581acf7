"""The chapter 环境搭建 (book/setup).

Every assertion reads the HTML that the build wrote (executed cell outputs, correction
boxes,
exercises, navigation, search index), so a chapter that stops showing the real output
fails here.
"""

from __future__ import annotations

import re

import pytest
from bookdata import docs_for

from chapterpages import (
    check_exercises,
    check_figures,
    check_in_sidebar,
    check_only_tagged_cells_raise,
    cell_with_source,
    node_text,
    soup,
    tracebacks,
)

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def page(built_site):
    return soup(built_site, "setup")


def test_figures_are_images_with_chinese_alt(built_site):
    check_figures(built_site, "setup", 1)


def test_only_tagged_cells_raise(page):
    check_only_tagged_cells_raise(page)


def test_exercises_with_executed_solutions(page):
    check_exercises(page, 2)


def test_in_sidebar_nav(built_site):
    check_in_sidebar(built_site, {"setup.html": "环境搭建"})


@pytest.mark.parametrize("word", ["环境", "环境搭建", "字体", "容器"])
def test_chinese_search(search_index, word):
    assert "book/setup" in docs_for(search_index, word), (
        f"searching {word} does not find book/setup"
    )


def test_setup_ziegler_error_shown(page):
    tbs = tracebacks(page)
    assert any("FileNotFoundError" in t and "res/ziegler.png" in t for t in tbs)


def test_setup_glyph_indices(page):
    out = node_text(
        cell_with_source(page, 'for ch in "张A₁"').select_one("div.cell_output")
    )
    assert re.search(
        r"张\s+U\+5F20\s+DejaVu Sans 的字形编号:\s+0\s+Noto Sans SC "
        r"的字形编号:\s+[1-9]\d*",
        out,
    ), out
    assert re.search(
        r"₁\s+U\+2081\s+DejaVu Sans 的字形编号:\s+[1-9]\d*\s+Noto Sans SC "
        r"的字形编号:\s+0\b",
        out,
    ), out


def test_setup_environment_report(page):
    cell = cell_with_source(page, "dlbook.show_table")
    out = node_text(cell.select_one("div.cell_output"))
    assert re.search(
        r"设备：(CPU|GPU)：\S.* · torch \d+\.\d+\.\d+\S* · CUDA \S+", out
    ), out
    rows = {}
    for tr in cell.select("div.cell_output table tr"):
        tds = [td.get_text(strip=True) for td in tr.select("td")]
        if len(tds) == 2:
            rows[tds[0]] = tds[1]
    for key in (
        "Python",
        "PyTorch",
        "CUDA 可用",
        "计算设备",
        "设备名称",
        "GPU 数量",
        "画「张」的字体",
    ):
        assert key in rows, f"row {key} missing from the environment report: {rows}"
    assert re.fullmatch(r"3\.\d+\.\d+", rows["Python"])
    assert rows["CUDA 可用"] in ("是", "否")
    assert rows["计算设备"].startswith(("cpu", "cuda"))
    if rows["计算设备"].startswith("cuda"):
        assert rows["CUDA 可用"] == "是"
    gpus = int(rows["GPU 数量"])
    assert len([k for k in rows if re.fullmatch(r"GPU \d+", k)]) == gpus
    assert (
        "DejaVu" not in rows["画「张」的字体"]
        and "没有字体" not in rows["画「张」的字体"]
    )
    assert "DejaVu Sans" in rows["画「A」的字体"]


def test_setup_docker_recipe(page):
    """The Jupyter recipe: a valid JupyterLab settings file (Chinese UI, theme, CJK
    fonts), a Dockerfile that installs the font and language pack, and a run line with
    GPU, port, volume, token."""
    import json

    blocks = {
        " ".join(div.get("class", [])): node_text(div)
        for div in page.select("div.highlight-json, div.highlight-dockerfile")
    }
    settings = json.loads(next(t for c, t in blocks.items() if "json" in c))
    assert settings["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    themes = settings["@jupyterlab/apputils-extension:themes"]
    assert themes["theme"] and "CJK" in themes["overrides"]["code-font-family"]
    dockerfile = next(t for c, t in blocks.items() if "dockerfile" in c)
    assert dockerfile.startswith("FROM ") and "fonts-noto-cjk" in dockerfile
    assert re.search(r"jupyterlab-language-pack-zh-CN==\d", dockerfile)
    assert "overrides.json" in dockerfile
    runs = [
        node_text(d)
        for d in page.select("div.highlight-bash")
        if "docker run" in node_text(d)
    ]
    assert len(runs) == 1
    for flag in ("--gpus all", "-p 127.0.0.1:8888:8888", "-v ", "JUPYTER_TOKEN="):
        assert flag in runs[0], flag


def test_setup_build_instructions(page):
    text = node_text(page.select_one("main"))
    for needle in (
        "make book",
        "make test",
        "make serve",
        "http://127.0.0.1:8000/",
        "_build/html",
        "DLBOOK_DEVICE=cuda",
        "torch==2.13.0",
        "execute_notebooks: cache",
        "make clean",
    ):
        assert needle in text, needle
