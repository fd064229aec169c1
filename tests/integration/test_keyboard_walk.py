"""The keyboard walk (gather/keyboard.py) in real Chromium, on small pages of its own: each
problem the keyboard-access check judges is recorded on a page that has it and not on a good
page, and nothing is ever activated (every control here would ask the server for /activated,
and every form would POST: the server's log shows neither).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from evaluator.browser import BrowserSession, ContextOptions, find_chromium
from evaluator.checks.keyboard import KeyboardParams, keyboard_walk_clean
from evaluator.checks.model import Status
from evaluator.evidence import KeyboardWalk
from evaluator.gather.keyboard import KeyboardLimits, keyboard_walk
from tests.unit.evidence_factory import bundle, key_page, view

pytestmark = pytest.mark.browser

HEAD = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{font: 16px Arial}} .skip {{position: absolute; left: -9999px}}
.skip:focus {{left: 8px}} nav a {{display: inline-block; padding: 8px}}
{style}</style></head><body>
<script>function hit(what) {{ fetch('/activated?' + what); }}</script>"""
TAIL = "</body></html>"

# Every control says it was used: a click, Enter or Space on any of them would reach the server.
MENU = """<nav aria-label="Menu chính">
<a href="/p/thu-tuc" onclick="hit('menu1')">Thủ tục hành chính</a>
<a href="/p/tra-cuu" onclick="hit('menu2')">Tra cứu hồ sơ</a>
<a href="/p/hoi-dap" onclick="hit('menu3')">Hỏi đáp</a>
<a href="/p/lien-he" onclick="hit('menu4')">Liên hệ</a></nav>"""
CONTENT = """<main id="noi-dung"><h1>Cổng dịch vụ công</h1>
<form action="/p/tim-kiem" method="post" onsubmit="hit('submit')">
<label for="q">Tìm kiếm</label> <input id="q" name="q">
<button type="submit">Tìm</button></form>
<ul>""" + "".join(f'<li><a href="/p/tt-{n}" onclick="hit(\'tt{n}\')">Thủ tục số {n}</a></li>'
                  for n in range(1, 9)) + """</ul>
<button type="button" class="ghost" onclick="hit('button')">Xem thêm</button></main>
<footer><a href="/p/so-do">Sơ đồ cổng</a></footer>"""
SKIP = '<a class="skip" href="#noi-dung">Bỏ qua, đến nội dung chính</a>'
# Tabs with a roving tabindex: Tab reaches the selected one, the arrow keys the others.
TABS = """<div role="tablist" aria-label="Cấp thực hiện">
<button role="tab" aria-selected="true" onclick="hit('tab1')">Cấp tỉnh</button>
<button role="tab" aria-selected="false" tabindex="-1" onclick="hit('tab2')">Cấp huyện</button>
</div>"""


def page(title: str, body: str, style: str = "") -> str:
    return HEAD.format(title=title, style=style) + body + TAIL


PAGES = {
    # Browser focus rings, a skip link, document order, and one button whose focus is drawn
    # as a shadow (fading in) instead of the outline it removes.
    "/good": page("Tốt", SKIP + MENU + TABS + CONTENT,
                  ".ghost {transition: box-shadow .2s} "
                  ".ghost:focus {outline: none; box-shadow: 0 0 0 3px #1a73e8}"),
    # The menu's links lose their focus ring and get nothing in its place.
    "/invisible": page("Không thấy", SKIP + MENU + CONTENT, "nav a:focus {outline: none}"),
    # A date picker whose buttons keep Tab (and Shift+Tab) among themselves.
    "/trap": page("Bẫy", SKIP + MENU + """
<div class="lich" role="group" aria-label="Ngày hẹn">
<button type="button" onclick="hit('prev')">‹</button>
<button type="button" onclick="hit('today')">Hôm nay</button>
<button type="button" onclick="hit('next')">›</button></div>
<script>
document.querySelector('.lich').addEventListener('keydown', (e) => {
  if (e.key !== 'Tab') return;
  const b = [...document.querySelectorAll('.lich button')];
  e.preventDefault();
  b[(b.indexOf(document.activeElement) + (e.shiftKey ? 2 : 1)) % 3].focus();
});
</script>""" + CONTENT),
    # A menu of divs a mouse can click (an onclick; a listener known by its cursor) and Tab
    # cannot reach.
    "/mouse": page("Chuột", SKIP + """<div class="menu">
<div onclick="hit('div1')">Thủ tục hành chính</div>
<span class="mi">Tra cứu hồ sơ</span></div>
<script>document.querySelector('.mi').addEventListener('click', () => hit('span'));</script>
""" + CONTENT, ".mi {cursor: pointer}"),
    # tabindex="2" on the footer link sends focus there first, then back up the page.
    "/order": page("Thứ tự", SKIP + MENU + CONTENT.replace(
        '<a href="/p/so-do">', '<a href="/p/so-do" tabindex="2">'),
        "footer {margin-top: 900px}"),
    # A skip link to an id that is not there, on a page without one.
    "/skip-broken": page("Bỏ qua hỏng", SKIP.replace("#noi-dung", "#khong-co") + MENU + CONTENT),
    # The logo links the app's home route ("#/"): a route, not a skip link.
    "/no-skip": page("Không bỏ qua", '<a href="#/">Trang chủ</a>' + MENU + CONTENT),
    # Focus on the second menu link sends the browser elsewhere (WCAG 3.2.1).
    "/focus-nav": page("Chuyển", SKIP + MENU.replace(
        'onclick="hit(\'menu2\')"', 'onfocus="location.href = \'/p/noi-khac\'"') + CONTENT),
}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.log.append(("GET", self.path))
        body = PAGES.get(self.path.split("?")[0])
        if body is None:
            body = page("Trang khác", "<h1>Trang khác</h1>")
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.server.log.append(("POST", self.path))
        self.send_response(204)
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.log: list[tuple[str, str]] = []


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def walks(server: _Server) -> dict[str, KeyboardWalk]:
    base = f"http://127.0.0.1:{server.server_address[1]}"
    limits = KeyboardLimits(max_presses=80, timeout_ms=20_000, settle_quiet_ms=100,
                            settle_cap_ms=2000)

    async def go() -> dict[str, KeyboardWalk]:
        async with BrowserSession(find_chromium()) as session:
            context = await session.new_context(ContextOptions(), "")
            out: dict[str, KeyboardWalk] = {}
            for path in PAGES:
                tab = await session.new_tab(context)
                out[path] = await keyboard_walk(tab, base + path, limits, "home")
                await tab.close()
            await session.close_context(context)
            return out

    return asyncio.run(go())


def _judge(walk: KeyboardWalk) -> Any:
    kp = key_page().model_copy(update={"keyboard": walk})
    return keyboard_walk_clean(view(bundle(key_pages=[kp])), KeyboardParams())


def test_nothing_was_activated(walks: dict[str, KeyboardWalk], server: _Server) -> None:
    assert walks
    assert [r for r in server.log if r[0] != "GET"] == []
    asked = {path.split("?")[0] for _, path in server.log}
    # The pages walked, and the one a focus handler sent the browser to: nothing else.
    assert asked == set(PAGES) | {"/p/noi-khac"}


def test_a_good_page_is_walked_round_and_passes(walks: dict[str, KeyboardWalk]) -> None:
    w = walks["/good"]
    assert w.error is None and w.ended == "cycle"
    names = [s.name for s in w.stops]
    assert names[:3] == ["Bỏ qua, đến nội dung chính", "Thủ tục hành chính", "Tra cứu hồ sơ"]
    assert "Tìm kiếm" in names and "Xem thêm" in names and names[-1] == "Sơ đồ cổng"
    # skip, 4 menu, the selected tab, box, button, 8 services, "Xem thêm", footer
    assert len(w.stops) == 18
    assert all(s.focus_visible for s in w.stops), [(s.name, s.focus_change) for s in w.stops]
    ghost = next(s for s in w.stops if s.name == "Xem thêm")
    assert ghost.focus_change == ["box-shadow"]
    assert w.skip_link == "#noi-dung" and w.skip_target_exists is True
    assert w.unreachable_count == 0 and not w.trap
    assert w.reverse_presses == 3 and w.reverse_moved == 3
    assert w.elapsed_s is not None and w.elapsed_s < 20
    out = _judge(w)
    assert out.status is Status.PASS, [f.message.en for f in out.findings]


def test_invisible_focus_is_measured(walks: dict[str, KeyboardWalk]) -> None:
    w = walks["/invisible"]
    hidden = [s.name for s in w.stops if s.focus_visible is False]
    assert hidden == ["Thủ tục hành chính", "Tra cứu hồ sơ", "Hỏi đáp", "Liên hệ"]
    out = _judge(w)
    assert out.status is Status.FAIL
    assert out.findings[1].message.en.startswith(
        "home: focus not visible on 4 of 17 stops (stops 2, 3, 4, 5: a “Thủ tục hành chính”")


def test_a_trap_is_found_and_ends_the_walk(walks: dict[str, KeyboardWalk]) -> None:
    w = walks["/trap"]
    assert w.ended == "trap" and w.trap_presses == 10 and len(w.trap) == 3
    assert not w.trap_in_dialog
    assert "Xem thêm" not in [s.name for s in w.stops]   # never got past the picker
    out = _judge(w)
    assert out.status is Status.FAIL and out.score == 0.0
    assert any("keyboard trap" in f.message.en for f in out.findings)


def test_mouse_only_elements_are_found(walks: dict[str, KeyboardWalk]) -> None:
    w = walks["/mouse"]
    assert w.unreachable_count == 2
    assert sorted((u.tag, u.name) for u in w.unreachable) == [
        ("div", "Thủ tục hành chính"), ("span", "Tra cứu hồ sơ")]
    assert walks["/good"].unreachable_count == 0
    assert _judge(w).status is Status.FAIL


def test_positive_tabindex_and_the_jump_back(walks: dict[str, KeyboardWalk]) -> None:
    w = walks["/order"]
    assert w.stops[0].name == "Sơ đồ cổng" and w.stops[0].tabindex == 2
    assert w.stops[1].before_previous   # the skip link, back at the top
    out = _judge(w)
    messages = [f.message.en for f in out.findings]
    assert any("tabindex=\"2\"" in m for m in messages)
    assert any("jumps" in m and "back up the page" in m for m in messages)
    # The skip link is second here, still among the first three stops.
    assert w.skip_link == "#noi-dung"


def test_skip_links_broken_and_missing(walks: dict[str, KeyboardWalk]) -> None:
    broken = walks["/skip-broken"]
    assert broken.skip_link == "#khong-co" and broken.skip_target_exists is False
    missing = walks["/no-skip"]
    assert missing.skip_link is None
    assert _judge(broken).status is Status.FAIL
    assert any("no “skip to main content” link" in f.message.en
               for f in _judge(missing).findings)


def test_a_focus_that_navigates_ends_the_walk(walks: dict[str, KeyboardWalk]) -> None:
    w = walks["/focus-nav"]
    assert w.ended == "navigated" and (w.navigated_to or "").endswith("/p/noi-khac")
    # The focused link may be read before the new document replaces the page, or not.
    assert [s.name for s in w.stops][:2] == ["Bỏ qua, đến nội dung chính", "Thủ tục hành chính"]
    assert len(w.stops) <= 3
    assert _judge(w).status is Status.FAIL


def test_walk_cost_stays_small(walks: dict[str, KeyboardWalk]) -> None:
    for path, w in walks.items():
        assert w.elapsed_s is not None and w.elapsed_s < 15, (path, w.elapsed_s)
