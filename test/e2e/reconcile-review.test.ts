import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, payops, tempDir } from '../helpers/cli.js';

const TMUX_VERSION = spawnSync('tmux', ['-V'], { encoding: 'utf8' });
const HAS_TMUX = TMUX_VERSION.status === 0;
const WAIT_MS = 30_000;

/**
 * `payops reconcile review` driven through a real pseudo-terminal: tmux runs it in a detached
 * session on a socket of this test's own (never the user's server), keystrokes go in with
 * send-keys, and the screen comes back with capture-pane. CI installs tmux; without it this
 * suite is skipped, and says why.
 */
describe.skipIf(!HAS_TMUX)(
  `reconcile review in a pseudo-terminal (tmux${HAS_TMUX ? ` ${TMUX_VERSION.stdout.trim()}` : ': not installed, skipped'})`,
  () => {
    let dir: string;
    let cleanup: () => void;
    let db: string;
    let socket: string;
    let session = 0;
    const run = (...args: string[]) => payops([...args, '--db', db]);
    const tmux = (...args: string[]) => {
      const result = spawnSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };

    beforeAll(() => {
      ({ dir, cleanup } = tempDir('payops-review-'));
      socket = path.join(dir, 'tmux.sock');
      db = path.join(dir, 'books.db');
      expect(run('init').code).toBe(0);
      const checkout = (i: number, amount: string, token = 'tok_visa') =>
        JSON.stringify({
          eventId: `chk_${i}`,
          type: 'pay_in',
          occurredAt: '2026-11-23T10:00:00Z',
          currency: 'USD',
          payer: { id: 'b1' },
          paymentToken: token,
          orders: [{ orderId: `ord_${i}`, sellerId: 'seller_7', amount, platformFee: '1.00' }],
        });
      const events = path.join(dir, 'day.ndjson');
      fs.writeFileSync(
        events,
        `${[...Array.from({ length: 12 }, (_, i) => checkout(i + 1, `${20 + i}.00`)), checkout(13, '50.00', 'tok_chargeDeclined')].join('\n')}\n`,
      );
      expect(run('payin', 'run', events).code).toBe(0);
      const day = new Date().toISOString().slice(0, 10);
      const file = path.join(dir, 'settlement.csv');
      expect(
        run(
          'psp',
          'settle',
          '--date',
          day,
          '--out',
          file,
          '--inject-discrepancies',
          '6',
          '--seed',
          '4',
        ).code,
      ).toBe(0);
      expect(run('reconcile', 'run', file, '--grace-days', '0', '--non-interactive').code).toBe(4);
    });
    afterAll(() => {
      if (fs.existsSync(socket)) spawnSync('tmux', ['-S', socket, 'kill-server']);
      cleanup();
    });

    /** Starts the review in a fresh 160×50 terminal; the pane keeps its last screen after payops exits. */
    const start = (...args: string[]): string => {
      const name = `review${++session}`;
      const command = `env NO_COLOR=1 ${process.execPath} ${BIN} reconcile review ${args.join(' ')} --db ${db}; echo "REVIEW-EXIT:$?"; sleep 120`;
      tmux('new-session', '-d', '-s', name, '-x', '160', '-y', '50', command);
      return name;
    };
    const screen = (name: string) => tmux('capture-pane', '-p', '-J', '-t', name, '-S', '-500');
    const keys = (name: string, ...sequence: string[]) =>
      tmux('send-keys', '-t', name, ...sequence);
    const type = (name: string, text: string) => tmux('send-keys', '-t', name, '-l', text);
    const waitFor = async (name: string, pattern: RegExp): Promise<string> => {
      const until = Date.now() + WAIT_MS;
      for (;;) {
        const text = screen(name);
        if (pattern.test(text)) return text;
        if (Date.now() > until) throw new Error(`screen never showed ${pattern}:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const decisions = () =>
      (
        JSON.parse(run('reconcile', 'report', '--json').stdout) as {
          decisions: {
            class: string;
            action: string;
            decidedBy: string;
            note: string;
            linkedTo: string | null;
            txIds: number[];
          }[];
        }
      ).decisions;

    it('shows both sides with the differing fields marked, and Enter takes the proposed action', async () => {
      const name = start('--class', 'amount_mismatch');
      const panel = await waitFor(name, /\? Decision/);
      expect(panel).toMatch(/── 1 of 1 ── amount_mismatch rm_[0-9a-f]{12} ── \+1\.00 USD/);
      expect(panel).toMatch(/ ≠ {3}gross +\d+\.\d\d +\d+\.\d\d/);
      expect(panel).toMatch(/ ≠ {3}net /);
      expect(panel).toMatch(/ {5}reference +ch_sim_\d{8} +ch_sim_\d{8}/);
      expect(panel).toMatch(/❯ Accept the PSP's figure \(proposed\)/);
      keys(name, 'Enter');
      // It posts money: it says what, and asks before it posts.
      expect(await waitFor(name, /\? Post it\?/)).toMatch(/posts money: adjust by \+1\.00 USD/);
      type(name, 'y');
      keys(name, 'Enter');
      const after = await waitFor(name, /REVIEW-EXIT:\d/);
      expect(after).toMatch(/✓ rm_[0-9a-f]{12}: accepted; posted #\d+, #\d+/);
      expect(after).toContain('1 decided, 0 skipped, 0 open');
      expect(after).toContain('REVIEW-EXIT:0');
      expect(decisions()).toEqual([
        expect.objectContaining({
          class: 'amount_mismatch',
          action: 'accept',
          decidedBy: os.userInfo().username,
        }),
      ]);
    });

    it('link asks for the record with the proposal filled in; keep open asks for the note', async () => {
      const duplicate = start('--class', 'duplicate');
      // The row it repeats: file, line, reference, amounts.
      expect(await waitFor(duplicate, /❯ Link to another record \(proposed\)/)).toMatch(
        / {3}repeats +\S*settlement\.csv:\d+ capture ch_sim_\d{8} gross \d+\.\d\d net \d+\.\d\d USD/,
      );
      keys(duplicate, 'Enter');
      await waitFor(duplicate, /\? Link to .*original/);
      keys(duplicate, 'Enter');
      expect(await waitFor(duplicate, /REVIEW-EXIT:\d/)).toContain(
        'linked to the row it repeats; nothing posted',
      );

      const missing = start('--class', 'missing_internal');
      await waitFor(missing, /❯ Accept the PSP's figure \(proposed\)/);
      keys(missing, 'Down', 'Down');
      await waitFor(missing, /❯ Keep open with a note/);
      keys(missing, 'Enter');
      await waitFor(missing, /\? Note/);
      type(missing, 'asked the PSP, ticket 4411');
      keys(missing, 'Enter');
      const after = await waitFor(missing, /REVIEW-EXIT:\d/);
      expect(after).toContain('kept open with a note');
      expect(after).toContain('REVIEW-EXIT:4');
      expect(decisions().slice(1)).toEqual([
        expect.objectContaining({ class: 'duplicate', action: 'link', linkedTo: 'original' }),
        expect.objectContaining({
          class: 'missing_internal',
          action: 'note',
          note: 'asked the PSP, ticket 4411',
          txIds: [],
        }),
      ]);
    });

    it('answering "cancel" to "Post it?" posts nothing and goes back to the choices (review 15)', async () => {
      const before = decisions().length;
      const name = start('--class', 'fee_mismatch');
      await waitFor(name, /❯ Accept the PSP's figure \(proposed\)/);
      keys(name, 'Enter');
      await waitFor(name, /\? Post it\?/);
      type(name, 'cancel');
      keys(name, 'Enter');
      expect(await waitFor(name, /not posted[\s\S]*\? Decision/)).toContain(
        'not posted: answer y, or "note: why", to post',
      );
      keys(name, 'C-c');
      expect(await waitFor(name, /REVIEW-EXIT:\d/)).toContain('REVIEW-EXIT:4');
      expect(decisions()).toHaveLength(before);
    });

    it('--yes posts without asking', async () => {
      const name = start('--class', 'fee_mismatch', '--yes');
      await waitFor(name, /❯ Accept the PSP's figure \(proposed\)/);
      keys(name, 'Enter');
      const after = await waitFor(name, /REVIEW-EXIT:\d/);
      expect(after).not.toContain('Post it?');
      expect(after).toMatch(/✓ rm_[0-9a-f]{12}: accepted; posted #\d+/);
    });

    it('Ctrl-C stops the review and every decision taken before it stays saved', async () => {
      const before = decisions().length;
      const name = start();
      await waitFor(name, /── 1 of \d+ ──[\s\S]*\? Decision/);
      keys(name, 'Down', 'Down');
      await waitFor(name, /❯ Keep open with a note/);
      keys(name, 'Enter');
      await waitFor(name, /\? Note/);
      type(name, 'first look');
      keys(name, 'Enter');
      await waitFor(name, /── 2 of \d+ ──[\s\S]*\? Decision/);
      keys(name, 'C-c');
      const after = await waitFor(name, /REVIEW-EXIT:\d/);
      expect(after).toMatch(
        /stopped: 1 decided, 0 skipped, \d+ open \(every decision taken is saved\)/,
      );
      expect(after).toContain('REVIEW-EXIT:4');
      expect(decisions()).toHaveLength(before + 1);
      expect(decisions().at(-1)).toMatchObject({ action: 'note', note: 'first look' });
    });
  },
);
