"""Settings with documented defaults; later sources win: defaults < file < environment < CLI.

Like Scrapy's settings, each default is written down here with the reason for its value.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from evaluator.criteria.schema import KEY_PAGE_ROLES


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
    #: A page is read when it has settled (issue 16): no request open and the document's content
    #: unchanged for this long after the load event (or after an action: a search, a click).
    #: An XHR already under way is waited for however long it takes (up to the cap); the window
    #: only has to catch what a script starts *after* a quiet spell: jQuery's ready handlers and
    #: an app's mount fire before load or within a task of it, a chained request within a few
    #: tens of ms of the first answer. 300 ms covers those (the fixtures' AJAX pages settle at
    #: 0.6-2 s, read complete); Playwright's "networkidle" uses 500 ms, which cost the suite's
    #: evaluations 10-15 % more time (tinh-trung-binh: 77 s vs 91 s) for no list more read.
    settle_quiet_ms: int = 300
    #: ... or at this cap, whichever comes first: a page that never settles (polling, a live
    #: counter, a stream) is read then and its evidence says so. Lists a portal fills by AJAX
    #: arrive within 0.3-2 s of load on the fixtures and at normal load on real portals; 5 s
    #: leaves room for a slow answer while a crawl of 60 pages that never settle costs at most
    #: 2.5 min on 2 contexts, inside the crawl's 60 % of portal_budget_s.
    settle_cap_ms: int = 5000
    #: Wait after load on a key page before reading timings: catches late layout shifts and a
    #: late largest paint (banners injected by script after load).
    key_page_settle_ms: int = 1500
    #: Mobile viewport of the key-page lane: 360 px is the most common Android width in Vietnam.
    mobile_width: int = 360
    mobile_height: int = 740
    #: Follow what a person can click that is not a link (issue 16): buttons, onclick elements,
    #: role=link/button, router links. Each is activated in its crawl tab sealed so that
    #: nothing but GET leaves it and every new document it asks for is answered by the
    #: evaluator (Tab.sealed); elements named with a side-effect word (vocabulary.yaml
    #: side_effect_words) are never activated. Off: links are <a href> only.
    discovery: bool = True
    #: Elements activated per page at most (the site's frame is remembered, so a menu of 12
    #: buttons is activated once per crawl, not once per page); the rest are read from their
    #: onclick source only.
    discovery_max_per_page: int = 40
    #: How long an activated element is watched for a new document, a route or a window.open.
    #: A click handler navigates within a task or two; an SPA router that first loads a view's
    #: code takes longer, measured at 100-250 ms on the fixtures' app.
    discovery_click_wait_ms: int = 400
    #: Discovery's time on one page at most, seconds (part of page_budget_s).
    discovery_budget_s: float = 20.0
    #: A catalogue paged by buttons or script (not links the crawl follows) is walked by its
    #: "next" control up to this many list pages: 120 pages × 10-20 rows covers the 1,000-2,000
    #: procedures of a provincial catalogue (CONFIG-FACTS.md §6).
    catalogue_walk_max_pages: int = 120
    #: Run axe-core on every crawled page.
    axe: bool = True
    #: One screenshot per crawled page (JPEG, viewport only) as evidence.
    screenshots: bool = True
    #: Identify ourselves to portals (RESEARCH.md §6 politeness).
    user_agent_suffix: str = "portal-eval/0.1 (+https://github.com/portal-eval/portal-eval)"
    #: Chromium binary, like every setting: file < $PORTAL_EVAL_CHROMIUM < --chromium. Empty:
    #: Debian's chromium-headless-shell, then chromium, then $PATH, then Playwright's own
    #: (browser.find_chromium).
    chromium: str = ""
    #: Hosts besides the start URL's that the crawl may visit (e.g. a separate www host).
    allowed_hosts: tuple[str, ...] = ()
    #: Service pages read for their mandatory fields and forms (F02). RESEARCH.md §3.1 F02
    #: suggests N ≥ 30; the sample is seeded so a re-run reads the same pages.
    service_sample_size: int = 30
    service_sample_seed: int = 2023
    #: Hosts (host or host:port) accepted as national identity providers besides the allow-list
    #: of the criteria's vocabulary.yaml: a loopback stand-in in tests, or a sector IdP the
    #: auditor accepts. Recorded in the evidence, so a re-score judges the same way.
    trusted_identity_hosts: tuple[str, ...] = ()
    #: Likewise for payment platforms, besides vocabulary.yaml's payment_hosts.
    trusted_payment_hosts: tuple[str, ...] = ()

    # Rounds (`portal-eval batch`, evaluator/rounds/): one portal is one job.
    #: Hard limit for one attempt at one portal, seconds; the attempt's process is killed then.
    #: 60 pages at the 5-8 s a page measured here (ENVIRONMENT.md) is 5-8 min, slow provincial
    #: servers double that: 20 min leaves room without letting a hung portal stall a round.
    portal_timeout_s: float = 1200.0
    #: Attempts after the first for a portal that timed out, crashed or could not be evaluated
    #: (the field's practice: one retry, then "not evaluated: <reason>" and the round goes on).
    portal_retries: int = 1
    #: Portals evaluated at once by the local pool. Each runs `concurrency` browser contexts, so
    #: 1 × 2 contexts is the measured crawl peak on 2 cores; raise it on bigger machines.
    round_workers: int = 1
    #: Where rounds are stored: empty = `<out>/rounds.sqlite`; `sqlite:///path` or
    #: `postgresql://user@host/db` (the shared store that Celery workers need).
    store: str = ""
    #: Celery broker for `--engine celery` and `portal-eval worker`.
    celery_broker: str = "redis://127.0.0.1:6379/0"
    #: Redis redelivers an unacknowledged task after this many seconds; it must exceed the
    #: longest portal run (every attempt at the hard timeout), or a portal still being evaluated
    #: is handed to a second worker (Celery's documented Redis caveat).
    celery_visibility_timeout_s: float = 7200.0
    #: A Celery worker process is replaced after this many portals: Chromium and Node leak
    #: memory over hundreds of pages, a fresh process returns it.
    celery_max_tasks_per_child: int = 10
    #: A running portal's job writes a heartbeat this often; a portal whose heartbeat is six
    #: beats old is taken to be lost (its worker died) and is evaluated again.
    portal_heartbeat_s: float = 5.0
    #: Run Lighthouse on the key templates (serial lane, beside the crawl). Off: the
    #: performance criteria report "missing evidence 'lighthouse'".
    lighthouse: bool = True
    #: Lighthouse runs per template; each metric's median over them scores (RESEARCH.md §3.2:
    #: "≥ 3 runs … use the median"). Every run stays in the evidence.
    lighthouse_runs: int = 3
    #: Lighthouse preset: "mobile" (the 2025 thresholds are Lighthouse's mobile medians) or
    #: "desktop" (Lighthouse's desktop-config).
    lighthouse_preset: str = "mobile"
    #: Key templates Lighthouse measures (RESEARCH.md §3.2 H01: home, catalogue, a service page,
    #: search results; the status lookup is on the citizen's key journey too).
    lighthouse_templates: tuple[str, ...] = (
        "home", "catalogue", "service", "search_results", "status_lookup")
    #: One Lighthouse run's time limit, seconds: a page that never settles costs this at most.
    lighthouse_timeout_s: float = 60.0
    #: Node.js binary for the Lighthouse worker; empty: `node` on $PATH.
    node: str = ""
    #: Walk the key journey as a remote-area citizen (slow 3G, 4x CPU) and unthrottled.
    persona: bool = True
    #: Walk each key template with the Tab key (issue 18: WCAG 2.1.1, 2.1.2, 2.4.1, 2.4.3,
    #: 2.4.7), in its own tab of the crawl's context after the crawl, beside the key-page lane.
    #: Tab only moves focus: nothing is ever activated (no Enter, no Space, no click).
    keyboard_walk: bool = True
    #: Tab presses per template at most. A government page has 30-70 focus stops (header,
    #: menu, content, footer); 80 walks such a page round once and stops a longer one early
    #: (its walk says so), so a page of 2,000 links costs ~2-3 s, not a minute.
    keyboard_max_presses: int = 80
    #: A test account for the login hand-off, never written anywhere: the *name* of an
    #: environment variable holding "USERNAME:PASSWORD" ...
    login_credentials_env: str = ""
    #: ... or the path of a YAML file {username, password} outside the repository, mode 0600.
    #: The evaluator never types or submits them (evaluator/credentials.py says why).
    login_credentials_file: str = ""

    # Transport and domain (issue 4, RESEARCH.md T01-T04), gathered without a browser.
    #: CA bundle (PEM file) that TLS certificates are verified against; empty: the system store.
    #: The offline tests point it at the test CA made at test time.
    tls_ca_file: str = ""
    #: DNS resolver for A/AAAA/DNSKEY queries, "host" or "host:port"; empty: /etc/resolv.conf.
    dns_resolver: str = ""
    #: Trust anchors (DS or DNSKEY records in zone-file syntax, one a line) that the DNSSEC
    #: signatures of the portal's zone are validated against; empty: only the resolver's AD bit.
    dnssec_trust_anchors: str = ""
    #: Regexes a portal's host must match in full to be an official name: TT 01/2018/TT-VPCP
    #: Đ16.1 names the national portal dichvucong.gov.vn and the provincial/ministerial ones
    #: dichvucong.<name>.gov.vn; the English interface may be e-services.<name>.gov.vn
    #: (RESEARCH.md T04).
    official_domain_patterns: tuple[str, ...] = (
        r"dichvucong\.gov\.vn", r"dichvucong\.[a-z0-9-]+\.gov\.vn",
        r"e-services\.[a-z0-9-]+\.gov\.vn")
    #: Port the http:// form of the start URL is tried on: 80 for real portals; tests use a
    #: loopback port.
    transport_http_port: int = 80
    #: One connect, handshake, DNS query or HTTP exchange of the transport probes, seconds.
    transport_timeout_s: float = 10.0
    #: Chromium's --host-resolver-rules (e.g. "MAP dichvucong.mau.gov.vn 127.0.0.1"): lets the
    #: browser reach a portal served on loopback at its official name. Empty: none (real DNS).
    chromium_host_resolver_rules: str = ""
    #: Base64 SHA-256 SubjectPublicKeyInfo hashes Chromium accepts certificates from
    #: (--ignore-certificate-errors-spki-list): the test CA of an HTTPS demo. Empty: none.
    chromium_trusted_spki: tuple[str, ...] = ()
    # EMC monitoring code (criteria/vn-2023/access-layout.yaml emc-monitoring-code).
    #: Hosts of the national EMC tracker (CONFIG-FACTS.md §4.1: the `_govaq` snippet loads
    #: https://f-emc.ngsp.gov.vn/embed/gov-tracking.min.js). A request from a portal page to one
    #: of them proves the code is installed. Tests point it at the loopback national stand-in.
    #: Recorded in the evidence, so a re-score judges the same way.
    emc_script_hosts: tuple[str, ...] = ("f-emc.ngsp.gov.vn",)
    #: The snippet's global queue (`window._govaq`): the fixture snippet uses it; kept with the
    #: hosts so an operator changing the EMC code changes both in one place.
    emc_queue_name: str = "_govaq"
    # Hostile portals (issue 7): budgets that end an evaluation whatever the portal does.
    #: Wall-clock budget for gathering one portal, seconds, enforced in the evaluator itself
    #: (`evaluate`, and each attempt of a round). The crawl stops starting pages at 60 % of it so
    #: the journeys and key pages still run on what was found; at 100 % the portal is "not
    #: evaluated: did not finish within …". 1080 s is 90 % of portal_timeout_s, so the round's
    #: kill of the whole process stays the last resort, not the usual end.
    portal_budget_s: float = 1080.0
    #: Hard limit for gathering one crawled page, seconds: navigation, settle, read-out, axe,
    #: screenshot. A page whose script never yields (for(;;){}) would otherwise hang its tab
    #: for ever; past it the tab is replaced and the page recorded with the reason. 3 × the
    #: 30 s navigation timeout.
    page_budget_s: float = 90.0

    def __post_init__(self) -> None:
        # Settings built in code (with_overrides, tests, batch workers) obey the same ranges as
        # loaded ones; load_settings checks each value earlier, where it can name the source.
        for f in fields(self):
            _check(f.name, getattr(self, f.name), "Settings")

    def with_overrides(self, **changes: Any) -> Settings:
        clean = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **clean)

    def snapshot(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


class SettingsError(Exception):
    """A setting with a wrong value; one line naming where it came from and the setting."""


_ENV_PREFIX = "PORTAL_EVAL_"

# Ranges, with the reason where a value "works" but means something else: Playwright reads a
# timeout of 0 as "no timeout at all", a crawl of 0 pages evaluates nothing, and more than 16
# contexts only costs memory (ENVIRONMENT.md: throughput peaks at 2 on 2 cores).
_RANGES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "profile": (lambda v: bool(v.strip()), "a profile name or folder, not empty"),
    "max_pages": (lambda v: v >= 1, "a whole number ≥ 1"),
    "max_depth": (lambda v: v >= 0, "a whole number ≥ 0"),
    "concurrency": (lambda v: 1 <= v <= 16, "a whole number from 1 to 16"),
    "nav_timeout_s": (lambda v: math.isfinite(v) and v > 0,
                      "a number of seconds > 0 (0 would mean no timeout at all)"),
    "settle_quiet_ms": (lambda v: 0 <= v <= 10_000, "a whole number of milliseconds from 0 to 10000"),
    "settle_cap_ms": (lambda v: 0 <= v <= 60_000, "a whole number of milliseconds from 0 to 60000"),
    "discovery_max_per_page": (lambda v: 0 <= v <= 500, "a whole number from 0 to 500"),
    "discovery_click_wait_ms": (lambda v: 50 <= v <= 5000,
                                "a whole number of milliseconds from 50 to 5000"),
    "discovery_budget_s": (lambda v: math.isfinite(v) and v > 0, "a number of seconds > 0"),
    "catalogue_walk_max_pages": (lambda v: 0 <= v <= 1000, "a whole number from 0 to 1000"),
    "key_page_settle_ms": (lambda v: v >= 0, "a whole number of milliseconds ≥ 0"),
    "mobile_width": (lambda v: v >= 200, "a whole number of pixels ≥ 200"),
    "mobile_height": (lambda v: v >= 200, "a whole number of pixels ≥ 200"),
    "service_sample_size": (lambda v: v >= 1, "a whole number ≥ 1"),
    "portal_timeout_s": (lambda v: math.isfinite(v) and v > 0, "a number of seconds > 0"),
    "portal_retries": (lambda v: 0 <= v <= 5, "a whole number from 0 to 5"),
    "round_workers": (lambda v: 1 <= v <= 64, "a whole number from 1 to 64"),
    "celery_broker": (lambda v: v.startswith(("redis://", "rediss://", "unix://")),
                      "a redis:// URL"),
    "celery_visibility_timeout_s": (lambda v: math.isfinite(v) and v > 0,
                                    "a number of seconds > 0"),
    "celery_max_tasks_per_child": (lambda v: v >= 1, "a whole number ≥ 1"),
    "portal_heartbeat_s": (lambda v: math.isfinite(v) and 0 < v <= 300,
                           "a number of seconds from 0 to 300"),
    "keyboard_max_presses": (lambda v: 1 <= v <= 1000, "a whole number from 1 to 1000"),
    "lighthouse_runs": (lambda v: 1 <= v <= 9, "a whole number from 1 to 9"),
    "lighthouse_preset": (lambda v: v in ("mobile", "desktop"), '"mobile" or "desktop"'),
    "lighthouse_templates": (lambda v: bool(v) and set(v) <= set(KEY_PAGE_ROLES),
                             "one or more of " + ", ".join(KEY_PAGE_ROLES)),
    "lighthouse_timeout_s": (lambda v: math.isfinite(v) and v >= 5,
                             "a number of seconds ≥ 5 (a mobile run takes 3-4 s)"),
    "transport_timeout_s": (lambda v: math.isfinite(v) and v > 0, "a number of seconds > 0"),
    "transport_http_port": (lambda v: 1 <= v <= 65535, "a port from 1 to 65535"),
    "portal_budget_s": (lambda v: math.isfinite(v) and v > 0, "a number of seconds > 0"),
    "page_budget_s": (lambda v: math.isfinite(v) and v > 0, "a number of seconds > 0"),
}


def _kind(name: str) -> str:
    # Annotations are strings here (from __future__ import annotations): "int", "tuple[str, ...]".
    return str(_FIELDS[name].type)


def _check(name: str, value: Any, where: str) -> None:
    """Type and range of a value already coerced; SettingsError names ``where`` and ``name``."""
    kind = _kind(name)
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "float":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind.startswith("tuple"):
        ok = isinstance(value, tuple) and all(isinstance(i, str) for i in value)
    else:
        ok = isinstance(value, str)
    if not ok:
        raise SettingsError(f"{where}: setting '{name}' has an invalid value {value!r}")
    rule = _RANGES.get(name)
    if rule is not None and not rule[0](value):
        raise SettingsError(f"{where}: setting '{name}' must be {rule[1]}, not {value!r}")


def _coerce(name: str, raw: Any, where: str) -> Any:
    """``raw`` (YAML value, environment string, CLI value) as the setting's type, checked."""
    kind = _kind(name)
    default = _FIELDS[name].default
    if raw is None:
        # `chromium: null` must not become the path "None": null means the default, and only
        # where the default is empty anyway.
        if default in ("", ()):
            return default
        raise SettingsError(f"{where}: setting '{name}' cannot be null (its default is "
                            f"{_plain(default)!r}; leave it out to use that)")
    invalid = SettingsError(f"{where}: setting '{name}' has an invalid value {raw!r}")
    value: Any
    if kind == "int":
        if isinstance(raw, bool):
            raise invalid
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if not isinstance(raw, int | str):
            raise invalid
        try:
            value = int(raw)
        except ValueError:
            raise invalid from None
    elif kind == "float":
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise invalid
        try:
            value = float(raw)
        except ValueError:
            raise invalid from None
    elif kind == "bool":
        if isinstance(raw, bool):
            value = raw
        elif str(raw).lower() in ("1", "true", "yes", "on"):
            value = True
        elif str(raw).lower() in ("0", "false", "no", "off"):
            value = False
        else:
            raise invalid
    elif kind.startswith("tuple"):
        items = raw if isinstance(raw, list) else str(raw).split(",") if isinstance(raw, str) \
            else None
        if items is None or not all(isinstance(i, str | int | float) and not isinstance(i, bool)
                                    for i in items):
            raise invalid
        value = tuple(str(i).strip() for i in items if str(i).strip())
    else:
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise invalid
        value = str(raw)
    _check(name, value, where)
    return value


def _key_lines(text: str) -> dict[str, int]:
    """Line of each top-level key of a YAML mapping, for errors that say file:line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _value in node.value
            if isinstance(key, yaml.ScalarNode)}


def load_settings(file: Path | None = None, env: dict[str, str] | None = None,
                  **cli: Any) -> Settings:
    """Defaults < ``file`` < ``env`` (default: os.environ) < ``cli`` (None = not given).

    Each value is checked where it comes from, so an error names the file and line, the
    environment variable or the command-line option, and the setting.
    """
    names = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    if file is not None:
        from evaluator.yamlio import YamlFileError, read_yaml

        try:
            doc = read_yaml(file, "settings")
        except YamlFileError as exc:
            where = f"{file}:{exc.line}" if exc.line else str(file)
            message = exc.message.removeprefix("cannot read settings: ")
            raise SettingsError(f"{where}: cannot read settings: {message}") from None
        data = {} if doc.data is None else doc.data
        if not isinstance(data, dict):
            raise SettingsError(f"{file}:1: settings must be a mapping of setting: value")
        lines = doc.key_lines
        for key, raw in data.items():
            where = f"{file}:{lines[key]}" if key in lines else str(file)
            if key not in names:
                raise SettingsError(f"{where}: unknown setting '{key}'")
            values[key] = _coerce(key, raw, where)
    environ = os.environ if env is None else env
    for name in names:
        raw = environ.get(_ENV_PREFIX + name.upper())
        # Every setting, $PORTAL_EVAL_CHROMIUM included: the environment beats the file.
        if raw is not None:
            values[name] = _coerce(name, raw, f"${_ENV_PREFIX}{name.upper()}")
    for name, raw in cli.items():
        if raw is None:
            continue
        if name not in names:
            raise SettingsError(f"unknown setting '{name}'")
        values[name] = _coerce(name, raw, f"--{name.replace('_', '-')}")
    return Settings(**values)


_FIELDS = {f.name: f for f in fields(Settings)}
