// Frame time with 5 nodes animating, measured from requestAnimationFrame deltas in Chromium,
// and the overview screenshots (1280×800 and 1920×1080) for the README.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoErrors, saveScreenshot, startSession } from './harness.mjs';
import { REAL_TIME, openTab, play, setSpeed, waitForLeader } from './ui.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

/** Collects rAF deltas for `ms` of wall time; resolves to { frames, mean, p95 } in ms. */
function measureFrames(page, ms) {
  return page.evaluate((duration) => new Promise((done) => {
    const deltas = [];
    let last = performance.now();
    const start = last;
    const tick = (now) => {
      deltas.push(now - last);
      last = now;
      if (now - start < duration) requestAnimationFrame(tick);
      else {
        const sorted = [...deltas].sort((a, b) => a - b);
        done({
          frames: deltas.length,
          mean: deltas.reduce((a, b) => a + b, 0) / deltas.length,
          p95: sorted[Math.floor(sorted.length * 0.95)],
        });
      }
    };
    requestAnimationFrame(tick);
  }), ms);
}

test('5 nodes animating at real time keep a smooth frame rate', async () => {
  const { page, errors } = await session.open('/');
  await setSpeed(page, REAL_TIME);
  await play(page);
  await waitForLeader(page);
  const stats = await measureFrames(page, 3000);
  const fps = 1000 / stats.mean;
  console.log(`frame time: mean ${stats.mean.toFixed(2)} ms (${fps.toFixed(1)} fps), p95 ${stats.p95.toFixed(2)} ms over ${stats.frames} frames`);
  // A loaded 2-core CI machine is slower than a laptop; this only catches a UI that crawls.
  assert.ok(stats.mean < 40, `mean frame time ${stats.mean} ms`);
  assertNoErrors(errors);
  await page.close();
});

test('overview screenshots at 1280×800 and 1920×1080', async () => {
  const { page, errors } = await session.open('/?seed=3');
  await setSpeed(page, REAL_TIME);
  await play(page);
  await waitForLeader(page);
  await openTab(page, 'console');
  await page.fill('[data-testid=api-input]', 'POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":10}');
  await page.click('[data-testid=api-send]');
  await page.waitForSelector('[data-testid=api-output][data-status="200"]');
  await page.keyboard.press('c');
  await openTab(page, 'raft');
  await page.waitForSelector('.log-cell.committed');
  await page.click('[data-testid=play]');
  await page.locator('body').hover({ position: { x: 1, y: 1 } });
  await saveScreenshot(page, 'overview-1280');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await saveScreenshot(page, 'overview-1920');
  assertNoErrors(errors);
  await page.close();
});
