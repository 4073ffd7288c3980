// The queue as a student meets it: its tab and ring, priority order through the forms, a crash
// of a key's partition leader that loses no acknowledged message, a leave and a join that show
// what moved, and a malformed request answered with 400. Every wait is on the DOM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoErrors, saveScreenshot, startSession } from './harness.mjs';
import { openTab, pause, play, setSpeed } from './ui.mjs';

/** Speed slider index for 5× real time (web/src/shell/speed.rs). */
const FIVE_X = 11;

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

/** Opens the page, runs it until every partition has a leader, pauses, opens the Queue tab. */
async function openReady(path = '/?nodes=5&seed=11') {
  const opened = await session.open(path);
  const { page } = opened;
  await openTab(page, 'queue');
  await page.waitForSelector('[data-testid=queue-partitions]');
  await setSpeed(page, FIVE_X);
  await play(page);
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-partition-row]')];
    return rows.length > 0 && rows.every((r) => r.getAttribute('data-leader'));
  }, null, { timeout: 30000 });
  await pause(page);
  return opened;
}

async function enqueue(page, message, priority, key = 'k1') {
  const form = page.locator('[data-testid=queue-enqueue]');
  await form.locator('[name=message]').fill(message);
  await form.locator('[name=priority]').fill(String(priority));
  await form.locator('[name=key]').fill(key);
  await form.locator('button[type=submit]').click();
  return answer(page);
}

/** The answer to the panel's last request, once it is not pending: { status, body }. */
async function answer(page) {
  await page.waitForSelector('[data-testid=queue-answer]:not([data-status=pending])', { timeout: 20000 });
  const status = Number(await page.getAttribute('[data-testid=queue-answer]', 'data-status'));
  const text = await page.locator('[data-testid=queue-answer-body]').textContent().catch(() => '');
  let body = text;
  try { body = JSON.parse(text); } catch { /* an error text */ }
  return { status, body };
}

async function dequeue(page) {
  await page.locator('[data-testid=queue-dequeue] button[type=submit]').click();
  return answer(page);
}

test('the Queue tab draws the ring: every node owns vnodes, coloured by owner', async () => {
  const { page, errors } = await session.open('/?nodes=5');
  const tabs = await page.$$eval('[role=tab]', (els) => els.map((e) => e.getAttribute('data-testid')));
  assert.ok(tabs.includes('tab-queue'), tabs.join(' '));
  await openTab(page, 'queue');
  const owners = await page.$$eval('[data-vnode]', (els) => els.map((e) => e.getAttribute('data-owner')));
  assert.deepEqual([...new Set(owners)].sort(), ['n1', 'n2', 'n3', 'n4', 'n5']);
  const counts = owners.reduce((m, o) => ({ ...m, [o]: (m[o] ?? 0) + 1 }), {});
  assert.equal(new Set(Object.values(counts)).size, 1, 'every node has V vnodes');
  assert.equal(await page.locator('[data-queue-depth]').count(), 5);
  await saveScreenshot(page, 'queue-tab');
  assertNoErrors(errors);
  await page.close();
});

test('priorities 3, 9, 5, 9 on one key dequeue as 9, 9, 5, 3', async () => {
  const { page, errors } = await openReady();
  for (const [m, p] of [['a3', 3], ['b9', 9], ['c5', 5], ['d9', 9]]) {
    const r = await enqueue(page, m, p);
    assert.equal(r.status, 200, JSON.stringify(r));
    assert.ok(r.body.message_id, JSON.stringify(r.body));
  }
  const got = [];
  for (let i = 0; i < 4; i += 1) {
    const r = await dequeue(page);
    assert.equal(r.status, 200, JSON.stringify(r));
    got.push(r.body.message);
    assert.equal(r.body.redelivered, false);
  }
  assert.deepEqual(got, ['b9', 'd9', 'c5', 'a3']);
  assert.equal((await dequeue(page)).status, 204, 'the queue is empty');
  await saveScreenshot(page, 'queue-priorities');
  assertNoErrors(errors);
  await page.close();
});

test('a malformed enqueue gets 400 naming the field', async () => {
  const { page, errors } = await openReady();
  const r = await enqueue(page, 'x', 11);
  assert.equal(r.status, 400);
  assert.match(JSON.stringify(r.body), /priority/);
  assertNoErrors(errors);
  await page.close();
});

test('crashing the leader of a key\'s partition loses no acknowledged message', async () => {
  const { page, errors } = await openReady();
  const sent = [];
  for (let i = 0; i < 4; i += 1) {
    const r = await enqueue(page, `m${i}`, 5, 'order-7');
    assert.equal(r.status, 200, JSON.stringify(r));
    sent.push(`m${i}`);
  }
  const partition = await page.getAttribute('[data-testid=queue-ring] [data-key="order-7"]', 'data-partition');
  const leader = await page.getAttribute(`[data-partition-row="${partition}"]`, 'data-leader');
  assert.ok(leader, 'the partition has a leader');
  await page.click(`[data-node-id="${leader}"]`);
  await page.click('[data-testid=node-menu] [data-menu-action=crash]');
  await play(page);
  await page.waitForFunction(([p, old]) => {
    const l = document.querySelector(`[data-partition-row="${p}"]`)?.getAttribute('data-leader');
    return l && l !== old;
  }, [partition, leader], { timeout: 30000 });
  await pause(page);
  const got = [];
  for (let i = 0; i < 8 && got.length < sent.length; i += 1) {
    const r = await dequeue(page);
    if (r.status === 204) break;
    if (r.status === 200) got.push(r.body.message);
  }
  assert.deepEqual([...new Set(got)].sort(), sent);
  await saveScreenshot(page, 'queue-after-crash');
  assertNoErrors(errors);
  await page.close();
});

test('a leave and a join show what moved, about 1/N of the keys', async () => {
  const { page, errors } = await openReady();
  await page.click('[data-testid=ring-leave][data-node=n5]');
  await page.waitForSelector('[data-testid=ring-moved]');
  const left = (await page.textContent('[data-testid=ring-moved]')).trim();
  assert.match(left, /^\d+\/\d+$/);
  const [lm, lt] = left.split('/').map(Number);
  assert.ok(lm > 0 && lm / lt < 0.45, `a leave moves the leaver's share, about 1/N: ${left}`);
  await play(page);
  await page.waitForSelector('[data-testid=ring-join][data-node=n5]', { timeout: 20000 });
  await pause(page);
  await page.click('[data-testid=ring-join][data-node=n5]');
  await page.waitForFunction(() => /joined/.test(document.querySelector('[data-testid=ring-change]')?.textContent ?? ''), null, { timeout: 20000 });
  const [moved, total] = (await page.textContent('[data-testid=ring-moved]')).trim().split('/').map(Number);
  assert.ok(total > 0 && moved > 0, `${moved}/${total}`);
  assert.ok(moved / total < 0.45, `a join moves about 1/N, not ${moved}/${total}`);
  await saveScreenshot(page, 'queue-join');
  assertNoErrors(errors);
  await page.close();
});

test('the ring lab: more vnodes even the load, modulo hashing moves most keys', async () => {
  const { page, errors } = await session.open('/?nodes=5');
  await openTab(page, 'queue');
  await page.locator('[data-testid=vnode-slider]').fill('1');
  const cv1 = Number(await page.getAttribute('[data-testid=ring-balance]', 'data-cv'));
  await page.locator('[data-testid=vnode-slider]').fill('200');
  await page.waitForFunction((c) => Number(document.querySelector('[data-testid=ring-balance]').getAttribute('data-cv')) !== c, cv1);
  const cv200 = Number(await page.getAttribute('[data-testid=ring-balance]', 'data-cv'));
  assert.ok(cv200 < cv1 / 2, `CV ${cv1} at V=1, ${cv200} at V=200`);
  const ringMoved = Number(await page.getAttribute('[data-testid=lab-join]', 'data-moved'));
  await page.check('[data-testid=modulo-toggle]');
  await page.waitForFunction((m) => Number(document.querySelector('[data-testid=lab-join]').getAttribute('data-moved')) !== m, ringMoved);
  const moduloMoved = Number(await page.getAttribute('[data-testid=lab-join]', 'data-moved'));
  assert.ok(moduloMoved > 3 * ringMoved, `modulo moved ${moduloMoved}, the ring ${ringMoved}`);
  await saveScreenshot(page, 'queue-lab');
  assertNoErrors(errors);
  await page.close();
});
