"""Where rounds live: one schema in SQLite (default, a file) or PostgreSQL (shared by workers).

Plain DB-API with a two-line dialect shim (placeholders, the claim statement): the schema uses
only types both have. A portal of a round moves queued → running → done | not_evaluated; a
claim is one atomic statement, so two workers (or a resumed batch and a stale one) can never
both own a portal, and a result is recorded only by the claim that owns the portal (its token),
so nothing is graded twice. Every started attempt is logged in ``attempts``: the tests count
evaluations there.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluator.rounds.attestations import AttestationFile
from evaluator.targets import Target

QUEUED, RUNNING, DONE, NOT_EVALUATED = "queued", "running", "done", "not_evaluated"
FINISHED = (DONE, NOT_EVALUATED)
# The key of the round's settings (settings_json) recording, per profile, which attestations
# file graded each portal and its digest: {profile: {portal id: {"file", "sha256"}}}. The files'
# texts are in the round_attestations table.
ATTESTATIONS_KEY = "attestations"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rounds (
    id TEXT PRIMARY KEY,
    created_at DOUBLE PRECISION NOT NULL,
    finished_at DOUBLE PRECISION,
    profile TEXT NOT NULL,
    engine TEXT NOT NULL,
    targets_file TEXT NOT NULL,
    out_dir TEXT NOT NULL,
    settings_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS round_portals (
    round_id TEXT NOT NULL REFERENCES rounds(id),
    portal_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    target_json TEXT NOT NULL,
    state TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_by TEXT,
    claim_token TEXT,
    heartbeat DOUBLE PRECISION,
    started_at DOUBLE PRECISION,
    finished_at DOUBLE PRECISION,
    reason TEXT,
    PRIMARY KEY (round_id, portal_id)
);
CREATE TABLE IF NOT EXISTS results (
    round_id TEXT NOT NULL,
    portal_id TEXT NOT NULL,
    profile TEXT NOT NULL,
    evaluated_at TEXT NOT NULL,
    grade TEXT,
    total DOUBLE PRECISION,
    pillars_json TEXT NOT NULL,
    pages INTEGER NOT NULL,
    wall_s DOUBLE PRECISION,
    result_json TEXT NOT NULL,
    evidence_gz BYTEA,
    PRIMARY KEY (round_id, portal_id, profile)
);
CREATE TABLE IF NOT EXISTS round_attestations (
    round_id TEXT NOT NULL,
    profile TEXT NOT NULL,
    portal_id TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    yaml_text TEXT NOT NULL,
    PRIMARY KEY (round_id, profile, portal_id)
);
CREATE TABLE IF NOT EXISTS attempts (
    round_id TEXT NOT NULL,
    portal_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    worker TEXT NOT NULL,
    started_at DOUBLE PRECISION NOT NULL,
    ended_at DOUBLE PRECISION,
    outcome TEXT,
    PRIMARY KEY (round_id, portal_id, attempt)
);
"""


class StoreError(Exception):
    """The store cannot be opened or used; one line naming the store."""


def worker_name() -> str:
    """host:pid of this process: a local resume can tell a dead claimant of its own host."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class RoundInfo:
    id: str
    created_at: float
    finished_at: float | None
    profile: str
    engine: str
    targets_file: str
    out_dir: str
    settings: dict[str, Any]


@dataclass(frozen=True)
class PortalState:
    round_id: str
    portal_id: str
    position: int
    target: Target
    state: str
    failures: int
    attempts: int
    claimed_by: str | None
    heartbeat: float | None
    reason: str | None


@dataclass(frozen=True)
class Claim:
    round_id: str
    portal_id: str
    token: str
    attempt: int
    failures: int
    target: Target


@dataclass(frozen=True)
class StoredResult:
    round_id: str
    portal_id: str
    profile: str
    evaluated_at: str
    grade: str | None
    total: float | None
    pillars: dict[str, float]
    pages: int
    wall_s: float | None
    result_json: str


@dataclass(frozen=True)
class Rescored:
    """One portal's result of a re-score (RoundStore.save_rescore)."""

    portal_id: str
    result_json: str
    grade: str | None
    total: float | None
    pillars: dict[str, float]
    pages: int
    evaluated_at: str


@dataclass(frozen=True)
class Counts:
    queued: int
    running: int
    done: int
    not_evaluated: int
    pages: int

    @property
    def total(self) -> int:
        return self.queued + self.running + self.done + self.not_evaluated

    @property
    def finished(self) -> int:
        return self.done + self.not_evaluated


def target_to_json(target: Target) -> str:
    return json.dumps({"id": target.id, "start_url": target.start_url, "name": target.name,
                       "agency": target.agency, "allowed_hosts": list(target.allowed_hosts),
                       "tags": list(target.tags)}, ensure_ascii=False, sort_keys=True)


def target_from_json(text: str) -> Target:
    raw = json.loads(text)
    return Target(id=raw["id"], start_url=raw["start_url"], name=raw.get("name", ""),
                  agency=raw.get("agency", ""), allowed_hosts=tuple(raw.get("allowed_hosts", ())),
                  tags=tuple(raw.get("tags", ())))


def default_store_url(out_dir: Path) -> str:
    return f"sqlite:///{(out_dir / 'rounds.sqlite').resolve()}"


class RoundStore:
    """A connection to the store at ``url`` (``sqlite:///path`` or ``postgresql://…``)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith(("postgresql://", "postgres://"))
        try:
            if self.postgres:
                import psycopg

                self._conn: Any = psycopg.connect(url, autocommit=True, connect_timeout=10)
            elif url.startswith("sqlite:///"):
                # sqlite:///relative/file or sqlite:////absolute/file, as SQLAlchemy writes them.
                path = Path(url.removeprefix("sqlite:///"))
                path.parent.mkdir(parents=True, exist_ok=True)
                # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a claim takes
                # the write lock before it reads (two claimers can't both read "queued").
                self._conn = sqlite3.connect(path, isolation_level=None, timeout=60,
                                             check_same_thread=False)
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA busy_timeout=60000")
            else:
                raise StoreError(f"store {url!r}: use sqlite:///PATH or postgresql://…")
        except StoreError:
            raise
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"store {redact(url)}: cannot open: {first}") from None
        with self._tx() as cur:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    sql = statement if self.postgres else statement.replace(
                        "DOUBLE PRECISION", "REAL").replace("BYTEA", "BLOB")
                    cur.execute(sql)

    # ------------------------------------------------------------------------------- plumbing

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> RoundStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    @contextmanager
    def _tx(self, immediate: bool = False) -> Iterator[Any]:
        """One transaction; SQLite's BEGIN IMMEDIATE takes the write lock at once."""
        if self.postgres:
            with self._conn.transaction(), self._conn.cursor() as cur:
                yield _Cursor(cur, self)
            return
        cur = self._conn.cursor()
        cur.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield _Cursor(cur, self)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # --------------------------------------------------------------------------------- rounds

    def create_round(self, round_id: str, targets: Sequence[Target], *, profile: str, engine: str,
                     targets_file: str, out_dir: str, settings: dict[str, Any],
                     attestations: Mapping[str, AttestationFile] | None = None) -> None:
        """A new round of ``targets``, queued; ``attestations`` (by portal id) grade its
        portals' manual criteria and are recorded with the round (settings and texts)."""
        recorded = dict(settings)
        if attestations:
            recorded[ATTESTATIONS_KEY] = {profile: {pid: f.summary()
                                                    for pid, f in sorted(attestations.items())}}
        with self._tx(immediate=True) as cur:
            cur.execute("SELECT id FROM rounds WHERE id = ?", (round_id,))
            if cur.fetchone() is not None:
                raise StoreError(f"round {round_id!r} already exists in {redact(self.url)} "
                                 "(use --resume to finish it)")
            cur.execute("INSERT INTO rounds (id, created_at, profile, engine, targets_file, "
                        "out_dir, settings_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (round_id, time.time(), profile, engine, targets_file, out_dir,
                         json.dumps(recorded, sort_keys=True)))
            for position, target in enumerate(targets):
                cur.execute("INSERT INTO round_portals (round_id, portal_id, position, "
                            "target_json, state) VALUES (?, ?, ?, ?, ?)",
                            (round_id, target.id, position, target_to_json(target), QUEUED))
            self._insert_attestations(cur, round_id, profile, attestations or {})

    def _insert_attestations(self, cur: _Cursor, round_id: str, profile: str,
                             attestations: Mapping[str, AttestationFile]) -> None:
        for pid, f in sorted(attestations.items()):
            cur.execute("INSERT INTO round_attestations (round_id, profile, portal_id, file, "
                        "sha256, yaml_text) VALUES (?, ?, ?, ?, ?, ?)",
                        (round_id, profile, pid, f.file, f.sha256, f.text))

    def attestations(self, round_id: str, profile: str) -> dict[str, AttestationFile]:
        """The attestations files recorded for the round's portals under ``profile``."""
        with self._tx() as cur:
            cur.execute("SELECT portal_id, file, sha256, yaml_text FROM round_attestations "
                        "WHERE round_id = ? AND profile = ? ORDER BY portal_id",
                        (round_id, profile))
            rows = cur.fetchall()
        return {r[0]: AttestationFile(r[0], r[1], r[2], r[3]) for r in rows}

    def round(self, round_id: str) -> RoundInfo:
        with self._tx() as cur:
            cur.execute("SELECT id, created_at, finished_at, profile, engine, targets_file, "
                        "out_dir, settings_json FROM rounds WHERE id = ?", (round_id,))
            row = cur.fetchone()
        if row is None:
            raise StoreError(f"no round {round_id!r} in {redact(self.url)}")
        return RoundInfo(row[0], row[1], row[2], row[3], row[4], row[5], row[6], json.loads(row[7]))

    def rounds(self) -> list[RoundInfo]:
        with self._tx() as cur:
            cur.execute("SELECT id FROM rounds ORDER BY created_at, id")
            ids = [r[0] for r in cur.fetchall()]
        return [self.round(i) for i in ids]

    def mark_round_finished(self, round_id: str) -> None:
        with self._tx() as cur:
            cur.execute("UPDATE rounds SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
                        (time.time(), round_id))

    def portals(self, round_id: str) -> list[PortalState]:
        with self._tx() as cur:
            cur.execute("SELECT round_id, portal_id, position, target_json, state, failures, "
                        "attempts, claimed_by, heartbeat, reason FROM round_portals "
                        "WHERE round_id = ? ORDER BY position", (round_id,))
            rows = cur.fetchall()
        return [PortalState(r[0], r[1], r[2], target_from_json(r[3]), r[4], r[5], r[6], r[7],
                            r[8], r[9]) for r in rows]

    def counts(self, round_id: str) -> Counts:
        with self._tx() as cur:
            cur.execute("SELECT state, COUNT(*) FROM round_portals WHERE round_id = ? "
                        "GROUP BY state", (round_id,))
            by_state = {s: n for s, n in cur.fetchall()}
            cur.execute("SELECT COALESCE(SUM(r.pages), 0) FROM results r JOIN rounds o "
                        "ON o.id = r.round_id AND o.profile = r.profile WHERE r.round_id = ?",
                        (round_id,))
            pages = cur.fetchone()[0]
        return Counts(by_state.get(QUEUED, 0), by_state.get(RUNNING, 0), by_state.get(DONE, 0),
                      by_state.get(NOT_EVALUATED, 0), int(pages))

    # ---------------------------------------------------------------------------------- claims

    def _stale_before(self, heartbeat_s: float) -> float:
        return time.time() - 6 * heartbeat_s

    def release_dead_local_claims(self, round_id: str) -> list[str]:
        """Portals claimed by a process of this host that no longer exists (a batch killed with
        kill -9): back to queued at once, without waiting for their heartbeat to go stale."""
        host = socket.gethostname()
        released = []
        with self._tx(immediate=True) as cur:
            cur.execute("SELECT portal_id, claimed_by FROM round_portals WHERE round_id = ? "
                        "AND state = ?", (round_id, RUNNING))
            for portal_id, claimed_by in cur.fetchall():
                claim_host, _, pid = (claimed_by or "").rpartition(":")
                if claim_host == host and pid.isdigit() and not _pid_alive(int(pid)):
                    cur.execute("UPDATE round_portals SET state = ?, claimed_by = NULL, "
                                "claim_token = NULL WHERE round_id = ? AND portal_id = ? "
                                "AND state = ? AND claimed_by = ?",
                                (QUEUED, round_id, portal_id, RUNNING, claimed_by))
                    cur.execute("UPDATE attempts SET ended_at = ?, outcome = 'lost' WHERE "
                                "round_id = ? AND portal_id = ? AND outcome IS NULL",
                                (time.time(), round_id, portal_id))
                    released.append(portal_id)
        return released

    def claim(self, round_id: str, portal_id: str | None, worker: str,
              heartbeat_s: float) -> Claim | None:
        """Take one portal (``portal_id``, or the next queued one) for ``worker``: a queued
        portal, or a running one whose heartbeat is stale (its worker died). None when there is
        nothing to take. One atomic statement decides: no portal has two owners."""
        token = uuid.uuid4().hex
        now = time.time()
        stale = self._stale_before(heartbeat_s)
        takeable = "(state = ? OR (state = ? AND (heartbeat IS NULL OR heartbeat < ?)))"
        with self._tx(immediate=True) as cur:
            if portal_id is None:
                lock = " FOR UPDATE SKIP LOCKED" if self.postgres else ""
                cur.execute(f"SELECT portal_id FROM round_portals WHERE round_id = ? AND "
                            f"{takeable} ORDER BY position LIMIT 1{lock}",
                            (round_id, QUEUED, RUNNING, stale))
                row = cur.fetchone()
                if row is None:
                    return None
                portal_id = row[0]
            cur.execute(f"UPDATE round_portals SET state = ?, claimed_by = ?, claim_token = ?, "
                        f"heartbeat = ?, attempts = attempts + 1, "
                        f"started_at = COALESCE(started_at, ?) "
                        f"WHERE round_id = ? AND portal_id = ? AND {takeable}",
                        (RUNNING, worker, token, now, now, round_id, portal_id, QUEUED, RUNNING,
                         stale))
            if cur.rowcount != 1:
                return None
            # A stale attempt of a dead worker is closed as lost before the new one starts.
            cur.execute("UPDATE attempts SET ended_at = ?, outcome = 'lost' WHERE round_id = ? "
                        "AND portal_id = ? AND outcome IS NULL", (now, round_id, portal_id))
            cur.execute("SELECT attempts, failures, target_json FROM round_portals "
                        "WHERE round_id = ? AND portal_id = ?", (round_id, portal_id))
            attempt, failures, target_json = cur.fetchone()
            cur.execute("INSERT INTO attempts (round_id, portal_id, attempt, worker, started_at) "
                        "VALUES (?, ?, ?, ?, ?)", (round_id, portal_id, attempt, worker, now))
        return Claim(round_id, portal_id, token, attempt, failures, target_from_json(target_json))

    def attempt_started(self, claim: Claim) -> None:
        """The attempt's process starts now (after any wait for its host's lock)."""
        with self._tx() as cur:
            cur.execute("UPDATE attempts SET started_at = ? WHERE round_id = ? AND portal_id = ? "
                        "AND attempt = ?", (time.time(), claim.round_id, claim.portal_id,
                                            claim.attempt))

    def heartbeat(self, claim: Claim) -> bool:
        """Still ours? False when another worker took the portal over (we were presumed dead)."""
        with self._tx() as cur:
            cur.execute("UPDATE round_portals SET heartbeat = ? WHERE round_id = ? AND "
                        "portal_id = ? AND claim_token = ? AND state = ?",
                        (time.time(), claim.round_id, claim.portal_id, claim.token, RUNNING))
            return bool(cur.rowcount == 1)

    def record_failure(self, claim: Claim, reason: str, retries: int) -> tuple[int, bool]:
        """One failed attempt. Returns (failures so far, whether the portal may try again);
        with no attempt left the portal stays claimed for the caller to finish."""
        with self._tx(immediate=True) as cur:
            cur.execute("UPDATE round_portals SET failures = failures + 1, reason = ?, "
                        "heartbeat = ? WHERE round_id = ? AND portal_id = ? AND claim_token = ?",
                        (reason, time.time(), claim.round_id, claim.portal_id, claim.token))
            cur.execute("UPDATE attempts SET ended_at = ?, outcome = ? WHERE round_id = ? AND "
                        "portal_id = ? AND attempt = ?",
                        (time.time(), f"failed: {reason}"[:500], claim.round_id, claim.portal_id,
                         claim.attempt))
            cur.execute("SELECT failures FROM round_portals WHERE round_id = ? AND portal_id = ?",
                        (claim.round_id, claim.portal_id))
            failures = int(cur.fetchone()[0])
        return failures, failures <= retries

    def start_retry(self, claim: Claim, worker: str) -> Claim:
        """The next attempt of a portal we still own: logged as an attempt of its own."""
        now = time.time()
        with self._tx(immediate=True) as cur:
            cur.execute("UPDATE round_portals SET attempts = attempts + 1, heartbeat = ? "
                        "WHERE round_id = ? AND portal_id = ? AND claim_token = ?",
                        (now, claim.round_id, claim.portal_id, claim.token))
            cur.execute("SELECT attempts, failures FROM round_portals WHERE round_id = ? "
                        "AND portal_id = ?", (claim.round_id, claim.portal_id))
            attempt, failures = cur.fetchone()
            cur.execute("INSERT INTO attempts (round_id, portal_id, attempt, worker, started_at) "
                        "VALUES (?, ?, ?, ?, ?)", (claim.round_id, claim.portal_id, attempt,
                                                   worker, now))
        return Claim(claim.round_id, claim.portal_id, claim.token, attempt, failures, claim.target)

    def finish(self, claim: Claim, *, profile: str, result_json: str, grade: str | None,
               total: float | None, pillars: dict[str, float], pages: int, evaluated_at: str,
               wall_s: float | None, evidence_json: str | None, not_evaluated: str | None) -> bool:
        """Record the portal's result, if the claim still owns it (else nothing: a worker that
        was presumed dead and came back must not grade a portal a second time)."""
        now = time.time()
        evidence = gzip.compress(evidence_json.encode("utf-8"), 6) if evidence_json else None
        with self._tx(immediate=True) as cur:
            cur.execute("UPDATE round_portals SET state = ?, finished_at = ?, reason = ?, "
                        "heartbeat = ? WHERE round_id = ? AND portal_id = ? AND claim_token = ? "
                        "AND state = ?",
                        (NOT_EVALUATED if not_evaluated else DONE, now, not_evaluated, now,
                         claim.round_id, claim.portal_id, claim.token, RUNNING))
            if cur.rowcount != 1:
                return False
            cur.execute("INSERT INTO results (round_id, portal_id, profile, evaluated_at, grade, "
                        "total, pillars_json, pages, wall_s, result_json, evidence_gz) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (claim.round_id, claim.portal_id, profile, evaluated_at, grade, total,
                         json.dumps(pillars), pages, wall_s, result_json,
                         evidence))
            cur.execute("UPDATE attempts SET ended_at = ?, outcome = ? WHERE round_id = ? AND "
                        "portal_id = ? AND attempt = ?",
                        (now, "not_evaluated" if not_evaluated else "graded", claim.round_id,
                         claim.portal_id, claim.attempt))
        return True

    def release_interrupted(self, claim: Claim) -> bool:
        """Our attempt was stopped on purpose (SIGTERM/Ctrl-C of the batch): the portal goes
        back to queued at once, its attempt closed as 'interrupted'; not a failure, so it does
        not use up a retry. False when the claim was no longer ours."""
        now = time.time()
        with self._tx(immediate=True) as cur:
            cur.execute("UPDATE round_portals SET state = ?, claimed_by = NULL, claim_token = NULL "
                        "WHERE round_id = ? AND portal_id = ? AND claim_token = ? AND state = ?",
                        (QUEUED, claim.round_id, claim.portal_id, claim.token, RUNNING))
            if cur.rowcount != 1:
                return False
            cur.execute("UPDATE attempts SET ended_at = ?, outcome = 'interrupted' WHERE "
                        "round_id = ? AND portal_id = ? AND outcome IS NULL",
                        (now, claim.round_id, claim.portal_id))
        return True

    def requeue_stale(self, round_id: str, heartbeat_s: float) -> list[str]:
        """Running portals whose worker stopped beating: back to queued (the Celery engine then
        sends their task again)."""
        with self._tx(immediate=True) as cur:
            cur.execute("SELECT portal_id FROM round_portals WHERE round_id = ? AND state = ? "
                        "AND (heartbeat IS NULL OR heartbeat < ?)",
                        (round_id, RUNNING, self._stale_before(heartbeat_s)))
            stale = [r[0] for r in cur.fetchall()]
            for portal_id in stale:
                cur.execute("UPDATE round_portals SET state = ?, claimed_by = NULL, "
                            "claim_token = NULL WHERE round_id = ? AND portal_id = ? AND state = ?",
                            (QUEUED, round_id, portal_id, RUNNING))
                cur.execute("UPDATE attempts SET ended_at = ?, outcome = 'lost' WHERE "
                            "round_id = ? AND portal_id = ? AND outcome IS NULL",
                            (time.time(), round_id, portal_id))
        return stale

    # --------------------------------------------------------------------------------- results

    def results(self, round_id: str, profile: str | None = None) -> list[StoredResult]:
        profile = profile or self.round(round_id).profile
        with self._tx() as cur:
            cur.execute("SELECT r.round_id, r.portal_id, r.profile, r.evaluated_at, r.grade, "
                        "r.total, r.pillars_json, r.pages, r.wall_s, r.result_json FROM results r "
                        "JOIN round_portals p ON p.round_id = r.round_id AND "
                        "p.portal_id = r.portal_id WHERE r.round_id = ? AND r.profile = ? "
                        "ORDER BY p.position", (round_id, profile))
            rows = cur.fetchall()
        return [_stored(r) for r in rows]

    def history(self, portal_id: str) -> list[tuple[RoundInfo, StoredResult]]:
        """The portal's result in every round that has one, oldest first (each round's own
        profile)."""
        with self._tx() as cur:
            cur.execute("SELECT r.round_id, r.portal_id, r.profile, r.evaluated_at, r.grade, "
                        "r.total, r.pillars_json, r.pages, r.wall_s, r.result_json FROM results r "
                        "JOIN rounds o ON o.id = r.round_id AND o.profile = r.profile "
                        "WHERE r.portal_id = ? ORDER BY o.created_at, o.id", (portal_id,))
            rows = cur.fetchall()
        rounds = {}
        out = []
        for row in rows:
            stored = _stored(row)
            if stored.round_id not in rounds:
                rounds[stored.round_id] = self.round(stored.round_id)
            out.append((rounds[stored.round_id], stored))
        return out

    def evidence(self, round_id: str, portal_id: str) -> str | None:
        """The evidence bundle (JSON) recorded with the portal's result in its round's profile."""
        with self._tx() as cur:
            cur.execute("SELECT r.evidence_gz FROM results r JOIN rounds o ON o.id = r.round_id "
                        "AND o.profile = r.profile WHERE r.round_id = ? AND r.portal_id = ?",
                        (round_id, portal_id))
            row = cur.fetchone()
        if row is None or row[0] is None:
            return None
        return gzip.decompress(bytes(row[0])).decode("utf-8")

    def save_rescored(self, round_id: str, portal_id: str, profile: str, result_json: str,
                      grade: str | None, total: float | None, pillars: dict[str, float],
                      pages: int, evaluated_at: str) -> None:
        """A result re-scored from stored evidence under ``profile`` (replaces an earlier one)."""
        self.save_rescore(round_id, profile, [Rescored(portal_id, result_json, grade, total,
                                                       pillars, pages, evaluated_at)])

    def save_rescore(self, round_id: str, profile: str, results: Sequence[Rescored],
                     attestations: Mapping[str, AttestationFile] | None = None, *,
                     in_place: bool = False) -> None:
        """A whole re-score, in one transaction: the results under ``profile`` and the
        attestations that graded them (recorded in the round's settings and texts, replacing
        earlier ones of that profile; ``None`` leaves the record as it is).

        ``in_place``: ``profile`` is the round's own and the round is re-graded with new
        attestations; the round's results are updated, their evidence and timings kept. Without
        it the round's own profile is refused (its results are the batch's)."""
        with self._tx(immediate=True) as cur:
            cur.execute("SELECT profile, settings_json FROM rounds WHERE id = ?", (round_id,))
            row = cur.fetchone()
            if row is None:
                raise StoreError(f"no round {round_id!r} in {redact(self.url)}")
            own = row[0] == profile
            if own and not in_place:
                raise StoreError(f"round {round_id!r} was evaluated with profile {profile!r}: "
                                 "its results are the round's own; re-score with another "
                                 "profile, or give --attestations DIR to re-grade it in place")
            for r in results:
                if own:
                    cur.execute("UPDATE results SET evaluated_at = ?, grade = ?, total = ?, "
                                "pillars_json = ?, pages = ?, result_json = ? WHERE round_id = ? "
                                "AND portal_id = ? AND profile = ?",
                                (r.evaluated_at, r.grade, r.total, json.dumps(r.pillars), r.pages,
                                 r.result_json, round_id, r.portal_id, profile))
                    continue
                cur.execute("DELETE FROM results WHERE round_id = ? AND portal_id = ? AND "
                            "profile = ?", (round_id, r.portal_id, profile))
                cur.execute("INSERT INTO results (round_id, portal_id, profile, evaluated_at, "
                            "grade, total, pillars_json, pages, wall_s, result_json, evidence_gz) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL)",
                            (round_id, r.portal_id, profile, r.evaluated_at, r.grade, r.total,
                             json.dumps(r.pillars), r.pages, r.result_json))
            if attestations is not None:
                settings = json.loads(row[1])
                by_profile = settings.setdefault(ATTESTATIONS_KEY, {})
                by_profile[profile] = {pid: f.summary() for pid, f in sorted(attestations.items())}
                if not by_profile[profile]:
                    del by_profile[profile]
                cur.execute("UPDATE rounds SET settings_json = ? WHERE id = ?",
                            (json.dumps(settings, sort_keys=True), round_id))
                cur.execute("DELETE FROM round_attestations WHERE round_id = ? AND profile = ?",
                            (round_id, profile))
                self._insert_attestations(cur, round_id, profile, attestations)

    def attempts(self, round_id: str) -> list[tuple[str, int, str, str | None]]:
        """(portal, attempt, worker, outcome) of every attempt started in the round."""
        with self._tx() as cur:
            cur.execute("SELECT portal_id, attempt, worker, outcome FROM attempts WHERE "
                        "round_id = ? ORDER BY portal_id, attempt", (round_id,))
            return [(r[0], int(r[1]), r[2], r[3]) for r in cur.fetchall()]


class _Cursor:
    """A cursor that takes ``?`` placeholders on either database."""

    def __init__(self, cur: Any, store: RoundStore) -> None:
        self._cur = cur
        self._store = store

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cur.execute(self._store._sql(sql), tuple(params))

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall())

    @property
    def rowcount(self) -> int:
        return int(self._cur.rowcount)


def _stored(r: Sequence[Any]) -> StoredResult:
    return StoredResult(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), int(r[7]), r[8], r[9])


def redact(url: str) -> str:
    """A store URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url
    return url
