// The cluster view as a teacher uses it: elections, partitions by clicking links, crashing and
// restarting the leader from its menu, one-way cuts and dropping a message in flight.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoErrors, saveScreenshot, startSession } from './harness.mjs';
import {
  REAL_TIME, clickSvg, leaderId, linkState, linksOf, node, pause, play, setSpeed,
  waitForLeader, waitForRole,
} from './ui.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

async function openRunning(path = '/') {
  const opened = await session.open(path);
  await setSpeed(opened.page, REAL_TIME);
  await play(opened.page);
  return opened;
}

test('a leader is elected within a few seconds of play', async () => {
  const { page, errors } = await openRunning();
  const leader = await waitForLeader(page, () => true, 5000);
  assert.match(leader.id, /^n[1-5]$/);
  assert.ok(leader.term >= 1);
  await saveScreenshot(page, 'leader-elected');
  assertNoErrors(errors);
  await page.close();
});

test('isolating the leader by clicking its links elects another; healing demotes the old one', async () => {
  const { page, errors } = await openRunning();
  const old = await waitForLeader(page);
  const links = await linksOf(page, old.id);
  assert.equal(links.length, 4);
  for (const key of links) {
    await clickSvg(page, `[data-link="${key}"]`);
    await page.waitForFunction((k) => document.querySelector(`[data-link="${k}"]`).getAttribute('data-state') === 'cut', key);
  }
  const fresh = await waitForLeader(page, new Function('id', `return id !== ${JSON.stringify(old.id)}`));
  assert.ok(fresh.term > old.term, `new term ${fresh.term} should exceed ${old.term}`);
  await saveScreenshot(page, 'leader-isolated');
  // Pre-vote: the isolated old leader cannot win a pre-vote, so its term does not climb.
  assert.ok((await node(page, old.id)).term <= fresh.term);
  await page.click('[data-testid=preset-heal]');
  for (const key of links) assert.equal(await linkState(page, key), 'up');
  await waitForRole(page, old.id, 'follower', fresh.term);
  const after = await waitForLeader(page);
  assert.equal(after.id, fresh.id, 'the rejoining node did not disrupt the leader');
  assert.equal(after.term, fresh.term, 'no needless term jump with pre-vote');
  assertNoErrors(errors);
  await page.close();
});

test('crashing the leader from its menu elects another; restarting it brings back a follower', async () => {
  const { page, errors } = await openRunning();
  const old = await waitForLeader(page);
  await page.click(`[data-node-id="${old.id}"]`);
  await page.waitForSelector(`[data-testid=node-menu][data-menu-node="${old.id}"]`);
  await saveScreenshot(page, 'node-menu');
  await page.click('[data-testid=node-menu] [data-menu-action=crash]');
  await waitForRole(page, old.id, 'crashed');
  const fresh = await waitForLeader(page, new Function('id', `return id !== ${JSON.stringify(old.id)}`));
  assert.ok(fresh.term > old.term);
  await page.click(`[data-node-id="${old.id}"]`);
  await page.click('[data-testid=node-menu] [data-menu-action=restart]');
  await waitForRole(page, old.id, 'follower', fresh.term);
  assertNoErrors(errors);
  await page.close();
});

test('shift-click cuts one direction; clicking again cuts both; once more heals', async () => {
  const { page, errors } = await session.open('/');
  await clickSvg(page, '[data-link="n1-n2"]', { shiftKey: true });
  await page.waitForSelector('[data-link="n1-n2"][data-state=oneway]');
  await clickSvg(page, '[data-link="n1-n2"]');
  await page.waitForSelector('[data-link="n1-n2"][data-state=cut]');
  await clickSvg(page, '[data-link="n1-n2"]');
  await page.waitForSelector('[data-link="n1-n2"][data-state=up]');
  assertNoErrors(errors);
  await page.close();
});

test('clicking a message in flight drops it', async () => {
  const { page, errors } = await openRunning();
  await waitForLeader(page);
  await pause(page);
  // On a fast network messages are in flight only briefly: step until one is.
  for (let i = 0; i < 200 && (await page.locator('[data-msg-id]').count()) === 0; i++) {
    await page.click('[data-testid=step]');
  }
  const id = await page.getAttribute('[data-msg-id]', 'data-msg-id');
  assert.ok(id, 'a message is in flight');
  await clickSvg(page, `[data-msg-id="${id}"]`);
  await page.waitForSelector(`[data-msg-id="${id}"]`, { state: 'detached' });
  await page.click('[data-testid=tab-events]');
  await page.waitForFunction(() => document.querySelector('[data-testid=event-log]').textContent.includes('dropped by you'));
  assertNoErrors(errors);
  await page.close();
});

test('keyboard: space plays, ? opens help, Escape closes it, r crashes the leader', async () => {
  const { page, errors } = await session.open('/');
  await setSpeed(page, REAL_TIME);
  await page.locator('body').press('Space');
  await page.waitForSelector('[data-testid=play][aria-pressed=true]');
  const leader = await waitForLeader(page);
  await page.keyboard.press('?');
  await page.waitForSelector('[data-testid=help]');
  await saveScreenshot(page, 'help');
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=help]', { state: 'detached' });
  await page.keyboard.press('r');
  await waitForRole(page, leader.id, 'crashed');
  // Typing in a field does not trigger shortcuts.
  await page.click('[data-testid=tab-console]');
  await page.fill('[data-testid=api-input]', 'r ?');
  assert.equal(await page.locator('[data-testid=help]').count(), 0);
  assert.equal(await leaderId(page) === leader.id, false);
  assertNoErrors(errors);
  await page.close();
});

test('a horizontal link (n2-n5 with 5 nodes) is visible and takes a normal click', async () => {
  const { page, errors } = await session.open('/?nodes=5');
  const link = page.locator('[data-link="n2-n5"]');
  assert.equal(await link.getAttribute('data-state'), 'up');
  const box = await link.boundingBox();
  assert.ok(box && box.height > 0 && box.width > 0, `n2-n5 has a real box: ${JSON.stringify(box)}`);
  // Playwright's own click: it refuses elements it finds invisible or covered (no force).
  await link.click();
  await page.waitForSelector('[data-link="n2-n5"][data-state=cut]');
  assertNoErrors(errors);
  await page.close();
});
