"""The Celery engine: one task per portal on Redis; `portal-eval worker` runs them.

The task calls the very same job as the local pool (job.run_claimed → child process →
pipeline.evaluate_portal), with the settings stored with the round, and records the result in
the shared store (PostgreSQL). Settings for the known traps of Celery on Redis:

- ``task_acks_late`` + ``task_reject_on_worker_lost``: a task is acknowledged after it ran, so a
  worker that dies mid-portal does not lose it; Redis redelivers it.
- ``worker_prefetch_multiplier = 1``: a worker holds only the portal it runs, not a queue of
  them that would wait behind a slow portal (and die with the worker).
- ``visibility_timeout`` above the longest portal run: Redis redelivers an unacknowledged task
  after it, so a shorter one hands a portal still being evaluated to a second worker.
- ``task_time_limit``: every attempt at the hard timeout, plus a margin; the job's own timeout
  kills the browser first, this is the last resort.
- ``worker_max_tasks_per_child``: a pool process is replaced after N portals (browser leaks).
- one evaluation per host at a time (a Redis lock, extended at each heartbeat): a host never
  sees two crawls or two Lighthouse runs from us at once.

A redelivered or duplicate task is harmless: the store's claim lets only one worker own a
portal, and a finished portal is never claimed again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from typing import Any

from celery import Celery

from evaluator.settings import Settings, SettingsError

log = logging.getLogger(__name__)

QUEUE = "portal-eval"
TASK_NAME = "portal_eval.evaluate_portal"
# The worker's own store and output folder, set by `portal-eval worker` in its environment so
# the pool's processes inherit them (the store URL, with its password, never travels in a task).
STORE_ENV = "PORTAL_EVAL_STORE"
WORKER_OUT_ENV = "PORTAL_EVAL_WORKER_OUT"
HOST_LOCK_PREFIX = "portal-eval:host:"
# Margin over every attempt's hard timeout: starting the child, recording the result.
TIME_LIMIT_MARGIN_S = 120.0
# A task whose host is busy with another portal of ours asks again after this long.
HOST_BUSY_RETRY_S = 20

app = Celery("portal_eval")


def longest_run_s(settings: Settings) -> float:
    return settings.portal_timeout_s * (settings.portal_retries + 1) + TIME_LIMIT_MARGIN_S


def configure(settings: Settings) -> Celery:
    """Point the app at the broker and apply the settings above; SettingsError when the
    visibility timeout would let Redis redeliver a portal that is still running."""
    longest = longest_run_s(settings)
    if settings.celery_visibility_timeout_s <= longest:
        raise SettingsError(
            f"setting 'celery_visibility_timeout_s' ({settings.celery_visibility_timeout_s:g} s) "
            f"must exceed the longest portal run ({longest:g} s = portal_timeout_s × "
            f"(portal_retries + 1) + {TIME_LIMIT_MARGIN_S:g}): Redis would hand a running portal "
            "to a second worker")
    transport = {"visibility_timeout": int(settings.celery_visibility_timeout_s)}
    app.conf.update(
        broker_url=settings.celery_broker,
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=int(longest),
        worker_max_tasks_per_child=settings.celery_max_tasks_per_child,
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        result_backend=None,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        # A broker that is down is an error the operator sees, not a batch that waits forever.
        task_publish_retry_policy={"max_retries": 3, "interval_start": 0.5,
                                   "interval_step": 1.0, "interval_max": 3.0},
        broker_connection_timeout=10,
    )
    return app


def send_portal(round_id: str, portal_id: str, lang: str, settings: Settings) -> None:
    # The hard limit travels with the task: it follows the round's settings, whatever the
    # worker's own.
    app.send_task(TASK_NAME, args=[round_id, portal_id, lang], queue=QUEUE,
                  time_limit=int(longest_run_s(settings)))


@app.task(name=TASK_NAME, bind=True)  # type: ignore[untyped-decorator]
def evaluate_portal_task(self: Any, round_id: str, portal_id: str, lang: str = "vi") -> str:
    """Claim and evaluate one portal of a round (if nobody else has or is doing it)."""
    from pathlib import Path

    import redis

    from evaluator.rounds.child import settings_from_snapshot
    from evaluator.rounds.job import host_key, job_context, run_claimed
    from evaluator.rounds.store import FINISHED, RoundStore, worker_name

    store_url = os.environ.get(STORE_ENV, "")
    out = Path(os.environ.get(WORKER_OUT_ENV) or "out")
    with RoundStore(store_url) as store:
        info = store.round(round_id)
        # The round's settings, not the worker's: every portal of a round is judged alike.
        settings = settings_from_snapshot(info.settings)
        portal = next((p for p in store.portals(round_id) if p.portal_id == portal_id), None)
        if portal is None:
            return "unknown portal"
        if portal.state in FINISHED:
            return "already finished"
        client = redis.Redis.from_url(str(app.conf.broker_url))
        ttl = 6 * settings.portal_heartbeat_s
        lock = client.lock(HOST_LOCK_PREFIX + host_key(portal.target), timeout=ttl)
        if not lock.acquire(blocking=False):
            raise self.retry(countdown=HOST_BUSY_RETRY_S, max_retries=None)
        try:
            claim = store.claim(round_id, portal_id, worker_name(), settings.portal_heartbeat_s)
            if claim is None:
                return "owned by another worker, or finished"
            ctx = dataclasses.replace(
                job_context(settings, out / round_id, worker_name(), lang,
                            attestations=store.attestations(round_id, info.profile)),
                on_beat=lambda: lock.extend(ttl, True))
            return run_claimed(store, claim, ctx)
        finally:
            with contextlib.suppress(Exception):
                lock.release()


def worker_argv(concurrency: int, name: str, loglevel: str = "INFO") -> list[str]:
    return ["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}", "--pool=prefork",
            "-Q", QUEUE, "-n", name, "--without-gossip", "--without-mingle"]


def run_celery(store_url: str, round_id: str, settings: Settings, display: Any,
               lang: str = "vi") -> Any:
    """Send one task per unfinished portal, then watch the store until every portal is done.
    A portal whose worker stopped beating (killed, machine gone) is queued and sent again at
    once rather than after Redis's visibility timeout; the claim keeps duplicates harmless."""
    import time

    from evaluator.rounds.store import DONE, NOT_EVALUATED, QUEUED, RUNNING, RoundStore

    configure(settings)
    with RoundStore(store_url) as store:
        for portal in store.portals(round_id):
            if portal.state in (QUEUED, RUNNING):
                send_portal(round_id, portal.portal_id, lang, settings)
        reported: set[str] = set()
        while True:
            for portal in store.portals(round_id):
                if portal.state in (DONE, NOT_EVALUATED) and portal.portal_id not in reported:
                    reported.add(portal.portal_id)
                    display.note(f"{portal.portal_id}: " + (
                        "graded" if portal.state == DONE else f"not evaluated: {portal.reason}"))
            for portal_id in store.requeue_stale(round_id, settings.portal_heartbeat_s):
                display.note(f"{portal_id}: its worker stopped answering; sent again")
                send_portal(round_id, portal_id, lang, settings)
            counts = store.counts(round_id)
            display.update(counts)
            if counts.queued == 0 and counts.running == 0:
                store.mark_round_finished(round_id)
                return counts
            time.sleep(1.0)
