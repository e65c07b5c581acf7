"""Dark mode, switched on with the theme's own button: figures keep their opaque white
background and code stays readable (contrast >= 4.5 for the text and every token
colour)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

import harness
from harness import new_context

pytestmark = pytest.mark.browser

DOCS = harness.toc_docs()
MIN_CONTRAST = 4.5
#: luminance 0..255 the edge of a figure must keep on the dark page (white is 255)
LIGHT_EDGE = 200

CODE_COLOURS_JS = """
() => {
  const bgOf = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && c !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(c)) return c;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
  };
  const blocks = Array.from(document.querySelectorAll('article div.highlight pre')).filter(p => p.getClientRects().length);
  return blocks.slice(0, 60).map((pre, i) => {
    const bg = bgOf(pre);
    const colours = new Set([getComputedStyle(pre).color]);
    pre.querySelectorAll('span').forEach(s => { if (s.textContent.trim()) colours.add(getComputedStyle(s).color); });
    return {i, bg, colours: Array.from(colours), sample: pre.innerText.slice(0, 40)};
  });
}
"""

CONTENT_BOX_JS = """
(img) => {
  const cs = getComputedStyle(img), px = (v) => parseFloat(v) || 0;
  return {left: px(cs.paddingLeft) + px(cs.borderLeftWidth), right: px(cs.paddingRight) + px(cs.borderRightWidth),
          top: px(cs.paddingTop) + px(cs.borderTopWidth), bottom: px(cs.paddingBottom) + px(cs.borderBottomWidth)};
}
"""

DRAWN_JS = """
async (img) => {
  const frame = () => new Promise(r => requestAnimationFrame(r));
  for (let i = 0; i < 10; i++) {
    img.scrollIntoView({block: 'center'});
    await frame(); await frame();
    const r = img.getBoundingClientRect();
    if (r.top >= 0 && r.bottom <= innerHeight) break;
  }
  if (!img.complete) await new Promise(r => img.addEventListener('load', r, {once: true}));
  await img.decode().catch(() => {});
}
"""

PAGE_COLOURS_JS = """
() => ({
  theme: document.documentElement.dataset.theme,
  mode: localStorage.getItem('mode'),
  bg: getComputedStyle(document.body).backgroundColor,
  fg: getComputedStyle(document.querySelector('article') || document.body).color,
})
"""


@pytest.fixture(scope="module")
def dark(browser, site_url):
    """A fresh profile switched to dark with the theme's button on the first page; the
    choice
    is remembered (localStorage) for every later page, as for a reader."""
    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{site_url}book/intro.html")
    for _ in range(3):
        if page.evaluate("document.documentElement.dataset.theme") == "dark":
            break
        page.locator(".theme-switch-button:visible").first.click()
    state = page.evaluate(PAGE_COLOURS_JS)
    page.close()
    assert state["theme"] == "dark" and state["mode"] == "dark", (
        f"theme button did not reach dark mode: {state}"
    )
    yield context
    context.close()


@pytest.fixture(scope="module")
def seen():
    """What the dark-mode pages contained (checked at the end: the checks had something
    to check)."""
    return {"figures": 0, "code_blocks": 0}


@pytest.mark.parametrize("doc", DOCS)
def test_dark_page_readable(dark, site_url, doc, seen):
    page = dark.new_page()
    try:
        page.goto(f"{site_url}{doc}.html")
        harness.settle(page)
        state = page.evaluate(PAGE_COLOURS_JS)
        assert state["theme"] == "dark", (
            f"{doc}: not in dark mode after the switch: {state}"
        )
        bg = harness.parse_rgb(state["bg"])
        assert harness.relative_luminance(bg) < 0.1, (
            f"{doc}: page background {state['bg']} is not dark"
        )
        fg = harness.blend(harness.parse_rgb(state["fg"]), bg)
        assert harness.contrast_ratio(fg, bg) >= MIN_CONTRAST, (
            f"{doc}: body text {state['fg']} on {state['bg']}"
        )

        # Code blocks: the text and every token colour against the block's background.
        problems = []
        for block in page.evaluate(CODE_COLOURS_JS):
            seen["code_blocks"] += 1
            block_bg = harness.blend(harness.parse_rgb(block["bg"]), bg)
            for colour in block["colours"]:
                ratio = harness.contrast_ratio(
                    harness.blend(harness.parse_rgb(colour), block_bg), block_bg
                )
                if ratio < MIN_CONTRAST:
                    problems.append(
                        f"block {block['i']} ({block['sample']!r}): {colour} on {block['bg']} = {ratio:.2f}"
                    )
        assert not problems, (
            f"{doc}: code colours below {MIN_CONTRAST}:1 in dark mode:\n  "
            + "\n  ".join(problems)
        )

        # Figures: a screenshot of each, cut to the content box (the theme pads figures
        # with a
        # grey frame in dark mode and dims them a little); its edge, 2 px inside, stays
        # light.
        figures = page.locator("article .cell_output img, article figure img")
        for i in range(figures.count()):
            img = figures.nth(i)
            # a cell far from the screen is drawn once it comes near it, and the cells
            # drawn with it may move the figure (content-visibility, book/_css/
            # custom.css): scrolled to until it stays on the screen, as a reader does
            img.evaluate(DRAWN_JS)
            box = img.evaluate(CONTENT_BOX_JS)
            shot = Image.open(io.BytesIO(img.screenshot())).convert("L")
            shot = shot.crop(
                (
                    round(box["left"]),
                    round(box["top"]),
                    shot.width - round(box["right"]),
                    shot.height - round(box["bottom"]),
                )
            )
            w, h = shot.size
            assert w > 10 and h > 10, f"{doc}: figure {i} is {w}x{h} px"
            px = shot.load()
            edge = [px[x, y] for x in range(2, w - 2) for y in (2, h - 3)]
            edge += [px[x, y] for y in range(2, h - 2) for x in (2, w - 3)]
            seen["figures"] += 1
            light = sum(1 for v in edge if v >= LIGHT_EDGE) / len(edge)
            mean = sum(edge) / len(edge)
            assert light >= 0.95, (
                f"{doc}: figure {i} ({img.get_attribute('src')}) has a dark edge in dark mode: "
                f"{light:.0%} of its edge pixels >= {LIGHT_EDGE}, mean {mean:.0f} (transparent background?)"
            )
            # The file itself: an opaque background (no alpha below 255 on its border).
            png = Image.open(
                io.BytesIO(dark.request.get(img.evaluate("i => i.currentSrc")).body())
            )
            if "A" in png.getbands() or "transparency" in png.info:
                alpha = png.convert("RGBA").getchannel("A")
                aw, ah = alpha.size
                border = [
                    alpha.getpixel((x, y)) for x in range(aw) for y in (0, ah - 1)
                ]
                border += [
                    alpha.getpixel((x, y)) for y in range(ah) for x in (0, aw - 1)
                ]
                assert min(border) == 255, (
                    f"{doc}: figure {i} has a transparent border in its PNG"
                )
    finally:
        page.close()


def test_dark_checks_saw_figures_and_code(seen):
    """Runs after the per-page checks: the spiral chapter alone has figures and code."""
    assert seen["figures"] >= 1 and seen["code_blocks"] >= 1, (
        f"dark-mode checks found nothing to check: {seen}"
    )
