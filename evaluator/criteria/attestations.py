"""Auditor attestations: the scores of the manual criteria, which no browser can judge.

A manual criterion needs a test account, a real payment or knowledge of the agency (pre-filled
forms, digital signature, notifications, a payment end to end). An auditor checks it by hand and
writes an attestations file, validated like the criteria (one line, file:line, on any mistake):

    attestations:
      - criterion: prefilled-eforms
        score: 0.5            # 0, 0.5 or 1
        note: "Tờ khai khai sinh điền sẵn họ tên, chưa điền địa chỉ."
        evidence: "https://drive.example.gov.vn/kiem-dinh/2026/son-lam/eform.png"
        attested_by: "Nguyễn Thị Lan (Cục Chuyển đổi số)"
        attested_on: 2026-11-20

Without an attestation a manual criterion is ``needs_review``: never a silent 0, never full
marks. Only criteria marked ``manual: true`` take attestations; an automated criterion's verdict
is the evidence's, not an opinion.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field, field_validator

from evaluator.criteria.loader import CriteriaError, LoadedProfile, _line, _read_yaml, _validate
from evaluator.criteria.schema import ID_PATTERN, _Strict


class Attestation(_Strict):
    criterion: str = Field(pattern=ID_PATTERN)
    # 0 not met, 0.5 partly met, 1 met: the share of the criterion's points earned.
    score: float = Field(json_schema_extra={"enum": [0, 0.5, 1]})
    note: str = Field(min_length=1)
    # A link (or a file path in the audit archive) to what the auditor saw.
    evidence: str = Field(min_length=1)
    attested_by: str = Field(min_length=1)
    attested_on: date

    @field_validator("score")
    @classmethod
    def _three_levels(cls, value: float) -> float:
        if value not in (0, 0.5, 1):
            raise ValueError("score must be 0, 0.5 or 1")
        return float(value)


class AttestationsFile(_Strict):
    # The portal the attestations are about (its id); checked when given.
    portal: str | None = None
    attestations: list[Attestation] = Field(default_factory=list)


def load_attestations(file: Path, profile: LoadedProfile,
                      portal_id: str | None = None) -> dict[str, Attestation]:
    """The attestations of ``file`` by criterion id, checked against ``profile``."""
    return parse_attestations(None, file, profile, portal_id)


def parse_attestations(raw: bytes | None, file: Path, profile: LoadedProfile,
                       portal_id: str | None = None) -> dict[str, Attestation]:
    """As :func:`load_attestations`, from the file's bytes when given (a round keeps a copy of
    each attestations file in its store, so a re-score reads what graded the round)."""
    data, lines, _raw = _read_yaml(file, raw)
    parsed = _validate(AttestationsFile, data if data is not None else {}, file, lines)
    if portal_id is not None and parsed.portal is not None and parsed.portal != portal_id:
        raise CriteriaError(file, _line(lines, ("portal",)),
                            f"attestations are for portal '{parsed.portal}', not '{portal_id}'")
    criteria = {c.id: c for c in profile.criteria}
    out: dict[str, Attestation] = {}
    for i, item in enumerate(parsed.attestations):
        where = _line(lines, ("attestations", i, "criterion"))
        criterion = criteria.get(item.criterion)
        if criterion is None:
            manual = ", ".join(c.id for c in profile.criteria if c.manual)
            raise CriteriaError(file, where, f"unknown criterion '{item.criterion}' "
                                             f"(manual criteria: {manual})")
        if not criterion.manual:
            raise CriteriaError(file, where, f"criterion '{item.criterion}' is automated; only "
                                             "manual criteria take attestations")
        if item.criterion in out:
            raise CriteriaError(file, where, f"criterion '{item.criterion}' attested twice")
        out[item.criterion] = item
    return out
