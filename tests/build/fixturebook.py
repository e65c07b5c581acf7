"""A small fixture book for the build tests: one or two tiny chapters in a temporary
folder,
built with the project's own configuration (``_config.yml``) and build script.

``fixture_book(chapters, timeout=...)`` writes the book and returns a
:class:`FixtureBook`;
``book.build(*args, env=...)`` runs ``tools/build_book.py --source <book>`` in its own
process group and returns a :class:`BuildResult` (return code, output, the build's
stats).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "tools" / "build_book.py"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
    jupytext_version: 1.16.4
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def plain_build(root: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """``jupyter-book build .`` in ``root``, as an author types it (no DLBOOK_* set;
    ``env`` adds or replaces variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLBOOK_")} | (
        env or {}
    )
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", "."],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )


def code(source: str, tags: list[str] | None = None) -> str:
    meta = f"---\ntags: [{', '.join(tags)}]\n---\n" if tags else ""
    return f"```{{code-cell}} ipython3\n{meta}{source.strip()}\n```\n"


def chapter(title: str, *blocks: str) -> str:
    """A MyST notebook: a title, then Markdown paragraphs and code cells (from
    :func:`code`)."""
    return HEADER + f"\n# {title}\n\n" + "\n".join(blocks)


@dataclass
class BuildResult:
    rc: int
    out: str
    stats: dict

    @property
    def tail(self) -> str:
        return "\n".join(self.out.strip().splitlines()[-12:])

    @property
    def executed(self) -> list[str]:
        return [d["chapter"] for d in self.stats.get("executed", [])]


class FixtureBook:
    def __init__(self, root: Path):
        self.root = root
        self.n = 0

    @property
    def site(self) -> Path:
        return self.root / "_build" / "html"

    @property
    def cache(self) -> Path:
        return self.root / "_build" / ".jupyter_cache"

    def command(self, *args: str) -> tuple[list[str], Path]:
        self.n += 1
        stats = self.root.parent / f"stats-{self.root.name}-{self.n}.json"
        stats.unlink(missing_ok=True)
        return [
            sys.executable,
            str(BUILD),
            "--source",
            str(self.root),
            "--stats-json",
            str(stats),
            *args,
        ], stats

    def environment(self, env: dict | None) -> dict:
        full = dict(os.environ)
        full.pop("DLBOOK_DEVICE", None)
        full.pop("DLBOOK_CJK_FONT", None)
        full["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT / "code"), os.environ.get("PYTHONPATH")])
        )
        full.update(env or {})
        return {k: v for k, v in full.items() if v is not None}

    def start(self, *args: str, env: dict | None = None):
        """Start the build in its own process group: (process, its stats file)."""
        cmd, stats = self.command(*args)
        proc = subprocess.Popen(
            cmd,
            cwd=self.root,
            env=self.environment(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        return proc, stats

    def build(
        self, *args: str, env: dict | None = None, timeout: float = 600
    ) -> BuildResult:
        proc, stats = self.start(*args, env=env)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            pytest.fail(
                f"build of {self.root} did not finish in {timeout} s:\n{out[-3000:]}"
            )
        data = json.loads(stats.read_text(encoding="utf-8")) if stats.exists() else {}
        return BuildResult(proc.returncode, out, data)

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def cache_records(self) -> list:
        from jupyter_cache import get_cache

        return get_cache(str(self.cache)).list_cache_records()


def write_fixture_book(
    root: Path,
    chapters: dict[str, str],
    *,
    timeout: int = 60,
    config: dict | None = None,
) -> FixtureBook:
    """Write a book with the project's configuration and the given chapters (``{"a":
    text}`` → ``book/a.md``)."""
    root.mkdir(parents=True)
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    cfg["execute"]["timeout"] = timeout
    cfg.setdefault("repository", {})
    for key, value in (config or {}).items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key].update(value)
        else:
            cfg[key] = value
    (root / "_config.yml").write_text(
        yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    for folder in (ROOT / "book").glob(
        "_*"
    ):  # _static, _templates, _extra: what the configuration points at
        if folder.is_dir():
            shutil.copytree(folder, root / "book" / folder.name)
    shutil.copy(ROOT / "book" / "references.bib", root / "book" / "references.bib")
    # What the extensions need beside the book: the pinned npm packages (KaTeX) and the
    # dlbook sources the code bundle builds its wheel from, as links
    for name in ("package.json", "package-lock.json", "pyproject.toml"):
        shutil.copy(ROOT / name, root / name)
    for name in ("node_modules", "code"):
        if (ROOT / name).is_dir():
            (root / name).symlink_to(ROOT / name, target_is_directory=True)
    (root / "book" / "intro.md").write_text(
        "# 测试用的小书\n\n只有几章很短的内容，用来测试构建。\n", encoding="utf-8"
    )
    for name, text in chapters.items():
        (root / "book" / f"{name}.md").write_text(text, encoding="utf-8")
    toc = {
        "format": "jb-book",
        "root": "book/intro",
        "chapters": [{"file": f"book/{n}"} for n in chapters],
    }
    (root / "_toc.yml").write_text(
        yaml.safe_dump(toc, sort_keys=False), encoding="utf-8"
    )
    return FixtureBook(root)
