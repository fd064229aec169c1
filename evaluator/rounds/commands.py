"""The round subcommands of `portal-eval`: batch, history, rescore, rounds, worker.

Exit codes as in evaluator/cli.py: 0 done; 2 bad input; 3 the round finished but at least one
portal could not be evaluated.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

from evaluator.outputs.pdf import INDEX_PDF_NAME, pdfs_in, say_stale
from evaluator.rounds.attestations import AttestationFile
from evaluator.rounds.store import RoundStore, StoreError, default_store_url, redact
from evaluator.settings import Settings, load_settings

EXIT_OK, EXIT_INPUT, EXIT_NOT_EVALUATED = 0, 2, 3
# Stopped by SIGTERM or Ctrl-C, in-flight portals queued again: the shell's 128 + SIGTERM.
EXIT_STOPPED = 143


@contextlib.contextmanager
def _sigterm_stops(stop: threading.Event) -> Iterator[None]:
    """SIGTERM (systemd stop, a CI runner's cancel, `kill`) sets ``stop``: the round ends
    gracefully instead of dying mid-write. The handler only sets a flag, so whatever the main
    thread was doing (a store transaction) completes normally."""
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def store_url(args: argparse.Namespace, settings: Settings | None = None) -> str:
    settings = settings or load_settings(getattr(args, "settings", None))
    return args.store or settings.store or default_store_url(args.out)


def new_round_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def batch(args: argparse.Namespace) -> int:
    from evaluator.rounds.child import settings_from_snapshot
    from evaluator.rounds.outputs import write_round_folder
    from evaluator.rounds.progress import ProgressDisplay
    from evaluator.rounds.targets_file import load_targets
    from evaluator.targets import ID_PATTERN

    settings = load_settings(args.settings, profile=args.profile, max_pages=args.max_pages,
                             round_workers=args.workers, portal_timeout_s=args.portal_timeout)
    url = store_url(args, settings)
    # The targets and attestations are checked before the store is opened: a bad targets or
    # attestations file writes nothing (no rounds.sqlite, no folder), it only prints its
    # one-line error.
    targets = None
    attestations = None
    if not args.resume and args.targets is not None:
        targets = load_targets(args.targets)
        if args.attestations is not None:
            from evaluator.criteria.loader import load_profile
            from evaluator.rounds.attestations import read_attestations_dir

            attestations = read_attestations_dir(
                args.attestations, {t.id for t in targets}, load_profile(settings.profile),
                f"the targets file {args.targets}")
    elif args.resume and args.attestations is not None:
        raise StoreError("--resume grades with the attestations the round recorded: give no "
                         "--attestations (re-grade a finished round with rescore "
                         "--attestations DIR)")
    with RoundStore(url) as store:
        if args.resume:
            if args.targets is not None:
                raise StoreError("--resume takes the round's stored targets: give no TARGETS")
            info = store.round(args.resume)
            round_id = info.id
            # The stored settings judge every portal of the round alike; only how many run at
            # once may change on resume.
            settings = settings_from_snapshot(info.settings).with_overrides(
                round_workers=args.workers)
        else:
            if args.targets is None or targets is None:
                raise StoreError("give a TARGETS file, or --resume ROUND")
            round_id = args.round_id or new_round_id()
            if ID_PATTERN.fullmatch(round_id) is None:
                # The round id names a folder under --out, like a portal id.
                raise StoreError(f"invalid round id {round_id!r}: use 1-80 letters, digits, "
                                 "'.', '_' or '-', starting with a letter or digit")
            store.create_round(round_id, targets, profile=settings.profile, engine=args.engine,
                               targets_file=str(args.targets), out_dir=str(args.out),
                               settings=settings.snapshot(), attestations=attestations)
        recorded = store.attestations(round_id, settings.profile)
    round_dir = args.out / round_id
    printed = pdfs_in(round_dir)  # a resumed round's index.pdf is out of date once it ends
    display = ProgressDisplay(round_id, quiet=args.quiet)
    print(f"round {round_id}: store {redact(url)}, engine {args.engine}, out {round_dir}",
          file=sys.stderr)
    for line in attestation_lines(recorded):
        print(f"round {round_id}: {line}", file=sys.stderr)
    try:
        if args.engine == "celery":
            from kombu.exceptions import OperationalError

            from evaluator.rounds.celery_app import run_celery

            try:
                counts = run_celery(url, round_id, settings, display, args.lang)
            except OperationalError as exc:
                display.close()
                print(f"portal-eval: error: broker {settings.celery_broker}: {exc} (start "
                      f"redis-server, or set celery_broker; then --resume {round_id})",
                      file=sys.stderr)
                return EXIT_INPUT
        else:
            from evaluator.rounds.local import RoundStopped, run_local

            try:
                stop = threading.Event()
                with _sigterm_stops(stop):
                    counts = run_local(url, round_id, settings, round_dir, display, args.lang,
                                       stop)
            except RoundStopped as stopped:
                display.close()
                print(f"portal-eval: {stopped}", file=sys.stderr)
                return EXIT_STOPPED
    finally:
        display.close()
    with RoundStore(url) as store:
        index = write_round_folder(store, round_id, round_dir, args.lang, pdf=args.pdf,
                                   chromium=settings.chromium or None)
        say_stale(printed)
        for portal in store.portals(round_id):
            if portal.state == "not_evaluated":
                print(f"{portal.portal_id}: not evaluated: {portal.reason}")
        for stored in store.results(round_id):
            if stored.grade is not None:
                pillars = ", ".join(f"{k} {v:g}" for k, v in stored.pillars.items())
                print(f"{stored.portal_id}: grade {stored.grade}, {stored.total:g}/100 ({pillars})")
    print(f"round {round_id}: {counts.done} graded, {counts.not_evaluated} not evaluated → {index}")
    if args.pdf:
        print(f"PDF → {index.with_name(INDEX_PDF_NAME)} and each portal's report.pdf")
    return EXIT_NOT_EVALUATED if counts.not_evaluated else EXIT_OK


def attestation_lines(files: Mapping[str, AttestationFile]) -> list[str]:
    """One line per portal graded with an attestations file: which, and its digest."""
    return [f"{pid}: attestations {f.file} (sha256 {f.sha256[:16]}…)"
            for pid, f in sorted(files.items())]


def _automated_total(result_json: str) -> float | None:
    total = json.loads(result_json).get("total_automated")
    return float(total) if isinstance(total, (int, float)) else None


def history(args: argparse.Namespace) -> int:
    with RoundStore(store_url(args)) as store:
        rows = store.history(args.portal)
        attested = {info.id: args.portal in store.attestations(info.id, info.profile)
                    for info, _r in rows}
    if not rows:
        raise StoreError(f"no stored result for portal {args.portal!r}")
    pillar_ids = list(dict.fromkeys(k for _info, r in rows for k in r.pillars))
    # automated: what the checks alone earned; total: with the auditors' attestations (the same
    # when the round had none for the portal: its manual criteria wait, needs review).
    header = ["round", "evaluated", "grade", "automated", "total", *pillar_ids, "pages",
              "attestations"]
    table = [header]
    for info, r in rows:
        evaluated = r.total is not None
        automated = _automated_total(r.result_json) if evaluated else None
        table.append([info.id, r.evaluated_at[:16].replace("T", " "), r.grade or "—",
                      f"{automated:g}" if automated is not None else "—",
                      f"{r.total:g}" if evaluated and r.total is not None else "—",
                      *[f"{r.pillars[p]:g}" if evaluated and p in r.pillars else "—"
                        for p in pillar_ids], str(r.pages),
                      "yes" if attested[info.id] else "no"])
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print(f"{args.portal}: {len(rows)} round(s)")
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    totals = [r.total for _i, r in rows if r.total is not None]
    if len(totals) > 1:
        print(f"trend: {' → '.join(f'{t:g}' for t in totals)} ({totals[-1] - totals[0]:+g})")
    return EXIT_OK


def rescore(args: argparse.Namespace) -> int:
    """Re-grade a stored round from its evidence: with another profile (results kept beside
    the round's own, in ``<round>/rescore-<profile>/``), or with the round's own profile and
    ``--attestations DIR`` (the round re-graded in place: its results and folder). Manual
    criteria are graded with ``--attestations DIR`` when given, else with the attestations the
    round recorded for that profile, so a re-score reproduces the last one. Everything is
    checked and scored before anything is written; the store is then updated in one
    transaction."""
    from evaluator.criteria.loader import load_profile
    from evaluator.evidence import EvidenceBundle
    from evaluator.results import dump_result
    from evaluator.rounds.attestations import parse_all, read_attestations_dir
    from evaluator.rounds.outputs import write_round_folder
    from evaluator.rounds.store import Rescored
    from evaluator.scoring import score_bundle

    profile = load_profile(args.profile)
    with RoundStore(store_url(args)) as store:
        info = store.round(args.round_id)
        portals = store.portals(info.id)
        in_place = args.profile == info.profile
        if in_place and args.attestations is None:
            raise StoreError(f"round {info.id!r} was evaluated with profile {args.profile!r}: "
                             "its results are the round's own; re-score with another profile, "
                             "or give --attestations DIR to re-grade it in place")
        given = None
        dropped: list[str] = []
        if args.attestations is not None:
            given = read_attestations_dir(args.attestations, {p.portal_id for p in portals},
                                          profile, f"round {info.id}")
            files = given
            # The folder is the round's whole set: a portal without a file in it loses the
            # attestations it had, which an auditor should hear of.
            dropped = sorted(set(store.attestations(info.id, args.profile)) - set(given))
        else:
            files = store.attestations(info.id, args.profile)
        attested = parse_all(files, profile)
        rescored = []
        lines = []
        for portal in portals:
            evidence = store.evidence(info.id, portal.portal_id)
            if evidence is None:
                print(f"{portal.portal_id}: no stored evidence (state {portal.state}); skipped",
                      file=sys.stderr)
                continue
            result = score_bundle(EvidenceBundle.model_validate_json(evidence), profile,
                                  attested.get(portal.portal_id))
            rescored.append(Rescored(portal.portal_id, dump_result(result), result.grade,
                                     result.total,
                                     {p.id: p.points for p in result.pillars.values()},
                                     result.pages_evaluated, result.evaluated_at))
            state = (f"not evaluated: {result.not_evaluated}" if result.not_evaluated else
                     f"grade {result.grade}, {result.total:g}/100 (automated "
                     f"{result.total_automated:g})")
            lines.append(f"{portal.portal_id}: {state}")
        store.save_rescore(info.id, args.profile, rescored, given, in_place=in_place)
        for line in [*lines, *attestation_lines(files)]:
            print(line)
        if dropped:
            print(f"note: no file for {', '.join(dropped)} in {args.attestations}: graded "
                  "without the attestations the round had for them", file=sys.stderr)
        if not files and not in_place and store.attestations(info.id, info.profile):
            print(f"note: round {info.id}'s attestations were recorded for {info.profile}; "
                  f"give --attestations DIR to grade {args.profile}'s manual criteria with them",
                  file=sys.stderr)
        folder = args.out / info.id if in_place else \
            args.out / info.id / f"rescore-{profile.profile.id}"
        printed = pdfs_in(folder)
        index = write_round_folder(store, info.id, folder, args.lang, profile=args.profile,
                                   pdf=args.pdf,
                                   chromium=load_settings(args.settings).chromium or None,
                                   rewrite=in_place)
        say_stale(printed)
    how = "re-graded in place with its attestations" if in_place else \
        f"re-scored with {profile.profile.id}"
    print(f"round {info.id}: {len(rescored)} portal(s) {how} → {index}")
    if args.pdf:
        print(f"PDF → {index.with_name(INDEX_PDF_NAME)} and each portal's report.pdf")
    return EXIT_OK


def rounds(args: argparse.Namespace) -> int:
    with RoundStore(store_url(args)) as store:
        infos = store.rounds()
        if not infos:
            print("no rounds stored")
        for info in infos:
            c = store.counts(info.id)
            started = datetime.fromtimestamp(info.created_at, UTC).strftime("%Y-%m-%d %H:%M")
            state = "finished" if info.finished_at else "unfinished"
            attested = len(store.attestations(info.id, info.profile))
            extra = f", {attested} with attestations" if attested else ""
            print(f"{info.id}  {started} UTC  {info.engine:6}  {c.done}/{c.total} graded, "
                  f"{c.not_evaluated} not evaluated, {c.pages} pages{extra}  ({state})")
    return EXIT_OK


def worker(args: argparse.Namespace) -> int:
    """A Celery worker in this process; its pool processes evaluate one portal each."""
    import socket

    from evaluator.rounds.celery_app import STORE_ENV, WORKER_OUT_ENV, app, configure, worker_argv

    settings = load_settings(args.settings, celery_broker=args.broker)
    url = store_url(args, settings)
    if not url.startswith(("postgresql://", "postgres://")):
        print("portal-eval worker: warning: the store is not PostgreSQL; only workers on this "
              "machine can share it", file=sys.stderr)
    with RoundStore(url):
        pass  # fail now, in one line, if the store cannot be opened
    os.environ[STORE_ENV] = url
    os.environ[WORKER_OUT_ENV] = str(args.out.resolve())
    configure(settings)
    name = args.name or f"portal-eval-{os.getpid()}@{socket.gethostname()}"
    app.worker_main(worker_argv(args.concurrency, name))
    return EXIT_OK
