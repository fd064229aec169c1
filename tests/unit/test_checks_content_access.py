"""Accessibility checks where axe-core is silent (issue 18): link purpose, alt text, autoplay,
dead links, obsolete markup; axe's undecided results and best-practice rules."""

from __future__ import annotations

import pytest

from evaluator.checks.access import AxeParams, axe_clean
from evaluator.checks.content_access import (
    AltTextParams,
    DeadLinkParams,
    LinkPurposeParams,
    image_alt_meaningful,
    link_purpose,
    no_autoplay_audio,
    no_dead_links,
    no_obsolete_markup,
)
from evaluator.checks.content_access import axe_needs_review as needs_review
from evaluator.checks.model import MissingEvidence, Status
from evaluator.checks.registry import Params
from evaluator.evidence import ContentAccess, ImageAlt, MediaPlayback
from evaluator.runner import run_criterion
from tests.unit.evidence_factory import (
    link,
    page,
    shipped_criterion,
    view_of,
    violation,
)

PURPOSE = LinkPurposeParams()


def _purpose(*links: object) -> Status:
    p = page("/tin-tuc", links=links)  # type: ignore[arg-type]
    return link_purpose(view_of(p), p, PURPOSE).status


def test_a_vague_link_alone_says_nothing() -> None:
    p = page("/tin-tuc", links=[link("/tin/1", "Xem thêm »", context="Xem thêm »")])
    out = link_purpose(view_of(p), p, PURPOSE)
    assert out.status is Status.FAIL and out.value == 1
    assert "Xem thêm" in out.findings[0].message.render("vi")


def test_a_vague_link_in_a_row_that_says_more_passes() -> None:
    # WCAG 2.4.4 at level A judges a link with its row: the news title beside it.
    assert _purpose(link("/tin/1", "Xem thêm", context="Ra mắt cổng dịch vụ công mới Xem thêm"),
                    link("/tin/2", "Chi tiết",
                         context="Đăng ký khai sinh - Tư pháp - Chi tiết")) is Status.PASS


@pytest.mark.parametrize("text", ["CHI TIẾT", "[Chi tiet]", "Tại đây.", "click here", "Read more ›"])
def test_vague_words_match_without_case_diacritics_or_decoration(text: str) -> None:
    assert _purpose(link("/a", text)) is Status.FAIL


def test_a_name_that_says_something_passes_alone() -> None:
    assert _purpose(link("/thu-tuc/1", "Đăng ký khai sinh")) is Status.PASS


def test_one_name_to_different_places_without_context_fails() -> None:
    p = page("/", links=[link("/huong-dan/a", "Hướng dẫn"), link("/huong-dan/b", "Hướng dẫn")])
    out = link_purpose(view_of(p), p, PURPOSE)
    assert out.status is Status.FAIL and "2" in out.findings[0].message.render("en")


def test_one_name_to_the_same_place_twice_passes() -> None:
    # The header's and the footer's "Trang chủ": one place, written "/" and "/#top".
    assert _purpose(link("/", "Trang chủ"), link("/#top", "Trang chủ")) is Status.PASS


def _image_status(*images: ImageAlt) -> Status:
    p = page("/", content_access=ContentAccess(images=list(images), images_total=len(images)))
    return image_alt_meaningful(view_of(p), p, AltTextParams()).status


@pytest.mark.parametrize("alt, file", [
    ("banner_2.jpg", "banner_2.jpg"), ("IMG_0412", "IMG_0412.JPG"), ("DSC01234", "x.png"),
    ("tru-so-ubnd", "tru-so-ubnd.png"), ("Ảnh", "a.png"), ("logo", "logo.svg"),
])
def test_alt_text_that_says_nothing_fails(alt: str, file: str) -> None:
    assert _image_status(ImageAlt(alt=alt, file=file)) is Status.FAIL


def test_alt_text_repeating_the_link_beside_it_fails() -> None:
    assert _image_status(ImageAlt(alt="Tra cứu hồ sơ", file="icon-tra-cuu.png",
                                  adjacent="Tra cứu hồ sơ")) is Status.FAIL


def test_alt_text_that_says_what_the_image_shows_passes() -> None:
    assert _image_status(ImageAlt(alt="Ủy ban nhân dân tỉnh Mẫu", file="logo.svg",
                                  adjacent="Cổng Dịch vụ công"),
                         ImageAlt(alt="Bộ phận Một cửa tỉnh", file="IMG_0412.jpg")) is Status.PASS


def test_content_checks_without_the_read_out_say_so() -> None:
    p = page("/", content_access=None)
    for check in (image_alt_meaningful, no_autoplay_audio, no_obsolete_markup):
        with pytest.raises(MissingEvidence):
            check(view_of(p), p, AltTextParams() if check is image_alt_meaningful else Params())


@pytest.mark.parametrize("media, status", [
    (MediaPlayback(tag="video", autoplay=True), Status.FAIL),
    (MediaPlayback(tag="video", autoplay=True, controls=True), Status.FAIL),
    (MediaPlayback(tag="video", autoplay=True, muted=True, audible=False), Status.PASS),
    (MediaPlayback(tag="audio", controls=True), Status.PASS),
    (MediaPlayback(tag="iframe", autoplay=True, muted=True, audible=False), Status.PASS),
    (MediaPlayback(tag="audio", playing=True), Status.FAIL),
])
def test_only_audible_media_that_starts_by_itself_fails(media: MediaPlayback,
                                                        status: Status) -> None:
    p = page("/", content_access=ContentAccess(media=[media]))
    assert no_autoplay_audio(view_of(p), p, Params()).status is status


def test_a_link_to_a_page_the_crawl_found_missing_is_a_dead_end() -> None:
    home = page("/", links=[link("/huong-dan", "Hướng dẫn"), link("/cu", "Trang cũ")])
    ok, gone = page("/huong-dan"), page("/cu", status=404)
    out = no_dead_links(view_of(home, ok, gone), home, DeadLinkParams())
    assert out.status is Status.FAIL and out.value == 1
    assert "404" in out.findings[0].message.render("en")
    # A link the crawl did not follow is not guessed.
    lone = page("/", links=[link("/khong-theo", "Không theo")])
    assert no_dead_links(view_of(lone), lone, DeadLinkParams()).status is Status.PASS


def test_obsolete_elements_are_counted_and_named() -> None:
    p = page("/", content_access=ContentAccess(obsolete={"font": 3, "center": 1},
                                               obsolete_samples=["<font> Thông báo"]))
    out = no_obsolete_markup(view_of(p), p, Params())
    assert out.status is Status.FAIL and out.value == 4
    assert "<center> × 1, <font> × 3" in out.display_value.render("en")  # type: ignore[union-attr]
    clean = page("/")
    assert no_obsolete_markup(view_of(clean), clean, Params()).status is Status.PASS


def test_undecided_axe_results_are_for_a_person_never_a_failure() -> None:
    contrast = violation("color-contrast", "serious", nodes=3, tags=("wcag2aa", "wcag143"))
    view = view_of(page("/", axe_incomplete=[contrast]), page("/thu-tuc/1", axe_incomplete=[contrast]))
    out = needs_review(view, Params())
    assert out.status is Status.NEEDS_REVIEW and out.score is None and out.value == 1
    assert "WCAG 2.0 / 2.1 SC 1.4.3" in out.findings[0].message.render("en")
    assert out.findings[0].value == "6"
    assert needs_review(view_of(page("/")), Params()).status is Status.PASS
    # The criterion is worth nothing: needs_review costs the portal no point.
    assert shipped_criterion("accessibility-needs-review").points == 0


def test_undecided_results_not_recorded_are_missing_not_passed() -> None:
    with pytest.raises(MissingEvidence):
        needs_review(view_of(page("/", axe_incomplete=None)), Params())


def test_best_practice_rules_score_apart_from_wcag_on_the_same_curve() -> None:
    region = violation("region", "moderate", tags=("cat.keyboard", "best-practice"))
    p = page("/", axe=[], axe_best_practice=[region])
    wcag = axe_clean(view_of(p), AxeParams())
    best = axe_clean(view_of(p), AxeParams(rules="best_practice"))
    assert wcag.status is Status.PASS
    assert best.status is Status.FAIL and best.score == pytest.approx(2 ** (-0.1 / 0.5))
    assert "not required by WCAG" in best.display_value.render("en")  # type: ignore[union-attr]
    # Bundles gathered before best practices were run: missing, not clean.
    old = page("/", axe=[], axe_best_practice=None)
    with pytest.raises(MissingEvidence):
        axe_clean(view_of(old), AxeParams(rules="best_practice"))


def test_the_shipped_criteria_run_from_yaml() -> None:
    p = page("/", links=[link("/a", "Chi tiết")])
    result = run_criterion(shipped_criterion("link-purpose"), view_of(p))
    assert result.outcome.status is Status.FAIL
    assert run_criterion(shipped_criterion("accessibility-best-practice"),
                         view_of(page("/"))).outcome.status is Status.PASS
