"""Accessibility checks where axe-core is silent (issue 18): what links and images say, media
that plays by itself, links that lead to a dead end, obsolete presentational markup; and axe's
own undecided results, left to a person.

Each reads the crawl's evidence (links and their rows, statuses) or the page's content read-out
(``Page.content_access``, gather/scripts.py CONTENT_ACCESS); the words come from the
vocabulary, so an auditor can add a portal's own "Xem tiếp »" without touching code.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field

from evaluator.checks.messages import Msg, msg
from evaluator.checks.model import Finding, MissingEvidence, Outcome, Status
from evaluator.checks.registry import Params, register
from evaluator.derived import EvidenceView
from evaluator.evidence import ImageAlt, Link, Page
from evaluator.textnorm import clip, fold
from evaluator.wcag import wcag_ref

# What a name is compared by: folded (no diacritics, no case) and without the arrows, dots and
# brackets portals hang on "Xem thêm »" or "[Chi tiết]".
_DECORATION = re.compile(r"[\s\u00bb\u00ab\u203a\u2039>\-<.:…\[\]()|/*+]+")


def _bare(text: str) -> str:
    return _DECORATION.sub(" ", fold(text)).strip()


def _place(view: EvidenceView, href: str) -> str:
    """Where a link leads: the crawled page's final address when the crawl followed it, else the
    address without its fragment and trailing slash ("/a/" and "/a#top" are one place)."""
    page = view.page(href)
    target = page.final_url if page is not None else href
    try:
        parts = urlsplit(target)
    except ValueError:
        return target
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path.rstrip("/") or "/",
                       parts.query, ""))


def _without_context(link: Link) -> bool:
    """WCAG 2.4.4 (A) judges a link's purpose with its context: the list item, table row or
    card it sits in (``Link.context``, the largest ancestor holding links to this one address
    only). A link whose row says nothing more than the link has no context."""
    return not _bare(link.context) or _bare(link.context) == _bare(link.text)


class LinkPurposeParams(Params):
    # At most this many examples listed per page; the count covers all of them.
    max_findings: int = Field(5, ge=1)


@register("link_purpose", level="page", params=LinkPurposeParams, evidence="pages")
def link_purpose(view: EvidenceView, page: Page, params: LinkPurposeParams) -> Outcome:
    """Every link says where it goes, alone or with its row (WCAG 2.4.4, level A; TT 32/2017
    Đ18.1). Two problems: a link named only with a phrase that says nothing ("Xem thêm",
    "Chi tiết", "click here": vocabulary ``vague_link_texts``) outside any row that says more;
    and one name leading to different places where a link of it stands without context (a
    screen reader's list of links reads "Chi tiết, Chi tiết, Chi tiết")."""
    vague = {_bare(p) for p in view.vocab.vague_link_texts}
    links = [ln for ln in page.links if ln.via == "href" and _bare(ln.text)
             and urlsplit(ln.href).scheme in ("http", "https")]
    says_nothing = [ln for ln in links if _bare(ln.text) in vague and _without_context(ln)]
    by_name: dict[str, list[Link]] = {}
    for ln in links:
        by_name.setdefault(_bare(ln.text), []).append(ln)
    ambiguous = {name: group for name, group in by_name.items()
                 if len({_place(view, ln.href) for ln in group}) > 1
                 and any(_without_context(ln) for ln in group)}
    findings: list[Finding] = []
    for ln in says_nothing[:params.max_findings]:
        findings.append(Finding(msg("links.says_nothing", text=clip(ln.text, 60)),
                                page_url=page.final_url, snippet=clip(ln.href, 200),
                                expected=msg("links.expected")))
    for group in list(ambiguous.values())[:params.max_findings]:
        places = sorted({_place(view, ln.href) for ln in group})
        findings.append(Finding(msg("links.same_name", text=clip(group[0].text, 60),
                                    places=len(places)),
                                page_url=page.final_url, snippet=clip("; ".join(places[:3]), 300),
                                expected=msg("links.expected")))
    problems = len(says_nothing) + sum(len(g) for g in ambiguous.values())
    ok = problems == 0
    return Outcome(
        Status.PASS if ok else Status.FAIL, 1.0 if ok else 0.0, value=problems, unit="links",
        display_value=(msg("links.fine", count=len(links)) if ok else
                       msg("links.found", vague=len(says_nothing), names=len(ambiguous))),
        expected=msg("links.expected"), findings=tuple(findings), pages=(page.final_url,),
    )


class AltTextParams(Params):
    # File endings an alternative text that is a file name ends with.
    image_extensions: list[str] = Field(default_factory=lambda: [
        "jpg", "jpeg", "png", "gif", "svg", "webp", "bmp", "tif", "tiff", "ico"])
    max_findings: int = Field(5, ge=1)


# Names cameras, editors and uploads give files: IMG_0412, DSC01234, image1, untitled-3.
_CAMERA_NAME = re.compile(r"^(img|dsc|dscn|dcim|image|photo|pic|untitled|screenshot)[\s_-]*\d*$")


def _alt_problem(image: ImageAlt, vague: set[str], extensions: list[str]) -> str | None:
    alt = fold(image.alt).strip()
    stem = fold(image.file).rsplit(".", 1)[0]
    if (re.search(r"\.(" + "|".join(map(re.escape, extensions)) + r")$", alt)
            or _CAMERA_NAME.match(alt) or (len(stem) >= 3 and alt in (fold(image.file), stem))):
        return "file"
    if _bare(image.alt) in vague:
        return "vague"
    if image.adjacent and _bare(image.adjacent) == _bare(image.alt):
        return "repeat"
    return None


def _alt_message(problem: str, alt: str) -> Msg:
    if problem == "file":
        return msg("alt.file", alt=alt)
    if problem == "vague":
        return msg("alt.vague", alt=alt)
    return msg("alt.repeat", alt=alt)


@register("image_alt_meaningful", level="page", params=AltTextParams, evidence="content_access")
def image_alt_meaningful(view: EvidenceView, page: Page, params: AltTextParams) -> Outcome:
    """An image's text alternative says what the image says (WCAG 1.1.1, level A; TT 32/2017
    Đ18.1): not its file name ("banner_2.jpg", "IMG_0412"), not a word that names only the
    kind of thing ("ảnh", "logo": vocabulary ``vague_alt_texts``), not the caption or link text
    beside it said again (a screen reader reads it twice). Images with no alt at all are
    axe-core's (image-alt), in the WCAG criterion."""
    if page.content_access is None:
        raise MissingEvidence("content_access", msg("missing.content_access", url=page.final_url))
    vague = {_bare(p) for p in view.vocab.vague_alt_texts}
    found = [(image, problem) for image in page.content_access.images
             if (problem := _alt_problem(image, vague, params.image_extensions)) is not None]
    if not found:
        return Outcome(Status.PASS, 1.0, value=0,
                       display_value=msg("alt.fine", count=len(page.content_access.images)),
                       pages=(page.final_url,))
    findings = tuple(
        Finding(_alt_message(problem, clip(image.alt, 80)), page_url=page.final_url,
                selector=image.selector or None, snippet=clip(image.file, 200) or None,
                expected=msg("alt.expected"))
        for image, problem in found[:params.max_findings])
    return Outcome(Status.FAIL, 0.0, value=len(found), unit="images",
                   display_value=msg("alt.found", count=len(found),
                                     total=len(page.content_access.images)),
                   expected=msg("alt.expected"), findings=findings, pages=(page.final_url,))


@register("no_autoplay_audio", level="page", evidence="content_access")
def no_autoplay_audio(view: EvidenceView, page: Page, params: Params) -> Outcome:
    """No audio or video starts by itself with sound (WCAG 1.4.2 Audio Control, level A): a
    screen-reader user hears the page talk over their reader and must find the player's pause
    button by ear. WCAG lets a pause control excuse it; the Understanding document calls that
    the last resort, and a player that starts muted or waits for a click costs nothing, so any
    audible autoplay fails here, its controls named in the finding."""
    if page.content_access is None:
        raise MissingEvidence("content_access", msg("missing.content_access", url=page.final_url))
    loud = [m for m in page.content_access.media if (m.autoplay or m.playing) and m.audible
            and not m.muted]
    if not loud:
        return Outcome(Status.PASS, 1.0, value=0,
                       display_value=msg("autoplay.none", count=len(page.content_access.media)),
                       pages=(page.final_url,))
    findings = tuple(Finding(msg("autoplay.finding", tag=m.tag) if not m.controls else
                             msg("autoplay.finding_controls", tag=m.tag),
                             page_url=page.final_url, selector=m.selector or None,
                             snippet=clip(m.src, 200) or None, expected=msg("autoplay.expected"))
                     for m in loud[:5])
    return Outcome(Status.FAIL, 0.0, value=len(loud), unit="elements",
                   display_value=msg("autoplay.found", count=len(loud)),
                   expected=msg("autoplay.expected"), findings=findings,
                   pages=(page.final_url,))


class DeadLinkParams(Params):
    # Statuses that mean "nothing here": not found, gone.
    dead_statuses: list[int] = Field(default_factory=lambda: [404, 410])
    max_findings: int = Field(5, ge=1)


@register("no_dead_links", level="page", params=DeadLinkParams, evidence="pages")
def no_dead_links(view: EvidenceView, page: Page, params: DeadLinkParams) -> Outcome:
    """No link on the page leads to a page the crawl found missing (404, 410): a citizen's
    dead end. Judged from what the crawl saw: a link it did not follow is not guessed."""
    dead: dict[str, tuple[Link, int]] = {}
    for ln in page.links:
        if ln.via != "href":
            continue
        target = view.page(ln.href)
        if target is not None and target.status in params.dead_statuses and target is not page:
            dead.setdefault(target.final_url, (ln, target.status))
    if not dead:
        return Outcome(Status.PASS, 1.0, value=0, display_value=msg("dead.none"),
                       pages=(page.final_url,))
    findings = tuple(Finding(msg("dead.finding", text=clip(ln.text, 60) or url, status=status),
                             page_url=page.final_url, snippet=clip(url, 200),
                             expected=msg("dead.expected"))
                     for url, (ln, status) in list(dead.items())[:params.max_findings])
    return Outcome(Status.FAIL, 0.0, value=len(dead), unit="links",
                   display_value=msg("dead.found", count=len(dead)),
                   expected=msg("dead.expected"), findings=findings, pages=(page.final_url,))


@register("no_obsolete_markup", level="page", evidence="content_access")
def no_obsolete_markup(view: EvidenceView, page: Page, params: Params) -> Outcome:
    """No presentational elements HTML made obsolete (<font>, <center>, <marquee>, <big>,
    <strike>, <tt>, <blink>, frames: HTML Living Standard §16.2, non-conforming). They carry
    looks in the markup instead of the style sheet, so a reader's own colours and sizes (WCAG
    1.4.4, 1.4.12) cannot reach the text, and they mark templates nobody has maintained."""
    if page.content_access is None:
        raise MissingEvidence("content_access", msg("missing.content_access", url=page.final_url))
    found = page.content_access.obsolete
    if not found:
        return Outcome(Status.PASS, 1.0, value=0, display_value=msg("obsolete.none"),
                       pages=(page.final_url,))
    listed = ", ".join(f"<{tag}> × {count}" for tag, count in sorted(found.items()))
    return Outcome(Status.FAIL, 0.0, value=sum(found.values()), unit="elements",
                   display_value=msg("obsolete.found", elements=listed),
                   expected=msg("obsolete.expected"),
                   findings=(Finding(msg("obsolete.finding", elements=listed),
                                     page_url=page.final_url,
                                     snippet="; ".join(page.content_access.obsolete_samples)
                                     or None, expected=msg("obsolete.expected")),),
                   pages=(page.final_url,))


@register("axe_needs_review", level="site", evidence="axe")
def axe_needs_review(view: EvidenceView, params: Params) -> Outcome:
    """axe-core's *incomplete* WCAG results: what it could not decide (text over a background
    image, a contrast it cannot compute, a link told apart only by colour) is listed for a
    person to check, never counted as a failure. needs_review while any is left; pass when axe
    left nothing undecided."""
    pages = [p for p in view.html_pages if p.axe is not None]
    if not pages or all(p.axe_incomplete is None for p in pages):
        first = pages[0].final_url if pages else view.bundle.start_url
        raise MissingEvidence("axe_incomplete", msg("missing.axe_incomplete", url=first))
    rules: dict[str, list[Page]] = {}
    nodes: dict[str, int] = {}
    first_of: dict[str, tuple[Page, str, str, str | None, list[str]]] = {}
    for page in pages:
        for v in page.axe_incomplete or []:
            rules.setdefault(v.id, []).append(page)
            nodes[v.id] = nodes.get(v.id, 0) + v.node_count
            if v.id not in first_of:
                node = v.nodes[0] if v.nodes else None
                first_of[v.id] = (page, v.help, node.target if node else "",
                                  node.html if node else None, list(v.tags))
    urls = tuple(p.final_url for p in pages)
    if not rules:
        return Outcome(Status.PASS, 1.0, value=0, display_value=msg("review.none"), pages=urls)
    findings = []
    for rule_id in sorted(rules, key=lambda r: (-len(rules[r]), r)):
        page, help_text, target, html, tags = first_of[rule_id]
        ref = wcag_ref(tags)
        sc = ", ".join(ref.criteria) or "-"
        versions = " / ".join(v for v in ref.versions if v in ("2.0", "2.1")) or "2.x"
        findings.append(Finding(
            msg("review.rule", rule=rule_id, help=help_text, sc=sc, versions=versions,
                pages=len(rules[rule_id])),
            page_url=page.final_url, selector=target or None,
            snippet=clip(html, 200) if html else None, value=str(nodes[rule_id]),
            expected=msg("review.expected")))
    return Outcome(Status.NEEDS_REVIEW, None, value=len(rules), unit="rules",
                   display_value=msg("review.found", count=len(rules),
                                     nodes=sum(nodes.values())),
                   expected=msg("review.expected"), findings=tuple(findings), pages=urls)
