// The API console and the locks panel: the seed API's lock flow, end to end in the browser.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoErrors, saveScreenshot, startSession } from './harness.mjs';
import { REAL_TIME, openTab, pause, play, setSpeed, waitForLeader } from './ui.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

async function send(page, client, line) {
  await page.selectOption('[data-testid=api-client]', client);
  await page.fill('[data-testid=api-input]', line);
  await page.click('[data-testid=api-send]');
}

const outputStatus = (page) => page.getAttribute('[data-testid=api-output]', 'data-status');

test('acquire, queue, release and hand-over through the API console', async () => {
  const { page, errors } = await session.open('/');
  await setSpeed(page, REAL_TIME);
  await play(page);
  const leader = await waitForLeader(page);
  // Paused: each request is run just long enough to be answered.
  await pause(page);
  await openTab(page, 'console');
  await page.selectOption('[data-testid=api-node]', leader.id);
  await send(page, 'A', '{"bad json');
  await page.waitForSelector('[data-testid=api-output][data-status="404"], [data-testid=api-output][data-status="400"]');
  await send(page, 'A', 'POST /lock/acquire {"resource":"db","mode":"exclusive"');
  await page.waitForSelector('[data-testid=api-output][data-status="400"]');
  assert.match(await page.textContent('[data-testid=api-output]'), /error/);
  await saveScreenshot(page, 'console-400');

  await send(page, 'A', 'POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":30}');
  await page.waitForSelector('[data-testid=api-output][data-status="200"]');
  const granted = JSON.parse(await page.textContent('[data-testid=api-body]'));
  assert.ok(granted.fencing_token >= 1, JSON.stringify(granted));
  assert.ok(granted.lock_id >= 1, JSON.stringify(granted));

  await send(page, 'B', 'POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":30}');
  await page.waitForSelector('[data-testid=api-output][data-status=pending]');
  await openTab(page, 'locks');
  await page.waitForSelector('[data-resource=db] [data-holder=A]');
  await page.waitForSelector('[data-resource=db] [data-waiter=B]');
  await page.waitForSelector('[data-testid=wait-for] [data-edge="B-A"]');
  await saveScreenshot(page, 'locks-queued');

  await openTab(page, 'console');
  await send(page, 'A', `POST /lock/release {"resource":"db","lock_id":${granted.lock_id}}`);
  await page.waitForSelector('[data-testid=api-output][data-status="200"]');
  await play(page);
  await page.waitForSelector('[data-testid=api-history] tr[data-client=B][data-ticket="1"][data-status="200"]');
  await pause(page);
  await openTab(page, 'locks');
  await page.waitForSelector('[data-resource=db] [data-holder=B]');
  const tokenB = Number(await page.getAttribute('[data-resource=db] [data-holder=B]', 'data-token'));
  assert.ok(tokenB > granted.fencing_token, 'fencing tokens increase');
  assert.equal(await page.locator('[data-resource=db] [data-waiter]').count(), 0);
  await saveScreenshot(page, 'locks-handover');
  await page.click('[data-testid=check-history]');
  assert.match(await page.textContent('[data-testid=history-verdict]'), /^OK/);
  assertNoErrors(errors);
  await page.close();
});

test('a zero timeout on a held lock answers 409; the locks form sends the same requests', async () => {
  const { page, errors } = await session.open('/');
  await setSpeed(page, REAL_TIME);
  await play(page);
  await waitForLeader(page);
  await pause(page);
  await openTab(page, 'locks');
  await page.fill('[data-testid=lock-resource]', 'printer');
  await page.click('[data-testid=lock-acquire]');
  await page.waitForSelector('[data-resource=printer] [data-holder=A]');
  await page.selectOption('[data-testid=lock-client]', 'B');
  await page.fill('[data-testid=lock-timeout]', '0');
  await page.click('[data-testid=lock-acquire]');
  await openTab(page, 'console');
  await page.waitForSelector('[data-testid=api-history] tr[data-client=B][data-status="409"]');
  assert.equal(await outputStatus(page), '409');
  assertNoErrors(errors);
  await page.close();
});
