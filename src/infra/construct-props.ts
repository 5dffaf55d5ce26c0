/**
 * What every construct of the library takes: the same object as guardrail.config.json (validated by
 * the same schema) and whether the construct brings its own AWS provider. The stacks of this
 * repository's app are thin wrappers of the same resources (app.ts).
 */
import * as path from "node:path";
import { Annotations, Aspects, type IAspect, TerraformResource, TerraformStack, Token } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import type { z } from "zod";
import { ConfigError, displayPath, parseConfig } from "../config/load";
import type { GuardrailConfigFile } from "../config/config-file-type";
import type { GuardrailDefinition, GuardrailDefinitionSchema } from "../guardrail/definition";
import {
  bundledDefinition,
  compileGuardrail,
  type Guardrail,
  parseDefinition,
  readDefinitionFile,
} from "../guardrail/guardrail";
import { buildToolProtectionStatements } from "../policy/statements";
import { deployChecks } from "./deploy-checks";
import { type AwsProviderChoice, providerOf, providerTarget } from "./provider";

/**
 * A type with every array and object in it read-only, as a value built in code `as const` has them; the same keys and
 * values otherwise. A mutable value is one too.
 */
type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export interface GuardrailConstructProps {
  /**
   * The same object as guardrail.config.json, or one built in code (also `as const`: the construct only reads it); a
   * bad key, an SCP that fails lint or a rule that fails its own examples is a ConfigError that names it. The lint's
   * warnings are the construct's warning annotations.
   */
  config: DeepReadonly<GuardrailConfigFile>;
  /**
   * true (default): the construct adds its stack's AWS provider from the config (aws.region and the
   * credentials of the account it belongs in) and requires the tested provider versions. false: its
   * resources use the stack's own AWS provider; the stack must have one without an alias (refused at synth
   * otherwise), for the right account. An AwsProvider of the stack (an aliased one, say, which assumes a role in
   * the right account): every resource and data source of the construct names it (`provider: "aws.<alias>"`); a
   * provider of another stack is refused at synth. A provider of the stack whose region is written in the app must be
   * in aws.region's partition, whose ARNs the guardrail writes, and one whose account is written in the app must be
   * the config's aws.security account (monitor) or aws.organization account (the others), its accountId or else its
   * assumeRoleArn's account, where the config names one (refused at synth otherwise). Either way every resource
   * carries the tag managed-by=bedrock-guardrail, by which the SCP protects them.
   */
  awsProvider?: AwsProviderChoice;
  /**
   * The guardrail definition, as `bedrock-guardrail synth --definition <file>` takes it (default: the packaged
   * policies/bedrock-model-access.json and its rules). A path: a definition file as written, relative to the app's
   * working directory, whose rules are the packaged ones where a `rules/` folder beside it replaces those of the same
   * name and adds its own. An object: a definition with its rules in it (`detection.rules`, `detection.correlations`),
   * as a synth writes it into the Lambda bundles (guardrail.definition.json). Either is validated as the CLI validates
   * it; a bad one is a ConfigError that names the construct and the file.
   */
  definition?: string | DeepReadonly<GuardrailDefinitionInput>;
}

/** A definition with its rules in it, as the schema reads it (keys with defaults optional). */
type GuardrailDefinitionInput = z.input<typeof GuardrailDefinitionSchema>;

/** The definition of a construct's `definition` prop, read and validated as `--definition` is (src/cli/common.ts). */
function constructDefinition(scope: Construct, definition: GuardrailConstructProps["definition"]): GuardrailDefinition {
  if (definition === undefined) return bundledDefinition();
  const input = `the definition of ${scope.node.path}`;
  if (typeof definition !== "string") return parseDefinition(definition, input);
  const display = displayPath(definition);
  try {
    return parseDefinition(readDefinitionFile(path.resolve(definition), display), display);
  } catch (e) {
    // The file's own error (`def.json: no such file or directory`, `def.json is invalid: ...`), with the construct it
    // is of.
    if (e instanceof ConfigError) throw ConfigError.within(input, e);
    throw e;
  }
}

/**
 * The guardrail of a construct's config and definition (default: the bundled one); a ConfigError names the
 * construct's path.
 * What stops the app's synth (src/infra/synth.ts) stops a construct too: an SCP that fails lint (too large, more
 * documents than a target has free slots) and a rule that fails its own examples. What the app's synth prints,
 * the lint's warnings, are the construct's warning annotations (`cdktf synth` prints each with its path).
 */
export function constructGuardrail(scope: Construct, props: GuardrailConstructProps): Guardrail {
  const source = `the config of ${scope.node.path}`;
  const definition = constructDefinition(scope, props.definition);
  const guardrail = compileGuardrail(definition, parseConfig(props.config, source), source);
  // The same checks as the app's synth (deploy-checks.ts).
  const { lint, problems: others } = deployChecks(guardrail);
  const problems = [...lint.errors.map((f) => f.message), ...others];
  if (problems.length > 0) throw new ConfigError(source, problems);
  for (const warning of lint.warnings) Annotations.of(scope).addWarning(`SCP lint: ${warning.message}`);
  refuseSameNames(scope, props.awsProvider);
  return guardrail;
}

/**
 * The guardrail's constructs, whose resources' AWS names are compared within their stack and across the app's
 * stacks, each with its `awsProvider`.
 */
const GUARDRAIL_CONSTRUCTS = new WeakMap<Construct, AwsProviderChoice>();

/** `type name` (and region, when a resource sets one) of each resource under `scope` named in the app. */
function awsNames(scope: Construct): Set<string> {
  const names = new Set<string>();
  for (const r of scope.node.findAll()) {
    if (!(r instanceof TerraformResource)) continue;
    const { nameInput, functionNameInput, regionInput } = r as { nameInput?: unknown } & {
      functionNameInput?: unknown;
      regionInput?: unknown;
    };
    const name = nameInput ?? functionNameInput;
    if (typeof name !== "string" || Token.isUnresolved(name)) continue;
    names.add(`${r.terraformResourceType} ${name}${typeof regionInput === "string" ? ` (${regionInput})` : ""}`);
  }
  return names;
}

/** Names AWS keeps once per account (IAM) or organization (SCPs), whatever the region. */
const GLOBAL_NAME = /^aws_(iam|organizations)_/;

/**
 * The AWS names of a construct's resources as one account has them, when its provider names the account in the
 * app: global names as they are, regional ones with the provider's region (dropped where the app does not write
 * it). Undefined where the account is the environment's.
 */
function accountNames(construct: Construct): { account: string; names: Set<string> } | undefined {
  const provider = providerOf(construct, GUARDRAIL_CONSTRUCTS.get(construct) ?? true);
  const { account, region } = provider ? providerTarget(provider) : {};
  if (account === undefined) return undefined;
  const names = [...awsNames(construct)].flatMap((n) =>
    GLOBAL_NAME.test(n) || n.endsWith(")") ? [n] : region ? [`${n} (${region})`] : [],
  );
  return { account, names: new Set(names) };
}

/** The problem of two constructs whose resources have the `same` AWS names, on the later one. */
function sameNamesProblem(construct: Construct, earlier: Construct, where: string, same: string[]): string {
  const shown = same.slice(0, 3).join(", ") + (same.length > 3 ? ` and ${same.length - 3} more` : "");
  const policiesOnly = same.every((n) => n.startsWith("aws_organizations_policy "));
  return (
    `${construct.node.path} creates resources of the same AWS names as ${earlier.node.path}${where} (${shown}), ` +
    `which AWS refuses at apply: ${policiesOnly ? "give one of their configs another scp.name" : "keep one"}`
  );
}

/**
 * Two guardrail constructs whose resources have the same AWS names (two monitors, two member roles, two organization
 * policies with the same scp.name) synthesize, and AWS refuses the second's at apply, after the first's exist.
 * Refused at synth instead, on the later construct, naming both and the names: in one stack on one provider, and on
 * two providers (two stacks of the app, or two aliased providers of one stack) that name the same account
 * (allowed_account_ids, or assume_role's role ARN: aws.<section>.accountId or assumeRoleArn of the config) and, for
 * regional names, the same region. Two providers whose account the app does not write are not compared.
 */
function refuseSameNames(construct: Construct, awsProvider: GuardrailConstructProps["awsProvider"]): void {
  GUARDRAIL_CONSTRUCTS.set(construct, awsProvider ?? true);
  const aliasOf = (c: Construct) => {
    const choice = GUARDRAIL_CONSTRUCTS.get(c);
    return typeof choice === "object" && choice.alias !== undefined ? choice.node.path : undefined;
  };
  construct.node.addValidation({
    validate: () => {
      const stack = TerraformStack.of(construct);
      const all = construct.node.root.node.findAll().filter((c) => GUARDRAIL_CONSTRUCTS.has(c));
      const earlier = all.slice(0, all.indexOf(construct));
      const mine = awsNames(construct);
      const onMyProvider = (c: Construct) => TerraformStack.of(c) === stack && aliasOf(c) === aliasOf(construct);
      const inStack = earlier.filter(onMyProvider).flatMap((c) => {
        const same = [...awsNames(c)].filter((n) => mine.has(n));
        return same.length > 0 ? [sameNamesProblem(construct, c, "", same)] : [];
      });
      const account = accountNames(construct);
      if (account === undefined) return inStack;
      // On another provider (another stack's, or another alias in this one): compared by the account both name.
      const inAccount = earlier
        .filter((c) => !onMyProvider(c))
        .flatMap((c) => {
          const other = accountNames(c);
          if (other?.account !== account.account) return [];
          const same = [...other.names].filter((n) => account.names.has(n));
          const otherStack = TerraformStack.of(c);
          const on = otherStack === stack ? "on another provider" : `in stack ${otherStack.node.path}`;
          const where = ` ${on}, both in account ${account.account}`;
          return same.length > 0 ? [sameNamesProblem(construct, c, where, same)] : [];
        });
      return [...inStack, ...inAccount];
    },
  });
}

/** The guardrail of a monitor part's config: the monitor and the member role exist only with monitor.enabled. */
export function monitorGuardrail(scope: Construct, props: GuardrailConstructProps): Guardrail {
  const guardrail = constructGuardrail(scope, props);
  if (!guardrail.config.monitor.enabled)
    throw new ConfigError(`the config of ${scope.node.path}`, [
      "monitor.enabled: is false, so there is no monitor and no member role to deploy",
    ]);
  Aspects.of(scope).add(new WarnUnprotected(scope, guardrail));
  return guardrail;
}

/** A statement as the SCP writes it, for comparing statements of two guardrails. */
type ProtectionStatement = ReturnType<typeof buildToolProtectionStatements>[number];
const statementKey = (s: ProtectionStatement) => JSON.stringify(s);

/** The app's organization policies, each with the statements of its SCP that protect the tool's resources. */
const ORGANIZATION_POLICIES = new WeakMap<Construct, Set<string>>();

/** An organization policy construct of the app, whose SCP protects what the app's monitor and member role deploy. */
export function registerOrganizationPolicy(construct: Construct, guardrail: Guardrail): void {
  ORGANIZATION_POLICIES.set(construct, new Set(buildToolProtectionStatements(guardrail).map(statementKey)));
}

/**
 * The SCP statements that protect the monitor's and the member role's resources (their roles, functions, rules,
 * state, topic, key: scp.protectGuardrail, scp.protectExemptedPrincipals) are only in the organization policy's SCP.
 * A team that deploys the monitor or the member role without it, or with one of another config or definition, has
 * those resources open to any admin of a member account; the app synthesizes either way, so the construct says so
 * at synth (a warning annotation: the organization policy may be deployed by another app). An aspect, since the
 * organization policy may be added to the app after this construct.
 */
class WarnUnprotected implements IAspect {
  private warned = false;

  constructor(
    private readonly construct: Construct,
    private readonly guardrail: Guardrail,
  ) {}

  visit(node: IConstruct): void {
    if (node !== this.construct || this.warned) return;
    this.warned = true;
    const wanted = buildToolProtectionStatements(this.guardrail);
    const deploysSomething = node.node.findAll().some((c) => c instanceof TerraformResource);
    if (wanted.length === 0 || !deploysSomething) return;
    const policies = node.node.root.node.findAll().filter((c) => ORGANIZATION_POLICIES.has(c));
    const deployed = new Set(policies.flatMap((c) => [...(ORGANIZATION_POLICIES.get(c) ?? [])]));
    const missing = [...new Set(wanted.filter((s) => !deployed.has(statementKey(s))).map((s) => s.Sid))];
    if (missing.length === 0) return;
    const statements = `the SCP statements that protect its resources (${missing.join(", ")})`;
    const paths = policies.map((c) => c.node.path).join(", ");
    Annotations.of(node).addWarning(
      policies.length === 0
        ? `SCP protection: no GuardrailOrganizationPolicy in this app deploys ${statements}: deploy one of the same ` +
            "config and definition (here, or the organization-policy stack of bedrock-guardrail synth), or any " +
            "admin of its account can change or delete them"
        : `SCP protection: no GuardrailOrganizationPolicy of this app (${paths}) has ${statements} as this ` +
            "construct's config and definition give them: give the organization policy the same config and " +
            "definition, or these resources are not all protected",
    );
  }
}
