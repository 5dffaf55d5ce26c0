/**
 * config -> app -> stacks. Stacks take typed props derived from the compiled Guardrail; they know
 * nothing about CLI flags or files.
 */
import { App, type TerraformStack } from "cdktf";
import { configureBackend } from "./backend";
import type { Guardrail } from "../guardrail/guardrail";
import { MEMBER_ROLE_STACK, MemberRoleStack } from "./member-role/member-role-stack";
import { MONITOR_STACK, MonitorStack, type MonitorStackProps } from "./monitor/monitor-stack";
import { ORGANIZATION_POLICY_STACK, OrganizationPolicyStack } from "./organization-policy-stack";

/** Adds every stack the config asks for to `app` (a fresh App by default) and returns it. */
export function buildApp(
  guardrail: Guardrail,
  app: App = new App(),
  monitor: Omit<MonitorStackProps, "guardrail"> = {},
): App {
  const stacks: [string, TerraformStack][] = [
    [ORGANIZATION_POLICY_STACK, new OrganizationPolicyStack(app, ORGANIZATION_POLICY_STACK, { guardrail })],
  ];
  if (guardrail.config.monitor.enabled) {
    stacks.push([MONITOR_STACK, new MonitorStack(app, MONITOR_STACK, { ...monitor, guardrail })]);
    stacks.push([
      MEMBER_ROLE_STACK,
      new MemberRoleStack(app, MEMBER_ROLE_STACK, { guardrail, declarations: monitor.declarations }),
    ]);
  }
  const { stateBackend, region } = guardrail.config.aws;
  for (const [name, stack] of stacks) configureBackend(stack, name, stateBackend, region);
  return app;
}
