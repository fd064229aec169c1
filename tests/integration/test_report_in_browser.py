"""The reports opened in real Chromium from file://: they render, run no script, log no error,
and request nothing outside the file (an auditor opens them offline or from an e-mail).
"""

from __future__ import annotations

import asyncio
import csv
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from evaluator.browser import BrowserSession, ContextOptions, find_chromium
from evaluator.diff import diff_results, write_diff_html
from evaluator.pipeline import PortalRun, evaluate_portal, write_index_for
from evaluator.report.index import write_index
from evaluator.report.ranking import IndexEntry
from evaluator.results import load_result
from evaluator.settings import load_settings
from fixtures.demo import portal_target

GOLDEN = Path(__file__).resolve().parents[1] / "golden"

pytestmark = pytest.mark.browser


async def open_report(path: Path, shot: Path, width: int, actions: str = "") -> dict[str, Any]:
    chromium = find_chromium(load_settings().chromium or None)
    async with BrowserSession(chromium) as session:
        context = await session.new_context(ContextOptions(width=width, height=900), "")
        tab = await session.new_tab(context)
        nav = await tab.goto(path.resolve().as_uri(), 30_000)
        await tab.settle(300)
        if actions:
            await tab.evaluate(actions)
        facts = await tab.evaluate("""() => ({
            title: document.title,
            grade: (document.querySelector('.grade-letter, .grade') || {}).innerText || '',
            text: document.body.innerText,
            scripts: document.scripts.length,
            overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            styled: getComputedStyle(document.body).fontFamily !== ''
                && getComputedStyle(document.body).margin !== '8px',
            visible_ids: Array.from(document.querySelectorAll('table.leaderboard tbody tr'))
                .filter(tr => !tr.hidden).map(tr => (tr.querySelector('code') || {}).innerText),
        })""")
        await tab.screenshot(shot, full_page=True)
        network = await tab.network()
        errors = list(tab.console_errors) + [f"dialog: {d}" for d in tab.dialogs]
        await context.close()
    return {"nav": nav, "network": network, "errors": errors, **facts}


@pytest.mark.parametrize("width", [1280, 360])
def test_portal_reports_render_offline(
    evaluated: dict[str, PortalRun], tmp_path: Path, width: int
) -> None:
    for portal_id, run in evaluated.items():
        shot = tmp_path / f"{portal_id}-{width}.png"
        seen = asyncio.run(open_report(run.folder / "report.html", shot, width))
        assert seen["nav"].error is None, portal_id
        assert seen["errors"] == [], (portal_id, seen["errors"])
        outside = [r["url"] for r in seen["network"] if not r["url"].startswith(("file:", "data:"))]
        assert outside == [], (portal_id, outside)
        assert seen["scripts"] == 0
        assert seen["styled"], "the inlined stylesheet was blocked (CSP hash out of date?)"
        assert run.result.grade is not None and run.result.grade in seen["text"]
        assert run.result.portal_name in seen["title"] + seen["text"]
        assert seen["overflow"] <= 1, f"{portal_id} report scrolls sideways at {width} px"
        assert shot.stat().st_size > 10_000


def test_index_links_every_report(evaluated: dict[str, PortalRun], tmp_path: Path) -> None:
    runs = list(evaluated.values())
    out = next(iter(evaluated.values())).folder.parent
    index = write_index_for(runs, out, "en", "fixture round")
    seen = asyncio.run(open_report(index, tmp_path / "index.png", 1280))
    assert seen["errors"] == [] and seen["scripts"] == 1  # the sorting script, allowed by hash
    assert [r["url"] for r in seen["network"] if not r["url"].startswith("file:")] == []
    for run in runs:
        assert run.result.portal_name in seen["text"]
    html = index.read_text(encoding="utf-8")
    for run in runs:
        assert f'href="{run.folder.name}/report.html"' in html


@pytest.mark.parametrize(("actions", "expected"), [
    ("", ["mau", "tinh-trung-binh", "kem"]),
    # Pages ascending: click twice (first click sorts descending); the order of the goldens'
    # page counts (None: computed in the test).
    ("() => { const b = document.querySelector('th[data-sort=pages] button');"
     " b.click(); b.click(); }", None),
    ("() => { document.querySelector('th[data-sort=name] button').click(); }",
     ["tinh-trung-binh", "kem", "mau"]),
    ("() => { const r = document.querySelector('input[value=ministry]'); r.checked = true;"
     " r.dispatchEvent(new Event('change', {bubbles: true})); }", ["kem"]),
])
def test_index_sorts_and_filters(tmp_path: Path, actions: str,
                                 expected: list[str] | None) -> None:
    results = {p: load_result(GOLDEN / f"{p}.vn-2023.result.json")
               for p in ("mau", "tinh-trung-binh", "kem")}
    if expected is None:
        counts = {p: r.pages_evaluated for p, r in results.items()}
        assert len(set(counts.values())) == 3, counts  # distinct, or the order says nothing
        expected = sorted(counts, key=counts.__getitem__)
    kinds = {"mau": "province", "tinh-trung-binh": "province", "kem": "ministry"}
    entries = [IndexEntry(r, f"{p}/report.html", kinds[p]) for p, r in results.items()]
    index = write_index(entries, tmp_path / "index.html", "Vòng thử", "vi")
    seen = asyncio.run(open_report(index, tmp_path / "index.png", 1280, actions))
    assert seen["errors"] == []
    assert seen["visible_ids"] == expected
    assert (tmp_path / "index.csv").read_text(encoding="utf-8").startswith("rank,portal_id,")


# Markup that, if a report let it through unescaped, would run script, load a URL or navigate
# (fixtures/portals/doc-hai/portal.yaml carries each as text).
RAW_PAYLOADS = [
    "<img src=x", "<svg onload", "<script>alert", "</script><script>", "<style>body{",
    '<div style="background:url(', '<meta http-equiv="refresh"', "<svg><animate",
    "<iframe", "<b onmouseover",
]


def test_hostile_portal_text_stays_inert_in_the_reports(fixture_server: Any, tmp_path: Path) -> None:
    """doc-hai carries script payloads in its name, title, service names and menu links."""
    target = portal_target(fixture_server, "doc-hai")
    # No Lighthouse or throttled walk: what the report shows of them is numbers, not portal text.
    settings = load_settings(env={}).with_overrides(max_pages=12, lighthouse=False,
                                                    persona=False)
    with fixture_server.lock:
        seen_before = len(fixture_server.submissions)
    run = evaluate_portal(target, tmp_path, settings)
    with fixture_server.lock:
        sent = fixture_server.submissions[seen_before:]
    # Safety covers this portal too: only its search and status lookup were sent.
    assert sent and {s.kind for s in sent} <= {"search", "status_lookup"}, sent
    assert run.result.grade is not None
    assert "<script>" in run.result.portal_name  # gathered as the text the portal shows
    write_index_for([run], tmp_path, "vi", "Vòng thử <script>alert(9)</script>")
    write_diff_html(diff_results(run.result, run.result), tmp_path / "diff.html", "vi")
    for page in (run.folder / "report.html", tmp_path / "index.html", tmp_path / "diff.html"):
        seen = asyncio.run(open_report(page, tmp_path / f"{page.stem}.png", 1280))
        assert seen["errors"] == [], seen["errors"]  # no alert() ran, nothing was refused
        outside = [r["url"] for r in seen["network"] if not r["url"].startswith("file:")]
        assert outside == []  # no <img src=x>, no iframe, no CSS url(), no refresh
        assert seen["nav"].error is None
        assert 'alert("tên")' in seen["text"]  # shown as text
        assert seen["overflow"] <= 1, f"{page.name}: a long portal text scrolls the page sideways"
        html = page.read_text(encoding="utf-8")
        assert [p for p in RAW_PAYLOADS if p in html] == [], page
        # Each payload reached the page and shows as the text it is: template syntax not run,
        # the closing </script> and the right-to-left override inert.
        for text in ("{{7*7}}", "</script><script>alert(10)</script>", "\u202engược\u202c"):
            assert text in seen["text"] or text in seen["title"], (page.name, text)
        # No link to a javascript:, vbscript:, data: or protocol-relative URL (the blank data:
        # favicon is the report's own, in a <link>).
        assert not re.search(r'<a\b[^>]*href="(?:javascript|vbscript|data):', html, re.I)
        assert not re.search(r'<a\b[^>]*href="//', html)

    # JUnit and SARIF: well-formed, the payloads inside as text (escaped), parsed back intact.
    junit = ET.parse(run.folder / "junit.xml").getroot()
    junit_text = " ".join([*junit.itertext(), *(v for e in junit.iter() for v in e.attrib.values())])
    assert 'alert("tên")' in junit_text
    assert [p for p in RAW_PAYLOADS if p in (run.folder / "junit.xml").read_text()] == []
    sarif = json.loads((run.folder / "results.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    # CSV: the portal's name starts with "=" on purpose; a spreadsheet must see text.
    rows = list(csv.reader((tmp_path / "index.csv").read_text(encoding="utf-8").splitlines()))
    cells = [c for row in rows[1:] for c in row]
    assert any("HYPERLINK" in c for c in cells)
    assert not [c for c in cells if c.lstrip()[:1] in ("=", "+", "@")]
    rows = list(csv.reader((tmp_path / "criteria.csv").read_text(encoding="utf-8").splitlines()))
    assert len(rows) > 40 and not [c for row in rows for c in row if c.lstrip()[:1] in ("=", "+", "@")]

    # The printed report: the portal's text is text on paper too (the header names the portal).
    import pypdf

    from evaluator.outputs.pdf import print_reports

    (pdf,) = print_reports([(run.result, run.folder / "report.html")], "vi")
    pages = [page.extract_text() for page in pypdf.PdfReader(pdf).pages]
    assert all('alert("tên")' in page for page in pages[:2]), pages[0][:300]
    assert "{{7*7}}" in " ".join(pages) and "<script>" in " ".join(pages)


def jpeg_size(path: Path) -> tuple[int, int]:
    """(width, height) from a baseline JPEG's SOF0 segment."""
    data = path.read_bytes()
    at = 2
    while at < len(data):
        marker, length = data[at + 1], int.from_bytes(data[at + 2:at + 4], "big")
        if marker == 0xC0:
            return (int.from_bytes(data[at + 7:at + 9], "big"),
                    int.from_bytes(data[at + 5:at + 7], "big"))
        at += 2 + length
    raise ValueError(f"{path}: no SOF0 segment")


async def shoot_tall_page(page: Path, shot: Path) -> tuple[int, int]:
    chromium = find_chromium(load_settings().chromium or None)
    async with BrowserSession(chromium) as session:
        context = await session.new_context(ContextOptions(width=1280, height=900), "")
        tab = await session.new_tab(context)
        await tab.goto(page.resolve().as_uri(), 30_000)
        await tab.screenshot(shot, full_page=True)
        after = await tab.evaluate("() => window.innerHeight")
        await context.close()
    return jpeg_size(shot)[1], after


@pytest.mark.parametrize(("page_px", "shot_px"), [(27_104, 27_104), (40_000, 30_000)])
def test_full_page_screenshot_of_a_very_tall_page(
    tmp_path: Path, page_px: int, shot_px: int
) -> None:
    # The failing kem report was 1280 x 27,104 px: Playwright's own full_page capture hung on it.
    page = tmp_path / "tall.html"
    page.write_text(f'<!doctype html><html lang="vi"><body style="margin:0">'
                    f'<div style="height:{page_px}px;background:linear-gradient(#fff,#036)">'
                    f'Báo cáo dài</div></body></html>', encoding="utf-8")
    height, viewport_after = asyncio.run(shoot_tall_page(page, tmp_path / "tall.jpg"))
    assert height == shot_px
    assert viewport_after == 900  # the stretched viewport is put back


async def measure_golden_reports(folder: Path) -> dict[str, dict[str, Any]]:
    """Each fixture portal's report at 1280 px: its height as it opens, what a click on a
    collapsed criterion shows, and what the browser logged or requested."""
    from evaluator.report.portal import write_portal_report

    chromium = find_chromium(load_settings().chromium or None)
    seen: dict[str, dict[str, Any]] = {}
    async with BrowserSession(chromium) as session:
        context = await session.new_context(ContextOptions(width=1280, height=900), "")
        tab = await session.new_tab(context)
        for pid in ("mau", "tinh-trung-binh", "kem"):
            report = write_portal_report(load_result(GOLDEN / f"{pid}.vn-2023.result.json"),
                                         folder / pid / "report.html", "vi")
            tab.reset_network()
            await tab.goto(report.resolve().as_uri(), 30_000)
            seen[pid] = await tab.evaluate("""() => {
                const height = document.documentElement.scrollHeight;
                const cards = Array.from(document.querySelectorAll('details.criterion'));
                const shown = d => d.getBoundingClientRect().height;
                const passed = document.querySelector('details.criterion.status-pass');
                const closed = passed ? shown(passed) : -1;
                const open = cards.filter(d => d.open).length;
                if (passed) { passed.querySelector('summary').click(); }
                return {height, cards: cards.length, open,
                        closed, opened: passed ? shown(passed) : -1,
                        fixTop: document.getElementById('fix-first').getBoundingClientRect().top,
                        text: document.body.innerText};
            }""")
            seen[pid]["errors"] = list(tab.console_errors)
            seen[pid]["outside"] = [r["url"] for r in await tab.network()
                                    if not r["url"].startswith(("file:", "data:"))]
        await context.close()
    return seen


def test_reports_open_short_with_fix_first_on_top_and_criteria_collapsed(tmp_path: Path) -> None:
    seen = asyncio.run(measure_golden_reports(tmp_path))
    # The numbers: kem was 27,104 px, tinh-trung-binh 19,011 px at 1280 px.
    assert seen["kem"]["height"] <= 8_000, seen["kem"]["height"]
    assert seen["tinh-trung-binh"]["height"] < seen["kem"]["height"] + 1_000
    for pid, facts in seen.items():
        assert facts["errors"] == [] and facts["outside"] == [], (pid, facts["errors"])
        # One card per criterion of the result, none open.
        criteria = len(load_result(GOLDEN / f"{pid}.vn-2023.result.json").criteria)
        assert facts["cards"] == criteria and facts["open"] == 0, pid
        # A passed criterion is one line until clicked; then its details show.
        assert facts["closed"] < 50 and facts["opened"] > 3 * facts["closed"], pid
        # "Sửa gì trước" is within the first screen and a half, under the grade.
        assert facts["fixTop"] < 1_400, (pid, facts["fixTop"])
        assert "Sửa gì trước" in facts["text"]
    assert "Lập trình viên" in seen["kem"]["text"] and "Toàn cổng" in seen["kem"]["text"]
