/**
 * The classification and the SCP say the same thing: each statement the classification names
 * denies exactly the actions the classification lists for it (in that order), and no statement
 * denies an action of a classified service that the classification does not attribute to it.
 */
import { inScope } from "../../../src/policy/classification";
import { bundledClassification } from "../../../src/policy/classification-data";
import { actionsDeniedBy, statementSids } from "../../../src/policy/classification";
import { PROTECT_EXEMPTED_SID } from "../../../src/policy/protect-exempted";
import { buildScpStatements } from "../../../src/policy/statements";
import { FULL_CONFIG, guardrailFor } from "../helpers";

/** Every optional statement on, and an exempted IAM user so the user-protection actions are emitted too. */
const EVERYTHING = {
  ...FULL_CONFIG,
  breakGlassPrincipalArns: [
    ...(FULL_CONFIG.breakGlassPrincipalArns ?? []),
    "arn:aws:iam::123456789012:user/break-glass",
  ],
};

const { classification, actions } = bundledClassification();
const statements = buildScpStatements(guardrailFor(EVERYTHING));

/**
 * A statement's actions with `service:*` (the builder writes Claude Platform on AWS that way) replaced
 * by the classified actions of that service the statement denies, in file order.
 */
const expandedActions = (sid: string, list: readonly string[]) =>
  list.flatMap((a) =>
    a.endsWith(":*") ? actionsDeniedBy(actions, sid).filter((x) => x.startsWith(a.slice(0, -1))) : [a],
  );

test("every statement the classification names is emitted, with exactly the classified actions in order", () => {
  const emitted = new Map(statements.map((s) => [s.Sid, expandedActions(s.Sid, s.Action)]));
  for (const sid of statementSids(actions)) {
    expect({ sid, actions: emitted.get(sid) }).toEqual({ sid, actions: actionsDeniedBy(actions, sid) });
  }
});

test("no statement denies a classified service's action the classification does not attribute to it", () => {
  const decisionOf = new Map(actions.map((a) => [a.action, a.decision.decision]));
  const unattributed = statements
    // The protection statement guards the exempted names (user credentials included), not a model action.
    .filter((s) => s.Sid !== PROTECT_EXEMPTED_SID)
    .flatMap((s) =>
      expandedActions(s.Sid, s.Action)
        .filter((a) => inScope(classification.scope, a))
        .map((a) => ({ sid: s.Sid, action: a })),
    )
    .filter(({ sid, action }) => !actionsDeniedBy(actions, sid).includes(action))
    .map(
      ({ sid, action }) =>
        `${sid} denies ${action}, which policies/action-classification.json has as ` +
        `${decisionOf.get(action) ?? "unclassified"}: make its decision "denied" with statement ${sid}`,
    );
  expect(unattributed).toEqual([]);
});

/** What each condition kind means in a statement's JSON. */
const CONDITION_SHAPE: Record<string, (s: (typeof statements)[number]) => boolean> = {
  "approved-only": (s) => s.Resource === "*" && Object.keys(s.Condition ?? {}).join() === "ArnNotLike",
  // NotResource on the classic endpoint; bedrock-mantle names the model in a condition key instead.
  "allow-list": (s) =>
    (s.NotResource?.length ?? 0) > 0 || JSON.stringify(s.Condition).includes('"bedrock-mantle:Model"'),
  "long-term-key": (s) =>
    /"(iam:ServiceSpecificCredentialServiceName|(bedrock(-mantle)?|aws-external-anthropic):BearerTokenType)"/.test(
      JSON.stringify(s.Condition),
    ),
  "called-via-bedrock": (s) => JSON.stringify(s.Condition).includes('"aws:CalledViaLast"'),
  "listed-products": (s) => JSON.stringify(s.Condition).includes('"aws-marketplace:ProductId"'),
  "model-invoking-service": (s) => JSON.stringify(s.Condition).includes('"iam:AWSServiceName"'),
};

test("each denial's condition kind matches its statement", () => {
  const bySid = new Map(statements.map((s) => [s.Sid, s]));
  const mismatched = actions.flatMap((a) =>
    a.decision.decision !== "denied"
      ? []
      : a.decision.statements
          .filter((s) => !CONDITION_SHAPE[s.condition]?.(bySid.get(s.sid)!))
          .map((s) => `${a.action}: ${s.sid} is not ${s.condition}`),
  );
  expect(mismatched).toEqual([]);
});
