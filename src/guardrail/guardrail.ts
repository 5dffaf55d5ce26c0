/**
 * Compiles the definition (policies/) and the user's config into one Guardrail value. Every
 * consumer (SCP builder, detection backends, remediation planner, infrastructure) takes this
 * value, so nothing about the guardrail is listed twice.
 */
import definitionJson from "../../policies/bedrock-model-access.json";
import { formatArn, type Partition, partitionOfRegion } from "../arn/partition";
import { ConfigError, loadConfig, readJsonFile, resolveConfigPath, zodProblems } from "../config/load";
import type { GuardrailConfig } from "../config/schema";
import {
  type DetectionRule,
  type GuardedAction,
  type GuardrailDefinition,
  GuardrailDefinitionSchema,
  type RemediationDefaults,
} from "./definition";

/**
 * IAM path of every role this tool creates, so remediation can protect them all by one rule (and the SCP exempt the
 * member role).
 */
export const TOOL_ROLE_PATH = "/bedrock-guardrail/";
/** Name prefix of the roles in the security account (monitor, responder). */
export const TOOL_ROLE_PREFIX = "bedrock-guardrail-";

export interface Exemptions {
  approved: string[];
  breakGlass: string[];
  /** This tool's own roles (member remediation role, monitor and responder roles). */
  tool: string[];
  /** People who run remediation from their own credentials (remediation.operatorPrincipalArns): never acted on. */
  operators: string[];
  /**
   * approved + breakGlass, de-duplicated, in that order: the SCP's ArnNotLike list. The tool's own
   * roles never call an action the SCP denies (the member role's one exception, re-activating
   * nothing but deactivating Bedrock API keys, is exempted in that statement alone), so they are
   * not exempt: every exempt name is one an attacker could try to take over.
   */
  scp: string[];
  /** approved + breakGlass + tool + operators, de-duplicated, in that order: principals this tool never acts on. */
  all: string[];
}

export type ResolvedRemediation = RemediationDefaults & Omit<GuardrailConfig["remediation"], keyof RemediationDefaults>;

export interface Guardrail {
  definition: GuardrailDefinition;
  config: GuardrailConfig;
  /** The partition of the config's home region: every ARN and global-service region derives from it. */
  partition: Partition;
  actions: GuardedAction[];
  eventSource: string;
  eventNames: string[];
  iamActions: string[];
  rules: DetectionRule[];
  primaryRule: DetectionRule;
  exemptions: Exemptions;
  remediation: ResolvedRemediation;
}

export const BUNDLED_DEFINITION: unknown = definitionJson;

export function parseDefinition(value: unknown, source = "policies/bedrock-model-access.json"): GuardrailDefinition {
  const result = GuardrailDefinitionSchema.safeParse(value);
  if (!result.success) throw new ConfigError(source, zodProblems(result.error));
  return result.data;
}

/** The partition everything is deployed in: the one of the config's home region (aws.region). */
export function configPartition(config: GuardrailConfig): Partition {
  return partitionOfRegion(config.aws.region);
}

/**
 * ARN of a role this tool creates (all live under TOOL_ROLE_PATH): in one account, or (default) as a
 * pattern for every account. The one place such an ARN is written.
 */
export function toolRoleArn(roleName: string, where: { partition: Partition | string; accountId?: string }): string {
  return formatArn({
    partition: where.partition,
    service: "iam",
    account: where.accountId ?? "*",
    resource: `role${TOOL_ROLE_PATH}${roleName}`,
  });
}

/** The member-account remediation role (deployed by StackSets into every member account). */
export function memberRoleArn(memberRoleName: string, where: { partition: Partition | string; accountId?: string }) {
  return toolRoleArn(memberRoleName, where);
}

export function memberRolePattern(config: GuardrailConfig): string {
  return memberRoleArn(config.remediation.memberRoleName, { partition: configPartition(config) });
}

/** Every role this tool creates: the member role, then the security-account roles. */
export function toolRolePatterns(config: GuardrailConfig): string[] {
  return [memberRolePattern(config), toolRoleArn(`${TOOL_ROLE_PREFIX}*`, { partition: configPartition(config) })];
}

export function compileGuardrail(definition: GuardrailDefinition, config: GuardrailConfig): Guardrail {
  const tool = toolRolePatterns(config);
  const operators = config.remediation.operatorPrincipalArns;
  const all = [...new Set([...config.approvedPrincipalArns, ...config.breakGlassPrincipalArns, ...tool, ...operators])];
  const scp = [...new Set([...config.approvedPrincipalArns, ...config.breakGlassPrincipalArns])];
  const d = definition.remediation.defaults;
  const r = config.remediation;
  const remediation: ResolvedRemediation = {
    ...r,
    mode: r.mode ?? d.mode,
    accessKey: r.accessKey ?? d.accessKey,
    revokeSessions: r.revokeSessions ?? d.revokeSessions,
    deleteAgreement: r.deleteAgreement ?? d.deleteAgreement,
    sessionRevocationMarginSeconds: r.sessionRevocationMarginSeconds ?? d.sessionRevocationMarginSeconds,
    maxActionsPerRun: r.maxActionsPerRun ?? d.maxActionsPerRun,
    maxActionsPerPrincipalPerHour: r.maxActionsPerPrincipalPerHour ?? d.maxActionsPerPrincipalPerHour,
  };
  const primaryRule = definition.detection.rules.find((rule) => rule.id === definition.id)!;
  return {
    definition,
    config,
    partition: configPartition(config),
    actions: definition.actions,
    eventSource: definition.eventSource,
    eventNames: definition.actions.map((a) => a.eventName),
    iamActions: definition.actions.map((a) => a.iamAction),
    rules: definition.detection.rules,
    primaryRule,
    exemptions: {
      approved: config.approvedPrincipalArns,
      breakGlass: config.breakGlassPrincipalArns,
      tool,
      operators,
      scp,
      all,
    },
    remediation,
  };
}

export interface LoadOptions {
  /** Config file path; default $GUARDRAIL_CONFIG, then ./guardrail.config.json. */
  configPath?: string;
  /** Alternative definition file; default the bundled policies/bedrock-model-access.json. */
  definitionPath?: string;
}

export function loadGuardrail(options: LoadOptions = {}): Guardrail {
  const definition = options.definitionPath
    ? parseDefinition(readJsonFile(options.definitionPath), options.definitionPath)
    : parseDefinition(BUNDLED_DEFINITION);
  return compileGuardrail(definition, loadConfig(resolveConfigPath(options.configPath)));
}
