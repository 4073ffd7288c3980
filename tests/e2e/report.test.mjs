// The seeds' report end to end (issue 14): one click runs the whole set in Chromium, the eight
// charts of the seed report's appendix are drawn, the targets table has every row with its
// pass/fail, the ZIP export holds every file, and its HTML renders the charts offline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ARTIFACTS, assertNoErrors, launchBrowser, openPage, saveScreenshot, startServer, zipEntries,
} from './harness.mjs';

const EIGHT = [
  'locks_latency_histogram', 'locks_summary_bar', 'cache_hit_rate', 'cache_latency_histograms',
  'cache_single_vs_distributed', 'locks_single_vs_distributed', 'latency_percentiles_comparison',
  'throughput_comparison',
];
// Beyond the seeds' eight: latency against offered load (open loop), each primitive's knee.
const KNEE = 'latency_vs_offered_load';
// The targets of the seeds' performance analysis (core/src/report/targets.rs).
const TARGETS = [
  'locks-throughput', 'locks-p95', 'locks-success', 'enqueue-throughput', 'enqueue-p95',
  'enqueue-success', 'dequeue-throughput', 'dequeue-p95', 'dequeue-success', 'put-throughput',
  'put-p95', 'put-success', 'get-throughput', 'get-hit-p95', 'hit-rate',
];

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('the seeds report runs, draws the eight charts, fills the table and exports a ZIP', async () => {
  const { page, errors } = await openPage(browser.context, server.url, '/', { waitForCluster: false });
  await page.locator('[data-testid=tab-benchmarks]').first().click();
  // A bad seed is refused by name and blocks the run; a good one runs.
  await page.fill('[data-testid=report-seed]', 'abc');
  assert.match(await page.textContent('[data-testid=report-seed-error]'), /^seed: /);
  assert.ok(await page.isDisabled('[data-testid=seeds-report]'));
  await page.fill('[data-testid=report-seed]', '1');
  assert.equal(await page.locator('[data-testid=report-seed-error]').count(), 0);
  // The page's own thread shares the cores with the workers: its busy time is logged (a
  // repainting progress bar once took a fifth of a core, docs/speed.md).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics
    .find((m) => m.name === 'TaskDuration').value;
  const taskBefore = await taskSeconds();
  await page.click('[data-testid=seeds-report]');
  await page.waitForSelector('[data-testid=report-progress]');
  await page.waitForSelector('[data-testid=report-status][data-state=done]', { timeout: 300_000 });
  const pageThreadMs = (await taskSeconds() - taskBefore) * 1e3;
  const wallMs = Number(await page.getAttribute('[data-testid=report-status]', 'data-wall-ms'));
  const busyMs = Number(await page.getAttribute('[data-testid=report-status]', 'data-busy-ms'));
  console.log(`seeds' report: ${(wallMs / 1e3).toFixed(2)} s of wall time in Chromium `
    + `(the page's thread busy ${pageThreadMs.toFixed(0)} ms of it): `
    + await page.textContent('[data-testid=report-status]'));
  assert.ok(busyMs > 0 && busyMs <= wallMs, `busy ${busyMs} ms, wall ${wallMs} ms`);
  // The simulator's events, checked against the exported JSON's runs below.
  const events = Number(await page.getAttribute('[data-testid=report-status]', 'data-events'));
  assert.ok(events > 0, `data-events ${events}`);

  const inked = Object.fromEntries(await page.$$eval('.seeds-report canvas[data-chart]', (list) =>
    list.map((c) => {
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 0 && (data[i] < 230 || data[i + 1] < 230 || data[i + 2] < 230)) ink++;
      }
      return [c.dataset.chart, ink];
    })));
  for (const id of [...EIGHT, KNEE]) assert.ok(inked[id] > 500, `chart ${id} looks blank (${inked[id]} inked pixels)`);

  const rows = await page.$$eval('[data-testid=report-table] tr[data-target]', (list) =>
    list.map((r) => [r.dataset.target, r.dataset.pass]));
  assert.deepEqual(rows.map((r) => r[0]), TARGETS);
  for (const [id, pass] of rows) assert.ok(pass === 'true' || pass === 'false', `${id}: ${pass}`);
  // The hit rate is explained against the coherence bound computed by the core.
  assert.match(await page.textContent('[data-target=hit-rate] [data-note]'), /coherence bound \d+\.\d %/);

  await page.locator('[data-testid=report-table]').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'report');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid=report-export]'),
  ]);
  const bytes = await readFile(await download.path());
  const entries = zipEntries(bytes);
  for (const id of [...EIGHT, KNEE]) {
    assert.ok(entries.get(`${id}.svg`)?.toString('utf8').includes('<svg'), `${id}.svg`);
    assert.ok(entries.get(`${id}.png`)?.subarray(1, 4).toString() === 'PNG', `${id}.png`);
  }
  for (const f of ['results.json', 'results.csv', 'targets.csv', 'report.html']) {
    assert.ok(entries.get(f)?.length > 0, `${f} missing from the ZIP`);
  }
  const json = JSON.parse(entries.get('results.json').toString('utf8'));
  assert.equal(json.meta.seed, 1);
  assert.equal(json.targets.length, TARGETS.length);
  const runEvents = json.sections.flatMap((s) => s.suite.runs)
    .reduce((sum, run) => sum + (run.extra.sim_events ?? 0), 0);
  assert.equal(events, runEvents, 'the status line counts the runs\' simulator events');

  // The exported HTML, opened from disk with no server: every chart is an inline, non-empty SVG.
  const dir = join(ARTIFACTS, 'report-export');
  await mkdir(dir, { recursive: true });
  const htmlPath = join(dir, 'report.html');
  await writeFile(htmlPath, entries.get('report.html'));
  // For a byte comparison with `syncsim report --seed 1` (the same JSON natively).
  await writeFile(join(dir, 'results.json'), entries.get('results.json'));
  const offline = await browser.context.newPage();
  await offline.goto(pathToFileURL(htmlPath).href);
  const figures = await offline.$$eval('figure[data-chart]', (list) => list.map((f) => {
    const svg = f.querySelector('svg');
    const box = svg?.getBoundingClientRect();
    return [f.dataset.chart, svg ? svg.querySelectorAll('*').length : 0, box ? box.width * box.height : 0];
  }));
  const byId = Object.fromEntries(figures.map(([id, n, area]) => [id, { n, area }]));
  for (const id of [...EIGHT, KNEE]) {
    assert.ok(byId[id]?.n > 20 && byId[id].area > 10_000, `${id} not rendered in report.html`);
  }
  assert.ok(await offline.locator('tr[data-offered]').count() >= 18, 'no offered-load table');
  assert.equal(await offline.locator('tr[data-target]').count(), TARGETS.length);
  await offline.screenshot({ path: join(ARTIFACTS, 'report-html.png') });
  await offline.close();
  assertNoErrors(errors);
  await page.close();
});

test('the page keeps drawing frames while the report runs, and Cancel stops it', async () => {
  const { page, errors } = await openPage(browser.context, server.url, '/', { waitForCluster: false });
  await page.locator('[data-testid=tab-benchmarks]').first().click();
  await page.evaluate(() => {
    window.frameGaps = [];
    let last = performance.now();
    const frame = (t) => { window.frameGaps.push(t - last); last = t; requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  });
  await page.click('[data-testid=seeds-report]');
  await page.waitForTimeout(5_000);
  await page.click('[data-testid=report-cancel]', { timeout: 5_000 });
  await page.waitForSelector('[data-testid=report-status][data-state=cancelled]', { timeout: 5_000 });
  const gaps = await page.evaluate(() => window.frameGaps.slice(1).sort((a, b) => a - b));
  const p95 = gaps[Math.floor(0.95 * (gaps.length - 1))];
  console.log(`frames while running: ${gaps.length}, gap p95 ${p95.toFixed(1)} ms, max ${gaps.at(-1).toFixed(1)} ms`);
  // A page that yields only between long chunks would draw a handful of frames in 5 s.
  assert.ok(gaps.length > 100, `only ${gaps.length} frames in 5 s`);
  assert.ok(p95 < 100, `frame gap p95 ${p95} ms`);
  assertNoErrors(errors);
  await page.close();
});
