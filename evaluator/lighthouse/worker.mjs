// A long-lived Lighthouse worker: JSON lines over stdin/stdout, one request at a time.
//
// Started by evaluator/lighthouse/client.py (LighthouseWorker). It never launches a browser:
// every run attaches over the remote-debugging port of the Chromium that Playwright drives
// (ENVIRONMENT.md, "Sharing one browser"). One process serves many runs, which saves the
// ~1 s of loading Lighthouse and the ~3 s the CLI idles after each report.
//
// On start it writes one hello line:
//   {"ready": true, "lighthouse": "12.8.2", "node": "v20.20.2"}
//   {"ready": false, "error": "one line"}             (then exits 1)
// Then, per request line {"id", "url", "port", "preset": "mobile"|"desktop", "timeout_ms"}:
//   {"id", "tab": "<target id>"}                     (once its tab is open: should this process
//                                                      die mid-run, the client closes that tab)
//   {"id", "ok": true, "lhr": {…trimmed…}}
//   {"id", "ok": false, "error": "one line"}            ("restart": true when it then exits)
//
// Lighthouse is found through $PORTAL_EVAL_NODE_MODULES (set by the client): ES modules ignore
// NODE_PATH, and an installed copy of this script sits far from the repo's node_modules.

import {createRequire} from 'node:module';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import {pathToFileURL} from 'node:url';

// Everything but the protocol goes to stderr: a library that console.logs must not be able to
// corrupt stdout.
console.log = console.info = console.debug = console.warn = console.error;

// Audits kept in the trimmed result; network-requests is reduced to its count.
const METRIC_AUDITS = [
  'first-contentful-paint',
  'largest-contentful-paint',
  'speed-index',
  'total-blocking-time',
  'cumulative-layout-shift',
  'server-response-time',
  'total-byte-weight',
  // Not scored: Lighthouse's own median-run choice (core/lib/median-run.js) reads it with FCP.
  'interactive',
];

// Measured on our machines (ENVIRONMENT.md): 3-4 s per page instead of 6 s, same scores.
// Only the performance category: accessibility and the rest are portal-eval's own checks.
// The full-page screenshot, the filmstrip and the final screenshot are pictures we do not keep;
// the bf-cache audit navigates away and back, a second load. 250 ms quiet windows are enough
// under simulated throttling, where metrics come from the trace, not from waiting. A longer
// pause after load would not catch a late layout shift anyway: under mobile emulation Chromium
// flags every shift had_recent_input and Lighthouse drops those more than 500 ms after its
// viewport change (the CLS criterion also reads the lane's own load for that reason).
const TRIM = {
  onlyCategories: ['performance'],
  disableFullPageScreenshot: true,
  skipAudits: ['bf-cache', 'screenshot-thumbnails', 'final-screenshot'],
  pauseAfterFcpMs: 250,
  pauseAfterLoadMs: 250,
  networkQuietThresholdMs: 250,
  cpuQuietThresholdMs: 250,
};

const CLOSE_PAGE_MS = 3000;

function oneLine(value) {
  let text = String(value instanceof Error ? (value.message || value.name) : value).trim();
  text = text.split('\n', 1)[0] || 'unknown error';
  // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED…) is in its cause.
  const cause = value instanceof Error ? value.cause : undefined;
  if (cause instanceof Error && cause.message && !text.includes(cause.message)) {
    text += ` (${cause.message.split('\n', 1)[0]})`;
  }
  return text.slice(0, 300);
}

function send(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

/** The ES module entry of the package whose package.json is `manifestPath`. */
function esmEntry(manifestPath) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  let entry = manifest.main || 'index.js';
  const dot = typeof manifest.exports === 'string' ? manifest.exports : manifest.exports?.['.'];
  if (typeof dot === 'string') entry = dot;
  else if (dot && typeof dot === 'object') entry = dot.import || dot.default || entry;
  if (entry && typeof entry === 'object') entry = entry.default;
  const file = path.join(path.dirname(manifestPath), entry);
  return {file, url: pathToFileURL(file).href, version: manifest.version};
}

async function loadLighthouse() {
  const nodeModules = process.env.PORTAL_EVAL_NODE_MODULES;
  if (!nodeModules) throw new Error('PORTAL_EVAL_NODE_MODULES is not set');
  // The very Lighthouse the client found, then puppeteer-core exactly as Lighthouse resolves
  // it: the same module instance Lighthouse's own code uses.
  const lh = esmEntry(path.join(path.resolve(nodeModules), 'lighthouse', 'package.json'));
  const pptr = esmEntry(createRequire(lh.file).resolve('puppeteer-core/package.json'));
  const lighthouseModule = await import(lh.url);
  const puppeteerModule = await import(pptr.url);
  return {
    lighthouse: lighthouseModule.default,
    desktopConfig: lighthouseModule.desktopConfig,
    puppeteer: puppeteerModule.default,
    version: lh.version,
  };
}

let LH;
/** The page of the run in progress: closed on timeout and on SIGTERM so no tab is left behind. */
let current = null;

function configFor(preset, timeoutMs) {
  // Lighthouse's own waits stay inside the run's budget, so a slow page still yields a
  // result (with a "did not finish loading" warning) instead of a timeout.
  const budget = {
    maxWaitForFcp: Math.max(1000, Math.min(30_000, Math.floor(timeoutMs / 2))),
    maxWaitForLoad: Math.max(1000, Math.min(45_000, Math.floor(timeoutMs / 2))),
  };
  const base = preset === 'desktop' ? LH.desktopConfig.settings : {};
  return {extends: 'lighthouse:default', settings: {...base, ...TRIM, ...budget}};
}

function trimmed(lhr) {
  const audits = {};
  for (const id of METRIC_AUDITS) {
    const audit = lhr.audits?.[id];
    if (!audit) continue;
    audits[id] = {
      numericValue: audit.numericValue ?? null,
      numericUnit: audit.numericUnit ?? null,
      score: audit.score ?? null,
      displayValue: audit.displayValue ?? null,
    };
  }
  const requests = lhr.audits?.['network-requests']?.details?.items;
  const error = lhr.runtimeError;
  return {
    lighthouseVersion: lhr.lighthouseVersion,
    requestedUrl: lhr.requestedUrl ?? null,
    finalUrl: lhr.finalDisplayedUrl ?? lhr.mainDocumentUrl ?? null,
    fetchTime: lhr.fetchTime,
    runtimeError: error ? {code: error.code, message: oneLine(error.message)} : null,
    runWarnings: (lhr.runWarnings || []).map(oneLine).slice(0, 20),
    formFactor: lhr.configSettings?.formFactor ?? null,
    throttlingMethod: lhr.configSettings?.throttlingMethod ?? null,
    benchmarkIndex: lhr.environment?.benchmarkIndex ?? null,
    categories: {performance: {score: lhr.categories?.performance?.score ?? null}},
    audits,
    networkRequests: Array.isArray(requests) ? requests.length : null,
  };
}

async function closeCurrent() {
  const run = current;
  current = null;
  if (!run) return;
  const close = (async () => {
    try {
      if (run.page) await run.page.close();
    } catch {}
    try {
      if (run.browser) await run.browser.disconnect();
    } catch {}
  })();
  await Promise.race([close, new Promise(resolve => setTimeout(resolve, CLOSE_PAGE_MS))]);
}

function validate(request) {
  if (typeof request !== 'object' || request === null) return 'not a JSON object';
  if (typeof request.url !== 'string' || !/^https?:\/\//i.test(request.url)) {
    return 'url must be an http(s) URL';
  }
  if (!Number.isInteger(request.port) || request.port < 1 || request.port > 65535) {
    return 'port must be a TCP port number';
  }
  if (request.preset !== 'mobile' && request.preset !== 'desktop') {
    return 'preset must be "mobile" or "desktop"';
  }
  if (typeof request.timeout_ms !== 'number' || !(request.timeout_ms > 0)) {
    return 'timeout_ms must be a positive number';
  }
  return null;
}

async function measure(request) {
  const run = {browser: null, page: null};
  current = run;
  // Our own connection and tab: Lighthouse would close its tab only when it finishes, and a
  // run that times out must not leave a tab loading in the shared browser.
  try {
    run.browser = await LH.puppeteer.connect({
      browserURL: `http://127.0.0.1:${request.port}`,
      defaultViewport: null,
    });
  } catch (err) {
    throw new Error(`cannot attach to Chromium on 127.0.0.1:${request.port}: ${oneLine(err)}`);
  }
  run.page = await run.browser.newPage();
  try {
    const cdp = await run.page.createCDPSession();
    const {targetInfo} = await cdp.send('Target.getTargetInfo');
    await cdp.detach();
    send({id: request.id, tab: targetInfo.targetId});
  } catch {}
  if (current !== run) {
    // The run timed out while the tab was being opened: close it rather than leave it behind.
    await run.page.close().catch(() => {});
    throw new Error('run abandoned after a timeout');
  }
  // No network of Lighthouse's own: through the Node API it has no update check, error
  // reporting (Sentry) is started only by its CLI, and third-party-web and the stack packs are
  // data in node_modules. Checked with strace: this process connects to 127.0.0.1:<port> only.
  const flags = {
    logLevel: 'error',
    output: 'json',
    enableErrorReporting: false,
  };
  const result = await LH.lighthouse(request.url, flags, configFor(request.preset, request.timeout_ms),
    run.page);
  if (!result || !result.lhr) throw new Error('Lighthouse returned no result');
  return trimmed(result.lhr);
}

async function handle(line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch (err) {
    send({id: null, ok: false, error: `bad request: ${oneLine(err)}`});
    return;
  }
  const id = request && typeof request === 'object' ? request.id ?? null : null;
  const invalid = validate(request);
  if (invalid) {
    send({id, ok: false, error: `bad request: ${invalid}`});
    return;
  }
  let timer;
  const timeout = new Promise(resolve => {
    timer = setTimeout(() => resolve('timeout'), request.timeout_ms);
  });
  const run = measure(request).then(
    lhr => ({lhr}),
    err => ({error: err}));
  const outcome = await Promise.race([run, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    // Lighthouse cannot be cancelled: close our tab, answer, and exit so the client starts a
    // fresh worker (a half-finished run could still hold the browser's tracing).
    await closeCurrent();
    send({id, ok: false, restart: true,
      error: `Lighthouse timed out after ${request.timeout_ms / 1000} s on ${request.url}`});
    process.exit(3);
  }
  await closeCurrent();
  if (outcome.error !== undefined) {
    const code = outcome.error && outcome.error.code ? `${outcome.error.code}: ` : '';
    send({id, ok: false, error: code + oneLine(outcome.error)});
  } else {
    send({id, ok: true, lhr: outcome.lhr});
  }
}

process.on('SIGTERM', () => {
  closeCurrent().finally(() => process.exit(143));
});
// A rejection nobody awaits (a CDP call abandoned by a closed tab) must not kill the worker.
process.on('unhandledRejection', err => {
  process.stderr.write(`portal-eval lighthouse worker: unhandled rejection: ${oneLine(err)}\n`);
});

async function main() {
  try {
    LH = await loadLighthouse();
  } catch (err) {
    send({ready: false, error: `cannot load Lighthouse: ${oneLine(err)}`});
    process.exit(1);
  }
  send({ready: true, lighthouse: LH.version, node: process.version});
  const lines = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
  // One request at a time: two Lighthouse runs on one browser fail (TRACING_ALREADY_STARTED)
  // and distort each other's metrics.
  for await (const line of lines) {
    if (line.trim()) await handle(line);
  }
  process.exit(0);
}

main();
