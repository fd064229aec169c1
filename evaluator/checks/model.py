"""What a check returns: an outcome in the one vocabulary, with its findings.

``Status`` itself lives in the base layer (evaluator/base/status.py) so that results and
reports share it without importing the checks; it is named here too, for the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evaluator.base.status import Status as Status
from evaluator.checks.messages import Msg, msg


@dataclass(frozen=True)
class Finding:
    """One concrete observation a reader can verify: where, what was seen, what was expected.

    ``message`` and ``expected`` are sentences, in both languages; the other fields are data
    (URLs, selectors, page text, the value as found) and are shown as they are.
    """

    message: Msg
    page_url: str | None = None
    selector: str | None = None
    snippet: str | None = None
    value: str | None = None
    expected: Msg | None = None
    impact: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a check returns. ``score`` in [0, 1] is the share of the criterion's points earned."""

    status: Status
    score: float | None = None
    value: float | str | None = None
    unit: str | None = None
    display_value: Msg | None = None
    expected: Msg | None = None
    findings: tuple[Finding, ...] = ()
    pages: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.score is not None and not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be within [0, 1], got {self.score}")


class MissingEvidence(Exception):
    """Raised by a check when the evidence it needs was not gathered; the runner reports it.

    ``reason`` is a message, or text recorded in the evidence (a gatherer's own reason, shown
    as it is). ``str(exc)`` is the English message, for logs and ``CriterionResult.error``.
    """

    def __init__(self, what: str, reason: Msg | str = "") -> None:
        self.what = what
        self.reason = reason
        self.message: Msg = (
            msg("missing.evidence_because", what=what, reason=reason) if reason
            else msg("missing.evidence", what=what)
        )
        super().__init__(self.message.render("en"))
