/**
 * A monitor and a member role of one app that were given different configs synthesize cleanly, and the responder
 * then fails at run time: it assumes a role name the StackSet never deployed, presents an external ID the role does
 * not require, or is not among the roles the member role trusts; the forwarding rules send to a bus the monitor never
 * made. The two constructs say so at synth instead: a warning (not a refusal: an app may deploy the member role for
 * another app's monitor on purpose) on the monitor, naming the config keys that differ. Only when the app deploys a
 * member role at all: one deployed by another app is not seen.
 */
import { Annotations, Aspects, type IAspect } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import { stackAccountOf } from "../config/sections/aws";
import type { Guardrail } from "../guardrail/guardrail";
import { guardrailDeclarations, responderRoleNames } from "./declarations";

/** What the responder and the member role must agree on, by the config keys that decide each. */
type ResponderContract = Record<string, string>;

/** Values compared but never printed: the external ID is a shared secret of the trust policy. */
const SECRET_KEYS = new Set(["monitor.memberRoleExternalId"]);

function responderContract(guardrail: Guardrail): ResponderContract {
  const { config } = guardrail;
  const eventbridge = config.monitor.eventbridge;
  const roles = responderRoleNames(guardrailDeclarations(guardrail), eventbridge.enabled);
  return {
    "remediation.memberRoleName": config.remediation.memberRoleName,
    "monitor.memberRoleExternalId": config.monitor.memberRoleExternalId,
    "aws.security's account (accountId, or assumeRoleArn's)": stackAccountOf(config.aws.security) ?? "(asked at apply)",
    "remediation.mode and modeOverrides (the roles that assume the member role)": roles.join(", ") || "(none)",
    "monitor.eventbridge (the central bus)": eventbridge.enabled ? eventbridge.centralBusName : "(off)",
  };
}

/** The app's member roles, each with the contract its config gives. */
const MEMBER_ROLES = new WeakMap<Construct, ResponderContract>();

export function registerMemberRole(construct: Construct, guardrail: Guardrail): void {
  MEMBER_ROLES.set(construct, responderContract(guardrail));
}

/** The keys whose values differ between two contracts, each with both values (secret ones as "differs"). */
function differences(mine: ResponderContract, theirs: ResponderContract): string[] {
  return Object.keys(mine)
    .filter((key) => mine[key] !== theirs[key])
    .map((key) => (SECRET_KEYS.has(key) ? `${key} differs` : `${key} ${mine[key]} vs ${theirs[key]}`));
}

/** An aspect, since the member role may be added to the app after the monitor. */
class WarnMismatchedMemberRole implements IAspect {
  private warned = false;

  constructor(
    private readonly monitor: Construct,
    private readonly contract: ResponderContract,
  ) {}

  visit(node: IConstruct): void {
    if (node !== this.monitor || this.warned) return;
    this.warned = true;
    const memberRoles = node.node.root.node.findAll().filter((c) => MEMBER_ROLES.has(c));
    const mismatches = memberRoles.map((c) => ({
      path: c.node.path,
      differ: differences(this.contract, MEMBER_ROLES.get(c) as ResponderContract),
    }));
    if (mismatches.length === 0 || mismatches.some((m) => m.differ.length === 0)) return;
    const list = mismatches.map((m) => `${m.path}: ${m.differ.join("; ")}`).join(" | ");
    Annotations.of(node).addWarning(
      `Responder: no GuardrailMemberRole of this app agrees with this monitor (${list}), so its responder cannot ` +
        "act in the member accounts (this monitor's value first): give both the same config",
    );
  }
}

export function warnMismatchedMemberRole(monitor: Construct, guardrail: Guardrail): void {
  Aspects.of(monitor).add(new WarnMismatchedMemberRole(monitor, responderContract(guardrail)));
}
