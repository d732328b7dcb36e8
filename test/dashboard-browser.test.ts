import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { startPlatform } from '../src/engine/platform.js';
import { DEFAULT_DASHBOARD_DIR } from '../src/gateway/dashboard.js';
import { silentLogger } from '../src/ops/logger.js';

const CHROMIUM = '/usr/bin/chromium';
const WEB = fileURLToPath(new URL('../web', import.meta.url));
const USER = { username: 'deskadmin', password: 'a long dashboard passphrase' };
/** generous: a loaded 2-core CI box; every wait is on a condition, never a fixed sleep */
const WAIT_MS = 30_000;

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtimeMs(join(path, name))));
}

/** Builds dist/web with Vite's JS API unless `npm run build` already made it from the current sources. */
async function ensureDashboardBuilt(): Promise<void> {
  const index = join(DEFAULT_DASHBOARD_DIR, 'index.html');
  const sources = ['index.html', 'src', 'public', 'vite.config.ts'].map((name) =>
    newestMtimeMs(join(WEB, name)),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources)) return;
  // Vitest sets NODE_ENV=test, which would make Vite emit a development bundle (twice the size, Preact's
  // debug paths); build what `npm run build:web` builds.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ configFile: join(WEB, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
}

/** The page's pixels: how many distinct colours, and the share that is not the dominant (background) one. */
function pixelStats(png: Buffer): { colours: number; foreground: number } {
  const image = PNG.sync.read(png);
  const counts = new Map<number, number>();
  for (let i = 0; i < image.data.length; i += 4) {
    const rgb = ((image.data[i] ?? 0) << 16) | ((image.data[i + 1] ?? 0) << 8) | (image.data[i + 2] ?? 0);
    counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
  }
  const total = image.width * image.height;
  const background = Math.max(...counts.values());
  return { colours: counts.size, foreground: (total - background) / total };
}

/** Widest content of the page against the viewport: > 0 means the page scrolls sideways. */
async function horizontalOverflow(page: Page): Promise<number> {
  // A string expression: the root tsconfig has no DOM typings (this file runs in Node).
  return page.evaluate<number>(
    'Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth',
  );
}

/** Opens the dashboard, signing in through the form unless a stored refresh token already did. */
async function openDashboard(page: Page, url: string): Promise<'form' | 'restored'> {
  await page.goto(url);
  const form = page.locator('[data-testid=login-form]');
  const row = page.locator('[data-testid=chain-row]').first();
  await form.or(row).waitFor();
  if (!(await form.isVisible())) return 'restored';
  await page.fill('input[name=username]', USER.username);
  await page.fill('input[name=password]', USER.password);
  await page.click('button[type=submit]');
  return 'form';
}

describe('the dashboard in a real browser against the platform on the simulator', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  let context: BrowserContext;
  let page: Page;
  let url: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install -y chromium`).toBe(true);
    await ensureDashboardBuilt();

    const dataDir = mkdtempSync(join(tmpdir(), 'if-dashboard-browser-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const platform = await startPlatform(
      parseConfig({
        dataDir,
        server: { port: 0 },
        log: { level: 'silent' },
        sim: { speed: 5 },
        subscriptions: { strikesEachSide: 3 },
      }),
      silentLogger(),
    );
    cleanups.push(() => platform.close());
    await platform.auth?.createUser(USER.username, USER.password, 'admin');
    url = platform.url;

    const profile = mkdtempSync(join(tmpdir(), 'if-chromium-'));
    cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
    // A persistent context is how Playwright takes an explicit, fresh --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    cleanups.push(() => context.close());
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(WAIT_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  }, 60_000);

  it('logs in through the form, shows the live chain, sees a value change and paints a non-blank page', async () => {
    expect(await openDashboard(page, url), 'a fresh browser profile gets the login form').toBe('form');

    const rows = page.locator('[data-testid=chain-row]');
    await rows.nth(2).waitFor();
    expect(await rows.count(), '3 strikes each side of the ATM, and the ATM').toBeGreaterThanOrEqual(7);
    await expect
      .poll(() => page.locator('tr.atm').count(), {
        message: 'the ATM strike is highlighted',
        timeout: WAIT_MS,
      })
      .toBe(1);
    await page.locator('[data-testid=hub-status]', { hasText: 'Live' }).waitFor();

    // The hub sends the full chain on subscribe, then changed rows once a second: the table must move.
    const body = page.locator('[data-testid=chain-table] tbody');
    const first = (await body.textContent()) ?? '';
    expect(first, 'LTPs in rupees are shown').toMatch(/\d+\.\d{2}/);
    await expect
      .poll(() => body.textContent(), { message: 'a live update changes the table', timeout: WAIT_MS })
      .not.toBe(first);
    expect(await page.locator('[data-testid=chain-summary]').textContent(), 'summary figures').toContain(
      'PCR',
    );

    // Index ticks reach the chart over ticks:<token>.
    await expect
      .poll(() => page.locator('[data-testid=last-price]').textContent(), {
        message: 'the chart shows the index price',
        timeout: WAIT_MS,
      })
      .toMatch(/\d/);

    const shot = await page.screenshot({ fullPage: true });
    const { colours, foreground } = pixelStats(shot);
    expect(colours, 'text, table, chart and figures give many colours').toBeGreaterThan(200);
    expect(foreground, 'a good share of the page is not background').toBeGreaterThan(0.05);
    expect(pageErrors, 'no uncaught errors in the page').toEqual([]);
  }, 90_000);

  it('fits a 390×844 phone without sideways scrolling on every tab', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    // After the first test this signs in again from the stored refresh token.
    await openDashboard(page, url);
    await page.locator('[data-testid=chain-row]').nth(2).waitFor();
    expect(await horizontalOverflow(page), 'chain tab').toBeLessThanOrEqual(0);
    for (const tab of ['Chart', 'Signals', 'Trades', 'Health']) {
      await page.locator('nav.tabs button', { hasText: tab }).click();
      await page.locator('section.panel.active', { hasText: tab === 'Trades' ? 'Orders' : '' }).waitFor();
      expect(await horizontalOverflow(page), `${tab} tab`).toBeLessThanOrEqual(0);
    }
    await page.locator('[data-testid=health] li', { hasText: 'feed' }).waitFor();
    const { colours } = pixelStats(await page.screenshot());
    expect(colours, 'the phone view is painted').toBeGreaterThan(50);
    expect(pageErrors, 'no uncaught errors in the page').toEqual([]);
  }, 90_000);
});
