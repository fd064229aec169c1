"""Pydantic models of the criteria files. Unknown keys are rejected (extra="forbid")."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Bilingual text, the grade bands and who fixes what live in the base layer (results carry
# them too); they are part of this schema's vocabulary, so they are named here as well.
from evaluator.base.text import FIXED_BY as FIXED_BY
from evaluator.base.text import Band as Band
from evaluator.base.text import FixedBy as FixedBy
from evaluator.base.text import Text as Text
from evaluator.base.text import band_index as band_index

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SCOPE_PATTERN = re.compile(r"^(site|start_page|every_page|key_pages|key_page:[a-z_]+)$")

# The key templates the mobile lane measures, in the order it measures them. The same values as
# evaluator/gather/key_pages.py ROLES; defined here, in a pure module, so the loader can check
# `scope: key_page:<role>` without importing the browser stage (key_pages.py may import this).
KEY_PAGE_ROLES: tuple[str, ...] = (
    "home", "catalogue", "service", "search_results", "status_lookup", "faq",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pillar(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: Text
    points: float = Field(gt=0)


class Inherit(_Strict):
    """Criteria taken from the base profile into one pillar of this one.

    ``from_pillar`` takes every criterion of a base pillar (so a criterion added to it later is
    taken too); ``ids`` names them one by one. ``normalise_to`` rescales their points in
    proportion so they add up to that many (RESEARCH.md §3.4 "scale"/"normalise"); without it
    the base's points are kept.
    """

    pillar: str = Field(pattern=ID_PATTERN)
    from_pillar: str | None = None
    ids: list[str] = Field(default_factory=list)
    normalise_to: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_source(self) -> Inherit:
        if (self.from_pillar is None) == (not self.ids):
            raise ValueError("give either from_pillar or ids")
        return self


class Override(_Strict):
    """One inherited criterion moved to another pillar or given other points (after inherit)."""

    id: str = Field(pattern=ID_PATTERN)
    pillar: str | None = Field(None, pattern=ID_PATTERN)
    points: float | None = Field(None, ge=0)


class Profile(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: Text
    source: str = Field(min_length=1)
    pillars: list[Pillar] = Field(min_length=1)
    bands: list[Band] = Field(min_length=1)
    # What an `error` outcome earns: "zero" counts its points as lost (visible in the report,
    # never silently dropped from the denominator).
    error_policy: Literal["zero"] = "zero"
    # Extra criteria files; a profile that extends another may add none.
    criteria_files: list[str] = Field(default_factory=list)
    # Relative to this profile's folder. Unset: "vocabulary.yaml", or the base's when it extends.
    vocabulary: str | None = None
    # A profile built from another one's criteria (loader.py: extends, inherit, overrides).
    extends: str | None = None
    inherit: list[Inherit] = Field(default_factory=list)
    overrides: list[Override] = Field(default_factory=list)
    # Base criteria deliberately left out. Every base criterion must be inherited or excluded,
    # so a criterion added to the base later is never dropped without anyone deciding it.
    exclude: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _own_or_inherited(self) -> Profile:
        if self.extends is None:
            if not self.criteria_files:
                raise ValueError("criteria_files must list at least one file")
            if self.inherit or self.overrides or self.exclude:
                raise ValueError("inherit, overrides and exclude need 'extends: <base profile>'")
        elif not self.inherit:
            raise ValueError("a profile that extends another must say what it inherits")
        return self

    @model_validator(mode="after")
    def _bands_descend(self) -> Profile:
        mins = [b.min for b in self.bands]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("bands must be listed from the highest 'min' down, each min distinct")
        if mins[-1] != 0:
            raise ValueError("the last band must start at min: 0 so every total gets a grade")
        return self




class TermGroup(_Strict):
    """One thing looked for in page text (a mandatory field, a rating level, a statistics
    series), named in both languages, found when any of its ``match`` phrases occurs."""

    id: str = Field(pattern=ID_PATTERN)
    label: Text
    match: list[str] = Field(min_length=1)


class CriterionVocabulary(_Strict):
    """Words that only one criterion uses, written beside it instead of in ``vocabulary.yaml``.

    The loader merges them into the profile's vocabulary before anything reads it, so gathering
    (which follows a role's labels to its page) and the checks see one vocabulary either way.
    A key the vocabulary, or another criterion, already defines is refused with file:line: a
    list of words lives in one place. Shared lists (a role several criteria judge) belong in
    ``vocabulary.yaml``; this keeps a new criterion's story in its own YAML entry.
    """

    # Link labels of a role page (``labels.<role>`` of the vocabulary).
    labels: dict[str, Annotated[list[str], Field(min_length=1)]] = Field(default_factory=dict)
    # Term groups a role page must carry (``page_terms.<name>``, check role_page ``terms:``).
    page_terms: dict[str, Annotated[list[TermGroup], Field(min_length=1)]] = Field(
        default_factory=dict)


class Criterion(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    pillar: str
    fixed_by: FixedBy
    title: Text
    failure_title: Text
    description: Text
    fix: Text
    # The legal or technical source of the criterion and of its thresholds and points.
    source: str = Field(min_length=1)
    points: float = Field(ge=0)
    check: str
    params: dict[str, Any] = Field(default_factory=dict)
    scope: str = "site"
    aggregate: Literal["all", "any", "ratio", "worst"] = "all"
    scoring: Literal["binary", "ratio"] = "binary"
    manual: bool = False
    tags: list[str] = Field(default_factory=list)
    # The words this criterion alone needs (CriterionVocabulary): merged into the profile's.
    vocabulary: CriterionVocabulary | None = None
    # Where a profile that extends this one places it: {profile id: that profile's pillar id}.
    # The criterion joins the first `inherit` entry of that profile filling that pillar (and its
    # normalise_to), so a criterion added to the base later says where it belongs in its own
    # entry instead of in every extending profile's `ids` list. Other profiles ignore the key.
    place_in: dict[str, Annotated[str, Field(pattern=ID_PATTERN)]] = Field(default_factory=dict)

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: str) -> str:
        if not SCOPE_PATTERN.match(value):
            raise ValueError(
                "scope must be site, start_page, every_page, key_pages or key_page:<role>"
            )
        # A misspelt role would load, then be not_applicable on every portal and its points
        # would silently leave the pillar's denominator: reject it here.
        role = value.removeprefix("key_page:")
        if value.startswith("key_page:") and role not in KEY_PAGE_ROLES:
            raise ValueError(
                f"unknown key-page role '{role}' (known: {', '.join(KEY_PAGE_ROLES)})"
            )
        return value


class CriteriaFile(_Strict):
    criteria: list[Criterion] = Field(min_length=1)


class EssentialService(_Strict):
    """An essential online service (Đề án 06), found on a page by any of its ``match`` names."""

    name: str = Field(min_length=1)
    match: list[str] = Field(min_length=1)


class Vocabulary(_Strict):
    """The auditor's configuration: menu labels, answers, queries, host allow-lists and lists of
    services, fields and languages. Texts are matched without diacritics and case."""

    labels: dict[str, list[str]]
    not_found_phrases: list[str] = Field(min_length=1)
    level_full: list[str] = Field(min_length=1)
    level_partial: list[str] = Field(min_length=1)
    search_queries: list[str] = Field(min_length=1)
    status_lookup_code: str = Field(min_length=1)
    status_lookup_inputs: list[str] = Field(min_length=1)
    search_inputs: list[str] = Field(min_length=1)
    # National identity providers a portal's "Đăng nhập" may hand over to (host names).
    identity_providers: list[str] = Field(min_length=1)
    # Texts of the button on a portal's own login page that hands over to the national IdP.
    identity_link_labels: list[str] = Field(min_length=1)
    # Online payment platforms and gateways (host names; subdomains count).
    payment_hosts: list[str] = Field(min_length=1)
    essential_services: list[EssentialService] = Field(min_length=1)
    # Mandatory fields of a service page (TT 32/2017/TT-BTTTT Đ5.1).
    service_fields: list[TermGroup] = Field(min_length=1)
    # How a downloadable form (mẫu đơn, tờ khai) is linked: file endings and link texts.
    form_extensions: list[str] = Field(min_length=1)
    form_link_labels: list[str] = Field(min_length=1)
    # The satisfaction scale (TT 32/2017/TT-BTTTT Đ12) and the statistics series (Đ11.3).
    rating_levels: list[TermGroup] = Field(min_length=1)
    statistics_series: list[TermGroup] = Field(min_length=1)
    # Ethnic-minority languages: BCP 47 / ISO 639 codes of `lang` attributes, and keywords.
    minority_language_codes: list[str] = Field(min_length=1)
    minority_language_keywords: list[str] = Field(min_length=1)
    # Hosts of embedded video players counted as a video guide (an <iframe> to them).
    video_embed_hosts: list[str] = Field(min_length=1)
    # -- script-driven portals (issue 16) --
    # Names of controls the evaluator never activates: they act (submit, send, register, pay,
    # delete, cancel, sign out). Matched as whole words, without diacritics.
    side_effect_words: list[str] = Field(min_length=1)
    # The third level of NĐ 42/2022/NĐ-CP: a service that only informs online.
    level_info: list[str] = Field(min_length=1)
    # Words of an error page answered with HTTP 200 ("Không tìm thấy trang"): such an answer to a
    # lookup or a search is not an answer.
    error_page_phrases: list[str] = Field(min_length=1)
    # Names of a pager's "next page" control.
    pager_next_labels: list[str] = Field(min_length=1)
    # Words a statistics page puts before the date its figures belong to ("cập nhật đến ngày").
    statistics_date_words: list[str] = Field(min_length=1)
    # -- accessibility where axe-core is silent (issue 18) --
    # Link names that say nothing alone (WCAG 2.4.4): "Xem thêm", "Chi tiết", "click here".
    # Compared whole, without diacritics, case and the arrows around them ("Xem thêm »").
    vague_link_texts: list[str] = Field(min_length=1)
    # Image alternatives that name only the kind of thing (WCAG 1.1.1): "ảnh", "logo", "banner".
    vague_alt_texts: list[str] = Field(min_length=1)
    # Common words of minority languages written in Latin letters, by language code: a guide
    # with several of them holds text in that language, not only its name (Hmong RPA…).
    minority_language_words: dict[str, list[str]] = Field(default_factory=dict)
    # Term groups a role page must carry, by name, for criteria that name them (check role_page,
    # `measure: terms`, `terms: <name>`): a new criterion of that kind is data, not code.
    page_terms: dict[str, list[TermGroup]] = Field(default_factory=dict)

    @field_validator("labels")
    @classmethod
    def _known_roles(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        missing = {"catalogue", "status_lookup", "faq", "feedback", "search", "login", "guides",
                   "rating", "statistics"} - set(value)
        if missing:
            raise ValueError(f"labels lacks role(s): {', '.join(sorted(missing))}")
        return value


@runtime_checkable
class NeedsVocabulary(Protocol):
    """Check params that name vocabulary entries; the loader asks them once the vocabulary loads.

    A misspelt entry (``role: feedbak``) then fails at load time with file:line, instead of
    loading and turning into an ``error`` outcome on every portal.
    """

    def vocabulary_problem(self, vocabulary: Vocabulary) -> tuple[str, str] | None:
        """``(param name, why)`` when the vocabulary lacks what the params need, else None."""
        ...
