// End-to-end tests of the web page at / in headless Chromium. Every number
// the page shows is checked against the API's own answer to the request the
// page sent. Run through scripts/e2e.sh, which starts the server.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  API_KEY, BASE_URL, PHONE, api, assertShown, canvasPixels, captureJSON, collectJSON, launch, load, screenshot, withPage,
} from './lib.mjs';

const STAGES = ['alumina_refining', 'anode_production', 'electrolysis_direct', 'electrolysis_electricity', 'casting'];

// The Shanxi smelter of the README, published once for the buyers' test.
const SHANXI = {
  region: 'CN-SX', year: 2023, electricity_basis: 'co2_operational', production_t: 300000,
  electrolysis: { technology: 'PFPB_M', ac_kwh_per_t: 13200, pfc: { method: 'slope', anode_effect_minutes_per_cell_day: 0.05 } },
  electricity: {
    sources: [
      { kind: 'captive', fuel: 'coal', share: 0.6, coal_gce_per_kwh: 320 },
      { kind: 'grid', share: 0.4 },
      { kind: 'direct_line', technology: 'wind', mwh: 400000 },
    ],
    certificates_mwh: 100000,
  },
};
const PRODUCT = 'E2E P1020A ingot';
// Opening a declaration asks for its China ETS summary too. A declaration
// on the default dataset (2026.2) has one; a declaration pinned to 2026.1
// does not: the API answers 409 and the browser logs that answer as a
// console error, which only the tests that open such a declaration expect.
const ETS_409 = /status of 409/;

// Batch files (issue 18).
// Three smelters, the second with an AC power out of range (row 3 as the
// spreadsheet shows it: header = row 1): the README's example, one bad row.
const BATCH_CSV = [
  'region,electrolysis.ac_kwh_per_t,electricity.sources[0].kind,electricity.sources[0].share',
  'CN-SX,13500,grid,1',
  'CN-YN,25000,grid,1',
  'CN-NM,13300,grid,1',
].join('\n') + '\n';
const BAD_ROW = 3;
// writeTemp writes a file for the page's file input (in e2e.sh's temp dir).
function writeTemp(name, text) {
  const file = path.join(process.env.TMPDIR || os.tmpdir(), name);
  writeFileSync(file, text);
  return file;
}
// postBatch posts a batch file from Node, as the page does.
async function postBatch(kind, body, format) {
  const res = await fetch(`${BASE_URL}/v1/batches?kind=${kind}${format ? `&format=${format}` : ''}`, {
    method: 'POST', headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${API_KEY}` }, body,
  });
  assert.equal(res.status, 200, `POST /v1/batches from Node: ${res.status}`);
  return res;
}
// download clicks and returns the file the browser saved: its name and bytes.
async function download(page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) };
}
const isZip = (bytes) => bytes.subarray(0, 2).toString('latin1') === 'PK';
// uploadBatch chooses the file, types the key, uploads and waits until the
// page has handled the answer, which it returns (request and response).
async function uploadBatch(page, file, key = API_KEY) {
  await page.setInputFiles('#bt-file', file);
  await page.fill('#bt-key', key);
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/batches');
  await page.click('#bt-upload');
  const resp = await answered;
  await page.waitForFunction(() => document.getElementById('bt-upload').disabled === false);
  return resp;
}

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('plant: the totals and the stage chart are the API\'s answer to the form', async (t) => {
  await withPage(t, browser, { name: 'plant' }, async ({ page }) => {
    await load(page);
    await page.fill('#p-ac', '13100');
    await page.fill('#p-prod', '250000');
    await page.fill('#p-certs', '50000');
    await page.fill('#sources tr:nth-child(1) .coal', '330'); // the captive plant's coal consumption
    await page.fill('#a-net', '0.41');
    const { request, response } = await captureJSON(page, 'POST', '/v1/footprints/primary',
      () => page.click('#plant-form button[type=submit]'));

    // The page sent what was typed.
    assert.equal(request.electrolysis?.ac_kwh_per_t, 13100);
    assert.equal(request.production_t, 250000);
    assert.equal(request.electricity?.certificates_mwh, 50000);
    assert.equal(request.region, 'CN-SX');
    assert.equal(request.electricity.sources[0].kind, 'captive');
    assert.equal(request.electricity.sources[0].coal_gce_per_kwh, 330);
    assert.equal(request.anode?.net_carbon_t_per_t, 0.41);
    assert.ok(!response.provenance.warnings.some((w) => w.includes('no emission factor or coal consumption')),
      'with its coal consumption the captive plant needs no default');

    // The same body, posted from here, gives what the page shows.
    const { json: want } = await api('/v1/footprints/primary', request);
    assert.deepEqual(response.total_tco2e_per_t, want.total_tco2e_per_t, 'the page got another answer than Node');
    await settled(page, 'plant-out');
    // Cards: two decimals.
    assertShown(await page.textContent('#o-loc'), want.total_tco2e_per_t.location_based, 2, '#o-loc');
    assertShown(await page.textContent('#o-mkt'), want.total_tco2e_per_t.market_based, 2, '#o-mkt');
    if (want.ratings) {
      assert.equal((await page.textContent('#o-grade')).trim(), String(want.ratings.gb21346_ac_grade), '#o-grade');
    }
    assert.ok(!(await page.getAttribute('#plant-status', 'class')).includes('error'),
      `#plant-status is an error: ${await page.textContent('#plant-status')}`);

    // The stage chart: two stacked bars (location, market), a rect per stage each.
    assert.deepEqual(want.stages.map((s) => s.stage), STAGES, 'the API\'s stages');
    const rects = await page.$$eval('#stage-chart svg rect[data-series]',
      (rs) => rs.map((r) => ({ series: r.getAttribute('data-series'), width: r.getBBox().width })));
    assert.deepEqual(rects.map((r) => r.series), [...STAGES, ...STAGES], 'stage chart series');
    want.stages.forEach((s, i) => {
      const [loc, mkt] = [rects[i], rects[STAGES.length + i]];
      assert.equal(loc.width > 0, s.tco2e_per_t > 0, `location-based bar of ${s.stage}: width ${loc.width}, value ${s.tco2e_per_t}`);
      assert.equal(mkt.width > 0, s.market_based_tco2e_per_t > 0,
        `market-based bar of ${s.stage}: width ${mkt.width}, value ${s.market_based_tco2e_per_t}`);
    });
    assert.ok(rects.some((r) => r.width > 10), 'the stage chart has visible bars');

    await screenshot(page, 'plant.png');
    // For the README: the plant section down to the provenance table.
    const [top, bottom] = await page.evaluate(() => ['#plant', '#prov-details'].map((q) => document.querySelector(q).getBoundingClientRect().top + window.scrollY));
    await screenshot(page, 'plant-summary.png', { clip: { x: 0, y: top, width: 1280, height: Math.min(bottom, top + 2400) - top } });
  });
});

test('scenarios: three PV variants, the table, the uPlot chart and the MACC are the API\'s answer', async (t) => {
  await withPage(t, browser, { name: 'scenarios' }, async ({ page }) => {
    await load(page);
    assert.equal(await page.locator('#variants tr').count(), 3, 'the page starts with three variants');
    const { request, response } = await captureJSON(page, 'POST', '/v1/scenarios/compare',
      () => page.click('#scen-form button[type=submit]'));
    assert.equal(request.variants.length, 3, 'variants sent');
    const { json: want } = await api('/v1/scenarios/compare', request);
    assert.deepEqual(response.scenarios.map((s) => s.outputs), want.scenarios.map((s) => s.outputs));
    assert.equal(want.scenarios.length, 4, 'base + 3 variants');
    want.scenarios.forEach((s) => assert.ok(!s.errors?.length, `scenario ${s.name}: ${JSON.stringify(s.errors)}`));

    await page.waitForFunction(() => !document.getElementById('scen-out').hidden
      && document.querySelectorAll('#scen-rows tr').length > 0);
    const rows = await page.$$eval('#scen-rows tr', (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent.trim())));
    assert.equal(rows.length, 4, 'table rows');
    want.scenarios.forEach((s, i) => {
      assert.equal(rows[i][0], s.name, `row ${i} name`);
      assertShown(rows[i][1], s.outputs.total_location_based_tco2e_per_t, 4, `${s.name} location-based`);
      assertShown(rows[i][2], s.outputs.total_market_based_tco2e_per_t, 4, `${s.name} market-based`);
    });
    // PV lowers the footprint, so the variants differ from the base.
    assert.ok(want.scenarios[3].outputs.total_location_based_tco2e_per_t < want.scenarios[0].outputs.total_location_based_tco2e_per_t,
      'the largest PV variant is below the base');

    // The Δ columns are the API's deltas: Δ t/t = delta.total_location_based,
    // Δ % = that over the base's total, avoided = −delta.annual_location_based
    // (which the API's abatement also counts as avoided per year).
    const cols = await page.$$eval('#scen-rows tr', (trs) => trs.map((tr) => ({
      dt: tr.querySelector('td.dt').textContent, dpct: tr.querySelector('td.dpct').textContent, avoided: tr.querySelector('td.avoided').textContent })));
    const baseLoc = want.scenarios[0].outputs.total_location_based_tco2e_per_t;
    assert.deepEqual([cols[0].dt, cols[0].dpct, cols[0].avoided], ['—', '—', '—'], 'the base has no change');
    want.scenarios.slice(1).forEach((s, k) => {
      const c = cols[k + 1], d = s.delta;
      assertShown(c.dt.replace('+', ''), d.total_location_based_tco2e_per_t, 4, `${s.name} Δ t/t`);
      assert.ok(c.dt.startsWith('-'), `${s.name}: PV lowers the footprint: ${c.dt}`);
      assertShown(c.dpct.replace(' %', '').replace('+', ''), (100 * d.total_location_based_tco2e_per_t) / baseLoc, 1, `${s.name} Δ %`);
      assertShown(c.avoided, -d.annual_location_based_tco2e, 0, `${s.name} avoided per year`);
      if (s.abatement) assert.ok(Math.abs(s.abatement.avoided_tco2e_per_year + d.annual_location_based_tco2e) < 1e-6, 'the abatement counts the same t avoided');
    });

    // uPlot: a canvas of non-zero size with both series painted, and a legend.
    await page.locator('#scen-chart canvas').first().waitFor();
    const canvas = await canvasPixels(page, '#scen-chart canvas', ['#1f6fb2', '#2e8b57']);
    assert.ok(canvas.width > 0 && canvas.height > 0, `canvas size ${canvas.width}×${canvas.height}`);
    assert.ok(!canvas.sameAsBlank && canvas.painted > 0, 'the canvas is blank');
    assert.ok(canvas.counts[0] > 100, `location-based bars: ${canvas.counts[0]} pixels`);
    assert.ok(canvas.counts[1] > 100, `market-based bars: ${canvas.counts[1]} pixels`);
    const legend = await page.$$eval('#scen-chart .u-legend .u-series .u-label', (ls) => ls.map((l) => l.textContent.trim()));
    assert.ok(legend.includes('Δ Location-based') && legend.includes('Δ Market-based'), `uPlot legend: ${legend}`);
    // The chart is of the change from the base: one bar pair per variant.
    const label = await page.getAttribute('#scen-chart', 'aria-label');
    want.scenarios.slice(1).forEach((s, k) => {
      const m = label.split('; ')[k].match(/^(.*) ([-+]?[\d.,]+) \/ ([-+]?[\d.,]+)$/);
      assert.ok(m && m[1].endsWith(s.name), `chart label ${k}: ${label}`);
      assertShown(m[2].replace('+', ''), s.delta.total_location_based_tco2e_per_t, 4, `${s.name} chart Δ`);
    });

    // MACC: one rect per ranked variant, in rank order.
    // The three variants are sizes of one PV plant (one site and tilt):
    // alternatives, so a cost-versus-size line, one point per size, not a MACC.
    assert.ok(want.macc.length > 0, 'the API ranked some variants');
    assert.equal(await page.locator('#macc-chart svg rect[data-series]').count(), 0, 'no MACC for sizes of one plant');
    const points = await page.$$eval('#macc-chart svg.costsize-svg circle[data-series]', (cs) => cs.map((c) => ({
      series: c.getAttribute('data-series'), cy: Number(c.getAttribute('cy')), title: c.querySelector('title').textContent })));
    const priced = want.scenarios.slice(1).filter((s) => s.abatement?.cost_cny_per_tco2e !== null && s.abatement);
    assert.deepEqual(points.map((p) => p.series), priced.map((s) => s.name), 'a point per variant, by size');
    priced.forEach((s, i) => assertShown(points[i].title.split(': ')[1].split(' ')[0], s.abatement.cost_cny_per_tco2e, 1, `${s.name} cost`));
    assert.match(await page.textContent('#macc-caption'), /sizes of one plant/);

    await page.locator('#scenarios').scrollIntoViewIfNeeded();
    await screenshot(page.locator('#scenarios'), 'scenarios.png');
  });
});

test('language: Chinese is applied, kept across a reload, and switched back', async (t) => {
  await withPage(t, browser, { name: 'zh' }, async ({ page }) => {
    await load(page);
    assert.equal(await page.textContent('#plant-h'), 'Plant footprint');
    await page.selectOption('#lang', 'zh');
    assert.equal(await page.textContent('#plant-h'), '工厂碳足迹');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.equal(await page.evaluate(() => localStorage.getItem('alcarbon.lang')), 'zh');
    assert.equal(await page.$eval('#variants tr:first-child .site', (s) => s.selectedOptions[0].textContent), '太原', 'site names follow the language');

    const sites = page.waitForResponse((r) => r.url().endsWith('/v1/solar-sites'));
    await page.reload({ waitUntil: 'load' });
    await sites;
    assert.equal(await page.inputValue('#lang'), 'zh', 'the choice survives a reload');
    assert.equal(await page.textContent('#plant-h'), '工厂碳足迹');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    // Results in Chinese too, for the screenshot.
    const { response } = await captureJSON(page, 'POST', '/v1/footprints/primary', () => page.click('#preset'));
    await page.waitForFunction(() => document.getElementById('o-loc').textContent !== '');
    await settled(page, 'plant-out');
    assertShown(await page.textContent('#o-loc'), response.total_tco2e_per_t.location_based, 2, '#o-loc in Chinese');
    await screenshot(page, 'zh.png');

    await page.selectOption('#lang', 'en');
    assert.equal(await page.textContent('#plant-h'), 'Plant footprint');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  });
});

test('buyers: search, open and verify a published declaration', async (t) => {
  assert.ok(API_KEY, 'E2E_API_KEY is not set: run the tests through scripts/e2e.sh');
  const { json: decl, res } = await api('/v1/declarations', {
    kind: 'primary', request: SHANXI, product_name: PRODUCT, product_ids: ['urn:gtin:06901234567892'],
    reference_period: { start: '2024-01-01', end: '2024-12-31' }, visibility: 'public',
  }, { status: 201, headers: { Authorization: `Bearer ${API_KEY}` } });
  assert.equal(res.headers.get('location'), `/v1/declarations/${decl.id}`);

  await withPage(t, browser, { name: 'buyers' }, async ({ page }) => {
    await load(page);
    const { response: list } = await captureJSON(page, 'GET', '/v1/declarations', () => page.click('#buy-form button[type=submit]'));
    assert.ok(list.declarations.some((d) => d.id === decl.id), 'the search answer lists the declaration');
    const open = page.locator(`#decl-rows button.open[data-id="${decl.id}"]`);
    await open.waitFor();
    const row = await open.locator('xpath=ancestor::tr').evaluate((tr) => Array.from(tr.cells, (c) => c.textContent.trim()));
    assert.equal(row[0], PRODUCT);
    assert.equal(row[1], 'Shanxi E2E Smelter');
    assertShown(row[4], decl.total_tco2e_per_t, 4, 'the list\'s headline (market-based) total');

    const { response: detail } = await captureJSON(page, 'GET', `/v1/declarations/${decl.id}`, () => open.click());
    await page.locator('#decl-detail').waitFor({ state: 'visible' });
    assert.ok((await page.textContent('#d-title')).includes(PRODUCT), '#d-title names the product');
    const kv = Object.fromEntries(await page.$$eval('#d-kv tr', (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])));
    assert.equal(kv.id, decl.id);
    assertShown(kv['Location-based'].replace(/ t CO2e\/t$/, ''), detail.result.total_tco2e_per_t.location_based, 4, 'declaration location-based');
    assert.equal(await page.locator('#d-stages tr').count(), detail.result.stages.length, 'a row per stage');
    // Published without "dataset": computed with the API's default.
    const { json: ds } = await api('/v1/datasets');
    assert.equal(detail.dataset_version, ds.default, 'the declaration is on the default dataset');
    assert.equal(kv.Dataset, `${detail.dataset_version} / ${detail.engine_version}`);

    const { response: verified } = await captureJSON(page, 'GET', `/v1/declarations/${decl.id}/verify`, () => page.click('#verify'));
    await page.waitForFunction(() => document.getElementById('verify-status').textContent.includes('✔'));
    const { json: want } = await api(`/v1/declarations/${decl.id}/verify`);
    assert.equal(want.reproduced, true, 'the API reproduces the declaration');
    assert.equal(verified.reproduced, true);
    assert.ok(await page.locator('#d-verify tr').count() > 0, 'verification details shown');

    // Switching language redraws the open declaration and its verification.
    await page.selectOption('#lang', 'zh');
    const zhKeys = await page.$$eval('#d-kv tr th', (ths) => ths.map((th) => th.textContent));
    assert.ok(zhKeys.includes('版本') && zhKeys.includes('状态'), `declaration labels in Chinese: ${zhKeys}`);
    assert.ok((await page.textContent('#d-kv')).includes('有效'), 'status "active" in Chinese');
    assert.ok((await page.textContent('#verify-status')).includes('可复现'), 'verification status in Chinese');
    assert.ok((await page.textContent('#d-verify')).includes('是'), 'yes/no in Chinese');
    await page.selectOption('#lang', 'en');

    await screenshot(page, 'buyers.png');
  });
});

// The page fits a phone: tables scroll inside their own box, nothing else
// is wider than the screen (fieldsets with min-width 0, the visually hidden
// table headers inside a positioned .table-wrap).
test('phone width: no horizontal overflow at 390 px', async (t) => {
  // It opens the first declaration listed, which may be one pinned to 2026.1
  // (no ETS summary: a 409 is logged).
  await withPage(t, browser, { name: 'phone', viewport: PHONE, expected: [ETS_409] }, async ({ page }) => {
    await load(page);
    // The outermost elements past the right edge, and absolutely positioned
    // ones (which an ancestor's overflow may not clip), to name the culprits.
    const overflow = () => page.evaluate(() => {
      const over = (e) => e.getBoundingClientRect().right > window.innerWidth + 1;
      const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '');
      const culprits = Array.from(document.body.querySelectorAll('*')).filter((e) => over(e)
        && (!over(e.parentElement) || ['absolute', 'fixed'].includes(getComputedStyle(e).position)));
      return { scrollWidth: document.documentElement.scrollWidth, widest: culprits.slice(0, 8).map(name).join(', ') };
    });
    const atLoad = await overflow();
    await screenshot(page, 'phone.png');

    // With results (tables and charts) too.
    await captureJSON(page, 'POST', '/v1/footprints/primary', () => page.click('#preset'));
    await captureJSON(page, 'POST', '/v1/scenarios/compare', () => page.click('#scen-form button[type=submit]'));
    await page.waitForFunction(() => !document.getElementById('scen-out').hidden);
    const withResults = await overflow();
    await screenshot(page, 'phone-results.png');

    // With the longer CBAM table and the China ETS block (dataset 2026.2, chosen).
    await page.selectOption('#p-dataset', '2026.2');
    await captureJSON(page, 'POST', '/v1/footprints/primary', () => page.click('#plant-form button[type=submit]'));
    await page.waitForFunction(() => !document.getElementById('o-ets').hidden);
    const withEts = await overflow();

    // And with a declaration open (its 64-character hash must wrap).
    await captureJSON(page, 'GET', '/v1/declarations', () => page.click('#buy-form button[type=submit]'));
    await page.locator('#decl-rows button.open').first().click();
    await page.locator('#decl-detail').waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.querySelectorAll('#d-pact tr').length > 0);
    const withDeclaration = await overflow();

    assert.ok(atLoad.scrollWidth <= PHONE.width + 1, `page load: scrollWidth ${atLoad.scrollWidth} > ${PHONE.width}; wide: ${atLoad.widest}`);
    assert.ok(withResults.scrollWidth <= PHONE.width + 1,
      `with results: scrollWidth ${withResults.scrollWidth} > ${PHONE.width}; wide: ${withResults.widest}`);
    assert.ok(withEts.scrollWidth <= PHONE.width + 1, `with the China ETS block: scrollWidth ${withEts.scrollWidth} > ${PHONE.width}; wide: ${withEts.widest}`);
    assert.ok(withDeclaration.scrollWidth <= PHONE.width + 1,
      `with a declaration open: scrollWidth ${withDeclaration.scrollWidth} > ${PHONE.width}; wide: ${withDeclaration.widest}`);
  });
});


test('scenarios: green contract, uncertainty band, exported energy, monthly PV against load, and the sweep', async (t) => {
  await withPage(t, browser, { name: 'scenarios-more' }, async ({ page }) => {
    await load(page);
    await page.fill('#variants tr:nth-child(2) .gc', '200000');
    await page.check('#s-unc');
    const uncertainty = collectJSON(page, '/v1/uncertainty');
    // Hold the Monte Carlo runs until the placeholder has been seen.
    let releaseUnc;
    const heldUnc = new Promise((r) => { releaseUnc = r; });
    await page.route('**/v1/uncertainty', async (route) => { await heldUnc; await route.continue(); });
    const pvRun = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/pv');
    const { request, response } = await captureJSON(page, 'POST', '/v1/scenarios/compare',
      () => page.click('#scen-form button[type=submit]'));
    const { json: want } = await api('/v1/scenarios/compare', request);
    assert.deepEqual(response.scenarios.map((s) => s.outputs), want.scenarios.map((s) => s.outputs));

    // The green contract is a source of the second variant only.
    const gc = request.variants[1].patch.electricity.sources.find((s) => s.kind === 'green_contract');
    assert.deepEqual({ mwh: gc?.mwh, technology: gc?.technology }, { mwh: 200000, technology: 'wind' }, 'green contract sent');
    assert.ok(!JSON.stringify(request.variants[0].patch).includes('green_contract'), 'the first variant has no contract');
    const [, v1, v2] = want.scenarios.map((s) => s.outputs);
    assert.ok(v2.total_market_based_tco2e_per_t < v2.total_location_based_tco2e_per_t - 0.1,
      'the contract lowers the market-based footprint of its variant');
    await page.waitForFunction(() => document.querySelectorAll('#scen-rows td.band').length === 4
      && Array.from(document.querySelectorAll('#scen-rows td.band')).every((c) => !c.hidden && c.textContent === 'computing…'));
    releaseUnc();

    // The band: one Monte Carlo per scenario, the base alone and each variant
    // with the base as its baseline (same samples, same seed): the p5–p95 of
    // the difference. While it runs, the column shows a placeholder.
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#scen-rows td.band')).every((c) => /\d/.test(c.textContent)));
    const runs = await uncertainty();
    assert.equal(runs.length, want.scenarios.length, 'an uncertainty run per scenario');
    const rows = await page.$$eval('#scen-rows tr', (trs) => trs.map((tr) => ({
      name: tr.cells[0].textContent, exported: tr.querySelector('td.exported').textContent, band: tr.querySelector('td.band').textContent,
    })));
    const baseRun = runs.find((r) => r.request.baseline === undefined);
    assert.ok(baseRun, 'a run of the base alone');
    assert.deepEqual(baseRun.request.request, request.base);
    for (const [i, s] of want.scenarios.entries()) {
      const run = i === 0 ? baseRun : runs.find((r) => r.request.baseline
        && JSON.stringify(r.request.request.electricity.sources[0]).includes(`"capacity_kwp":${(i) * 100000}`));
      assert.ok(run, `uncertainty run of ${s.name}`);
      assert.equal(run.status, 200);
      assert.equal(run.request.seed, baseRun.request.seed, `${s.name}: the same seed as the base`);
      assert.equal(run.request.samples, baseRun.request.samples, `${s.name}: the same number of samples`);
      const { json: u } = await api('/v1/uncertainty', run.request);
      assert.deepEqual(run.response.total_tco2e_per_t, u.total_tco2e_per_t, 'seeded Monte Carlo is repeatable');
      const [p5, p95] = rows[i].band.split(' – ').map((x) => x.trim().replace('+', ''));
      assertShown(rows[i].exported, s.outputs.exported_mwh, 0, `${s.name} exported`);
      if (i === 0) {
        assertShown(p5, u.total_tco2e_per_t.location_based.p5, 4, 'base p5');
        assertShown(p95, u.total_tco2e_per_t.location_based.p95, 4, 'base p95');
        assert.ok(u.total_tco2e_per_t.location_based.p5 <= s.outputs.total_location_based_tco2e_per_t
          && s.outputs.total_location_based_tco2e_per_t <= u.total_tco2e_per_t.location_based.p95, 'the base lies in its band');
        continue;
      }
      assert.deepEqual(run.request.baseline, request.base, `${s.name}: the base is the baseline`);
      const diff = u.difference_tco2e_per_t.location_based;
      assertShown(p5, diff.p5, 4, `${s.name} Δ p5`);
      assertShown(p95, diff.p95, 4, `${s.name} Δ p95`);
      // Independent checks: the variant's own samples are those of a run
      // without the baseline at the same seed; the deterministic difference
      // is the compare endpoint's delta and lies in the band.
      const { json: alone } = await api('/v1/uncertainty', { ...run.request, baseline: undefined });
      assert.deepEqual(u.total_tco2e_per_t, alone.total_tco2e_per_t, `${s.name}: the same samples with and without the baseline`);
      assert.ok(Math.abs(diff.deterministic - s.delta.total_location_based_tco2e_per_t) < 1e-9, `${s.name}: deterministic Δ = compare delta`);
      assert.ok(diff.p5 <= diff.deterministic && diff.deterministic <= diff.p95, `${s.name}: the change lies in its band`);
      assert.ok(diff.p95 - diff.p5 < u.total_tco2e_per_t.location_based.p95 - u.total_tco2e_per_t.location_based.p5,
        `${s.name}: the band of the change is narrower than the footprint's own (shared inputs cancel)`);
    }
    assert.equal(await page.getAttribute('#scen-chart', 'data-band'), 'p5-p95-difference', 'the chart draws the band of the difference');
    assert.ok((await page.textContent('#scen-chart .band-key')).includes('p5–p95'), 'the band has a legend entry');
    assert.match(await page.textContent('#unc-legend'), /seed 42/);
    const driversShown = await page.$$eval('#unc-drivers li', (lis) => lis.map((li) => li.textContent));
    assert.equal(driversShown.length, want.scenarios.length, 'top drivers per scenario');
    driversShown.forEach((d) => assert.equal(d.split(': ')[1].split(', ').length, 3, `three drivers: ${d}`));

    // Not sizes of one plant (a contract): the MACC, one rect per ranked variant.
    const macc = await page.$$eval('#macc-chart svg rect[data-series]', (rs) => rs.map((r) => ({ series: r.getAttribute('data-series'), width: r.getBBox().width, height: r.getBBox().height })));
    assert.deepEqual(macc.map((r) => r.series), want.macc.map((m) => m.name), 'MACC series');
    macc.forEach((r) => assert.ok(r.width > 0 && r.height > 0, `MACC bar ${r.series}: ${r.width}×${r.height}`));
    const maccLabelY = await page.$eval('#macc-chart svg text', (tx) => Number(tx.getAttribute('y')));
    const firstBarY = await page.$eval('#macc-chart svg rect[data-series]', (r) => r.getBBox().y);
    assert.ok(maccLabelY < firstBarY, `the axis label (y ${maccLabelY}) is above the bars (y ${firstBarY})`);

    // Monthly PV of the first PV variant against the plant's flat load.
    const pv = await pvRun;
    const pvReq = pv.request().postDataJSON();
    const pvAns = await pv.json();
    const { json: plant } = await api('/v1/footprints/primary', request.base);
    assert.ok(Math.abs(pvReq.load.flat_mw - plant.electricity.demand_mwh / 8760) < 1e-9, 'load = demand_mwh / 8760 h');
    assert.equal(pvReq.system.capacity_kwp, 100000);
    // Independent check: the PV endpoint and the portfolio model the same system.
    assert.ok(Math.abs(pvAns.annual_ac_kwh / 1000 - v1.pv_annual_mwh) < 1e-6 * v1.pv_annual_mwh,
      `/v1/pv ${pvAns.annual_ac_kwh / 1000} MWh vs compare ${v1.pv_annual_mwh} MWh`);
    await page.waitForFunction(() => !document.getElementById('monthly-fig').hidden && document.querySelector('#monthly-chart canvas'));
    const note = await page.textContent('#monthly-note');
    const annual = note.match(/PV output ([\d,]+) MWh/)[1];
    assertShown(annual, pvAns.annual_ac_kwh / 1000, 0, 'monthly note: annual PV');
    assert.equal(pvAns.monthly_ac_kwh.length, 12);
    const monthly = await canvasPixels(page, '#monthly-chart canvas', ['#f0a500', '#1f6fb2']);
    assert.ok(monthly.counts[0] > 50, `PV bars painted: ${monthly.counts[0]} px`);
    assert.ok(monthly.counts[1] > 50, `load line painted: ${monthly.counts[1]} px`);

    // The sweep: 0 … 500 MWp in 10 steps at the first variant's site and tilt.
    const sweep = await captureJSON(page, 'POST', '/v1/scenarios/sweep', () => page.click('#sweep-form button[type=submit]'));
    assert.equal(sweep.request.parameter, '/electricity/sources/0/pv/system/capacity_kwp');
    assert.equal(sweep.request.values.length, 11);
    assert.equal(sweep.request.values[0], 1, '0 MWp is sent as 1 kWp');
    assert.equal(sweep.request.values[10], 500000);
    const { json: sw } = await api('/v1/scenarios/sweep', sweep.request);
    assert.deepEqual(sweep.response.points, sw.points);
    // At 100 MWp the sweep and the compare's "PV 100 MWp" are the same plant.
    assert.ok(Math.abs(sw.points[2].outputs.total_location_based_tco2e_per_t - v1.total_location_based_tco2e_per_t) < 1e-9,
      'sweep at 100 MWp = the 100 MWp variant');
    await page.locator('#sweep-chart canvas').waitFor();
    const label = await page.getAttribute('#sweep-chart', 'aria-label');
    sw.points.forEach((p, i) => {
      const shown = label.split(';')[i].match(/([\d.,]+) MWp ([\d.,]+)/);
      assertShown(shown[1], p.value <= 1 ? 0 : p.value / 1000, 0, `sweep point ${i} capacity`);
      assertShown(shown[2], p.outputs.total_location_based_tco2e_per_t, 3, `sweep point ${i} footprint`);
    });
    const sweepPx = await canvasPixels(page, '#sweep-chart canvas', ['#1f6fb2', '#2e8b57']);
    assert.ok(sweepPx.counts[0] > 50 && sweepPx.counts[1] > 20, `sweep lines painted: ${sweepPx.counts}`);

    await page.locator('#scenarios').scrollIntoViewIfNeeded();
    await screenshot(page.locator('#scenarios'), 'scenarios-band-monthly-sweep.png');
  });
});

test('scenarios of a product: molten-metal share, and the inputs travel in the URL', async (t) => {
  await withPage(t, browser, { name: 'product' }, async ({ page }) => {
    await load(page);
    await page.waitForFunction(() => document.querySelectorAll('#s-kind option').length > 1);
    await page.selectOption('#s-kind', 'building_profile');
    await page.fill('#variants tr:nth-child(3) .molten', '0.8');
    await page.selectOption('#variants tr:nth-child(1) .site', 'datong');
    await page.fill('#p-ac', '13050');
    const { request, response } = await captureJSON(page, 'POST', '/v1/scenarios/compare',
      () => page.click('#scen-form button[type=submit]'));
    assert.equal(request.kind, 'product');
    assert.equal(request.base.product, 'building_profile');
    assert.equal(request.base.metal.primary.electrolysis.ac_kwh_per_t, 13050, 'the plant is the product\'s primary metal');
    assert.equal(request.variants[2].patch.direct_supply.molten_share, 0.8);
    assert.equal(request.variants[2].patch.metal.primary.electricity.sources[0].kind, 'onsite_pv');
    assert.equal(request.variants[0].patch.metal.primary.electricity.sources[0].pv.site, 'datong');
    const { json: want } = await api('/v1/scenarios/compare', request);
    assert.deepEqual(response.scenarios.map((s) => s.outputs), want.scenarios.map((s) => s.outputs));
    await page.waitForFunction(() => document.querySelectorAll('#scen-rows tr').length === 4);
    const rows = await page.$$eval('#scen-rows tr', (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent.trim())));
    want.scenarios.forEach((s, i) => {
      assertShown(rows[i][1], s.outputs.total_location_based_tco2e_per_t, 4, `${s.name} location-based`);
      assertShown(rows[i][2], s.outputs.total_market_based_tco2e_per_t, 4, `${s.name} market-based`);
    });
    // Direct supply avoids remelting: the same PV with 80 % molten is lower
    // than the API's answer for that variant without the molten share.
    const noMolten = structuredClone(request);
    delete noMolten.variants[2].patch.direct_supply;
    const { json: without } = await api('/v1/scenarios/compare', noMolten);
    assert.ok(want.scenarios[3].outputs.total_location_based_tco2e_per_t < without.scenarios[3].outputs.total_location_based_tco2e_per_t,
      'molten-metal direct supply lowers the product footprint');

    // A new visitor with the URL sees the same inputs.
    const url = page.url();
    assert.match(url, /#s=[A-Za-z0-9_-]+$/);
    const other = await page.context().newPage();
    t.after(() => other.close());
    const sites = other.waitForResponse((r) => r.url().endsWith('/v1/solar-sites'));
    await other.goto(url);
    await sites;
    await other.waitForFunction(() => document.getElementById('s-kind').value === 'building_profile');
    await other.waitForFunction(() => document.querySelector('#variants tr .site').options.length > 1);
    assert.equal(await other.inputValue('#variants tr:nth-child(1) .site'), 'datong', 'a site other than the first survives the link');
    assert.equal(await other.inputValue('#p-ac'), '13050');
    assert.equal(await other.inputValue('#variants tr:nth-child(3) .molten'), '0.8');
    assert.equal(await other.locator('#variants tr').count(), 3);
  });
});

test('buyers: the PACT view, the CBAM and China ETS summaries of a declaration', async (t) => {
  const publish = (request, name, gtin) => api('/v1/declarations', {
    kind: 'primary', request, product_name: name, product_ids: [gtin],
    reference_period: { start: '2024-01-01', end: '2024-12-31' }, visibility: 'public',
  }, { status: 201, headers: { Authorization: `Bearer ${API_KEY}` } });
  // Without "dataset" the declaration is computed with the default (2026.2,
  // which has the China ETS view); the second one pins 2026.1 (which has not).
  const { json: decl } = await publish(SHANXI, PRODUCT + ' (PACT)', 'urn:gtin:06901234567893');
  const { json: old } = await publish({ ...SHANXI, dataset: '2026.1' }, PRODUCT + ' (PACT, 2026.1)', 'urn:gtin:06901234567894');
  await withPage(t, browser, { name: 'buyers-pact', expected: [ETS_409] }, async ({ page }) => {
    await load(page);
    await page.fill('#b-product', 'p1020a ingot (pact'); // part of the name, in another case
    await captureJSON(page, 'GET', '/v1/declarations', () => page.click('#buy-form button[type=submit]'));
    const open = page.locator(`#decl-rows button.open[data-id="${decl.id}"]`);
    const pact = page.waitForResponse((r) => new URL(r.url()).pathname === `/v1/declarations/${decl.id}/pact`);
    const etsP = page.waitForResponse((r) => new URL(r.url()).pathname === `/v1/declarations/${decl.id}/ets`);
    await open.click();
    assert.equal((await pact).status(), 200);
    assert.equal((await etsP).status(), 200, 'a declaration on the default dataset has a China ETS summary');
    await page.waitForFunction(() => document.getElementById('d-pact-json').textContent.startsWith('{'));
    const { json: want } = await api(`/v1/declarations/${decl.id}/pact`);
    assert.deepEqual(JSON.parse(await page.textContent('#d-pact-json')), want.data, 'the PACT JSON shown is the API\'s');
    assert.equal(want.data.id, decl.id);
    assert.deepEqual(want.data.productIds, ['urn:gtin:06901234567893']);
    const kv = Object.fromEntries(await page.$$eval('#d-pact tr', (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])));
    assert.ok(kv['PCF excl. biogenic'].endsWith(' kg CO2e/kg'), `PCF shown: ${kv['PCF excl. biogenic']}`);
    assertShown(kv['PCF excl. biogenic'].split(' ')[0], Number(want.data.pcf.pCfExcludingBiogenic), 4, 'PACT PCF');

    const { json: cbam } = await api(`/v1/declarations/${decl.id}/cbam`);
    await page.waitForFunction(() => document.querySelectorAll('#d-cbam tr').length > 1);
    const ckv = Object.fromEntries(await page.$$eval('#d-cbam tr', (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])));
    assert.equal(ckv['CN code'], cbam.cn_code);
    assertShown(ckv['Direct (SEE)'].replace(/ t CO2e\/t$/, ''), cbam.see_direct_tco2e_per_t, 4, 'CBAM direct SEE');
    assert.equal(await page.getAttribute('#d-cbam-link', 'href'), `/v1/declarations/${decl.id}/cbam`);
    assert.equal(await page.getAttribute('#d-pact-link', 'href'), `/v1/declarations/${decl.id}/pact`);

    // The China ETS summary shown is the API's /ets answer.
    const { json: ets } = await api(`/v1/declarations/${decl.id}/ets`);
    const { json: ds } = await api('/v1/datasets');
    assert.equal(ets.declaration_id, decl.id);
    assert.equal(ets.dataset_version, ds.default, 'the summary is on the default dataset');
    assert.deepEqual(ets.reporting_period, { start: '2024-01-01', end: '2024-12-31' });
    // Independent check: the declaration's ETS view is the ets block the API
    // computes for the same request now.
    const { json: fp } = await api('/v1/footprints/primary', SHANXI);
    assert.deepEqual(ets.ets, fp.ets, 'the declaration\'s ETS view = the footprint\'s ets block');
    assert.ok(ets.ets.annual, 'production_t is given, so the year\'s figures are too');
    await page.waitForFunction(() => document.querySelectorAll('#d-ets tr').length > 2);
    const ekv = Object.fromEntries(await page.$$eval('#d-ets tr', (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])));
    assert.equal(ekv.Period, `${ets.reporting_period.start} – ${ets.reporting_period.end}`);
    assertShown(ekv['Electrolysis process (allocation unit)'].replace(/ t CO2e\/t$/, ''), ets.ets.process_tco2e_per_t, 4, 'ETS process per t');
    assertShown(ekv['Enterprise level'].replace(/ t CO2e\/t$/, ''), ets.ets.enterprise_tco2e_per_t, 4, 'ETS enterprise per t');
    assertShown(ekv['Purchased electricity (reported, not covered)'].replace(/ MWh\/t$/, ''), ets.ets.purchased_electricity_mwh_per_t, 4, 'ETS purchased electricity');
    assertShown(ekv['Process, per year'].replace(/ t CO2e\/yr$/, ''), ets.ets.annual.process_tco2e, 4, 'ETS process per year');
    assert.match(ekv['Process, per year'], /\d\.\d{4} t CO2e\/yr$/, 'a per-year figure in a table has the tables\' four decimals');
    assert.equal(ekv['Key emitting unit'], ets.ets.annual.key_emitter ? 'yes' : 'no');
    assert.equal(ets.ets.allocation.length, 2, 'the 2024–2025 plan\'s two years');
    assert.ok(ets.ets.allocation.some((y) => y.balance_tco2e !== null), 'the API has a balance to show');
    for (const y of ets.ets.allocation) {
      const shown = ekv[`Allowance allocation ${y.year}`];
      assert.ok(shown, `a row for allocation year ${y.year}`);
      if (y.balance_tco2e === null && y.benchmark_tco2e_per_t === null) assert.equal(shown, 'Benchmark [t CO2e/t]: not published');
      else if (y.balance_tco2e === null) assertShown(shown.replace(/^Benchmark \[t CO2e\/t\]: /, ''), y.benchmark_tco2e_per_t, 4, `benchmark ${y.year}`);
      else assertShown(shown.replace(/^Balance \[t CO2e\]: /, ''), y.balance_tco2e, 4, `balance ${y.year}`);
    }
    assert.equal(await page.getAttribute('#d-ets-link', 'href'), `/v1/declarations/${decl.id}/ets`);
    await page.locator('#decl-detail').scrollIntoViewIfNeeded();
    await screenshot(page.locator('#buyers'), 'buyers-pact.png');

    // A declaration pinned to 2026.1 has no China ETS summary: the page shows
    // the API's 409 detail where the summary would be.
    assert.equal(old.dataset_version, '2026.1');
    const { json: noEts } = await api(`/v1/declarations/${old.id}/ets`, undefined, { status: 409 });
    const oldEts = page.waitForResponse((r) => new URL(r.url()).pathname === `/v1/declarations/${old.id}/ets`);
    await page.locator(`#decl-rows button.open[data-id="${old.id}"]`).click();
    assert.equal((await oldEts).status(), 409);
    await page.waitForFunction((id) => document.getElementById('d-kv').textContent.includes(id)
      && document.querySelectorAll('#d-ets tr').length === 1, old.id);
    const etsText = await page.textContent('#d-ets');
    assert.ok(etsText.includes(noEts.detail), `#d-ets shows the 409 detail: ${etsText}`);
    assert.equal(await page.getAttribute('#d-ets-link', 'href'), `/v1/declarations/${old.id}/ets`);
  });
});

test('desktop width: nothing wider than 1280 px', async (t) => {
  await withPage(t, browser, { name: 'desktop' }, async ({ page }) => {
    await load(page);
    await captureJSON(page, 'POST', '/v1/footprints/primary', () => page.click('#preset'));
    await captureJSON(page, 'POST', '/v1/scenarios/compare', () => page.click('#scen-form button[type=submit]'));
    await page.waitForFunction(() => !document.getElementById('scen-out').hidden);
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(w <= 1281, `scrollWidth ${w} > 1280`);
  });
});

test('keyboard and labels: every control has a name, and the plant form works from the keyboard', async (t) => {
  await withPage(t, browser, { name: 'a11y' }, async ({ page }) => {
    await load(page);
    // Each visible input, select and button has an accessible name: a <label>,
    // aria-label, or (buttons) its text.
    const unnamed = await page.$$eval('input, select, button', (els) => els.filter((e) => e.offsetParent !== null)
      .filter((e) => !((e.labels && e.labels.length) || e.getAttribute('aria-label') || (e.tagName === 'BUTTON' && e.textContent.trim())))
      .map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(unnamed, [], 'controls without an accessible name');

    // The skip link is the first Tab stop and moves focus to the main content.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');

    // Keyboard only: focus the AC power field, type, press Enter.
    await page.focus('#p-ac');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('13300');
    const { request, response } = await captureJSON(page, 'POST', '/v1/footprints/primary', () => page.keyboard.press('Enter'));
    assert.equal(request.electrolysis.ac_kwh_per_t, 13300);
    await page.waitForFunction(() => document.getElementById('o-loc').textContent !== '');
    await settled(page, 'plant-out');
    assertShown(await page.textContent('#o-loc'), response.total_tco2e_per_t.location_based, 2, '#o-loc after Enter');


    // How long the page took to load, for the closing note (not asserted).
    const nav = await page.evaluate(() => JSON.stringify(performance.getEntriesByType('navigation')[0]));
    const { domContentLoadedEventEnd, loadEventEnd, transferSize } = JSON.parse(nav);
    t.diagnostic(`page load: DOMContentLoaded ${domContentLoadedEventEnd.toFixed(0)} ms, load ${loadEventEnd.toFixed(0)} ms, HTML ${transferSize} B`);
  });
});

test('errors name the field, leave the old results marked out of date, and a late answer never replaces a newer one', async (t) => {
  // The browser logs each 422 answer as a console error: expected here.
  await withPage(t, browser, { name: 'errors', expected: [/status of 422/] }, async ({ page }) => {
    await load(page);
    await captureJSON(page, 'POST', '/v1/footprints/primary', () => page.click('#preset'));
    await page.waitForFunction(() => document.getElementById('plant-status').textContent === 'Done');

    // An AC power out of range: the API says 422 with a pointer; the page
    // names the input by its label, marks it and focuses it.
    await page.fill('#p-ac', '99999');
    const bad = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/footprints/primary');
    await page.click('#plant-form button[type=submit]');
    assert.equal((await bad).status(), 422);
    await page.waitForFunction(() => document.getElementById('plant-status').classList.contains('error'));
    const status = await page.textContent('#plant-status');
    assert.match(status, /^Liquid comprehensive AC power \[kWh\/t\] \(incl\. rectification and auxiliaries\): /, `status names the field: ${status}`);
    assert.ok(!status.includes('/electrolysis/'), 'no JSON pointer in the message');
    assert.equal(await page.getAttribute('#p-ac', 'aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'p-ac');
    assert.ok(await page.evaluate(() => document.getElementById('plant-out').classList.contains('stale')), 'old results marked out of date');

    // A variant with a negative PV capacity: its row says which input.
    await page.fill('#p-ac', '13200');
    await page.fill('#variants tr:nth-child(2) .mwp', '-50');
    const { response } = await captureJSON(page, 'POST', '/v1/scenarios/compare', () => page.click('#scen-form button[type=submit]'));
    assert.ok(response.scenarios[2].errors?.length, 'the API rejects the negative capacity');
    await page.waitForFunction(() => document.querySelectorAll('#scen-rows tr.error').length === 1);
    const rowText = await page.textContent('#scen-rows tr.error');
    assert.ok(rowText.includes('PV [MWp] 2:'), `the variant's error names its input: ${rowText}`);
    assert.equal(await page.getAttribute('#variants tr:nth-child(2) .mwp', 'aria-invalid'), 'true');

    // A slow answer to an older request is dropped: AC 14000 is held back
    // until 13000 has been answered.
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route('**/v1/footprints/primary', async (route) => {
      if (route.request().postDataJSON().electrolysis?.ac_kwh_per_t === 14000) await held;
      await route.continue();
    });
    await page.fill('#p-ac', '14000');
    const slow = page.waitForResponse((r) => r.request().postDataJSON()?.electrolysis?.ac_kwh_per_t === 14000);
    await page.click('#plant-form button[type=submit]');
    await page.fill('#p-ac', '13000');
    const { response: fresh } = await captureJSON(page, 'POST', '/v1/footprints/primary', () => page.click('#plant-form button[type=submit]'));
    release();
    await slow;
    await page.waitForTimeout(200); // let the page handle the late answer
    assert.ok((await page.textContent('#o-ndrc')).includes('13,000 kWh/t'), `the newer request's answer stays: ${await page.textContent('#o-ndrc')}`);
    assertShown(await page.textContent('#o-loc'), fresh.total_tco2e_per_t.location_based, 2, '#o-loc after the late answer');
    await page.unroute('**/v1/footprints/primary');

    // A variant with only a green contract keeps the plant's on-site PV;
    // a variant with its own PV replaces it.
    await page.fill('#variants tr:nth-child(2) .mwp', '100');
    await page.click('#add-source');
    const pvRow = '#sources tr:last-child';
    await page.selectOption(`${pvRow} .kind`, 'onsite_pv');
    await page.fill(`${pvRow} .amount`, '50');
    await page.fill('#variants tr:nth-child(1) .mwp', '');
    await page.fill('#variants tr:nth-child(1) .gc', '50000');
    const { request } = await captureJSON(page, 'POST', '/v1/scenarios/compare', () => page.click('#scen-form button[type=submit]'));
    const kinds = (i) => request.variants[i].patch.electricity.sources.map((x) => x.kind);
    assert.deepEqual(kinds(0).filter((k) => k === 'onsite_pv' || k === 'green_contract'), ['green_contract', 'onsite_pv'], `contract-only variant: ${kinds(0)}`);
    assert.equal(request.variants[0].patch.electricity.sources.find((x) => x.kind === 'onsite_pv').pv.system.capacity_kwp, 50000, 'the plant\'s 50 MWp');
    assert.equal(kinds(1).filter((k) => k === 'onsite_pv').length, 1, `a variant's own PV replaces the plant's: ${kinds(1)}`);
  });
});

// settled waits until an area's last request is answered and drawn (the
// page sets aria-busy while it runs).
const settled = (page, id) => page.waitForFunction((x) => document.getElementById(x).getAttribute('aria-busy') === 'false', id);

// kvTable reads a two-column table (th, td) as label → text.
const kvTable = (page, selector) => page.$$eval(`${selector} tr`, (trs) => Object.fromEntries(trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])));
const chooseDataset = async (page, version) => {
  await page.waitForFunction((v) => Array.from(document.querySelectorAll('#p-dataset option')).some((o) => o.value === v), version);
  await page.selectOption('#p-dataset', version);
};

// Dataset 2026.2 is released and the default: the page lists every dataset
// from GET /v1/datasets with its status. Its answer has the definitive CBAM
// rules and the China ETS view; every figure shown is the API's.
test('dataset 2026.2: the anodes switch and liquid AC power are sent; CBAM rows, ratings and the China ETS block are the API\'s answer', async (t) => {
  await withPage(t, browser, { name: 'ets' }, async ({ page }) => {
    await load(page);
    const { json: ds } = await api('/v1/datasets');
    const offered = await page.$$eval('#p-dataset option', (os) => os.map((o) => o.value));
    assert.deepEqual(offered, ['', ...ds.datasets.map((d) => d.version)], 'the default, then every dataset');
    assert.ok(offered.includes('2026.2'), `2026.2 is offered: ${offered}`);
    assert.equal(ds.datasets.find((d) => d.version === '2026.2')?.status, 'released', 'the API lists 2026.2 as released');
    const newest = ds.datasets.filter((d) => d.status === 'released').sort((a, b) => b.released.localeCompare(a.released))[0];
    assert.equal(ds.default, newest.version, 'the default is the newest released dataset');
    const labels = await page.$$eval('#p-dataset option', (os) => os.map((o) => o.textContent));
    assert.deepEqual(labels, [`default: newest released (${ds.default})`, ...ds.datasets.map((d) => `${d.version} — ${d.status}`)],
      'each dataset labelled with its status');
    assert.ok(labels.includes('2026.2 — released') && labels.includes('2026.1 — released'), `labels: ${labels}`);
    if (!ds.datasets.some((d) => d.status === 'draft')) {
      assert.equal(await page.textContent('#p-dataset-hint'), 'Choose a version to pin it; the default follows the newest release.', 'no draft to name');
    }

    await chooseDataset(page, '2026.2');
    await page.selectOption('#a-onsite', 'false');
    await page.selectOption('#p-pfc', 'default'); // not a method of IR 2025/2547 B.7: flagged
    await page.fill('#p-liquid', '12900');
    const { request, response } = await captureJSON(page, 'POST', '/v1/footprints/primary',
      () => page.click('#plant-form button[type=submit]'));
    assert.equal(request.dataset, '2026.2');
    assert.equal(request.anode?.produced_on_site, false, 'the switch "no" sends false');
    assert.equal(request.electrolysis?.liquid_ac_kwh_per_t, 12900);
    assert.equal(request.electrolysis?.ac_kwh_per_t, 13200);

    const { json: want } = await api('/v1/footprints/primary', request);
    assert.deepEqual(response.cbam, want.cbam);
    assert.deepEqual(response.ets, want.ets);
    assert.equal(want.dataset, '2026.2');
    assert.ok(want.ets, 'a 2026.2 answer has the ets block');
    assert.equal(want.cbam.rules, 'definitive_2026');
    assert.equal(want.cbam.pfc_verifiable, false, 'the default PFC method is not verifiable');
    assert.ok(!want.provenance.warnings.some((w) => w.includes('is a draft')), `no draft warning on a released dataset: ${want.provenance.warnings}`);
    await page.waitForFunction(() => !document.getElementById('o-ets').hidden && document.querySelectorAll('#o-ets-kv tr').length > 0);

    // CBAM: rules, the boundary, the direct split, the flagged PFC, notes.
    const cbam = await kvTable(page, '#o-cbam');
    assert.equal(cbam.Rules, 'definitive period (2026)');
    assert.equal(cbam['Anodes baked on site'], want.cbam.anodes_on_site ? 'yes' : 'no');
    for (const [label, key, unit] of [['Direct (SEE)', 'see_direct_tco2e_per_t', 't CO2e/t'], ['Direct: anode CO2', 'anode_co2_tco2_per_t', 't CO2/t'],
      ['Direct: PFC', 'pfc_tco2e_per_t', 't CO2e/t'], ['Direct: casting fuel', 'casting_fuel_tco2_per_t', 't CO2/t'],
      ['Direct: anode plant', 'anode_production_tco2_per_t', 't CO2/t']]) {
      assert.ok(cbam[label]?.endsWith(' ' + unit), `${label}: ${cbam[label]}`);
      assertShown(cbam[label].slice(0, -unit.length - 1), want.cbam[key], 4, `CBAM ${label}`);
    }
    const split = want.cbam.anode_co2_tco2_per_t + want.cbam.pfc_tco2e_per_t + want.cbam.casting_fuel_tco2_per_t + want.cbam.anode_production_tco2_per_t;
    assert.ok(Math.abs(split - want.cbam.see_direct_tco2e_per_t) < 1e-9, 'the four rows add up to the direct SEE');
    assert.equal(cbam['PFC method'], 'dataset default');
    assert.match(cbam['PFC verifiable'], /^⚠ no/);
    assert.equal(await page.$eval('#o-cbam tr.flag th', (th) => th.textContent), 'PFC verifiable', 'the unverifiable PFC row is flagged');
    assert.equal(cbam['Indirect rule'], want.cbam.indirect_rule);
    assertShown(cbam["Indirect on the supply's own factors (SEE)"].split(' ')[0], want.cbam.portfolio_see_indirect_tco2e_per_t, 4, 'portfolio indirect');
    assert.deepEqual(await page.$$eval('#o-cbam td li', (lis) => lis.map((li) => li.textContent)), want.cbam.notes, 'CBAM notes');

    // The ratings line names the indicator graded and its value.
    const ind = { liquid_ac: 'liquid AC power', liquid_comprehensive_ac: 'liquid comprehensive AC power' }[want.ratings.indicator];
    const ndrc = await page.textContent('#o-ndrc');
    assert.ok(ndrc.includes(`graded: ${ind} ${want.ratings.graded_kwh_per_t.toLocaleString('en-US')} kWh/t`), `ratings line: ${ndrc}`);
    if (want.ratings.ndrc_level === 'not_assessed') assert.ok(ndrc.startsWith('NDRC level: not assessed'), ndrc);

    // China ETS: per t, per year, the allocation years, notes.
    const ets = await kvTable(page, '#o-ets-kv');
    assert.equal(ets.Guideline, want.ets.guideline);
    assertShown(ets['Electrolysis process (allocation unit)'].replace(/ t CO2e\/t$/, ''), want.ets.process_tco2e_per_t, 4, 'ETS process');
    assertShown(ets['Enterprise level'].replace(/ t CO2e\/t$/, ''), want.ets.enterprise_tco2e_per_t, 4, 'ETS enterprise');
    assertShown(ets['Purchased electricity (reported, not covered)'].replace(/ MWh\/t$/, ''), want.ets.purchased_electricity_mwh_per_t, 4, 'ETS purchased electricity');
    assert.ok(want.ets.annual, 'production_t is given, so the year\'s figures are too');
    assertShown(ets['Process, per year'].replace(/ t CO2e\/yr$/, ''), want.ets.annual.process_tco2e, 4, 'ETS process per year');
    assert.match(ets['Process, per year'], /\d\.\d{4} t CO2e\/yr$/, 'a per-year figure in a table has the tables\' four decimals');
    assert.equal(ets['Key emitting unit'], want.ets.annual.key_emitter ? 'yes' : 'no');
    const alloc = await page.$$eval('#o-ets-alloc tr', (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
    assert.equal(alloc.length, want.ets.allocation.length, 'a row per allocation year');
    assert.ok(want.ets.allocation.some((y) => y.benchmark_tco2e_per_t === null), 'the API has an unpublished benchmark to show');
    want.ets.allocation.forEach((y, i) => {
      assert.equal(alloc[i][0], String(y.year));
      assert.equal(alloc[i][1], y.method);
      if (y.benchmark_tco2e_per_t === null) assert.equal(alloc[i][2], 'not published', `benchmark ${y.year}`);
      else assertShown(alloc[i][2], y.benchmark_tco2e_per_t, 4, `benchmark ${y.year}`);
      if (y.allowances_tco2e === null) assert.equal(alloc[i][3], 'n/a');
      else {
        assertShown(alloc[i][3], y.allowances_tco2e, 4, `allowances ${y.year}`);
        assert.match(alloc[i][3], /\.\d{4}$/, `allowances ${y.year}: the tables' four decimals`);
      }
      assert.equal(alloc[i][5], y.note || '');
    });
    assert.deepEqual(await page.$$eval('#o-ets-notes li', (lis) => lis.map((li) => li.textContent)), want.ets.notes, 'ETS notes');
    await page.locator('#o-ets').scrollIntoViewIfNeeded();
    await screenshot(page, 'ets.png');

    // In Chinese the block and the switch are translated.
    await page.selectOption('#lang', 'zh');
    assert.equal(await page.textContent('#o-ets-h'), '全国碳市场');
    assert.equal(await page.$eval('#a-onsite', (s) => s.selectedOptions[0].textContent), '否');
    assert.ok((await page.textContent('#o-ets-alloc')).includes('未公布'), 'not published, in Chinese');
    await page.selectOption('#lang', 'en');

    // The choices travel in the URL: a new visitor gets them back.
    const other = await page.context().newPage();
    t.after(() => other.close());
    await other.goto(page.url());
    await other.waitForFunction(() => document.getElementById('p-dataset').value === '2026.2');
    assert.equal(await other.inputValue('#a-onsite'), 'false');
    assert.equal(await other.inputValue('#p-liquid'), '12900');
  });
});

// What the switch is for: bought anodes (no) take the anode plant out of
// the CBAM boundary, and a liquid AC power given is the indicator graded.
test('dataset 2026.2: anodes bought take the anode plant out of CBAM direct emissions; the liquid AC power is graded', async (t) => {
  await withPage(t, browser, { name: 'ets-anodes-bought' }, async ({ page }) => {
    await load(page);
    await chooseDataset(page, '2026.2');
    await page.selectOption('#a-onsite', 'true');
    const { response: onSite } = await captureJSON(page, 'POST', '/v1/footprints/primary', () => page.click('#plant-form button[type=submit]'));
    await page.selectOption('#a-onsite', 'false');
    await page.fill('#p-liquid', '12900');
    const { response: bought } = await captureJSON(page, 'POST', '/v1/footprints/primary', () => page.click('#plant-form button[type=submit]'));
    assert.equal(onSite.cbam.anodes_on_site, true);
    assert.ok(onSite.cbam.anode_production_tco2_per_t > 0, 'on site: the anode plant is in direct emissions');
    assert.equal(bought.cbam.anodes_on_site, false, 'the API took the switch');
    assert.equal(bought.cbam.anode_production_tco2_per_t, 0);
    assert.ok(Math.abs(onSite.cbam.see_direct_tco2e_per_t - bought.cbam.see_direct_tco2e_per_t - onSite.cbam.anode_production_tco2_per_t) < 1e-9,
      'direct emissions drop by the anode plant');
    assert.deepEqual([bought.ratings.indicator, bought.ratings.graded_kwh_per_t], ['liquid_ac', 12900], 'the liquid AC power is graded');
    await page.waitForFunction(() => document.querySelector('#o-cbam').textContent.includes('Direct: anode plant0.0000 t CO2/t'));
    const cbam = await kvTable(page, '#o-cbam');
    assert.equal(cbam['Direct: anode plant'], '0.0000 t CO2/t');
    assert.equal(cbam['Anodes baked on site'], 'no');
    assert.ok((await page.textContent('#o-ndrc')).includes('graded: liquid AC power 12,900 kWh/t'));
  });
});

test('dataset 2026.1 hides the China ETS block and shows the estimate CBAM rules; the default shows the block', async (t) => {
  await withPage(t, browser, { name: 'ets-hidden' }, async ({ page }) => {
    await load(page);
    // The default sends no dataset; the API answers with its default, the
    // newest released one (2026.2), which has the China ETS view.
    const def = await captureJSON(page, 'POST', '/v1/footprints/primary', () => page.click('#plant-form button[type=submit]'));
    assert.equal(def.request.dataset, undefined, 'no dataset sent for the default');
    const { json: ds } = await api('/v1/datasets');
    assert.equal(def.response.dataset, ds.default);
    assert.equal(ds.default, '2026.2', '2026.2 is the default');
    const { json: defWant } = await api('/v1/footprints/primary', def.request);
    assert.ok(defWant.ets, 'the default answer has the ets block');
    assert.equal(defWant.cbam.rules, 'definitive_2026');
    assert.deepEqual(def.response.ets, defWant.ets);
    await page.waitForFunction(() => !document.getElementById('o-ets').hidden && document.querySelectorAll('#o-ets-kv tr').length > 0);
    assert.ok(await page.isVisible('#o-ets'), 'the China ETS block is shown on the default dataset');
    assertShown((await kvTable(page, '#o-ets-kv'))['Electrolysis process (allocation unit)'].replace(/ t CO2e\/t$/, ''),
      defWant.ets.process_tco2e_per_t, 4, 'ETS process on the default');
    assert.equal((await kvTable(page, '#o-cbam')).Rules, 'definitive period (2026)');

    // 2026.1, chosen: no ETS block, the estimate CBAM rules.
    await chooseDataset(page, '2026.1');
    const { request, response } = await captureJSON(page, 'POST', '/v1/footprints/primary', () => page.click('#plant-form button[type=submit]'));
    assert.equal(request.dataset, '2026.1');
    assert.equal(response.dataset, '2026.1');
    assert.equal(response.ets, undefined, '2026.1 has no ets block');
    assert.equal(response.cbam.rules, 'estimate');
    await page.waitForFunction(() => document.getElementById('o-ets').hidden);
    assert.ok(!(await page.isVisible('#o-ets')), 'the China ETS block is hidden');
    const cbam = await kvTable(page, '#o-cbam');
    assert.equal(cbam.Rules, 'estimate');
    assert.ok(!('Anodes baked on site' in cbam) && !('PFC verifiable' in cbam), `no 2026.2-only rows: ${Object.keys(cbam)}`);
    assertShown(cbam['Direct (SEE)'].replace(/ t CO2e\/t$/, ''), response.cbam.see_direct_tco2e_per_t, 4, 'CBAM direct on 2026.1');
    const ndrc = await page.textContent('#o-ndrc');
    assert.ok(ndrc.includes(`graded: liquid AC power ${response.ratings.graded_kwh_per_t.toLocaleString('en-US')} kWh/t`), ndrc);

    // Back to the default: the block is shown again.
    await page.selectOption('#p-dataset', '');
    const again = await captureJSON(page, 'POST', '/v1/footprints/primary', () => page.click('#plant-form button[type=submit]'));
    assert.equal(again.request.dataset, undefined);
    assert.ok(again.response.ets, 'the default answer has the ets block');
    await page.waitForFunction(() => !document.getElementById('o-ets').hidden);
  });
});

// The dataset list is data-driven: a draft the API lists is labelled as
// one and named in the hint, in both languages. No draft exists now, so the
// API's list is served with one added.
test('dataset list: a draft listed by the API is labelled and named in the hint', async (t) => {
  await withPage(t, browser, { name: 'ds-draft' }, async ({ page }) => {
    await page.route('**/v1/datasets', async (route) => {
      const res = await route.fetch();
      const json = await res.json();
      json.datasets.unshift({ ...json.datasets[0], version: '2099.1', status: 'draft', released: '', default: false });
      await route.fulfill({ response: res, json });
    });
    await load(page);
    const { json: ds } = await api('/v1/datasets');
    const labels = await page.$$eval('#p-dataset option', (os) => os.map((o) => o.textContent));
    assert.deepEqual(labels, [`default: newest released (${ds.default})`, '2099.1 — draft', ...ds.datasets.map((d) => `${d.version} — ${d.status}`)]);
    assert.equal(await page.textContent('#p-dataset-hint'), 'Choose a version to pin it; the default follows the newest release.'
      + ' A draft (2099.1) is used only when chosen here; its results carry a warning and cannot be published.');
    await page.selectOption('#lang', 'zh');
    assert.equal(await page.$eval('#p-dataset option[value="2099.1"]', (o) => o.textContent), '2099.1 — 草案');
    assert.ok((await page.textContent('#p-dataset-hint')).includes('草案数据集（2099.1）'), await page.textContent('#p-dataset-hint'));
    await page.selectOption('#lang', 'en');
    assert.ok(!(await page.textContent('#p-dataset-hint')).includes('草案'));
  });
});

// ---- issue 19: task first, result first -------------------------------------

// The first POST the page sends on its own, with no click.
const firstPlant = (page) => page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/footprints/primary');

test('first load: the prefilled plant\'s result is shown without any click, result first', async (t) => {
  await withPage(t, browser, { name: 'first-load' }, async ({ page }) => {
    const first = firstPlant(page);
    await load(page);
    const resp = await first;
    const request = resp.request().postDataJSON();
    const { json: want } = await api('/v1/footprints/primary', request);
    await settled(page, 'plant-out');
    assert.ok(await page.isVisible('#o-loc'), 'the result is visible');
    assertShown(await page.textContent('#o-loc'), want.total_tco2e_per_t.location_based, 2, '#o-loc on load');
    assertShown(await page.textContent('#o-mkt'), want.total_tco2e_per_t.market_based, 2, '#o-mkt on load');
    // Above the inputs, and in the first screen.
    const [cardsTop, formTop] = await page.evaluate(() => ['.cards', '#plant-form'].map((q) => document.querySelector(q).getBoundingClientRect().top));
    assert.ok(cardsTop < formTop && cardsTop < 900, `cards at ${cardsTop}, form at ${formTop}`);
    // The chart right under the cards, its legend "Electricity 9.04 t · 71 %".
    const legend = await page.$$eval('#stage-legend li', (lis) => lis.map((li) => li.textContent));
    assert.equal(legend.length, want.stages.length);
    const names = { alumina_refining: 'alumina', anode_production: 'anode production', electrolysis_direct: 'electrolysis, direct', electrolysis_electricity: 'electricity', casting: 'casting' };
    want.stages.forEach((s, i) => {
      const m = legend[i].match(/^(.*) ([\d.,]+) t · (\d+) %$/);
      assert.ok(m, `legend ${i}: ${legend[i]}`);
      assert.equal(m[1], names[s.stage]);
      assertShown(m[2], s.tco2e_per_t, 2, `${s.stage} in the legend`);
      assertShown(m[3], s.share * 100, 0, `${s.stage} share`);
    });
    // Every stage, casting too, is visible in the bars.
    const widths = await page.$$eval('#stage-chart rect[data-series]', (rs) => rs.map((r) => r.getBBox().width));
    widths.slice(0, want.stages.length).forEach((w, i) => assert.ok(w >= 2 || want.stages[i].tco2e_per_t === 0, `stage ${i} width ${w}`));
    // The warnings folded into one line; the provenance behind a disclosure.
    const n = want.provenance.warnings.length;
    assert.equal(await page.textContent('#warnings-sum'), n === 1 ? '1 default used — review' : `${n} defaults used — review`);
    assert.equal(await page.$eval('#warnings', (d) => d.open), false);
    assert.equal(await page.$eval('#prov-details', (d) => d.open), false);
    assert.equal(await page.textContent('#prov-count'), String(want.provenance.factors.length));
    // The grade with its scale and the grade-1 threshold from the answer's provenance.
    const g = want.ratings;
    const g1 = want.provenance.factors.find((f) => f.id === `gb21346/${g.indicator}/grade1`);
    assert.ok(g1, 'the answer carries the grade-1 threshold');
    assert.equal((await page.textContent('#o-grade')).trim(), String(g.gb21346_ac_grade));
    assert.equal(await page.textContent('#o-grade-of'), 'of 3');
    assert.ok((await page.textContent('#o-grade-note')).includes(`grade 1 ≤ ${g1.value.toLocaleString('en-US')} kWh/t`), await page.textContent('#o-grade-note'));
    // The CBAM default as a reference mark beside the direct emissions.
    assertShown(await page.textContent('#o-see'), want.cbam.see_direct_tco2e_per_t, 2, 'CBAM direct card');
    assert.equal(await page.textContent('#o-see-ref .mark-label'), `Commission default ${want.cbam.default_value_tco2e_per_t.toFixed(2)}`);
    // The buyers' list is there on arrival.
    await page.waitForFunction(() => document.getElementById('buy-status').textContent !== 'Loading…');
    const { json: list } = await api('/v1/declarations');
    assert.equal(await page.locator('#decl-rows tr').count(), list.declarations.length, 'public declarations listed on arrival');
  });
});

// The three tasks, as the usability script (e2e/USABILITY.md) walks them:
// each opens from its link, and the time from the link to the answer on
// screen is logged.
test('task entries deep-link: each task opens from its URL with its answer on screen', async (t) => {
  await api('/v1/declarations', {
    kind: 'primary', request: SHANXI, product_name: 'E2E ingot (tasks)', product_ids: ['urn:gtin:06901234567898'],
    reference_period: { start: '2024-01-01', end: '2024-12-31' }, visibility: 'public',
  }, { status: 201, headers: { Authorization: `Bearer ${API_KEY}` } });
  for (const [task, section, ready] of [
    ['plant', '#plant', () => document.getElementById('plant-out').getAttribute('aria-busy') === 'false' && document.getElementById('o-loc').textContent !== ''],
    ['compare', '#scenarios', () => document.querySelectorAll('#scen-rows tr').length === 4 && document.getElementById('scen-out').getAttribute('aria-busy') === 'false'],
    ['supplier', '#buyers', () => document.querySelectorAll('#decl-rows tr').length > 0],
  ]) {
    await withPage(t, browser, { name: `task-${task}` }, async ({ page }) => {
      const started = Date.now();
      await page.goto(`${BASE_URL}/?task=${task}`, { waitUntil: 'load' });
      await page.waitForFunction(ready);
      const took = Date.now() - started;
      assert.equal(await page.getAttribute(`#task-${task}`, 'aria-current'), 'true', `${task} marked current`);
      // The task's section is scrolled to (to the top, or as far as the page
      // goes for the last one): its heading is on the first screen.
      const [top, vh] = await page.$eval(section, (s) => [s.getBoundingClientRect().top, window.innerHeight]);
      assert.ok(top > -5 && top < vh * 0.7, `${section} on screen: top ${top} of ${vh}`);
      let full = took;
      if (task === 'supplier') {
        // The buyer's next step: open a declaration, read its headline.
        await page.locator('#decl-rows button.open').first().click();
        await page.waitForFunction(() => document.getElementById('d-mkt').textContent !== '');
        full = Date.now() - started;
      }
      t.diagnostic(`usability: task "${task}": answer on screen ${took} ms after opening ?task=${task}${task === 'supplier' ? `, declaration open ${full} ms` : ''}`);
      console.log(`usability: task "${task}" took ${full} ms in the browser test`);
      await page.waitForLoadState('networkidle');
    });
  }
  // Clicking a task card puts it in the URL, keeping the inputs' hash.
  await withPage(t, browser, { name: 'task-click' }, async ({ page }) => {
    await load(page);
    await page.click('#task-supplier');
    assert.match(page.url(), /\?task=supplier#s=/);
    assert.equal(await page.getAttribute('#task-supplier', 'aria-current'), 'true');
    await page.click('#task-compare');
    await page.waitForFunction(() => document.querySelectorAll('#scen-rows tr').length === 4);
    assert.match(page.url(), /\?task=compare#s=/);
  });
});

test('buyers: an empty search suggests clearing the filters, which lists everything again', async (t) => {
  await withPage(t, browser, { name: 'empty-search' }, async ({ page }) => {
    await load(page);
    await page.fill('#b-product', 'no such product 7f3a');
    await captureJSON(page, 'GET', '/v1/declarations', () => page.click('#search'));
    await page.locator('#buy-empty').waitFor();
    assert.ok(await page.isVisible('#clear-filters'));
    const { response } = await captureJSON(page, 'GET', '/v1/declarations', () => page.click('#clear-filters'));
    assert.equal(await page.inputValue('#b-product'), '');
    await page.waitForFunction((n) => document.querySelectorAll('#decl-rows tr').length === n, response.declarations.length);
    assert.ok(await page.isHidden('#buy-empty'));
  });
});

// Every button that asks the API is disabled with a progress bar while its
// answer is awaited (held back here), and enabled again after.
test('busy state: every compute button is disabled and shows progress while it works', async (t) => {
  await withPage(t, browser, { name: 'busy', expected: [ETS_409] }, async ({ page }) => {
    await api('/v1/declarations', {
      kind: 'primary', request: SHANXI, product_name: 'E2E ingot (busy)', product_ids: ['urn:gtin:06901234567897'],
      reference_period: { start: '2024-01-01', end: '2024-12-31' }, visibility: 'public',
    }, { status: 201, headers: { Authorization: `Bearer ${API_KEY}` } });
    await load(page);
    const hold = async (path, click, button, progress) => {
      let release;
      const held = new Promise((r) => { release = r; });
      const pattern = (u) => path.test(u.pathname);
      await page.route(pattern, async (route) => { await held; await route.continue(); });
      const answered = page.waitForResponse((r) => path.test(new URL(r.url()).pathname));
      await page.click(click);
      await page.waitForFunction((b) => document.querySelector(b).disabled, button);
      if (progress) assert.ok(await page.isVisible(progress), `${progress} shown while ${click} works`);
      release();
      await answered;
      await page.waitForFunction((b) => !document.querySelector(b).disabled, button);
      if (progress) assert.ok(await page.isHidden(progress), `${progress} hidden after`);
      await page.unroute(pattern);
    };
    await hold(/^\/v1\/footprints\/primary$/, '#compute', '#compute', '#plant-progress');
    await hold(/^\/v1\/footprints\/primary$/, '#preset', '#compute', '#plant-progress');
    await hold(/^\/v1\/scenarios\/compare$/, '#compare', '#compare', '#scen-progress');
    await page.waitForFunction(() => document.getElementById('scen-out').getAttribute('aria-busy') === 'false');
    await hold(/^\/v1\/pv$/, '#scen-rows button.monthly', '#scen-rows button.monthly', null);
    await hold(/^\/v1\/scenarios\/sweep$/, '#run-sweep', '#run-sweep', '#sweep-progress');
    await hold(/^\/v1\/declarations$/, '#search', '#search', '#buy-progress');
    await hold(/^\/v1\/declarations\/[^/]+$/, '#decl-rows button.open', '#decl-rows button.open', null);
    await page.locator('#decl-detail').waitFor();
    await page.waitForLoadState('networkidle');
    await hold(/^\/v1\/declarations\/[^/]+\/verify$/, '#verify', '#verify', '#verify-progress');
    await page.waitForLoadState('networkidle');
  });
});

// Every view in both languages at a phone's and a desktop's width: the page
// fits (tables become cards on the phone) and no text on screen is a
// dictionary key or an untranslated code (s_primary_metal). The README's
// screenshots are taken here.
test('every view, English and Chinese, 390 and 1440 px: nothing wider than the viewport, no dictionary key shown', async (t) => {
  const { json: productDecl } = await api('/v1/declarations', {
    kind: 'product', request: { product: 'building_profile', region: 'CN-SX', year: 2023 }, product_name: 'E2E 6063 building profile',
    product_ids: ['urn:gtin:06901234567895'], reference_period: { start: '2024-01-01', end: '2024-12-31' }, visibility: 'public',
  }, { status: 201, headers: { Authorization: `Bearer ${API_KEY}` } });
  const { json: primaryDecl } = await api('/v1/declarations', {
    kind: 'primary', request: SHANXI, product_name: 'E2E ingot (views)', product_ids: ['urn:gtin:06901234567896'],
    reference_period: { start: '2024-01-01', end: '2024-12-31' }, visibility: 'public',
  }, { status: 201, headers: { Authorization: `Bearer ${API_KEY}` } });
  const batchFile = writeTemp('views.csv', BATCH_CSV);
  for (const width of [390, 1440]) {
    for (const lang of ['en', 'zh']) {
      const name = `views-${lang}-${width}`;
      await withPage(t, browser, { name, viewport: { width, height: width < 720 ? 844 : 900 }, expected: [ETS_409] }, async ({ page }) => {
        await page.addInitScript((l) => localStorage.setItem('alcarbon.lang', l), lang);
        await load(page);
        await settled(page, 'plant-out');
        const problems = [];
        const check = async (view) => {
          await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
          const found = await page.evaluate(() => {
            // A text equal to a key whose translation is another text (not
            // "yes" = yes in English) is a key shown instead of its label.
            const keys = window.alcarbon.keys();
            const set = new Set(keys.filter((k) => window.alcarbon.t(k) !== k));
            const prefixes = [...new Set(keys.filter((k) => k.includes('_')).map((k) => k.split('_')[0]))];
            const code = new RegExp(`^(${prefixes.join('|')})_[A-Za-z0-9_-]+$`);
            const keyLike = (x) => set.has(x) || code.test(x);
            const shown = (e) => e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
            const keysShown = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
              const txt = walker.currentNode.textContent.trim();
              if (txt && keyLike(txt) && shown(walker.currentNode.parentElement)) keysShown.push(txt);
            }
            document.querySelectorAll('select').forEach((sel) => { if (shown(sel) && sel.selectedOptions[0] && keyLike(sel.selectedOptions[0].textContent.trim())) keysShown.push(sel.selectedOptions[0].textContent); });
            document.querySelectorAll('td[data-label]').forEach((td) => { if (shown(td) && keyLike(td.dataset.label)) keysShown.push(td.dataset.label); });
            const vw = window.innerWidth;
            const id = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '');
            const wide = Array.from(document.body.querySelectorAll('*')).filter((e) => {
              if (e.closest('.skip, .sr, thead') || !shown(e)) return false;
              const r = e.getBoundingClientRect();
              return r.width > 0 && (r.right > vw + 1 || r.left < -1);
            }).map(id);
            return { keysShown, wide: wide.slice(0, 8), scrollWidth: document.documentElement.scrollWidth };
          });
          if (found.keysShown.length) problems.push(`${view}: dictionary keys shown: ${found.keysShown.join(', ')}`);
          if (found.wide.length || found.scrollWidth > width + 1) problems.push(`${view}: wider than ${width} px (scrollWidth ${found.scrollWidth}): ${found.wide.join(', ')}`);
          await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = false; }));
        };
        await check('plant');
        // The batch results: a table on the desktop, cards on the phone.
        await uploadBatch(page, batchFile);
        await page.waitForFunction(() => document.querySelectorAll('#bt-rows tr').length === 3);
        await check('batch');
        await screenshot(page.locator('#batch'), `batch-${lang}-${width}.png`);
        // For the README's element screenshots the sticky action bars sit in
        // their place, not over the inputs (CSSOM, which the CSP allows).
        const unstick = () => page.evaluate(() => document.querySelectorAll('.sticky').forEach((e) => { e.style.position = 'static'; }));
        const restick = () => page.evaluate(() => document.querySelectorAll('.sticky').forEach((e) => { e.style.position = ''; }));
        await unstick();
        await screenshot(page.locator('#plant'), `plant-${lang}-${width}.png`);
        await restick();
        await page.check('#s-unc');
        await page.fill('#variants tr:nth-child(2) .gc', '200000');
        await page.click('#compare');
        await page.waitForFunction(() => document.getElementById('scen-out').getAttribute('aria-busy') === 'false'
          && Array.from(document.querySelectorAll('#scen-rows td.band')).every((c) => /\d/.test(c.textContent)));
        await page.click('#run-sweep');
        await page.locator('#sweep-chart canvas').waitFor();
        await check('scenarios');
        await unstick();
        await screenshot(page.locator('#scenarios'), `scenarios-${lang}-${width}.png`);
        await restick();
        await page.waitForFunction(() => document.querySelectorAll('#decl-rows tr').length > 0);
        for (const d of [primaryDecl, productDecl]) {
          await page.locator(`#decl-rows button.open[data-id="${d.id}"]`).click();
          await page.waitForFunction((x) => document.getElementById('d-kv').textContent.includes(x) && document.getElementById('d-stages').rows.length > 0, d.id);
          await page.waitForLoadState('networkidle');
          await check(`declaration ${d.kind ?? ''} ${d.id}`);
        }
        await screenshot(page.locator('#buyers'), `buyers-${lang}-${width}.png`);
        assert.deepEqual(problems, [], `${lang} at ${width} px`);
      });
    }
  }
});

// The API gives each warning and field error a stable code and parameters
// beside its English text; the page words them by code in its own labels,
// in Chinese too, with supply rows counted from 1.
test('warnings and field errors are worded by code, in Chinese, with 1-based rows', async (t) => {
  await withPage(t, browser, { name: 'codes-zh', expected: [/status of 422/] }, async ({ page }) => {
    await page.addInitScript(() => localStorage.setItem('alcarbon.lang', 'zh'));
    const first = firstPlant(page);
    await load(page);
    const request = (await first).request().postDataJSON();
    const { json: want } = await api('/v1/footprints/primary', request);
    const { warnings, warning_codes: codes } = want.provenance;
    assert.equal(codes.length, warnings.length, 'a code beside every warning');
    const captive = codes.findIndex((c) => c.code === 'captive_ef_default');
    assert.ok(captive >= 0, `the example's captive plant takes the default: ${JSON.stringify(codes)}`);
    assert.equal(codes[captive].params.source, 0, 'the API counts sources from 0');
    await settled(page, 'plant-out');
    await page.click('#warnings-sum');
    const shown = await page.$$eval('#warnings-list li', (lis) => lis.map((li) => ({ code: li.dataset.code, text: li.textContent })));
    assert.deepEqual(shown.map((s) => s.code), codes.map((c) => c.code), 'one line per warning, by code');
    assert.equal(shown[captive].text, '供电结构第 1 行（自备电厂）：未填排放因子或供电煤耗，采用数据集的煤电默认值。请填写本厂数值。');
    shown.forEach((s, i) => {
      assert.ok(/[\u4e00-\u9fff]/.test(s.text), `warning ${s.code} in Chinese: ${s.text}`);
      assert.notEqual(s.text, warnings[i], `warning ${s.code} is not the API's English text`);
    });
    assert.equal(await page.textContent('#warnings-note'), '', 'no "in English" note when every warning is worded by the page');
    assert.equal(await page.textContent('#warnings-sum'), `使用了 ${codes.length} 个默认值——请核对`);

    // A field error by code: the label and the rule in Chinese.
    await page.fill('#p-ac', '99999');
    const bad = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/footprints/primary');
    await page.click('#compute');
    const problem = await (await bad).json();
    assert.equal(problem.errors[0].code, 'out_of_range');
    await page.waitForFunction(() => document.getElementById('plant-status').classList.contains('error'));
    assert.equal(await page.textContent('#plant-status'), '铝液综合交流电耗 [kWh/t]（含整流与辅助）: 须在 10,000 与 20,000 kWh/t 之间；当前为 99,999');

    // An engine error by code: the overvoltage PFC method on a Søderberg
    // line, for which the dataset has no coefficient (no_coefficient).
    await page.fill('#p-ac', '13200');
    await page.selectOption('#p-tech', 'VSS');
    await page.selectOption('#p-pfc', 'overvoltage');
    await page.fill('#p-aeo', '5');
    await page.fill('#p-ce', '0.92');
    const bad2 = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/footprints/primary' && r.status() === 422);
    await page.click('#compute');
    const engine = (await (await bad2).json()).errors;
    assert.deepEqual(engine.map((e) => [e.pointer, e.code, e.params]), [['/electrolysis/technology', 'no_coefficient', { technology: 'VSS', method: 'overvoltage' }]]);
    await page.waitForFunction(() => document.getElementById('plant-status').textContent.includes('过电压系数'));
    const status = await page.textContent('#plant-status');
    assert.ok(status.endsWith(': 数据集中没有VSS 上插自焙槽的过电压系数；PFC 计算方法请改用斜率法或实测'), `no_coefficient in Chinese: ${status}`);
    assert.ok(!status.includes('no overvoltage coefficient'), `no English detail: ${status}`);
    assert.equal(await page.getAttribute('#p-tech', 'aria-invalid'), 'true');
  });
});
test('Chinese units, and field errors by code in Chinese: an unknown region is named by its label and worded in Chinese, as are rules between fields (requires, one_of_required)', async (t) => {
  await withPage(t, browser, { name: 'codes-region-zh', expected: [/status of 422/] }, async ({ page }) => {
    await page.addInitScript(() => localStorage.setItem('alcarbon.lang', 'zh'));
    await load(page);
    await settled(page, 'plant-out');
    // Units as the Chinese page writes them (glossary.json u_…), none in the English form.
    const cardUnits = await page.$$eval('.card .unit[data-i18n=u_tco2e_t]', (us) => us.map((u) => u.textContent));
    assert.ok(cardUnits.length >= 3 && cardUnits.every((u) => u === 'tCO₂e/t'), `the cards' units: ${cardUnits}`);
    const visible = await page.evaluate(() => document.body.innerText);
    for (const english of ['t CO2e', 't CO2/t', 't/yr', 'MWh/yr']) assert.ok(!visible.includes(english), `no English unit ${english} on the Chinese page`);
    assert.ok(visible.includes('tCO₂e/t'), 'tCO₂e/t is shown');
    await page.fill('#p-region', 'CN-XX');
    const bad = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/footprints/primary');
    await page.click('#compute');
    const problem = await (await bad).json();
    const err = problem.errors.find((e) => e.pointer === '/region');
    assert.equal(err.code, 'unknown_value');
    assert.deepEqual(err.params, { kind: 'region', got: 'CN-XX' });
    await page.waitForFunction(() => document.getElementById('plant-status').classList.contains('error'));
    const label = await page.evaluate(() => document.getElementById('p-region').labels[0].textContent.trim());
    const status = await page.textContent('#plant-status');
    assert.ok(status.startsWith(label.split('\n')[0].trim().slice(0, 2)), `the field's Chinese label: ${status}`);
    assert.ok(status.endsWith('未知的地区“CN-XX”'), `the rule in Chinese, not the API's English: ${status}`);
    assert.ok(!status.includes('unknown region'), 'no English detail');
    assert.equal(await page.getAttribute('#p-region', 'aria-invalid'), 'true');
    // Rules between fields have codes too: a MWh row without the production
    // to relate it to demand (requires) and a row without an amount
    // (one_of_required), worded in Chinese with the production's label.
    await page.fill('#p-region', 'CN-SX');
    await page.fill('#p-prod', '');
    await page.click('#add-source');
    await page.selectOption('#sources tr:last-child .kind', 'grid');
    await page.selectOption('#sources tr:last-child .unit', 'mwh');
    await page.fill('#sources tr:last-child .amount', '1000');
    await page.click('#add-source');
    await page.selectOption('#sources tr:last-child .kind', 'grid');
    await page.fill('#sources tr:last-child .amount', '');
    const bad2 = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/footprints/primary');
    await page.click('#compute');
    const rules = (await (await bad2).json()).errors;
    const requires = rules.find((e) => e.code === 'requires');
    assert.deepEqual(requires && requires.params, { fields: ['production_t'] }, JSON.stringify(rules));
    const oneOf = rules.find((e) => e.code === 'one_of_required');
    assert.deepEqual(oneOf && oneOf.params, { fields: ['share', 'mwh'] }, JSON.stringify(rules));
    await page.waitForFunction(() => document.getElementById('plant-status').textContent.includes('须同时填写'));
    const prodLabel = await page.evaluate(() => document.getElementById('p-prod').labels[0].querySelector('span').textContent.trim());
    const status2 = await page.textContent('#plant-status');
    assert.ok(status2.includes('须同时填写' + prodLabel), `requires in Chinese with the production's label: ${status2}`);
    assert.ok(status2.includes('须填写以下之一：share、mwh'), `one_of_required in Chinese: ${status2}`);
    for (const english of ['an annual volume', 'give either']) assert.ok(!status2.includes(english), `no English detail ${english}: ${status2}`);
  });
});

// ---- batch files and the CBAM file (issue 18) -------------------------------

test('batch: the template downloads as XLSX and CSV, for the kind chosen and in the page\'s language', async (t) => {
  await withPage(t, browser, { name: 'batch-template', expected: [/status of 400/] }, async ({ page }) => {
    await load(page);
    assert.equal(await page.getAttribute('#bt-template', 'href'), '/v1/batches/template?kind=primary&format=xlsx&lang=en');
    const xlsx = await download(page, () => page.click('#bt-template'));
    assert.equal(xlsx.name, 'alcarbon-primary-template.xlsx');
    assert.ok(isZip(xlsx.bytes), 'the XLSX template is a zip (starts with PK)');
    const csv = await download(page, () => page.click('#bt-template-csv'));
    assert.equal(csv.name, 'alcarbon-primary-template.csv');
    const want = Buffer.from(await (await fetch(`${BASE_URL}/v1/batches/template?kind=primary&format=csv&lang=en`)).arrayBuffer());
    assert.ok(csv.bytes.equals(want), 'the CSV saved is the API\'s template');
    assert.match(csv.bytes.toString('utf8').split('\n')[0], /^dataset,region,year,electricity_basis,/, 'the header row names the request\'s paths');
    // The empty XLSX template uploaded as it is: sent as XLSX (not a 415),
    // read, and found to have no rows (400, worded by its code, no_rows).
    const empty = writeTemp('empty-template.xlsx', xlsx.bytes);
    const resp = await uploadBatch(page, empty);
    assert.equal(resp.request().headers()['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.equal(resp.status(), 400);
    assert.equal(await page.textContent('#bt-status'), 'The file cannot be read as a batch: the file has a header row but no rows under it');

    // A product's template, then in Chinese: the links follow the kind and the language.
    await page.selectOption('#bt-kind', 'product');
    assert.equal(await page.getAttribute('#bt-template', 'href'), '/v1/batches/template?kind=product&format=xlsx&lang=en');
    await page.selectOption('#lang', 'zh');
    assert.equal(await page.getAttribute('#bt-template-csv', 'href'), '/v1/batches/template?kind=product&format=csv&lang=zh');
    assert.equal((await page.textContent('#bt-template')).trim(), '下载模板（XLSX）');
    const zh = await download(page, () => page.click('#bt-template-csv'));
    assert.equal(zh.name, 'alcarbon-product-template-zh.csv');
    assert.equal(zh.bytes.subarray(0, 3).toString('hex'), 'efbbbf', 'the Chinese CSV starts with a BOM, for Excel');
    assert.match(zh.bytes.toString('utf8').split('\n')[0], /[\u4e00-\u9fff]/, 'Chinese headers');
    const zhX = await download(page, () => page.click('#bt-template'));
    assert.equal(zhX.name, 'alcarbon-product-template-zh.xlsx');
    assert.ok(isZip(zhX.bytes), 'the Chinese XLSX template is a zip');
  });
});

test('batch: a CSV with one bad row gives the results table, the row\'s error by row and column, and the API\'s CSV and XLSX', async (t) => {
  assert.ok(API_KEY, 'E2E_API_KEY is not set: run the tests through scripts/e2e.sh');
  const file = writeTemp('smelters.csv', BATCH_CSV);
  const want = await (await postBatch('primary', BATCH_CSV)).json();
  assert.deepEqual([want.rows, want.computed, want.failed], [3, 2, 1], JSON.stringify(want.errors));
  await withPage(t, browser, { name: 'batch-upload' }, async ({ page }) => {
    await load(page);
    // Busy while the API works: the button disabled, the bar shown.
    let release;
    const held = new Promise((r) => { release = r; });
    const isBatch = (u) => u.pathname === '/v1/batches';
    // The route fetches the answer itself (a held upload's body may be gone
    // from the inspector's cache when the test asks for it).
    let answerBody;
    await page.route(isBatch, async (route) => {
      await held;
      const r = await route.fetch();
      answerBody = await r.text();
      await route.fulfill({ response: r, body: answerBody });
    });
    await page.setInputFiles('#bt-file', file);
    await page.fill('#bt-key', API_KEY);
    const answered = page.waitForResponse((r) => isBatch(new URL(r.url())));
    await page.click('#bt-upload');
    await page.waitForFunction(() => document.getElementById('bt-upload').disabled);
    assert.ok(await page.isVisible('#bt-progress'), 'the progress bar shows while the batch computes');
    assert.equal(await page.textContent('#bt-status'), 'Uploading and computing…');
    release();
    const resp = await answered;
    const got = JSON.parse(answerBody);
    await page.unroute(isBatch);
    await page.waitForFunction(() => !document.getElementById('bt-upload').disabled);
    assert.ok(await page.isHidden('#bt-progress'), 'the bar hides when the answer is there');

    // The key went in the header, never in the URL; it is kept for the tab only.
    const req = resp.request();
    assert.equal(req.headers().authorization, `Bearer ${API_KEY}`);
    assert.ok(!req.url().includes(API_KEY) && !page.url().includes(API_KEY), 'the key is in no URL');
    assert.equal(req.headers()['content-type'], 'text/csv');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('alcarbon.apiKey')), API_KEY);
    assert.equal(await page.evaluate(() => Object.values(localStorage).some((v) => v.includes('.'))), false, 'nothing like a key in localStorage');
    assert.deepEqual(got, want, 'the page\'s answer is the one Node gets for the same file');

    // The table: one line per row, the figures the API's, four decimals.
    assert.equal(await page.textContent('#bt-summary'), '3 rows: 2 computed, 1 with errors');
    assert.equal(await page.locator('#bt-rows tr').count(), 3);
    for (const r of want.results.filter((x) => x.status === 'ok')) {
      const tr = `#bt-rows tr[data-row="${r.row}"]`;
      assert.equal(await page.textContent(`${tr} td.row-n`), String(r.row));
      assertShown(await page.textContent(`${tr} td.loc`), r.total_tco2e_per_t.location_based, 4, `row ${r.row} location-based`);
      assertShown(await page.textContent(`${tr} td.mkt`), r.total_tco2e_per_t.market_based, 4, `row ${r.row} market-based`);
      assertShown(await page.textContent(`${tr} td.see-direct`), r.cbam.see_direct_tco2e_per_t, 4, `row ${r.row} SEE direct`);
      assertShown(await page.textContent(`${tr} td.see-indirect`), r.cbam.see_indirect_tco2e_per_t, 4, `row ${r.row} SEE indirect`);
      assertShown(await page.textContent(`${tr} td.obligation`), r.cbam.obligation_tco2e_per_t, 4, `row ${r.row} obligation`);
      assert.ok(r.ets, `row ${r.row}: the default dataset has China ETS figures`);
      assertShown(await page.textContent(`${tr} td.ets-process`), r.ets.process_tco2e_per_t, 4, `row ${r.row} ETS process`);
      assertShown(await page.textContent(`${tr} td.ets-enterprise`), r.ets.enterprise_tco2e_per_t, 4, `row ${r.row} ETS enterprise`);
      const stages = await page.$$eval(`${tr} ul.stages li`, (lis) => lis.map((li) => [li.dataset.stage, li.querySelector('.n').textContent]));
      assert.deepEqual(stages.map((s) => s[0]), r.stages.map((s) => s.stage));
      stages.forEach(([st, text], i) => assertShown(text, r.stages[i].tco2e_per_t, 4, `row ${r.row} stage ${st}`));
      const share = (x) => `${(x * 100).toFixed(1)} %`;
      assert.equal(await page.textContent(`${tr} td.shares`), `${share(r.renewable_share.location_based)} / ${share(r.renewable_share.market_based)}`);
    }
    const bad = want.errors.find((e) => e.row === BAD_ROW);
    assert.deepEqual([bad.column, bad.code], ['electrolysis.ac_kwh_per_t', 'out_of_range']);
    assert.equal(await page.textContent(`#bt-rows tr[data-row="${BAD_ROW}"] td.errors`),
      'column electrolysis.ac_kwh_per_t: must be between 10,000 and 20,000 kWh/t; got 25,000');

    // The downloads are the API's CSV and XLSX of the same file.
    const csv = await download(page, () => page.click('#bt-csv'));
    assert.equal(csv.name, 'alcarbon-batch-results.csv');
    const wantCSV = Buffer.from(await (await postBatch('primary', BATCH_CSV, 'csv')).arrayBuffer());
    assert.ok(csv.bytes.equals(wantCSV), 'the CSV saved is the API\'s CSV of the file');
    assert.match(csv.bytes.toString('utf8'), /^row,status,dataset,region,year,total_tco2e_per_t\.location_based/);
    await page.waitForFunction(() => !document.getElementById('bt-csv').disabled);
    const xlsx = await download(page, () => page.click('#bt-xlsx'));
    assert.equal(xlsx.name, 'alcarbon-batch-results.xlsx');
    assert.ok(isZip(xlsx.bytes), 'the results XLSX is a zip (starts with PK)');
    await page.waitForFunction(() => document.getElementById('bt-dl-status').textContent.startsWith('Downloaded'));
    await screenshot(page.locator('#batch'), 'batch-en.png');

    // The key stays for this tab across a reload.
    await page.reload();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.inputValue('#bt-key'), API_KEY);
  });
});

// A file of more than 200 rows is a batch job (202 + Location): 450
// smelters, the one at data index 200 (spreadsheet row 202) out of range.
const JOB_ROWS = 450;
const JOB_BAD_ROW = 202;
const jobCSV = (n) => [
  'region,electrolysis.ac_kwh_per_t,electricity.sources[0].kind,electricity.sources[0].share',
  ...Array.from({ length: n }, (_, i) => `${i % 2 ? 'CN-SX' : 'CN-YN'},${i === JOB_BAD_ROW - 2 ? 25000 : 13000 + (i % 5000)},grid,1`),
].join('\n') + '\n';
// A job to cancel: 3,000 rows, six chunks of 500 computed one after another.
const CANCEL_ROWS = 3000;
// jobGet reads a batch job's path from Node with the key.
const jobGet = (p) => fetch(BASE_URL + p, { headers: { Authorization: `Bearer ${API_KEY}` } });
const JOB_FINAL = ['done', 'failed', 'canceled'];
// holdFirstPoll holds the page's first GET of a job until release() (a
// DELETE or a results request goes through), so that what the page shows
// between the 202 and the first poll can be checked however fast the job
// runs.
async function holdFirstPoll(page) {
  let release;
  const held = new Promise((r) => { release = r; });
  const isJob = (u) => /^\/v1\/batches\/[^/]+$/.test(u.pathname) && u.pathname !== '/v1/batches/template';
  let polls = 0;
  await page.route(isJob, async (route) => {
    if (route.request().method() === 'GET' && polls++ === 0) await held;
    await route.continue();
  });
  return { release, unroute: () => page.unroute(isJob) };
}
// uploadJob uploads a file the API answers with 202 and returns the 202's
// job and its Location.
// The route fetches the answer itself: the body of an answer to a large
// upload may be gone from the inspector's cache when the test asks for it.
async function uploadJob(page, file) {
  await page.setInputFiles('#bt-file', file);
  await page.fill('#bt-key', API_KEY);
  const isPost = (u) => u.pathname === '/v1/batches';
  let answer;
  await page.route(isPost, async (route) => {
    const r = await route.fetch();
    answer = { status: r.status(), location: r.headers().location, body: await r.text() };
    await route.fulfill({ response: r, body: answer.body });
  });
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && isPost(new URL(r.url())));
  await page.click('#bt-upload');
  await posted;
  await page.unroute(isPost);
  assert.equal(answer.status, 202, `a file of more than 200 rows is a job: ${answer.body.slice(0, 300)}`);
  assert.match(answer.location, /^\/v1\/batches\/[^/]+$/);
  return { accepted: JSON.parse(answer.body), location: answer.location };
}
// jobShown checks what the page shows of a job that has not ended: the
// bar's value and maximum, Cancel, and the status line, as the 202 says.
async function assertJobShown(page, accepted, rows = JOB_ROWS) {
  await page.waitForFunction(() => !document.getElementById('bt-cancel').hidden);
  const bar = await page.$eval('#bt-progress', (b) => ({ hidden: b.hidden, max: b.max, value: b.value, hasValue: b.hasAttribute('value') }));
  assert.deepEqual(bar, { hidden: false, max: rows, value: accepted.rows_done, hasValue: true }, 'a progress bar with rows done of total');
  assert.ok(await page.isVisible('#bt-cancel'), 'Cancel is offered while the job runs');
  const n = rows.toLocaleString('en-US');
  assert.equal(await page.textContent('#bt-status'), accepted.state === 'queued'
    ? `Background job queued: ${n} rows` : `Background job: ${accepted.rows_done.toLocaleString('en-US')} of ${n} rows done`);
  assert.equal(await page.isEnabled('#bt-upload'), true, 'another file can be uploaded meanwhile');
}

test('batch job: a file of 450 rows runs as a job with a progress bar and Cancel, then shows the results table and the API\'s CSV', async (t) => {
  assert.ok(API_KEY, 'E2E_API_KEY is not set: run the tests through scripts/e2e.sh');
  const file = writeTemp('job.csv', jobCSV(JOB_ROWS));
  const big = writeTemp('job-cancel.csv', jobCSV(CANCEL_ROWS));
  await withPage(t, browser, { name: 'batch-job', expected: [/status of 409/] }, async ({ page }) => {
    await load(page);
    const jobRequests = [];
    page.on('request', (r) => { if (/^\/v1\/batches\/[^/]+/.test(new URL(r.url()).pathname)) jobRequests.push(r); });

    // The 202: the page shows the job as the API accepted it until its
    // first poll is answered.
    const hold = await holdFirstPoll(page);
    const { accepted, location } = await uploadJob(page, file);
    assert.equal(accepted.rows, JOB_ROWS);
    t.diagnostic(`the job was ${accepted.state} (${accepted.rows_done} of ${accepted.rows} rows done) at its 202`);
    if (!JOB_FINAL.includes(accepted.state)) { // (one that ended already has nothing running to show)
      await assertJobShown(page, accepted);
      // A running job on a phone, in both languages: the bar, Cancel and
      // the status line fit in 390 px.
      await page.setViewportSize(PHONE);
      const zhRunning = accepted.state === 'queued' ? `后台任务排队中：共 ${JOB_ROWS} 行` : `后台任务：已完成 ${accepted.rows_done} / ${JOB_ROWS} 行`;
      for (const lang of ['zh', 'en']) {
        await page.selectOption('#lang', lang);
        if (lang === 'zh') assert.equal(await page.textContent('#bt-status'), zhRunning);
        assert.equal((await page.textContent('#bt-cancel')).trim(), lang === 'zh' ? '取消任务' : 'Cancel job');
        const wide = await page.evaluate(() => {
          const vw = window.innerWidth;
          const out = Array.from(document.querySelectorAll('#batch *')).filter((e) => {
            if (e.closest('thead') || !e.getClientRects().length) return false;
            const r = e.getBoundingClientRect();
            return r.width > 0 && (r.right > vw + 1 || r.left < -1);
          }).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''));
          return { out, scrollWidth: document.documentElement.scrollWidth, vw };
        });
        assert.deepEqual(wide.out, [], `${lang}: nothing in the batch section wider than ${wide.vw} px`);
        assert.ok(wide.scrollWidth <= wide.vw + 1, `${lang}: page scrollWidth ${wide.scrollWidth}`);
      }
      await screenshot(page.locator('#batch .actions'), 'batch-job-running-390.png');
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    hold.release();
    await page.waitForFunction(() => document.getElementById('bt-status').textContent === 'The background job is done.', null, { timeout: 20_000 });
    await hold.unroute();

    // The final state, as the API has it.
    const state = await (await jobGet(location)).json();
    assert.deepEqual([state.state, state.rows, state.rows_done, state.rows_failed], ['done', JOB_ROWS, JOB_ROWS, 1]);
    assert.ok(await page.isHidden('#bt-progress') && await page.isHidden('#bt-cancel'), 'no bar nor Cancel once the job is done');
    assert.equal(await page.getAttribute('#bt-out', 'aria-busy'), 'false');
    const polls = jobRequests.filter((r) => r.method() === 'GET' && new URL(r.url()).pathname === location);
    assert.ok(polls.length >= 1, 'the page polled the job');
    for (const r of jobRequests) {
      assert.equal(r.headers().authorization, `Bearer ${API_KEY}`, `${r.method()} ${r.url()} carries the key in its header`);
      assert.ok(!r.url().includes(API_KEY), 'the key is in no URL');
    }

    // The table: the results' JSON lines, as the synchronous answer's.
    const lines = (await (await jobGet(`${location}/results?format=jsonl`)).text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, JOB_ROWS);
    assert.equal(await page.textContent('#bt-summary'), '450 rows: 449 computed, 1 with errors');
    assert.ok(await page.isHidden('#bt-shown'), 'every row is in the table');
    assert.equal(await page.locator('#bt-rows tr').count(), JOB_ROWS);
    for (const r of [lines[0], lines[JOB_ROWS - 1]]) {
      const tr = `#bt-rows tr[data-row="${r.row}"]`;
      assertShown(await page.textContent(`${tr} td.loc`), r.total_tco2e_per_t.location_based, 4, `row ${r.row} location-based`);
      assertShown(await page.textContent(`${tr} td.mkt`), r.total_tco2e_per_t.market_based, 4, `row ${r.row} market-based`);
      assertShown(await page.textContent(`${tr} td.obligation`), r.cbam.obligation_tco2e_per_t, 4, `row ${r.row} obligation`);
      assertShown(await page.textContent(`${tr} td.ets-process`), r.ets.process_tco2e_per_t, 4, `row ${r.row} ETS process`);
    }
    const bad = lines.find((x) => x.status === 'error');
    assert.deepEqual([bad.row, bad.errors[0].column, bad.errors[0].code], [JOB_BAD_ROW, 'electrolysis.ac_kwh_per_t', 'out_of_range']);
    assert.equal(await page.textContent(`#bt-rows tr[data-row="${JOB_BAD_ROW}"] td.errors`),
      'column electrolysis.ac_kwh_per_t: must be between 10,000 and 20,000 kWh/t; got 25,000');

    // The downloads are the job's results as the API gives them.
    const id = location.split('/').pop();
    const csv = await download(page, () => page.click('#bt-csv'));
    assert.equal(csv.name, `alcarbon-batch-${id}-results.csv`);
    const wantCSV = Buffer.from(await (await jobGet(`${location}/results?format=csv`)).arrayBuffer());
    assert.ok(csv.bytes.equals(wantCSV), 'the CSV saved is the API\'s results CSV of the job');
    assert.equal(csv.bytes.toString('utf8').trim().split('\n').length, JOB_ROWS + 1);
    await page.waitForFunction(() => !document.getElementById('bt-xlsx').disabled);
    const xlsx = await download(page, () => page.click('#bt-xlsx'));
    assert.equal(xlsx.name, `alcarbon-batch-${id}-results.xlsx`);
    assert.ok(isZip(xlsx.bytes), 'the results XLSX is a zip (starts with PK)');

    // A larger file, canceled at once: the DELETE's answer decides what
    // the page must show (a job that ended first answers 409). A chunk
    // being computed at the cancel may still record its rows afterwards,
    // so the page is checked against the results it read (served through
    // a route that keeps them), which the API's final count may exceed.
    const isResults = (u) => /^\/v1\/batches\/[^/]+\/results$/.test(u.pathname);
    let readByPage = null;
    await page.route(isResults, async (route) => {
      const r = await route.fetch();
      const body = await r.text();
      if (new URL(route.request().url()).searchParams.get('format') === 'jsonl') {
        readByPage = body.trim() ? body.trim().split('\n').map((l) => JSON.parse(l)) : [];
      }
      await route.fulfill({ response: r, body });
    });
    const hold2 = await holdFirstPoll(page);
    const second = await uploadJob(page, big);
    assert.notEqual(second.location, location);
    if (JOB_FINAL.includes(second.accepted.state)) {
      hold2.release();
    } else {
      await assertJobShown(page, second.accepted, CANCEL_ROWS);
      const deleted = page.waitForResponse((r) => r.request().method() === 'DELETE' && new URL(r.url()).pathname === second.location);
      await page.click('#bt-cancel');
      const del = await deleted;
      assert.ok([200, 409].includes(del.status()), `DELETE answered ${del.status()}`);
      t.diagnostic(`the second job was ${second.accepted.state} at its 202; DELETE answered ${del.status()}`);
      hold2.release();
    }
    await page.waitForFunction(() => /^(The background job is done\.|Job canceled)/.test(document.getElementById('bt-status').textContent), null, { timeout: 20_000 });
    await hold2.unroute();
    await page.unroute(isResults);
    const end = await (await jobGet(second.location)).json();
    assert.ok(['done', 'canceled'].includes(end.state), end.state);
    assert.ok(readByPage, 'the page read the job\'s results as JSON lines');
    const read = readByPage.length;
    t.diagnostic(`the second job ended ${end.state} with ${end.rows_done} of ${end.rows} rows done; the page read ${read}`);
    assert.ok(read <= end.rows_done && read % 500 === 0, `the page read ${read} rows, whole chunks of what the API has (${end.rows_done})`);
    if (end.state === 'done') assert.equal(read, CANCEL_ROWS);
    const fmt0 = (x) => x.toLocaleString('en-US');
    const want = end.state === 'done' ? 'The background job is done.'
      : read ? `Job canceled after ${fmt0(read)} of ${fmt0(CANCEL_ROWS)} rows; the results of those rows are below.`
      : 'Job canceled before any row was computed.';
    assert.equal(await page.textContent('#bt-status'), want);
    if (read) {
      // The table holds the rows read: the first 1,000, then only rows
      // with errors, with a note when that leaves some out.
      const failed = readByPage.filter((x) => x.status !== 'ok').length;
      const shown = readByPage.filter((x, i) => i < 1000 || x.status !== 'ok').length;
      assert.equal(await page.textContent('#bt-summary'), failed
        ? `${fmt0(read)} rows: ${fmt0(read - failed)} computed, ${failed} with errors` : `${fmt0(read)} rows, all computed`);
      assert.equal(await page.locator('#bt-rows tr').count(), shown);
      assert.equal(await page.isVisible('#bt-shown'), shown < read);
      if (shown < read) {
        assert.equal(await page.textContent('#bt-shown'),
          `The table shows ${fmt0(shown)} of ${fmt0(read)} rows: the first 1,000, then only rows with errors. The CSV and XLSX hold them all.`);
      }
    }
    assert.ok(await page.isHidden('#bt-progress') && await page.isHidden('#bt-cancel'), 'no bar nor Cancel once the job has ended');
    // In Chinese too.
    await page.selectOption('#lang', 'zh');
    const zh = end.state === 'done' ? '后台任务已完成。'
      : read ? `任务已取消：${fmt0(CANCEL_ROWS)} 行中已计算 ${fmt0(read)} 行，其结果见下表。`
      : '任务已取消，尚未计算任何行。';
    assert.equal(await page.textContent('#bt-status'), zh);
  });
});

test('batch in Chinese: the bad row\'s error is worded by code in Chinese; the 413 of a file over the server\'s limits and a wrong key are worded in both languages', async (t) => {
  const file = writeTemp('smelters-zh.csv', BATCH_CSV);
  await withPage(t, browser, { name: 'batch-zh', expected: [/status of 413/, /status of 401/] }, async ({ page }) => {
    await page.addInitScript(() => localStorage.setItem('alcarbon.lang', 'zh'));
    await load(page);
    assert.equal(await page.getAttribute('#bt-template', 'href'), '/v1/batches/template?kind=primary&format=xlsx&lang=zh');
    // No file or no key: said before any request.
    await page.click('#bt-upload');
    assert.equal(await page.textContent('#bt-status'), '请先选择 CSV 或 XLSX 文件。');
    assert.equal(await page.getAttribute('#bt-file', 'aria-invalid'), 'true');

    const resp = await uploadBatch(page, file);
    assert.equal(resp.status(), 200);
    assert.equal(await page.textContent('#bt-summary'), '共 3 行：2 行已计算，1 行有错误');
    assert.equal(await page.textContent(`#bt-rows tr[data-row="${BAD_ROW}"] td.errors`),
      '列“electrolysis.ac_kwh_per_t”：须在 10,000 与 20,000 kWh/t 之间；当前为 25,000');
    // On a phone each row is a card naming its values by column.
    const labels = await page.$$eval('#bt-rows tr[data-row="2"] td', (tds) => tds.map((td) => td.dataset.label));
    assert.ok(labels.includes('行号') && labels.includes('基于位置法 [tCO₂e/t]'), `cards name the columns: ${labels}`);

    // A 413 over ALCARBON_BATCH_MAX_ROWS (100,000 rows): worded by its code,
    // too_many_rows; the last results stay, marked out of date. A real one
    // would take a file of 100,001 rows, which the server stores chunk by
    // chunk before it refuses it, so the test serves the API's problem as
    // the server words it.
    const isPost = (u) => u.pathname === '/v1/batches';
    const detail = 'the file has more than 100000 rows, the most a batch job may have (ALCARBON_BATCH_MAX_ROWS); split it';
    await page.route(isPost, (route) => route.fulfill({
      status: 413, contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Request Entity Too Large', status: 413, detail,
        errors: [{ pointer: '', detail, code: 'too_many_rows', params: { max: 100000 } }] }),
    }));
    const tooMany = await uploadBatch(page, file);
    await page.unroute(isPost);
    assert.equal(tooMany.status(), 413);
    const zh413 = '文件超过 100,000 行，即本服务器单个文件的上限：请拆分为每个不超过 100,000 行的文件';
    assert.equal(await page.textContent('#bt-status'), zh413);
    assert.ok(await page.evaluate(() => document.getElementById('bt-out').classList.contains('stale')), 'the previous results are marked out of date');
    await page.selectOption('#lang', 'en');
    assert.equal(await page.textContent('#bt-status'),
      'The file has more than 100,000 rows, the most this server takes in one file: split it into files of at most 100,000 rows');
    await page.selectOption('#lang', 'zh');
    assert.equal(await page.textContent('#bt-status'), zh413);

    // A wrong key: the 401, worded, and the key field marked.
    const wrong = await uploadBatch(page, file, 'not-a-key');
    assert.equal(wrong.status(), 401);
    assert.equal(await page.textContent('#bt-status'), 'API 密钥无效：请填写发布方的密钥。');
    assert.equal(await page.getAttribute('#bt-key', 'aria-invalid'), 'true');
  });
});

test('buyers: a published declaration offers the CBAM file (XLSX) and shows its installation', async (t) => {
  const { json: decl } = await api('/v1/declarations', {
    kind: 'primary', request: SHANXI, product_name: 'E2E ingot (CBAM file)', product_ids: ['urn:gtin:06901234567898'],
    reference_period: { start: '2024-01-01', end: '2024-12-31' }, visibility: 'public',
    metadata: { installation_name: 'E2E Taiyuan smelter', address: { city: 'Taiyuan', country: 'CN' }, unlocode: 'CN TYN' },
  }, { status: 201, headers: { Authorization: `Bearer ${API_KEY}` } });
  const { json: product } = await api('/v1/declarations', {
    kind: 'product', request: { product: 'building_profile', region: 'CN-SX', year: 2023 }, product_name: 'E2E profile (CBAM file)',
    product_ids: ['urn:gtin:06901234567899'], reference_period: { start: '2024-01-01', end: '2024-12-31' }, visibility: 'public',
  }, { status: 201, headers: { Authorization: `Bearer ${API_KEY}` } });
  const productCbam = (await fetch(`${BASE_URL}/v1/declarations/${product.id}/cbam`)).status;
  await withPage(t, browser, { name: 'cbam-file', expected: [ETS_409, /status of 409/] }, async ({ page }) => {
    await load(page);
    await page.fill('#b-product', 'E2E ingot (CBAM file)');
    await captureJSON(page, 'GET', '/v1/declarations', () => page.click('#search'));
    await page.locator(`#decl-rows button.open[data-id="${decl.id}"]`).click();
    await page.waitForFunction(() => !document.getElementById('d-cbam-file').hidden);
    assert.equal(await page.getAttribute('#d-cbam-xlsx', 'href'), `/v1/declarations/${decl.id}/cbam.xlsx`);
    assert.equal((await page.textContent('#d-cbam-xlsx')).trim(), 'CBAM file (XLSX)');
    assert.equal(await page.textContent('#d-inst'), 'Installation: E2E Taiyuan smelter · Taiyuan, CN · UN/LOCODE CN TYN');
    const file = await download(page, () => page.click('#d-cbam-xlsx'));
    assert.equal(file.name, `cbam-communication-${decl.id}.xlsx`);
    assert.ok(isZip(file.bytes), 'the CBAM file is a zip (starts with PK)');
    await page.selectOption('#lang', 'zh');
    assert.equal((await page.textContent('#d-cbam-xlsx')).trim(), 'CBAM 数据通报文件（XLSX）');
    assert.equal(await page.textContent('#d-inst'), '设施：E2E Taiyuan smelter · Taiyuan, CN · 联合国贸易地点代码 (UN/LOCODE) CN TYN');

    // A declaration without metadata shows no installation line; the file
    // is offered only where the CBAM view exists.
    await page.fill('#b-product', 'E2E profile (CBAM file)');
    await captureJSON(page, 'GET', '/v1/declarations', () => page.click('#search'));
    const cbamP = page.waitForResponse((r) => new URL(r.url()).pathname === `/v1/declarations/${product.id}/cbam`);
    await page.locator(`#decl-rows button.open[data-id="${product.id}"]`).click();
    assert.equal((await cbamP).status(), productCbam);
    await page.waitForFunction((id) => document.getElementById('d-kv').textContent.includes(id), product.id);
    assert.ok(await page.isHidden('#d-inst'), 'no installation line without metadata');
    assert.equal(await page.isVisible('#d-cbam-xlsx'), productCbam === 200, `the CBAM file link follows the CBAM view (${productCbam})`);
  });
});
