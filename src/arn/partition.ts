/**
 * AWS partitions: the one place that knows which partition a region belongs to, where each partition's
 * global services (IAM, Organizations) take their API calls, and how an ARN is written. Everything that
 * builds an ARN or picks a region for a global service asks here, so a GovCloud or China configuration
 * is right everywhere or nowhere.
 */
const PARTITIONS = ["aws", "aws-us-gov", "aws-cn"] as const;
export type Partition = (typeof PARTITIONS)[number];

interface PartitionFacts {
  /** Regions of the partition start with this. */
  regionPrefix: string | undefined;
  /** The region whose endpoint serves each global service of the partition (per AWS's endpoint tables). */
  globalRegion: { iam: string; organizations: string };
}

const FACTS: Record<Partition, PartitionFacts> = {
  aws: { regionPrefix: undefined, globalRegion: { iam: "us-east-1", organizations: "us-east-1" } },
  "aws-us-gov": { regionPrefix: "us-gov-", globalRegion: { iam: "us-gov-west-1", organizations: "us-gov-west-1" } },
  "aws-cn": { regionPrefix: "cn-", globalRegion: { iam: "cn-north-1", organizations: "cn-northwest-1" } },
};

/** The partition a region belongs to: us-gov-* is GovCloud, cn-* is China, every other region is aws. */
export function partitionOfRegion(region: string): Partition {
  for (const p of PARTITIONS) {
    const prefix = FACTS[p].regionPrefix;
    if (prefix && region.startsWith(prefix)) return p;
  }
  return "aws";
}

/** The region to send a global service's API calls to in a partition. */
export function globalServiceRegion(partition: Partition, service: keyof PartitionFacts["globalRegion"]): string {
  return FACTS[partition].globalRegion[service];
}

/** arn:<partition>:<service>:<region>:<account>:<resource>; region and account are empty for global resources. */
export function formatArn(parts: {
  partition: Partition | string;
  service: string;
  region?: string;
  account?: string;
  resource: string;
}): string {
  return `arn:${parts.partition}:${parts.service}:${parts.region ?? ""}:${parts.account ?? ""}:${parts.resource}`;
}
