/**
 * config -> app -> stacks. Stacks take typed props derived from the compiled Guardrail; they know
 * nothing about CLI flags or files.
 */
import { App } from "cdktf";
import { Guardrail } from "../guardrail/guardrail";
import { ORGANIZATION_POLICY_STACK, OrganizationPolicyStack } from "./organization-policy-stack";

/** Adds every stack the config asks for to `app` (a fresh App by default) and returns it. */
export function buildApp(guardrail: Guardrail, app: App = new App()): App {
  new OrganizationPolicyStack(app, ORGANIZATION_POLICY_STACK, { guardrail });
  return app;
}
