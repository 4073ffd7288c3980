// Determinism across targets: the browser (WebAssembly) build must compute the same golden trace
// hashes as the native build, whose values are checked into the Rust test suite. The values are
// read from those Rust sources so there is one source of truth. Also reports the simulator's
// speed in Chromium (a figure, not an assertion on speed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, assertNoErrors, startSession } from './harness.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

async function checkedIn(file, name) {
  const src = await readFile(join(ROOT, file), 'utf8');
  const m = src.match(new RegExp(`${name}: &str = "([0-9a-f]{16})"`));
  assert.ok(m, `${name} not found in ${file}`);
  return m[1];
}

test('the browser computes the same golden trace hashes as the native build', async () => {
  const kernel = await checkedIn('core/tests/kernel/determinism.rs', 'GOLDEN');
  const playground = await checkedIn('core/src/playground/tests.rs', 'GOLDEN_PLAYGROUND');
  const { page, errors } = await session.open('/?selftest=kernel', { waitForCluster: false });
  await page.waitForSelector('[data-testid=golden-playground]');
  assert.equal(await page.textContent('[data-testid=golden-kernel]'), kernel);
  assert.equal(await page.textContent('[data-testid=golden-playground]'), playground);
  assertNoErrors(errors);
  await page.close();
});

test('the simulator speed page reports events per second in Chromium', async () => {
  const { page, errors } = await session.open('/?bench=kernel', { waitForCluster: false });
  const el = await page.waitForSelector('[data-testid=bench-kernel]', { timeout: 60_000 });
  const events = Number(await el.getAttribute('data-events'));
  const perS = Number(await el.getAttribute('data-events-per-s'));
  const ratio = Number(await el.getAttribute('data-sim-ratio'));
  assert.equal(events, 2_000_000);
  assert.ok(perS > 0 && ratio > 0);
  console.log(`# browser simulator speed: ${(perS / 1e6).toFixed(2)} M events/s, ${ratio.toFixed(0)} simulated s per wall s`);
  assertNoErrors(errors);
  await page.close();
});
