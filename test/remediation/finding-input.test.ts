/**
 * remediate's input is untrusted: every finding is schema-checked before planning, a bad one is
 * named by its line and skipped, the good ones are still planned, and the same event.id is planned once.
 */
import { gzipSync } from "node:zlib";
import { parseFindings } from "../../src/remediation/finding-input";
import { findingOf, fixture, guardrailWith, IAM_USER_RECORD } from "./helpers";

const good = findingOf(guardrailWith(), fixture(IAM_USER_RECORD));

/** The good finding with one field (a dotted path) replaced. */
function withField(pathText: string, value: unknown): unknown {
  const copy = structuredClone(good) as unknown as Record<string, unknown>;
  const keys = pathText.split(".");
  let at = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[keys.at(-1)!] = value;
  return copy;
}

const NOT_A_PRINCIPAL =
  "is not an IAM role (arn:aws:iam::<account>:role/<name>), user or root ARN, nor a federated user's";

describe("parseFindings", () => {
  it.each([
    ["guardrail.principal_arn", 42, /guardrail\.principal_arn: /],
    ["cloud.account.id", 42, /cloud\.account\.id: /],
    ["cloud.account.id", "42", /cloud\.account\.id: must be a 12-digit AWS account id/],
    ["guardrail.model_id", { x: 1 }, /guardrail\.model_id: /],
    ["guardrail.principal_kind", "alien", /guardrail\.principal_kind: /],
    ["event.id", "", /event\.id: /],
    ["cloud.region", "Mars", /cloud\.region: must be an AWS region/],
    // The planner reads these two: a finding edited by hand without them is named here, not a TypeError later.
    ["rule", undefined, /rule: /],
    ["rule.id", 7, /rule\.id: /],
    ["guardrail.credential_kind", undefined, /guardrail\.credential_kind: /],
    ["guardrail.credential_kind", "password", /guardrail\.credential_kind: /],
  ])("rejects %s = %j by line, and still takes the others", (field, value, problem) => {
    const lines = [good, withField(field, value), withField("event.id", "another-event")];
    const r = parseFindings(lines.map((l) => JSON.stringify(l)).join("\n"), "in.ndjson", "aws");
    expect(r.findings.map((f) => f.event.id)).toEqual([good.event.id, "another-event"]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^in\.ndjson:2: finding rejected: /);
    expect(r.problems[0]).toMatch(problem);
  });

  it.each([
    ["arn:aws-cn:iam::494659789341:role/BreakGlass", "494659789341", "is in partition aws-cn, not the configured aws"],
    ["arn:aws:sts::494659789341:role/BreakGlass", "494659789341", NOT_A_PRINCIPAL],
    ["arn:aws:iam::494659789341:role/x//BreakGlass", "494659789341", NOT_A_PRINCIPAL],
    [
      "arn:aws:iam::210987654321:role/ModelAdmin",
      "494659789341",
      "names account 210987654321, but the principal's account is 494659789341",
    ],
  ])(
    "rejects principal_arn %s in account %s: it would be checked as one principal, acted on as another",
    (arn, account, why) => {
      const forged = withField("guardrail.principal_arn", arn) as typeof good;
      forged.guardrail.principal_account_id = account;
      const r = parseFindings(JSON.stringify(forged), "forged.ndjson", "aws");
      expect(r.findings).toEqual([]);
      expect(r.problems).toEqual([`forged.ndjson:1: finding rejected: guardrail.principal_arn: ${why}`]);
    },
  );

  const bedrockKey =
    "reads as a Bedrock API key id but is not written as IAM and CloudTrail write one (ACCA, then upper-case " +
    "letters and digits): nothing is planned for it, rather than for every Bedrock API key of its user";
  const accessKey =
    "reads as an access key id but is not written as IAM and CloudTrail write one (AKIA or ASIA, then upper-case " +
    "letters and digits): nothing is planned for it, rather than steps for a call made without a key";
  it.each([
    ["accaexample000000001", bedrockKey],
    ["AccaEXAMPLE000000001", bedrockKey],
    ["ACCAexample000000001", bedrockKey],
    ["ACCA_EXAMPLE00000001", bedrockKey],
    ["akiaexamplekey000001", accessKey],
    ["AkiaEXAMPLEKEY000001", accessKey],
    ["asiaEXAMPLE000000001", accessKey],
  ])("refuses key id %s, a key id not as CloudTrail writes it, naming the event and the id", (keyId, problem) => {
    const lines = [withField("aws.cloudtrail.user_identity.access_key_id", keyId), good];
    const r = parseFindings(lines.map((l) => JSON.stringify(l)).join("\n"), "in.ndjson", "aws");
    expect(r.findings.map((f) => f.event.id)).toEqual([good.event.id]);
    expect(r.problems).toEqual([
      `in.ndjson:1: finding rejected: aws.cloudtrail.user_identity.access_key_id of event ${good.event.id}: ` +
        `${keyId} ${problem}; give the id as CloudTrail recorded it`,
    ]);
  });

  it.each(["ACCAEXAMPLE000000001", "AKIAEXAMPLEKEY000001", "ASIAEXAMPLE000000001"])(
    "takes key id %s: a Bedrock API key id as IAM writes it, or no such id at all",
    (keyId) => {
      const r = parseFindings(
        JSON.stringify(withField("aws.cloudtrail.user_identity.access_key_id", keyId)),
        "f",
        "aws",
      );
      expect([r.findings.length, r.problems]).toEqual([1, []]);
    },
  );

  it("plans the same event.id once, saying so", () => {
    const line = JSON.stringify(good);
    const r = parseFindings(`${line}\n${line}\n\n${line}\n`, "in.ndjson", "aws");
    expect(r.findings).toHaveLength(1);
    expect(r.problems).toEqual([]);
    expect(r.duplicates).toEqual([
      `in.ndjson:2: event.id ${good.event.id} already read at in.ndjson:1: planned once`,
      `in.ndjson:4: event.id ${good.event.id} already read at in.ndjson:1: planned once`,
    ]);
  });

  it("names a malformed line by line and column, and a JSON array entry by index", () => {
    const r = parseFindings(`${JSON.stringify(good)}\n{"event": }\n`, "in.ndjson", "aws");
    expect(r.problems).toEqual(["in.ndjson:2: not valid JSON at column 11: Unexpected token '}'"]);
    const a = parseFindings(JSON.stringify([good, 7]), "in.json", "aws");
    expect(a.findings).toHaveLength(1);
    expect(a.problems).toEqual(["in.json[1]: finding rejected: not a JSON object"]);
  });

  it("never echoes a long bad value in full", () => {
    const r = parseFindings(JSON.stringify(withField("guardrail.principal_kind", "x".repeat(100_000))), "in", "aws");
    expect(r.problems[0].length).toBeLessThan(2000);
  });
});

describe("parseFindings given another kind of document", () => {
  const record = fixture(IAM_USER_RECORD);
  const ocsf = { class_uid: 2004, category_uid: 2, activity_id: 1, finding_info: { uid: "x" } };
  const WANTED = /not as findings: remediate reads the findings detect or the monitor writes/;
  it.each([
    [
      "a pretty-printed CloudTrail log file",
      JSON.stringify({ Records: [record, record] }, null, 2),
      /a CloudTrail log file/,
    ],
    ["a compact CloudTrail log file", JSON.stringify({ Records: [record] }), /a CloudTrail log file/],
    ["NDJSON CloudTrail records", `${JSON.stringify(record)}\n${JSON.stringify(record)}\n`, /CloudTrail records/],
    ["one pretty-printed record", JSON.stringify(record, null, 2), /CloudTrail records/],
    ["an array of records", JSON.stringify([record, record]), /CloudTrail records/],
    [
      "OCSF lines (detect --format ocsf)",
      `${JSON.stringify(ocsf)}\n${JSON.stringify(ocsf)}\n`,
      /OCSF \(class_uid 2004/,
    ],
  ])("names %s in one line, and what it wants", (_name, text, seen) => {
    const r = parseFindings(text, "in.json", "aws");
    expect(r.findings).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^in\.json: reads as /);
    expect(r.problems[0]).toMatch(seen);
    expect(r.problems[0]).toMatch(WANTED);
  });

  it.each([
    [
      "gzip-compressed findings (detect ... | gzip)",
      gzipSync(`${JSON.stringify(good)}\n`.repeat(50)).toString("utf8"),
      /gzip-compressed data \(gunzip it first\)/,
    ],
    [
      "binary data",
      Buffer.from([0x00, 0x9f, 0x0a, 0x1b, 0x5b, 0x32, 0x4a, 0x0a, 0xc3]).toString("utf8"),
      /binary data/,
    ],
  ])("names %s in one line, never echoing its bytes line by line", (_name, text, seen) => {
    const r = parseFindings(text, "in.gz", "aws");
    expect(r.findings).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^in\.gz: reads as /);
    expect(r.problems[0]).toMatch(seen);
  });

  it("keeps the rejections by line when some lines are findings (a mixed file is not another kind)", () => {
    const r = parseFindings(`${JSON.stringify(good)}\n${JSON.stringify(record)}\n`, "mixed.ndjson", "aws");
    expect(r.findings).toHaveLength(1);
    expect(r.problems).toEqual([expect.stringMatching(/^mixed\.ndjson:2: finding rejected: guardrail is missing/)]);
  });

  it("still says 'not valid JSON' by line for text that is neither", () => {
    const r = parseFindings("hello\nworld\n", "notes.txt", "aws");
    expect(r.problems).toHaveLength(2);
    expect(r.problems[0]).toMatch(/^notes\.txt:1: not valid JSON/);
  });
});
