"""The one outcome vocabulary (axe-core / Lighthouse style) of checks, results and reports."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    NEEDS_REVIEW = "needs_review"
    # Set only by the runner: a check raised, or the evidence it needs is missing.
    ERROR = "error"
