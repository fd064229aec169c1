"""A stand-in for the vn-2023 profile as it will be once the parallel branches merge.

Until then this branch's vn-2023 lacks the transport (`https-redirect` …) and accessibility/mobile
(`no-blinking-moving-text` …) criteria that vn-2024 inherits, and its access pillar adds up to
13 (the other branches re-weight access.yaml). This copies criteria/vn-2023 and vn-2024 into a
temporary folder, re-weights access.yaml and adds the missing ids as criteria of an existing
check, so the real vn-2024 profile.yaml can be loaded and scored now. Delete it after the merge
(tests then load the shipped profiles directly).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from evaluator.resources import criteria_dir

# The ids other branches add to vn-2023 (their real checks replace html_lang here).
MERGED_IDS = (
    "https-redirect", "tls-certificate-valid", "tls-version-modern", "no-mixed-content",
    "hsts-enabled", "ipv6-reachable", "dnssec-signed", "official-domain-name",
    "no-blinking-moving-text", "accessibility-aids", "mobile-tap-targets-and-text",
)
# access.yaml's four criteria re-weighted so the pillar is 10 with layout's 3 and these 11.
_ACCESS_POINTS = {"accessibility-wcag-aa": 1.5, "page-language-declared": 0.5,
                  "mobile-viewport": 0.5, "mobile-no-horizontal-scroll": 0.5}
_STAND_IN_POINTS = 4 / len(MERGED_IDS)


def build(tmp: Path) -> tuple[Path, Path]:
    """``(vn-2023 dir, vn-2024 dir)`` of the merged stand-in under ``tmp``."""
    if set(_missing_ids()) == set():
        return criteria_dir() / "vn-2023", criteria_dir() / "vn-2024"
    base = tmp / "vn-2023"
    shutil.copytree(criteria_dir() / "vn-2023", base)
    shutil.copytree(criteria_dir() / "vn-2024", tmp / "vn-2024")
    access = yaml.safe_load((base / "access.yaml").read_text(encoding="utf-8"))
    for criterion in access["criteria"]:
        criterion["points"] = _ACCESS_POINTS[criterion["id"]]
    (base / "access.yaml").write_text(yaml.safe_dump(access, allow_unicode=True), encoding="utf-8")
    def text() -> dict[str, str]:
        return {"vi": "Tiêu chí thay thế", "en": "Stand-in criterion"}

    stand_ins = [
        {"id": cid, "pillar": "access", "title": text(), "failure_title": text(),
         "description": text(), "fix": text(), "source": "test stand-in until the merge",
         "points": _STAND_IN_POINTS, "check": "html_lang", "scope": "every_page",
         "aggregate": "ratio", "scoring": "ratio"}
        for cid in MERGED_IDS
    ]
    # The last one takes the rounding so the pillar adds up exactly.
    stand_ins[-1]["points"] = 4 - _STAND_IN_POINTS * (len(MERGED_IDS) - 1)
    (base / "merged-stand-in.yaml").write_text(
        yaml.safe_dump({"criteria": stand_ins}, allow_unicode=True), encoding="utf-8")
    profile = yaml.safe_load((base / "profile.yaml").read_text(encoding="utf-8"))
    profile["criteria_files"].append("merged-stand-in.yaml")
    (base / "profile.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True),
                                       encoding="utf-8")
    return base, tmp / "vn-2024"


def _missing_ids() -> list[str]:
    present: set[str] = set()
    for file in (criteria_dir() / "vn-2023").glob("*.yaml"):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        if isinstance(data, dict) and isinstance(data.get("criteria"), list):
            present |= {str(c.get("id")) for c in data["criteria"] if isinstance(c, dict)}
    return [cid for cid in MERGED_IDS if cid not in present]
