/**
 * Reads what decides whether the scheduled job's CloudTrail source still receives events: the event data store
 * (cloudtrail-lake) or the organization trail that feeds the Athena archive or the log group (monitor.trailArn).
 * Read-only calls, one per run each; the comparison is src/runtime/source-liveness.ts.
 */
import {
  type AdvancedEventSelector,
  type CloudTrailClient,
  type EventSelector,
  GetEventDataStoreCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
} from "@aws-sdk/client-cloudtrail";
import type { PermissionDeclaration } from "./permissions";

export const EVENT_DATA_STORE_READ_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["cloudtrail:GetEventDataStore"],
    resource: { kind: "event-data-store" },
    why: "Check each run that the event data store still ingests the rules' events (drift check)",
  },
];

export const TRAIL_READ_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["cloudtrail:GetTrail", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"],
    resource: { kind: "organization-trail" },
    why: "Check each run that the organization trail still logs the rules' events where the job reads (drift check)",
  },
];

/** An event data store as the liveness check needs it (GetEventDataStore). */
export interface EventDataStoreView {
  status?: string;
  multiRegion?: boolean;
  organization?: boolean;
  advancedEventSelectors: AdvancedEventSelector[];
}

/** The organization trail as the liveness check needs it (GetTrail, GetTrailStatus, GetEventSelectors). */
export interface TrailView {
  isLogging?: boolean;
  multiRegion?: boolean;
  organization?: boolean;
  s3BucketName?: string;
  s3KeyPrefix?: string;
  logGroupArn?: string;
  /** The latest S3 delivery error and the last successful delivery (Athena reads the archive). */
  deliveryError?: string;
  deliveredAt?: Date;
  /** The latest CloudWatch Logs delivery error and the last successful delivery (Logs Insights reads the group). */
  logsDeliveryError?: string;
  logsDeliveredAt?: Date;
  eventSelectors: EventSelector[];
  advancedEventSelectors: AdvancedEventSelector[];
}

export async function readEventDataStore(client: CloudTrailClient, arn: string): Promise<EventDataStoreView> {
  const r = await client.send(new GetEventDataStoreCommand({ EventDataStore: arn }));
  return {
    status: r.Status,
    multiRegion: r.MultiRegionEnabled,
    organization: r.OrganizationEnabled,
    advancedEventSelectors: r.AdvancedEventSelectors ?? [],
  };
}

/** The trail by its ARN: a member account of the organization must name an organization trail by ARN. */
export async function readTrail(client: CloudTrailClient, arn: string): Promise<TrailView> {
  const [trail, status, selectors] = await Promise.all([
    client.send(new GetTrailCommand({ Name: arn })),
    client.send(new GetTrailStatusCommand({ Name: arn })),
    client.send(new GetEventSelectorsCommand({ TrailName: arn })),
  ]);
  const t = trail.Trail ?? {};
  return {
    isLogging: status.IsLogging,
    multiRegion: t.IsMultiRegionTrail,
    organization: t.IsOrganizationTrail,
    s3BucketName: t.S3BucketName,
    s3KeyPrefix: t.S3KeyPrefix,
    logGroupArn: t.CloudWatchLogsLogGroupArn,
    deliveryError: status.LatestDeliveryError,
    deliveredAt: status.LatestDeliveryTime,
    logsDeliveryError: status.LatestCloudWatchLogsDeliveryError,
    logsDeliveredAt: status.LatestCloudWatchLogsDeliveryTime,
    eventSelectors: selectors.EventSelectors ?? [],
    advancedEventSelectors: selectors.AdvancedEventSelectors ?? [],
  };
}
