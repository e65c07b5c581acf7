"""The code a reader sees in a chapter: every code cell except those tagged
``remove-cell``.

A reader who copies the visible cells into a fresh notebook and runs them top to bottom
must get the page: so nothing a visible cell needs may live only in a hidden cell.
`hidden_names` finds that statically (AST, no execution, for the fast tier);
tests/reader/test_visible_code.py runs the visible cells for real.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass
from pathlib import Path


HIDDEN = "remove-cell"


@dataclass
class Cell:
    number: int  # 1-based among the chapter's code cells
    source: str
    tags: list[str]

    @property
    def visible(self) -> bool:
        return HIDDEN not in self.tags


def read_notebook(path: Path):
    """The chapter as MyST-NB reads it (what the build executes)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(path.read_text("utf-8"), path=str(path))


def code_cells(path: Path) -> list[Cell]:
    nb = read_notebook(path)
    return [
        Cell(i, c.source, list(c.metadata.get("tags", [])))
        for i, c in enumerate((c for c in nb.cells if c.cell_type == "code"), 1)
    ]


def visible_notebook(path: Path):
    """The chapter's notebook without its hidden cells (Markdown cells kept)."""
    nb = read_notebook(path)
    nb.cells = [
        c
        for c in nb.cells
        if c.cell_type != "code" or HIDDEN not in c.metadata.get("tags", [])
    ]
    return nb


def _python(source: str) -> str:
    """IPython magics and shell escapes become comments."""
    return "\n".join(
        "# " + ln if ln.lstrip().startswith(("%", "!")) else ln
        for ln in source.splitlines()
    )


def bound(tree: ast.AST) -> set[str]:
    """Every name the code binds anywhere (assignments, imports, defs, loop targets,
    parameters, ``as`` names): more than the module-level ones, which errs on the side
    of not reporting."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
    return names


def used(tree: ast.AST) -> dict[str, int]:
    """{name read: first line} of every name the code reads."""
    names: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            line = node.lineno
            names[node.id] = min(line, names.get(node.id, line))
    return names


@dataclass(frozen=True)
class HiddenName:
    cell: int
    line: int
    name: str
    hidden_cell: int

    def describe(self, where: str) -> str:
        return (
            f"{where}: code cell {self.cell}, line {self.line}: `{self.name}` is only "
            f"defined in the hidden (remove-cell) code cell {self.hidden_cell}"
        )


def hidden_names(cells: list[Cell]) -> list[HiddenName]:
    """Names a visible cell reads that, up to that cell, only hidden cells define."""
    seen_visible: set[str] = set(dir(builtins)) | {"display", "get_ipython"}
    seen_hidden: dict[str, int] = {}
    found = []
    for cell in cells:
        try:
            tree = ast.parse(_python(cell.source))
        except SyntaxError:
            continue  # a cell showing a syntax error on purpose; ruff checks the rest
        defined = bound(tree)
        if cell.visible:
            for name, line in sorted(used(tree).items(), key=lambda kv: kv[1]):
                if name in seen_hidden and name not in seen_visible | defined:
                    found.append(HiddenName(cell.number, line, name, seen_hidden[name]))
            seen_visible |= defined
        else:
            for name in defined - seen_visible:
                seen_hidden.setdefault(name, cell.number)
    return found
