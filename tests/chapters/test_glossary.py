"""The glossary (book/glossary): its terms, the synonyms table, links from the Q&A
chapters.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from bookdata import ROOT
from chapterpages import page_html

pytestmark = pytest.mark.build


def _qa_chapters() -> list[str]:
    """The Q&A chapters (book/qa/*), in reading order, from _toc.yml."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    docs = parse_toc_yaml(ROOT / "_toc.yml")
    return [d.removeprefix("book/") for d in docs if d.startswith("book/qa/")]


QA = _qa_chapters()


def _text(fragment: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def test_glossary_terms_and_synonyms(built_site):
    """Every term the synonyms table maps to is a glossary entry."""
    html = page_html(built_site, "glossary")
    dts = re.findall(r'<dt[^>]*id="term-[^"]*"[^>]*>(.*?)</dt>', html, flags=re.S)
    terms = {_text(t).rstrip("¶#").strip() for t in dts}
    assert {
        "批量规范化",
        "暂退法",
        "图像增广",
        "汇聚层",
        "Kaiming 初始化",
        "轮",
        "准确率",
        "学习率",
        "步",
        "神经元",
        "梯度",
        "全批量梯度下降",
        "自动求导",
    } <= terms
    table = html[html.index('id="synonyms"') :]
    targets = re.findall(
        r"<tr[^>]*>\s*<td[^>]*>.*?</td>\s*<td[^>]*>(.*?)</td>", table, flags=re.S
    )
    assert len(targets) >= 10
    for cell in targets:
        main = re.split(r"[、（]", _text(cell))[0].strip()
        assert main in terms, f"synonyms table points to {main!r}: no glossary term"


def test_qa_chapters_come_from_the_toc():
    assert "qa/alexnet" in QA and "qa/optimizers" in QA


@pytest.mark.parametrize("name", QA)
def test_qa_chapters_link_the_glossary(built_site, name):
    links = re.findall(r'href="\.\./glossary\.html#term-', page_html(built_site, name))
    assert links, f"{name} links no glossary term"


def test_glossary_says_which_edition_and_why_it_differs():
    """The one-name rule follows d2l-zh's 2nd edition and says where and why not."""
    text = (ROOT / "book" / "glossary.md").read_text("utf-8")
    intro = text[: text.index("```{glossary}")]
    assert "第二版" in intro and "zh.d2l.ai" in intro
    for ours, theirs in (
        ("准确率", "精度"),
        ("轮", "迭代周期"),
        ("神经元", "隐藏单元"),
    ):
        assert ours in intro and theirs in intro, (ours, theirs)


@pytest.mark.parametrize(
    ("doc", "terms"),
    [
        ("spiral", {"交叉熵", "学习率", "全批量", "优化器"}),
        ("tensor-pitfalls", {"计算图"}),
    ],
)
def test_part_one_links_first_uses(built_site, doc, terms):
    """The hands-on chapters link the terms they define to the glossary, too."""
    html = page_html(built_site, doc)
    linked = {
        _text(t)
        for t in re.findall(
            r'<a[^>]*href="glossary\.html#term-[^"]*"[^>]*>(.*?)</a>', html
        )
    }
    assert terms <= linked, f"{doc}: not linked: {sorted(terms - linked)}"
