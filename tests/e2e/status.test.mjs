// The status service as a student meets it: its tab and phi matrix, the suspicion rings on the
// cluster, a cut link making one node suspect another (and trust it again once healed), and a
// paused node suspected by everyone. Time advances with the page's own speed slider and play
// button; every wait is on the DOM (the virtual clock or a data attribute), never a sleep.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoErrors, saveScreenshot, startSession } from './harness.mjs';
import { clickSvg, openTab, pause, play, setSpeed, waitForRole } from './ui.mjs';

/** Speed slider index for 5× real time (web/src/shell/speed.rs). */
const FIVE_X = 11;
const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

/** The virtual clock in seconds ("1.234 s"). */
const simSeconds = async (page) => Number.parseFloat(await page.textContent('[data-testid=sim-time]'));

/** Plays until the virtual clock shows at least `seconds`. */
async function runUntil(page, seconds, timeout = 30000) {
  await play(page);
  await page.waitForFunction(
    (s) => Number.parseFloat(document.querySelector('[data-testid=sim-time]')?.textContent) >= s,
    seconds,
    { timeout },
  );
}

/** The cluster's suspicion markers: { n1: { phi, suspected, count }, … }. */
const markers = (page) => page.$$eval('[data-testid=cluster] [data-node-id]', (nodes) => Object.fromEntries(
  nodes.map((n) => {
    const m = n.querySelectorAll('[data-phi]');
    return [n.getAttribute('data-node-id'), {
      count: m.length,
      phi: Number(m[0]?.getAttribute('data-phi')),
      suspected: m[0]?.getAttribute('data-suspected'),
      title: m[0]?.querySelector('title')?.textContent ?? '',
    }];
  }),
));

const cellPhi = async (page, key) => {
  const raw = await page.getAttribute(`[data-testid=status-panel] [data-phi-cell="${key}"]`, 'data-phi');
  assert.ok(raw !== null, `cell ${key} shows a phi`);
  return Number(raw);
};

async function openRunning() {
  const opened = await session.open('/?nodes=5&seed=7');
  await setSpeed(opened.page, FIVE_X);
  return opened;
}

test('the Status tab sits among the service tabs and opens the phi matrix', async () => {
  const { page, errors } = await session.open('/?nodes=5');
  const tabs = await page.$$eval('[role=tab]', (els) => els.map((e) => e.getAttribute('data-testid')));
  assert.deepEqual(tabs, ['tab-raft', 'tab-locks', 'tab-status', 'tab-queue', 'tab-cache', 'tab-console', 'tab-events', 'tab-benchmarks']);
  await openTab(page, 'status');
  await page.waitForSelector('[data-testid=status-panel]');
  assert.equal(await page.getAttribute('[data-testid=tab-status]', 'aria-selected'), 'true');
  const explain = await page.textContent('[data-testid=phi-explain]');
  assert.match(explain, /log10\(probability that a heartbeat this late is normal\)/);
  assert.match(explain, /above 8 the peer is suspected/);
  assert.match(await page.textContent('[data-testid=phi-threshold]'), /8/);
  // A cell for every ordered pair, "—" on the diagonal.
  assert.equal(await page.locator('[data-phi-cell]').count(), 25);
  for (const n of NODES) {
    assert.equal(await page.textContent(`[data-phi-cell="${n}-${n}"]`), '—');
  }
  // The locks tab still opens its own panel.
  await openTab(page, 'locks');
  await page.waitForSelector('[data-testid=status-panel]', { state: 'detached' });
  assertNoErrors(errors);
  await page.close();
});

test('cutting n1–n2 makes n1 suspect n2 (phi above 8); healing brings phi back below 1', async () => {
  const { page, errors } = await openRunning();
  await runUntil(page, 2);
  await pause(page);
  const steady = await markers(page);
  assert.deepEqual(Object.keys(steady).sort(), NODES);
  for (const [n, m] of Object.entries(steady)) {
    assert.equal(m.count, 1, `${n} has exactly one suspicion marker`);
    assert.ok(m.phi >= 0 && m.phi < 3, `${n} is barely suspected in steady state: phi ${m.phi}`);
    assert.equal(m.suspected, 'false');
  }
  await openTab(page, 'status');
  await page.waitForSelector('[data-testid=status-panel]');
  assert.ok((await cellPhi(page, 'n1-n2')) < 3);

  const cutAt = await simSeconds(page);
  await clickSvg(page, '[data-link="n1-n2"]');
  await page.waitForSelector('[data-link="n1-n2"][data-state=cut]');
  await runUntil(page, cutAt + 1.5);
  await pause(page);
  const cut = await cellPhi(page, 'n1-n2');
  assert.ok(cut > 8, `after 1.5 s without heartbeats n1's phi for n2 is ${cut}`);
  assert.ok((await cellPhi(page, 'n2-n1')) > 8, 'the cut goes both ways');
  assert.ok((await cellPhi(page, 'n1-n3')) < 8, 'n1 still trusts n3');
  assert.ok(await page.locator('[data-phi-cell="n1-n2"].suspected').count() === 1);
  assert.match(await page.textContent('[data-testid=suspicions]'), /n2 is suspected by n1 \(phi \d+\.\d\)/);
  const suspectedN2 = (await markers(page)).n2;
  assert.equal(suspectedN2.suspected, 'true');
  assert.match(suspectedN2.title, /Suspected by n1 \(phi /);
  await saveScreenshot(page, 'status-link-cut');
  // The event log says so, in its own category.
  await openTab(page, 'events');
  await page.waitForSelector('[data-testid=event-log] [data-category=suspicion]');
  // With its reason: phi, the threshold and the age of the last heartbeat (status/reasons.rs).
  const suspicion = page.locator('[data-testid=event-log] [data-category=suspicion][data-reason=peer-suspected]', { hasText: 'n1 suspects n2' });
  assert.match(await suspicion.first().textContent(), /n1 suspects n2: its last heartbeat arrived \d+ ms ago, so phi is \d+\.\d\d, at or above the threshold 8\.00/);
  assert.equal(await page.locator('[data-filter=suspicion]').count(), 1);

  await openTab(page, 'status');
  await clickSvg(page, '[data-link="n1-n2"]');
  await page.waitForSelector('[data-link="n1-n2"][data-state=up]');
  await play(page);
  await page.waitForFunction(() => {
    const v = document.querySelector('[data-testid=status-panel] [data-phi-cell="n1-n2"]')?.getAttribute('data-phi');
    return v !== null && v !== undefined && Number(v) < 1;
  }, null, { timeout: 20000 });
  await page.waitForFunction(
    () => document.querySelector('[data-node-id="n2"] [data-phi]')?.getAttribute('data-suspected') === 'false',
  );
  assertNoErrors(errors);
  await page.close();
});

test('pausing a node from its menu raises its suspicion ring above the threshold', async () => {
  const { page, errors } = await openRunning();
  await runUntil(page, 2);
  await page.click('[data-node-id="n3"]');
  await page.waitForSelector('[data-testid=node-menu][data-menu-node="n3"]');
  await page.click('[data-testid=node-menu] [data-menu-action=pause]');
  await waitForRole(page, 'n3', 'paused');
  await page.waitForFunction(() => {
    const m = document.querySelector('[data-testid=cluster] [data-node-id="n3"] [data-phi]');
    return m && Number(m.getAttribute('data-phi')) > 8 && m.getAttribute('data-suspected') === 'true';
  }, null, { timeout: 20000 });
  // In a moment every up node suspects it (their heartbeat rhythms differ by a few ms).
  await page.waitForFunction(() => /Suspected by n1 \(phi [\d.]+\), n2 \(phi [\d.]+\), n4 \(phi [\d.]+\), n5 \(phi [\d.]+\)/
    .test(document.querySelector('[data-node-id="n3"] [data-phi] title')?.textContent ?? ''));
  await pause(page);
  const all = await markers(page);
  assert.equal(all.n3.count, 1);
  assert.ok(all.n3.phi > 8, `n3's suspicion is ${all.n3.phi}`);
  for (const n of ['n1', 'n2', 'n4', 'n5']) {
    assert.equal(all[n].suspected, 'false', `${n} is not suspected`);
  }
  await saveScreenshot(page, 'status-node-paused');
  assertNoErrors(errors);
  await page.close();
});
