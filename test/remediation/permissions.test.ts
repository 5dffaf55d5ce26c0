/**
 * Every SDK command remediation sends is declared (so the generated roles allow it), and nothing is declared that no
 * code sends.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MEMBER_ROLE_PERMISSIONS, RESPONDER_PERMISSIONS } from "../../src/remediation/permissions";
import { ROOT } from "./helpers";

const PREFIX: Record<string, string> = {
  iam: "iam",
  bedrock: "bedrock",
  "secrets-manager": "secretsmanager",
  sts: "sts",
  organizations: "organizations",
  dynamodb: "dynamodb",
  sns: "sns",
};
const FILES = ["executor.ts", "undo.ts", "member-clients.ts", "organization.ts", "dynamodb-store.ts"];

function sentActions(): Set<string> {
  const actions = new Set<string>();
  for (const f of FILES) {
    const text = fs.readFileSync(path.join(ROOT, "src", "remediation", f), "utf8");
    for (const m of text.matchAll(/import \{([^}]+)\} from "@aws-sdk\/client-([a-z-]+)"/g)) {
      for (const name of m[1].split(",").map((n) => n.trim()))
        if (name.endsWith("Command")) actions.add(`${PREFIX[m[2]]}:${name.slice(0, -"Command".length)}`);
    }
  }
  return actions;
}

it("declarations match the commands the code sends", () => {
  const declared = new Set([...MEMBER_ROLE_PERMISSIONS, ...RESPONDER_PERMISSIONS].flatMap((d) => d.actions));
  const sent = sentActions();
  expect(sent.size).toBeGreaterThan(10);
  for (const a of sent) expect(declared).toContain(a);
  const remediationDeclared = [
    ...MEMBER_ROLE_PERMISSIONS.flatMap((d) => d.actions),
    "sts:AssumeRole",
    "organizations:DescribeOrganization",
    "organizations:ListParents",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
  ];
  for (const a of remediationDeclared) expect(sent).toContain(a);
  expect(MEMBER_ROLE_PERMISSIONS.every((d) => d.resource.kind.startsWith("member-"))).toBe(true);
});
