/**
 * The resolver gives every action exactly one decision (its entry's or one rule's), and refuses a
 * file where an action has none, has two, or is "gated" by an action that is not denied.
 */
import { bundledClassification } from "../../../src/policy/classification-data";
import type { ActionClassification, ActionDecision } from "../../../src/policy/classification-schema";
import {
  actionsDeniedBy,
  countDecisions,
  parseClassification,
  resolveClassification,
} from "../../../src/policy/classification";
import type { ConfigError } from "../../../src/config/load";

const readOnly: ActionDecision = { decision: "allowed", because: "read-only", reason: "reads metadata" };
const denyInvoke: ActionDecision = {
  decision: "denied",
  statements: [{ sid: "DenyInvokeOutsideModelAllowList", condition: "allow-list" }],
  reason: "runs inference",
};

function small(overrides: Partial<ActionClassification> = {}): ActionClassification {
  return {
    scope: [{ service: "bedrock" }],
    serviceWaivers: [],
    rules: [
      { id: "reads", actions: ["bedrock:Get*", "bedrock:List*"], accessLevels: ["Read", "List"], decision: readOnly },
    ],
    actions: [
      { action: "bedrock:GetAgent", accessLevel: "Read" },
      { action: "bedrock:ListAgents", accessLevel: "List" },
      { action: "bedrock:InvokeModel", accessLevel: "Read", decision: denyInvoke },
    ],
    ...overrides,
  };
}

test("the bundled classification resolves every action to exactly one decision", () => {
  const { classification, actions } = bundledClassification();
  expect(actions.map((a) => a.action)).toEqual(classification.actions.map((a) => a.action));
  expect(resolveClassification(classification).problems).toEqual([]);
});

test("an entry decides itself; otherwise the one rule that matches decides, and says so", () => {
  const { actions, problems } = resolveClassification(small());
  expect(problems).toEqual([]);
  expect(actions.map((a) => [a.action, a.decision.decision, a.decidedBy])).toEqual([
    ["bedrock:GetAgent", "allowed", "rule:reads"],
    ["bedrock:ListAgents", "allowed", "rule:reads"],
    ["bedrock:InvokeModel", "denied", "entry"],
  ]);
});

test("a rule limited to access levels does not decide an action at another level", () => {
  const c = small({ actions: [...small().actions, { action: "bedrock:GetInvokeTurbo", accessLevel: "Write" }] });
  expect(resolveClassification(c).problems).toEqual([
    "bedrock:GetInvokeTurbo (Write) has no decision: give it one or extend a rule",
  ]);
});

test("an action decided by its entry and a rule, or by two rules, is refused", () => {
  const both = small({
    actions: [{ action: "bedrock:GetAgent", accessLevel: "Read", decision: readOnly }, ...small().actions.slice(1)],
  });
  expect(resolveClassification(both).problems).toEqual([
    "bedrock:GetAgent is decided by its entry and rule reads: exactly one may decide",
  ]);
  const twoRules = small({
    rules: [...small().rules, { id: "agents", actions: ["bedrock:*Agent*"], decision: readOnly }],
  });
  expect(resolveClassification(twoRules).problems).toEqual([
    "bedrock:GetAgent is decided by rule reads and rule agents: exactly one may decide",
    "bedrock:ListAgents is decided by rule reads and rule agents: exactly one may decide",
  ]);
});

test("except keeps a rule off the actions it names", () => {
  const c = small({
    rules: [{ ...small().rules[0], except: ["bedrock:List*"] }],
    actions: small().actions.filter((a) => a.action !== "bedrock:ListAgents"),
  });
  expect(resolveClassification(c).problems).toEqual([]);
  const uncovered = small({ rules: [{ ...small().rules[0], except: ["bedrock:List*"] }] });
  expect(resolveClassification(uncovered).problems).toEqual([
    "bedrock:ListAgents (List) has no decision: give it one or extend a rule",
  ]);
});

test("a rule that decides nothing, a duplicate and an out-of-scope action are refused", () => {
  const c = small({
    rules: [...small().rules, { id: "stale", actions: ["bedrock:Gone*"], decision: readOnly }],
    actions: [
      ...small().actions,
      { action: "bedrock:getagent", accessLevel: "Read" },
      { action: "s3:GetObject", accessLevel: "Read", decision: readOnly },
    ],
  });
  expect(resolveClassification(c).problems).toEqual([
    "bedrock:getagent is listed twice",
    "s3:GetObject is outside the scope",
    "rule stale decides no action: remove it or fix its patterns",
  ]);
});

test("gated by an action that is not denied is refused", () => {
  const gated: ActionDecision = {
    decision: "allowed",
    because: "gated",
    gatedBy: ["bedrock:ListAgents", "bedrock:InvokeModel", "bedrock:Nothing"],
    reason: "its model calls are InvokeModel",
  };
  const c = small({
    actions: [...small().actions, { action: "bedrock:InvokeAgent", accessLevel: "Read", decision: gated }],
  });
  expect(resolveClassification(c).problems).toEqual([
    "bedrock:InvokeAgent is allowed as gated by bedrock:ListAgents, which is allowed",
    "bedrock:InvokeAgent is allowed as gated by bedrock:Nothing, which is not classified",
  ]);
});

test("the schema refuses gated without gatedBy, a waiver without the limits link, and unknown keys", () => {
  const problemsOf = (value: unknown) => {
    try {
      parseClassification(value, "x.json");
      return [];
    } catch (e) {
      return (e as ConfigError).problems;
    }
  };
  const withDecision = (decision: unknown) =>
    problemsOf({ ...small(), actions: [{ action: "bedrock:InvokeAgent", accessLevel: "Read", decision }] });
  expect(withDecision({ decision: "allowed", because: "gated", reason: "r" })).toEqual([
    'actions[0].decision.gatedBy: gatedBy is required when because is "gated", and only then',
  ]);
  expect(withDecision({ decision: "waived", reason: "r", link: "README.md#limits" })).toEqual([
    "actions[0].decision.link: must be docs/limits.md or docs/limits.md#<anchor>",
  ]);
  expect(withDecision({ ...denyInvoke, statements: [{ sid: "X", condition: "sometimes" }] })).toEqual([
    expect.stringMatching(/^actions\[0\]\.decision\.statements\[0\]\.condition: /),
  ]);
  expect(problemsOf({ ...small(), extra: 1 })).toEqual(['(top level): unknown key(s) "extra"']);
  expect(problemsOf({ ...small(), actions: [{ action: "bedrock:GetAgent", accessLevel: "Reading" }] })).toEqual([
    expect.stringMatching(/^actions\[0\]\.accessLevel: must be one or more of List, Read, Write/),
  ]);
  expect(problemsOf(small())).toEqual([]);
});

test("actionsDeniedBy lists a statement's actions in file order; counts are per service and decision", () => {
  const c = small({
    actions: [
      { action: "bedrock:InvokeModelWithResponseStream", accessLevel: "Read", decision: denyInvoke },
      ...small().actions,
    ],
  });
  const { actions } = resolveClassification(c);
  expect(actionsDeniedBy(actions, "DenyInvokeOutsideModelAllowList")).toEqual([
    "bedrock:InvokeModelWithResponseStream",
    "bedrock:InvokeModel",
  ]);
  expect(actionsDeniedBy(actions, "Other")).toEqual([]);
  expect([...countDecisions(actions)]).toEqual([["bedrock", { denied: 2, allowed: 2, waived: 0 }]]);
});
