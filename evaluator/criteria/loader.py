"""Load and validate a criteria profile. Every problem is one line: ``file:line: message``."""

from __future__ import annotations

import hashlib
import math
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
from evaluator.yamlio import YamlFileError, screen_events

# Points are decimals in YAML (70, 13.5); sums are compared with this tolerance.
_POINTS_TOLERANCE = 1e-6


class CriteriaError(YamlFileError):
    """A criteria, profile or vocabulary file is invalid. ``str()`` is one line with file:line."""


@dataclass(frozen=True)
class LoadedProfile:
    profile: Profile
    criteria: tuple[Criterion, ...]
    vocabulary: Vocabulary
    directory: Path
    # sha256 over every file read: results record which exact criteria graded them.
    digest: str
    # The vocabulary file read; an extending profile without its own reuses its base's.
    vocabulary_file: Path | None = None
    # The id of the profile this one extends (criteria/<id>/profile.yaml `extends`), if any.
    base: str | None = None

    def pillar_points(self, pillar: str) -> float:
        return next(p.points for p in self.profile.pillars if p.id == pillar)


Lines = dict[tuple[Any, ...], int]
M = TypeVar("M", bound=BaseModel)


def _read_yaml(file: Path, raw: bytes | None = None) -> tuple[Any, Lines, bytes]:
    """Parse safely (no object construction), recording the line of every key and item.
    ``raw``: the file's bytes when the caller has them already (a round's recorded copy);
    errors still name ``file``."""
    if raw is None:
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
    screen_events(file, text, "criteria", CriteriaError)


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
    return _load_profile(name_or_path, ())


def _load_profile(name_or_path: str | Path, chain: tuple[Path, ...]) -> LoadedProfile:
    # Imported here: loading the check library imports every check module, which a caller that
    # only wants the criteria's schema should not pay for.
    from evaluator.checks import library

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

    base: LoadedProfile | None = None
    if profile.extends is not None:
        base = _load_base(profile.extends, directory, profile_file, lines,
                          (*chain, directory.resolve()))
        # The base's digest covers every file it read: a change there changes this digest too.
        digest.update(base.digest.encode("ascii"))

    if profile.vocabulary is not None:
        vocab_file = (directory / profile.vocabulary).resolve()
    elif base is not None:
        vocab_file = base.vocabulary_file or (base.directory / "vocabulary.yaml").resolve()
    else:
        vocab_file = (directory / "vocabulary.yaml").resolve()
    vdata, vlines, vraw = _read_yaml(vocab_file)
    digest.update(vraw)
    vocabulary = _validate(Vocabulary, vdata, vocab_file, vlines)

    # Every criterion with where it was placed: (criterion, file, lines, location, own file?).
    entries: list[tuple[Criterion, Path, Lines, tuple[Any, ...], bool]] = []
    first_seen: dict[str, tuple[Path, int | None]] = {}
    per_pillar: dict[str, float] = dict.fromkeys(pillar_ids, 0.0)
    if base is not None:
        for criterion, at in _inherit(profile, base, profile_file, lines):
            first_seen[criterion.id] = (profile_file, _line(lines, at))
            entries.append((criterion, profile_file, lines, at, False))
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
            entries.append((criterion, file, clines, at, True))

    # The words criteria bring with them join the vocabulary before any criterion's params are
    # checked against it (and before gathering reads it).
    vocabulary = _merge_criterion_vocabulary(vocabulary, vocab_file, entries)
    criteria: list[Criterion] = []
    for criterion, file, clines, at, own in entries:
        _check_vocabulary(criterion, library, vocabulary, vocab_file, file, clines, at, own=own)
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
        vocabulary_file=vocab_file,
        base=base.profile.id if base is not None else None,
    )


def _merge_criterion_vocabulary(
    vocabulary: Vocabulary, vocab_file: Path,
    entries: list[tuple[Criterion, Path, Lines, tuple[Any, ...], bool]],
) -> Vocabulary:
    """The vocabulary with every criterion's own words (``vocabulary:`` of its entry) added.

    A key the vocabulary file or an earlier criterion already defines is refused, one line at
    the key: the same list in two places would drift apart.
    """
    merged: dict[str, dict[str, Any]] = {"labels": dict(vocabulary.labels),
                                         "page_terms": dict(vocabulary.page_terms)}
    owner: dict[tuple[str, str], str] = {}
    for criterion, file, lines, at, own in entries:
        extra = criterion.vocabulary
        if extra is None:
            continue
        for kind, words in (("labels", extra.labels), ("page_terms", extra.page_terms)):
            for key, value in words.items():
                if key in merged[kind]:
                    where = owner.get((kind, key), vocab_file.name)
                    prefix = "" if own else f"criterion '{criterion.id}': "
                    raise CriteriaError(
                        file, _line(lines, (*at, "vocabulary", kind, key) if own else at),
                        f"{prefix}vocabulary.{kind}.{key} is already defined in {where}; "
                        "a list of words lives in one place",
                    )
                merged[kind][key] = value
                owner[(kind, key)] = f"criterion '{criterion.id}'"
    if not owner:
        return vocabulary
    return vocabulary.model_copy(update=merged)


def _check_vocabulary(
    criterion: Criterion, library: Any, vocabulary: Vocabulary, vocab_file: Path,
    file: Path, lines: Lines, at: tuple[Any, ...], own: bool = False,
) -> None:
    """Check, params and scope of one criterion. ``own``: ``at`` points into the criterion's
    own file; otherwise at the ``inherit`` entry that brought it in (its text is the base's)."""
    spec = library.get(criterion.check)
    if spec is None:
        raise CriteriaError(
            file, _line(lines, (*at, "check") if own else at),
            f"unknown check '{criterion.check}' (known: {', '.join(library.names())})",
        )
    params = _validate(spec.params, criterion.params, file, lines,
                       (*at, "params") if own else at)
    if isinstance(params, NeedsVocabulary):
        wrong = params.vocabulary_problem(vocabulary)
        if wrong is not None:
            name, message = wrong
            where = (*at, "params", name) if own else at
            prefix = "" if own else f"criterion '{criterion.id}': "
            raise CriteriaError(
                file, _line(lines, where),
                f"{prefix}params.{name}: {message}; see {vocab_file.name}",
            )
    problem = spec.scope_problem(criterion.scope)
    if problem:
        raise CriteriaError(file, _line(lines, (*at, "scope") if own else at), problem)


# -- profiles that extend another (criteria/vn-2024 extends criteria/vn-2023) ----------------------


def _load_base(
    ref: str, directory: Path, profile_file: Path, lines: Lines, chain: tuple[Path, ...]
) -> LoadedProfile:
    """The base profile: a folder relative to this profile's, else a shipped profile's name."""
    relative = (directory / ref)
    target: str | Path = relative if (relative / "profile.yaml").is_file() else ref
    try:
        base_dir = resolve_profile_dir(target).resolve()
    except CriteriaError as exc:
        raise CriteriaError(profile_file, _line(lines, ("extends",)),
                            f"extends: {exc.message}") from None
    if base_dir in chain:
        names = " -> ".join(p.name for p in (*chain, base_dir))
        raise CriteriaError(profile_file, _line(lines, ("extends",)),
                            f"profiles extend each other in a loop: {names}")
    return _load_profile(base_dir, chain)


def _normalise(points: list[float], target: float) -> list[float]:
    """Scale ``points`` in proportion to add up to ``target``, in hundredths of a point.

    Hundredths keep the report readable (2.86, not 2.857142857); the largest-remainder method
    hands out the rounding so the sum is exactly the target, as the loader then checks.
    """
    total = sum(points)
    exact = [p * target / total for p in points]
    cents = [math.floor(e * 100 + 1e-9) for e in exact]
    short = round(target * 100) - sum(cents)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] * 100 - cents[i]), i))
    for i in order[:short]:
        cents[i] += 1
    return [c / 100 for c in cents]


def _inherit(
    profile: Profile, base: LoadedProfile, file: Path, lines: Lines
) -> list[tuple[Criterion, tuple[Any, ...]]]:
    """The base's criteria placed in this profile's pillars, per ``inherit`` then ``overrides``.

    Each comes with the location of the entry that placed it, for later error messages.
    """
    pillar_ids = [p.id for p in profile.pillars]
    base_by_id = {c.id: c for c in base.criteria}
    base_pillars = [p.id for p in base.profile.pillars]
    taken: dict[str, int] = {}
    placed: list[tuple[Criterion, tuple[Any, ...]]] = []
    # Base criteria that say where this profile places them (``place_in``) join the first
    # inherit entry filling that pillar, after the ones the entry names itself.
    first_rule: dict[str, int] = {}
    for i, rule in enumerate(profile.inherit):
        first_rule.setdefault(rule.pillar, i)
    for criterion in base.criteria:
        wanted = criterion.place_in.get(profile.id)
        if wanted is not None and wanted not in first_rule:
            known = ", ".join(first_rule)
            raise CriteriaError(file, _line(lines, ("inherit",)),
                                f"criterion '{criterion.id}' of base profile '{base.profile.id}' "
                                f"is placed in pillar '{wanted}' (its place_in), which no "
                                f"inherit entry of this profile fills (they fill: {known})")
    for i, rule in enumerate(profile.inherit):
        at: tuple[Any, ...] = ("inherit", i)
        if rule.pillar not in pillar_ids:
            raise CriteriaError(file, _line(lines, (*at, "pillar")),
                                f"unknown pillar '{rule.pillar}' (profile has: "
                                f"{', '.join(pillar_ids)})")
        if rule.from_pillar is not None:
            if rule.from_pillar not in base_pillars:
                raise CriteriaError(file, _line(lines, (*at, "from_pillar")),
                                    f"base profile '{base.profile.id}' has no pillar "
                                    f"'{rule.from_pillar}' (it has: {', '.join(base_pillars)})")
            chosen = [c for c in base.criteria if c.pillar == rule.from_pillar]
            where = [(*at, "from_pillar")] * len(chosen)
        else:
            chosen, where = [], []
            for j, cid in enumerate(rule.ids):
                if cid not in base_by_id:
                    raise CriteriaError(file, _line(lines, (*at, "ids", j)),
                                        f"criterion '{cid}' is not in base profile "
                                        f"'{base.profile.id}'")
                chosen.append(base_by_id[cid])
                where.append((*at, "ids", j))
        if first_rule[rule.pillar] == i:
            own_choice = [c for c in base.criteria if c.place_in.get(profile.id) == rule.pillar]
            chosen += own_choice
            where += [(*at, "pillar")] * len(own_choice)
        for criterion, loc in zip(chosen, where, strict=True):
            if criterion.id in taken:
                raise CriteriaError(file, _line(lines, loc),
                                    f"criterion '{criterion.id}' is inherited twice (also by "
                                    f"inherit entry {taken[criterion.id] + 1})")
            taken[criterion.id] = i
        points = [c.points for c in chosen]
        if rule.normalise_to is not None:
            if sum(points) <= 0:
                raise CriteriaError(file, _line(lines, (*at, "normalise_to")),
                                    "normalise_to needs criteria with points to scale")
            points = _normalise(points, rule.normalise_to)
        placed += [(c.model_copy(update={"pillar": rule.pillar, "points": p}), loc)
                   for c, p, loc in zip(chosen, points, where, strict=True)]
    for j, cid in enumerate(profile.exclude):
        loc = ("exclude", j)
        if cid not in base_by_id:
            raise CriteriaError(file, _line(lines, loc),
                                f"criterion '{cid}' is not in base profile '{base.profile.id}'")
        if cid in taken:
            raise CriteriaError(file, _line(lines, loc),
                                f"criterion '{cid}' is both inherited and excluded")
    left = [c.id for c in base.criteria if c.id not in taken and c.id not in profile.exclude]
    if left:
        raise CriteriaError(file, _line(lines, ("inherit",)),
                            f"base criteria neither inherited nor excluded: {', '.join(left)}")
    index = {c.id: k for k, (c, _) in enumerate(placed)}
    for k, override in enumerate(profile.overrides):
        at = ("overrides", k)
        if override.id not in index:
            raise CriteriaError(file, _line(lines, (*at, "id")),
                                f"override of '{override.id}', which is not inherited")
        if override.pillar is not None and override.pillar not in pillar_ids:
            raise CriteriaError(file, _line(lines, (*at, "pillar")),
                                f"unknown pillar '{override.pillar}' (profile has: "
                                f"{', '.join(pillar_ids)})")
        criterion, _ = placed[index[override.id]]
        update = {k2: v for k2, v in (("pillar", override.pillar), ("points", override.points))
                  if v is not None}
        placed[index[override.id]] = (criterion.model_copy(update=update), at)
    return placed
