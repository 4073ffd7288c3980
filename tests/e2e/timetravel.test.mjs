// Time travel and share links: the slider shows the past, acting there forks, and a share URL
// reopened elsewhere reproduces the trace hash. Hostile links are explained, not fatal.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoErrors, saveScreenshot, startSession, traceHash, waitForSimTimeChange,
} from './harness.mjs';
import { REAL_TIME, leaderId, node, pause, play, setSpeed, waitForLeader, waitForRole } from './ui.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

test('moving the time slider back shows the earlier leader and term; acting there forks', async () => {
  const { page, errors } = await session.open('/');
  await setSpeed(page, REAL_TIME);
  await play(page);
  const first = await waitForLeader(page);
  await pause(page);
  const then = await page.inputValue('[data-testid=time-slider]');
  await play(page);
  // An action belongs to the instant it is taken: let time move on before crashing the leader,
  // so that `then` is strictly before the crash.
  await waitForSimTimeChange(page, await page.textContent('[data-testid=sim-time]'));
  await page.keyboard.press('r'); // crash the leader
  await waitForRole(page, first.id, 'crashed');
  const second = await waitForLeader(page, new Function('id', `return id !== ${JSON.stringify(first.id)}`));
  await pause(page);
  await page.locator('[data-testid=time-slider]').fill(then);
  await page.waitForFunction((id) => document.querySelector('[data-testid=leader]').textContent === id, first.id);
  assert.equal((await node(page, first.id)).term, first.term);
  assert.equal((await node(page, first.id)).role, 'leader');
  await page.waitForSelector('[data-testid=in-past]');
  await saveScreenshot(page, 'time-travel');
  await page.click('[data-testid=preset-heal]');
  await page.waitForSelector('[data-testid=forked]');
  assert.notEqual(second.id, '');
  assertNoErrors(errors);
  await page.close();
});

test('a share URL reopened in a new page reproduces the trace hash', async () => {
  const { page, errors } = await session.open('/?seed=7');
  await setSpeed(page, REAL_TIME);
  await play(page);
  const leader = await waitForLeader(page);
  await page.click('[data-testid=preset-isolate-leader]');
  await waitForLeader(page, new Function('id', `return id !== ${JSON.stringify(leader.id)}`));
  await pause(page);
  await page.click('[data-testid=share]');
  const link = await page.inputValue('[data-testid=share-url]');
  const url = new URL(link);
  assert.ok(url.searchParams.get('run').includes('"seed":7'));
  const hash = await traceHash(page);
  const shown = await leaderId(page);
  const again = await session.open(url.pathname + url.search);
  await again.page.waitForFunction((h) => document.querySelector('[data-testid=trace-hash]').textContent === h, hash);
  assert.equal(await leaderId(again.page), shown);
  // It continues normally from there.
  await setSpeed(again.page, REAL_TIME);
  await play(again.page);
  await again.page.waitForFunction((h) => document.querySelector('[data-testid=trace-hash]').textContent !== h, hash);
  assertNoErrors(errors);
  assertNoErrors(again.errors);
  await page.close();
  await again.page.close();
});

for (const run of ['%7Bbroken', 'null', '%7B%22config%22%3A%7B%22seed%22%3A1%2C%22nodes%22%3A999%7D%7D']) {
  test(`a hostile ?run=${run.slice(0, 12)}… shows a message and the default run`, async () => {
    const { page, errors } = await session.open(`/?run=${run}`);
    await page.locator('[data-testid=message]').first().waitFor();
    assert.match(await page.textContent('[data-testid=messages]'), /share link could not be opened/);
    assert.equal(await page.locator('[data-testid=cluster] [data-node-id]').count(), 5);
    assertNoErrors(errors);
    await page.close();
  });
}
