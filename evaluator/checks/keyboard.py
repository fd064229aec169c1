"""The keyboard-access criterion: the keyboard walk of each key template judged (issue 18).

TT 32/2017/TT-BTTTT Đ18 asks portals to follow the accessibility standard (WCAG); a citizen who
cannot use a mouse (a motor impairment, a screen reader, a broken touchpad) reaches a service
only if the keyboard does: WCAG 2.1.1 Keyboard, 2.1.2 No Keyboard Trap, 2.4.1 Bypass Blocks,
2.4.3 Focus Order, 2.4.7 Focus Visible. The gatherer (gather/keyboard.py) records facts; the
judgement and its weights are here and in the params.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import Field

from evaluator.checks.messages import Msg, msg, role
from evaluator.checks.model import Finding, Outcome, Status
from evaluator.checks.registry import Params, register
from evaluator.derived import EvidenceView
from evaluator.evidence import KeyboardStop, KeyboardWalk, KeyPageMeasurement


class KeyboardParams(Params):
    # The templates the issue names for the walk (gather/keyboard.py KEYBOARD_ROLES).
    roles: list[str] = Field(default_factory=lambda: [
        "home", "catalogue", "service", "search_results", "status_lookup"])
    # What each problem costs a template's score (1 = all of it, floored at 0). A trap ends a
    # keyboard user's visit (WCAG 2.1.2 is one of the four "non-interference" criteria: a
    # failure blocks the whole page); an element only a mouse can use (2.1.1) or focus nobody
    # can see (2.4.7, charged by the share of stops) loses half; an order that jumps back,
    # tabindex > 0 (2.4.3) and a missing or broken skip link (2.4.1) cost a quarter, since
    # each slows a keyboard user down without stopping them.
    trap_charge: float = Field(1.0, ge=0, le=1)
    unreachable_charge: float = Field(0.5, ge=0, le=1)
    invisible_charge: float = Field(0.5, ge=0, le=1)
    backwards_charge: float = Field(0.25, ge=0, le=1)
    positive_tabindex_charge: float = Field(0.25, ge=0, le=1)
    skip_link_charge: float = Field(0.25, ge=0, le=1)
    # A Tab press that navigates (WCAG 3.2.1 On Focus) or a Shift+Tab that does not move back.
    navigation_charge: float = Field(0.5, ge=0, le=1)
    # A stop counts as jumping back when it comes earlier in the document than the previous
    # stop AND sits this far higher on the page: a two-column layout's step from the sidebar's
    # foot to the main column's top is in document order and is not counted; a stop moved up
    # by tabindex or a script is.
    backwards_margin_px: float = Field(100.0, ge=0)
    # WCAG 2.4.1 is about blocks repeated on every page: with fewer stops than this before the
    # walk ended, the header and menu are short enough that a skip link saves little.
    skip_link_min_stops: int = Field(10, ge=0)
    # The walk is shown as its first stops (and every stop with a problem after them).
    listed_stops: int = Field(25, ge=1)


@dataclass
class _Template:
    page: KeyPageMeasurement
    walk: KeyboardWalk
    charge: float = 0.0
    problems: int = 0
    findings: list[Finding] = field(default_factory=list)
    # Page-wide problems (a trap, mouse-only elements, the skip link, focus hidden on many
    # stops): listed before the stops' own, so the result's cap never drops them.
    page_findings: list[Finding] = field(default_factory=list)
    marks: dict[int, list[str]] = field(default_factory=dict)


def _element(stop: KeyboardStop) -> Msg:
    tag = stop.tag + (f"[role={stop.role}]" if stop.role else "")
    if stop.name:
        return msg("keyboard.element", tag=tag, name=stop.name)
    return msg("keyboard.element_unnamed", tag=tag)


def _judge(t: _Template, params: KeyboardParams) -> None:
    walk, where = t.walk, role(t.page.role)
    url = walk.final_url or walk.url

    def stop_problem(n: int, stop: KeyboardStop, problem: Msg, mark: str) -> None:
        t.problems += 1
        t.marks.setdefault(n, []).append(mark)
        t.findings.append(Finding(msg("keyboard.stop_finding", role=where, n=n,
                                      element=_element(stop), problem=problem),
                                  page_url=url, selector=stop.path or None))

    def page_problem(problem: Msg, charge: float, selector: str | None = None,
                     snippet: str | None = None) -> None:
        t.problems += 1
        t.charge += charge
        t.page_findings.append(Finding(msg("keyboard.page_finding", role=where, problem=problem),
                                       page_url=url, selector=selector, snippet=snippet))

    hidden = [(n, stop) for n, stop in enumerate(walk.stops, start=1)
              if stop.focus_visible is False]
    known = sum(1 for stop in walk.stops if stop.focus_visible is not None)
    invisible = len(hidden)
    if invisible == 1:
        stop_problem(*hidden[0], msg("keyboard.problem.invisible"), "2.4.7")
    elif invisible > 1:
        # One finding for a theme's rule (a menu whose 16 links all lose the ring), naming
        # the stops; each stays marked in the walk's list. Charged below, by share.
        for n, _ in hidden:
            t.marks.setdefault(n, []).append("2.4.7")
        page_problem(msg("keyboard.problem.invisible_many", count=invisible, known=known,
                         stops=", ".join(f"{n}" for n, _ in hidden[:20])
                         + (" …" if invisible > 20 else ""),
                         first=", ".join(f"{s.tag} “{s.name}”" if s.name else s.tag
                                         for _, s in hidden[:3])),
                     0.0, selector=hidden[0][1].path or None)
    backwards = tabindex = 0
    for n, stop in enumerate(walk.stops, start=1):
        if stop.tabindex is not None and stop.tabindex > 0:
            tabindex += 1
            stop_problem(n, stop, msg("keyboard.problem.tabindex", value=stop.tabindex),
                         f"2.4.3 tabindex={stop.tabindex}")
        prev = walk.stops[n - 2] if n > 1 else None
        if (prev is not None and stop.before_previous and stop.y is not None
                and prev.y is not None and prev.y - stop.y > params.backwards_margin_px):
            backwards += 1
            stop_problem(n, stop, msg("keyboard.problem.backwards", px=round(prev.y - stop.y)),
                         f"2.4.3 ↑{round(prev.y - stop.y)} px")
    if known:
        t.charge += params.invisible_charge * invisible / known
    if backwards:
        t.charge += params.backwards_charge
    if tabindex:
        t.charge += params.positive_tabindex_charge
    if walk.ended == "trap" and not walk.trap_in_dialog:
        page_problem(msg("keyboard.problem.trap", presses=walk.trap_presses,
                         count=len(walk.trap), where=", ".join(walk.trap[:3])),
                     params.trap_charge, selector=walk.trap[0] if walk.trap else None)
        paths = set(walk.trap)
        for n, stop in enumerate(walk.stops, start=1):
            if stop.path in paths:
                t.marks.setdefault(n, []).append("2.1.2")
    if walk.unreachable_count:
        # The page's own words and tags, shown as found in both languages.
        samples = "; ".join(f"{u.tag} “{u.name}”" if u.name else u.tag
                            for u in walk.unreachable[:3])
        page_problem(msg("keyboard.problem.unreachable", count=walk.unreachable_count,
                         samples=samples),
                     params.unreachable_charge,
                     selector=walk.unreachable[0].path if walk.unreachable else None,
                     snippet="; ".join(u.path for u in walk.unreachable[:10]) or None)
    if walk.skip_link is not None and walk.skip_target_exists is False:
        page_problem(msg("keyboard.problem.skip_broken", href=walk.skip_link),
                     params.skip_link_charge)
        for n, stop in enumerate(walk.stops[:3], start=1):
            if stop.tag == "a":
                t.marks.setdefault(n, []).append(f"2.4.1 {walk.skip_link}")
                break
    elif walk.skip_link is None and len(walk.stops) >= params.skip_link_min_stops:
        page_problem(msg("keyboard.problem.skip_missing", stops=3), params.skip_link_charge)
    if walk.navigated_to:
        page_problem(msg("keyboard.problem.navigated", url=walk.navigated_to),
                     params.navigation_charge)
    elif walk.reverse_presses and not walk.reverse_moved and len(walk.stops) >= 2:
        page_problem(msg("keyboard.problem.reverse"), params.navigation_charge)


# A finding whose value is this carries the walk of one template in its snippet, one stop a
# line in Tab order ("3. a “Hỏi đáp” ⚠ 2.4.7"): the report shows it as an ordered list.
WALK_VALUE = "keyboard-walk"


def _walk_list(t: _Template, params: KeyboardParams) -> Finding:
    """The walk as a short ordered list: the first stops, then only those with a problem, each
    marked ⚠ with the WCAG success criterion it fails. The lines are data (the page's own
    names, tags and WCAG numbers), the same in both languages; the message says how to read
    them in each."""
    lines: list[str] = []
    elided = 0
    for n, stop in enumerate(t.walk.stops, start=1):
        marks = t.marks.get(n)
        if n > params.listed_stops and not marks:
            elided += 1
            continue
        tag = stop.tag + (f"[role={stop.role}]" if stop.role else "")
        line = f"{n}. {tag} “{stop.name}”" if stop.name else f"{n}. {tag}"
        lines.append(line + (" ⚠ " + ", ".join(marks) if marks else ""))
    if elided:
        lines.append(f"… +{elided}")
    return Finding(msg("keyboard.walk", role=role(t.page.role), stops=len(t.walk.stops),
                       marked=len(t.marks)),
                   page_url=t.walk.final_url or t.walk.url, value=WALK_VALUE,
                   snippet="\n".join(lines) or None)


@register("keyboard_walk_clean", level="site", params=KeyboardParams, evidence="key_pages.keyboard")
def keyboard_walk_clean(view: EvidenceView, params: KeyboardParams) -> Outcome:
    """Each key template walked with Tab and Shift+Tab (gather/keyboard.py) is free of keyboard
    traps, mouse-only clickables, invisible focus, backward jumps, tabindex > 0 and a missing
    or broken skip link. A template's score is 1 minus the charges of its problems (params),
    floored at 0; the criterion's is their mean. Templates not found are left to the criteria
    that count them; a walk that failed is listed, not scored. No walk at all (a bundle older
    than the walk, the walk switched off) is not_applicable with the reason, never a pass.
    Evidence: ``key_pages[].keyboard``."""
    keys = [k for k in view.bundle.key_pages or () if k.role in params.roles
            and k.not_found is None]
    walked = [k for k in keys if k.keyboard is not None]
    if not walked:
        reason: Msg | str = view.bundle.disabled.get("keyboard") or msg("keyboard.no_evidence")
        return Outcome(Status.NOT_APPLICABLE, None,
                       display_value=msg("keyboard.not_walked", reason=reason))
    templates: list[_Template] = []
    failed: list[Finding] = []
    for page in walked:
        walk = page.keyboard
        assert walk is not None
        if walk.error is not None or walk.ended == "error":
            failed.append(Finding(msg("keyboard.walk_failed", role=role(page.role),
                                      error=walk.error or ""), page_url=page.url))
            continue
        t = _Template(page, walk)
        _judge(t, params)
        templates.append(t)
    pages = tuple(t.walk.final_url or t.walk.url for t in templates)
    if not templates:
        return Outcome(Status.NEEDS_REVIEW, None, findings=tuple(failed),
                       display_value=msg("keyboard.not_walked",
                                         reason=failed[0].message if failed else ""))
    scores = [max(0.0, 1.0 - t.charge) for t in templates]
    problems = sum(t.problems for t in templates)
    # The walks first: the result keeps a criterion's first 40 findings (runner.MAX_FINDINGS),
    # and each template's list is the reader's way into its problems.
    findings = [_walk_list(t, params) for t in templates]
    for t in templates:
        findings.extend(t.page_findings)
    for t in templates:
        findings.extend(t.findings)
    findings.extend(failed)
    return Outcome(
        Status.PASS if problems == 0 else Status.FAIL, round(sum(scores) / len(scores), 6),
        value=problems, unit="problems",
        display_value=_measured(templates),
        expected=msg("keyboard.expected"), findings=tuple(findings), pages=pages,
        data={"templates": {t.page.role: round(s, 4) for t, s in zip(templates, scores,
                                                                    strict=True)}},
    )


def _measured(templates: list[_Template]) -> Msg:
    return msg("keyboard.measured_all", templates=tuple(
        msg("keyboard.measured", role=role(t.page.role), stops=len(t.walk.stops),
            problems=t.problems) for t in templates))
