"""The one evaluation function every entry point calls: CLI, demo, and later batch workers.

gather (browser) → evidence bundle on disk → score (pure) → result.json → report.html
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from evaluator import __version__
from evaluator.credentials import load_login_credentials
from evaluator.criteria.attestations import Attestation
from evaluator.criteria.loader import LoadedProfile, load_profile
from evaluator.evidence import EvidenceBundle, Versions, load_bundle, save_bundle
from evaluator.gather.run import gather_portal
from evaluator.report.portal import write_portal_report
from evaluator.results import PortalResult, save_result
from evaluator.scoring import score_bundle
from evaluator.settings import Settings
from evaluator.targets import Target

log = logging.getLogger(__name__)

EVIDENCE = "evidence"
RESULT = "result.json"
REPORT = "report.html"
JUNIT = "junit.xml"
SARIF = "results.sarif"


@dataclass(frozen=True)
class PortalRun:
    target: Target
    folder: Path
    result: PortalResult


def score_evidence(evidence: Path | EvidenceBundle, profile: LoadedProfile,
                   attestations: Mapping[str, Attestation] | None = None) -> PortalResult:
    bundle = load_bundle(evidence) if isinstance(evidence, Path) else evidence
    return score_bundle(bundle, profile, attestations)


def write_outputs(result: PortalResult, folder: Path, lang: str = "vi") -> None:
    """result.json, report.html, and for CI systems junit.xml (one test per criterion) and
    results.sarif (findings with locations)."""
    from evaluator.outputs.junit import write_junit
    from evaluator.outputs.pdf import PDF_NAME, discard_stale
    from evaluator.outputs.sarif import write_sarif

    # A report.pdf printed from the earlier report would contradict the new one.
    discard_stale(folder / PDF_NAME)
    save_result(result, folder / RESULT)
    write_portal_report(result, folder / REPORT, lang)
    write_junit(result, folder / JUNIT)
    # Relative URIs: GitHub code scanning rejects a SARIF file whose locations are https:// URLs
    # (github/codeql-action#754); the full page URL stays in each result's properties.pageUrl.
    write_sarif(result, folder / SARIF, relative_uris=True)


def evaluate_portal(
    target: Target, out_dir: Path, settings: Settings, profile: LoadedProfile | None = None,
    lang: str = "vi", progress: Callable[[str], None] | None = None,
    attestations: Mapping[str, Attestation] | None = None,
    serial_lane: Callable[[], Awaitable[None]] | None = None,
) -> PortalRun:
    """Evaluate one portal into ``out_dir/<target.id>/``. Never raises for a portal's faults.

    ``serial_lane`` is awaited once, before the first timing, Lighthouse or persona measurement:
    a round that runs several portals on one machine passes a machine-wide lock there
    (rounds/child.py)."""
    profile = profile or load_profile(settings.profile)
    # Checked before anything is gathered (a misconfigured credential is exit 2, nothing
    # written) and held only in memory; no journey types it (evaluator/credentials.py).
    credentials = load_login_credentials(settings)
    if credentials is not None:
        log.info("%s: login credentials from %s are configured; the login hand-off is "
                 "followed without typing them", target.id, credentials.source)
    folder = out_dir / target.id
    evidence_dir = folder / EVIDENCE
    last_step: list[str] = []

    def step(message: str) -> None:
        # The last step begun, for the reason when the budget runs out (where it hung).
        last_step[:] = [message]
        if progress is not None:
            progress(message)

    try:
        # portal_budget_s is the hard end: a portal that holds every step up still becomes a
        # result ("not evaluated: did not finish within …") and the round goes on.
        bundle = asyncio.run(asyncio.wait_for(
            gather_portal(target, evidence_dir, settings, profile.vocabulary, step,
                          serial_lane),
            settings.portal_budget_s))
    except TimeoutError:
        reason = (f"did not finish within its time budget (portal_budget_s="
                  f"{settings.portal_budget_s:g} s)"
                  + (f"; last step: {last_step[0][:200]}" if last_step else ""))
        log.error("gathering %s: %s", target.id, reason)
        bundle = _not_evaluated(target, reason)
        save_bundle(bundle, evidence_dir)
    except Exception as exc:
        # The browser could not start or died before the first page: still a result that
        # says why, so a round carries on and the report shows the reason.
        if type(exc).__name__ == "BrowserNotFound":
            raise
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
        # One line for the operator; the traceback only with --debug (the result says why).
        log.error("gathering %s failed: %s", target.id, reason)
        log.debug("gathering %s failed", target.id, exc_info=True)
        bundle = _not_evaluated(target, f"gathering failed: {reason}")
        save_bundle(bundle, evidence_dir)
    result = score_bundle(bundle, profile, attestations)
    write_outputs(result, folder, lang)
    return PortalRun(target, folder, result)


def _not_evaluated(target: Target, reason: str) -> EvidenceBundle:
    return EvidenceBundle(
        portal_id=target.id, portal_name=target.name, start_url=target.start_url,
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        versions=Versions(portal_eval=__version__), not_evaluated=reason,
    )


def write_index_for(runs: list[PortalRun], out_dir: Path, lang: str = "vi",
                    title: str = "portal-eval", pdf: bool = False,
                    chromium: str | None = None) -> Path:
    """index.html (and index.csv, criteria.csv) of ``runs``; with ``pdf``, also every run's
    report.pdf and index.pdf, printed by Chromium."""
    from evaluator.outputs.pdf import INDEX_PDF_NAME, discard_stale
    from evaluator.report.index import write_index
    from evaluator.report.ranking import IndexEntry

    entries = [IndexEntry(run.result, f"{run.folder.name}/{REPORT}", run.target.agency)
               for run in runs]
    discard_stale(out_dir / INDEX_PDF_NAME)
    index = write_index(entries, out_dir / "index.html", title, lang)
    if pdf:
        from evaluator.outputs.pdf import print_reports

        print_reports([(run.result, run.folder / REPORT) for run in runs], lang, chromium,
                      index=(index, title))
    return index
