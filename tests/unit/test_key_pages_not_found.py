"""Key templates the gatherer looked for and did not find (KeyPageMeasurement.not_found) fail
the per-template performance and mobile criteria with their reason; they never leave the
average, and bundles without such entries score as before."""

from __future__ import annotations

from typing import Any

import pytest

from evaluator.checks.access import (
    mobile_tap_targets_and_text,
    no_horizontal_scroll,
    viewport_meta_sane,
)
from evaluator.checks.model import MissingEvidence, Status
from evaluator.checks.performance import (
    availability_counts,
    lighthouse_metric_below,
    lighthouse_weight_below,
    server_response_within,
)
from evaluator.runner import run_criterion
from tests.unit.evidence_factory import (
    bundle,
    key_page,
    key_page_not_found,
    shipped_criterion,
    shipped_params,
    start_page,
    view,
)

TEMPLATES = ["home", "catalogue", "service", "search_results", "status_lookup"]
REASON = "no link labelled for the catalogue on the homepage or one level below"
CHECKS: list[tuple[Any, str]] = [
    (lighthouse_metric_below, "first-contentful-paint"),
    (server_response_within, "server-response-time"),
    (lighthouse_weight_below, "page-weight"),
    (viewport_meta_sane, "mobile-viewport"),
    (no_horizontal_scroll, "mobile-no-horizontal-scroll"),
    (mobile_tap_targets_and_text, "mobile-tap-targets-and-text"),
]


def _view(*key_pages: Any, templates: list[str] | None = TEMPLATES, **kw: Any) -> Any:
    settings = {"lighthouse_templates": templates} if templates is not None else {}
    return view(bundle([start_page()], key_pages=list(key_pages), settings=settings, **kw))


@pytest.mark.parametrize(("check", "criterion"), CHECKS)
def test_a_template_not_found_fails_naming_it_and_why(check: Any, criterion: str) -> None:
    missing = key_page_not_found("catalogue", REASON)
    outcome = check(_view(key_page(), missing), missing, shipped_params(criterion))
    assert outcome.status is Status.FAIL and outcome.score == 0.0
    assert outcome.display_value.en == f"catalogue: not found ({REASON})"
    assert outcome.display_value.vi.startswith("trang danh mục thủ tục: không tìm thấy trang")
    assert REASON in outcome.findings[0].message.en
    assert outcome.pages == ()


@pytest.mark.parametrize("criterion", ["first-contentful-paint", "largest-contentful-paint",
                                       "server-response-time", "page-weight", "mobile-viewport",
                                       "mobile-no-horizontal-scroll",
                                       "mobile-tap-targets-and-text"])
def test_the_criterion_counts_the_missing_template_as_a_failed_page(criterion: str) -> None:
    found = run_criterion(shipped_criterion(criterion), _view(key_page()))
    missing = run_criterion(shipped_criterion(criterion),
                            _view(key_page(), key_page_not_found("status_lookup", "no form")))
    assert found.outcome.status is Status.PASS and found.outcome.data["pages"] == 1
    assert missing.outcome.status is Status.FAIL
    assert missing.outcome.data["pages"] == 2 and missing.outcome.data["passed"] == 1
    assert "status lookup: not found (no form)" in missing.outcome.display_value.en


def test_a_template_lighthouse_was_not_asked_to_measure_is_not_applicable_to_it() -> None:
    # The FAQ is a key template of the mobile lane, not of Lighthouse (settings).
    missing = key_page_not_found("faq", "no FAQ link")
    v = _view(key_page(), missing)
    lighthouse = lighthouse_metric_below(v, missing, shipped_params("first-contentful-paint"))
    assert lighthouse.status is Status.NOT_APPLICABLE
    mobile = viewport_meta_sane(v, missing, shipped_params("mobile-viewport"))
    assert mobile.status is Status.FAIL


def test_without_the_setting_the_shipped_templates_are_assumed() -> None:
    missing = key_page_not_found("search_results", "the search answered nothing")
    outcome = lighthouse_metric_below(_view(key_page(), missing, templates=None), missing,
                                      shipped_params("first-contentful-paint"))
    assert outcome.status is Status.FAIL


def test_lighthouse_unavailable_stays_an_error_not_a_failure() -> None:
    missing = key_page_not_found("catalogue", REASON)
    v = _view(key_page(lighthouse=None), missing, disabled={"lighthouse": "no node"})
    with pytest.raises(MissingEvidence, match="no node"):
        lighthouse_metric_below(v, missing, shipped_params("first-contentful-paint"))
    result = run_criterion(shipped_criterion("first-contentful-paint"), v)
    assert result.outcome.status is Status.ERROR


def test_mobile_layouts_never_read_stay_an_error() -> None:
    missing = key_page_not_found("catalogue", REASON)
    v = _view(key_page(mobile=None), missing)
    with pytest.raises(MissingEvidence):
        mobile_tap_targets_and_text(v, missing, shipped_params("mobile-tap-targets-and-text"))


def test_a_template_not_found_asked_nothing_of_the_server() -> None:
    plain = availability_counts(_view(key_page()))
    assert availability_counts(_view(key_page(), key_page_not_found("faq"))) == plain
