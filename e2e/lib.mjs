// Helpers for the end-to-end tests: the browser, pages that fail on console
// and page errors, the API from Node, screenshots, number parsing.
// scripts/e2e.sh sets the environment; see there.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE_URL = env('E2E_BASE_URL');
export const API_KEY = process.env.E2E_API_KEY || '';
export const ARTIFACTS = process.env.E2E_ARTIFACTS || path.resolve(import.meta.dirname ?? '.', 'artifacts');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';

// Flags for a closed network: without the background-networking ones
// Chromium's own connections are refused and logged. Playwright adds
// --user-data-dir with a new empty profile under TMPDIR (e2e.sh's temp dir).
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through scripts/e2e.sh`);
  return v.replace(/\/+$/, '');
}

// launch starts headless Chromium; never a downloaded browser.
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

// openPage opens a new context (own cookies and localStorage) and page with
// the viewport, collecting console errors and uncaught page errors; t.after
// closes it and fails the test if any were seen. On a failed test it saves
// <name>-failure.png first.
// expected lists console errors a test provokes on purpose (regular
// expressions on the text), such as the browser's line for a 422 answer.
export async function openPage(t, browser, { viewport = DESKTOP, name, expected = [] } = {}) {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      const loc = msg.location();
      if (expected.some((re) => re.test(msg.text()))) return;
      errors.push(`console error: ${msg.text()}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    }
  });
  page.on('requestfailed', (req) => {
    errors.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  t.after(() => context.close());
  return {
    page,
    errors,
    // done asserts that no console or page error happened; call it last.
    done() {
      assert.deepEqual(errors, [], 'the page logged errors');
    },
    async failureShot() {
      await screenshot(page, `${name || 'page'}-failure.png`).catch(() => {});
    },
  };
}

// withPage wraps a test body: on failure a screenshot is saved, then the error
// is thrown again.
export async function withPage(t, browser, opts, body) {
  const p = await openPage(t, browser, opts);
  try {
    await body(p);
    p.done();
  } catch (err) {
    await p.failureShot();
    throw err;
  }
}

// load opens / and waits until the page's start-up requests (solar sites,
// …) are answered and handled: no request for 500 ms.
export async function load(page) {
  const sites = page.waitForResponse((r) => r.url().endsWith('/v1/solar-sites'));
  const res = await page.goto(BASE_URL + '/', { waitUntil: 'load' });
  assert.equal(res.status(), 200, 'GET /');
  assert.equal((await sites).status(), 200, 'GET /v1/solar-sites');
  await page.waitForLoadState('networkidle');
}

// screenshot saves a full-page PNG (or an element's, with a locator) in the
// artefacts folder.
export async function screenshot(pageOrLocator, file, opts = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const p = path.join(ARTIFACTS, file);
  const isPage = typeof pageOrLocator.goto === 'function';
  await pageOrLocator.screenshot({ path: p, ...(isPage ? { fullPage: true } : {}), ...opts });
  return p;
}

// api calls the API from Node: GET when body is undefined, else POST JSON.
// It returns the parsed JSON and asserts the status.
export async function api(pathname, body, { status, headers = {} } = {}) {
  const init = body === undefined ? { headers } : {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
  const res = await fetch(BASE_URL + pathname, init);
  const text = await res.text();
  const want = status ?? 200;
  assert.equal(res.status, want, `${init.method || 'GET'} ${pathname}: ${text.slice(0, 500)}`);
  return { json: text ? JSON.parse(text) : null, res };
}

// captureJSON runs action and returns the body the page sent to the API
// path (method POST by default) and the body of its answer.
export async function captureJSON(page, method, pathname, action) {
  const respP = page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === pathname);
  await action();
  const resp = await respP;
  assert.equal(resp.status(), 200, `${method} ${pathname} from the page: ${await resp.text().catch(() => '')}`);
  return { request: resp.request().postDataJSON(), response: await resp.json() };
}

// shownNumber parses a number as the page shows it (en-US toLocaleString):
// thousands separators are dropped.
export function shownNumber(text) {
  const s = String(text).trim();
  assert.match(s, /^-?\d{1,3}(,\d{3})*(\.\d{1,4})?$|^-?\d+(\.\d{1,4})?$/, `"${s}" is not a number as the page formats them`);
  return Number(s.replace(/,/g, ''));
}

// assertShown asserts that a number shown with up to `digits` decimals is
// the API's value rounded.
export function assertShown(text, value, digits, what) {
  const shown = shownNumber(text);
  const tol = 0.5 * 10 ** -digits + 1e-9;
  assert.ok(typeof value === 'number' && Number.isFinite(value), `${what}: the API's value ${value} is not a number`);
  assert.ok(Math.abs(shown - value) <= tol, `${what}: page shows ${text}, API says ${value}`);
  const decimals = (String(text).split('.')[1] || '').length;
  assert.ok(decimals <= digits, `${what}: "${text}" has more than ${digits} decimals`);
}

// canvasPixels reads a canvas: its size, how many pixels are painted, whether
// it equals a blank canvas of its size, and how many pixels are near each
// colour (#rrggbb, opaque) — so a test can tell which series were drawn.
export function canvasPixels(page, selector, colours) {
  return page.$eval(selector, (c, cols) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const rgb = cols.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
    const counts = cols.map(() => 0);
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0) painted++;
      rgb.forEach(([r, g, b], k) => {
        if (data[i + 3] > 200 && Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8) counts[k]++;
      });
    }
    const blank = document.createElement('canvas');
    blank.width = c.width;
    blank.height = c.height;
    return { width: c.width, height: c.height, painted, counts, sameAsBlank: c.toDataURL() === blank.toDataURL() };
  }, colours);
}

// collectJSON records the JSON bodies the page POSTs to a path, with the
// answers, from now on: call the returned function to get them.
export function collectJSON(page, pathname) {
  const seen = [];
  page.on('response', (r) => {
    if (r.request().method() === 'POST' && new URL(r.url()).pathname === pathname) {
      seen.push(r.json().then((response) => ({ request: r.request().postDataJSON(), response, status: r.status() })));
    }
  });
  return () => Promise.all(seen);
}
