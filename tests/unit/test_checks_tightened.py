"""Rules tightened in issue 16, each as a ladder: the case the loose rule passed now fails,
and the case the rule is for still passes. Statistics dated by their own date, payment only
where a service or the payment page hands over, discoverability with no service found, a
minority-language guide that holds the language."""

from __future__ import annotations

from typing import Any

import pytest

from evaluator.checks.functionality import (
    GuidesParams,
    RolePageParams,
    guides_multimedia,
    online_payment_signs,
    role_page,
    search_engine_discoverable,
)
from evaluator.checks.model import Status
from evaluator.checks.registry import Params
from evaluator.derived import MIN_FRAME_PAGES
from evaluator.evidence import GuidePage, GuidesJourney, Journeys, Page, Request, Robots, Sitemap
from tests.unit.evidence_factory import (
    bundle,
    framed,
    link,
    nav_link,
    page,
    plain_pages,
    portal_pages,
    shipped_params,
    start_page,
    url,
    view,
    view_of,
)

STATS = shipped_params("published-statistics")
GUIDES = shipped_params("guides-multimedia")
assert isinstance(STATS, RolePageParams) and isinstance(GUIDES, GuidesParams)

# The factory's bundles are evaluated on 2025-01-01.
SERIES = ("Số hồ sơ tiếp nhận trực tuyến\t12.480\nSố hồ sơ đã giải quyết\t11.902\n"
          "Tỷ lệ giải quyết đúng hạn\t98,6%\nTổng số hồ sơ\t20.315\nMức độ hài lòng\t96,2%")


# -- statistics are current by their own date -----------------------------------------------------


def _stats(text: str, *, home_text: str = "Cổng dịch vụ công") -> Any:
    item = ("/thong-ke", "Thống kê")
    home = framed(start_page(text=home_text), item)
    stats = framed(page("/thong-ke", text=text), item)
    return role_page(view_of(home, stats, *plain_pages(MIN_FRAME_PAGES, item)), STATS)


def test_a_date_stated_for_the_figures_makes_them_current() -> None:
    outcome = _stats(f"Thống kê\nSố liệu cập nhật đến ngày 20/12/2024.\n{SERIES}")
    assert outcome.status is Status.PASS
    assert outcome.data["newest_date"] == "2024-12-20"


def test_a_date_in_the_block_of_the_series_counts() -> None:
    outcome = _stats(f"Thống kê năm 2024\n{SERIES}\nNgày 28/12/2024")
    assert outcome.status is Status.PASS


@pytest.mark.parametrize("when", ["tháng 12/2024", "tháng 12 năm 2024", "2024-12-20",
                                  "ngày 20 tháng 12 năm 2024", "20.12.2024"])
def test_statistics_dates_in_the_forms_portals_write_them(when: str) -> None:
    assert _stats(f"Kỳ báo cáo: {when}\n{SERIES}").status is Status.PASS


def test_the_headers_date_does_not_make_stale_figures_current() -> None:
    # Loose rule: the newest date on the page passed, here the header's own "updated" date,
    # which the homepage carries too (the site frame), a line above the figures.
    header = "Cập nhật: 31/12/2024"
    text = f"{header}\nThống kê\nSố liệu đến ngày 30/06/2024.\n{SERIES}"
    outcome = _stats(text, home_text=f"{header}\nCổng dịch vụ công")
    assert outcome.status is Status.FAIL
    assert outcome.data["newest_date"] == "2024-06-30"
    # The same line on the statistics page alone is the figures' date.
    assert _stats(text).status is Status.PASS


def test_a_date_away_from_the_figures_is_not_theirs() -> None:
    text = (f"{SERIES}\n\n\n\n\n\nTin mới\nKhai trương trung tâm hành chính công 30/12/2024")
    outcome = _stats(text)
    assert outcome.status is Status.FAIL
    assert any("do not belong" in f.message.en for f in outcome.findings)


def test_a_future_date_is_not_counted() -> None:
    outcome = _stats(f"Số liệu cập nhật đến ngày 15/03/2025.\n{SERIES}")
    assert outcome.status is Status.FAIL
    assert any("after the evaluation" in f.message.en for f in outcome.findings)
    older = _stats(f"Số liệu cập nhật đến ngày 15/03/2025, kỳ trước 20/12/2024.\n{SERIES}")
    assert older.status is Status.PASS


# -- online payment: a hand-over from a service or the payment page -------------------------------

PLATFORM = "https://thanhtoan.dichvucong.gov.vn/p/home/dvc-thanh-toan.html"


def _payment(*pages: Page, home_links: list[Any] | None = None) -> Any:
    portal = portal_pages(22, home_extra=home_links or [])
    return online_payment_signs(view_of(*portal, *pages), Params())


def test_a_service_page_handing_over_to_the_platform_passes() -> None:
    service = page("/thu-tuc/3", links=[link(PLATFORM, "Thanh toán lệ phí")])
    assert _payment(service).status is Status.PASS


def test_the_payment_page_handing_over_passes() -> None:
    paying = page("/thanh-toan", links=[link(PLATFORM, "Đến Nền tảng thanh toán")])
    outcome = _payment(paying, home_links=[nav_link("/thanh-toan", "Thanh toán trực tuyến")])
    assert outcome.status is Status.PASS and outcome.pages == (url("/thanh-toan"),)


def test_a_payment_menu_item_leading_straight_to_the_platform_passes() -> None:
    outcome = _payment(home_links=[nav_link(PLATFORM, "Thanh toán trực tuyến")])
    assert outcome.status is Status.PASS


def test_a_partner_logo_in_the_footer_does_not_count() -> None:
    # Loose rule: any link to a platform on any page passed.
    logo = link("https://payoo.vn/", "Payoo", region="footer")
    service = page("/thu-tuc/3", links=[logo])
    outcome = _payment(service, home_links=[logo])
    assert outcome.status is Status.FAIL
    assert any("site frame" in f.message.en for f in outcome.findings)


def test_a_banner_on_the_homepage_does_not_count() -> None:
    outcome = _payment(home_links=[link("https://momo.vn/khuyen-mai", "Thanh toán bằng MoMo")])
    assert outcome.status is Status.FAIL


def test_a_resource_loaded_from_the_platform_does_not_count() -> None:
    # Loose rule: a script requested from a platform host passed.
    service = page("/thu-tuc/3").model_copy(update={"requests": [
        Request(url="https://pay.gov.vn/sdk/widget.js", resource_type="script", status=200)]})
    outcome = _payment(service)
    assert outcome.status is Status.FAIL
    assert any("only loads a resource" in f.message.en for f in outcome.findings)


# -- discoverable: nothing found is nothing to find ----------------------------------------------


def test_discoverable_cannot_pass_without_a_service() -> None:
    # Loose rule: no service, so none blocked and none missing from the sitemap: a pass.
    b = bundle([start_page(title="Cổng")]).model_copy(update={
        "robots": Robots(url=url("/robots.txt"), status=200, body="User-agent: *\n"),
        "sitemap": Sitemap(url=url("/sitemap.xml"), status=200, url_count=1, urls=[url("/")])})
    outcome = search_engine_discoverable(view(b), Params())
    assert outcome.status is Status.FAIL
    assert outcome.findings[0].message.en == "No service page was found for search engines to read."


# -- a guide in a minority language holds that language ------------------------------------------


def _minority(**kw: Any) -> bool:
    guide = GuidePage(url=url("/huong-dan/1"), final_url=url("/huong-dan/1"), status=200,
                      title=kw.pop("title", "Hướng dẫn"), **kw)
    journeys = Journeys(guides=GuidesJourney(found=True, index_url=url("/huong-dan"),
                                             pages=[guide]))
    outcome = guides_multimedia(view_of(journeys=journeys), GUIDES)
    return bool(outcome.data["minority"])


def test_naming_the_language_is_not_writing_in_it() -> None:
    # Loose rule: "tiếng Mông" in a title was a guide in tiếng Mông.
    assert not _minority(title="Hướng dẫn tra cứu hồ sơ bằng tiếng Mông",
                         text="Hướng dẫn dành cho đồng bào dân tộc Mông bằng tiếng H'Mông.")


@pytest.mark.parametrize("kw", [
    {"langs": ["hmn"]},
    {"langs": ["km-KH"]},
    {"text": "Kev saib cov ntaub ntawv: nkag mus rau ntawm Tra cứu hồ sơ."},
    {"text": "ការណែនាំអំពីការដាក់ពាក្យសុំ"},  # Khmer
    {"text": "ꨀꨁꨂꨃꨄꨅꨆꨇꨈꨉꨊ"},  # Cham
    {"text": "ꪀꪁꪂꪃꪄꪅꪆꪇꪈꪉꪊ"},  # Tai Viet
])
def test_a_guide_written_in_a_minority_language_counts(kw: dict[str, Any]) -> None:
    assert _minority(**kw)


@pytest.mark.parametrize("text", [
    "Kev saib: nkag mus rau Tra cứu hồ sơ.",  # two Hmong words: a name, not a sentence
    "ការណែនាំ",  # eight Khmer letters: a word in a heading
    # Vietnamese whose folded words are Tày ones ("bản", "mì", "hất" → ban, mi, hat).
    "Bán bản sao, mì gói; hát ca, hắt hơi: ban mi hat.",
])
def test_too_little_of_a_language_does_not_count(text: str) -> None:
    assert not _minority(text=text)
