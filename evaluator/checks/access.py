"""Checks of the convenient-access pillar (khả năng truy cập thông tin thuận tiện)."""

from __future__ import annotations

import re

from pydantic import Field

from evaluator.checks.messages import Msg, msg, role
from evaluator.checks.model import Finding, MissingEvidence, Outcome, Status
from evaluator.checks.registry import Params, register
from evaluator.derived import EvidenceView
from evaluator.evidence import KeyPageMeasurement, Page
from evaluator.textnorm import clip


class AxeParams(Params):
    # A page's score is 1 minus the summed weight of the distinct rules it violates, floored
    # at 0. Weights follow axe's own impact scale: one critical barrier (an unlabelled form
    # field a screen-reader user cannot fill) costs half the page; four minor ones cost 0.2.
    impact_weights: dict[str, float] = Field(
        default_factory=lambda: {"critical": 0.5, "serious": 0.25, "moderate": 0.1, "minor": 0.05}
    )


@register("axe_clean", level="page", params=AxeParams, evidence="axe")
def axe_clean(view: EvidenceView, page: Page, params: AxeParams) -> Outcome:
    if page.axe is None:
        raise MissingEvidence("axe", page.axe_error or msg("missing.axe", url=page.final_url))
    if not page.axe:
        return Outcome(Status.PASS, 1.0, display_value=msg("axe.clean"), pages=(page.final_url,))
    penalty = sum(params.impact_weights.get(v.impact or "minor", 0.05) for v in page.axe)
    findings = []
    for v in page.axe:
        sc = ", ".join(t for t in v.tags if re.fullmatch(r"wcag\d{3,4}", t))
        node = v.nodes[0] if v.nodes else None
        # v.help is axe-core's own English text: evidence, shown as it is.
        message = (msg("axe.violation", rule=v.id, help=v.help, count=v.node_count, sc=sc) if sc
                   else msg("axe.violation_no_sc", rule=v.id, help=v.help, count=v.node_count))
        findings.append(Finding(
            message,
            page_url=page.final_url, selector=node.target if node else None,
            snippet=clip(node.html, 200) if node else None, impact=v.impact,
        ))
    return Outcome(
        Status.FAIL, max(0.0, 1.0 - penalty),
        value=len(page.axe), unit="rules",
        display_value=msg("axe.measured", count=len(page.axe)), findings=tuple(findings),
        pages=(page.final_url,),
    )


class LangParams(Params):
    # Vietnamese portals declare Vietnamese; an English interface is checked on its own URL.
    expected_prefix: str = "vi"


@register("html_lang", level="page", params=LangParams)
def html_lang(view: EvidenceView, page: Page, params: LangParams) -> Outcome:
    lang = (page.lang or "").strip()
    ok = lang.lower().split("-")[0] == params.expected_prefix.lower()
    shown = msg("lang.declared", lang=lang) if lang else msg("lang.none")
    found = msg("lang.declared_finding", lang=lang) if lang else msg("lang.none_finding")
    expected = msg("lang.expected", prefix=params.expected_prefix)
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0, value=lang or None,
        display_value=shown, expected=expected,
        findings=() if ok else (Finding(found, page_url=page.final_url, selector="html",
                                        expected=expected),),
        pages=(page.final_url,),
    )


class ViewportParams(Params):
    # WCAG 1.4.4 (resize text to 200 %): a maximum-scale below 2 or user-scalable=no blocks it.
    min_maximum_scale: float = Field(2.0, gt=0)


# The leading number JavaScript's parseFloat reads ("1.5abc" → 1.5, "abc" → NaN); axe-core's
# meta-viewport checks, whose semantics _viewport_problem follows, judge values through it.
_JS_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?")
# Words that keep zoom on (axe-core meta-viewport-scale); any other word reads as "no".
_USER_SCALABLE_WORDS = ("yes", "device-width", "device-height")
# Words a browser maps to its largest zoom.
_MAXIMUM_SCALE_WORDS = ("device-width", "device-height")


def _js_float(value: str) -> float | None:
    match = _JS_FLOAT.match(value)
    return float(match.group(0)) if match else None


def _viewport_problem(content: str | None, min_scale: float) -> Msg | None:
    """What in a viewport meta stops a phone user zooming, as axe-core's meta-viewport rule sees it.

    user-scalable: yes, device-width, device-height and numbers ≥ 1 or ≤ -1 allow zoom; no,
    any other word and numbers between -1 and 1 block it. maximum-scale: device-width and
    device-height allow the largest zoom, negative numbers are ignored, other numbers must be
    ≥ ``min_scale`` and other words are an error. Empty values are ignored.
    """
    if not content:
        return msg("viewport.missing")
    pairs = [
        (k.strip().lower(), v.strip().lower())
        for k, _, v in (part.partition("=") for part in re.split(r"[,;]", content))
    ]
    width = dict(pairs).get("width")  # the last width wins, as in browsers
    if width != "device-width":
        return msg("viewport.width", width=width or "")
    for key, value in pairs:
        if not value:
            continue
        number = _js_float(value)
        if key == "user-scalable":
            blocks = (value not in _USER_SCALABLE_WORDS) if number is None else -1 < number < 1
            if blocks:
                if value == "no":
                    return msg("viewport.user_scalable_no")
                return msg("viewport.user_scalable_read_as_no", value=value)
        elif key == "maximum-scale":
            if number is None:
                if value not in _MAXIMUM_SCALE_WORDS:
                    return msg("viewport.maximum_scale_word", value=value)
            elif 0 <= number < min_scale:
                return msg("viewport.maximum_scale_low", value=value, percent=float(min_scale * 100))
    return None


@register("viewport_meta_sane", level="key_page", params=ViewportParams, evidence="key_pages")
def viewport_meta_sane(
    view: EvidenceView, page: KeyPageMeasurement, params: ViewportParams
) -> Outcome:
    if page.error:
        return Outcome(Status.FAIL, 0.0,
                       display_value=msg("page.role_detail", role=role(page.role), detail=page.error),
                       pages=(page.url,))
    problem = _viewport_problem(page.viewport_meta, params.min_maximum_scale)
    # A passing meta is shown as the page wrote it (problem is None only when it is non-empty).
    detail: Msg | str = problem or page.viewport_meta or ""
    return Outcome(
        Status.FAIL if problem else Status.PASS, 0.0 if problem else 1.0,
        value=page.viewport_meta,
        display_value=msg("page.role_detail", role=role(page.role), detail=detail),
        expected=msg("viewport.expected"),
        findings=(Finding(problem, page_url=page.url, selector='meta[name="viewport"]',
                          snippet=page.viewport_meta),) if problem else (),
        pages=(page.url,),
    )


class ScrollParams(Params):
    # Sub-pixel rounding makes scrollWidth exceed clientWidth by one pixel on clean pages.
    tolerance_px: int = Field(1, ge=0)


@register("no_horizontal_scroll", level="key_page", params=ScrollParams, evidence="key_pages")
def no_horizontal_scroll(
    view: EvidenceView, page: KeyPageMeasurement, params: ScrollParams
) -> Outcome:
    if page.error or page.scroll_width is None or page.client_width is None:
        detail = page.error or msg("common.not_measured")
        return Outcome(Status.FAIL, 0.0,
                       display_value=msg("page.role_detail", role=role(page.role), detail=detail),
                       pages=(page.url,))
    overflow = page.scroll_width - page.client_width
    ok = overflow <= params.tolerance_px
    shown = msg("scroll.measured", role=role(page.role), width=page.scroll_width,
                screen=page.client_width)
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0, value=overflow, unit="px",
        display_value=shown, expected=msg("scroll.expected", width=page.viewport_width),
        findings=() if ok else (Finding(msg("scroll.finding", overflow=overflow,
                                            width=page.viewport_width), page_url=page.url,
                                        value=f"{page.scroll_width} px",
                                        expected=msg("common.at_most",
                                                     value=msg("common.px",
                                                               px=page.client_width))),),
        pages=(page.url,),
    )
