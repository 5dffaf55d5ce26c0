/**
 * The CloudTrail Lake event data store for the cloudtrail-lake backend: an organization store
 * that keeps only the guardrail's event source's management events, which keeps ingest and scan
 * cost to a tiny fraction of an all-events store. Or an existing store, used as given.
 */
import { CloudtrailEventDataStore } from "@cdktf/provider-aws/lib/cloudtrail-event-data-store";
import { Construct } from "constructs";
import { RESOURCE_PREFIX } from "../naming";

export interface EventStoreProps {
  /** Events to keep, e.g. bedrock.amazonaws.com. */
  eventSource: string;
  retentionDays: number;
  terminationProtection: boolean;
  name?: string;
}

/** Advanced event selector: management events of one service, nothing else. */
export function bedrockOnlySelectors(eventSource: string) {
  return [
    {
      name: `Management events of ${eventSource} only`,
      fieldSelector: [
        { field: "eventCategory", equalTo: ["Management"] },
        { field: "eventSource", equalTo: [eventSource] },
      ],
    },
  ];
}

export class GuardrailEventStore extends Construct {
  readonly store: CloudtrailEventDataStore;

  constructor(scope: Construct, id: string, props: EventStoreProps) {
    super(scope, id);
    this.store = new CloudtrailEventDataStore(this, "store", {
      name: props.name ?? `${RESOURCE_PREFIX}-${props.eventSource.split(".")[0]}`,
      organizationEnabled: true,
      multiRegionEnabled: true,
      retentionPeriod: props.retentionDays,
      terminationProtectionEnabled: props.terminationProtection,
      advancedEventSelector: bedrockOnlySelectors(props.eventSource),
    });
  }
}
