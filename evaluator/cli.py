"""Command line: evaluate, gather, score, render, gate, diff, attestations template, criteria check.

Exit codes (stable): 0 done; 1 internal error (a bug: please report it); 2 bad input or
configuration (criteria, settings, evidence, URL, missing browser); 3 done, but at least one
portal could not be evaluated (its report says why).

``gate RESULT`` (CI): 0 the gate passed; 4 the gate failed (a threshold was not met); 3 the
portal was not evaluated; 2 bad input (missing or invalid result files, bad ``--min-pillar``
syntax, an unknown pillar or grade letter, a baseline scored on another profile).
``diff OLD NEW``: 0 done (also for two different portals: the output warns); 2 bad input.
``batch``: 0 every portal graded; 3 the round finished but some portal was not evaluated; 2 bad
input (targets file, store, settings, broker). ``history``, ``rescore``, ``rounds``: 0 or 2.
``worker`` runs until stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from evaluator import __version__

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_NOT_EVALUATED = 0, 1, 2, 3
EXIT_GATE_FAILED = 4


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="portal-eval",
        description="Grade Vietnamese public-service portals on the ministry's rubric (A-E).",
    )
    parser.add_argument("--version", action="version", version=f"portal-eval {__version__}")
    parser.add_argument("--debug", action="store_true", help="log details and show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    def crawl_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("urls", nargs="+", metavar="URL", help="start URL of a portal")
        p.add_argument("--out", type=Path, required=True, help="output folder")
        p.add_argument("--profile", help="criteria profile name or folder: vn-2023 (default) or vn-2024")
        p.add_argument("--max-pages", type=int, help="crawl at most N pages per portal")
        p.add_argument("--max-depth", type=int, help="crawl at most N clicks deep")
        p.add_argument("--concurrency", type=int, help="browser contexts crawling at once")
        p.add_argument("--settings", type=Path, help="YAML settings file")
        p.add_argument("--chromium", help="Chromium binary (else $PORTAL_EVAL_CHROMIUM, Debian's)")
        p.add_argument("--id", dest="ids", action="append",
                       help="folder name for the portal (repeat in URL order)")
        p.add_argument("--quiet", action="store_true", help="no progress lines")

    ev = sub.add_parser("evaluate", help="gather, score and report one or more portals")
    crawl_options(ev)
    ev.add_argument("--lang", choices=("vi", "en"), default="vi", help="report language")
    ev.add_argument("--attestations", type=Path, metavar="FILE",
                    help="auditor attestations (YAML) of the manual criteria; one portal only")
    ev.add_argument("--pdf", action="store_true",
                    help="also print report.pdf beside each report.html, and index.pdf (A4)")

    ga = sub.add_parser("gather", help="only gather evidence (browser stage)")
    crawl_options(ga)

    sc = sub.add_parser("score", help="re-score a saved evidence bundle, no browser")
    sc.add_argument("evidence", type=Path, help="an evidence folder (…/<portal>/evidence)")
    sc.add_argument("--profile", default="vn-2023")
    sc.add_argument("--out", type=Path, help="result.json to write (default: beside evidence)")
    sc.add_argument("--lang", choices=("vi", "en"), default="vi")
    sc.add_argument("--attestations", type=Path, metavar="FILE",
                    help="auditor attestations (YAML) of the manual criteria")

    re_ = sub.add_parser("render", help="render result.json to HTML")
    re_.add_argument("result", type=Path)
    re_.add_argument("--out", type=Path, help="report.html to write (default: beside result)")
    re_.add_argument("--lang", choices=("vi", "en"), default="vi")
    re_.add_argument("--pdf", action="store_true",
                     help="also print report.pdf beside report.html (A4, Chromium)")
    re_.add_argument("--chromium", help="Chromium binary for --pdf (else $PORTAL_EVAL_CHROMIUM, "
                                        "Debian's)")

    gt = sub.add_parser("gate", help="CI gate: check a result against thresholds (exit 0/4/3/2)")
    gt.add_argument("result", type=Path, help="result.json or its folder")
    gt.add_argument("--min-grade", metavar="GRADE", help="lowest acceptable grade, e.g. C")
    gt.add_argument("--min-pillar", dest="min_pillars", metavar="NAME=POINTS", action="append",
                    default=[], help="lowest acceptable points of a pillar (repeatable)")
    gt.add_argument("--baseline", type=Path, metavar="OLD_RESULT",
                    help="an earlier result.json (or folder) to compare the total with")
    gt.add_argument("--max-drop", type=float, metavar="POINTS",
                    help="largest acceptable drop of the total vs --baseline")

    df = sub.add_parser("diff", help="what changed between two results")
    df.add_argument("old", type=Path, help="the earlier result.json or its folder")
    df.add_argument("new", type=Path, help="the later result.json or its folder")
    df.add_argument("--html", type=Path, metavar="OUT.html", help="also write an HTML page")
    df.add_argument("--lang", choices=("vi", "en"), default="vi")

    def store_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", metavar="URL",
                       help="sqlite:///FILE or postgresql://… (default: $PORTAL_EVAL_STORE, "
                            "else OUT/rounds.sqlite)")
        p.add_argument("--out", type=Path, default=Path("out"), help="output folder (default out)")
        p.add_argument("--settings", type=Path, help="YAML settings file")

    ba = sub.add_parser("batch", help="evaluate a round of portals from a targets file")
    ba.add_argument("targets", type=Path, nargs="?", metavar="TARGETS",
                    help="targets file (.yaml or .csv); not needed with --resume")
    store_options(ba)
    ba.add_argument("--engine", choices=("local", "celery"), default="local",
                    help="local: a pool on this machine; celery: one task per portal on Redis")
    which = ba.add_mutually_exclusive_group()
    which.add_argument("--round", dest="round_id", metavar="ID", help="id of the new round")
    which.add_argument("--resume", metavar="ROUND", help="finish a round that was interrupted")
    ba.add_argument("--profile", help="criteria profile name or folder: vn-2023 (default) or vn-2024")
    ba.add_argument("--max-pages", type=int, help="crawl at most N pages per portal")
    ba.add_argument("--workers", type=int, help="portals evaluated at once (local pool)")
    ba.add_argument("--portal-timeout", type=float, metavar="SECONDS",
                    help="hard time limit of one attempt at one portal")
    ba.add_argument("--lang", choices=("vi", "en"), default="vi", help="report language")
    ba.add_argument("--quiet", action="store_true", help="no progress display")
    ba.add_argument("--pdf", action="store_true",
                    help="also print each portal's report.pdf and the round's index.pdf")
    ba.add_argument("--attestations", type=Path, metavar="DIR",
                    help="auditor attestations: one <portal id>.yaml per portal in DIR, checked "
                         "before the round starts and recorded with it")

    hi = sub.add_parser("history", help="a portal's grade and pillars over the stored rounds")
    hi.add_argument("portal", metavar="PORTAL", help="portal id")
    store_options(hi)

    rs = sub.add_parser("rescore", help="re-grade a stored round from its evidence, no browser")
    rs.add_argument("round_id", metavar="ROUND")
    rs.add_argument("--profile", required=True, help="criteria profile name or folder")
    store_options(rs)
    rs.add_argument("--lang", choices=("vi", "en"), default="vi")
    rs.add_argument("--pdf", action="store_true",
                    help="also print each portal's report.pdf and the index.pdf")
    rs.add_argument("--attestations", type=Path, metavar="DIR",
                    help="auditor attestations, one <portal id>.yaml per portal (default: those "
                         "the round recorded for the profile); with the round's own profile the "
                         "round is re-graded in place")

    ro = sub.add_parser("rounds", help="list the stored rounds")
    store_options(ro)

    wk = sub.add_parser("worker", help="start a Celery worker for `batch --engine celery`")
    store_options(wk)
    wk.add_argument("--concurrency", type=int, default=1,
                    help="portals this machine evaluates at once (default 1)")
    wk.add_argument("--broker", help="Redis URL (default: setting celery_broker)")
    wk.add_argument("--name", help="worker name (default portal-eval-PID@HOST)")

    at = sub.add_parser("attestations", help="work with auditor attestations")
    atsub = at.add_subparsers(dest="attestations_command", required=True)
    tp = atsub.add_parser("template", help="a ready-to-fill attestations file for a result's "
                                           "criteria that need review")
    tp.add_argument("result", type=Path, help="result.json or its folder")
    tp.add_argument("--lang", choices=("vi", "en"), default="vi",
                    help="language of the comments (default Vietnamese)")
    tp.add_argument("--out", type=Path, metavar="FILE",
                    help="write FILE (refused if it exists) instead of standard output")

    cr = sub.add_parser("criteria", help="work with criteria profiles")
    crsub = cr.add_subparsers(dest="criteria_command", required=True)
    chk = crsub.add_parser("check", help="validate criteria profiles")
    # Both shipped profiles by default: vn-2024 extends vn-2023, so a change to one may break
    # the other.
    chk.add_argument("profiles", nargs="*", default=["vn-2023", "vn-2024"])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from evaluator.browser import BrowserNotFound
    from evaluator.criteria.loader import CriteriaError
    from evaluator.evidence import EvidenceError
    from evaluator.gate import GateInputError
    from evaluator.report.environment import ReportError
    from evaluator.results import ResultError
    from evaluator.rounds.store import StoreError
    from evaluator.rounds.targets_file import TargetsFileError
    from evaluator.settings import SettingsError
    from evaluator.targets import UrlError

    try:
        if args.command in ("evaluate", "gather"):
            return _evaluate(args, gather_only=args.command == "gather")
        if args.command == "score":
            return _score(args)
        if args.command == "render":
            return _render(args)
        if args.command == "gate":
            return _gate(args)
        if args.command == "diff":
            return _diff(args)
        if args.command == "attestations":
            return _attestations_template(args)
        if args.command in ("batch", "history", "rescore", "rounds", "worker"):
            from evaluator.rounds import commands

            return int(getattr(commands, args.command)(args))
        return _criteria_check(args)
    except (BrowserNotFound, CriteriaError, EvidenceError, ResultError, SettingsError,
            UrlError, ReportError, GateInputError, TargetsFileError, StoreError) as exc:
        print(f"portal-eval: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("portal-eval: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(f"portal-eval: internal error: {type(exc).__name__}: {first} "
              "(run with --debug for details)", file=sys.stderr)
        return EXIT_INTERNAL


def _targets(args: argparse.Namespace) -> list:  # type: ignore[type-arg]
    from evaluator.targets import Target, check_url, target_id_for

    ids = args.ids or []
    if ids and len(ids) != len(args.urls):
        from evaluator.targets import UrlError

        raise UrlError(f"{len(ids)} --id given for {len(args.urls)} URLs")
    out = []
    for i, url in enumerate(args.urls):
        check_url(url)
        out.append(Target(id=ids[i] if ids else target_id_for(url), start_url=url))
    return out


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from evaluator.settings import load_settings

    return load_settings(
        args.settings, profile=args.profile, max_pages=args.max_pages, max_depth=args.max_depth,
        concurrency=args.concurrency, chromium=args.chromium,
    )


def _evaluate(args: argparse.Namespace, gather_only: bool) -> int:
    from evaluator.criteria.loader import load_profile
    from evaluator.gather.run import gather_portal
    from evaluator.outputs.pdf import pdfs_in, say_stale
    from evaluator.pipeline import EVIDENCE, evaluate_portal, write_index_for

    settings = _settings(args)
    profile = load_profile(settings.profile)
    targets = _targets(args)
    attestations = None
    if getattr(args, "attestations", None) is not None:
        from evaluator.criteria.attestations import load_attestations
        from evaluator.targets import UrlError

        if len(targets) != 1:
            raise UrlError("--attestations belongs to one portal: give one URL")
        attestations = load_attestations(args.attestations, profile, targets[0].id)
    progress = None if args.quiet else (lambda msg: print(f"  … {msg}", file=sys.stderr))
    failed = 0
    if gather_only:
        for target in targets:
            bundle = asyncio.run(gather_portal(target, args.out / target.id / EVIDENCE, settings,
                                               profile.vocabulary, progress))
            state = f"not evaluated: {bundle.not_evaluated}" if bundle.not_evaluated else \
                f"{len(bundle.pages)} pages"
            failed += bundle.not_evaluated is not None
            print(f"{target.id}: {state} → {args.out / target.id / EVIDENCE}")
        return EXIT_NOT_EVALUATED if failed else EXIT_OK
    printed = pdfs_in(args.out)
    runs = []
    for target in targets:
        run = evaluate_portal(target, args.out, settings, profile, args.lang, progress,
                              attestations=attestations)
        runs.append(run)
        print(summary_line(run.result) + f"  → {run.folder / 'report.html'}")
        failed += run.result.not_evaluated is not None
    write_index_for(runs, args.out, args.lang, pdf=args.pdf, chromium=settings.chromium or None)
    if args.pdf:
        print(f"PDF → {args.out / 'index.pdf'} and each portal's report.pdf")
    say_stale(printed)
    return EXIT_NOT_EVALUATED if failed else EXIT_OK


def summary_line(result) -> str:  # type: ignore[no-untyped-def]
    if result.not_evaluated:
        return f"{result.portal_id}: not evaluated: {result.not_evaluated}"
    pillars = ", ".join(f"{p.id} {p.points:g}/{p.points_possible:g}"
                        for p in result.pillars.values())
    return f"{result.portal_id}: grade {result.grade}, {result.total:g}/100 ({pillars})"


def _score(args: argparse.Namespace) -> int:
    """Re-score saved evidence: with --out only that result.json, else every output beside it."""
    from evaluator.criteria.loader import load_profile
    from evaluator.outputs.pdf import pdfs_in, say_stale
    from evaluator.pipeline import score_evidence, write_outputs
    from evaluator.results import save_result

    profile = load_profile(args.profile)
    attestations = None
    if args.attestations is not None:
        from evaluator.criteria.attestations import load_attestations

        attestations = load_attestations(args.attestations, profile)
    result = score_evidence(args.evidence, profile, attestations)
    folder = args.evidence.parent if args.evidence.is_dir() else args.evidence.parent.parent
    printed = pdfs_in(folder)
    if args.out is not None:
        out = save_result(result, args.out)
    else:
        write_outputs(result, folder, args.lang)
        out = folder / "result.json"
    print(summary_line(result) + f"  → {out}")
    say_stale(printed)
    return EXIT_NOT_EVALUATED if result.not_evaluated else EXIT_OK


def _render(args: argparse.Namespace) -> int:
    from evaluator.outputs.pdf import PDF_NAME, discard_stale, pdfs_in, say_stale
    from evaluator.report.portal import write_portal_report
    from evaluator.results import load_result

    result = load_result(args.result)
    base = args.result if args.result.is_dir() else args.result.parent
    out = args.out or base / "report.html"
    printed = pdfs_in(out.parent)
    discard_stale(out.with_name(PDF_NAME))
    write_portal_report(result, out, args.lang)
    print(f"{result.portal_id}: report → {out}")
    if args.pdf:
        from evaluator.outputs.pdf import print_reports
        from evaluator.settings import load_settings

        (pdf,) = print_reports([(result, out)], args.lang,
                               load_settings(chromium=args.chromium).chromium or None)
        print(f"{result.portal_id}: PDF → {pdf}")
    say_stale(printed)
    return EXIT_OK


def _gate(args: argparse.Namespace) -> int:
    from evaluator.gate import GateInputError, evaluate_gate, parse_min_pillars
    from evaluator.results import load_result

    min_pillars = parse_min_pillars(args.min_pillars)
    if args.max_drop is not None and args.baseline is None:
        raise GateInputError("--max-drop needs --baseline OLD_RESULT")
    result = load_result(args.result)
    baseline = load_result(args.baseline) if args.baseline is not None else None
    outcome = evaluate_gate(result, min_grade=args.min_grade, min_pillars=min_pillars,
                            baseline=baseline, max_drop=args.max_drop)
    print("\n".join(outcome.summary))
    if outcome.not_evaluated:
        return EXIT_NOT_EVALUATED
    return EXIT_OK if outcome.passed else EXIT_GATE_FAILED


def _diff(args: argparse.Namespace) -> int:
    from evaluator.diff import diff_results, render_diff_text, write_diff_html
    from evaluator.results import load_result

    diff = diff_results(load_result(args.old), load_result(args.new))
    sys.stdout.write(render_diff_text(diff, args.lang))
    if args.html is not None:
        write_diff_html(diff, args.html, args.lang)
        print(f"HTML → {args.html}")
    return EXIT_OK


def _attestations_template(args: argparse.Namespace) -> int:
    from evaluator.outputs.attestations import render_attestations_template, write_new_file
    from evaluator.results import load_result

    result = load_result(args.result)
    file = args.result / "result.json" if args.result.is_dir() else args.result
    text = render_attestations_template(result, args.lang, source=str(file))
    if args.out is None:
        sys.stdout.write(text)
        return EXIT_OK
    write_new_file(args.out, text)
    print(f"{result.portal_id}: attestations template → {args.out}", file=sys.stderr)
    return EXIT_OK


def _criteria_check(args: argparse.Namespace) -> int:
    from evaluator.criteria.loader import load_profile

    for name in args.profiles:
        loaded = load_profile(name)
        pillars = ", ".join(f"{p.id} {p.points:g}" for p in loaded.profile.pillars)
        print(f"{loaded.profile.id}: {len(loaded.criteria)} criteria OK ({pillars}; "
              f"bands {' '.join(f'{b.grade}≥{b.min:g}' for b in loaded.profile.bands)})")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
