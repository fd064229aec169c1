"""Formatting and escaping for every report page: points, times, tones, text in one language, and
which of the portal's own addresses may become a link (all of the portal's text is untrusted)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, unquote_plus, urlsplit

from evaluator.base.result import PortalResult
from evaluator.base.text import Band, Text, band_index

DASH = "—"


@dataclass(frozen=True)
class Link:
    text: str
    href: str | None


def safe_href(url: str | None) -> str | None:
    """``url`` if it may become a link: absolute http(s) with a host; None for anything else
    (javascript:, data:, file:, relative, or with control characters browsers would strip)."""
    if not url or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def safe_relative_href(href: str | None) -> str | None:
    """A link from the index to a report: a relative path only (no scheme, no host, not rooted),
    percent-encoded so folder names with spaces or Vietnamese letters still work."""
    if not href or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in href) or "\\" in href:
        return None
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or href.startswith("/"):
        return None
    # A colon in the first segment would read as a scheme once percent-decoding is undone.
    if ":" in href.split("/", 1)[0]:
        return None
    return quote(href, safe="/#?&=%")


def fmt_points(value: float | None) -> str:
    """Points with one decimal and a dot (72.5), whatever the report language."""
    if value is None:
        return DASH
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def fmt_threshold(value: float) -> str:
    """A band's minimum as the rubric writes it: 90, or 72.5 when it has a fraction."""
    return f"{value:.0f}" if float(value).is_integer() else fmt_points(value)


def pick(text: Text, lang: str) -> str:
    """The text in the report language; English falls back to Vietnamese when blank."""
    if lang == "en" and text.en.strip():
        return text.en
    return text.vi


def fmt_time(value: str) -> str:
    """An ISO timestamp as "2024-05-01 10:20:30 (UTC+07:00)"; anything else as given."""
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return value
    shown = stamp.strftime("%Y-%m-%d %H:%M:%S")
    offset = stamp.utcoffset()
    if offset is None:
        return shown
    if not offset:
        return f"{shown} (UTC)"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{shown} (UTC{sign}{hours:02d}:{mins:02d})"


def clip(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + "…"


def tone(index: int, count: int) -> int:
    """Colour step 1 (best, green) … 5 (worst, red) for band ``index`` of ``count``."""
    if count <= 1:
        return 1
    return 1 + round(index * 4 / (count - 1))


def grade_tone(grade: str | None, bands: Sequence[Band]) -> int:
    index = band_index(grade, bands)
    return 0 if index is None else tone(index, len(bands))


def score_tone(percent: float, bands: Sequence[Band]) -> int:
    """Colour a share of points (0–100) as the band it would earn as a total."""
    for i, band in enumerate(bands):
        if percent >= band.min:
            return tone(i, len(bands))
    return tone(len(bands) - 1, len(bands)) if bands else 0


def percent(points: float | None, possible: float) -> float:
    if points is None or possible <= 0:
        return 0.0
    return max(0.0, min(100.0, 100.0 * points / possible))


def is_evaluated(result: PortalResult) -> bool:
    return result.not_evaluated is None and result.total is not None


def fmt_fix_points(value: float) -> str:
    """A fix's points with two decimals: an accessibility rule may be worth 0.04."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def short_url(url: str, start_url: str) -> str:
    """A page of the portal as its path (and query); a page elsewhere as its full URL."""
    try:
        page, start = urlsplit(url), urlsplit(start_url)
    except ValueError:
        return url
    if page.netloc and page.netloc != start.netloc:
        return url
    # Shown as a person reads it (tìm-kiếm?q=đăng ký), linked as it was requested.
    return unquote_plus((page.path or "/") + (f"?{page.query}" if page.query else ""))
