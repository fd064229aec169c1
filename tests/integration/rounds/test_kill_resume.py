"""Nothing lost (issue 7): a round stopped with SIGTERM, resumed, killed with SIGKILL at a
seeded-random moment, resumed again. Finished portals keep their files byte for byte (same hash,
same mtime: a resume never rewrites them), the portal in flight is redone, each portal is graded
exactly once, and SIGTERM stops gracefully: exit 143, the running attempt closed as
'interrupted' and its portal queued again (not counted as a failed attempt).
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from evaluator.results import load_result
from evaluator.rounds.store import DONE, QUEUED, RUNNING, RoundStore
from tests.integration.rounds.conftest import round_env, write_targets
from tests.integration.rounds.test_local_round import (
    FAST,
    assert_each_graded_once,
    batch,
    processes_of,
    states,
    wait_for,
)

pytestmark = pytest.mark.browser

# Smaller still than the round tests' FAST (no Lighthouse, no persona walk): 3 pages, depth 2.
QUICK = {**FAST, "max_pages": "3", "max_depth": "2", "key_page_settle_ms": "200"}
PORTALS = ["mau", "tinh-trung-binh", "doc-hai"]


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file of a portal's folder: content hash and mtime (ns)."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                         p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_sigterm_and_sigkill_mid_round_lose_nothing(fixture_server: Any, tmp_path: Path) -> None:
    rng = random.Random(7)  # seeded: the same moments on every run
    out = tmp_path / "out"
    store_url = f"sqlite:///{tmp_path / 'rounds.sqlite'}"
    targets = write_targets(tmp_path / "targets.yaml", fixture_server, PORTALS)
    env = round_env(**QUICK)
    first, second, third = PORTALS

    def run_until(args: list[str], done: list[str], running: str, sig: int) -> tuple[int, str]:
        proc = batch(*args, env=env)
        try:
            wait_for(lambda: all(states(store_url, "r1").get(p) == DONE for p in done)
                     and states(store_url, "r1").get(running) == RUNNING, 120,
                     f"{done} done and {running} running")
            time.sleep(rng.uniform(0.5, 3.0))  # somewhere in the running portal's evaluation
            os.kill(proc.pid, sig)
            _out, err = proc.communicate(timeout=90)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        wait_for(lambda: not processes_of(proc.pid), 30, "the batch's children to exit")
        return proc.returncode, err

    # 1. SIGTERM while the second portal runs: a graceful stop.
    code, err = run_until([str(targets), "--out", str(out), "--store", store_url, "--round", "r1"],
                          [first], second, signal.SIGTERM)
    assert code == 143, err
    assert "stopped; 2 portal(s) left to evaluate" in err
    assert states(store_url, "r1") == {first: DONE, second: QUEUED, third: QUEUED}, err
    with RoundStore(store_url) as store:
        attempts = {(p, a): o for p, a, _w, o in store.attempts("r1")}
        rows = {p.portal_id: p for p in store.portals("r1")}
    assert attempts == {(first, 1): "graded", (second, 1): "interrupted"}
    assert rows[second].reason is None  # an interruption is not a failure
    kept = {first: snapshot(out / "r1" / first)}
    assert "result.json" in kept[first] and "evidence/bundle.json" in kept[first]

    # 2. Resume, then SIGKILL while the third portal runs: no chance to clean up.
    code, _err = run_until(["--resume", "r1", "--out", str(out), "--store", store_url],
                           [first, second], third, signal.SIGKILL)
    assert code == -signal.SIGKILL
    kept[second] = snapshot(out / "r1" / second)
    assert snapshot(out / "r1" / first) == kept[first]

    # 3. Resume to the end.
    proc = batch("--resume", "r1", "--out", str(out), "--store", store_url, env=env)
    _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert f"{third}: its previous run was interrupted" in stderr
    assert_each_graded_once(store_url, "r1", PORTALS)
    with RoundStore(store_url) as store:
        attempts = {(p, a): o for p, a, _w, o in store.attempts("r1")}
    assert attempts == {(first, 1): "graded", (second, 1): "interrupted", (second, 2): "graded",
                        (third, 1): "lost", (third, 2): "graded"}
    for pid in (first, second):  # finished before a kill: untouched, byte for byte
        assert snapshot(out / "r1" / pid) == kept[pid], pid
    for pid in PORTALS:
        assert load_result(out / "r1" / pid).grade is not None
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
