"""Vietnamese-aware text normalisation shared by gatherers and checks (pure, no browser)."""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d included), collapse white space.

    Users type Vietnamese with or without diacritics ("đăng ký kết hôn" / "dang ky ket hon");
    matching on folded text treats both the same.
    """
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    if not text.isascii():
        # Vietnamese's marks all lie in the combining diacritics block: one pattern takes them.
        text = _COMBINING.sub("", text)
        if not text.isascii() and len(text) < _LONG:
            # Other marks (other scripts' vowel signs): nothing below U+0300 is one.
            text = "".join(ch for ch in text
                           if ch < "\u0300" or unicodedata.category(ch) != "Mn")
        elif not text.isascii():
            # A page's text: the other marks are a handful of distinct characters, found among
            # its distinct characters and removed by one pattern (character by character this
            # was half of re-scoring a portal, bench/bench_lighthouse.py).
            marks = frozenset(ch for ch in set(text) if unicodedata.category(ch) == "Mn")
            if marks:
                text = _marks_pattern(marks).sub("", text)
    return _SPACE.sub(" ", text).strip().lower()


_COMBINING = re.compile("[\u0300-\u036f]")
#: From this length on, ``fold`` strips marks by pattern rather than character by character.
_LONG = 200


@functools.lru_cache(maxsize=64)
def _marks_pattern(marks: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(m) for m in sorted(marks)) + "]")


@functools.lru_cache(maxsize=8192)
def _fold_phrase(phrase: str) -> str:
    """``fold`` of a vocabulary phrase: the same few hundred are matched against every page."""
    return fold(phrase)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def contains_any(text: str, phrases: list[str] | tuple[str, ...], *,
                 folded: bool = False) -> str | None:
    """The first phrase found in ``text`` (both folded), or None.

    ``folded=True`` says ``text`` is folded already: a caller matching one long text against
    many phrase lists folds it once (re-folding a service page per field group was 90 % of
    re-scoring time, bench/bench_lighthouse.py).
    """
    haystack = text if folded else fold(text)
    for phrase in phrases:
        needle = _fold_phrase(phrase)
        if needle and needle in haystack:
            return phrase
    return None


def contains_word_phrase(text: str, phrases: list[str] | tuple[str, ...], *,
                         folded: bool = False) -> str | None:
    """The first phrase found in ``text`` as whole words (both folded), or None.

    For short words whose letters hide inside others once folded: "gửi" is "gui", which
    ``contains_any`` finds in "người" ("nguoi"); here it needs a word of its own. A phrase of
    symbols only ("›", "»") is matched as the whole text.
    """
    haystack = text if folded else fold(text)
    for phrase in phrases:
        needle = fold(phrase)
        if not needle:
            continue
        if not _WORD.search(needle):
            if haystack.strip() == needle:
                return phrase
            continue
        if re.search(rf"(?<![0-9a-z]){re.escape(needle)}(?![0-9a-z])", haystack):
            return phrase
    return None


def contains_all_words(text: str, query: str) -> bool:
    have = set(words(text))
    need = words(query)
    return bool(need) and all(w in have for w in need)


def clip(text: str, limit: int = 200) -> str:
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
