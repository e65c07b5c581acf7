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
from chapter_frame import check_goals_and_prerequisites

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def page(built_site):
    return soup(built_site, "setup")


def test_figures_are_images_with_chinese_alt(built_site):
    check_figures(built_site, "setup", 1)


def test_only_tagged_cells_raise(page):
    check_only_tagged_cells_raise(page)


def test_exercises_with_executed_solutions(page):
    check_exercises(page, 3)


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
    # a dated image tag (never a moving one such as cuda12-latest) ...
    base = dockerfile.splitlines()[0].split()[1]
    assert re.fullmatch(
        r"quay\.io/jupyter/pytorch-notebook:cuda12-\d{4}-\d{2}-\d{2}", base
    )
    # ... and the language pack of the JupyterLab minor version, checked in the build
    pack = re.search(
        r"jupyterlab-language-pack-zh-CN==(\d+)\.(\d+)\.post\d+", dockerfile
    )
    assert pack, dockerfile
    assert f"jupyter lab --version | grep -q '^{pack[1]}\\.{pack[2]}\\.'" in dockerfile
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


def test_goals_and_prerequisites(page):
    check_goals_and_prerequisites(page, [])


def test_setup_device_mismatch_is_loud(page):
    """After the course's plot_model moved the model to the CPU, the next forward
    raises a device-mismatch error (shown with a stand-in device without a GPU);
    moving the model back fixes it."""
    cell = cell_with_source(page, "gpu = device if device.type")
    shown = node_text(cell.select_one("div.cell_output"))
    assert re.search(
        r"RuntimeError: .*(not on the expected device|same device)", shown
    ), shown
    fixed = node_text(
        cell_with_source(page, "model.to(X.device)").select_one("div.cell_output")
    )
    assert "torch.Size([8, 3])" in fixed
    text = node_text(page.select_one("main"))
    assert "悄悄跑在 CPU 上" not in text


def test_setup_ziegler_claim_names_the_file(page):
    text = node_text(page.select_one("main"))
    assert "Atcold/pytorch-Deep-Learning/master/res/plot_lib.py" in text
    assert "zieger = plt.imread('res/ziegler.png')" in text
    assert "NYU-DLSP20" in text and "NYU-DLSP21" in text
    assert "较新的版本" not in text


def test_setup_course_device_choice(page):
    """The exercise quotes the course's cuda:0-or-cpu choice (no MPS) and runs it."""
    ex = next(e for e in page.select("div.exercise") if "挑选设备" in node_text(e))
    assert 'torch.device("cuda:0" if torch.cuda.is_available() else "cpu")' in (
        node_text(ex)
    )
    out = node_text(
        cell_with_source(page, "def pick_device").select_one("div.cell_output")
    )
    course = re.search(r"课程的写法:\s+(\S+)", out)[1]
    assert course in ("cpu", "cuda:0")
    # without a GPU the course, pick_device (no MPS on the builders) and dlbook agree
    if course == "cpu":
        assert re.search(r"pick_device\(\):\s+cpu", out)
        assert re.search(r"dlbook\.get_device\(\):\s+cpu", out)


def test_setup_kana_exercise(page):
    out = node_text(
        cell_with_source(page, 'samples["日文假名"]').select_one("div.cell_output")
    )
    assert "只用 DejaVu Sans（默认）：0 / 10" in out
    assert "本书：DejaVu Sans → Noto Sans SC：10 / 10" in out


def test_setup_python_versions(page):
    assert "Python 3.11、3.12 或 3.13" in node_text(page.select_one("main"))


def test_intro_claims(built_site):
    """The preface: math typeset by KaTeX at build time, Python 3.11-3.13, and what
    "the same numbers" does and does not guarantee."""
    intro = soup(built_site, "intro")
    text = node_text(intro.select_one("main"))
    assert "MathJax" not in text and "KaTeX" in text
    assert "Python 3.11、3.12 或 3.13" in text
    assert "就能得到和书中一样的数字" not in text
    for needle in ("库的版本", "设备类型", "最后几位", "BLAS"):
        assert needle in text, needle
    report = node_text(soup(built_site, "execution-report").select_one("main"))
    assert "最后几位" in report and "BLAS" in report
