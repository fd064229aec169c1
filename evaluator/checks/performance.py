"""Checks of the performance pillar (hiệu năng), on key pages measured one at a time."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from evaluator.checks.messages import Msg, Num, http_problem, msg, role
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


def _fmt(metric: str, value: float) -> Msg | Num:
    if metric == "cls":
        return Num(value, 3)
    if value >= 1000:
        return msg("perf.seconds", value=Num(value / 1000, 2))
    return msg("perf.ms", value=Num(value, 0))


def _raw(metric: str, value: float) -> str:
    """The measured value as data (Finding.value): whole ms or CLS, read the same in any language."""
    return f"{value:.3f}" if metric == "cls" else f"{value:.0f} ms"


def _not_served(page: KeyPageMeasurement, bound: Msg) -> Outcome | None:
    """A failed outcome when the key page did not load or the server answered an error.

    A 404 or 500 page is small and fast: measuring it would pass a page no citizen can use.
    """
    why: Msg | str
    if page.error:
        why, message = page.error, msg("perf.did_not_load", error=page.error)
    elif page.status is not None and page.status >= 400:
        why = http_problem(page.status)
        message = msg("perf.http_error", role=role(page.role), status=page.status)
    else:
        return None
    return Outcome(Status.FAIL, 0.0,
                   display_value=msg("page.role_detail", role=role(page.role), detail=why),
                   expected=bound,
                   findings=(Finding(message, page_url=page.url, expected=bound),),
                   pages=(page.url,))


@register("timing_below", level="key_page", params=TimingParams, evidence="key_pages")
def timing_below(view: EvidenceView, page: KeyPageMeasurement, params: TimingParams) -> Outcome:
    limit = _fmt(params.metric, params.max)
    bound = msg("common.below", value=limit) if params.strict else msg("common.at_most", value=limit)
    if (failed := _not_served(page, bound)) is not None:
        return failed
    value = getattr(page.timings, params.metric)
    if value is None:
        # Chromium reports no paint for an empty page: nothing a citizen could see.
        return Outcome(Status.FAIL, 0.0,
                       display_value=msg("page.role_detail", role=role(page.role),
                                         detail=msg("common.not_measured")),
                       expected=bound,
                       findings=(Finding(msg("perf.never_reported", metric=params.metric),
                                         page_url=page.url, expected=bound),), pages=(page.url,))
    ok = value < params.max if params.strict else value <= params.max
    shown = _fmt(params.metric, value)
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
        value=round(value, 4), unit=_UNITS[params.metric],
        display_value=msg("page.role_detail", role=role(page.role), detail=shown), expected=bound,
        findings=() if ok else (Finding(msg("perf.slow", role=role(page.role), value=shown),
                                        page_url=page.url, value=_raw(params.metric, value),
                                        expected=bound),),
        pages=(page.url,),
    )


class WeightParams(Params):
    max_kib: float = Field(gt=0)


@register("transfer_size_below", level="key_page", params=WeightParams, evidence="key_pages")
def transfer_size_below(
    view: EvidenceView, page: KeyPageMeasurement, params: WeightParams
) -> Outcome:
    bound = msg("common.at_most", value=msg("weight.kib", kib=Num(params.max_kib, 0)))
    if (failed := _not_served(page, bound)) is not None:
        return failed
    kib = page.transfer_bytes / 1024
    ok = kib <= params.max_kib
    shown = msg("weight.shown", kib=Num(kib, 0), requests=page.request_count)
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0,
        value=round(kib, 1), unit="KiB",
        display_value=msg("page.role_detail", role=role(page.role), detail=shown), expected=bound,
        # The value is data: whole KiB without a thousands mark, which "5,859" or "5.859" would
        # make ambiguous between the two report languages.
        findings=() if ok else (Finding(msg("weight.heavy", role=role(page.role), shown=shown),
                                        page_url=page.url, value=f"{kib:.0f} KiB",
                                        expected=bound),),
        pages=(page.url,),
    )
