"""`make chapter NAME=qa/dropout TITLE="Dropout 为什么能减轻过拟合？"`: a new chapter.

Writes book/<NAME>.md from the template below (front matter, setup cell, 学习目标, 先修,
one executed cell with a glued number, an exercise with a hidden solution), its test
tests/chapters/test_<name>.py, and its `_toc.yml` entry in the part its folder names
(qa/ -> 问题解答, top level -> 动手实验).  Every list of chapters elsewhere (tests, the
search, the code bundle, the execution report) is read from `_toc.yml`.
"""

from __future__ import annotations

import argparse, re, sys  # noqa: E401
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = {"": "动手实验", "qa": "问题解答"}  # folder under book/ -> part of _toc.yml
NAME_RE = re.compile(r"^(?:(qa)/)?([a-z][a-z0-9]*(?:-[a-z0-9]+)*)$")

CHAPTER = """\
---
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

# {title}

```{{admonition}} 学习目标
:class: tip
读完这一章，你应该能够：

- 能解释……（3–5 条，每条都是读者能自己检查的事：能写出…、能解释…、能判断…）
- 能写出……
- 能判断……
```

**先修**：{{doc}}`{setup}`

和书里每一章一样，先运行准备单元格：固定随机种子、注册中文字体、选好计算设备。

```{{code-cell}} ipython3
import dlbook
import torch
from dlbook import glue

device = dlbook.setup()
```

## 一个小实验

（把这一节换成这一章真正的实验。）下面把五个等距的点平方后加起来，{{term}}`学习率`这样的术语第一次出现时链接到术语表：

```{{code-cell}} ipython3
x = torch.linspace(-1, 1, 5, device=device)
total = x.pow(2).sum().item()
print(f"平方和：{{total:.2f}}")
```

```{{code-cell}} ipython3
:tags: [remove-cell]
glue("{slug}_total", total, display=False)
```

正文里的数字都来自执行过的单元格：这五个点的平方和是 {{glue:text}}`{slug}_total:.2f`。

## 小结

- （用两三句话回答这一章的问题。）

## 练习

```{{exercise}} 换一组点再算一次
:label: ex-{slug}-points

把上面的 5 个点换成 11 个点（`linspace` 的第三个参数），重新运行：平方和变大还是变小？
```

```{{solution-start}} ex-{slug}-points
:class: dropdown
```

```{{code-cell}} ipython3
x11 = torch.linspace(-1, 1, 11, device=device)
print(f"11 个点的平方和：{{x11.pow(2).sum().item():.2f}}")
```

点越多，加起来的项越多，平方和变大。

```{{solution-end}}
```

```{{exercise}} 想一想
:label: ex-{slug}-why

（第二道练习。）平方和会不会是负数？先想，再改一组点验证。
```

```{{solution-start}} ex-{slug}-why
:class: dropdown
```

```{{code-cell}} ipython3
print((torch.randn(7, device=device) ** 2).sum().item() >= 0)
```

不会：每一项都是某个数的平方，不小于 0，加起来也不小于 0。

```{{solution-end}}
```
"""

TEST = '''\
"""The chapter {title} (book/{name}): what its page shows."""

from __future__ import annotations

import pytest

from chapterpages import check_exercises, check_in_sidebar, glued, page_text, soup

pytestmark = pytest.mark.build

DOC = "{name}"


def test_glued_total_is_in_the_text(built_site):
    total = glued(DOC)["{slug}_total"]
    assert 2.4 < total < 2.6  # 1 + 0.25 + 0 + 0.25 + 1
    assert f"{{total:.2f}}" in page_text(built_site, DOC)


def test_exercises_with_executed_solutions(built_site):
    check_exercises(soup(built_site, DOC), 1)


def test_in_sidebar_nav(built_site):
    check_in_sidebar(built_site, {{"{page}": "{title}"}})
'''


def fail(message: str) -> None:
    print(f"make chapter: {message}", file=sys.stderr)
    sys.exit(2)


def check(name: str, title: str, root: Path) -> re.Match:
    m = NAME_RE.match(name or "")
    if not m:
        fail(
            f"NAME={name!r} is not a chapter name: lower-case letters, digits and '-', "
            "optionally under qa/ (e.g. NAME=qa/dropout or NAME=autograd)"
        )
    title = (title or "").strip()
    if not title or "\n" in title or "`" in title or len(title) > 40:
        fail(
            f"TITLE={title!r}: give the page title, one line of at most 40 "
            'characters, no backticks (e.g. TITLE="Dropout 为什么能减轻过拟合？")'
        )
    chapter = root / "book" / f"{name}.md"
    test = root / "tests" / "chapters" / f"test_{m.group(2).replace('-', '_')}.py"
    for path in (chapter, test):
        if path.exists():
            fail(f"{path.relative_to(root)} already exists: pick another NAME")
    if re.search(rf"^\s*-\s*file:\s*book/{re.escape(name)}\s*$", toc(root), re.M):
        fail(f"book/{name} is already in _toc.yml")
    return m


def toc(root: Path) -> str:
    return (root / "_toc.yml").read_text("utf-8")


def add_to_toc(root: Path, name: str, caption: str) -> None:
    """Append ``- file: book/<name>`` to the chapters of the part ``caption``."""
    lines = toc(root).splitlines(keepends=True)
    start = next(
        (
            i
            for i, ln in enumerate(lines)
            if re.match(rf"\s*-\s*caption:\s*{caption}\s*$", ln)
        ),
        None,
    )
    if start is None:
        fail(f"_toc.yml has no part '{caption}'")
    last = None
    for i in range(start + 1, len(lines)):
        if re.match(r"\s*-\s*caption:", lines[i]):
            break
        if re.match(r"\s*-\s*file:", lines[i]):
            last = i
    if last is None:
        fail(
            f"_toc.yml: the part '{caption}' lists no chapter to put the new one after"
        )
    indent = re.match(r"\s*", lines[last]).group(0)
    lines.insert(last + 1, f"{indent}- file: book/{name}\n")
    (root / "_toc.yml").write_text("".join(lines), "utf-8")


def scaffold(name: str, title: str, root: Path = ROOT) -> list[Path]:
    m = check(name, title, root)
    title, folder, base = title.strip(), m.group(1) or "", m.group(2)
    slug = base.replace("-", "_")
    chapter = root / "book" / f"{name}.md"
    test = root / "tests" / "chapters" / f"test_{slug}.py"
    setup = "../setup" if folder else "setup"
    chapter.parent.mkdir(parents=True, exist_ok=True)
    test.parent.mkdir(parents=True, exist_ok=True)
    chapter.write_text(CHAPTER.format(title=title, slug=slug, setup=setup), "utf-8")
    page = f"{base}.html"
    test.write_text(TEST.format(title=title, name=name, slug=slug, page=page), "utf-8")
    add_to_toc(root, name, PARTS[folder])
    return [chapter, test, root / "_toc.yml"]


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", type=Path, default=ROOT)
    p.add_argument("name", nargs="?", default="")
    p.add_argument("title", nargs="?", default="")
    args = p.parse_args(argv)
    done = scaffold(args.name, args.title, args.root.resolve())
    root = args.root.resolve()
    print("make chapter: wrote " + ", ".join(str(f.relative_to(root)) for f in done))
    print(f"  next: edit {done[0].relative_to(root)}, then `make preview` "
          "(or `make book`) and `make check` (CONTRIBUTING.md)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
