"""Which links the crawl follows first (issue 16): where the criteria look, before news.

A real homepage carries hundreds of links (news, banners, partner logos: CONFIG-FACTS.md §6)
and the crawl has ``max_pages`` (60). Breadth-first in document order spends the budget on the
first news items; the criteria need the catalogue and enough of its pages to sample services,
the status lookup, FAQ, feedback, rating, statistics, guides, login and payment pages. So each
link gets a class, lowest first:

0. its name is a role's menu label (vocabulary.yaml ``labels``) and short, as menu entries are
   (a news headline that mentions "hướng dẫn" is a sentence, not an entry);
1. it stands on the catalogue or one of its pages: the catalogue's next pages and its services;
2. it is part of the site's frame (header, menu, footer), was found behind a button or onclick
   element (menus are), or stands on a role's page (the guides a guide index lists);
3. everything else (news, banners, partner logos).

Pure: no browser. The crawler orders by (class, depth, order found).
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluator.derived import path_of
from evaluator.evidence import Link
from evaluator.textnorm import contains_any, fold

# Roles in the order their labels are tried: the specific before the general ("Tra cứu hồ sơ"
# is the status lookup before it is a "Tra cứu" search).
ROLE_ORDER = ("status_lookup", "catalogue", "faq", "feedback", "rating", "statistics", "guides",
              "payment", "login", "contact", "search")
# A menu entry's name is short; "Hướng dẫn thực hiện Nghị định 42/2022 về dịch vụ công" is a
# headline. 60 characters holds every label of vocabulary.yaml with room for "Tra cứu kết quả
# giải quyết hồ sơ trực tuyến".
MAX_LABEL_CHARS = 60
ROLE_LINK, CATALOGUE_PAGE, FRAME, OTHER = 0, 1, 2, 3


@dataclass(frozen=True)
class Rank:
    priority: int
    # The role the linked page is taken to play: a role of ROLE_ORDER, "catalogue" for the
    # catalogue's own next pages, "service" for what the catalogue lists, else None.
    role: str | None


class LinkRanker:
    def __init__(self, labels: dict[str, list[str]]) -> None:
        self._labels = [(role, [fold(x) for x in labels.get(role, []) if x.strip()])
                        for role in ROLE_ORDER if labels.get(role)]

    def role_of(self, text: str) -> str | None:
        """The role whose label names this link, for a short name; else None."""
        name = fold(text)
        if not name or len(name) > MAX_LABEL_CHARS:
            return None
        for role, labels in self._labels:
            if contains_any(name, labels, folded=True) is not None:
                return role
        return None

    def rank(self, link: Link, parent_role: str | None, parent_url: str) -> Rank:
        role = self.role_of(link.text)
        if role is not None:
            return Rank(ROLE_LINK, role)
        if parent_role == "catalogue":
            same = path_of(link.href) == path_of(parent_url)
            return Rank(CATALOGUE_PAGE, "catalogue" if same else "service")
        if (link.region in ("header", "nav", "footer") or link.via != "href"
                or (parent_role is not None and parent_role not in ("home", "service"))):
            return Rank(FRAME, None)
        return Rank(OTHER, None)
