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
  /**
   * The partition's Regions as this version knows them (AWS's endpoint metadata, as the AWS SDKs ship it, and the
   * AWS Regions list, December 2026). AWS adds Regions, so a Region missing here is only a warning (config lint).
   */
  regions: readonly string[];
  /** The region whose endpoint serves each global service of the partition (per AWS's endpoint tables). */
  globalRegion: { iam: string; organizations: string };
}

const FACTS: Record<Partition, PartitionFacts> = {
  aws: {
    regionPrefix: undefined,
    regions: [
      ...["af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3"],
      ...["ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4"],
      ...["ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1"],
      ...["eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3"],
      ...["il-central-1", "me-central-1", "me-south-1", "me-west-1", "mx-central-1", "sa-east-1", "sa-west-1"],
      ...["us-east-1", "us-east-2", "us-west-1", "us-west-2"],
    ],
    globalRegion: { iam: "us-east-1", organizations: "us-east-1" },
  },
  "aws-us-gov": {
    regionPrefix: "us-gov-",
    regions: ["us-gov-east-1", "us-gov-west-1"],
    globalRegion: { iam: "us-gov-west-1", organizations: "us-gov-west-1" },
  },
  "aws-cn": {
    regionPrefix: "cn-",
    regions: ["cn-north-1", "cn-northwest-1"],
    globalRegion: { iam: "cn-north-1", organizations: "cn-northwest-1" },
  },
};

/**
 * Region prefixes of the partitions this tool does not support (the ISO partitions and the European
 * Sovereign Cloud): their ARNs, endpoints and SCP behaviour are not modelled, so a config there is
 * refused rather than synthesized with commercial ARNs.
 */
const UNSUPPORTED_PARTITIONS: readonly { prefix: string; partition: string }[] = [
  { prefix: "us-isob-", partition: "aws-iso-b" },
  { prefix: "us-isof-", partition: "aws-iso-f" },
  { prefix: "eu-isoe-", partition: "aws-iso-e" },
  { prefix: "us-iso-", partition: "aws-iso" },
  { prefix: "eusc-", partition: "aws-eusc" },
];

/** The partition of a region of a partition this tool does not support, else undefined. */
export function unsupportedPartitionOf(region: string): string | undefined {
  return UNSUPPORTED_PARTITIONS.find((u) => region.startsWith(u.prefix))?.partition;
}

/** The partition a region belongs to: us-gov-* is GovCloud, cn-* is China, every other region is aws. */
export function partitionOfRegion(region: string): Partition {
  for (const p of PARTITIONS) {
    const prefix = FACTS[p].regionPrefix;
    if (prefix && region.startsWith(prefix)) return p;
  }
  return "aws";
}

/** Whether this version knows the region (as one of its partition's Regions); a new Region of AWS's is not known. */
export function isKnownRegion(region: string): boolean {
  return FACTS[partitionOfRegion(region)].regions.includes(region);
}

/** The partition's Regions as this version knows them (none for a partition it does not support). */
export function regionsOfPartition(partition: string): readonly string[] {
  return (PARTITIONS as readonly string[]).includes(partition) ? FACTS[partition as Partition].regions : [];
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
