"""A round index with history opened in real Chromium: the trend lines draw under the strict
CSP (inline SVG, no asset), the history section renders, sorting still works, nothing loads."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from evaluator.report.html import IndexEntry, RoundPoint, write_index
from evaluator.results import load_result
from tests.integration.test_report_in_browser import GOLDEN, open_report

pytestmark = pytest.mark.browser

SIZES = """() => Array.from(document.querySelectorAll('svg.sparkline polyline'))
    .map(p => { const b = p.getBBox(); return [b.width, b.height]; })"""


def test_round_index_with_trends_renders_offline(tmp_path: Path) -> None:
    entries = []
    for pid, kind in (("mau", "province"), ("tinh-trung-binh", "province"), ("kem", "ministry")):
        result = load_result(GOLDEN / f"{pid}.vn-2023.result.json")
        points = (RoundPoint("2026-q1", "D", 55.0, {"functionality": 40.0}),
                  RoundPoint("2026-q2", None, None, {}),
                  RoundPoint("2026-q3", result.grade, result.total,
                             {p.id: p.points for p in result.pillars.values()}))
        entries.append(IndexEntry(result, f"{pid}/report.html", kind, points))
    index = write_index(entries, tmp_path / "index.html", "Đợt 2026-q3", "en")
    sort_by_name = "() => { document.querySelector('th[data-sort=name] button').click(); }"
    seen = asyncio.run(open_report(index, tmp_path / "index.png", 1280, sort_by_name))
    assert seen["errors"] == []
    assert [r["url"] for r in seen["network"] if not r["url"].startswith("file:")] == []
    assert seen["styled"]
    assert seen["visible_ids"] == ["tinh-trung-binh", "kem", "mau"]  # as without trends
    assert "History over rounds" in seen["text"] and "2026-q2" in seen["text"]
    assert (tmp_path / "index.png").stat().st_size > 10_000

    async def line_sizes() -> list[list[float]]:
        from evaluator.browser import BrowserSession, ContextOptions, find_chromium
        from evaluator.settings import load_settings

        async with BrowserSession(find_chromium(load_settings().chromium or None)) as session:
            context = await session.new_context(ContextOptions(width=1280, height=900), "")
            tab = await session.new_tab(context)
            await tab.goto(index.resolve().as_uri(), 30_000)
            sizes: list[list[float]] = await tab.evaluate(SIZES)
            await context.close()
        return sizes

    sizes = asyncio.run(line_sizes())
    assert len(sizes) == 3 and all(w > 50 for w, _h in sizes), sizes
