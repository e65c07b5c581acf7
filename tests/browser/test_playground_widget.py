"""The spiral playground in Chromium (issue 23): the data arrives only when the reader
comes near the widget; each control changes the decision regions, the loss curve and
the numbers; no broken image, no request off the site; the same from file:// and on a
360 px phone."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

import harness

pytestmark = pytest.mark.browser

DOC = "book/spiral"
WIDGET = ".dlbook-playground"
STATE_JS = """
() => {
  const w = document.querySelector('.dlbook-playground');
  const c = w.querySelector('canvas');
  return {
    shown: w.dataset.shown || null,
    canvas: c.toDataURL().length + ':' + c.toDataURL().slice(-200),
    loss: (w.querySelector('svg polyline') || {getAttribute: () => null})
      .getAttribute('points'),
    train: w.querySelector('.pg-train').textContent,
    test: w.querySelector('.pg-test').textContent,
    status: w.querySelector('.pg-status').textContent,
  };
}
"""
#: (control, how to change it) from the default setting (ReLU, middle H, longest
#: budget, first seed)
CHANGES = [
    ("activation", lambda p: _select(p, "activation", value="tanh")),
    ("H", lambda p: _range(p, "ArrowLeft")),
    ("steps", lambda p: _select(p, "steps", index=0)),
    ("seed", lambda p: _select(p, "seed", index=1)),
]


def _select(page, name, **option):
    page.select_option(f"{WIDGET} select[name={name}]", **option)


def _range(page, key):
    page.focus(f"{WIDGET} input[type=range]")
    page.keyboard.press(key)


def _wait_shown(page, previous=None):
    page.wait_for_function(
        "prev => { const w = document.querySelector('.dlbook-playground');"
        " return w.dataset.shown && w.dataset.shown !== prev; }",
        arg=previous,
        timeout=15_000,
    )
    return page.evaluate(STATE_JS)


def _exercise(page, rec=None):
    """Scroll to the widget, then change each control: every change redraws."""
    data_requests = [u for u in (rec.requests if rec else []) if "playground/" in u]
    assert not data_requests, (
        f"data loaded before the reader came near: {data_requests}"
    )
    page.locator(WIDGET).scroll_into_view_if_needed()
    state = _wait_shown(page)
    assert state["train"] != "–" and state["loss"], state
    for control, change in CHANGES:
        change(page)
        new = _wait_shown(page, state["shown"])
        numbers = (new["train"], new["test"]) != (state["train"], state["test"])
        assert numbers, f"changing {control} left both accuracies as they were"
        for part in ("canvas", "loss"):
            assert new[part] != state[part], (
                f"changing {control} left the {part} as it was: {state['shown']} -> "
                f"{new['shown']}"
            )
        state = new
    return state


@pytest.mark.parametrize("width", [360, 1280])
def test_controls_change_figure_and_numbers(browser, site_url, width):
    context = harness.context_at(browser, width)
    page = context.new_page()
    rec = harness.Recorder(site_url)
    rec.attach(page)
    try:
        page.goto(f"{site_url}{DOC}.html")
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        _exercise(page, rec)
        lay = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth,"
            " document.querySelector('.dlbook-playground')"
            ".getBoundingClientRect().right]"
        )
        harness.settle(page)
        broken = page.evaluate(
            "() => [...document.images].filter(i => i.complete && !i.naturalWidth)"
            ".map(i => i.src)"
        )
    finally:
        context.close()
    assert lay[0] <= lay[1] + 1 and lay[2] <= lay[1] + 1, f"too wide: {lay}"
    assert not broken, broken
    assert not rec.foreign(), rec.foreign()
    assert not rec.bad_responses and not rec.failed_requests, (
        rec.bad_responses + rec.failed_requests
    )
    assert not rec.console_errors, rec.console_errors
    assert any(u.endswith("_static/playground/spiral.js") for u in rec.requests)


def test_works_from_file_url(browser, built_site):
    context = harness.new_context(browser)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto((built_site / "book" / "spiral.html").resolve().as_uri())
        page.wait_for_load_state("load")
        _exercise(page)
    finally:
        context.close()
    assert not errors, errors
    off = [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]
    assert not off, off


def test_a_control_loads_the_data_before_any_scrolling(browser, site_url):
    """A keyboard reader who tabs into the controls gets the data too."""
    context = harness.new_context(browser)
    page = context.new_page()
    try:
        page.goto(f"{site_url}{DOC}.html")
        page.wait_for_load_state("load")
        page.evaluate(
            "() => document.querySelector('.dlbook-playground select').focus()"
        )
        state = _wait_shown(page)
    finally:
        context.close()
    assert state["test"] != "–", state


def test_dark_mode_redraws_the_regions(browser, site_url):
    context = harness.new_context(browser)
    page = context.new_page()
    try:
        page.goto(f"{site_url}{DOC}.html")
        page.locator(WIDGET).scroll_into_view_if_needed()
        light = _wait_shown(page)
        page.evaluate("() => document.documentElement.dataset.theme = 'dark'")
        page.wait_for_timeout(300)
        dark = page.evaluate(STATE_JS)
    finally:
        context.close()
    assert dark["canvas"] != light["canvas"], "the regions kept the light background"


def test_without_javascript_the_static_grid_stands_in(browser, site_url):
    context = harness.new_context(browser, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{site_url}{DOC}.html")
        page.wait_for_load_state("load")
        widget_shown = page.locator(WIDGET).is_visible()
        grid = page.locator("#fig-spiral-playground-grid img")
        grid_shown = grid.is_visible()
        src = grid.get_attribute("src")
        response = page.request.get(urljoin(f"{site_url}{DOC}.html", src))
        grid_ok = response.ok and response.body()[:4] == b"\x89PNG"
    finally:
        context.close()
    assert not widget_shown, "the widget shows without JavaScript (it cannot work)"
    assert grid_shown and grid_ok, (grid_shown, src)
