"""Convenient-access checks: axe, page language, mobile viewport, sideways scrolling."""

from __future__ import annotations

from typing import Any

import pytest

from evaluator.checks.access import (
    AxeParams,
    LangParams,
    ScrollParams,
    ViewportParams,
    axe_clean,
    html_lang,
    no_horizontal_scroll,
    viewport_meta_sane,
)
from evaluator.checks.model import MissingEvidence, Status
from evaluator.runner import run_criterion
from tests.unit.evidence_factory import (
    bundle,
    key_page,
    page,
    shipped_criterion,
    shipped_params,
    start_page,
    view,
    view_of,
    violation,
)

AXE = shipped_params("accessibility-wcag-aa")
LANG = shipped_params("page-language-declared")
VIEWPORT = shipped_params("mobile-viewport")
SCROLL = shipped_params("mobile-no-horizontal-scroll")
VIEW = view_of(start_page())


def test_shipped_access_params() -> None:
    assert AxeParams() == AXE
    assert LangParams(expected_prefix="vi") == LANG
    assert ViewportParams(min_maximum_scale=2.0) == VIEWPORT
    assert ScrollParams(tolerance_px=1) == SCROLL


# -- axe_clean ----------------------------------------------------------------------------------

def test_axe_without_violations_passes() -> None:
    outcome = axe_clean(VIEW, page("/", axe=[]), AXE)
    assert outcome.status is Status.PASS
    assert outcome.score == 1.0


@pytest.mark.parametrize(("impacts", "score"), [
    (["critical"], 0.5),
    (["serious"], 0.75),
    (["moderate"], 0.9),
    (["minor"] * 4, 0.8),
    (["critical", "serious", "moderate"], 0.15),
    ([None], 0.95),  # an unrated rule costs as much as a minor one
    (["blocker"], 0.95),  # an impact the weights do not know costs as much as a minor one
    (["critical"] * 3, 0.0),  # floored at 0, never negative
])
def test_axe_score_is_one_minus_summed_impact_weights(impacts: list[str | None], score: float) -> None:
    axe = [violation(f"rule-{i}", impact) for i, impact in enumerate(impacts)]
    outcome = axe_clean(VIEW, page("/", axe=axe), AXE)
    assert outcome.status is Status.FAIL
    assert outcome.score == pytest.approx(score)
    assert outcome.value == len(impacts)
    assert outcome.unit == "rules"


def test_axe_weights_come_from_params() -> None:
    params = AxeParams(impact_weights={"critical": 1.0, "minor": 0.0})
    assert axe_clean(VIEW, page("/", axe=[violation(impact="critical")]), params).score == 0.0
    assert axe_clean(VIEW, page("/", axe=[violation(impact="minor")]), params).score == 1.0


def test_axe_finding_names_rule_wcag_criterion_and_first_element() -> None:
    axe = [violation("image-alt", "critical", nodes=3, tags=["cat.text-alternatives", "wcag2a", "wcag111"])]
    (finding,) = axe_clean(VIEW, page("/tin-tuc", axe=axe), AXE).findings
    assert finding.message.en == "image-alt: image-alt help (3 element(s); WCAG wcag111)"
    assert finding.selector == "#el0"
    assert finding.snippet == "<img id='el0'>"
    assert finding.impact == "critical"
    assert finding.page_url == "https://dichvucong.example.gov.vn/tin-tuc"


def test_axe_finding_without_nodes_or_sc_tags() -> None:
    axe = [violation("region", "moderate", nodes=0, tags=["best-practice"])]
    (finding,) = axe_clean(VIEW, page("/", axe=axe), AXE).findings
    assert finding.message.en.endswith("(0 element(s); WCAG n/a)")
    assert finding.selector is None


def test_axe_not_run_raises_missing_evidence_with_its_reason() -> None:
    with pytest.raises(MissingEvidence, match="CSP blocked eval"):
        axe_clean(VIEW, page("/", axe=None, axe_error="CSP blocked eval"), AXE)
    with pytest.raises(MissingEvidence, match="axe did not run"):
        axe_clean(VIEW, page("/", axe=None), AXE)


def test_axe_every_page_ratio_skips_pages_axe_missed() -> None:
    pages = [start_page(axe=[]), page("/a", axe=[violation(impact="critical")]),
             page("/b", axe=None, axe_error="page closed")]
    result = run_criterion(shipped_criterion("accessibility-wcag-aa"), view(bundle(pages)))
    assert result.outcome.status is Status.FAIL
    assert result.outcome.score == 0.75
    assert result.outcome.data["pages"] == 2
    assert any(f.message.en.startswith("Not checked: missing evidence 'axe'") for f in
               result.outcome.findings)


def test_axe_missing_on_every_page_is_an_error() -> None:
    pages = [start_page(axe=None), page("/a", axe=None)]
    result = run_criterion(shipped_criterion("accessibility-wcag-aa"), view(bundle(pages)))
    assert result.outcome.status is Status.ERROR
    assert result.error is not None and "missing evidence 'axe'" in result.error


def test_axe_every_page_leaves_out_downloads_and_broken_pages() -> None:
    pages = [start_page(axe=[]),
             page("/bieu-mau.pdf", content_type="application/pdf", axe=None),
             page("/loi", status=404, axe=None),
             page("/treo", status=None, error="Timeout", axe=None)]
    result = run_criterion(shipped_criterion("accessibility-wcag-aa"), view(bundle(pages)))
    assert result.outcome.status is Status.PASS
    assert result.outcome.data["pages"] == 1


# -- html_lang ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["vi", "vi-VN", "VI", " vi "])
def test_vietnamese_lang_passes(lang: str) -> None:
    outcome = html_lang(VIEW, page("/", lang=lang), LANG)
    assert outcome.status is Status.PASS
    assert outcome.findings == ()


@pytest.mark.parametrize(("lang", "shown"), [
    ("en", 'lang="en"'), ("vie", 'lang="vie"'), (None, "no lang attribute"), ("", "no lang attribute"),
])
def test_missing_or_other_lang_fails(lang: str | None, shown: str) -> None:
    outcome = html_lang(VIEW, page("/", lang=lang), LANG)
    assert outcome.status is Status.FAIL
    assert outcome.display_value.en == shown
    assert outcome.findings[0].selector == "html"


def test_lang_expected_prefix_param() -> None:
    assert html_lang(VIEW, page("/en", lang="en-GB"), LangParams(expected_prefix="en")).status \
        is Status.PASS


def test_lang_ratio_over_every_page() -> None:
    pages = [start_page(), page("/a"), page("/b"), page("/c", lang=None)]
    result = run_criterion(shipped_criterion("page-language-declared"), view(bundle(pages)))
    assert result.outcome.status is Status.FAIL
    assert result.outcome.score == 0.75


def test_lang_start_page_scope_judges_only_the_homepage() -> None:
    criterion = shipped_criterion("page-language-declared").model_copy(update={"scope": "start_page"})
    pages = [start_page(), page("/a", lang=None)]
    result = run_criterion(criterion, view(bundle(pages)))
    assert result.outcome.status is Status.PASS
    assert result.outcome.data["pages"] == 1


def test_page_scope_without_pages_is_not_applicable() -> None:
    criterion = shipped_criterion("page-language-declared").model_copy(update={"scope": "start_page"})
    result = run_criterion(criterion, view(bundle([page("/a")])))
    assert result.outcome.status is Status.NOT_APPLICABLE


# -- viewport_meta_sane -------------------------------------------------------------------------

@pytest.mark.parametrize("meta", [
    "width=device-width, initial-scale=1",
    "width=device-width; initial-scale=1",
    "WIDTH = DEVICE-WIDTH, initial-scale=1",
    "width=device-width, initial-scale=1, maximum-scale=2",  # exactly 200 % is enough
    "width=device-width, initial-scale=1, user-scalable=yes, maximum-scale=5",
])
def test_sane_viewport_passes(meta: str) -> None:
    outcome = viewport_meta_sane(VIEW, key_page(viewport_meta=meta), VIEWPORT)
    assert outcome.status is Status.PASS
    assert outcome.score == 1.0


@pytest.mark.parametrize(("meta", "problem"), [
    (None, "no <meta name=viewport>"),
    ("", "no <meta name=viewport>"),
    ("width=1024", "width is '1024', not device-width"),
    ("width=device-width, user-scalable=no", "user-scalable=no stops zooming"),
    ("width=device-width, user-scalable=0", "user-scalable=no stops zooming"),
    ("width=device-width, maximum-scale=1", "maximum-scale=1 stops zooming to 200%"),
    ("width=device-width, maximum-scale=1.99", "maximum-scale=1.99 stops zooming"),
    ("width=device-width, maximum-scale=big", "maximum-scale 'big' is not a number"),
])
def test_bad_viewport_fails_with_the_problem(meta: str | None, problem: str) -> None:
    outcome = viewport_meta_sane(VIEW, key_page(viewport_meta=meta), VIEWPORT)
    assert outcome.status is Status.FAIL
    assert outcome.score == 0.0
    assert problem in outcome.findings[0].message.en
    assert outcome.findings[0].selector == 'meta[name="viewport"]'


@pytest.mark.parametrize("value", ["false", "0.5", "none"])
def test_user_scalable_values_that_chromium_reads_as_no_fail(value: str) -> None:
    meta = f"width=device-width, initial-scale=1, user-scalable={value}"
    assert viewport_meta_sane(VIEW, key_page(viewport_meta=meta), VIEWPORT).status is Status.FAIL


def test_maximum_scale_device_width_allows_zoom() -> None:
    meta = "width=device-width, initial-scale=1, maximum-scale=device-width"
    assert viewport_meta_sane(VIEW, key_page(viewport_meta=meta), VIEWPORT).status is Status.PASS


@pytest.mark.parametrize("value", ["yes", "YES", "1", "1.0", "2", "-1", "-3", "device-width",
                                   "device-height", ""])
def test_user_scalable_values_that_allow_zoom_pass(value: str) -> None:
    # axe-core meta-viewport-scale: yes, device-width/-height and |number| >= 1 keep zoom on;
    # an empty value is ignored.
    meta = f"width=device-width, initial-scale=1, user-scalable={value}"
    assert viewport_meta_sane(VIEW, key_page(viewport_meta=meta), VIEWPORT).status is Status.PASS


@pytest.mark.parametrize("value", ["-0.5", "0.99", "0abc", "off"])
def test_user_scalable_near_zero_or_unknown_word_names_what_the_page_says(value: str) -> None:
    meta = f"width=device-width, user-scalable={value}"
    outcome = viewport_meta_sane(VIEW, key_page(viewport_meta=meta), VIEWPORT)
    assert outcome.status is Status.FAIL
    assert f"the page says user-scalable={value}" in outcome.findings[0].message.en


@pytest.mark.parametrize("value", ["device-height", "DEVICE-WIDTH", "-1", "10", "2.0"])
def test_maximum_scale_that_allows_zoom_passes(value: str) -> None:
    # Negative maximum-scale is invalid and ignored by browsers (and by axe-core).
    meta = f"width=device-width, maximum-scale={value}"
    assert viewport_meta_sane(VIEW, key_page(viewport_meta=meta), VIEWPORT).status is Status.PASS


def test_maximum_scale_with_trailing_junk_is_read_like_parse_float() -> None:
    outcome = viewport_meta_sane(VIEW, key_page(viewport_meta="width=device-width, maximum-scale=1.5x"),
                                 VIEWPORT)
    assert outcome.status is Status.FAIL
    assert "maximum-scale=1.5x stops zooming to 200%" in outcome.findings[0].message.en


def test_any_blocking_entry_fails_even_if_another_allows_zoom() -> None:
    meta = "width=device-width, user-scalable=no, user-scalable=yes"
    assert viewport_meta_sane(VIEW, key_page(viewport_meta=meta), VIEWPORT).status is Status.FAIL


def test_viewport_of_a_page_that_did_not_load_fails() -> None:
    outcome = viewport_meta_sane(VIEW, key_page(error="net::ERR_TIMED_OUT"), VIEWPORT)
    assert outcome.status is Status.FAIL
    assert outcome.display_value.en == "home: net::ERR_TIMED_OUT"


def test_viewport_min_scale_param() -> None:
    meta = "width=device-width, maximum-scale=3"
    outcome = viewport_meta_sane(VIEW, key_page(viewport_meta=meta), ViewportParams(min_maximum_scale=4))
    assert outcome.status is Status.FAIL
    assert "maximum-scale=3 stops zooming to 400%" in outcome.findings[0].message.en


# -- no_horizontal_scroll ------------------------------------------------------------------------

@pytest.mark.parametrize(("scroll", "status"), [
    (360, Status.PASS), (361, Status.PASS), (362, Status.FAIL), (1024, Status.FAIL),
])
def test_scroll_tolerates_one_pixel(scroll: int, status: Status) -> None:
    outcome = no_horizontal_scroll(VIEW, key_page(scroll_width=scroll, client_width=360), SCROLL)
    assert outcome.status is status
    assert outcome.value == scroll - 360
    assert outcome.unit == "px"


def test_scroll_failure_finding() -> None:
    outcome = no_horizontal_scroll(VIEW, key_page(scroll_width=980, client_width=360), SCROLL)
    (finding,) = outcome.findings
    assert finding.message.en == "Scrolls sideways by 620 px at 360 px"
    assert finding.expected.en == "≤ 360 px"


def test_scroll_zero_tolerance() -> None:
    outcome = no_horizontal_scroll(VIEW, key_page(scroll_width=361, client_width=360),
                                   ScrollParams(tolerance_px=0))
    assert outcome.status is Status.FAIL


@pytest.mark.parametrize("kw", [
    {"scroll_width": None}, {"client_width": None}, {"error": "net::ERR_ABORTED"},
])
def test_scroll_not_measured_fails(kw: dict[str, Any]) -> None:
    outcome = no_horizontal_scroll(VIEW, key_page(**kw), SCROLL)
    assert outcome.status is Status.FAIL
    assert outcome.score == 0.0


def test_scroll_ratio_over_key_pages() -> None:
    pages = [key_page("home"), key_page("catalogue", "/tt", scroll_width=700),
             key_page("faq", "/hd"), key_page("service", "/tt/1")]
    result = run_criterion(shipped_criterion("mobile-no-horizontal-scroll"),
                           view(bundle([start_page()], key_pages=pages)))
    assert result.outcome.status is Status.FAIL
    assert result.outcome.score == 0.75
