/**
 * Security Hub as a second destination for findings: BatchImportFindings with the monitor
 * account's default product ARN. Thin: the ASFF comes from toAsff (asff.ts); which findings to
 * send, and what to do with the ones Security Hub refused, is the runtime's export step.
 */
import { BatchImportFindingsCommand, type SecurityHubClient } from "@aws-sdk/client-securityhub";
import type { Finding } from "../detection/finding";
import { asffId, toAsff } from "./asff";
import type { PermissionDeclaration } from "./permissions";

export const SECURITY_HUB_IMPORT_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["securityhub:BatchImportFindings"],
    resource: { kind: "securityhub-product" },
    why: "Import findings into Security Hub as the monitor account's default product",
  },
];

/** BatchImportFindings takes at most 100 findings per request. */
export const SECURITY_HUB_BATCH_SIZE = 100;

export interface ImportFailure {
  eventId: string;
  code: string;
  message: string;
}

/** Sends findings to Security Hub. Implemented over the SDK here and by fakes in tests. */
export interface FindingImporter {
  /**
   * Imports at most SECURITY_HUB_BATCH_SIZE findings; returns those Security Hub refused
   * (FailedFindings). Throws when the request as a whole failed (none of them imported).
   */
  importFindings(findings: Finding[]): Promise<ImportFailure[]>;
}

export class SecurityHubImporter implements FindingImporter {
  constructor(
    private readonly client: SecurityHubClient,
    private readonly productArn: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async importFindings(findings: Finding[]): Promise<ImportFailure[]> {
    if (findings.length > SECURITY_HUB_BATCH_SIZE)
      throw new Error(`at most ${SECURITY_HUB_BATCH_SIZE} findings per BatchImportFindings, got ${findings.length}`);
    if (findings.length === 0) return [];
    const updatedAt = this.now().toISOString();
    const byAsffId = new Map(findings.map((f) => [asffId(f.event.id), f.event.id]));
    const out = await this.client.send(
      new BatchImportFindingsCommand({
        Findings: findings.map((f) => toAsff(f, { productArn: this.productArn, updatedAt })),
      }),
    );
    return (out.FailedFindings ?? []).map((failed) => ({
      eventId: byAsffId.get(failed.Id ?? "") ?? failed.Id ?? "unknown",
      code: failed.ErrorCode ?? "unknown",
      message: failed.ErrorMessage ?? "",
    }));
  }
}
