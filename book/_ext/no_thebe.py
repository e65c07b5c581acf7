"""Sphinx extension: no unused Thebe in the pages.

Jupyter Book 1 always loads ``sphinx_thebe`` (it is in its fixed extension list), even with
``launch_buttons.thebe: false``. sphinx-thebe 0.3.1 then puts its configuration script into
every page twice, which makes the browser log the error "Identifier 'THEBE_JS_URL' has already
been declared", and ships a script and a stylesheet that this book never uses (the script
would fetch Thebe from unpkg.com). When the book's launch buttons do not ask for Thebe, this
extension disconnects sphinx-thebe's event handlers and drops its stylesheet, so the pages
carry no Thebe code at all.
"""

from __future__ import annotations

THEBE_MODULE = "sphinx_thebe"


def thebe_wanted(config) -> bool:
    """True when the theme's launch buttons ask for Thebe (``launch_buttons.thebe: true``)."""
    options = getattr(config, "html_theme_options", None) or {}
    launch = options.get("launch_buttons") or {}
    if not isinstance(launch, dict):
        raise TypeError(f"html_theme_options['launch_buttons'] must be a dict, got {type(launch).__name__}")
    return bool(launch.get("thebe", False))


def remove_thebe(app) -> int:
    """Disconnect every sphinx-thebe event handler and drop its CSS; return how many handlers went."""
    removed = 0
    for listeners in list(app.events.listeners.values()):
        for listener in list(listeners):
            module = getattr(listener.handler, "__module__", "") or ""
            if module == THEBE_MODULE or module.startswith(THEBE_MODULE + "."):
                app.disconnect(listener.id)
                removed += 1
    app.registry.css_files[:] = [
        (name, attrs) for name, attrs in app.registry.css_files if name != "sphinx-thebe.css"
    ]
    return removed


def _config_inited(app, config) -> None:
    if THEBE_MODULE in app.extensions and not thebe_wanted(config):
        remove_thebe(app)


def setup(app):
    app.connect("config-inited", _config_inited)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
