/**
 * Deterministic (seeded) synthetic CloudTrail archive in the S3 delivery layout:
 *   AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<id>.json.gz
 * Each file is `{"Records":[...]}` gzipped, like CloudTrail writes. Most records are ordinary noise
 * from common services; Bedrock model-access events are rare (about 1 in 40,000), plus InvokeModel
 * noise, denied attempts, approved principals, a few `\u` escapes and cross-file duplicates, so
 * the scanner's fast paths and slow paths are both exercised. Same seed, same bytes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCOUNTS = ["111122223333", "444455556666", "777788889999"];
const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"];
const NOISE: [string, string, boolean][] = [
  ["ec2.amazonaws.com", "DescribeInstances", true],
  ["s3.amazonaws.com", "GetBucketAcl", true],
  ["sts.amazonaws.com", "AssumeRole", false],
  ["iam.amazonaws.com", "ListRoles", true],
  ["kms.amazonaws.com", "Decrypt", true],
  ["lambda.amazonaws.com", "ListFunctions20150331", true],
  ["logs.amazonaws.com", "CreateLogStream", false],
  ["cloudtrail.amazonaws.com", "LookupEvents", true],
  ["ssm.amazonaws.com", "GetParameter", true],
  ["dynamodb.amazonaws.com", "DescribeTable", true],
];
const GUARDED = ["PutUseCaseForModelAccess", "CreateFoundationModelAgreement", "PutFoundationModelEntitlement"];
const MODELS = [
  "anthropic.claude-3-5-sonnet-20240620-v1:0",
  "meta.llama3-70b-instruct-v1:0",
  "amazon.titan-text-express-v1",
];

export interface ArchiveSpec {
  dir: string;
  seed: number;
  /** Stop once this many uncompressed bytes were written. */
  targetBytes: number;
  /**
   * Share of Bedrock records (default about 1 in 1,000): a Bedrock-heavy archive has 0.2, half of them
   * invocations (some failing) and half model enumeration, what the correlation rules read.
   */
  bedrockShare?: number;
}

export interface ArchiveStats {
  files: number;
  records: number;
  uncompressedBytes: number;
  compressedBytes: number;
  /** Guarded events written (successful or denied, approved or not), before duplicates. */
  guardedEvents: number;
  duplicatesWritten: number;
}

class RecordMaker {
  constructor(private readonly rnd: () => number) {}

  hex(len: number): string {
    let s = "";
    for (let i = 0; i < len; i++) s += "0123456789abcdef"[Math.floor(this.rnd() * 16)];
    return s;
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-a${this.hex(3)}-${this.hex(12)}`;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)];
  }

  record(
    account: string,
    region: string,
    time: string,
    kind: "noise" | "invoke" | "guarded" | "enumerate",
  ): { json: string; id: string; guarded: boolean } {
    const id = this.uuid();
    const role = this.rnd() < 0.5 ? "AppRole" : this.pick(["CiDeployRole", "DataPipeline", "BedrockModelAccessAdmin"]);
    const [source, name, readOnly] =
      kind === "guarded"
        ? (["bedrock.amazonaws.com", this.pick(GUARDED), false] as const)
        : kind === "invoke"
          ? (["bedrock.amazonaws.com", "InvokeModel", true] as const)
          : kind === "enumerate"
            ? (["bedrock.amazonaws.com", this.pick(["ListFoundationModels", "GetFoundationModel"]), true] as const)
            : this.pick(NOISE);
    const denied = kind === "guarded" && this.rnd() < 0.2;
    const escaped = this.rnd() < 0.001; // some producers escape non-ASCII as \uXXXX
    const params =
      source === "bedrock.amazonaws.com"
        ? { modelId: this.pick(MODELS) }
        : {
            maxResults: Math.floor(this.rnd() * 100),
            filterSet: {
              items: [{ name: "tag:Team", valueSet: { items: [{ value: escaped ? "caf\u00e9" : "platform" }] } }],
            },
          };
    const rec = {
      eventVersion: "1.09",
      userIdentity: {
        type: "AssumedRole",
        principalId: `AROA${this.hex(17).toUpperCase()}:session-${this.hex(6)}`,
        arn: `arn:aws:sts::${account}:assumed-role/${role}/session-${this.hex(6)}`,
        accountId: account,
        accessKeyId: `ASIA${this.hex(16).toUpperCase()}`,
        sessionContext: {
          sessionIssuer: {
            type: "Role",
            principalId: `AROA${this.hex(17).toUpperCase()}`,
            arn: `arn:aws:iam::${account}:role/${role}`,
            accountId: account,
            userName: role,
          },
          attributes: { creationDate: time, mfaAuthenticated: "false" },
        },
      },
      eventTime: time,
      eventSource: source,
      eventName: name,
      awsRegion: region,
      sourceIPAddress: `10.${[0, 0, 0].map(() => Math.floor(this.rnd() * 255)).join(".")}`,
      userAgent: this.pick([
        "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64",
        "aws-sdk-java/2.25.1 Linux/5.10 OpenJDK_64-Bit_Server_VM/17",
        "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1",
      ]),
      ...(denied
        ? {
            errorCode: "AccessDeniedException",
            errorMessage:
              "User is not authorized to perform this action with an explicit deny in a service control policy",
          }
        : {}),
      requestParameters: params,
      responseElements: null,
      requestID: this.uuid(),
      eventID: id,
      readOnly,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: "Management",
      tlsDetails: {
        tlsVersion: "TLSv1.3",
        cipherSuite: "TLS_AES_128_GCM_SHA256",
        clientProvidedHostHeader: `${source.split(".")[0]}.${region}.amazonaws.com`,
      },
    };
    let json = JSON.stringify(rec);
    if (escaped) json = json.replace(/caf\u00e9/, "caf\\u00e9");
    return { json, id, guarded: kind === "guarded" };
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

/** Writes the archive; returns what it wrote. Writes a manifest so that a later run can reuse it. */
export function generateArchive(spec: ArchiveSpec, log: (s: string) => void = () => undefined): ArchiveStats {
  const rnd = prng(spec.seed);
  const maker = new RecordMaker(rnd);
  const stats: ArchiveStats = {
    files: 0,
    records: 0,
    uncompressedBytes: 0,
    compressedBytes: 0,
    guardedEvents: 0,
    duplicatesWritten: 0,
  };
  let minute = Date.UTC(2026, 0, 5, 0, 0, 0) / 60000;
  let lastGuarded: string | undefined;
  while (stats.uncompressedBytes < spec.targetBytes) {
    minute += 5;
    for (const account of ACCOUNTS) {
      for (const region of REGIONS) {
        if (stats.uncompressedBytes >= spec.targetBytes) break;
        const d = new Date(minute * 60000);
        const day = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
        const stamp = `${day}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
        const count = 300 + Math.floor(rnd() * 3000);
        const parts: string[] = [];
        for (let i = 0; i < count; i++) {
          const t = new Date(minute * 60000 + Math.floor(rnd() * 300000)).toISOString().replace(/\.\d{3}Z$/, "Z");
          const roll = rnd();
          const bedrock = spec.bedrockShare ?? 0;
          const kind =
            roll < 1 / 40000
              ? "guarded"
              : roll < Math.max(1 / 1000, bedrock / 2)
                ? "invoke"
                : roll < bedrock
                  ? "enumerate"
                  : "noise";
          const r = maker.record(account, region, t, kind);
          if (r.guarded) {
            stats.guardedEvents++;
            lastGuarded = r.json;
          }
          parts.push(r.json);
        }
        if (lastGuarded && rnd() < 0.02) {
          parts.push(lastGuarded); // CloudTrail may deliver an event twice, even in another file
          stats.duplicatesWritten++;
          lastGuarded = undefined;
        }
        const text = `{"Records":[${parts.join(",")}]}`;
        const dir = path.join(
          spec.dir,
          "AWSLogs",
          account,
          "CloudTrail",
          region,
          String(d.getUTCFullYear()),
          pad(d.getUTCMonth() + 1),
          pad(d.getUTCDate()),
        );
        fs.mkdirSync(dir, { recursive: true });
        const gz = zlib.gzipSync(text, { level: 6 });
        fs.writeFileSync(path.join(dir, `${account}_CloudTrail_${region}_${stamp}_${maker.hex(16)}.json.gz`), gz);
        stats.files++;
        stats.records += parts.length;
        stats.uncompressedBytes += Buffer.byteLength(text);
        stats.compressedBytes += gz.length;
      }
    }
    if (stats.files % 60 === 0) log(`  generated ${(stats.uncompressedBytes / 1e6).toFixed(0)} MB\r`);
  }
  fs.writeFileSync(
    `${spec.dir}.manifest.json`,
    JSON.stringify({ seed: spec.seed, targetBytes: spec.targetBytes, ...stats }, null, 2),
  );
  return stats;
}
