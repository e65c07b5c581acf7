"""Chinese typography and vocabulary lint for the chapter sources (MyST Markdown).

Run as a script to list the violations, one per line (``file:line: rule: excerpt``):

    python tests/lint/typography.py            # every chapter in _toc.yml
    python tests/lint/typography.py book/spiral.md
    python tests/lint/typography.py --summary   # counts per page and rule

Only prose (and the figure captions and alt text in code cells' options) is checked:
front matter, code cells and other code blocks, math, directive
options, inline code, URLs and the targets of roles are masked first. What a role
shows in the page stands in for it: ``{term}`学习率``` is the text 学习率,
``{doc}`vanishing``` is that chapter's title (so 「？。」 after a question-titled
cross-reference is seen), ``{glue:text}``, ``{cite}`` and ``$math$`` count as one
Latin word.

Rules (each violation names one):

- ``ascii-punct``: ASCII , . : ; ? ! ( ) next to Chinese characters (the book uses
  ，。：；？！（） in Chinese sentences).
- ``cjk-latin-space``: no space between a Chinese character and a Latin letter or
  digit, inline code, math, a glued number or a citation (the book writes
  「用 Adam 训练 100 轮」).
- ``question-period``: 「？。」「？，」 and the like (after a question-titled
  cross-reference the title's ？ already ends the clause).
- ``number-style``: 百万/千万 with numbers (write 约 6097 万, 7.24 亿).
- ``chapter-count``: hand-typed chapter counts (六个问答, 十章, 10 章): they go stale
  when a chapter is added.
- ``vocabulary``: a name the glossary's 同义词 table maps to the book's term. Allowed in
  the glossary itself, inside quotes （“…”, 「…」, > blockquotes: quotes of the seed
  report or of other sources), and inside parentheses right after the book's term (its
  first mention: 暂退法（dropout）).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "book" / "glossary.md"

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: One masked Latin-like item (inline code, math, glued number, citation, URL).
ATOM = "\ue000"
LATIN = f"A-Za-z0-9{ATOM}"

#: Directives whose body is not prose (skipped whole).
NOT_PROSE = {
    "code-cell",
    "code",
    "code-block",
    "sourcecode",
    "math",
    "literalinclude",
    "raw",
    "bibliography",
    "toctree",
    "tableofcontents",
    "eval-rst",
    "mermaid",
    "glue",
    "glue:any",
    "glue:figure",
    "glue:math",
    "glue:text",
    "csv-table",
    "list-table",
}

#: Entries of the synonyms table that are not plain other names for the book's term.
NOT_SYNONYMS = {
    "L2 正则",  # equivalent to weight decay only for plain SGD: a concept of its own
}

#: Other names that are also parts of unrelated words: {name: (text ending right
#: before it, text starting right after it)} that make it another word.
GUARDS = {
    "单元": ("代码", "格|测试"),  # 代码单元、单元格: a notebook cell; 单元测试
    "批量梯度下降": ("小|全", ""),
    "迭代": ("", "器|周期|地"),  # 迭代器 (iterator); 迭代周期 has its own entry
    "精度": (
        "单|双|半|混合|数值|浮点|计算|表示|有限",
        "位|的浮点",
    ),  # numerical precision
    "步长": ("", "（stride|\\(stride"),  # a tensor's stride
}


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    rule: str
    excerpt: str

    def __str__(self) -> str:
        try:
            shown = self.path.relative_to(ROOT)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}: {self.rule}: {self.excerpt}"


# --- which lines are prose ---------------------------------------------------------

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}|:{3,})\s*(\{([^}]*)\})?\s*(.*)$")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of the prose lines of a MyST Markdown source."""
    lines = text.splitlines()
    out: list[tuple[int, str]] = []
    i = 0
    if lines and lines[0].strip() == "---":  # front matter
        i = 1
        while i < len(lines) and lines[i].strip() != "---":
            i += 1
        i += 1
    # stack of open fences: (marker char, marker length, is prose)
    stack: list[tuple[str, int, bool]] = []
    in_math = False
    in_comment = False
    options = False  # just after a prose directive's opening line
    yaml_head = False  # inside a code cell's --- options block
    while i < len(lines):
        line = lines[i]
        n = i + 1
        i += 1
        stripped = line.strip()
        prose_here = all(p for _, _, p in stack)
        if stack:
            ch, length, _ = stack[-1]
            if re.fullmatch(re.escape(ch) + "{%d,}" % length, stripped):
                stack.pop()
                options = False
                continue
        if yaml_head:  # a code cell's options: its figure caption and alt text
            if stripped == "---":
                yaml_head = False
            else:
                mm = re.match(r"^\s*(?:caption|alt):\s*(\S.*)$", line)
                if mm and mm.group(1)[0] not in "|>":
                    out.append((n, mm.group(1).strip("'\"")))
            continue
        m = FENCE.match(line)
        if m and prose_here and not in_math:
            marker, name, arg = m.group(2), m.group(4), m.group(5)
            is_prose = name is not None and name.strip() not in NOT_PROSE
            if marker[0] == ":" and name is None:
                is_prose = False
            stack.append((marker[0], len(marker), is_prose))
            if name and name.strip() == "code-cell" and lines[i : i + 1] == ["---"]:
                yaml_head = True
                i += 1  # past the opening ---
            if is_prose and arg:
                out.append((n, arg))  # a directive's title (admonition 选读：…)
            options = is_prose
            continue
        if not prose_here:
            continue
        if options:
            if stripped == "---":  # a YAML options block
                while i < len(lines) and lines[i].strip() != "---":
                    i += 1
                i += 1
                options = False
                continue
            if re.match(r"^\s*:[\w-]+:", line):
                continue
            options = False
        if in_comment:
            in_comment = "-->" not in line
            continue
        if stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            continue
        if stripped.startswith("$$"):
            if not (len(stripped) > 2 and stripped.endswith("$$")):
                in_math = not in_math
            continue
        if in_math:
            continue
        if re.fullmatch(r"\([\w:-]+\)=", stripped) or stripped.startswith("%"):
            continue  # labels and MyST comments
        if stripped.startswith("<") and stripped.endswith(">"):
            continue  # raw HTML
        out.append((n, line))
    return out


# --- masking inline markup ---------------------------------------------------------

ROLE = re.compile(r"\{([\w:-]+)\}(`+)(.*?)\2")
TITLED = re.compile(r"^(.*?)\s*<([^<>]+)>$", flags=re.S)


class Titles:
    """Titles of documents (for {doc}) and of labelled sections (for {ref})."""

    def __init__(self, root: Path = ROOT):
        self.root = root
        self._labels: dict[str, str] | None = None

    def doc(self, target: str, here: Path) -> str:
        base = self.root if target.startswith("/") else here.parent
        path = (base / target.lstrip("/")).with_suffix(".md")
        try:
            text = path.read_text("utf-8")
        except OSError:
            return target
        for _, line in prose_lines(text):
            if line.startswith("# "):
                return line[2:].strip()
        return target

    def ref(self, label: str) -> str:
        if self._labels is None:
            self._labels = {}
            for path in (self.root / "book").rglob("*.md"):
                lines = path.read_text("utf-8").splitlines()
                for k, line in enumerate(lines):
                    m = re.fullmatch(r"\(([\w:-]+)\)=", line.strip())
                    if m and k + 1 < len(lines):
                        self._labels[m.group(1)] = lines[k + 1].lstrip("#").strip()
        return self._labels.get(label, label)


def _shown(role: str, content: str, here: Path, titles: Titles) -> str:
    """What a role shows in the page, as far as typography goes."""
    m = TITLED.match(content)
    if role in ("term", "bundle", "abbr", "sub", "sup", "emphasis", "strong"):
        return m.group(1) if m else content
    if role in ("doc", "ref", "numref", "download"):
        if m and m.group(1):
            return m.group(1)
        if role == "doc":
            return titles.doc(content, here)
        if role == "ref":
            return titles.ref(content)
        return ATOM
    return ATOM  # glue, cite, math, eq, build-device, bundle, ...


def mask(line: str, here: Path = GLOSSARY, titles: Titles | None = None) -> str:
    """The line as a reader sees it, with code, math, numbers from glue, citations and
    URLs each replaced by ATOM."""
    titles = titles or Titles()
    s = ROLE.sub(lambda m: _shown(m.group(1), m.group(3), here, titles), line)
    s = re.sub(r"(`+).+?\1", ATOM, s)  # inline code
    s = re.sub(r"(?<![\\$])\$[^$]+?\$", ATOM, s)  # inline math
    s = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", s)  # links keep their text
    s = re.sub(r"<https?://[^>]+>", ATOM, s)
    s = re.sub(r"https?://\S+", ATOM, s)
    s = re.sub(r"<[^>\n]+>", "", s)  # inline HTML
    s = s.replace("**", "").replace("\\*", "*")
    s = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", s)  # list markers
    s = re.sub(r"^\s*#+\s+", "", s)  # heading markers
    return s


# --- rules -------------------------------------------------------------------------

C = f"[{CJK}]"
L = f"[{LATIN}]"
RULES: list[tuple[str, re.Pattern]] = [
    ("ascii-punct", re.compile(f"{C}[,.:;?!]|[,:;?!] ?{C}|{C}\\(|\\){C}")),
    ("ascii-punct", re.compile(f"\\([^()]*{C}[^()]*\\)")),
    # a Chinese sentence ending in an ASCII ? or ! (为什么用 Softmax?)
    ("ascii-punct", re.compile(f"(?<=[{LATIN}])[?!](?=\\s*$|[”」）]|\\s*{C})")),
    ("cjk-latin-space", re.compile(f"{C}{L}|{L}{C}")),
    ("question-period", re.compile("[？！][。，、；：？]")),
    (
        "number-style",
        re.compile(f"[0-9{ATOM}]\\s*(?:百万|千万|十万)|\\d+\\.\\d+\\s*千"),
    ),
    (
        "chapter-count",
        re.compile(
            "(?<![第前后这那两])(?<![第前后这那两] )"
            "(?:[三四五六七八九十]+|\\d+) ?(?:个)?(?:章|个?问答|篇问答)"
            "(?![节])"
        ),
    ),
]


def synonyms(glossary: Path = GLOSSARY) -> dict[str, str]:
    """{other name: the book's term} from the glossary's 同义词 table."""
    text = glossary.read_text("utf-8")
    table = text[text.index("## 同义词") :]
    found = {}
    for row in re.findall(r"^\|(.+)\|(.+)\|\s*$", table, flags=re.M):
        left, right = (cell.strip() for cell in row)
        if set(left) <= set("-: ") or left == "其他叫法":
            continue
        term = re.split(r"[、（(]", right)[0].strip()
        for name in re.split(r"[、,，]", left):
            name = name.strip()
            if name and name not in NOT_SYNONYMS:
                found[name] = term
    return found


def _vocab_pattern(names) -> re.Pattern:
    parts = []
    for name in sorted(names, key=len, reverse=True):
        if re.fullmatch(r"[A-Za-z0-9 ]+", name):  # a whole English word
            parts.append(f"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])")
        else:
            parts.append(re.escape(name))
    return re.compile("|".join(parts))


def _guarded(s: str, m: re.Match) -> bool:
    """The match is part of another word (GUARDS)."""
    before, after = GUARDS.get(m.group(0), ("", ""))
    return bool(
        (before and re.search(f"(?:{before})$", s[: m.start()]))
        or (after and re.match(after, s[m.end() :]))
    )


QUOTES = (r"“[^”]*”", r"「[^」]*」", r"‘[^’]*’", r"\"[^\"]*\"", r"『[^』]*』")
ASIDES = (r"（[^）]*）", r"\([^)]*\)")


def _spans(text: str, patterns) -> list[tuple[int, int]]:
    return [m.span() for p in patterns for m in re.finditer(p, text)]


def _inside(m: re.Match, spans) -> bool:
    return any(a <= m.start() and m.end() <= b for a, b in spans)


def _names_term(before: str, name: str, vocab: dict) -> bool:
    """The parenthesis follows the book's term for ``name`` (暂退法（dropout）): the
    term's first two characters end the text before it, give or take a few."""
    term = vocab[name]
    return term[:2] in before[-12:]


def check_text(
    text: str, path: Path, titles: Titles | None = None, vocab: dict | None = None
) -> list[Violation]:
    titles = titles or Titles()
    vocab = synonyms() if vocab is None else vocab
    pattern = _vocab_pattern(vocab) if vocab else None
    is_glossary = path.resolve() == GLOSSARY.resolve()
    found = []
    for n, raw in prose_lines(text):
        s = mask(raw, path, titles)
        quotes = _spans(s, QUOTES)
        for rule, rx in RULES:
            for m in rx.finditer(s):
                if rule == "ascii-punct" and _inside(m, quotes):
                    continue  # a quote keeps its source's punctuation
                found.append(Violation(path, n, rule, _excerpt(s, m.span())))
        if pattern is None or is_glossary or raw.lstrip().startswith(">"):
            continue
        asides = _spans(s, ASIDES)
        for m in pattern.finditer(s):
            if _guarded(s, m) or _inside(m, quotes):
                continue
            if any(
                a <= m.start()
                and m.end() <= b
                and _names_term(s[:a], m.group(0), vocab)
                for a, b in asides
            ):
                continue
            found.append(
                Violation(
                    path,
                    n,
                    "vocabulary",
                    f"{m.group(0)} → {vocab[m.group(0)]}: {_excerpt(s, m.span())}",
                )
            )
    return found


def _excerpt(s: str, span: tuple[int, int], width: int = 14) -> str:
    a, b = span
    text = s[max(0, a - width) : b + width].replace(ATOM, "▢").strip()
    return ("…" if a > width else "") + text + ("…" if b + width < len(s) else "")


def check_file(path: Path, **kw) -> list[Violation]:
    return check_text(path.read_text("utf-8"), path, **kw)


def chapters(root: Path = ROOT) -> list[Path]:
    """The book's pages in reading order, from _toc.yml."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    return [
        root / f"{doc}.md"
        for doc in parse_toc_yaml(root / "_toc.yml")
        if (root / f"{doc}.md").is_file()
    ]


def main(argv: list[str]) -> int:
    summary = "--summary" in argv
    paths = [Path(a).resolve() for a in argv if a != "--summary"] or chapters()
    titles, vocab = Titles(), synonyms()
    total = 0
    for path in paths:
        found = check_file(path, titles=titles, vocab=vocab)
        total += len(found)
        if summary:
            counts: dict[str, int] = {}
            for v in found:
                counts[v.rule] = counts.get(v.rule, 0) + 1
            shown = ", ".join(f"{r} {n}" for r, n in sorted(counts.items()))
            print(f"{path.relative_to(ROOT)}: {len(found)} ({shown or 'clean'})")
        else:
            for v in found:
                print(v)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
