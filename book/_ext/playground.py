"""Sphinx extension: the reader's playground (issue 23), controls over precomputed runs.

A chapter places the widget with a raw HTML block holding only a marker::

    ```{raw} html
    <div data-dlbook-playground="spiral"></div>
    ```

and glues the data as a JSON string (``glue("playground_spiral", playground.payload(...),
display=False)``, see ``dlbook.playground``). When the page is written, this extension
reads the glued JSON from the chapter's executed notebook (MyST-NB's cache), writes it
as ``_static/playground/spiral.js`` (a script that defines a global: pages opened from
``file://`` cannot fetch JSON), and replaces the marker with the widget: native
``<select>``/``<input type=range>`` controls with labels whose options are the data's
settings, a canvas of fixed aspect ratio for the decision regions (its height is reserved:
no layout shift), an SVG for the loss curve and the two accuracies. The widget's script
(``playground.js`` here, inlined) loads the data only when the reader scrolls near the
widget or touches a control. Without JavaScript the widget is hidden (``pst-js-only``) and
the chapter's static figure of a few settings stands in; other builders (the PDF) skip raw
HTML and print that figure.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from sphinx.errors import ExtensionError

HERE = Path(__file__).resolve().parent
MARKER = re.compile(r'<div data-dlbook-playground="([a-z0-9-]+)"></div>')
GLUE_PREFIX = "playground_"
OUT_DIR = "_static/playground"
ACT_NAMES = {"none": "不用激活函数", "relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid"}
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")


def glued_payload(nb, name: str) -> dict:
    """The JSON glued as ``playground_<name>`` in an executed notebook, parsed."""
    import ast

    want = GLUE_PREFIX + name
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook")
            if meta and meta.get("name") == want:
                key = meta.get("mime_prefix", "") + "text/plain"
                return json.loads(ast.literal_eval(out["data"][key]))
    raise KeyError(want)


def data_script(name: str, data: dict) -> str:
    """The data file: defines ``window.dlbookPlayground[name]`` and nothing else."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        "(window.dlbookPlayground = window.dlbookPlayground || {})"
        f"[{json.dumps(name)}] = {body};\n"
    )


DATA_SCRIPT = re.compile(
    r'\(window\.dlbookPlayground = window\.dlbookPlayground \|\| \{\}\)'
    r'\["([a-z0-9-]+)"\] = (\{.*\});\n\Z',
    re.S,
)


def parse_data_script(text: str) -> tuple[str, dict]:
    """(name, data) of a file written by :func:`data_script` (the tests read it back)."""
    m = DATA_SCRIPT.match(text)
    if not m:
        raise ValueError("not a playground data script")
    return m.group(1), json.loads(m.group(2))


def _options(values, label, default) -> str:
    return "".join(
        f'<option value="{html.escape(str(v))}"{" selected" if v == default else ""}>'
        f"{html.escape(label(v))}</option>"
        for v in values
    )


def widget_html(name: str, data: dict, script: str) -> str:
    """The widget's markup for the settings of ``data`` (defaults: the middle width, the
    longest budget, the first seed, ReLU when present)."""
    s = data["settings"]
    acts, widths, steps, seeds, lrs = (
        s["activation"], s["H"], s["steps"], s["seed"], s["lr"]
    )  # fmt: skip
    act0 = "relu" if "relu" in acts else acts[0]
    h0 = len(widths) // 2
    pid = f"pg-{name}"
    # the first view must exist: the learning rate trained for the longest budget
    lr_default = max(r["lr"] for r in data["runs"] if r["steps"] == steps[-1])
    lr_text = "、".join(f"{v:g}" for v in lrs)
    hidden_lr = (
        f'<input type="hidden" name="lr" value="{lrs[0]}">'
        if len(lrs) == 1
        else f'<label for="{pid}-lr">学习率</label><select id="{pid}-lr" name="lr">'
        + _options(lrs, lambda v: f"{v:g}", lr_default)
        + "</select>"
    )
    n_points = len(data["points"])
    return f"""<div class="dlbook-playground pst-js-only" id="{pid}" data-playground="{name}"
 data-src="{OUT_DIR}/{name}.js">
<form class="pg-controls" action="#" onsubmit="return false">
<div class="pg-control"><label for="{pid}-act">激活函数</label>
<select id="{pid}-act" name="activation">{_options(acts, ACT_NAMES.get, act0)}</select></div>
<div class="pg-control"><label for="{pid}-h">隐藏层宽度 H = <output id="{pid}-h-out"
 for="{pid}-h">{widths[h0]}</output></label>
<input type="range" id="{pid}-h" name="H" min="0" max="{len(widths) - 1}" step="1"
 value="{h0}" data-values="{html.escape(json.dumps(widths))}"
 aria-valuetext="H = {widths[h0]}"></div>
<div class="pg-control"><label for="{pid}-steps">训练步数</label>
<select id="{pid}-steps" name="steps">{_options(steps, lambda v: f"{v} 步", steps[-1])}</select></div>
<div class="pg-control"><label for="{pid}-seed">随机种子</label>
<select id="{pid}-seed" name="seed">{_options(seeds, str, seeds[0])}</select></div>
<div class="pg-control">{hidden_lr}</div>
</form>
<div class="pg-figures">
<figure class="pg-map"><canvas width="320" height="320" role="img"
 aria-label="决策区域（数据加载后显示）"></canvas>
<figcaption>决策区域：底色是网络在平面上每一处预测的类别，点是 {n_points} 个训练点</figcaption></figure>
<figure class="pg-loss"><svg viewBox="0 0 320 200" role="img" aria-label="训练损失曲线（数据加载后显示）"
 focusable="false"></svg>
<figcaption>训练损失（交叉熵），每 {data["loss_every"]} 步一个点</figcaption></figure>
</div>
<p class="pg-numbers" aria-live="polite">训练准确率 <output class="pg-train">–</output> ·
测试准确率 <output class="pg-test">–</output> <span class="pg-status"></span></p>
<p class="pg-note">全批量 Adam，学习率 {lr_text}；每种设置都在构建时训练好，这里只是切换结果，不在浏览器里训练。</p>
</div>
<script>{script}</script>"""


def _notebook(app, pagename: str):
    import nbformat
    from notebook_download import executed_notebook

    path = executed_notebook(app, pagename)
    if path is None:
        raise ExtensionError(f"playground: {pagename} is not an executed notebook")
    nb = nbformat.read(str(path), as_version=4)
    cfg = app.env.mystnb_config
    if cfg.execution_mode == "cache" and Path(cfg.execution_cache_path).is_dir():
        from jupyter_cache import get_cache

        try:
            _, nb = get_cache(str(cfg.execution_cache_path)).merge_match_into_notebook(nb)
        except KeyError:
            pass
    return nb


def _page(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or "body" not in context:
        return
    found = MARKER.findall(context["body"])
    if not found:
        return
    nb = _notebook(app, pagename)
    script = (HERE / "playground.js").read_text(encoding="utf-8")
    for name in found:
        try:
            data = glued_payload(nb, name)
        except KeyError:
            raise ExtensionError(
                f"playground: {pagename} places the widget {name!r} but glues no "
                f"{GLUE_PREFIX}{name} (dlbook.playground.payload)"
            ) from None
        out = Path(app.outdir) / OUT_DIR / f"{name}.js"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(data_script(name, data), encoding="utf-8")
        context["body"] = context["body"].replace(
            f'<div data-dlbook-playground="{name}"></div>',
            widget_html(name, data, script),
        )


def setup(app):
    app.connect("html-page-context", _page, priority=400)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
