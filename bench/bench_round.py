"""Round throughput: the local pool on the graded fixture portals, then a projection.

    python -m bench round [--pages-low 5] [--pages-high 15]

Two rounds of the graded fixture portals (mau, tinh-trung-binh, kem) through the real local
engine (store, child process per attempt, pipeline.evaluate_portal), one at ``max_pages =
pages-low`` and one at ``pages-high``. From them, per portal kind: the fixed cost F (browser
start, robots/sitemap, journeys, the serial key-page lane, scoring, reports) and the cost per
crawled page k, from the two (pages, wall) points: k = Δwall / Δpages, F = wall − k × pages.

Projection of a 56-portal × 30-page round (22 ministries + 34 provinces): each portal costs
F + 30 k of its kind (the three kinds in turn: model, average, slow), a worker is one machine
like this one running one portal at a time (its crawl uses the 2 browser contexts that are the
throughput peak on 2 cores; its key-page/Lighthouse lane is serial inside the portal), workers
run in parallel and take the longest remaining portal first (LPT list scheduling). The broker
and store cost (a claim, heartbeats, one insert) is measured too and is negligible beside it.
"""

from __future__ import annotations

import argparse
import heapq
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROUND_PORTALS = 56  # 22 ministries + 34 provinces
ROUND_PAGES = 30
WORKERS = (1, 4, 16)


@dataclass(frozen=True)
class Measured:
    portal_id: str
    pages: int
    wall_s: float


def run_round(pages: int, out: Path, round_id: str) -> tuple[list[Measured], float]:
    from evaluator.rounds.local import run_local
    from evaluator.rounds.progress import ProgressDisplay
    from evaluator.rounds.store import RoundStore
    from evaluator.settings import load_settings
    from fixtures.demo import portal_target
    from fixtures.server import FixtureServer

    settings = load_settings(env={}, max_pages=pages)
    url = f"sqlite:///{out / 'rounds.sqlite'}"
    with FixtureServer() as server:
        targets = [portal_target(server, pid) for pid in server.graded_portal_ids]
        with RoundStore(url) as store:
            store.create_round(round_id, targets, profile=settings.profile, engine="local",
                               targets_file="(bench)", out_dir=str(out),
                               settings=settings.snapshot())
        started = time.monotonic()
        run_local(url, round_id, settings, out / round_id, ProgressDisplay(round_id, quiet=True))
        wall = time.monotonic() - started
    with RoundStore(url) as store:
        measured = [Measured(r.portal_id, r.pages, r.wall_s or 0.0) for r in store.results(round_id)]
    return measured, wall


def store_overhead_s(out: Path) -> float:
    """Claim + 10 heartbeats + finish of one portal on the SQLite store, seconds."""
    from evaluator.rounds.store import RoundStore
    from evaluator.targets import Target

    with RoundStore(f"sqlite:///{out / 'overhead.sqlite'}") as store:
        n = 50
        store.create_round("o", [Target(id=f"p{i}", start_url="http://x/") for i in range(n)],
                           profile="p", engine="local", targets_file="", out_dir="", settings={})
        started = time.monotonic()
        while (claim := store.claim("o", None, "w:1", 5)) is not None:
            for _ in range(10):
                store.heartbeat(claim)
            store.finish(claim, profile="p", result_json="{}", grade="A", total=95.0, pillars={},
                         pages=30, evaluated_at="", wall_s=None, evidence_json="{}" * 50_000,
                         not_evaluated=None)
        return (time.monotonic() - started) / n


def makespan(costs: list[float], workers: int) -> float:
    """LPT list scheduling: the longest remaining portal goes to the first free worker."""
    free = [0.0] * workers
    heapq.heapify(free)
    for cost in sorted(costs, reverse=True):
        heapq.heappush(free, heapq.heappop(free) + cost)
    return max(free)


def fmt_h(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench round")
    parser.add_argument("--pages-low", type=int, default=5)
    parser.add_argument("--pages-high", type=int, default=15)
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores; local pool, round_workers=1, concurrency=2",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-round-") as tmp:
        out = Path(tmp)
        low, wall_low = run_round(args.pages_low, out, "low")
        high, wall_high = run_round(args.pages_high, out, "high")
        overhead = store_overhead_s(out)
    print(f"\nround of {len(high)} fixture portals, max_pages {args.pages_high}: "
          f"{wall_high:.0f} s → {len(high) * 3600 / wall_high:.0f} portals/hour "
          f"({sum(m.pages for m in high) * 60 / wall_high:.1f} pages/min)")
    print(f"round of {len(low)} fixture portals, max_pages {args.pages_low}: "
          f"{wall_low:.0f} s → {len(low) * 3600 / wall_low:.0f} portals/hour")
    print("\nper portal (wall of the whole attempt, child process included):")
    print(f"{'portal':18} {'pages':>5} {'wall':>7} {'pages':>5} {'wall':>7} {'F (fixed)':>10} "
          f"{'k (per page)':>13} {'at 30 pages':>12}")
    kinds: list[tuple[str, float, float]] = []
    by_id = {m.portal_id: m for m in low}
    for h in high:
        lo = by_id[h.portal_id]
        k = (h.wall_s - lo.wall_s) / (h.pages - lo.pages) if h.pages != lo.pages else 0.0
        k = max(0.0, k)
        fixed = max(0.0, lo.wall_s - k * lo.pages)
        kinds.append((h.portal_id, fixed, k))
        print(f"{h.portal_id:18} {lo.pages:5d} {lo.wall_s:6.1f}s {h.pages:5d} {h.wall_s:6.1f}s "
              f"{fixed:9.1f}s {k:12.2f}s {fixed + ROUND_PAGES * k:11.0f}s")
    print(f"store overhead per portal (claim, 10 heartbeats, finish with 100 KB evidence): "
          f"{overhead * 1000:.1f} ms")
    costs = [kinds[i % len(kinds)][1] + ROUND_PAGES * kinds[i % len(kinds)][2] + overhead
             for i in range(ROUND_PORTALS)]
    mean_f = statistics.mean(f for _p, f, _k in kinds)
    mean_k = statistics.mean(k for _p, _f, k in kinds)
    print(f"\nprojection: {ROUND_PORTALS} portals × {ROUND_PAGES} pages, kinds in turn "
          f"(mean F {mean_f:.0f} s, mean k {mean_k:.2f} s/page, mean portal "
          f"{statistics.mean(costs):.0f} s)")
    for workers in WORKERS:
        span = makespan(costs, workers)
        print(f"  {workers:2d} worker(s): {fmt_h(span)}  ({ROUND_PORTALS * 3600 / span:.0f} "
              "portals/hour)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
