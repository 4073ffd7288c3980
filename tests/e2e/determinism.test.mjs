// The same seed and the same actions give the same trace hash; another seed gives another one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoErrors, startSession, step, traceHash } from './harness.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

async function hashAfterSteps(path, steps) {
  const { page, errors } = await session.open(path);
  await step(page, steps);
  const hash = await traceHash(page);
  assertNoErrors(errors);
  await page.close();
  return hash;
}

test('same seed, same steps: same trace hash; different seed: different hash', async () => {
  const first = await hashAfterSteps('/?seed=42', 5);
  const again = await hashAfterSteps('/?seed=42', 5);
  const other = await hashAfterSteps('/?seed=43', 5);
  assert.equal(again, first);
  assert.notEqual(other, first);
});

test('typing a seed rebuilds the cluster exactly as loading it from the URL', async () => {
  const fromUrl = await hashAfterSteps('/?seed=43', 5);
  const { page, errors } = await session.open('/?seed=42');
  await page.fill('[data-testid=seed]', '43');
  await page.press('[data-testid=seed]', 'Enter');
  await page.waitForURL(/seed=43/);
  await step(page, 5);
  assert.equal(await traceHash(page), fromUrl);
  assertNoErrors(errors);
  await page.close();
});
