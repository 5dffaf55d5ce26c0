import fc from "fast-check";
import { evaluateRecord } from "../../../src/detection/finding";
import { SourceScanner } from "../../../src/detection/scan/scan-source";
import { chunksOf, testGuardrail } from "./helpers";

const guardrail = testGuardrail();

/** A field that is sometimes right, often missing, null or of the wrong type. */
const messy = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof(
    good,
    good,
    fc.constant(null),
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.array(fc.string(), { maxLength: 2 }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.string(), { maxKeys: 2 }),
  );

const identity = fc.record(
  {
    type: messy(fc.constantFrom("IAMUser", "AssumedRole", "Root", "FederatedUser", "AWSService", "IdentityCenterUser")),
    arn: messy(
      fc.constantFrom(
        "arn:aws:iam::111122223333:user/u",
        "arn:aws:sts::111122223333:assumed-role/R/s",
        "arn:aws:iam::111122223333:root",
        "not-an-arn",
      ),
    ),
    accountId: messy(fc.constant("111122223333")),
    accessKeyId: messy(fc.constantFrom("AKIAEXAMPLE", "ASIAEXAMPLE", "")),
    userName: messy(fc.constant("u")),
    sessionContext: messy(
      fc.record(
        {
          sessionIssuer: messy(
            fc.record(
              {
                arn: messy(
                  fc.constantFrom(
                    "arn:aws:iam::111122223333:role/R",
                    "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_A_1",
                  ),
                ),
                type: messy(fc.constant("Role")),
              },
              { requiredKeys: [] },
            ),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

const record = fc.record(
  {
    eventID: messy(fc.uuid()),
    eventTime: messy(fc.constantFrom("2026-01-05T10:00:00Z", "2025-01-21 17:49:47.000000000", "yesterday")),
    eventSource: messy(fc.constantFrom("bedrock.amazonaws.com", "ec2.amazonaws.com")),
    eventName: messy(fc.constantFrom(...guardrail.eventNames, "InvokeModel")),
    errorCode: messy(fc.constantFrom("AccessDenied", "AccessDeniedException", "", "Throttling")),
    awsRegion: messy(fc.constant("us-east-1")),
    recipientAccountId: messy(fc.constant("444455556666")),
    sourceIPAddress: messy(fc.constant("198.51.100.7")),
    userAgent: messy(fc.constant("aws-cli")),
    userIdentity: messy(identity),
    requestParameters: messy(fc.record({ modelId: messy(fc.constant("anthropic.claude-v2")) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

/** A record element as it may appear in a file: mostly objects, sometimes something else entirely. */
const element = fc.oneof({ weight: 8, arbitrary: record }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });

describe("fuzz: messy records never crash the scanner and are all counted", () => {
  it(
    "counts every record; invalid = non-objects + matching records without eventID/eventTime; findings = the rest " +
      "that match",
    async () => {
      const scanner = new SourceScanner(guardrail);
      await fc.assert(
        fc.asyncProperty(
          fc.array(element, { maxLength: 25 }),
          fc.constantFrom("envelope" as const, "ndjson" as const, "pretty" as const),
          fc.integer({ min: 1, max: 300 }),
          async (generated, layout, chunk) => {
            // NDJSON lines are records (a top-level array would be a list of records, a scalar is not JSON Lines of
            // records). Pretty: CloudTrail's records as `jq .` prints them, eventVersion first, framed at each.
            const ndjson = layout === "ndjson";
            const isObject = (e: unknown) => typeof e === "object" && e !== null && !Array.isArray(e);
            const elements =
              layout === "envelope"
                ? generated
                : generated
                    .filter(isObject)
                    .map((e) => (layout === "pretty" ? { eventVersion: "1.09", ...(e as object) } : e));
            const text =
              layout === "ndjson"
                ? elements.map((e) => JSON.stringify(e)).join("\n")
                : JSON.stringify({ Records: elements }, null, layout === "pretty" ? 2 : undefined);
            const result = await scanner.scan("fuzz", chunksOf(text, chunk));
            // Expected from the reference evaluation of each element, independent of the scanner's fast paths.
            const expected = { records: 0, invalid: 0, findings: 0 };
            for (const e of elements) {
              expected.records++;
              if (!isObject(e)) {
                expected.invalid++;
                continue;
              }
              const ev = evaluateRecord(guardrail, e as Record<string, unknown>);
              if ("finding" in ev) expected.findings++;
              else if (ev.skip === "invalid-record") expected.invalid++;
            }
            if (elements.length === 0 && ndjson) {
              expect(result.error).toMatch(/empty/);
              return;
            }
            expect(result.error).toBeUndefined();
            expect({ records: result.records, invalid: result.invalid, findings: result.findings.length }).toEqual(
              expected,
            );
          },
        ),
        { numRuns: 400 },
      );
    },
  );
});
