"""The functionality checks built on the login, service-sample and guides journeys and on the
auditor's configuration (F02, F05, F06, F09, F13, F14, F17, F19, manual criteria)."""

from __future__ import annotations

import pytest

from evaluator.checks.functionality import (
    EssentialParams,
    GuidesParams,
    RolePageParams,
    ServiceInfoParams,
    auditor_attestation,
    essential_services_featured,
    guides_multimedia,
    host_listed,
    login_national_identity,
    online_payment_signs,
    role_page,
    search_engine_discoverable,
    service_information_complete,
)
from evaluator.checks.model import MissingEvidence, Status
from evaluator.checks.registry import Params
from evaluator.evidence import (
    FormDownload,
    GuidePage,
    GuidesJourney,
    Journeys,
    LoginJourney,
    LoginStep,
    Robots,
    ServicePageSample,
    ServiceSampleJourney,
    Sitemap,
)
from tests.unit.evidence_factory import (
    bundle,
    link,
    nav_link,
    page,
    portal_pages,
    shipped_params,
    start_page,
    url,
    view,
    view_of,
    vocabulary,
)

FULL_TEXT = " ".join(m for f in vocabulary().service_fields for m in f.match[:1])


def _sample(text: str = FULL_TEXT, forms: list[FormDownload] | None = None,
            status: int | None = 200) -> ServicePageSample:
    return ServicePageSample(url=url("/thu-tuc/1"), name="Đăng ký khai sinh",
                             final_url=url("/thu-tuc/1"), status=status, text=text,
                             forms=forms if forms is not None else [
                                 FormDownload(url=url("/bieu-mau/1.docx"), status=200,
                                              bytes=600)])


def _sampled(*pages: ServicePageSample) -> Journeys:
    return Journeys(service_sample=ServiceSampleJourney(sample_size=30, seed=2023,
                                                        services_total=len(pages),
                                                        pages=list(pages)))


INFO = shipped_params("service-information-complete")
assert isinstance(INFO, ServiceInfoParams)


def test_complete_service_pages_with_downloadable_forms_pass() -> None:
    outcome = service_information_complete(view_of(journeys=_sampled(_sample(), _sample())), INFO)
    assert outcome.status is Status.PASS and outcome.score == 1.0


def test_missing_fields_fail_with_the_mean_completeness_as_score() -> None:
    half = " ".join(m for f in vocabulary().service_fields[:5] for m in f.match[:1])
    outcome = service_information_complete(view_of(journeys=_sampled(_sample(half))), INFO)
    fields = len(vocabulary().service_fields)
    assert outcome.status is Status.FAIL
    assert outcome.value == round(5 / fields, 4)
    assert outcome.score == pytest.approx(0.75 * 5 / fields + 0.25)
    assert "Căn cứ pháp lý" in (outcome.findings[0].value or "")


def test_a_dead_or_empty_form_fails_even_with_every_field() -> None:
    dead = FormDownload(url=url("/bieu-mau/1.docx"), status=404)
    empty = FormDownload(url=url("/bieu-mau/2.docx"), status=200, bytes=0)
    outcome = service_information_complete(
        view_of(journeys=_sampled(_sample(forms=[dead, empty]))), INFO)
    assert outcome.status is Status.FAIL and outcome.score == pytest.approx(0.75)
    assert outcome.data["forms_ok"] == 0


def test_no_forms_at_all_fails() -> None:
    outcome = service_information_complete(view_of(journeys=_sampled(_sample(forms=[]))), INFO)
    assert outcome.status is Status.FAIL


def test_service_sample_missing_is_missing_evidence() -> None:
    with pytest.raises(MissingEvidence):
        service_information_complete(view_of(), INFO)


# -- F05 ------------------------------------------------------------------------------------------


def _discoverable(robots: str = "User-agent: *\nDisallow: /quan-tri/\n",
                  sitemap: Sitemap | None = None) -> Status:
    pages = portal_pages(3)
    b = bundle(pages).model_copy(update={
        "robots": Robots(url=url("/robots.txt"), status=200, body=robots),
        "sitemap": sitemap if sitemap is not None else Sitemap(
            url=url("/sitemap.xml"), status=200, url_count=3,
            urls=[url(f"/thu-tuc/{i}") for i in range(3)]),
    })
    pages_titled = [p.model_copy(update={"title": "Cổng"}) for p in b.pages]
    return search_engine_discoverable(view(b.model_copy(update={"pages": pages_titled})),
                                      Params()).status


def test_listed_unblocked_titled_services_are_discoverable() -> None:
    assert _discoverable() is Status.PASS


def test_robots_blocking_services_or_no_sitemap_fails() -> None:
    assert _discoverable(robots="User-agent: *\nDisallow: /thu-tuc/\n") is Status.FAIL
    assert _discoverable(sitemap=Sitemap(url=url("/sitemap.xml"), status=404,
                                         error="HTTP 404")) is Status.FAIL


# -- F06 ------------------------------------------------------------------------------------------


def _login(identity_url: str | None, *, found: bool = True, password: bool = False,
           trusted: tuple[str, ...] = ()) -> Status:
    journey = LoginJourney(link_found=found, link_text="Đăng nhập",
                           steps=[LoginStep(url=url("/dang-nhap"), final_url=url("/dang-nhap"),
                                            status=200)],
                           identity_url=identity_url, password_form=password)
    b = bundle([start_page()], journeys=Journeys(login=journey))
    b = b.model_copy(update={"settings": {"trusted_identity_hosts": list(trusted)}})
    return login_national_identity(view(b), Params()).status


def test_login_handed_to_an_allow_listed_provider_passes() -> None:
    assert _login("https://sso.dancuquocgia.gov.vn/auth?response_type=code") is Status.PASS
    assert _login("https://xacthuc.dichvucong.gov.vn/oauth2/authorize") is Status.PASS


def test_own_provider_local_form_or_no_link_fails() -> None:
    assert _login("https://sso.tinh.gov.vn/auth") is Status.FAIL
    assert _login("https://sso.dancuquocgia.gov.vn.evil.example/auth") is Status.FAIL
    assert _login(None, password=True) is Status.FAIL
    assert _login(None, found=False) is Status.FAIL


def test_a_trusted_loopback_stand_in_counts_only_when_configured() -> None:
    assert _login("http://127.0.0.1:4100/auth") is Status.FAIL
    assert _login("http://127.0.0.1:4100/auth", trusted=("127.0.0.1:4100",)) is Status.PASS
    assert _login("http://127.0.0.1:4101/auth", trusted=("127.0.0.1:4100",)) is Status.FAIL


def test_host_listed_matches_subdomains_not_lookalikes() -> None:
    hosts = ["pay.gov.vn"]
    assert host_listed("https://www.pay.gov.vn/x", hosts) == "pay.gov.vn"
    assert host_listed("https://pay.gov.vn.example.com/", hosts) is None
    assert host_listed("https://notpay.gov.vn/", hosts) is None


# -- F09 ------------------------------------------------------------------------------------------


def test_a_link_to_a_payment_platform_passes_a_label_alone_fails() -> None:
    # A service page of the catalogue hands over to the platform.
    pages = portal_pages(22)
    paying = page("/thu-tuc/1", links=[link("https://thanhtoan.dichvucong.gov.vn/p/home/x.html",
                                            "Thanh toán lệ phí")])
    assert online_payment_signs(view_of(*pages, paying), Params()).status is Status.PASS
    labelled = start_page(links=[nav_link("/thanh-toan", "Thanh toán trực tuyến")])
    outcome = online_payment_signs(view_of(labelled, page("/thanh-toan")), Params())
    assert outcome.status is Status.FAIL and len(outcome.findings) == 2


# -- F13, F14 -------------------------------------------------------------------------------------

RATING = shipped_params("satisfaction-rating")
STATS = shipped_params("published-statistics")
assert isinstance(RATING, RolePageParams) and isinstance(STATS, RolePageParams)


def _role_page(label: str, path: str, text: str) -> list:  # type: ignore[type-arg]
    return [start_page(links=[nav_link(path, label)]), page(path, text=text)]


def test_rating_page_with_the_three_levels_passes() -> None:
    pages = _role_page("Đánh giá sự hài lòng", "/danh-gia",
                       "Rất hài lòng · Hài lòng · Chưa hài lòng")
    assert role_page(view_of(*pages), RATING).status is Status.PASS
    two = _role_page("Đánh giá sự hài lòng", "/danh-gia", "Rất hài lòng · Hài lòng")
    assert role_page(view_of(*two), RATING).status is Status.FAIL
    assert role_page(view_of(start_page()), RATING).status is Status.FAIL


STATS_TEXT = ("tiếp nhận trực tuyến 10; đã giải quyết 9; đúng hạn 98%; tổng số hồ sơ 20; "
              "hài lòng 95%")


def test_statistics_must_be_complete_and_fresh() -> None:
    # The factory's bundles start on 2025-01-01.
    fresh = _role_page("Thống kê", "/thong-ke", f"Cập nhật 15/12/2024. {STATS_TEXT}")
    assert role_page(view_of(*fresh), STATS).status is Status.PASS
    stale = _role_page("Thống kê", "/thong-ke", f"Cập nhật 15/12/2022. {STATS_TEXT}")
    outcome = role_page(view_of(*stale), STATS)
    assert outcome.status is Status.FAIL and outcome.score == 0.5
    undated = _role_page("Thống kê", "/thong-ke", STATS_TEXT)
    assert role_page(view_of(*undated), STATS).status is Status.FAIL


# -- F17 ------------------------------------------------------------------------------------------


def _guides(*pages: GuidePage, found: bool = True) -> Journeys:
    return Journeys(guides=GuidesJourney(found=found, index_url=url("/huong-dan"),
                                         pages=list(pages)))


def _guide(**kw: object) -> GuidePage:
    return GuidePage(url=url("/huong-dan/a"), final_url=url("/huong-dan/a"), status=200,
                     title="Hướng dẫn", **kw)  # type: ignore[arg-type]


GUIDES = shipped_params("guides-multimedia")
assert isinstance(GUIDES, GuidesParams)


def test_guides_with_video_audio_and_a_minority_language_pass() -> None:
    journeys = _guides(_guide(videos=1, audios=1), _guide(langs=["hmn"]))
    outcome = guides_multimedia(view_of(journeys=journeys), GUIDES)
    assert outcome.status is Status.PASS and outcome.score == 1.0


def test_minority_language_in_its_script_and_partial_guides() -> None:
    khmer = _guides(_guide(video_embeds=1, audios=1,
                           text="Hướng dẫn bằng tiếng Khmer: ការណែនាំអំពីការដាក់ពាក្យ"))
    assert guides_multimedia(view_of(journeys=khmer), GUIDES).status is Status.PASS
    video_only = guides_multimedia(view_of(journeys=_guides(_guide(videos=1))), GUIDES)
    assert video_only.status is Status.FAIL and video_only.score == 0.5
    # "th" is Thai of Thailand, not a language of Vietnam's minorities.
    thai = guides_multimedia(view_of(journeys=_guides(_guide(langs=["th"]))), GUIDES)
    assert thai.data["minority"] is False
    none = guides_multimedia(view_of(journeys=_guides(found=False)), GUIDES)
    assert none.status is Status.FAIL and none.score == 0.0


# -- F19 ------------------------------------------------------------------------------------------

ESSENTIAL = shipped_params("essential-services-featured")
assert isinstance(ESSENTIAL, EssentialParams)


def test_essential_services_linked_from_the_homepage_body() -> None:
    names = ["Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký khai tử", "Đăng ký thường trú",
             "Cấp phiếu lý lịch tư pháp"]
    home = start_page(links=[link(f"/thu-tuc/{i}", n) for i, n in enumerate(names)])
    outcome = essential_services_featured(view_of(home), ESSENTIAL)
    assert outcome.status is Status.PASS and outcome.value == 5
    two = start_page(links=[link(f"/thu-tuc/{i}", n) for i, n in enumerate(names[:2])])
    outcome = essential_services_featured(view_of(two), ESSENTIAL)
    assert outcome.status is Status.FAIL and outcome.score == pytest.approx(0.4)
    menu = start_page(links=[nav_link(f"/thu-tuc/{i}", n) for i, n in enumerate(names)])
    assert essential_services_featured(view_of(menu), ESSENTIAL).value == 0


def test_manual_criterion_without_attestation_needs_review() -> None:
    outcome = auditor_attestation(view_of(start_page()), Params())
    assert outcome.status is Status.NEEDS_REVIEW and outcome.score is None
