"""The frame every chapter (setup ... optimizers) opens with: 学习目标 and 先修."""

from __future__ import annotations


def check_goals_and_prerequisites(page, prereq_docs):
    """A 学习目标 box with 3-5 checkable items (能…) and a 先修 line linking
    ``prereq_docs``."""
    boxes = [
        div
        for div in page.select("div.admonition")
        if (t := div.select_one("p.admonition-title")) is not None
        and t.get_text(strip=True) == "学习目标"
    ]
    assert len(boxes) == 1
    items = [li.get_text(" ", strip=True) for li in boxes[0].select("li")]
    lead = " ".join(p.get_text(strip=True) for p in boxes[0].select("p")[1:2])
    # checkable items: each starts with 能…, or the lead ends "…能：" or "…能够："
    verbs = lead.endswith(("能：", "能够：")) or all(i.startswith("能") for i in items)
    assert 3 <= len(items) <= 5 and verbs, (lead, items)
    prereq = [p for p in page.select("p") if p.get_text().startswith("先修")]
    assert len(prereq) == 1
    hrefs = {a["href"].split("#")[0] for a in prereq[0].select("a")}
    for doc in prereq_docs:
        assert f"{doc}.html" in hrefs, hrefs
