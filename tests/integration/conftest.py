"""The expensive part of the integration tests, done once per session: every fixture portal
evaluated end to end with real Chromium, one portal at a time (a timing criterion must not depend
on what else the machine does), except the slow `kem`, 3.5 s a page, which waits on its server
beside them at the lowest CPU priority (BESIDE_THE_OTHERS).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from evaluator.criteria.loader import load_profile
from evaluator.pipeline import PortalRun, evaluate_portal
from evaluator.settings import load_settings
from fixtures.demo import (
    PORTALS,
    fixture_settings,
    https_world,
    portal_attestations,
    portal_target,
)

PORTAL_IDS = sorted(p.name for p in PORTALS.iterdir() if (p / "expected.yaml").is_file())

# One Lighthouse run per template instead of the default three where every measured value misses
# its threshold by a factor, so the median of three cannot land elsewhere: kem (LCP ~30 s against
# 4 s, TBT ~2.5 s against 600 ms, server 3.5 s against 600 ms; fixtures/evidence/kem, three runs a
# template). Its 15 runs at ~15 s each were the fixture session's critical path. The demo and the
# frozen evidence keep three; every other portal here has a value near a threshold and keeps three.
ONE_LIGHTHOUSE_RUN = {"kem"}
# Four crawl tabs instead of two where the crawl waits on the server, not on the CPU: kem answers
# every page after 3.5 s, so its 31 pages took 2 minutes two at a time with both cores mostly
# idle. Every value it is graded on misses its threshold by a factor (above), and what it lacks
# is absent from every page, so more tabs at once cannot move a status. The product's default
# stays two (settings.py: two is the measured optimum where the CPU is the limit, and a slow
# government server is not to be hit harder).
WIDER_CRAWL = {"kem": 4}
# Evaluated beside the others, not before them: in a child process at the lowest CPU priority
# (nice 19, inherited by its Chromium, Lighthouse and driver), so it only ever gets the CPU the
# others leave (CFS gives a nice-0 task ~68x the share of a nice-19 one). kem's evaluation is
# ~3 minutes of waiting on its 3.5 s server and a few core-seconds of work, every value it is
# graded on misses its threshold by a factor (above), and the others' lanes leave one core idle
# for most of their Lighthouse runs: the fixture session no longer waits for it alone.
BESIDE_THE_OTHERS = {"kem"}
LOWEST_PRIORITY = 19


@pytest.fixture(scope="session")
def evaluated(fixture_server: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, PortalRun]:
    out = tmp_path_factory.mktemp("eval")
    base = load_settings(env={})
    profile = load_profile("vn-2023")
    with fixture_server.lock:
        seen_before = len(fixture_server.submissions)
    # Over HTTPS at the portals' official names, as the demo and the frozen evidence are.
    with https_world(fixture_server, tmp_path_factory.mktemp("https")) as world:

        def arguments(pid: str) -> tuple[Any, ...]:
            return (portal_target(fixture_server, pid, world), out,
                    fixture_settings(fixture_server, base, world, pid).with_overrides(
                        lighthouse_runs=1 if pid in ONE_LIGHTHOUSE_RUN else base.lighthouse_runs,
                        concurrency=WIDER_CRAWL.get(pid, base.concurrency)))

        # spawn, not fork: this process runs the fixture servers' threads.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=os.nice, initargs=(LOWEST_PRIORITY,)) as beside:
            later = {pid: beside.submit(evaluate_portal, *arguments(pid), profile,
                                        attestations=portal_attestations(pid, profile))
                     for pid in PORTAL_IDS if pid in BESIDE_THE_OTHERS}
            done = {pid: evaluate_portal(*arguments(pid), profile,
                                         attestations=portal_attestations(pid, profile))
                    for pid in PORTAL_IDS if pid not in BESIDE_THE_OTHERS}
            done |= {pid: future.result() for pid, future in later.items()}
        runs = {pid: done[pid] for pid in PORTAL_IDS}
    with fixture_server.lock:
        sent = list(fixture_server.submissions[seen_before:])
    assert_only_read_only_submissions(sent, PORTAL_IDS, profile.vocabulary.status_lookup_code)
    return runs


def assert_only_read_only_submissions(sent: list[Any], portal_ids: list[str], code: str) -> None:
    """Safety (issues 7, 16): a full evaluation of every portal submits nothing but the
    read-only journeys. The fixture servers file every request that is not a plain page load:
    the search and lookup (kinds "search", "status_lookup"), what a page's own scripts read to
    fill a list ("read": kieu-jsp reads by POST, as the national portal does), and everything
    that acts ("other": a POST anywhere else, login, feedback, rating, payment, the services'
    "apply", the visit counter, the GET beacon of a "Xóa" button). Checked here, right after the
    evaluations, so no extra evaluation is needed; discovery's clicks are covered by it."""
    others = [s for s in sent if s.kind not in ("search", "status_lookup", "read")]
    assert others == [], f"the evaluator submitted or activated something that acts: {others}"
    # POST only where a page's own script reads by POST (its search and lookup included).
    posts = [s for s in sent if s.method != "GET" and not s.path.endswith("rest.jsp")]
    assert posts == [], f"a read-only journey was sent as {posts[0].method}" if posts else ""
    for portal_id in portal_ids:
        # Every portal had its journeys run (kem's answer 500 / blank, but the form is sent):
        # the zero above is not vacuous.
        kinds = {s.kind for s in sent if s.portal == portal_id}
        assert {"search", "status_lookup"} <= kinds, (portal_id, kinds)
    for s in sent:
        if s.kind == "status_lookup":
            # The vocabulary's well-formed (TT 01/2018), unassigned code: the lookup can never
            # reveal or touch a real application.
            assert s.value == code, (s.portal, s.query, s.body)
