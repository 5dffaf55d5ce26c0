/**
 * Every SDK command that any module under src/ sends is allowed by the declarations the IAM policies are
 * generated from (src/infra/declarations.ts), and every declared action is sent by some module. The modules
 * are found by scanning src/, not listed here, so a new file that calls AWS cannot escape the check.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EVENT_DATA_STORE_LOOKUP_PERMISSIONS } from "../../src/aws/tool-event-data-store";
import { MONITOR_BACKENDS } from "../../src/config/backends";
import { codeDeclarations, type DeclarationOptions } from "../../src/infra/declarations";

const SRC = path.join(__dirname, "..", "..", "src");

/** SDK package (after @aws-sdk/client-) -> IAM service prefix, where the two differ. */
const IAM_PREFIX: Record<string, string> = {
  "secrets-manager": "secretsmanager",
  "cloudwatch-logs": "logs",
};

/** Commands that need no IAM permission (AWS answers them for any authenticated caller). */
const NEEDS_NO_PERMISSION = new Set(["sts:GetCallerIdentity"]);

/**
 * Actions that no command names but that a sent command makes AWS check on the caller: publishing to a
 * topic encrypted with a customer-managed key needs the key (SNS calls KMS as the publisher); an Athena
 * query reads the Glue table, the trail's objects (and their key) and writes its results as the caller;
 * CreateSecret with tags (a rotated key's secret) needs TagResource too.
 */
const ATHENA_QUERY = "athena:StartQueryExecution";
const IMPLIED_BY: Record<string, string[]> = {
  "kms:GenerateDataKey": ["sns:Publish"],
  "kms:Decrypt": ["sns:Publish", ATHENA_QUERY],
  "secretsmanager:TagResource": ["secretsmanager:CreateSecret"],
  ...Object.fromEntries(
    [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetPartitions",
      "s3:GetBucketLocation",
      "s3:ListBucket",
      "s3:GetObject",
      "s3:PutObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ].map((action) => [action, [ATHENA_QUERY]]),
  ),
};

/** TransactWriteItems is no IAM action: IAM authorizes each item by the action of its kind. */
const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
};

function actionsOf(prefix: string, command: string, moduleText: string): string[] {
  if (`${prefix}:${command}` !== "dynamodb:TransactWriteItems") return [`${prefix}:${command}`];
  return Object.entries(TRANSACT_ITEM_ACTIONS)
    .filter(([kind]) => new RegExp(`\\b${kind}: \\{`).test(moduleText))
    .map(([, action]) => action);
}

function* tsFiles(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(full);
    else if (entry.name.endsWith(".ts")) yield full;
  }
}

/** IAM action -> the modules that send it (a module "sends" a Command class it imports and constructs). */
function sentActions(): Map<string, string[]> {
  const sent = new Map<string, string[]>();
  for (const file of tsFiles(SRC)) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/import \{([^}]+)\} from "@aws-sdk\/client-([a-z0-9-]+)"/g)) {
      const prefix = IAM_PREFIX[m[2]] ?? m[2];
      for (const raw of m[1].split(",")) {
        const name = raw.replace(/^\s*type\s+/, "").trim();
        if (!name.endsWith("Command") || !text.includes(`new ${name}(`)) continue;
        for (const action of actionsOf(prefix, name.slice(0, -"Command".length), text))
          sent.set(action, [...new Set([...(sent.get(action) ?? []), path.relative(SRC, file)])]);
      }
    }
  }
  return sent;
}

/**
 * The values each option that changes the roles' declarations can take. Typed against
 * Required<DeclarationOptions>, so a new option fails to compile here until it is enumerated.
 */
const AXES: { [K in keyof Required<DeclarationOptions>]: readonly Required<DeclarationOptions>[K][] } = {
  backend: MONITOR_BACKENDS,
  remediation: ["off", "plan", "execute"],
  driftCheck: [true, false],
  subscriptionCheck: [true, false],
  accessKey: ["deactivate", "rotate"],
  securityHub: [true, false],
  trailEncrypted: [true, false],
  trailChecked: [true, false],
};

/** Every combination of the options. */
function everyOption(): DeclarationOptions[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(AXES))
    combos = combos.flatMap((c) => (values as readonly unknown[]).map((v) => ({ ...c, [key]: v })));
  return combos as unknown as DeclarationOptions[];
}

/** Calls only the CLI makes, with the local credentials (verify's look-up of the created store): no role has them. */
const CLI_DECLARATIONS = [EVENT_DATA_STORE_LOOKUP_PERMISSIONS];

function declaredActions(): Set<string> {
  const declared = new Set<string>(CLI_DECLARATIONS.flat().flatMap((d) => d.actions));
  for (const options of everyOption()) {
    for (const list of Object.values(codeDeclarations(options)))
      for (const d of list) for (const a of d.actions) declared.add(a);
  }
  return declared;
}

test("the scan finds the modules that call AWS", () => {
  const modules = new Set([...sentActions().values()].flat());
  expect(modules.size).toBeGreaterThanOrEqual(10);
  const expected = ["runtime/query/lake.ts", "remediation/actions/deactivate-key.ts"];
  expect([...modules]).toEqual(expect.arrayContaining(expected));
});

test("every command a module sends is declared for a generated role", () => {
  const declared = declaredActions();
  const missing = [...sentActions()]
    .filter(([action]) => !declared.has(action) && !NEEDS_NO_PERMISSION.has(action))
    .map(([action, files]) => `${action} (sent by ${files.join(", ")})`);
  expect(missing).toEqual([]);
});

test("every declared action is sent by some module", () => {
  const sent = sentActions();
  const unused = [...declaredActions()].filter(
    (action) => !sent.has(action) && !(IMPLIED_BY[action] ?? []).some((by) => sent.has(by)),
  );
  expect(unused).toEqual([]);
});

test("the member role is only granted actions on member-account resources", () => {
  for (const accessKey of ["deactivate", "rotate"] as const) {
    const { memberRole } = codeDeclarations({
      backend: "cloudtrail-lake",
      remediation: "execute",
      driftCheck: true,
      accessKey,
    });
    expect(memberRole.filter((d) => !d.resource.kind.startsWith("member-"))).toEqual([]);
  }
});
