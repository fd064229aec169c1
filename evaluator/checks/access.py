"""Checks of the convenient-access pillar (khả năng truy cập thông tin thuận tiện)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field

from evaluator.checks.messages import Msg, msg, role
from evaluator.checks.model import Finding, MissingEvidence, Outcome, Status
from evaluator.checks.performance import not_found
from evaluator.checks.registry import Params, register
from evaluator.derived import EvidenceView, path_of
from evaluator.evidence import AccessAids, AxeViolation, KeyPageMeasurement, MobileRender, Page
from evaluator.textnorm import clip
from evaluator.wcag import failing_by_version, wcag_ref


class AxeParams(Params):
    # Weights follow axe's own impact scale: one critical barrier on every page of a template
    # (an unlabelled form field a screen-reader user cannot fill) costs half that template;
    # four minor ones cost it 0.2. The formula is stated in criteria/vn-2023/access.yaml.
    impact_weights: dict[str, float] = Field(
        default_factory=lambda: {"critical": 0.5, "serious": 0.25, "moderate": 0.1, "minor": 0.05}
    )
    #: The summed charge that halves a template's score (issue 18: a curve that never reaches 0,
    #: so portals with many barriers are still told apart): one critical barrier on every page
    #: of a template halves it, a second halves what is left, and so on.
    halving_charge: float = Field(default=0.5, gt=0)
    #: Which of axe's results are judged: its WCAG 2.0/2.1 A and AA rules, or its best-practice
    #: rules (not WCAG requirements: a separate, lower-weight criterion; issue 18).
    rules: Literal["wcag", "best_practice"] = "wcag"


def axe_results(page: Page, rules: str = "wcag") -> list[AxeViolation] | None:
    """The page's axe violations of one kind (AxeParams.rules); None when they were not read."""
    return page.axe if rules == "wcag" else page.axe_best_practice


def template_of(url: str) -> str:
    """A page's template, guessed from its path: the first segment and the depth.

    /thu-tuc/1.001 and /thu-tuc/2.002 are one template (/thu-tuc/*), / is its own; the query
    is ignored (?page=2 is the same catalogue template). A portal's pages of one template share
    their markup, so a defect there is one defect to fix, not one per page. A single-page app's
    hash route is its path (#/thu-tuc/1.001 is /thu-tuc/*): the same view as the server's page.
    """
    parts = [p for p in path_of(url).split("/") if p]
    if not parts:
        return "/"
    return "/" + parts[0] + "/*" * (len(parts) - 1)


@dataclass
class _Rule:
    impact: str | None
    tags: list[str]
    help: str
    pages: list[Page] = dc_field(default_factory=list)
    node_count: int = 0


def axe_template_scores(
    pages: list[Page], weights: dict[str, float], halving_charge: float = 0.5,
    rules: str = "wcag",
) -> dict[str, float]:
    """Template → 2^(−charge / halving_charge), where charge = Σ_rule weight(impact) × share of
    the template's pages the rule hits: 1 for a clean template, strictly lower for every further
    barrier or page it hits, never 0 (the saturating 1 − charge, floored at 0, scored a template
    with two critical barriers like one that fails half of WCAG)."""
    groups: dict[str, list[Page]] = {}
    for page in pages:
        groups.setdefault(template_of(page.final_url), []).append(page)
    scores: dict[str, float] = {}
    for template, members in groups.items():
        hits: dict[str, tuple[str | None, int]] = {}
        for page in members:
            for v in {v.id: v for v in axe_results(page, rules) or []}.values():
                impact, count = hits.get(v.id, (v.impact, 0))
                hits[v.id] = (impact, count + 1)
        penalty = sum(weights.get(impact or "minor", weights.get("minor", 0.05)) * count
                      / len(members) for impact, count in hits.values())
        scores[template] = 2.0 ** (-penalty / halving_charge)
    return scores


@register("axe_clean", level="site", params=AxeParams, evidence="axe")
def axe_clean(view: EvidenceView, params: AxeParams) -> Outcome:
    """axe-core's WCAG 2.1 AA violations on every crawled HTML page, weighed per rule and
    template (the score formula is the params'). Why: the YAML's source. Evidence: each page's
    axe results (``axe``); a page axe could not audit is listed, not guessed."""
    pages = [p for p in view.html_pages if "html" in p.content_type or not p.content_type]
    audited = [p for p in pages if axe_results(p, params.rules) is not None]
    if not audited and params.rules == "best_practice" and any(p.axe is not None for p in pages):
        raise MissingEvidence("axe_best_practice", msg("missing.axe_best_practice",
                                                       url=pages[0].final_url))
    if not audited:
        first = pages[0] if pages else None
        raise MissingEvidence("axe", (first.axe_error if first and first.axe_error else
                                      msg("missing.axe", url=first.final_url if first else
                                          view.bundle.start_url)))
    urls = tuple(p.final_url for p in audited)
    skipped = tuple(Finding(msg("runner.not_checked", reason=p.axe_error or "axe"),
                            page_url=p.final_url) for p in pages if p.axe is None)
    rules: dict[str, _Rule] = {}
    for page in audited:
        for v in axe_results(page, params.rules) or []:
            rule = rules.setdefault(v.id, _Rule(v.impact, list(v.tags), v.help))
            if not rule.pages or rule.pages[-1] is not page:
                rule.pages.append(page)
            rule.node_count += v.node_count
    if not rules:
        return Outcome(Status.PASS, 1.0, display_value=msg("axe.clean"), pages=urls,
                       findings=skipped, data={"pages": len(audited)})
    scores = axe_template_scores(audited, params.impact_weights, params.halving_charge,
                                 params.rules)
    score = sum(scores.values()) / len(scores)
    members: dict[str, int] = {}
    for page in audited:
        members[template_of(page.final_url)] = members.get(template_of(page.final_url), 0) + 1
    findings = []
    # Per rule, what the score formula charged it on each template (weight × share of the
    # template's pages it hits): the "Fix first" list splits the criterion's lost points by
    # rule from these (evaluator/fixfirst.py).
    per_rule = []
    for rule_id, rule in sorted(rules.items(), key=lambda kv: (
            -params.impact_weights.get(kv[1].impact or "minor", 0.0), -len(kv[1].pages), kv[0])):
        ref = wcag_ref(rule.tags)
        templates = len({template_of(p.final_url) for p in rule.pages})
        first = rule.pages[0]
        node = next((v.nodes[0] for v in axe_results(first, params.rules) or []
                     if v.id == rule_id and v.nodes), None)
        sc = ", ".join(ref.criteria)
        where = msg("axe.where", pages=len(rule.pages), templates=templates)
        # rule.help is axe-core's own English text: evidence, shown as it is.
        shown = [v for v in ref.versions if v in ("2.0", "2.1")] or list(ref.versions[:1])
        message = (msg("axe.rule", rule=rule_id, help=rule.help, sc=sc,
                       versions=" / ".join(shown), where=where) if sc
                   else msg("axe.rule_no_sc", rule=rule_id, help=rule.help, where=where))
        findings.append(Finding(message, page_url=first.final_url,
                                selector=node.target if node else None,
                                snippet=clip(node.html, 200) if node else None,
                                value=str(rule.node_count), impact=rule.impact))
        hit: dict[str, int] = {}
        for p in rule.pages:
            hit[template_of(p.final_url)] = hit.get(template_of(p.final_url), 0) + 1
        weight = params.impact_weights.get(rule.impact or "minor",
                                           params.impact_weights.get("minor", 0.05))
        per_rule.append({"rule": rule_id, "impact": rule.impact, "message": message,
                         "pages": [p.final_url for p in rule.pages],
                         "penalty": {t: weight * n / members[t] for t, n in hit.items()}})
    failing = failing_by_version(wcag_ref(r.tags) for r in rules.values())
    none = msg("axe.none")
    return Outcome(
        Status.FAIL, round(score, 6), value=len(rules), unit="rules",
        display_value=(msg("axe.summary", count=len(rules), templates=len(scores),
                           v20=", ".join(failing["2.0"]) or none,
                           v21=", ".join(failing["2.1"]) or none) if params.rules == "wcag"
                       else msg("axe.best_practice_summary", count=len(rules),
                                templates=len(scores))),
        findings=tuple(findings) + skipped, pages=urls,
        data={"pages": len(audited), "wcag_failing": failing, "template_scores": scores,
              "rules": per_rule},
    )


class LangParams(Params):
    # Vietnamese portals declare Vietnamese; an English interface is checked on its own URL.
    expected_prefix: str = "vi"


@register("html_lang", level="page", params=LangParams)
def html_lang(view: EvidenceView, page: Page, params: LangParams) -> Outcome:
    """The page declares its language (``<html lang>``) with the expected prefix (``vi``),
    so screen readers read Vietnamese as Vietnamese. Evidence: each page's ``lang``."""
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


def _unloaded(page: KeyPageMeasurement) -> Outcome:
    """A key page that did not load fails every per-page mobile criterion, saying why; so does
    a key template the gatherer looked for and did not find (performance.not_found)."""
    if page.not_found is not None:
        return not_found(page, None)
    return Outcome(Status.FAIL, 0.0,
                   display_value=msg("page.role_detail", role=role(page.role), detail=page.error or ""),
                   pages=(page.url,))


@register("viewport_meta_sane", level="key_page", params=ViewportParams, evidence="key_pages")
def viewport_meta_sane(
    view: EvidenceView, page: KeyPageMeasurement, params: ViewportParams
) -> Outcome:
    """The key page's viewport meta lets a phone fit and zoom the page (no
    ``user-scalable=no``, a ``maximum-scale`` not below the params'). Evidence: the key pages'
    ``viewport_meta``."""
    if page.error or page.not_found is not None:
        return _unloaded(page)
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
    """No sideways scrolling at every width measured (360 px, then 320 px); the page's score
    is the share of widths that fit. Bundles without ``mobile`` are judged at 360 px alone."""
    if page.error or page.not_found is not None:
        return _unloaded(page)
    renders = page.mobile or [MobileRender(width=page.viewport_width, scroll_width=page.scroll_width,
                                           client_width=page.client_width)]
    findings: list[Finding] = []
    shown: list[Msg] = []
    fits = 0
    worst = 0
    for r in renders:
        if r.error or r.scroll_width is None or r.client_width is None:
            shown.append(msg("scroll.not_measured", width=r.width))
            findings.append(Finding(msg("scroll.not_measured", width=r.width), page_url=page.url,
                                    value=r.error))
            continue
        overflow = r.scroll_width - r.client_width
        worst = max(worst, overflow)
        shown.append(msg("scroll.at_width", width=r.scroll_width, screen=r.width))
        if overflow <= params.tolerance_px:
            fits += 1
        else:
            findings.append(Finding(
                msg("scroll.finding", overflow=overflow, width=r.width), page_url=page.url,
                value=f"{r.scroll_width} px",
                expected=msg("common.at_most", value=msg("common.px", px=r.client_width))))
    ok = fits == len(renders)
    return Outcome(
        Status.PASS if ok else Status.FAIL, fits / len(renders), value=worst, unit="px",
        display_value=msg("page.role_detail", role=role(page.role), detail=tuple(shown)),
        expected=msg("scroll.expected_widths",
                     widths=", ".join(str(r.width) for r in renders)),
        findings=tuple(findings), pages=(page.url,),
    )


class TapTextParams(Params):
    # Lighthouse's retired tap-targets audit passed at 90 % well-sized targets and its
    # font-size audit at 60 % legible text; RESEARCH.md T06 takes WCAG 2.2 SC 2.5.8's 24×24 px
    # and 12 px as the sizes [I]. A page earns half for each part, judged at its worst width.
    min_tap_px: int = 24
    max_small_tap_share: float = Field(0.1, ge=0, le=1)
    min_font_px: int = 12
    max_small_text_share: float = Field(0.4, ge=0, le=1)


@register("mobile_tap_targets_and_text", level="key_page", params=TapTextParams,
          evidence="key_pages.mobile")
def mobile_tap_targets_and_text(
    view: EvidenceView, page: KeyPageMeasurement, params: TapTextParams
) -> Outcome:
    """On a phone-width render of the key page: tap targets large enough and text
    legible (sizes from the params). Evidence: the key pages' mobile read-out
    (``key_pages.mobile``)."""
    if page.error:
        return _unloaded(page)
    if page.not_found is not None:
        if not any(k.mobile is not None for k in view.bundle.key_pages or ()
                   if k.not_found is None):
            # The lane read no phone layout at all: the whole criterion lacks its evidence.
            raise MissingEvidence("key_pages.mobile")
        return _unloaded(page)
    if page.mobile is None:
        raise MissingEvidence("key_pages.mobile", msg("missing.mobile_render", url=page.url))
    measured = [r for r in page.mobile if r.error is None and r.tap_targets is not None
                and r.text_chars is not None]
    if not measured:
        return Outcome(Status.FAIL, 0.0, display_value=msg(
            "page.role_detail", role=role(page.role), detail=msg("common.not_measured")),
            pages=(page.url,))
    tap_share = max((r.small_tap_targets or 0) / r.tap_targets if r.tap_targets else 0.0
                    for r in measured)
    text_share = max((r.small_text_chars or 0) / r.text_chars if r.text_chars else 0.0
                     for r in measured)
    tap_ok = tap_share <= params.max_small_tap_share
    text_ok = text_share <= params.max_small_text_share
    findings: list[Finding] = []
    if not tap_ok:
        worst = max(measured, key=lambda r: (r.small_tap_targets or 0) / max(r.tap_targets or 1, 1))
        findings.append(Finding(
            msg("tap.finding", share=round(tap_share * 100, 1), px=params.min_tap_px,
                width=worst.width),
            page_url=page.url, snippet="; ".join(worst.small_tap_samples) or None,
            expected=msg("tap.expected", share=round(params.max_small_tap_share * 100, 1))))
    if not text_ok:
        findings.append(Finding(
            msg("text.finding", share=round(text_share * 100, 1), px=params.min_font_px),
            page_url=page.url,
            expected=msg("text.expected", share=round(params.max_small_text_share * 100, 1))))
    ok = tap_ok and text_ok
    return Outcome(
        Status.PASS if ok else Status.FAIL, (0.5 if tap_ok else 0.0) + (0.5 if text_ok else 0.0),
        value=round(max(tap_share, text_share), 4), unit="share",
        display_value=msg("page.role_detail", role=role(page.role), detail=msg(
            "tap_text.measured", tap=round(tap_share * 100, 1), text=round(text_share * 100, 1))),
        findings=tuple(findings), pages=(page.url,),
    )


# -- TT 32/2017 Đ18 minimums axe-core does not test --------------------------------------------


class MovingTextParams(Params):
    pass


@register("no_moving_text", level="page", params=MovingTextParams, evidence="moving_text")
def no_moving_text(view: EvidenceView, page: Page, params: MovingTextParams) -> Outcome:
    """TT 32/2017 Đ18.1 forbids blinking or moving text (mandatory): any is a fail."""
    if page.moving_text is None:
        raise MissingEvidence("moving_text", msg("missing.moving_text", url=page.final_url))
    m = page.moving_text
    count = m.blink + m.marquee + m.animated + m.moved
    if count == 0:
        return Outcome(Status.PASS, 1.0, value=0, display_value=msg("moving.none"),
                       pages=(page.final_url,))
    return Outcome(
        Status.FAIL, 0.0, value=count, unit="elements",
        display_value=msg("moving.found", blink=m.blink, marquee=m.marquee, animated=m.animated,
                          moved=m.moved),
        expected=msg("moving.expected"),
        findings=(Finding(msg("moving.finding", count=count), page_url=page.final_url,
                          snippet="; ".join(m.samples) or None),),
        pages=(page.final_url,),
    )


class AidsParams(Params):
    # The three shortcut targets TT 32/2017 Đ18.2 names (Trang chủ, Sơ đồ cổng, Tìm kiếm);
    # each is recognised by its link or its words.
    sitemap_words: list[str] = Field(default_factory=lambda: ["so-do", "sitemap", "sơ đồ"])
    search_words: list[str] = Field(default_factory=lambda: ["tim-kiem", "search", "tìm kiếm"])


def _shortcut_targets(page: Page, aids: AccessAids, params: AidsParams) -> set[str]:
    found: set[str] = set()
    start = urlsplit(page.final_url)
    for key in aids.accesskeys:
        if not key.key:
            continue
        href = urlsplit(key.href) if key.href else None
        words = f"{key.href} {key.text}".lower()
        to_root = (href is not None and href.netloc == start.netloc
                   and href.path in ("", "/") and not href.query)
        label = key.text.strip().lower()
        if to_root or "trang chủ" in label or label == "home":
            found.add("home")
        if any(w in words for w in params.sitemap_words):
            found.add("sitemap")
        if any(w in words for w in params.search_words):
            found.add("search")
    return found


_TARGET_NAMES = {"home": msg("aids.target_home"), "sitemap": msg("aids.target_sitemap"),
                 "search": msg("aids.target_search")}


@register("accessibility_aids", level="page", params=AidsParams, evidence="access_aids")
def accessibility_aids(view: EvidenceView, page: Page, params: AidsParams) -> Outcome:
    """TT 32/2017 Đ18.2 (encouraged, "khuyến khích"): keyboard shortcuts to home, site map and
    search, and a text-size tool. Half the score for the shortcuts (a third per target), half
    for the tool. All present passes. Some present fails with the partial score: the page shows
    it offers aids we can read, so the missing ones are missing. None found is needs_review,
    not fail: the law only encourages them, and a toolbar drawn as icons escapes detection,
    so an auditor confirms before the points are withheld for good."""
    if page.access_aids is None:
        raise MissingEvidence("access_aids", msg("missing.access_aids", url=page.final_url))
    aids = page.access_aids
    targets = _shortcut_targets(page, aids, params)
    tool = bool(aids.text_size_controls)
    score = len(targets) / 3 * 0.5 + (0.5 if tool else 0.0)
    missing = [t for t in ("home", "sitemap", "search") if t not in targets]
    shown = msg("aids.measured", shortcuts=len(targets),
                tool=msg("aids.tool_yes") if tool else msg("aids.tool_no"))
    findings = []
    if missing:
        findings.append(Finding(msg("aids.no_shortcut",
                                    targets=tuple(_TARGET_NAMES[t] for t in missing)),
                                page_url=page.final_url, selector="[accesskey]"))
    if not tool:
        findings.append(Finding(msg("aids.no_tool"), page_url=page.final_url))
    status = (Status.PASS if score >= 1.0 else
              Status.NEEDS_REVIEW if score == 0.0 else Status.FAIL)
    return Outcome(status, round(score, 6), value=round(score, 4), display_value=shown,
                   expected=msg("aids.expected"), findings=tuple(findings),
                   pages=(page.final_url,))
