"""book/_ext/repository.py: repository and issues buttons only for a real address."""

from __future__ import annotations

from pathlib import Path

import pytest

import repository

PLACEHOLDER = "https://github.com/dl-week01/dl-week01-book"


def test_unset_means_no_buttons():
    assert repository.repository_url("", environ={}) == ""
    assert repository.repository_url(None, environ={}) == ""
    options = repository.theme_options({"use_download_button": True}, "")
    assert options["use_repository_button"] is False
    assert options["use_issues_button"] is False
    assert options["use_edit_page_button"] is False
    assert options["repository_url"] == ""
    assert options["use_download_button"] is True


def test_environment_wins_over_the_config():
    env = {repository.ENV: "https://github.com/someone/book/"}
    assert (
        repository.repository_url("", environ=env) == "https://github.com/someone/book"
    )
    assert repository.repository_url(PLACEHOLDER, environ=env) == (
        "https://github.com/someone/book"
    )
    # an empty variable switches a configured address off
    assert repository.repository_url(PLACEHOLDER, environ={repository.ENV: ""}) == ""
    assert repository.repository_url(PLACEHOLDER, environ={}) == PLACEHOLDER
    options = repository.theme_options({}, "https://github.com/someone/book")
    assert options["use_repository_button"] and options["use_issues_button"]


@pytest.mark.parametrize("bad", ["github.com/a/b", "https://github.com", "yes"])
def test_not_an_address_is_an_error(bad):
    with pytest.raises(repository.RepositoryURLError, match="DLBOOK_REPOSITORY_URL"):
        repository.repository_url("", environ={repository.ENV: bad})


def test_the_book_as_shipped_names_no_repository():
    import yaml

    root = Path(__file__).resolve().parents[2]
    cfg = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    assert not cfg["repository"].get("url")
    theme = cfg["sphinx"]["config"]["html_theme_options"]
    assert "repository_url" not in theme
    assert not {"use_repository_button", "use_issues_button"} & set(cfg["html"])
