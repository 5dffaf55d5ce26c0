/** Shared helpers for the infrastructure tests: config -> guardrail -> synthesized stack JSON. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, type TerraformStack, Testing } from "cdktf";
import type { GuardrailConfigInput } from "../../src/config/schema";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { buildApp } from "../../src/infra/app";
import { MemberRoleStack } from "../../src/infra/member-role/member-role-stack";
import { MonitorStack, type MonitorStackProps } from "../../src/infra/monitor/monitor-stack";
import { APPROVED_ROLE_PATTERN, guardrailFrom } from "../support/fixtures";

export const FIXTURE_HANDLER = path.join(__dirname, "..", "fixtures", "infra", "handler.ts");
export const STAGING = path.join(os.tmpdir(), "bedrock-guardrail-test-assets");

const BASE_CONFIG: GuardrailConfigInput = {
  approvedPrincipalArns: [APPROVED_ROLE_PATTERN],
  breakGlassPrincipalArns: ["arn:aws:iam::111111111111:role/BreakGlass"],
};

export function guardrailWith(config: Partial<GuardrailConfigInput> = {}): Guardrail {
  return guardrailFrom({ ...BASE_CONFIG, ...config });
}

/**
 * The config with remediation.mode "enforce" unless it sets a mode: the member role (and the responder's grant
 * to assume it) is deployed only when some account can be in enforce mode.
 */
export function enforcing(config: Partial<GuardrailConfigInput> = {}): Partial<GuardrailConfigInput> {
  return { ...config, remediation: { mode: "enforce", ...config.remediation } };
}

export type Synth = {
  resource: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, any>;
  variable?: Record<string, any>;
  provider?: any;
};

export function synthMonitor(
  config: Partial<GuardrailConfigInput> = {},
  extra: Partial<MonitorStackProps> = {},
): Synth {
  const app = Testing.app();
  const stack = new MonitorStack(app, "monitor", {
    guardrail: guardrailWith(config),
    handlerEntries: { queryJob: FIXTURE_HANDLER, realtime: FIXTURE_HANDLER },
    stagingDir: STAGING,
    ...extra,
  });
  return JSON.parse(Testing.synth(stack)) as Synth;
}

export function synthMemberRole(config: Partial<GuardrailConfigInput> = {}): Synth {
  const app = Testing.app();
  const stack = new MemberRoleStack(app, "remediation-member-role", { guardrail: guardrailWith(config) });
  return JSON.parse(Testing.synth(stack)) as Synth;
}

/** Full app synth into a fresh outdir; returns the outdir. */
export function synthApp(config: Partial<GuardrailConfigInput> = {}): string {
  const app = Testing.app({
    outdir: path.join(os.tmpdir(), `bg-app-${process.pid}-${Math.random().toString(36).slice(2)}`),
  });
  buildApp(guardrailWith(config), app, {
    handlerEntries: { queryJob: FIXTURE_HANDLER, realtime: FIXTURE_HANDLER },
    stagingDir: STAGING,
  });
  app.synth();
  return app.outdir;
}

export function resources(s: Synth, type: string): Record<string, any>[] {
  return Object.values(s.resource[type] ?? {});
}

/**
 * The warnings of the synthesized app whose message starts with `prefix`, each as `<construct path>: <message>`:
 * what `cdktf synth` prints as WARN lines (they come from the app's manifest.json).
 */
export function synthWarnings(prefix: string, build: (app: App) => void): string[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-warnings-"));
  try {
    const app = new App({ outdir });
    build(app);
    app.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
    return Object.values(manifest.stacks).flatMap((s: any) =>
      s.annotations
        .filter((a: any) => a.level === "@cdktf/warn" && a.message.startsWith(prefix))
        .map((a: any) => `${a.constructPath}: ${a.message}`),
    );
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The validation problems of a stack, each `[path] message`, as `cdktf synth` prints them. */
export function refusals(stack: TerraformStack): string[] {
  try {
    stack.runAllValidations();
    return [];
  } catch (e) {
    return (e as Error).message.split("\n").filter((l) => l.startsWith("  ["));
  }
}
