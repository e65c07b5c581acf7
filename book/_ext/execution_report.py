"""Sphinx extension: where and how each chapter was executed, shown in the book.

* ``{execution-report}`` (directive, used on ``book/execution-report.md``): a table with
  one row per executed chapter: execution time, whether this build executed it or took it
  from the execution cache (and when it was executed), and the device it ran on (CPU
  model or GPU name) with the torch and CUDA versions.
* ``{build-device}`summary``` (role, used on the intro page): one line naming the
  device(s) this edition's code cells ran on.

The device comes from the hidden glue ``device`` that every chapter's first cell
``dlbook.setup()`` records (see :mod:`dlbook.book`); timings come from MyST-NB's
execution metadata. "This build" means: executed after ``tools/build_book.py`` started
(it exports ``DLBOOK_BUILD_STARTED``), else after Sphinx started.

The pages holding these elements are rewritten whenever any chapter is re-read, so they
never show stale data. This module imports no torch (the builder loads it alone).
"""

from __future__ import annotations

import ast
import json
import os
import time
from datetime import datetime
from pathlib import Path

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective, SphinxRole

STARTED_ENV = "DLBOOK_BUILD_STARTED"
GLUE_KEY = "device"
UNKNOWN = "未记录"


class execution_report_node(nodes.General, nodes.Element):
    """Placeholder for the report table (filled in after every chapter was read)."""


class build_device_node(nodes.Inline, nodes.Element):
    """Placeholder for the device line."""


def parse_device_summary(summary: str | None) -> dict:
    """Split ``dlbook.device_summary``'s line ``"GPU：name · torch X · CUDA Y"`` into its parts."""
    if not summary:
        return {"device": UNKNOWN, "torch": UNKNOWN, "cuda": UNKNOWN}
    parts = [p.strip() for p in summary.split("·")]
    out = {"device": parts[0], "torch": UNKNOWN, "cuda": UNKNOWN}
    for p in parts[1:]:
        if p.startswith("torch "):
            out["torch"] = p[len("torch ") :]
        elif p.startswith("CUDA "):
            out["cuda"] = p[len("CUDA ") :]
        else:
            out["device"] += f" · {p}"
    return out


def _read_device(app, docname: str) -> str | None:
    folder = getattr(getattr(app.env, "mystnb_config", None), "output_folder", None)
    if not folder:
        return None
    path = Path(folder).joinpath(*(docname + ".glue.json").split("/"))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        text = data[GLUE_KEY]["data"]["text/plain"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = text
    return str(value)


def _records(env) -> dict:
    if not hasattr(env, "dlbook_exec"):
        env.dlbook_exec = {}
    return env.dlbook_exec


def _pages(env) -> set:
    if not hasattr(env, "dlbook_report_pages"):
        env.dlbook_report_pages = set()
    return env.dlbook_report_pages


def _build_started(app) -> float:
    try:
        return float(os.environ[STARTED_ENV])
    except (KeyError, ValueError):
        return getattr(app, "_dlbook_started", time.time())


def _collect(app, doctree) -> None:
    """After a page is read: store its execution data and device (if it is a notebook)."""
    env = app.env
    docname = env.docname
    meta = getattr(env, "nb_metadata", {}).get(docname, {})
    exec_data = meta.get("exec_data")
    if not exec_data:
        _records(env).pop(docname, None)
        return
    mtime = exec_data.get("mtime") or 0.0
    _records(env)[docname] = {
        "seconds": exec_data.get("runtime"),
        "executed_at": mtime,
        "this_build": bool(mtime and mtime >= _build_started(app) - 1.0),
        "succeeded": bool(exec_data.get("succeeded")),
        "device": _read_device(app, docname),
    }


def _purge(app, env, docname) -> None:
    _records(env).pop(docname, None)
    _pages(env).discard(docname)


def _merge(app, env, docnames, other) -> None:
    _records(env).update({d: v for d, v in _records(other).items() if d in docnames})
    _pages(env).update(d for d in _pages(other) if d in docnames)


def _rewrite_pages(app, env):
    """Every page with a report or a device line is rewritten when any page was re-read."""
    return sorted(_pages(env)) if getattr(app, "_dlbook_read_any", False) else []


def _note_read(app, env, docnames) -> None:
    app._dlbook_read_any = bool(docnames)


def _toc_order(env) -> list[str]:
    order, seen = [], set()

    def walk(doc):
        if doc in seen:
            return
        seen.add(doc)
        order.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return order


def device_line(env) -> str:
    """The distinct devices the chapters ran on, most used first, e.g. ``CPU：… · torch … · CUDA 无``."""
    counts: dict[str, int] = {}
    for rec in _records(env).values():
        key = rec.get("device") or UNKNOWN
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return UNKNOWN
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(ranked) == 1:
        return ranked[0][0]
    return "；".join(f"{name}（{n} 章）" for name, n in ranked)


class ExecutionReport(SphinxDirective):
    has_content = False

    def run(self):
        _pages(self.env).add(self.env.docname)
        return [execution_report_node()]


class BuildDevice(SphinxRole):
    def run(self):
        _pages(self.env).add(self.env.docname)
        if self.text.strip() not in ("summary", ""):
            msg = self.inliner.reporter.error(
                f"build-device: unknown content {self.text!r}; write {{build-device}}`summary`", line=self.lineno
            )
            return [], [msg]
        return [build_device_node()], []


def _entry(content) -> nodes.entry:
    entry = nodes.entry()
    para = nodes.paragraph()
    if isinstance(content, nodes.Node):
        para += content
    else:
        para += nodes.Text(str(content))
    entry += para
    return entry


def _report_table(env, docname: str) -> list[nodes.Node]:
    records = _records(env)
    order = [d for d in _toc_order(env) if d in records] + sorted(d for d in records if d not in _toc_order(env))
    headers = ["章节", "执行耗时（秒）", "来源", "执行时间", "设备", "torch", "CUDA"]
    table = nodes.table(classes=["colwidths-auto", "dlbook-execution-report"])
    tgroup = nodes.tgroup(cols=len(headers))
    table += tgroup
    for _ in headers:
        tgroup += nodes.colspec(colwidth=1)
    thead = nodes.thead()
    tgroup += thead
    row = nodes.row()
    for h in headers:
        row += _entry(h)
    thead += row
    tbody = nodes.tbody()
    tgroup += tbody
    total = 0.0
    for doc in order:
        rec = records[doc]
        dev = parse_device_summary(rec.get("device"))
        title = env.titles.get(doc)
        link = pending_xref(
            "", refdoc=docname, refdomain="std", reftype="doc", reftarget="/" + doc, refexplicit=True, refwarn=True
        )
        link += nodes.inline(text=title.astext() if title is not None else doc)
        seconds = rec.get("seconds")
        total += seconds or 0.0
        when = datetime.fromtimestamp(rec["executed_at"]).strftime("%Y-%m-%d %H:%M") if rec.get("executed_at") else "—"
        source = "本次构建执行" if rec.get("this_build") else "执行缓存"
        if not rec.get("succeeded"):
            source += "（失败）"
        row = nodes.row()
        for cell in (link, "—" if seconds is None else f"{seconds:.1f}", source, when, dev["device"], dev["torch"], dev["cuda"]):
            row += _entry(cell)
        tbody += row
    para = nodes.paragraph(
        text=f"共 {len(order)} 章，纯执行时间合计 {total:.1f} 秒（每章在自己的 Jupyter 内核里从头到尾运行一次，含内核启动）。"
    )
    return [table, para]


class _Fill(SphinxPostTransform):
    default_priority = 5  # before references are resolved (10), so the table's links resolve

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(execution_report_node)):
            node.replace_self(_report_table(self.env, self.env.docname))
        for node in list(self.document.findall(build_device_node)):
            node.replace_self(nodes.inline(text=device_line(self.env), classes=["dlbook-build-device"]))


def _started(app) -> None:
    app._dlbook_started = time.time()


def setup(app):
    app.add_node(execution_report_node)
    app.add_node(build_device_node)
    app.add_directive("execution-report", ExecutionReport)
    app.add_role("build-device", BuildDevice())
    app.add_post_transform(_Fill)
    app.connect("builder-inited", _started)
    app.connect("env-before-read-docs", _note_read)
    app.connect("doctree-read", _collect)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", _rewrite_pages)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
