"""Catalogues as portals build them (derived.py): rows in tables, cards, plain div rows and
script-rendered lists; pagination told from detail pages on query strings (Liferay, DNN);
services grouped by URL shape; the third level; the catalogue walked through a pager of
buttons; download endpoints as forms."""

from __future__ import annotations

from typing import Any

import pytest

from evaluator.checks.functionality import (
    CatalogueParams,
    ClicksParams,
    ServiceInfoParams,
    catalogue_published,
    service_information_complete,
    services_within_clicks,
)
from evaluator.checks.model import Status
from evaluator.derived import pagination_key, url_shape
from evaluator.evidence import FormDownload, Journeys, Link, ServicePageSample, ServiceSampleJourney
from tests.unit.evidence_factory import (
    CATALOGUE_PATH,
    browser_modules,
    catalogue_walk,
    landmark_free,
    link,
    listing_page,
    nav_link,
    page,
    service_links,
    shipped_params,
    start_page,
    url,
    view_of,
    vocabulary,
)

CATALOGUE = shipped_params("service-catalogue")
CLICKS = shipped_params("services-within-three-clicks")
INFO = shipped_params("service-information-complete")
assert isinstance(CATALOGUE, CatalogueParams) and isinstance(CLICKS, ClicksParams)
assert isinstance(INFO, ServiceInfoParams)

LEVELS = ("Toàn trình", "Một phần", "Cung cấp thông tin trực tuyến")


# -- pagination and URL shapes ---------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "same_list"), [
    ("/thu-tuc?trang=2", "/thu-tuc", True),
    ("/thu-tuc?page=3&linh_vuc=5", "/thu-tuc?linh_vuc=5&page=1", True),
    ("/p/home/dvc-tthc.html?pageIndex=4&pageSize=20", "/p/home/dvc-tthc.html", True),
    ("/jsp/pakn_just_answer.jsp?status=1&record_per_page=10&page_index=2",
     "/jsp/pakn_just_answer.jsp?status=1", True),
    ("/vi/procedure/search?page=2&size=10", "/vi/procedure/search", True),
    # Detail pages on the list's own path are pages of their own.
    ("/p/home/dvc-tthc.html?ma_thu_tuc=1.001193", "/p/home/dvc-tthc.html", False),
    ("/thu-tuc?id=7", "/thu-tuc", False),
    ("/Default.aspx?tabid=119&ItemId=5", "/Default.aspx?tabid=119", False),
    ("/thu-tuc?trang=2&linh_vuc=5", "/thu-tuc?trang=2&linh_vuc=6", False),
])
def test_pagination_is_the_same_list_where_only_paging_differs(a: str, b: str,
                                                               same_list: bool) -> None:
    assert (pagination_key(url(a)) == pagination_key(url(b))) is same_list


@pytest.mark.parametrize(("a", "b"), [
    ("/thu-tuc/1.001193", "/thu-tuc/2.000986"),
    ("/thu-tuc/dang-ky-khai-sinh", "/thu-tuc/dang-ky-ket-hon"),
    ("/thu-tuc-hanh-chinh/019d2bf7-fc47-724d-98ee-1785e5599e34",
     "/thu-tuc-hanh-chinh/019d2bf8-0000-7000-8000-000000000001"),
    ("/vi/procedure/detail/5f1e2d3c4b5a69788796a5b4?page=1&size=10",
     "/vi/procedure/detail/6a2b3c4d5e6f708192a3b4c5?page=2&size=10"),
    ("/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html?ma_thu_tuc=1.001193",
     "/p/home/dvc-chi-tiet-thu-tuc-nganh-doc.html?ma_thu_tuc=2.000986"),
    ("/Bo-thu-tuc-hanh-chinh/moduleId/746/ItemId/12/controller/ThuTucHanhChinh_NguoiDung/action/Edit",
     "/Bo-thu-tuc-hanh-chinh/moduleId/746/ItemId/13/controller/ThuTucHanhChinh_NguoiDung/action/Edit"),
    ("/Default.aspx?tabid=119&ItemId=5", "/Default.aspx?ItemId=6&tabid=119"),
])
def test_records_of_one_kind_share_a_shape(a: str, b: str) -> None:
    assert url_shape(url(a)) == url_shape(url(b))


@pytest.mark.parametrize(("a", "b"), [
    ("/thu-tuc/1.001193", "/tin-tuc/2024/12/thong-bao"),
    ("/p/home/dvc-chi-tiet.html?ma_thu_tuc=1", "/p/home/dvc-tin-tuc.html"),
    ("/Default.aspx?tabid=119&ItemId=5", "/Default.aspx?tabid=120"),
])
def test_other_pages_have_another_shape(a: str, b: str) -> None:
    assert url_shape(url(a)) != url_shape(url(b))


# -- rows as portals draw them ----------------------------------------------------------------------


def _portal(*catalogue_pages: Any, label: str = "Thủ tục hành chính",
            path: str = CATALOGUE_PATH, **kw: Any) -> Any:
    home = start_page(links=[nav_link(path, label)])
    return view_of(home, *catalogue_pages, **kw)


def _rows(count: int, href: Any, *, name: str = "Thủ tục {n}", context: str = "{name} | {level}",
          text: str | None = None, **kw: Any) -> list[Link]:
    out = []
    for n in range(count):
        level = LEVELS[n % 3]
        title = name.format(n=n)
        out.append(link(href(n), text if text is not None else title,
                        context=context.format(name=title, level=level, n=n), **kw))
    return out


def test_liferay_detail_pages_on_the_catalogues_own_path_are_services() -> None:
    # DVCQG's classic layout: the list and the detail share a path, told apart by ?ma_thu_tuc=.
    path = "/p/home/dvc-tthc-thu-tuc-hanh-chinh.html"
    rows = _rows(20, lambda n: f"{path}?ma_thu_tuc=1.{n:06d}")
    pager = [link(f"{path}?pageIndex={i}", str(i), region="nav") for i in (1, 2, 3)]
    view = _portal(page(path, links=[*rows, *pager]), path=path)
    assert len(view.services) == 20
    assert all("ma_thu_tuc=" in s.url for s in view.services)
    outcome = catalogue_published(view, CATALOGUE)
    assert outcome.status is Status.PASS and outcome.value == 20
    assert outcome.data["info"] == 6 and outcome.data["labelled"] == 20


def test_dnn_items_are_services_and_its_pager_is_not() -> None:
    path = "/Default.aspx?tabid=119"
    rows = _rows(12, lambda n: f"/Default.aspx?tabid=119&ItemId={n + 100}")
    second = _rows(10, lambda n: f"/Default.aspx?tabid=119&ItemId={n + 200}")
    view = _portal(page(path, links=[*rows, link("/Default.aspx?tabid=119&page=2", "Trang sau")]),
                   page("/Default.aspx?tabid=119&page=2", links=second), path=path)
    assert len(view.services) == 22 and len(view.catalogue_pages) == 2


def test_dnn_module_paths_are_services() -> None:
    rows = _rows(20, lambda n: f"/Bo-thu-tuc-hanh-chinh/moduleId/746/ItemId/{n}/controller/"
                               "ThuTucHanhChinh_NguoiDung/action/Edit")
    view = _portal(page("/Bo-thu-tuc-hanh-chinh", links=rows), path="/Bo-thu-tuc-hanh-chinh")
    assert len(view.services) == 20


def test_cards_with_a_detail_button_take_their_name_from_the_card() -> None:
    # A card: the name as a heading, a "Chi tiết" button the gatherer activated.
    rows = _rows(20, lambda n: f"/thu-tuc/{n}", text="Chi tiết", via="click", element="button",
                 name="Cấp giấy phép số {n}", context="{name} Lĩnh vực Xây dựng {level} Chi tiết")
    view = _portal(landmark_free(page(CATALOGUE_PATH, links=rows)))
    assert len(view.services) == 20
    assert view.services[0].name.startswith("Cấp giấy phép số 0 Lĩnh vực Xây dựng")
    assert {s.via for s in view.services} == {"click"}


def test_a_script_rendered_list_counts_like_links() -> None:
    rows = _rows(20, lambda n: f"/#/thu-tuc/{n}", via="script", element="div onclick")
    view = _portal(page(CATALOGUE_PATH, links=rows))
    assert len(view.services) == 20
    assert view.services[3].url == url("/") + "#/thu-tuc/3"


def test_stray_links_and_sector_filters_are_not_services() -> None:
    rows = _rows(20, lambda n: f"/thu-tuc/{n}")
    sectors = [link(f"{CATALOGUE_PATH}?linh_vuc={i}", f"Lĩnh vực {i}", context=f"Lĩnh vực {i}")
               for i in range(8)]
    forms = [link(f"/bieu-mau/{n}.docx", "Tải mẫu", context="Tải mẫu") for n in range(20)]
    view = _portal(page(CATALOGUE_PATH, links=[*sectors, *rows, *forms,
                                               link("/tin-tuc/1", "Xem thêm tin tức")]))
    assert sorted(s.url for s in view.services) == sorted(url(f"/thu-tuc/{n}") for n in range(20))


def test_two_address_forms_of_one_catalogue_are_one_catalogue() -> None:
    paths = _rows(14, lambda n: f"/thu-tuc/1.{n:06d}")
    queries = _rows(7, lambda n: f"/chi-tiet-thu-tuc?ma=2.{n:06d}")
    view = _portal(page(CATALOGUE_PATH, links=[*paths, *queries]))
    assert len(view.services) == 21


def test_the_third_level_is_a_label_and_all_three_are_reported() -> None:
    rows = _rows(21, lambda n: f"/thu-tuc/{n}")
    outcome = catalogue_published(_portal(page(CATALOGUE_PATH, links=rows)), CATALOGUE)
    assert outcome.status is Status.PASS
    assert {k: outcome.data[k] for k in ("full", "partial", "info", "labelled")} == {
        "full": 7, "partial": 7, "info": 7, "labelled": 21}
    assert outcome.display_value.en.endswith(
        "100% labelled with their level: 7 toàn trình, 7 một phần, "
        "7 cung cấp thông tin trực tuyến")


def test_before_the_third_level_counted_info_rows_were_unlabelled() -> None:
    # 8 of 20 rows only inform: unlabelled, they made the catalogue fail at 60 % labelled.
    rows = [*service_links(12), *_rows(8, lambda n: f"/thu-tuc/i{n}",
                                       context="{name} | Cung cấp thông tin trực tuyến")]
    outcome = catalogue_published(_portal(page(CATALOGUE_PATH, links=rows)), CATALOGUE)
    assert outcome.status is Status.PASS and outcome.data["info"] == 8


# -- the catalogue walked through a pager of buttons ---------------------------------------------


def _walked_catalogue(listing_pages: int = 60, per_page: int = 20) -> Any:
    """1,200 procedures: the catalogue page shows its first 20 rows and a pager of buttons
    (no link to page 2); the walk reads 60 list pages of 20 table rows in place. A third of
    the rows link query-string detail pages."""
    def row(n: int) -> Link:
        href = (f"/chi-tiet-thu-tuc?ma_thu_tuc=1.{n:06d}" if n % 3 == 0
                else f"/thu-tuc/2.{n:06d}")
        name = f"Thủ tục hành chính số {n}"
        return link(href, name, context=f"{n + 1}\t2.{n:06d}\t{name}\tSở Tư pháp\t{LEVELS[n % 3]}")

    def rows(number: int) -> list[Link]:
        return [row((number - 1) * per_page + i) for i in range(per_page)]

    buttons = [link(CATALOGUE_PATH, str(i), region="other", via="click", element="button")
               for i in (1, 2, 3)]
    first = page(CATALOGUE_PATH, text="Danh sách thủ tục hành chính (1.200 thủ tục)",
                 links=[*rows(1), *buttons])
    walk = catalogue_walk(CATALOGUE_PATH, [listing_page(n, rows(n))
                                           for n in range(1, listing_pages + 1)],
                          stated_total=listing_pages * per_page)
    return _portal(first, journeys=Journeys(catalogue=walk))


def test_a_1200_procedure_catalogue_counts_every_row_and_level() -> None:
    view = _walked_catalogue()
    assert len(view.services) == 1200
    assert len({s.url for s in view.services}) == 1200
    assert sum("ma_thu_tuc=" in s.url for s in view.services) == 400
    outcome = catalogue_published(view, CATALOGUE)
    assert outcome.status is Status.PASS and outcome.value == 1200
    assert {k: outcome.data[k] for k in ("full", "partial", "info", "stated_total",
                                         "list_pages", "walked_pages")} == {
        "full": 400, "partial": 400, "info": 400, "stated_total": 1200, "list_pages": 61,
        "walked_pages": 60}
    last = view.services[-1]
    assert (last.listed_on, last.page_number) == (url(CATALOGUE_PATH), 60)


def test_the_service_sample_of_a_1200_procedure_catalogue() -> None:
    view = _walked_catalogue()
    with browser_modules("evaluator.gather.service_journeys") as (journeys,):
        sample = journeys.sample_services(view, 30, 2023)
    assert len(sample) == 30 and sample == sorted(sample)
    urls = {s.url for s in view.services}
    assert all(u in urls for u, _name in sample)
    assert any("ma_thu_tuc=" in u for u, _name in sample)
    assert any("/thu-tuc/" in u for u, _name in sample)


def test_services_read_through_the_pager_are_one_click_per_page_deep() -> None:
    view = _walked_catalogue(listing_pages=3)
    outcome = services_within_clicks(view, CLICKS)
    # The catalogue is 1 click away: page 1 rows 2 clicks, page 2 rows 3, page 3 rows 4.
    assert outcome.data == {"services": 60, "within": 40}


def test_a_catalogue_known_only_by_its_walk_fits() -> None:
    # The catalogue page itself was not crawled, but the walk read it.
    view = view_of(start_page(links=[nav_link(CATALOGUE_PATH, "Thủ tục hành chính")]),
                   journeys=Journeys(catalogue=catalogue_walk(CATALOGUE_PATH, [
                       listing_page(1, service_links(20))])))
    assert view.role_candidates("catalogue")[0].reason == "catalogue_walk"


# -- forms through download endpoints --------------------------------------------------------------

FULL_TEXT = " ".join(m for f in vocabulary().service_fields for m in f.match[:1])


def _forms(*forms: FormDownload) -> Any:
    sample = ServicePageSample(url=url("/thu-tuc/1"), name="Đăng ký khai sinh",
                               final_url=url("/thu-tuc/1"), status=200, text=FULL_TEXT,
                               forms=list(forms))
    journeys = Journeys(service_sample=ServiceSampleJourney(
        sample_size=30, seed=2023, services_total=1, pages=[sample]))
    return service_information_complete(view_of(journeys=journeys), INFO)


@pytest.mark.parametrize(("content_type", "disposition"), [
    ("application/msword", ""),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ""),
    ("application/pdf", ""),
    ("application/octet-stream", ""),
    ("text/plain", "attachment; filename=\"to-khai.doc\""),
])
def test_a_download_endpoint_answering_a_document_is_a_form(content_type: str,
                                                            disposition: str) -> None:
    form = FormDownload(url=url("/jsp/download.jsp?id=5"), text="Tải mẫu", status=200,
                        bytes=20480, content_type=content_type, disposition=disposition)
    assert _forms(form).status is Status.PASS


def test_a_web_page_answered_for_a_form_is_not_one() -> None:
    # The loose rule took any 200 with bytes: a login screen answered in place of a form too.
    page_not_form = FormDownload(url=url("/jsp/download.jsp?id=5"), text="Tải mẫu", status=200,
                                 bytes=20480, content_type="text/html; charset=utf-8")
    outcome = _forms(page_not_form)
    assert outcome.status is Status.FAIL and outcome.data["forms_ok"] == 0
    assert "web page" in outcome.findings[-1].message.en
