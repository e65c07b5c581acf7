"""Sphinx extension: the jieba user dictionary for the Chinese search index.

The dictionary that makes words like 数据集 and 决策边界 searchable is passed to Sphinx's
Chinese search with an absolute path, so the build works from any working directory.
"""

from __future__ import annotations

from pathlib import Path

USER_DICT = Path(__file__).resolve().parents[1] / "_static" / "jieba_userdict.txt"


def _config_inited(app, config) -> None:
    if config.language and config.language.startswith("zh"):
        options = dict(config.html_search_options or {})
        options["dict"] = str(USER_DICT)
        config.html_search_options = options


def setup(app):
    app.connect("config-inited", _config_inited)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
