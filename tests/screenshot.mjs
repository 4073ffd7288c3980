// Saves docs/screenshot.png (1280×800) of the release build in dist/: `node tests/screenshot.mjs`.
// It runs the cluster for a moment first so the picture shows a live state, not a blank start.
import { join } from 'node:path';
import { ROOT, frames, simTime, startSession, waitForSimTimeChange } from './e2e/harness.mjs';

const session = await startSession();
try {
  const { page, errors } = await session.open('/?seed=1&nodes=5');
  // Real time (1×): an election takes a few hundred virtual milliseconds.
  await page.locator('[data-testid=speed]').fill('9');
  await page.click('[data-testid=play]');
  await waitForSimTimeChange(page, await simTime(page));
  await page.waitForSelector('[data-role=leader]', { timeout: 20_000 }).catch(() => {});
  await frames(page, 30);
  await page.click('[data-testid=play]');
  await page.locator('body').hover({ position: { x: 1, y: 1 } });
  const path = join(ROOT, 'docs', 'screenshot.png');
  await page.screenshot({ path });
  if (errors.length) throw new Error(`page errors:\n${errors.join('\n')}`);
  console.log(`saved ${path}`);
} finally {
  await session.close();
}
