import fc from "fast-check";
import { parseFindings } from "../../src/remediation/finding-input";
import { type Protection, principalProtection } from "../../src/remediation/safety";
import { planRemediation } from "../../src/remediation/planner";
import { isMutating, isReversible, targetNamedBy } from "../../src/remediation/actions";
import type { ActionRecord } from "../../src/remediation/store";
import type { CloudTrailRecord } from "../../src/detection/record";
import { guardedRecord, mode } from "./arbitraries";
import { findingOf, fixture, guardrailWith, IAM_USER_RECORD, MGMT } from "./helpers";

const NOW = new Date("2026-11-20T09:20:00Z");
const RUNS = { numRuns: 500 };

/**
 * An agreement accepted in the management account, by any principal the generator draws (a member account's
 * included: its plan would delete the agreement in the management account). With guardedRecord alone the safety
 * property reaches such a deletion, one the gate must block, in about one run in 350 (the event, the recipient, an
 * unprotected member principal and enforce mode must all come up), and on some seeds never; drawn as often as any
 * other record, in about one run in 65.
 */
const managementAgreement: fc.Arbitrary<CloudTrailRecord> = guardedRecord
  .filter((record) => record.eventName === "CreateFoundationModelAgreement")
  .map((record) => ({ ...record, recipientAccountId: MGMT }));

/**
 * What the safety gate must answer for a principal the generator draws, written from the generator's names and
 * guardrailWith's config, never from safety.ts (asking principalProtection would let the property only repeat
 * whatever the gate says, right or wrong). Order: the gate's, most specific first. A role pattern protects roles
 * only: user/BreakGlass is any user.
 */
function expectedProtection(
  principalArn: string | undefined,
  management: string | undefined,
  selfIsCaller: boolean,
): Protection | undefined {
  if (!principalArn) return "unknown-principal";
  const [, account = "", resource = ""] = principalArn.match(/^arn:aws:(?:iam|sts)::(\d{12}):(.+)$/) ?? [];
  if (/^role\/(.*\/)?BreakGlass$/.test(resource)) return "break-glass";
  if (/^role\/(.*\/)?BedrockModelAccessAdmin$/.test(resource)) return "approved";
  if (resource.startsWith("role/bedrock-guardrail/")) return "tool";
  if (selfIsCaller) return "self";
  if (resource.startsWith("role/aws-service-role/")) return "service-linked-role";
  if (resource.startsWith("role/aws-reserved/sso.amazonaws.com/")) return "identity-center-role";
  if (!management) return "unknown-management-account";
  return account === management ? "management-account" : undefined;
}

describe("planner properties", () => {
  it("no plan ever lets a mutation reach a protected principal or the management account", () => {
    fc.assert(
      fc.property(
        fc.oneof(guardedRecord, managementAgreement),
        mode,
        fc.option(fc.constant(MGMT), { nil: undefined }),
        fc.boolean(),
        (record, m, management, selfIsCaller) => {
          const g = guardrailWith({ remediation: { mode: m, accessKey: "rotate" } });
          const f = findingOf(g, record);
          const selfArns = selfIsCaller && f.guardrail.principal_arn ? [f.guardrail.principal_arn] : [];
          const plan = planRemediation(f, g, { now: NOW, managementAccountId: management, selfArns });
          const protection = expectedProtection(f.guardrail.principal_arn, management, selfIsCaller);
          expect(
            principalProtection(g, f.guardrail.principal_arn, f.guardrail.principal_account_id, {
              managementAccountId: management,
              selfArns,
            }),
          ).toBe(protection);
          const acting = plan.filter(
            (a) => isMutating(a) && (a.disposition === "execute" || a.disposition === "dry-run"),
          );
          if (protection) expect(acting).toEqual([]);
          if (
            protection === "approved" ||
            protection === "break-glass" ||
            protection === "tool" ||
            protection === "self"
          )
            expect(plan.filter(isMutating)).toEqual([]);
          for (const a of plan.filter((x) => x.disposition === "execute")) {
            expect(a.accountId).not.toBe(MGMT);
            expect(management).toBe(MGMT);
          }
        },
      ),
      RUNS,
    );
  });

  // The property draws this case (managementAgreement) in a few of its runs, whatever the seed; pinned here as well,
  // with what the rest of the plan must be.
  it("an agreement accepted in the management account by a member account's principal is never deleted", () => {
    const g = guardrailWith({ remediation: { mode: "enforce" } });
    // The fixture's user is in 222233334444; the record now says the agreement was accepted in the management account.
    const f = findingOf(g, { ...fixture(IAM_USER_RECORD), recipientAccountId: MGMT });
    const plan = planRemediation(f, g, { now: NOW, managementAccountId: MGMT });
    const agreement = plan.find((a) => a.kind === "delete-agreement");
    expect(agreement).toMatchObject({ accountId: MGMT, disposition: "alert-only" });
    expect(agreement?.reason).toContain("blocked: the management account is never remediated");
    // The member account's principal is still contained.
    expect(plan.filter((a) => a.disposition === "execute").map((a) => a.accountId)).toEqual([
      "222233334444",
      "222233334444",
    ]);
  });

  it("every finding detection makes passes remediate's input check (which refuses forged principal ARNs)", () => {
    const g = guardrailWith();
    fc.assert(
      fc.property(guardedRecord, (record) => {
        const f = findingOf(g, record);
        expect(parseFindings(JSON.stringify(f), "findings.ndjson", g.partition).problems).toEqual([]);
      }),
      RUNS,
    );
  });

  it("dry-run plans execute nothing", () => {
    fc.assert(
      fc.property(guardedRecord, (record) => {
        const g = guardrailWith({ remediation: { mode: "dry-run" } });
        expect(
          planRemediation(findingOf(g, record), g, { now: NOW, managementAccountId: MGMT }).filter(
            (a) => a.disposition === "execute",
          ),
        ).toEqual([]);
      }),
      RUNS,
    );
  });

  it("the caps hold: executions never exceed the smaller remaining budget", () => {
    fc.assert(
      fc.property(guardedRecord, fc.nat(4), fc.nat(4), (record, run, principal) => {
        const g = guardrailWith({ remediation: { mode: "enforce", accessKey: "rotate" } });
        const plan = planRemediation(findingOf(g, record), g, {
          now: NOW,
          managementAccountId: MGMT,
          budget: { run, principal },
        });
        expect(plan.filter((a) => a.disposition === "execute").length).toBeLessThanOrEqual(Math.min(run, principal));
      }),
      RUNS,
    );
  });

  it("the offending key is the only key any action names", () => {
    fc.assert(
      fc.property(guardedRecord, fc.constantFrom("deactivate" as const, "rotate" as const), (record, accessKey) => {
        const g = guardrailWith({ remediation: { mode: "enforce", accessKey } });
        const f = findingOf(g, record);
        for (const a of planRemediation(f, g, { now: NOW, managementAccountId: MGMT })) {
          if ("accessKeyId" in a.params)
            expect(a.params.accessKeyId).toBe(f.aws.cloudtrail.user_identity.access_key_id);
          if (a.kind === "deactivate-key") expect(a.target).toBe(f.aws.cloudtrail.user_identity.access_key_id);
          if (a.kind === "deactivate-key" || a.kind === "rotate-key") {
            // The signing key: a long-term key, or the key that pre-signed a short-term Bedrock API key.
            expect(["long-term-key", "bedrock-api-key-short-term", "bedrock-api-key"]).toContain(
              f.guardrail.credential_kind,
            );
            expect(f.aws.cloudtrail.user_identity.access_key_id).toMatch(/^AKIA/);
          }
        }
      }),
      RUNS,
    );
  });

  it("every reversible action's target is the one its params name, which undo checks the record against", () => {
    fc.assert(
      fc.property(guardedRecord, (record) => {
        const g = guardrailWith({ remediation: { mode: "enforce" } });
        for (const a of planRemediation(findingOf(g, record), g, { now: NOW, managementAccountId: MGMT })) {
          const named = targetNamedBy({ ...a, status: "ok", plannedAt: NOW.toISOString() } as ActionRecord);
          expect(named).toBe(isReversible(a.kind) ? a.target : undefined);
        }
      }),
      RUNS,
    );
  });

  it("containment before rotation: every rotation comes after every deactivation and revocation", () => {
    const containment = new Set(["deactivate-key", "deactivate-service-credentials", "revoke-user-sessions"]);
    const readers = ["arn:aws:iam::111122223333:role/IncidentResponder"];
    fc.assert(
      fc.property(guardedRecord, mode, fc.nat(5), fc.nat(5), (record, m, run, principal) => {
        const g = guardrailWith({ remediation: { mode: m, accessKey: "rotate", rotatedSecretReaders: readers } });
        const f = findingOf(g, record);
        const plan = planRemediation(f, g, { now: NOW, managementAccountId: MGMT, budget: { run, principal } });
        const rotations = plan.flatMap((a, i) => (a.kind === "rotate-key" ? [i] : []));
        const contained = plan.flatMap((a, i) => (containment.has(a.kind) ? [i] : []));
        for (const r of rotations) for (const c of contained) expect(r).toBeGreaterThan(c);
        expect(rotations).toEqual(rotations.map((_, k) => plan.length - rotations.length + k));
        for (const r of rotations) {
          const rotate = plan[r];
          if (rotate.kind !== "rotate-key") throw new Error("not a rotation");
          const deactivate = plan.find(
            (a) => a.kind === "deactivate-key" && a.params.accessKeyId === rotate.params.accessKeyId,
          );
          // Never a rotation without the deactivation of the same key, and never one that runs when it does not.
          expect(deactivate).toBeDefined();
          if (rotate.disposition === "execute") expect(deactivate!.disposition).toBe("execute");
          expect(rotate.params.secretReaders).toEqual(readers);
        }
      }),
      RUNS,
    );
  });

  it("a long-term Bedrock API key is answered by deactivating the user's Bedrock credentials, nothing else", () => {
    fc.assert(
      fc.property(guardedRecord, fc.constantFrom("deactivate" as const, "rotate" as const), (record, accessKey) => {
        const g = guardrailWith({ remediation: { mode: "enforce", accessKey } });
        const f = findingOf(g, record);
        const plan = planRemediation(f, g, { now: NOW, managementAccountId: MGMT });
        const credentials = plan.filter((a) => a.kind === "deactivate-service-credentials");
        for (const a of credentials) {
          expect(a.params.userName).toBe(f.user.name);
          expect(a.params.serviceName).toBe("bedrock.amazonaws.com");
          expect(f.guardrail.credential_kind).toMatch(/^bedrock-api-key(-long-term)?$/);
          const id = f.aws.cloudtrail.user_identity.access_key_id;
          expect(a.params.serviceSpecificCredentialId).toBe(id?.startsWith("ACCA") ? id : undefined);
        }
        if (f.guardrail.credential_kind !== "bedrock-api-key-long-term") return;
        const acting = plan.filter((a) => a.kind !== "none" && a.kind !== "delete-agreement");
        if (f.guardrail.principal_kind === "iam-user" && plan.some((a) => a.disposition === "execute"))
          expect(acting.map((a) => a.kind)).toEqual(["deactivate-service-credentials"]);
        for (const a of plan) {
          expect(["deactivate-key", "rotate-key", "revoke-user-sessions"]).not.toContain(a.kind);
          expect(a.reason).not.toMatch(/reset its password/);
        }
      }),
      RUNS,
    );
  });
});
