/**
 * Compiles the definition (policies/) and the user's config into one Guardrail value. Every
 * consumer (SCP builder, detection backends, remediation planner, infrastructure) takes this
 * value, so nothing about the guardrail is listed twice.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import definitionJson from "../../policies/bedrock-model-access.json";
import { withIdentityCenterForms } from "../arn/identity-center";
import { oneLine } from "../errors/error-text";
import { formatArn, type Partition, partitionOfRegion } from "../arn/partition";
import {
  ConfigError,
  displayPath,
  loadConfig,
  parseDocument,
  readJsonFile,
  resolveConfigPath,
  safeParseDocument,
  zodProblems,
} from "../config/load";
import type { GuardrailConfig } from "../config/schema";
import { type CorrelationRule, CorrelationRuleSchema, isCorrelationRuleFile } from "./correlation-definition";
import { selectorsOf } from "./correlation-rule";
import {
  DetectionRuleSchema,
  type DetectionRule,
  type GuardedAction,
  type GuardrailDefinition,
  GuardrailDefinitionSchema,
  type RemediationDefaults,
} from "./definition";
import { type RuleFile, readRuleFolder, SHIPPED_RULES_FOLDER } from "./rule-files";
import { shippedRuleFiles } from "./shipped-rules";

/**
 * IAM path of every role this tool creates, so remediation can protect them all by one rule (and the SCP exempt the
 * member role).
 */
export const TOOL_ROLE_PATH = "/bedrock-guardrail/";
/** Name prefix of the roles in the security account (monitor, responder). */
export const TOOL_ROLE_PREFIX = "bedrock-guardrail-";

/**
 * Every principal list as the SCP, detection and remediation match it: the config's patterns, each
 * followed by its us-east-1 Identity Center form where it has one (src/arn/identity-center.ts).
 */
interface Exemptions {
  approved: string[];
  breakGlass: string[];
  /** scp.exemptedPrincipalAdminArns: who may manage the exempted roles and the tool's own resources. */
  admins: string[];
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

type ResolvedRemediation = RemediationDefaults & Omit<GuardrailConfig["remediation"], keyof RemediationDefaults>;

export interface Guardrail {
  definition: GuardrailDefinition;
  config: GuardrailConfig;
  /** The partition of the config's home region: every ARN and global-service region derives from it. */
  partition: Partition;
  /** The calls the SCP denies. */
  actions: GuardedAction[];
  iamActions: string[];
  /** The single-event rules, in precedence order (a record becomes a finding of the first that matches). */
  rules: DetectionRule[];
  /** The correlation rules, in precedence order: each makes its own findings, from several records. */
  correlationRules: CorrelationRule[];
  /**
   * Every rule's event sources, then event names (correlation rules' selectors after the event rules'),
   * de-duplicated in rule order: what the event stores keep.
   */
  eventSources: string[];
  eventNames: string[];
  primaryRule: DetectionRule;
  /**
   * The rules the config's detection.disabledRules switches off, in precedence order: no backend queries them, but
   * an event rule still takes the records it matches first, so they make no finding and no later rule's (matchingRule).
   */
  disabled: Pick<Guardrail, "rules" | "correlationRules">;
  exemptions: Exemptions;
  remediation: ResolvedRemediation;
}

/**
 * The rules of the rule files in precedence order, split into event and correlation rules, each
 * file checked alone so that a problem names it: valid against its kind's schema, named after its id.
 */
function rulesOfFiles(files: RuleFile[]): { rules: unknown[]; correlations: unknown[] } {
  const problems: string[] = [];
  const parsed: { rule: unknown; precedence: number; correlation: boolean }[] = [];
  // Checked here, where the file is known: the definition's own check could only name a place in the assembled list.
  const fileOfPrecedence = new Map<number, string>();
  for (const { file, rule } of files) {
    const correlation = isCorrelationRuleFile(rule);
    const result = safeParseDocument(correlation ? CorrelationRuleSchema : DetectionRuleSchema, rule);
    if (!result.success) problems.push(...zodProblems(result.error).map((p) => `${file}: ${p}`));
    else if (path.basename(file, ".json") !== result.data.id)
      problems.push(`${file}: id "${result.data.id}" must be the file's name (${result.data.id}.json)`);
    else {
      const { precedence } = result.data;
      const other = fileOfPrecedence.get(precedence);
      if (other !== undefined)
        problems.push(`${file}: precedence: ${precedence} is also ${other}'s; each rule needs its own`);
      fileOfPrecedence.set(precedence, file);
      parsed.push({ rule, precedence, correlation });
    }
  }
  if (problems.length > 0) throw new ConfigError("the rule set", problems);
  const sorted = parsed.sort((a, b) => a.precedence - b.precedence);
  return {
    rules: sorted.filter((r) => !r.correlation).map((r) => r.rule),
    correlations: sorted.filter((r) => r.correlation).map((r) => r.rule),
  };
}

/**
 * A definition as written (its rules are not listed in it) with its rule files in
 * `detection.rules` and `detection.correlations`, in precedence order, ready for `parseDefinition`.
 */
function assembleDefinition(raw: unknown, ruleFiles: RuleFile[], source: string): unknown {
  if (typeof raw !== "object" || raw === null) return raw;
  const detection = (raw as { detection?: unknown }).detection;
  if (typeof detection !== "object" || detection === null) return raw;
  if ("rules" in detection || "correlations" in detection)
    throw new ConfigError(source, [
      `detection.rules: a definition does not list its rules; each is a file, ${SHIPPED_RULES_FOLDER}/<id>.json ` +
        "(or rules/<id>.json beside a definition given with --definition)",
    ]);
  return { ...raw, detection: { ...detection, ...rulesOfFiles(ruleFiles) } };
}

export const BUNDLED_DEFINITION: unknown = assembleDefinition(
  definitionJson,
  shippedRuleFiles(),
  "policies/bedrock-model-access.json",
);

/**
 * Reads a definition file. Its rules are the shipped ones, where the files of a `rules/` folder
 * beside it replace those of the same name and add their own (so a copied definition that only
 * changes the schedule keeps the shipped rules).
 */
export function readDefinitionFile(file: string, display = file): unknown {
  const ownFolder = path.join(path.dirname(file), "rules");
  const own = fs.existsSync(ownFolder) ? readRuleFolder(ownFolder, path.join(path.dirname(display), "rules")) : [];
  const byName = new Map(shippedRuleFiles().map((f) => [path.basename(f.file), f]));
  for (const f of own) byName.set(path.basename(f.file), f);
  return assembleDefinition(readJsonFile(file), [...byName.values()], display);
}

export function parseDefinition(value: unknown, source = "policies/bedrock-model-access.json"): GuardrailDefinition {
  return parseDocument(GuardrailDefinitionSchema, value, source);
}

let bundled: GuardrailDefinition | undefined;

/**
 * The shipped definition, parsed once per process: parsing validates every rule and its example
 * records, which costs milliseconds a call (the constructs, the CLI and the test suites build many
 * guardrails). Frozen, because every caller shares it.
 */
export function bundledDefinition(): GuardrailDefinition {
  bundled ??= deepFreeze(parseDefinition(BUNDLED_DEFINITION));
  return bundled;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The partition everything is deployed in: the one of the config's home region (aws.region). */
function configPartition(config: GuardrailConfig): Partition {
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

/**
 * Every role on the tool's IAM path, in every account: what the SCP protects (nobody else may create
 * a look-alike role there).
 */
export function toolRolePathPattern(partition: Partition | string): string {
  return toolRoleArn("*", { partition });
}

/** Every role this tool creates: the member role, then the security-account roles. */
export function toolRolePatterns(config: GuardrailConfig): string[] {
  return [memberRolePattern(config), toolRoleArn(`${TOOL_ROLE_PREFIX}*`, { partition: configPartition(config) })];
}

const byPrecedence = <T extends { precedence: number }>(rules: readonly T[]): T[] =>
  [...rules].sort((a, b) => a.precedence - b.precedence);

/** Precedence, not the order of a (possibly edited) list, decides which rule a record's finding carries. */
export function rulesInPrecedenceOrder(definition: GuardrailDefinition): (DetectionRule | CorrelationRule)[] {
  return byPrecedence([...definition.detection.rules, ...definition.detection.correlations]);
}

/** `configSource` names the config in its errors (its file, as loadConfig shows it; "the config" when it has none). */
export function compileGuardrail(
  definition: GuardrailDefinition,
  config: GuardrailConfig,
  configSource = "the config",
): Guardrail {
  const tool = toolRolePatterns(config);
  const approved = withIdentityCenterForms(config.approvedPrincipalArns);
  const breakGlass = withIdentityCenterForms(config.breakGlassPrincipalArns);
  const operators = withIdentityCenterForms(config.remediation.operatorPrincipalArns);
  const all = [...new Set([...approved, ...breakGlass, ...tool, ...operators])];
  const scp = [...new Set([...approved, ...breakGlass])];
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
  const disabledIds = disabledRuleIds(definition, config, configSource);
  const isOn = (rule: { id: string }) => !disabledIds.has(rule.id);
  const rules = byPrecedence(definition.detection.rules);
  const correlationRules = byPrecedence(definition.detection.correlations);
  const primaryRule = rules.find((rule) => rule.id === definition.id)!;
  return {
    definition,
    config,
    partition: configPartition(config),
    actions: definition.actions,
    iamActions: definition.actions.map((a) => a.iamAction),
    ...ruleScope(rules.filter(isOn), correlationRules.filter(isOn)),
    primaryRule,
    disabled: {
      rules: rules.filter((r) => !isOn(r)),
      correlationRules: correlationRules.filter((r) => !isOn(r)),
    },
    exemptions: {
      approved,
      breakGlass,
      admins: withIdentityCenterForms(config.scp.exemptedPrincipalAdminArns),
      tool,
      operators,
      scp,
      all,
    },
    remediation,
  };
}

/**
 * The ids of detection.disabledRules, each a rule of the definition other than its primary rule, which is what the
 * guardrail exists to detect. One ConfigError lists every bad id (one line each), so one typo hides no other.
 */
function disabledRuleIds(definition: GuardrailDefinition, config: GuardrailConfig, source: string): Set<string> {
  const ids = config.detection?.disabledRules ?? [];
  const known = rulesInPrecedenceOrder(definition).map((r) => r.id);
  const problems = ids.flatMap((id, i) => {
    const at = `detection.disabledRules[${i}]`;
    const shown = oneLine(JSON.stringify(id), 80);
    if (id === definition.id)
      return [
        `${at}: ${shown} is the guardrail's primary rule (the model enablement it exists to detect): ` +
          "it cannot be disabled",
      ];
    // A repeat is harmless but says the list was not read as written (a copy meant to name another rule, say).
    const first = ids.indexOf(id);
    if (first < i) return [`${at}: ${shown} is listed already, at detection.disabledRules[${first}]`];
    return known.includes(id) ? [] : [`${at}: no rule ${shown} (rules: ${known.join(", ")})`];
  });
  if (problems.length > 0) throw new ConfigError(source, problems);
  return new Set(ids);
}

/**
 * The guardrail with its disabled rules running again, for what reads every rule of the definition whatever the
 * config: the rules' own examples (`check`, synth), which are each rule's spec, disabled or not.
 */
export function withEveryRule(guardrail: Guardrail): Guardrail {
  const { rules, correlationRules } = guardrail.disabled;
  if (rules.length + correlationRules.length === 0) return guardrail;
  return {
    ...guardrail,
    ...ruleScope(
      byPrecedence([...guardrail.rules, ...rules]),
      byPrecedence([...guardrail.correlationRules, ...correlationRules]),
    ),
    disabled: { rules: [], correlationRules: [] },
  };
}

/** What a rule set reads: its rules and the union of their event sources and names. */
function ruleScope(
  rules: DetectionRule[],
  correlationRules: CorrelationRule[],
): Pick<Guardrail, "rules" | "correlationRules" | "eventSources" | "eventNames"> {
  const selectors = [...rules, ...correlationRules.flatMap(selectorsOf)];
  return {
    rules,
    correlationRules,
    eventSources: [...new Set(selectors.map((r) => r.eventSource))],
    eventNames: [...new Set(selectors.flatMap((r) => r.eventNames))],
  };
}

/**
 * The guardrail narrowed to some of its rules (`--rule ID`), in definition order. An unknown id is
 * a ConfigError naming it and the ids that exist.
 */
/**
 * Whether the rule's definition asks for a response (`remediate`): only event rules can; the others,
 * correlation rules included, alert only. The planner and the alert's Response line read it here.
 */
export function ruleRemediates(guardrail: Pick<Guardrail, "rules">, ruleId: string): boolean {
  return guardrail.rules.find((rule) => rule.id === ruleId)?.remediate === true;
}

export function selectRules(guardrail: Guardrail, ids: readonly string[], input = "--rule"): Guardrail {
  if (ids.length === 0) return guardrail;
  const known = new Set([...guardrail.rules, ...guardrail.correlationRules].map((r) => r.id));
  const off = [...guardrail.disabled.rules, ...guardrail.disabled.correlationRules].map((r) => r.id);
  const disabled = ids.filter((id) => off.includes(id));
  if (disabled.length > 0)
    throw new ConfigError(
      input,
      [`${disabled.join(", ")} ${disabled.length > 1 ? "are" : "is"} disabled by the config's detection.disabledRules`],
      true,
    );
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new ConfigError(input, [
      `no rule ${unknown.map((id) => oneLine(JSON.stringify(id), 80)).join(", ")} (rules: ${[...known].join(", ")})`,
    ]);
  }
  return {
    ...guardrail,
    ...ruleScope(
      guardrail.rules.filter((r) => ids.includes(r.id)),
      guardrail.correlationRules.filter((r) => ids.includes(r.id)),
    ),
  };
}

export interface LoadOptions {
  /** Config file path; default $GUARDRAIL_CONFIG, then ./guardrail.config.json. */
  configPath?: string;
  /** Alternative definition file; default the bundled policies/bedrock-model-access.json. */
  definitionPath?: string;
  /**
   * A definition with its rules in it, as a synth writes it into a Lambda bundle (no rules/ folder is read);
   * it wins over definitionPath.
   */
  assembledDefinitionPath?: string;
}

export function loadGuardrail(options: LoadOptions = {}): Guardrail {
  const { assembledDefinitionPath: assembled, definitionPath } = options;
  const definition = assembled
    ? parseDefinition(readJsonFile(assembled), displayPath(assembled))
    : definitionPath
      ? parseDefinition(readDefinitionFile(definitionPath), definitionPath)
      : bundledDefinition();
  const configPath = resolveConfigPath(options.configPath);
  return compileGuardrail(definition, loadConfig(configPath), displayPath(configPath));
}
