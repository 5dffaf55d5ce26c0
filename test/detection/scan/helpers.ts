import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { CloudTrailRecord } from "../../../src/detection/record";
import { WORKER_RESOURCE_LIMITS, type WorkerFactory } from "../../../src/detection/scan/pool";
import type { Guardrail } from "../../../src/guardrail/guardrail";
import { APPROVED_ROLE_PATTERN, guardrailFrom } from "../../support/fixtures";

export const FIXTURES = path.join(__dirname, "..", "..", "fixtures", "cloudtrail", "scan");
export const EXAMPLES = path.join(__dirname, "..", "..", "..", "examples", "cloudtrail");

/**
 * The records of the delivery.json fixture, as CloudTrail writes them (its key order, `eventVersion` first): EC2
 * noise, Bedrock InvokeModel noise, and an unapproved CreateFoundationModelAgreement, the one a rule finds. The scan
 * tests build their inputs from them (`{ ...MATCHING_RECORD, eventID: "after" }`).
 */
export const DELIVERY_RECORDS: readonly CloudTrailRecord[] = JSON.parse(
  fs.readFileSync(path.join(FIXTURES, "delivery.json"), "utf8"),
).Records;
export const NOISE_RECORD = DELIVERY_RECORDS[0];
export const MATCHING_RECORD = DELIVERY_RECORDS[2];

export function testGuardrail(approved: string[] = [APPROVED_ROLE_PATTERN]): Guardrail {
  return guardrailFrom({ approvedPrincipalArns: approved });
}

export async function* chunksOf(data: Buffer | string, size = 64 * 1024): AsyncGenerator<Buffer> {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/**
 * Starts the scan worker from its TypeScript source, compiled on load by the dev-only @swc/core
 * (production starts the compiled worker.js). `prelude` runs first in the worker (e.g. to crash it).
 */
export function tsWorkerFactory(
  prelude = "",
  source = path.join(__dirname, "..", "..", "..", "src", "detection", "scan", "worker.ts"),
): WorkerFactory {
  const script = `
    const fs = require("fs");
    const swc = require(require.resolve("@swc/core", { paths: [${JSON.stringify(__dirname)}] }));
    require.extensions[".ts"] = (m, filename) => {
      const out = swc.transformSync(fs.readFileSync(filename, "utf8"), {
        filename, module: { type: "commonjs" }, jsc: { target: "es2022", parser: { syntax: "typescript" } },
      });
      m._compile(out.code, filename);
    };
    {
      ${prelude}
    }
    require(${JSON.stringify(source)});`;
  return () => new Worker(script, { eval: true, resourceLimits: WORKER_RESOURCE_LIMITS });
}
