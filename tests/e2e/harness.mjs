// Shared end-to-end harness: a tiny static server for dist/, Debian's Chromium driven by
// playwright-core (never a downloaded browser), and error collection. Every test file uses it.
import { createServer } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = join(ROOT, 'dist');
export const ARTIFACTS = join(ROOT, 'tests', 'artifacts');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Headless Chromium as root on a machine that reaches no browser services.
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
export const VIEWPORT = { width: 1280, height: 800 };
export const ROLES = ['follower', 'candidate', 'leader', 'crashed', 'paused'];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** Serves `root` on 127.0.0.1 at a free port. Resolves to { url, close }. */
export async function startServer(root = DIST) {
  try {
    await stat(join(root, 'index.html'));
  } catch {
    throw new Error(`${root}/index.html is missing: run \`trunk build --release\` (./scripts/test does)`);
  }
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    const file = resolve(root, '.' + (path.endsWith('/') ? path + 'index.html' : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/** Launches Chromium with a fresh temporary profile. Resolves to { context, close }. */
export async function launchBrowser() {
  const profile = await mkdtemp(join(tmpdir(), 'syncsim-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: VIEWPORT,
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens `path` in a new tab and records every console error and uncaught exception in `errors`.
 * Resolves once the cluster is drawn (unless `waitForCluster` is false).
 */
export async function openPage(context, baseUrl, path = '/', { waitForCluster = true } = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  await page.goto(baseUrl + path);
  if (waitForCluster) await page.waitForSelector('[data-testid=cluster] [data-node-id]');
  return { page, errors };
}

export function assertNoErrors(errors) {
  assert.deepEqual(errors, [], `the page reported errors:\n${errors.join('\n')}`);
}

/** Starts the server and the browser once per test file. */
export async function startSession() {
  const server = await startServer();
  const browser = await launchBrowser();
  return {
    open: (path, options) => openPage(browser.context, server.url, path, options),
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

export async function saveScreenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export const simTime = (page) => page.textContent('[data-testid=sim-time]');
export const traceHash = (page) => page.textContent('[data-testid=trace-hash]');

/** Waits until the virtual clock shows something other than `before`. */
export async function waitForSimTimeChange(page, before) {
  await page.waitForFunction(
    (old) => document.querySelector('[data-testid=sim-time]')?.textContent !== old,
    before,
  );
  return simTime(page);
}

/** Lets the page render `count` animation frames: a wait measured in frames, not in ms. */
export function frames(page, count) {
  return page.evaluate(
    (n) => new Promise((done) => {
      const tick = (left) => (left === 0 ? done() : requestAnimationFrame(() => tick(left - 1)));
      tick(n);
    }),
    count,
  );
}

/**
 * The clock, the trace hash and the event count together. One step always changes the event
 * count; not always the hash (a message reaching a busy node waits in its CPU queue untraced
 * until the node is free) nor the clock (several events share a microsecond).
 */
const STATE_IDS = ['sim-time', 'trace-hash', 'events-processed'];
export const simState = (page) => page.evaluate((ids) => ids
  .map((id) => document.querySelector(`[data-testid=${id}]`)?.textContent).join(' '), STATE_IDS);

/** Clicks "step" `count` times, waiting for each event to be processed and drawn. */
export async function step(page, count) {
  for (let i = 0; i < count; i++) {
    const before = await simState(page);
    await page.click('[data-testid=step]');
    await page.waitForFunction(
      ([old, ids]) => ids
        .map((id) => document.querySelector(`[data-testid=${id}]`)?.textContent).join(' ') !== old,
      [before, STATE_IDS],
    );
  }
}

/** The entries of a ZIP archive (stored or not): name -> data offset and size, read from the
 * central directory as the end-of-central-directory record points to it. */
export function zipEntries(bytes) {
  const u16 = (at) => bytes.readUInt16LE(at);
  const u32 = (at) => bytes.readUInt32LE(at);
  const eocd = bytes.length - 22;
  assert.equal(u32(eocd), 0x06054b50, 'end of central directory record');
  const count = u16(eocd + 10);
  let at = u32(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(u32(at), 0x02014b50, 'central directory record');
    const [size, nameLen, extraLen, commentLen, offset] =
      [u32(at + 24), u16(at + 28), u16(at + 30), u16(at + 32), u32(at + 42)];
    const name = bytes.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    assert.equal(u32(offset), 0x04034b50, `local header of ${name}`);
    const dataAt = offset + 30 + u16(offset + 26) + u16(offset + 28);
    entries.set(name, bytes.subarray(dataAt, dataAt + size));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
