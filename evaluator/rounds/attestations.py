"""A round's auditor attestations: one file per portal in a folder, ``<portal id>.yaml``.

``batch --attestations DIR`` and ``rescore --attestations DIR`` read every ``*.yaml`` / ``*.yml``
file of the folder, check each one completely (its name must be a portal of the round; its
content the format ``evaluate --attestations`` reads, against the round's profile) before the
round or its results are touched, and record each file's path, SHA-256 and text in the store.
Every attempt at the portal (a child process, a Celery worker on another machine, a resumed
batch) and every later re-score then grades with exactly that text: the file may move or change
afterwards and the round still re-scores the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from evaluator.criteria.attestations import Attestation, parse_attestations
from evaluator.criteria.loader import CriteriaError, LoadedProfile

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class AttestationFile:
    """One portal's attestations file as the round recorded it."""

    portal_id: str
    file: str
    sha256: str
    text: str

    def parse(self, profile: LoadedProfile) -> dict[str, Attestation]:
        """The attestations by criterion id; CriteriaError (file:line) if they do not fit the
        profile (a re-score with another profile) or the text is not the recorded one."""
        raw = self.text.encode("utf-8")
        if hashlib.sha256(raw).hexdigest() != self.sha256:
            raise CriteriaError(Path(self.file), None, "the recorded copy does not match its "
                                                       f"SHA-256 {self.sha256}")
        return parse_attestations(raw, Path(self.file), profile, self.portal_id)

    def summary(self) -> dict[str, str]:
        """What the round's settings record: which file, and its digest."""
        return {"file": self.file, "sha256": self.sha256}


def read_attestations_dir(directory: Path, portal_ids: Collection[str],
                          profile: LoadedProfile, round_name: str) -> dict[str, AttestationFile]:
    """Every attestations file of ``directory``, by portal id, each checked against ``profile``.

    ``round_name`` says where the portals come from, for the message of a file named after a
    portal the round does not have. Raises CriteriaError (one line, file and line) on the first
    problem; reads nothing else and writes nothing."""
    if not directory.is_dir():
        raise CriteriaError(directory, None, "no such folder of attestation files "
                                             "(one <portal id>.yaml per portal)")
    files = sorted(p for p in directory.iterdir()
                   if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith("."))
    if not files:
        raise CriteriaError(directory, None, "no attestation file in it (one <portal id>.yaml "
                                             "per portal)")
    found: dict[str, AttestationFile] = {}
    for file in files:
        portal_id = file.stem
        if portal_id not in portal_ids:
            known = ", ".join(sorted(portal_ids)[:10]) + (" …" if len(portal_ids) > 10 else "")
            raise CriteriaError(file, 1, f"no portal '{portal_id}' in {round_name} (the file's "
                                         f"name must be a portal id: {known})")
        if portal_id in found:
            raise CriteriaError(file, 1, f"portal '{portal_id}' has two attestation files: "
                                         f"{Path(found[portal_id].file).name} and {file.name}")
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise CriteriaError(file, None, f"cannot read: {exc.strerror or exc}") from None
        # Checked whole now: a mistake stops the command before the round is touched.
        parse_attestations(raw, file, profile, portal_id)
        found[portal_id] = AttestationFile(portal_id, str(file.resolve()),
                                           hashlib.sha256(raw).hexdigest(),
                                           raw.decode("utf-8"))
    return found


def parse_all(files: Mapping[str, AttestationFile],
              profile: LoadedProfile) -> dict[str, dict[str, Attestation]]:
    return {portal_id: f.parse(profile) for portal_id, f in files.items()}
