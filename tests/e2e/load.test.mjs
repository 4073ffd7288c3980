// The page loads cleanly and draws the cluster the URL asks for.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ROLES, assertNoErrors, saveScreenshot, startSession } from './harness.mjs';

let session;
before(async () => { session = await startSession(); });
after(async () => { await session?.close(); });

async function nodes(page) {
  return page.$$eval('[data-testid=cluster] [data-node-id]', (els) => els.map((el) => ({
    id: el.getAttribute('data-node-id'),
    role: el.getAttribute('data-role'),
    term: el.getAttribute('data-term'),
  })));
}

test('the page loads without errors and draws 5 nodes by default', async () => {
  const { page, errors } = await session.open('/');
  assert.match(await page.title(), /syncsim/);
  assert.match(await page.textContent('header'), /syncsim/);
  const drawn = await nodes(page);
  assert.deepEqual(drawn.map((n) => n.id), ['n1', 'n2', 'n3', 'n4', 'n5']);
  for (const node of drawn) {
    assert.ok(ROLES.includes(node.role), `unknown role ${node.role}`);
    assert.match(node.term, /^\d+$/);
  }
  assert.match(await page.textContent('[data-testid=sim-time]'), /^\d+\.\d{3} s$/);
  assert.match(await page.textContent('[data-testid=trace-hash]'), /^[0-9a-f]+$/);
  for (const id of ['play', 'step', 'speed', 'seed', 'nodes']) {
    assert.equal(await page.locator(`[data-testid=${id}]`).count(), 1, id);
  }
  assert.equal(await page.locator('[data-testid=messages]').count(), 0);
  await saveScreenshot(page, 'page');
  assertNoErrors(errors);
  await page.close();
});

test('?nodes=7 draws 7 nodes', async () => {
  const { page, errors } = await session.open('/?nodes=7');
  assert.deepEqual((await nodes(page)).map((n) => n.id), ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7']);
  assert.equal(await page.inputValue('[data-testid=nodes]'), '7');
  assertNoErrors(errors);
  await page.close();
});

test('changing the node count in the control bar redraws the cluster', async () => {
  const { page, errors } = await session.open('/');
  await page.fill('[data-testid=nodes]', '3');
  await page.press('[data-testid=nodes]', 'Enter');
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid=cluster] [data-node-id]').length === 3,
  );
  assert.match(page.url(), /nodes=3/);
  assertNoErrors(errors);
  await page.close();
});
