"""Scale-out for real: redis-server and PostgreSQL on 127.0.0.1, two `portal-eval worker`
processes (two "machines", each with its own output folder), a round sent with
`portal-eval batch --engine celery`; one worker is killed with SIGKILL while it evaluates a
portal, and every portal is still graded exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evaluator.results import load_result
from evaluator.rounds.store import RUNNING, RoundStore
from tests.integration.rounds.conftest import ROOT, closed_port_url, round_env, write_targets
from tests.integration.rounds.test_local_round import assert_each_graded_once, wait_for

pytestmark = pytest.mark.browser


def session_pids(leader: int) -> set[int]:
    """Every process in the session a worker was started in (its Celery pool processes)."""
    pids = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[3]) == leader:  # field 6 of /proc/PID/stat: session id
                pids.add(int(proc.name))
    return pids


@pytest.fixture
def workers(redis_url: str, postgres_url: str, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    env = round_env(celery_broker=redis_url, store=postgres_url)
    procs = []
    for name in ("w1", "w2"):
        log = (tmp_path / f"{name}.log").open("wb")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "evaluator", "worker", "--out", str(tmp_path / name),
             "--concurrency", "1", "--name", f"{name}@test"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    yield procs
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_celery_round_survives_a_killed_worker(
        fixture_server: Any, redis_url: str, postgres_url: str, workers: list[Any],
        tmp_path: Path) -> None:
    portal_ids = ["mau", "tinh-trung-binh"]
    targets = write_targets(tmp_path / "targets.yaml", fixture_server, portal_ids, [
        {"id": "gone", "name": "Unreachable", "agency": "ministry",
         "start_url": closed_port_url()}])
    # The round's settings travel with it to the workers. No Lighthouse or persona walk: this
    # test is about a killed worker, and mau still out-scores tinh-trung-binh without them.
    env = round_env(celery_broker=redis_url, max_pages="5", portal_heartbeat_s="1",
                    celery_visibility_timeout_s="900", lighthouse="false", persona="false")
    submit = subprocess.Popen(
        [sys.executable, "-m", "evaluator", "batch", str(targets), "--engine", "celery",
         "--store", postgres_url, "--out", str(tmp_path / "main"), "--round", "c1",
         "--portal-timeout", "240"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The victim: whichever worker is first seen evaluating a portal that gets graded (not
        # the unreachable one, which fails in seconds).
        found: dict[str, Any] = {}

        def someone_running() -> bool:
            try:
                with RoundStore(postgres_url) as store:
                    portals = store.portals("c1")
            except Exception:
                return False
            for portal in portals:
                if portal.state != RUNNING or portal.portal_id not in portal_ids \
                        or portal.claimed_by is None:
                    continue
                pid = int(portal.claimed_by.rsplit(":", 1)[1])
                for worker in workers:
                    if pid in session_pids(worker.pid):
                        found.update(worker=worker, portal=portal.portal_id)
                        return True
            return False

        wait_for(someone_running, 120, "a worker evaluating a portal")
        time.sleep(4)  # well into the portal's crawl
        victim, lost = found["worker"], found["portal"]
        with RoundStore(postgres_url) as store:
            (row,) = [p for p in store.portals("c1") if p.portal_id == lost]
        assert row.state == RUNNING  # still mid-portal when the worker dies
        victim_pids = session_pids(victim.pid)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        stdout, stderr = submit.communicate(timeout=600)
    finally:
        if submit.poll() is None:
            submit.kill()
            submit.wait()
    assert submit.returncode == 3, stderr  # done; "gone" could not be evaluated
    assert f"{lost}: its worker stopped answering; sent again" in stderr
    assert "mau: grade" in stdout and "gone: not evaluated" in stdout

    assert_each_graded_once(postgres_url, "c1", [*portal_ids, "gone"])
    with RoundStore(postgres_url) as store:
        attempts = store.attempts("c1")
        results = {r.portal_id: r for r in store.results("c1")}
    lost_attempts = [(p, w, o) for p, _a, w, o in attempts if o == "lost"]
    assert [p for p, _w, _o in lost_attempts] == [lost]
    # The portal the killed worker held was finished by the surviving one.
    (graded_by,) = [w for p, _a, w, o in attempts if p == lost and o in ("graded", "not_evaluated")]
    assert int(graded_by.rsplit(":", 1)[1]) not in victim_pids
    assert {p for p, r in results.items() if r.grade is not None} == set(portal_ids)
    # Graded from what was gathered: a total each. (Five pages each and no Lighthouse here: the
    # two portals come out too close to order them.)
    for pid in portal_ids:
        total = results[pid].total
        assert total is not None and total > 0, pid
    # The submitting machine's folder is built from the shared store.
    for pid in [*portal_ids, "gone"]:
        assert load_result(tmp_path / "main" / "c1" / pid).portal_id == pid
    assert (tmp_path / "main" / "c1" / "index.html").is_file()
