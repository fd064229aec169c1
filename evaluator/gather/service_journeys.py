"""Read-only journeys of the functionality pillar beyond search and status lookup: the login
hand-over (F06), a seeded sample of service pages and their forms (F02), and the guides (F17).

Politeness and safety: these journeys only follow links (GET) and fetch files; they never type
into, nor submit, any form. The login journey stops where the identity provider's page opens:
no credential is typed, no account is registered.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from evaluator.browser import Tab
from evaluator.crawl.frontier import SKIP_EXTENSIONS
from evaluator.criteria.schema import Vocabulary
from evaluator.derived import EvidenceView, normalise_url, on_hosts, origin, same_owner
from evaluator.evidence import (
    FormDownload,
    GuidePage,
    GuidesJourney,
    Link,
    LoginJourney,
    LoginStep,
    ServicePageSample,
    ServiceSampleJourney,
)
from evaluator.gather import coerce, scripts
from evaluator.gather.journeys import JourneyLimits, open_settled
from evaluator.gather.page import LIMITS, one_line
from evaluator.textnorm import contains_any

NewTab = Callable[[], Awaitable[Tab]]


@dataclass(frozen=True)
class Download:
    status: int | None
    size: int
    error: str | None = None
    content_type: str = ""
    disposition: str = ""


Fetch = Callable[[str], Awaitable[Download]]

# Text kept per service page: the mandatory fields of TT 32/2017 Đ5.1 sit in its first screens.
SERVICE_TEXT_CHARS = 8000
GUIDE_TEXT_CHARS = 2000
MAX_FORMS_PER_SERVICE = 3
MAX_GUIDE_PAGES = 8

# Media and language marks of a guide page, in one round trip.
GUIDE_MEDIA = r"""
(hosts) => {
  const embeds = [...document.querySelectorAll('iframe[src]')].filter((f) => {
    let host = '';
    try { host = new URL(f.src, location.href).hostname.toLowerCase(); } catch (e) { return false; }
    return hosts.some((h) => host === h || host.endsWith('.' + h));
  }).length;
  const langs = new Set();
  for (const el of document.querySelectorAll('body [lang]')) {
    const v = (el.getAttribute('lang') || '').trim().toLowerCase();
    if (v && langs.size < 20) langs.add(v.slice(0, 20));
  }
  return {videos: document.querySelectorAll('video').length,
          audios: document.querySelectorAll('audio').length,
          video_embeds: embeds, langs: [...langs]};
}
"""


async def _read(tab: Tab) -> dict[str, object]:
    data = await tab.evaluate(scripts.EXTRACT_PAGE, LIMITS)
    return data if isinstance(data, dict) else {}


# -- login (F06) -----------------------------------------------------------------------------


# Hops of the login journey at most: "Đăng nhập" → the portal's own login page or its sign-in
# subdomain (sso.<tỉnh>.gov.vn) → its "VNeID" button → the identity provider.
MAX_LOGIN_HOPS = 3
DiscoverLinks = Callable[[Tab, str], Awaitable[list[Link]]]


async def login_journey(view: EvidenceView, new_tab: NewTab, vocab: Vocabulary,
                        limits: JourneyLimits, identity_hosts: Sequence[str] = (),
                        discover: DiscoverLinks | None = None) -> LoginJourney:
    """Follow "Đăng nhập" and, on the portal's own login page, the national-ID button.

    Records the first URL that is no longer the portal's own: neither its origin nor a sibling
    host of its registered domain (its sign-in subdomain), or an identity provider's
    (``identity_hosts``: the vocabulary's and the trusted ones) even under the portal's domain.
    The portal's own pages on the way are read for a password box and for the button that
    hands over; a button that is not a link is followed through ``discover`` (sealed: nothing
    is submitted, gather/discover.py). No credential is ever typed.
    """
    found = view.find_role_link("login")
    if found is None:
        return LoginJourney(link_found=False, error="no link labelled for login")
    link, _on = found
    portal = view.site_origin

    def portals_own(url: str) -> bool:
        return ((origin(url) == portal or same_owner(url, portal))
                and not on_hosts(url, identity_hosts))

    steps: list[LoginStep] = []
    password_form = False
    tab = await new_tab()
    try:
        target = link.href
        for _hop in range(MAX_LOGIN_HOPS):
            nav = await open_settled(tab, target, limits)
            steps.append(LoginStep(url=target, final_url=nav.final_url, status=nav.status,
                                   error=nav.error))
            if nav.error is None and nav.final_url and not portals_own(nav.final_url):
                return LoginJourney(link_found=True, link_text=link.text, steps=steps,
                                    identity_url=nav.final_url, password_form=password_form)
            if nav.error is not None:
                break
            data = await _read(tab)
            forms = coerce.forms_from(data.get("forms"), LIMITS["forms"])
            password_form = password_form or any(
                i.type == "password" for f in forms for i in f.inputs)
            links = coerce.links_from(data.get("links"), LIMITS["links"])
            handover = _handover_link(links, vocab, portal)
            if handover is None and discover is not None:
                handover = _handover_link(await discover(tab, nav.final_url), vocab, portal)
            if handover is None:
                break
            target = handover.href
        return LoginJourney(link_found=True, link_text=link.text, steps=steps,
                            password_form=password_form)
    except Exception as exc:
        return LoginJourney(link_found=True, link_text=link.text, steps=steps,
                            password_form=password_form, error=one_line(exc))
    finally:
        await tab.close()


def _handover_link(links: list[Link], vocab: Vocabulary, portal: str) -> Link | None:
    """The button handing over to the national IdP: labelled so, or already off-site."""
    web = [ln for ln in links if ln.href.startswith(("http:", "https:"))
           and ln.region not in ("nav", "footer")]
    labelled = [ln for ln in web if contains_any(ln.text, vocab.identity_link_labels)]
    return labelled[0] if labelled else None


# -- service pages and forms (F02) -------------------------------------------------------------


def sample_services(view: EvidenceView, size: int, seed: int) -> list[tuple[str, str]]:
    """``size`` services of the catalogue, drawn with ``seed`` from the list sorted by URL."""
    services = sorted({s.url: s.name for s in view.services}.items())
    if len(services) <= size:
        return services
    return sorted(random.Random(seed).sample(services, size))


def form_links(links: list[Link], vocab: Vocabulary, site_origin: str) -> list[Link]:
    """Same-site links to downloadable forms: by file ending, or by label ("Tải mẫu")."""
    out: dict[str, Link] = {}
    for ln in links:
        if origin(ln.href) != site_origin:
            continue
        path = urlsplit(ln.href).path.lower()
        if path.endswith(tuple(vocab.form_extensions)) or contains_any(ln.text,
                                                                      vocab.form_link_labels):
            out.setdefault(normalise_url(ln.href), ln)
    return list(out.values())[:MAX_FORMS_PER_SERVICE]


async def service_sample_journey(
    view: EvidenceView, new_tab: NewTab, fetch: Fetch, vocab: Vocabulary, limits: JourneyLimits,
    size: int, seed: int, concurrency: int = 1,
) -> ServiceSampleJourney:
    """The seeded sample of service pages and their downloadable forms. A page the crawl read in
    full is not visited again; the others are opened ``concurrency`` at a time (the crawl's own
    politeness, ``Settings.concurrency``): on a portal that takes seconds per page the visits
    are nearly all waiting, and one at a time they were most of a slow portal's journeys."""
    chosen = sample_services(view, size, seed)
    slots = asyncio.Semaphore(max(1, concurrency))

    async def visit(service_url: str, name: str) -> ServicePageSample:
        # target_of: a service behind a hash route (#/thu-tuc/1) is not the page it is drawn in.
        crawled = view.target_of(service_url)
        links: list[Link]
        if crawled is not None and crawled.error is None and crawled.status is not None:
            # The crawl already read it in full: no second visit.
            sample = ServicePageSample(url=service_url, name=name, final_url=crawled.final_url,
                                       status=crawled.status,
                                       text=crawled.text[:SERVICE_TEXT_CHARS])
            links = list(crawled.links)
        else:
            async with slots:
                tab = await new_tab()
                try:
                    nav = await open_settled(tab, service_url, limits)
                    data = await _read(tab) if nav.error is None else {}
                    sample = ServicePageSample(
                        url=service_url, name=name, final_url=nav.final_url, status=nav.status,
                        text=coerce.text(data.get("text"), SERVICE_TEXT_CHARS), error=nav.error)
                    links = coerce.links_from(data.get("links"), LIMITS["links"])
                except Exception as exc:
                    sample = ServicePageSample(url=service_url, name=name, error=one_line(exc))
                    links = []
                finally:
                    await tab.close()
        downloads = []
        for ln in form_links(links, vocab, view.site_origin):
            async with slots:
                got = await fetch(ln.href)
            downloads.append(FormDownload(url=ln.href, text=ln.text[:200], status=got.status,
                                          bytes=got.size, error=got.error,
                                          content_type=got.content_type,
                                          disposition=got.disposition))
        return sample.model_copy(update={"forms": downloads})

    # gather keeps the sample's order, whatever order the visits end in.
    journey_pages = list(await asyncio.gather(*(visit(url, name) for url, name in chosen)))
    return ServiceSampleJourney(sample_size=size, seed=seed, services_total=len(view.services),
                                pages=journey_pages)


# -- guides (F17) --------------------------------------------------------------------------------


async def guides_journey(view: EvidenceView, new_tab: NewTab, vocab: Vocabulary,
                         limits: JourneyLimits) -> GuidesJourney:
    """The guide section and up to MAX_GUIDE_PAGES guides it links: media and languages."""
    found = view.find_role_link("guides")
    if found is None:
        return GuidesJourney(found=False, error="no link labelled for guides")
    index_url = found[0].href
    targets = [index_url]
    index = view.page(index_url)
    if index is not None:
        for ln in index.links:
            key = normalise_url(ln.href)
            # Guides the crawl did not reach are visited too (the budget may have run out);
            # files (a PDF guide) are not pages to read media from.
            if (view.same_site(ln.href) and ln.region not in ("header", "nav", "footer")
                    and key not in view.template_hrefs and ln.text.strip()
                    and key not in {normalise_url(t) for t in targets}
                    and not urlsplit(ln.href).path.lower().endswith(SKIP_EXTENSIONS)):
                targets.append(ln.href)
    pages: list[GuidePage] = []
    for target in targets[: MAX_GUIDE_PAGES + 1]:
        tab = await new_tab()
        try:
            nav = await open_settled(tab, target, limits)
            if nav.error is not None:
                pages.append(GuidePage(url=target, final_url=nav.final_url, status=nav.status,
                                       error=nav.error))
                continue
            media = await tab.evaluate(GUIDE_MEDIA, vocab.video_embed_hosts)
            media = media if isinstance(media, dict) else {}
            data = await _read(tab)
            langs = media.get("langs")
            pages.append(GuidePage(
                url=target, final_url=nav.final_url, status=nav.status,
                title=coerce.text(data.get("title"), 300),
                videos=coerce.int_or_none(media.get("videos")) or 0,
                audios=coerce.int_or_none(media.get("audios")) or 0,
                video_embeds=coerce.int_or_none(media.get("video_embeds")) or 0,
                langs=[str(x)[:20] for x in langs[:20]] if isinstance(langs, list) else [],
                text=coerce.text(data.get("text"), GUIDE_TEXT_CHARS),
            ))
        except Exception as exc:
            pages.append(GuidePage(url=target, error=one_line(exc)))
        finally:
            await tab.close()
    return GuidesJourney(found=True, index_url=index_url, pages=pages)
