"""dlbook.fonts: the CJK font, glyph checks, clear errors."""

import warnings

import matplotlib.pyplot as plt
import pytest

import dlbook
from dlbook.fonts import FontNotFoundError, cjk_font_path


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _draw_and_collect_glyph_problems(caplog, *labels):
    """Draw labels; return the missing-glyph reports (matplotlib warns for text, logs
    for mathtext).
    """
    fig, ax = plt.subplots()
    for i, label in enumerate(labels):
        ax.text(0.1, 0.1 + 0.2 * i, label)
    with (
        warnings.catch_warnings(record=True) as caught,
        caplog.at_level("WARNING", logger="matplotlib"),
    ):
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if "glyph" in str(w.message).lower()] + [
        r.getMessage() for r in caplog.records if "glyph" in r.getMessage().lower()
    ]


def test_cjk_font_is_noto_and_renders_without_missing_glyphs(caplog):
    name = dlbook.setup_fonts()
    assert name == "Noto Sans SC"
    assert dlbook.missing_glyphs("螺旋数据分类，准确率 0.95 (epoch) −1") == []
    assert (
        _draw_and_collect_glyph_problems(
            caplog, "螺旋数据：训练准确率", "$x_1 + \\alpha$", "x₁ α ≤ ∞"
        )
        == []
    )


def test_glyph_problems_are_detected(caplog):
    """The check above can fail: uncovered text and Chinese inside mathtext are both
    reported.
    """
    dlbook.setup_fonts()
    problems = _draw_and_collect_glyph_problems(caplog, "क", "准确率 $x_1$")
    assert any("2325" in p or "क" in p for p in problems), problems
    assert any("51c6" in p.lower() for p in problems), problems  # 准 = U+51C6


def test_missing_glyphs_detects_uncovered_characters():
    assert dlbook.missing_glyphs("ok क 𠀀") == ["क", "𠀀"]


def test_font_override_and_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_CJK_FONT", str(tmp_path / "nope.otf"))
    with pytest.raises(FontNotFoundError, match="DLBOOK_CJK_FONT"):
        cjk_font_path()


def test_missing_font_package_says_how_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *a, **k):
        if name == "pylopdf_fonts_zh_cn":
            raise ImportError(name)
        return real_import(name, *a, **k)

    monkeypatch.delenv("DLBOOK_CJK_FONT", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(
        FontNotFoundError, match="pip install pylopdf-fonts-zh-cn==0.1.1"
    ):
        cjk_font_path()
