"""Load and validate a criteria profile. Every problem is one line: ``file:line: message``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from evaluator.criteria.schema import (
    CriteriaFile,
    Criterion,
    NeedsVocabulary,
    Profile,
    Vocabulary,
)
from evaluator.resources import criteria_dir

# Points are decimals in YAML (70, 13.5); sums are compared with this tolerance.
_POINTS_TOLERANCE = 1e-6


class CriteriaError(Exception):
    """A criteria, profile or vocabulary file is invalid. ``str()`` is one line with file:line."""

    def __init__(self, file: Path, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class LoadedProfile:
    profile: Profile
    criteria: tuple[Criterion, ...]
    vocabulary: Vocabulary
    directory: Path
    # sha256 over every file read: results record which exact criteria graded them.
    digest: str

    def pillar_points(self, pillar: str) -> float:
        return next(p.points for p in self.profile.pillars if p.id == pillar)


Lines = dict[tuple[Any, ...], int]
M = TypeVar("M", bound=BaseModel)


def _read_yaml(file: Path) -> tuple[Any, Lines, bytes]:
    """Parse safely (no object construction), recording the line of every key and item."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise CriteriaError(file, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CriteriaError(file, None, f"not UTF-8 text: {exc.reason}") from None
    try:
        _screen_events(file, text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CriteriaError(file, mark.line + 1 if mark else None, f"invalid YAML: {problem}") from None
    except (ValueError, OverflowError) as exc:  # a value PyYAML cannot build: 2026-13-45, 9×5000
        raise CriteriaError(file, None, f"invalid YAML value: {str(exc).splitlines()[0]}") from None
    lines: Lines = {}
    if node is not None:
        _walk(file, node, (), lines)
    return data, lines, raw


# Deeper than any criteria file needs (they nest 4-5 levels); far below the ~500 levels at which
# PyYAML's recursive composer, the line walk or pydantic would hit Python's recursion limit.
_MAX_DEPTH = 64


def _screen_events(file: Path, text: str) -> None:
    """Refuse anchors, aliases and absurd nesting before anything is composed or constructed.

    Criteria files are read by auditors and lawyers: every value is spelt out where it applies.
    An alias (``*name``) makes the document a graph instead of a tree: a self-reference
    (``loop: &loop [*loop]``) sends any recursive walk round forever, and nested aliases (the
    "billion laughs" bomb) expand exponentially in the line walk and in pydantic's validation
    even though PyYAML itself shares the objects. Capping a walk by visited-node identity would
    keep the walk finite but not validation, and would leave line numbers ambiguous (one node,
    several paths). So anchors and aliases are refused outright, from the event stream: that is
    linear in the text and expands nothing. After this screen the composed document is a tree
    of bounded depth, which ``_walk`` and the models can visit safely.
    """
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark else None
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            kind = "alias '*" if isinstance(event, yaml.AliasEvent) else "anchor '&"
            raise CriteriaError(
                file, line,
                f"YAML {kind}{anchor}' is not allowed in criteria files: write the value out",
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > _MAX_DEPTH:
                raise CriteriaError(file, line, f"nested more than {_MAX_DEPTH} levels deep")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _walk(file: Path, node: yaml.Node, path: tuple[Any, ...], lines: Lines) -> None:
    # Recursion is safe here: _screen_events made the document a tree of bounded depth.
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise CriteriaError(
                    file, key_node.start_mark.line + 1,
                    f"duplicate key '{key}' (first at line {seen[key]})",
                )
            seen[key] = key_node.start_mark.line + 1
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk(file, value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(file, item, (*path, index), lines)


def _line(lines: Lines, loc: tuple[Any, ...]) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _validate(
    model: type[M], data: Any, file: Path, lines: Lines, prefix: tuple[Any, ...] = ()
) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = (*prefix, *error["loc"])
        field = ".".join(str(p) for p in loc) or "document"
        if error["type"] == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'"
        elif error["type"] == "missing":
            message = f"missing key '{field}'"
        else:
            message = f"{field}: {error['msg']}"
        raise CriteriaError(file, _line(lines, loc), message) from None


def resolve_profile_dir(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.is_dir():
        return path
    shipped = criteria_dir() / str(name_or_path)
    if shipped.is_dir():
        return shipped
    known = sorted(p.name for p in criteria_dir().iterdir() if (p / "profile.yaml").is_file())
    raise CriteriaError(
        path, None, f"no criteria profile named '{name_or_path}' (known: {', '.join(known)})"
    )


def load_profile(name_or_path: str | Path) -> LoadedProfile:
    # Imported here: the registry fills when the check modules import, and they import schema.
    from evaluator.checks import registry

    directory = resolve_profile_dir(name_or_path)
    digest = hashlib.sha256()
    profile_file = directory / "profile.yaml"
    data, lines, raw = _read_yaml(profile_file)
    digest.update(raw)
    profile = _validate(Profile, data, profile_file, lines)

    pillar_ids = [p.id for p in profile.pillars]
    total = sum(p.points for p in profile.pillars)
    if abs(total - 100) > _POINTS_TOLERANCE:
        raise CriteriaError(
            profile_file, _line(lines, ("pillars",)),
            f"pillar points add up to {total:g}, not 100",
        )

    vocab_file = (directory / profile.vocabulary).resolve()
    vdata, vlines, vraw = _read_yaml(vocab_file)
    digest.update(vraw)
    vocabulary = _validate(Vocabulary, vdata, vocab_file, vlines)

    criteria: list[Criterion] = []
    first_seen: dict[str, tuple[Path, int | None]] = {}
    per_pillar: dict[str, float] = dict.fromkeys(pillar_ids, 0.0)
    for index, name in enumerate(profile.criteria_files):
        file = directory / name
        if not file.is_file():
            raise CriteriaError(
                profile_file, _line(lines, ("criteria_files", index)), f"no such file: {name}"
            )
        cdata, clines, craw = _read_yaml(file)
        digest.update(craw)
        parsed = _validate(CriteriaFile, cdata, file, clines)
        for i, criterion in enumerate(parsed.criteria):
            at = ("criteria", i)
            if criterion.id in first_seen:
                prev_file, prev_line = first_seen[criterion.id]
                raise CriteriaError(
                    file, _line(clines, (*at, "id")),
                    f"duplicate criterion id '{criterion.id}' (first at {prev_file.name}:{prev_line})",
                )
            first_seen[criterion.id] = (file, _line(clines, (*at, "id")))
            if criterion.pillar not in per_pillar:
                raise CriteriaError(
                    file, _line(clines, (*at, "pillar")),
                    f"unknown pillar '{criterion.pillar}' (profile has: {', '.join(pillar_ids)})",
                )
            spec = registry.get(criterion.check)
            if spec is None:
                raise CriteriaError(
                    file, _line(clines, (*at, "check")),
                    f"unknown check '{criterion.check}' (known: {', '.join(registry.names())})",
                )
            params = _validate(spec.params, criterion.params, file, clines, (*at, "params"))
            if isinstance(params, NeedsVocabulary):
                wrong = params.vocabulary_problem(vocabulary)
                if wrong is not None:
                    name, message = wrong
                    raise CriteriaError(
                        file, _line(clines, (*at, "params", name)),
                        f"params.{name}: {message}; see {vocab_file.name}",
                    )
            problem = spec.scope_problem(criterion.scope)
            if problem:
                raise CriteriaError(file, _line(clines, (*at, "scope")), problem)
            per_pillar[criterion.pillar] += criterion.points
            criteria.append(criterion)

    for i, pillar in enumerate(profile.pillars):
        if abs(per_pillar[pillar.id] - pillar.points) > _POINTS_TOLERANCE:
            raise CriteriaError(
                profile_file, _line(lines, ("pillars", i, "points")),
                f"criteria of pillar '{pillar.id}' add up to {per_pillar[pillar.id]:g} points, "
                f"the pillar has {pillar.points:g}",
            )
    return LoadedProfile(
        profile=profile,
        criteria=tuple(criteria),
        vocabulary=vocabulary,
        directory=directory,
        digest=digest.hexdigest(),
    )
