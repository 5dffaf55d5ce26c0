/**
 * Nothing is assumed or called in an account Organizations does not place in the organization, on every path
 * that assumes the member role: remediate --execute, undo, and the monitor's
 * responder (the scheduled job's and the realtime path's, makeResponder). A findings file or an audit record may name
 * any account: the AssumeRole call alone would hand the external id and the caller's ARN to that account's CloudTrail.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DeleteFoundationModelAgreementCommand } from "@aws-sdk/client-bedrock";
import { DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { GetRolePolicyCommand, NoSuchEntityException, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import {
  ChildNotFoundException,
  DescribeOrganizationCommand,
  ListParentsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { runDetect } from "../../src/cli/commands/detect";
import { runRemediate } from "../../src/cli/commands/remediate";
import { runUndo } from "../../src/cli/commands/undo";
import { EXIT } from "../../src/cli/exit-codes";
import type { CloudTrailRecord } from "../../src/detection/record";
import { MEMBERSHIP_PERMISSION, OrganizationMembership } from "../../src/remediation/organization";
import { RESPONDER_PERMISSIONS } from "../../src/remediation/permissions";
import { makeOrganizationLookup, makeResponder } from "../../src/wiring/adapters";
import { ENFORCE_CONFIG, findingOf, guardrailWith, MGMT, ROOT } from "./helpers";
import { awsError, awsMocks } from "./mocks";

const aws = awsMocks();
const organizations = mockClient(OrganizationsClient);
const ddb = mockClient(DynamoDBClient);
afterEach(() => {
  aws.reset();
  organizations.reset();
  ddb.reset();
});
afterAll(() => {
  aws.restore();
  organizations.restore();
  ddb.restore();
});

/** The stratus sample's account, in the organization; OUTSIDE is the account of a forged or foreign findings file. */
const MEMBER = "494659789341";
const OUTSIDE = "111122223333";
const ROLE_IN = (account: string) => `arn:aws:iam::${account}:role/bedrock-guardrail/BedrockGuardrailRemediation`;

const NOT_A_MEMBER = new RegExp(`^not run: account ${OUTSIDE} is not an account of the organization; nothing is`);
const NO_ANSWER = new RegExp(
  `^not run, nothing is assumed or called there: Organizations did not say whether account ${OUTSIDE} is in the ` +
    "organization \\(the credentials need organizations:ListParents, in the management account or a delegated " +
    "administrator\\): (access denied|throttled)",
);

/** What Organizations answers for OUTSIDE's ListParents: not a member, or no answer. */
const ANSWERS = {
  "not a member": () => new ChildNotFoundException({ message: "We can't find that account.", $metadata: {} }),
  "AccessDenied (not the management account nor a delegated administrator)": () =>
    awsError("AccessDeniedException", "You don't have permissions to access this resource.", 403),
  throttling: () => awsError("TooManyRequestsException", "Too many requests.", 400),
};
type Answer = keyof typeof ANSWERS;
const expected = (answer: Answer) => (answer === "not a member" ? NOT_A_MEMBER : NO_ANSWER);

function organizationAnswers(outside: Answer): void {
  organizations.on(ListParentsCommand, { ChildId: MEMBER }).resolves({ Parents: [{ Id: "r-ab12", Type: "ROOT" }] });
  organizations.on(ListParentsCommand, { ChildId: OUTSIDE }).rejects(ANSWERS[outside]());
}
const lookupsOf = (account: string) =>
  organizations.commandCalls(ListParentsCommand).filter((c) => c.args[0].input.ChildId === account).length;

/** The member accounts' side: the role and its agreement, and AssumeRole answering for any account. */
function memberAccounts(): void {
  aws.sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: "ASIAX", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date() },
  });
  aws.havePrincipals(`arn:aws:iam::${OUTSIDE}:role/test-role`);
  aws.iam.on(GetRolePolicyCommand).rejects(new NoSuchEntityException({ message: "none", $metadata: {} }));
  aws.iam.on(PutRolePolicyCommand).resolves({});
  aws.bedrock.on(DeleteFoundationModelAgreementCommand).resolves({});
}

let dir: string;
let config: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bedrock-guardrail-org-bound-"));
  config = path.join(dir, "guardrail.config.json");
  fs.writeFileSync(config, JSON.stringify(ENFORCE_CONFIG));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The stratus agreement record, its accounts (recipient and principal) moved to `account`. */
function recordIn(account: string): CloudTrailRecord {
  const text = fs.readFileSync(
    path.join(ROOT, "examples", "cloudtrail", "stratus__CreateFoundationModelAgreement.json"),
  );
  return JSON.parse(text.toString("utf8").replaceAll(MEMBER, account)) as CloudTrailRecord;
}

const sink = () => {
  let text = "";
  return { write: (s: string) => (text += s), text: () => text };
};

/** detect's findings file for the record in `account`. */
async function findingsIn(account: string): Promise<string> {
  const recordFile = path.join(dir, `record-${account}.json`);
  fs.writeFileSync(recordFile, JSON.stringify(recordIn(account)));
  const out = sink();
  const err = sink();
  expect(await runDetect([recordFile], { config, format: "ndjson", jobs: 1 }, { stdout: out, stderr: err })).toBe(0);
  expect(err.text()).toMatch(/ 1 finding\(s\)/);
  const file = path.join(dir, `findings-${account}.ndjson`);
  fs.writeFileSync(file, out.text());
  return file;
}

let runs = 0;
/** The real command (no injected responder) with credentials of `caller`; each run on its own state file. */
async function remediate(account: string, options: { assumeRole?: boolean } = {}, caller = "555555555555") {
  aws.sts.on(GetCallerIdentityCommand).resolves({ Account: caller, Arn: `arn:aws:sts::${caller}:assumed-role/Ops/al` });
  const stateFile = path.join(dir, `state-${++runs}.json`);
  const out = sink();
  const err = sink();
  const code = await runRemediate(
    await findingsIn(account),
    { config, format: "ndjson", execute: true, stateFile, ...options },
    { stdout: out, stderr: err, cwd: dir },
  );
  const lines = out
    .text()
    .split("\n")
    .filter(Boolean)
    .map(
      (l) => JSON.parse(l) as { action_id: string; api: string; account_id: string; status: string; reason: string },
    );
  return { code, lines, err: err.text(), stateFile };
}

describe("remediate --execute", () => {
  it("assumes the member role in an account of the organization, asking Organizations once for it", async () => {
    organizationAnswers("not a member");
    memberAccounts();
    const r = await remediate(MEMBER);
    expect(r.code).toBe(EXIT.OK);
    expect(r.lines.map((l) => l.status)).toEqual(["ok", "ok"]);
    expect(aws.sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([ROLE_IN(MEMBER)]);
    expect(lookupsOf(MEMBER)).toBe(1);
  });

  it.each(Object.keys(ANSWERS) as Answer[])(
    "outside the organization (%s): nothing is assumed or called, each action says why in one line",
    async (answer) => {
      organizationAnswers(answer);
      memberAccounts();
      const r = await remediate(OUTSIDE);
      expect(r.lines.map((l) => [l.api, l.account_id])).toEqual([
        ["iam:PutRolePolicy", OUTSIDE],
        ["bedrock:DeleteFoundationModelAgreement", OUTSIDE],
      ]);
      for (const l of r.lines) {
        expect(l.status).toBe(answer === "not a member" ? "skipped" : "error");
        expect(l.reason).toMatch(expected(answer));
        expect(l.reason).not.toContain("\n");
      }
      // No answer is a failure of the run (exit 1), never read as "not a member" nor as "a member".
      expect(r.code).toBe(answer === "not a member" ? EXIT.OK : EXIT.INCOMPLETE);
      expect(aws.sts.commandCalls(AssumeRoleCommand)).toEqual([]);
      expect(aws.iam.calls()).toEqual([]);
      expect(aws.bedrock.calls()).toEqual([]);
      expect(lookupsOf(OUTSIDE)).toBe(1); // one lookup for the account's two actions
    },
  );

  it("--no-assume-role acts in the credentials' own account without asking Organizations", async () => {
    // These credentials assume nothing (no external id leaves) and act only where they belong; an operator of a
    // member account, whom ListParents denies, must still be able to use them.
    organizations
      .on(ListParentsCommand)
      .rejects(ANSWERS["AccessDenied (not the management account nor a delegated administrator)"]());
    memberAccounts();
    aws.havePrincipals(`arn:aws:iam::${MEMBER}:role/test-role`);
    const r = await remediate(MEMBER, { assumeRole: false }, MEMBER);
    expect(r.lines.map((l) => l.status)).toEqual(["ok", "ok"]);
    expect(organizations.commandCalls(ListParentsCommand)).toEqual([]);
    expect(aws.sts.commandCalls(AssumeRoleCommand)).toEqual([]);
  });

  it("without --execute asks nothing and says the membership is unchecked", async () => {
    const out = sink();
    const code = await runRemediate(
      await findingsIn(OUTSIDE),
      { config, format: "ndjson" },
      { stdout: out, stderr: sink(), cwd: dir },
    );
    expect(code).toBe(EXIT.OK);
    const reasons = out
      .text()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l).reason as string);
    expect(reasons).toHaveLength(2);
    for (const reason of reasons)
      expect(reason).toContain(
        `(runs with --execute; whether account ${OUTSIDE} is in the organization is asked only before a call: ` +
          "unchecked)",
      );
    expect(organizations.calls()).toEqual([]);
  });
});

describe("undo of a record edited to name an account outside the organization", () => {
  it.each(Object.keys(ANSWERS) as Answer[])("(%s) assumes and calls nothing there", async (answer) => {
    organizationAnswers(answer);
    memberAccounts();
    const done = await remediate(MEMBER);
    const revocation = done.lines.find((l) => l.api === "iam:PutRolePolicy")!;
    expect(revocation.status).toBe("ok");
    const state = JSON.parse(fs.readFileSync(done.stateFile, "utf8"));
    const rec = state.actions[revocation.action_id];
    state.actions[revocation.action_id] = JSON.parse(JSON.stringify(rec).replaceAll(MEMBER, OUTSIDE));
    fs.writeFileSync(done.stateFile, JSON.stringify(state));
    aws.sts.resetHistory();
    aws.iam.resetHistory();

    const out = sink();
    const code = await runUndo(
      { config, actionId: revocation.action_id, stateFile: done.stateFile },
      { stdout: out, stderr: sink(), cwd: dir },
    );
    expect(code).toBe(EXIT.INCOMPLETE);
    const result = JSON.parse(out.text());
    expect(result.status).toBe("error");
    expect(result.reason).toMatch(expected(answer));
    expect(aws.sts.commandCalls(AssumeRoleCommand)).toEqual([]);
    expect(aws.iam.calls()).toEqual([]);
  });
});

describe("undo when neither the config nor Organizations names the management account", () => {
  it("changes nothing, in one line, even for a record edited to name the management account", async () => {
    organizationAnswers("not a member");
    organizations.on(ListParentsCommand, { ChildId: MGMT }).resolves({ Parents: [{ Id: "r-ab12", Type: "ROOT" }] });
    organizations
      .on(DescribeOrganizationCommand)
      .rejects(awsError("TooManyRequestsException", "Too many requests.", 400));
    memberAccounts();
    const done = await remediate(MEMBER);
    const revocation = done.lines.find((l) => l.api === "iam:PutRolePolicy")!;
    const state = JSON.parse(fs.readFileSync(done.stateFile, "utf8"));
    const rec = state.actions[revocation.action_id];
    state.actions[revocation.action_id] = JSON.parse(JSON.stringify(rec).replaceAll(MEMBER, MGMT));
    fs.writeFileSync(done.stateFile, JSON.stringify(state));
    const unnamed = path.join(dir, "guardrail.no-management.config.json");
    fs.writeFileSync(unnamed, JSON.stringify({ ...ENFORCE_CONFIG, organization: {} }));
    aws.sts.resetHistory();
    aws.iam.resetHistory();

    const err = sink();
    const code = await runUndo(
      { config: unnamed, actionId: revocation.action_id, stateFile: done.stateFile },
      { stdout: sink(), stderr: err, cwd: dir },
    );
    expect(code).toBe(EXIT.INCOMPLETE);
    expect(err.text()).toMatch(/^undo: the management account, where undo never acts, is unknown \(set organization\./);
    expect(err.text().trim().split("\n")).toHaveLength(1);
    expect(aws.sts.commandCalls(AssumeRoleCommand)).toEqual([]);
    expect(aws.iam.calls()).toEqual([]);
  });
});

describe("the monitor's responder (scheduled job and realtime path)", () => {
  it.each(Object.keys(ANSWERS) as Answer[])(
    "outside the organization (%s): nothing is assumed, each action says why",
    async (answer) => {
      organizationAnswers(answer);
      memberAccounts();
      ddb.onAnyCommand().resolves({});
      ddb.on(QueryCommand).resolves({ Count: 0 });
      const g = guardrailWith({ remediation: { mode: "enforce" } });
      const responder = makeResponder(g, {
        stateTableName: "guardrail-monitor-state",
        notifier: { publish: async () => undefined },
      });
      const report = await responder.respond(findingOf(g, recordIn(OUTSIDE)));
      expect(report.outcomes.map((o) => [o.api, o.status])).toEqual([
        ["iam:PutRolePolicy", answer === "not a member" ? "skipped" : "error"],
        ["bedrock:DeleteFoundationModelAgreement", answer === "not a member" ? "skipped" : "error"],
      ]);
      for (const o of report.outcomes) expect(o.reason).toMatch(expected(answer));
      expect(aws.sts.commandCalls(AssumeRoleCommand)).toEqual([]);
      expect(aws.iam.calls()).toEqual([]);
      expect(lookupsOf(OUTSIDE)).toBe(1);
    },
  );

  it("in dry-run mode plans without failing when Organizations does not answer, saying it is unchecked", async () => {
    organizationAnswers("AccessDenied (not the management account nor a delegated administrator)");
    ddb.onAnyCommand().resolves({});
    ddb.on(QueryCommand).resolves({ Count: 0 });
    const g = guardrailWith({ remediation: { mode: "dry-run" } });
    const responder = makeResponder(g, { stateTableName: "t", notifier: { publish: async () => undefined } });
    const report = await responder.respond(findingOf(g, recordIn(OUTSIDE)));
    expect(report.outcomes.map((o) => o.status)).toEqual(["planned", "planned"]);
    for (const o of report.outcomes)
      expect(o.reason).toMatch(
        `; whether account ${OUTSIDE} is in the organization is asked only before a call: unchecked`,
      );
    expect(aws.sts.commandCalls(AssumeRoleCommand)).toEqual([]);
  });

  it("assumes the member role in an account of the organization", async () => {
    organizationAnswers("not a member");
    memberAccounts();
    ddb.onAnyCommand().resolves({});
    ddb.on(QueryCommand).resolves({ Count: 0 });
    const g = guardrailWith({ remediation: { mode: "enforce" } });
    const responder = makeResponder(g, { stateTableName: "t", notifier: { publish: async () => undefined } });
    const report = await responder.respond(findingOf(g, recordIn(MEMBER)));
    expect(report.outcomes.map((o) => o.status)).toEqual(["ok", "ok"]);
    expect(aws.sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([ROLE_IN(MEMBER)]);
    expect(lookupsOf(MEMBER)).toBe(1);
  });

  it("shares the run's lookup given (the realtime path's): one ListParents per account, OU mode included", async () => {
    organizationAnswers("not a member");
    memberAccounts();
    ddb.onAnyCommand().resolves({});
    ddb.on(QueryCommand).resolves({ Count: 0 });
    // An OU override: the responder reads the account's OU chain for its mode, then checks membership (AssumeRole).
    const g = guardrailWith({
      remediation: { mode: "off", overrides: [{ target: "ou-ab12-11111111", mode: "enforce" }] },
    });
    organizations
      .on(ListParentsCommand, { ChildId: MEMBER })
      .resolves({ Parents: [{ Id: "ou-ab12-11111111", Type: "ORGANIZATIONAL_UNIT" }] });
    organizations
      .on(ListParentsCommand, { ChildId: "ou-ab12-11111111" })
      .resolves({ Parents: [{ Id: "r-ab12", Type: "ROOT" }] });
    const organization = makeOrganizationLookup(g);
    // What the realtime path asks before its claim, of the same run's lookup.
    expect(await OrganizationMembership.of(organization).of(MEMBER)).toEqual({ status: "member" });
    const responder = makeResponder(g, {
      stateTableName: "t",
      notifier: { publish: async () => undefined },
      organization,
    });
    const report = await responder.respond(findingOf(g, recordIn(MEMBER)));
    expect(report.outcomes.map((o) => o.status)).toEqual(["ok", "ok"]);
    expect([lookupsOf(MEMBER), lookupsOf("ou-ab12-11111111")]).toEqual([1, 1]);
  });
});

describe("the permission membership needs", () => {
  it("is the one the lines name, and the monitor's functions are granted it once (declared beside the lookup)", () => {
    expect(MEMBERSHIP_PERMISSION).toBe("organizations:ListParents");
    expect(RESPONDER_PERMISSIONS.filter((p) => p.actions.includes(MEMBERSHIP_PERMISSION))).toHaveLength(1);
  });
});
