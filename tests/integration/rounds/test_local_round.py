"""The local engine for real: a round of fixture portals through `portal-eval batch`, the batch
killed with SIGKILL mid-round and resumed, every portal graded exactly once; a portal that hangs
is "not evaluated: timed out after N s (2 attempts)" and the round goes on."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from evaluator.results import load_result
from evaluator.rounds.store import DONE, NOT_EVALUATED, RUNNING, RoundStore
from tests.integration.rounds.conftest import ROOT, closed_port_url, round_env, write_targets

pytestmark = pytest.mark.browser

# These tests are about the round (claims, kills, retries, timeouts), not the measurements: no
# Lighthouse and no throttled persona walk, which took most of their time (kem alone ~3 min).
FAST = {"max_pages": "5", "portal_heartbeat_s": "1", "lighthouse": "false", "persona": "false"}


def batch(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "evaluator", "batch", *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def states(store_url: str, round_id: str) -> dict[str, str]:
    try:
        with RoundStore(store_url) as store:
            return {p.portal_id: p.state for p in store.portals(round_id)}
    except Exception:
        return {}  # the batch has not created the round yet


def processes_of(parent_pid: int) -> list[int]:
    """Processes started for a batch's portal attempts (they inherit its marker variable)."""
    marker = f"PORTAL_EVAL_ROUND_PARENT={parent_pid}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker in (proc / "environ").read_bytes().split(b"\0"):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def submissions_by_portal(server: Any) -> dict[str, int]:
    with server.lock:
        counts: dict[str, int] = {}
        for s in server.submissions:
            counts[s.portal] = counts.get(s.portal, 0) + 1
        return counts


def assert_each_graded_once(store_url: str, round_id: str, portal_ids: list[str]) -> None:
    with RoundStore(store_url) as store:
        final = {p.portal_id: p.state for p in store.portals(round_id)}
        assert set(final) == set(portal_ids)
        assert all(s in (DONE, NOT_EVALUATED) for s in final.values()), final
        results = store.results(round_id)
        assert sorted(r.portal_id for r in results) == sorted(portal_ids)
        outcomes: dict[str, list[str | None]] = {}
        for portal_id, _attempt, _worker, outcome in store.attempts(round_id):
            outcomes.setdefault(portal_id, []).append(outcome)
    for portal_id, seen in outcomes.items():
        finals = [o for o in seen if o in ("graded", "not_evaluated")]
        assert len(finals) == 1, (portal_id, seen)
        assert None not in seen, (portal_id, seen)  # no attempt left open


def test_batch_killed_mid_round_resumes_without_loss_or_repeat(
        fixture_server: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    store_url = f"sqlite:///{tmp_path / 'rounds.sqlite'}"
    targets = write_targets(tmp_path / "targets.yaml", fixture_server, ["mau", "tinh-trung-binh"], [
        {"id": "gone", "name": "Cổng không tồn tại", "agency": "ministry",
         "start_url": closed_port_url()}])
    # The auditors' attestations of two portals, given with the round: the resumed batch (a
    # new process) grades tinh-trung-binh with the copy the round recorded, whatever became of the folder.
    attested = tmp_path / "attestations"
    attested.mkdir()
    for pid in ("mau", "tinh-trung-binh"):
        (attested / f"{pid}.yaml").write_bytes(
            (ROOT / "fixtures" / "portals" / pid / "attestations.yaml").read_bytes())
    env = round_env(**FAST)
    first = batch(str(targets), "--out", str(out), "--store", store_url, "--round", "r1",
                  "--attestations", str(attested), env=env)
    try:
        # Kill once mau is graded and tinh-trung-binh (1 s a page) is being evaluated: the
        # middle of the round.
        wait_for(lambda: states(store_url, "r1").get("mau") == DONE
                 and states(store_url, "r1").get("tinh-trung-binh") == RUNNING, 240,
                 "mau done, tinh-trung-binh running")
        time.sleep(3)  # well into its crawl
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == -signal.SIGKILL
    # Its evaluation child (and the child's Playwright driver and Chromium) die with it: no
    # orphan goes on evaluating tinh-trung-binh beside the resumed batch.
    wait_for(lambda: not processes_of(first.pid), 30, "the killed batch's children to exit")
    before_resume = submissions_by_portal(fixture_server)
    assert states(store_url, "r1") == {"mau": DONE, "tinh-trung-binh": RUNNING, "gone": "queued"}
    (attested / "tinh-trung-binh.yaml").unlink()

    resumed = batch("--resume", "r1", "--out", str(out), "--store", store_url, "--pdf", env=env)
    stdout, stderr = resumed.communicate(timeout=400)
    assert resumed.returncode == 3, stderr  # done, one portal not evaluated
    assert "tinh-trung-binh: its previous run was interrupted" in stderr

    assert_each_graded_once(store_url, "r1", ["mau", "tinh-trung-binh", "gone"])
    with RoundStore(store_url) as store:
        attempts = {(p, a): o for p, a, _w, o in store.attempts("r1")}
        rows = {p.portal_id: p for p in store.portals("r1")}
    assert attempts[("mau", 1)] == "graded" and ("mau", 2) not in attempts
    assert attempts[("tinh-trung-binh", 1)] == "lost" and attempts[("tinh-trung-binh", 2)] == "graded"
    assert attempts[("gone", 1)].startswith("failed: start URL unreachable")
    assert attempts[("gone", 2)] == "not_evaluated"
    assert rows["gone"].reason.endswith("(2 attempts)")
    # The fixture server's log: mau, finished before the kill, saw no request from the resume.
    after = submissions_by_portal(fixture_server)
    assert after.get("mau", 0) == before_resume.get("mau", 0) > 0
    assert after.get("tinh-trung-binh", 0) > before_resume.get("tinh-trung-binh", 0)

    # The round's folder: every portal's files, written whole (no temp file left), an index.
    for pid in ("mau", "tinh-trung-binh", "gone"):
        assert load_result(out / "r1" / pid).portal_id == pid
        assert (out / "r1" / pid / "report.html").is_file()
    assert load_result(out / "r1" / "mau").grade is not None
    # Attestations: recorded with the round (file and digest), applied before and after the kill.
    with RoundStore(store_url) as store:
        recorded = store.round("r1").settings["attestations"]["vn-2023"]
    assert sorted(recorded) == ["mau", "tinh-trung-binh"] and len(recorded["tinh-trung-binh"]["sha256"]) == 64
    for pid in ("mau", "tinh-trung-binh"):
        result = load_result(out / "r1" / pid)
        # Every criterion the portal's file attests is graded by it; the rest (tinh-trung-binh
        # leaves digital-signature out on purpose) stays with no points source.
        attested_ids = {a["criterion"] for a in yaml.safe_load(
            (ROOT / "fixtures" / "portals" / pid / "attestations.yaml").read_text(
                encoding="utf-8"))["attestations"]}
        sources = {c.id: c.points_source for c in result.criteria if c.manual}
        assert attested_ids and {sources[c] for c in attested_ids} == {"attestation"}, sources
        assert {s for c, s in sources.items() if c not in attested_ids} <= {"none"}, sources
        assert result.total_automated is not None and result.total is not None
    assert load_result(out / "r1" / "gone").not_evaluated.endswith("(2 attempts)")
    assert not list(out.rglob(".*.tmp"))
    # --pdf: every portal's report and the round's index printed beside their HTML.
    assert all((out / "r1" / pid / "report.pdf").stat().st_size > 10_000
               for pid in ("mau", "tinh-trung-binh", "gone"))
    assert (out / "r1" / "index.pdf").read_bytes().startswith(b"%PDF-")
    index = (out / "r1" / "index.html").read_text(encoding="utf-8")
    assert "<svg class=\"sparkline" in index and "mau" in index
    assert re.search(r"tinh-trung-binh: grade [A-E]", stdout) and "gone: not evaluated" in stdout


@pytest.mark.parametrize("store_kind", ["sqlite", "postgresql"])
def test_hanging_portal_times_out_twice_then_not_evaluated(
        hanging_server: Any, tmp_path: Path, store_kind: str, request: pytest.FixtureRequest,
) -> None:
    out = tmp_path / "out"
    # The same batch on either store: `--store postgresql://…` works end to end too.
    store_url = (f"sqlite:///{tmp_path / 'rounds.sqlite'}" if store_kind == "sqlite"
                 else str(request.getfixturevalue("postgres_url")))
    targets = tmp_path / "targets.csv"
    targets.write_text("id,name,agency,start_url,tags\n"
                       f"treo,Cổng treo,province,{hanging_server.url},test;hang\n",
                       encoding="utf-8")
    proc = batch(str(targets), "--out", str(out), "--store", store_url, "--round", "h1",
                 "--portal-timeout", "6", env=round_env(**FAST))
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 3, stderr
    assert "treo: not evaluated: timed out after 6 s (2 attempts)" in stdout
    with RoundStore(store_url) as store:
        (row,) = store.portals("h1")
        outcomes = [o for _p, _a, _w, o in store.attempts("h1")]
    assert row.state == NOT_EVALUATED and row.failures == 2
    assert outcomes == ["failed: timed out after 6 s", "not_evaluated"]
    result = json.loads((out / "h1" / "treo" / "result.json").read_text(encoding="utf-8"))
    assert result["grade"] is None
    assert result["not_evaluated"] == "timed out after 6 s (2 attempts)"


def test_pool_of_two_lanes_never_runs_one_host_twice_at_once(tmp_path: Path) -> None:
    import sqlite3

    out = tmp_path / "out"
    db = tmp_path / "rounds.sqlite"
    shared, other = closed_port_url(), closed_port_url()
    targets = tmp_path / "targets.csv"
    targets.write_text("id,name,agency,start_url\n"
                       f"a1,A1,province,{shared}\na2,A2,province,{shared}\n"
                       f"b1,B1,ministry,{other}\n", encoding="utf-8")
    proc = batch(str(targets), "--out", str(out), "--store", f"sqlite:///{db}", "--round", "p1",
                 "--workers", "2", env=round_env(**FAST))
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 3, stderr
    assert_each_graded_once(f"sqlite:///{db}", "p1", ["a1", "a2", "b1"])
    with sqlite3.connect(db) as conn:
        spans = {p: (start, end) for p, start, end in conn.execute(
            "SELECT portal_id, MIN(started_at), MAX(ended_at) FROM attempts GROUP BY portal_id")}
        workers = {w for (w,) in conn.execute("SELECT DISTINCT worker FROM attempts")}
    # a1 and a2 share a host: one ran after the other; b1 ran beside one of them.
    (s1, e1), (s2, e2) = spans["a1"], spans["a2"]
    assert e1 <= s2 or e2 <= s1, spans
    sb, eb = spans["b1"]
    assert any(sb < e and s < eb for s, e in (spans["a1"], spans["a2"])), spans
    assert len(workers) == 1  # one batch process, two lanes
    assert stdout.count("not evaluated: start URL unreachable") == 3
