import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runDetect } from "../../src/cli/commands/detect";
import { runRemediate } from "../../src/cli/commands/remediate";
import { DeleteFoundationModelAgreementCommand } from "@aws-sdk/client-bedrock";
import {
  GetRolePolicyCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  UpdateServiceSpecificCredentialCommand,
} from "@aws-sdk/client-iam";
import { ListParentsCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { runUndo } from "../../src/cli/commands/undo";
import { EXIT } from "../../src/cli/exit-codes";
import type { Notifier } from "../../src/aws/contracts";
import type { Guardrail } from "../../src/guardrail/guardrail";
import { StaticOrganizationLookup } from "../../src/remediation/organization";
import { RemediationResponder } from "../../src/remediation/responder";
import { FileStore } from "../../src/remediation/store";
import { ENFORCE_CONFIG, findingWithPrimaryRule, fixture, guardrailWith, MGMT, ROOT } from "./helpers";
import { awsError, awsMocks, fakeDeployBotAccount, localClients } from "./mocks";

const aws = awsMocks();
afterEach(() => aws.reset());
afterAll(() => aws.restore());

const organizations = mockClient(OrganizationsClient);
// Every account these tests reach is in the organization (organization-bound.test.ts has the others).
beforeEach(() => organizations.on(ListParentsCommand).resolves({ Parents: [{ Id: "r-ab12", Type: "ROOT" }] }));
afterEach(() => organizations.reset());
afterAll(() => organizations.restore());

let dir: string;
let config: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bedrock-guardrail-cli-"));
  config = path.join(dir, "guardrail.config.json");
  fs.writeFileSync(config, JSON.stringify(ENFORCE_CONFIG));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The responder `remediate --execute` builds, on a state file, with local clients (and a notifier, when given). */
const fileResponder = (guardrail: Guardrail, stateFile: string, notifier?: Notifier) =>
  new RemediationResponder({
    guardrail,
    store: new FileStore(stateFile),
    organization: new StaticOrganizationLookup(MGMT),
    clients: localClients(),
    ...(notifier ? { notifier } : {}),
    actor: "arn:aws:iam::555555555555:user/admin",
  });

const sink = () => {
  let text = "";
  return { write: (s: string) => (text += s), text: () => text };
};

async function detectToFile(): Promise<string> {
  const out = sink();
  const code = await runDetect(
    [
      path.join(ROOT, "test", "fixtures", "cloudtrail", "remediation_iam-user-CreateFoundationModelAgreement.json"),
      path.join(ROOT, "examples", "cloudtrail"),
    ],
    { config, format: "ndjson", jobs: 1 },
    { stdout: out, stderr: sink() },
  );
  expect(code).toBe(0);
  const file = path.join(dir, "findings.ndjson");
  fs.writeFileSync(file, `${out.text()}this line is not json\n`);
  return file;
}

describe("remediate and undo commands", () => {
  it("plans by default: one ndjson action per line with the documented fields, nothing called", async () => {
    const file = await detectToFile();
    const out = sink();
    const err = sink();
    const code = await runRemediate(file, { config, format: "ndjson" }, { stdout: out, stderr: err });
    expect(code).toBe(1); // the bad line is reported, the good findings still planned
    expect(err.text()).toMatch(/findings\.ndjson:\d+: not valid JSON/);
    const lines = out
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    for (const l of lines)
      for (const k of ["finding_id", "account_id", "region", "api", "target", "mode", "status", "reason", "action_id"])
        expect(l).toHaveProperty(k);
    const user = lines.filter((l) => l.finding_id === "5b0f3a52-6c1e-4d7e-9a51-2f8e0c7d4a11");
    expect(user.map((l) => [l.api, l.target, l.region, l.mode, l.status])).toEqual([
      ["iam:UpdateAccessKey", "AKIAEXAMPLEKEY000001", "global", "enforce", "planned"],
      ["iam:PutUserPolicy", "deploy-bot", "global", "enforce", "planned"],
      [
        "bedrock:DeleteFoundationModelAgreement",
        "anthropic.claude-3-sonnet-20240229-v1:0",
        "us-east-1",
        "enforce",
        "planned",
      ],
    ]);
    expect(lines.some((l) => l.api === "iam:PutRolePolicy" && l.target === "test-role")).toBe(true);
    expect(aws.iam.calls()).toHaveLength(0);
  });

  it("a plan says which given options only --execute uses, and plans as without them", async () => {
    const file = await detectToFile();
    const plain = sink();
    await runRemediate(file, { config, format: "ndjson" }, { stdout: plain, stderr: sink() });
    const out = sink();
    const err = sink();
    const options = {
      config,
      format: "ndjson" as const,
      table: "state",
      topicArn: "arn:aws:sns:us-east-1:111122223333:alerts",
      assumeRole: false,
    };
    expect(await runRemediate(file, options, { stdout: out, stderr: err })).toBe(1);
    // The same plan: each session revocation's cutoff is the moment it was planned, so times are left out.
    const withoutTimes = (text: string) => text.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>");
    expect(withoutTimes(out.text())).toBe(withoutTimes(plain.text()));
    const notes = err
      .text()
      .split("\n")
      .filter((l) => l.includes("used only with --execute"));
    expect(notes).toEqual([
      "remediate: note: --table, --topic-arn, --no-assume-role are used only with --execute: this plan reads no " +
        "audit store (actions already done show as planned), alerts nobody and reaches no member account",
    ]);
    const quiet = sink();
    await runRemediate(file, { config, format: "ndjson" }, { stdout: sink(), stderr: quiet });
    expect(quiet.text()).not.toContain("used only with --execute");
  });

  it("table format lists the same actions for people", async () => {
    const file = await detectToFile();
    const out = sink();
    await runRemediate(file, { config, format: "table" }, { stdout: out, stderr: sink() });
    expect(out.text().split("\n")[0]).toMatch(
      /^ACTION ID\s+FINDING\s+ACCOUNT\s+REGION\s+API\s+TARGET\s+MODE\s+STATUS\s+REASON$/,
    );
    expect(out.text()).toContain("AKIAEXAMPLEKEY000001");
    // The first column is the action_id undo takes, for every row.
    const ndjson = sink();
    await runRemediate(file, { config, format: "ndjson" }, { stdout: ndjson, stderr: sink() });
    const ids = ndjson
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).action_id);
    expect(
      out
        .text()
        .trim()
        .split("\n")
        .slice(2, 2 + ids.length)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(ids);
  });

  it("--execute performs and records to the state file; undo re-activates the key from it", async () => {
    const account = fakeDeployBotAccount(aws);
    const stateFile = path.join(dir, "actions.json");
    const file = path.join(dir, "one.ndjson");
    const detected = sink();
    await runDetect(
      [path.join(ROOT, "test", "fixtures", "cloudtrail", "remediation_iam-user-CreateFoundationModelAgreement.json")],
      { config, format: "ndjson", jobs: 1 },
      { stdout: detected, stderr: sink() },
    );
    fs.writeFileSync(file, detected.text());

    const out = sink();
    const code = await runRemediate(
      file,
      { config, format: "ndjson", execute: true, stateFile },
      {
        stdout: out,
        stderr: sink(),
        responder: async (g) => fileResponder(g, stateFile),
      },
    );
    expect(code).toBe(0);
    const lines = out
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.status)).toEqual(["ok", "ok", "ok"]);
    expect(account.keyStatus()).toBe("Inactive");

    const undoOut = sink();
    let awsCalls = 0;
    const wiring = {
      store: () => new FileStore(stateFile),
      aws: async () => {
        awsCalls++;
        return { clients: localClients() };
      },
    };
    expect(
      await runUndo({ config, actionId: lines[0].action_id }, { stdout: undoOut, stderr: sink(), ...wiring }),
    ).toBe(0);
    expect(JSON.parse(undoOut.text())).toMatchObject({ action_id: lines[0].action_id, status: "ok" });
    expect(account.keyStatus()).toBe("Active");
    // agreement deletion is not reversible
    const io = { stdout: sink(), stderr: sink(), ...wiring };
    expect(await runUndo({ config, actionId: lines[2].action_id }, io)).toBe(1);
    const err = sink();
    const before = awsCalls;
    expect(await runUndo({ config, actionId: "ra-unknown" }, { stdout: sink(), stderr: err, ...wiring })).toBe(2);
    expect(err.text()).toMatch(/^undo: no action "ra-unknown" is recorded in .*state-file or --table/);
    expect(awsCalls).toBe(before); // the state file is checked before any credentials or AWS call
    // a long or multi-line id is quoted and cut, on one line
    const long = sink();
    expect(await runUndo({ config, actionId: `ra-${"x".repeat(5000)}\nforged` }, { ...io, stderr: long })).toBe(2);
    expect(long.text()).toMatch(/^undo: no action "ra-x+\.\.\. \(\d+ more characters\) is recorded in [^\n]*\n$/);

    // A state file whose record lost a field undo needs is refused before any AWS call, in one line.
    const state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
    state.actions[lines[0].action_id].params = { userName: "someone-else" };
    fs.writeFileSync(stateFile, JSON.stringify(state));
    const damaged = sink();
    const damagedCode = await runUndo(
      { config, actionId: lines[0].action_id },
      { stdout: sink(), stderr: damaged, ...wiring },
    );
    expect(damagedCode).toBe(EXIT.INCOMPLETE); // an input that cannot be used, as an unreadable state file
    expect(damaged.text()).toMatch(
      /^undo: .*actions\.json: not a bedrock-guardrail state file: .*params\.accessKeyId: /,
    );
    expect(damaged.text().trim().split("\n")).toHaveLength(1);
    expect(awsCalls).toBe(before);
  });

  it("usage errors exit 2", async () => {
    expect(await runRemediate(undefined, { config }, { stdout: sink(), stderr: sink() })).toBe(2);
    expect(
      await runRemediate("x.ndjson", { config: path.join(dir, "missing.json") }, { stdout: sink(), stderr: sink() }),
    ).toBe(2);
    expect(await runUndo({ config }, { stdout: sink(), stderr: sink() })).toBe(2);
  });

  it.each([
    [
      { table: "guardrail-monitor-state", stateFile: "actions.json" },
      "--table and --state-file name two audit stores: give one (the one the remediation recorded to)",
    ],
    [
      { assumeRole: false, externalId: "x" },
      "--external-id is for the member role, which --no-assume-role does not assume: give one of them",
    ],
  ])("options that cannot both hold are one line, exit 2, before the store or AWS: %j", async (given, line) => {
    let used = 0;
    const wiring = {
      store: () => {
        used++;
        return new FileStore(path.join(dir, "never.json"));
      },
      aws: async () => {
        used++;
        return { clients: localClients() };
      },
      responder: async () => {
        used++;
        throw new Error("not reached");
      },
    };
    const undoErr = sink();
    expect(await runUndo({ config, actionId: "ra-x", ...given }, { stdout: sink(), stderr: undoErr, ...wiring })).toBe(
      EXIT.USAGE,
    );
    expect(undoErr.text()).toBe(`undo: ${line}\n`);
    const remediateErr = sink();
    const options = { config, execute: true, ...given };
    expect(await runRemediate("x.ndjson", options, { stdout: sink(), stderr: remediateErr, ...wiring })).toBe(
      EXIT.USAGE,
    );
    expect(remediateErr.text()).toBe(`remediate: ${line}\n`);
    expect(used).toBe(0);
  });
});

describe("a Bedrock API key id in another letter case than CloudTrail writes", () => {
  const g = guardrailWith(ENFORCE_CONFIG);
  /** A long-term Bedrock API key's call, under a rule that remediates, with `keyId` as its key and its own event id. */
  const findingWithKey = (keyId: string, eventID: string) => {
    const record = fixture("respond_bearer-long-term-mantle-CreateFineTuningJob");
    const userIdentity = { ...(record.userIdentity as object), accessKeyId: keyId };
    return findingWithPrimaryRule(g, { ...record, eventID, userIdentity }, "PutUseCaseForModelAccess");
  };
  const EXACT = "ACCAEXAMPLE000000001";
  const OTHER_CASE = "accaexample000000002";
  /** The exact id's finding, then the same user's other key written in lower case. */
  function findingsFile(): string {
    const file = path.join(dir, "api-key-case.ndjson");
    const findings = [findingWithKey(EXACT, "evt-exact"), findingWithKey(OTHER_CASE, "evt-other-case")];
    fs.writeFileSync(file, findings.map((f) => JSON.stringify(f)).join("\n"));
    return file;
  }
  const refusal =
    "remediate: api-key-case.ndjson:2: finding rejected: aws.cloudtrail.user_identity.access_key_id of event " +
    `evt-other-case: ${OTHER_CASE} reads as a Bedrock API key id but is not written as IAM and CloudTrail write one`;
  const actionsOf = (text: string) =>
    text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { finding_id: string; api: string; target: string; status: string });

  it("plan: the finding is refused in one line naming it and the id; never every key of the user", async () => {
    const out = sink();
    const err = sink();
    const code = await runRemediate(
      findingsFile(),
      { config, format: "ndjson" },
      { stdout: out, stderr: err, cwd: dir },
    );
    expect(code).toBe(EXIT.INCOMPLETE);
    const rejected = err
      .text()
      .split("\n")
      .filter((l) => l.includes("finding rejected"));
    expect(rejected).toHaveLength(1);
    expect(rejected[0].replace(dir + path.sep, "")).toMatch(new RegExp(`^${refusal}`));
    expect(actionsOf(out.text()).map((l) => [l.finding_id, l.api, l.target, l.status])).toEqual([
      ["evt-exact", "iam:UpdateServiceSpecificCredential", EXACT, "planned"],
    ]);
  });

  it("--execute against IAM: the exact key is deactivated, the refused finding's other key stays", async () => {
    const status = aws.bedrockApiKeys({ [EXACT]: "Active", ACCAEXAMPLE000000002: "Active" });
    aws.havePrincipals("arn:aws:iam::222233334444:user/BedrockAPIKey_EXAMPLE");
    const stateFile = path.join(dir, "api-key-case-actions.json");
    const out = sink();
    const err = sink();
    const code = await runRemediate(
      findingsFile(),
      { config, format: "ndjson", execute: true, stateFile },
      { stdout: out, stderr: err, cwd: dir, responder: async (guardrail) => fileResponder(guardrail, stateFile) },
    );
    expect(code).toBe(EXIT.INCOMPLETE);
    expect(
      err
        .text()
        .trim()
        .replace(dir + path.sep, ""),
    ).toMatch(new RegExp(`^${refusal}`));
    expect(actionsOf(out.text()).map((l) => [l.finding_id, l.target, l.status])).toEqual([["evt-exact", EXACT, "ok"]]);
    expect(status).toEqual({ [EXACT]: "Inactive", ACCAEXAMPLE000000002: "Active" });
    expect(
      aws.iam
        .commandCalls(UpdateServiceSpecificCredentialCommand)
        .map((c) => c.args[0].input.ServiceSpecificCredentialId),
    ).toEqual([EXACT]);
  });
});

describe("remediate --execute --no-assume-role: the local credentials act in their own account only", () => {
  const MEMBER = "494659789341"; // the account of the stratus sample's test-role

  async function stratusFindings(): Promise<string> {
    const out = sink();
    await runDetect(
      [path.join(ROOT, "examples", "cloudtrail", "stratus__CreateFoundationModelAgreement.json")],
      { config, format: "ndjson", jobs: 1 },
      { stdout: out, stderr: sink() },
    );
    const file = path.join(dir, "stratus.ndjson");
    fs.writeFileSync(file, out.text());
    return file;
  }

  /** The real command (no injected responder) with STS answering for credentials of `account`. */
  async function remediateAs(account: string) {
    aws.sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: account, Arn: `arn:aws:sts::${account}:assumed-role/Ops/al` });
    aws.iam.on(GetRolePolicyCommand).rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
    aws.iam.on(PutRolePolicyCommand).resolves({});
    aws.bedrock.on(DeleteFoundationModelAgreementCommand).resolves({});
    const stateFile = path.join(dir, `no-assume-role-${account}.json`);
    const out = sink();
    const err = sink();
    const code = await runRemediate(
      await stratusFindings(),
      { config, format: "ndjson", execute: true, assumeRole: false, stateFile },
      { stdout: out, stderr: err, cwd: dir },
    );
    const lines = out
      .text()
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    return { code, lines, err: err.text(), stateFile };
  }

  it("refuses outright with the management account's credentials: one line, nothing called or recorded", async () => {
    const r = await remediateAs(MGMT);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(
      /^remediate: --no-assume-role: the local credentials belong to the management account 999988887777,/,
    );
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.lines).toEqual([]);
    expect(aws.mutatingCalls()).toEqual([]);
    expect(fs.existsSync(r.stateFile)).toBe(false);
  });

  it("skips, with the reason, every action in another account than the credentials' own", async () => {
    const r = await remediateAs("111122223333");
    expect(r.code).toBe(EXIT.OK);
    expect(r.lines.map((l) => [l.api, l.account_id, l.status])).toEqual([
      ["iam:PutRolePolicy", MEMBER, "skipped"],
      ["bedrock:DeleteFoundationModelAgreement", MEMBER, "skipped"],
    ]);
    for (const l of r.lines) expect(l.reason).toMatch(/credentials .*belong to account 111122223333, not 494659789341/);
    expect(aws.mutatingCalls()).toEqual([]);
    // Recorded as skipped, not done: a run with the member role performs them later.
    const state = JSON.parse(fs.readFileSync(r.stateFile, "utf8"));
    expect(Object.values(state.actions).map((a) => (a as { status: string }).status)).toEqual(["skipped", "skipped"]);
  });

  it("acts where the credentials belong", async () => {
    const r = await remediateAs(MEMBER);
    expect(r.code).toBe(EXIT.OK);
    expect(r.lines.map((l) => l.status)).toEqual(["ok", "ok"]);
    expect(aws.iam.commandCalls(PutRolePolicyCommand).map((c) => c.args[0].input.RoleName)).toEqual(["test-role"]);
  });
});

describe("remediate --execute when one finding's follow-up cannot be sent", () => {
  it("still responds to the other findings and prints every action, naming the finding and the step", async () => {
    fakeDeployBotAccount(aws);
    aws.iam.on(GetRolePolicyCommand).rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
    aws.iam.on(PutRolePolicyCommand).resolves({});
    const detected = sink();
    await runDetect(
      [
        path.join(ROOT, "test", "fixtures", "cloudtrail", "remediation_iam-user-CreateFoundationModelAgreement.json"),
        path.join(ROOT, "examples", "cloudtrail", "stratus__CreateFoundationModelAgreement.json"),
      ],
      { config, format: "ndjson", jobs: 1 },
      { stdout: detected, stderr: sink() },
    );
    const file = path.join(dir, "two.ndjson");
    fs.writeFileSync(file, detected.text());
    const findingIds = detected
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).event.id);
    expect(findingIds).toHaveLength(2);
    // A mistyped --topic-arn: every publish fails.
    const topicMissing = awsError("NotFoundException", "Topic does not exist", 404);
    const stateFile = path.join(dir, "follow-up-fails.json");
    for (const format of ["ndjson", "table"] as const) {
      const out = sink();
      const err = sink();
      const code = await runRemediate(
        file,
        { config, format, execute: true, stateFile },
        {
          stdout: out,
          stderr: err,
          responder: async (g) => fileResponder(g, stateFile, { publish: () => Promise.reject(topicMissing) }),
        },
      );
      expect(code).toBe(EXIT.INCOMPLETE);
      // Both findings' actions are shown (done in this run, or recorded by the first), the follow-ups are not sent.
      for (const id of findingIds) expect(out.text()).toContain(id);
      const problems = err.text().trim().split("\n").slice(0, -1);
      expect(problems).toEqual(
        findingIds.map((id) => `remediate: finding ${id}: follow-up not sent: NotFoundException: Topic does not exist`),
      );
    }
    expect(aws.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
  });
});

describe("remediate without --execute, with OU overrides", () => {
  it("says which accounts' mode it could not tell, and what --execute may do there", async () => {
    const ouConfig = path.join(dir, "ou-overrides.json");
    fs.writeFileSync(
      ouConfig,
      JSON.stringify({
        approvedPrincipalArns: ["arn:aws:iam::*:role/BedrockModelAccessAdmin"],
        organization: { managementAccountId: MGMT },
        remediation: { mode: "enforce", overrides: [{ target: "ou-ab12-34cd56ef", mode: "off" }] },
      }),
    );
    const detected = sink();
    await runDetect(
      [path.join(ROOT, "test", "fixtures", "cloudtrail", "remediation_iam-user-CreateFoundationModelAgreement.json")],
      { config: ouConfig, format: "ndjson", jobs: 1 },
      { stdout: detected, stderr: sink() },
    );
    const file = path.join(dir, "ou.ndjson");
    fs.writeFileSync(file, detected.text());
    const out = sink();
    const err = sink();
    expect(await runRemediate(file, { config: ouConfig, format: "ndjson" }, { stdout: out, stderr: err })).toBe(0);
    // The plan shows the least acting mode (the OU is not looked up without --execute) ...
    const lines = out
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.mode, l.status])).toContainEqual(["off", "skipped"]);
    // ... and says so, since --execute looks the OU up and may act in that account.
    expect(err.text()).toContain(
      "remediate: remediation.overrides names OUs, which are not looked up without --execute: account 222233334444 " +
        "is shown in mode off, the least acting it can have; with --execute its OU decides, up to enforce\n",
    );
  });
});

describe("the state file while another process uses it", () => {
  it("is refused in one line naming it, and taken over once that process has ended", async () => {
    const stateFile = path.join(dir, "shared-actions.json");
    fs.writeFileSync(stateFile, JSON.stringify({ actions: {} }));
    // Another remediate or undo at work on it (the test runner's parent process stands in for it): this
    // process would work on a copy read now, and the last to write would drop the other's records.
    fs.writeFileSync(`${stateFile}.lock`, String(process.ppid));
    const err = sink();
    expect(await runUndo({ config, actionId: "ra-x", stateFile }, { stdout: sink(), stderr: err })).toBe(
      EXIT.INCOMPLETE,
    );
    expect(err.text()).toBe(
      `undo: ${stateFile} is in use by another bedrock-guardrail process (pid ${process.ppid}): run one remediate ` +
        "or undo at a time on it, or delete shared-actions.json.lock beside it if that process has ended\n",
    );
    // A lock left by a process that has ended (Ctrl-C, a crash) holds nothing.
    fs.writeFileSync(`${stateFile}.lock`, String(spawnSync(process.execPath, ["-e", "0"]).pid));
    const gone = sink();
    expect(await runUndo({ config, actionId: "ra-x", stateFile }, { stdout: sink(), stderr: gone })).toBe(EXIT.USAGE);
    expect(gone.text()).toMatch(/^undo: no action "ra-x" is recorded in /);
  });

  it("is released by Ctrl-C, which still ends the process as an interrupt", () => {
    const stateFile = path.join(dir, "interrupted-actions.json");
    const store = path.join(ROOT, "dist", "src", "remediation", "store.js");
    const script =
      `new (require(${JSON.stringify(store)}).FileStore)(${JSON.stringify(stateFile)});` +
      `require("fs").writeSync(1, "locked\\n"); process.kill(process.pid, "SIGINT"); setTimeout(() => {}, 5000);`;
    const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(child.stdout).toBe("locked\n");
    expect(child.signal).toBe("SIGINT");
    expect(fs.existsSync(`${stateFile}.lock`)).toBe(false);
  });

  it("in a folder that does not exist is named with that folder, not its lock file", async () => {
    const stateFile = path.join(dir, "no-such-folder", "actions.json");
    const err = sink();
    expect(await runUndo({ config, actionId: "ra-x", stateFile }, { stdout: sink(), stderr: err })).toBe(
      EXIT.INCOMPLETE,
    );
    expect(err.text()).toBe(`undo: ${stateFile}: its folder ${path.dirname(stateFile)} does not exist\n`);
  });
});
