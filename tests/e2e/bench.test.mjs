// The Benchmarks panel end to end: run a scenario to 100 %, check the charts are drawn, every
// export downloads a file of the right type, bad parameters are refused, Cancel stops a run,
// and (as a figure for the report) how fast the full lock-contention suite runs in Chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ARTIFACTS, DIST, assertNoErrors, frames, launchBrowser, openPage, saveScreenshot, startServer,
  zipEntries,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  // BENCH_DIST lets the panel be tested from another build (e.g. a dev build of the panel alone).
  server = await startServer(process.env.BENCH_DIST ?? DIST);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const PANEL = '[data-testid=bench-panel]';
const TAB = '[data-testid=tab-benchmarks], [role=tab]:has-text("Benchmarks"), '
  + 'button:has-text("Benchmarks")';

/** Opens the page and the Benchmarks tab. */
async function openBench() {
  const { page, errors } = await openPage(browser.context, server.url, '/', { waitForCluster: false });
  await page.waitForSelector(`${PANEL}, ${TAB}`);
  if ((await page.locator(PANEL).count()) === 0) await page.locator(TAB).first().click();
  await page.waitForSelector('[data-testid=bench-run]');
  return { page, errors };
}

const progressOf = async (page) =>
  Number(await page.getAttribute('[data-testid=bench-progress]', 'data-progress'));

/** Clicks Run and waits until the suite is done (progress 100 % and the results shown). */
async function runToEnd(page, timeout = 60_000) {
  await page.click('[data-testid=bench-run]');
  await page.waitForSelector('[data-testid=bench-status][data-state=done]', { timeout });
  await page.waitForSelector('[data-testid=bench-results]');
}

/** Clicks `selector` and returns the download it causes: name and bytes. */
async function downloadFrom(page, selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const bytes = await readFile(await download.path());
  return { name: download.suggestedFilename(), bytes };
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function assertFileType(name, bytes) {
  const text = () => bytes.toString('utf8');
  if (name.endsWith('.png')) {
    assert.ok(bytes.subarray(0, 8).equals(PNG_MAGIC), `${name} is not a PNG`);
    assert.ok(bytes.length > 2_000, `${name} is suspiciously small (${bytes.length} bytes)`);
  } else if (name.endsWith('.svg')) {
    assert.match(text(), /^(<\?xml[^>]*>\s*)?<svg[\s>]/, `${name} has no <svg> root`);
    assert.match(text(), /<\/svg>\s*$/, `${name} is cut short`);
    assert.match(text(), /<(rect|path|polyline|line)\b/, `${name} draws nothing`);
  } else if (name.endsWith('.json')) {
    const suite = JSON.parse(text());
    assert.ok(Array.isArray(suite.runs) && suite.runs.length > 0, `${name} has no runs`);
  } else if (name === 'results.csv') {
    assert.match(text(), /^suite,run,label,scenario,seed,nodes,duration_s,op,count,ok,failed,/);
    assert.ok(text().trim().split('\n').length > 1, `${name} has no rows`);
  } else if (name === 'series.csv') {
    assert.match(text(), /^suite,run,label,t_s,/);
    assert.ok(text().trim().split('\n').length > 1, `${name} has no rows`);
  } else {
    assert.fail(`unexpected download ${name}`);
  }
}

test('quick-locks runs to 100 %, draws its charts and exports every file', async () => {
  const { page, errors } = await openBench();
  await page.selectOption('[data-testid=bench-scenario]', 'quick-locks');
  await runToEnd(page);
  assert.equal(await progressOf(page), 100);

  // One block of table rows per run, with the 50 acquires of the seeds' quick run.
  const rows = await page.$$eval('[data-testid=bench-table] tbody tr',
    (list) => list.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  assert.ok(rows.some(([op, count, success]) => op === 'acquire' && count === '50'
    && success === '100.0%'), `no 50-acquire row in ${JSON.stringify(rows)}`);

  const charts = await page.$$eval('canvas[data-chart]', (list) => list.map((c) => c.dataset.chart));
  assert.ok(charts.includes('locks_latency_histogram'), `charts: ${charts}`);
  assert.ok(charts.length >= 5, `only ${charts.length} charts: ${charts}`);
  // A drawn chart has pixels that are neither white nor transparent.
  const inked = await page.$$eval('canvas[data-chart]', (list) => list.map((c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (data[i] < 230 || data[i + 1] < 230 || data[i + 2] < 230)) ink++;
    }
    return [c.dataset.chart, ink];
  }));
  for (const [id, ink] of inked) assert.ok(ink > 500, `chart ${id} looks blank (${ink} inked pixels)`);

  const timing = await page.getAttribute('[data-testid=bench-timing]', 'data-sim-per-wall');
  assert.ok(Number(timing) > 0, `simulated s per wall s: ${timing}`);
  await saveScreenshot(page, 'bench-quick-locks');

  // Raw results: JSON (stamped with wall time), CSV summary and series.
  const json = await downloadFrom(page, '[data-testid=export-json]');
  assert.equal(json.name, 'results.json');
  assertFileType(json.name, json.bytes);
  const suite = JSON.parse(json.bytes.toString('utf8'));
  assert.equal(suite.name, 'quick-locks');
  assert.ok(suite.runs.every((r) => r.wall_ms > 0), 'every run carries its wall time');
  for (const [selector, name] of [['export-csv', 'results.csv'], ['export-series', 'series.csv']]) {
    const file = await downloadFrom(page, `[data-testid=${selector}]`);
    assert.equal(file.name, name);
    assertFileType(file.name, file.bytes);
  }
  // Each chart as PNG (SVGs in the next test: Chromium lets one tab start only ~12 downloads).
  for (const id of charts) {
    for (const ext of ['png']) {
      const file = await downloadFrom(page, `[data-testid=export-${ext}-${id}]`);
      assert.equal(file.name, `${id}.${ext}`);
      assertFileType(file.name, file.bytes);
    }
  }

  assertNoErrors(errors);
  await page.close();
});

test('every chart downloads as SVG', async () => {
  // A fresh tab: Chromium limits how many downloads one tab may start in a row.
  const { page, errors } = await openBench();
  await page.selectOption('[data-testid=bench-scenario]', 'quick-locks');
  await runToEnd(page);
  const charts = await page.$$eval('canvas[data-chart]', (list) => list.map((c) => c.dataset.chart));
  for (const id of charts) {
    const file = await downloadFrom(page, `[data-testid=export-svg-${id}]`);
    assert.equal(file.name, `${id}.svg`);
    assertFileType(file.name, file.bytes);
  }
  await page.close();
});

test('Export all downloads one ZIP holding every chart (PNG, SVG) and the raw results', async () => {
  const { page, errors } = await openBench();
  await page.selectOption('[data-testid=bench-scenario]', 'quick-locks');
  await runToEnd(page);
  const charts = await page.$$eval('canvas[data-chart]', (list) => list.map((c) => c.dataset.chart));
  const expected = ['results.json', 'results.csv', 'series.csv',
    ...charts.flatMap((id) => [`${id}.svg`, `${id}.png`])];
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid=export-all]'),
  ]);
  assert.equal(download.suggestedFilename(), 'syncsim-quick-locks.zip');
  const bytes = await readFile(await download.path());
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(join(ARTIFACTS, 'export-all.zip'), bytes); // for a look with any unzip tool
  const entries = zipEntries(bytes);
  assert.deepEqual([...entries.keys()].sort(), [...expected].sort());
  for (const [name, data] of entries) assertFileType(name, data);
  assertNoErrors(errors);
  await page.close();
});

test('invalid parameters are shown next to the form and nothing runs', async () => {
  const { page, errors } = await openBench();
  await page.selectOption('[data-testid=bench-scenario]', 'quick-locks');
  assert.equal(await page.locator('[data-testid=bench-error]').count(), 0);

  await page.fill('[data-field=clients] input', 'abc');
  await page.waitForSelector('[data-field=clients].invalid');
  assert.match(await page.textContent('[data-testid=bench-error]'), /clients.*abc/);
  await page.click('[data-testid=bench-run]');
  await frames(page, 10);
  assert.equal(await page.locator('[data-testid=bench-progress]').count(), 0, 'a run started');

  await page.fill('[data-field=clients] input', '1');
  await page.waitForSelector('[data-testid=bench-error]', { state: 'detached' });
  await page.fill('[data-field=nodes] input', '0');
  await page.waitForSelector('[data-field=nodes].invalid');
  assert.match(await page.textContent('[data-testid=bench-error]'), /nodes: 0 is outside/);
  await page.click('[data-testid=bench-run]');
  await frames(page, 10);
  assert.equal(await page.locator('[data-testid=bench-progress]').count(), 0, 'a run started');
  assertNoErrors(errors);
  await page.close();
});

test('an open-loop cache run draws latency against offered load', async () => {
  const { page, errors } = await openBench();
  await page.selectOption('[data-testid=bench-scenario]', 'cache-hit-miss');
  for (const [key, value] of [['clients', '10'], ['working-sets', '500'], ['duration', '1']]) {
    await page.fill(`[data-field=${key}] input`, value);
  }
  await page.click('.bench-advanced summary');
  // The offered loads are a field like any other: a bad one is refused by name.
  await page.fill('[data-field=offered-rates] input', '0');
  await page.waitForSelector('[data-field=offered-rates].invalid');
  assert.match(await page.textContent('[data-testid=bench-error]'), /offered-rates/);
  await page.fill('[data-field=offered-rates] input', '1000,6000');
  await page.waitForSelector('[data-testid=bench-error]', { state: 'detached' });
  await runToEnd(page);
  const inked = await page.$$eval('canvas[data-chart=latency_vs_offered_load]', (list) => list.map((c) => {
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (data[i] < 230 || data[i + 1] < 230 || data[i + 2] < 230)) ink++;
    }
    return ink;
  }));
  assert.equal(inked.length, 1, 'no latency_vs_offered_load chart');
  assert.ok(inked[0] > 500, `latency_vs_offered_load looks blank (${inked[0]} inked pixels)`);
  const json = await downloadFrom(page, '[data-testid=export-json]');
  const suite = JSON.parse(json.bytes.toString('utf8'));
  assert.deepEqual(suite.runs.map((r) => r.extra.offered_rate), [1000, 6000]);
  await saveScreenshot(page, 'bench-offered-load');
  assertNoErrors(errors);
  await page.close();
});

test('Cancel stops a long lock-contention run and the page stays responsive', async (t) => {
  const { page, errors } = await openBench();
  await page.selectOption('[data-testid=bench-scenario]', 'lock-contention');
  // Watch the longest gap between animation frames while the suite runs.
  await page.evaluate(() => {
    window.benchFrameGap = 0;
    let last = performance.now();
    const tick = (now) => {
      window.benchFrameGap = Math.max(window.benchFrameGap, now - last);
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.click('[data-testid=bench-run]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=bench-progress]')
    ?.dataset.progress) >= 2);
  await page.click('[data-testid=bench-cancel]');
  await page.waitForSelector('[data-testid=bench-status][data-state=cancelled]');
  const stopped = await progressOf(page);
  assert.ok(stopped < 100, `the run finished before Cancel took effect (${stopped} %)`);
  await frames(page, 20);
  assert.equal(await progressOf(page), stopped, 'progress moved after Cancel');
  assert.equal(await page.locator('[data-testid=bench-cancel]').count(), 0);
  assert.equal(await page.isEnabled('[data-testid=bench-run]'), true);
  const gap = await page.evaluate(() => window.benchFrameGap);
  t.diagnostic(`longest gap between animation frames during the run: ${gap.toFixed(0)} ms`);
  // Chunks take ~10 ms; the bound is loose because the test machine is shared and busy.
  assert.ok(gap < 500, `the page froze for ${gap.toFixed(0)} ms between two frames`);
  assertNoErrors(errors);
  await page.close();
});

// The figure for the report: the full seeds' lock-contention suite (10, 50 and 100 clients,
// 60 simulated seconds each) run from the panel, timed by the panel itself.
test('the full lock-contention suite completes; its speed is reported', async (t) => {
  const { page, errors } = await openBench();
  await page.selectOption('[data-testid=bench-scenario]', 'lock-contention');
  await runToEnd(page, 120_000);
  const timing = await page.$eval('[data-testid=bench-timing]', (p) => ({
    wallMs: Number(p.dataset.wallMs), simPerWall: Number(p.dataset.simPerWall), text: p.textContent,
  }));
  const runs = await page.$$eval('[data-testid=bench-table] tbody', (b) => b.length);
  assert.equal(runs, 3);
  assert.ok(timing.simPerWall > 0);
  t.diagnostic(`lock-contention 10/50/100 clients × 60 s: ${timing.text}`);
  console.log(`# lock-contention: ${timing.text}`);
  await saveScreenshot(page, 'bench-lock-contention');
  assertNoErrors(errors);
  await page.close();
});

test('the page downloads the Benchmarks tab when it opens, and the lab only when a benchmark runs', async () => {
  const requested = [];
  const onRequest = (r) => requested.push(r.url());
  browser.context.on('request', onRequest);
  try {
    const { page, errors } = await openPage(browser.context, server.url, '/');
    const tab = () => requested.filter((u) => /syncsim-benchtab/.test(u));
    const lab = () => requested.filter((u) => /syncsim-lab|lab-worker/.test(u));
    const pageWasm = requested.filter((u) => /syncsim-web-.*\.wasm/.test(u));
    assert.equal(pageWasm.length, 1, `the page's own .wasm: ${requested.join(', ')}`);
    assert.deepEqual(tab(), [], 'the Benchmarks tab was fetched before it opened');
    assert.deepEqual(lab(), [], 'the lab was fetched before anything ran');
    await page.locator(TAB).first().click();
    await page.waitForSelector('[data-testid=bench-run]');
    // Both of the tab's files carry the build's version (trunk does not hash their names).
    for (const file of [/syncsim-benchtab\.js\?v=/, /syncsim-benchtab_bg\.wasm\?v=/]) {
      assert.ok(tab().some((u) => file.test(u)), `no ${file} among ${tab().join(', ')}`);
    }
    assert.equal(await page.locator('[data-testid=bench-loading]').count(), 0, 'still loading');
    assert.deepEqual(lab(), [], 'opening the tab fetched the lab');
    await page.click('[data-testid=bench-run]');
    await page.waitForSelector('[data-testid=bench-results]', { timeout: 60_000 });
    // The worker's script carries the build's version, which it passes on to the module.
    const worker = lab().find((u) => /lab-worker\.js\?v=/.test(u));
    assert.ok(worker, `no versioned lab worker among ${lab().join(', ')}`);
    assertNoErrors(errors);
    await page.close();
  } finally {
    browser.context.off('request', onRequest);
  }
});

// The tab is a second module with its own Yew, rendering inside the page's tree. Each Yew
// listens at its own root and numbers its trees from 1; if the tab's tree took a number of the
// page's, a click in the tab would also run whichever page handler has the same listener number.
test('clicks in the Benchmarks tab and on the page each reach only their own handlers', async () => {
  const { page, errors } = await openBench();
  const state = () => page.evaluate(() => ({
    time: document.querySelector('[data-testid=sim-time]')?.textContent,
    events: document.querySelector('[data-testid=events-processed]')?.textContent,
    tab: document.querySelector('[role=tab][aria-selected=true]')?.dataset.testid,
    url: location.search,
  }));
  const before = await state();
  // Every button, select and field of the tab, clicked in turn (Run and the report aside: they
  // only start workers), then a quick run.
  const controls = await page.$$(`${PANEL} button:not([data-testid=bench-run]):not([data-testid=seeds-report]), ${PANEL} select, ${PANEL} input`);
  assert.ok(controls.length >= 5, `only ${controls.length} controls in the tab`);
  for (const c of controls) {
    if (await c.isVisible() && await c.isEnabled()) await c.click();
  }
  await frames(page, 3);
  assert.deepEqual(await state(), before, 'a click in the Benchmarks tab changed the page');
  await runToEnd(page);
  assert.deepEqual(await state(), before, 'a run in the Benchmarks tab changed the page');
  // The page's own controls still work, and the tab keeps its results meanwhile.
  await page.click('[data-testid=tab-raft]');
  await page.click('[data-testid=step]');
  await page.waitForFunction((old) => document.querySelector('[data-testid=events-processed]')?.textContent !== old, before.events);
  await page.locator(TAB).first().click();
  assert.equal(await page.locator('[data-testid=bench-results]').count(), 1, 'the results went away');
  assert.equal(await page.locator('[data-testid=panic-banner]').count(), 0, 'a panic banner');
  assertNoErrors(errors);
  await page.close();
});
