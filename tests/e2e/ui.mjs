// Helpers for the UI tests: reading the cluster's DOM contract and driving it. Every wait is
// on a DOM marker, never a fixed sleep.
import assert from 'node:assert/strict';

/** Speed slider index for 1× real time (see web/src/speed.rs: 0.001 … 100, then max). */
export const REAL_TIME = 9;

export async function setSpeed(page, index) {
  await page.locator('[data-testid=speed]').fill(String(index));
}

export async function play(page) {
  if ((await page.getAttribute('[data-testid=play]', 'aria-pressed')) !== 'true') {
    await page.click('[data-testid=play]');
  }
}

export async function pause(page) {
  if ((await page.getAttribute('[data-testid=play]', 'aria-pressed')) === 'true') {
    await page.click('[data-testid=play]');
  }
}

export const leaderId = (page) => page.textContent('[data-testid=leader]');

export async function node(page, id) {
  const el = page.locator(`[data-testid=cluster] [data-node-id="${id}"]`);
  return { role: await el.getAttribute('data-role'), term: Number(await el.getAttribute('data-term')) };
}

/** Waits for a leader that satisfies `accept` (by id); returns { id, term }. */
export async function waitForLeader(page, accept = () => true, timeout = 15000) {
  const handle = await page.waitForFunction(
    (acceptSrc) => {
      const ok = new Function('id', `return (${acceptSrc})(id)`);
      const id = document.querySelector('[data-testid=leader]')?.textContent ?? '';
      if (!id || !ok(id)) return null;
      const el = document.querySelector(`[data-testid=cluster] [data-node-id="${id}"]`);
      return el?.getAttribute('data-role') === 'leader' ? { id, term: Number(el.getAttribute('data-term')) } : null;
    },
    accept.toString(),
    { timeout },
  );
  return handle.jsonValue();
}

/** Waits until node `id` shows `role` (and `term`, when given). */
export async function waitForRole(page, id, role, term, timeout = 15000) {
  await page.waitForFunction(
    ([id, role, term]) => {
      const el = document.querySelector(`[data-testid=cluster] [data-node-id="${id}"]`);
      return el?.getAttribute('data-role') === role
        && (term === null || el.getAttribute('data-term') === String(term));
    },
    [id, role, term ?? null],
    { timeout },
  );
}

/** Clicks an SVG element through a DOM event: a message drawn on top cannot steal the click. */
export async function clickSvg(page, selector, init = {}) {
  const el = page.locator(selector);
  assert.equal(await el.count(), 1, `expected exactly one ${selector}`);
  await el.dispatchEvent('click', { bubbles: true, ...init });
}

/** The links touching node `id` ("n3"), e.g. ["n1-n3", "n3-n4", …]. */
export async function linksOf(page, id) {
  return page.$$eval('[data-link]', (els, id) => els.map((e) => e.getAttribute('data-link'))
    .filter((k) => k.split('-').includes(id)), id);
}

export async function linkState(page, key) {
  return page.getAttribute(`[data-link="${key}"]`, 'data-state');
}

export async function openTab(page, key) {
  await page.click(`[data-testid=tab-${key}]`);
}
