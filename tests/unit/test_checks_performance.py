"""Performance checks on hand-built key-page measurements, at the thresholds of vn-2023."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from evaluator.checks.model import Status
from evaluator.checks.performance import (
    TimingParams,
    WeightParams,
    timing_below,
    transfer_size_below,
)
from evaluator.runner import CriterionOutcome, run_criterion
from tests.unit.evidence_factory import (
    bundle,
    key_page,
    shipped_criterion,
    shipped_params,
    start_page,
    view,
    view_of,
)

FCP = shipped_params("first-contentful-paint")
LCP = shipped_params("largest-contentful-paint")
CLS = shipped_params("cumulative-layout-shift")
TTFB = shipped_params("server-response-time")
WEIGHT = shipped_params("page-weight")
VIEW = view_of(start_page())


def test_shipped_timing_params_are_the_documented_thresholds() -> None:
    assert TimingParams(metric="fcp_ms", max=3000, strict=True) == FCP
    assert TimingParams(metric="lcp_ms", max=4000, strict=True) == LCP
    assert TimingParams(metric="cls", max=0.25, strict=False) == CLS
    assert TimingParams(metric="ttfb_ms", max=800, strict=False) == TTFB
    assert WeightParams(max_kib=4000) == WEIGHT


# -- timing_below -------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "kw", "status"), [
    # "dưới 3 giây" is strict: exactly 3000 ms is not under 3 s.
    (FCP, {"fcp_ms": 2999.9}, Status.PASS),
    (FCP, {"fcp_ms": 3000.0}, Status.FAIL),
    (LCP, {"lcp_ms": 3999.0}, Status.PASS),
    (LCP, {"lcp_ms": 4000.0}, Status.FAIL),
    # CLS ≤ 0.25 and TTFB ≤ 800 ms are inclusive.
    (CLS, {"cls": 0.25}, Status.PASS),
    (CLS, {"cls": 0.2501}, Status.FAIL),
    (TTFB, {"ttfb_ms": 800.0}, Status.PASS),
    (TTFB, {"ttfb_ms": 800.5}, Status.FAIL),
])
def test_timing_threshold_boundaries(params: TimingParams, kw: dict[str, float], status: Status) -> None:
    outcome = timing_below(VIEW, key_page(**kw), params)
    assert outcome.status is status
    assert outcome.score == (1.0 if status is Status.PASS else 0.0)


def test_timing_pass_has_no_findings_and_reports_value_and_unit() -> None:
    outcome = timing_below(VIEW, key_page(fcp_ms=1234.56789), FCP)
    assert outcome.status is Status.PASS
    assert outcome.value == 1234.5679
    assert outcome.unit == "ms"
    assert outcome.display_value.en == "home: 1.23 s"
    assert outcome.expected.en == "< 3.00 s"
    assert outcome.findings == ()


def test_timing_fail_explains_value_and_bound() -> None:
    outcome = timing_below(VIEW, key_page("catalogue", "/thu-tuc", fcp_ms=5200), FCP)
    assert outcome.status is Status.FAIL
    (finding,) = outcome.findings
    assert finding.message.en == "catalogue page: 5.20 s"
    assert finding.expected.en == "< 3.00 s"
    assert finding.page_url == "https://dichvucong.example.gov.vn/thu-tuc"


def test_cls_is_unitless_and_shown_with_three_decimals() -> None:
    outcome = timing_below(VIEW, key_page(cls=0.25), CLS)
    assert outcome.unit == ""
    assert outcome.display_value.en == "home: 0.250"
    assert outcome.expected.en == "≤ 0.250"


def test_sub_second_values_are_shown_in_ms() -> None:
    assert timing_below(VIEW, key_page(ttfb_ms=640), TTFB).display_value.en == "home: 640 ms"


def test_timing_not_measured_fails() -> None:
    outcome = timing_below(VIEW, key_page(fcp_ms=None), FCP)
    assert outcome.status is Status.FAIL
    assert outcome.display_value.en == "home: not measured"
    assert "never reported" in outcome.findings[0].message.en


def test_timing_on_a_page_that_did_not_load_fails() -> None:
    outcome = timing_below(VIEW, key_page(error="net::ERR_TIMED_OUT", fcp_ms=None), FCP)
    assert outcome.status is Status.FAIL
    assert outcome.score == 0.0
    assert outcome.display_value.en == "home: net::ERR_TIMED_OUT"


@pytest.mark.parametrize("status", [404, 500, 503])
@pytest.mark.parametrize("params", [FCP, LCP, CLS, TTFB])
def test_timing_on_an_http_error_page_fails_however_fast(params: TimingParams, status: int) -> None:
    outcome = timing_below(VIEW, key_page("faq", "/hoi-dap", status=status, fcp_ms=300, lcp_ms=300,
                                          cls=0.0, ttfb_ms=20), params)
    assert outcome.status is Status.FAIL
    assert outcome.score == 0.0
    assert outcome.display_value.en == f"FAQ: HTTP {status}"
    (finding,) = outcome.findings
    assert f"HTTP {status}" in finding.message.en
    assert finding.page_url == "https://dichvucong.example.gov.vn/hoi-dap"


@pytest.mark.parametrize("status", [200, 204, 304, 399, None])
def test_timing_below_400_or_unknown_status_is_judged_on_the_timing(status: int | None) -> None:
    assert timing_below(VIEW, key_page(status=status, fcp_ms=1000), FCP).status is Status.PASS


@pytest.mark.parametrize("raw", [
    {"metric": "speed_index", "max": 3000},
    {"metric": "fcp_ms", "max": -1},
    {"metric": "fcp_ms"},
    {"metric": "fcp_ms", "max": 3000, "strict": "sometimes"},
    {"metric": "fcp_ms", "max": 3000, "percentile": 75},
])
def test_timing_params_reject_bad_values(raw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        TimingParams.model_validate(raw)


# -- transfer_size_below -------------------------------------------------------------------------

def test_weight_exactly_at_the_limit_passes_and_one_byte_more_fails() -> None:
    at = transfer_size_below(VIEW, key_page(transfer_bytes=4000 * 1024), WEIGHT)
    over = transfer_size_below(VIEW, key_page(transfer_bytes=4000 * 1024 + 1), WEIGHT)
    assert at.status is Status.PASS
    assert over.status is Status.FAIL
    assert over.score == 0.0


def test_weight_reports_kib_and_request_count() -> None:
    outcome = transfer_size_below(VIEW, key_page(transfer_bytes=6_000_000, request_count=87), WEIGHT)
    assert outcome.status is Status.FAIL
    assert outcome.value == 5859.4
    assert outcome.unit == "KiB"
    assert outcome.display_value.en == "home: 5,859 KiB in 87 requests"
    assert outcome.expected.en == "≤ 4,000 KiB"
    # The value is data, without a thousands mark a Vietnamese reader would take for decimals.
    assert outcome.findings[0].value == "5859 KiB"


def test_weight_of_a_page_that_did_not_load_fails() -> None:
    outcome = transfer_size_below(VIEW, key_page(error="HTTP 502", transfer_bytes=0), WEIGHT)
    assert outcome.status is Status.FAIL
    assert outcome.display_value.en == "home: HTTP 502"


@pytest.mark.parametrize("status", [400, 404, 500])
def test_weight_of_an_http_error_page_fails_however_light(status: int) -> None:
    outcome = transfer_size_below(VIEW, key_page(status=status, transfer_bytes=2048), WEIGHT)
    assert outcome.status is Status.FAIL
    assert outcome.score == 0.0
    assert outcome.display_value.en == f"home: HTTP {status}"
    assert f"HTTP {status}" in outcome.findings[0].message.en


def test_weight_of_a_page_with_unknown_status_is_judged_on_its_weight() -> None:
    assert transfer_size_below(VIEW, key_page(status=None), WEIGHT).status is Status.PASS


def test_http_error_key_page_lowers_the_ratio_through_the_runner() -> None:
    pages = [key_page("home", "/", fcp_ms=1000), key_page("faq", "/hoi-dap", status=404, fcp_ms=200)]
    result = _run("first-contentful-paint", key_pages=pages)
    assert result.outcome.status is Status.FAIL
    assert [p["status"] for p in result.outcome.data["per_page"]] == ["pass", "fail"]


def test_weight_params_need_a_positive_limit() -> None:
    with pytest.raises(ValidationError):
        WeightParams(max_kib=0)


# -- through the runner: key-page lanes, aggregation and missing evidence -------------------------

def _run(criterion_id: str, **bundle_kw: Any) -> CriterionOutcome:
    return run_criterion(shipped_criterion(criterion_id), view(bundle([start_page()], **bundle_kw)))


def test_ratio_of_key_pages_meeting_fcp_is_the_score() -> None:
    pages = [key_page("home", "/", fcp_ms=1000), key_page("catalogue", "/tt", fcp_ms=2999),
             key_page("faq", "/hoi-dap", fcp_ms=3000)]
    result = _run("first-contentful-paint", key_pages=pages)
    assert result.outcome.status is Status.FAIL
    assert result.outcome.score == 0.666667
    assert result.outcome.value == 0.6667
    assert result.outcome.data["passed"] == 2
    assert [p["status"] for p in result.outcome.data["per_page"]] == ["pass", "pass", "fail"]


def test_all_key_pages_fast_passes() -> None:
    result = _run("largest-contentful-paint", key_pages=[key_page("home"), key_page("faq", "/hd")])
    assert result.outcome.status is Status.PASS
    assert result.outcome.score == 1.0


def test_missing_key_page_lane_is_an_error_with_its_reason() -> None:
    result = _run("page-weight", key_pages=None,
                  disabled={"key_pages": "the mobile lane was switched off (--no-key-pages)"})
    assert result.outcome.status is Status.ERROR
    assert result.outcome.score is None
    assert result.error == ("missing evidence 'key_pages': the mobile lane was switched off "
                            "(--no-key-pages)")


def test_missing_key_page_lane_without_reason_still_says_what_is_missing() -> None:
    result = _run("server-response-time", key_pages=None)
    assert result.outcome.status is Status.ERROR
    assert result.error is not None and result.error.startswith("missing evidence 'key_pages'")


def test_no_key_pages_measured_is_not_applicable() -> None:
    result = _run("cumulative-layout-shift", key_pages=[])
    assert result.outcome.status is Status.NOT_APPLICABLE
    assert result.outcome.score is None


def test_key_page_role_scope_judges_only_that_role() -> None:
    criterion = shipped_criterion("first-contentful-paint").model_copy(update={"scope": "key_page:faq"})
    pages = [key_page("home", fcp_ms=9000), key_page("faq", "/hoi-dap", fcp_ms=900)]
    result = run_criterion(criterion, view(bundle([start_page()], key_pages=pages)))
    assert result.outcome.status is Status.PASS
    assert result.outcome.pages == ("https://dichvucong.example.gov.vn/hoi-dap",)
    absent = criterion.model_copy(update={"scope": "key_page:search_results"})
    assert run_criterion(absent, view(bundle([start_page()], key_pages=pages))).outcome.status \
        is Status.NOT_APPLICABLE
