/**
 * What every construct of the library takes: the same object as guardrail.config.json (validated by
 * the same schema) and whether the construct brings its own AWS provider. The stacks of this
 * repository's app are thin wrappers of the same resources (app.ts).
 */
import type { Construct } from "constructs";
import { ConfigError, parseConfig } from "../config/load";
import type { GuardrailConfigInput } from "../config/schema";
import { bundledDefinition, compileGuardrail, type Guardrail } from "../guardrail/guardrail";

export interface GuardrailConstructProps {
  /** The same object as guardrail.config.json; a bad key is a ConfigError that names it. */
  config: GuardrailConfigInput;
  /**
   * true (default): the construct adds its stack's AWS provider from the config (aws.region and the
   * credentials of the account it belongs in) and requires the tested provider versions. false: its
   * resources use the stack's own AWS provider; the stack must have one, for the right account. Either way every
   * resource carries the tag managed-by=bedrock-guardrail, by which the SCP protects them.
   */
  awsProvider?: boolean;
}

/** The guardrail of a construct's config and the bundled definition; a ConfigError names the construct's path. */
export function constructGuardrail(scope: Construct, props: GuardrailConstructProps): Guardrail {
  return compileGuardrail(bundledDefinition(), parseConfig(props.config, `the config of ${scope.node.path}`));
}

/** The guardrail of a monitor part's config: the monitor and the member role exist only with monitor.enabled. */
export function monitorGuardrail(scope: Construct, props: GuardrailConstructProps): Guardrail {
  const guardrail = constructGuardrail(scope, props);
  if (!guardrail.config.monitor.enabled)
    throw new ConfigError(`the config of ${scope.node.path}`, [
      "monitor.enabled: is false, so there is no monitor and no member role to deploy",
    ]);
  return guardrail;
}
