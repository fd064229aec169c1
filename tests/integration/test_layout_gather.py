"""The homepage-layout gatherer in real Chromium against the fixture portals on 127.0.0.1, and the
EMC snippet's script and beacon reaching the loopback national stand-in (never a real host)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from evaluator.browser import BrowserSession, ContextOptions, Tab, find_chromium
from evaluator.evidence import HomepageLayout
from evaluator.gather.layout import gather_layout
from evaluator.settings import load_settings

POPUP_PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>t</title></head>
<body><header><p>UBND tinh</p></header><nav><ul><li><a href="/a">A</a></li>
<li><a href="/b">B</a><ul><li><a href="/b1">B1</a></li><li><a href="/b2">B2</a></li></ul></li>
</ul></nav><main>x</main><footer>Chân trang</footer>
<script>setTimeout(function () { var d = document.createElement('dialog');
d.textContent = 'Thông báo bảo trì'; document.body.appendChild(d); d.showModal(); }, 300);</script>
</body></html>""".encode()


class _Popup(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(POPUP_PAGE)))
        self.end_headers()
        self.wfile.write(POPUP_PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def popup_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Popup)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def gathered(fixture_server: Any, popup_site: str) -> dict[str, Any]:
    """Every page this module needs, read in one browser session."""

    async def go() -> dict[str, Any]:
        chromium = find_chromium(load_settings(env={}).chromium or None)
        async with BrowserSession(chromium) as session:
            context = await session.new_context(ContextOptions(), "")

            async def new_tab() -> Tab:
                return await session.new_tab(context)

            out: dict[str, Any] = {}
            for pid in ("mau", "tinh-trung-binh", "kem"):
                out[pid] = await gather_layout(new_tab, fixture_server.url(pid), 10_000, 500)
            out["popup"] = await gather_layout(new_tab, popup_site, 10_000, 800)
            tab = await new_tab()
            await tab.goto(fixture_server.url("mau"), 10_000)
            await tab.settle(800)
            out["mau_requests"] = [r["url"] for r in await tab.network()]
            await tab.close()
            await session.close_context(context)
            return out

    return asyncio.run(go())


def test_model_portal_frame(gathered: dict[str, Any]) -> None:
    mau: HomepageLayout = gathered["mau"]
    assert mau.error is None and mau.menu_items is not None
    assert len(mau.menu_items) == 7 and mau.menu_items[0] == "Trang chủ"
    assert mau.header_text and "Ủy ban nhân dân tỉnh Sơn Lâm" in mau.header_text
    assert mau.footer_text and "Chịu trách nhiệm" in mau.footer_text
    assert "Điện thoại: 0212 3856 789" in mau.footer_text
    assert [a.lang for a in mau.alternates] == ["en"]
    assert "/e-services/mau/" in mau.alternates[0].href
    assert mau.popups == []


def test_menu_sizes_and_missing_hreflang(gathered: dict[str, Any]) -> None:
    assert len(gathered["tinh-trung-binh"].menu_items) == 11
    assert gathered["tinh-trung-binh"].alternates == []
    assert len(gathered["kem"].menu_items) == 16


def test_dropdown_items_are_not_top_level_and_a_modal_is_seen(gathered: dict[str, Any]) -> None:
    popup: HomepageLayout = gathered["popup"]
    assert popup.menu_items == ["A", "B"]
    assert popup.popups == ["Thông báo bảo trì"]


def test_emc_snippet_loads_from_the_national_stand_in(gathered: dict[str, Any],
                                                      fixture_server: Any) -> None:
    national = f"http://{fixture_server.national_host}"
    requests = gathered["mau_requests"]
    assert f"{national}/embed/gov-tracking.min.js" in requests
    assert any(u.startswith(f"{national}/tracking?idsite=205&rec=1") for u in requests)
