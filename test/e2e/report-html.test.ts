import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payops, tempDir } from '../helpers/cli.js';

/**
 * Issue 15: `payops report html` writes one self-contained page, checked in headless Chromium
 * (Debian's, driven by playwright-core): it loads from file:// with no console error and no
 * request leaving the page, uPlot draws a chart per currency, the screenshot has the page's size,
 * and the statements, sections and a known balance are on it. Without Chromium these tests say so
 * and skip; in CI (CI=true) a missing Chromium is a failure.
 */
const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = fs.existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true';
const withChromium = (name: string, fn: () => Promise<void>) =>
  it.skipIf(!HAS_CHROMIUM)(
    HAS_CHROMIUM
      ? name
      : `${name} [skipped: ${CHROMIUM} not found; CI installs it: apt-get install chromium]`,
    fn,
    120_000,
  );

interface PageFacts {
  messages: string[];
  requests: string[];
  charts: string | undefined;
  instances: number;
  canvases: { width: number; height: number }[];
  text: string;
  scroll: { width: number; height: number };
  screenshot: Buffer;
}

const VIEWPORT = { width: 1280, height: 900 };

async function openInChromium(file: string): Promise<PageFacts> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const messages: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // Evaluated in the page (a string: the test's TypeScript has no DOM types).
    const facts = await page.evaluate<Omit<PageFacts, 'messages' | 'requests' | 'screenshot'>>(`({
      charts: document.body.dataset.charts,
      instances: (window.payopsCharts || []).length,
      canvases: [...document.querySelectorAll('canvas')].map((canvas) => ({ width: canvas.width, height: canvas.height })),
      text: document.body.innerText,
      scroll: { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight },
    })`);
    const screenshot = await page.screenshot({ fullPage: true });
    return { messages, requests, screenshot, ...facts };
  } finally {
    await browser.close();
  }
}

/** A PNG's width and height, from its IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('report html (end to end, in headless Chromium)', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  let report: string;

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('payops-html-'));
    db = path.join(dir, 'demo.db');
    // The demo's book: pay-ins in three currencies, payouts, refunds, chargebacks, a reconciled settlement file with open items.
    const demo = payops(['demo', '--db', db, '--keep']);
    expect(demo.code, demo.stderr).toBe(0);
    report = path.join(dir, 'report.html');
    const result = payops(['report', 'html', '--out', report, '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /^wrote .*report\.html: 2 statements, 3 currencies charted, \d+ open items, \d+ payout bridges\n$/,
    );
  }, 180_000);
  afterAll(() => cleanup());

  it('Chromium is installed when CI=true (there a skip would hide the HTML report tests)', () => {
    expect(
      HAS_CHROMIUM || !IN_CI,
      `${CHROMIUM} is missing: .ci/run installs it with apt-get install chromium`,
    ).toBe(true);
  });

  it('writes one owner-only file that holds everything it needs: no external URL, uPlot inlined', () => {
    expect(fs.statSync(report).mode & 0o777).toBe(0o600);
    const page = fs.readFileSync(report, 'utf8');
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page).toContain('uPlot');
    expect(page).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/,
    );
  });

  it('refuses to write over the book (through assertSafeOutput), and leaves it as it was', () => {
    const before = fs.readFileSync(db);
    const result = payops(['report', 'html', '--out', db, '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^payops: --out .*demo\.db is the database; payops will not write over it/,
    );
    expect(fs.readFileSync(db).equals(before)).toBe(true);
  });

  it('refuses a -b that is not before -e, and a date that is not one, with exit 2', () => {
    expect(
      payops([
        'report',
        'html',
        '--out',
        path.join(dir, 'x.html'),
        '-b',
        '2026-12-01',
        '-e',
        '2026-11-01',
        '--db',
        db,
      ]).code,
    ).toBe(2);
    const bad = payops([
      'report',
      'html',
      '--out',
      path.join(dir, 'x.html'),
      '-b',
      '2026-02-30',
      '--db',
      db,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^payops: --begin/);
    expect(fs.existsSync(path.join(dir, 'x.html'))).toBe(false);
  });

  withChromium(
    'loads from file:// with no console error and no request leaving the page; uPlot draws a chart per currency',
    async () => {
      const facts = await openInChromium(report);
      expect(facts.messages).toEqual([]);
      expect(facts.requests).toEqual([pathToFileURL(report).href]);
      expect(facts.charts).toBe('3');
      expect(facts.instances).toBe(3);
      // uPlot draws on a canvas per chart; each has a real size.
      expect(facts.canvases.length).toBeGreaterThanOrEqual(3);
      for (const canvas of facts.canvases) {
        expect(canvas.width).toBeGreaterThan(0);
        expect(canvas.height).toBeGreaterThan(0);
      }
      // Compared by size, not pixels: the full-page screenshot is the page's own size, and a long page.
      const size = pngSize(facts.screenshot);
      expect(size).toEqual({
        width: Math.max(VIEWPORT.width, facts.scroll.width),
        height: facts.scroll.height,
      });
      expect(size.height).toBeGreaterThan(VIEWPORT.height);
      expect(facts.screenshot.length).toBeGreaterThan(50_000);
    },
  );

  withChromium(
    "shows every section and the statements' figures exactly as the ledger has them",
    async () => {
      const facts = await openInChromium(report);
      for (const title of [
        'Income statement',
        'Balance sheet',
        'Daily flows',
        'Open reconciliation items',
        'Payout bridges',
      ])
        expect(facts.text).toContain(title);
      expect(facts.text).toContain('balanced: assets = liabilities + equity');
      const balances = (
        JSON.parse(payops(['ledger', 'balance', '--json', '--db', db]).stdout) as {
          account: string;
          balance: { amount: string; currency: string };
        }[]
      ).map((row) => ({
        account: row.account,
        currency: row.balance.currency,
        balance: row.balance.amount,
      }));
      const bank = balances.find(
        (row) => row.account === 'assets:bank:operating' && row.currency === 'USD',
      );
      expect(bank).toBeDefined();
      // The balance sheet's row for the account: account, currency, the balance at the (one) period end, twice (column and "at end").
      expect(facts.text).toContain(
        `assets:bank:operating\tUSD\t${bank!.balance}\t${bank!.balance}`,
      );
      const fees = balances.filter((row) => row.account === 'revenue:platform-fees');
      for (const fee of fees)
        expect(facts.text).toContain(
          `revenue:platform-fees\t${fee.currency}\t${fee.balance.replace(/^-/, '')}`,
        );
    },
  );
});
