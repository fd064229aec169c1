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
  // Sub-resources the markup asks for over http:// (mixed content, TT 32/2017 Đ20). Read from
  // the DOM, not the network: Chromium upgrades http:// images and media to https:// and
  // blocks http:// scripts, frames and stylesheets before any request is seen.
  const insecure = [];
  if (location.protocol === 'https:') {
    const sel = 'img[src], script[src], link[rel~="stylesheet"][href], link[rel~="icon"][href], ' +
                'iframe[src], frame[src], audio[src], video[src], source[src], source[srcset], ' +
                'embed[src], object[data], track[src]';
    for (const el of document.querySelectorAll(sel)) {
      if (insecure.length >= 50) break;
      const raw = el.getAttribute('src') || el.getAttribute('href') || el.getAttribute('data') ||
                  (el.getAttribute('srcset') || '').trim().split(/\s+/)[0] || '';
      let url = '';
      try { url = new URL(raw, document.baseURI).href; } catch (e) { continue; }
      if (url.startsWith('http://')) insecure.push(url.slice(0, 500));
    }
  }
  return {
    title: clip(document.title, 300),
    lang: document.documentElement.getAttribute('lang'),
    viewport_meta: vp ? vp.getAttribute('content') : null,
    text: (document.body ? document.body.innerText : '').slice(0, limits.text),
    links, forms, insecure,
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

# TT 32/2017 Đ18 minimums axe-core does not test. Moving text: <blink>/<marquee>, CSS
# text-decoration: blink, text animations running forever or longer than 5 s (WCAG 2.2.2), and
# text that moves sideways by itself during a short watch (a JavaScript ticker). Aids (Đ18.2):
# accesskey shortcuts and controls that look like a text-size tool.
A11Y_EXTRAS = r"""
() => {
  const clip = (s, n) => (s || '').replace(/\s+/g, ' ').trim().slice(0, n);
  const label = (el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\s+/).join('.') : ''} "${clip(el.textContent, 40)}"`;
  const hasText = (el) => el && el.nodeType === 1 && clip(el.textContent, 5) !== '';
  const samples = [];
  const note = (el) => { if (samples.length < 5) samples.push(label(el)); };
  const blinkEls = [...document.querySelectorAll('blink')];
  for (const el of [...document.querySelectorAll('body *')].slice(0, 5000)) {
    const deco = getComputedStyle(el).textDecorationLine || '';
    if (deco.includes('blink') && hasText(el)) blinkEls.push(el);
  }
  blinkEls.forEach(note);
  const marquees = [...document.querySelectorAll('marquee')];
  marquees.forEach(note);
  let animated = 0;
  try {
    for (const a of document.getAnimations()) {
      const el = a.effect && a.effect.target;
      const t = a.effect ? a.effect.getComputedTiming() : {};
      if (hasText(el) && a.playState === 'running' &&
          (t.endTime === Infinity || t.endTime > 5000)) { animated++; note(el); }
    }
  } catch (e) {}
  // Leaves with text, their left edges now and after the watch; the scroll position is held
  // so only the page's own motion counts.
  const leaves = [];
  for (const el of document.querySelectorAll('body *')) {
    if (leaves.length >= 1500) break;
    if (el.children.length === 0 && hasText(el) && !marquees.some(m => m.contains(el)))
      leaves.push(el);
  }
  // The watch itself is timed from Python (a page can replace setTimeout); MOTION_AFTER reads
  // the same leaves again.
  window.__peMotion = {leaves, before: leaves.map(el => el.getBoundingClientRect().left),
                       sx: window.scrollX, sy: window.scrollY};
  const accesskeys = [...document.querySelectorAll('[accesskey]')].slice(0, 30).map(el => ({
    key: clip(el.getAttribute('accesskey'), 10), href: el.href || '',
    text: clip(el.innerText || el.getAttribute('aria-label') || el.title ||
               (el.labels && el.labels[0] ? el.labels[0].innerText : '') || el.value, 100)}));
  const sizeWords = new RegExp('^a\\s*[+\\-−]{1,2}$|cỡ chữ|kích (thước|cỡ) chữ|phóng to chữ|' +
                               'thu nhỏ chữ|font.?size|text.?size|larger text|smaller text', 'i');
  const controls = [];
  for (const el of document.querySelectorAll('a, button, [role=button], input[type=button], select')) {
    const name = clip(el.innerText || el.getAttribute('aria-label') || el.title || el.value, 60);
    if (sizeWords.test(name) && controls.length < 10) controls.push(name);
  }
  return {moving: {blink: blinkEls.length, marquee: marquees.length, animated, samples},
          aids: {accesskeys, text_size_controls: controls}};
}
"""

# Leaves that moved sideways by themselves since A11Y_EXTRAS ran, the scroll position unchanged.
MOTION_AFTER = r"""
() => {
  const m = window.__peMotion;
  delete window.__peMotion;
  if (!m || window.scrollX !== m.sx || window.scrollY !== m.sy) return {moved: 0, samples: []};
  let moved = 0;
  const samples = [];
  m.leaves.forEach((el, i) => {
    if (Math.abs(el.getBoundingClientRect().left - m.before[i]) >= 2) {
      moved++;
      if (samples.length < 5) samples.push(`${el.tagName.toLowerCase()} "${(el.textContent || '')
          .replace(/\s+/g, ' ').trim().slice(0, 40)}"`);
    }
  });
  return {moved, samples};
}
"""

# One phone width's layout: overflow, tap targets under 24×24 CSS px (WCAG 2.2 SC 2.5.8; a link
# inside a sentence and a well-spaced target are excepted there) and text under 12 px. Sizes are
# multiplied by the page's zoom: without a viewport meta a phone shrinks a 980 px layout to fit,
# and 16 px text reads as 6 px (Lighthouse's font-size audit fails such pages likewise).
MOBILE_RENDER = r"""
() => {
  const el = document.documentElement;
  const zoom = (window.visualViewport && window.visualViewport.scale) || 1;
  const visible = (e, r) => r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
  // SC 2.5.8's spacing exception: an undersized target passes when a 24 px circle on its
  // centre meets no other target and no other undersized target's circle.
  const found = [];
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, [role=button], [role=link]';
  for (const e of document.querySelectorAll(sel)) {
    if (found.length >= 600) break;
    const r = e.getBoundingClientRect();
    if (!visible(e, r)) continue;
    const parentText = e.parentElement ? (e.parentElement.textContent || '').trim().length : 0;
    const ownText = (e.textContent || '').trim().length;
    if (getComputedStyle(e).display === 'inline' && e.tagName === 'A' && parentText > ownText + 20)
      continue;
    const box = {l: r.left * zoom, t: r.top * zoom, r: r.right * zoom, b: r.bottom * zoom};
    found.push({e, box, under: (box.r - box.l) < 24 || (box.b - box.t) < 24,
                cx: (box.l + box.r) / 2, cy: (box.t + box.b) / 2});
  }
  const distToBox = (x, y, b) => Math.hypot(Math.max(b.l - x, 0, x - b.r), Math.max(b.t - y, 0, y - b.b));
  let small = 0;
  const samples = [];
  for (const a of found) {
    if (!a.under) continue;
    const crowded = found.some(o => o !== a && (distToBox(a.cx, a.cy, o.box) < 12 ||
                                              (o.under && Math.hypot(a.cx - o.cx, a.cy - o.cy) < 24)));
    if (!crowded) continue;
    small++;
    const size = `${Math.round(a.box.r - a.box.l)}×${Math.round(a.box.b - a.box.t)}`;
    const name = (a.e.textContent || a.e.getAttribute('aria-label') || '').trim().slice(0, 30);
    if (samples.length < 5) samples.push(`${a.e.tagName.toLowerCase()} "${name}" ${size}`);
  }
  const targets = found.length;
  let chars = 0, smallChars = 0;
  const walker = document.createTreeWalker(document.body || el, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(), seen = 0; n && seen < 20000; n = walker.nextNode(), seen++) {
    const text = n.textContent.trim();
    const p = n.parentElement;
    if (!text || !p) continue;
    const r = p.getBoundingClientRect();
    if (!visible(p, r) || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(p.tagName)) continue;
    chars += text.length;
    if (parseFloat(getComputedStyle(p).fontSize) * zoom < 12) smallChars += text.length;
  }
  return {scroll_width: Math.max(el.scrollWidth, document.body ? document.body.scrollWidth : 0),
          client_width: el.clientWidth, tap_targets: targets, small_tap_targets: small,
          small_tap_samples: samples, text_chars: chars, small_text_chars: smallChars};
}
"""
