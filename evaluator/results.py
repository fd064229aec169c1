"""result.json: the golden artifact of an evaluation, with a published JSON Schema.

The models are in the base layer (evaluator/base/result.py), so whatever reads a result loads no
check; this module writes, reads and describes the file. The models are named here as well, the
way every reader of a result has always imported them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evaluator.base.files import write_text_atomic
from evaluator.base.result import RESULT_SCHEMA_VERSION as RESULT_SCHEMA_VERSION
from evaluator.base.result import AttestationResult as AttestationResult
from evaluator.base.result import CriterionResult as CriterionResult
from evaluator.base.result import FindingResult as FindingResult
from evaluator.base.result import FixItem as FixItem
from evaluator.base.result import PillarResult as PillarResult
from evaluator.base.result import PortalResult as PortalResult
from evaluator.base.result import ProfileRef as ProfileRef


class ResultError(Exception):
    pass


def dump_result(result: PortalResult) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def save_result(result: PortalResult, path: Path) -> Path:
    write_text_atomic(path, dump_result(result))
    return path


def load_result(path: Path) -> PortalResult:
    file = path / "result.json" if path.is_dir() else path
    try:
        raw: Any = json.loads(file.read_text(encoding="utf-8"))
        version = raw.get("schema_version") if isinstance(raw, dict) else None
        if version != RESULT_SCHEMA_VERSION:
            raise ResultError(
                f"{file}: result schema version {version!r}, this portal-eval reads "
                f"{RESULT_SCHEMA_VERSION}; re-score the evidence with `portal-eval score`"
            )
        return PortalResult.model_validate(raw)
    except FileNotFoundError:
        raise ResultError(f"{file}: no result.json here") from None
    except (OSError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise ResultError(f"{file}: invalid result at {where}: {err['msg']}") from None
        raise ResultError(f"{file}: unreadable result: {exc}") from None


def result_json_schema() -> dict[str, Any]:
    schema = PortalResult.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://portal-eval.example/schemas/result.schema.json"
    return schema
