"""Turn what a page's scripts returned into evidence models without trusting it.

Everything read with ``page.evaluate`` runs in the portal's own JavaScript realm: a page can
override ``performance.getEntriesByName``, ``Array.prototype.map`` or ``String.prototype.slice``
and hand back strings where numbers belong. One such page must cost its own evidence at most,
never the crawl, so values that do not fit become None / empty / are left out. Pure: no browser.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from evaluator.evidence import ContentAccess, Form, ImageAlt, Link, MediaPlayback, Timings

M = TypeVar("M", bound=BaseModel)


def one_line(exc: BaseException, limit: int = 200) -> str:
    """An exception as the first line of its message (its type when it has none), clipped.

    Here, below page.py and discover.py, so that the discoverer, which page.py drives, can name
    its failures without importing page.py back.
    """
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:limit]


def number_or_none(value: Any) -> float | None:
    """A finite, non-negative number as float, else None (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def timings_from(raw: Any) -> Timings:
    """Timings from READ_TIMINGS' answer; anything that is not a sane number becomes None."""
    if not isinstance(raw, dict):
        return Timings()
    return Timings(**{name: number_or_none(raw.get(name)) for name in Timings.model_fields})


def text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def texts(value: Any, count: int, limit: int) -> list[str]:
    """At most ``count`` strings of at most ``limit`` characters; anything else is dropped."""
    if not isinstance(value, list):
        return []
    return [v[:limit] for v in value if isinstance(v, str)][:count]


def text_or_none(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value)


def models(model: type[M], raw: Any, limit: int) -> list[M]:
    """The items of ``raw`` that validate as ``model``, at most ``limit``; the rest are dropped."""
    if not isinstance(raw, list):
        return []
    out: list[M] = []
    for item in raw:
        if len(out) >= limit:
            break
        if not isinstance(item, dict):
            continue
        try:
            out.append(model.model_validate(item))
        except ValidationError:
            continue
    return out


def _splittable(href: str) -> bool:
    try:
        urlsplit(href)
    except ValueError:
        return False
    return True


def links_from(raw: Any, limit: int) -> list[Link]:
    """Links that validate and whose href is a URL Python can split at all.

    ``a.href`` hands back what the browser cannot parse as written ("http://[::1"), and
    urlsplit raises on it: every consumer of the evidence (the frontier, derived views, the
    checks) would have to guard each call. Such a link leads nowhere in a browser either.
    """
    return [link for link in models(Link, raw, limit) if _splittable(link.href)]


def forms_from(raw: Any, limit: int) -> list[Form]:
    return models(Form, raw, limit)


def content_access_from(raw: Any) -> ContentAccess | None:
    """CONTENT_ACCESS's answer, every item validated and bounded; None for anything else."""
    if not isinstance(raw, dict):
        return None
    counts = raw.get("obsolete")
    obsolete = ({k[:20]: n for k, v in list(counts.items())[:20]
                 if isinstance(k, str) and (n := int_or_none(v)) is not None and n > 0}
                if isinstance(counts, dict) else {})
    # The script clips its texts; a page that replaced String's methods gets them clipped here.
    images = [ImageAlt(alt=i.alt[:300], file=i.file[:200], adjacent=i.adjacent[:300],
                       selector=i.selector[:300]) for i in models(ImageAlt, raw.get("images"), 200)]
    media = [m.model_copy(update={"src": m.src[:300], "selector": m.selector[:300],
                                  "tag": m.tag[:20]})
             for m in models(MediaPlayback, raw.get("media"), 60)]
    return ContentAccess(images=images,
                         images_total=max(0, int_or_none(raw.get("images_total")) or 0),
                         media=media,
                         obsolete=obsolete,
                         obsolete_samples=texts(raw.get("obsolete_samples"), 5, 100))
