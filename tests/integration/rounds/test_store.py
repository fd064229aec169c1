"""The round store on SQLite and on a real PostgreSQL, same schema, same behaviour: atomic
claims (no portal has two owners, even under a race), results only from the owning claim,
stale takeover, history over rounds, re-scored results beside the round's own."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluator.rounds.store import DONE, NOT_EVALUATED, QUEUED, RUNNING, RoundStore, StoreError
from evaluator.targets import Target


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rounds.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[RoundStore]:
    with RoundStore(store_url) as s:
        yield s


def targets(n: int) -> list[Target]:
    return [Target(id=f"p{i:02d}", start_url=f"https://p{i}.gov.vn/", name=f"P{i}",
                   agency="province") for i in range(n)]


def make_round(store: RoundStore, round_id: str, n: int, profile: str = "vn-2023") -> None:
    store.create_round(round_id, targets(n), profile=profile, engine="local",
                       targets_file="t.yaml", out_dir="out", settings={"max_pages": 5})


def finish(store: RoundStore, claim: object, total: float | None, grade: str | None) -> bool:
    return store.finish(claim, profile="vn-2023",  # type: ignore[arg-type]
                        result_json=json.dumps({"total": total}), grade=grade, total=total,
                        pillars={"functionality": (total or 0) * 0.7}, pages=3,
                        evaluated_at="2026-01-01T00:00:00+00:00", wall_s=1.0,
                        evidence_json='{"x": 1}', not_evaluated=None if grade else "why")


def test_claims_in_order_and_finish_once(store: RoundStore) -> None:
    make_round(store, "r1", 3)
    first = store.claim("r1", None, "w:1", heartbeat_s=5)
    second = store.claim("r1", None, "w:1", heartbeat_s=5)
    assert first is not None and second is not None
    assert (first.portal_id, first.attempt, second.portal_id) == ("p00", 1, "p01")
    assert store.claim("r1", "p00", "w:2", heartbeat_s=5) is None  # owned, beating
    assert finish(store, first, 91.5, "A")
    assert not finish(store, first, 10.0, "E")  # the same claim cannot grade twice
    assert store.claim("r1", "p00", "w:2", heartbeat_s=5) is None  # finished
    counts = store.counts("r1")
    assert (counts.queued, counts.running, counts.done, counts.pages) == (1, 1, 1, 3)
    (stored,) = store.results("r1")
    assert (stored.grade, stored.total, stored.pillars) == ("A", 91.5, {"functionality": 64.05})
    assert store.evidence("r1", "p00") == '{"x": 1}'
    with pytest.raises(StoreError, match="already exists"):
        make_round(store, "r1", 1)


def test_stale_portal_is_taken_over_and_the_old_owner_cannot_record(store: RoundStore) -> None:
    make_round(store, "r1", 1)
    old = store.claim("r1", None, "dead-host:1", heartbeat_s=0.05)
    assert old is not None
    time.sleep(0.5)  # six missed beats of 0.05 s
    new = store.claim("r1", None, "w:2", heartbeat_s=0.05)
    assert new is not None and new.attempt == 2
    assert not store.heartbeat(old)  # the old owner learns it lost the portal
    assert not finish(store, old, 50.0, "D")
    assert finish(store, new, 70.0, "C")
    assert [(a, o) for _p, a, _w, o in store.attempts("r1")] == [(1, "lost"), (2, "graded")]


def test_failures_count_against_retries(store: RoundStore) -> None:
    make_round(store, "r1", 1)
    claim = store.claim("r1", None, "w:1", heartbeat_s=5)
    assert claim is not None
    assert store.record_failure(claim, "timed out after 5 s", retries=1) == (1, True)
    claim = store.start_retry(claim, "w:1")
    assert claim.attempt == 2
    assert store.record_failure(claim, "timed out after 5 s", retries=1) == (2, False)
    assert finish(store, claim, None, None)
    (row,) = store.portals("r1")
    assert (row.state, row.failures, row.attempts) == (NOT_EVALUATED, 2, 2)


def test_dead_local_claimant_is_released_at_once(store: RoundStore) -> None:
    make_round(store, "r1", 2)
    # A pid of this host that cannot exist: the batch that claimed it was killed.
    dead = f"{socket.gethostname()}:{2**22 + 12345}"
    assert store.claim("r1", None, dead, heartbeat_s=300) is not None
    assert store.claim("r1", None, f"{socket.gethostname()}:{os.getpid()}", heartbeat_s=300)
    assert store.release_dead_local_claims("r1") == ["p00"]
    states = {p.portal_id: p.state for p in store.portals("r1")}
    assert states == {"p00": QUEUED, "p01": RUNNING}


def test_racing_claimers_never_share_a_portal(store_url: str) -> None:
    with RoundStore(store_url) as setup:
        make_round(setup, "race", 24)
    owned: list[tuple[str, str]] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        with RoundStore(store_url) as own:
            while (claim := own.claim("race", None, name, heartbeat_s=60)) is not None:
                with lock:
                    owned.append((claim.portal_id, name))
                assert finish(own, claim, 80.0, "B")

    threads = [threading.Thread(target=claimer, args=(f"w:{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    portals = sorted(p for p, _w in owned)
    assert portals == [f"p{i:02d}" for i in range(24)]  # each exactly once
    with RoundStore(store_url) as check:
        assert check.counts("race").done == 24
        assert len(check.attempts("race")) == 24


def test_history_and_rescored_results(store: RoundStore) -> None:
    for round_id, total in (("2026-q1", 60.0), ("2026-q2", 72.5)):
        make_round(store, round_id, 1)
        claim = store.claim(round_id, None, "w:1", heartbeat_s=5)
        assert finish(store, claim, total, "D" if total < 65 else "C")
    history = store.history("p00")
    assert [(info.id, r.total, r.grade) for info, r in history] == [
        ("2026-q1", 60.0, "D"), ("2026-q2", 72.5, "C")]
    store.save_rescored("2026-q1", "p00", "strict", '{"total": 40}', "E", 40.0, {}, 3, "t")
    store.save_rescored("2026-q1", "p00", "strict", '{"total": 41}', "E", 41.0, {}, 3, "t")
    assert [r.total for r in store.results("2026-q1", "strict")] == [41.0]
    assert [r.total for r in store.results("2026-q1")] == [60.0]  # the round's own stays
    assert [r.total for _i, r in store.history("p00")] == [60.0, 72.5]
    with pytest.raises(StoreError, match="its results are the round's own"):
        store.save_rescored("2026-q1", "p00", "vn-2023", "{}", None, None, {}, 0, "t")
    assert [i.id for i in store.rounds()] == ["2026-q1", "2026-q2"]
    assert store.portals("2026-q2")[0].state == DONE


def test_bad_store_urls_are_one_line() -> None:
    with pytest.raises(StoreError, match="use sqlite:///PATH or postgresql://"):
        RoundStore("mysql://x")
    with pytest.raises(StoreError) as err:
        RoundStore("postgresql://u:secret@127.0.0.1:1/db")
    assert "cannot open" in str(err.value) and "secret" not in str(err.value)
    assert "\n" not in str(err.value)


def test_attestations_are_recorded_with_the_round_and_replaced_per_profile(
        store: RoundStore) -> None:
    from evaluator.rounds.attestations import AttestationFile
    from evaluator.rounds.store import Rescored

    given = {"p00": AttestationFile("p00", "/audit/p00.yaml", "a" * 64, "portal: p00\n")}
    store.create_round("r1", targets(2), profile="vn-2023", engine="local", targets_file="t.yaml",
                       out_dir="out", settings={"max_pages": 5}, attestations=given)
    assert store.attestations("r1", "vn-2023") == given
    assert store.round("r1").settings["attestations"] == {
        "vn-2023": {"p00": {"file": "/audit/p00.yaml", "sha256": "a" * 64}}}
    claim = store.claim("r1", "p00", "w:1", heartbeat_s=5)
    assert claim is not None and finish(store, claim, 50.0, "D")
    # Re-graded in place with other attestations: the result and the record change together.
    other = {"p01": AttestationFile("p01", "/audit/p01.yaml", "b" * 64, "portal: p01\n")}
    store.save_rescore("r1", "vn-2023", [Rescored("p00", json.dumps({"total": 60.0}), "D", 60.0,
                                                  {"functionality": 42.0}, 3,
                                                  "2026-01-01T00:00:00+00:00")],
                       other, in_place=True)
    (result,) = store.results("r1")
    assert (result.total, json.loads(result.result_json)) == (60.0, {"total": 60.0})
    assert store.evidence("r1", "p00") == '{"x": 1}'  # kept
    assert store.attestations("r1", "vn-2023") == other
    assert set(store.round("r1").settings["attestations"]["vn-2023"]) == {"p01"}
    assert store.round("r1").settings["max_pages"] == 5
    with pytest.raises(StoreError, match="give --attestations DIR to re-grade it in place"):
        store.save_rescore("r1", "vn-2023", [], None)
