/**
 * Preview: what the synthesized SCPs would have done to calls recorded in CloudTrail. Each record is
 * rebuilt into the requests the SCP evaluates (request-model.ts) and evaluated with the same
 * evaluator that proves the policy; the outcome of one record never depends on another, so a batch
 * is the sum of its records (PreviewReport.add is commutative and associative, which lets worker
 * threads report per file). Pure: no I/O.
 */
import { parseArn } from "../arn/arn-like";
import { marksBearerToken } from "../arn/bearer-token";
import type { Guardrail } from "../guardrail/guardrail";
import { actionMatches, type ScpRequest, statementOutcome } from "./evaluate";
import { mantleModelPatterns } from "./mantle-models";
import {
  ACCESS_DENIED_CODES,
  BEARER_TOKEN_PREFIXES,
  eventSourceOf,
  EVENT_ACTIONS,
  iamActionOf,
  type ModelledRequest,
  type RebuiltCall,
  rebuildCall,
  type TrailRecordLike,
} from "./request-model";
import {
  BEARER_TOKEN_TYPE_KEYS,
  LONG_TERM,
  MANTLE_MODEL_KEY,
  MARKETPLACE_PRODUCT_KEY,
  SHORT_TERM,
  SID,
} from "./statement-ids";
import type { ScpDocument, ScpStatement } from "./types";

/** A record of the preview: the request model's fields plus what the report groups by. */
export interface PreviewRecordLike extends TrailRecordLike {
  eventTime?: unknown;
  errorCode?: unknown;
}

export type Decision =
  | { decision: "allow" }
  | { decision: "deny"; request: ScpRequest; sid: string; document: string }
  | { decision: "undetermined"; request: ScpRequest; sid: string; key: string };

export type RecordPreview =
  /** No statement names the call. */
  | { kind: "not-guarded" }
  | { kind: "outside-scp"; reason: string }
  | { kind: "already-denied"; principalArn: string; action: string; time: string }
  | {
      kind: "undetermined";
      principalArn: string;
      action: string;
      missing: string;
      time: string;
      /** The request whose decision hinges on `missing` (absent when the request itself cannot be rebuilt). */
      request?: ScpRequest;
    }
  | { kind: "allowed"; requests: ScpRequest[] }
  | {
      kind: "denied";
      principalArn: string;
      accountId?: string;
      action: string;
      resource: string;
      /** The condition keys the denied request carried (the suggestion may depend on them). */
      context: Record<string, string[]>;
      /** The statement that decided the call (the first to deny it). */
      sid: string;
      document: string;
      /** Every statement that denies one of the call's requests, the deciding one first: each needs the change. */
      deniedBy: { sid: string; document: string }[];
      suggestion: string;
      time: string;
      requests: ScpRequest[];
    };

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

/**
 * The literal text every CloudTrail record holds (its `"eventName"` key): what the pre-filter looks
 * for in a source a statement names as a whole service (`service:*`), whose events cannot be listed,
 * so that every record of that source is read.
 */
const ANY_EVENT = "eventName";
/** The text a call made with an API key holds (`callWithBearerToken`), whatever its event name. */
const BEARER_TOKEN_MARK = "callWithBearerToken";

/** The event sources and names (or other literal text) a record must hold to matter: the pre-filter's scope. */
export interface EventScope {
  eventSource: string;
  eventNames: string[];
}

/** How many actions a Previewer keeps the statements of (statementsNaming). */
const STATEMENTS_BY_ACTION_KEPT = 1024;

/** Evaluates the guardrail's SCP statements for recorded calls, one record at a time. */
export class Previewer {
  readonly statements: ScpStatement[];
  private readonly documents = new Map<string, string>();
  private readonly namedActions: Set<string>;
  /** `service:` of every `service:*` a statement names (Claude Platform on AWS). */
  private readonly namedServices: string[];

  /** `documents`: buildScpDocuments(guardrail), computed by the caller (a worker gets them as data). */
  constructor(
    readonly guardrail: Guardrail,
    documents: readonly ScpDocument[],
  ) {
    this.statements = documents.flatMap((d) => d.policy.Statement);
    for (const d of documents) for (const s of d.policy.Statement) this.documents.set(s.Sid, d.name);
    const actions = this.statements.flatMap((s) => s.Action.map((a) => a.toLowerCase()));
    this.namedActions = new Set(actions.filter((a) => !a.endsWith(":*")));
    this.namedServices = actions.filter((a) => a.endsWith(":*")).map((a) => a.slice(0, -1));
  }

  /** True when a statement names the action, itself or by its whole service (`service:*`). */
  named = (action: string): boolean => {
    const lower = action.toLowerCase();
    return this.namedActions.has(lower) || this.namedServices.some((prefix) => lower.startsWith(prefix));
  };

  /** The name of the document that holds a statement. */
  documentOf(sid: string): string {
    return this.documents.get(sid) ?? "";
  }

  /** Event sources of the services a statement names as a whole (`service:*`: Claude Platform on AWS). */
  private wholeSources(): string[] {
    const wildcards = this.statements.flatMap((s) => s.Action).filter((a) => a.endsWith(":*"));
    return [...new Set(wildcards.map((a) => eventSourceOf(a.slice(0, -2))))];
  }

  /**
   * What the pre-filter must let through: for each statement action its service's event source and
   * the event names that authorize as it; every record of a service a statement names as a whole;
   * and on the sources whose calls an API key can make the text `callWithBearerToken` (any such call
   * is also authorized as CallWithBearerToken).
   */
  scope(): EventScope[] {
    const bySource = new Map<string, Set<string>>();
    const add = (source: string, name: string) => bySource.set(source, (bySource.get(source) ?? new Set()).add(name));
    for (const action of this.statements.flatMap((s) => s.Action).filter((a) => !a.endsWith(":*"))) {
      const [prefix, name] = action.split(":");
      add(eventSourceOf(prefix), name);
    }
    for (const source of this.wholeSources()) add(source, ANY_EVENT);
    for (const [event, action] of Object.entries(EVENT_ACTIONS)) {
      const at = event.lastIndexOf(":");
      if (this.named(action)) add(event.slice(0, at), event.slice(at + 1));
    }
    for (const prefix of BEARER_TOKEN_PREFIXES)
      if (this.named(`${prefix}:CallWithBearerToken`)) add(eventSourceOf(prefix), BEARER_TOKEN_MARK);
    return [...bySource].map(([eventSource, names]) => ({ eventSource, eventNames: [...names].sort() }));
  }

  /**
   * The same scope as structured data, for a query backend: exact event names, Lambda's by prefix,
   * every event of a whole service (`all`).
   */
  queryScope(): {
    events: { eventSource: string; eventNames: string[]; prefix?: boolean; all?: boolean }[];
    bearerTokenSources: string[];
  } {
    const whole = this.wholeSources();
    const bearer = BEARER_TOKEN_PREFIXES.filter((p) => this.named(`${p}:CallWithBearerToken`))
      .map(eventSourceOf)
      .filter((source) => !whole.includes(source));
    const events = this.scope()
      .map(({ eventSource, eventNames }) =>
        whole.includes(eventSource)
          ? { eventSource, eventNames: [], all: true }
          : {
              eventSource,
              eventNames: eventNames.filter((n) => n !== BEARER_TOKEN_MARK),
              ...(eventSource === eventSourceOf("lambda") ? { prefix: true } : {}),
            },
      )
      .filter((e) => e.eventNames.length > 0 || e.all);
    return { events, bearerTokenSources: bearer };
  }

  /**
   * The statements whose Action names an action, in order (statementOutcome passes every other request), by
   * action: a call through a profile is decided as several requests of one action, and every record repeats
   * the few actions statements name. Emptied when full, as a whole service's actions are any event name.
   */
  private readonly statementsByAction = new Map<string, readonly ScpStatement[]>();

  private statementsNaming(action: string): readonly ScpStatement[] {
    let naming = this.statementsByAction.get(action);
    if (naming) return naming;
    naming = this.statements.filter((s) => s.Action.some((a) => actionMatches(a, action)));
    if (this.statementsByAction.size >= STATEMENTS_BY_ACTION_KEPT) this.statementsByAction.clear();
    this.statementsByAction.set(action, naming);
    return naming;
  }

  /** One request against every statement: the first that denies, else the first whose verdict is unknown. */
  decide(request: ScpRequest): Decision {
    let unknown: Decision | undefined;
    for (const statement of this.statementsNaming(request.action)) {
      const outcome = statementOutcome(statement, request);
      if (outcome === "deny")
        return { decision: "deny", request, sid: statement.Sid, document: this.documentOf(statement.Sid) };
      if (outcome !== "pass")
        unknown ??= { decision: "undetermined", request, sid: statement.Sid, key: outcome.unknownKey };
    }
    return unknown ?? { decision: "allow" };
  }

  /**
   * The requests of one call: the first that a statement denies decides, else the first undetermined. The routed
   * ones (the model in each Region a cross-Region profile may route to; the record does not say which a model's
   * profile uses) deny only when every one is denied, and leave the call undetermined when some are.
   */
  decideCall(requests: readonly ScpRequest[]): Decision {
    // The requests before the routed ones, in order: the first denied decides whatever follows (most calls have
    // no routed requests, and a call through a profile denied on the profile needs none of them decided).
    let unknown: Decision | undefined;
    let first = 0;
    for (; first < requests.length && !requests[first].routed; first++) {
      const decision = this.decide(requests[first]);
      if (decision.decision === "deny") return decision;
      unknown ??= decision.decision === "undetermined" ? decision : undefined;
    }
    if (first === requests.length) return unknown ?? { decision: "allow" };
    const rest = requests.slice(first);
    const routedRequests = rest.filter((r) => r.routed);
    const routed = routedRequests.map((r) => this.decide(r));
    const deniedRouted = routed.filter((d) => d.decision === "deny");
    // Every routed request denied: they decide together, in the place of the first of them.
    if (deniedRouted.length === routed.length) return deniedRouted[0];
    const later = rest.filter((r) => !r.routed).map((r) => this.decide(r));
    const isUndetermined = (d: Decision) => d.decision === "undetermined";
    const decided =
      later.find((d) => d.decision === "deny") ?? unknown ?? later.find(isUndetermined) ?? routed.find(isUndetermined);
    if (decided) return decided;
    const split = deniedRouted[0];
    if (split?.decision !== "deny") return { decision: "allow" };
    const regions = (denied: boolean) =>
      routedRequests
        .filter((_, i) => (routed[i].decision === "deny") === denied)
        .map((r) => parseArn(r.resource)?.region)
        .join(", ");
    const key = `the Region the profile routes the call to (denied in ${regions(true)}; allowed in ${regions(false)})`;
    return { decision: "undetermined", request: split.request, sid: split.sid, key };
  }

  /**
   * Every statement that denies a request of the call, for each request: the change that allows the call must pass
   * each, not only the first (a call with an API key to an unlisted model is denied on the model and on
   * CallWithBearerToken; a subscription to a listed product via Bedrock by two statements).
   */
  denials(requests: readonly ScpRequest[]): Extract<Decision, { decision: "deny" }>[] {
    return requests.flatMap((request) =>
      this.statementsNaming(request.action)
        .filter((s) => statementOutcome(s, request) === "deny")
        .map((s) => ({ decision: "deny" as const, request, sid: s.Sid, document: this.documentOf(s.Sid) })),
    );
  }

  previewRecord(record: PreviewRecordLike): RecordPreview {
    const source = str(record.eventSource);
    const name = str(record.eventName);
    const action = source && name ? iamActionOf(source, name) : undefined;
    if (!action || !(this.named(action) || carriesBearerToken(record))) return { kind: "not-guarded" };
    const time = str(record.eventTime) ?? "";
    const { managementAccountId } = this.guardrail.config.organization;
    const rebuilt = rebuildCall(record, action, this.named, managementAccountId, this.guardrail.partition);
    if (rebuilt.kind === "outside-scp") return rebuilt;
    if (rebuilt.requests.length === 0) return { kind: "not-guarded" };
    const principalArn = rebuilt.kind === "requests" ? rebuilt.principalArn : principalOf(record);
    if (ACCESS_DENIED_CODES.has(str(record.errorCode) ?? ""))
      return { kind: "already-denied", principalArn, action, time };
    if (rebuilt.kind === "no-principal") return this.withoutPrincipal(rebuilt, principalArn, action, time);
    const requests = rebuilt.requests.map((r) => toScpRequest(r, principalArn));
    const decided = this.decideCall(requests);
    if (decided.decision === "deny") {
      const { request, sid, document } = decided;
      const denials = this.denials(requests);
      return {
        kind: "denied",
        principalArn,
        accountId: rebuilt.accountId,
        action: request.action,
        resource: request.resource,
        context: request.context ?? {},
        sid,
        document,
        deniedBy: statementsOf([decided, ...denials]),
        suggestion: callSuggestion(this.guardrail, denials),
        time,
        requests,
      };
    }
    if (decided.decision === "undetermined")
      return {
        kind: "undetermined",
        principalArn,
        action: decided.request.action,
        missing: undeterminedBy(decided.key, decided.sid),
        time,
        request: decided.request,
      };
    return { kind: "allowed", requests };
  }

  /**
   * A call whose aws:PrincipalArn the record does not show: allowed when no statement denies it whoever made it,
   * else undetermined (a statement decides by the principal, or the report could name no one to approve).
   */
  private withoutPrincipal(
    rebuilt: Extract<RebuiltCall, { kind: "no-principal" }>,
    shownArn: string,
    action: string,
    time: string,
  ): RecordPreview {
    const requests = rebuilt.requests.map((r) => ({
      ...toScpRequest(r, shownArn),
      unknownKeys: [...r.unknownKeys, PRINCIPAL_ARN_KEY],
    }));
    const decided = this.decideCall(requests);
    if (decided.decision === "allow") return { kind: "allowed", requests };
    return {
      kind: "undetermined",
      principalArn: shownArn,
      action,
      missing: undeterminedBy(rebuilt.missing, decided.sid),
      time,
    };
  }
}

const PRINCIPAL_ARN_KEY = "aws:PrincipalArn";

/**
 * What an undetermined call lacks, and the statement that needs it. The one plural request-model.ts names is the
 * models a profile or router routes to, which the pronouns agree with.
 */
function undeterminedBy(missing: string, sid: string): string {
  const them = missing.startsWith("the models ") ? "them" : "it";
  return `${missing} (statement ${sid} depends on ${them}; the record does not show ${them})`;
}

/** The distinct statements of some denials, in order. */
function statementsOf(denials: readonly { sid: string; document: string }[]): { sid: string; document: string }[] {
  const bySid = new Map(denials.map(({ sid, document }) => [sid, { sid, document }]));
  return [...bySid.values()];
}

function toScpRequest(r: ModelledRequest, principalArn: string): ScpRequest {
  return {
    action: r.action,
    resource: r.resource,
    principalArn,
    context: r.context,
    ...(r.unknownKeys.length > 0 ? { unknownKeys: r.unknownKeys } : {}),
    ...(r.unknownResource ? { unknownResource: r.unknownResource } : {}),
    ...(r.routed ? { routed: r.routed } : {}),
  };
}

/** Whether a Bedrock call says it was made with an API key (where each endpoint records it). */
function carriesBearerToken(record: TrailRecordLike): boolean {
  return marksBearerToken(record.additionalEventData) || marksBearerToken(record.requestParameters);
}

function principalOf(record: TrailRecordLike): string {
  const id = record.userIdentity;
  return str(id?.sessionContext?.sessionIssuer?.arn) ?? str(id?.arn) ?? "(unknown principal)";
}

/**
 * An approvedPrincipalArns pattern for a principal: an Identity Center role by its permission set in
 * any account, with the Region segment as the role has it (an instance in us-east-1 has none) and
 * sixteen `?` for the random suffix; any other principal as it is.
 */
function principalPattern(principalArn: string): string {
  const m = principalArn.match(
    /^(arn:[^:]+:iam::)\d{12}(:role\/aws-reserved\/sso\.amazonaws\.com\/)([^/]+\/)?(AWSReservedSSO_.+)_[0-9a-f]{16}$/,
  );
  return m ? `${m[1]}*${m[2]}${m[3] ? "*/" : ""}${m[4]}_????????????????` : principalArn;
}

/** The allow-list entry that lets a model resource through (any Region; a profile in any account). */
function allowListEntry(resource: string): string {
  const m = resource.match(/^arn:([^:]+):bedrock:[^:]*:[^:]*:((?:foundation-model|inference-profile)\/.+)$/);
  if (!m) return resource;
  return `arn:${m[1]}:bedrock:*:${m[2].startsWith("foundation-model/") ? "" : "*"}:${m[2]}`;
}

const ALLOW_LIST_SIDS: readonly string[] = [SID.inferenceAllowList, SID.trainingAllowList];
/** Statements only break-glass and scp.exemptedPrincipalAdminArns pass (StackSets too, for deployment and tags). */
const ADMIN_SIDS: readonly string[] = [
  SID.protectExempted,
  SID.protectDeployment,
  SID.organizationEscape,
  SID.protectTagged,
  SID.protectTag,
  SID.protectRoleTags,
  SID.protectEventSources,
];
/** Statements only the monitor's own roles pass: no config change allows anyone else. */
const MONITOR_SIDS: readonly string[] = [SID.protectData, SID.protectMetrics, SID.protectJobItems];

/**
 * What lets a denied request through: a change to the config (`change`), or approving the principal (`approve`,
 * the approvedPrincipalArns entry), or either.
 */
interface Remedy {
  change?: string;
  approve?: string;
}

const remedyText = ({ change, approve }: Remedy): string =>
  change && approve ? `${change} (or ${approve})` : (change ?? approve ?? "");

/**
 * A role a console made for an AWS service to assume (the /service-role/ path, Bedrock's AmazonBedrockExecutionRole*
 * roles): a feature runs its models as it. Approving it is no remedy to offer beside an allow-list entry: an approved
 * role is protected (ProtectExemptedPrincipals), so the feature's own owners could no longer pass it to the feature.
 * Roles a team made for a service under another name are not recognisable from a record; docs/scp.md says so.
 */
function isServiceRole(principalArn: string): boolean {
  return /:role\/(service-role\/|(.*\/)?AmazonBedrockExecutionRole)/.test(principalArn);
}

function remedyFor(guardrail: Guardrail, request: ScpRequest, sid: string): Remedy {
  const approve = `add "${principalPattern(request.principalArn)}" to approvedPrincipalArns`;
  // Beside a change that admits the call itself (a model, a product), approving a service's role would backfire.
  const orApprove = isServiceRole(request.principalArn) ? undefined : approve;
  if (ALLOW_LIST_SIDS.includes(sid))
    return { change: `add "${allowListEntry(request.resource)}" to scp.modelAllowList`, approve: orApprove };
  if (sid === SID.mantleAllowList) {
    const model = request.context?.[MANTLE_MODEL_KEY]?.[0];
    if (!model) return { approve: `${approve} (the call names no model, so no allow-list entry admits it)` };
    // The entry is the model's id itself, no wildcard: it becomes a bedrock-mantle:Model pattern, and a trailing *
    // would also allow every model whose id merely starts with this one. A caller's id that holds a wildcard or a
    // policy variable's $ would match more than itself, so it gets no entry.
    if (/[*?$]/.test(model))
      return { approve: `${approve} (the model id holds *, ? or $, so no allow-list entry names it alone)` };
    const entry = `arn:${guardrail.partition}:bedrock:*::foundation-model/${model}`;
    return mantleModelPatterns([entry]).length > 0
      ? { change: `add "${entry}" to scp.modelAllowList`, approve: orApprove }
      : { approve };
  }
  if (sid === SID.subscribeViaBedrock) {
    // Bedrock's subscription on a model's first call in the account: approving the model's product lets anyone's pass.
    const products = request.context?.[MARKETPLACE_PRODUCT_KEY] ?? [];
    return products.length === 1
      ? { change: `add "${products[0]}" to scp.approvedMarketplaceProductIds`, approve: orApprove }
      : { approve };
  }
  if (ADMIN_SIDS.includes(sid))
    return { change: `add "${principalPattern(request.principalArn)}" to scp.exemptedPrincipalAdminArns` };
  if (sid === SID.protectStateItems)
    return {
      change:
        `add "${request.principalArn}" to remediation.operatorPrincipalArns (an on-call operator ` +
        "writes the responder's items only)",
    };
  if (MONITOR_SIDS.includes(sid))
    return {
      change:
        "none: only the guardrail's own monitor roles may (set scp.protectGuardrail to false to drop the statement)",
    };
  if (sid === SID.apiKeyUse) return apiKeyRemedy(guardrail, request, approve);
  return { approve };
}

/**
 * A call made with an API key of the type a setting denies: the narrowest setting lets it through and keeps the
 * allow-list on it. A Bedrock long-term key's call gets scp.allowLongTermBedrockApiKeyUse, which leaves creating keys
 * denied; a Claude Platform on AWS long-term key's only passes with scp.denyLongTermBedrockApiKeys off (its keys are
 * not the IAM credentials the creation statement covers). A long-term key is an IAM user's credential, so approving
 * its user is not offered: that would exempt every call the user makes from the allow-list, and the linter warns
 * about an approved IAM user.
 */
function apiKeyRemedy(guardrail: Guardrail, request: ScpRequest, approve: string): Remedy {
  const context = request.context ?? {};
  const types = Object.values(context).flat();
  const { denyLongTermBedrockApiKeys, denyShortTermBedrockApiKeys } = guardrail.config.scp;
  if (denyLongTermBedrockApiKeys && types.includes(LONG_TERM))
    return {
      change:
        BEARER_TOKEN_TYPE_KEYS.claudePlatform in context
          ? "set scp.denyLongTermBedrockApiKeys to false"
          : "set scp.allowLongTermBedrockApiKeyUse to true",
      approve: isIamUser(request.principalArn) ? undefined : approve,
    };
  if (denyShortTermBedrockApiKeys && types.includes(SHORT_TERM))
    return { change: "set scp.denyShortTermBedrockApiKeys to false", approve };
  return { approve };
}

const isIamUser = (principalArn: string): boolean => parseArn(principalArn)?.resource.startsWith("user/") === true;

/** The config change that would let this denied request through. */
export function suggestionFor(guardrail: Guardrail, request: ScpRequest, sid: string): string {
  return remedyText(remedyFor(guardrail, request, sid));
}

/**
 * The config change that lets a denied call through: what every request a statement denies needs (several
 * statements deny an unlisted model called with an API key). Approving the principal is offered only where it
 * lets every request through, and a change only where every request that needs one gets it.
 */
export function callSuggestion(guardrail: Guardrail, denials: readonly { request: ScpRequest; sid: string }[]): string {
  const remedies = [
    ...new Map(
      denials.map(({ request, sid }) => remedyFor(guardrail, request, sid)).map((r) => [remedyText(r), r]),
    ).values(),
  ];
  if (remedies.length === 1) return remedyText(remedies[0]);
  // The changes no approval replaces (exemption, operators), then those the principal's approval replaces.
  const needed = remedies.flatMap((r) => (r.approve ? [] : [r.change]));
  const approvable = remedies.filter((r) => r.approve);
  const approvalOnly = approvable.find((r) => !r.change);
  if (approvalOnly) needed.push(approvalOnly.approve);
  else if (approvable.length > 0)
    needed.push(remedyText({ change: approvable.map((r) => r.change).join(" and "), approve: approvable[0].approve }));
  const sids = [...new Set(denials.map((d) => d.sid))];
  return `${needed.join(" and ")} (denied by ${sids.join(" and ")})`;
}
