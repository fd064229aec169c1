"""The script-driven fixture portals in real Chromium, used as a citizen uses them (issue 16).

kieu-jsp (jQuery, AJAX, onclick navigation) and kieu-spa (a single-page app) must work for a
person with a browser, or the evaluator would be graded against fixtures nobody can use: type
a query and press the icon button, page the 1,200-procedure catalogue by buttons, look up an
application and read the answer in place, follow "Đăng nhập" to the identity provider; in the
app, follow router links and a div tile, search by button. The app must show the same text as
the server-rendered template for the same portal.yaml. And the controls that act ("Gửi phản
ánh", "Xóa nội dung", the visit counter) must reach the server's log as "other": that is what
makes the evaluator's no-side-effects test able to fail.

One browser for the module, one fixture server of its own (its submissions log is this
module's alone).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from evaluator.browser import find_chromium
from evaluator.settings import load_settings
from fixtures.server import FixtureServer, Submission, load_site

pytestmark = pytest.mark.browser

CODE = "000.00.00.H99-250101-9999"
SPA_NAME = "Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Bình Nguyên"
TEMPLATE_NAME = "Cổng Dịch vụ công tỉnh Bình Nguyên"
# The visible text of a page as a person reads it, whitespace normalised; the maintenance
# banner (inserted 400 ms after load on both platforms, on purpose) is taken out so the moment
# of reading does not matter.
READ_TEXT = """() => {
  document.querySelectorAll('.banner').forEach(e => e.remove());
  return document.body.innerText.replace(/\\s+/g, ' ').trim();
}"""


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = find_chromium(load_settings(env={}).chromium or None)
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium,
                                      args=["--no-sandbox", "--disable-gpu", "--headless"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def new_submissions(server: FixtureServer, since: int) -> list[Submission]:
    with server.lock:
        return list(server.submissions[since:])


def count(server: FixtureServer) -> int:
    with server.lock:
        return len(server.submissions)


# -- kieu-jsp ----------------------------------------------------------------------------------

def test_jsp_search_by_the_icon_button_reaches_rows_filled_by_ajax(
    server: FixtureServer, page: Page,
) -> None:
    before = count(server)
    page.goto(server.url("kieu-jsp"))
    assert page.url.endswith("/p/home/dvc-trang-chu.html")
    page.fill("#searchKeyWord", "dang ky ket hon")
    with page.expect_response(lambda r: r.url.endswith("/jsp/rest.jsp")) as read:
        page.click(".btn-search")  # no text, no name: found by what it is
    assert "/p/home/dvc-ket-qua-thu-tuc.html?tukhoa=dang%20ky%20ket%20hon" in page.url
    assert read.value.json()["data"][0]["TEN_TTHC"] == "Đăng ký kết hôn"
    page.wait_for_selector(".item-tthc a")
    first = page.locator(".item-tthc a").first
    assert first.inner_text() == "Đăng ký kết hôn"
    assert "ma_thu_tuc=1.000894" in (first.get_attribute("href") or "")
    # Enter in the box searches too.
    page.fill("#searchKeyWord", "khai sinh")
    page.press("#searchKeyWord", "Enter")
    page.wait_for_url("**/dvc-ket-qua-thu-tuc.html?tukhoa=khai%20sinh")
    page.wait_for_selector(".item-tthc a")
    assert "Đăng ký khai sinh" in page.locator("#ket-qua-tim-kiem").inner_text()
    searches = [(s.method, s.value) for s in new_submissions(server, before)
                if s.kind == "search"]
    assert ("POST", "dang ky ket hon") in searches and ("POST", "khai sinh") in searches


def test_jsp_catalogue_paged_by_buttons_to_the_last_page(server: FixtureServer,
                                                          page: Page) -> None:
    site = load_site(Path(server.portals_dir) / "kieu-jsp")
    page.goto(server.url("kieu-jsp"))
    page.get_by_role("button", name="Thủ tục hành chính").click()
    page.wait_for_url("**/p/home/dvc-thu-tuc-hanh-chinh.html")
    page.wait_for_selector("#ds-thu-tuc a")
    catalogue_url = page.url
    assert "Có 1.200 thủ tục hành chính" in page.inner_text(".tong-so")
    assert page.inner_text("#trang-hien-tai") == "Trang 1/60"
    page.get_by_role("button", name="60", exact=True).click()
    page.wait_for_function("document.querySelector('#trang-hien-tai').textContent === "
                           "'Trang 60/60'")
    page.wait_for_function("document.querySelector('#ds-thu-tuc td') && "
                           f"document.querySelector('#ds-thu-tuc').textContent.includes("
                           f"'{site.procedures[-1].code}')")
    rows = page.locator("#ds-thu-tuc tr")
    assert rows.count() == 20
    assert rows.last.locator("td").first.inner_text() == site.procedures[1199].code
    assert page.url == catalogue_url  # paged in place
    page.get_by_role("button", name="‹ Trang trước").click()
    page.wait_for_function("document.querySelector('#trang-hien-tai').textContent === "
                           "'Trang 59/60'")


def test_jsp_lookup_is_answered_in_place(server: FixtureServer, page: Page) -> None:
    before = count(server)
    page.goto(server.url("kieu-jsp"))
    page.locator(".menu-item", has_text="Tra cứu hồ sơ").click()  # a <div onclick>
    page.wait_for_url("**/p/home/dvc-tra-cuu-ho-so.html")
    lookup_url = page.url
    assert "không tìm thấy" not in page.inner_text("body").lower()
    page.fill("#maHoSo", CODE)
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_selector("#ket-qua-tra-cuu .alert-warning")
    assert page.inner_text("#ket-qua-tra-cuu") == (
        f"Không tìm thấy hồ sơ có mã “{CODE}”. Vui lòng kiểm tra lại mã hồ sơ.")
    assert page.url == lookup_url
    lookups = [s for s in new_submissions(server, before) if s.kind == "status_lookup"]
    assert [(s.method, s.path, s.value) for s in lookups] == [("POST", "/jsp/rest.jsp", CODE)]


def test_jsp_menu_by_script_from_another_section_and_login_to_the_identity_provider(
    server: FixtureServer, page: Page,
) -> None:
    page.goto(server.url("kieu-jsp") + "p/phananhkiennghi/pakn-gui-pakn.html")
    # goToPage() resolves against /p/home/ even from /p/phananhkiennghi/.
    page.get_by_role("link", name="Hỏi đáp").click()  # <span role="link" onclick>
    page.wait_for_url("**/p/home/dvc-cau-hoi-pho-bien.html")
    page.wait_for_selector(".faq-item")
    assert page.locator(".faq-item").count() == 15
    page.locator(".dropdown-item", has_text="Thống kê").click()  # bound by jQuery, no onclick
    page.wait_for_url("**/p/home/dvc-thong-ke.html")
    page.wait_for_selector(".cap-nhat")
    site = load_site(Path(server.portals_dir) / "kieu-jsp")
    assert site.statistics_day.strftime("%d/%m/%Y") in page.inner_text(".cap-nhat")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"http://{server.national_host}/auth?**")
    assert "VNeID" in page.inner_text("body") and "client_id=kieu-jsp" in page.url


def test_controls_that_act_are_recorded_as_other(server: FixtureServer, page: Page) -> None:
    """Feedback, "Xóa nội dung", the visit counter and the app's "Gửi phản ánh" all reach the
    log as "other": an evaluation that activated any of them would be caught."""
    before = count(server)
    page.goto(server.url("kieu-jsp") + "p/phananhkiennghi/pakn-gui-pakn.html")
    page.fill("#paknTieuDe", "Thử")
    with page.expect_response(lambda r: r.url.endswith("/jsp/rest.jsp")):
        page.get_by_role("button", name="Gửi phản ánh").click()
    with page.expect_response(lambda r: "/jsp/beacon.jsp?action=xoa" in r.url):
        page.get_by_role("button", name="Xóa nội dung").click()
    assert page.input_value("#paknTieuDe") == ""
    page.goto(server.url("kieu-jsp"))
    with page.expect_response(lambda r: r.url.endswith("/jsp/rest.jsp")):
        page.click(".luot-truy-cap")
    page.goto(server.url("kieu-spa") + "#/phan-anh-kien-nghi")
    page.get_by_role("button", name="Gửi phản ánh").click()
    page.wait_for_selector("main .answer [role=status]")
    acted = [(s.portal, s.method, s.path) for s in new_submissions(server, before)
             if s.kind == "other"]
    assert acted == [("kieu-jsp", "POST", "/jsp/rest.jsp"),
                     ("kieu-jsp", "GET", "/jsp/beacon.jsp"),
                     ("kieu-jsp", "POST", "/jsp/rest.jsp"),
                     ("kieu-spa", "POST", "/api/phan-anh-kien-nghi")]


# -- kieu-spa ----------------------------------------------------------------------------------

def test_spa_draws_nothing_without_javascript(server: FixtureServer, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(server.url("kieu-spa"))
        assert tab.inner_text("body").strip() == \
            "Vui lòng bật JavaScript để sử dụng Cổng Dịch vụ công."
    finally:
        context.close()


def test_spa_router_links_a_div_tile_pager_buttons(server: FixtureServer, page: Page) -> None:
    page.goto(server.url("kieu-spa"))
    page.wait_for_selector("main h1")
    page.get_by_role("link", name="Dịch vụ công", exact=True).click()
    page.wait_for_url("**/#/dich-vu-cong")
    tile = page.get_by_role("button", name="Danh mục thủ tục hành chính")
    assert tile.evaluate("e => e.tagName + ':' + e.hasAttribute('href')") == "DIV:false"
    tile.click()
    page.wait_for_url("**/#/thu-tuc-hanh-chinh")
    page.wait_for_selector("table.catalogue a")
    page.get_by_role("button", name="2", exact=True).click()
    page.wait_for_url("**/#/thu-tuc-hanh-chinh?trang=2")
    page.wait_for_selector("text=Có 25 thủ tục; trang 2/3.")
    service = page.locator("table.catalogue a").first
    name = service.inner_text()
    service.click()
    page.wait_for_url("**/#/thu-tuc/**")
    page.wait_for_function(f"document.title.startsWith({name!r})")
    assert page.inner_text("main h1") == name


def test_spa_search_by_button_and_lookup_in_place(server: FixtureServer, page: Page) -> None:
    before = count(server)
    page.goto(server.url("kieu-spa"))
    page.wait_for_selector("#tu-khoa")
    page.fill("#tu-khoa", "đăng ký kết hôn")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url("**/#/tim-kiem?q=**")
    page.wait_for_selector("ol.results a")
    assert page.locator("ol.results a").first.inner_text() == "Đăng ký kết hôn"
    page.get_by_role("navigation", name="Menu chính").get_by_role(
        "link", name="Tra cứu hồ sơ").click()
    page.wait_for_url("**/#/tra-cuu-ho-so")
    page.wait_for_selector("#ma-ho-so")
    lookup_url = page.url
    page.fill("#ma-ho-so", CODE)
    page.get_by_role("button", name="Tra cứu").click()
    page.wait_for_selector("main .notice")
    template = load_site(Path(server.portals_dir) / "tinh-trung-binh")
    assert page.inner_text("main .notice") == template.lookup_not_found(CODE)
    assert page.url == lookup_url
    sent = [(s.kind, s.value) for s in new_submissions(server, before)
            if s.kind in ("search", "status_lookup")]
    assert sent == [("search", "đăng ký kết hôn"), ("status_lookup", CODE)]


# The views compared, and what legitimately differs between the renderings: only the
# portal's name (kieu-spa has its own). Everything else a citizen reads is the same.
PARITY_VIEWS = ["/", "/thu-tuc-hanh-chinh", "/thu-tuc/1.001193", "/hoi-dap", "/thong-ke"]


def test_spa_shows_the_same_text_as_the_template(server: FixtureServer, page: Page) -> None:
    # Two tabs side by side (both portals answer in 1 s): the app's view is asked for first,
    # then the template's page loads while the app waits for its API.
    app_tab = page.context.new_page()
    app_tab.goto(server.url("kieu-spa"))
    template: dict[str, tuple[str, str]] = {}
    app: dict[str, tuple[str, str]] = {}
    for view in PARITY_VIEWS:
        # Through the router, as a person moving around the app.
        app_tab.evaluate(f"location.hash = {view!r}")
        page.goto(server.url("tinh-trung-binh").rstrip("/") + view)
        template[view] = (page.title(), page.evaluate(READ_TEXT))
        title = template[view][0].replace(TEMPLATE_NAME, SPA_NAME)
        app_tab.wait_for_function(f"document.title === {title!r}")
        raw: Any = app_tab.evaluate(READ_TEXT)
        app[view] = (app_tab.title().replace(SPA_NAME, TEMPLATE_NAME),
                     str(raw).replace(SPA_NAME, TEMPLATE_NAME))
    assert all(len(text) > 300 for _, text in template.values())
    assert app == template
