/**
 * The drift check's subscription part: an alert e-mail unsubscribed through the link in a message (which no policy
 * can deny) is reported like any other drift, once, and again when it is subscribed back. Through the real SNS
 * adapter (aws-sdk-client-mock), over pages of ListSubscriptionsByTopic.
 */
import { ListSubscriptionsByTopicCommand } from "@aws-sdk/client-sns";
import { listTopicSubscriptions, type TopicSubscription } from "../../src/aws/sns";
import { buildScpDocuments } from "../../src/policy/documents";
import { checksAlertSubscriptions, subscriptionProblems } from "../../src/runtime/alert-subscriptions";
import { MemoryStateStore } from "../support/memory-state-store";
import { at, guardrailWith, lakeJobEveryFiveMinutes, simulateLake, simulateSns, TOPIC_ARN } from "./helpers";

const email = (endpoint: string, pending = false): TopicSubscription => ({ protocol: "email", endpoint, pending });

describe("subscriptionProblems", () => {
  it("names each configured address without a subscription, once", () => {
    const problems = subscriptionProblems(
      ["soc@example.com", "oncall@example.com", "soc@example.com"],
      [email("oncall@example.com")],
    );
    expect(problems).toEqual([
      { kind: "subscription-missing", target: "soc@example.com", detail: expect.stringContaining("no longer") },
    ]);
  });

  it("counts a subscription awaiting confirmation, an address in another case and email-json as present", () => {
    const subscribed = [
      email("soc@example.com", true),
      email("OnCall@Example.com"),
      { protocol: "email-json", endpoint: "audit@example.com", pending: false },
    ];
    expect(subscriptionProblems(["soc@example.com", "oncall@example.com", "audit@example.com"], subscribed)).toEqual(
      [],
    );
  });

  it("does not take another protocol's endpoint for the address", () => {
    const problems = subscriptionProblems(
      ["soc@example.com"],
      [{ protocol: "sms", endpoint: "soc@example.com", pending: false }],
    );
    expect(problems.map((p) => p.target)).toEqual(["soc@example.com"]);
  });

  it("is checked only with the drift check on and e-mails configured", () => {
    const emails = ["soc@example.com"];
    expect(checksAlertSubscriptions(guardrailWith({ monitor: { alertEmails: emails } }))).toBe(true);
    expect(checksAlertSubscriptions(guardrailWith({ monitor: { alertEmails: [] } }))).toBe(false);
    expect(checksAlertSubscriptions(guardrailWith({ monitor: { alertEmails: emails, driftCheck: false } }))).toBe(
      false,
    );
  });
});

describe("the monitor's drift check with alert e-mails", () => {
  const g = guardrailWith({ monitor: { alertEmails: ["soc@example.com", "oncall@example.com"] } });

  // The SCP as synthesized and attached to the root: the organization side of the check has nothing to report.
  const documents = buildScpDocuments(g);
  const healthyOrganization = {
    roots: [{ id: "r-ab12", scpEnabled: true }],
    policies: documents.map((d, i) => ({ id: `p-guard${i}`, name: d.name, content: d.content })),
    targets: Object.fromEntries(documents.map((_, i) => [`p-guard${i}`, ["r-ab12"]])),
  };

  function monitor() {
    const lake = simulateLake();
    const sns = simulateSns();
    const store = new MemoryStateStore();
    let subscribed = [email("soc@example.com"), email("oncall@example.com")];
    let listing: Error | undefined;
    let organizationFails: Error | undefined;
    // Pages of one, as SNS's NextToken would hand them out.
    sns.mock.on(ListSubscriptionsByTopicCommand).callsFake((input: { TopicArn: string; NextToken?: string }) => {
      if (listing) throw listing;
      expect(input.TopicArn).toBe(TOPIC_ARN);
      const from = Number(input.NextToken ?? 0);
      const page = subscribed.slice(from, from + 1).map((s) => ({
        Protocol: s.protocol,
        Endpoint: s.endpoint,
        SubscriptionArn: s.pending ? "PendingConfirmation" : `${TOPIC_ARN}:sub-${from}`,
      }));
      return { Subscriptions: page, NextToken: from + 1 < subscribed.length ? String(from + 1) : undefined };
    });
    lake.clock.now = at("2026-07-01T12:00:00Z");
    const { run, driftAlerts } = lakeJobEveryFiveMinutes(lake, sns, store, g, {
      readOrganization: async () => {
        if (organizationFails) throw organizationFails;
        return healthyOrganization;
      },
      readAlertSubscriptions: () => listTopicSubscriptions(sns.client, TOPIC_ARN),
    });
    return {
      run,
      driftAlerts,
      unsubscribe: (address: string) => {
        subscribed = subscribed.filter((s) => s.endpoint !== address);
      },
      subscribe: (address: string) => subscribed.push(email(address, true)),
      failListing: (e?: Error) => {
        listing = e;
      },
      failOrganization: (e?: Error) => {
        organizationFails = e;
      },
    };
  }

  it("alerts once when an address is unsubscribed, and once more when it is subscribed back", async () => {
    const m = monitor();
    const problemsOf = async () => (await m.run()).drift?.problems;
    expect(await problemsOf()).toEqual([]);
    m.unsubscribe("oncall@example.com");
    expect(await problemsOf()).toEqual([expect.objectContaining({ kind: "subscription-missing" })]);
    expect(m.driftAlerts().map((a) => a.subject)).toEqual([
      expect.stringContaining("subscription-missing on oncall@example.com"),
    ]);
    const alertsSoFar = m.driftAlerts().length;
    await m.run();
    expect(m.driftAlerts()).toHaveLength(alertsSoFar);
    m.subscribe("oncall@example.com");
    expect(await problemsOf()).toEqual([]);
    expect(m.driftAlerts()).toHaveLength(alertsSoFar + 1);
  });

  it("is checked when the organization cannot be read, and resolved as the monitor's drift", async () => {
    const m = monitor();
    m.unsubscribe("soc@example.com");
    m.failOrganization(Object.assign(new Error("not a delegated administrator"), { name: "AccessDeniedException" }));
    expect((await m.run()).drift?.problems?.map((p) => p.kind)).toEqual(["read-failed", "subscription-missing"]);
    m.failOrganization(undefined);
    m.subscribe("soc@example.com");
    expect((await m.run()).drift?.ok).toBe(true);
    // Not "SCP drift": what was resolved may be an e-mail subscription.
    expect(m.driftAlerts().at(-1)?.subject).toBe("[resolved] Bedrock guardrail drift resolved");
  });

  it("a listing that fails is a drift problem of its own, not a silent pass", async () => {
    const m = monitor();
    m.failListing(
      Object.assign(new Error("not authorized to perform: SNS:ListSubscriptionsByTopic"), {
        name: "AuthorizationErrorException",
      }),
    );
    const drift = (await m.run()).drift;
    expect(drift?.ok).toBe(false);
    expect(drift?.problems).toEqual([
      expect.objectContaining({ kind: "read-failed", detail: expect.stringContaining("ListSubscriptionsByTopic") }),
    ]);
  });
});
