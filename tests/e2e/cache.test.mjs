// The Cache tab as a student meets it: the Table 1.3 stream (R1 W1 R3 W3 R1 R3 R2) stepped on
// the grid with the documented MESI states at every step, the MOESI switch ending in (S, S, O)
// with no memory write-back, a crash of the M owner losing its write in the write-back window
// (504 while it is down, memory's value after, the loss counted and never a stale read), the
// model check finding an injected bug (and passing without it), and a malformed console
// request answered 400 naming the field. Every wait is on the DOM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoErrors, saveScreenshot, startSession } from './harness.mjs';
import { REAL_TIME, openTab, pause, play, setSpeed, waitForRole } from './ui.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

const P = ['n1', 'n2', 'n3'];

/** The states of the preset's line in P1..P3, e.g. "S-I-S". */
async function states(page) {
  return page.$$eval('[data-testid=cache-grid] td[data-cache-key]', (cells, p) => {
    const byNode = {};
    for (const c of cells) byNode[c.getAttribute('data-cache-node')] = c.getAttribute('data-state');
    return p.map((n) => byNode[n] ?? '?').join('-');
  }, P);
}

async function waitStates(page, want) {
  await page.waitForFunction(([p, w]) => {
    const byNode = {};
    for (const c of document.querySelectorAll('[data-testid=cache-grid] td[data-cache-key]')) {
      byNode[c.getAttribute('data-cache-node')] = c.getAttribute('data-state');
    }
    return p.map((n) => byNode[n] ?? '?').join('-') === w;
  }, [P, want], { timeout: 10000 }).catch(async () => {
    assert.fail(`expected ${want}, the grid shows ${await states(page)}`);
  });
}

async function openCache() {
  const opened = await session.open('/?nodes=5&seed=3');
  await openTab(opened.page, 'cache');
  await opened.page.waitForSelector('[data-testid=cache-panel]');
  return opened;
}

test('the Table 1.3 stream gives the documented MESI states at every step', async () => {
  const { page, errors } = await openCache();
  assert.equal(await page.inputValue('[data-testid=cache-protocol]'), 'MESI');
  await page.click('[data-testid=cache-load]');
  await page.waitForSelector('[data-testid=cache-steps][data-next="1"]');
  // One line, homed outside the three processors, with v0 in memory.
  await page.waitForSelector('[data-testid=cache-grid] tr[data-cache-row]');
  await waitStates(page, 'I-I-I');
  const want = [
    ['R1', 'E-I-I'], ['W1', 'M-I-I'], ['R3', 'S-I-S'], ['W3', 'I-I-M'],
    ['R1', 'S-I-S'], ['R3', 'S-I-S'], ['R2', 'S-S-S'],
  ];
  for (const [i, [label, s]] of want.entries()) {
    assert.match(await page.textContent(`[data-testid=cache-steps] li[data-step="${i + 1}"]`), new RegExp(label));
    await page.click('[data-testid=cache-step]');
    await page.waitForSelector(`[data-testid=cache-steps][data-next="${i + 2}"]`);
    await waitStates(page, s);
  }
  assert.equal(await page.getAttribute('[data-testid=cache-stats]', 'data-write-backs'), '2');
  assert.equal(await page.getAttribute('[data-cache-memory]', 'data-stale'), 'false');
  const log = await page.textContent('[data-testid=cache-log]');
  for (const bus of ['BusRd', 'BusUpgr', 'FlushOpt']) assert.match(log, new RegExp(bus));
  await saveScreenshot(page, 'cache-mesi-table13');
  assertNoErrors(errors);
});

test('the MOESI switch ends the stream in (S, S, O) without a memory write-back', async () => {
  const { page, errors } = await openCache();
  await page.selectOption('[data-testid=cache-protocol]', 'MOESI');
  await page.waitForSelector('[data-testid=cache-panel][data-protocol=MOESI]');
  await page.waitForSelector('[data-testid=cache-steps][data-next="1"]');
  await page.click('[data-testid=cache-step]');
  await page.click('[data-testid=cache-step]');
  await waitStates(page, 'M-I-I');
  await page.click('[data-testid=cache-step]');
  await waitStates(page, 'O-I-S');
  // The O copy owes the write-back: memory is shown stale.
  assert.equal(await page.getAttribute('[data-cache-memory]', 'data-stale'), 'true');
  await page.click('[data-testid=cache-run-all]');
  await waitStates(page, 'S-S-O');
  assert.equal(await page.getAttribute('[data-testid=cache-stats]', 'data-write-backs'), '0');
  await page.click('[data-testid=cache-compare]');
  const mesi = await page.textContent('[data-testid=cache-compare-table] td[data-protocol=MESI]');
  const moesi = await page.textContent('[data-testid=cache-compare-table] td[data-protocol=MOESI]');
  assert.deepEqual([mesi, moesi], ['2', '0'], 'memory write-backs, MESI vs MOESI');
  await saveScreenshot(page, 'cache-moesi');
  assertNoErrors(errors);
});

/** Sends `line` from console client A to `node`; resolves to the answer's status and body. */
async function ask(page, node, line) {
  await openTab(page, 'console');
  await page.selectOption('[data-testid=api-client]', 'A');
  await page.selectOption('[data-testid=api-node]', node);
  await page.fill('[data-testid=api-input]', line);
  await page.click('[data-testid=api-send]');
  // Paused, the page runs the request until it is answered, for at most one simulated second;
  // past that, play until the answer is in.
  const answered = '[data-testid=api-output]:not([data-status=pending]):not([data-status=""])';
  if (!(await page.$(answered))) {
    await setSpeed(page, REAL_TIME);
    await play(page);
    await page.waitForSelector(answered, { timeout: 20000 });
    await pause(page);
  }
  return {
    status: await page.getAttribute('[data-testid=api-output]', 'data-status'),
    body: await page.textContent('[data-testid=api-output]'),
  };
}

async function nodeMenu(page, node, action) {
  await page.click(`[data-testid=cluster] [data-node-id="${node}"]`);
  await page.click(`[data-testid=node-menu] [data-menu-action=${action}]`);
}

test('a crash of the M owner loses its write in the write-back window: counted, never a stale read', async () => {
  const { page, errors } = await openCache();
  await page.click('[data-testid=cache-load]');
  await page.waitForSelector('[data-testid=cache-steps][data-next="1"]');
  await page.click('[data-testid=cache-step]'); // R1
  await page.click('[data-testid=cache-step]'); // W1: P1 holds the only copy of "1"
  await waitStates(page, 'M-I-I');
  const key = await page.getAttribute('[data-testid=cache-grid] tr[data-cache-row]', 'data-cache-row');
  assert.equal(await page.getAttribute(`[data-cache-memory="${key}"]`, 'data-stale'), 'true');
  assert.equal(await page.getAttribute('[data-testid=cache-stats]', 'data-lost'), '0');

  await nodeMenu(page, 'n1', 'crash');
  await waitForRole(page, 'n1', 'crashed');
  // While the owner is down its line is unavailable: a read gets 504 naming the home and the
  // bus request, not memory's older value.
  const down = await ask(page, 'n3', `GET /cache/get?key=${key}`);
  assert.equal(down.status, '504', down.body);
  assert.match(down.body, new RegExp(`home n\\d of \`${key}\` did not complete BusRd`));
  assert.match(down.body, /no cached value is returned/);

  await nodeMenu(page, 'n1', 'restart');
  await page.waitForFunction(() => document.querySelector('[data-testid=cluster] [data-node-id="n1"]')
    ?.getAttribute('data-role') !== 'crashed');
  // Back up, n1 answers the home from a new boot, without the data: the write "1" is gone and
  // memory's "0" is what survives, stated as such.
  const after = await ask(page, 'n3', `GET /cache/get?key=${key}`);
  assert.equal(after.status, '200', after.body);
  assert.match(after.body, /"value": "0"/);
  await openTab(page, 'cache');
  await page.waitForSelector('[data-testid=cache-stats][data-lost="1"]');
  assert.match(await page.textContent('[data-testid=cache-stats]'), /writes lost in the write-back window\s*1 \(1 acknowledged\)/);
  const lostRow = page.locator('[data-testid=cache-log] tr', { hasText: 'write lost in the write-back window' });
  assert.equal(await lostRow.count(), 1);
  assert.match(await lostRow.textContent(), /n1 crashed/);
  // Counted as its own outcome: the "reads return the latest write" light stays green.
  const light = page.locator('[data-invariant="Reads return the latest write"]');
  assert.equal(await light.getAttribute('data-ok'), 'true');
  assert.match(await light.getAttribute('title'), /1 × write lost in the write-back window \(1 acknowledged\)/);
  assert.equal(await page.getAttribute(`[data-cache-memory="${key}"]`, 'data-stale'), 'false');
  await waitStates(page, 'I-I-E');
  await lostRow.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'cache-crash-lost-write');
  assertNoErrors(errors);
});

test('the model check passes the protocol and finds an injected bug with a trace', async () => {
  const { page, errors } = await openCache();
  await page.click('[data-testid=verify-protocol]');
  await page.waitForSelector('[data-testid=verify-result][data-verdict=ok]');
  const states = Number(await page.getAttribute('[data-testid=verify-result]', 'data-states'));
  assert.ok(states > 100, `states explored: ${states}`);
  await page.selectOption('[data-testid=cache-bug]', 'no-invalidate-on-busupgr');
  await page.click('[data-testid=verify-protocol]');
  await page.waitForSelector('[data-testid=verify-result][data-verdict=violated]');
  assert.match(await page.textContent('[data-testid=verify-result]'), /Single writer or multiple readers/);
  const steps = await page.locator('[data-testid=verify-trace] [data-trace-step]').count();
  assert.ok(steps >= 2, `trace of ${steps} steps`);
  assert.match(await page.textContent('[data-testid=verify-trace]'), /BusUpgr/);
  await saveScreenshot(page, 'cache-verify-bug');
  assertNoErrors(errors);
});

test('a malformed cache request gets 400 naming the field', async () => {
  const { page, errors } = await session.open('/?nodes=5');
  await openTab(page, 'console');
  await page.fill('[data-testid=api-input]', 'POST /cache/set {"key":"x"}');
  await page.click('[data-testid=api-send]');
  await page.waitForSelector('[data-testid=api-output][data-status="400"]');
  assert.match(await page.textContent('[data-testid=api-output]'), /value/);
  await page.fill('[data-testid=api-input]', 'POST /cache/set {"key":"x","value":"hi","ttl":60}');
  await page.click('[data-testid=api-send]');
  await page.waitForSelector('[data-testid=api-output][data-status="200"]');
  assertNoErrors(errors);
});

/** Opens the Benchmarks tab on a fresh page and picks `scenario` with `fields` edited. */
async function benchmark(scenario, fields) {
  const { page, errors } = await session.open('/', { waitForCluster: false });
  await openTab(page, 'benchmarks');
  await page.selectOption('[data-testid=bench-scenario]', scenario);
  for (const [key, value] of Object.entries(fields)) {
    await page.fill(`[data-field="${key}"] input`, value);
  }
  return { page, errors };
}

async function runBench(page) {
  await page.click('[data-testid=bench-run]');
  await page.waitForSelector('[data-testid=bench-status][data-state=done]', { timeout: 120000 });
  return page.$$eval('canvas[data-chart]', (list) => list.map((c) => c.dataset.chart));
}

test('the seeds\' cache hit/miss benchmark runs from the Benchmarks tab and draws its charts', async () => {
  const { page, errors } = await benchmark('cache-hit-miss', { duration: '3' });
  assert.match(await page.textContent('[data-testid=bench-description]'), /working sets of 100\/500\/1000 keys/);
  assert.equal(await page.inputValue('[data-field=cache-size] input'), '1000');
  assert.equal(await page.inputValue('[data-field=working-sets] input'), '100,500,1000');
  // A bad field is refused next to it, naming what is wrong; nothing runs.
  await page.fill('[data-field=working-sets] input', '0,500');
  await page.waitForSelector('[data-field=working-sets] [data-testid=bench-field-error]');
  assert.match(await page.textContent('[data-field=working-sets] [data-testid=bench-field-error]'), /0 is outside/);
  await page.fill('[data-field=working-sets] input', '100,500,1000');
  const charts = await runBench(page);
  for (const id of ['cache_hit_rate', 'cache_latency_histograms', 'cache_throughput']) {
    assert.ok(charts.includes(id), `charts: ${charts}`);
  }
  assert.ok(!charts.includes('cache_single_vs_distributed'), 'one cluster size only');
  const runs = await page.$$eval('[data-testid=bench-table] tbody th', (l) => l.map((th) => th.textContent));
  assert.equal(runs.length, 9, `runs: ${runs}`);
  assert.match(runs[7], /100 clients, 500 keys/);
  const ops = await page.$$eval('[data-testid=bench-table] tbody td.op', (l) => l.map((td) => td.textContent));
  assert.ok(ops.includes('get') && ops.includes('put'), `ops: ${ops}`);
  for (const id of ['cache_hit_rate', 'cache_latency_histograms', 'cache_throughput']) {
    await page.locator(`canvas[data-chart=${id}]`).scrollIntoViewIfNeeded();
    await saveScreenshot(page, `bench-${id}`);
  }
  assertNoErrors(errors);
  await page.close();
});

test('single node against 3 nodes: the cache_single_vs_distributed chart', async () => {
  const { page, errors } = await benchmark('cache-single-vs-distributed', { duration: '3' });
  const charts = await runBench(page);
  assert.ok(charts.includes('cache_single_vs_distributed'), `charts: ${charts}`);
  assert.ok(!charts.includes('locks_single_vs_distributed'), `charts: ${charts}`);
  await page.locator('canvas[data-chart=cache_single_vs_distributed]').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'bench-cache_single_vs_distributed');
  assertNoErrors(errors);
  await page.close();
});
