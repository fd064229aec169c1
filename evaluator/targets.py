"""A portal to evaluate."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Target:
    id: str
    start_url: str
    name: str = ""
    agency: str = ""  # ministry | province
    allowed_hosts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def target_id_for(url: str) -> str:
    """A folder-safe id from a URL: dichvucong.laichau.gov.vn, 127.0.0.1-8080, …"""
    parts = urlsplit(url)
    base = (parts.hostname or "portal") + (f"-{parts.port}" if parts.port else "")
    path = parts.path.strip("/")
    if path:
        base += "-" + path
    return re.sub(r"[^A-Za-z0-9.-]+", "-", base).strip("-")[:80] or "portal"


class UrlError(ValueError):
    pass


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UrlError(f"not an http(s) URL: {url!r}")
    return url
