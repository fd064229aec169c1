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

# Helpers shared by the read-out scripts below (prepended to each: page.evaluate takes one
# function). A CSS path of tag:nth-of-type steps finds an element again in a fresh load of the
# same page when it has no id of its own.
_HELPERS = r"""
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
  const pathOf = (el) => {
    const parts = [];
    for (let n = el; n && n.nodeType === 1 && n !== document.documentElement; n = n.parentElement) {
      let i = 1;
      for (let s = n.previousElementSibling; s; s = s.previousElementSibling)
        if (s.tagName === n.tagName) i++;
      parts.unshift(`${n.tagName.toLowerCase()}:nth-of-type(${i})`);
    }
    return parts.join(' > ');
  };
  const nameOf = (el) => clip(el.innerText || el.getAttribute('aria-label') || el.title ||
      el.value || (el.querySelector && (el.querySelector('img[alt]') || {}).alt) || '', 200);
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return false;
    const st = getComputedStyle(el);
    return st.visibility !== 'hidden' && st.display !== 'none';
  };
"""

# Everything a check needs from a document, in one round trip. Texts are clipped so a hostile
# 50 MB page cannot blow up the bundle.
#
# A link's context is its row, found by meaning rather than by class: the largest ancestor that
# holds links to this one href only (a list item, a table row, a card, a plain <div> row), so a
# service's level label and sector are read whatever markup the catalogue uses.
#
# Forms are <form>s, and "loose" boxes: a text box outside any <form>, as script-driven portals
# build their search and lookup (an input and a button with an onclick). A loose box's text is
# what a citizen reads around it (its container up to a few levels), its control the nearest
# button-like element after it in that container.
EXTRACT_PAGE = r"""
(limits) => {
""" + _HELPERS + r"""
  const anchors = [...document.querySelectorAll('a[href], area[href]')].slice(0, limits.links);
  const hrefsIn = new Map();
  for (const a of anchors) {
    let n = a.parentElement;
    for (let depth = 0; n && n !== document.body && depth < 12; n = n.parentElement, depth++) {
      let set = hrefsIn.get(n);
      if (!set) { set = new Set(); hrefsIn.set(n, set); }
      if (set.size < 3) set.add(a.href);
    }
  }
  const contextOf = (a) => {
    let row = null;
    let n = a.parentElement;
    for (let depth = 0; n && n !== document.body && depth < 12; n = n.parentElement, depth++) {
      const set = hrefsIn.get(n);
      if (!set || set.size > 1) break;
      row = n;
    }
    return row ? clip(row.innerText, 300) : '';
  };
  const links = anchors.map((a) => ({href: a.href, text: nameOf(a), context: contextOf(a),
                                     region: regionOf(a)}));
  const labelFor = (input) => {
    const parts = [];
    if (input.labels) for (const l of input.labels) parts.push(l.innerText);
    parts.push(input.getAttribute('aria-label') || '');
    const by = input.getAttribute('aria-labelledby');
    if (by) for (const id of by.split(/\s+/)) {
      const el = document.getElementById(id);
      if (el) parts.push(el.innerText);
    }
    parts.push(input.title || '');
    return clip(parts.join(' '), 200);
  };
  const inputOf = (el) => {
    const attr = (n) => el.getAttribute(n) || '';
    // name and id apart: the journeys find the box by name, else by id (browser.submit_form).
    return {name: attr('name'), id: attr('id'), type: (el.type || el.tagName).toLowerCase(),
            label: labelFor(el), placeholder: clip(attr('placeholder'), 200), selector: pathOf(el)};
  };
  const forms = [];
  document.querySelectorAll('form').forEach((f, index) => {
    if (forms.length >= limits.forms) return;
    const inputs = [];
    for (const el of f.querySelectorAll('input, select, textarea')) {
      if (inputs.length >= 40) break;
      inputs.push(inputOf(el));
    }
    const submit = f.querySelector('button, input[type=submit]');
    forms.push({index, kind: 'form', action: f.action || '',
                method: (f.getAttribute('method') || 'get').toLowerCase(),
                role: f.getAttribute('role') || '', text: clip(f.innerText, 300),
                submit_text: submit ? clip(submit.innerText || submit.value, 100) : '', inputs});
  });
  const CONTROL = 'button, input[type=button], input[type=submit], input[type=image], ' +
                  '[role=button], a[onclick], a[href^="javascript:"], a[href="#"], [onclick]';
  const TEXT_BOX = 'input[type=search], input[type=text], input:not([type]), input[type=tel], ' +
                   'input[type=number]';
  let loose = 0;
  for (const box of document.querySelectorAll(TEXT_BOX)) {
    if (forms.length >= limits.forms) break;
    if (box.closest('form') || box.disabled || box.readOnly) continue;
    // Its control is the first button-like element after it in its parent or grandparent (a
    // menu further up is not its button); the words around it are those of the largest
    // container, up to four levels, that holds no other text box (past that it is a whole
    // form of boxes, or the page).
    let container = box.parentElement, control = null, around = box.parentElement;
    for (let depth = 0; container && container !== document.body && depth < 4; depth++) {
      if (depth > 0 && container.querySelectorAll(TEXT_BOX).length > 1) break;
      around = container;
      if (depth < 2) {
        const after = [...container.querySelectorAll(CONTROL)].filter((c) =>
            c !== box && !c.contains(box) &&
            (box.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING));
        if (after.length) { control = after[0]; break; }
      }
      container = container.parentElement;
    }
    const heading = (() => {
      for (let n = around; n && n !== document.body; n = n.parentElement) {
        for (let s = n.previousElementSibling, k = 0; s && k < 3; s = s.previousElementSibling, k++)
          if (/^H[1-6]$/.test(s.tagName) || s.getAttribute('role') === 'heading')
            return clip(s.innerText, 120);
      }
      return '';
    })();
    forms.push({index: loose++, kind: 'loose', action: '', method: '', role: box.getAttribute('role') || '',
                text: clip(heading + ' ' + (around ? around.innerText : ''), 300),
                submit_text: control ? nameOf(control).slice(0, 100) : '',
                submit_selector: control ? pathOf(control) : '', inputs: [inputOf(box)]});
  }
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

# What a mouse can click, defined once for the crawl's clickables (CLICKABLES below) and the
# keyboard walk's mouse-only elements (keyboard.PREPARE), so a change to it reaches both:
# the elements matching the caller's selector (each caller names its own kinds of control), in
# document order, then, among the first CLICK_SCAN elements of the body, those with a pointer
# cursor of their own (the cursor is inherited: the outermost element of a pointer region, the
# one whose parent's cursor is not pointer). Each element once; ``byCursor`` holds those found
# by their cursor only, for a caller that asks more of them. Each caller filters the set its
# own way afterwards. A helper fragment like _HELPERS, prepended to a script after them.
CLICKABLE_CANDIDATES = r"""
  const CLICK_SCAN = 6000;
  const clickableCandidates = (sel) => {
    const all = new Set(document.querySelectorAll(sel));
    const byCursor = new Set();
    let scanned = 0;
    for (const el of document.body ? document.body.querySelectorAll('*') : []) {
      if (++scanned > CLICK_SCAN) break;
      if (all.has(el)) continue;
      const parent = el.parentElement;
      if (getComputedStyle(el).cursor !== 'pointer') continue;
      if (parent && getComputedStyle(parent).cursor === 'pointer') continue;
      all.add(el);
      byCursor.add(el);
    }
    return {all, byCursor};
  };
"""

# What a person can click that is not a link (issue 16): buttons, elements with onclick,
# role=link/button/menuitem, router links, javascript: and "#" anchors, and elements a script
# made clickable without saying so (jQuery's .on('click'), Vue's @click), known by the pointer
# cursor their page gives them: the outermost such element, since the cursor is inherited.
# Left out: anything inside a real link (the link is the way), inside a <form> (its buttons
# submit it; forms are the journeys' business), text boxes and selects, disabled and hidden
# elements, and elements that hold a real link or another candidate. A URL-like string in an
# onclick ("goToPage('dvc-x.html')", "location.href='/a'") is returned resolved, for elements
# the gatherer will not activate.
CLICKABLES = r"""
(limit) => {
""" + _HELPERS + CLICKABLE_CANDIDATES + r"""
  const realLink = (el) => {
    const a = el.closest('a[href], area[href]');
    return !!a && /^https?:/i.test(a.href) && !/^(javascript:|#$)/i.test(a.getAttribute('href') || '');
  };
  const SEL = 'button, input[type=button], input[type=image], [onclick], [role=link], ' +
              '[role=button], [role=menuitem], [routerlink], [ng-reflect-router-link], ' +
              'a[href^="javascript:"], a[href="#"], a:not([href])';
  // The control that sends what is typed into a text box beside it (a loose search or lookup:
  // the nearest button-like element after the box in its smallest container) is the journeys'
  // business: activated here it would send an empty search or lookup.
  const boxControls = new Set();
  const BOX = 'input[type=search], input[type=text], input:not([type]), input[type=tel], ' +
              'input[type=number], textarea';
  const SENDS = 'button, input[type=button], input[type=submit], input[type=image], ' +
                '[role=button], a[onclick], a[href^="javascript:"], a[href="#"], [onclick]';
  for (const box of document.querySelectorAll(BOX)) {
    if (box.closest('form')) continue;
    let container = box.parentElement;
    for (let depth = 0; container && container !== document.body && depth < 2; depth++) {
      const after = [...container.querySelectorAll(SENDS)].filter((c) => c !== box &&
          !c.contains(box) && (box.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING));
      if (after.length) { boxControls.add(after[0]); break; }
      container = container.parentElement;
    }
  }
  const picked = new Set();
  const consider = (el) => {
    if (picked.size >= limit * 3) return;
    if (el.closest('form') || realLink(el) || el.disabled || boxControls.has(el)) return;
    const tag = el.tagName.toLowerCase();
    if (['input', 'select', 'textarea', 'label', 'option', 'summary', 'body', 'html'].includes(tag)
        && !(tag === 'input' && ['button', 'image'].includes(el.type))) return;
    if (el.querySelector('a[href^="http"], a[href^="/"]')) return;
    if (!shown(el)) return;
    picked.add(el);
  };
  // An element found by its cursor only is taken when it shows a text or an image.
  const {all: candidates, byCursor} = clickableCandidates(SEL);
  for (const el of candidates) {
    if (byCursor.has(el) && !clip(el.innerText, 2) && !el.querySelector('img')) continue;
    consider(el);
  }
  // Innermost wins when one candidate holds another (a <li onclick> around a <span onclick>).
  const all = [...picked].filter((el) => ![...picked].some((o) => o !== el && el.contains(o)));
  // A URL the onclick navigates to ("location.href = '/a'", "goToPage('dvc-x.html')",
  // "window.open('/b')"); never one it reads or sends to (fetch, $.ajax, $.post, a beacon).
  const literalOf = (el) => {
    const src = el.getAttribute('onclick') || '';
    const re = /(['"])((?:(?!\1)[^\s\\])+)\1/g;
    for (let m = re.exec(src); m; m = re.exec(src)) {
      const s = m[2];
      const before = src.slice(Math.max(0, m.index - 40), m.index);
      if (/(fetch|ajax|post|get|getJSON|load|send|sendBeacon|Image|src)\s*\(?\s*$/i.test(before) ||
          /\.open\(\s*['"][A-Za-z]+['"]\s*,\s*$/.test(before)) continue;
      if (/^(https?:\/\/|\/|\.\.?\/|\?|#!?\/)/.test(s) ||
          /\.(html?|jsp|aspx?|php|do|action)([?#].*)?$/i.test(s)) {
        try { return {url: new URL(s, document.baseURI).href, raw: m[0]}; }
        catch (e) { return {url: '', raw: m[0]}; }
      }
    }
    return {url: '', raw: ''};
  };
  const describe = (el) => {
    const tag = el.tagName.toLowerCase();
    const role = el.getAttribute('role');
    const how = el.hasAttribute('routerlink') || el.hasAttribute('ng-reflect-router-link')
      ? 'routerlink' : el.hasAttribute('onclick') ? 'onclick'
      : role ? `role=${role}` : ['button', 'input'].includes(tag) ? '' : 'pointer';
    return how ? `${tag} ${how}` : tag;
  };
  return all.slice(0, limit * 2).map((el) => {
    const lit = literalOf(el);
    const src = el.getAttribute('onclick') || '';
    return {
    path: pathOf(el), name: nameOf(el), region: regionOf(el), element: describe(el),
    onclick: clip(src, 300),
    // The handler without the address it navigates to: a page named "pakn-gui-pakn.html" is
    // where the button goes, not what it does (a navigation is answered by the sealed tab).
    code: clip(lit.raw ? src.replace(lit.raw, "''") : src, 300),
    ident: clip(`${el.id || ''} ${typeof el.className === 'string' ? el.className : ''} ` +
                `${el.getAttribute('data-action') || ''}`, 200),
    context: clip((el.closest('li, tr') || el.parentElement || el).innerText, 300),
    literal: lit.url,
  };
  });
}
"""

# Activate the element at ``path`` when it is still the one recorded (same name): a page that
# changed since the list was made must never have another element (a "Xóa") clicked instead.
CLICK_ONE = r"""
([path, name]) => {
""" + _HELPERS + r"""
  const el = document.querySelector(path);
  if (!el) return 'gone';
  if (nameOf(el) !== name) return 'changed';
  try { el.click(); } catch (e) { return 'error'; }
  return 'clicked';
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
                                     resultTypes: ['violations', 'incomplete']});
  const rule = (v) => ({
    id: v.id, impact: v.impact, tags: v.tags, help: v.help, help_url: v.helpUrl,
    node_count: v.nodes.length,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), html: n.html.slice(0, 500)})),
  });
  return {version: axe.version, violations: r.violations.map(rule),
          incomplete: r.incomplete.map(rule)};
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

# What the markup says that axe-core does not judge (issue 18; checks/access.py judges it):
# images' alt text beside the text around them (a file name, or the caption said twice),
# media that plays by itself (WCAG 1.4.2), and presentational elements HTML made obsolete
# (HTML Living Standard §16.2). Raw facts only, bounded; the page's realm is never trusted.
CONTENT_ACCESS = r"""
() => {
  const clip = (s, n) => (s || '').replace(/\s+/g, ' ').trim().slice(0, n);
  const pathOf = (el) => {
    const parts = [];
    for (let n = el; n && n.nodeType === 1 && parts.length < 4; n = n.parentElement) {
      let part = n.tagName.toLowerCase();
      if (n.id) { parts.unshift(part + '#' + n.id); break; }
      const same = n.parentElement ? [...n.parentElement.children].filter(
        c => c.tagName === n.tagName) : [];
      if (same.length > 1) part += ':nth-of-type(' + (same.indexOf(n) + 1) + ')';
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  const fileOf = (src) => {
    try { return decodeURIComponent(new URL(src, location.href).pathname.split('/').pop()); }
    catch (e) { return ''; }
  };
  const imgs = [...document.querySelectorAll('img[alt]')];
  const images = [];
  for (const img of imgs) {
    const alt = clip(img.getAttribute('alt'), 300);
    if (!alt || images.length >= 200) continue;
    // The text beside it: its link's, button's or figure's, else its parent's, without the alt.
    const holder = img.closest('a, button, figure') || img.parentElement;
    let adjacent = holder ? clip(holder.innerText, 300) : '';
    images.push({alt, file: clip(fileOf(img.currentSrc || img.src), 200), adjacent,
                 selector: pathOf(img)});
  }
  const media = [];
  for (const el of [...document.querySelectorAll('audio, video')].slice(0, 30)) {
    media.push({tag: el.tagName.toLowerCase(), src: clip(el.currentSrc || el.src, 300),
                autoplay: el.autoplay, muted: el.muted, controls: el.controls,
                playing: !el.paused && !el.ended, audible: !el.muted && el.volume > 0,
                selector: pathOf(el)});
  }
  // An embedded player asked to start by itself (YouTube and most players: autoplay=1),
  // audible unless it is also asked to be muted (mute=1 / muted=1).
  for (const f of [...document.querySelectorAll('iframe[src]')].slice(0, 30)) {
    const src = f.src || '';
    if (!/[?&]autoplay=(1|true)\b/i.test(src)) continue;
    const muted = /[?&]mute(d)?=(1|true)\b/i.test(src);
    media.push({tag: 'iframe', src: clip(src, 300), autoplay: true, muted, controls: true,
                playing: false, audible: !muted, selector: pathOf(f)});
  }
  const obsolete = {};
  const samples = [];
  for (const tag of ['font', 'center', 'marquee', 'blink', 'big', 'strike', 'tt', 'basefont',
                     'frameset', 'frame']) {
    const found = document.getElementsByTagName(tag);
    if (!found.length) continue;
    obsolete[tag] = found.length;
    if (samples.length < 5) samples.push('<' + tag + '> ' + clip(found[0].textContent, 60));
  }
  return {images, images_total: imgs.length, media, obsolete, obsolete_samples: samples};
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

# A pager's controls, by meaning: short-named things a person can click (links, buttons,
# onclick and pointer elements) — "Trang sau", "›", "»", "2" — with whether the page marks them
# disabled or current. The walk (gather/catalogue.py) picks "next" by the vocabulary's words.
PAGER_CONTROLS = r"""
() => {
""" + _HELPERS + r"""
  const out = [];
  const SEL = 'a, button, [onclick], [role=button], [role=link], li, span';
  for (const el of document.querySelectorAll(SEL)) {
    if (out.length >= 400) break;
    const name = nameOf(el);
    if (!name || name.length > 20) continue;
    const tag = el.tagName.toLowerCase();
    const clickable = ['a', 'button'].includes(tag) || el.hasAttribute('onclick') ||
        el.getAttribute('role') || getComputedStyle(el).cursor === 'pointer';
    if (!clickable || !shown(el)) continue;
    // Innermost only: a <li> around a <a> is the same control.
    if (el.querySelector('a, button, [onclick], [role=button], [role=link]')) continue;
    const classOf = (n) => (n && typeof n.className === 'string' ? n.className : '');
    const cls = `${classOf(el)} ${classOf(el.parentElement)}`;
    const disabled = el.disabled || el.getAttribute('aria-disabled') === 'true' ||
        /(^|\s)disabled(\s|$)/.test(cls);
    const current = el.getAttribute('aria-current') === 'page' ||
        /(^|\s)(active|current)(\s|$)/.test(cls);
    const href = tag === 'a' ? (el.getAttribute('href') || '') : '';
    const web = href && !/^(javascript:|#$)/i.test(href) ? el.href : '';
    out.push({path: pathOf(el), name, href: web || '', disabled, current});
  }
  return out;
}
"""
