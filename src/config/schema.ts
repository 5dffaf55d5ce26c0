/**
 * The user's guardrail.config.json: the organization-specific half of the single source of truth.
 * Only approvedPrincipalArns has no default, because only the user knows who may enable models.
 */
import { z } from "zod";
import { partitionOfRegion } from "../arn/partition";
import { PrincipalPattern, partitionMismatch } from "./arn-pattern";
import { AccountId, AwsConfigSchema, TargetId } from "./sections/aws";
import { MonitorConfigSchema } from "./sections/monitor";
import { RemediationConfigSchema } from "./sections/remediation";
import { ScpConfigSchema } from "./sections/scp";

export const GuardrailConfigSchema = z
  .strictObject({
    $schema: z
      .string()
      .optional()
      .describe("The JSON Schema editors check this file against (./guardrail.schema.json)"),
    /** Roles (ArnLike patterns on aws:PrincipalArn) allowed to enable Bedrock models. */
    approvedPrincipalArns: z
      .array(PrincipalPattern, {
        // The one key without a default: say so, and what to put there, instead of "expected array, received
        // undefined".
        error: (issue) =>
          issue.input === undefined
            ? "is required: the roles allowed to enable Bedrock models, e.g. " +
              '["arn:aws:iam::*:role/BedrockModelAccessAdmin"]'
            : undefined,
      })
      .describe(
        "ArnLike patterns on aws:PrincipalArn (for assumed roles: the role ARN with its path) allowed to enable " +
          "Bedrock models",
      ),
    /** Emergency roles: exempt from every statement and never remediated. */
    breakGlassPrincipalArns: z
      .array(PrincipalPattern)
      .default([])
      .describe("Emergency roles: exempt from every SCP statement and never remediated"),
    /** Where the SCP is attached. Empty: the organization root, looked up at plan time. */
    targets: z
      .array(TargetId)
      .default([])
      .describe("Root (r-...), OU (ou-...) or account IDs the SCP is attached to; empty = the organization root"),
    organization: z
      .strictObject({
        managementAccountId: AccountId.optional().describe(
          "The management account: SCPs never apply to it and remediation never touches it; looked up at run time " +
            "when absent",
        ),
      })
      .prefault({})
      .describe("The AWS Organization the guardrail is deployed to"),
    scp: ScpConfigSchema,
    // Its own section, not monitor's: the rules run on every backend, the local detect and hunt as the monitor.
    // Optional and without a default, so a config that does not set it is written into a bundle unchanged.
    detection: z
      .strictObject({
        disabledRules: z
          .array(z.string())
          .optional()
          .describe(
            "Ids of detection rules (event and correlation) no backend runs: a record a disabled rule would have " +
              "reported makes no finding, and no other rule takes it over (docs/rules.md)",
          ),
      })
      .optional()
      .describe("Which of the definition's detection rules run, on every backend"),
    aws: AwsConfigSchema,
    monitor: MonitorConfigSchema,
    remediation: RemediationConfigSchema,
  })
  .superRefine((c, ctx) => {
    // Everything the guardrail generates takes the partition of aws.region; the user's own ARNs must be in it too.
    const partition = partitionOfRegion(c.aws.region);
    const arnLists: [(string | number)[], readonly string[]][] = [
      [["approvedPrincipalArns"], c.approvedPrincipalArns],
      [["breakGlassPrincipalArns"], c.breakGlassPrincipalArns],
      [["scp", "exemptedPrincipalAdminArns"], c.scp.exemptedPrincipalAdminArns],
      [["scp", "modelAllowList"], c.scp.modelAllowList ?? []],
      [["remediation", "operatorPrincipalArns"], c.remediation.operatorPrincipalArns],
      [["remediation", "rotatedSecretReaders"], c.remediation.rotatedSecretReaders],
    ];
    for (const [path, patterns] of arnLists)
      patterns.forEach((pattern, i) => {
        const problem = partitionMismatch(pattern, partition, c.aws.region);
        if (problem) ctx.addIssue({ code: "custom", path: [...path, i], message: problem });
      });
    // The stacks' providers and the monitor's functions run in aws.region's partition: a role, event data store,
    // key or log group of another one can never be assumed or read from there.
    const arns: [(string | number)[], string | undefined][] = [
      [["aws", "organization", "assumeRoleArn"], c.aws.organization.assumeRoleArn],
      [["aws", "security", "assumeRoleArn"], c.aws.security.assumeRoleArn],
      [["monitor", "cloudtrailLake", "eventDataStoreArn"], c.monitor.cloudtrailLake.eventDataStoreArn],
      [["monitor", "athena", "kmsKeyArn"], c.monitor.athena.kmsKeyArn],
      [["monitor", "trailArn"], c.monitor.trailArn],
      ...c.monitor.cloudwatchLogs.logGroups.map((g, i): [(string | number)[], string] => [
        ["monitor", "cloudwatchLogs", "logGroups", i],
        g,
      ]),
    ];
    for (const [path, arn] of arns) {
      const problem = arn && partitionMismatch(arn, partition, c.aws.region);
      if (problem) ctx.addIssue({ code: "custom", path, message: problem });
    }
    // The guardrail deploys to or reads from each of these Regions with aws.region's partition: one of another
    // partition is never covered (no trail there, no credentials there). The state bucket may be elsewhere.
    for (const { path, region } of configuredRegions(c).filter((r) => r.inAwsRegionPartition)) {
      const other = partitionOfRegion(region);
      if (other !== partition)
        ctx.addIssue({
          code: "custom",
          path,
          message:
            `${region} is in partition ${other}, but aws.region ${c.aws.region} is in ${partition}: ` +
            `list Regions of ${partition}, or set aws.region to a Region of ${other}`,
        });
    }
    // SCPs never apply to the management account: attached there, the guardrail would protect nothing.
    const management = c.organization.managementAccountId;
    c.targets.forEach((t, i) => {
      if (t === management)
        ctx.addIssue({
          code: "custom",
          path: ["targets", i],
          message:
            `${t} is organization.managementAccountId, where SCPs do not apply: the guardrail would protect ` +
            "nothing there; attach it to the root or to the OUs and accounts of the workloads",
        });
    });
    const dup = c.targets.filter((t, i) => c.targets.indexOf(t) !== i);
    for (const t of new Set(dup))
      ctx.addIssue({ code: "custom", path: ["targets"], message: `lists ${t} more than once` });
    // A count for a target the SCP is not attached to is a typo or a stale entry, not a harmless extra.
    for (const t of Object.keys(c.scp.existingPoliciesPerTarget.byTarget)) {
      const attachedThere = c.targets.length > 0 ? c.targets.includes(t) : t.startsWith("r-");
      if (!attachedThere)
        ctx.addIssue({
          code: "custom",
          path: ["scp", "existingPoliciesPerTarget", "byTarget", t],
          message:
            c.targets.length > 0
              ? `${t} is not in targets: the SCP is attached only to ${c.targets.join(", ")}`
              : `${t} is not the organization root, where the SCP is attached (targets is empty)`,
        });
    }
  });

/**
 * Every Region the config names, with its key: aws.region, the state bucket's, and the Region lists, whose
 * entries (`inAwsRegionPartition`) must be in aws.region's partition.
 */
export function configuredRegions(
  c: GuardrailConfig,
): { path: (string | number)[]; region: string; inAwsRegionPartition: boolean }[] {
  const lists: [(string | number)[], string[]][] = [
    [["monitor", "athena", "regions"], c.monitor.athena.regions],
    [["monitor", "eventbridge", "regions"], c.monitor.eventbridge.regions],
    [["remediation", "regions"], c.remediation.regions],
  ];
  const state = c.aws.stateBackend;
  return [
    { path: ["aws", "region"], region: c.aws.region, inAwsRegionPartition: false },
    ...(state.type === "s3" && state.region
      ? [{ path: ["aws", "stateBackend", "region"], region: state.region, inAwsRegionPartition: false }]
      : []),
    ...lists.flatMap(([path, regions]) =>
      regions.map((region, i) => ({ path: [...path, i], region, inAwsRegionPartition: true })),
    ),
  ];
}

export type GuardrailConfigInput = z.input<typeof GuardrailConfigSchema>;
export type GuardrailConfig = z.infer<typeof GuardrailConfigSchema>;
