import * as fs from "node:fs";
import * as path from "node:path";
import { configJsonSchemaText, SCHEMA_FILE } from "../../src/config/json-schema";
import { parseConfig, resolveConfigPath } from "../../src/config/load";
import { APPROVED_ROLE, configProblems as problemsOf } from "./helpers";

const ok = { approvedPrincipalArns: [APPROVED_ROLE] };

describe("config validation", () => {
  it("accepts the minimal config and fills defaults", () => {
    const c = parseConfig(ok);
    expect(c.breakGlassPrincipalArns).toEqual([]);
    expect(c.targets).toEqual([]);
    expect(c.scp).toMatchObject({
      maxPolicySize: 10_240,
      maxPoliciesPerTarget: 10,
      existingPoliciesPerTarget: { default: 1, byTarget: {} },
      denyMarketplaceSubscribeViaBedrock: true,
      denyMarketplaceProductIds: [],
    });
    expect(c.scp.modelAllowList).toBeUndefined();
    expect(c.aws.region).toBe("us-east-1");
  });

  it("takes EventBridge's pattern size quota as 2,048 characters unless raised, and never past AWS's 4,096", () => {
    expect(parseConfig(ok).monitor.eventbridge.maxPatternChars).toBe(2048);
    expect(
      parseConfig({ ...ok, monitor: { eventbridge: { maxPatternChars: 4096 } } }).monitor.eventbridge,
    ).toMatchObject({ maxPatternChars: 4096 });
    expect(problemsOf({ ...ok, monitor: { eventbridge: { maxPatternChars: 4097 } } })).toEqual([
      expect.stringMatching(/^monitor\.eventbridge\.maxPatternChars: Too big: expected number to be <=4096/),
    ]);
  });

  it("refuses a monitor.athena.startDate that is no day of the calendar, as athena-ddl refuses it", () => {
    const athena = (startDate: string) => problemsOf({ ...ok, monitor: { athena: { startDate } } });
    expect(athena("2024/02/30")).toEqual(["monitor.athena.startDate: is no day of the calendar (YYYY/MM/DD)"]);
    expect(athena("2023/02/29")).toHaveLength(1);
    expect(athena("2024-02-01")).toEqual([expect.stringMatching(/^monitor\.athena\.startDate: must be a date/)]);
    expect(athena("2024/02/29")).toEqual([]);
  });

  it("refuses a model allow-list entry with $ (IAM would read ${...} in it as a policy variable)", () => {
    const entry = "arn:aws:bedrock:*::foundation-model/${aws:username}";
    expect(problemsOf({ ...ok, scp: { modelAllowList: [entry] } })).toEqual([
      expect.stringMatching(
        /^scp\.modelAllowList\[0\]: contains "\$": in an SCP, IAM reads \$\{\.\.\.\} as a policy var/,
      ),
    ]);
  });

  it("takes up to AWS Organizations' quota of 10 SCPs per target, never more", () => {
    expect(parseConfig({ ...ok, scp: { maxPoliciesPerTarget: 10 } }).scp.maxPoliciesPerTarget).toBe(10);
    expect(problemsOf({ ...ok, scp: { maxPoliciesPerTarget: 11 } })).toEqual([
      "scp.maxPoliciesPerTarget: must be at most 10: AWS Organizations attaches no more SCPs to a target",
    ]);
  });

  it("takes an SCP document size up to AWS Organizations' quota of 10,240 characters, never past it", () => {
    expect(parseConfig({ ...ok, scp: { maxPolicySize: 10_240 } }).scp.maxPolicySize).toBe(10_240);
    expect(problemsOf({ ...ok, scp: { maxPolicySize: 10_241 } })).toEqual([
      "scp.maxPolicySize: must be at most 10240: AWS Organizations refuses a larger SCP document",
    ]);
  });

  it("requires approvedPrincipalArns", () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^approvedPrincipalArns: /)]);
  });

  it.each([
    [{ ...ok, approvedPrincipalArn: [] }, /^\(top level\): unknown key\(s\) "approvedPrincipalArn"/],
    [{ ...ok, scp: { maxPolicySize: 5120, denyMarketplace: true } }, /^scp: unknown key\(s\) "denyMarketplace"/],
    [{ ...ok, aws: { organization: { role: "x" } } }, /^aws\.organization: unknown key\(s\) "role"/],
  ])("rejects unknown keys, naming where (%#)", (config, message) => {
    expect(problemsOf(config)).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ["*", /approvedPrincipalArns\[0\]: "\*" exempts every principal/],
    ["arn:aws:iam::*:*", /approvedPrincipalArns\[0\]: "arn:aws:iam::\*:\*" exempts every principal in the account/],
    ["arn:aws:iam::*:role/*", /approvedPrincipalArns\[0\]: "arn:aws:iam::\*:role\/\*" exempts every role/],
    ["arn:aws:iam::*:role/team/*", /exempts every role/],
    ["arn:aws:iam::*:user/?*", /exempts every user/],
    ["arn:aws:iam::*:root", /exempts the root user of every account/],
    ["BedrockModelAccessAdmin", /is not an ARN/],
    ["arn:aws:iam:us-east-1:123456789012:role/X", /empty region/],
    ["arn:aws:s3:::bucket", /must be an IAM principal ARN/],
    ["arn:aws:iam::12345:role/X", /account "12345": use a 12-digit account ID or \*/],
    ["arn:aws:sts::123456789012:assumed-role/X/session", /names a session ARN/],
    ["arn:aws:iam::123456789012:group/Admins", /expected role\/\.\.\./],
    [" arn:aws:iam::123456789012:role/X", /surrounding spaces/],
    ["arn:awz:iam::123456789012:role/X", /unknown partition/],
  ])("rejects the exemption %s", (pattern, message) => {
    const problems = problemsOf({ approvedPrincipalArns: [pattern] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^approvedPrincipalArns\[0\]: /);
    expect(problems[0]).toMatch(message);
  });

  it("applies the same rules to break-glass patterns, naming that key", () => {
    expect(problemsOf({ ...ok, breakGlassPrincipalArns: ["arn:aws:iam::123456789012:role/BreakGlass", "*"] })).toEqual([
      expect.stringMatching(/^breakGlassPrincipalArns\[1\]: "\*" exempts every principal/),
    ]);
  });

  describe("the partition of the user's ARNs against aws.region's (every generated ARN takes the latter)", () => {
    const GOV_ROLE = "arn:aws-us-gov:iam::*:role/BedrockModelAccessAdmin";
    const GOV_MODEL = "arn:aws-us-gov:bedrock:*::foundation-model/anthropic.claude-sonnet-4-5*";

    it("rejects GovCloud ARNs when aws.region is left at its default, one line per ARN naming both partitions", () => {
      expect(problemsOf({ approvedPrincipalArns: [GOV_ROLE], scp: { modelAllowList: [GOV_MODEL] } })).toEqual([
        `approvedPrincipalArns[0]: "${GOV_ROLE}" is in partition aws-us-gov, but aws.region us-east-1 is in aws: ` +
          "set aws.region to a Region of aws-us-gov, or write the ARN in aws",
        `scp.modelAllowList[0]: "${GOV_MODEL}" is in partition aws-us-gov, but aws.region us-east-1 is in aws: ` +
          "set aws.region to a Region of aws-us-gov, or write the ARN in aws",
      ]);
    });

    it("rejects commercial ARNs in every principal list when aws.region is a GovCloud Region", () => {
      const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
      const problems = problemsOf({
        aws: { region: "us-gov-west-1" },
        approvedPrincipalArns: [GOV_ROLE, role("Approved")],
        breakGlassPrincipalArns: [role("BreakGlass")],
        scp: { exemptedPrincipalAdminArns: [role("IamDeployer")] },
        remediation: { operatorPrincipalArns: [role("Responder")], rotatedSecretReaders: [role("Reader")] },
      });
      expect(problems.map((p) => p.slice(0, p.indexOf(":")))).toEqual([
        "approvedPrincipalArns[1]",
        "breakGlassPrincipalArns[0]",
        "scp.exemptedPrincipalAdminArns[0]",
        "remediation.operatorPrincipalArns[0]",
        "remediation.rotatedSecretReaders[0]",
      ]);
      for (const p of problems)
        expect(p).toMatch(/is in partition aws, but aws\.region us-gov-west-1 is in aws-us-gov/);
    });

    it("rejects a role, event data store, key or log group ARN of another partition, naming the key", () => {
      const gov = (service: string, resource: string) =>
        `arn:aws-us-gov:${service}:us-gov-west-1:123456789012:${resource}`;
      const problems = problemsOf({
        ...ok,
        aws: {
          organization: { assumeRoleArn: "arn:aws-us-gov:iam::123456789012:role/OrganizationAdmin" },
          security: { assumeRoleArn: "arn:aws-cn:iam::123456789012:role/SecurityAdmin" },
        },
        monitor: {
          cloudtrailLake: { eventDataStoreArn: gov("cloudtrail", "eventdatastore/abc") },
          athena: { kmsKeyArn: gov("kms", "key/abc") },
          trailArn: gov("cloudtrail", "trail/org-trail"),
          cloudwatchLogs: { logGroups: ["org-trail", gov("logs", "log-group:org-trail")] },
        },
      });
      expect(problems.map((p) => p.slice(0, p.indexOf(":")))).toEqual([
        "aws.organization.assumeRoleArn",
        "aws.security.assumeRoleArn",
        "monitor.cloudtrailLake.eventDataStoreArn",
        "monitor.athena.kmsKeyArn",
        "monitor.trailArn",
        "monitor.cloudwatchLogs.logGroups[1]",
      ]);
      for (const p of problems)
        expect(p).toMatch(/is in partition aws-(us-gov|cn), but aws\.region us-east-1 is in aws: /);
      expect(
        problemsOf({
          ...ok,
          aws: { organization: { assumeRoleArn: "arn:aws:iam::123456789012:role/OrganizationAdmin" } },
          monitor: { cloudwatchLogs: { logGroups: ["arn:aws:logs:us-east-1:123456789012:log-group:org-trail"] } },
        }),
      ).toEqual([]);
    });

    it("rejects a monitor.trailArn that is no trail ARN, in one line naming the key", () => {
      for (const trailArn of ["org-trail", "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/abc"])
        expect(problemsOf({ ...ok, monitor: { trailArn } })).toEqual([
          expect.stringMatching(/^monitor\.trailArn: must be a CloudTrail trail ARN/),
        ]);
      const trailArn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail";
      expect(problemsOf({ ...ok, monitor: { trailArn } })).toEqual([]);
    });

    it("accepts ARNs of aws.region's partition, and a * partition anywhere", () => {
      expect(
        problemsOf({
          aws: { region: "us-gov-west-1" },
          approvedPrincipalArns: [GOV_ROLE],
          scp: { modelAllowList: [GOV_MODEL] },
        }),
      ).toEqual([]);
      const anyPartition = {
        approvedPrincipalArns: ["arn:*:iam::*:role/BedrockModelAccessAdmin"],
        scp: { modelAllowList: ["arn:*:bedrock:*::foundation-model/amazon.nova-pro-v1:0"] },
      };
      expect(problemsOf(anyPartition)).toEqual([]);
      expect(problemsOf({ ...anyPartition, aws: { region: "cn-north-1" } })).toEqual([]);
    });
  });

  it.each(["r-ab12", "ou-ab12-34cd56ef", "123456789012"])("accepts the target %s", (t) => {
    expect(problemsOf({ ...ok, targets: [t] })).toEqual([]);
  });

  it.each(["r-", "root", "ou-ab12", "12345678901", "1234567890123", "o-abcdefghij", "OU-AB12-34CD56EF"])(
    "rejects the target %s naming targets[0]",
    (t) => {
      expect(problemsOf({ ...ok, targets: [t] })).toEqual([
        expect.stringMatching(
          /^targets\[0\]: must be an organization root \(r-\.\.\.\), an OU \(ou-\.\.\.-\.\.\.\) or a 12-digit acc/,
        ),
      ]);
    },
  );

  it("rejects the management account as a target: SCPs do not apply there", () => {
    const organization = { managementAccountId: "123456789012" };
    expect(problemsOf({ ...ok, organization, targets: ["ou-ab12-34cd56ef", "123456789012"] })).toEqual([
      "targets[1]: 123456789012 is organization.managementAccountId, where SCPs do not apply: the guardrail would " +
        "protect nothing there; attach it to the root or to the OUs and accounts of the workloads",
    ]);
    expect(problemsOf({ ...ok, organization, targets: ["210987654321"] })).toEqual([]);
  });

  it("rejects duplicate targets", () => {
    expect(problemsOf({ ...ok, targets: ["r-ab12", "r-ab12"] })).toEqual(["targets: lists r-ab12 more than once"]);
  });

  it("rejects a second remediation override for one target (the first would win silently)", () => {
    const overrides = [
      { target: "123456789012", mode: "enforce" },
      { target: "ou-ab12-34cd56ef", mode: "dry-run" },
      { target: "123456789012", mode: "off" },
    ] as const;
    expect(problemsOf({ ...ok, remediation: { overrides: [...overrides] } })).toEqual([
      "remediation.overrides[2].target: 123456789012 is also overrides[0]'s target: one mode per account or OU",
    ]);
    expect(problemsOf({ ...ok, remediation: { overrides: overrides.slice(0, 2) } })).toEqual([]);
  });

  it("reports every problem at once, each naming its key", () => {
    const problems = problemsOf({
      approvedPrincipalArns: ["*"],
      targets: ["nope"],
      scp: { maxPolicySize: 10, modelAllowList: ["anthropic.*"] },
      aws: { region: "Mars" },
    });
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "approvedPrincipalArns[0]",
      "aws.region",
      "scp.maxPolicySize",
      "scp.modelAllowList[0]",
      "targets[0]",
    ]);
  });

  it("validates the SCP controls", () => {
    expect(problemsOf({ ...ok, scp: { modelAllowList: [] } })).toEqual([
      expect.stringMatching(/^scp\.modelAllowList: must list at least one model pattern/),
    ]);
    expect(problemsOf({ ...ok, scp: { denyMarketplaceProductIds: ["Prod X"] } })).toEqual([
      expect.stringMatching(/^scp\.denyMarketplaceProductIds\[0\]: must be a Marketplace product ID/),
    ]);
    expect(
      problemsOf({
        ...ok,
        scp: { denyMarketplaceProductIds: ["prod-4pmewlybdftbs", "c468b48a-84df-43a4-8c46-8870630108a7"] },
      }),
    ).toEqual([]);
    expect(
      problemsOf({
        ...ok,
        scp: {
          modelAllowList: [
            "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4*",
            "arn:aws:bedrock:*:*:inference-profile/us.anthropic.*",
          ],
        },
      }),
    ).toEqual([]);
  });

  it("validates stack credentials", () => {
    expect(problemsOf({ ...ok, aws: { organization: { assumeRoleArn: "arn:aws:iam::123:role/X" } } })).toEqual([
      expect.stringMatching(/^aws\.organization\.assumeRoleArn: must be an IAM role ARN/),
    ]);
    expect(problemsOf({ ...ok, aws: { organization: { accountId: "12" } } })).toEqual([
      expect.stringMatching(/^aws\.organization\.accountId: must be a 12-digit AWS account ID/),
    ]);
  });

  it("resolves the config path: --config, then $GUARDRAIL_CONFIG, then ./guardrail.config.json", () => {
    const cwd = path.join(path.sep, "repo");
    expect(resolveConfigPath("x.json", { GUARDRAIL_CONFIG: "y.json" }, cwd)).toBe(path.join(cwd, "x.json"));
    expect(resolveConfigPath(undefined, { GUARDRAIL_CONFIG: "y.json" }, cwd)).toBe(path.join(cwd, "y.json"));
    expect(resolveConfigPath(undefined, {}, cwd)).toBe(path.join(cwd, "guardrail.config.json"));
  });

  it("the repository's guardrail.config.json is valid", () => {
    const file = path.join(__dirname, "..", "..", "guardrail.config.json");
    expect(problemsOf(JSON.parse(fs.readFileSync(file, "utf8")))).toEqual([]);
  });
});

describe("published JSON Schema", () => {
  it(`${SCHEMA_FILE} is up to date (regenerate with: npm run schema)`, () => {
    const committed = fs.readFileSync(path.join(__dirname, "..", "..", SCHEMA_FILE), "utf8");
    expect(committed).toBe(configJsonSchemaText());
  });

  it("lists every top-level key, requires only approvedPrincipalArns and forbids unknown keys", () => {
    const schema = JSON.parse(configJsonSchemaText());
    expect(schema.required).toEqual(["approvedPrincipalArns"]);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual([
      "$schema",
      "approvedPrincipalArns",
      "aws",
      "breakGlassPrincipalArns",
      "detection",
      "monitor",
      "organization",
      "remediation",
      "scp",
      "targets",
    ]);
    expect(schema.properties.scp.properties.maxPolicySize.default).toBe(10_240);
  });
});
