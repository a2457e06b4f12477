/// <reference lib="dom" />
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { PROJECT_ROOT } from '../../src/root.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'screenshots');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface Portal {
  url: string;
  database: TestDatabase;
  stop(): Promise<void>;
}

/** Starts `src/server.ts` as a real process on a free port with a fresh database and demo data. */
export async function startPortal(env: Record<string, string> = {}): Promise<Portal> {
  const database = await createTestDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATABASE_URL: database.url,
      SEED_DEMO_DATA: 'true',
      LOG_LEVEL: 'warn',
      DATA_DIR: join(PROJECT_ROOT, 'tmp', 'e2e-data'),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`portal exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('portal did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    database,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await database.drop();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * The checks every visited page gets: zero axe violations (WCAG 2.0/2.1 A and AA), one h1, a title,
 * "Fout: " in the title exactly when an error summary shows; and screenshots at desktop and mobile width.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const violations = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    on ${page.url()}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`,
  );
  expect(violations, `axe violations on "${name}"`).toEqual([]);
  expect(await page.locator('h1').count(), `one h1 on "${name}"`).toBe(1);
  const title = await page.title();
  const hasErrors = (await page.locator('.error-summary').count()) > 0;
  expect(title.startsWith('Fout: '), `title prefix on "${name}"`).toBe(hasErrors);
  await screenshots(page, name);
}

export const seenTitles = new Map<string, string>();

export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const safe = name.replace(/[^a-z0-9-]+/gi, '-').toLowerCase();
  const original = page.viewportSize() ?? { width: 1280, height: 800 };
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${safe}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 375, height: 812 });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${safe}-mobile.png`), fullPage: true });
  // Nothing may stick out sideways on a phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `horizontal overflow on mobile for "${name}"`).toBeLessThanOrEqual(0);
  await page.setViewportSize(original);
}
