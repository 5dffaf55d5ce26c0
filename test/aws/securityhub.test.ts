/**
 * The Security Hub adapter with the SDK mocked (aws-sdk-client-mock): one BatchImportFindings per
 * call with the ASFF of each finding, FailedFindings mapped back to event IDs, never more than 100.
 */
import { BatchImportFindingsCommand, SecurityHubClient } from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import { asffId } from "../../src/aws/asff";
import { SECURITY_HUB_BATCH_SIZE, SecurityHubImporter } from "../../src/aws/securityhub";
import type { Finding } from "../../src/detection/finding";
import { evaluateRecord } from "../../src/detection/finding";
import { record, testGuardrail } from "../detection/backends/support/records";

const PRODUCT = "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default";
const g = testGuardrail();
const findingFor = (id: string): Finding => {
  const e = evaluateRecord(g, record({ eventID: id }));
  if (!("finding" in e)) throw new Error("expected a finding");
  return e.finding;
};

const sh = mockClient(SecurityHubClient);
beforeEach(() => sh.reset());

describe("SecurityHubImporter", () => {
  const now = () => new Date("2026-07-01T12:00:00Z");

  it("sends the findings as ASFF in one request and returns the refused ones by event ID", async () => {
    sh.on(BatchImportFindingsCommand).resolves({
      SuccessCount: 1,
      FailedCount: 1,
      FailedFindings: [{ Id: asffId("e-2"), ErrorCode: "InvalidInput", ErrorMessage: "bad Types" }],
    });
    const importer = new SecurityHubImporter(new SecurityHubClient({ region: "eu-west-1" }), PRODUCT, now);
    const failed = await importer.importFindings([findingFor("e-1"), findingFor("e-2")]);
    expect(failed).toEqual([{ eventId: "e-2", code: "InvalidInput", message: "bad Types" }]);
    const calls = sh.commandCalls(BatchImportFindingsCommand);
    expect(calls).toHaveLength(1);
    const sent = calls[0].args[0].input.Findings!;
    expect(sent.map((f) => f.Id)).toEqual([asffId("e-1"), asffId("e-2")]);
    expect(sent.every((f) => f.ProductArn === PRODUCT && f.UpdatedAt === "2026-07-01T12:00:00.000Z")).toBe(true);
  });

  it("propagates a failed request (nothing imported) and refuses more than 100 findings", async () => {
    sh.on(BatchImportFindingsCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
    const importer = new SecurityHubImporter(new SecurityHubClient({ region: "eu-west-1" }), PRODUCT, now);
    await expect(importer.importFindings([findingFor("e-1")])).rejects.toThrow("denied");
    const many = Array.from({ length: SECURITY_HUB_BATCH_SIZE + 1 }, (_, i) => findingFor(`e-${i}`));
    await expect(importer.importFindings(many)).rejects.toThrow(/at most 100/);
    expect(await importer.importFindings([])).toEqual([]);
    expect(sh.commandCalls(BatchImportFindingsCommand)).toHaveLength(1);
  });
});
