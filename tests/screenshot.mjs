// Saves docs/screenshot.png (1280×800) of the release build in dist/: `node tests/screenshot.mjs`.
// It stages a state worth a picture: a leader, a follower cut off (its log lags behind the
// leader's match/next markers), a lock held and another queued.
import { join } from 'node:path';
import { ROOT, startSession } from './e2e/harness.mjs';
import { REAL_TIME, clickSvg, linksOf, openTab, pause, play, setSpeed, waitForLeader } from './e2e/ui.mjs';

const session = await startSession();
try {
  const { page, errors } = await session.open('/?seed=3&nodes=5');
  await setSpeed(page, REAL_TIME);
  await play(page);
  const leader = await waitForLeader(page);
  await pause(page);
  const follower = ['n1', 'n2', 'n3', 'n4', 'n5'].find((n) => n !== leader.id);
  for (const key of await linksOf(page, follower)) await clickSvg(page, `[data-link="${key}"]`);
  await openTab(page, 'console');
  for (const [client, line] of [
    ['A', 'POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":30}'],
    ['B', 'POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":30}'],
    ['C', 'POST /lock/acquire {"resource":"cache","mode":"shared","timeout":30}'],
    ['A', 'GET /lock/status?resource=db'],
  ]) {
    await page.selectOption('[data-testid=api-client]', client);
    await page.fill('[data-testid=api-input]', line);
    await page.click('[data-testid=api-send]');
  }
  await setSpeed(page, 3); // 1/100×: messages are visible in flight
  await play(page);
  await page.keyboard.press('c');
  await page.waitForFunction(() => document.querySelectorAll('[data-msg-kind]').length >= 3);
  await pause(page);
  await openTab(page, 'raft');
  await page.locator('body').hover({ position: { x: 1, y: 1 } });
  const path = join(ROOT, 'docs', 'screenshot.png');
  await page.screenshot({ path });
  if (errors.length) throw new Error(`page errors:\n${errors.join('\n')}`);
  console.log(`saved ${path}`);
} finally {
  await session.close();
}
