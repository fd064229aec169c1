"""The reports opened in real Chromium from file://: they render, run no script, log no error,
and request nothing outside the file (an auditor opens them offline or from an e-mail).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from evaluator.browser import BrowserSession, ContextOptions, find_chromium
from evaluator.pipeline import PortalRun, write_index_for
from evaluator.settings import load_settings

pytestmark = pytest.mark.browser


async def open_report(path: Path, shot: Path, width: int) -> dict[str, Any]:
    chromium = find_chromium(load_settings().chromium or None)
    async with BrowserSession(chromium) as session:
        context = await session.new_context(ContextOptions(width=width, height=900), "")
        tab = await session.new_tab(context)
        nav = await tab.goto(path.resolve().as_uri(), 30_000)
        await tab.settle(300)
        facts = await tab.evaluate("""() => ({
            title: document.title,
            grade: (document.querySelector('.grade-letter, .grade') || {}).innerText || '',
            text: document.body.innerText,
            scripts: document.scripts.length,
            overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            styled: getComputedStyle(document.body).fontFamily !== ''
                && getComputedStyle(document.body).margin !== '8px',
        })""")
        await tab.screenshot(shot, full_page=True)
        network = await tab.network()
        errors = list(tab.console_errors)
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
    assert seen["errors"] == [] and seen["scripts"] == 0
    assert [r["url"] for r in seen["network"] if not r["url"].startswith("file:")] == []
    for run in runs:
        assert run.result.portal_name in seen["text"]
    html = index.read_text(encoding="utf-8")
    for run in runs:
        assert f'href="{run.folder.name}/report.html"' in html
