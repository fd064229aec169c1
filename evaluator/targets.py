"""A portal to evaluate."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# A portal id names its folder under the output folder (run.py deletes and rewrites it): one
# plain path component, so no id can reach outside (no "..", no "/abs", no "a/b", no newline).
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
FALLBACK_ID = "portal"


class UrlError(ValueError):
    pass


def check_target_id(target_id: str) -> str:
    """``target_id`` if it is a safe folder name, else UrlError saying what an id may be."""
    if not isinstance(target_id, str) or ID_PATTERN.fullmatch(target_id) is None:
        raise UrlError(
            f"invalid portal id {target_id!r}: use 1-80 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return target_id


@dataclass(frozen=True)
class Target:
    id: str
    start_url: str
    name: str = ""
    agency: str = ""  # ministry | province
    allowed_hosts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_target_id(self.id)


def _host(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # "http://[::1"
        return ""
    try:
        port = parts.port
    except ValueError:  # "http://host:99999"
        port = None
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")  # dịchvụcông.vn → xn--…, still unique
    return host + (f"-{port}" if port else "")


def target_id_for(url: str) -> str:
    """A folder-safe id from a URL: dichvucong.laichau.gov.vn, 127.0.0.1-8080, …

    Always a valid id (check_target_id): the host (and port, and path) slugified, else
    FALLBACK_ID.
    """
    base = _host(url)
    try:
        path = urlsplit(url).path.strip("/")
    except ValueError:
        path = ""
    if base and path:
        base += "-" + path
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", base)
    slug = slug.lstrip("._-")[:80].rstrip("._-")
    return slug if ID_PATTERN.fullmatch(slug) else FALLBACK_ID


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UrlError(f"not an http(s) URL: {url!r}")
    return url
