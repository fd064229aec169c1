"""A round's folder, from the store: ``<out>/<round>/index.html`` (leaderboard with each
portal's trend and history over the stored rounds) and, for portals evaluated on another
machine (Celery workers), their ``result.json``, report and CI files from the stored result.
"""

from __future__ import annotations

from pathlib import Path

from evaluator.base.files import write_text_atomic
from evaluator.evidence import BUNDLE_FILE
from evaluator.outputs.pdf import INDEX_PDF_NAME, discard_stale
from evaluator.pipeline import EVIDENCE, REPORT, RESULT, write_outputs
from evaluator.report.index import write_index
from evaluator.report.ranking import IndexEntry, RoundPoint
from evaluator.results import PortalResult
from evaluator.rounds.store import RoundStore


def round_points(store: RoundStore, portal_id: str, up_to: str) -> tuple[RoundPoint, ...]:
    """The portal's results in the rounds created up to round ``up_to`` (included), oldest
    first: the index of an older round does not show what came after it."""
    points = []
    for info, stored in store.history(portal_id):
        points.append(RoundPoint(info.id, stored.grade, stored.total, stored.pillars))
        if info.id == up_to:
            break
    return tuple(points)


def write_round_folder(store: RoundStore, round_id: str, round_dir: Path, lang: str = "vi",
                       profile: str | None = None, title: str | None = None,
                       pdf: bool = False, chromium: str | None = None,
                       rewrite: bool = False) -> Path:
    """index.html (+ index.csv, criteria.csv) of the round, and any portal files missing on this
    machine (every portal's, with ``rewrite``: the round was re-graded in place). With ``pdf``,
    every portal's report.pdf and the index.pdf too, printed by one Chromium."""
    info = store.round(round_id)
    agencies = {p.portal_id: p.target.agency for p in store.portals(round_id)}
    entries = []
    own_profile = profile is None or profile == info.profile
    for stored in store.results(round_id, profile):
        result = PortalResult.model_validate_json(stored.result_json)
        folder = round_dir / stored.portal_id
        if not (folder / RESULT).is_file() or not own_profile or rewrite:
            write_outputs(result, folder, lang)
        bundle = folder / EVIDENCE / BUNDLE_FILE
        if own_profile and not bundle.is_file():
            evidence = store.evidence(round_id, stored.portal_id)
            if evidence is not None:
                write_text_atomic(bundle, evidence)
        history = round_points(store, stored.portal_id, round_id) if own_profile else ()
        entries.append(IndexEntry(result, f"{stored.portal_id}/{REPORT}",
                                  agencies.get(stored.portal_id, ""), history))
    heading = title or f"portal-eval · {round_id}" + ("" if own_profile else f" · {profile}")
    discard_stale(round_dir / INDEX_PDF_NAME)
    index = write_index(entries, round_dir / "index.html", heading, lang)
    if pdf:
        from evaluator.outputs.pdf import print_reports

        print_reports([(e.result, round_dir / e.report_href) for e in entries], lang, chromium,
                      index=(index, heading))
    return index

