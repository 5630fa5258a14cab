// A seeded random source for the chaos campaign: every decision the harness takes (which command
// is killed, where, after how long; what the day holds) is drawn from it, in order, so a seed
// names a campaign.
import { createHash } from 'node:crypto';

export class Random {
  /** @param {string} seed */
  constructor(seed) {
    this.state = createHash('sha256').update(String(seed)).digest().readUInt32BE(0) || 1;
  }

  /** mulberry32: a uniform number in [0, 1). */
  next() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [low, high], both included. */
  int(low, high) {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  chance(probability) {
    return this.next() < probability;
  }

  /** @template T @param {readonly T[]} items @returns {T} */
  pick(items) {
    if (items.length === 0) throw new Error('pick from nothing');
    return items[Math.floor(this.next() * items.length)];
  }

  /** A new source derived from this one and a name: a sub-plan that does not shift the others. */
  fork(name) {
    return new Random(`${this.state}:${name}`);
  }
}
