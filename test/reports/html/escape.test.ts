import { describe, expect, it } from 'vitest';
import { toCurrency } from '../../../src/money/index.js';
import {
  escapeHtml,
  jsonForScript,
  loadAssets,
  renderPage,
} from '../../../src/reports/html/index.js';
import { bridgeView, type HtmlReportModel } from '../../../src/reports/html/model.js';

const HOSTILE = '</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)> & \u2028';

function modelWith(text: string): HtmlReportModel {
  const EUR = toCurrency('EUR');
  return {
    title: 'payops report',
    generatedAt: '2026-11-30T00:00:00.000Z',
    dateBasis: 'effective',
    period: null,
    range: { begin: '2026-11-01', end: '2026-12-01', clipped: false },
    statements: [
      {
        title: 'Balance sheet',
        columns: ['at end'],
        rows: [
          {
            label: `liabilities:sellers:${text}:pending`,
            currency: EUR,
            kind: 'account',
            cells: [{ amount: '1.00', currency: 'EUR', amountMinor: '100' }],
          },
        ],
        note: 'balanced',
      },
    ],
    flows: [],
    openItems: {
      asOf: '2026-11-30T00:00:00.000Z',
      count: 1,
      byClass: [{ class: 'missing_internal', count: 1, ages: [], money: [] }],
      listed: [
        {
          itemId: 'rm_1',
          psp: 'sim',
          class: 'missing_internal',
          subject: text,
          batchId: text,
          amount: { amount: '1.00', currency: 'EUR', amountMinor: '100' },
          firstSeenAt: '2026-11-29T00:00:00.000Z',
          ageDays: 1,
        },
      ],
    },
    bridges: {
      count: 1,
      listed: [
        bridgeView('sim', {
          batchId: text,
          currency: EUR,
          rows: 1,
          capturesMinor: '100',
          feesMinor: '0',
          refundsMinor: '0',
          chargebacksMinor: '0',
          adjustmentsMinor: '0',
          rowsNetMinor: '100',
          payoutMinor: '100',
          differenceMinor: '0',
          settledMinor: '100',
          status: 'balanced',
        }),
      ],
    },
  };
}

describe('escaping in the HTML report', () => {
  it('jsonForScript: no "<", ">" or "&" survives, and the JSON reads back to the same value', () => {
    const value = { seller: HOSTILE, nested: [HOSTILE] };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('escapeHtml: text and attribute characters become entities', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('a seller name, batch id or subject holding </script><script> cannot break out of the page', () => {
    const page = renderPage(modelWith(HOSTILE), loadAssets());
    // Exactly the page's own two script elements (the data block and the charts), however hostile the data.
    expect(page.match(/<script/gi)).toHaveLength(2);
    expect(page.match(/<\/script/gi)).toHaveLength(2);
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<!--');
    expect(page).toContain('&lt;/script&gt;&lt;script&gt;alert(1)');
    // The data block is the model itself, read back exactly.
    const data = /<script type="application\/json" id="payops-data">([\s\S]*?)<\/script>/.exec(
      page,
    )?.[1] as string;
    expect(JSON.parse(data)).toEqual(JSON.parse(JSON.stringify(modelWith(HOSTILE))));
  });

  it("the Content-Security-Policy allows only the page's own inline script and style, by hash", () => {
    const page = renderPage(modelWith('seller_1'), loadAssets());
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/
      .exec(page)?.[1]
      ?.replaceAll('&#39;', "'") as string;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toMatch(/https?:/);
  });
});
