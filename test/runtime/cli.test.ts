/** run-once and verify as functions of their options and streams. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runOnce } from "../../src/cli/commands/run-once";
import { verify } from "../../src/cli/commands/verify";
import { buildScpDocuments } from "../../src/policy/documents";
import type { Notifier } from "../../src/aws/contracts";
import { MemoryStateStore } from "../support/memory-state-store";
import { at, guardrailWith, lakeSource, simEvent, simulateLake } from "./helpers";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } };
}

describe("run-once", () => {
  const g = guardrailWith();

  it("--dry-run prints findings and would-be alerts, writes no state, publishes nothing", async () => {
    const lake = simulateLake();
    lake.clock.now = at("2026-07-01T12:00:00Z");
    lake.events.push(simEvent("e-1", at("2026-07-01T11:00:00Z"), 1));
    lake.events.push(
      simEvent("ok-1", at("2026-07-01T11:01:00Z"), 1, {
        roleArn: "arn:aws:iam::444455556666:role/BedrockModelAccessAdmin",
      }),
    );
    const store = new MemoryStateStore();
    const published: string[] = [];
    const notifier: Notifier = { publish: async (s) => void published.push(s) };
    const s = io();
    const code = await runOnce(
      g,
      { dryRun: true, start: "2026-07-01T10:00:00Z", end: "2026-07-01T12:00:00Z" },
      { ...s, source: lakeSource(lake, g), store, notifier, now: () => lake.clock.now },
    );
    expect(code).toBe(0); // findings are a result, not a failure, without --fail-on-findings
    expect(s.out.join("")).toMatch(/would alert: \[medium\] Bedrock model access: CreateFoundationModelAgreement/);
    expect(s.err.join("")).toMatch(
      /1 approved \(suppressed\), 1 finding\(s\), 1 alert\(s\) would be sent; no state written, nothing published/,
    );
    expect(published).toEqual([]);
    expect(store.events.size).toBe(0);
    expect(store.watermarks.size).toBe(0);
  });

  it("without --dry-run runs the job (a chosen window leaves the watermark alone) and prints the summary", async () => {
    const lake = simulateLake();
    lake.clock.now = at("2026-07-01T12:00:00Z");
    lake.events.push(simEvent("e-1", at("2026-07-01T11:00:00Z"), 1));
    const store = new MemoryStateStore();
    const published: string[] = [];
    const s = io();
    const code = await runOnce(
      g,
      { start: "2026-07-01T10:00:00Z", end: "2026-07-01T12:00:00Z", failOnFindings: true },
      {
        ...s,
        source: lakeSource(lake, g),
        store,
        notifier: { publish: async (subj) => void published.push(subj) },
        now: () => lake.clock.now,
      },
    );
    expect(code).toBe(3);
    expect(published).toHaveLength(1);
    expect(JSON.parse(s.out[0])).toMatchObject({ type: "bedrock-guardrail.run", status: "ok", published: 1 });
    expect(store.watermarks.size).toBe(0);
  });

  it("usage errors exit 2 naming the flag", async () => {
    const s = io();
    expect(await runOnce(g, { backend: "cloudtrail-lake", dryRun: true }, { ...s })).toBe(2);
    expect(s.err.join("")).toMatch(/--event-data-store is required/);
    // Where the created store's ARN is, never "set monitor.cloudtrailLake.eventDataStoreArn": a config that names a
    // store creates none, so the next apply would destroy the store this one created.
    expect(s.err.join("")).toContain("terraform -chdir=cdktf.out/stacks/monitor output -raw event_data_store_arn");
    expect(s.err.join("")).not.toContain("eventDataStoreArn");
    const s2 = io();
    expect(
      await runOnce(
        g,
        { dryRun: true, start: "yesterday", end: "2026-07-01T12:00:00Z" },
        { ...s2, source: lakeSource(simulateLake(), g) },
      ),
    ).toBe(2);
    expect(s2.err.join("")).toMatch(/^run-once: --start: "yesterday" is not an ISO-8601 time/);
    // as query and hunt: a time without a zone or seconds is refused, never read as local time
    for (const start of ["2026-07-01T10:00:00", "2026-07-01T10:00Z", "2026-02-30T10:00:00Z"]) {
      const e = io();
      const code = await runOnce(
        g,
        { dryRun: true, start, end: "2026-07-01T12:00:00Z" },
        { ...e, source: lakeSource(simulateLake(), g) },
      );
      expect(`${start}: ${code}`).toBe(`${start}: 2`);
      expect(e.err.join("")).toMatch(new RegExp(`^run-once: --start: "${start}" is not a`));
    }
    const s3 = io();
    expect(
      await runOnce(
        g,
        { start: "2026-07-01T10:00:00Z", end: "2026-07-01T12:00:00Z" },
        { ...s3, env: {}, source: lakeSource(simulateLake(), g) },
      ),
    ).toBe(2);
    expect(s3.err.join("")).toMatch(/--state-table \(or STATE_TABLE_NAME\) is required/);
    const s4 = io();
    expect(await runOnce(g, { backend: "cloudtrail-lake", eventDataStore: "abc-123", dryRun: true }, s4)).toBe(2);
    expect(s4.err.join("")).toMatch(/"abc-123" is an id, which names no region: pass --region, or give the event/);
    const s5 = io();
    expect(await runOnce(g, { backend: "cloudtrail-lake", eventDataStore: "x'; --", dryRun: true }, s5)).toBe(2);
    expect(s5.err.join("")).toMatch(/^run-once: --event-data-store: .* is neither an event data store ID/);
    const s6 = io();
    expect(await runOnce(g, { backend: "eventbridge", dryRun: true }, s6)).toBe(2);
    expect(s6.err.join("")).toMatch(
      /--backend must be one of cloudtrail-lake, cloudwatch-logs, athena, got "eventbridge"/,
    );
  });

  it("takes logs-insights, the former name of cloudwatch-logs, with a warning", async () => {
    const s = io();
    expect(await runOnce(g, { backend: "logs-insights", dryRun: true }, s)).toBe(2);
    const err = s.err.join("");
    expect(err.match(/backend "logs-insights" is now called "cloudwatch-logs"/g)).toHaveLength(1);
    // Read as cloudwatch-logs: its own required setting is what is missing.
    expect(err).toMatch(/--log-group is required for cloudwatch-logs/);
  });
});

describe("verify", () => {
  // A job source verify does not check (athena without monitor.trailArn, test/cli/verify-source.test.ts).
  const g = guardrailWith({ monitor: { backend: "athena", athena: { bucket: "org-trail-archive" } } });
  const docs = buildScpDocuments(g);
  it("exits 0 without drift, 3 with drift (verify is a gate) and 1 when the organization cannot be read", async () => {
    const intact = async () => ({
      roots: [{ id: "r-ab12", scpEnabled: true }],
      policies: docs.map((d, i) => ({ id: `p-${i}`, name: d.name, content: d.content })),
      targets: Object.fromEntries(docs.map((_, i) => [`p-${i}`, ["r-ab12"]])),
    });
    const s = io();
    expect(await verify(g, {}, { ...s, readOrganization: intact })).toBe(0);
    expect(s.out.join("")).toMatch(/no drift/);
    const s2 = io();
    expect(await verify(g, {}, { ...s2, readOrganization: async () => ({ ...(await intact()), targets: {} }) })).toBe(
      3,
    );
    expect(s2.out.join("")).toMatch(/DRIFT not-attached: .* is not attached to r-ab12/);
    const s3 = io();
    const denied = Object.assign(new Error("not allowed"), { name: "AccessDeniedException" });
    expect(await verify(g, {}, { ...s3, readOrganization: async () => Promise.reject(denied) })).toBe(1);
    expect(s3.err.join("")).toMatch(/^verify: cannot read the organization: .*not allowed\n$/);
  });

  const noCredentials = Object.assign(new Error("Could not load credentials from any providers"), {
    name: "CredentialsProviderError",
  });

  it("--json prints a JSON error object on stdout when the organization cannot be read", async () => {
    const s = io();
    const offline = Object.assign(new Error("getaddrinfo ENOTFOUND organizations.us-east-1.amazonaws.com"), {
      code: "ENOTFOUND",
      hostname: "organizations.us-east-1.amazonaws.com",
    });
    expect(await verify(g, { json: true }, { ...s, env: {}, readOrganization: () => Promise.reject(offline) })).toBe(1);
    expect(JSON.parse(s.out.join(""))).toEqual({
      ok: false,
      error: { kind: "network", message: expect.stringMatching(/^cannot reach AWS \(ENOTFOUND organizations\./) },
    });
    expect(s.err.join("")).toMatch(/^verify: cannot read the organization: cannot reach AWS/);
  });

  it("names a profile AWS_PROFILE asks for that no shared file defines", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "verify-profile-"));
    try {
      fs.mkdirSync(path.join(home, ".aws"));
      fs.writeFileSync(path.join(home, ".aws", "config"), "[default]\nregion = us-east-1\n[profile dev]\n");
      fs.writeFileSync(path.join(home, ".aws", "credentials"), "[ci]\naws_access_key_id = AKIDEXAMPLE\n");
      const env = (profile?: string): NodeJS.ProcessEnv => ({
        AWS_CONFIG_FILE: path.join(home, ".aws", "config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, ".aws", "credentials"),
        ...(profile ? { AWS_PROFILE: profile } : {}),
      });
      const run = async (profile?: string) => {
        const s = io();
        await verify(
          g,
          { json: true },
          { ...s, env: env(profile), readOrganization: () => Promise.reject(noCredentials) },
        );
        return { err: s.err.join(""), json: JSON.parse(s.out.join("")) };
      };
      const nope = await run("nope");
      expect(nope.err).toMatch(
        /^verify: cannot read the organization: AWS_PROFILE names the profile "nope", which is in/,
      );
      expect(nope.json.error).toEqual({ kind: "credentials", message: expect.stringContaining('profile "nope"') });
      // profiles that exist (config, credentials, default), or none asked for: the usual advice
      for (const profile of ["dev", "ci", "default", undefined])
        expect((await run(profile)).err).toMatch(/cannot read the organization: no AWS credentials found: configure/);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
