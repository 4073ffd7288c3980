// Bad input gets a clear message and never breaks the page; a panic shows a banner, not a blank.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoErrors, saveScreenshot, startSession } from './harness.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

const nodeCount = (page) => page.locator('[data-testid=cluster] [data-node-id]').count();

for (const param of ['nodes=0', 'nodes=abc', 'nodes=1000', 'seed=-1', 'seed=abc']) {
  test(`?${param} shows a message and falls back to the default`, async () => {
    const { page, errors } = await session.open(`/?${param}`);
    const message = page.locator('[data-testid=message]');
    await message.first().waitFor();
    assert.ok((await message.first().textContent()).includes(param));
    assert.equal(await nodeCount(page), 5);
    assert.equal(await page.inputValue('[data-testid=seed]'), '1');
    // The page still works.
    await page.click('[data-testid=step]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=sim-time]').textContent !== '0.000 s',
    );
    if (param === 'nodes=abc') await saveScreenshot(page, 'bad-url');
    assertNoErrors(errors);
    await page.close();
  });
}

test('URL parameters are percent-decoded by the browser; a malformed escape is explained', async () => {
  const good = await session.open('/?seed=%34%32&nodes=%33');
  assert.equal(await good.page.inputValue('[data-testid=seed]'), '42');
  assert.equal(await nodeCount(good.page), 3);
  assert.equal(await good.page.locator('[data-testid=message]').count(), 0);
  assertNoErrors(good.errors);
  await good.page.close();
  const bad = await session.open('/?seed=4%zz');
  await bad.page.locator('[data-testid=message]').first().waitFor();
  assert.ok((await bad.page.textContent('[data-testid=messages]')).includes('seed=4%zz'));
  assert.equal(await bad.page.inputValue('[data-testid=seed]'), '1');
  assertNoErrors(bad.errors);
  await bad.page.close();
});

test('a bad value typed in the control bar is explained and ignored', async () => {
  const { page, errors } = await session.open('/');
  await page.fill('[data-testid=seed]', 'twelve');
  await page.press('[data-testid=seed]', 'Enter');
  await page.locator('[data-testid=message]').first().waitFor();
  assert.match(await page.textContent('[data-testid=messages]'), /twelve/);
  assert.equal(await nodeCount(page), 5);
  assertNoErrors(errors);
  await page.close();
});

test('a panic shows a banner with the seed instead of a dead page', async () => {
  const { page, errors } = await session.open('/?seed=77&debug=panic', { waitForCluster: false });
  const banner = page.locator('[data-testid=panic-banner]');
  await banner.waitFor();
  const text = await banner.textContent();
  assert.match(text, /deliberate panic/);
  assert.match(text, /seed=77/);
  // The panic itself is reported to the console: here that is expected.
  assert.ok(errors.length > 0);
  await page.close();
});
