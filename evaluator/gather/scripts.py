"""JavaScript run in portal pages. Kept here, as data, so no gatherer builds scripts ad hoc."""

# Installed before any page script runs: buffers LCP and layout shifts for read-out after load.
# CLS is the largest session window (shifts < 1 s apart, window ≤ 5 s) of ALL shifts, as
# Lighthouse computes it for a load; hadRecentInput is ignored because mobile emulation sets it
# on every shift (ENVIRONMENT.md).
TIMING_INIT = r"""
(() => {
  const t = (window.__peTimings = {lcp: null, cls: 0, windows: []});
  let cur = 0, first = 0, last = 0;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) t.lcp = e.renderTime || e.loadTime || e.startTime;
    }).observe({type: 'largest-contentful-paint', buffered: true});
  } catch (e) {}
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (cur && e.startTime - last < 1000 && e.startTime - first < 5000) { cur += e.value; }
        else { cur = e.value; first = e.startTime; }
        last = e.startTime;
        if (cur > t.cls) t.cls = cur;
      }
    }).observe({type: 'layout-shift', buffered: true});
  } catch (e) {}
})();
"""

# The page can replace performance.* or window.__peTimings with anything: each read is guarded
# here, and gather/coerce.py checks the types again in Python.
READ_TIMINGS = r"""
() => {
  const read = (f) => { try { return f(); } catch (e) { return null; } };
  const nav = read(() => performance.getEntriesByType('navigation')[0]);
  const fcp = read(() => performance.getEntriesByName('first-contentful-paint')[0]);
  const t = read(() => window.__peTimings) || {};
  const pos = (v) => (typeof v === 'number' && v > 0 ? v : null);
  return {
    ttfb_ms: read(() => pos(nav.responseStart)),
    fcp_ms: read(() => pos(fcp.startTime)),
    lcp_ms: read(() => pos(t.lcp)),
    cls: read(() => (typeof t.cls === 'number' && t.cls >= 0 ? t.cls : null)),
    dom_content_loaded_ms: read(() => pos(nav.domContentLoadedEventEnd)),
    load_ms: read(() => pos(nav.loadEventEnd)),
  };
}
"""

# Everything a check needs from a document, in one round trip. Texts are clipped so a hostile
# 50 MB page cannot blow up the bundle.
EXTRACT_PAGE = r"""
(limits) => {
  const clip = (s, n) => (s || '').replace(/\s+/g, ' ').trim().slice(0, n);
  const regionOf = (el) => {
    for (let n = el; n && n !== document.body; n = n.parentElement) {
      const tag = n.tagName.toLowerCase();
      const role = (n.getAttribute('role') || '').toLowerCase();
      if (tag === 'nav' || role === 'navigation') return 'nav';
      if (tag === 'header' || role === 'banner') return 'header';
      if (tag === 'footer' || role === 'contentinfo') return 'footer';
      if (tag === 'main' || role === 'main') return 'main';
    }
    return 'other';
  };
  const contextOf = (el) => {
    const box = el.closest('li, tr, article, dd, .card, .item');
    return box ? clip(box.innerText, 300) : '';
  };
  const nameOf = (el) => clip(el.innerText || el.getAttribute('aria-label') || el.title ||
      (el.querySelector('img[alt]') || {}).alt || '', 200);
  const links = [];
  for (const a of document.querySelectorAll('a[href]')) {
    if (links.length >= limits.links) break;
    links.push({href: a.href, text: nameOf(a), context: contextOf(a), region: regionOf(a)});
  }
  const labelFor = (input) => {
    const parts = [];
    if (input.labels) for (const l of input.labels) parts.push(l.innerText);
    parts.push(input.getAttribute('aria-label') || '');
    return clip(parts.join(' '), 200);
  };
  const forms = [];
  document.querySelectorAll('form').forEach((f, index) => {
    if (forms.length >= limits.forms) return;
    const inputs = [];
    for (const el of f.querySelectorAll('input, select, textarea')) {
      if (inputs.length >= 40) break;
      // name and id apart: the journeys find the box by name, else by id (browser.submit_form).
      const attr = (n) => el.getAttribute(n) || '';
      inputs.push({name: attr('name'), id: attr('id'), type: (el.type || el.tagName).toLowerCase(),
                   label: labelFor(el), placeholder: clip(el.getAttribute('placeholder'), 200)});
    }
    const submit = f.querySelector('button, input[type=submit]');
    forms.push({index, action: f.action || '', method: (f.getAttribute('method') || 'get').toLowerCase(),
                role: f.getAttribute('role') || '', text: clip(f.innerText, 300),
                submit_text: submit ? clip(submit.innerText || submit.value, 100) : '', inputs});
  });
  const vp = document.querySelector('meta[name="viewport"]');
  return {
    title: clip(document.title, 300),
    lang: document.documentElement.getAttribute('lang'),
    viewport_meta: vp ? vp.getAttribute('content') : null,
    text: (document.body ? document.body.innerText : '').slice(0, limits.text),
    links, forms,
  };
}
"""

MOBILE_LAYOUT = r"""
() => {
  const vp = document.querySelector('meta[name="viewport"]');
  const el = document.documentElement;
  return {scroll_width: Math.max(el.scrollWidth, document.body ? document.body.scrollWidth : 0),
          client_width: el.clientWidth,
          viewport_meta: vp ? vp.getAttribute('content') : null};
}
"""

AXE_RUN = r"""
async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations']});
  return {version: axe.version, violations: r.violations.map(v => ({
    id: v.id, impact: v.impact, tags: v.tags, help: v.help, help_url: v.helpUrl,
    node_count: v.nodes.length,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), html: n.html.slice(0, 500)})),
  }))};
}
"""
