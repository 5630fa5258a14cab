import type { z } from 'zod';
import type { HeldGroup } from '../work/leases/leases.js';
import type { heldSchema } from './contract.js';

/** The held work as JSON: one entry per owner and table. */
export function heldView(groups: readonly HeldGroup[]): z.input<typeof heldSchema> {
  return groups.map(({ table, owner, state, ownerDescription, count, leaseExpiresAt }) => ({
    table,
    count,
    state,
    owner,
    ownerDescription,
    leaseExpiresAt,
  }));
}
