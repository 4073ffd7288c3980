// The Cache tab as a student meets it: the Table 1.3 stream (R1 W1 R3 W3 R1 R3 R2) stepped on
// the grid with the documented MESI states at every step, the MOESI switch ending in (S, S, O)
// with no memory write-back, the model check finding an injected bug (and passing without
// it), and a malformed console request answered 400 naming the field. Every wait is on the DOM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoErrors, saveScreenshot, startSession } from './harness.mjs';
import { openTab } from './ui.mjs';

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
