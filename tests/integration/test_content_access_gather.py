"""The read-out where axe-core is silent (issue 18) and axe's undecided and best-practice
results, gathered in real Chromium from a page of our own on 127.0.0.1, and judged by the
shipped criteria: a page with every fault fails each, a clean page passes each."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from evaluator.base.status import Status
from evaluator.browser import BrowserSession, ContextOptions, find_chromium
from evaluator.derived import EvidenceView
from evaluator.evidence import EvidenceBundle, Page, Versions
from evaluator.gather.page import PageJob, gather_page
from evaluator.runner import run_criterion
from evaluator.settings import load_settings
from tests.unit.evidence_factory import shipped_criterion, vocabulary

pytestmark = pytest.mark.browser

FAULTY = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Trang lỗi</title>
</head><body><main><h1>Tin tức</h1>
<p><a href="/a"><img src="/anh/banner_2.jpg" alt="banner_2.jpg" width="10" height="10"></a></p>
<p><img src="/anh/x.png" alt="Ảnh" width="10" height="10"></p>
<p><a href="/tra-cuu"><img src="/anh/i.png" alt="Tra cứu hồ sơ" width="10" height="10">Tra cứu hồ sơ</a></p>
<video autoplay src="/phim.mp4" width="10" height="10"></video>
<iframe title="Phim" src="/nhung?autoplay=1" width="10" height="10"></iframe>
<center><font size="2">Bản quyền</font></center>
<div><a href="/tin/1">Xem thêm</a></div><div><a href="/tin/2">Xem thêm</a></div>
<p style="background-image: url(/anh/nen.png); color: #777">Chữ trên ảnh nền</p>
</main></body></html>"""

CLEAN = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Trang tốt</title>
</head><body><header><p>Cổng</p></header><main><h1>Tin tức</h1>
<p><img src="/anh/x.png" alt="Bộ phận Một cửa tỉnh đón công dân" width="10" height="10"></p>
<p><a href="/tra-cuu"><img src="/anh/i.png" alt="" width="10" height="10">Tra cứu hồ sơ</a></p>
<video controls src="/phim.mp4" width="10" height="10"></video>
<iframe title="Phim" src="/nhung?autoplay=1&amp;mute=1" width="10" height="10"></iframe>
<ul><li>Ra mắt cổng mới <a href="/tin/1">Xem thêm</a></li></ul>
</main><footer><p>Bản quyền</p></footer></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body, kind = {"/loi": (FAULTY, "text/html; charset=utf-8"),
                      "/tot": (CLEAN, "text/html; charset=utf-8")}.get(
            self.path.split("?")[0], ("<p>x</p>", "text/html; charset=utf-8"))
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def _gather(origin: str, tmp: Path) -> dict[str, Page]:
    async with BrowserSession(find_chromium(load_settings(env={}).chromium or None)) as session:
        context = await session.new_context(ContextOptions(), "")
        tab = await session.new_tab(context)
        out = {}
        for i, path in enumerate(("/loi", "/tot")):
            out[path], _ = await gather_page(
                tab, PageJob(i, origin + path, 0, "start", None), tmp, timeout_ms=10_000,
                settle_quiet_ms=300, settle_cap_ms=3000, run_axe=True, screenshot=False)
        await session.close_context(context)
        return out


@pytest.fixture(scope="module")
def pages(site: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Page]:
    return asyncio.run(_gather(site, tmp_path_factory.mktemp("content")))


def _status(criterion: str, page: Page) -> Any:
    bundle = EvidenceBundle(portal_id="thu", start_url=page.final_url,
                            started_at="2026-12-07T00:00:00+00:00",
                            versions=Versions(portal_eval="test"), pages=[page])
    return run_criterion(shipped_criterion(criterion), EvidenceView(bundle, vocabulary())).outcome


def test_the_read_out_sees_alt_text_media_and_obsolete_markup(pages: dict[str, Page]) -> None:
    faulty = pages["/loi"].content_access
    assert faulty is not None
    assert {(i.alt, i.file) for i in faulty.images} == {
        ("banner_2.jpg", "banner_2.jpg"), ("Ảnh", "x.png"), ("Tra cứu hồ sơ", "i.png")}
    assert next(i for i in faulty.images if i.file == "i.png").adjacent == "Tra cứu hồ sơ"
    assert {(m.tag, m.autoplay, m.audible) for m in faulty.media} == {
        ("video", True, True), ("iframe", True, True)}
    assert faulty.obsolete == {"center": 1, "font": 1}
    clean = pages["/tot"].content_access
    assert clean is not None and clean.obsolete == {} and clean.images_total == 2
    # The decorative image's empty alt is left to axe: only non-empty alternatives are read.
    assert [i.alt for i in clean.images] == ["Bộ phận Một cửa tỉnh đón công dân"]


def test_axe_keeps_wcag_best_practice_and_undecided_apart(pages: dict[str, Page]) -> None:
    faulty = pages["/loi"]
    assert faulty.axe is not None and faulty.axe_best_practice is not None
    assert faulty.axe_incomplete is not None
    wcag = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
    assert all(any(t in wcag for t in v.tags) for v in faulty.axe + faulty.axe_incomplete)
    assert all(not any(t in wcag for t in v.tags) for v in faulty.axe_best_practice)
    # The image whose alt repeats its link's text: axe's best practice, not a WCAG rule.
    assert "image-redundant-alt" in {v.id for v in faulty.axe_best_practice}
    assert pages["/tot"].axe_best_practice == []
    # Text over a background image: axe cannot compute the contrast and leaves it to a person.
    assert "color-contrast" in {v.id for v in faulty.axe_incomplete}


@pytest.mark.parametrize("criterion", ["link-purpose", "image-alt-meaningful",
                                       "no-autoplay-audio", "no-obsolete-markup"])
def test_each_check_fails_the_faulty_page_and_passes_the_clean_one(
        pages: dict[str, Page], criterion: str) -> None:
    assert _status(criterion, pages["/loi"]).status is Status.FAIL
    assert _status(criterion, pages["/tot"]).status is Status.PASS


def test_undecided_results_are_for_a_person(pages: dict[str, Page]) -> None:
    outcome = _status("accessibility-needs-review", pages["/loi"])
    assert outcome.status is Status.NEEDS_REVIEW
    assert any("color-contrast" in f.message.render("en") for f in outcome.findings)
