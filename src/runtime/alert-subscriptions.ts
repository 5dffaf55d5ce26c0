/**
 * The alert e-mails are part of the guardrail: the link in every notification unsubscribes its recipient without
 * AWS credentials, and neither the SCP nor the topic policy can deny that (docs/limits.md). So the drift check
 * lists the alert topic's subscriptions and reports each configured address (monitor.alertEmails) that no longer
 * has one: the responders it stood for no longer hear about findings. A subscription awaiting confirmation counts
 * as present (it is the deploy's own, until its link expires and SNS removes it).
 */
import type { TopicSubscription } from "../aws/sns";
import type { Guardrail } from "../guardrail/guardrail";
import type { DriftProblem } from "./drift";

/** Reads the alert topic's subscriptions (the monitor's check; absent: not checked). */
export type SubscriptionReader = () => Promise<TopicSubscription[]>;

/** Whether the monitor's drift check lists the subscriptions: with monitor.driftCheck, when e-mails are configured. */
export function checksAlertSubscriptions(guardrail: Pick<Guardrail, "config">): boolean {
  return guardrail.config.monitor.driftCheck && guardrail.config.monitor.alertEmails.length > 0;
}

/** An address that differs only in case is the same mailbox to mail systems in practice (domains always are). */
const emailKey = (address: string): string => address.trim().toLowerCase();

const emailSubscriptions = (subscriptions: readonly TopicSubscription[]): TopicSubscription[] =>
  subscriptions.filter((s) => s.protocol === "email" || s.protocol === "email-json");

/** A problem for each configured e-mail address the topic no longer delivers to. */
export function subscriptionProblems(
  alertEmails: readonly string[],
  subscriptions: readonly TopicSubscription[],
): DriftProblem[] {
  const subscribed = new Set(emailSubscriptions(subscriptions).map((s) => emailKey(s.endpoint)));
  return [...new Set(alertEmails.map(emailKey))]
    .filter((address) => !subscribed.has(address))
    .map((address) => ({
      kind: "subscription-missing" as const,
      target: address,
      detail:
        `${address} (monitor.alertEmails) is no longer subscribed to the alert topic, so it receives no findings ` +
        "(unsubscribed through the link in a message, or removed): apply the monitor stack again to subscribe it, " +
        "and confirm with --authenticate-on-unsubscribe (docs/monitor.md)",
    }));
}

/**
 * The configured addresses whose subscriptions all still await confirmation: present for the drift check, but SNS
 * delivers them nothing until the owner confirms (verify names them after a deploy).
 */
export function pendingConfirmation(
  alertEmails: readonly string[],
  subscriptions: readonly TopicSubscription[],
): string[] {
  const email = emailSubscriptions(subscriptions);
  const confirmed = new Set(email.filter((s) => !s.pending).map((s) => emailKey(s.endpoint)));
  const pending = new Set(email.filter((s) => s.pending).map((s) => emailKey(s.endpoint)));
  return [...new Set(alertEmails.map(emailKey))].filter((address) => pending.has(address) && !confirmed.has(address));
}
