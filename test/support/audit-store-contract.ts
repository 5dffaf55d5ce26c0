/**
 * The remediation audit store contract (RemediationStore): what the responder's audit trail, `undo`
 * and the per-principal hourly cap need, checked against every implementation (memory, the CLI's
 * JSON file, and DynamoDbStore on DynamoDB Local; test/remediation/audit-store.contract.test.ts).
 * A new store capability gets its `describe` block here, so every store is held to it at once.
 */
import type { ActionRecord, RecordFields, RemediationStore } from "../../src/remediation/store";

interface AuditStoreUnderTest {
  store: RemediationStore;
  /** A second handle on the same data (another invocation, another CLI process). */
  reopen(): RemediationStore;
  /** The TTL (epoch seconds) stored on an action record and on a counter entry, where the store keeps one. */
  expiresAt?: {
    action(actionId: string): Promise<number | undefined>;
    counter(principalArn: string, hour: string): Promise<number | undefined>;
  };
}

interface AuditStoreContractOptions {
  /** A fresh, empty store for each test. */
  open(): Promise<AuditStoreUnderTest>;
  /** Whether the store keeps TTL attributes (the DynamoDB table; memory and file keep everything). */
  expires: boolean;
}

const PRINCIPAL = "arn:aws:iam::111122223333:user/leaked";
// Far ahead: DynamoDB Local deletes items whose TTL has passed, as DynamoDB does, and the counters
// written "now" expire two days later; a clock in the past would see its own counters vanish.
export const NOW = new Date("2046-11-20T09:20:00Z");
const HOUR = "2046-11-20T09";

function action(
  actionId: string,
  extra: Partial<RecordFields & Pick<ActionRecord, "findingId" | "accountId" | "target">> = {},
): ActionRecord {
  return {
    actionId,
    findingId: "f-1",
    kind: "deactivate-key",
    api: "iam:UpdateAccessKey",
    accountId: "111122223333",
    target: "AKIAEXAMPLE",
    mode: "enforce",
    status: "in-progress",
    reason: "approved principals only",
    params: { userName: "leaked", accessKeyId: "AKIAEXAMPLE" },
    plannedAt: NOW.toISOString(),
    ...extra,
  };
}

export function auditStoreContract(name: string, options: AuditStoreContractOptions): void {
  describe(`RemediationStore contract: ${name}`, () => {
    let t: AuditStoreUnderTest;
    beforeEach(async () => {
      t = await options.open();
    });

    it("keeps an action record as written, whole, and the last write of it", async () => {
      expect(await t.store.getAction("ra-1")).toBeUndefined();
      const started = action("ra-1");
      await t.store.putAction(started);
      expect(await t.reopen().getAction("ra-1")).toEqual(started);
      const done = action("ra-1", {
        status: "ok",
        actor: "arn:aws:sts::111122223333:assumed-role/responder/run",
        startedAt: "2046-11-20T09:20:01.000Z",
        finishedAt: "2046-11-20T09:20:02.000Z",
        before: { Status: "Active" },
        after: { Status: "Inactive" },
        undo: { at: "2046-11-21T08:00:00.000Z", status: "ok", reason: "undone by operator" },
      });
      await t.store.putAction(done);
      expect(await t.reopen().getAction("ra-1")).toEqual(done);
      expect(await t.store.getAction("ra-2")).toBeUndefined();
    });

    it("returns a copy: changing what was read or written does not change what is stored", async () => {
      const r = action("ra-1");
      await t.store.putAction(r);
      r.status = "error";
      const read = (await t.store.getAction("ra-1"))!;
      read.reason = "changed";
      expect(await t.store.getAction("ra-1")).toEqual(action("ra-1"));
    });

    describe("claims an action for one responder at a time", () => {
      const lease = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();
      const claim = (id: string, extra: Partial<RecordFields> = {}) =>
        action(id, { status: "in-progress", leaseUntil: lease(15), ...extra });

      it("claims what nothing holds; a second claim fails while the lease lasts, and succeeds after it", async () => {
        expect(await t.store.claimAction(claim("ra-1"), NOW)).toBe(true);
        expect(await t.store.getAction("ra-1")).toEqual(claim("ra-1"));
        const other = claim("ra-1", { actor: "another responder", leaseUntil: lease(30) });
        expect(await t.reopen().claimAction(other, new Date(NOW.getTime() + 14 * 60_000))).toBe(false);
        expect(await t.store.getAction("ra-1")).toEqual(claim("ra-1"));
        expect(await t.reopen().claimAction(other, new Date(NOW.getTime() + 16 * 60_000))).toBe(true);
        expect(await t.store.getAction("ra-1")).toEqual(other);
      });

      it("never claims over a finished action; claims over one that changed nothing for good", async () => {
        for (const status of ["ok", "already-done"] as const) {
          await t.store.putAction(action(`ra-${status}`, { status }));
          expect(await t.reopen().claimAction(claim(`ra-${status}`), NOW)).toBe(false);
          expect((await t.store.getAction(`ra-${status}`))!.status).toBe(status);
        }
        for (const status of ["error", "skipped", "planned", "manual"] as const) {
          await t.store.putAction(action(`ra-${status}`, { status }));
          expect(await t.reopen().claimAction(claim(`ra-${status}`), NOW)).toBe(true);
        }
        // An in-progress record without a lease (written before leases existed) is taken for abandoned.
        await t.store.putAction(action("ra-old"));
        expect(await t.reopen().claimAction(claim("ra-old"), NOW)).toBe(true);
      });

      it("holds a lease up to a whole lease beyond what a claim made now gets, and none further ahead", async () => {
        // A claimant whose clock runs 10 minutes ahead: its lease is honoured.
        await t.store.putAction(claim("ra-ahead", { leaseUntil: lease(25) }));
        expect(await t.reopen().claimAction(claim("ra-ahead"), NOW)).toBe(false);
        // One an operator wrote years ahead, or a CLI whose clock is a day ahead: taken as ended.
        for (const [id, leaseUntil] of [
          ["ra-far", "2099-01-01T00:00:00.000Z"],
          ["ra-day", lease(24 * 60)],
        ]) {
          await t.store.putAction(claim(id, { leaseUntil }));
          expect(await t.reopen().claimAction(claim(id), NOW)).toBe(true);
          expect((await t.store.getAction(id))!.leaseUntil).toBe(lease(15));
        }
      });

      it("of ten responders claiming at once, exactly one gets the action", async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => t.reopen().claimAction(claim("ra-1", { actor: `r-${i}` }), NOW)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await t.store.getAction("ra-1"))!.actor).toBe(`r-${results.indexOf(true)}`);
      });
    });

    it("finds the actions recorded done on one target: same account, kind and target", async () => {
      const on = { accountId: "111122223333", kind: "deactivate-key" as const, target: "AKIAEXAMPLE" };
      expect(await t.store.actionsOnTarget(on)).toEqual([]);
      await t.store.putAction(action("ra-1", { status: "ok" }));
      await t.store.putAction(action("ra-2", { findingId: "f-2" }));
      await t.store.putAction(action("ra-2", { findingId: "f-2", status: "already-done" }));
      await t.store.putAction(action("ra-3", { status: "error" }));
      await t.store.putAction(action("ra-4", { status: "ok", accountId: "444455556666" }));
      await t.store.putAction(action("ra-5", { status: "ok", target: "AKIAOTHER" }));
      const undone = action("ra-1", { status: "ok", undo: { at: NOW.toISOString(), status: "ok", reason: "undone" } });
      await t.store.putAction(undone);
      const found = await t.reopen().actionsOnTarget(on);
      expect(found.sort((a, b) => a.actionId.localeCompare(b.actionId))).toEqual([
        undone,
        action("ra-2", { findingId: "f-2", status: "already-done" }),
      ]);
    });

    describe("records the follow-up message of a finding, claimed by one responder", () => {
      const until = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();
      const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

      it("claims what is not sent; the same outcomes again only after a failed publish or an ended lease", async () => {
        expect(await t.store.getFollowUp("f-1")).toBeUndefined();
        expect(await t.store.claimFollowUp("f-1", "ra-1:ok", until(15), NOW)).toBe(true);
        expect(await t.reopen().getFollowUp("f-1")).toEqual({
          reported: "ra-1:ok",
          state: "sending",
          leaseUntil: until(15),
        });
        expect(await t.reopen().claimFollowUp("f-1", "ra-1:ok", until(20), later(5))).toBe(false);
        expect(await t.reopen().claimFollowUp("f-1", "ra-1:ok", until(31), later(16))).toBe(true);
        // A lease far ahead (an operator's item, a clock far ahead) holds it no longer.
        await t.store.putFollowUp("f-1", { reported: "ra-1:ok", state: "sending", leaseUntil: "2099-01-01T00:00:00Z" });
        expect(await t.reopen().claimFollowUp("f-1", "ra-1:ok", until(15), NOW)).toBe(true);
        await t.store.putFollowUp("f-1", { reported: "ra-1:ok", state: "unsent" });
        expect(await t.reopen().claimFollowUp("f-1", "ra-1:ok", until(15), NOW)).toBe(true);
        await t.store.putFollowUp("f-1", { reported: "ra-1:ok", state: "sent" });
        expect(await t.reopen().getFollowUp("f-1")).toEqual({ reported: "ra-1:ok", state: "sent" });
        expect(await t.reopen().claimFollowUp("f-1", "ra-1:ok", until(99), later(60))).toBe(false);
        // New outcomes are news: a new message.
        expect(await t.reopen().claimFollowUp("f-1", "ra-1:ok ra-2:ok", until(15), NOW)).toBe(true);
        expect(await t.store.getFollowUp("f-2")).toBeUndefined();
      });

      it("of ten responders claiming the same follow-up at once, exactly one sends it", async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, () => t.reopen().claimFollowUp("f-1", "ra-1:ok", until(15), NOW)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe("reserves a principal's mutations per hour under a cap", () => {
      const reserve = (store: RemediationStore, id: string, hour = HOUR, principal = PRINCIPAL) =>
        store.reservePrincipalAction(principal, hour, id, 3);

      it("counts each action once however often it is reserved, and refuses past the cap", async () => {
        expect(await t.store.countPrincipalActions(PRINCIPAL, HOUR)).toBe(0);
        expect(await reserve(t.store, "ra-1")).toBe(true);
        expect(await reserve(t.store, "ra-1")).toBe(true);
        expect(await reserve(t.reopen(), "ra-2")).toBe(true);
        expect(await t.store.countPrincipalActions(PRINCIPAL, HOUR)).toBe(2);
        expect(await reserve(t.store, "ra-3")).toBe(true);
        expect(await reserve(t.reopen(), "ra-4")).toBe(false);
        // A reserved action asks again (a re-run): still its place, not a new one.
        expect(await reserve(t.store, "ra-2")).toBe(true);
        expect(await t.reopen().countPrincipalActions(PRINCIPAL, HOUR)).toBe(3);
        // another hour, another principal, and a principal whose ARN extends this one's count apart
        expect(await reserve(t.store, "ra-5", "2046-11-20T10")).toBe(true);
        expect(await reserve(t.store, "ra-6", HOUR, `${PRINCIPAL}-2`)).toBe(true);
        expect(await t.reopen().countPrincipalActions(PRINCIPAL, HOUR)).toBe(3);
        expect(await t.store.countPrincipalActions(PRINCIPAL, "2046-11-20T10")).toBe(1);
        expect(await t.store.countPrincipalActions(PRINCIPAL, "2046-11-20T1")).toBe(0);
      });

      it("gives a reservation back: the place is free again, and giving back twice frees one", async () => {
        for (const id of ["ra-1", "ra-2", "ra-3"]) expect(await reserve(t.store, id)).toBe(true);
        await t.reopen().releasePrincipalAction(PRINCIPAL, HOUR, "ra-2");
        await t.reopen().releasePrincipalAction(PRINCIPAL, HOUR, "ra-2");
        await t.reopen().releasePrincipalAction(PRINCIPAL, HOUR, "ra-never");
        expect(await t.store.countPrincipalActions(PRINCIPAL, HOUR)).toBe(2);
        expect(await reserve(t.store, "ra-4")).toBe(true);
        expect(await reserve(t.store, "ra-5")).toBe(false);
        for (const id of ["ra-1", "ra-3", "ra-4"]) await t.store.releasePrincipalAction(PRINCIPAL, HOUR, id);
        expect(await t.reopen().countPrincipalActions(PRINCIPAL, HOUR)).toBe(0);
      });

      it("of ten responders reserving at once, exactly the cap's number get a place", async () => {
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => reserve(t.reopen(), `ra-${i}`)));
        expect(results.filter(Boolean)).toHaveLength(3);
        expect(await t.store.countPrincipalActions(PRINCIPAL, HOUR)).toBe(3);
      });
    });

    if (options.expires) {
      it("sets the TTL attribute: about 400 days on audit records, two days on counters", async () => {
        const ttl = t.expiresAt!;
        await t.store.putAction(action("ra-1"));
        await t.store.reservePrincipalAction(PRINCIPAL, HOUR, "ra-1", 3);
        const now = NOW.getTime() / 1000;
        expect(await ttl.action("ra-1")).toBe(now + 400 * 86400);
        expect(await ttl.counter(PRINCIPAL, HOUR)).toBe(now + 2 * 86400);
      });
    }
  });
}
