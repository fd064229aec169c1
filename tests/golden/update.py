"""Re-baseline: re-score the frozen evidence and rewrite the golden results and the schema.

Run `nox -s update_golden`, then review `git diff tests/golden schemas` like any code change.
"""

from __future__ import annotations

import json
from pathlib import Path

from evaluator.criteria.loader import load_profile
from evaluator.evidence import load_bundle
from evaluator.results import dump_result, result_json_schema
from evaluator.scoring import score_bundle

ROOT = Path(__file__).resolve().parents[2]
FROZEN = ROOT / "fixtures" / "evidence"
GOLDEN = Path(__file__).parent
SCHEMA = ROOT / "schemas" / "result.schema.json"
# The attestations file's format (evaluate/score/batch/rescore --attestations and the template
# of `portal-eval attestations template`).
ATTESTATIONS_SCHEMA = ROOT / "schemas" / "attestations.schema.json"
# Every shipped profile gets golden results of the same frozen evidence: a re-weighting in
# vn-2024 or a criterion change in vn-2023 (which vn-2024 inherits) shows in both diffs.
PROFILES = ("vn-2023", "vn-2024")


def golden_file(portal_id: str, profile: str) -> Path:
    return GOLDEN / f"{portal_id}.{profile}.result.json"


def schema_text() -> str:
    return json.dumps(result_json_schema(), ensure_ascii=False, indent=2) + "\n"


def attestations_schema_text() -> str:
    from evaluator.criteria.attestations import AttestationsFile

    schema = AttestationsFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://portal-eval.example/schemas/attestations.schema.json"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def golden_text(portal_id: str, profile: str = "vn-2023") -> str:
    from fixtures.demo import portal_attestations

    loaded = load_profile(profile)
    return dump_result(score_bundle(load_bundle(FROZEN / portal_id), loaded,
                                    portal_attestations(portal_id, loaded)))


def main() -> int:
    SCHEMA.parent.mkdir(exist_ok=True)
    SCHEMA.write_text(schema_text(), encoding="utf-8")
    ATTESTATIONS_SCHEMA.write_text(attestations_schema_text(), encoding="utf-8")
    for folder in sorted(p for p in FROZEN.iterdir() if p.is_dir()):
        for profile in PROFILES:
            out = golden_file(folder.name, profile)
            out.write_text(golden_text(folder.name, profile), encoding="utf-8")
            print(f"wrote {out.relative_to(ROOT)}")
    # What the template portals serve is a golden too (tests/golden/template_digest.py).
    from tests.golden import template_digest

    template_digest.DIGESTS.write_text(template_digest.digests_text(), encoding="utf-8")
    print(f"wrote {template_digest.DIGESTS.relative_to(ROOT)}")
    print(f"wrote {SCHEMA.relative_to(ROOT)}")
    print(f"wrote {ATTESTATIONS_SCHEMA.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
