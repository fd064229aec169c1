"""Settings with documented defaults; later sources win: defaults < file < environment < CLI.

Like Scrapy's settings, each default is written down here with the reason for its value.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Settings:
    #: Criteria profile (a folder name under criteria/ or a path).
    profile: str = "vn-2023"
    #: Crawl caps. 4 levels sees a service buried one click too deep (the 3-click rule needs
    #: depth 4 to tell "4 clicks" from "absent"); 60 pages covers home, catalogue pages, a
    #: sample of services and the support pages of a portal without crawling all of it.
    max_pages: int = 60
    max_depth: int = 4
    #: Browser contexts crawling and running axe at once. Measured on 2 cores: 1 → 28 pages/min,
    #: 2 → 37.5, 4 → 36.6 (ENVIRONMENT.md); more only costs memory.
    concurrency: int = 2
    #: Per-navigation timeout, seconds. Slow provincial servers answer in 10-20 s at peak.
    nav_timeout_s: float = 30.0
    #: Wait after the load event before reading a crawled page (late scripts, menus).
    settle_ms: int = 300
    #: Wait after load on a key page before reading timings: catches late layout shifts and a
    #: late largest paint (banners injected by script after load).
    key_page_settle_ms: int = 1500
    #: Mobile viewport of the key-page lane: 360 px is the most common Android width in Vietnam.
    mobile_width: int = 360
    mobile_height: int = 740
    #: Run axe-core on every crawled page.
    axe: bool = True
    #: One screenshot per crawled page (JPEG, viewport only) as evidence.
    screenshots: bool = True
    #: Identify ourselves to portals (RESEARCH.md §6 politeness).
    user_agent_suffix: str = "portal-eval/0.1 (+https://github.com/portal-eval/portal-eval)"
    #: Chromium binary, like every setting: file < $PORTAL_EVAL_CHROMIUM < --chromium. Empty:
    #: Debian's chromium, then `chromium` on $PATH, then Playwright's own (browser.find_chromium).
    chromium: str = ""
    #: Hosts besides the start URL's that the crawl may visit (e.g. a separate www host).
    allowed_hosts: tuple[str, ...] = ()

    def with_overrides(self, **changes: Any) -> Settings:
        clean = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **clean)

    def snapshot(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


class SettingsError(Exception):
    pass


_ENV_PREFIX = "PORTAL_EVAL_"


def _coerce(name: str, raw: Any, where: str) -> Any:
    field_type = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if field_type in ("int", int):
            return int(raw)
        if field_type in ("float", float):
            return float(raw)
        if field_type in ("bool", bool):
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("1", "true", "yes", "on"):
                return True
            if str(raw).lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if "tuple" in str(field_type):
            items = raw if isinstance(raw, list) else str(raw).split(",")
            return tuple(str(i).strip() for i in items if str(i).strip())
        return str(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"{where}: setting '{name}' has an invalid value {raw!r}") from None


def load_settings(file: Path | None = None, env: dict[str, str] | None = None,
                  **cli: Any) -> Settings:
    names = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    if file is not None:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise SettingsError(f"{file}: cannot read settings: {str(exc).splitlines()[0]}") from None
        if not isinstance(data, dict):
            raise SettingsError(f"{file}: settings must be a mapping")
        for key, raw in data.items():
            if key not in names:
                raise SettingsError(f"{file}: unknown setting '{key}'")
            values[key] = _coerce(key, raw, str(file))
    environ = os.environ if env is None else env
    for name in names:
        raw = environ.get(_ENV_PREFIX + name.upper())
        # Every setting, $PORTAL_EVAL_CHROMIUM included: the environment beats the file.
        if raw is not None:
            values[name] = _coerce(name, raw, f"${_ENV_PREFIX}{name.upper()}")
    values.update({k: v for k, v in cli.items() if v is not None})
    return Settings(**values)
