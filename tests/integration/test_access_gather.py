"""Issue 4 (access): the new evidence read from real fixture pages in real Chromium.

mau's homepage has accesskey shortcuts and A+/A− buttons and fits 360 and 320 px; kem's has a
<marquee> ticker, no viewport meta and a fixed 1024 px layout. Each is gathered once as a crawled
page (desktop context) and once as a key page (360 px, resized to 320 px).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from evaluator.browser import BrowserSession, ContextOptions, Tab, find_chromium
from evaluator.evidence import KeyPageMeasurement, Page
from evaluator.gather.key_pages import measure_key_page
from evaluator.gather.page import PageJob, gather_page
from evaluator.gather.scripts import TIMING_INIT


async def _gather(session: BrowserSession, url: str, out: Path,
                  ) -> tuple[Page, KeyPageMeasurement]:
    ua = await session.default_user_agent()
    desktop = await session.new_context(ContextOptions(), ua)
    tab = await session.new_tab(desktop, TIMING_INIT)
    page, _ = await gather_page(tab, PageJob(0, url, 0, "start", None), out,
                                timeout_ms=20_000, settle_quiet_ms=100, settle_cap_ms=2000,
                                run_axe=False,
                                screenshot=False)
    await session.close_context(desktop)

    async def new_mobile_tab() -> tuple[Tab, Any]:
        context = await session.new_context(
            ContextOptions(mobile=True, width=360, height=740), ua)
        mobile_tab = await session.new_tab(context, TIMING_INIT)
        return mobile_tab, lambda: session.close_context(context)

    key = await measure_key_page("home", url, new_mobile_tab, out, timeout_ms=20_000,
                                 settle_ms=100, width=360)
    return page, key


@pytest.fixture(scope="module")
def gathered(fixture_server: Any, tmp_path_factory: pytest.TempPathFactory,
             ) -> dict[str, tuple[Page, KeyPageMeasurement, Path]]:
    """Both portals in one browser, side by side (kem's server waits 3.5 s per page)."""
    folders = {pid: tmp_path_factory.mktemp(pid) for pid in ("mau", "kem")}

    async def go() -> list[tuple[Page, KeyPageMeasurement]]:
        async with BrowserSession(find_chromium()) as session:
            return list(await asyncio.gather(*(
                _gather(session, fixture_server.url(pid), folder)
                for pid, folder in folders.items())))

    results = asyncio.run(go())
    return {pid: (page, key, folder)
            for (pid, folder), (page, key) in zip(folders.items(), results, strict=True)}


def test_model_portal_has_aids_no_motion_and_fits_both_widths(gathered: Any) -> None:
    page, key, folder = gathered["mau"]
    assert page.moving_text is not None and page.access_aids is not None
    m = page.moving_text
    assert (m.blink, m.marquee, m.animated, m.moved) == (0, 0, 0, 0)
    keys = {k.key: k for k in page.access_aids.accesskeys}
    assert set(keys) == {"1", "2", "3"}
    # mau has a human site map ("Sơ đồ cổng"): the shortcut leads there, not to the XML file.
    assert keys["2"].href.endswith("/so-do-cong")
    assert "Tìm kiếm" in keys["3"].text  # the search box, named by its label
    assert page.access_aids.text_size_controls == ["A+", "A−"]
    assert key.error is None and key.mobile is not None
    assert [r.width for r in key.mobile] == [360, 320]
    for r in key.mobile:
        assert r.error is None
        assert r.client_width == r.width and r.scroll_width is not None
        assert r.scroll_width <= r.width + 1
        assert r.tap_targets and r.text_chars
        assert (r.small_text_chars or 0) / r.text_chars < 0.4
        assert r.screenshot and (folder / r.screenshot).is_file()
    assert key.mobile[0].screenshot == key.screenshot == "key/home.jpg"
    assert key.mobile[1].screenshot == "key/home-320.jpg"
    # The 360 px figures the old fields carry are the first render's.
    assert key.scroll_width == key.mobile[0].scroll_width


def test_poor_portal_shows_motion_overflow_and_tiny_text(gathered: Any) -> None:
    page, key, _ = gathered["kem"]
    assert page.moving_text is not None and page.moving_text.marquee == 1
    assert any("marquee" in s for s in page.moving_text.samples)
    assert page.access_aids is not None
    assert page.access_aids.accesskeys == [] and page.access_aids.text_size_controls == []
    assert key.mobile is not None and [r.width for r in key.mobile] == [360, 320]
    for r in key.mobile:
        assert r.scroll_width is not None and r.client_width is not None
        assert r.scroll_width - r.client_width > 1, r  # the fixed 1024 px layout
        # No viewport meta: the phone shrinks the layout, so 16 px text reads as ~6 px.
        assert r.text_chars and (r.small_text_chars or 0) / r.text_chars > 0.9


# Motion the fixture portals do not carry: a JavaScript ticker, an endless CSS animation, a
# text-decoration: blink, a 3 s animation (stops within WCAG 2.2.2's 5 s: allowed) and a
# late banner that pushes text down (a layout shift, not moving text).
MOTION_PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><style>
@keyframes pulse { from {opacity: 1} to {opacity: .2} }
.pulse {animation: pulse 1s infinite}
.short {animation: pulse 3s 1}
.blink {text-decoration: blink}
.ticker {white-space: nowrap; overflow: hidden; width: 300px}
.ticker span {position: relative; display: inline-block}
</style></head><body>
<div class="ticker"><span id="tin">Tin mới: lịch tiếp công dân tháng 12</span></div>
<p class="pulse">Khẩn: hạn nộp hồ sơ</p><p class="short">Chào mừng</p>
<p class="blink">Mới</p><p id="than">Nội dung chính</p>
<script>
let x = 0; setInterval(() => { x -= 3; document.getElementById('tin').style.left = x + 'px'; }, 30);
setTimeout(() => { const b = document.createElement('p'); b.textContent = 'Thông báo';
  document.body.prepend(b); }, 150);
</script></body></html>"""


class _MotionHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = MOTION_PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def motion_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _MotionHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_ticker_endless_animation_and_blink_are_found_short_motion_and_shifts_are_not(
    motion_site: str, tmp_path: Path
) -> None:
    async def go() -> Page:
        async with BrowserSession(find_chromium()) as session:
            ua = await session.default_user_agent()
            context = await session.new_context(ContextOptions(), ua)
            tab = await session.new_tab(context, TIMING_INIT)
            page, _ = await gather_page(tab, PageJob(0, motion_site, 0, "start", None), tmp_path,
                                        timeout_ms=10_000, settle_quiet_ms=0, settle_cap_ms=0,
                                        run_axe=False,
                                        screenshot=False)
            return page

    m = asyncio.run(go()).moving_text
    assert m is not None
    assert (m.blink, m.marquee, m.animated, m.moved) == (1, 0, 1, 1), m
    assert any("Tin mới" in s for s in m.samples)
