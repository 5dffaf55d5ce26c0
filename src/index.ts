/**
 * The package entry (`require("bedrock-guardrail")`): constructs that add the guardrail to a team's own
 * cdktf stacks, each taking the same object as guardrail.config.json. Loading it synthesizes, reads and
 * writes nothing; the repository's app (main.ts) and `bedrock-guardrail synth` are users of the same
 * constructs' resources. cdktf, @cdktf/provider-aws and constructs are peer dependencies.
 *
 *   organization-policy (management account): GuardrailOrganizationPolicy
 *   remediation-member-role (management account or StackSets delegated admin): GuardrailMemberRole
 *   monitor (security account): GuardrailMonitor
 */
export { ConfigError } from "./config/load";
// The config's type with the schema's descriptions as TSDoc (generated; the same type as the schema's input).
export type { GuardrailConfigFile as GuardrailConfig } from "./config/config-file-type";
export type { GuardrailConstructProps } from "./infra/construct-props";
export { GuardrailMemberRole } from "./infra/member-role/member-role-stack";
export { GuardrailMonitor, type MonitorResources } from "./infra/monitor/monitor-stack";
// GuardrailScp as a type only (GuardrailOrganizationPolicy.scp): it is built from SCP documents the package does not
// export, so constructing one is the organization policy construct's business.
export { GuardrailOrganizationPolicy, type GuardrailScp } from "./infra/organization-policy-stack";
export { AWS_PROVIDER_VERSIONS } from "./infra/provider";
