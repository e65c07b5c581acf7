"""Sphinx extension: the book's code bundle, one zip that lets a reader run every chapter.

At the end of an HTML build this writes ``<outdir>/dl-week01-code.zip``::

    dl-week01-code/
        README.md                       how to install and run (Chinese)
        requirements.txt                the wheel + exact pins of what the chapters need
        dlbook-<version>-py3-none-any.whl
        notebooks/01-setup.ipynb ...    every chapter, with the book's outputs

* The wheel is built from the same source tree as the site (setuptools' ``build_meta``
  in a scratch copy, so the source tree is left untouched). Its version is the
  package's version plus a local label with a fingerprint of the package sources
  (``0.1.0+g1a2b3c4d5e6f``): a changed ``dlbook`` is a new version that pip installs
  over the old one, and the notebooks can tell which ``dlbook`` they were built with.
* ``requirements.txt`` pins what ``dlbook`` declares in ``pyproject.toml``
  (``[project].dependencies``) and everything those need, at the versions installed in
  the build's environment -- the versions the book's outputs come from. Build and test
  tools (Sphinx, MyST-NB, pytest ...) are not in it.
* Every chapter notebook (the executed ``.ipynb`` of the download menu, under
  ``_sources/``) gets a short check at the top of its first code cell: without that
  ``dlbook`` version the cell stops with a Chinese message that says how to install the
  bundle. The download menu's ``.ipynb`` and the bundle's copy are the same notebook.
* The zip is byte-reproducible: entries sorted, one fixed timestamp, fixed permissions,
  and the wheel is built with ``SOURCE_DATE_EPOCH`` fixed.

Links: every page's download menu gets a "代码包" entry (next to ``.ipynb``), and the
role ``{bundle}`text``` links to the zip from prose (the intro page).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

BUNDLE_NAME = "dl-week01-code"
#: The one timestamp of every zip entry (and of the wheel's entries): 2026-01-01 00:00 UTC.
EPOCH = 1767225600
ZIP_DATE = (2026, 1, 1, 0, 0, 0)
#: The first line of the check put at the top of every chapter notebook's first code cell.
CHECK_MARK = "# 先检查环境：本笔记本要用本书代码包里的 dlbook（见代码包的 README.md）"
PACKAGE = "dlbook"
#: Installed alongside dlbook's own requirements: the kernel that runs the notebooks.
KERNEL_REQUIREMENTS = ("ipykernel",)


class BundleError(Exception):
    """A problem that keeps the bundle from being built; the message says what to do."""


# --------------------------------------------------------------------------------------
# dlbook: fingerprint, version, wheel
# --------------------------------------------------------------------------------------


def package_files(root: Path) -> list[Path]:
    """The files of the ``dlbook`` package under ``root/code``, sorted (no caches)."""
    pkg = Path(root) / "code" / PACKAGE
    if not (pkg / "__init__.py").is_file():
        raise BundleError(f"{pkg}/__init__.py not found: is {root} the book's repository?")
    return sorted(
        p for p in pkg.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    )


def source_fingerprint(root: Path) -> str:
    """12 hex digits of SHA-256 over pyproject.toml and every file of the package."""
    root = Path(root)
    digest = hashlib.sha256()
    for path in [root / "pyproject.toml", *package_files(root)]:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def project_table(root: Path) -> dict:
    import tomllib

    with open(Path(root) / "pyproject.toml", "rb") as fh:
        project = tomllib.load(fh).get("project") or {}
    if project.get("name") != PACKAGE or not project.get("version"):
        raise BundleError(f"pyproject.toml of {root} has no [project] name = {PACKAGE!r} with a version")
    return project


def bundle_version(root: Path) -> str:
    """``<pyproject version>+g<fingerprint>``: the version of the bundle's wheel."""
    return f"{project_table(root)['version']}+g{source_fingerprint(root)}"


def build_wheel(root: Path, dest: Path, version: str) -> Path:
    """Build dlbook's wheel with version ``version`` into ``dest``; return its path.

    A scratch copy of pyproject.toml and the package is built (setuptools writes
    ``build/`` and ``*.egg-info`` next to the sources), with ``SOURCE_DATE_EPOCH`` fixed
    so that the same sources give the same bytes.
    """
    root, dest = Path(root), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dlbook-wheel-") as tmp:
        work = Path(tmp) / "src"
        pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
        pyproject, n = re.subn(r'(?m)^version\s*=\s*"[^"]*"', f'version = "{version}"', pyproject, count=1)
        if n != 1:
            raise BundleError("pyproject.toml has no `version = \"...\"` line in [project]")
        work.mkdir()
        (work / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        for path in package_files(root):
            target = work / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
            os.chmod(target, 0o644)
        out = Path(tmp) / "dist"
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "PYTHONDONTWRITEBYTECODE": "1"}
        code = "import sys; from setuptools import build_meta as b; print(b.build_wheel(sys.argv[1]))"
        proc = subprocess.run([sys.executable, "-c", code, str(out)], cwd=work, env=env,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise BundleError(f"building the dlbook wheel failed:\n{tail}")
        name = proc.stdout.strip().splitlines()[-1]
        wheel = dest / name
        shutil.copyfile(out / name, wheel)
    return wheel


# --------------------------------------------------------------------------------------
# requirements.txt: exact pins of what the chapters need
# --------------------------------------------------------------------------------------


def runtime_pins(requirements: list[str]) -> list[str]:
    """``name==version`` for ``requirements`` and all they need, as installed here.

    Versions are the installed ones without a local label (``torch 2.13.0+cpu`` is pinned
    as ``torch==2.13.0``, which the CUDA build also satisfies). A package needed only under
    an environment marker keeps that marker, so the file also works on other systems.
    Raises :class:`BundleError` for a requirement that is not installed.
    """
    from importlib import metadata

    from packaging.markers import Marker
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import Version

    found: dict[str, tuple[str, str]] = {}  # canonical name -> (name, version)
    markers: dict[str, set] = {}  # canonical name -> markers it is needed under (None: always)
    todo = [(Requirement(r), None) for r in requirements]
    seen = set()
    while todo:
        req, under = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        marker = under
        if req.marker is not None:
            marker = str(req.marker) if under is None else f"({under}) and ({req.marker})"
        key = canonicalize_name(req.name)
        markers.setdefault(key, set()).add(marker)
        if (key, marker) in seen:
            continue
        seen.add((key, marker))
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            raise BundleError(
                f"{req.name} (needed by the chapters: {req}) is not installed in the build's environment; "
                f"run `make book`, which installs requirements.txt"
            ) from None
        version = Version(dist.version).public
        if not req.specifier.contains(version, prereleases=True):
            raise BundleError(f"installed {req.name} {dist.version} does not satisfy {req}: rerun `make book`")
        found[key] = (dist.metadata["Name"], version)
        for child in dist.requires or []:
            todo.append((Requirement(child), marker))
    lines = []
    for key in sorted(found):
        name, version = found[key]
        if key == PACKAGE:
            continue
        needed = markers[key]
        line = f"{name}=={version}"
        if None not in needed:
            line += " ; " + " or ".join(f"({m})" for m in sorted(needed))
            Marker(line.split(" ; ", 1)[1])  # a valid marker, or ValueError here rather than at pip
        lines.append(line)
    return lines


def requirements_text(wheel_name: str, pins: list[str]) -> str:
    return (
        "# 《深度学习第一周》代码包：在解压后的文件夹里运行  pip install -r requirements.txt\n"
        "# 第一行是本书的辅助包 dlbook（与网站同一次构建），其余是各章需要的固定版本。\n"
        f"./{wheel_name}\n" + "".join(p + "\n" for p in pins)
    )


# --------------------------------------------------------------------------------------
# The notebooks: the check in the first code cell
# --------------------------------------------------------------------------------------


def check_code(version: str, bundle: str = BUNDLE_NAME) -> str:
    """The lines put at the top of a chapter notebook's first code cell."""
    return f'''{CHECK_MARK}
from importlib.metadata import PackageNotFoundError, version as _version

try:
    _dlbook = "装的是 dlbook " + _version("dlbook")
except PackageNotFoundError:
    _dlbook = "没有装 dlbook"
if _dlbook != "装的是 dlbook {version}":
    raise RuntimeError(
        "本笔记本要用本书代码包里的 dlbook {version}，当前环境里{{}}。\\n"
        "请在本书网站任一章页面顶部的下载菜单里下载代码包 {bundle}.zip，"
        "解压后在它的文件夹里运行：\\n"
        "    python3.11 -m venv .venv\\n"
        "    source .venv/bin/activate   （Windows：.venv\\\\Scripts\\\\activate）\\n"
        "    pip install -r requirements.txt\\n"
        "再用这个环境的 Jupyter 打开笔记本（详见代码包里的 README.md）。".format(_dlbook)
    )
'''


def strip_check(source: str) -> str:
    """``source`` without a check put there by :func:`add_check` (unchanged if it has none)."""
    if not source.startswith(CHECK_MARK):
        return source
    head, sep, rest = source.partition("\n    )\n")
    return rest[1:] if rest.startswith("\n") else rest


def add_check(nb, version: str) -> bool:
    """Put the check at the top of the first code cell of ``nb`` (replacing an older one).

    Returns False for a notebook without code cells (nothing to check before)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = check_code(version) + "\n" + strip_check(cell.source)
            return True
    return False


# --------------------------------------------------------------------------------------
# README and zip
# --------------------------------------------------------------------------------------

README = """# 《深度学习第一周》代码包

这个代码包和网站是同一次构建的产物，里面有：

- `notebooks/`：全书 {count} 个章节的 Jupyter 笔记本，带着书中的输出（图和数字），
  可以和自己运行的结果对照；
- `{wheel}`：各章共用的辅助包 `dlbook`（版本 {version}）；
- `requirements.txt`：安装 `dlbook` 和各章需要的固定版本依赖。

## 三步运行任意一章（需要 Python 3.11、3.12 或 3.13）

1. 解压，在终端里进入解压出来的文件夹：

   ```bash
   cd {name}
   ```

2. 建一个虚拟环境，激活它，装好依赖：

   ```bash
   python3.11 -m venv .venv        # 用 3.12 或 3.13 就写 python3.12、python3.13
   source .venv/bin/activate        # Windows：.venv\\Scripts\\activate
   pip install -r requirements.txt
   ```

   关于 torch：`requirements.txt` 固定了 `torch=={torch}`。在 Linux 上，PyPI
   默认给的是带 CUDA 的版本（下载好几个 GB），有 NVIDIA GPU 时正合适，各章会自动用 GPU。
   只用 CPU 的话，先装 CPU 版，再运行上面的 `pip install -r requirements.txt`：

   ```bash
   pip install torch=={torch} --index-url https://download.pytorch.org/whl/cpu
   ```

   macOS 和 Windows 上 PyPI 给的本来就是 CPU 版，直接安装即可。

3. 打开 Jupyter（还没有 Jupyter 的话先装 JupyterLab）：

   ```bash
   pip install jupyterlab=={jupyterlab}
   jupyter lab notebooks
   ```

   打开任意一章，从上到下运行全部单元格（Run → Run All Cells）。已经有 Jupyter
   （或 VS Code）的话，也可以把这个环境注册成内核再选用它：
   `python -m ipykernel install --user --name dl-week01 --display-name "深度学习第一周"`。

## 自己运行的结果和书中的数字

每章第一个单元格的 `dlbook.setup()` 固定了随机种子，并把 torch 的 CPU 线程数固定为 1。
能保证的是：库的版本（`requirements.txt` 固定了每一个版本）和设备类型（CPU 或 GPU）
都相同时，本书的构建机每次算出的数字完全相同。不能保证的是：换一种 CPU、或换一个数学库
（BLAS）的构建，浮点运算的顺序可能不同，数字的最后几位会不一样；对微小差别很敏感的训练
（比如学习率偏大、损失来回震荡的）会把这点差别放大，结果可能差得更多。
设置环境变量 `DLBOOK_THREADS=4` 可以用 4 个线程（更快，但训练结果的最后几位也可能因此不同）。

每个笔记本的第一个单元格会先检查环境里的 `dlbook` 是不是这个代码包里的版本，
不是的话就停下来，并说明怎样安装。
"""


def write_zip(path: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` ({name inside the zip: bytes}) as a byte-reproducible zip.

    Entries sorted by name, one fixed timestamp, permissions 644, deflate level 9, no
    comment: the same files always give the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, files[name], compresslevel=9)
    Path(path).write_bytes(buf.getvalue())


def notebook_name(index: int, docname: str) -> str:
    """``notebooks/03-spiral.ipynb`` for the third chapter ``book/spiral``."""
    stem = docname.removeprefix("book/").replace("/", "-")
    return f"notebooks/{index:02d}-{stem}.ipynb"


def bundle_files(root: Path, notebooks: list[tuple[str, object]], wheel_dir: Path) -> dict[str, bytes]:
    """Every file of the bundle: ``notebooks`` is [(docname, executed notebook)] in reading order.

    The notebooks are changed in place (the check is added to each)."""
    import nbformat

    root = Path(root)
    version = bundle_version(root)
    wheel = build_wheel(root, wheel_dir, version)
    project = project_table(root)
    pins = runtime_pins(list(project.get("dependencies") or []) + list(KERNEL_REQUIREMENTS))
    torch = next((p.split("==", 1)[1].split(" ", 1)[0] for p in pins if p.lower().startswith("torch==")), "?")
    files = {}
    count = 0
    for docname, nb in notebooks:
        if not add_check(nb, version):
            continue
        count += 1
        files[notebook_name(count, docname)] = nbformat.writes(nb).encode("utf-8") + b"\n"
    readme = README.format(count=count, wheel=wheel.name, version=version, name=BUNDLE_NAME,
                           torch=torch, jupyterlab=JUPYTERLAB)
    files["README.md"] = readme.encode("utf-8")
    files["requirements.txt"] = requirements_text(wheel.name, pins).encode("utf-8")
    files[wheel.name] = wheel.read_bytes()
    return {f"{BUNDLE_NAME}/{name}": data for name, data in files.items()}


#: The JupyterLab the README suggests to readers without Jupyter.
JUPYTERLAB = "4.6.6"


# --------------------------------------------------------------------------------------
# Sphinx
# --------------------------------------------------------------------------------------


def zip_name() -> str:
    return f"{BUNDLE_NAME}.zip"


def chapter_notebooks(app) -> list[str]:
    """Docnames of the notebook chapters, in the order of the table of contents."""
    env = app.env
    site_map = getattr(env, "external_site_map", None)
    order = list(site_map) if site_map is not None else sorted(env.found_docs)
    return [d for d in order if "kernelspec" in env.metadata.get(d, {})]


def _build_finished(app, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    import nbformat
    from sphinx.errors import ExtensionError

    outdir = Path(app.outdir)
    notebooks = []
    for docname in chapter_notebooks(app):
        path = outdir / "_sources" / f"{docname}.ipynb"
        if not path.is_file():
            raise ExtensionError(
                f"bundle: {path} is missing: the download menu's notebook of {docname} was not written "
                f"(the notebook-download hook must run before the bundle is made)"
            )
        notebooks.append((docname, path, nbformat.read(str(path), as_version=4)))
    root = Path(app.srcdir)
    try:
        with tempfile.TemporaryDirectory(prefix="dlbook-bundle-") as tmp:
            files = bundle_files(root, [(d, nb) for d, _, nb in notebooks], Path(tmp))
            write_zip(outdir / zip_name(), files)
    except BundleError as err:
        raise ExtensionError(f"bundle: {err}") from None
    for _, path, nb in notebooks:  # the download menu's .ipynb: the same notebook, with the check
        text = nbformat.writes(nb) + "\n"
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def _download_menu(app, pagename, templatename, context, doctree) -> None:
    """html-page-context after the theme (501): a "代码包" entry in the download menu."""
    for group in context.get("header_buttons") or []:
        if group.get("label") != "download-buttons":
            continue
        buttons = group.setdefault("buttons", [])
        at = next((i + 1 for i, b in enumerate(buttons) if b.get("label") == "download-notebook-button"), 0)
        buttons.insert(at, {
            "type": "link",
            "url": context["pathto"](zip_name(), 1),
            "text": "代码包 .zip",
            "icon": "fas fa-file-zipper",
            "tooltip": "下载全书代码包：全部笔记本、dlbook 和 requirements.txt",
            "label": "download-bundle-button",
        })


def bundle_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{bundle}`下载代码包``` -> a link to the zip at the site root (relative to the page)."""
    from docutils import nodes
    from docutils.utils import unescape

    env = inliner.document.settings.env
    depth = env.docname.count("/")
    uri = "../" * depth + zip_name()
    return [nodes.reference(rawtext, unescape(text), refuri=uri)], []


def setup(app):
    app.add_role("bundle", bundle_role)
    app.connect("html-page-context", _download_menu, priority=502)
    app.connect("build-finished", _build_finished, priority=450)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
