"""The parts of the code bundle, without building the book: pins, wheel, check, zip,
glue."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile

import pytest

import bundle
from bookdata import ROOT


def _pins(lines) -> dict:
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].split(";", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return pins


def test_declared_dependencies_are_the_pinned_ones():
    """pyproject's [project].dependencies pin exactly what requirements.txt pins (the
    venv the
    book is built in is the environment the wheel promises)."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    declared = _pins(deps)
    assert len(declared) == len(deps), f"not every dependency is pinned with ==: {deps}"
    locked = _pins((ROOT / "requirements.txt").read_text().splitlines())
    for name in (
        "torch",
        "numpy",
        "matplotlib",
        "scikit-learn",
        "pylopdf-fonts-zh-cn",
        "ipykernel",
    ):
        assert name in declared, f"dlbook does not declare {name}"
    wrong = {n: (v, locked.get(n)) for n, v in declared.items() if locked.get(n) != v}
    assert not wrong, f"pyproject pins differ from requirements.txt: {wrong}"


def test_runtime_pins_are_the_closure_without_build_tools():
    pins = bundle.runtime_pins(["scikit-learn", "torch", "ipykernel"])
    names = _pins(pins)
    assert (
        names["torch"] == "2.13.0"
    )  # the local label (+cpu) dropped: the CUDA build fits too
    for needed in (
        "scipy",
        "joblib",
        "threadpoolctl",
        "numpy",
        "sympy",
        "jupyter-client",
        "pyzmq",
    ):
        assert needed in names, (
            f"{needed} (needed by the chapters' packages) is not pinned"
        )
    for tool in (
        "sphinx",
        "myst-nb",
        "jupyter-book",
        "pytest",
        "nbclient",
        "jupyter-cache",
    ):
        assert tool not in names
    assert pins == sorted(
        pins, key=lambda p: re.sub(r"[-_.]+", "-", p.split("==")[0]).lower()
    )
    conditional = [p for p in pins if p.lower().startswith("pexpect==")]
    assert conditional and 'sys_platform != "win32"' in conditional[0]


def test_runtime_pins_name_a_missing_package():
    with pytest.raises(bundle.BundleError, match="no-such-package-xyz.*not installed"):
        bundle.runtime_pins(["no-such-package-xyz==1.0"])


def test_fingerprint_follows_the_package_sources(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(
        ROOT / "code" / "dlbook",
        tmp_path / "code" / "dlbook",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    before = bundle.source_fingerprint(tmp_path)
    assert before == bundle.source_fingerprint(ROOT)
    (tmp_path / "code" / "dlbook" / "__pycache__").mkdir(exist_ok=True)
    (tmp_path / "code" / "dlbook" / "__pycache__" / "x.pyc").write_bytes(b"junk")
    assert bundle.source_fingerprint(tmp_path) == before
    with open(tmp_path / "code" / "dlbook" / "seed.py", "a") as fh:
        fh.write("\n")
    after = bundle.source_fingerprint(tmp_path)
    assert after != before and re.fullmatch(r"[0-9a-f]{12}", after)
    assert bundle.bundle_version(tmp_path).endswith("+g" + after)


def test_wheel_is_reproducible_and_declares_the_dependencies(tmp_path):
    version = "0.1.0+gtest"
    one = bundle.build_wheel(ROOT, tmp_path / "a", version)
    two = bundle.build_wheel(ROOT, tmp_path / "b", version)
    assert one.name == "dlbook-0.1.0+gtest-py3-none-any.whl"
    assert one.read_bytes() == two.read_bytes(), "two wheels of the same sources differ"
    with zipfile.ZipFile(one) as zf:
        names = zf.namelist()
        meta = zf.read("dlbook-0.1.0+gtest.dist-info/METADATA").decode()
    assert "dlbook/notebook.py" in names and "dlbook/book.py" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    requires = {
        ln.split(": ", 1)[1]
        for ln in meta.splitlines()
        if ln.startswith("Requires-Dist: ")
    }
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    assert requires == set(deps)


def test_wheel_build_leaves_the_source_tree_alone(tmp_path):
    before = (
        sorted(p.name for p in ROOT.iterdir()),
        sorted(p.name for p in (ROOT / "code").iterdir()),
    )
    bundle.build_wheel(ROOT, tmp_path, "0.1.0+gtest")
    after = (
        sorted(p.name for p in ROOT.iterdir()),
        sorted(p.name for p in (ROOT / "code").iterdir()),
    )
    assert before == after


def _run_check(python: str, version: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, "-c", bundle.check_code(version)], capture_output=True, text=True
    )


def test_check_passes_with_the_right_dlbook():
    from importlib.metadata import version

    proc = _run_check(sys.executable, version("dlbook"))
    assert proc.returncode == 0, proc.stderr


def test_check_stops_with_another_dlbook_and_says_how_to_install():
    from importlib.metadata import version

    proc = _run_check(sys.executable, "0.1.0+g000000000000")
    assert proc.returncode == 1
    message = proc.stderr.strip().splitlines()
    assert f"当前环境里装的是 dlbook {version('dlbook')}" in proc.stderr
    assert (
        "dl-week01-code.zip" in proc.stderr
        and "    pip install -r requirements.txt" in message
    )
    assert (
        "RuntimeError: 本笔记本要用本书代码包里的 dlbook 0.1.0+g000000000000"
        in proc.stderr
    )


def test_check_stops_without_dlbook(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-S", "-c", bundle.check_code("0.1.0+gabc")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 1 and "当前环境里没有装 dlbook" in proc.stderr, (
        proc.stderr
    )


def test_check_is_added_once_and_removable():
    import nbformat

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# 标题"),
            nbformat.v4.new_code_cell("import dlbook\n\ndevice = dlbook.setup()"),
            nbformat.v4.new_code_cell("print(1)"),
        ]
    )
    assert bundle.add_check(nb, "0.1.0+gold")
    assert bundle.add_check(nb, "0.1.0+gnew")  # a rebuild replaces the old check
    first = nb.cells[1].source
    assert (
        first.count(bundle.CHECK_MARK) == 1
        and '"装的是 dlbook 0.1.0+gnew"' in first
        and "gold" not in first
    )
    assert bundle.strip_check(first) == "import dlbook\n\ndevice = dlbook.setup()"
    assert nb.cells[2].source == "print(1)"
    assert max(len(line) for line in first.splitlines()) <= 88
    assert not bundle.add_check(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x")]), "1"
    )


def test_zip_is_byte_reproducible(tmp_path):
    files = {
        "b/x.txt": b"2",
        "a/y.bin": bytes(range(256)),
        "a/README.md": "中文".encode(),
    }
    bundle.write_zip(tmp_path / "one.zip", files)
    bundle.write_zip(tmp_path / "two.zip", dict(reversed(list(files.items()))))
    data = (tmp_path / "one.zip").read_bytes()
    assert data == (tmp_path / "two.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == sorted(files)
        assert {i.date_time for i in zf.infolist()} == {bundle.ZIP_DATE}
        assert {i.external_attr >> 16 for i in zf.infolist()} == {0o100644}
        assert zf.read("a/README.md").decode() == "中文"


def test_notebook_names_follow_the_reading_order():
    assert bundle.notebook_name(3, "book/spiral") == "notebooks/03-spiral.ipynb"
    assert bundle.notebook_name(4, "book/qa/alexnet") == "notebooks/04-qa-alexnet.ipynb"


GLUE_SCRIPT = """
import dlbook.notebook as nb
nb._MYST_NB_GLUE = False   # as in a reader's Jupyter without MyST-NB
from IPython.testing.globalipapp import start_ipython
ip = start_ipython()
nb.glue("hidden", 0.25, display=False)
print("--")
nb.glue("shown", [1, 2], display=True)
print("--")
print(nb.glued())
"""


def test_glue_without_myst_nb_shows_or_hides_and_keeps_the_text():
    proc = subprocess.run(
        [sys.executable, "-c", GLUE_SCRIPT], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    hidden, shown, glued = proc.stdout.split("--\n")[-3:]
    assert hidden.strip() == ""
    assert shown.strip() == "[1, 2]"
    assert glued.strip() == "{'hidden': '0.25', 'shown': '[1, 2]'}"


def test_glue_rejects_a_bad_name():
    from dlbook.notebook import glue

    with pytest.raises(ValueError, match="glue name"):
        glue("", 1)


def test_chapters_need_nothing_of_the_build():
    """A downloaded chapter runs without the build's packages: glue comes from
    dlbook."""
    import re

    offenders = []
    for path in sorted((ROOT / "book").rglob("*.md")):
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(
                r"\s*(from|import)\s+(myst_nb|myst_parser|sphinx|jupyter_book|jupyter_cache)\b",
                line,
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()}")
    assert not offenders, (
        "chapters import build packages (use `from dlbook import glue`):\n"
        + "\n".join(offenders)
    )
