"""book/_ext/execution_report.py: the device line and the report's parts, from the
glued summaries."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

import execution_report as er


def test_parse_device_summary_splits_the_glued_line():
    got = er.parse_device_summary(
        "GPU：NVIDIA H200，显存 139.8 GiB · torch 2.13.0 · CUDA 12.8"
    )
    assert got == {
        "device": "GPU：NVIDIA H200，显存 139.8 GiB",
        "torch": "2.13.0",
        "cuda": "12.8",
    }
    assert er.parse_device_summary(None) == {
        "device": "未记录",
        "torch": "未记录",
        "cuda": "未记录",
    }


def test_device_line_ranks_devices_by_chapters():
    cpu, gpu = "CPU：x · torch 2.13.0 · CUDA 无", "GPU：y · torch 2.13.0 · CUDA 12.8"
    env = SimpleNamespace(
        dlbook_exec={"a": {"device": cpu}, "b": {"device": gpu}, "c": {"device": gpu}}
    )
    assert er.device_line(env) == f"{gpu}（2 章）；{cpu}（1 章）"
    assert er.device_line(SimpleNamespace(dlbook_exec={"a": {"device": cpu}})) == cpu
    assert er.device_line(SimpleNamespace(dlbook_exec={})) == "未记录"


def test_threads_note_only_when_the_build_set_threads():
    assert er.threads_note({}) == "" and er.threads_note({"DLBOOK_THREADS": " "}) == ""
    assert "DLBOOK_THREADS=4" in er.threads_note({"DLBOOK_THREADS": "4"})


@pytest.mark.build
def test_report_page_lists_every_chapter(built_site):
    html = (built_site / "book" / "execution-report.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr class=\"row-(?:odd|even)\">", html)
    chapters = len(re.findall(r"共 (\d+) 章", html))
    assert chapters == 1 and len(rows) >= 6
    assert "未记录" not in html
    assert (
        "DLBOOK_THREADS" not in html.split("纯执行时间合计")[1].split("</p>")[0]
    )  # make book sets none
