"""Reading an auditor's YAML (settings, targets) safely, with errors that say file:line.

One place for what every configuration file needs (issue 7, "bad configuration"):

- SafeLoader only: no ``!!python/object`` tag constructs anything (a test scans the source for
  any other loader);
- anchors and aliases refused from the event stream before anything is composed: an alias
  makes the document a graph, and nested aliases (the "billion laughs" bomb) expand
  exponentially in every walk over it. Configuration is read by people: values are spelt out.
  (The criteria loader applies the same rule with its own reader.)
- nesting capped far below Python's recursion limit, which PyYAML's recursive composer and
  constructor would otherwise hit with a RecursionError traceback;
- not-UTF-8 bytes, tabs, bad indentation, duplicate keys: each one line ``file:line: message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# No configuration file nests more than 5 levels; PyYAML's recursive composer fails near 1000.
MAX_DEPTH = 64
# Settings and targets files are a few kilobytes; 10 MB (a 100,000-portal targets file is
# ~20 MB in CSV, which is not read here) bounds parse time and memory.
MAX_BYTES = 10_000_000


class YamlFileError(Exception):
    """``str()`` is one line: ``file:line: message`` (line omitted when unknown)."""

    def __init__(self, file: Path, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class YamlDocument:
    data: Any
    node: yaml.Node | None
    # Line (1-based) of each top-level key of a mapping document.
    key_lines: dict[str, int]


def _one_line(text: object) -> str:
    return " ".join(str(text).split())[:200]


def screen_events(file: Path, text: str, what: str,
                  error: type[YamlFileError] = YamlFileError) -> None:
    """Refuse anchors, aliases and nesting deeper than MAX_DEPTH from the event stream, before
    anything is composed: linear in the text, it expands nothing (a "billion laughs" alias bomb
    or a self-referencing alias would otherwise blow up every walk and validation after it).
    ``what`` names the kind of file in the message; ``error`` is the caller's own subclass."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark else None
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            kind = "alias '*" if isinstance(event, yaml.AliasEvent) else "anchor '&"
            raise error(file, line, f"YAML {kind}{_one_line(anchor)}' is not "
                                    f"allowed in {what} files: write the value out")
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise error(file, line, f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


def parse_yaml(file: Path, text: str, what: str) -> YamlDocument:
    """Parse ``text`` (read from ``file``) safely; ``what`` names the kind of file in errors."""
    try:
        screen_events(file, text, what)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlFileError(file, mark.line + 1 if mark else None,
                            f"invalid YAML: {_one_line(problem)}") from None
    except (ValueError, OverflowError) as exc:  # e.g. a timestamp PyYAML cannot build
        raise YamlFileError(file, None, f"invalid YAML value: {_one_line(exc)}") from None
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _value in node.value:
            name = str(key.value)
            if name in key_lines:
                raise YamlFileError(file, key.start_mark.line + 1,
                                    f"duplicate key '{_one_line(name)}' "
                                    f"(first at line {key_lines[name]})")
            key_lines[name] = key.start_mark.line + 1
    return YamlDocument(data, node, key_lines)


def read_text(file: Path, what: str) -> str:
    """The file as UTF-8 text, or one line saying why not."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise YamlFileError(file, None, f"cannot read {what}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise YamlFileError(file, None, f"{what} file larger than {MAX_BYTES:,} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise YamlFileError(file, line, f"not UTF-8 text: {exc.reason}") from None


def read_yaml(file: Path, what: str) -> YamlDocument:
    return parse_yaml(file, read_text(file, what), what)
