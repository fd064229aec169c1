"""The keyboard-access check on hand-built keyboard walks: each problem found, named with the
template, the stop and the element; a clean walk passes; no walk is never a pass."""

from __future__ import annotations

from typing import Any

from evaluator.checks.keyboard import KeyboardParams, keyboard_walk_clean
from evaluator.checks.model import Status
from evaluator.evidence import KeyboardStop, KeyboardWalk, KeyPageMeasurement
from evaluator.runner import run_criterion
from tests.unit.evidence_factory import (
    bundle,
    key_page,
    key_page_not_found,
    shipped_criterion,
    shipped_params,
    view,
)

PARAMS = KeyboardParams()


def stop(n: int, **kw: Any) -> KeyboardStop:
    """The n-th stop of a healthy walk: one line lower than the previous, focus visible."""
    base: dict[str, Any] = {"tag": "a", "name": f"Mục {n}", "path": f"nav > a:nth-of-type({n})",
                            "x": 10.0, "y": 20.0 * n, "width": 80.0, "height": 18.0,
                            "focus_visible": True, "focus_change": ["outline"]}
    return KeyboardStop(**{**base, **kw})


def skip() -> KeyboardStop:
    return stop(1, name="Bỏ qua, đến nội dung chính", path="a.skip")


def walk(stops: list[KeyboardStop] | None = None, **kw: Any) -> KeyboardWalk:
    stops = stops if stops is not None else [skip(), *(stop(n) for n in range(2, 16))]
    base: dict[str, Any] = {"role": "home", "url": "https://dvc.example.gov.vn/",
                            "final_url": "https://dvc.example.gov.vn/", "max_presses": 80,
                            "presses": len(stops) + 1, "stops": stops, "ended": "cycle",
                            "focusable": len(stops), "skip_link": "#noi-dung",
                            "skip_target_exists": True, "reverse_presses": 3,
                            "reverse_moved": 3, "elapsed_s": 1.2}
    return KeyboardWalk(**{**base, **kw})


def walked(w: KeyboardWalk, role: str = "home", path: str = "/") -> KeyPageMeasurement:
    return key_page(role, path).model_copy(update={"keyboard": w.model_copy(update={"role": role})})


def judge(*pages: KeyPageMeasurement, disabled: dict[str, str] | None = None) -> Any:
    return keyboard_walk_clean(view(bundle(key_pages=list(pages), disabled=disabled)), PARAMS)


def test_a_clean_walk_passes_and_lists_its_stops_in_order() -> None:
    out = judge(walked(walk()), walked(walk(), "catalogue", "/thu-tuc"))
    assert out.status is Status.PASS and out.score == 1.0
    assert out.value == 0
    assert out.display_value is not None
    assert out.display_value.en == "home: 15 stops, 0 problems; catalogue: 15 stops, 0 problems"
    first = out.findings[0]
    assert first.message.en == ("Tab order on the home: 15 stops, 0 of them marked ⚠ with the "
                                "WCAG success criterion they fail")
    assert first.message.vi.startswith("Thứ tự phím Tab trên trang chủ: 15 điểm dừng")
    assert first.value == "keyboard-walk"
    assert first.snippet is not None
    assert first.snippet.splitlines()[:2] == ["1. a “Bỏ qua, đến nội dung chính”", "2. a “Mục 2”"]
    assert "⚠" not in first.snippet
    # Both templates' walks come first, before any problem.
    assert out.findings[1].value == "keyboard-walk"


def test_invisible_focus_is_charged_by_its_share_and_marked_on_the_stop() -> None:
    stops = [skip(), *(stop(n) for n in range(2, 16))]
    stops[4] = stop(5, tag="div", role="menuitem", name="Dịch vụ", focus_visible=False,
                    focus_change=[])
    out = judge(walked(walk(stops)))
    assert out.status is Status.FAIL
    assert out.score == round(1 - 0.5 * 1 / 15, 6)
    assert "5. div[role=menuitem] “Dịch vụ” ⚠ 2.4.7" in (out.findings[0].snippet or "")
    (problem,) = out.findings[1:]
    assert problem.message.en == ("home, stop 5 (div[role=menuitem] “Dịch vụ”): focus not visible "
                                  "(no change of outline, shadow, border or background on focus; "
                                  "WCAG 2.4.7)")
    assert problem.selector == "nav > a:nth-of-type(5)"


def test_unknown_focus_is_not_counted_either_way() -> None:
    stops = [skip(), *(stop(n, focus_visible=None) for n in range(2, 16))]
    assert judge(walked(walk(stops))).status is Status.PASS


def test_a_trap_costs_the_whole_template() -> None:
    stops = [skip(), stop(2), stop(3, name="‹", path="div.lich > button:nth-of-type(1)"),
             stop(4, name="Hôm nay", path="div.lich > button:nth-of-type(2)")]
    trapped = walk(stops, ended="trap", trap=[stops[2].path, stops[3].path], trap_presses=10,
                   focusable=40, reverse_presses=0, reverse_moved=0)
    out = judge(walked(trapped, "status_lookup", "/tra-cuu"), walked(walk()))
    assert out.status is Status.FAIL
    assert out.score == 0.5   # the trapped template 0, the home page 1
    messages = [f.message.en for f in out.findings]
    assert any(m.startswith("status lookup: keyboard trap: after 10 Tab presses focus still cycles "
                            "among 2 elements (div.lich > button:nth-of-type(1)") for m in messages)
    listing = out.findings[0].snippet or ""
    assert "3. a “‹” ⚠ 2.1.2\n4. a “Hôm nay” ⚠ 2.1.2" in listing


def test_a_trap_inside_an_open_modal_dialog_is_the_dialog_pattern() -> None:
    w = walk(ended="trap", trap=["div.modal > a"], trap_presses=10, trap_in_dialog=True)
    assert judge(walked(w)).status is Status.PASS


def test_mouse_only_clickables_are_named() -> None:
    w = walk(unreachable=[KeyboardStop(tag="div", name="Thủ tục hành chính",
                                       path="div.menu > div:nth-of-type(2)")],
             unreachable_count=7)
    out = judge(walked(w))
    assert out.status is Status.FAIL and out.score == 0.5
    (problem,) = out.findings[1:]
    assert problem.message.en == ("home: 7 elements can be clicked with a mouse but not reached "
                                  "with the keyboard, e.g. div “Thủ tục hành chính” (WCAG 2.1.1)")
    assert problem.selector == "div.menu > div:nth-of-type(2)"


def test_positive_tabindex_and_a_backward_jump() -> None:
    stops = [skip(), stop(2, tabindex=3, y=900.0), stop(3, y=60.0, before_previous=True),
             *(stop(n) for n in range(4, 16))]
    out = judge(walked(walk(stops)))
    messages = [f.message.en for f in out.findings[1:]]
    assert messages == [
        "home, stop 2 (a “Mục 2”): tabindex=\"3\" (above 0) overrides the page's Tab order "
        "(WCAG 2.4.3)",
        "home, stop 3 (a “Mục 3”): focus order jumps 840 px back up the page to an earlier "
        "element (WCAG 2.4.3)"]
    assert out.score == 0.5


def test_a_step_up_in_document_order_is_no_jump() -> None:
    """Sidebar foot → main column top: higher on the page, but later in the document."""
    stops = [skip(), stop(2, y=900.0), stop(3, y=60.0, before_previous=False),
             *(stop(n) for n in range(4, 16))]
    assert judge(walked(walk(stops))).status is Status.PASS


def test_skip_link_missing_on_a_long_page_or_broken() -> None:
    stops = [stop(n) for n in range(1, 16)]
    missing = judge(walked(walk(stops, skip_link=None, skip_target_exists=None)))
    assert missing.status is Status.FAIL and missing.score == 0.75
    assert missing.findings[1].message.en == ("home: no “skip to main content” link among the "
                                              "first 3 stops (WCAG 2.4.1)")
    short = judge(walked(walk(stops[:5], skip_link=None, skip_target_exists=None)))
    assert short.status is Status.PASS
    broken = judge(walked(walk(skip_target_exists=False)))
    assert broken.status is Status.FAIL
    assert "1. a “Bỏ qua, đến nội dung chính” ⚠ 2.4.1 #noi-dung" in (broken.findings[0].snippet or "")


def test_a_tab_press_that_navigates_and_a_stuck_shift_tab() -> None:
    went = judge(walked(walk(ended="navigated", navigated_to="https://dvc.example.gov.vn/x",
                             reverse_presses=0, reverse_moved=0)))
    assert went.status is Status.FAIL
    assert "WCAG 3.2.1" in went.findings[1].message.en
    stuck = judge(walked(walk(reverse_moved=0)))
    assert stuck.findings[1].message.en == "home: Shift+Tab does not move focus back (WCAG 2.1.1)"


def test_the_listing_stays_short_but_keeps_every_marked_stop() -> None:
    stops = [skip(), *(stop(n) for n in range(2, 61))]
    stops[49] = stop(50, focus_visible=False)
    out = judge(walked(walk(stops)))
    listing = (out.findings[0].snippet or "").splitlines()
    assert listing[24] == "25. a “Mục 25”"
    assert listing[25:] == ["50. a “Mục 50” ⚠ 2.4.7", "… +34"]


def test_no_walk_is_never_a_pass() -> None:
    old = judge(key_page())
    assert old.status is Status.NOT_APPLICABLE and old.score is None
    assert old.display_value is not None
    assert old.display_value.en == ("No keyboard walk: the evidence was gathered before the "
                                    "keyboard walk existed")
    off = judge(key_page(), disabled={"keyboard": "switched off by the 'keyboard_walk' setting"})
    assert off.status is Status.NOT_APPLICABLE
    assert off.display_value is not None and "keyboard_walk" in off.display_value.en


def test_failed_walks_and_missing_templates() -> None:
    failed = walk(stops=[], ended="error", error="net::ERR_CONNECTION_REFUSED")
    out = judge(walked(failed), key_page_not_found("catalogue"))
    assert out.status is Status.NEEDS_REVIEW
    both = judge(walked(failed), walked(walk(), "service", "/thu-tuc/1"))
    assert both.status is Status.PASS
    assert both.findings[-1].message.en == ("home: the keyboard walk failed "
                                            "(net::ERR_CONNECTION_REFUSED)")


def test_the_shipped_criterion_runs_the_check() -> None:
    criterion = shipped_criterion("keyboard-access")
    assert criterion.points == 0.5 and criterion.pillar == "access"
    assert shipped_params("keyboard-access") == PARAMS
    result = run_criterion(criterion, view(bundle(key_pages=[walked(walk())])))
    assert result.outcome.status is Status.PASS


def test_focus_hidden_on_many_stops_is_one_finding_before_the_stops_own() -> None:
    stops = [skip(), *(stop(n, focus_visible=n > 9) for n in range(2, 21))]
    stops[14] = stop(15, tabindex=1)
    out = judge(walked(walk(stops)))
    assert out.score == round(1 - 0.5 * 8 / 20 - 0.25, 6)
    listing = (out.findings[0].snippet or "").splitlines()
    assert listing[1] == "2. a “Mục 2” ⚠ 2.4.7" and listing[8] == "9. a “Mục 9” ⚠ 2.4.7"
    messages = [f.message.en for f in out.findings[1:]]
    assert messages[0] == ("home: focus not visible on 8 of 20 stops (stops 2, 3, 4, 5, 6, 7, 8, "
                           "9: a “Mục 2”, a “Mục 3”, a “Mục 4”…): no change of outline, shadow, "
                           "border or background on focus (WCAG 2.4.7)")
    assert messages[1].startswith("home, stop 15 (a “Mục 15”): tabindex=\"1\"")
    assert len(messages) == 2
