// Teaching (issue 15): every guided tour played to its end in Chromium on the real simulation
// (a step whose expected state does not occur shows an error and fails here), the learner's
// own actions recognised, back restoring the step's start, a tour's trace hash reproducible,
// "why?" reasons on the event log (data-reason + hover text), the one-sentence narration, the
// teaching network profile named, "Next delivery", and presentation mode. Screenshots:
// tests/artifacts/tour-<name>.png (each tour's key step) and presentation-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoErrors, saveScreenshot, simState, simTime, startSession, traceHash } from './harness.mjs';
import { REAL_TIME, openTab, setSpeed } from './ui.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

const TOURS = ['raft-election', 'raft-replication', 'partition-heal', 'lock-fencing',
  'consistent-hashing', 'mesi', 'moesi'];
// What the learner does when a step waits for them (the tour names the button).
const LEARNER = { 'partition-heal': { 2: 'preset-isolate-leader', 4: 'preset-heal' } };
// The step whose screenshot shows the tour's point.
const KEY_STEP = {
  'raft-election': 3, 'raft-replication': 3, 'partition-heal': 3, 'lock-fencing': 4,
  'consistent-hashing': 3, mesi: 5, moesi: 8,
};

const stepOf = async (page) => Number(await page.getAttribute('[data-testid=tour-step]', 'data-step'));

async function failOnTourError(page, what) {
  const err = await page.$('[data-testid=tour-error]');
  if (err) assert.fail(`${what}: ${await err.textContent()}`);
}

/** Plays tour `key` from the list to its last step; returns the page at the end. */
async function playTour(page, key, { shots = true, onStep = async () => {} } = {}) {
  await page.click(`[data-testid=tour-list] [data-tour="${key}"]`);
  await page.waitForSelector(`[data-testid=tour-step][data-tour="${key}"]`);
  await failOnTourError(page, `${key} step 1`);
  const total = Number(await page.getAttribute('[data-testid=tour-step]', 'data-total'));
  assert.ok(total >= 4, `${key} has ${total} steps`);
  for (let s = 1; s <= total; s++) {
    assert.equal(await stepOf(page), s, `${key}: on step ${s}`);
    const button = LEARNER[key]?.[s];
    if (button) {
      // The step waits for the learner: Next is disabled until their action is recognised.
      assert.equal(await page.getAttribute('[data-testid=tour-step]', 'data-waiting'), 'true');
      assert.ok(await page.isDisabled('[data-testid=tour-next]'));
      await page.click(`[data-testid=${button}]`);
      await page.waitForSelector('[data-testid=tour-step][data-waiting=false]');
    }
    if (shots && KEY_STEP[key] === s) await saveScreenshot(page, `tour-${key}`);
    await onStep(s);
    if (s === total) break;
    await page.click('[data-testid=tour-next]');
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid=tour-step]')?.getAttribute('data-step') === String(want)
        || document.querySelector('[data-testid=tour-error]'),
      s + 1,
    );
    await failOnTourError(page, `${key} step ${s + 1}`);
  }
  assert.equal(await page.getAttribute('[data-testid=tour-step]', 'data-done'), 'true');
}

test('every tour plays to its end on the live simulation', async () => {
  const { page, errors } = await session.open('/');
  const listed = await page.$$eval('[data-testid=tour-list] [data-tour]', (b) => b.map((x) => x.getAttribute('data-tour')));
  assert.deepEqual(listed, TOURS);
  for (const key of TOURS) {
    await playTour(page, key);
    if (key === 'consistent-hashing') {
      assert.match(await page.textContent('[data-testid=tour-why]'), /^Why: with 1 vnode per node the busiest node would own \d+% of the keys/);
      await page.click('[data-testid=tour-back]');
      await page.waitForSelector('[data-testid=tour-step][data-step="4"]');
      // The core explains the followed key after the join: moved back to n5, or stayed.
      assert.match(await page.textContent('[data-testid=tour-why]'), /^Why: key `orders` (moved to n5 because n5's vnode \d+ now precedes it|stays on n\d)/);
    }
    if (key === 'mesi') {
      assert.match(await page.textContent('[data-testid=tour-why]'), /^Why: BusRd: n2 reads a line it does not hold/);
    }
    await page.click('[data-testid=tour-exit]');
    await page.waitForSelector('[data-testid=tour-list]');
  }
  assertNoErrors(errors);
});

test('a tour is reproducible and back restores the step it left', async () => {
  const { page, errors } = await session.open('/');
  await playTour(page, 'partition-heal', { shots: false });
  const first = await traceHash(page);
  await page.click('[data-testid=tour-exit]');
  await playTour(page, 'partition-heal', { shots: false });
  assert.equal(await traceHash(page), first, 'the same tour gives the same trace hash');
  // Back from the last step: the step before it, then forward again to the same hash.
  await page.click('[data-testid=tour-back]');
  await page.waitForSelector('[data-testid=tour-step][data-step="5"]');
  await page.click('[data-testid=tour-next]');
  await page.waitForSelector('[data-testid=tour-step][data-step="6"]');
  assert.equal(await traceHash(page), first);
  assertNoErrors(errors);
});

test('"watch it happen" replays a step that ran until its state, and stops at its end', async () => {
  const { page, errors } = await session.open('/');
  await setSpeed(page, REAL_TIME);
  await page.click('[data-testid=tour-list] [data-tour="raft-replication"]');
  for (const s of [2, 3]) {
    await page.click('[data-testid=tour-next]');
    await page.waitForSelector(`[data-testid=tour-step][data-step="${s}"]`);
  }
  const [endTime, endHash] = [await simTime(page), await traceHash(page)];
  await page.click('[data-testid=tour-watch]');
  // It goes back to the step's start and plays: the clock is behind the end for a while…
  await page.waitForFunction((end) => document.querySelector('[data-testid=sim-time]')?.textContent !== end, endTime);
  // …then stops exactly at the step's end, paused, in the same state.
  await page.waitForFunction(() => document.querySelector('[data-testid=play]')?.getAttribute('aria-pressed') === 'false'
    && document.querySelector('[data-testid=sim-time]')?.textContent, null, { timeout: 20000 });
  await page.waitForFunction((end) => document.querySelector('[data-testid=sim-time]')?.textContent === end, endTime, { timeout: 20000 });
  assert.equal(await traceHash(page), endHash);
  assert.equal(await page.getAttribute('[data-testid=play]', 'aria-pressed'), 'false');
  // Next continues the tour from there.
  await page.click('[data-testid=tour-next]');
  await page.waitForSelector('[data-testid=tour-step][data-step="4"]');
  assert.equal(await page.$('[data-testid=tour-error]'), null);
  assertNoErrors(errors);
});

test('protocol decisions carry their reason in the event log', async () => {
  const { page, errors } = await session.open('/');
  const reasons = () => page.$$eval('[data-testid=event-log] [data-reason]',
    (els) => els.map((e) => [e.getAttribute('data-reason'), e.getAttribute('title')]));
  const seen = new Map();
  // Read the log as each step ends: the log keeps only the latest lines.
  await playTour(page, 'lock-fencing', {
    shots: false,
    onStep: async (s) => {
      await openTab(page, 'events');
      for (const [c, t] of await reasons()) if (!seen.has(c)) seen.set(c, t);
      if (s === 3) await saveScreenshot(page, 'tour-reasons-event-log');
      await openTab(page, 'locks');
    },
  });
  for (const c of ['vote-granted', 'elected', 'lock-granted', 'lock-queued', 'lease-expired']) {
    assert.ok(seen.has(c), `${c} in ${[...seen.keys()].join(', ')}`);
  }
  assert.match(seen.get('lock-queued'), /^B waits for the lock `db`: it is held by A \(token \d+\)/);
  assert.match(seen.get('vote-granted'), /grants its (pre-)?vote to n\d for term \d+: n\d's log \(ends at term \d+, index \d+\)/);
  assert.match(seen.get('lease-expired'), /^A's lease on `db` \(token \d+\) expired/);
  assertNoErrors(errors);
});

test('narration, the teaching profile and next delivery', async () => {
  const { page, errors } = await session.open('/');
  assert.match(await page.textContent('[data-testid=now-narration]'), /no leader yet|candidate|leader/);
  assert.match(await page.textContent('[data-testid=profile-name]'), /Network: teaching/);
  assert.equal(await page.inputValue('[data-testid=profile]'), 'teaching');
  const before = await simState(page);
  await page.click('[data-testid=step-delivery]');
  await page.waitForFunction((old) => ['sim-time', 'trace-hash', 'events-processed']
    .map((id) => document.querySelector(`[data-testid=${id}]`)?.textContent).join(' ') !== old, before);
  await playTour(page, 'raft-election', { shots: false });
  assert.match(await page.textContent('[data-testid=now-narration]'), /^n\d is the leader in term \d+/);
  assertNoErrors(errors);
});

test('presentation mode: larger type, the colour-blind-safe palette, the cluster plus one panel', async () => {
  const { page, errors } = await session.open('/');
  await playTour(page, 'raft-election', { shots: false });
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.teach')).fontSize));
  const small = await size();
  await page.click('[data-testid=presentation-mode]');
  await page.waitForSelector('body.presentation');
  assert.ok(await size() > small * 1.3, 'larger type');
  assert.equal(await page.isVisible('.timebar'), false);
  assert.equal(await page.isVisible('.status-row'), false);
  assert.ok(await page.isVisible('[data-testid=cluster]'));
  assert.ok(await page.isVisible('.side-panel'));
  const fill = await page.$eval('[data-testid=cluster] .role-leader .node-body', (e) => getComputedStyle(e).fill);
  assert.equal(fill, 'rgb(0, 158, 115)', 'Okabe-Ito bluish green for the leader');
  await saveScreenshot(page, 'presentation-cluster');
  await openTab(page, 'events');
  await saveScreenshot(page, 'presentation-events');
  await page.click('[data-testid=presentation-mode]');
  await page.waitForFunction(() => !document.body.classList.contains('presentation'));
  assertNoErrors(errors);
});
