"""Which links the crawl follows first (issue 16): where the criteria look, before news.

A real homepage carries hundreds of links (news, banners, partner logos: CONFIG-FACTS.md §6)
and the crawl has ``max_pages`` (60). Breadth-first in document order spends the budget on the
first news items; the criteria need the catalogue and enough of its pages to sample services,
the status lookup, FAQ, feedback, rating, statistics, guides, login and payment pages. So each
link gets a class, lowest first:

0. its name is a role's menu label (vocabulary.yaml ``labels``), nearly word for word (a news
   headline that mentions "hướng dẫn" is a sentence, not an entry), or the label of a link in
   the site's frame or behind a button; the closest names first, and two pages a role at
   most in this class (crawl/crawler.py), so twenty headlines about "thống kê" cannot take the
   budget;
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
# A menu entry is its label and a word or two ("Hướng dẫn sử dụng", "Phản ánh, kiến nghị",
# "Danh mục thủ tục hành chính": 8-11 characters more than the label once folded); "Văn phòng
# UBND tỉnh hướng dẫn cải cách hành chính" is a headline. Links in the frame or behind a
# button are menu entries whatever their length, up to MAX_LABEL_CHARS.
MAX_EXTRA_CHARS = 12
MAX_LABEL_CHARS = 60
ROLE_LINK, CATALOGUE_PAGE, FRAME, OTHER = 0, 1, 2, 3


@dataclass(frozen=True)
class Rank:
    priority: int
    # The role the linked page is taken to play: a role of ROLE_ORDER, "catalogue" for the
    # catalogue's own next pages, "service" for what the catalogue lists, else None.
    role: str | None
    # Within a class: how many characters the name has beyond the role's label (0: the label
    # itself), so the menu's "Thống kê" comes before "Thống kê tháng 11".
    closeness: int = 0


class LinkRanker:
    def __init__(self, labels: dict[str, list[str]]) -> None:
        self._labels = [(role, [fold(x) for x in labels.get(role, []) if x.strip()])
                        for role in ROLE_ORDER if labels.get(role)]

    def role_of(self, text: str) -> tuple[str, int] | None:
        """The role whose label names this link and how many characters the name has beyond
        that label, for a name of at most MAX_LABEL_CHARS; else None."""
        name = fold(text)
        if not name or len(name) > MAX_LABEL_CHARS:
            return None
        for role, labels in self._labels:
            hit = contains_any(name, labels, folded=True)
            if hit is not None:
                return role, len(name) - len(fold(hit))
        return None

    def rank(self, link: Link, parent_role: str | None, parent_url: str) -> Rank:
        named = self.role_of(link.text)
        in_frame = link.region in ("header", "nav", "footer") or link.via != "href"
        if named is not None and (named[1] <= MAX_EXTRA_CHARS or in_frame):
            return Rank(ROLE_LINK, named[0], named[1])
        if parent_role == "catalogue":
            same = path_of(link.href) == path_of(parent_url)
            return Rank(CATALOGUE_PAGE, "catalogue" if same else "service")
        if in_frame or (parent_role is not None and parent_role not in ("home", "service")):
            return Rank(FRAME, None)
        return Rank(OTHER, None)
