"""Chinese search that understands how readers type (Sphinx search language ``zh``).

Sphinx's own Chinese support cuts the *index* with jieba at build time, but in the browser
it splits a query only at spaces and punctuation, so an unspaced question such as
交叉熵损失怎么算 is one long term that matches nothing.  This extension registers a
:class:`SearchLanguage` for ``zh`` that keeps Sphinx's indexing (jieba, plus the book's
user dictionary and the synonyms' words) and ships ``zh_search.js`` as its
``js_splitter_code``: the query is segmented with the index's own vocabulary, synonyms
become the book's term, and the search page ranks and summarises the results (see the
comment at the top of ``zh_search.js``; ties go in the book's reading order, which
:func:`add_term_counts` ships in the index).

Data, all beside the book:

* ``book/_static/jieba_userdict.txt`` — jieba's user dictionary (``word freq tag`` lines),
  so the index keeps the book's terms whole (数据集, 决策边界, 批归一化).
* ``book/_static/zh_synonyms.txt`` — one group per line, the book's term first, then the
  words readers type for it (批归一化 批量归一化 批量规范化 BN); ``#`` starts a comment.
  A glossary page (``book/glossary.md``) adds its groups too: every list line of the form
  ``- 术语：同义词、同义词`` inside the section whose title contains 同义词.
* Question particles (怎么, 为什么, 的, ...) are :data:`PARTICLES` below.

When any of these change, every page is re-indexed (the words the index holds depend on
them), so an incremental build never keeps an index cut with an old dictionary; when
``zh_search.js`` changes, ``language_data.js`` is written again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path

from sphinx.search.zh import SearchChinese

HERE = Path(__file__).resolve().parent
BOOK = HERE.parent
JS_FILE = HERE / "zh_search.js"
USER_DICT = BOOK / "_static" / "jieba_userdict.txt"
SYNONYMS = BOOK / "_static" / "zh_synonyms.txt"
GLOSSARY = BOOK / "glossary.md"
PLACEHOLDER = "__ZH_SEARCH_DATA__"

#: Words and characters of a question that say nothing about its subject (dropped from
#: queries only; single characters never count as terms, these not even as title hints).
PARTICLES = sorted(
    set(
        """
怎么 怎样 怎么样 如何 为什么 为何 什么 什么样 哪个 哪些 哪里 哪儿 多少 是否 是不是 能不能
会不会 有没有 可不可以 可以 能否 一下 到底 究竟 请问 我们 你们 他们 这个 那个 这些 那些
这样 那样 这么 那么 还是 或者 以及 并且 而且 然后 就是 不是 没有 时候 的话 一个 有什么
要不要 不要 需要 需不需要 应该 一点 有点 一些 干什么 干嘛 做什么
""".split()
    )
    | set(
        "的了吗呢吧啊呀是在有和与及或要会能用把被让给对从向也都就还又很太更最么个这那哪谁怎啥好"
    )
)

#: Words that say what kind of answer a question wants (作用, 原因, 区别, ...), not its
#: subject: looked up, but worth a third of a subject word.
INTENT = sorted(
    set(
        """
作用 原因 区别 方法 办法 特点 意思 用途 好处 坏处 优点 缺点 影响 问题 关系 含义 定义 概念 原理
""".split()
    )
)

#: Pages that list terms rather than explain them: their scores count half.
SECONDARY_PAGES = ["book/glossary"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NUMBER = re.compile(r"[\d._%]+")
_GLOSSARY_LINE = re.compile(r"^\s*[-*]\s*\**([^：:*]+?)\**\s*[：:]\s*(.+?)\s*$")


class DataError(ValueError):
    """A dictionary or synonyms file the search cannot use (message names file and line)."""


def read_user_dict(path: Path = USER_DICT) -> list[str]:
    """Words of a jieba user dictionary (``word [freq] [tag]`` per line)."""
    words = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) > 3 or (len(parts) > 1 and not parts[1].isdigit()):
            raise DataError(
                f"{path}:{lineno}: expected `word [freq] [tag]`, got {line!r}"
            )
        words.append(parts[0])
    return words


def read_synonyms(path: Path = SYNONYMS) -> list[list[str]]:
    """Synonym groups of a synonyms file: the book's term first on each line."""
    groups = []
    if not path.is_file():
        return groups
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if len(words) == 1:
            raise DataError(
                f"{path}:{lineno}: a synonym group needs at least two words: {line!r}"
            )
        if words:
            groups.append(words)
    return groups


def glossary_synonyms(path: Path = GLOSSARY) -> list[list[str]]:
    """Groups from the glossary's synonyms section: each table row ``| 其他叫法、… | 本书术语、… |``
    (or list line ``- 本书术语：其他叫法、…``) under the heading whose title contains 同义词.
    Names with spaces or brackets (``He 初始化``, ``权重衰减（对普通 SGD 等价）``) are
    left out: a query word is Chinese or one Latin word."""
    if not path.is_file():
        return []
    groups, inside = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            inside = "同义词" in line
            continue
        if not inside:
            continue
        if line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(set(c) <= set("-: ") for c in cells):
                continue  # the |---|---| line
        else:
            m = _GLOSSARY_LINE.match(line)
            cells = [m.group(1), m.group(2)] if m else []
        words = [w.strip(" `*") for c in cells for w in re.split(r"[、，,；;/]", c)]
        group = [w for w in words if w and not re.search(r"[\s（）()]", w)]
        if len(group) > 1 and "其他叫法" not in group:
            groups.append(group)
    return groups


def merge_groups(groups: list[list[str]]) -> list[list[str]]:
    """Groups sharing a word become one group (order: first appearance)."""
    merged: list[list[str]] = []
    for group in groups:
        words = [w.lower() for w in group]
        overlapping = [g for g in merged if set(g) & set(words)]
        for g in overlapping:
            merged.remove(g)
        union = [w for g in overlapping for w in g] + words
        merged.append(list(dict.fromkeys(union)))
    return merged


def search_data() -> dict:
    """What the browser side needs: dictionary words, synonym groups, particles, and the
    pages that only list terms (ranked below the chapters that explain them)."""
    groups = merge_groups(read_synonyms() + glossary_synonyms())
    for group in groups:
        for word in group:
            if not (_HAN.search(word) or re.fullmatch(r"[A-Za-z0-9_]+", word)):
                raise DataError(
                    f"synonym {word!r} in group {group}: use Chinese or one Latin word"
                )
    return {
        "words": read_user_dict(),
        "synonyms": groups,
        "secondary": SECONDARY_PAGES,
        "particles": PARTICLES,
        "intent": INTENT,
    }


def splitter_code(data: dict) -> str:
    """zh_search.js with the data filled in."""
    js = JS_FILE.read_text(encoding="utf-8")
    if js.count(PLACEHOLDER) != 1:
        raise DataError(
            f"{JS_FILE} must hold its {PLACEHOLDER} placeholder exactly once"
        )
    return js.replace(PLACEHOLDER, json.dumps(data, ensure_ascii=False, sort_keys=True))


def data_digest() -> str:
    """Fingerprint of everything that decides how the index is cut."""
    h = hashlib.sha256()
    for path in (USER_DICT, SYNONYMS, GLOSSARY):
        h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()


class SearchChineseReaders(SearchChinese):
    """Sphinx's Chinese search, with a query splitter and ranking for unspaced questions."""

    def init(self, options: dict[str, str]) -> None:
        import jieba  # noqa: PLC0415 - Sphinx's zh support makes it optional; the book pins it

        jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict ..." on every build
        super().init(options)  # jieba + options["dict"], as Sphinx does
        data = search_data()

        jieba.load_userdict(str(USER_DICT))
        for group in data["synonyms"]:
            for word in group:
                if _HAN.search(word):
                    jieba.add_word(word, freq=1000)
        self.js_splitter_code = splitter_code(data)
        self._stems: dict[tuple[str, bool], str] = {}
        self._latin: set[str] = set()
        self._seen = 0

    def stem(self, word: str) -> str:
        """Sphinx's stem, remembered: it depends only on ``word`` and on whether the
        list ``latin_terms`` (slow to search; it only grows) holds it."""
        if len(self.latin_terms) > self._seen:
            self._latin.update(self.latin_terms[self._seen :])
            self._seen = len(self.latin_terms)
        key = (word, word in self._latin)
        if key not in self._stems:
            self._stems[key] = super().stem(word)
        return self._stems[key]


def term_counts(builder, index: dict) -> dict:
    """How often each index term occurs on each page, and how many words each page has.

    Sphinx's index only says *which* pages hold a term; ranking by how much a page says
    about it needs the counts.  Returned as ``{"tf": {term: [count, ...]}, "len": [words
    per page]}``, the counts in the order of the term's pages (the sorted union of its
    ``terms`` and ``titleterms`` entries); only terms some page holds more than once, and
    no numbers.  Words are collected and stemmed as Sphinx's indexer does.
    """
    indexer = builder.indexer
    lang = indexer.lang
    per_doc: list[dict[str, int]] = []
    for doc in index["docnames"]:
        store = indexer._word_collector(builder.env.get_doctree(doc))
        counts: dict[str, int] = {}
        for word in store.words + store.title_words:
            stemmed = lang.stem(word).lower()
            if not lang.word_filter(stemmed) and lang.word_filter(word):
                stemmed = word
            if lang.word_filter(stemmed):
                counts[stemmed] = counts.get(stemmed, 0) + 1
        per_doc.append(counts)

    def docs(mapping: dict, term: str) -> list[int]:
        v = mapping.get(term, [])
        return [v] if isinstance(v, int) else list(v)

    tf = {}
    for term in sorted(set(index["terms"]) | set(index["titleterms"])):
        if _NUMBER.fullmatch(term):
            continue
        pages = sorted(
            set(docs(index["terms"], term)) | set(docs(index["titleterms"], term))
        )
        if not pages:  # a term whose pages were all removed
            continue
        counts = [max(per_doc[d].get(term, 1), 1) for d in pages]
        if max(counts) > 1:
            tf[term] = counts
    return {"tf": tf, "len": [sum(c.values()) for c in per_doc]}


def reading_order(env, docnames: list[str]) -> list[int]:
    """Where each page comes in the book (0, 1, ...): its place in the tree of toctrees
    from the root page (``_toc.yml``'s order); pages outside it last, in index order."""
    seen: dict[str, int] = {}
    stack = [env.config.root_doc]
    while stack:
        doc = stack.pop()
        if doc in seen:
            continue
        seen[doc] = len(seen)
        stack.extend(reversed(env.toctree_includes.get(doc, [])))
    key = sorted(range(len(docnames)), key=lambda i: (seen.get(docnames[i], len(seen)), i))
    order = [0] * len(docnames)
    for position, i in enumerate(key):
        order[i] = position
    return order


def add_term_counts(app, exc) -> None:
    """Put the term counts and the reading order into the built searchindex.js (key
    ``zh``)."""
    builder = app.builder
    if (
        exc is not None
        or builder.format != "html"
        or getattr(builder, "indexer", None) is None
    ):
        return
    from sphinx.search import js_index

    path = Path(builder.outdir) / "searchindex.js"
    if not path.is_file():
        return
    index = js_index.loads(path.read_text(encoding="utf-8"))
    index["zh"] = term_counts(builder, index)
    index["zh"]["order"] = reading_order(builder.env, index["docnames"])
    path.write_text(js_index.dumps(index), encoding="utf-8")


def _env_get_outdated(app, env, added, changed, removed) -> list[str]:
    digest = data_digest()
    if getattr(env, "zh_search_digest", None) == digest:
        return []
    env.zh_search_digest = digest
    return sorted(set(env.found_docs) - set(added) - set(changed))


def _env_updated(app, env) -> list[str]:
    """A changed zh_search.js alone re-reads nothing, but Sphinx writes language_data.js
    only when some page is written: then write the root page."""
    digest = hashlib.sha256(JS_FILE.read_bytes()).hexdigest()
    if getattr(env, "zh_search_js_digest", None) == digest:
        return []
    env.zh_search_js_digest = digest
    return [app.config.root_doc]


def setup(app):
    app.add_search_language(SearchChineseReaders)
    app.connect("env-get-outdated", _env_get_outdated)
    app.connect("env-updated", _env_updated)
    app.connect("build-finished", add_term_counts)
    return {
        "version": "1.0",
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 1,
    }
