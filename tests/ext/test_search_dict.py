"""book/_ext/search_dict.py: the Chinese search index uses the book's jieba
dictionary."""

from __future__ import annotations

from types import SimpleNamespace

import search_dict


def test_chinese_search_gets_the_user_dictionary_by_absolute_path():
    config = SimpleNamespace(language="zh_CN", html_search_options={"other": 1})
    search_dict._config_inited(None, config)
    path = config.html_search_options["dict"]
    assert config.html_search_options["other"] == 1
    assert path.startswith("/") and path.endswith("book/_static/jieba_userdict.txt")
    words = open(path, encoding="utf-8").read().split()
    assert "决策边界" in words and "数据集" in words


def test_other_languages_are_left_alone():
    config = SimpleNamespace(language="en", html_search_options=None)
    search_dict._config_inited(None, config)
    assert config.html_search_options is None
