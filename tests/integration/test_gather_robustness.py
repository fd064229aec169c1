"""Gathering survives hostile and awkward pages, with real Chromium on 127.0.0.1.

A tiny portal: a search box that has only an id (a script copies it into the named field on
submit), a page whose script replaces performance.getEntriesByName with garbage and links to a
URL Python cannot even split, and a page that calls alert() on load.
"""

from __future__ import annotations

import asyncio
import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from evaluator.browser import BrowserSession, ContextOptions, find_chromium
from evaluator.criteria.loader import load_profile
from evaluator.evidence import load_bundle
from evaluator.gather.run import gather_portal
from evaluator.settings import Settings, load_settings
from evaluator.targets import Target

pytestmark = pytest.mark.browser

HOME = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Cổng thử</title></head>
<body><main>
<form action="/ket-qua" method="get"
      onsubmit="this.elements.q.value = document.getElementById('o-tim').value">
  <label for="o-tim">Tìm kiếm thủ tục</label><input id="o-tim" type="text">
  <input type="hidden" name="q"><button type="submit">Tìm kiếm</button>
</form>
<ul><li><a href="/doc-hai">Trang độc hại</a></li><li><a href="/canh-bao">Trang cảnh báo</a></li></ul>
</main></body></html>"""

HOSTILE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Độc hại</title>
<script>
  performance.getEntriesByName = () => [{startTime: "garbage"}];
  performance.getEntriesByType = () => { throw new Error("no timings for you"); };
  window.__peTimings = {lcp: "late", cls: {}};
</script></head>
<body><main><p>Trang này nói dối về thời gian tải.</p>
<a href="http://[::1">liên kết hỏng</a> <a href="/">Trang chủ</a></main></body></html>"""

ALERT = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Cảnh báo</title></head>
<body><script>alert("Xin chào " + "x".repeat(300));</script><main><p>Đã cảnh báo.</p></main></body>
</html>"""

QUOTED = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Tên lạ</title></head>
<body><form action="/ket-qua" method="get"><input name='tu"khoá' type="text">
<button type="submit">Gửi</button></form></body></html>"""


def results(query: str) -> str:
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Kết quả</title>'
            f'</head><body><main><ul><li><a href="/thu-tuc/1">Thủ tục {html.escape(query)}</a></li>'
            f'</ul></main></body></html>')


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        pages = {"/": HOME, "/doc-hai": HOSTILE, "/canh-bao": ALERT, "/ten-la": QUOTED,
                 "/thu-tuc/1": results("1")}
        if parts.path == "/ket-qua":
            query = parse_qs(parts.query).get("q", [""])[0]
            body = results(query) if query else HOME  # empty query: the form page again
        elif parts.path in pages:
            body = pages[parts.path]
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fast_settings() -> Settings:
    return load_settings(env={}).with_overrides(
        max_pages=8, concurrency=2, nav_timeout_s=10.0, settle_quiet_ms=50, settle_cap_ms=1000,
        key_page_settle_ms=100,
        screenshots=False, axe=False,
    )


def test_gather_survives_hostile_pages_and_types_into_an_id_only_box(
    site: str, tmp_path: Path
) -> None:
    vocabulary = load_profile("vn-2023").vocabulary.model_copy(
        update={"search_queries": ["khai sinh"]})
    evidence = tmp_path / "out" / "thu" / "evidence"
    bundle = asyncio.run(gather_portal(Target(id="thu", start_url=site + "/"), evidence,
                                       fast_settings(), vocabulary))
    assert bundle.not_evaluated is None, bundle.not_evaluated
    assert load_bundle(evidence) == bundle  # saved, and loadable again

    by_path = {urlsplit(p.url).path: p for p in bundle.pages}
    # The hostile page is evidence like any other: readable, its lies dropped, its links kept.
    hostile = by_path["/doc-hai"]
    assert hostile.error is None and hostile.status == 200
    assert hostile.timings.fcp_ms is None and hostile.timings.lcp_ms is None
    assert hostile.timings.cls is None and hostile.timings.load_ms is None
    assert any(link.text == "Trang chủ" for link in hostile.links)
    assert not any(link.href.startswith("http://[") for link in hostile.links)  # unsplittable
    # Network records (keyed by the Request object) still come through.
    assert [(r.url, r.status) for r in hostile.requests] == [(site + "/doc-hai", 200)]
    assert hostile.requests[0].bytes > 0
    assert by_path["/canh-bao"].error is None  # the alert was dismissed, the page read

    # The search box has only an id: recorded apart from the (empty) name, and typed into.
    home = by_path["/"]
    box = next(i for i in home.forms[0].inputs if i.type == "text")
    assert (box.name, box.id) == ("", "o-tim")
    search = bundle.journeys.search
    assert search is not None and search.form_found
    [run] = search.runs
    assert run.error is None, run.error
    assert "/ket-qua?q=khai+sinh" in run.final_url
    assert [r.text for r in run.results] == ["Thủ tục khai sinh"]

    assert bundle.key_pages is not None and bundle.key_pages[0].error is None
    assert not any(k.startswith("journeys") or k == "key_pages" for k in bundle.disabled)
    assert not (tmp_path / "out" / "thu" / "tmp").exists()


def test_tab_records_dialogs_and_types_into_awkward_names(site: str) -> None:
    async def go() -> None:
        async with BrowserSession(find_chromium(load_settings(env={}).chromium or None)) as session:
            context = await session.new_context(ContextOptions(), "")
            try:
                tab = await session.new_tab(context)
                nav = await tab.goto(site + "/canh-bao", 10_000)
                assert nav.status == 200 and nav.content_type.startswith("text/html")
                assert tab.dialogs == ["alert: Xin chào " + "x" * 191]

                await tab.goto(site + "/ten-la", 10_000)
                missing = (await tab.submit_form(0, "khai sinh", 2_000, name="khong-co")).nav
                assert missing.error is not None
                assert missing.error.startswith("could not type into name='khong-co'")
                by_id = (await tab.submit_form(0, "khai sinh", 2_000, input_id='x"]')).nav
                assert by_id.error is not None and by_id.error.startswith("could not type into")
                quoted = await tab.submit_form(0, "khai sinh", 5_000, name='tu"khoá')
                assert quoted.nav.error is None and quoted.nav.status == 200, quoted
                assert quoted.answered == "new_page" and quoted.sent_by == "submit"
                assert "/ket-qua?tu%22kho%C3%A1=khai+sinh" in quoted.nav.final_url
                assert tab.dialogs == ["alert: Xin chào " + "x" * 191]
            finally:
                await session.close_context(context)

    asyncio.run(go())
