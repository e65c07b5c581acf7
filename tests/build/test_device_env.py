"""The device the book was executed on, as the pages report it.

CI builds with ``DLBOOK_DEVICE=cpu`` (the normal build); the publishing workflow builds
the
same chapters unchanged with ``DLBOOK_DEVICE=cuda`` on a GPU and runs this file against
that site (``DLBOOK_TEST_SITE``). Either way, every chapter's row in the execution
report
must name the device that was asked for, the installed torch and its CUDA version, and
the
intro page must state where this edition's figures were computed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fixturebook import chapter, code

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402


def expected_device() -> str:
    import torch

    asked = os.environ.get("DLBOOK_DEVICE", "auto").strip().lower() or "auto"
    if asked == "cpu":
        return "CPU"
    if asked == "cuda":
        return "GPU"
    return "GPU" if torch.cuda.is_available() else "CPU"


def report_rows(html_file: Path) -> dict[str, dict]:
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    table = soup.select_one("table.dlbook-execution-report")
    assert table is not None, f"no execution report table in {html_file}"
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    assert headers == [
        "章节",
        "执行耗时（秒）",
        "来源",
        "执行时间",
        "设备",
        "torch",
        "CUDA",
    ], headers
    rows = {}
    for tr in table.select("tbody tr"):
        cells = [td.get_text(" ", strip=True) for td in tr.select("td")]
        link = tr.select_one("td a")
        rows[link["href"]] = dict(zip(headers, cells))
    return rows


def device_line(html_file: Path) -> str:
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    node = soup.select_one(".dlbook-build-device")
    assert node is not None, f"no device line in {html_file}"
    return node.get_text(strip=True)


def check_rows(rows: dict[str, dict]) -> None:
    import torch

    kind = expected_device()
    for href, row in rows.items():
        assert row["设备"].startswith(f"{kind}："), (href, row)
        assert row["torch"] == torch.__version__, (href, row)
        assert row["CUDA"] == (torch.version.cuda or "无"), (href, row)
        assert float(row["执行耗时（秒）"]) > 0
        assert row["来源"] in ("本次构建执行", "执行缓存")


def test_book_report_names_the_device_of_every_chapter(built_site):
    rows = report_rows(built_site / "book" / "execution-report.html")
    expected = {ch.name.replace(".md", ".html") for ch in build_book.chapters(ROOT)}
    assert {Path(h).name for h in rows} == expected
    check_rows(rows)
    devices = {row["设备"] for row in rows.values()}
    line = device_line(built_site / "book" / "intro.html")
    assert len(devices) == 1 and line.startswith(next(iter(devices))), (line, devices)


def test_fixture_build_runs_on_the_requested_cpu(fixture_book):
    setup = chapter(
        "设备",
        code("import dlbook\ndevice = dlbook.setup(seed=1)\nprint('device:', device)"),
        code("import torch\nx = torch.ones(3, device=device)\nprint(float(x.sum()))"),
    )
    report = "# 构建报告\n\n```{execution-report}\n```\n\n本版在 {build-device}`summary` 上计算。\n"
    book = fixture_book({"dev": setup, "report": report})
    result = book.build(env={"DLBOOK_DEVICE": "cpu"})
    assert result.rc == 0, result.tail
    page = (book.site / "book" / "dev.html").read_text(encoding="utf-8")
    assert "device: cpu" in page and "3.0" in page
    rows = report_rows(book.site / "book" / "report.html")
    assert list(rows) == ["dev.html"]
    row = rows["dev.html"]
    assert row["设备"].startswith("CPU：") and row["来源"] == "本次构建执行"
    import torch

    assert row["torch"] == torch.__version__ and row["CUDA"] == (
        torch.version.cuda or "无"
    )
    assert (
        device_line(book.site / "book" / "report.html")
        == f"{row['设备']} · torch {row['torch']} · CUDA {row['CUDA']}"
    )

    # a prose edit: the chapter now comes from the cache, and the report says so
    book.write("book/dev.md", setup.replace("# 设备", "# 设备（改了标题）"))
    again = book.build(env={"DLBOOK_DEVICE": "cpu"})
    assert again.rc == 0 and again.executed == []
    assert (
        report_rows(book.site / "book" / "report.html")["dev.html"]["来源"]
        == "执行缓存"
    )
