"""Bilingual text, who fixes what, and the grade bands: what criteria and results both carry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A string in both report languages; neither may be empty."""

    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Band(_Strict):
    grade: str = Field(min_length=1, max_length=2)
    min: float = Field(ge=0, le=100)


def band_index(grade: str | None, bands: Sequence[Band]) -> int | None:
    """Position of ``grade`` in the profile's bands, best first (0 = A); None if absent."""
    return next((i for i, band in enumerate(bands) if band.grade == grade), None)


# Who usually makes a criterion's fix, for the report's "Fix first" list: content editors (text,
# menus, pages and files published through the portal's CMS), developers (templates, features,
# integrations, scripts and styles) or server/infrastructure staff (web server, TLS, DNS,
# hosting, capacity). Every criterion says it: there is no default, so a new criterion cannot
# land in a provincial team's list under the wrong people without someone deciding.
FixedBy = Literal["content", "development", "infrastructure"]
FIXED_BY: tuple[str, ...] = ("content", "development", "infrastructure")
