"""Hostile portals (fixtures/hostile.py), each evaluated end to end with real Chromium: it ends
with a grade or "not evaluated: <reason>", never leaves its own host (the elsewhere server and
every other case's server see zero requests; every request the browser recorded is on the
portal), and the caps that keep memory bounded were applied.

Times are not asserted (DEVELOPERS.md: times go to benchmarks and notes): each case's outcome
and elapsed seconds go to ``hostile-results.json`` in the session's temp folder (and to
$PORTAL_EVAL_HOSTILE_RESULTS when set); ``python -m fixtures.hostile --table FILE`` prints
the markdown table.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from evaluator.crawl.sitemap import SITEMAP_URL_CAP
from evaluator.criteria.loader import LoadedProfile, load_profile
from evaluator.evidence import EvidenceBundle, load_bundle
from evaluator.gather.page import LIMITS
from evaluator.pipeline import evaluate_portal
from evaluator.settings import Settings, load_settings
from evaluator.targets import Target
from fixtures.hostile import CASES, POPUPS, Case, HostileServers, markdown_table

pytestmark = pytest.mark.browser

ROWS: list[dict[str, Any]] = []


@pytest.fixture(scope="module")
def servers() -> Iterator[HostileServers]:
    with HostileServers() as running:
        yield running


@pytest.fixture(scope="module")
def profile() -> LoadedProfile:
    return load_profile("vn-2023")


@pytest.fixture(scope="module")
def results_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.getbasetemp() / "hostile-results.json"
    yield path
    text = json.dumps(ROWS, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")
    if target := os.environ.get("PORTAL_EVAL_HOSTILE_RESULTS"):
        Path(target).write_text(text, encoding="utf-8")
    print("\n" + markdown_table(ROWS))


def hostile_settings() -> Settings:
    # Small and quick: a few pages, short timeouts, no Lighthouse/axe/persona/screenshots (their
    # own robustness is tested elsewhere); the budgets small enough that a hang ends here.
    return load_settings(env={}).with_overrides(
        max_pages=6, max_depth=3, concurrency=2, nav_timeout_s=4.0, settle_quiet_ms=50,
        settle_cap_ms=1000, key_page_settle_ms=100, screenshots=False, axe=False,
        lighthouse=False, persona=False,
        service_sample_size=2, page_budget_s=12.0, portal_budget_s=150.0,
    )


def on_portal(url: str, portal: str) -> bool:
    return urlsplit(url).netloc == urlsplit(portal).netloc


def assert_stayed_home(bundle: EvidenceBundle, portal: str) -> None:
    """Everything the browser recorded (page URLs, where they landed, every network request)
    is on the portal's own host:port."""
    for page in bundle.pages:
        assert on_portal(page.url, portal), page.url
        # A failed load shows Chromium's own error page (no network request behind it).
        assert (on_portal(page.final_url, portal) or page.final_url in ("", "about:blank")
                or page.final_url.startswith("chrome-error://")), (page.url, page.final_url)
        for request in page.requests:
            # A request refused inside the browser never left it (BrowserSession.confine).
            assert (on_portal(request.url, portal)
                    or request.failure == "net::ERR_BLOCKED_BY_CLIENT"), request


def outcome(bundle: EvidenceBundle, grade: str | None, not_evaluated: str | None) -> str:
    if grade is not None:
        return f"graded {grade} ({len(bundle.pages)} pages)"
    return f"not evaluated: {not_evaluated}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_portal(case: Case, servers: HostileServers, profile: LoadedProfile,
                        results_file: Path, tmp_path: Path) -> None:
    portal = servers.url(case.id)
    before = {c.id: len(servers.requests(c.id)) for c in CASES}
    elsewhere_before = len(servers.elsewhere_requests())
    t0 = time.monotonic()
    run = evaluate_portal(Target(id=case.id, start_url=portal), tmp_path, hostile_settings(),
                          profile)
    elapsed = time.monotonic() - t0
    bundle = load_bundle(run.folder / "evidence")
    result = run.result
    ROWS.append({"case": case.id, "what": case.what, "outcome": outcome(
        bundle, result.grade, result.not_evaluated), "pages": len(bundle.pages),
        "seconds": round(elapsed, 1)})

    # The outcome: a grade, or a reason.
    if case.expect == "graded":
        assert result.grade is not None, result.not_evaluated
        assert result.not_evaluated is None
    else:
        assert result.grade is None
        assert result.not_evaluated and result.not_evaluated.strip(), result

    # In scope: zero requests anywhere but the portal itself.
    assert servers.elsewhere_requests()[elsewhere_before:] == []
    for other in CASES:
        if other.id != case.id:
            assert len(servers.requests(other.id)) == before[other.id], other.id
    assert_stayed_home(bundle, portal)
    if case.tls is None:  # over TLS the handshake fails before any request
        assert len(servers.requests(case.id)) > before[case.id]  # it did talk to the portal

    CHECKS[case.id](bundle, result.not_evaluated or "", servers)


# -- what each case must show besides -----------------------------------------------------------


def _redirect_loop(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    assert "start URL unreachable" in reason and "redirect" in reason.lower(), reason


def _crawl_trap(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    assert bundle.crawl is not None and bundle.crawl.truncated
    assert len(bundle.pages) == bundle.crawl.max_pages  # the cap, not the calendar, ended it
    assert sum("/lich" in p.url for p in bundle.pages) == bundle.crawl.max_pages - 1


def _huge_page(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    [huge] = [p for p in bundle.pages if p.url.endswith("/rat-lon")]
    # Either the browser gave up on it (a reason) or it was read: then within the text cap.
    assert huge.error is not None or len(huge.text) <= LIMITS["text"], huge.error
    assert any(p.url.endswith("/gioi-thieu") and p.error is None for p in bundle.pages)


def _busy_script(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    [busy] = [p for p in bundle.pages if p.url.endswith("/vong-lap")]
    assert busy.error is not None
    # The tab it hung was usable again: the pages after it were read.
    others = [p for p in bundle.pages if p.url.endswith(("/gioi-thieu", "/lien-he"))]
    assert len(others) == 2 and all(p.error is None and p.title for p in others), others


def _dialogs(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    assert bundle.crawl is not None and bundle.crawl.dialogs_dismissed >= 4
    assert all(p.error is None for p in bundle.pages), [p.error for p in bundle.pages]
    assert any(p.url.endswith("/gioi-thieu") for p in bundle.pages)


def _silent(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    assert "start URL unreachable: timed out" in reason, reason


def _drip(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    assert "start URL unreachable: timed out" in reason, reason


def _http_500(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    assert "HTTP 500" in reason, reason


def _reset_start(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    assert "start URL unreachable" in reason and "ERR_" in reason, reason


def _resets(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    by_path = {urlsplit(p.url).path: p for p in bundle.pages}
    assert by_path["/dat-lai"].error is not None and "ERR_" in by_path["/dat-lai"].error
    assert by_path["/loi-500"].status == 500
    assert by_path["/gioi-thieu"].error is None


def _charsets(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    by_path = {urlsplit(p.url).path: p for p in bundle.pages}
    assert by_path["/"].error is None and "khai sinh" in by_path["/"].text
    import unicodedata

    # windows-1258, labelled so: read as the Vietnamese it is (NFC-equal).
    text = unicodedata.normalize("NFC", by_path["/cp1258"].text)
    assert "Thủ tục đăng ký khai sinh" in text, text[:200]
    # UTF-8 mislabelled ISO-8859-1: mojibake, but read, not a crash.
    assert by_path["/sai-nhan"].error is None and "Ã" in by_path["/sai-nhan"].text


def _big_sitemap(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    assert bundle.sitemap is not None
    assert bundle.sitemap.url.endswith("/sitemap-index.xml")
    assert 0 < len(bundle.sitemap.urls) <= SITEMAP_URL_CAP
    assert len(bundle.sitemap.children) <= 5  # MAX_CHILD_SITEMAPS of the 1,002
    assert len(bundle.pages) <= bundle.crawl.max_pages if bundle.crawl else False
    assert not any("sitemap-x" in r for r in servers.requests("big-sitemap")[5:])


def _robots_disallow(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    assert [urlsplit(p.url).path for p in bundle.pages] == ["/"]
    assert bundle.crawl is not None and len(bundle.crawl.skipped_robots) >= 2
    assert not any(r.startswith(("/gioi-thieu", "/lien-he")) for r in
                   servers.requests("robots-disallow"))


def _foreign_links(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    assert bundle.crawl is not None and bundle.crawl.skipped_out_of_scope >= 6
    assert {urlsplit(p.url).path for p in bundle.pages} == {"/", "/gioi-thieu"}


def _navigate_away(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    crawl = bundle.crawl
    assert crawl is not None
    # The script, the meta refresh and the 302 were each refused, and none of the 100 windows
    # opened (window.open refused and counted; any that slipped through would be closed).
    blocked = {urlsplit(u).path for u in crawl.blocked_navigations}
    assert {"/bi-dan-di", "/meta", "/302"} <= blocked, blocked
    assert crawl.blocked_navigation_count == len(crawl.blocked_navigations) >= 3
    assert crawl.popups_refused >= POPUPS and crawl.popups_closed == 0
    by_path = {urlsplit(p.url).path: p for p in bundle.pages}
    assert by_path["/gioi-thieu"].error is None and by_path["/cua-so"].error is None
    assert "BLOCKED_BY_CLIENT" in (by_path["/chuyen-302"].error or "")


def _tls(bundle: EvidenceBundle, reason: str, servers: HostileServers) -> None:
    # Chromium refuses the certificate; the evaluator does not bypass it (no ignore-errors flag).
    assert "start URL unreachable" in reason and "ERR_CERT_" in reason, reason


CHECKS = {
    "tls-expired": _tls, "tls-wrong-host": _tls,
    "redirect-loop": _redirect_loop, "crawl-trap": _crawl_trap, "huge-page": _huge_page,
    "busy-script": _busy_script, "dialogs": _dialogs, "silent": _silent, "drip": _drip,
    "http-500": _http_500, "reset-start": _reset_start, "resets": _resets,
    "charsets": _charsets, "big-sitemap": _big_sitemap, "robots-disallow": _robots_disallow,
    "foreign-links": _foreign_links, "navigate-away": _navigate_away,
}


def test_every_case_has_its_checks() -> None:
    assert set(CHECKS) == {c.id for c in CASES}


# -- a round carries on ----------------------------------------------------------------------------

ROUND_CASES = ("busy-script", "navigate-away", "drip")


def test_round_with_hostile_portals_still_grades_the_normal_one(
        servers: HostileServers, fixture_server: Any, tmp_path: Path) -> None:
    """`portal-eval batch` over two hostile portals that are graded, one that is not, and the
    model fixture portal `mau`: every portal ends with a result and `mau` is graded."""
    import subprocess
    import sys

    from evaluator.results import load_result
    from tests.integration.rounds.conftest import ROOT, round_env, write_targets

    out = tmp_path / "out"
    targets = write_targets(tmp_path / "targets.yaml", fixture_server, ["mau"], [
        {"id": cid, "name": cid, "agency": "province", "start_url": servers.url(cid)}
        for cid in ROUND_CASES])
    elsewhere_before = len(servers.elsewhere_requests())
    env = round_env(max_pages="5", nav_timeout_s="4", page_budget_s="12", portal_retries="0",
                    portal_heartbeat_s="1", lighthouse="false", axe="false", persona="false",
                    screenshots="false", settle_quiet_ms="50", settle_cap_ms="1000",
                    key_page_settle_ms="100",
                    service_sample_size="2")
    proc = subprocess.run(
        [sys.executable, "-m", "evaluator", "batch", str(targets), "--out", str(out),
         "--store", f"sqlite:///{tmp_path / 'rounds.sqlite'}", "--round", "hostile"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 3, proc.stderr[-2000:]  # done; one portal not evaluated
    results = {pid: load_result(out / "hostile" / pid) for pid in ("mau", *ROUND_CASES)}
    assert results["mau"].grade is not None, results["mau"].not_evaluated
    assert results["busy-script"].grade is not None and results["navigate-away"].grade is not None
    assert results["drip"].grade is None and "timed out" in (results["drip"].not_evaluated or "")
    assert servers.elsewhere_requests()[elsewhere_before:] == []
    assert (out / "hostile" / "index.html").is_file()
