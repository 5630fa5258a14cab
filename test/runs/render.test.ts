import { describe, expect, it } from 'vitest';
import type { RunView } from '../../src/runs/report.js';
import { renderRun, renderRunList, runsCsv } from '../../src/runs/render.js';

const view = (
  id: number,
  moved: RunView['moved'],
  overrides: Partial<RunView['row']> = {},
): RunView => ({
  row: {
    id,
    command: 'payin run',
    argv: ['payin', 'run', 'day.ndjson'],
    osUser: '=ops',
    host: 'ops-1',
    owner: 'host=ops-1 boot=- pid=1 start=- run=aaaaaaaa',
    cwd: '/srv',
    payopsVersion: '0.1.0',
    inputs: [],
    startedAt: '2026-11-23T22:00:00.000Z',
    finishedAt: '2026-11-23T22:00:02.500Z',
    status: 'finished',
    exitCode: 0,
    txBefore: 10n,
    txAfter: 13n,
    ...overrides,
  },
  state: 'finished',
  durationMs: 2_500,
  txRange: { after: 10n, upTo: 13n },
  moved,
  transactions: 3,
  overlappingRuns: [],
});

describe('runs rendering', () => {
  const runs = [
    view(2, [
      { kind: 'payin.capture', currency: 'JPY', transactions: 1, amountMinor: 1200n },
      { kind: 'payin.capture', currency: 'USD', transactions: 2, amountMinor: 10_050n },
    ]),
    view(1, []),
  ];

  it('CSV: one row per run, kind and currency; the amounts sum to the JSON figures; text cells cannot run as formulas', () => {
    const lines = runsCsv(runs).trimEnd().split('\n');
    expect(lines).toEqual([
      'run_id,command,state,exit_code,started_at,finished_at,os_user,host,kind,currency,transactions,amount',
      "2,payin run,finished,0,2026-11-23T22:00:00.000Z,2026-11-23T22:00:02.500Z,'=ops,ops-1,payin.capture,JPY,1,1200",
      "2,payin run,finished,0,2026-11-23T22:00:00.000Z,2026-11-23T22:00:02.500Z,'=ops,ops-1,payin.capture,USD,2,100.50",
      "1,payin run,finished,0,2026-11-23T22:00:00.000Z,2026-11-23T22:00:02.500Z,'=ops,ops-1,,,0,",
    ]);
  });

  it('text: the list says its date basis and totals per currency; show lists each kind', () => {
    const list = renderRunList(runs, false);
    expect(list.split('\n')[0]).toMatch(/date basis: occurred/);
    expect(list).toMatch(/JPY 1200, USD 100\.50/);
    expect(renderRunList([], true)).toBe('no run matches the filter');
    const shown = renderRun(runs[0] as RunView);
    expect(shown).toMatch(/payin\.capture +2 tx +USD +100\.50/);
    expect(shown).toContain('ledger    transactions #11 to #13 (3)');
    expect(shown).not.toMatch(/\u2212/);
  });
});
