"""The targets file of a round: YAML (``targets:`` list or a bare list) or CSV (a header row).

Each target: ``id``, ``name``, ``agency`` (ministry | province), ``start_url``, optional
``allowed_hosts`` and ``tags`` (lists in YAML; ``;``-separated in CSV cells, so a spreadsheet
keeps one target per row). Every error is one line naming the file, the line and the field.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from evaluator.targets import Target, UrlError, check_target_id, check_url
from evaluator.yamlio import YamlFileError, parse_yaml

AGENCY_KINDS = ("ministry", "province")
FIELDS = ("id", "name", "agency", "start_url", "allowed_hosts", "tags")


class TargetsFileError(Exception):
    """A targets file that cannot be used; ``str()`` is one line with file:line."""


class TargetEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    agency: str
    start_url: str
    allowed_hosts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        try:
            return check_target_id(value)
        except UrlError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    @field_validator("agency")
    @classmethod
    def _agency(cls, value: str) -> str:
        if value not in AGENCY_KINDS:
            raise ValueError(f"must be one of {', '.join(AGENCY_KINDS)}, not {value!r}")
        return value

    @field_validator("start_url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            return check_url(value.strip())
        except UrlError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("allowed_hosts", "tags", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(";") if v.strip())
        if isinstance(value, list):
            # YAML reads a tag like 2025 as a number: a tag is text all the same.
            return tuple(str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                         for v in value)
        return value

    def target(self) -> Target:
        return Target(id=self.id, start_url=self.start_url, name=self.name, agency=self.agency,
                      allowed_hosts=self.allowed_hosts, tags=self.tags)


def _entry(raw: Any, where: str) -> Target:
    if not isinstance(raw, dict):
        raise TargetsFileError(f"{where}: a target must be a mapping of {', '.join(FIELDS)}")
    try:
        return TargetEntry.model_validate(raw).target()
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "target"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = f"unknown field (known: {', '.join(FIELDS)})"
        raise TargetsFileError(f"{where}: {field}: {message}") from None


def _load_yaml(path: Path, text: str) -> list[tuple[Target, str]]:
    try:
        doc = parse_yaml(path, text, "targets")
    except YamlFileError as exc:
        raise TargetsFileError(str(exc)) from None
    node, data = doc.node, doc.data
    items, items_node = data, node
    if isinstance(data, dict):
        if set(data) != {"targets"}:
            raise TargetsFileError(f"{path}: expected a list of targets or one key 'targets:'")
        items = data["targets"]
        items_node = next(v for k, v in node.value if k.value == "targets")  # type: ignore[union-attr]
    if not isinstance(items, list):
        raise TargetsFileError(f"{path}: expected a list of targets")
    lines = [n.start_mark.line + 1 for n in items_node.value]  # type: ignore[union-attr]
    return [(_entry(raw, f"{path}:{line}"), f"{path}:{line}")
            for raw, line in zip(items, lines, strict=True)]


def _load_csv(path: Path, text: str) -> list[tuple[Target, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))  # Excel writes a BOM
    header = reader.fieldnames or []
    unknown = [h for h in header if h not in FIELDS]
    if unknown:
        raise TargetsFileError(f"{path}:1: unknown column {unknown[0]!r} (known: {', '.join(FIELDS)})")
    targets = []
    for row in reader:
        if not any((v or "").strip() for v in row.values()):
            continue  # blank line left by a spreadsheet
        clean = {k: (v or "").strip() for k, v in row.items() if k is not None}
        where = f"{path}:{reader.line_num}"
        targets.append((_entry(clean, where), where))
    return targets


def load_targets(path: Path) -> list[Target]:
    """The targets of ``path`` (.yaml/.yml or .csv); ids must be unique."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TargetsFileError(f"{path}: cannot read targets: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise TargetsFileError(f"{path}: not UTF-8 text: {exc.reason}") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        targets = _load_csv(path, text)
    elif suffix in (".yaml", ".yml"):
        targets = _load_yaml(path, text)
    else:
        raise TargetsFileError(f"{path}: targets file must end in .yaml, .yml or .csv")
    if not targets:
        raise TargetsFileError(f"{path}: no targets")
    seen: dict[str, str] = {}
    for target, where in targets:
        if target.id in seen:
            raise TargetsFileError(f"{where}: portal id {target.id!r} appears twice "
                                   f"(first at line {seen[target.id].rsplit(':', 1)[1]})")
        seen[target.id] = where
    return [target for target, _where in targets]
