// Where the campaign's SIGKILLs go. The requested number of kills is shared among the moments of
// the day (pay-in, retry, payout, refund, webhook handling, reconciliation of the PSP's files and
// of the bank's statements) and spent as the day
// offers occasions; a kill that misses (the command finished first) is not counted and stays in
// the budget for the next occasion. Every failpoint gets at least MIN_KILLS_PER_FAILPOINT kills
// first: while one that a command passes has fewer, that command is killed there (the least
// covered first), and a category spends its budget on commands that can reach an uncovered one.

export const CATEGORIES = /** @type {const} */ ([
  'payin',
  'retry',
  'payout',
  'refund',
  'webhook',
  'reconcile',
  'bank',
]);
// The bank leg's 7 % (14 of a full run) covers its two failpoints 5 times each and leaves a few timed kills.
const WEIGHTS = {
  payin: 0.23,
  retry: 0.15,
  payout: 0.15,
  refund: 0.15,
  webhook: 0.15,
  reconcile: 0.1,
  bank: 0.07,
};

/**
 * The failpoints (src/failpoints.ts) each kind of command passes, and how often it passes them:
 * `once` per run; per batch of the work it has (`charges`, `refunds`, `payouts`: the hit is drawn
 * within the batches the books say are waiting, so that it lands inside real work); `events`, per
 * webhook the listener applies.
 */
export const FAILPOINTS = {
  payin: [
    ['intake.after-batch', 'once'],
    ['executor.after-claim', 'charges'],
    ['executor.after-psp-call', 'charges'],
    ['executor.before-record-commit', 'charges'],
    ['executor.after-record', 'charges'],
  ],
  retry: [
    ['executor.after-claim', 'charges'],
    ['executor.after-psp-call', 'charges'],
    ['executor.before-record-commit', 'charges'],
    ['refund.after-claim', 'refunds'],
    ['refund.after-psp-call', 'refunds'],
    ['refund.before-record-commit', 'refunds'],
    ['payout.after-claim', 'payouts'],
    ['payout.after-psp-call', 'payouts'],
    ['payout.before-record-commit', 'payouts'],
  ],
  payout: [
    ['payout.after-claim', 'payouts'],
    ['payout.after-psp-call', 'payouts'],
    ['payout.before-record-commit', 'payouts'],
  ],
  deliveries: [['intake.after-batch', 'once']],
  refund: [
    ['intake.after-batch', 'once'],
    ['refund.after-claim', 'refunds'],
    ['refund.after-psp-call', 'refunds'],
    ['refund.before-record-commit', 'refunds'],
  ],
  chargebacks: [['chargebacks.before-commit', 'once']],
  reconcile: [
    ['reconcile.after-import', 'once'],
    ['reconcile.after-settlement', 'once'],
  ],
  'reconcile-bank': [
    ['bank.after-import', 'once'],
    ['bank.after-posting', 'once'],
  ],
  webhook: [
    ['webhook.before-commit', 'events'],
    ['webhook.after-commit', 'events'],
  ],
};
/** The category whose budget a kill of each kind of command spends (see campaign.mjs). */
export const KIND_CATEGORY = {
  payin: 'payin',
  retry: 'retry',
  sync: 'retry',
  chargebacks: 'retry',
  payout: 'payout',
  deliveries: 'payout',
  refund: 'refund',
  webhook: 'webhook',
  reconcile: 'reconcile',
  'reconcile-bank': 'bank',
};
/** Every failpoint of src/ (test/chaos/kill-plan.test.ts keeps the list whole). */
export const ALL_FAILPOINTS = [
  ...new Set(Object.values(FAILPOINTS).flatMap((points) => points.map(([name]) => name))),
].sort();
/** A full run (this many kills or more) must kill at every failpoint at least MIN_KILLS_PER_FAILPOINT times. */
export const FULL_RUN_KILLS = 200;
export const MIN_KILLS_PER_FAILPOINT = 5;
/** Orders, refunds or payouts per claimed batch: the campaign's --batch-size. */
export const BATCH_SIZE = 20;
const EVENTS_BEFORE_A_WEBHOOK_KILL = 30;

/** How long each kind of command takes before any has run to its end here: where the first timed kills aim. */
const FIRST_GUESS_MS = {
  payin: 2_000,
  retry: 1_000,
  payout: 1_000,
  deliveries: 400,
  refund: 800,
  chargebacks: 300,
  sync: 300,
  reconcile: 400,
  'reconcile-bank': 350,
};

/** Commands that usually end sooner than this are killed by failpoints only. */
const MIN_TIMED_KILL_RUN_MS = 400;
/** Below this, a timed kill lands while Node is still starting: allowed, but not aimed at. */
const MIN_KILL_DELAY_MS = 120;

export class KillPlan {
  /**
   * @param {number} total
   * @param {import('./random.mjs').Random} random
   */
  constructor(total, random) {
    this.random = random;
    this.total = total;
    /** @type {Record<string, number>} */
    this.budget = {};
    let given = 0;
    for (const category of CATEGORIES) {
      this.budget[category] = Math.floor(total * WEIGHTS[category]);
      given += this.budget[category];
    }
    this.budget.payin += total - given;
    /** @type {{ category: string, command: string, method: 'failpoint' | 'timer', detail: string }[]} */
    this.kills = [];
    this.misses = 0;
    /** Durations of commands that ran to the end, by kind: where timed kills aim. */
    this.durations = new Map();
    /** The shortest run of each kind so far: where a bank statement's timed kills aim (see arm). */
    this.fastest = new Map();
    /** Kills per failpoint so far. */
    this.byFailpoint = Object.fromEntries(ALL_FAILPOINTS.map((name) => [name, 0]));
    /** Coverage is a goal only when the budget can reach it (a short run spreads what it has). */
    this.coverageGoal =
      total >= FULL_RUN_KILLS
        ? MIN_KILLS_PER_FAILPOINT
        : Math.min(MIN_KILLS_PER_FAILPOINT, Math.floor(total / ALL_FAILPOINTS.length / 2));
  }

  /** Kills still wanted at this failpoint before it is covered. */
  deficit(name) {
    return Math.max(0, this.coverageGoal - (this.byFailpoint[name] ?? 0));
  }

  /** The most kills any failpoint this kind of command passes still wants. */
  deficitOf(kind) {
    return Math.max(0, ...(FAILPOINTS[kind] ?? []).map(([name]) => this.deficit(name)));
  }

  /**
   * How many kills to aim at this occasion of a command of `kind`: what an even spread gives, or
   * more while a failpoint it passes is uncovered; none when it cannot reach an uncovered failpoint
   * of its category and the category's budget is no more than what those still need.
   */
  killsAt(kind, occasionsLeft) {
    const category = KIND_CATEGORY[kind] ?? kind;
    const left = this.remaining(category);
    const wanted = this.deficitOf(kind);
    const reserved = ALL_FAILPOINTS.filter((name) =>
      Object.entries(FAILPOINTS).some(
        ([other, points]) =>
          KIND_CATEGORY[other] === category && points.some(([point]) => point === name),
      ),
    ).reduce((sum, name) => sum + this.deficit(name), 0);
    const even = this.quota(category, occasionsLeft);
    if (wanted === 0 && left <= reserved) return 0;
    return Math.min(left, Math.max(even, wanted));
  }

  remaining(category) {
    return this.budget[category] ?? 0;
  }

  remainingTotal() {
    return CATEGORIES.reduce((sum, category) => sum + this.remaining(category), 0);
  }

  /** How many kills to try at this occasion, given how many occasions of its kind are left. */
  quota(category, occasionsLeft) {
    const left = this.remaining(category);
    if (left === 0) return 0;
    if (occasionsLeft <= 1) return left;
    const even = Math.ceil(left / occasionsLeft);
    return Math.min(left, Math.max(0, even + this.random.int(-1, 1)));
  }

  /**
   * How to kill the next run of a command of this kind: a failpoint it will pass (given the work
   * waiting: `{ charges, refunds, payouts }` counts), or SIGKILL after a delay within how long
   * such commands have taken so far.
   * @param {string} kind
   * @param {{ charges?: number, refunds?: number, payouts?: number }} [work]
   * @returns {{ failpoint?: string, killAfterMs?: number }}
   */
  arm(kind, work = {}) {
    const batches = (scope) =>
      scope === 'once'
        ? 1
        : scope === 'events'
          ? EVENTS_BEFORE_A_WEBHOOK_KILL
          : Math.ceil((work[scope] ?? 0) / BATCH_SIZE);
    const points = (FAILPOINTS[kind] ?? []).filter(([, scope]) => batches(scope) > 0);
    // A statement's run is short and its rerun after a kill as long as its first run: aimed within
    // the shortest run seen, a timed kill lands before the commit instead of missing it.
    const typical =
      (kind === 'reconcile-bank' ? this.fastest.get(kind) : this.durations.get(kind)) ??
      FIRST_GUESS_MS[kind] ??
      1_000;
    // A timed kill of a command that ends in a few hundred milliseconds mostly comes too late (or
    // lands while Node starts): those get failpoints. A reconciliation killed by one rolls back
    // and starts over; timed too late, the file would be imported for good and the kill lost.
    // A bank statement's run is killed at random moments too (a late kill misses and is placed on
    // the next statement): the whole import is one transaction, so a kill anywhere rolls it back.
    const timedWorthIt =
      kind !== 'webhook' &&
      kind !== 'reconcile' &&
      (kind === 'reconcile-bank' || typical >= MIN_TIMED_KILL_RUN_MS);
    const uncovered = points.filter(([name]) => this.deficit(name) > 0);
    if (uncovered.length > 0) {
      const fewest = Math.min(...uncovered.map(([name]) => this.byFailpoint[name] ?? 0));
      const [name, scope] = this.random.pick(
        uncovered.filter(([point]) => (this.byFailpoint[point] ?? 0) === fewest),
      );
      return { failpoint: `${name}=${this.random.int(1, batches(scope))}` };
    }
    if (points.length > 0 && (!timedWorthIt || this.random.chance(0.5))) {
      const [name, scope] = this.random.pick(points);
      return { failpoint: `${name}=${this.random.int(1, batches(scope))}` };
    }
    return {
      killAfterMs:
        MIN_KILL_DELAY_MS +
        Math.floor(this.random.next() * Math.max(100, typical - MIN_KILL_DELAY_MS)),
    };
  }

  /**
   * A command ran to its end: remember how long it took, to aim later timed kills. A slowly
   * decaying maximum: a run resumed after a kill has little left to do, and would otherwise
   * teach the plan that such commands are short.
   */
  ranFor(kind, ms) {
    this.fastest.set(kind, Math.min(ms, this.fastest.get(kind) ?? ms));
    const previous = this.durations.get(kind);
    this.durations.set(
      kind,
      previous === undefined ? ms : Math.max(ms, Math.round(previous * 0.9)),
    );
  }

  killed(category, command, method, detail) {
    this.kills.push({ category, command, method, detail });
    const failpoint = method === 'failpoint' ? String(detail).split('=')[0] : undefined;
    if (failpoint !== undefined && failpoint in this.byFailpoint) this.byFailpoint[failpoint]++;
    this.budget[category] = Math.max(0, this.remaining(category) - 1);
  }

  missed() {
    this.misses++;
  }

  /** Kills per category and per method, for the report. */
  summary() {
    const byCategory = Object.fromEntries(
      CATEGORIES.map((category) => [
        category,
        this.kills.filter((kill) => kill.category === category).length,
      ]),
    );
    const byMethod = {
      failpoint: this.kills.filter((kill) => kill.method === 'failpoint').length,
      timer: this.kills.filter((kill) => kill.method === 'timer').length,
    };
    const belowGoal = ALL_FAILPOINTS.filter((name) => this.deficit(name) > 0);
    return {
      requested: this.total,
      survived: this.kills.length,
      missed: this.misses,
      byCategory,
      byMethod,
      byFailpoint: { ...this.byFailpoint },
      coverageGoal: this.coverageGoal,
      belowGoal,
    };
  }
}
