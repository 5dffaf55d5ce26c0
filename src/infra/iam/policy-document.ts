/**
 * IAM policy documents built from the code's PermissionDeclarations (src/runtime/permissions.ts).
 * Pure: the caller supplies the ARN(s) each ResourceRef kind stands for in the stack being built,
 * so a role holds exactly what its code declares, on exactly the resources the stack created.
 */
import type { PermissionDeclaration, ResourceRef } from "../../aws/permissions";
import { isNoResourceLevelAction } from "./no-resource-level-actions";

type ResourceKind = Exclude<ResourceRef["kind"], "any">;
/** ARN(s) per resource kind; tokens (e.g. `${aws_sns_topic.x.arn}`) are fine. */
export type ResourceArns = Partial<Record<ResourceKind, string[]>>;

type Condition = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
  Condition?: Condition;
}

interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** A declaration the stack cannot grant: names the role, the declaration and the problem. */
class PermissionMappingError extends Error {
  constructor(role: string, problems: string[]) {
    super(`cannot build the IAM policy of ${role}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PermissionMappingError";
  }
}

const ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;

function sidFor(kind: string): string {
  return kind
    .split("-")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

/**
 * One Allow statement per resource kind (sorted, de-duplicated), in a stable order so that two
 * synths are byte-identical. Throws when an action is a wildcard, when a kind has no ARN in this
 * stack, or when an "any" declaration names an action that supports resource-level permissions.
 */
export function statementsFromDeclarations(
  role: string,
  declarations: readonly PermissionDeclaration[],
  arns: ResourceArns,
): PolicyStatement[] {
  const problems: string[] = [];
  // One group per resource kind and condition: a condition narrows only the grants declared with it.
  const byKind = new Map<string, Set<string>>();
  const conditionOf = new Map<string, PermissionDeclaration["condition"]>();
  const groupOf = (kind: string, condition: PermissionDeclaration["condition"]) => {
    const key = `${kind}\u0000${condition ? stableJson(condition) : ""}`;
    conditionOf.set(key, condition);
    return key;
  };
  for (const d of declarations) {
    for (const action of d.actions) {
      if (!ACTION.test(action)) {
        problems.push(`"${action}" (${d.why}) is not a fully named IAM action; wildcards are not allowed`);
        continue;
      }
      if (d.resource.kind === "any" && !isNoResourceLevelAction(action)) {
        problems.push(
          `"${action}" (${d.why}) is declared on any resource, but it is not in NO_RESOURCE_LEVEL_ACTIONS: declare ` +
            `the resource it acts on`,
        );
        continue;
      }
      if (d.resource.kind !== "any" && !arns[d.resource.kind]?.length) {
        problems.push(
          `"${action}" (${d.why}) needs resource kind "${d.resource.kind}", which this stack does not provide`,
        );
        continue;
      }
      if (d.resource.kind !== "any" && arns[d.resource.kind]!.includes("*") && !isNoResourceLevelAction(action)) {
        problems.push(
          `"${action}" (${d.why}) would be granted on "*" through kind "${d.resource.kind}", but it supports ` +
            `resource-level permissions`,
        );
        continue;
      }
      const group = groupOf(d.resource.kind, d.condition);
      const set = byKind.get(group) ?? new Set<string>();
      set.add(action);
      byKind.set(group, set);
    }
  }
  // An unconditioned grant of the same action on the same resources would make the condition moot.
  for (const [group, actions] of byKind) {
    const [kind, condition] = group.split("\u0000");
    if (!condition) continue;
    for (const a of actions)
      if (byKind.get(`${kind}\u0000`)?.has(a))
        problems.push(`"${a}" is declared on "${kind}" both with and without the condition ${condition}`);
  }
  if (problems.length > 0) throw new PermissionMappingError(role, problems);
  const groups = [...byKind.keys()].sort();
  const kindOf = (group: string) => group.split("\u0000")[0];
  const conditionedSeen = new Map<string, number>();
  return groups.map((group) => {
    const kind = kindOf(group);
    const condition = conditionOf.get(group);
    const base = kind === "any" ? "NoResourceLevelPermissions" : sidFor(kind);
    // The kind's Sid as before; only a kind granted both with and without conditions numbers the others.
    const shared = groups.filter((g) => kindOf(g) === kind).length > 1;
    const n = condition ? (conditionedSeen.get(kind) ?? 0) + 1 : 0;
    if (condition) conditionedSeen.set(kind, n);
    return {
      Sid: condition && shared ? `${base}Conditioned${n}` : base,
      Effect: "Allow" as const,
      Action: [...byKind.get(group)!].sort(),
      Resource: kind === "any" ? ["*"] : [...new Set(arns[kind as ResourceKind]!)],
      ...(condition ? { Condition: condition } : {}),
    };
  });
}

/** JSON with object keys sorted, so equal conditions group together whatever their key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

function policyDocument(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * An IAM policy variable such as `${aws:PrincipalOrgID}`: Terraform would read `${` as its own
 * interpolation, so it is written `$${...}`, which Terraform turns back into the literal. cdktf
 * tokens (`${TfToken[...]}`) carry no colon and are left alone.
 */
const POLICY_VARIABLE = /\$\{(?=[A-Za-z0-9-]+:[A-Za-z0-9_/-]+\})/g;

/** Compact JSON (IAM counts characters); tokens inside strings are resolved by cdktf. */
export function policyJson(statements: PolicyStatement[]): string {
  return JSON.stringify(policyDocument(statements)).replace(POLICY_VARIABLE, "$$${");
}

/**
 * A role trust policy for an AWS service (lambda, scheduler, events), limited by aws:SourceAccount
 * to that service acting for this account, so no other account's resource can use the role.
 */
export function serviceTrustPolicy(service: string, accountId: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  });
}
