/**
 * The ASFF mapping: every attribute Security Hub requires is present and within the API's limits,
 * the Id and CreatedAt depend on the event only (so a re-sent event updates the one finding), the
 * account rule of the default product holds, and the ECS fields land where Security Hub shows them.
 */
import { ASFF_LIMITS, asffId, productAccount, toAsff } from "../../src/aws/asff";
import { archiveCorrelationFindings } from "../../src/detection/correlation/finding";
import { evaluateRecord, type Finding } from "../../src/detection/finding";
import type { CloudTrailRecord } from "../../src/detection/record";
import { edgeCases, IDENTITIES, loadSamples, record, testGuardrail } from "../detection/backends/support/records";

const guardrail = testGuardrail();
const PRODUCT = "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default";
const ctx = { productArn: PRODUCT, updatedAt: "2026-07-01T12:00:00.000Z" };

/** Required top-level attributes (Security Hub user guide, "Required top-level ASFF attributes"). */
const REQUIRED = [
  "AwsAccountId",
  "CreatedAt",
  "Description",
  "GeneratorId",
  "Id",
  "ProductArn",
  "Resources",
  "SchemaVersion",
  "Severity",
  "Title",
  "Types",
  "UpdatedAt",
] as const;

function findingsOf(records: CloudTrailRecord[]): Finding[] {
  return records.flatMap((r) => {
    const e = evaluateRecord(guardrail, r);
    return "finding" in e ? [e.finding] : [];
  });
}
const all = () =>
  findingsOf([
    ...loadSamples().map((s) => s.record),
    ...edgeCases().map((e) => e.record),
    ...guardrail.rules.flatMap((rule) => rule.tests.map((t) => t.record as CloudTrailRecord)),
  ]);

describe("toAsff", () => {
  it("has every required attribute, within the API's length limits, for every finding", () => {
    const findings = all();
    expect(findings.length).toBeGreaterThanOrEqual(5);
    for (const f of findings) {
      const a = toAsff(f, ctx);
      for (const key of REQUIRED)
        expect({ key, present: a[key] !== undefined && a[key] !== "" }).toEqual({
          key,
          present: true,
        });
      expect(a.SchemaVersion).toBe("2018-10-08");
      expect(a.Resources!.length).toBeGreaterThanOrEqual(1);
      expect(a.Title!.length).toBeLessThanOrEqual(ASFF_LIMITS.title);
      expect(a.Description!.length).toBeLessThanOrEqual(ASFF_LIMITS.description);
      expect(a.Id!.length).toBeLessThanOrEqual(512);
      expect(Object.keys(a.ProductFields!).length).toBeLessThanOrEqual(ASFF_LIMITS.productFields);
      for (const [k, v] of Object.entries(a.ProductFields!)) {
        expect(k.length).toBeLessThanOrEqual(ASFF_LIMITS.key);
        expect(v.length).toBeLessThanOrEqual(ASFF_LIMITS.value);
      }
      expect(["LOW", "MEDIUM", "HIGH", "CRITICAL"]).toContain(a.Severity!.Label);
      for (const t of a.Types!) expect(t).toMatch(/^(TTPs|Unusual Behaviors|Effects)(\/[^/]+){0,2}$/);
      // Under the per-finding maximum of 240 KB with room to spare.
      expect(Buffer.byteLength(JSON.stringify(a))).toBeLessThan(240 * 1024);
    }
  });

  it("same event, later import: same Id and CreatedAt, only UpdatedAt moves", () => {
    const f = all()[0];
    const first = toAsff(f, ctx);
    const again = toAsff(structuredClone(f), { ...ctx, updatedAt: "2026-07-01T12:05:00.000Z" });
    expect(again.Id).toBe(first.Id);
    expect(again.Id).toBe(asffId(f.event.id));
    expect(again.CreatedAt).toBe(f["@timestamp"]);
    expect(again.CreatedAt).toBe(first.CreatedAt);
    expect(again.UpdatedAt).toBe("2026-07-01T12:05:00.000Z");
    expect({ ...again, UpdatedAt: first.UpdatedAt }).toEqual(first);
  });

  it("imports as the monitor account (the default product's rule); the member account is a resource", () => {
    const f = findingsOf([record({ userIdentity: IDENTITIES.iamUser, recipientAccountId: "494659789341" })])[0];
    const a = toAsff(f, ctx);
    expect(a.AwsAccountId).toBe("111122223333");
    expect(a.ProductArn).toBe(PRODUCT);
    expect(a.Resources).toEqual([
      { Type: "AwsIamUser", Id: IDENTITIES.iamUser.arn, Region: f.cloud.region },
      { Type: "AwsAccount", Id: "AWS::::Account:494659789341" },
    ]);
    expect(a.ProductFields).toMatchObject({
      "bedrock-guardrail/eventId": f.event.id,
      "bedrock-guardrail/memberAccountId": "494659789341",
      "bedrock-guardrail/accessKeyId": IDENTITIES.iamUser.accessKeyId,
      "bedrock-guardrail/ruleId": f.rule.id,
    });
    expect(a.FindingProviderFields).toEqual({ Severity: a.Severity, Types: a.Types });
    expect(a.Action?.AwsApiCallAction).toMatchObject({ Api: f.event.action, ServiceName: f.event.provider });
  });

  it("clips what would exceed the limits instead of failing the import", () => {
    const f = all()[0];
    const huge: Finding = {
      ...f,
      message: "m".repeat(5000),
      aws: { cloudtrail: { ...f.aws.cloudtrail, request_parameters: { blob: "x".repeat(300_000) } } },
    };
    const a = toAsff(huge, ctx);
    expect(a.Description).toHaveLength(ASFF_LIMITS.description);
    expect(a.ProductFields!["bedrock-guardrail/requestParameters"]).toHaveLength(ASFF_LIMITS.value);
  });

  it("never clips between the halves of a surrogate pair", () => {
    const f = all()[0];
    // The emoji's two UTF-16 units straddle the cut: the 1,021st and 1,022nd of the description, the 2,045th and
    // 2,046th of a ProductFields value (what is kept before the "...").
    const emoji = "\u{1F600}";
    const description = `${"m".repeat(ASFF_LIMITS.description - 4)}${emoji}${"m".repeat(100)}`;
    const userAgent = `${"u".repeat(ASFF_LIMITS.value - 4)}${emoji}${"u".repeat(100)}`;
    const a = toAsff({ ...f, message: description, user_agent: { ...f.user_agent, original: userAgent } }, ctx);
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    expect(a.Description).not.toMatch(loneSurrogate);
    expect(a.Description).toBe(`${"m".repeat(ASFF_LIMITS.description - 4)}...`);
    const clipped = a.ProductFields!["bedrock-guardrail/userAgent"];
    expect(clipped).not.toMatch(loneSurrogate);
    expect(clipped).toBe(`${"u".repeat(ASFF_LIMITS.value - 4)}...`);
    // An emoji that fits whole is kept whole.
    const fits = toAsff({ ...f, message: `${"m".repeat(ASFF_LIMITS.description - 5)}${emoji}${"m".repeat(9)}` }, ctx);
    expect(fits.Description).toBe(`${"m".repeat(ASFF_LIMITS.description - 5)}${emoji}...`);
  });

  it("reads the monitor account from the product ARN and refuses anything else", () => {
    expect(productAccount(PRODUCT)).toBe("111122223333");
    expect(() => productAccount("arn:aws:securityhub:eu-west-1::product/aws/guardduty")).toThrow(/default product/);
  });
});

/** One finding of each correlation kind, from the first history of its shipped rule that fires. */
function correlationFindings(): Finding[] {
  return guardrail.correlationRules.map((rule) => {
    const histories = rule.tests.filter((t) => t.expect).map((t) => t.history as CloudTrailRecord[]);
    const found = histories
      .flatMap((h) => archiveCorrelationFindings(guardrail, h, 0))
      .find((f) => f.rule.id === rule.id);
    if (!found) throw new Error(`no finding from ${rule.id}'s examples`);
    return found;
  });
}

describe("toAsff of a correlation rule's finding", () => {
  const findings = correlationFindings();

  it("covers every kind", () => {
    expect(findings.map((f) => f.guardrail.correlation!.kind).sort()).toEqual([
      "new-term",
      "sequence",
      "threshold",
      "value-count",
    ]);
  });

  it.each(findings.map((f) => [f.guardrail.correlation!.kind, f] as const))(
    "%s: spans its first to its last event and cites every one of them",
    (_kind, f) => {
      const c = f.guardrail.correlation!;
      const a = toAsff(f, ctx);
      expect(a.Id).toBe(asffId(f.event.id));
      expect([a.FirstObservedAt, a.LastObservedAt]).toEqual([c.first_time, c.last_time]);
      expect([a.Action?.AwsApiCallAction?.FirstSeen, a.Action?.AwsApiCallAction?.LastSeen]).toEqual([
        c.first_time,
        c.last_time,
      ]);
      expect(a.ProductFields).toMatchObject({
        "bedrock-guardrail/correlationKind": c.kind,
        "bedrock-guardrail/correlationGroup": c.group,
        "bedrock-guardrail/firstEventTime": c.first_time,
        "bedrock-guardrail/lastEventTime": c.last_time,
        "bedrock-guardrail/eventCount": String(c.event_ids.length),
        "bedrock-guardrail/eventIds": c.event_ids.join(","),
        "bedrock-guardrail/principalArn": f.guardrail.principal_arn,
      });
      if (c.values) expect(JSON.parse(a.ProductFields!["bedrock-guardrail/values"])).toEqual(c.values);
      if (c.window_start) expect(a.ProductFields!["bedrock-guardrail/windowStart"]).toBe(c.window_start);
      expect(Object.keys(a.ProductFields!).length).toBeLessThanOrEqual(ASFF_LIMITS.productFields);
      for (const v of Object.values(a.ProductFields!)) expect(v.length).toBeLessThanOrEqual(ASFF_LIMITS.value);
    },
  );

  it("a burst of more event IDs than a ProductFields value holds: whole IDs, then how many are left out", () => {
    const f = findings.find((x) => x.guardrail.correlation!.kind === "threshold")!;
    // A threshold rule may count up to 100,000 events; 200 IDs of 36 characters are far over 2,048.
    const ids = Array.from({ length: 200 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const burst = { ...f, guardrail: { ...f.guardrail, correlation: { ...f.guardrail.correlation!, event_ids: ids } } };
    const field = toAsff(burst, ctx).ProductFields!["bedrock-guardrail/eventIds"];
    expect(field.length).toBeLessThanOrEqual(ASFF_LIMITS.value);
    const [listed, rest] = field.split(",... and ");
    const shown = listed.split(",");
    expect(shown).toEqual(ids.slice(0, shown.length));
    expect(rest).toBe(`${ids.length - shown.length} more`);
  });

  it("an event rule's finding is one instant and has no correlation fields", () => {
    const f = all()[0];
    const a = toAsff(f, ctx);
    expect([a.FirstObservedAt, a.LastObservedAt]).toEqual([f["@timestamp"], f["@timestamp"]]);
    expect(Object.keys(a.ProductFields!).filter((k) => /correlation|eventIds|eventCount/.test(k))).toEqual([]);
  });
});

describe("the caller of the API call", () => {
  const callerOf = (ip: string) =>
    toAsff(findingsOf([record({ sourceIPAddress: ip })])[0], ctx).Action?.AwsApiCallAction;
  it.each([
    ["198.51.100.7", { CallerType: "remoteip", RemoteIpDetails: { IpAddressV4: "198.51.100.7" } }],
    ["bedrock.amazonaws.com", { CallerType: "domain", DomainDetails: { Domain: "bedrock.amazonaws.com" } }],
  ])("%s", (ip, expected) => expect(callerOf(ip)).toMatchObject(expected));
  it.each(["035.249.253.232", "256.1.1.1", "2001:db8::1", "AWS Internal"])("%s: none (kept in ProductFields)", (ip) => {
    const a = callerOf(ip);
    expect(a).not.toHaveProperty("CallerType");
    expect(a).not.toHaveProperty("RemoteIpDetails");
  });
});
