"""The homepage's frame as a citizen sees it on arrival: header and footer text, the top-level
menu, language alternates (hreflang) and pop-ups/modals open after load (RESEARCH.md T09-T11).

One visit of the start page in its own tab after the crawl; plain JSON-able data, no judgement
(checks/layout.py judges it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from evaluator.browser import Tab
from evaluator.evidence import HomepageLayout, LanguageAlternate

# Runs in the page. Header/footer: the first <header>/role=banner and the last
# <footer>/role=contentinfo. Top-level menu: the direct items of the first list of the first
# <nav> (a dropdown's items are nested deeper and do not count); without a <nav>, the first row
# of four or more named clickables in the top of the page (issue 16). Pop-ups: open <dialog>s,
# role=dialog/alertdialog, aria-modal, and fixed/sticky boxes covering > 30 % of the viewport.
LAYOUT_SCRIPT = r"""
() => {
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
      && parseFloat(s.opacity || '1') > 0;
  };
  const text = (el) => el ? (el.innerText || '').replace(/\s+\n/g, '\n').trim().slice(0, 3000) : null;
  const header = document.querySelector('header, [role="banner"]');
  const footers = document.querySelectorAll('footer, [role="contentinfo"]');
  const nav = document.querySelector('nav, [role="navigation"]');
  let menu = null;
  if (nav) {
    const list = nav.querySelector('ul, ol, [role="menubar"]');
    if (list) {
      menu = [...list.children].filter(shown)
        .map((li) => (li.innerText || '').trim().split('\n')[0].slice(0, 80));
    } else {
      menu = [...nav.querySelectorAll('a[href]')].filter(shown)
        .map((a) => (a.innerText || '').trim().slice(0, 80));
    }
  }
  if (!nav) {
    // No <nav> (landmark-free portals: the national portal's menu is a row of buttons): the
    // first row of at least four named clickables side by side in the top of the page.
    const clickable = (el) => el.matches('a[href], button, [onclick], [role=link], [role=button], ' +
        '[role=menuitem]') || getComputedStyle(el).cursor === 'pointer' ||
        !!el.querySelector('a[href], button, [onclick], [role=link], [role=button]');
    const name = (el) => (el.innerText || '').trim().split('\n')[0].slice(0, 80);
    const bottom = Math.max(innerHeight, 900) * 0.8;
    let scanned = 0;
    for (const parent of document.body ? document.body.querySelectorAll('*') : []) {
      if (++scanned > 5000) break;
      if (parent.children.length < 4) continue;
      const box = parent.getBoundingClientRect();
      if (box.top + scrollY > bottom || !shown(parent)) continue;
      const kids = [...parent.children].filter(shown);
      const items = kids.filter((k) => clickable(k) && name(k));
      if (items.length < 4 || items.length < kids.length * 0.8) continue;
      const top = items[0].getBoundingClientRect().top;
      if (items.filter((k) => Math.abs(k.getBoundingClientRect().top - top) < 12).length < 4) continue;
      menu = items.map(name);
      break;
    }
  }
  const alternates = [...document.querySelectorAll('link[rel~="alternate"][hreflang], a[hreflang]')]
    .map((el) => ({lang: el.getAttribute('hreflang') || '', href: el.href || ''}))
    .slice(0, 50);
  const area = innerWidth * innerHeight;
  const popups = [];
  for (const el of document.querySelectorAll('body *')) {
    if (popups.length >= 10) break;
    const s = getComputedStyle(el);
    const dialog = el.matches('dialog[open], [role="dialog"], [role="alertdialog"], [aria-modal="true"]');
    const fixed = (s.position === 'fixed' || s.position === 'sticky');
    if (!dialog && !fixed) continue;
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    const cover = Math.min(r.width, innerWidth) * Math.min(r.height, innerHeight) / area;
    if (dialog || cover > 0.3) {
      popups.push({tag: el.tagName.toLowerCase(), cover: Math.round(cover * 100) / 100,
                   text: (el.innerText || '').trim().slice(0, 200)});
    }
  }
  return {
    header_text: text(header), footer_text: footers.length ? text(footers[footers.length - 1]) : null,
    menu_items: menu, alternates, popups,
  };
}
"""


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


async def gather_layout(new_tab: Callable[[], Awaitable[Tab]], url: str, timeout_ms: float,
                        settle_ms: float, settle_quiet_ms: int = 300,
                        settle_cap_ms: int = 5000) -> HomepageLayout:
    """Open ``url`` in a fresh tab, let it settle (a script-built homepage has its frame only
    then), wait the rest of ``settle_ms`` for pop-ups that open after load, read."""
    tab = await new_tab()
    try:
        nav = await tab.goto(url, timeout_ms)
        if nav.error is not None:
            return HomepageLayout(url=url, final_url=nav.final_url, error=nav.error)
        report = await tab.settle_until_quiet(settle_quiet_ms, settle_cap_ms)
        if report.waited_ms < settle_ms:
            await tab.settle(settle_ms - report.waited_ms)
        raw = await tab.evaluate(LAYOUT_SCRIPT)
    finally:
        await tab.close()
    data = raw if isinstance(raw, dict) else {}
    menu = data.get("menu_items")
    alternates = [LanguageAlternate(lang=str(a.get("lang", ""))[:35], href=str(a.get("href", "")))
                  for a in data.get("alternates") or [] if isinstance(a, dict)]
    popups = [str(p.get("text", "")) or str(p.get("tag", "")) for p in data.get("popups") or []
              if isinstance(p, dict)]
    return HomepageLayout(
        url=url, final_url=nav.final_url, status=nav.status,
        header_text=_str_or_none(data.get("header_text")),
        footer_text=_str_or_none(data.get("footer_text")),
        menu_items=[str(m) for m in menu] if isinstance(menu, list) else None,
        alternates=alternates, popups=popups,
    )
