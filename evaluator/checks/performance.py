"""Checks of the performance pillar (hiệu năng), on key pages measured one at a time."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from evaluator.checks.model import Finding, Outcome, Status
from evaluator.checks.registry import Params, register
from evaluator.derived import EvidenceView
from evaluator.evidence import KeyPageMeasurement

_UNITS = {"ttfb_ms": "ms", "fcp_ms": "ms", "lcp_ms": "ms", "cls": "", "load_ms": "ms"}


class TimingParams(Params):
    metric: Literal["ttfb_ms", "fcp_ms", "lcp_ms", "cls", "load_ms"]
    max: float = Field(ge=0)
    # "dưới 3 giây" (under 3 s) is a strict bound; CLS ≤ 0.25 is not.
    strict: bool = True


def _fmt(metric: str, value: float) -> str:
    if metric == "cls":
        return f"{value:.3f}"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.0f} ms"


def _not_served(page: KeyPageMeasurement, bound: str) -> Outcome | None:
    """A failed outcome when the key page did not load or the server answered an error.

    A 404 or 500 page is small and fast: measuring it would pass a page no citizen can use.
    """
    if page.error:
        why, message = page.error, f"Page did not load: {page.error}"
    elif page.status is not None and page.status >= 400:
        why = f"HTTP {page.status}"
        message = f"{page.role} page answered HTTP {page.status}, not the page itself"
    else:
        return None
    return Outcome(Status.FAIL, 0.0, display_value=f"{page.role}: {why}", expected=bound,
                   findings=(Finding(message, page_url=page.url, expected=bound),),
                   pages=(page.url,))


@register("timing_below", level="key_page", params=TimingParams, evidence="key_pages")
def timing_below(view: EvidenceView, page: KeyPageMeasurement, params: TimingParams) -> Outcome:
    bound = ("< " if params.strict else "≤ ") + _fmt(params.metric, params.max)
    if (failed := _not_served(page, bound)) is not None:
        return failed
    value = getattr(page.timings, params.metric)
    if value is None:
        # Chromium reports no paint for an empty page: nothing a citizen could see.
        return Outcome(Status.FAIL, 0.0, display_value=f"{page.role}: not measured",
                       expected=bound,
                       findings=(Finding(f"{params.metric} was never reported (nothing painted?)",
                                         page_url=page.url, expected=bound),), pages=(page.url,))
    ok = value < params.max if params.strict else value <= params.max
    shown = _fmt(params.metric, value)
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
        value=round(value, 4), unit=_UNITS[params.metric],
        display_value=f"{page.role}: {shown}", expected=bound,
        findings=() if ok else (Finding(f"{page.role} page: {shown}", page_url=page.url,
                                        value=shown, expected=bound),),
        pages=(page.url,),
    )


class WeightParams(Params):
    max_kib: float = Field(gt=0)


@register("transfer_size_below", level="key_page", params=WeightParams, evidence="key_pages")
def transfer_size_below(
    view: EvidenceView, page: KeyPageMeasurement, params: WeightParams
) -> Outcome:
    bound = f"≤ {params.max_kib:.0f} KiB"
    if (failed := _not_served(page, bound)) is not None:
        return failed
    kib = page.transfer_bytes / 1024
    ok = kib <= params.max_kib
    shown = f"{kib:,.0f} KiB in {page.request_count} requests"
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
        value=round(kib, 1), unit="KiB", display_value=f"{page.role}: {shown}", expected=bound,
        findings=() if ok else (Finding(f"{page.role} page weighs {shown}", page_url=page.url,
                                        value=f"{kib:,.0f} KiB", expected=bound),),
        pages=(page.url,),
    )
