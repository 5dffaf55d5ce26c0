import fc from "fast-check";
import { principalProtection } from "../../src/remediation/safety";
import { planRemediation } from "../../src/remediation/planner";
import { isMutating } from "../../src/remediation/types";
import { guardedRecord, mode } from "./arbitraries";
import { findingOf, guardrailWith, MGMT } from "./helpers";

const NOW = new Date("2026-11-20T09:20:00Z");
const RUNS = { numRuns: 500 };

describe("planner properties", () => {
  it("no plan ever lets a mutation reach a protected principal or the management account", () => {
    fc.assert(
      fc.property(
        guardedRecord,
        mode,
        fc.option(fc.constant(MGMT), { nil: undefined }),
        fc.boolean(),
        (record, m, management, selfIsCaller) => {
          const g = guardrailWith({ remediation: { mode: m, accessKey: "rotate" } });
          const f = findingOf(g, record);
          const selfArns = selfIsCaller && f.guardrail.principal_arn ? [f.guardrail.principal_arn] : [];
          const plan = planRemediation(f, g, { now: NOW, managementAccountId: management, selfArns });
          const protection = principalProtection(g, f.guardrail.principal_arn, f.guardrail.principal_account_id, {
            managementAccountId: management,
            selfArns,
          });
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
          if (a.params.accessKeyId !== undefined)
            expect(a.params.accessKeyId).toBe(f.aws.cloudtrail.user_identity.access_key_id);
          if (a.kind === "deactivate-key") expect(a.target).toBe(f.aws.cloudtrail.user_identity.access_key_id);
          if (a.kind === "deactivate-key" || a.kind === "rotate-key")
            expect(f.guardrail.credential_kind).toBe("long-term-key");
        }
      }),
      RUNS,
    );
  });
});
