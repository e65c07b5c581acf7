"""The built pages of the chapters 环境搭建 (book/setup), PyTorch 张量基础 (book/tensors) and
PyTorch 张量的陷阱 (book/tensor-pitfalls).

Every assertion reads the HTML that the build wrote (executed cell outputs, correction boxes,
exercises, navigation, search index), so a chapter that stops showing the real output fails here.
The tests skip when the site has not been built (`make book` first).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bookdata import docs_for

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ("book/setup", "book/tensors", "book/tensor-pitfalls")


@pytest.fixture(scope="module")
def site(built_site) -> Path:
    return built_site


def _soup(site: Path, doc: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup((site / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def setup_page(site):
    return _soup(site, "book/setup")


@pytest.fixture(scope="module")
def tensors_page(site):
    return _soup(site, "book/tensors")


@pytest.fixture(scope="module")
def pitfalls_page(site):
    return _soup(site, "book/tensor-pitfalls")


def _text(node) -> str:
    return node.get_text("", strip=False)


def _outputs(page) -> list[str]:
    """Texts of all executed cell outputs of a page (streams, tracebacks, tables)."""
    return [_text(div) for div in page.select("div.cell_output")]


def _tracebacks(page) -> list[str]:
    return [_text(div) for div in page.select("div.output.traceback")]


def _cell_with_source(page, needle: str):
    """The cell whose input contains `needle` (exactly one)."""
    cells = [c for c in page.select("div.cell") if needle in _text(c.select_one("div.cell_input"))]
    assert len(cells) == 1, f"expected one cell containing {needle!r}, found {len(cells)}"
    return cells[0]


def _corrections(page) -> list[str]:
    boxes = []
    for div in page.select("div.admonition.warning"):
        title = div.select_one("p.admonition-title")
        if title is not None and title.get_text(strip=True) == "勘误":
            boxes.append(_text(div))
    return boxes


# --- pitfall 1: one element is a 0-d tensor, .item() a Python number -----------------------


def test_pitfall1_zero_dim_tensor_and_item(pitfalls_page):
    out = _text(_cell_with_source(pitfalls_page, "number = m[0][2].item()").select_one("div.cell_output"))
    assert "tensor(3.) Tensor 维数: 0 形状: torch.Size([])" in out
    assert "3.0 float" in out


def test_pitfall1_losses_detached_then_converted_once(pitfalls_page):
    out = _text(_cell_with_source(pitfalls_page, "losses.append(loss.detach())").select_one("div.cell_output"))
    # the last loss still carries its graph; the stored ones do not; one conversion at the end
    assert "grad_fn=<SumBackward0>" in out
    assert "[tensor(0.), tensor(3.), tensor(6.)]" in out
    assert "[0.0, 3.0, 6.0]" in out



# --- pitfall 2: list index keeps the dimension; correction of the report's shapes ------------


def test_pitfall2_real_shapes_in_outputs(pitfalls_page):
    keep = _text(_cell_with_source(pitfalls_page, "z = m[[0], :]").select_one("div.cell_output"))
    drop = _text(_cell_with_source(pitfalls_page, "z = m[0, :]").select_one("div.cell_output"))
    assert "torch.Size([1, 4])" in keep and "tensor([[2., 5., 3., 7.]])" in keep
    assert "torch.Size([4])" in drop and "tensor([2., 5., 3., 7.])" in drop


def test_pitfall2_correction_box_quotes_report_and_real_shapes(pitfalls_page):
    boxes = [b for b in _corrections(pitfalls_page) if "m[[0], :]" in b]
    assert len(boxes) == 1, _corrections(pitfalls_page)
    box = boxes[0]
    # what the report claimed ...
    assert "torch.Size([1])" in box and "torch.Size([])" in box
    # ... and the executed shapes, glued from the cells above
    assert "torch.Size([1, 4])" in box and "torch.Size([4])" in box


# --- pitfall 3: float @ int raises; n.float() alone does not fix it -------------------------


def test_pitfall3_dtype_error_shown(pitfalls_page):
    errors = [t for t in _tracebacks(pitfalls_page) if "same dtype" in t]
    assert len(errors) >= 2, "both m @ n and the report's unassigned n.float() must show the dtype error"
    for t in errors:
        assert re.search(r"RuntimeError: expected m1 and m2 to have the same dtype", t), t
    assert any("n.float()" in t for t in errors), "the report's two-line fix must be shown failing"


def test_pitfall3_fix_and_course_guide_result(pitfalls_page):
    fixed = _text(_cell_with_source(pitfalls_page, "print(m @ n.float())").select_one("div.cell_output"))
    assert fixed.count("tensor([[64., 81.],") == 2
    guide = _text(_cell_with_source(pitfalls_page, "v = torch.arange(1, 5)").select_one("div.cell_output"))
    assert "torch.int64" in guide and "tensor([49., 47.])" in guide
    assert any("n = n.float()" in b for b in _corrections(pitfalls_page))


# --- pitfall 4: matplotlib takes CPU tensors without grad only -------------------------------


def test_pitfall4_grad_tensor_plot_error(pitfalls_page):
    errors = [t for t in _tracebacks(pitfalls_page) if "requires grad" in t]
    assert len(errors) == 1
    assert re.search(r"(RuntimeError|TypeError): Can't call numpy\(\) on Tensor that requires grad", errors[0])
    # the chain the prose explains: Axes.plot -> _unpack_to_numpy (_is_torch_array) -> np.asarray
    # -> Tensor.__array__ -> numpy()
    for step in ("_unpack_to_numpy", "_is_torch_array", "np.asarray", "__array__"):
        assert step in errors[0], step


def test_pitfall4_matplotlib_detects_torch(pitfalls_page):
    out = _text(_cell_with_source(pitfalls_page, "cbook._is_torch_array(xs)").select_one("div.cell_output"))
    m = re.search(r"matplotlib (\d+)\.(\d+)", out)
    assert m and (int(m[1]), int(m[2])) >= (3, 9), out
    assert "认出了 torch 张量： True" in out and "转换以后的类型： ndarray" in out


def test_pitfall4_correction_box(pitfalls_page):
    boxes = [b for b in _corrections(pitfalls_page) if "不需要手动将 torch 对象换成 numpy" in b]
    assert len(boxes) == 1
    assert ".detach().cpu()" in boxes[0] and "TypeError" in boxes[0] and "RuntimeError" in boxes[0]


def test_tensor_figures_are_images_with_chinese_alt(site, tensors_page, pitfalls_page, setup_page):
    for page, minimum in ((tensors_page, 1), (pitfalls_page, 2), (setup_page, 1)):
        imgs = page.select("figure img")
        assert len(imgs) >= minimum
        for img in imgs:
            assert re.search(r"[\u4e00-\u9fff]", img.get("alt", "")), img
            f = (site / "book" / img["src"]).resolve()
            assert f.is_file() and f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f.stat().st_size > 5_000, f


# --- transpose: same as t() for 2-D; view fails on the non-contiguous result ---------------


def test_transpose_equals_t_and_view_error(pitfalls_page):
    eq = _text(_cell_with_source(pitfalls_page, "torch.equal(m.transpose(0, 1), m.t())").select_one("div.cell_output"))
    assert "和 t() 相同： True" in eq
    contig = _text(_cell_with_source(pitfalls_page, "mt.is_contiguous()").select_one("div.cell_output"))
    assert "连续: True" in contig and "连续: False" in contig
    views = [t for t in _tracebacks(pitfalls_page) if "mt.view(8)" in t]
    assert len(views) == 1 and "RuntimeError: view size is not compatible" in views[0]
    fixed = _text(_cell_with_source(pitfalls_page, "print(mt.reshape(8))").select_one("div.cell_output"))
    assert fixed.count("tensor([2., 4., 5., 2., 3., 1., 7., 9.])") == 2


def test_only_tagged_cells_raise(tensors_page, pitfalls_page, setup_page):
    for page in (tensors_page, pitfalls_page, setup_page):
        for cell in page.select("div.cell"):
            has_tb = cell.select_one("div.output.traceback") is not None
            tagged = "tag_raises-exception" in cell.get("class", [])
            assert has_tb == tagged, _text(cell.select_one("div.cell_input"))[:120]


def test_tensor_class_follows_default_dtype(tensors_page):
    out = _text(_cell_with_source(tensors_page, "torch.get_default_dtype()").select_one("div.cell_output"))
    assert "tensor([1., 2., 3.]) torch.float32 · 默认浮点类型： torch.float32" in out


def test_tracebacks_name_no_machine_path(site):
    """Library frames are named from the library folder on (site-packages/...), never the builder's."""
    import sys

    machine = {str(ROOT), str(Path(sys.prefix).resolve()), str(Path.home())}
    for doc in CHAPTERS + ("book/spiral",):
        page = _soup(site, doc)
        frames = 0
        for tb in _tracebacks(page):
            for line in tb.splitlines():
                if line.startswith("File "):
                    frames += 1
                    assert re.match(r"File (site-packages|python3\.\d+|dlbook)/", line), f"{doc}: {line}"
            assert ".venv" not in tb and "/work/" not in tb, tb
        html = (site / f"{doc}.html").read_text(encoding="utf-8")
        for path in machine:
            assert path not in html, f"{doc} shows the machine path {path}"
        if doc in ("book/setup", "book/tensor-pitfalls"):
            assert frames > 0, f"{doc}: expected library frames in its tracebacks"


def test_numpy_bridge_shares_memory(tensors_page):
    out = _text(_cell_with_source(tensors_page, "t = torch.from_numpy(a)").select_one("div.cell_output"))
    assert "tensor([100.,   1.,   2.,   3.], dtype=torch.float64)" in out
    assert "[200.   2.   4.   6.]" in out


# --- setup chapter: ziegler.png, glyphs, environment report ---------------------------------


def test_setup_ziegler_error_shown(setup_page):
    tbs = _tracebacks(setup_page)
    assert any("FileNotFoundError" in t and "res/ziegler.png" in t for t in tbs)


def test_setup_glyph_indices(setup_page):
    out = _text(_cell_with_source(setup_page, 'for ch in "张A₁"').select_one("div.cell_output"))
    assert re.search(r"张\s+U\+5F20\s+DejaVu Sans 的字形编号:\s+0\s+Noto Sans SC 的字形编号:\s+[1-9]\d*", out), out
    assert re.search(r"₁\s+U\+2081\s+DejaVu Sans 的字形编号:\s+[1-9]\d*\s+Noto Sans SC 的字形编号:\s+0\b", out), out


def test_setup_environment_report(setup_page):
    cell = _cell_with_source(setup_page, "dlbook.show_table")
    out = _text(cell.select_one("div.cell_output"))
    assert re.search(r"设备：(CPU|GPU)：\S.* · torch \d+\.\d+\.\d+\S* · CUDA \S+", out), out
    rows = {}
    for tr in cell.select("div.cell_output table tr"):
        tds = [td.get_text(strip=True) for td in tr.select("td")]
        if len(tds) == 2:
            rows[tds[0]] = tds[1]
    for key in ("Python", "PyTorch", "CUDA 可用", "计算设备", "设备名称", "GPU 数量", "画「张」的字体"):
        assert key in rows, f"row {key} missing from the environment report: {rows}"
    assert re.fullmatch(r"3\.\d+\.\d+", rows["Python"])
    assert rows["CUDA 可用"] in ("是", "否")
    assert rows["计算设备"].startswith(("cpu", "cuda"))
    if rows["计算设备"].startswith("cuda"):
        assert rows["CUDA 可用"] == "是"
    gpus = int(rows["GPU 数量"])
    assert len([k for k in rows if re.fullmatch(r"GPU \d+", k)]) == gpus
    assert "DejaVu" not in rows["画「张」的字体"] and "没有字体" not in rows["画「张」的字体"]
    assert "DejaVu Sans" in rows["画「A」的字体"]


def test_setup_docker_recipe(setup_page):
    """The Jupyter recipe: a valid JupyterLab settings file (Chinese UI, theme, CJK fonts), a
    Dockerfile that installs the font and language pack, and a run line with GPU, port, volume, token."""
    import json

    blocks = {" ".join(div.get("class", [])): _text(div) for div in setup_page.select("div.highlight-json, div.highlight-dockerfile")}
    settings = json.loads(next(t for c, t in blocks.items() if "json" in c))
    assert settings["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    themes = settings["@jupyterlab/apputils-extension:themes"]
    assert themes["theme"] and "CJK" in themes["overrides"]["code-font-family"]
    dockerfile = next(t for c, t in blocks.items() if "dockerfile" in c)
    assert dockerfile.startswith("FROM ") and "fonts-noto-cjk" in dockerfile
    assert re.search(r"jupyterlab-language-pack-zh-CN==\d", dockerfile)
    assert "overrides.json" in dockerfile
    runs = [_text(d) for d in setup_page.select("div.highlight-bash") if "docker run" in _text(d)]
    assert len(runs) == 1
    for flag in ("--gpus all", "-p 127.0.0.1:8888:8888", "-v ", "JUPYTER_TOKEN="):
        assert flag in runs[0], flag


def test_setup_build_instructions(setup_page):
    text = _text(setup_page.select_one("main"))
    for needle in ("make book", "make test", "make serve", "http://127.0.0.1:8000/", "_build/html",
                   "DLBOOK_DEVICE=cuda", "torch==2.13.0", "execute_notebooks: cache", "make clean"):
        assert needle in text, needle


# --- exercises, navigation, search ----------------------------------------------------------


def test_exercises_with_executed_solutions(setup_page, tensors_page, pitfalls_page):
    total = 0
    for page in (setup_page, tensors_page, pitfalls_page):
        exercises = page.select("div.exercise")
        solutions = page.select("div.solution")
        ids = {e["id"] for e in exercises}
        assert len(solutions) == len(exercises)
        for sol in solutions:
            assert "dropdown" in sol["class"], "solutions are hidden behind a toggle"
            link = sol.select_one("p.admonition-title a")
            assert link is not None and link["href"].lstrip("#") in ids
            assert sol.select_one("div.cell_output") is not None, "solution code must be executed"
        total += len(exercises)
    assert total >= 5


def test_chapters_in_sidebar_nav(site):
    for page in ("book/intro", "book/spiral"):
        nav = _soup(site, page).select("nav.bd-docs-nav a.reference.internal")
        hrefs = {a["href"].split("#")[0].rsplit("/", 1)[-1]: a.get_text(strip=True) for a in nav}
        assert hrefs.get("setup.html") == "环境搭建", hrefs
        assert hrefs.get("tensors.html") == "PyTorch 张量基础", hrefs
        assert hrefs.get("tensor-pitfalls.html") == "PyTorch 张量的陷阱", hrefs




@pytest.mark.parametrize(
    "word, doc",
    [("张量", "book/tensors"), ("环境", "book/setup"), ("环境搭建", "book/setup"),
     ("勘误", "book/tensor-pitfalls"), ("陷阱", "book/tensor-pitfalls"), ("广播", "book/tensors"),
     ("转置", "book/tensor-pitfalls"), ("字体", "book/setup"), ("容器", "book/setup")],
)
def test_chinese_search(search_index, word, doc):
    assert doc in docs_for(search_index, word), f"searching {word} does not find {doc}"
