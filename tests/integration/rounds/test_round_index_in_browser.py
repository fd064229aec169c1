"""A round index with history opened in real Chromium: the trend lines draw under the strict
CSP (inline SVG, no asset), the history section renders, sorting still works, nothing loads."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from evaluator.report.index import write_index
from evaluator.report.ranking import IndexEntry, RoundPoint
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


FINDINGS_FACTS = """() => {
    const rows = t => Array.from(document.querySelectorAll(t + ' tbody tr'));
    const ids = () => rows('table.findings').map(r => r.querySelector('code').innerText);
    const names = () => rows('table.findings')
        .map(r => r.querySelector('th').firstChild.textContent.trim());
    const before = ids();
    const sort = key => document.querySelector(`table.findings th[data-sort="${key}"] button`).click();
    sort('criterion');
    const byName = names();
    sort('pass-all');  // descending: the most passed first
    const byPass = ids();
    const radio = document.querySelector('input[value=ministry]');
    radio.checked = true;
    radio.dispatchEvent(new Event('change', {bubbles: true}));
    return {before, byName, byPass,
            leaderboard: rows('table.leaderboard').filter(r => !r.hidden)
                .map(r => r.querySelector('code').innerText),
            findingsHidden: rows('table.findings').filter(r => r.hidden).length,
            bars: Array.from(document.querySelectorAll('svg.grade-bar rect'))
                .map(r => r.getBoundingClientRect().width)};
}"""


def test_round_findings_sort_and_print(tmp_path: Path) -> None:
    from evaluator.browser import BrowserSession, ContextOptions, find_chromium
    from evaluator.outputs.pdf import print_reports
    from evaluator.settings import load_settings

    kinds = {"mau": "province", "tinh-trung-binh": "province", "kem": "ministry"}
    entries = [IndexEntry(load_result(GOLDEN / f"{p}.vn-2023.result.json"), f"{p}/report.html",
                          kind) for p, kind in kinds.items()]
    index = write_index(entries, tmp_path / "index.html", "Đợt 2026-q4", "vi")

    async def facts() -> dict[str, object]:
        async with BrowserSession(find_chromium(load_settings().chromium or None)) as session:
            context = await session.new_context(ContextOptions(width=1280, height=900), "")
            tab = await session.new_tab(context)
            await tab.goto(index.resolve().as_uri(), 30_000)
            seen: dict[str, object] = await tab.evaluate(FINDINGS_FACTS)
            seen["errors"] = list(tab.console_errors)
            seen["outside"] = [r["url"] for r in await tab.network()
                               if not r["url"].startswith("file:")]
            await context.close()
        return seen

    seen = asyncio.run(facts())
    assert seen["errors"] == [] and seen["outside"] == []
    before, by_name, by_pass = seen["before"], seen["byName"], seen["byPass"]
    # A row per criterion of the profile the round was graded with.
    assert isinstance(before, list) and len(before) == len(entries[0].result.criteria)
    assert before[0] == "service-information-complete"  # 2 of 3 fail, first in the profile
    assert isinstance(by_name, list) and by_name[:2] == [  # in Vietnamese order (ậ before iể)
        "Bật HSTS (Strict-Transport-Security)",
        "Biểu mẫu có hướng dẫn tại chỗ, lưu/in và ghi giới hạn tệp"]
    # Most passed first, ties in the profile's order, as the shares in the results say.
    results = [e.result for e in entries]
    order = [c.id for c in results[0].criteria]
    passed = {cid: sum(1 for r in results for c in r.criteria if c.id == cid
                       and c.status.value == "pass") for cid in order}
    assert by_pass == sorted(order, key=lambda cid: (-passed[cid], order.index(cid)))
    # link-purpose passes on all three (kieu-jsp, not in this round, is its failing case);
    # a criterion only mau passes is last.
    assert (passed[by_pass[0]], passed[by_pass[-1]]) == (3, 1)
    assert passed["link-purpose"] == 3
    # The agency filter is the leaderboard's; the findings keep every criterion.
    assert seen["leaderboard"] == ["kem"] and seen["findingsHidden"] == 0
    bars = seen["bars"]
    assert isinstance(bars, list) and len(bars) == 6 and all(w > 20 for w in bars), bars

    (printed,) = print_reports([], "vi", load_settings().chromium or None,
                               index=(index, "Đợt 2026-q4"))
    import pypdf

    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(printed).pages).split())
    for phrase in ("Kết quả theo tiêu chí", "Xếp loại theo loại cơ quan",
                   "Cổng Dịch vụ công tỉnh Hà Sơn", "Đợt 2026-q4", "Trang 1/"):
        assert phrase in text, phrase

