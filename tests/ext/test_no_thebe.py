"""book/_ext/no_thebe.py: sphinx-thebe is loaded by Jupyter Book but leaves nothing in
the pages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import no_thebe


def test_thebe_wanted_reads_launch_buttons():
    assert no_thebe.thebe_wanted(
        SimpleNamespace(html_theme_options={"launch_buttons": {"thebe": True}})
    )
    assert not no_thebe.thebe_wanted(
        SimpleNamespace(html_theme_options={"launch_buttons": {"thebe": False}})
    )
    assert not no_thebe.thebe_wanted(SimpleNamespace(html_theme_options={}))
    assert not no_thebe.thebe_wanted(SimpleNamespace())
    with pytest.raises(TypeError, match="launch_buttons"):
        no_thebe.thebe_wanted(
            SimpleNamespace(html_theme_options={"launch_buttons": "thebe"})
        )


def _handler(module):
    def f(*args):
        return None

    f.__module__ = module
    return f


def test_remove_thebe_disconnects_only_thebe():
    Listener = __import__("collections").namedtuple("Listener", "id handler priority")
    listeners = {
        "env-before-read-docs": [
            Listener(1, _handler("sphinx_thebe"), 500),
            Listener(2, _handler("myst_nb"), 500),
        ],
        "doctree-resolved": [Listener(3, _handler("sphinx_thebe"), 500)],
    }
    gone = []

    def disconnect(i):
        gone.append(i)
        for ls in listeners.values():
            ls[:] = [l for l in ls if l.id != i]

    app = SimpleNamespace(
        events=SimpleNamespace(listeners=listeners),
        disconnect=disconnect,
        registry=SimpleNamespace(
            css_files=[("sphinx-thebe.css", {}), ("custom.css", {})]
        ),
    )
    assert no_thebe.remove_thebe(app) == 2
    assert sorted(gone) == [1, 3]
    assert [l.id for l in listeners["env-before-read-docs"]] == [2]
    assert app.registry.css_files == [("custom.css", {})]


@pytest.mark.build
def test_site_carries_no_thebe(built_site):
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "THEBE_JS_URL" not in text and "sphinx-thebe" not in text, (
            f"thebe left in {page}"
        )
        assert "x-thebe-config" not in text, f"thebe config left in {page}"
