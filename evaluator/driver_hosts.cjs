// Preloaded into Playwright's Node driver (NODE_OPTIONS=--require) when Chromium is given
// --host-resolver-rules: the driver makes some requests itself, outside Chromium's network
// stack (route.fetch() of the crawl's confinement, robots.txt and sitemap.xml), and those would
// otherwise ask the system resolver about names only Chromium was told where to find (a staging
// portal at its official name, the HTTPS fixture portals on loopback). Only "MAP host address"
// rules are understood; every other name goes to the real dns.lookup unchanged.
'use strict';
const dns = require('dns');

const map = new Map();
for (const rule of (process.env.PORTAL_EVAL_HOST_MAP || '').split(',')) {
  const m = rule.trim().match(/^MAP\s+(\S+)\s+(\S+)$/i);
  if (m) map.set(m[1].toLowerCase(), m[2].replace(/^\[|\]$/g, ''));
}
const familyOf = (address) => (address.includes(':') ? 6 : 4);
const mapped = (host) => map.get(String(host).toLowerCase());

if (map.size > 0) {
  const lookup = dns.lookup;
  dns.lookup = function patchedLookup(host, options, callback) {
    if (typeof options === 'function') { callback = options; options = {}; }
    if (typeof options === 'number') options = { family: options };
    const address = mapped(host);
    if (address === undefined) return lookup.call(dns, host, options, callback);
    const family = familyOf(address);
    process.nextTick(() => (options && options.all)
      ? callback(null, [{ address, family }])
      : callback(null, address, family));
    return {};
  };
  const lookupPromise = dns.promises.lookup;
  dns.promises.lookup = async function patchedLookupPromise(host, options) {
    const address = mapped(host);
    if (address === undefined) return lookupPromise.call(dns.promises, host, options);
    const o = typeof options === 'number' ? { family: options } : (options || {});
    const family = familyOf(address);
    return o.all ? [{ address, family }] : { address, family };
  };
}
