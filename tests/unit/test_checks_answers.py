"""Answers wherever they appear (issue 16): a search or a status lookup answered on a new page,
in place or by the page's router; error pages served with HTTP 200; essential services on the
homepage found by activating buttons."""

from __future__ import annotations

from typing import Any

import pytest

from evaluator.checks.functionality import (
    EssentialParams,
    SearchParams,
    StatusLookupParams,
    essential_services_featured,
    search_works,
    status_lookup_answers,
)
from evaluator.checks.model import Outcome, Status
from evaluator.evidence import Journeys, SearchJourney, SearchRun, StatusLookupJourney
from tests.unit.evidence_factory import (
    bundle,
    link,
    shipped_params,
    start_page,
    url,
    view,
    view_of,
)

SEARCH = shipped_params("service-search")
LOOKUP = shipped_params("status-lookup")
ESSENTIAL = shipped_params("essential-services-featured")
assert isinstance(SEARCH, SearchParams) and isinstance(LOOKUP, StatusLookupParams)
assert isinstance(ESSENTIAL, EssentialParams)
CODE = "000.00.00.H99-250101-9999"


# -- search ----------------------------------------------------------------------------------------


def _search(*runs: SearchRun) -> Outcome:
    journeys = Journeys(search=SearchJourney(form_found=True, form_page=url("/"), form_index=0,
                                             form_kind="loose", runs=list(runs)))
    return search_works(view(bundle([start_page()], journeys=journeys)), SEARCH)


def _run(query: str, results: list[str], **kw: Any) -> SearchRun:
    return SearchRun(query=query, submitted_url=url("/"), status=200, final_url=url("/"),
                     results=[link(f"/thu-tuc/{i}", t, via="script") for i, t in
                              enumerate(results)], **kw)


def test_results_that_appeared_in_place_are_judged() -> None:
    outcome = _search(_run("khai sinh", ["Đăng ký khai sinh"], answered="in_place",
                           sent_by="button: Tìm kiếm"),
                      _run("kết hôn", ["Đăng ký kết hôn"], answered="route"))
    assert outcome.status is Status.PASS
    assert outcome.data["answered"] == ["in_place", "route"]


def test_an_error_page_served_with_200_fails_even_with_links() -> None:
    # Its links are the site's menu and a "related" box: the loose rule found "khai sinh".
    run = _run("khai sinh", ["Đăng ký khai sinh"], answered="new_page",
               text="Đã xảy ra lỗi. Vui lòng thử lại sau.")
    outcome = _search(run)
    assert outcome.status is Status.FAIL
    assert outcome.findings[0].message.en == (
        "Search for 'khai sinh': answered with an error page ('đã xảy ra lỗi')")


def test_a_search_that_changed_nothing_says_so() -> None:
    outcome = _search(_run("khai sinh", [], answered="none"))
    assert outcome.findings[0].message.en == "Search for 'khai sinh': nothing changed on the page"


def test_an_error_word_inside_another_word_is_not_an_error_page() -> None:
    # Whole words: "lỗi hệ thống" must not be read in a result titled otherwise.
    run = _run("khai sinh", ["Đăng ký khai sinh"], answered="new_page",
               text="Kết quả tìm kiếm: Đăng ký khai sinh (Hộ tịch)")
    assert _search(run).status is Status.PASS


# -- status lookup ---------------------------------------------------------------------------------

FORM_PAGE_TEXT = "Tra cứu hồ sơ\nNhập mã hồ sơ. Không tìm thấy? Gọi 1900 1234."


def _lookup(**kw: Any) -> Outcome:
    fields: dict[str, Any] = {
        "form_found": True, "form_page": url("/tra-cuu"), "form_index": 0, "code": CODE,
        "submitted_url": url("/tra-cuu"), "status": 200, "final_url": url("/tra-cuu")}
    fields.update(kw)
    journeys = Journeys(status_lookup=StatusLookupJourney(**fields))
    return status_lookup_answers(view(bundle([start_page()], journeys=journeys)), LOOKUP)


def test_a_short_answer_in_place_passes() -> None:
    outcome = _lookup(answered="in_place", text=f"{FORM_PAGE_TEXT}\nKhông tìm thấy hồ sơ",
                      new_text="Không tìm thấy hồ sơ")
    assert outcome.status is Status.PASS
    assert outcome.data["answered"] == "in_place"


def test_a_phrase_already_on_the_page_is_not_the_answer() -> None:
    # Loose rule: "Không tìm thấy?" in the form's help text passed though nothing appeared.
    nothing = _lookup(answered="in_place", text=FORM_PAGE_TEXT, new_text="")
    assert nothing.status is Status.FAIL
    other = _lookup(answered="in_place", text=f"{FORM_PAGE_TEXT}\nĐang xử lý yêu cầu của bạn",
                    new_text="Đang xử lý yêu cầu của bạn")
    assert other.status is Status.NEEDS_REVIEW
    assert "before the lookup" in other.display_value.en


def test_an_answer_by_route_is_judged_by_what_appeared() -> None:
    assert _lookup(answered="route", text=FORM_PAGE_TEXT, new_text="").status is Status.FAIL
    assert _lookup(answered="route", text=FORM_PAGE_TEXT,
                   new_text="Mã hồ sơ không tồn tại").status is Status.PASS


@pytest.mark.parametrize("text", [
    "404 - Không tìm thấy trang. Trang bạn yêu cầu không tồn tại.",
    "Không tìm thấy trang",
    "Lỗi hệ thống, vui lòng quay lại sau.",
])
def test_an_error_page_served_with_200_fails_before_its_not_found_words(text: str) -> None:
    # "Không tìm thấy trang" holds "không tìm thấy": the loose rule passed it.
    outcome = _lookup(answered="new_page", text=text)
    assert outcome.status is Status.FAIL
    assert "error page" in outcome.display_value.en


def test_a_new_page_is_judged_whole() -> None:
    assert _lookup(answered="new_page",
                   text="Kết quả tra cứu: không tìm thấy hồ sơ nào.").status is Status.PASS
    assert _lookup(text="Kết quả tra cứu: không tìm thấy hồ sơ nào.").status is Status.PASS


def test_a_lookup_that_changed_nothing_fails() -> None:
    outcome = _lookup(answered="none", text=FORM_PAGE_TEXT)
    assert outcome.status is Status.FAIL
    assert outcome.display_value.en.endswith("nothing changed on the page")


# -- essential services found by activation ------------------------------------------------------


NAMES = ["Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký khai tử", "Đăng ký thường trú",
         "Cấp phiếu lý lịch tư pháp"]


@pytest.mark.parametrize("via", ["click", "route", "popup", "script"])
def test_essential_services_behind_buttons_count(via: str) -> None:
    home = start_page(links=[link(f"/dv/{i}", n, region="other", via=via,  # type: ignore[arg-type]
                                  element="div onclick") for i, n in enumerate(NAMES)])
    outcome = essential_services_featured(view_of(home), ESSENTIAL)
    assert outcome.status is Status.PASS and outcome.value == 5
    assert all(f"({via})" in (f.value or "") for f in outcome.findings)


def test_a_card_named_by_its_row_counts() -> None:
    # The card's button says "Nộp hồ sơ"; the card around it names the service.
    home = start_page(links=[link(f"/dv/{i}", "", context=f"{n} Nộp trực tuyến", via="click",
                                  element="button") for i, n in enumerate(NAMES)])
    assert essential_services_featured(view_of(home), ESSENTIAL).value == 5
