"""WCAG version, level and success criterion of an axe-core rule, read from its tags.

axe-core tags each rule with the WCAG release and level that introduced its success criterion
(``wcag2a``, ``wcag2aa``, ``wcag21a``, ``wcag21aa``, ``wcag22aa``) and with the criterion itself
(``wcag111`` is SC 1.1.1, ``wcag1410`` SC 1.4.10). WCAG releases are cumulative: a 2.0 criterion
is also a 2.1 and 2.2 criterion, so a 2.0 failure is reported under every later version too. The
legal readings differ on the version Vietnam requires (RESEARCH.md T07: TT 26/2020's annex vs
TT 22/2023), so results answer for 2.0 and 2.1 alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Release tag → (release, level). Best-practice and experimental tags are not WCAG.
_RELEASE_TAGS: dict[str, tuple[str, str]] = {
    "wcag2a": ("2.0", "A"), "wcag2aa": ("2.0", "AA"), "wcag2aaa": ("2.0", "AAA"),
    "wcag21a": ("2.1", "A"), "wcag21aa": ("2.1", "AA"), "wcag21aaa": ("2.1", "AAA"),
    "wcag22a": ("2.2", "A"), "wcag22aa": ("2.2", "AA"), "wcag22aaa": ("2.2", "AAA"),
}
RELEASES = ("2.0", "2.1", "2.2")
# Principle and guideline are one digit each; the criterion's own number is the rest (1.4.10).
_SC_TAG = re.compile(r"wcag(\d)(\d)(\d{1,2})")


@dataclass(frozen=True)
class WcagRef:
    """What a rule's tags say: the success criteria, the release that introduced them, the level."""

    criteria: tuple[str, ...]
    introduced_in: str | None
    level: str | None

    @property
    def versions(self) -> tuple[str, ...]:
        """Every release the criteria belong to (releases are cumulative)."""
        if self.introduced_in is None:
            return ()
        return RELEASES[RELEASES.index(self.introduced_in):]


def success_criterion(tag: str) -> str | None:
    """``wcag1410`` → ``1.4.10``; None for a tag that names no success criterion."""
    match = _SC_TAG.fullmatch(tag.strip().lower())
    return ".".join(match.groups()) if match else None


def wcag_ref(tags: Iterable[str]) -> WcagRef:
    tags = [t.strip().lower() for t in tags]
    criteria = tuple(sorted({sc for t in tags if (sc := success_criterion(t))}, key=sc_key))
    releases = [_RELEASE_TAGS[t] for t in tags if t in _RELEASE_TAGS]
    # The earliest release among the tags is the one that introduced the criterion.
    first = min(releases, key=lambda r: RELEASES.index(r[0])) if releases else None
    return WcagRef(criteria, first[0] if first else None, first[1] if first else None)


def sc_key(sc: str) -> tuple[int, ...]:
    """Sort key putting 1.4.3 before 1.4.10."""
    return tuple(int(p) for p in sc.split("."))


def failing_by_version(refs: Iterable[WcagRef]) -> dict[str, list[str]]:
    """Release → sorted success criteria failing in it, for 2.0 and 2.1 (the two legal readings)."""
    out: dict[str, set[str]] = {"2.0": set(), "2.1": set()}
    for ref in refs:
        for version in ref.versions:
            if version in out:
                out[version].update(ref.criteria)
    return {v: sorted(s, key=sc_key) for v, s in out.items()}
