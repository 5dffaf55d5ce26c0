/** Drift check: pure comparison, and the Organizations reader over mocked, heavily paginated answers. */
import {
  DescribePolicyCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListPoliciesForTargetCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { buildScpDocuments } from "../../src/policy/documents";
import { readOrganization } from "../../src/aws/organizations";
import { checkDrift, compareOrganization, driftFingerprint, driftSubject, type OrgView } from "../../src/runtime/drift";
import { guardrailWith } from "./helpers";

const ROOT = "r-ab12";
const OUS = Array.from({ length: 300 }, (_, i) => `ou-ab12-${String(i).padStart(8, "0")}`);

function orgMock(opts: {
  content: (doc: string) => string;
  attachTo: string[];
  scpEnabled?: boolean;
  extraPolicies?: number;
  /** SCPs attached at each target (ListPoliciesForTarget), ours included where attached. */
  attachedAt?: (target: string) => number;
}) {
  const client = new OrganizationsClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKID", secretAccessKey: "s" },
  });
  const mock = mockClient(client);
  const g = guardrailWith({ targets: OUS.slice(0, 250) });
  const docs = buildScpDocuments(g);
  mock.on(ListRootsCommand).callsFake((i: { NextToken?: string }) =>
    i.NextToken
      ? {
          Roots: [
            {
              Id: ROOT,
              PolicyTypes: [
                { Type: "SERVICE_CONTROL_POLICY", Status: opts.scpEnabled === false ? "PENDING_DISABLE" : "ENABLED" },
              ],
            },
          ],
        }
      : { Roots: [], NextToken: "r2" },
  );
  // Many unrelated SCPs, 20 per page; ours on the last page.
  const all = [
    ...Array.from({ length: opts.extraPolicies ?? 95 }, (_, i) => ({ Id: `p-other${i}`, Name: `other-${i}` })),
    ...docs.map((d, i) => ({ Id: `p-guard${i}`, Name: d.name })),
  ];
  mock.on(ListPoliciesCommand).callsFake((i: { NextToken?: string }) => {
    const from = Number(i.NextToken ?? 0);
    return { Policies: all.slice(from, from + 20), NextToken: from + 20 < all.length ? String(from + 20) : undefined };
  });
  mock.on(DescribePolicyCommand).callsFake((i: { PolicyId: string }) => {
    const idx = Number(i.PolicyId.replace("p-guard", ""));
    return { Policy: { PolicySummary: { Id: i.PolicyId }, Content: opts.content(docs[idx].content) } };
  });
  mock.on(ListTargetsForPolicyCommand).callsFake((i: { NextToken?: string }) => {
    const from = Number(i.NextToken ?? 0);
    return {
      Targets: opts.attachTo.slice(from, from + 20).map((TargetId) => ({ TargetId })),
      NextToken: from + 20 < opts.attachTo.length ? String(from + 20) : undefined,
    };
  });
  mock.on(ListPoliciesForTargetCommand).callsFake((i: { TargetId: string; NextToken?: string }) => {
    const all = Array.from({ length: opts.attachedAt?.(i.TargetId) ?? 1 }, (_, n) => ({ Id: `p-at${n}` }));
    const from = Number(i.NextToken ?? 0);
    return { Policies: all.slice(from, from + 4), NextToken: from + 4 < all.length ? String(from + 4) : undefined };
  });
  return { client, mock, g, docs };
}

describe("drift check", () => {
  it(
    "no drift: content equal as JSON (whitespace differs), attached to all 250 configured OUs across pages, SCPs " +
      "enabled",
    async () => {
      const m = orgMock({ content: (c) => JSON.stringify(JSON.parse(c), null, 2), attachTo: OUS });
      const report = await checkDrift(m.g, (names) => readOrganization(m.client, names));
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.expectedTargets).toHaveLength(250);
      expect(m.mock.commandCalls(ListPoliciesCommand).length).toBeGreaterThan(4);
      expect(m.mock.commandCalls(ListTargetsForPolicyCommand).length).toBeGreaterThanOrEqual(15);
      expect(m.mock.commandCalls(ListRootsCommand)).toHaveLength(2);
      // Attached everywhere: no target's slots are counted.
      expect(m.mock.commandCalls(ListPoliciesForTargetCommand)).toHaveLength(0);
    },
  );

  it("reports an edited policy, a missing attachment on the last page, and SCPs disabled on the root", async () => {
    const m = orgMock({
      content: (c) => {
        const p = JSON.parse(c);
        p.Statement[0].Action = ["bedrock:ListFoundationModels"];
        return JSON.stringify(p);
      },
      attachTo: OUS.filter((o) => o !== OUS[249]),
      scpEnabled: false,
    });
    const report = await checkDrift(m.g, (names) => readOrganization(m.client, names));
    expect(report.ok).toBe(false);
    const kinds = report.problems.map((p) => p.kind).sort();
    expect(kinds).toEqual(["content-changed", "not-attached", "scp-type-disabled"]);
    expect(report.problems.find((p) => p.kind === "not-attached")!.target).toBe(OUS[249]);
    expect(driftSubject(report).length).toBeLessThanOrEqual(100);
  });

  it("counts SCPs only where the guardrail is still to be attached; reports an attach that would fail", async () => {
    const missing = [OUS[10], OUS[249]];
    const m = orgMock({
      content: (c) => c,
      attachTo: OUS.filter((o) => !missing.includes(o)),
      // OUS[249] holds the quota's 10 already (over pages of 4); OUS[10] has room.
      attachedAt: (t) => (t === OUS[249] ? 10 : 3),
    });
    const report = await checkDrift(m.g, (names, slotsAt) => readOrganization(m.client, names, slotsAt));
    expect(m.mock.commandCalls(ListPoliciesForTargetCommand).map((c) => c.args[0].input.TargetId)).toEqual([
      OUS[10],
      OUS[249],
      OUS[249],
      OUS[249],
    ]);
    expect(report.problems.map((p) => `${p.kind} ${p.target}`).sort()).toEqual([
      `attach-would-fail ${OUS[249]}`,
      `not-attached ${OUS[10]}`,
      `not-attached ${OUS[249]}`,
    ]);
    expect(report.problems.find((p) => p.kind === "attach-would-fail")!.detail).toBe(
      `${OUS[249]} holds 10 SCP(s) of 10: attaching the 1 missing guardrail document(s) would make 11 and fail; ` +
        "detach a policy there first",
    );
  });

  it("a lower quota in the config is the one the attach is checked against", () => {
    const g = guardrailWith();
    const docs = buildScpDocuments(g);
    const view: OrgView = {
      roots: [{ id: ROOT, scpEnabled: true }],
      policies: [{ id: "p-1", name: docs[0].name, content: docs[0].content }],
      targets: { "p-1": [] },
      attachedAt: { [ROOT]: ["p-full", "p-a", "p-b", "p-c"] },
    };
    expect(compareOrganization(docs, [ROOT], view, 5).problems.map((p) => p.kind)).toEqual(["not-attached"]);
    expect(compareOrganization(docs, [ROOT], view, 4).problems.map((p) => p.kind)).toEqual([
      "not-attached",
      "attach-would-fail",
    ]);
  });

  it("a deleted policy is drift; with no targets configured the root is the expected target", () => {
    const g = guardrailWith();
    const docs = buildScpDocuments(g);
    const view: OrgView = { roots: [{ id: ROOT, scpEnabled: true }], policies: [], targets: {} };
    const report = compareOrganization(docs, [ROOT], view);
    expect(report.problems).toEqual([
      { kind: "policy-missing", policy: docs[0].name, detail: expect.stringContaining("no service control policy") },
    ]);
    const attachedElsewhere: OrgView = {
      roots: [{ id: ROOT, scpEnabled: true }],
      policies: [{ id: "p-1", name: docs[0].name, content: docs[0].content }],
      targets: { "p-1": ["ou-ab12-00000001"] },
    };
    expect(compareOrganization(docs, [ROOT], attachedElsewhere).problems.map((p) => p.kind)).toEqual(["not-attached"]);
  });

  it("a document IAM reads the same is no drift (statement, action and value order, single values); an edit is", () => {
    const g = guardrailWith({ targets: ["ou-ab12-00000001"] });
    const docs = buildScpDocuments(g);
    const viewWith = (edit: (policy: { Statement: Record<string, unknown>[] }) => void): OrgView => ({
      roots: [{ id: ROOT, scpEnabled: true }],
      policies: docs.map((d, i) => {
        const policy = JSON.parse(d.content);
        edit(policy);
        return { id: `p-${i}`, name: d.name, content: JSON.stringify(policy) };
      }),
      targets: Object.fromEntries(docs.map((_, i) => [`p-${i}`, ["ou-ab12-00000001"]])),
    });
    const reordered = viewWith((policy) => {
      policy.Statement.reverse();
      for (const s of policy.Statement) if (Array.isArray(s.Action)) s.Action.reverse();
      const first = policy.Statement.find((s) => Array.isArray(s.Action) && s.Action.length > 1)!;
      first.Action = [...(first.Action as string[]), (first.Action as string[])[0]];
      for (const s of policy.Statement) if (s.Resource === "*") s.Resource = ["*"];
    });
    expect(compareOrganization(docs, ["ou-ab12-00000001"], reordered).problems).toEqual([]);
    const weakened = viewWith((policy) => {
      const first = policy.Statement.find((s) => Array.isArray(s.Action) && s.Action.length > 1)!;
      first.Action = (first.Action as string[]).slice(1);
    });
    expect(compareOrganization(docs, ["ou-ab12-00000001"], weakened).problems.map((p) => p.kind)).toEqual([
      "content-changed",
    ]);
  });

  it("a policy edited again while already drifted is a new fingerprint (alerted again); the same edit is not", () => {
    const g = guardrailWith({ targets: ["ou-ab12-00000001"] });
    const docs = buildScpDocuments(g);
    const withContent = (content: string): OrgView => ({
      roots: [{ id: ROOT, scpEnabled: true }],
      policies: docs.map((d, i) => ({ id: `p-${i}`, name: d.name, content })),
      targets: Object.fromEntries(docs.map((_, i) => [`p-${i}`, ["ou-ab12-00000001"]])),
    });
    const fingerprint = (content: string) =>
      driftFingerprint(compareOrganization(docs, ["ou-ab12-00000001"], withContent(content)));
    const firstEdit = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "s3:*" }] });
    const secondEdit = JSON.stringify({ Version: "2012-10-17", Statement: [] });
    expect(fingerprint(firstEdit)).toBe(fingerprint(firstEdit));
    expect(fingerprint(secondEdit)).not.toBe(fingerprint(firstEdit));
  });

  it("fingerprints are stable across problem order and empty when ok", () => {
    const a = {
      ok: false,
      problems: [
        { kind: "not-attached" as const, policy: "x", target: "r-1", detail: "a" },
        { kind: "scp-type-disabled" as const, target: "r-1", detail: "b" },
      ],
      expectedPolicies: [],
      expectedTargets: [],
    };
    const b = { ...a, problems: [...a.problems].reverse() };
    expect(driftFingerprint(a)).toBe(driftFingerprint(b));
    expect(driftFingerprint({ ...a, ok: true, problems: [] })).toBe("");
  });
});
