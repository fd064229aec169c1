"""axe-core tags → WCAG version, level and success criterion."""

from __future__ import annotations

import pytest

from evaluator.wcag import WcagRef, failing_by_version, sc_key, success_criterion, wcag_ref


@pytest.mark.parametrize(("tag", "sc"), [
    ("wcag111", "1.1.1"), ("wcag143", "1.4.3"), ("wcag1410", "1.4.10"), ("wcag412", "4.1.2"),
    ("WCAG244", "2.4.4"), ("wcag2a", None), ("wcag21aa", None), ("wcag2aa", None),
    ("best-practice", None), ("cat.color", None), ("wcag", None), ("wcag11111", None),
])
def test_success_criterion_from_tag(tag: str, sc: str | None) -> None:
    assert success_criterion(tag) == sc


@pytest.mark.parametrize(("tags", "ref"), [
    (["cat.text-alternatives", "wcag2a", "wcag111", "section508"],
     WcagRef(("1.1.1",), "2.0", "A")),
    (["wcag2aa", "wcag143"], WcagRef(("1.4.3",), "2.0", "AA")),
    (["wcag21aa", "wcag135"], WcagRef(("1.3.5",), "2.1", "AA")),
    (["wcag21a", "wcag1410", "wcag143"], WcagRef(("1.4.3", "1.4.10"), "2.1", "A")),
    (["wcag22aa", "wcag258"], WcagRef(("2.5.8",), "2.2", "AA")),
    (["best-practice"], WcagRef((), None, None)),
])
def test_wcag_ref(tags: list[str], ref: WcagRef) -> None:
    assert wcag_ref(tags) == ref


def test_releases_are_cumulative() -> None:
    assert WcagRef(("1.1.1",), "2.0", "A").versions == ("2.0", "2.1", "2.2")
    assert WcagRef(("1.3.5",), "2.1", "AA").versions == ("2.1", "2.2")
    assert WcagRef((), None, None).versions == ()


def test_failing_by_version_answers_both_legal_readings() -> None:
    refs = [wcag_ref(["wcag2a", "wcag111"]), wcag_ref(["wcag21aa", "wcag1410"]),
            wcag_ref(["wcag2aa", "wcag143"]), wcag_ref(["wcag22aa", "wcag258"]),
            wcag_ref(["best-practice"])]
    assert failing_by_version(refs) == {"2.0": ["1.1.1", "1.4.3"],
                                        "2.1": ["1.1.1", "1.4.3", "1.4.10"]}


def test_sc_key_orders_numerically() -> None:
    assert sorted(["1.4.10", "1.4.3", "1.1.1"], key=sc_key) == ["1.1.1", "1.4.3", "1.4.10"]
