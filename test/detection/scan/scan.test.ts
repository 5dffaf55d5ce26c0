import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type { Finding } from "../../../src/detection/finding";
import { expandInputs } from "../../../src/detection/scan/inputs";
import { type ScanOptions, type ScanSummary, scan, startScanPool } from "../../../src/detection/scan/scan";
import { SourceScanner } from "../../../src/detection/scan/scan-source";
import { chunksOf, DELIVERY_RECORDS, EXAMPLES, FIXTURES, testGuardrail, tsWorkerFactory } from "./helpers";

const guardrail = testGuardrail();
const fx = (name: string): string => path.join(FIXTURES, name);
const id = (n: string): string => `00000000-0000-4000-a000-0000000000${n}`;

async function run(
  paths: string[],
  opts: Partial<ScanOptions> = {},
): Promise<{ findings: Finding[]; summary: ScanSummary; problems: string[] }> {
  const findings: Finding[] = [];
  const problems: string[] = [];
  const summary = await scan(guardrail, expandInputs(paths), {
    jobs: 1,
    onFinding: (f) => findings.push(f),
    onProblem: (p) => problems.push(`${path.basename(p.name)}: ${p.message}`),
    ...opts,
  });
  return { findings, summary, problems };
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scan-test-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("scan over the real samples", () => {
  it("finds the stratus principal's three model-access events and Panther's three tampering events", async () => {
    const { findings, summary, problems } = await run([EXAMPLES]);
    expect(findings.map((f) => `${f.rule.id} ${f.event.action}`).sort()).toEqual([
      // stratus-red-team's detonation enumerates models, then invokes one: the sequence rule.
      "bedrock-enumeration-then-invocation InvokeModel",
      "bedrock-guardrail-tampering DeleteGuardrail",
      "bedrock-guardrail-tampering UpdateGuardrail",
      "bedrock-invocation-logging-tampering DeleteModelInvocationLoggingConfiguration",
      "bedrock-model-access-enabled CreateFoundationModelAgreement",
      "bedrock-model-access-enabled PutFoundationModelEntitlement",
      "bedrock-model-access-enabled PutUseCaseForModelAccess",
    ]);
    expect(new Set(findings.map((f) => f.guardrail.principal_arn))).toEqual(
      new Set([
        "arn:aws:iam::494659789341:role/test-role",
        "arn:aws:iam::123123123123:role/aws-reserved/sso.amazonaws.com/us-west-2/DevAdmin",
      ]),
    );
    expect(summary).toMatchObject({
      files: 9,
      records: 9,
      findings: 7,
      unapprovedFindings: 7,
      unreadable: [],
      invalidRecords: 0,
    });
    expect(problems).toEqual([]);
  });
});

describe("input formats", () => {
  it("reads the S3 delivery shape, NDJSON and a single pretty record", async () => {
    const { findings, summary } = await run([fx("delivery.json"), fx("records.ndjson"), fx("single-record.json")]);
    expect(findings.map((f) => f.event.id)).toEqual([id("a1"), id("a2"), id("a3"), id("a4")]);
    expect(findings.map((f) => f.rule.id)).toEqual([
      "bedrock-model-access-enabled",
      "bedrock-model-access-enabled",
      "bedrock-model-access-denied",
      "bedrock-model-access-enabled",
    ]);
    expect(findings.map((f) => f.guardrail.credential_kind)).toEqual(["long-term-key", "session", "session", "root"]);
    expect(summary).toMatchObject({ files: 3, records: 7, findings: 4 });
  });

  it("detects gzip by content: a gzipped file named .json, and plain JSON named .gz", async () => {
    fs.writeFileSync(path.join(tmp, "really-gzip.json"), zlib.gzipSync(fs.readFileSync(fx("delivery.json"))));
    fs.copyFileSync(fx("records.ndjson"), path.join(tmp, "really-plain.json.gz"));
    const { findings, summary } = await run([
      path.join(tmp, "really-gzip.json"),
      path.join(tmp, "really-plain.json.gz"),
    ]);
    expect(findings.map((f) => f.event.id)).toEqual([id("a1"), id("a2"), id("a3")]);
    expect(summary.unreadable).toEqual([]);
  });

  it("reads stdin", async () => {
    const data = zlib.gzipSync(fs.readFileSync(fx("records.ndjson")));
    const { findings, summary } = await run(["-"], { stdin: chunksOf(data, 7) });
    expect(findings.map((f) => f.event.id)).toEqual([id("a2"), id("a3")]);
    expect(summary).toMatchObject({ files: 1, records: 3 });
  });

  (process.platform === "win32" ? it.skip : it)("reads a named pipe given as a path, as it is written", async () => {
    const fifo = path.join(tmp, "pipe.ndjson");
    const go = path.join(tmp, "pipe.go");
    execFileSync("mkfifo", [fifo]);
    // Another process writes the pipe once this thread, with the scan under way, creates the "go" file
    // from a timer: a timer that runs only while the thread is free. A scan that blocked the thread
    // waiting for a writer would never let it run; the writer then gives up waiting after 10 s and
    // writes anyway, so such a scan ends, and fails the check below, instead of hanging.
    const writer = spawn("sh", [
      "-c",
      'i=0; while [ ! -e "$2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; ' +
        '[ -e "$2" ] && echo yes > "$2.seen"; cat "$0" > "$1"',
      fx("records.ndjson"),
      fifo,
      go,
    ]);
    const written = new Promise((resolve) => writer.on("close", resolve));
    const scan = run([fifo]);
    setTimeout(() => fs.writeFileSync(go, ""), 20);
    const { findings, summary } = await scan;
    await written;
    expect(fs.existsSync(`${go}.seen`)).toBe(true);
    expect(findings.map((f) => f.event.id)).toEqual([id("a2"), id("a3")]);
    expect(summary).toMatchObject({ files: 1, records: 3, unreadable: [] });
  });

  it(
    "walks CloudTrail's directory layout, skips digests and non-JSON names, and de-duplicates across " + "files",
    async () => {
      const { findings, summary } = await run([fx("archive")]);
      // eu-west-1 sorts before us-east-1: d1 is first seen there.
      expect(findings.map((f) => [f.event.id, f.cloud.region])).toEqual([
        [id("d1"), "us-east-1"],
        [id("d2"), "eu-west-1"],
      ]);
      expect(summary).toMatchObject({ files: 2, records: 5, findings: 2, duplicates: 1 });
    },
  );

  it("suppresses approved principals unless asked, and ignores look-alikes", async () => {
    const hidden = await run([fx("approved-and-lookalikes.json")]);
    expect(hidden.findings).toEqual([]);
    expect(hidden.summary).toMatchObject({ records: 3, findings: 0, suppressedApproved: 1 });
    const shown = await run([fx("approved-and-lookalikes.json")], { includeApproved: true });
    expect(shown.findings.map((f) => [f.event.id, f.guardrail.approved, f.guardrail.exemption])).toEqual([
      [id("b1"), true, "approved"],
    ]);
    expect(shown.summary).toMatchObject({ findings: 1, unapprovedFindings: 0, suppressedApproved: 0 });
  });

  it("handles a huge record (several MB) across many chunks", async () => {
    const big = {
      eventID: id("e1"),
      eventTime: "2026-01-05T10:00:00Z",
      eventSource: "bedrock.amazonaws.com",
      eventName: "PutUseCaseForModelAccess",
      requestParameters: {
        formData: "x".repeat(6_000_000),
        items: Array.from({ length: 20000 }, (_, i) => ({ i, s: '}]\\"' })),
      },
    };
    const file = path.join(tmp, "huge.json.gz");
    fs.writeFileSync(file, zlib.gzipSync(JSON.stringify({ Records: [big, { eventID: "noise" }] })));
    const { findings, summary } = await run([file]);
    expect(findings.map((f) => f.event.id)).toEqual([id("e1")]);
    expect(summary).toMatchObject({ records: 2, unreadable: [] });
  });
});

describe("bad input never stops the scan", () => {
  it("names each unreadable input with its reason and still scans the others", async () => {
    const gz = zlib.gzipSync(fs.readFileSync(fx("delivery.json")));
    fs.writeFileSync(path.join(tmp, "truncated.json.gz"), gz.subarray(0, Math.floor(gz.length / 2)));
    const { findings, summary, problems } = await run([
      fx("malformed.json"),
      fx("empty.json"),
      fx("not-json.json"),
      path.join(tmp, "truncated.json.gz"),
      path.join(tmp, "missing.json"),
      fx("single-record.json"),
    ]);
    const reasons = Object.fromEntries(summary.unreadable.map((u) => [path.basename(u.name), u.reason]));
    // malformed.json's damaged record is skipped and named; the file is not unreadable.
    expect(reasons["malformed.json"]).toBeUndefined();
    expect(problems.find((p) => p.startsWith("malformed.json"))).toMatch(
      /1 record\(s\) skipped \(\d+ bytes\): record 1 \(byte 12\): malformed JSON: unexpected '\]'/,
    );
    // The other skipped record is truncated.json.gz's last, cut off where the gzip breaks off.
    expect(summary).toMatchObject({ skippedRecords: 2 });
    expect(problems.filter((p) => p.startsWith("truncated.json.gz")).join("\n")).toMatch(/1 record\(s\) skipped/);
    expect(reasons["empty.json"]).toMatch(/empty/);
    expect(reasons["not-json.json"]).toMatch(/malformed JSON: unexpected 'h'/);
    expect(reasons["truncated.json.gz"]).toMatch(/truncated|unexpected end/i);
    expect(reasons["missing.json"]).toBe("no such file or directory");
    expect(summary.unreadable).toHaveLength(4);
    // c1 was read before the break in malformed.json; a4 is in the good file after the bad ones.
    expect(findings.map((f) => f.event.id)).toEqual([id("c1"), id("a4")]);
    expect(summary.files).toBe(6);
  });

  it("scans the records of a gzip that breaks off within the layout probe, the last one too", async () => {
    // Three records, the last followed by its closing `]}` and then the break: the trailer is missing.
    const gz = zlib.gzipSync(fs.readFileSync(fx("delivery.json")));
    fs.writeFileSync(path.join(tmp, "no-trailer.json.gz"), gz.subarray(0, gz.length - 8));
    const whole = await run([fx("delivery.json")]);
    const { findings, summary } = await run([path.join(tmp, "no-trailer.json.gz")]);
    expect(whole.findings.length).toBeGreaterThan(0);
    expect(findings).toEqual(whole.findings);
    expect(summary).toMatchObject({ records: 3, skippedRecords: 0 });
    expect(summary.unreadable[0].reason).toMatch(/unexpected end/);
  });

  it("scans the records of input in the exact walker's layout that breaks off, without failing", async () => {
    // eventID first: no record starts with CloudTrail's `{"eventVersion":`, so the walker reads it.
    const records = DELIVERY_RECORDS.map(({ eventID, ...rest }) => ({ eventID, ...rest }));
    // Noise after them, random enough not to compress away, and the gzip cut in its middle: mid-value.
    const noise = Array.from({ length: 400 }, (_, i) => ({ eventID: `n${i}`, eventName: `${Math.random()}` }));
    const gz = zlib.gzipSync(JSON.stringify([...records, ...noise]));
    fs.writeFileSync(path.join(tmp, "array.json.gz"), gz.subarray(0, Math.floor(gz.length * 0.6)));
    const whole = await run([fx("delivery.json")]);
    const { findings, summary } = await run([path.join(tmp, "array.json.gz")]);
    expect(findings.map((f) => f.event.id)).toEqual(expect.arrayContaining(whole.findings.map((f) => f.event.id)));
    expect(summary.unreadable[0].reason).toMatch(/unexpected end/);
  });

  it("counts records that are not objects or lack an eventID as invalid", async () => {
    const file = path.join(tmp, "invalid.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        Records: [
          1,
          "x",
          null,
          {
            eventSource: "bedrock.amazonaws.com",
            eventName: "CreateFoundationModelAgreement",
            eventTime: "2026-01-05T10:00:00Z",
          },
          { eventSource: "ec2.amazonaws.com" },
        ],
      }),
    );
    const { summary, problems } = await run([file]);
    expect(summary).toMatchObject({ records: 5, invalidRecords: 4, findings: 0, unreadable: [] });
    expect(problems[0]).toMatch(/4 invalid record\(s\): record 1 is not a JSON object; .*\(and 1 more\)/);
    expect(problems[1]).toMatch(/1 record\(s\) do not look like CloudTrail \(record 5 has no eventSource\/eventName\)/);
  });
});

describe("determinism across workers", () => {
  it("gives the same findings in the same order on worker threads as in-process", async () => {
    const inputs = [
      EXAMPLES,
      fx("archive"),
      fx("delivery.json"),
      fx("records.ndjson"),
      fx("malformed.json"),
      fx("single-record.json"),
    ];
    const one = await run(inputs, { jobs: 1 });
    const many = await run(inputs, { jobs: 3, minBytesForWorkers: 0, workerFactory: tsWorkerFactory() });
    expect(many.findings).toEqual(one.findings);
    expect({ ...many.summary, elapsedMs: 0 }).toEqual({ ...one.summary, elapsedMs: 0 });
  });

  it("gives the same from a pool started before the guardrail was loaded", async () => {
    const inputs = [EXAMPLES, fx("archive"), fx("delivery.json"), fx("records.ndjson"), fx("malformed.json")];
    const one = await run(inputs, { jobs: 1 });
    const options = { jobs: 2, minBytesForWorkers: 0, workerFactory: tsWorkerFactory() };
    const pool = startScanPool(expandInputs(inputs), options);
    expect(pool).toBeDefined();
    // The workers boot meanwhile (here: compiling the TypeScript worker too).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const early = await run(inputs, { ...options, pool });
    expect(early.findings).toEqual(one.findings);
    expect({ ...early.summary, elapsedMs: 0 }).toEqual({ ...one.summary, elapsedMs: 0 });
  });

  it("a pool that is closed without a scan stops its workers", async () => {
    const pool = startScanPool(expandInputs([fx("archive"), fx("delivery.json")]), {
      jobs: 2,
      minBytesForWorkers: 0,
      workerFactory: tsWorkerFactory(),
    });
    await expect(pool!.close()).resolves.toBeUndefined();
  });

  it("a file scanned directly gives what the scan reports", async () => {
    const r = await new SourceScanner(guardrail).scanFile(fx("delivery.json"));
    expect(r).toMatchObject({ records: 3, invalid: 0 });
    expect(r.error).toBeUndefined();
    expect(r.findings.map((f) => f.event.id)).toEqual([id("a1")]);
  });
});

describe("progress within one input", () => {
  it("reports the bytes read of a file too large to hold, up to its size, and of stdin", async () => {
    const record = JSON.stringify({ eventVersion: "1.09", eventSource: "s3.amazonaws.com", eventName: "GetObject" });
    const big = path.join(tmp, "big.ndjson");
    const lines = Math.ceil((17 * 1024 * 1024) / (record.length + 1));
    fs.writeFileSync(big, `${record}\n`.repeat(lines));
    const size = fs.statSync(big).size;
    const reads: { name: string; bytes: number }[] = [];
    await run([big], { onBytesRead: (r) => reads.push(r) });
    expect(reads.length).toBeGreaterThan(10);
    expect(reads.every((r) => r.name === big)).toBe(true);
    expect(reads.map((r) => r.bytes)).toEqual([...reads.map((r) => r.bytes)].sort((a, b) => a - b));
    expect(reads.at(-1)!.bytes).toBe(size);

    const stdinReads: { name: string; bytes: number }[] = [];
    const { summary } = await run(["-"], {
      stdin: chunksOf(Buffer.from(`${record}\n${record}\n`), 10),
      onBytesRead: (r) => stdinReads.push(r),
    });
    expect(summary.records).toBe(2);
    expect(stdinReads.at(-1)).toEqual({ name: "-", bytes: 2 * (record.length + 1) });
  });
});
