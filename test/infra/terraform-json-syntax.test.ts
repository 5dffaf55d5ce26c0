/**
 * Terraform's JSON syntax rules that `terraform validate` enforces and cdktf's Testing.synth does
 * not: a `depends_on` entry is a bare reference ("aws_iam_role.x"), never a "${...}" template, and
 * a variable validation `condition` is an expression only inside "${...}" (a bare string is a
 * literal that cannot refer to the variable). Either mistake makes `terraform plan` fail before
 * anything is created. Checked over every stack of the app in the configurations that add resources.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { GuardrailConfigInput } from "../../src/config/schema";
import { synthApp } from "./helpers";

type Json = Record<string, any>;

const VARIANTS: [string, Partial<GuardrailConfigInput>][] = [
  ["default config", {}],
  [
    "realtime path on",
    {
      monitor: { eventbridge: { enabled: true, regions: ["us-east-1", "eu-west-1"] } },
    } as Partial<GuardrailConfigInput>,
  ],
];

function stacksOf(outdir: string): [string, Json][] {
  const dir = path.join(outdir, "stacks");
  return fs
    .readdirSync(dir)
    .map((name) => [name, JSON.parse(fs.readFileSync(path.join(dir, name, "cdk.tf.json"), "utf8")) as Json]);
}

/** Every block that may carry depends_on: resources and data sources, with the address it is referred to by. */
function blocks(stack: Json): { address: string; body: Json }[] {
  const out: { address: string; body: Json }[] = [];
  for (const [type, byName] of Object.entries((stack.resource ?? {}) as Json))
    for (const [name, body] of Object.entries(byName as Json)) out.push({ address: `${type}.${name}`, body });
  for (const [type, byName] of Object.entries((stack.data ?? {}) as Json))
    for (const [name, body] of Object.entries(byName as Json)) out.push({ address: `data.${type}.${name}`, body });
  return out;
}

const BARE_REFERENCE = /^(data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*$/;

describe.each(VARIANTS)("Terraform JSON syntax (%s)", (_label, config) => {
  const stacks = stacksOf(synthApp(config));

  it("synthesizes at least the organization-policy, monitor and member-role stacks", () => {
    expect(stacks.map(([n]) => n).sort()).toEqual(
      expect.arrayContaining(["monitor", "organization-policy", "remediation-member-role"]),
    );
  });

  it.each(stacks.map(([n]) => n))(
    "%s: every depends_on entry is a bare reference to a block of the same stack",
    (name) => {
      const stack = stacks.find(([n]) => n === name)![1];
      const all = blocks(stack);
      const addresses = new Set(all.map((b) => b.address));
      for (const { address, body } of all) {
        for (const dep of (body.depends_on ?? []) as unknown[]) {
          expect({ in: address, dep, bare: typeof dep === "string" && BARE_REFERENCE.test(dep) }).toEqual({
            in: address,
            dep,
            bare: true,
          });
          expect({ in: address, dep, exists: addresses.has(dep as string) }).toEqual({
            in: address,
            dep,
            exists: true,
          });
        }
      }
    },
  );

  it.each(stacks.map(([n]) => n))(
    "%s: every variable validation condition is a ${...} expression that refers to its variable",
    (name) => {
      const stack = stacks.find(([n]) => n === name)![1];
      for (const [variable, body] of Object.entries((stack.variable ?? {}) as Json)) {
        for (const v of (body.validation ?? []) as Json[]) {
          const condition = String(v.condition);
          expect({ variable, condition, template: /^\$\{[\s\S]*\}$/.test(condition) }).toEqual({
            variable,
            condition,
            template: true,
          });
          expect(condition).toContain(`var.${variable}`);
        }
      }
    },
  );
});
