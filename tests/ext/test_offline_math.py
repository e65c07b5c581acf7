"""book/_ext/offline_math.py: MathJax comes from the site itself, never from a CDN."""

from __future__ import annotations

from types import SimpleNamespace

import offline_math


def test_copy_mathjax_copies_only_the_parts_pages_load(tmp_path):
    dst = offline_math.copy_mathjax(tmp_path)
    assert dst == tmp_path / "_static" / "mathjax"
    assert (dst / "tex-chtml.js").stat().st_size > 100_000
    fonts = list((dst / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert len(fonts) >= 10
    assert (dst / "input" / "tex" / "extensions").is_dir()
    assert not (dst / "tex-svg.js").exists() and not (dst / "es5").exists()


def test_config_points_mathjax_at_the_local_copy():
    config = SimpleNamespace(mathjax_path="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js")
    offline_math._config_inited(None, config)
    assert config.mathjax_path == "mathjax/tex-chtml.js"
