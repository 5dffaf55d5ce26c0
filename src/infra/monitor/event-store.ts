/**
 * The CloudTrail Lake event data store for the cloudtrail-lake backend: an organization store
 * that keeps only the management events the rules read, which keeps ingest and scan cost to a tiny
 * fraction of an all-events store. Or an existing store, used as given.
 *
 * Selectors widen with the rules: every management event of the primary event source (Bedrock:
 * cheap, and what an investigator wants beside a finding), and for any other source (IAM, whose
 * events are global and logged in us-east-1; bedrock-mantle) only the event names its rules read.
 */
import { CloudtrailEventDataStore } from "@cdktf/provider-aws/lib/cloudtrail-event-data-store";
import { Construct } from "constructs";
import type { DetectionRule } from "../../guardrail/definition";
import { eventDataStoreName } from "../naming";

export interface EventStoreProps {
  /** The rules whose events the store keeps; the first rule's event source is kept whole. */
  rules: Pick<DetectionRule, "eventSource" | "eventNames">[];
  retentionDays: number;
  terminationProtection: boolean;
  name?: string;
}

interface AdvancedEventSelector {
  name: string;
  fieldSelector: Array<{ field: string; equalTo: string[] }>;
}

/**
 * Advanced event selectors (ORed by CloudTrail; field selectors within one are ANDed): all
 * management events of the primary source, and the rules' event names of every other source.
 */
function ruleEventSelectors(rules: Pick<DetectionRule, "eventSource" | "eventNames">[]): AdvancedEventSelector[] {
  if (rules.length === 0) throw new Error("event data store: no rules to keep events for");
  const primary = rules[0].eventSource;
  const names = new Map<string, Set<string>>();
  for (const rule of rules) {
    if (rule.eventSource === primary) continue;
    const set = names.get(rule.eventSource) ?? new Set<string>();
    for (const name of rule.eventNames) set.add(name);
    names.set(rule.eventSource, set);
  }
  return [
    {
      name: `Management events of ${primary}`,
      fieldSelector: [
        { field: "eventCategory", equalTo: ["Management"] },
        { field: "eventSource", equalTo: [primary] },
      ],
    },
    ...[...names].map(([source, eventNames]) => ({
      name: `Rule events of ${source}`,
      fieldSelector: [
        { field: "eventCategory", equalTo: ["Management"] },
        { field: "eventSource", equalTo: [source] },
        { field: "eventName", equalTo: [...eventNames] },
      ],
    })),
  ];
}

export class GuardrailEventStore extends Construct {
  readonly store: CloudtrailEventDataStore;

  constructor(scope: Construct, id: string, props: EventStoreProps) {
    super(scope, id);
    this.store = new CloudtrailEventDataStore(this, "store", {
      name: props.name ?? eventDataStoreName(props.rules[0].eventSource),
      organizationEnabled: true,
      multiRegionEnabled: true,
      retentionPeriod: props.retentionDays,
      terminationProtectionEnabled: props.terminationProtection,
      advancedEventSelector: ruleEventSelectors(props.rules),
    });
  }
}
