"""The pure parts of gathering script-driven portals (issue 16): which clickables act, which
pager control is "next", what a catalogue says it holds, which links the crawl takes first,
which box is the search and which the lookup, where a page's address ends and a route begins.
No browser."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import ModuleType, SimpleNamespace

import pytest

from evaluator.crawl.priority import CATALOGUE_PAGE, FRAME, OTHER, ROLE_LINK, LinkRanker
from evaluator.derived import form_role, normalise_url, page_address, path_of, same_owner
from evaluator.evidence import Form, FormInput, Link
from tests.unit.evidence_factory import browser_modules, url, vocabulary


@pytest.fixture(scope="module")
def gather() -> Iterator[list[ModuleType]]:
    with browser_modules("evaluator.gather.discover", "evaluator.gather.catalogue") as modules:
        yield modules


def candidate(discover: ModuleType, name: str, *, code: str = "", ident: str = "") -> object:
    return discover.Candidate(path="body > div", name=name, region="other", element="button",
                              onclick=code, code=code, ident=ident, context="", literal="")


# -- elements that act are never activated --------------------------------------------------------

@pytest.mark.parametrize("name", ["Gửi phản ánh", "Nộp hồ sơ", "Đăng ký tài khoản", "XÓA",
                                  "Hủy hồ sơ", "Đăng xuất", "Thanh toán lệ phí", "Submit"])
def test_a_control_named_for_an_act_is_refused(gather: list[ModuleType], name: str) -> None:
    discover = gather[0]
    assert discover.side_effect_word(candidate(discover, name),
                                     vocabulary().side_effect_words) is not None


@pytest.mark.parametrize("name", ["Người dân", "Huyện Mường Tè", "Tra cứu hồ sơ",
                                  "Thủ tục hành chính", "Hướng dẫn", "Lượt truy cập", "A+"])
def test_words_hidden_inside_others_do_not_refuse(gather: list[ModuleType], name: str) -> None:
    # "gửi" folds to "gui", which is inside "người"; "hủy" to "huy", inside "huyện".
    discover = gather[0]
    assert discover.side_effect_word(candidate(discover, name),
                                     vocabulary().side_effect_words) is None


def test_a_handler_named_for_an_act_refuses_an_innocent_name(gather: list[ModuleType]) -> None:
    discover = gather[0]
    words = vocabulary().side_effect_words
    assert discover.side_effect_word(candidate(discover, "", code="guiPhanAnh()"), words)
    assert discover.side_effect_word(candidate(discover, "✓", ident="btn-xoa icon"), words)
    # Where a handler navigates is not what it does: the sealed tab answers that navigation.
    assert discover.side_effect_word(candidate(discover, "Phản ánh kiến nghị",
                                               code="goToPage('')"), words) is None


# -- the pager's "next" and the stated total -------------------------------------------------------

def control(catalogue: ModuleType, name: str, **kw: object) -> object:
    return catalogue.PagerControl(path=f"p-{name}", name=name, href=str(kw.get("href", "")),
                                  disabled=bool(kw.get("disabled")), current=bool(kw.get("current")))


def test_next_is_found_by_its_words_before_a_symbol(gather: list[ModuleType]) -> None:
    catalogue = gather[1]
    v = vocabulary()
    controls = [control(catalogue, n) for n in ("‹ Trang trước", "1", "2", "3", "»", "Trang sau ›")]
    assert catalogue.next_control(controls, v.pager_next_labels, 1,
                                  v.side_effect_words).name == "Trang sau ›"


def test_next_falls_back_to_the_next_number_and_skips_disabled_and_current(
        gather: list[ModuleType]) -> None:
    catalogue = gather[1]
    v = vocabulary()
    controls = [control(catalogue, "1", current=True), control(catalogue, "2"),
                control(catalogue, "Tiếp", disabled=True)]
    assert catalogue.next_control(controls, v.pager_next_labels, 1, v.side_effect_words).name == "2"
    assert catalogue.next_control(controls, v.pager_next_labels, 2, v.side_effect_words) is None


def test_the_pager_is_found_again_when_a_late_notice_moved_it(gather: list[ModuleType]) -> None:
    # kieu-spa's maintenance banner lands above the list 400 ms after its first view, after the
    # page looked settled: the positional path read with the list points at nothing, and the
    # walk (CI, 2026-12-07) stopped at page 1 of 3 after a 30 s wait.
    catalogue = gather[1]
    v = vocabulary()
    reads = iter([
        [{"path": "body > div:nth-of-type(1) > nav > button", "name": "2"}],
        [{"path": "body > div:nth-of-type(2) > nav > button", "name": "2"}],
    ])
    clicked: list[str] = []

    class Tab:
        async def evaluate(self, script: str, arg: object = None) -> object:
            return next(reads)

        async def click(self, path: str, timeout_ms: float, sent_by: str) -> object:
            clicked.append(path)
            if "nth-of-type(1)" in path:  # nothing there any more: nothing was clicked
                return SimpleNamespace(answered="none", nav=SimpleNamespace(
                    error="Locator.evaluate: Timeout 5000ms exceeded."))
            return SimpleNamespace(answered="in_place", nav=SimpleNamespace(error=None))

    stale = catalogue.PagerControl("old path", "2", "", False, False)
    result = asyncio.run(catalogue._click_pager(Tab(), stale, v, 1,
                                                catalogue.JourneyLimits(timeout_ms=5000)))
    assert result.answered == "in_place" and result.nav.error is None
    assert clicked == ["body > div:nth-of-type(1) > nav > button",
                       "body > div:nth-of-type(2) > nav > button"]


@pytest.mark.parametrize(("text", "total"), [
    ("Có 1.200 thủ tục hành chính", 1200), ("Tổng số: 1,845 thủ tục", 1845),
    ("Tìm thấy 37 kết quả", 37), ("Danh mục thủ tục", None), ("Năm 2026 có nhiều đổi mới", None),
])
def test_a_catalogue_s_stated_total(gather: list[ModuleType], text: str, total: int | None) -> None:
    assert gather[1].stated_total(text) == total


# -- which links the crawl takes first -------------------------------------------------------------

def test_menu_labels_first_headlines_with_the_same_words_last() -> None:
    ranker = LinkRanker(vocabulary().labels)
    home = url("/")
    menu = ranker.rank(Link(href=url("/hd"), text="Hướng dẫn sử dụng"), "home", home)
    headline = ranker.rank(Link(href=url("/tin/1"),
                                text="Văn phòng UBND tỉnh hướng dẫn cải cách hành chính"),
                           "home", home)
    button = ranker.rank(Link(href=url("/tk"), text="Thống kê số liệu hồ sơ trực tuyến năm 2026",
                              via="click", element="button onclick"), "home", home)
    assert (menu.priority, menu.role) == (ROLE_LINK, "guides")
    assert headline.priority == OTHER
    assert (button.priority, button.role) == (ROLE_LINK, "statistics")  # a button is the menu
    assert ranker.rank(Link(href=url("/tra"), text="Tra cứu hồ sơ"), "home", home).role \
        == "status_lookup"  # the specific role before the general "Tra cứu" search


def test_the_catalogue_s_pages_and_services_come_next() -> None:
    ranker = LinkRanker(vocabulary().labels)
    page = url("/thu-tuc-hanh-chinh")
    assert ranker.rank(Link(href=url("/thu-tuc-hanh-chinh?trang=2"), text="2"), "catalogue",
                       page).role == "catalogue"
    service = ranker.rank(Link(href=url("/thu-tuc/1.001193"), text="Đăng ký khai sinh"),
                          "catalogue", page)
    assert (service.priority, service.role) == (CATALOGUE_PAGE, "service")
    assert ranker.rank(Link(href=url("/x"), text="Giới thiệu", region="footer"), "home",
                       url("/")).priority == FRAME


# -- search box or lookup box: its own words first ----------------------------------------------

def loose(text: str, **box: str) -> Form:
    return Form(index=0, kind="loose", text=text, inputs=[FormInput(**box)])


def test_a_box_s_own_words_decide_before_its_surroundings() -> None:
    v = vocabulary()
    # A header search box beside a "Tra cứu hồ sơ" menu entry is still the search box.
    assert form_role(loose("Trang chủ Tra cứu hồ sơ Hỏi đáp", id="searchKeyWord",
                           placeholder="Nhập từ khoá tìm kiếm"), v) == "search"
    # A lookup box whose placeholder says so, under a heading about searching.
    assert form_role(loose("Tìm kiếm hồ sơ", id="maHoSo", placeholder="Nhập mã hồ sơ"),
                     v) == "status_lookup"
    # A silent box takes the words around it.
    assert form_role(loose("Tra cứu hồ sơ Nhập số biên nhận", id="q1"), v) == "status_lookup"
    assert form_role(loose("Đăng nhập", id="user"), v) is None


# -- addresses, routes and owners ------------------------------------------------------------------

def test_hash_routes_are_pages_anchors_are_not() -> None:
    assert normalise_url(url("/#/thu-tuc/1.001193/")) == url("/#/thu-tuc/1.001193")
    assert normalise_url(url("/gioi-thieu#muc-2")) == url("/gioi-thieu")
    assert normalise_url(url("/#/")) == url("/")
    assert page_address(url("/app#!/hoi-dap")) == url("/app#!/hoi-dap")
    assert path_of(url("/#/thu-tuc-hanh-chinh?trang=2")) == "/thu-tuc-hanh-chinh"


@pytest.mark.parametrize(("target", "site", "owned"), [
    ("https://sso.hanoi.gov.vn/dang-nhap", "https://dichvucong.hanoi.gov.vn/", True),
    ("https://hanoi.gov.vn/", "https://dichvucong.hanoi.gov.vn/", True),
    ("https://xacthuc.dichvucong.gov.vn/", "https://dichvucong.hanoi.gov.vn/", False),
    ("https://sso.hanoi.gov.vn:8443/", "https://dichvucong.hanoi.gov.vn/", False),
    ("http://127.0.0.1:9002/", "http://127.0.0.1:9001/", False),
    ("https://evil.com.vn/", "https://dichvucong.hanoi.gov.vn/", False),
    ("javascript:alert(1)", "https://dichvucong.hanoi.gov.vn/", False),
])
def test_a_portal_s_own_hosts(target: str, site: str, owned: bool) -> None:
    assert same_owner(target, site) is owned
