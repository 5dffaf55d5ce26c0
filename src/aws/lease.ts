/**
 * The one rule for how far ahead a lease is honoured, shared by the two stores that lease items of the state table:
 * the monitor's (an event while a run alerts and responds, src/runtime/state) and the responder's audit store (an
 * action or a follow-up while a responder performs or sends it, src/remediation/store.ts).
 */

/**
 * The furthest lease end honoured at `now` for leases of `leaseMs`: a lease further ahead than one whole lease beyond
 * what a lease taken now would get was not written by a holder whose clock agrees with this one's to within a lease
 * (forged by someone who may write the table, or a clock stepped far ahead); it is taken as ended, else it would hold
 * its item until then, silently. A holder whose clock runs ahead by less than a lease keeps its lease. Bounded ahead of
 * now, computed here and compared as a value, since a DynamoDB condition cannot add a duration to a stored attribute.
 */
export function furthestHonouredLeaseEnd(now: Date, leaseMs: number): string {
  return new Date(now.getTime() + 2 * leaseMs).toISOString();
}
