"""Bilingual messages: what checks and the runner write into a result, in Vietnamese and English.

A check never writes a sentence; it writes a :class:`Msg`, a key of ``messages.yaml`` plus typed
params, and the scorer turns it into a :class:`~evaluator.criteria.schema.Text` ``{vi, en}``.
The catalog is validated when first used: every key has a non-empty ``vi`` and ``en`` template
and both name the same ``{placeholders}``; a ``Msg`` with an unknown key or other params fails
where it is built, so a unit test of the check catches it.

Numbers are params, never pre-formatted text, so each language writes them its own way:
English groups thousands with a comma and uses a decimal point (5,303 KiB, 1.01 s); Vietnamese
groups with a dot and uses a decimal comma (5.303 KiB, 1,01 giây). An ``int`` is shown whole, a
:class:`Num` with a fixed count of decimals, a bare ``float`` with as few decimals as it needs.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeAlias

import yaml

from evaluator.base.text import Text

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
CATALOG = Path(__file__).with_name("messages.yaml")

_KEY = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)+$")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
# How a list of messages (the failing pages of a fold) is joined, in both languages.
LIST_SEPARATOR = "; "


class MessageCatalogError(Exception):
    """The catalog file is wrong; the message is one line naming the file and the key."""


@dataclass(frozen=True)
class Num:
    """A number shown with exactly ``decimals`` decimals (1.20 s, 0.250), grouped per language."""

    value: float
    decimals: int = 0


Param: TypeAlias = "str | int | float | Num | Msg | tuple[Msg, ...]"


@dataclass(frozen=True)
class Msg:
    """A message of the catalog with its params; params may nest other messages."""

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def __post_init__(self) -> None:
        templates = catalog().get(self.key)
        if templates is None:
            raise KeyError(f"message '{self.key}' is not in {CATALOG.name}")
        wanted = placeholders(templates["en"])
        if set(self.params) != wanted:
            raise ValueError(
                f"message '{self.key}' takes params {sorted(wanted)}, got {sorted(self.params)}"
            )

    def render(self, lang: Lang) -> str:
        template = catalog()[self.key][lang]
        return template.format_map({k: _show(v, lang) for k, v in self.params.items()})

    @property
    def vi(self) -> str:
        return self.render("vi")

    @property
    def en(self) -> str:
        return self.render("en")


def msg(key: str, /, **params: Param) -> Msg:
    """``Msg(key, params)`` written as keyword arguments: ``msg("fold.summary", passed=1, total=2)``."""
    return Msg(key, params)


def to_text(message: Msg) -> Text:
    return Text(vi=message.render("vi"), en=message.render("en"))


def text_or_none(message: Msg | None) -> Text | None:
    return None if message is None else to_text(message)


def http_problem(status: int | None) -> Msg:
    """Why a page is unusable, from its HTTP status: "HTTP 404", or no answer at all."""
    return msg("common.no_response") if status is None else msg("common.http_status", status=status)


def role(name: str) -> Msg:
    """The name of a key page (criteria.schema.KEY_PAGE_ROLES): "trang chủ" / "home"."""
    match name:
        case "home":
            return msg("role.home")
        case "catalogue":
            return msg("role.catalogue")
        case "service":
            return msg("role.service")
        case "search_results":
            return msg("role.search_results")
        case "status_lookup":
            return msg("role.status_lookup")
        case "faq":
            return msg("role.faq")
        case _:
            return msg("role.other", role=name)


# -- formatting --------------------------------------------------------------------------------


def _show(value: Param, lang: Lang) -> str:
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(m.render(lang) for m in value)
    if isinstance(value, Num):
        return format_number(value.value, value.decimals, lang)
    if isinstance(value, bool):  # a bool is an int to Python, never a number to a reader
        raise TypeError("a message param cannot be a bool")
    if isinstance(value, int):
        return format_number(value, 0, lang)
    if isinstance(value, float):
        return format_number(value, None, lang)
    return value


# Vietnamese swaps the two marks: a dot groups thousands, a comma starts the decimals.
_VI_MARKS = str.maketrans(",.", ".,")


def format_number(value: float, decimals: int | None, lang: Lang) -> str:
    """1234.5 → "1,234.5" (en) / "1.234,5" (vi); ``decimals=None`` drops trailing zeros."""
    if decimals is None:
        shown = f"{value:,.6f}".rstrip("0").rstrip(".")
        shown = "0" if shown == "-0" else shown
    else:
        shown = f"{value:,.{decimals}f}"
    if lang == "vi":
        shown = shown.translate(_VI_MARKS)
    return shown


# -- the catalog ---------------------------------------------------------------------------------


def placeholders(template: str) -> set[str]:
    """The ``{names}`` of a template (``{{`` and ``}}`` are literal braces)."""
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


@cache
def catalog() -> dict[str, dict[Lang, str]]:
    return load_catalog(CATALOG)


def load_catalog(path: Path) -> dict[str, dict[Lang, str]]:
    """Read and validate a catalog; every problem raises one line: ``file: message 'key': why``."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except _DuplicateKey as exc:
        raise MessageCatalogError(f"{path}:{exc.line}: message '{exc.key}' is written twice") from None
    except yaml.MarkedYAMLError as exc:
        line = f":{exc.problem_mark.line + 1}" if exc.problem_mark else ""
        raise MessageCatalogError(f"{path}{line}: unreadable message catalog: {exc.problem}") from None
    except (OSError, yaml.YAMLError) as exc:
        detail = " ".join(str(exc).split())
        raise MessageCatalogError(f"{path}: unreadable message catalog: {detail}") from None
    if not isinstance(raw, dict) or not raw:
        raise MessageCatalogError(f"{path}: expected a mapping of message key → {{vi, en}}")
    result: dict[str, dict[Lang, str]] = {}
    for key, entry in raw.items():
        result[str(key)] = _entry(path, key, entry)
    return result


def _entry(path: Path, key: Any, entry: Any) -> dict[Lang, str]:
    def fail(why: str) -> MessageCatalogError:
        return MessageCatalogError(f"{path}: message '{key}': {why}")

    if not isinstance(key, str) or not _KEY.match(key):
        raise fail("a key is dotted lower-case words, e.g. search.no_form")
    if not isinstance(entry, dict):
        raise fail("expected a mapping with 'vi' and 'en'")
    unknown = sorted(str(k) for k in entry if k not in LANGS)
    if unknown:
        raise fail(f"unknown language(s) {', '.join(unknown)}; only vi and en")
    templates: dict[Lang, str] = {}
    names: dict[Lang, set[str]] = {}
    for lang in LANGS:
        template = entry.get(lang)
        if not isinstance(template, str) or not template.strip():
            raise fail(f"'{lang}' is missing or empty")
        try:
            fields = list(string.Formatter().parse(template))
        except ValueError as exc:
            raise fail(f"'{lang}' is not a valid template: {exc}") from None
        for _text, name, spec, conversion in fields:
            if name is None:
                continue
            if not _NAME.match(name) or spec or conversion:
                written = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
                raise fail(f"'{lang}' has placeholder {{{written}}}; write a plain {{name}} "
                           "(a Num param sets the decimals)")
        templates[lang] = template
        names[lang] = placeholders(template)
    if names["vi"] != names["en"]:
        only_vi = sorted(names["vi"] - names["en"])
        only_en = sorted(names["en"] - names["vi"])
        raise fail(f"placeholders differ: only in vi {only_vi}, only in en {only_en}")
    return templates


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a key written twice (PyYAML would keep the last silently)."""


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, line: int) -> None:
        super().__init__(f"key '{key}' written twice (line {line})")
        self.key = key
        self.line = line


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _unique_mapping,
)
