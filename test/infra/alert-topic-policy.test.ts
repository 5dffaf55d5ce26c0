/**
 * The alert topic's access policy, from the synthesized stack, proven with the independent IAM simulator
 * (@cloud-copilot/iam-simulate, dev-only) together with the guardrail's SCP and the alert key's policy: a
 * security-account administrator with AdministratorAccess can neither subscribe an endpoint of their own (and so
 * receive every finding) nor rewrite the policy that stops them; the pipeline listed in
 * scp.exemptedPrincipalAdminArns and break-glass can. Publishing is closed at the key, and as CloudWatch at the topic
 * to every alarm but the monitor's own.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { GuardrailConfigInput } from "../../src/config/schema";
import { buildScpDocuments } from "../../src/policy/documents";
import { guardrailWith, resources, synthMonitor } from "./helpers";

const ACCOUNT = "444455556666";
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:bedrock-guardrail-alerts`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const PIPELINE = `arn:aws:iam::${ACCOUNT}:role/iam-pipeline/IamDeployer`;
const BREAK_GLASS = `arn:aws:iam::${ACCOUNT}:role/BreakGlass`;
const SECURITY_ADMIN = `arn:aws:iam::${ACCOUNT}:role/SecurityAccountAdmin`;
const QUERY_JOB = `arn:aws:iam::${ACCOUNT}:role/bedrock-guardrail/bedrock-guardrail-query-job`;
/** Amazon Q Developer in chat applications (AWS Chatbot) subscribes with this service-linked role. */
const CHATBOT_SLR_PATH = "aws-service-role/management.chatbot.amazonaws.com";
const CHATBOT = `arn:aws:iam::${ACCOUNT}:role/${CHATBOT_SLR_PATH}/AWSServiceRoleForAWSChatbot`;
const OUTSIDER = "arn:aws:iam::999999999999:role/Attacker";
const alarmArn = (name: string) => `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${name}`;
/** What the stack's alarms resolve to in this account (their names are fixed: src/infra/monitor/alarms.ts). */
const ALARM_NAME_OF_REF = /\$\{aws_cloudwatch_metric_alarm\.alarms_([\w-]+?)_\w+\.arn\}/g;
const CONFIG: Partial<GuardrailConfigInput> = {
  breakGlassPrincipalArns: ["arn:aws:iam::*:role/BreakGlass"],
  scp: { exemptedPrincipalAdminArns: ["arn:aws:iam::*:role/iam-pipeline/IamDeployer"] },
  monitor: { alertEmails: ["security@example.com"] },
};

/** Break-glass, then the admins: the principals the SCP lets change the topic. */
const CONFIG_SUBSCRIBERS = ["arn:aws:iam::*:role/BreakGlass", "arn:aws:iam::*:role/iam-pipeline/IamDeployer"];
const FULL_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

type Policy = { Statement: Record<string, any>[] };

/** A synthesized policy with the stack's references replaced by this account's concrete ARNs. */
function concrete(policy: string): Policy {
  return JSON.parse(
    policy
      .replace(/\$\{aws_sns_topic\.[\w-]+\.arn\}/g, TOPIC)
      .replace(ALARM_NAME_OF_REF, (_, id: string) => alarmArn(`bedrock-guardrail-query-job-${id}`))
      .replace(/\$\{data\.aws_caller_identity\.caller\.account_id\}/g, ACCOUNT)
      .replace(/\$\{data\.aws_partition\.partition\.partition\}/g, "aws"),
  );
}

function topicPolicyOf(config: Partial<GuardrailConfigInput>): Policy {
  const policies = resources(synthMonitor(config), "aws_sns_topic_policy");
  expect(policies).toHaveLength(1);
  return concrete(policies[0].policy);
}

describe("the alert topic's access policy", () => {
  const synth = synthMonitor(CONFIG);
  const [topicPolicy] = resources(synth, "aws_sns_topic_policy");
  // Without a topic policy the tests below fail on what it should say, not while collecting them.
  const policy = topicPolicy ? concrete(topicPolicy.policy) : { Statement: [] };
  const keyPolicy = concrete(resources(synth, "aws_kms_key")[0].policy);
  const scps = buildScpDocuments(guardrailWith(CONFIG)).map((d) => ({ name: d.name, policy: JSON.parse(d.content) }));

  /**
   * The decision for one call by a principal with AdministratorAccess in its own account, under the
   * organization's SCPs (not for a service-linked role: SCPs never apply to those).
   */
  async function decide(principal: string, action: string, resource = TOPIC, resourcePolicy: unknown = policy) {
    const serviceLinked = principal.includes(":role/aws-service-role/");
    const result = await runSimulation(
      {
        request: {
          principal,
          action,
          resource: { resource, accountId: ACCOUNT },
          contextVariables: {
            "aws:PrincipalArn": principal,
            "aws:PrincipalAccount": principal.split(":")[4],
            "aws:ResourceTag/managed-by": "bedrock-guardrail",
          },
        },
        identityPolicies: [{ name: "AdministratorAccess", policy: FULL_ACCESS }],
        serviceControlPolicies: serviceLinked
          ? []
          : [{ orgIdentifier: "r-ab12", policies: [{ name: "FullAWSAccess", policy: FULL_ACCESS }, ...scps] }],
        resourceControlPolicies: [],
        resourcePolicy,
      },
      {},
    );
    if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }

  test("is attached to the alert topic", () => {
    expect(topicPolicy?.arn).toMatch(/^\$\{aws_sns_topic\.alerting_topic_\w+\.arn\}$/);
    expect(policy.Statement.map((s) => s.Resource)).toEqual([TOPIC, TOPIC, TOPIC]);
  });

  test("a security-account administrator can neither subscribe nor rewrite the policy that stops it", async () => {
    for (const action of ["sns:Subscribe", "sns:SetTopicAttributes", "sns:AddPermission", "sns:RemovePermission"])
      expect(`${action}: ${await decide(SECURITY_ADMIN, action)}`).toBe(`${action}: ExplicitlyDenied`);
  });

  test("the pipeline that deploys the monitor subscribes e-mails and sets the policy; so may break-glass", async () => {
    for (const who of [PIPELINE, BREAK_GLASS])
      for (const action of ["sns:Subscribe", "sns:SetTopicAttributes"])
        expect(`${who} ${action}: ${await decide(who, action)}`).toBe(`${who} ${action}: Allowed`);
  });

  test("nobody else subscribes: the tool's roles, Chatbot's service-linked role, another account", async () => {
    expect(await decide(QUERY_JOB, "sns:Subscribe")).toBe("ExplicitlyDenied");
    expect(await decide(CHATBOT, "sns:Subscribe")).toBe("ExplicitlyDenied");
    expect(await decide(OUTSIDER, "sns:Subscribe")).toBe("ExplicitlyDenied");
  });

  test("the Deny makes no exception for AWS service principals or requests without a principal ARN", async () => {
    // Even a statement added later that allowed a service to subscribe would not get past it.
    const allowService = { Effect: "Allow", Principal: { Service: "chatbot.amazonaws.com" }, Resource: TOPIC };
    const withService = { ...policy, Statement: [...policy.Statement, { ...allowService, Action: "sns:Subscribe" }] };
    const asService = await runSimulation(
      {
        request: {
          principal: "chatbot.amazonaws.com",
          action: "sns:Subscribe",
          resource: { resource: TOPIC, accountId: ACCOUNT },
          contextVariables: {},
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: withService,
      },
      {},
    );
    expect(asService.resultType === "single" && asService.overallResult).toBe("ExplicitlyDenied");
    const deny = policy.Statement.find((s) => s.Effect === "Deny");
    expect(deny).toEqual({
      Sid: "OnlyNamedPrincipalsSubscribe",
      Effect: "Deny",
      Principal: "*",
      Action: ["sns:Subscribe"],
      Resource: TOPIC,
      Condition: { ArnNotLike: { "aws:PrincipalArn": CONFIG_SUBSCRIBERS } },
    });
  });

  test("keeps SNS's default statement for the account: reading and publishing are unchanged at the topic", async () => {
    expect(policy.Statement[0]).toMatchObject({
      Effect: "Allow",
      Principal: { AWS: "*" },
      Condition: { StringEquals: { "AWS:SourceOwner": ACCOUNT } },
    });
    expect(await decide(SECURITY_ADMIN, "sns:ListSubscriptionsByTopic")).toBe("Allowed");
    expect(await decide(SECURITY_ADMIN, "sns:Publish")).toBe("Allowed");
  });

  /** CloudWatch publishing for an alarm, as SNS evaluates it: the service principal, the alarm as aws:SourceArn. */
  async function alarmPublishes(alarm: string) {
    const result = await runSimulation(
      {
        request: {
          principal: "cloudwatch.amazonaws.com",
          action: "sns:Publish",
          resource: { resource: TOPIC, accountId: ACCOUNT },
          contextVariables: { "aws:SourceArn": alarm, "aws:SourceAccount": ACCOUNT, "aws:SourceOwner": ACCOUNT },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: policy,
      },
      {},
    );
    if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }

  test("the monitor's alarms publish as CloudWatch; another alarm of the account cannot page responders", async () => {
    const alarms = resources(synth, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name as string);
    expect(alarms).toHaveLength(4);
    for (const name of alarms) expect(`${name}: ${await alarmPublishes(alarmArn(name))}`).toBe(`${name}: Allowed`);
    // An administrator's own alarm, even one named like the monitor's (the real ones exist and carry the tag).
    for (const name of ["FakeBedrockFinding", "bedrock-guardrail-query-job-errors-2"])
      expect(`${name}: ${await alarmPublishes(alarmArn(name))}`).toBe(`${name}: ExplicitlyDenied`);
    // The same alarm name in another Region or account is another alarm.
    const elsewhere = alarmArn("bedrock-guardrail-query-job-errors").replace(":us-east-1:", ":eu-west-1:");
    expect(await alarmPublishes(elsewhere)).toBe("ExplicitlyDenied");
    // The function roles publish as themselves, with no source: unchanged (the key decides, below).
    expect(await decide(QUERY_JOB, "sns:Publish")).toBe("Allowed");
  });

  test("publishing is closed at the key: only the function roles may use it, not an administrator", async () => {
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
      expect(`${action}: ${await decide(SECURITY_ADMIN, action, KEY, keyPolicy)}`).toBe(`${action}: ImplicitlyDenied`);
      expect(`${action}: ${await decide(QUERY_JOB, action, KEY, keyPolicy)}`).toBe(`${action}: Allowed`);
    }
    // Nor can the administrator give itself the key: its policy and grants are the admins' (or not granted at all).
    expect(await decide(SECURITY_ADMIN, "kms:PutKeyPolicy", KEY, keyPolicy)).toBe("ExplicitlyDenied");
    expect(await decide(SECURITY_ADMIN, "kms:CreateGrant", KEY, keyPolicy)).toBe("ImplicitlyDenied");
  });
});

describe("the alert topic's access policy without admins", () => {
  test("neither break-glass nor admins: the Deny has no condition, so nobody subscribes", () => {
    const policy = topicPolicyOf({ breakGlassPrincipalArns: [], monitor: { alertEmails: [] } });
    const deny = policy.Statement.find((s) => s.Effect === "Deny");
    expect(deny).toMatchObject({ Action: ["sns:Subscribe"], Principal: "*" });
    expect(deny).not.toHaveProperty("Condition");
  });

  test("scp.protectGuardrail off: SNS's default statement alone, as before", () => {
    const policy = topicPolicyOf({ scp: { protectGuardrail: false } });
    expect(policy.Statement.map((s) => s.Sid)).toEqual(["AccountUsesTopic"]);
    // So the config reference must not promise the restriction without its condition.
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "guardrail.schema.json"), "utf8"));
    expect(schema.properties.monitor.properties.alertEmails.description).toMatch(
      /with scp\.protectGuardrail, only break-glass/,
    );
  });
});
