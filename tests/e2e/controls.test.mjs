// Step and play/pause drive the virtual clock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertNoErrors, frames, simTime, startSession, step, waitForSimTimeChange,
} from './harness.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

const seconds = (text) => Number.parseFloat(text);

test('step advances the virtual clock', async () => {
  const { page, errors } = await session.open('/');
  const start = await simTime(page);
  // One step is one event; several events can share a millisecond, so step until it shows.
  let steps = 0;
  while ((await simTime(page)) === start && steps < 500) {
    await step(page, 1);
    steps += 1;
  }
  assert.ok(seconds(await simTime(page)) > seconds(start), `time did not advance in ${steps} steps`);
  assertNoErrors(errors);
  await page.close();
});

test('play advances the clock continuously and pause stops it', async () => {
  const { page, errors } = await session.open('/');
  const play = page.locator('[data-testid=play]');
  assert.equal(await play.getAttribute('aria-pressed'), 'false');
  await play.click();
  assert.equal(await play.getAttribute('aria-pressed'), 'true');
  // Continuous: the clock keeps moving without further clicks.
  let shown = await simTime(page);
  for (let i = 0; i < 3; i++) {
    const next = await waitForSimTimeChange(page, shown);
    assert.ok(seconds(next) >= seconds(shown), `clock went backwards: ${shown} -> ${next}`);
    shown = next;
  }
  await play.click();
  assert.equal(await play.getAttribute('aria-pressed'), 'false');
  const paused = await simTime(page);
  await frames(page, 20);
  assert.equal(await simTime(page), paused, 'the clock moved while paused');
  assertNoErrors(errors);
  await page.close();
});

test('the speed slider changes its label and max speed runs', async () => {
  const { page, errors } = await session.open('/');
  const speed = page.locator('[data-testid=speed]');
  const max = await speed.getAttribute('max');
  await speed.fill(max);
  assert.equal(await page.textContent('.speed output'), 'max');
  await page.click('[data-testid=play]');
  await waitForSimTimeChange(page, await simTime(page));
  await page.click('[data-testid=play]');
  assertNoErrors(errors);
  await page.close();
});
