"""Functionality checks on hand-built evidence, with the params of the shipped vn-2023 profile."""

from __future__ import annotations

from typing import Any

import pytest

from evaluator.checks.functionality import (
    CatalogueParams,
    ClicksParams,
    RolePageParams,
    SearchParams,
    StatusLookupParams,
    catalogue_published,
    hotline_published,
    role_page,
    search_works,
    services_within_clicks,
    status_lookup_answers,
)
from evaluator.checks.functionality import PhoneParams as HotlineParams
from evaluator.checks.model import MissingEvidence, Outcome, Status
from evaluator.evidence import Form, FormInput, Page, SearchRun
from tests.unit.evidence_factory import (
    CATALOGUE_PATH,
    faq_text,
    link,
    nav_link,
    page,
    portal_pages,
    search_journey,
    search_run,
    service_links,
    shipped_params,
    start_page,
    status_lookup,
    url,
    view,
    view_of,
    vocabulary,
)
from tests.unit.evidence_factory import bundle as make_bundle

# -- catalogue_published ------------------------------------------------------------------------

CATALOGUE = shipped_params("service-catalogue")


def test_shipped_catalogue_params_are_the_documented_ones() -> None:
    assert CatalogueParams(min_services=20, min_labelled_share=0.9) == CATALOGUE


def test_catalogue_with_enough_labelled_services_passes() -> None:
    outcome = catalogue_published(view_of(*portal_pages(22)), CATALOGUE)
    assert outcome.status is Status.PASS
    assert outcome.score == 1.0
    assert outcome.value == 22
    assert outcome.data["services"] == 22
    assert outcome.pages == (url(CATALOGUE_PATH),)


def test_catalogue_missing_fails_with_a_finding_on_the_homepage() -> None:
    home = start_page(links=[nav_link("/gioi-thieu", "Giới thiệu")])
    outcome = catalogue_published(view_of(home), CATALOGUE)
    assert outcome.status is Status.FAIL
    assert outcome.score == 0.0
    assert outcome.display_value.en == "no catalogue found"
    assert outcome.findings[0].page_url == url("/")


def test_catalogue_link_whose_target_was_not_crawled_fails() -> None:
    pages = portal_pages(22)[:1]  # the homepage links the catalogue, which is not in the bundle
    assert catalogue_published(view_of(*pages), CATALOGUE).status is Status.FAIL


@pytest.mark.parametrize(("services", "status"), [(20, Status.PASS), (19, Status.FAIL)])
def test_catalogue_needs_min_services_inclusive(services: int, status: Status) -> None:
    outcome = catalogue_published(view_of(*portal_pages(services)), CATALOGUE)
    assert outcome.status is status
    assert outcome.value == services


@pytest.mark.parametrize(("labelled", "status"), [(18, Status.PASS), (17, Status.FAIL)])
def test_catalogue_labelled_share_boundary_is_inclusive(labelled: int, status: Status) -> None:
    # 18 of 20 labelled is exactly the 0.9 the profile asks for.
    outcome = catalogue_published(view_of(*portal_pages(20, labelled=labelled)), CATALOGUE)
    assert outcome.status is status
    assert outcome.data["labelled"] == labelled


def test_catalogue_lists_unlabelled_services_as_findings() -> None:
    outcome = catalogue_published(view_of(*portal_pages(20, labelled=17)), CATALOGUE)
    unlabelled = [f for f in outcome.findings if "without its level" in f.message.en]
    assert [f.snippet for f in unlabelled] == ["Thủ tục số 17", "Thủ tục số 18", "Thủ tục số 19"]


def test_catalogue_counts_full_and_partial_levels() -> None:
    home = start_page(links=[nav_link(CATALOGUE_PATH, "Thủ tục hành chính")])
    catalogue = page(CATALOGUE_PATH, links=service_links(20, full=5))
    outcome = catalogue_published(view_of(home, catalogue), CATALOGUE)
    assert outcome.data == {"services": 20, "labelled": 20, "full": 5, "partial": 15, "info": 0,
                            "full_share": 0.25, "stated_total": None, "list_pages": 1,
                            "walked_pages": 0}


def test_catalogue_spread_over_pagination_counts_every_page() -> None:
    outcome = catalogue_published(view_of(*portal_pages(25, per_catalogue_page=10)), CATALOGUE)
    assert outcome.value == 25
    assert len(outcome.pages) == 3


def test_catalogue_menu_label_matches_without_diacritics_or_case() -> None:
    pages = portal_pages(22, catalogue_label="THU TUC HANH CHINH")
    assert catalogue_published(view_of(*pages), CATALOGUE).status is Status.PASS


def test_catalogue_found_one_level_below_the_homepage() -> None:
    home = start_page(links=[nav_link("/dich-vu", "Dịch vụ")])
    menu = page("/dich-vu", links=[nav_link(CATALOGUE_PATH, "Danh mục thủ tục")])
    catalogue = page(CATALOGUE_PATH, links=service_links(20))
    assert catalogue_published(view_of(home, menu, catalogue), CATALOGUE).status is Status.PASS


def test_catalogue_ignores_stray_content_links_and_menu_links() -> None:
    home = start_page(links=[nav_link(CATALOGUE_PATH, "Thủ tục hành chính"),
                             nav_link("/lien-he", "Liên hệ")])
    catalogue = page(CATALOGUE_PATH, links=[
        nav_link("/lien-he", "Liên hệ"),
        *service_links(20),
        link("/tin-tuc/1", "Xem thêm tin tức"),
        link("https://other.gov.vn/thu-tuc/99", "Thủ tục ở cổng khác"),
        link("/thu-tuc/empty", "   "),
    ])
    assert catalogue_published(view_of(home, catalogue), CATALOGUE).value == 20


# -- search_works -------------------------------------------------------------------------------

SEARCH = shipped_params("service-search")


def test_shipped_search_params_are_the_documented_ones() -> None:
    assert SearchParams(top_k=5, min_share=1.0) == SEARCH


def _search(*runs: SearchRun, **kw: Any) -> Outcome:
    return search_works(view(make_bundle([start_page()], journeys=search_journey(*runs, **kw))),
                        SEARCH)


def test_search_without_journey_raises_missing_evidence() -> None:
    with pytest.raises(MissingEvidence, match=r"journeys\.search"):
        search_works(view_of(start_page()), SEARCH)


def test_search_without_form_fails_with_the_journey_reason() -> None:
    outcome = _search(form_found=False, error="no search form on 12 pages")
    assert outcome.status is Status.FAIL
    assert outcome.score == 0.0
    # The gatherer's reason is evidence, kept as it is; the sentence around it is bilingual.
    assert outcome.findings[0].value == "no search form on 12 pages"
    assert outcome.findings[0].message.en == "No site search form on the homepage or any page"


def test_search_finding_every_query_passes() -> None:
    outcome = _search(
        search_run("khai sinh", ["Đăng ký khai sinh"]),
        search_run("đăng ký kết hôn", ["Đăng ký kết hôn"]),
        search_run("dang ky ket hon", ["Tin tức", "Đăng ký kết hôn có yếu tố nước ngoài"]),
    )
    assert outcome.status is Status.PASS
    assert outcome.score == 1.0
    assert outcome.data["relevant"] == 3
    assert outcome.findings == ()


def test_search_score_is_the_exact_share_of_good_queries() -> None:
    outcome = _search(
        search_run("khai sinh", ["Đăng ký khai sinh"]),
        search_run("đăng ký kết hôn", ["Đăng ký kết hôn"]),
        search_run("dang ky ket hon", ["Tin tức", "Thông báo"]),
    )
    assert outcome.status is Status.FAIL
    assert outcome.score == 2 / 3
    assert outcome.value == 0.6667
    assert outcome.findings[0].message.en == "Search for 'dang ky ket hon': no relevant result in the top 5"


def test_search_hit_must_be_within_top_k() -> None:
    fillers = [f"Tin {i}" for i in range(4)]
    at_5 = _search(search_run("khai sinh", [*fillers, "Đăng ký khai sinh"]))
    at_6 = _search(search_run("khai sinh", [*fillers, "Tin 4", "Đăng ký khai sinh"]))
    assert at_5.status is Status.PASS
    assert at_6.status is Status.FAIL


@pytest.mark.parametrize(
    ("run", "why"),
    [
        (search_run("khai sinh", []), "no results"),
        (search_run("khai sinh", ["Đăng ký khai sinh"], status=500), "HTTP 500"),
        (search_run("khai sinh", ["Đăng ký khai sinh"], error="Timeout 30000ms"), "Timeout 30000ms"),
    ],
)
def test_search_failure_reason_is_reported(run: SearchRun, why: str) -> None:
    outcome = _search(run)
    assert outcome.status is Status.FAIL
    assert outcome.findings[0].message.en == f"Search for 'khai sinh': {why}"


def test_search_form_with_no_runs_fails() -> None:
    outcome = _search()
    assert outcome.status is Status.FAIL
    assert outcome.score == 0.0


def test_search_lower_min_share_lets_a_partial_result_pass() -> None:
    journeys = search_journey(search_run("khai sinh", ["Đăng ký khai sinh"]),
                              search_run("kết hôn", []))
    outcome = search_works(view(make_bundle([start_page()], journeys=journeys)),
                           SearchParams(top_k=5, min_share=0.5))
    assert outcome.status is Status.PASS
    assert outcome.score == 0.5


# -- status_lookup_answers -----------------------------------------------------------------------

LOOKUP = shipped_params("status-lookup")


def _lookup(params: StatusLookupParams = LOOKUP, **kw: Any) -> Outcome:
    return status_lookup_answers(view(make_bundle([start_page()], journeys=status_lookup(**kw))),
                                 params)


def test_status_lookup_without_journey_raises_missing_evidence() -> None:
    with pytest.raises(MissingEvidence, match=r"journeys\.status_lookup"):
        status_lookup_answers(view_of(start_page()), LOOKUP)


def test_status_lookup_with_not_found_answer_passes() -> None:
    outcome = _lookup()
    assert outcome.status is Status.PASS
    assert outcome.score == 1.0
    assert "không tìm thấy" in outcome.display_value.en


def test_status_lookup_answer_matches_without_diacritics() -> None:
    assert _lookup(text="KHONG TIM THAY HO SO NAO VOI MA NAY").status is Status.PASS


def test_status_lookup_without_form_fails() -> None:
    outcome = _lookup(form_found=False)
    assert outcome.status is Status.FAIL
    assert outcome.display_value.en == "no status-lookup form found"


@pytest.mark.parametrize(("kw", "why"), [
    ({"status": 500}, "HTTP 500"),
    ({"status": None}, "no HTTP response"),
    ({"error": "net::ERR_CONNECTION_RESET"}, "net::ERR_CONNECTION_RESET"),
    ({"text": "   "}, "blank page"),
])
def test_status_lookup_errors_and_blank_pages_fail(kw: dict[str, object], why: str) -> None:
    outcome = _lookup(**kw)
    assert outcome.status is Status.FAIL
    assert outcome.score == 0.0
    assert outcome.display_value.en.endswith(why)


def test_status_lookup_min_text_chars_boundary() -> None:
    answer = "Không tìm thấy hồ sơ"  # exactly 20 characters
    assert len(answer) == 20
    assert _lookup(text=answer).status is Status.PASS
    assert _lookup(StatusLookupParams(min_text_chars=21), text=answer).status is Status.FAIL


def test_status_lookup_answer_without_known_wording_needs_review() -> None:
    outcome = _lookup(text="Hồ sơ 000.00.00.H99-250101-9999: đang chờ xử lý tại bộ phận một cửa.")
    assert outcome.status is Status.NEEDS_REVIEW
    assert outcome.score == 0.0


# -- services_within_clicks ----------------------------------------------------------------------

CLICKS = shipped_params("services-within-three-clicks")


def test_shipped_clicks_params_follow_tt32() -> None:
    assert ClicksParams(max_clicks=3, min_share=1.0) == CLICKS


def test_services_two_clicks_away_pass() -> None:
    outcome = services_within_clicks(view_of(*portal_pages(22)), CLICKS)
    assert outcome.status is Status.PASS
    assert outcome.score == 1.0
    assert outcome.display_value.en == "22 of 22 services within 3 clicks (deepest: 2)"


def test_services_without_catalogue_fail() -> None:
    outcome = services_within_clicks(view_of(start_page()), CLICKS)
    assert outcome.status is Status.FAIL
    assert outcome.score == 0.0


def test_services_depth_three_passes_and_depth_four_fails() -> None:
    # 8 per catalogue page: page 1's services are 2 clicks away, page 2's 3, page 3's 4.
    outcome = services_within_clicks(view_of(*portal_pages(22, per_catalogue_page=8)), CLICKS)
    assert outcome.status is Status.FAIL
    assert outcome.score == 16 / 22
    assert outcome.data == {"services": 22, "within": 16}
    assert {f.value for f in outcome.findings} == {"4"}
    assert [f.page_url for f in outcome.findings] == [url(f"/thu-tuc/{n}") for n in range(16, 22)]


def test_services_min_share_lowers_the_bar() -> None:
    outcome = services_within_clicks(view_of(*portal_pages(22, per_catalogue_page=8)),
                                     ClicksParams(max_clicks=3, min_share=0.7))
    assert outcome.status is Status.PASS
    assert outcome.score == 16 / 22


def test_services_only_in_the_sitemap_have_no_click_depth() -> None:
    home = start_page(links=[nav_link(CATALOGUE_PATH, "Thủ tục hành chính")])
    first = page(CATALOGUE_PATH, links=service_links(10))
    # Page 2 was found through the sitemap: no link leads to it.
    second = page(f"{CATALOGUE_PATH}?page=2", found_via="sitemap", depth=None,
                  links=service_links(10, start=10))
    outcome = services_within_clicks(view_of(home, first, second), CLICKS)
    assert outcome.score == 0.5
    assert outcome.findings[0].message.en == "'Thủ tục số 10' needs more than 3 clicks"
    assert outcome.findings[0].value is None


def test_services_findings_are_capped_at_fifteen() -> None:
    outcome = services_within_clicks(view_of(*portal_pages(60, per_catalogue_page=20)), CLICKS)
    assert outcome.data == {"services": 60, "within": 40}
    assert len(outcome.findings) == 15


# -- role_page, measure: link (feedback) -----------------------------------------------------------------

FEEDBACK = shipped_params("feedback-channel")


def test_shipped_feedback_params_accept_email() -> None:
    assert RolePageParams(role="feedback", accept_mailto=True) == FEEDBACK


def _feedback(href: str, *targets: Page, params: RolePageParams = FEEDBACK) -> Outcome:
    home = start_page(links=[nav_link(href, "Phản ánh, kiến nghị")])
    return role_page(view_of(home, *targets), params)


FEEDBACK_FORM = Form(index=0, action=url("/phan-anh"), text="Tiêu đề Nội dung Gửi phản ánh",
                     inputs=[FormInput(name="tieu-de", label="Tiêu đề"),
                             FormInput(name="noi-dung", type="textarea", label="Nội dung")])


def test_feedback_link_to_working_page_passes() -> None:
    outcome = _feedback("/phan-anh", page("/phan-anh", forms=[FEEDBACK_FORM]))
    assert outcome.status is Status.PASS
    assert outcome.score == 1.0
    assert outcome.pages == (url("/phan-anh"),)


@pytest.mark.parametrize(("target", "why"), [
    (page("/phan-anh", status=404), "HTTP 404"),
    (page("/phan-anh", status=None, error="net::ERR_NAME_NOT_RESOLVED"), "net::ERR_NAME_NOT_RESOLVED"),
])
def test_feedback_link_to_broken_page_fails(target: Page, why: str) -> None:
    outcome = _feedback("/phan-anh", target)
    assert outcome.status is Status.FAIL
    assert outcome.display_value.en.endswith(why)


def test_feedback_mailto_passes_only_when_accepted() -> None:
    assert _feedback("mailto:gopy@example.gov.vn").status is Status.PASS
    refused = _feedback("mailto:gopy@example.gov.vn",
                        params=RolePageParams(role="feedback", accept_mailto=False))
    assert refused.status is Status.FAIL


def test_feedback_target_outside_the_crawl_needs_review() -> None:
    outcome = _feedback("/phan-anh")
    assert outcome.status is Status.NEEDS_REVIEW
    assert outcome.score == 0.0


def test_feedback_without_link_fails() -> None:
    outcome = role_page(view_of(start_page()), FEEDBACK)
    assert outcome.status is Status.FAIL
    assert outcome.display_value.en == "no such link"


def test_feedback_link_trailing_slash_and_fragment_find_the_crawled_page() -> None:
    outcome = _feedback("/phan-anh/#form", page("/phan-anh", forms=[FEEDBACK_FORM]))
    assert outcome.status is Status.PASS


def test_role_without_vocabulary_labels_raises_missing_evidence() -> None:
    with pytest.raises(MissingEvidence, match=r"labels\.newsletter"):
        role_page(view_of(start_page()), RolePageParams(role="newsletter"))


# -- role_page, measure: questions (FAQ) --------------------------------------------------------

FAQ = shipped_params("faq")


def _faq(*targets: Page, href: str = "/hoi-dap", params: RolePageParams = FAQ) -> Outcome:
    home = start_page(links=[nav_link(href, "Hỏi đáp")])
    return role_page(view_of(home, *targets), params)


@pytest.mark.parametrize(("questions", "status"), [(10, Status.PASS), (9, Status.FAIL)])
def test_faq_needs_min_questions_inclusive(questions: int, status: Status) -> None:
    outcome = _faq(page("/hoi-dap", text=faq_text(questions)))
    assert outcome.status is status
    assert outcome.value == questions


def test_faq_counts_a_repeated_question_once() -> None:
    text = faq_text(9) + "\n" + faq_text(9)
    assert _faq(page("/hoi-dap", text=text)).value == 9


def test_faq_ignores_short_question_marks() -> None:
    text = faq_text(9) + "\nSao?\nGì vậy?\n"
    assert _faq(page("/hoi-dap", text=text)).value == 9


def test_faq_without_link_fails() -> None:
    outcome = role_page(view_of(start_page()), FAQ)
    assert outcome.status is Status.FAIL
    assert outcome.display_value.en == "no FAQ link"


def test_faq_link_not_crawled_needs_review() -> None:
    assert _faq().status is Status.NEEDS_REVIEW


def test_faq_broken_page_fails() -> None:
    outcome = _faq(page("/hoi-dap", status=500, text=faq_text(12)))
    assert outcome.status is Status.FAIL
    assert outcome.display_value.en == "FAQ page: HTTP 500"


# -- hotline_published ---------------------------------------------------------------------------

HOTLINE = shipped_params("hotline")


def test_hotline_tel_link_passes() -> None:
    home = start_page(text="Trang chủ", links=[link("tel:19001234", "Gọi tổng đài")])
    outcome = hotline_published(view_of(home), HOTLINE)
    assert outcome.status is Status.PASS
    assert outcome.value == "tel:19001234"


@pytest.mark.parametrize("number", [
    "1900 1234", "1900.1234", "18001096", "1900 6789 12", "024 3823 4567", "0243.823.4567",
    "0912 345 678", "0912345678",
])
def test_hotline_number_in_homepage_text_passes(number: str) -> None:
    home = start_page(text=f"Tổng đài hỗ trợ: {number} (giờ hành chính)")
    outcome = hotline_published(view_of(home), HOTLINE)
    assert outcome.status is Status.PASS
    assert outcome.value == number


@pytest.mark.parametrize("number", ["(024) 3823 4567", "(0236) 3822 555", "024-3823-4567", "1900-1234",
                                    "+84 24 3823 4567"])
def test_hotline_common_vietnamese_formats_pass(number: str) -> None:
    home = start_page(text=f"Điện thoại: {number}")
    assert hotline_published(view_of(home), HOTLINE).status is Status.PASS


@pytest.mark.parametrize(("text", "number"), [
    ("ĐT: 0236.3822.555 - Fax: 0236.3822.556", "0236.3822.555"),
    ("Liên hệ (+84) 236 3822 555.", "(+84) 236 3822 555"),
    ("Hotline +84 (0)24 3823 4567", "+84 (0)24 3823 4567"),
    ("Điện thoại: 024 3823 4567/68", "024 3823 4567"),
    ("Gọi 0912-345-678 hoặc 1900 6789 12", "0912-345-678"),
])
def test_hotline_value_is_exactly_the_number(text: str, number: str) -> None:
    assert hotline_published(view_of(start_page(text=text)), HOTLINE).value == number


@pytest.mark.parametrize("text", [
    "Bản quyền 2024 UBND tỉnh. Cập nhật 12/03/2024.",
    "Mã hồ sơ 000.00.00.H99-250101-9999",
    "Có 1234 thủ tục, 567 dịch vụ toàn trình",
    # Dates, years, postal codes, document and tax numbers are not phone numbers.
    "Ngày 23/11/2026; 23-11-2026; 23.11.2026; 2026-11-23; 05.03.2024",
    "Giai đoạn 2020-2025, năm 1999",
    "Mã bưu chính: 100000 (Hà Nội), 550000",
    "Quyết định số 1033/QĐ-BTTTT ngày 23/11/2026",
    "Thông tư 32/2017/TT-BTTTT; số 0123/2020/QĐ-UBND; Giấy phép số 07/GP-TTĐT",
    "Mã số thuế: 0100109106",
    "Mã hồ sơ H99.01-250101-0001; phiên bản 2.0.2024.1234",
    "Đã xử lý 1.234.567 hồ sơ",
])
def test_hotline_absent_fails(text: str) -> None:
    outcome = hotline_published(view_of(start_page(text=text)), HOTLINE)
    assert outcome.status is Status.FAIL
    assert outcome.score == 0.0


def test_hotline_only_on_an_inner_page_fails() -> None:
    home = start_page(text="Trang chủ", links=[nav_link("/lien-he", "Liên hệ")])
    contact = page("/lien-he", text="Tổng đài: 1900 1234")
    assert hotline_published(view_of(home, contact), HOTLINE).status is Status.FAIL


def test_hotline_without_homepage_raises_missing_evidence() -> None:
    with pytest.raises(MissingEvidence, match="pages"):
        hotline_published(view_of(page("/lien-he")), HOTLINE)


def test_hotline_pattern_param_is_used() -> None:
    # Hà Nội's short citizen hotline 1022: too short for the default pattern, which must not
    # read every four-digit number as a phone.
    home = start_page(text="Tổng đài tiếp nhận phản ánh: 1022")
    custom = HotlineParams(pattern=r"\b1022\b")
    assert hotline_published(view_of(home), HOTLINE).status is Status.FAIL
    assert hotline_published(view_of(home), custom).status is Status.PASS


# -- role_page: one check, the measure and its minimum from the params ---------------------------


@pytest.mark.parametrize("raw", [
    {"role": "faq", "measure": "questions"},                       # no minimum
    {"role": "faq", "measure": "questions", "min": 2.5},           # not a count
    {"role": "rating", "measure": "terms", "min": 1.0},            # no terms
    {"role": "rating", "measure": "terms", "terms": "rating_levels", "min": 3},  # not a share
    {"role": "feedback", "min": 1.0},                               # link takes no minimum
    {"role": "faq", "measure": "questions", "min": 10, "accept_mailto": True},
    {"role": "faq", "measure": "questions", "min": 10, "max_age_days": 31},
])
def test_role_page_params_that_do_not_fit_their_measure_are_refused(raw: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RolePageParams.model_validate(raw)


def test_role_page_names_unknown_terms_at_load_time() -> None:
    params = RolePageParams(role="rating", measure="terms", terms="no_such_list", min=1.0)
    problem = params.vocabulary_problem(vocabulary())
    assert problem is not None and problem[0] == "terms"


def test_role_page_counts_a_vocabulary_page_terms_list() -> None:
    """A criterion of a new role is data: its labels and term groups come from the vocabulary."""
    from evaluator.criteria.schema import TermGroup, Text

    groups = [TermGroup(id="personal-data", label=Text(vi="Dữ liệu cá nhân", en="Personal data"),
                        match=["dữ liệu cá nhân"]),
              TermGroup(id="purpose", label=Text(vi="Mục đích", en="Purpose"),
                        match=["mục đích"])]
    vocab = vocabulary().model_copy(update={
        "labels": {**vocabulary().labels, "privacy": ["Chính sách bảo mật"]},
        "page_terms": {"privacy_policy": groups}})
    params = RolePageParams(role="privacy", measure="terms", terms="privacy_policy", min=1.0)
    assert params.vocabulary_problem(vocab) is None
    home = start_page(links=[link("/bao-mat", "Chính sách bảo mật", region="footer")])

    def judged(text: str) -> Outcome:
        from evaluator.derived import EvidenceView

        return role_page(EvidenceView(make_bundle([home, page("/bao-mat", text=text)]), vocab),
                         params)

    both = judged("Dữ liệu cá nhân chỉ được xử lý cho mục đích giải quyết thủ tục.")
    assert both.status is Status.PASS and both.value == 1.0
    half = judged("Chúng tôi bảo vệ dữ liệu cá nhân.")
    assert half.status is Status.FAIL and half.value == 0.5
